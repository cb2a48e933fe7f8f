"""Compute the expected audit figures from the generator's own records.

The rules are those of ``docs/metrics.md``; PLANTED.md states each one in
prose. Nothing here imports the audit code, so a bug there cannot hide here.
Money is summed in integer cents and converted to dollars at the end.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from world import H2_START, LOOKBACK_DAYS, PERIOD_END, PERIOD_START, QUALIFIED_STAGES, STAGES, WON_STAGE, World

STALE_CUTOFF = PERIOD_END - dt.timedelta(days=30)
HELD_STATUSES = {"completed"}


def in_period(day: dt.date | None) -> bool:
    return day is not None and PERIOD_START <= day <= PERIOD_END


def dollars(cents: int) -> float:
    return round(cents / 100, 2)


class Links:
    """Indexes that link activities and touches to accounts, contacts and deals."""

    def __init__(self, world: World):
        self.contact = {c.contact_id: c for c in world.contacts}
        self.by_email: dict[str, list] = defaultdict(list)
        for contact in world.contacts:
            if contact.email:
                self.by_email[contact.email.strip().lower()].append(contact)
        self.opp = {o.opp_id: o for o in world.opportunities}

    def activity_keys(self, activity) -> tuple[set[str], set[str], set[str]]:
        """Return (account ids, contact ids, opportunity ids) the activity links to."""
        contacts = self.by_email.get(activity.email.strip().lower(), []) if activity.email else []
        accounts = {c.account_id for c in contacts if c.account_id}
        if activity.account_id:
            accounts.add(activity.account_id)
        opps = {activity.opp_id} if activity.opp_id else set()
        if activity.opp_id and self.opp[activity.opp_id].account_id:
            accounts.add(self.opp[activity.opp_id].account_id)
        return accounts, {c.contact_id for c in contacts}, opps

    def touch_keys(self, touch) -> tuple[set[str], set[str], set[str]]:
        contacts = list(self.by_email.get(touch.email.strip().lower(), [])) if touch.email else []
        if touch.contact_id in self.contact:
            contacts.append(self.contact[touch.contact_id])
        return {c.account_id for c in contacts if c.account_id}, {c.contact_id for c in contacts}, set()


def index_records(world: World, links: Links) -> dict[tuple[str, str], list[dt.date]]:
    """Map ("account"|"contact"|"opp", id) to the dates of activities and touches linked to it."""
    index: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
    records = [(a.at.date(), links.activity_keys(a)) for a in world.activities]
    records += [(t.created, links.touch_keys(t)) for t in world.touches]
    for day, (accounts, contacts, opps) in records:
        for kind, ids in (("account", accounts), ("contact", contacts), ("opp", opps)):
            for key in ids:
                index[(kind, key)].append(day)
    return index


def linked_dates(index: dict, opp) -> list[dt.date]:
    dates = list(index.get(("opp", opp.opp_id), []))
    if opp.contact_id:
        dates += index.get(("contact", opp.contact_id), [])
    if opp.account_id:
        dates += index.get(("account", opp.account_id), [])
    return dates


def window_end(opp) -> dt.date:
    """Return the day a won deal's lookback window ends: its close date, else the period end."""
    return opp.close or PERIOD_END


def is_traceable(index: dict, opp) -> bool:
    end = window_end(opp)
    start = end - dt.timedelta(days=LOOKBACK_DAYS)
    return any(start <= day <= end for day in linked_dates(index, opp))


def outcome_counts(world: World) -> dict:
    meetings = [a for a in world.activities if a.kind.lower() == "meeting" and in_period(a.at.date())]
    held = [a for a in meetings if a.status.strip().lower() in HELD_STATUSES and (a.email or a.account_id)]
    qualified_names = {s.lower() for s in QUALIFIED_STAGES} | {WON_STAGE.lower()}
    claimed_q = [
        o for o in world.opportunities
        if in_period(o.created) and (o.stage.lower() in qualified_names or any(h.stage.lower() in qualified_names for h in o.history))
    ]
    verified_q = [o for o in claimed_q if o.account_id and o.contact_id]
    claimed_w = [o for o in world.opportunities if o.is_won and (o.close is None or in_period(o.close))]
    verified_w = [o for o in claimed_w if o.amount_cents > 0 and in_period(o.close)]
    return {
        "meeting_held": (meetings, held),
        "qualified_opportunity": (claimed_q, verified_q),
        "closed_won": (claimed_w, verified_w),
    }


def cost_figures(world: World) -> dict:
    lines = [(r["date"], "media", "marketing", r["cost_cents"]) for r in world.google_ads + world.linkedin_ads]
    lines += [(r["date"], r["category"], r["function"], r["cost_cents"]) for r in world.ledger]
    period = [line for line in lines if in_period(line[0])]
    marketing = [line for line in period if line[2] == "marketing" or (line[2] == "" and line[1] in ("media", "agency", "events"))]
    return {
        "sales_and_marketing_cents": sum(line[3] for line in period),
        "marketing_cents": sum(line[3] for line in marketing),
        "media_cents": sum(line[3] for line in period if line[1] == "media"),
        "lines_in_period": len(period),
        "lines_outside_period": len(lines) - len(period),
        "cents_outside_period": sum(line[3] for line in lines if not in_period(line[0])),
        "by_category_cents": {cat: sum(line[3] for line in period if line[1] == cat) for cat in sorted({line[1] for line in period})},
    }


def pearson(xs: list[float], ys: list[float]) -> float:
    return statistics.correlation(xs, ys)


def is_stale(index_activities: dict, opp) -> bool:
    return not any(day >= STALE_CUTOFF for day in linked_dates(index_activities, opp))


def stage_regressions(opp) -> int:
    positions = [STAGES.index(h.stage) for h in opp.history if h.stage in STAGES]
    return sum(1 for a, b in zip(positions, positions[1:]) if b < a)


def close_pushes(opp) -> int:
    closes = [h.close for h in opp.history]
    return sum(1 for a, b in zip(closes, closes[1:]) if a is not None and b is not None and b > a)


def half(day: dt.date) -> str:
    return "h1" if day < H2_START else "h2"
