"""The result object every symptom check returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["pass", "warn", "fail", "not_assessable"]
Severity = Literal["low", "medium", "high", "critical"]
STATUSES: tuple[str, ...] = ("pass", "warn", "fail", "not_assessable")


@dataclass
class Finding:
    """One symptom check's verdict with the evidence behind it.

    ``score`` runs from 0 (the symptom at its worst) to 100 (healthy) and is
    None when the check is not assessable. ``evidence`` contains the figures the
    verdict rests on, and ``evidence_rows`` contains a few masked example rows with
    their ``source_file`` and ``source_line`` so a reader can find them.
    """

    id: str
    title: str
    status: Status
    score: float | None
    explanation: str
    recommendation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    evidence_rows: list[dict[str, Any]] = field(default_factory=list)
    severity: Severity = "medium"
    effort_hours: float | None = None
    owner_role: str | None = None
    basis: Literal["data", "interview", "data and interview", "none"] = "data"
    interview_question: str | None = None
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def status_from_score(score: float, pass_at: float, warn_at: float) -> Status:
    """Map a 0-100 score onto pass, warn or fail with the engagement's band."""
    if score >= pass_at:
        return "pass"
    if score >= warn_at:
        return "warn"
    return "fail"


def not_assessable(id: str, title: str, missing: str, ask: str, recommendation: str | None = None) -> Finding:
    """Build the finding for a check whose data is missing."""
    return Finding(
        id=id,
        title=title,
        status="not_assessable",
        score=None,
        explanation=f"Not assessable: {missing}.",
        recommendation=recommendation or f"Ask the client: {ask}",
        basis="none",
        interview_question=ask,
        severity="medium",
    )
