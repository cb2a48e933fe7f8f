"""Overall Stack Unification score: weights, bands, exclusions and plan order."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_lib.config import engagement_from_dict
from audit_lib.errors import ConfigError
from audit_lib.findings import Finding
from audit_lib.scoring import band_for, overall_score


def make_engagement(**overrides):
    data = {"name": "T", "client": "C", "period": {"start": "2026-01-01", "end": "2026-12-31"}, **overrides}
    return engagement_from_dict(data, root=Path("."))


def finding(id, status, score, effort=4.0):
    return Finding(id=id, title=id.replace("_", " "), status=status, score=score, explanation="",
                   recommendation=f"fix {id}", effort_hours=effort, owner_role="RevOps lead")


FINDINGS = [
    finding("volume_led", "fail", 20.0),            # weight 3
    finding("stale_records", "warn", 50.0),         # weight 1
    finding("time_with_customers", "pass", 90.0),   # weight 1
    finding("forecast_confidence", "not_assessable", None),
]


def test_weighted_score_hand_computed():
    # (3 x 20 + 1 x 50 + 1 x 90) / (3 + 1 + 1) = 200 / 5 = 40 -> "connected" (40 <= 40 < 70).
    overall = overall_score(FINDINGS, make_engagement())
    assert overall["score"] == 40.0
    assert overall["band"] == "connected"
    assert overall["counted"] == ["volume_led", "stale_records", "time_with_customers"]
    assert overall["excluded"] == [
        {"finding_id": "forecast_confidence", "title": "forecast confidence", "reason": "not assessable"}
    ]
    assert overall["weights"]["volume_led"] == 3.0


def test_plan_ordered_by_effect():
    # volume_led: 3 x (100 - 20) = 240; stale_records: 1 x (100 - 50) = 50. Pass findings stay out.
    plan = overall_score(FINDINGS, make_engagement())["plan"]
    assert [item["finding_id"] for item in plan] == ["volume_led", "stale_records"]
    assert plan[0]["expected_effect"] == 240.0
    # Fixing volume_led lifts the overall score by 240 / 5 = 48 points.
    assert plan[0]["score_gain"] == 48.0
    assert plan[0]["fix"] == "fix volume_led"
    assert plan[0]["effort_hours"] == 4.0
    assert plan[1]["expected_effect"] == 50.0


def test_weight_override_reorders_plan():
    # stale_records weight 10: 10 x 50 = 500 > volume_led 240.
    # Score (3 x 20 + 10 x 50 + 1 x 90) / 14 = 650 / 14 = 46.4.
    overall = overall_score(FINDINGS, make_engagement(weights={"stale_records": 10}))
    assert [item["finding_id"] for item in overall["plan"]] == ["stale_records", "volume_led"]
    assert overall["score"] == 46.4


def test_plan_ties_prefer_less_effort():
    findings = [finding("stale_records", "fail", 0.0, effort=8.0), finding("time_with_customers", "fail", 0.0, effort=2.0)]
    plan = overall_score(findings, make_engagement())["plan"]
    assert [item["finding_id"] for item in plan] == ["time_with_customers", "stale_records"]


def test_zero_weight_excluded():
    overall = overall_score(FINDINGS, make_engagement(weights={"volume_led": 0}))
    # (50 + 90) / 2 = 70 -> "outcome-led".
    assert overall["score"] == 70.0
    assert overall["band"] == "outcome-led"
    assert {"finding_id": "volume_led", "title": "volume led", "reason": "weight is 0"} in overall["excluded"]


def test_negative_weight_rejected():
    # The config rejects a negative weight on load; scoring checks again for engagements built in code.
    with pytest.raises(ConfigError, match="weights must be zero or more"):
        make_engagement(weights={"volume_led": -1})
    engagement = make_engagement().model_copy(update={"weights": {"volume_led": -1.0}})
    with pytest.raises(ConfigError, match="weights.volume_led"):
        overall_score(FINDINGS, engagement)


def test_nothing_assessable():
    overall = overall_score([finding("volume_led", "not_assessable", None)], make_engagement())
    assert overall["score"] is None
    assert overall["band"] == "not_assessable"
    assert overall["plan"] == []


@pytest.mark.parametrize(("score", "band"), [(0, "fragmented"), (39.9, "fragmented"), (40, "connected"), (69.9, "connected"), (70, "outcome-led"), (100, "outcome-led")])
def test_band_boundaries(score, band):
    assert band_for(score) == band
