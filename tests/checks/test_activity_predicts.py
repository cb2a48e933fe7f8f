"""Activity against outcomes: Spearman per seller-month, sample boundary, drift and trends."""

from __future__ import annotations

import pytest

from audit_lib.checks.activity_predicts import check_activity_predicts_outcomes
from audit_lib.checks.common import bootstrap_spearman_ci, spearman


def activities(cells):
    """Build activity rows from (owner, month, calls, held meetings) cells."""
    rows = []
    for owner, month, calls, held in cells:
        for kind, count in (("call", calls), ("meeting", held)):
            for i in range(count):
                rows.append({
                    "activity_id": f"{owner}-{month}-{kind}-{i}",
                    "activity_type": kind,
                    "status": "held" if kind == "meeting" else "completed",
                    "occurred_at": f"2026-{month:02d}-{(i % 27) + 1:02d} 10:00",
                    "owner_id": owner,
                    "contact_id": f"{owner}-c{i}",
                })
    return {"activities": {k: [r[k] for r in rows] for k in rows[0]}}


def cells_for(months, calls, held):
    """Spread values over sellers s0, s1 ... and the given months, two sellers per month."""
    cells = []
    for i, (c, h) in enumerate(zip(calls, held)):
        cells.append((f"s{i % 2}", months[i // 2], c, h))
    return cells


# x ranks 1..8 against y ranks 5,3,2,4,1,8,7,6: swaps (1,5), (2,3), (6,8) give
# sum d^2 = 2 x (16 + 1 + 4) = 42, rho = 1 - 6 x 42 / (8 x 63) = 0.5.
WARN_CALLS = [1, 2, 3, 4, 5, 6, 7, 8]
WARN_HELD = [5, 3, 2, 4, 1, 8, 7, 6]


def test_spearman_hand_computed():
    assert spearman(WARN_CALLS, WARN_HELD) == pytest.approx(0.5)
    # Ties get average ranks: x ranks 1.5, 1.5, 3; y ranks 1, 2, 3 -> pearson of ranks = 0.866.
    assert spearman([1, 1, 2], [1, 2, 3]) == pytest.approx(0.8660254)
    assert spearman([1, 1, 1], [1, 2, 3]) is None


def test_bootstrap_interval_is_seeded():
    first = bootstrap_spearman_ci(WARN_CALLS, WARN_HELD)
    second = bootstrap_spearman_ci(WARN_CALLS, WARN_HELD)
    assert first == second
    assert first[0] < 0.5 < first[1]


def test_warn_on_moderate_link(store, engagement):
    # 8 seller-months, all in the first half, so the score uses the whole period: 100 x 0.5 = 50 -> warn.
    con = store(activities(cells_for([1, 2, 3, 4], WARN_CALLS, WARN_HELD)))
    finding = check_activity_predicts_outcomes(con, engagement, {})
    assert finding.status == "warn"
    assert finding.score == 50.0
    assert finding.evidence["rho"] == pytest.approx(0.5)
    assert finding.evidence["seller_months"] == 8
    assert finding.evidence["ci_low"] < 0.5 < finding.evidence["ci_high"]


def test_pass_on_monotonic_link(store, engagement):
    # Held meetings rise with calls in every seller-month: rho = 1, score 100.
    con = store(activities(cells_for([1, 2, 3, 4], WARN_CALLS, [1, 2, 3, 4, 5, 6, 7, 8])))
    finding = check_activity_predicts_outcomes(con, engagement, {})
    assert finding.status == "pass"
    assert finding.score == 100.0


def test_sample_boundary_seven_insufficient(store, engagement):
    # 7 seller-months < min_sample 8 -> not assessable; the eighth gives a verdict (tested above).
    con = store(activities(cells_for([1, 2, 3, 4], WARN_CALLS[:7], WARN_HELD[:7])))
    finding = check_activity_predicts_outcomes(con, engagement, {})
    assert finding.status == "not_assessable"
    assert "insufficient data" in finding.explanation
    assert "7 seller-months" in finding.explanation
    assert finding.tables["monthly_trend"]


def test_min_sample_from_config(store, make_engagement):
    engagement = make_engagement(thresholds={"min_sample": 7})
    con = store(activities(cells_for([1, 2, 3, 4], WARN_CALLS[:7], WARN_HELD[:7])))
    assert check_activity_predicts_outcomes(con, engagement, {}).status != "not_assessable"


def test_weakening_link_fails(store, engagement):
    # First half (Jan-Apr): rho = 1. Second half (Jul-Oct): held meetings fall as calls rise, rho = -1.
    # The score uses the second half: 100 x max(0, -1) = 0 -> fail; the drop of 2 exceeds 0.2.
    first = cells_for([1, 2, 3, 4], WARN_CALLS, [1, 2, 3, 4, 5, 6, 7, 8])
    second = cells_for([7, 8, 9, 10], WARN_CALLS, [8, 7, 6, 5, 4, 3, 2, 1])
    con = store(activities(first + second))
    finding = check_activity_predicts_outcomes(con, engagement, {})
    assert finding.status == "fail"
    assert finding.score == 0.0
    assert finding.evidence["rho_h1"] == pytest.approx(1.0)
    assert finding.evidence["rho_h2"] == pytest.approx(-1.0)
    assert finding.evidence["link_weakened"] is True
    assert "weakened" in finding.explanation
    windows = {w["window"]: w for w in finding.tables["correlation_by_window"]}
    assert windows["2026-01 to 2026-03"]["rho"] == pytest.approx(1.0)
    assert windows["2026-08 to 2026-10"]["rho"] == pytest.approx(-1.0)


def test_volume_rises_meetings_flat(store, engagement):
    # H1: 5 calls and 2 meetings a month for 2 sellers x 6 months = 60 calls, 24 meetings.
    # H2: 8 calls and 2 meetings -> 96 calls, 24 meetings. Calls +60% (96 / 60 - 1), meetings +0%.
    cells = [(f"s{s}", m, 5 if m <= 6 else 8, 2) for s in range(2) for m in range(1, 13)]
    finding = check_activity_predicts_outcomes(store(activities(cells)), engagement, {})
    assert finding.evidence["activity_change_h2_vs_h1"] == pytest.approx(0.6)
    assert finding.evidence["held_meetings_change_h2_vs_h1"] == pytest.approx(0.0)
    assert finding.evidence["volume_outpaces_meetings"] is True
    trend = {row["month"]: row for row in finding.tables["monthly_trend"]}
    assert trend["2026-07"] == {"month": "2026-07", "activities": 16, "held_meetings": 4}


def test_unheld_meetings_not_outcomes(store, engagement):
    cells = activities([("s0", 1, 1, 1)])
    cells["activities"]["status"] = ["completed", "cancelled"]
    finding = check_activity_predicts_outcomes(store(cells), engagement, {})
    assert finding.tables["monthly_trend"][0] == {"month": "2026-01", "activities": 1, "held_meetings": 0}


def test_touch_buckets_rates(store, engagement):
    # c1: 1 call and a held meeting; c2: 2 calls, no meeting; c3: 2 calls and a meeting.
    # Bucket "1": 1 contact, rate 1/1; bucket "2": 2 contacts, 1 with a meeting, rate 1/2.
    rows = {
        "activity_id": ["1", "2", "3", "4", "5", "6", "7"],
        "activity_type": ["call", "meeting", "call", "call", "call", "call", "meeting"],
        "status": ["completed", "held", "completed", "completed", "completed", "completed", "held"],
        "occurred_at": ["2026-01-05"] * 7,
        "owner_id": ["s0"] * 7,
        "contact_id": ["c1", "c1", "c2", "c2", "c3", "c3", "c3"],
    }
    finding = check_activity_predicts_outcomes(store({"activities": rows}), engagement, {})
    assert finding.tables["touch_buckets"] == [
        {"bucket": "1", "contacts": 1, "with_meeting": 1, "outcome_rate": 1.0},
        {"bucket": "2", "contacts": 2, "with_meeting": 1, "outcome_rate": 0.5},
    ]


def test_outcomes_include_opportunities(store, engagement):
    # Seller s0 in March: 2 calls, 1 held meeting, 1 verified qualified opportunity (won, so
    # qualified; created in March with account and contact) that also closes won in March.
    # Outcomes = 1 + 1 + 1 = 3. The second deal has no contact, so it is not a verified qualified
    # opportunity, and amount 0 keeps it from being a verified win.
    frames = activities([("s0", 3, 2, 1)])
    frames["opportunities"] = {
        "opportunity_id": ["O1", "O2"], "owner_id": ["s0", "s0"], "stage": ["Closed Won", "Closed Won"],
        "is_won": [True, True], "amount": [100.0, 0.0], "account_id": ["A1", "A2"], "contact_id": ["C1", None],
        "created_at": ["2026-03-02", "2026-03-03"], "close_date": ["2026-03-20", "2026-03-21"],
    }
    from audit_lib.checks.activity_predicts import seller_months

    frame, unit = seller_months(store(frames), engagement)
    assert unit == "owner_id"
    row = frame.iloc[0]
    assert row["activities"] == 2
    assert row["held_meetings"] == 1
    assert row["qualified_opps"] == 1
    assert row["won_deals"] == 1
    assert row["outcomes"] == 3


def test_team_used_without_owners(store, engagement):
    frames = activities([("s0", 1, 2, 1)])
    frames["activities"]["team"] = frames["activities"].pop("owner_id")
    from audit_lib.checks.activity_predicts import seller_months

    frame, unit = seller_months(store(frames), engagement)
    assert unit == "team"
    assert frame["unit"].tolist() == ["s0"]
