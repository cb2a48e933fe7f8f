"""Assemble ``expected.json``: the headline figures the audit must report for the sample."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from build_activity import PURCHASED_SEQUENCE
from truth import (
    Links,
    cost_figures,
    close_pushes,
    dollars,
    half,
    in_period,
    index_records,
    is_stale,
    is_traceable,
    outcome_counts,
    pearson,
    stage_regressions,
)
from world import GROSS_MARGIN, ICP_TITLE_KEYWORDS, LOOKBACK_DAYS, PERIOD_END, PERIOD_START, World


def ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def activity_figures(world: World, links: Links, held_ids: set[int]) -> dict:
    volume = {"h1": Counter(), "h2": Counter()}
    per_seller: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for activity in world.activities:
        day = activity.at.date()
        if not in_period(day):
            continue
        kind = activity.kind.lower()
        volume[half(day)][kind] += 1
        if kind in ("call", "email"):
            per_seller[(activity.owner, day.month)][0] += 1
        if id(activity) in held_ids:
            volume[half(day)]["meetings_held"] += 1
            per_seller[(activity.owner, day.month)][1] += 1
    result = {}
    for name, months in (("h1", range(1, 7)), ("h2", range(7, 13))):
        counts = volume[name]
        pairs = [v for (owner, month), v in per_seller.items() if month in months]
        result[name] = {
            "calls": counts["call"],
            "emails": counts["email"],
            "activity_volume": counts["call"] + counts["email"],
            "meetings_all_statuses": counts["meeting"],
            "meetings_held": counts["meetings_held"],
            "seller_months": len(pairs),
            "seller_month_correlation": round(pearson([p[0] for p in pairs], [p[1] for p in pairs]), 4),
        }
    result["activity_volume_change"] = round(result["h2"]["activity_volume"] / result["h1"]["activity_volume"] - 1, 4)
    result["meetings_held_change"] = round(result["h2"]["meetings_held"] / result["h1"]["meetings_held"] - 1, 4)
    return result


def average_ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman_all_outcomes(world: World, held_ids: set[int], qualified: list, wins: list) -> dict:
    """Return Spearman's rho per half of calls plus emails against all verified outcomes, per owner and month.

    Outcomes are verified held meetings (by meeting month), verified qualified
    opportunities (by creation month) and verified won deals (by close month).
    A seller-month with activity or outcomes counts, the other side being 0.
    """
    cells: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for activity in world.activities:
        day = activity.at.date()
        if in_period(day) and activity.kind in ("Call", "Email"):
            cells[(activity.owner, day.month)][0] += 1
        if id(activity) in held_ids:
            cells[(activity.owner, day.month)][1] += 1
    for opp in qualified:
        cells[(opp.owner, opp.created.month)][1] += 1
    for opp in wins:
        cells[(opp.owner, opp.close.month)][1] += 1
    result = {}
    for name, months in (("h1", range(1, 7)), ("h2", range(7, 13))):
        pairs = [v for (owner, month), v in cells.items() if month in months]
        result[name] = round(pearson(average_ranks([p[0] for p in pairs]), average_ranks([p[1] for p in pairs])), 4)
        result[f"{name}_seller_months"] = len(pairs)
    return result


def sequence_figures(world: World) -> dict:
    emails: Counter = Counter()
    bounced: Counter = Counter()
    for activity in world.activities:
        if activity.kind == "Email" and activity.sequence and in_period(activity.at.date()):
            emails[activity.sequence] += 1
            bounced[activity.sequence] += activity.status == "bounced"
    others_emails = sum(n for s, n in emails.items() if s != PURCHASED_SEQUENCE)
    others_bounced = sum(n for s, n in bounced.items() if s != PURCHASED_SEQUENCE)
    return {
        "high_bounce_sequence": PURCHASED_SEQUENCE,
        "emails": emails[PURCHASED_SEQUENCE],
        "bounced": bounced[PURCHASED_SEQUENCE],
        "bounce_rate": round(bounced[PURCHASED_SEQUENCE] / emails[PURCHASED_SEQUENCE], 4),
        "other_sequences_bounce_rate": round(others_bounced / others_emails, 4),
        "per_sequence": {s: {"emails": emails[s], "bounced": bounced[s], "bounce_rate": round(bounced[s] / emails[s], 4)} for s in sorted(emails)},
    }


def icp_figures(world: World, links: Links) -> dict:
    accounts = {a.account_id: a for a in world.accounts}
    resolved = outside = outside_or_title = 0
    for activity in world.activities:
        if activity.kind not in ("Call", "Email") or not in_period(activity.at.date()):
            continue
        account_ids, contact_ids, _ = links.activity_keys(activity)
        if not account_ids:
            continue
        resolved += 1
        account = accounts[sorted(account_ids)[0]]
        titles = [links.contact[c].title for c in contact_ids]
        title_fit = any(k.lower() in t.lower() for t in titles for k in ICP_TITLE_KEYWORDS)
        outside += not account.in_icp
        outside_or_title += (not account.in_icp) or not title_fit
    return {
        "calls_and_emails_with_known_account": resolved,
        "outside_icp_account": outside,
        "outside_icp_account_share": round(outside / resolved, 4),
        "outside_icp_account_or_title": outside_or_title,
        "outside_icp_account_or_title_share": round(outside_or_title / resolved, 4),
    }


def new_customers(world: World) -> int:
    """Count accounts whose first won deal (amount > 0, any close date) closes in the period."""
    first: dict[str, dt.date] = {}
    for opp in world.opportunities:
        if opp.is_won and opp.amount_cents > 0 and opp.close and opp.account_id:
            first[opp.account_id] = min(first.get(opp.account_id, opp.close), opp.close)
    return sum(in_period(day) for day in first.values())


def input_metrics(sm_cents: int, marketing_cents: int, new_cents: int, leads: int, opps: int, customers: int) -> dict:
    cac = sm_cents / 100 / customers
    months = ((PERIOD_END - PERIOD_START).days + 1) / 30.4375
    monthly_per_customer = new_cents / 100 / months / customers
    return {
        "leads_created": leads,
        "cost_per_lead": round(marketing_cents / 100 / leads, 2),
        "opportunities_created": opps,
        "cost_per_opportunity": round(sm_cents / 100 / opps, 2),
        "new_customers": customers,
        "cac": round(cac, 2),
        "cac_payback_months": round(cac / (monthly_per_customer * GROSS_MARGIN), 4),
    }


def compute_expected(world: World) -> dict:
    links = Links(world)
    index = index_records(world, links)
    outcomes = outcome_counts(world)
    costs = cost_figures(world)
    sm = costs["sales_and_marketing_cents"]
    held_ids = {id(a) for a in outcomes["meeting_held"][1]}

    out_outcomes = {}
    for name, (claimed, verified) in outcomes.items():
        out_outcomes[name] = {
            "claimed": len(claimed),
            "verified": len(verified),
            "unverified": len(claimed) - len(verified),
            "cost_per_outcome": round(sm / 100 / len(verified), 2) if verified else None,
        }

    claimed_wins, wins = outcomes["closed_won"]
    won_cents = sum(o.amount_cents for o in wins)
    claimed_cents = sum(o.amount_cents for o in claimed_wins)
    new_wins = [o for o in wins if "renewal" not in o.deal_type.strip().lower()]
    new_cents = sum(o.amount_cents for o in new_wins)
    # The revenue graph traces claimed wins; a blank close date ends the window at the period end.
    dark = [o for o in claimed_wins if not is_traceable(index, o)]
    dark_cents = sum(o.amount_cents for o in dark)
    dark_verified = [o for o in wins if o in dark]
    customers = new_customers(world)
    leads_created = sum(c.is_lead and in_period(c.created) for c in world.contacts)
    opps_created = sum(in_period(o.created) for o in world.opportunities)

    activity_index = index_records(World([], [], [], [], [], world.activities, [], [], [], []), links)
    open_opps = [o for o in world.opportunities if not o.is_closed]
    stale = [o for o in open_opps if is_stale(activity_index, o)]

    crm_campaigns = {c.campaign_id for c in world.campaigns}
    spend_by_id: Counter = Counter()
    for row in world.google_ads + world.linkedin_ads:
        if in_period(row["date"]):
            spend_by_id[row["campaign_id"]] += row["cost_cents"]
    missing = sorted(i for i in spend_by_id if i not in crm_campaigns)

    email_groups = Counter(c.email.strip().lower() for c in world.contacts if c.email)
    duplicate_groups = {e: n for e, n in email_groups.items() if n > 1}
    crm_exact = {c.email for c in world.contacts}
    activity_case_variants = sorted({a.email for a in world.activities if a.email and a.email not in crm_exact and a.email.lower() in email_groups})

    tiles = world.dashboards
    volume_tiles = [t for t in tiles if t["kind"] == "volume"]
    headline = [t for t in tiles if t["headline"]]

    lead_sources = Counter(c.lead_source for c in world.contacts) + Counter(o.lead_source for o in world.opportunities)
    variants: dict[str, list[str]] = defaultdict(list)
    for value in sorted(lead_sources):
        variants[value.lower().replace(" ", "")].append(value)

    contacts_crm = [c for c in world.contacts if not c.is_lead]
    qualified_claimed = outcomes["qualified_opportunity"][0]
    return {
        "engagement": {"period": {"start": PERIOD_START.isoformat(), "end": PERIOD_END.isoformat()}, "currency": "USD", "lookback_days": LOOKBACK_DAYS},
        "outcomes": out_outcomes,
        "cost": {
            "sales_and_marketing": dollars(sm),
            "marketing": dollars(costs["marketing_cents"]),
            "media": dollars(costs["media_cents"]),
            "by_category": {k: dollars(v) for k, v in costs["by_category_cents"].items()},
            "cost_lines_in_period": costs["lines_in_period"],
            "cost_lines_outside_period": costs["lines_outside_period"],
            "cost_outside_period": dollars(costs["cents_outside_period"]),
        },
        "new_bookings": dollars(new_cents),
        "efficiency_ratio": round(new_cents / sm, 6),
        "won": {
            "verified_deals": len(wins),
            "verified_revenue": dollars(won_cents),
            "claimed_deals": len(claimed_wins),
            "claimed_revenue": dollars(claimed_cents),
        },
        "traceability": {
            "deal_set": "claimed closed-won deals; a blank close date ends the lookback window at the period end",
            "won_deals": len(claimed_wins),
            "won_revenue": dollars(claimed_cents),
            "untraceable_deals": len(dark),
            "untraceable_share": round(len(dark) / len(claimed_wins), 4),
            "untraceable_revenue": dollars(dark_cents),
            "untraceable_revenue_share": round(dark_cents / claimed_cents, 4),
            "untraceable_verified_deals": sum(o in wins for o in dark),
        },
        # The same figures over verified wins only, for a reader who traces those.
        "traceability_verified": {
            "won_deals": len(wins),
            "won_revenue": dollars(won_cents),
            "untraceable_deals": len(dark_verified),
            "untraceable_share": round(len(dark_verified) / len(wins), 4),
            "untraceable_revenue": dollars(sum(o.amount_cents for o in dark_verified)),
            "untraceable_revenue_share": round(sum(o.amount_cents for o in dark_verified) / won_cents, 4),
        },
        "input_metrics": input_metrics(sm, costs["marketing_cents"], new_cents, leads_created, opps_created, customers),
        "funnel": {
            "leads_created": leads_created,
            "opportunities_created": opps_created,
            "qualified_claimed": len(outcomes["qualified_opportunity"][0]),
            "closed_won_claimed": len(claimed_wins),
        },
        "duplicates": {
            "duplicate_people": len(duplicate_groups),
            "extra_contact_records": sum(n - 1 for n in duplicate_groups.values()),
            "activity_emails_differing_only_in_case": len(activity_case_variants),
        },
        "spend_campaigns_missing_from_crm": {
            "count": len(missing),
            "campaign_ids": missing,
            "spend": dollars(sum(spend_by_id[i] for i in missing)),
            "spend_by_id": {i: dollars(spend_by_id[i]) for i in missing},
        },
        "dashboards": {
            "tiles": len(tiles),
            "volume_tiles": len(volume_tiles),
            "volume_tile_share": round(len(volume_tiles) / len(tiles), 4),
            "headline_tiles": len(headline),
            "headline_volume_or_leading": sum(t["kind"] in ("volume", "leading") for t in headline),
        },
        "activity": {
            **activity_figures(world, links, held_ids),
            "spearman_activity_vs_all_verified_outcomes": spearman_all_outcomes(world, held_ids, outcomes["qualified_opportunity"][1], wins),
        },
        "sequences": sequence_figures(world),
        "icp": icp_figures(world, links),
        "slipped_deals": sum(close_pushes(o) >= 2 for o in world.opportunities),
        "deals_pushed_once": sum(close_pushes(o) == 1 for o in world.opportunities),
        "stage_regression_deals": sum(stage_regressions(o) > 0 for o in world.opportunities),
        "stale_open_opportunities": {"open": len(open_opps), "stale": len(stale)},
        "contacts": {
            "records": len(world.contacts),
            "leads": sum(c.is_lead for c in world.contacts),
            "leads_created_in_period": sum(c.is_lead and in_period(c.created) for c in world.contacts),
            "without_owner": sum(not c.owner for c in world.contacts),
            "contacts_without_account": sum(not c.account_id for c in contacts_crm),
        },
        "opportunities": {
            "records": len(world.opportunities),
            "created_in_period": sum(in_period(o.created) for o in world.opportunities),
            "qualified_claimed_without_contact": sum(not o.contact_id for o in qualified_claimed),
            "qualified_claimed_without_account": sum(not o.account_id for o in qualified_claimed),
        },
        "meetings": {
            "scheduled_never_held": sum(a.kind == "Meeting" and a.status == "scheduled" for a in world.activities),
            "completed_without_contact_or_account": sum(a.kind == "Meeting" and a.status == "completed" and not a.email and not a.account_id for a in world.activities),
        },
        "closed_won_plants": {
            "zero_amount": world.notes["zero_amount_wins"],
            "blank_close_date": world.notes["blank_close_wins"],
            "close_date_after_period": world.notes["future_close_wins"],
        },
        "lead_source_variants": {k: v for k, v in sorted(variants.items()) if len(v) > 1},
    }
