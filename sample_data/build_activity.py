"""Build campaign touches and the sales activity log of the sample company."""

from __future__ import annotations

import datetime as dt
import random
import statistics

from world import (
    AVOID_DAYS,
    PERIOD_END,
    PERIOD_START,
    SELLERS,
    Account,
    Activity,
    Campaign,
    Contact,
    Opportunity,
    Touch,
    random_day,
    salesforce_id,
)

PURCHASED_SEQUENCE = "Q3 Purchased List Blitz"
SEQUENCES = ["Inbound Follow-up", "Webinar Attendees", "Mid-Market Outbound", "Enterprise Multi-thread", "Event Follow-up", "Renewal Check-in"]
# Days kept free of activities so that the stale cut-off (30 days before the period end) is unambiguous.
STALE_EDGE = {dt.date(2025, 11, 30), dt.date(2025, 12, 1), dt.date(2025, 12, 2)}
NO_ACTIVITY_DAYS = AVOID_DAYS | STALE_EDGE


def verified_wins(opps: list[Opportunity]) -> list[Opportunity]:
    return [o for o in opps if o.is_won and o.amount_cents > 0 and o.close and PERIOD_START <= o.close <= PERIOD_END]


def choose_dark_accounts(rng: random.Random, accounts: list[Account], opps: list[Opportunity], share: float = 0.30) -> None:
    """Mark accounts dark until they hold about ``share`` of the verified wins."""
    wins = verified_wins(opps)
    per_account: dict[str, int] = {}
    for opp in wins:
        per_account[opp.account_id] = per_account.get(opp.account_id, 0) + 1
    ids = sorted(per_account)
    rng.shuffle(ids)
    dark, covered = set(), 0
    for account_id in ids:
        if covered >= share * len(wins):
            break
        dark.add(account_id)
        covered += per_account[account_id]
    for account in accounts:
        account.dark = account.account_id in dark


def _correlation(xs: list[float], ys: list[float]) -> float:
    return statistics.correlation(xs, ys)


def plan_seller_months(rng: random.Random) -> dict[tuple[str, int], tuple[int, int]]:
    """Return (calls + emails, held meetings) per (seller, month).

    H1 meetings follow activity closely. H2 activity is H1's scaled by 1.6 and
    shuffled across seller-months, and H2 meetings are H1's meetings shuffled
    independently, so held meetings stay flat and the link to activity breaks.
    """
    h1: list[tuple[int, int]] = []
    for _, _, role in SELLERS:
        # AEs, who also own the opportunities, log more activity than SDRs in H1.
        base = rng.uniform(95, 135) if role == "AE" else rng.uniform(45, 85)
        for _month in range(6):
            volume = round(base * rng.uniform(0.8, 1.2))
            h1.append((volume, max(0, round(volume * 0.12 + rng.gauss(0, 1.0)))))
    volumes = [v for v, _ in h1]
    meetings = [m for _, m in h1]
    for _ in range(200):
        v2, m2 = volumes[:], meetings[:]
        rng.shuffle(v2)
        rng.shuffle(m2)
        if abs(_correlation(v2, m2)) < 0.05:
            break
    plan = {}
    for i, (name, _, _) in enumerate(SELLERS):
        for month in range(6):
            plan[(name, month + 1)] = h1[i * 6 + month]
            plan[(name, month + 7)] = (round(1.6 * v2[i * 6 + month]), m2[i * 6 + month])
    return plan


def _timestamp(rng: random.Random, month: int) -> dt.datetime:
    start = dt.date(2025, month, 1)
    end = (dt.date(2025, month + 1, 1) if month < 12 else dt.date(2026, 1, 1)) - dt.timedelta(days=1)
    day = random_day(rng, start, end, NO_ACTIVITY_DAYS)
    return dt.datetime(day.year, day.month, day.day, rng.randint(13, 21), rng.randint(0, 59), rng.randint(0, 59))


def build_activities(rng: random.Random, accounts: list[Account], contacts: list[Contact], opps: list[Opportunity], notes: dict) -> list[Activity]:
    dark = {a.account_id for a in accounts if a.dark}
    with_opps = {o.account_id for o in opps}
    outreach = [c for c in contacts if not c.purchased and c.account_id not in dark and not c.is_lead]
    leads = [c for c in contacts if c.is_lead]
    meeting_pool = [c for c in outreach if c.account_id in with_opps]
    purchased = [c for c in contacts if c.purchased]
    case_variants = rng.sample([c for c in outreach if c.account_id], 30)
    notes["case_variant_emails"] = sorted(c.email for c in case_variants)
    shown_email = {c.contact_id: ".".join(p.capitalize() for p in c.email.split("@")[0].split(".")) + "@" + c.email.split("@")[1] for c in case_variants}
    opps_by_account: dict[str, list[Opportunity]] = {}
    for opp in opps:
        opps_by_account.setdefault(opp.account_id, []).append(opp)

    activities: list[Activity] = []

    def add(kind: str, status: str, at: dt.datetime, contact: Contact | None, owner: str, team: str, sequence: str = "", step: int | None = None, minutes: int | None = None, subject: str = "") -> None:
        email = shown_email.get(contact.contact_id, contact.email) if contact else ""
        account_id = contact.account_id if contact and rng.random() < 0.5 else ""
        opp_id = ""
        if kind == "Meeting" and contact and contact.account_id and rng.random() < 0.5:
            live = [o for o in opps_by_account.get(contact.account_id, []) if o.created <= at.date() <= (o.close or PERIOD_END)]
            opp_id = live[0].opp_id if live else ""
        activities.append(Activity(0, kind, status, at, email, account_id, opp_id, owner, team, sequence, step, minutes, subject))

    plan = plan_seller_months(rng)
    for (name, month), (volume, held) in plan.items():
        team = next(t for n, t, _ in SELLERS if n == name)
        is_sdr = team.startswith("SDR")
        emails = round(volume * 0.7)
        for _ in range(emails):
            if is_sdr and month >= 7 and rng.random() < 0.25:
                add("Email", "sent", _timestamp(rng, month), rng.choice(purchased), name, team, PURCHASED_SEQUENCE, rng.randint(1, 4), None, "Quick question")
                continue
            contact = rng.choice(leads) if rng.random() < 0.15 else rng.choice(outreach)
            status = rng.choices(["sent", "replied", "bounced", "opted_out"], [0.88, 0.09, 0.02, 0.01])[0]
            sequence = rng.choice(SEQUENCES) if rng.random() < 0.8 else ""
            add("Email", status, _timestamp(rng, month), contact, name, team, sequence, rng.randint(1, 6) if sequence else None, None, "Following up")
        for _ in range(volume - emails):
            answered = rng.random() < 0.55
            sequence = rng.choice(SEQUENCES) if rng.random() < 0.6 else ""
            add("Call", "completed" if answered else "no_answer", _timestamp(rng, month), rng.choice(outreach), name, team, sequence, rng.randint(1, 6) if sequence else None, rng.randint(2, 25) if answered else 0, "Call")
        for _ in range(held):
            add("Meeting", "completed", _timestamp(rng, month), rng.choice(meeting_pool), name, team, minutes=rng.choice([30, 45, 60]), subject=rng.choice(["Discovery call", "Demo", "Intro meeting"]))
        for _ in range(round(held * 0.15)):
            add("Meeting", rng.choice(["cancelled", "no_show"]), _timestamp(rng, month), rng.choice(meeting_pool), name, team, minutes=30, subject="Intro meeting")

    # Planted: meetings still marked scheduled after their date, and held meetings with no prospect or account.
    for _ in range(18):
        name, team, _ = rng.choice(SELLERS)
        add("Meeting", "scheduled", _timestamp(rng, rng.randint(2, 11)), rng.choice(meeting_pool), name, team, minutes=30, subject="Demo")
    for _ in range(25):
        name, team, _ = rng.choice(SELLERS)
        add("Meeting", "completed", _timestamp(rng, rng.randint(1, 12)), None, name, team, minutes=45, subject="Meeting")

    blitz = [a for a in activities if a.sequence == PURCHASED_SEQUENCE]
    statuses = ["bounced"] * round(len(blitz) / 4) + ["opted_out"] * round(len(blitz) * 0.04) + ["replied"] * round(len(blitz) * 0.01)
    statuses += ["sent"] * (len(blitz) - len(statuses))
    rng.shuffle(statuses)
    for activity, status in zip(blitz, statuses):
        activity.status = status
    return activities


def build_touches(rng: random.Random, accounts: list[Account], contacts: list[Contact], campaigns: list[Campaign], opps: list[Opportunity], notes: dict) -> list[Touch]:
    dark = {a.account_id for a in accounts if a.dark}
    pool = [c for c in contacts if not c.purchased and c.account_id not in dark]
    by_id = {c.contact_id: c for c in contacts}
    touches: list[Touch] = []
    seen: set[tuple[str, str]] = set()

    def add(campaign: Campaign, contact: Contact, created: dt.date) -> None:
        if (campaign.campaign_id, contact.contact_id) in seen:
            return
        seen.add((campaign.campaign_id, contact.contact_id))
        status = rng.choices(["Sent", "Responded", "Registered", "Attended"], [0.5, 0.25, 0.15, 0.1])[0]
        responded = created + dt.timedelta(days=rng.randint(0, 6)) if status != "Sent" else None
        touches.append(Touch(salesforce_id("00v", len(touches) + 1, rng), campaign.campaign_id, contact.contact_id, contact.email, status, created, responded))

    for campaign in campaigns:
        size = rng.randint(80, 260)
        end = min(campaign.end, dt.date(2025, 12, 29))
        for contact in rng.sample(pool, size):
            add(campaign, contact, random_day(rng, campaign.start, end, NO_ACTIVITY_DAYS))

    # Evidence for most wins outside dark accounts, and, for some dark wins,
    # a touch that falls outside the lookback window on purpose.
    old_touches = 0
    for opp in verified_wins(opps):
        contact = by_id[opp.contact_id]
        if opp.account_id in dark:
            if old_touches < 10:
                add(rng.choice(campaigns), contact, opp.close - dt.timedelta(days=rng.randint(200, 300)))
                old_touches += 1
        elif rng.random() < 0.8:
            add(rng.choice(campaigns), contact, opp.close - dt.timedelta(days=rng.randint(10, 170)))
    notes["touches_outside_lookback"] = old_touches
    return touches


def order_activities(activities: list[Activity]) -> None:
    """Sort by time and number them as the activity tool would."""
    activities.sort(key=lambda a: (a.at, a.owner, a.kind))
    for i, activity in enumerate(activities):
        activity.activity_id = 81_000_000 + i * 3
