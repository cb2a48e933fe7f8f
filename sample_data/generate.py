"""Generate the bundled sample engagement (Northwind Analytics) with its planted truth.

Usage: python sample_data/generate.py --out sample_data/northwind [--seed 20250101]

The output is byte-for-byte the same for the same seed. It writes the export
files, engagement.yaml, expected.json (figures computed from the generator's
own records with the rules of docs/metrics.md) and PLANTED.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_activity import (  # noqa: E402
    NO_ACTIVITY_DAYS,
    PURCHASED_SEQUENCE,
    build_activities,
    build_touches,
    choose_dark_accounts,
    order_activities,
)
from build_crm import build_accounts, build_campaigns, build_contacts, build_opportunities, plant_contact_problems  # noqa: E402
from build_spend import build_dashboards, build_google_ads, build_ledger, build_linkedin_ads  # noqa: E402
from engagement_file import ENGAGEMENT_YAML  # noqa: E402
from expected import compute_expected  # noqa: E402
from exports import write_all  # noqa: E402
from planted import render_planted  # noqa: E402
from truth import STALE_CUTOFF, Links, half, outcome_counts, window_end  # noqa: E402
from world import LOOKBACK_DAYS, PERIOD_END, PERIOD_START, World  # noqa: E402

DEFAULT_SEED = 20250101


def build_world(seed: int) -> World:
    rng = random.Random(seed)
    notes: dict = {}
    accounts = build_accounts(rng)
    contacts = build_contacts(rng, accounts)
    plant_contact_problems(rng, contacts, notes)
    crm_campaigns, ad_only = build_campaigns(rng)
    opps = build_opportunities(rng, accounts, contacts, crm_campaigns, notes)
    choose_dark_accounts(rng, accounts, opps)
    touches = build_touches(rng, accounts, contacts, crm_campaigns, opps, notes)
    activities = build_activities(rng, accounts, contacts, opps, notes)
    world = World(
        accounts, contacts, opps, crm_campaigns, touches, activities,
        build_google_ads(rng, crm_campaigns + ad_only), build_linkedin_ads(rng, crm_campaigns + ad_only),
        build_ledger(rng), build_dashboards(), notes,
    )
    settle_stale(rng, world)
    clear_boundaries(world)
    order_activities(world.activities)
    return world


def _point_at(activity, contact) -> None:
    activity.email = contact.email
    activity.account_id = contact.account_id if activity.account_id else ""
    activity.opp_id = ""


def settle_stale(rng: random.Random, world: World, stale_count: int = 30) -> None:
    """Leave ``stale_count`` open-deal accounts without December activity and give the rest some."""
    links = Links(world)
    dark = {a.account_id for a in world.accounts if a.dark}
    open_accounts = sorted({o.account_id for o in world.opportunities if not o.is_closed and o.account_id} - dark)
    stale = set(rng.sample(open_accounts, stale_count))
    fresh = set(open_accounts) - stale
    busy = dark | set(open_accounts) | {o.account_id for o in world.opportunities if o.account_id}
    by_account = defaultdict(list)
    for contact in world.contacts:
        if contact.account_id and not contact.purchased and not contact.is_lead:
            by_account[contact.account_id].append(contact)
    neutral = [c for account_id in sorted(by_account) if account_id not in busy for c in by_account[account_id]]
    december = [a for a in world.activities if a.at.date() >= STALE_CUTOFF]
    covered: set[str] = set()
    donors = []
    for activity in december:
        accounts, _, _ = links.activity_keys(activity)
        if accounts & stale:
            _point_at(activity, rng.choice(neutral))
            accounts = links.activity_keys(activity)[0]
        covered |= accounts
        if not accounts & busy and activity.kind in ("Call", "Email") and activity.sequence != PURCHASED_SEQUENCE:
            donors.append(activity)
    rng.shuffle(donors)
    for account_id in sorted(fresh - covered):
        _point_at(donors.pop(), rng.choice(by_account[account_id]))
    world.notes["planted_stale_accounts"] = len(stale)


def clear_boundaries(world: World) -> None:
    """Move records off each claimed win's close date and lookback edge.

    A record on the close date counts under a date comparison but not under a
    timestamp one, and one on the lookback edge depends on an off-by-one, so
    no linked record may sit on either. Records move by a few days within
    the same half-year and the same side of the stale cut-off.
    """
    links = Links(world)
    forbidden: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
    for opp in outcome_counts(world)["closed_won"][0]:
        end = window_end(opp)
        days = {end, end - dt.timedelta(days=LOOKBACK_DAYS), end - dt.timedelta(days=LOOKBACK_DAYS + 1)}
        for key in (("opp", opp.opp_id), ("contact", opp.contact_id), ("account", opp.account_id)):
            if key[1]:
                forbidden[key] |= days

    def bad_days(keys: tuple[set[str], set[str], set[str]]) -> set[dt.date]:
        accounts, contacts, opps = keys
        out: set[dt.date] = set()
        for kind, ids in (("account", accounts), ("contact", contacts), ("opp", opps)):
            for key in ids:
                out |= forbidden.get((kind, key), set())
        return out

    for activity in world.activities:
        bad = bad_days(links.activity_keys(activity))
        day = activity.at.date()
        if day in bad:
            new = _nearby_day(day, bad, activity=True)
            activity.at = activity.at + (new - day)
    for touch in world.touches:
        bad = bad_days(links.touch_keys(touch))
        if touch.created in bad:
            new = _nearby_day(touch.created, bad, activity=False)
            if touch.responded:
                touch.responded += new - touch.created
            touch.created = new


def _nearby_day(day: dt.date, bad: set[dt.date], activity: bool) -> dt.date:
    for offset in (2, -2, 3, -3, 4, -4, 5, -5, 6, -6):
        new = day + dt.timedelta(days=offset)
        if new in bad:
            continue
        if activity and (new in NO_ACTIVITY_DAYS or half(new) != half(day) or (new >= STALE_CUTOFF) != (day >= STALE_CUTOFF)):
            continue
        if activity and not (PERIOD_START < new < PERIOD_END):
            continue
        return new
    raise RuntimeError(f"no free day within 6 days of {day} for a record linked to a won deal; try another --seed")


def generate(out: Path, seed: int = DEFAULT_SEED) -> dict:
    """Write the engagement folder and return the expected figures."""
    world = build_world(seed)
    out.mkdir(parents=True, exist_ok=True)
    write_all(world, out)
    expected = compute_expected(world)
    expected["seed"] = seed
    (out / "engagement.yaml").write_bytes(ENGAGEMENT_YAML.encode("utf-8"))
    (out / "expected.json").write_bytes((json.dumps(expected, indent=2, sort_keys=False) + "\n").encode("utf-8"))
    (out / "PLANTED.md").write_bytes(render_planted(expected, world.notes).encode("utf-8"))
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "northwind", help="engagement folder to write (created if missing)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed; the committed sample uses the default")
    args = parser.parse_args(argv)
    if args.out.is_file():
        parser.error(f"--out {args.out} is a file; pass a folder to write the engagement into")
    expected = generate(args.out, args.seed)
    print(f"wrote {args.out}: {expected['won']['verified_deals']} verified wins, {expected['traceability']['untraceable_deals']} untraceable")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
