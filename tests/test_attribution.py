"""Attribution models, credit totals, Cost per Outcome bands and the band chart.

Each expected value is worked out by hand in a comment next to it. Dates are
in 2026 and the engagement period is January to June.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_lib.attribution import compute_attribution
from audit_lib.attribution_models import MODELS, markov_removal_effects
from audit_lib.charts.attribution import cpo_band_chart
from audit_lib.charts.common import to_svg
from audit_lib.config import engagement_from_dict
from audit_lib.errors import ConfigError
from audit_lib.store import load_frames

PERIOD = {"start": "2026-01-01", "end": "2026-06-30"}


def make_engagement(**attribution):
    data = {"name": "test", "client": "client", "period": PERIOD, "attribution": attribution}
    return engagement_from_dict(data, root=Path("."))


def frames_of(opportunities=(), touches=(), contacts=(), activities=(), costs=()):
    frames = {
        "opportunities": opportunities,
        "touches": touches,
        "contacts": contacts,
        "activities": activities,
        "costs": costs,
    }
    return {name: pd.DataFrame(list(rows)) for name, rows in frames.items() if rows}


def attribute(frames, con=None, **attribution):
    con = con or duckdb.connect()
    load_frames(con, frames)
    return compute_attribution(con, make_engagement(**attribution))


def won(opp_id, account, close, amount=1000.0, contact=None, created=None, **extra):
    return {
        "opportunity_id": opp_id,
        "account_id": account,
        "contact_id": contact,
        "stage": "Closed Won",
        "is_won": True,
        "is_closed": True,
        "amount": amount,
        "close_date": close,
        "created_at": created,
        **extra,
    }


def lost(opp_id, account, close):
    return {**won(opp_id, account, close, amount=500.0), "stage": "Closed Lost", "is_won": False}


def touch(channel, when, account=None, email=None, contact=None, campaign=None, touch_type="click"):
    return {
        "channel": channel,
        "occurred_at": when,
        "account_id": account,
        "contact_email": email,
        "contact_id": contact,
        "campaign_id": campaign,
        "touch_type": touch_type,
    }


def credit(result, model, key="channel", table="by_channel", field="outcomes"):
    return {row[key]: row[field] for row in result[table] if row["model"] == model}


def single_path(channels_and_dates, close="2026-03-01", created=None, lead_created=None, **attribution):
    """Attribute one won deal of account a1 whose touches are the given (channel, date) pairs."""
    contacts = [{"contact_id": "c1", "account_id": "a1", "created_at": lead_created}] if lead_created else []
    frames = frames_of(
        opportunities=[won("o1", "a1", close, contact="c1" if lead_created else None, created=created)],
        touches=[touch(ch, when, account="a1") for ch, when in channels_and_dates],
        contacts=contacts,
    )
    return attribute(frames, **attribution)


THREE = [("a", "2026-01-05"), ("b", "2026-01-10"), ("c", "2026-01-20")]


def test_first_last_linear_three_touches():
    result = single_path(THREE)
    # first touch: a gets 1; last touch: c gets 1; linear: 1/3 each.
    assert credit(result, "first_touch") == {"a": 1.0, "b": 0.0, "c": 0.0, "untraced": 0.0}
    assert credit(result, "last_touch") == {"a": 0.0, "b": 0.0, "c": 1.0, "untraced": 0.0}
    for channel in "abc":
        assert credit(result, "linear")[channel] == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # 1 touch: all credit to it.
        ([("a", "2026-01-05")], {"a": 1.0}),
        # 2 touches: 50/50 (40 + 40 renormalised, no middle).
        ([("a", "2026-01-05"), ("b", "2026-01-10")], {"a": 0.5, "b": 0.5}),
        # 3 touches: 40 first, 40 last, the middle gets all of the 20.
        (THREE, {"a": 0.4, "b": 0.2, "c": 0.4}),
        # 4 touches: 40, 20/2 = 10, 10, 40.
        (THREE + [("d", "2026-01-25")], {"a": 0.4, "b": 0.1, "c": 0.1, "d": 0.4}),
    ],
)
def test_u_shaped_path_lengths(path, expected):
    got = credit(single_path(path), "u_shaped")
    for channel, value in expected.items():
        assert got[channel] == pytest.approx(value)


@pytest.mark.parametrize(
    ("path", "created", "lead_created", "expected"),
    [
        # 1 touch: first = lead creation = opportunity creation -> 90% + the 10% -> 100%.
        ([("a", "2026-01-05")], "2026-02-01", "2026-01-01", {"a": 1.0}),
        # 2 touches, contact created before any touch -> lead creation falls back to the first
        # touch; opportunity created after b -> b. a: 30 + 30 + 10/2 = 65, b: 30 + 10/2 = 35.
        ([("a", "2026-01-05"), ("b", "2026-01-10")], "2026-02-01", "2026-01-01", {"a": 0.65, "b": 0.35}),
        # 3 touches, lead created 01-12 -> b, opportunity created 01-25 -> c:
        # each 30 + 10/3.
        (THREE, "2026-01-25", "2026-01-12", {"a": 0.3 + 0.1 / 3, "b": 0.3 + 0.1 / 3, "c": 0.3 + 0.1 / 3}),
        # 3 touches, lead created before any touch -> a, opportunity created 01-12 -> b:
        # a 30 + 30, b 30, c alone shares the 10.
        (THREE, "2026-01-12", "2026-01-01", {"a": 0.6, "b": 0.3, "c": 0.1}),
        # 5 touches, lead created 01-12 -> b, opportunity created 01-20 (same day as c) -> c:
        # a, b, c 30 each; d and e share 10 -> 5 each.
        (THREE + [("d", "2026-01-25"), ("e", "2026-02-02")], "2026-01-20", "2026-01-12",
         {"a": 0.3, "b": 0.3, "c": 0.3, "d": 0.05, "e": 0.05}),
        # No opportunity created_at -> opportunity creation is the last touch, c. Lead created
        # 01-22 -> c as well. a 30, c 30 + 30, and b alone shares the 10.
        (THREE, None, "2026-01-22", {"a": 0.3, "b": 0.1, "c": 0.6}),
        # Opportunity created 01-12 -> b, lead created 01-22 -> c, which is later than b, so the
        # lead-creation touch moves back to b: a 30, b 30 + 30, c 10.
        (THREE, "2026-01-12", "2026-01-22", {"a": 0.3, "b": 0.6, "c": 0.1}),
    ],
)
def test_w_shaped_milestones(path, created, lead_created, expected):
    got = credit(single_path(path, created=created, lead_created=lead_created), "w_shaped")
    for channel, value in expected.items():
        assert got[channel] == pytest.approx(value)
    assert sum(v for k, v in got.items() if k != "untraced") == pytest.approx(1.0, rel=1e-12)


def test_time_decay_half_life():
    # Close 03-01, half-life 7 days. Ages 0, 7 and 14 days give raw weights 1, 1/2, 1/4,
    # sum 7/4, so the shares are 4/7, 2/7 and 1/7.
    path = [("old", "2026-02-15"), ("mid", "2026-02-22"), ("new", "2026-03-01")]
    got = credit(single_path(path, time_decay_half_life_days=7), "time_decay")
    assert got["new"] == pytest.approx(4 / 7)
    assert got["mid"] == pytest.approx(2 / 7)
    assert got["old"] == pytest.approx(1 / 7)


def test_time_decay_tiny_half_life():
    # Half-life 0.01 days: ages 20 and 21 days give raw weights 2^-2000 and 2^-2100, both below
    # the smallest double. Counted from the youngest touch they are 1 and 2^-100, so the
    # younger touch takes 1 / (1 + 2^-100) and the credit still sums to 1.
    path = [("old", "2026-02-08"), ("new", "2026-02-09")]
    got = credit(single_path(path, time_decay_half_life_days=0.01), "time_decay")
    assert got["new"] == pytest.approx(1.0)
    assert got["old"] == pytest.approx(2.0**-100, rel=1e-9)
    assert got["new"] + got["old"] == pytest.approx(1.0, rel=1e-12)


def markov_example_frames():
    # Three paths over two channels:
    #   o1 won (1000): A -> B -> conversion
    #   o2 lost:       A -> null
    #   o3 won (500):  B -> conversion
    return frames_of(
        opportunities=[won("o1", "a1", "2026-03-01"), lost("o2", "a2", "2026-03-01"), won("o3", "a3", "2026-03-01", amount=500.0)],
        touches=[
            touch("A", "2026-02-01", account="a1"),
            touch("B", "2026-02-10", account="a1"),
            touch("A", "2026-02-01", account="a2"),
            touch("B", "2026-02-10", account="a3"),
        ],
    )


def test_markov_worked_example():
    result = attribute(markov_example_frames())
    # Transitions: start->A 2, start->B 1, A->B 1, A->null 1, B->conversion 2.
    # Matrix rows (to A, B, conversion, null):
    #   start: 2/3, 1/3, 0, 0    A: 0, 1/2, 0, 1/2    B: 0, 0, 1, 0
    # P(conversion) = 2/3 * 1/2 * 1 + 1/3 * 1 = 2/3.
    # Without A: start->A goes to null, P = 1/3 * 1 = 1/3, effect 1 - (1/3)/(2/3) = 1/2.
    # Without B: nothing reaches conversion, P = 0, effect 1.
    # Normalised: A = 0.5 / 1.5 = 1/3, B = 1 / 1.5 = 2/3.
    markov = result["markov"]
    assert markov["conversion_probability"] == pytest.approx(2 / 3)
    assert markov["raw_removal_effects"]["A"] == pytest.approx(0.5)
    assert markov["raw_removal_effects"]["B"] == pytest.approx(1.0)
    assert markov["removal_effects"]["A"] == pytest.approx(1 / 3)
    assert markov["removal_effects"]["B"] == pytest.approx(2 / 3)
    # Credit: o1 splits 1/3 : 2/3 over A and B, o3 gives B all of it.
    # A = 1/3 outcomes and 1000/3 revenue; B = 2/3 + 1 = 5/3 outcomes and 2000/3 + 500 revenue.
    assert credit(result, "markov")["A"] == pytest.approx(1 / 3)
    assert credit(result, "markov")["B"] == pytest.approx(5 / 3)
    assert credit(result, "markov", field="revenue")["A"] == pytest.approx(1000 / 3)
    assert credit(result, "markov", field="revenue")["B"] == pytest.approx(2000 / 3 + 500)


def test_markov_solver_with_loop():
    # Paths: X -> Y -> X -> conversion, and Y -> null.
    # Counts: start->X 1, start->Y 1, X->Y 1, Y->X 1, X->conversion 1, Y->null 1.
    # P(X) = 1/2 conv + 1/2 P(Y); P(Y) = 1/2 P(X) + 1/2 null -> P(X) = 1/2 + P(X)/4 -> P(X) = 2/3,
    # P(Y) = 1/3; P(start) = (2/3 + 1/3) / 2 = 1/2.
    # Without X: P = 0, effect 1. Without Y: P(X) = 1/2, P(start) = 1/4, effect 1/2.
    transitions = [("(start)", "X", 1), ("(start)", "Y", 1), ("X", "Y", 1), ("Y", "X", 1), ("X", "(conversion)", 1), ("Y", "(null)", 1)]
    markov = markov_removal_effects(transitions)
    assert markov["conversion_probability"] == pytest.approx(0.5)
    assert markov["raw_removal_effects"] == pytest.approx({"X": 1.0, "Y": 0.5})
    assert markov["removal_effects"] == pytest.approx({"X": 2 / 3, "Y": 1 / 3})


def test_markov_without_conversions_empty():
    assert markov_removal_effects([("(start)", "X", 2), ("X", "(null)", 2)]) == {}


def random_frames(seed: int) -> dict:
    rng = random.Random(seed)
    channels = ["paid search", "email", "events", "webinar", "social"]
    accounts = [f"a{i}" for i in range(rng.randint(1, 6))]
    contacts = [
        {"contact_id": f"c{i}", "account_id": rng.choice(accounts), "email": f"P{i}@Example.com ",
         "created_at": f"2026-0{rng.randint(1, 3)}-{rng.randint(1, 28):02d}"}
        for i in range(rng.randint(0, 8))
    ]
    opportunities = []
    for i in range(rng.randint(1, 10)):
        close = f"2026-0{rng.randint(1, 6)}-{rng.randint(1, 28):02d}"
        contact = rng.choice(contacts)["contact_id"] if contacts and rng.random() < 0.5 else None
        amount = float(rng.randint(1, 50) * 1000)
        row = won(f"o{i}", rng.choice(accounts), close, amount=amount, contact=contact, created=f"2026-01-{rng.randint(1, 28):02d}")
        opportunities.append(row if rng.random() < 0.6 else lost(f"o{i}", row["account_id"], close))
    touches = []
    for _ in range(rng.randint(0, 40)):
        when = f"2026-0{rng.randint(1, 6)}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:00"
        if contacts and rng.random() < 0.5:
            person = rng.choice(contacts)
            touches.append(touch(rng.choice(channels), when, email=person["email"].upper(), campaign=f"k{rng.randint(1, 4)}"))
        else:
            touches.append(touch(rng.choice(channels), when, account=rng.choice(accounts), campaign=f"k{rng.randint(1, 4)}"))
    activities = [
        {"activity_id": f"x{i}", "activity_type": rng.choice(["call", "email", "meeting"]), "status": "completed",
         "occurred_at": f"2026-0{rng.randint(1, 6)}-{rng.randint(1, 28):02d}", "account_id": rng.choice(accounts)}
        for i in range(rng.randint(0, 15))
    ]
    costs = [{"date": "2026-02-01", "category": "media", "amount": 1000.0 * (i + 1), "channel": ch, "campaign_id": f"k{i}"}
             for i, ch in enumerate(channels)]
    return frames_of(opportunities, touches, contacts, activities, costs)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**6))
def test_credit_sums_every_model(seed):
    frames = random_frames(seed)
    con = duckdb.connect()
    result = attribute(frames, con=con)
    if result["status"] != "ok":
        return
    outcomes = result["outcomes"]["closed_won"]
    revenue = result["outcomes"]["revenue"]
    for model in MODELS:
        for table in ("by_channel", "by_campaign"):
            rows = [r for r in result[table] if r["model"] == model]
            assert sum(r["outcomes"] for r in rows) == pytest.approx(outcomes, rel=1e-9)
            assert sum(r["revenue"] for r in rows) == pytest.approx(revenue, rel=1e-9)
    # Every converting path's weights sum to 1 under every model.
    columns = ", ".join(f"abs(sum(w_{m}) - 1)" for m in MODELS)
    worst = con.execute(f"SELECT greatest({columns}) FROM attr_credit GROUP BY opp").fetchall()
    assert max(value for (value,) in worst) < 1e-12


def test_output_is_deterministic():
    first = attribute(random_frames(7))
    second = attribute(random_frames(7))
    assert first["status"] == "ok"
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_lookback_window_edges():
    frames = frames_of(
        opportunities=[won("o1", "a1", "2026-03-11")],
        touches=[
            touch("edge", "2026-03-01 00:00", account="a1"),  # exactly 10 days before close: in
            touch("too old", "2026-02-28 23:59", account="a1"),  # 11 days before by date: out
            touch("close day", "2026-03-11 23:00", account="a1"),  # on the close date: in
            touch("after", "2026-03-12 00:00", account="a1"),  # after the close date: out
        ],
    )
    result = attribute(frames, lookback_days=10)
    assert result["paths"]["average_length"] == 2
    assert credit(result, "first_touch") == {"edge": 1.0, "close day": 0.0, "untraced": 0.0}
    assert credit(result, "last_touch") == {"edge": 0.0, "close day": 1.0, "untraced": 0.0}


def test_emails_match_case_insensitively():
    frames = frames_of(
        opportunities=[won("o1", "a1", "2026-03-01", contact="c1")],
        contacts=[{"contact_id": "c1", "email": " Ann@Example.COM ", "account_id": None}],
        touches=[
            touch("email", "2026-02-01", email="ann@example.com"),
            touch("webinar", "2026-02-02", email="ANN@EXAMPLE.COM  "),
            touch("stranger", "2026-02-03", email="bob@example.com"),
        ],
    )
    result = attribute(frames)
    assert result["paths"]["average_length"] == 2
    assert credit(result, "linear") == {"email": 0.5, "webinar": 0.5, "untraced": 0.0}


def test_links_by_account_and_activity():
    frames = frames_of(
        opportunities=[won("o1", "a1", "2026-03-01", contact="c1")],
        contacts=[
            {"contact_id": "c1", "email": "ann@a1.com", "account_id": "a1"},
            {"contact_id": "c2", "email": "bea@a1.com", "account_id": "a1"},
        ],
        touches=[
            touch("colleague", "2026-02-01", email="BEA@a1.com"),  # contact of the deal's account
            touch("account", "2026-02-02", account="a1"),  # touch's account_id is the deal's
            touch("by id", "2026-02-03", contact="c1"),  # the deal's contact by id
        ],
        activities=[
            {"activity_id": "x1", "activity_type": "Call", "status": "completed", "occurred_at": "2026-02-04", "opportunity_id": "o1"},
            {"activity_id": "x2", "activity_type": "meeting", "status": "Cancelled", "occurred_at": "2026-02-05", "opportunity_id": "o1"},
        ],
    )
    result = attribute(frames)
    # Four linked events; the cancelled meeting did not take place.
    assert result["paths"]["average_length"] == 4
    assert result["events"]["activities_not_held"] == 1
    assert credit(result, "last_touch")["sales activity"] == 1.0
    touch_types = {row["touch_type"] for row in result["interaction_value"]["rows"]}
    assert "activity: call" in touch_types


def test_untraced_row_completes_totals():
    frames = frames_of(
        opportunities=[won("o1", "a1", "2026-03-01", amount=1000.0), won("o2", "a2", "2026-03-01", amount=300.0)],
        touches=[touch("email", "2026-02-01", account="a1")],
    )
    result = attribute(frames)
    assert result["paths"]["with_path"] == 1
    assert result["paths"]["without_path"] == 1
    for model in MODELS:
        assert credit(result, model)["untraced"] == 1.0
        assert credit(result, model, field="revenue")["untraced"] == 300.0
        assert credit(result, model, key="campaign_id", table="by_campaign")["untraced"] == 1.0


def band_frames():
    # Deal o1 (1000): paid search 01-05, email 01-15. Deal o2 (500): paid search 01-20.
    # Media spend: paid search 300, email 200. "Paid Search" and "paid_search" are one channel,
    # labelled with the spelling that sorts first among those used equally often by touches.
    return frames_of(
        opportunities=[won("o1", "a1", "2026-02-01"), won("o2", "a2", "2026-02-10", amount=500.0)],
        touches=[
            touch("Paid Search", "2026-01-05", account="a1", campaign="k1"),
            touch("Email", "2026-01-15", account="a1", campaign="k2"),
            touch("paid_search ", "2026-01-20", account="a2", campaign="k1"),
        ],
        costs=[
            {"date": "2026-01-01", "category": "media", "amount": 300.0, "channel": "paid search", "campaign_id": "k1"},
            {"date": "2026-01-01", "category": "Media", "amount": 200.0, "channel": "EMAIL", "campaign_id": "k2"},
            {"date": "2026-01-01", "category": "tools", "amount": 9999.0, "channel": "email"},  # not media
            {"date": "2025-12-31", "category": "media", "amount": 9999.0, "channel": "email"},  # before the period
        ],
    )


def test_cpo_bands_and_rank_changes():
    frames = band_frames()
    result = attribute(frames, model="linear")
    # first touch: paid search 2 outcomes -> 300 / 2 = 150; email 0 outcomes -> no price.
    assert credit(result, "first_touch", field="cost_per_outcome") == {"Email": None, "Paid Search": 150.0, "untraced": None}
    # last touch: email 1 -> 200, paid search 1 -> 300.
    assert credit(result, "last_touch", field="cost_per_outcome") == {"Email": 200.0, "Paid Search": 300.0, "untraced": None}
    # linear: email 0.5 -> 400, paid search 1.5 -> 200.
    assert credit(result, "linear", field="cost_per_outcome") == {"Email": 400.0, "Paid Search": 200.0, "untraced": None}
    bands = {band["channel"]: band for band in result["bands"]}
    # Markov gives email 1/3 -> 600 and paid search 5/3 -> 180 (same chain as the worked example).
    assert bands["Email"]["cpo_min"] == 200.0
    assert bands["Email"]["cpo_max"] == pytest.approx(600.0)
    assert bands["Email"]["cpo_chosen"] == 400.0
    assert bands["Email"]["models_without_credit"] == ["first_touch"]
    assert bands["Paid Search"]["cpo_min"] == 150.0
    assert bands["Paid Search"]["cpo_max"] == 300.0
    # Paid search is cheapest under first touch and dearest under last touch.
    assert (bands["Paid Search"]["rank_min"], bands["Paid Search"]["rank_max"]) == (1, 2)
    assert result["rank_changes"] == ["Email", "Paid Search"]
    # by campaign uses costs.campaign_id: k1 300 / 1.5 = 200 under linear.
    assert credit(result, "linear", key="campaign_id", table="by_campaign", field="cost_per_outcome")["k1"] == 200.0


def test_interaction_value_chosen_model():
    frames = frames_of(
        opportunities=[won("o1", "a1", "2026-02-01", amount=900.0)],
        touches=[
            touch("email", "2026-01-05", account="a1", touch_type="click"),
            touch("email", "2026-01-06", account="a1", touch_type="click"),
            touch("events", "2026-01-07", account="a1", touch_type="member"),
        ],
    )
    result = attribute(frames, model="linear")
    # Linear: 300 per touch. click: 600 over 2 touches -> 300; member: 300 over 1 -> 300.
    rows = {row["touch_type"]: row for row in result["interaction_value"]["rows"]}
    assert rows["click"]["revenue"] == 600.0
    assert rows["click"]["touches_credited"] == 2
    assert rows["click"]["interaction_value"] == 300.0
    assert rows["member"]["interaction_value"] == 300.0
    assert "this product's definition" in result["interaction_value"]["definition"].lower()


def test_unverified_and_foreign_deals_counted():
    frames = frames_of(
        opportunities=[
            won("o1", "a1", "2026-03-01"),
            won("o2", "a1", "2026-03-01", amount=0.0),  # not above min_amount: unverified
            won("o3", "a1", "2026-03-01", currency="EUR"),  # no EUR rate configured
        ],
        touches=[touch("email", "2026-02-01", account="a1")],
    )
    result = attribute(frames)
    assert result["outcomes"]["closed_won"] == 1
    assert result["opportunities"]["won_unverified"] == 1
    assert result["opportunities"]["won_missing_fx_rate"] == 1


def test_no_won_deals_not_assessable():
    frames = frames_of(opportunities=[lost("o1", "a1", "2026-03-01")], touches=[touch("email", "2026-02-01", account="a1")])
    result = attribute(frames)
    assert result["status"] == "not_assessable"
    assert "no verified closed-won deals" in result["reason"]


def test_no_touches_not_assessable():
    result = attribute(frames_of(opportunities=[won("o1", "a1", "2026-03-01")]))
    assert result["status"] == "not_assessable"
    assert "no touch or activity" in result["reason"]
    assert cpo_band_chart(result) is None


def test_invalid_lookback_rejected():
    with pytest.raises(ConfigError, match="lookback_days"):
        make_engagement(lookback_days=0)


def test_band_chart_spec():
    # band_frames plus deal o3 whose only touch is events, with 10 of spend: events costs 10
    # per outcome under every model and stays rank 1, while email and paid search swap ranks.
    frames = band_frames()
    frames["opportunities"] = pd.concat([frames["opportunities"], pd.DataFrame([won("o3", "a3", "2026-02-10")])])
    frames["touches"] = pd.concat([frames["touches"], pd.DataFrame([touch("events", "2026-01-20", account="a3")])])
    frames["costs"] = pd.concat([frames["costs"], pd.DataFrame([{"date": "2026-01-01", "category": "media", "amount": 10.0, "channel": "events"}])])
    result = attribute(frames, model="linear")
    spec = cpo_band_chart(result).to_dict()
    rule, point = spec["layer"]
    assert rule["mark"]["type"] == "rule"
    assert rule["encoding"]["x"]["field"] == "cpo_min"
    assert rule["encoding"]["x2"]["field"] == "cpo_max"
    assert point["mark"]["type"] == "point"
    assert point["encoding"]["x"]["field"] == "cpo_chosen"
    data = {row["channel"]: row for row in next(iter(spec["datasets"].values()))}
    assert set(data) == {"events", "Email *", "Paid Search *"}
    assert data["events"]["flag"] == "same rank under every model"
    assert data["Email *"]["flag"] == "rank changes across models"
    assert "Spend but no credit" not in json.dumps(spec["title"])
    # linear: email 200 / 0.5 = 400.
    assert data["Email *"]["cpo_chosen"] == 400.0
    assert to_svg(cpo_band_chart(result)).startswith("<svg")


def test_messy_rows_counted_not_dropped():
    frames = frames_of(
        opportunities=[
            won("o1", "a1", "2026-03-01"),
            won("o2", "a1", None),  # won without a close date: unverified
            {**won("o3", "a1", "2026-03-01"), "amount": None},  # won without an amount: unverified
        ],
        touches=[
            touch("  ", "2026-02-01", account="a1"),  # blank channel and no campaign: "unknown"
            touch("email", None, account="a1"),  # no time: left out and counted
        ],
        activities=[{"activity_id": "x1", "activity_type": None, "status": None, "occurred_at": "2026-02-02", "account_id": "a1"}],
    )
    result = attribute(frames)
    assert result["status"] == "ok"
    assert result["opportunities"]["won_unverified"] == 2
    assert result["events"]["touches_without_time"] == 1
    assert credit(result, "linear") == {"unknown": 0.5, "sales activity": 0.5, "untraced": 0.0}
    touch_types = {row["touch_type"] for row in result["interaction_value"]["rows"]}
    assert touch_types == {"click", "activity: other"}


def test_cost_uses_campaign_channel():
    frames = frames_of(
        opportunities=[won("o1", "a1", "2026-03-01")],
        touches=[touch(None, "2026-02-01", account="a1", campaign="k1")],  # channel from campaign k1
        costs=[
            # The line's channel is "other", but its campaign k1 is a webinar, and the metrics count that.
            {"date": "2026-01-01", "category": "media", "amount": 500.0, "channel": "other", "campaign_id": "k1"},
            {"date": "2026-01-01", "category": "media", "amount": 100.0, "channel": "web-inar"},
        ],
    )
    frames["campaigns"] = pd.DataFrame([{"campaign_id": "k1", "name": "Spring webinar", "channel": "Webinar"}])
    result = attribute(frames)
    # Webinar: 500 through campaign k1 + 100 from "web-inar", one outcome -> 600.
    assert credit(result, "linear", field="cost") == {"Webinar": 600.0, "untraced": None}
    assert credit(result, "linear", field="cost_per_outcome")["Webinar"] == 600.0
    assert credit(result, "linear", key="campaign_id", table="by_campaign", field="campaign_name")["k1"] == "Spring webinar"


def test_band_chart_names_unpriced_channels():
    frames = band_frames()
    extra = {"date": "2026-01-01", "category": "media", "amount": 50.0, "channel": "Display"}
    frames["costs"] = pd.concat([frames["costs"], pd.DataFrame([extra])])
    result = attribute(frames)
    subtitle = cpo_band_chart(result).to_dict()["title"]["subtitle"]
    assert subtitle[1] == "Spend but no credit under any model (not drawn): Display"


def test_contact_matched_through_email():
    frames = frames_of(
        opportunities=[won("o9", "a9", "2026-03-01"), won("o5", "a5", "2026-03-01")],
        contacts=[
            {"contact_id": "c1", "email": "ann@a1.com", "account_id": "a1"},
            {"contact_id": "c9", "email": " ANN@a1.com", "account_id": "a9"},  # the same person at a9
            {"contact_id": "c5", "email": "zed@a5.com", "account_id": "a5"},
        ],
        touches=[
            # c1 by id only: its email is also c9's, so the touch reaches a9's deal.
            touch("by id", "2026-02-01", contact="c1"),
            # c1 by id with zed's email: reaches a9 through c1 and a5 through the email.
            touch("both", "2026-02-02", contact="c1", email="Zed@a5.com"),
        ],
    )
    result = attribute(frames)
    # o9 path: "by id", "both" -> linear 1/2 each. o5 path: "both" -> 1.
    assert result["paths"]["with_path"] == 2
    assert credit(result, "linear") == {"by id": 0.5, "both": 1.5, "untraced": 0.0}


def test_won_without_amount_rule():
    # min_amount null: a won deal with no amount is verified, counts one outcome and adds no revenue.
    frames = frames_of(
        opportunities=[{**won("o1", "a1", "2026-03-01"), "amount": None}, won("o2", "a2", "2026-03-01", amount=700.0)],
        touches=[touch("email", "2026-02-01", account="a1"), touch("events", "2026-02-01", account="a2")],
    )
    con = duckdb.connect()
    load_frames(con, frames)
    data = {"name": "test", "client": "client", "period": PERIOD, "outcomes": {"closed_won": {"min_amount": None}}}
    result = compute_attribution(con, engagement_from_dict(data, root=Path(".")))
    assert result["outcomes"] == {"closed_won": 2, "revenue": 700.0}
    assert credit(result, "linear") == {"email": 1.0, "events": 1.0, "untraced": 0.0}
    assert credit(result, "linear", field="revenue") == {"email": 0.0, "events": 700.0, "untraced": 0.0}
