"""Forecast confidence: slipped close dates, stage regressions and forecast error."""

from __future__ import annotations

import pytest

from audit_lib.checks.forecast import check_forecast_confidence


def history(rows):
    keys = ["opportunity_id", "changed_at", "stage", "close_date", "forecast_category", "amount"]
    return {"opportunity_history": {k: [r[i] for r in rows] for i, k in enumerate(keys)}}


HISTORY = [
    # O1 slips twice (Mar -> Apr -> Jun) and moves back from Proposal to Discovery.
    ("O1", "2026-01-10", "Discovery", "2026-03-31", None, None),
    ("O1", "2026-02-10", "Proposal", "2026-04-30", None, None),
    ("O1", "2026-03-10", "Discovery", "2026-06-30", None, None),
    # O2 moves forward and keeps its date; O3 pulls its date earlier (not a slip).
    ("O2", "2026-01-05", "Discovery", "2026-05-31", None, None),
    ("O2", "2026-02-05", "Proposal", "2026-05-31", None, None),
    ("O3", "2026-01-05", "Discovery", "2026-09-30", None, None),
    ("O3", "2026-02-05", "Discovery", "2026-08-31", None, None),
    ("O4", "2026-01-05", "Proposal", "2026-07-31", None, None),
]


def test_slips_and_regressions(store, engagement):
    finding = check_forecast_confidence(store(history(HISTORY)), engagement, {})
    # 4 deals: 1 slipped (O1, 2 pushes), 1 regressed (O1).
    assert finding.evidence["deals_with_history"] == 4
    assert finding.evidence["slipped_deals"] == 1
    assert finding.evidence["slipped_twice_or_more"] == 1
    assert finding.evidence["close_date_pushes"] == 2
    assert finding.evidence["regressed_deals"] == 1
    # Parts, max(0, 100 - 30 x share / tolerable): pushed 1/4 vs 0.10 -> 25; pushed twice 1/4 vs 0.05
    # -> -50 -> 0; moved back 1/4 vs 0.10 -> 25. No forecast snapshots. Score = weakest = 0 -> fail.
    assert finding.evidence["components"] == {
        "close dates pushed": 25.0, "close dates pushed twice or more": 0.0, "stages moved back": 25.0,
    }
    assert finding.evidence["weakest_component"] == "close dates pushed twice or more"
    assert finding.score == 0.0
    assert finding.status == "fail"
    assert finding.tables["slipped_deals"][0]["opportunity_id"] == "O1"
    assert "not measured" in finding.explanation


def test_stage_order_inferred(store, engagement):
    # Without configured stages, stages rank by mean relative position in each deal's history.
    # O1 positions Discovery 0 and 1, Proposal 0.5; O2 Discovery 0, Proposal 1; O3 Discovery 0 and 1; O4 Proposal 0.
    # Discovery mean (0 + 1 + 0 + 0 + 1) / 5 = 0.4, Proposal mean (0.5 + 1 + 0) / 3 = 0.5 -> Discovery first.
    finding = check_forecast_confidence(store(history(HISTORY)), engagement, {})
    assert finding.evidence["regressed_deals"] == 1


def test_forecast_error_and_bias(store, engagement):
    # Snapshot before 1 Mar: O5 commit 1000 closing in March; O6 commit 500 closing in March.
    # Actual March won: O5 at 1200. Error (1500 - 1200) / 1200 = 0.25 -> MAPE 0.25, bias +0.25.
    # No pushes or regressions -> 100 each; forecast error 100 - 30 x 0.25 / 0.10 = 25. Score = weakest = 25.
    frames = history([
        ("O5", "2026-02-01", "Proposal", "2026-03-15", "Commit", 1000.0),
        ("O6", "2026-02-01", "Proposal", "2026-03-20", "commit", 500.0),
    ])
    frames["opportunities"] = {
        "opportunity_id": ["O5", "O6"], "stage": ["Closed Won", "Closed Lost"], "is_won": [True, False],
        "amount": [1200.0, 500.0], "close_date": ["2026-03-15", "2026-03-20"],
    }
    finding = check_forecast_confidence(store(frames), engagement, {})
    assert finding.evidence["forecast_mape"] == pytest.approx(0.25)
    assert finding.evidence["forecast_bias"] == pytest.approx(0.25)
    assert finding.score == 25.0
    assert finding.evidence["weakest_component"] == "forecast error"
    assert finding.tables["forecast_vs_actual"] == [
        {"month": "2026-03", "snapshot_deals": 2, "forecast": 1500.0, "actual": 1200.0, "error": 0.25}
    ]
    assert "over-forecast" in finding.explanation


def test_all_slipping_fails(store, engagement):
    # Both deals slip; O1 also moves back from Proposal to Discovery. Inferred order: Discovery
    # mean position (0 + 1 + 0) / 3 = 0.33 before Proposal (0.5 + 1) / 2 = 0.75.
    # Pushed 2/2 -> 100 - 30 x 1 / 0.10 -> 0, so the score is 0 -> fail.
    rows = [("O1", "2026-01-01", "Discovery", "2026-02-01", None, None),
            ("O1", "2026-01-10", "Proposal", "2026-03-01", None, None),
            ("O1", "2026-01-20", "Discovery", "2026-04-01", None, None),
            ("O2", "2026-01-01", "Discovery", "2026-02-01", None, None),
            ("O2", "2026-01-10", "Proposal", "2026-03-01", None, None)]
    finding = check_forecast_confidence(store(history(rows)), engagement, {})
    assert finding.evidence["regressed_deals"] == 1
    assert finding.status == "fail"
    assert finding.score == 0.0


def pushed(deals: int, once: int = 0, twice: int = 0) -> list[tuple]:
    """Build history for ``deals`` deals: ``once`` pushed one time, then ``twice`` pushed two times, the rest kept."""
    rows = []
    for i in range(deals):
        pushes = 0
        if i < once:
            pushes = 1
        elif i < once + twice:
            pushes = 2
        dates = ["2026-02-01", "2026-03-01", "2026-04-01"][: pushes + 1]
        for step, date in enumerate(dates):
            rows.append((f"O{i}", f"2026-01-{10 + step}", "Proposal", date, None, None))
    return rows


@pytest.mark.parametrize(
    ("once", "twice", "score", "status"),
    [
        (10, 0, 70.0, "pass"),  # pushed 10/100 -> 100 - 30 x 0.10 / 0.10 = 70, the pass line
        (11, 0, 67.0, "warn"),  # pushed 11/100 -> 67
        (0, 5, 70.0, "pass"),  # pushed 5/100 -> 85; twice 5/100 -> 100 - 30 x 0.05 / 0.05 = 70
        (0, 6, 64.0, "warn"),  # pushed 6/100 -> 82; twice 6/100 -> 100 - 36 = 64
        (10, 10, 40.0, "warn"),  # pushed 20/100 -> 40; twice 10/100 -> 40: the warn line
        (17, 0, 49.0, "warn"),  # pushed 17/100 -> 49
        (25, 0, 25.0, "fail"),  # pushed 25/100 -> 25
    ],
)
def test_push_share_band_edges(store, engagement, once, twice, score, status):
    finding = check_forecast_confidence(store(history(pushed(100, once, twice))), engagement, {})
    assert finding.evidence["slipped_deals"] == once + twice
    assert finding.evidence["slipped_twice_or_more"] == twice
    assert finding.score == score
    assert finding.status == status


@pytest.mark.parametrize(("moved_back", "score", "status"), [(10, 70.0, "pass"), (11, 67.0, "warn")])
def test_regression_share_band_edges(store, engagement, moved_back, score, status):
    # 100 deals go Discovery -> Proposal; the first ``moved_back`` then return to Discovery.
    # Inferred order keeps Discovery first (mean position 10/110 against 0.95 for Proposal at 10).
    # Moved back 10/100 -> 100 - 30 x 0.10 / 0.10 = 70; 11/100 -> 67. No close date moves.
    rows = []
    for i in range(100):
        stages = ["Discovery", "Proposal", "Discovery"] if i < moved_back else ["Discovery", "Proposal"]
        for step, stage in enumerate(stages):
            rows.append((f"O{i}", f"2026-01-{10 + step}", stage, "2026-06-30", None, None))
    finding = check_forecast_confidence(store(history(rows)), engagement, {})
    assert finding.evidence["regressed_deals"] == moved_back
    assert finding.evidence["slipped_deals"] == 0
    assert finding.score == score
    assert finding.status == status


def test_explanation_names_weakest_part(store, engagement):
    finding = check_forecast_confidence(store(history(pushed(100, 0, 6))), engagement, {})
    assert "weakest part, close dates pushed twice or more (64 of 100)" in finding.explanation


def test_no_history_not_assessable(store, engagement):
    finding = check_forecast_confidence(store({}), engagement, {})
    assert finding.status == "not_assessable"
    assert "history" in finding.interview_question


def test_history_without_ids_not_assessable(store, engagement):
    finding = check_forecast_confidence(store(history([(None, "2026-01-10", "Discovery", "2026-03-31", None, None)])), engagement, {})
    assert finding.status == "not_assessable"
    assert "no opportunity id" in finding.explanation
