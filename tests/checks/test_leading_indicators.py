"""Leading indicators as the scoreboard: headline tiles and early signals."""

from __future__ import annotations

from audit_lib.checks.leading_indicators import check_leading_indicators, early_signals


def dashboards(tiles, headline):
    return {"dashboard": ["Exec"] * len(tiles), "tile": tiles, "is_headline": headline}


def test_only_early_headline_fails(store, engagement):
    # Headline: response time (leading), calls (volume); revenue is below the fold.
    # Outcome share of headline 0 / 2 -> score 0 -> fail.
    con = store({"dashboards": dashboards(["Lead response time", "Calls", "Revenue"], [True, True, False])})
    finding = check_leading_indicators(con, engagement, {})
    assert finding.status == "fail"
    assert finding.score == 0.0
    assert finding.evidence["only_leading_and_volume"] is True
    assert "no outcome" in finding.explanation


def test_mixed_headline_warns(store, engagement):
    # 1 outcome of 2 headline tiles: 100 x 1 / 2 = 50 -> warn.
    con = store({"dashboards": dashboards(["Reply rate", "Revenue"], [True, True])})
    finding = check_leading_indicators(con, engagement, {})
    assert finding.status == "warn"
    assert finding.score == 50.0


def test_outcome_headline_passes(store, engagement):
    con = store({"dashboards": dashboards(["Meetings held", "Revenue", "Reply rate"], [True, True, False])})
    finding = check_leading_indicators(con, engagement, {})
    assert finding.status == "pass"
    assert finding.score == 100.0


def test_no_headline_flag_not_assessable(store, engagement):
    con = store({"dashboards": dashboards(["Calls", "Revenue"], [None, None])})
    finding = check_leading_indicators(con, engagement, {})
    assert finding.status == "not_assessable"
    assert "headline" in finding.explanation


def test_early_signals_hand_computed(store, engagement):
    # L1 created 09:00, first touch 12:00 -> 3 h. L2 created 09:00, first touch next day 09:00 -> 24 h.
    # L3 never touched; C4 is not a lead. Median of (3, 24) = 13.5 h.
    # Won deal O1: created 1 Mar, closed 31 Mar -> 30 days, with 1 activity on its account in that window.
    con = store({
        "contacts": {
            "contact_id": ["L1", "L2", "L3", "C4"],
            "is_lead": [True, True, True, False],
            "created_at": ["2026-03-01 09:00", "2026-03-02 09:00", "2026-03-03 09:00", "2026-03-01 09:00"],
        },
        "activities": {
            "activity_id": ["1", "2", "3", "4", "5"],
            "activity_type": ["call", "email", "call", "call", "call"],
            "occurred_at": ["2026-03-01 12:00", "2026-03-03 09:00", "2026-03-01 10:00", "2026-03-15", "2026-05-01"],
            "contact_id": ["L1", "L2", "C4", None, None],
            "account_id": [None, None, None, "A1", "A1"],
        },
        "opportunities": {
            "opportunity_id": ["O1"], "stage": ["Closed Won"], "account_id": ["A1"], "amount": [100.0],
            "created_at": ["2026-03-01"], "close_date": ["2026-03-31"],
        },
    })
    signals = early_signals(con, engagement)
    assert signals["leads"] == 3
    assert signals["leads_never_touched"] == 1
    assert signals["median_lead_response_hours"] == 13.5
    assert signals["median_cycle_days"] == 30.0
    # Activity 4 (15 Mar) is in the window; activity 5 (1 May) is after the close.
    assert signals["median_interactions_per_won_deal"] == 1.0
