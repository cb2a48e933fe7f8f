"""Input metrics only: cost per outcome in the stack and in the exports."""

from __future__ import annotations


from audit_lib.checks.input_metrics import check_input_metrics_only

PRICED = {"metrics": {
    "cost": {"status": "ok"},
    "outcomes": [{"type": "meeting_held", "claimed": 10, "verified": 8, "cost_per_outcome": 500.0, "status": "ok"}],
}}
UNPRICED = {"metrics": {
    "cost": {"status": "not_assessable", "reason": "no cost lines in the period"},
    "outcomes": [{"type": "closed_won", "claimed": 3, "verified": 0, "cost_per_outcome": None, "status": "not_assessable"}],
}}


def tiles(*names):
    return {"dashboards": {"dashboard": ["Exec"] * len(names), "tile": list(names)}}


def test_input_costs_only_fail(store, engagement):
    # No CPO tile (0 of 70) but the exports price outcomes (30): score 30 -> fail.
    finding = check_input_metrics_only(store(tiles("Cost per lead", "CAC", "Calls")), engagement, PRICED)
    assert finding.status == "fail"
    assert finding.score == 30.0
    assert finding.evidence["input_cost_tiles"] == ["Cost per lead", "CAC"]
    assert finding.basis == "data"


def test_cpo_tile_and_exports_pass(store, engagement):
    # 70 + 30 = 100 -> pass.
    finding = check_input_metrics_only(store(tiles("Cost per meeting held", "CAC")), engagement, PRICED)
    assert finding.status == "pass"
    assert finding.score == 100.0


def test_interview_yes_without_exports_passes(store, make_engagement):
    # In the interview the client states that leadership reviews CPO (70); the exports cannot price it (0): 70 -> pass.
    engagement = make_engagement(interview={"leadership_reviews_cost_per_outcome": True})
    finding = check_input_metrics_only(store(tiles("CAC")), engagement, UNPRICED)
    assert finding.score == 70.0
    assert finding.status == "pass"
    assert finding.basis == "data and interview"
    assert finding.evidence["missing_links"] == [
        "cost: no cost lines in the period",
        "closed_won: no verified outcomes",
    ]
    assert "no cost lines in the period" in finding.explanation


def test_interview_no_and_no_data_fails(store, make_engagement):
    engagement = make_engagement(interview={"reviews_cost_per_outcome": False})
    finding = check_input_metrics_only(store({}), engagement, {})
    assert finding.status == "fail"
    assert finding.score == 0.0
    assert finding.basis == "interview"
    assert finding.evidence["interview_key"] == "reviews_cost_per_outcome"


def test_warn_reachable_with_band(store, make_engagement):
    # With pass_at 80, a stack that states CPO without priceable exports (70) warns.
    engagement = make_engagement(thresholds={"input_metrics_only": {"pass_at": 80, "warn_at": 40}})
    finding = check_input_metrics_only(store(tiles("Cost per outcome")), engagement, UNPRICED)
    assert finding.status == "warn"


def test_nothing_known_not_assessable(store, engagement):
    finding = check_input_metrics_only(store({}), engagement, {})
    assert finding.status == "not_assessable"
    assert finding.interview_question


def test_cost_per_opportunity_is_input(store, engagement):
    # docs/metrics.md lists cost per opportunity among the input metrics; a qualified one prices an outcome.
    finding = check_input_metrics_only(store(tiles("Cost per opportunity", "Cost per qualified opportunity")), engagement, {})
    assert finding.evidence["input_cost_tiles"] == ["Cost per opportunity"]
    assert finding.evidence["cost_per_outcome_tiles"] == ["Cost per qualified opportunity"]


def test_text_answers_read_as_bool(store, make_engagement):
    engagement = make_engagement(interview={"leadership_reviews_cost_per_outcome": "Yes"})
    finding = check_input_metrics_only(store({}), engagement, {})
    assert finding.evidence["interview_answer"] is True


def test_unclear_answer_rejected(store, make_engagement):
    import pytest

    from audit_lib.errors import ConfigError

    engagement = make_engagement(interview={"leadership_reviews_cost_per_outcome": "sometimes"})
    with pytest.raises(ConfigError, match="interview.leadership_reviews_cost_per_outcome.*'sometimes'"):
        check_input_metrics_only(store({}), engagement, {})
