"""Untraceable outcomes check: pass, warn, fail and not assessable."""

from __future__ import annotations

import pytest

from audit_lib.checks.untraceable import check_untraceable_outcomes
from audit_lib.graph import compute_graph

PERIOD = {"close_date": "2026-03-01", "touch": "2026-02-01"}


def won_deals(n: int) -> dict:
    """Return n won deals of 100 each, deal i at account acc<i>."""
    return {
        "opportunity_id": [f"o{i}" for i in range(n)],
        "stage": ["Closed Won"] * n,
        "amount": [100] * n,
        "close_date": [PERIOD["close_date"]] * n,
        "account_id": [f"acc{i}" for i in range(n)],
        "source_file": ["opportunities.csv"] * n,
        "source_line": list(range(2, n + 2)),
    }


def touches_for(accounts: list[int], campaign: str | None = "camp1") -> dict:
    return {
        "touch_id": [f"t{i}" for i in accounts],
        "account_id": [f"acc{i}" for i in accounts],
        "campaign_id": [campaign] * len(accounts),
        "occurred_at": [PERIOD["touch"]] * len(accounts),
    }


@pytest.mark.parametrize(
    ("traced", "status", "score"),
    [
        (9, "pass", 90.0),  # 1 of 10 untraceable
        (5, "warn", 50.0),  # 5 of 10
        (2, "fail", 20.0),  # 8 of 10
    ],
)
def test_untraceable_status_bands(store, engagement, traced, status, score):
    con = store({"opportunities": won_deals(10), "touches": touches_for(list(range(traced)))})
    finding = check_untraceable_outcomes(con, engagement, {})
    assert finding.status == status
    assert finding.score == pytest.approx(score)
    assert finding.id == "untraceable_outcomes"


def test_untraceable_uses_context_graph(store, engagement):
    con = store({"opportunities": won_deals(4), "touches": touches_for([0, 1, 2], campaign=None)})
    graph = compute_graph(con, engagement)
    finding = check_untraceable_outcomes(con, engagement, {"graph": graph})
    # Touches without a campaign trace nothing: 4 of 4 deals untraceable.
    assert finding.status == "fail"
    assert finding.score == 0
    assert finding.severity == "critical"
    assert finding.evidence["breaks"] == {"touch with no campaign": 3, "contact never touched in the lookback window": 1}
    assert "campaign id" in finding.recommendation
    assert finding.evidence_rows[0]["source_file"] == "opportunities.csv"
    assert finding.tables["waterfall"][0]["deals_traceable"] == 4


def test_untraceable_revenue_weighs_in(store, engagement):
    deals = won_deals(4)
    deals["amount"] = [100, 100, 100, 700]
    con = store({"opportunities": deals, "touches": touches_for([0, 1, 2])})
    finding = check_untraceable_outcomes(con, engagement, {})
    # 1 of 4 deals (25%) but 700 of 1000 revenue (70%) untraceable: the score takes the worse, 30.
    assert finding.score == pytest.approx(30.0)
    assert finding.evidence["revenue_share_untraceable"] == pytest.approx(0.7)


def test_untraceable_no_won_deals(store, engagement):
    finding = check_untraceable_outcomes(store({}), engagement, {})
    assert finding.status == "not_assessable"
    assert finding.score is None
    assert "opportunity" in finding.recommendation


def test_untraceable_no_touch_data(store, engagement):
    finding = check_untraceable_outcomes(store({"opportunities": won_deals(3)}), engagement, {})
    assert finding.status == "not_assessable"
    assert "no campaign touches or sales activities" in finding.explanation
    assert "campaign members" in finding.interview_question
