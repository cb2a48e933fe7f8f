"""The overall Stack Unification score and the remediation plan built from the findings."""

from __future__ import annotations

from typing import Any

from .config import Engagement
from .errors import ConfigError
from .findings import Finding

# Default weight per finding id. The three core symptoms weigh most because they
# decide whether spend can be traced to booked revenue at all.
DEFAULT_WEIGHTS: dict[str, float] = {
    "volume_led": 3.0,
    "untraceable_outcomes": 3.0,
    "fragmented_data": 3.0,
    "activity_predicts_outcomes": 2.0,
    "input_metrics_only": 2.0,
    "leading_indicators": 1.5,
    "irrelevant_outreach": 1.5,
    "forecast_confidence": 1.0,
    "stale_records": 1.0,
    "time_with_customers": 1.0,
}
DEFAULT_WEIGHT = 1.0

# (lower bound, band name), highest first: a score of 40 is "connected", 70 is "outcome-led".
BANDS: tuple[tuple[float, str], ...] = ((70.0, "outcome-led"), (40.0, "connected"), (0.0, "fragmented"))


def band_for(score: float) -> str:
    for lower, name in BANDS:
        if score >= lower:
            return name
    return BANDS[-1][1]


def resolve_weights(findings: list[Finding], engagement: Engagement) -> dict[str, float]:
    """Return the weight of each finding: the default, overridden by ``engagement.weights``.

    Raises ConfigError for a negative weight.
    """
    weights = {}
    for finding in findings:
        weight = engagement.weights.get(finding.id, DEFAULT_WEIGHTS.get(finding.id, DEFAULT_WEIGHT))
        if weight < 0:
            raise ConfigError(
                f"key 'weights.{finding.id}': weight {weight} is negative; use 0 to leave the finding out of the score",
                key=f"weights.{finding.id}",
            )
        weights[finding.id] = float(weight)
    return weights


def overall_score(findings: list[Finding], engagement: Engagement) -> dict[str, Any]:
    """Combine finding scores into one weighted 0-100 score, a band and a plan.

    Score = sum(weight x score) / sum(weight) over assessable findings with a
    weight above zero. Each plan item's ``expected_effect`` is weight x (100 - score),
    and ``score_gain`` is the rise of the overall score if that finding reached 100.
    The plan lists warn and fail findings, largest expected effect first.
    """
    weights = resolve_weights(findings, engagement)
    counted = [f for f in findings if f.status != "not_assessable" and f.score is not None and weights[f.id] > 0]
    counted_ids = {f.id for f in counted}
    excluded = []
    for finding in findings:
        if finding.id in counted_ids:
            continue
        reason = "not assessable" if finding.status == "not_assessable" or finding.score is None else "weight is 0"
        excluded.append({"finding_id": finding.id, "title": finding.title, "reason": reason})

    total_weight = sum(weights[f.id] for f in counted)
    if total_weight == 0:
        return {
            "score": None,
            "band": "not_assessable",
            "reason": "no finding could be assessed",
            "weights": weights,
            "counted": [],
            "excluded": excluded,
            "plan": [],
        }
    score = sum(weights[f.id] * f.score for f in counted) / total_weight

    plan = []
    for finding in counted:
        if finding.status not in ("warn", "fail"):
            continue
        effect = weights[finding.id] * (100 - finding.score)
        plan.append(
            {
                "finding_id": finding.id,
                "title": finding.title,
                "fix": finding.recommendation,
                "expected_effect": round(effect, 1),
                "score_gain": round(effect / total_weight, 1),
                "effort_hours": finding.effort_hours,
                "owner_role": finding.owner_role,
                "severity": finding.severity,
                "status": finding.status,
            }
        )
    plan.sort(key=lambda item: (-item["expected_effect"], item["effort_hours"] or 0, item["finding_id"]))
    return {
        "score": round(score, 1),
        "band": band_for(score),
        "bands": [{"from": lower, "band": name} for lower, name in BANDS],
        "weights": weights,
        "counted": [f.id for f in counted],
        "excluded": excluded,
        "plan": plan,
    }
