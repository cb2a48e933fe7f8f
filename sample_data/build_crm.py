"""Build the CRM side of the sample company: accounts, contacts, opportunities and campaigns."""

from __future__ import annotations

import datetime as dt
import random

from world import (
    ICP_INDUSTRIES,
    LEAD_SOURCES,
    LINKEDIN_VARIANTS,
    LOST_STAGE,
    NAME_PARTS_A,
    NAME_PARTS_B,
    OTHER_INDUSTRIES,
    PERIOD_END,
    PERIOD_START,
    SELLERS,
    STAGES,
    SUFFIXES,
    TITLES_ICP,
    TITLES_OTHER,
    WON_STAGE,
    Account,
    Campaign,
    Contact,
    HistoryRow,
    Opportunity,
    random_day,
    salesforce_id,
    FIRST_NAMES,
    LAST_NAMES,
)

AES = [name for name, _, role in SELLERS if role == "AE"]
SDRS = [name for name, _, role in SELLERS if role == "SDR"]
TEAM_OF = {name: team for name, team, _ in SELLERS}


def lead_source(rng: random.Random) -> str:
    """Draw a lead source. LinkedIn appears under three spellings on purpose."""
    if rng.random() < 0.2:
        return rng.choice(LINKEDIN_VARIANTS)
    return rng.choice(LEAD_SOURCES)


def build_accounts(rng: random.Random, count: int = 1100, purchased: int = 80) -> list[Account]:
    names = [(a, b, c) for a in NAME_PARTS_A for b in NAME_PARTS_A if a != b for c in NAME_PARTS_B]
    rng.shuffle(names)
    accounts = []
    for i in range(count + purchased):
        a, b, c = names[i]
        is_purchased = i >= count
        if not is_purchased and rng.random() < 0.72:
            industry = rng.choice(ICP_INDUSTRIES)
            employees = rng.randint(200, 5000) if rng.random() < 0.9 else rng.randint(15, 190)
        else:
            industry = rng.choice(OTHER_INDUSTRIES) if rng.random() < 0.8 else rng.choice(ICP_INDUSTRIES)
            employees = rng.randint(10, 180) if industry in ICP_INDUSTRIES else rng.randint(10, 9000)
        revenue = employees * rng.randint(80, 300) * 1000 * 100
        accounts.append(
            Account(
                account_id=salesforce_id("001", i + 1, rng),
                name=f"{a} {b} {c} {rng.choice(SUFFIXES)}",
                domain=f"{a.lower()}{b.lower()}-{c.lower()}.test",
                industry=industry,
                employees=employees,
                annual_revenue_cents=revenue,
                country=rng.choice(["United States"] * 6 + ["Canada", "United Kingdom", "Germany"]),
                owner=rng.choice(AES),
                created=random_day(rng, dt.date(2019, 1, 2), dt.date(2024, 12, 20)) if not is_purchased else random_day(rng, dt.date(2025, 6, 2), dt.date(2025, 6, 27)),
            )
        )
    return accounts


def build_contacts(rng: random.Random, accounts: list[Account], purchased_accounts: int = 80, leads: int = 1200) -> list[Contact]:
    contacts: list[Contact] = []
    used: set[str] = set()

    def email_for(first: str, last: str, domain: str) -> str:
        base = f"{first.lower()}.{last.lower()}"
        email, n = f"{base}@{domain}", 1
        while email in used:
            n += 1
            email = f"{base}{n}@{domain}"
        used.add(email)
        return email

    regular = accounts[: len(accounts) - purchased_accounts]
    for account in accounts:
        is_purchased = account in accounts[len(regular):]
        for _ in range(rng.randint(3, 6)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            icp_title = rng.random() < (0.3 if is_purchased else 0.7)
            contacts.append(
                Contact(
                    contact_id=salesforce_id("003", len(contacts) + 1, rng),
                    first=first,
                    last=last,
                    email=email_for(first, last, account.domain),
                    title=rng.choice(TITLES_ICP if icp_title else TITLES_OTHER),
                    account_id=account.account_id,
                    company=account.name,
                    lead_source="Purchased List" if is_purchased else lead_source(rng),
                    owner=rng.choice(SDRS + AES),
                    is_lead=False,
                    created=account.created + dt.timedelta(days=rng.randint(0, 30)) if is_purchased else random_day(rng, account.created, dt.date(2025, 11, 28)),
                    purchased=is_purchased,
                )
            )
    for i in range(leads):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = f"{rng.choice(NAME_PARTS_A)} {rng.choice(['Studio', 'Partners', 'Collective', 'Dynamics', 'Ventures'])}"
        domain = company.lower().replace(" ", "-") + ".test"
        contacts.append(
            Contact(
                contact_id=salesforce_id("00Q", i + 1, rng),
                first=first,
                last=last,
                email=email_for(first, last, domain),
                title=rng.choice(TITLES_ICP + TITLES_OTHER),
                account_id="",
                company=company,
                lead_source=lead_source(rng),
                owner=rng.choice(SDRS),
                is_lead=True,
                created=random_day(rng, dt.date(2024, 6, 3), dt.date(2025, 12, 29), {PERIOD_START, PERIOD_END}),
                lead_status=rng.choice(["Open", "Working", "Nurture", "Disqualified"]),
            )
        )
    return contacts


def plant_contact_problems(rng: random.Random, contacts: list[Contact], notes: dict) -> None:
    """Add CRM duplicates with the same email in other case, and remove owners and accounts."""
    crm = [c for c in contacts if not c.is_lead and not c.purchased]
    duplicates = rng.sample(crm, 12)
    for original in duplicates:
        local, domain = original.email.split("@")
        contacts.append(
            Contact(
                contact_id=salesforce_id("003", len(contacts) + 5000, rng),
                first=original.first,
                last=original.last,
                email=".".join(part.capitalize() for part in local.split(".")) + "@" + domain,
                title=original.title,
                account_id=original.account_id,
                company=original.company,
                lead_source=original.lead_source,
                owner=original.owner,
                is_lead=False,
                created=random_day(rng, dt.date(2025, 2, 3), dt.date(2025, 11, 27)),
            )
        )
    notes["duplicate_emails"] = sorted(c.email for c in duplicates)
    rest = [c for c in crm if c not in duplicates]
    for contact in rng.sample(rest, 40):
        contact.owner = ""
    notes["no_account_contact_ids"] = []
    for contact in rng.sample(rest, 25):
        contact.account_id = ""
        notes["no_account_contact_ids"].append(contact.contact_id)


def build_campaigns(rng: random.Random) -> tuple[list[Campaign], list[Campaign]]:
    """Return (CRM campaigns, paid campaigns that exist only on the ad platforms)."""
    crm: list[Campaign] = []
    missing: list[Campaign] = []
    themes = ["Brand", "Competitor", "Revenue Analytics", "Forecasting", "Pipeline Health", "RevOps", "Attribution", "Data Quality", "CFO Reporting", "Sales Efficiency"]
    for i, theme in enumerate(themes + ["Retargeting", "Partner Co-op", "Demo Request", "Comparison"]):
        start = random_day(rng, dt.date(2025, 1, 2), dt.date(2025, 3, 31))
        campaign = Campaign(str(20458713200 + i * 7), f"Search - {theme}", "Paid Search", "Paid Search", start, dt.date(2025, 12, 31), "google_ads")
        (crm if i < 10 else missing).append(campaign)
    for i, theme in enumerate(["ABM Tier 1", "Thought Leadership", "Webinar Promo", "Retargeting", "Conversation Ads", "Lead Gen Forms", "Event Promo", "CFO Persona"]):
        start = random_day(rng, dt.date(2025, 1, 2), dt.date(2025, 4, 30))
        campaign = Campaign(str(612845300 + i * 13), f"LI - {theme}", "Paid Social", LINKEDIN_VARIANTS[i % 3], start, dt.date(2025, 12, 31), "linkedin")
        (crm if i < 6 else missing).append(campaign)
    others = [("Webinar", "Webinar", 10), ("Trade Show", "Events", 6), ("Email", "Email", 6), ("Content", "Content", 4)]
    n = 1
    for campaign_type, channel, count in others:
        for j in range(count):
            start = random_day(rng, dt.date(2025, 1, 6), dt.date(2025, 11, 14))
            crm.append(Campaign(salesforce_id("701", n, rng), f"{campaign_type} {j + 1:02d} - {rng.choice(themes)}", campaign_type, channel, start, start + dt.timedelta(days=rng.randint(7, 45))))
            n += 1
    return crm, missing


def _stage_path(rng: random.Random, final: str, max_index: int, regress: bool) -> list[str]:
    path = STAGES[: max_index + 1]
    if regress and max_index >= 2:
        k = rng.randint(2, max_index)
        path = path[: k + 1] + [STAGES[k - 1]] + path[k:]
    if final in (WON_STAGE, LOST_STAGE):
        path = path + [final]
    return path


def make_history(rng: random.Random, opp: Opportunity, max_index: int, pushes: int, regress: bool, end: dt.date) -> None:
    """Fill ``opp.history`` with stage changes and close-date pushes on distinct days.

    The caller guarantees that ``end - opp.created`` has at least one day per event.
    A closed deal's last row is its closing stage on ``end``.
    """
    path = _stage_path(rng, opp.stage, max_index, regress)
    events = len(path) + pushes
    span = (end - opp.created).days
    if span < events:
        raise ValueError(f"{opp.opp_id}: {events} history events do not fit in {span} days")
    inner = sorted(rng.sample(range(1, span), events - 2)) if events > 2 else []
    days = [opp.created] + [opp.created + dt.timedelta(days=o) for o in inner] + ([end] if events > 1 else [])
    last_slot = events - 1 if opp.is_closed else events
    push_slots = set(rng.sample(range(1, last_slot), pushes)) if pushes else set()
    closes: list[dt.date | None] = [opp.close]
    if opp.close is not None and pushes:
        steps = [rng.randint(14, 45) for _ in range(pushes)]
        closes = [opp.close - dt.timedelta(days=sum(steps[i:])) for i in range(pushes)] + [opp.close]
    stages = iter(path)
    stage = next(stages)
    close_index = 0
    for i, day in enumerate(days):
        if i in push_slots:
            close_index += 1
        elif i > 0:
            stage = next(stages)
        opp.history.append(HistoryRow(day, stage, opp.amount_cents, closes[min(close_index, len(closes) - 1)]))


def _amount(rng: random.Random, deal_type: str) -> int:
    low, high = {"New Business": (18, 160), "Expansion": (8, 90), "Renewal": (15, 120)}.get(deal_type, (18, 160))
    return rng.randint(low, high) * 500 * 100


def build_opportunities(rng: random.Random, accounts: list[Account], contacts: list[Contact], campaigns: list[Campaign], notes: dict) -> list[Opportunity]:
    """Create past wins, renewals, open pipeline at the start and the year's new deals."""
    by_account: dict[str, list[Contact]] = {}
    for contact in contacts:
        if contact.account_id and not contact.purchased:
            by_account.setdefault(contact.account_id, []).append(contact)
    targets = [a for a in accounts if a.account_id in by_account and a.in_icp] * 2 + [a for a in accounts if a.account_id in by_account and not a.in_icp]
    campaign_ids = [c.campaign_id for c in campaigns]
    opps: list[Opportunity] = []
    has_won: set[str] = set()

    def new_opp(account: Account, created: dt.date, deal_type: str, stage: str, close: dt.date | None) -> Opportunity:
        owner = account.owner if rng.random() < 0.8 else rng.choice(AES)
        opp = Opportunity(
            opp_id=salesforce_id("006", len(opps) + 1, rng),
            name=f"{account.name.split(' ')[0]} {account.name.split(' ')[1]} - {deal_type} {created.year}",
            account_id=account.account_id,
            contact_id=rng.choice(by_account[account.account_id]).contact_id,
            owner=owner,
            team=TEAM_OF[owner],
            stage=stage,
            amount_cents=_amount(rng, deal_type),
            close=close,
            created=created,
            deal_type=deal_type,
            lead_source=lead_source(rng),
            campaign_id=rng.choice(campaign_ids) if rng.random() < 0.5 else "",
        )
        opps.append(opp)
        return opp

    # Wins closed in 2024, so that 2025 contains renewals of them.
    for account in rng.sample([a for a in accounts if a.in_icp and a.account_id in by_account], 150):
        close = random_day(rng, dt.date(2024, 2, 1), dt.date(2024, 12, 20))
        opp = new_opp(account, close - dt.timedelta(days=rng.randint(30, 120)), "New Business", WON_STAGE, close)
        make_history(rng, opp, 4, 0, False, close)
        has_won.add(account.account_id)
    for past in [o for o in opps if rng.random() < 0.87]:
        account = next(a for a in accounts if a.account_id == past.account_id)
        close = past.close + dt.timedelta(days=365 + rng.randint(-20, 20))
        close = max(min(close, dt.date(2025, 12, 30)), dt.date(2025, 1, 2))
        won = rng.random() < 0.85
        opp = new_opp(account, close - dt.timedelta(days=rng.randint(40, 75)), "Renewal", WON_STAGE if won else LOST_STAGE, close)
        make_history(rng, opp, 4 if won else rng.randint(2, 4), 0, False, close)

    def open_or_close(account: Account, created: dt.date, deal_type: str, win: float, lose: float) -> None:
        roll = rng.random()
        length = rng.randint(25, 160)
        close = created + dt.timedelta(days=length)
        pushes = rng.choices([0, 1, 2, 3], [0.78, 0.12, 0.07, 0.03])[0]
        regress = rng.random() < 0.03
        if roll < win + lose and close <= dt.date(2025, 12, 30) and close > PERIOD_START:
            stage = WON_STAGE if roll < win else LOST_STAGE
            opp = new_opp(account, created, deal_type, stage, close)
            max_index = 4 if stage == WON_STAGE else rng.randint(0, 4)
            pushes = min(pushes, max(0, length - 12) // 10)
            make_history(rng, opp, max_index, pushes, regress and max_index >= 2, close)
            return
        age = (dt.date(2025, 12, 29) - created).days
        max_index = min(rng.randint(0, 4), max(0, age // 12 - 1))
        pushes = 0 if age < 30 else pushes
        stage = STAGES[max_index]
        opp = new_opp(account, created, deal_type, stage, close)
        end = random_day(rng, created + dt.timedelta(days=min(age, 2 * (max_index + pushes + 2))), dt.date(2025, 12, 29))
        make_history(rng, opp, max_index, pushes, regress and max_index >= 2, end)

    # Pipeline open at the start of the period, created in late 2024.
    for _ in range(200):
        account = rng.choice(targets)
        deal_type = "Expansion" if account.account_id in has_won else "New Business"
        open_or_close(account, random_day(rng, dt.date(2024, 9, 2), dt.date(2024, 12, 20)), deal_type, 0.35, 0.45)
    # Deals created during the period.
    for _ in range(1100):
        account = rng.choice(targets)
        deal_type = "Expansion" if account.account_id in has_won and rng.random() < 0.6 else "New Business"
        open_or_close(account, random_day(rng, dt.date(2025, 1, 2), dt.date(2025, 12, 22)), deal_type, 0.27, 0.35)
    for opp in opps:
        if opp.is_won and opp.close and opp.close.year < 2025:
            has_won.add(opp.account_id)
    plant_opportunity_problems(rng, opps, notes)
    return opps


def plant_opportunity_problems(rng: random.Random, opps: list[Opportunity], notes: dict) -> None:
    """Zero amounts, blank and future close dates on wins, blank types, missing contacts."""
    in_period_wins = [o for o in opps if o.is_won and o.close and PERIOD_START <= o.close <= PERIOD_END and o.deal_type != "Renewal"]
    chosen = rng.sample(in_period_wins, 11)
    for opp in chosen[:4]:
        opp.amount_cents = 0
        for row in opp.history:
            row.amount_cents = 0
    for opp in chosen[4:7]:
        opp.close = None
        for row in opp.history:
            row.close = None
    for opp in chosen[7:11]:
        opp.close = dt.date(2026, 1, rng.randint(6, 28))
        opp.history[-1].close = opp.close
    notes["zero_amount_wins"] = [o.opp_id for o in chosen[:4]]
    notes["blank_close_wins"] = [o.opp_id for o in chosen[4:7]]
    notes["future_close_wins"] = [o.opp_id for o in chosen[7:11]]
    others = [o for o in opps if o not in chosen and o.created >= PERIOD_START]
    for opp in rng.sample([o for o in others if o.is_won], 5):
        opp.deal_type = ""
    open_or_lost = [o for o in others if not o.is_won]
    no_contact = rng.sample(open_or_lost, 66)
    for opp in no_contact[:60]:
        opp.contact_id = ""
    for opp in no_contact[60:]:
        opp.contact_id = ""
        opp.account_id = ""
