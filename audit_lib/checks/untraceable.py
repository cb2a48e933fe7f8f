"""Untraceable outcomes: won deals and revenue that no touch or activity links to a campaign or a seller."""

from __future__ import annotations

from typing import Any

import duckdb

from ..config import Engagement
from ..findings import Finding, not_assessable, status_from_score
from ..graph import compute_graph

CHECK_ID = "untraceable_outcomes"
TITLE = "Untraceable outcomes"

# First fix for each break reason, chosen by the reason where most won deals break.
FIXES = {
    "no contact or account on the deal": "Make contact roles and the account mandatory on opportunities before they can close.",
    "contact never touched in the lookback window": (
        "Log sales activities and campaign responses against CRM contacts (sync the email and calendar tools, "
        "import campaign members) so the touches before each deal are recorded."
    ),
    "touch with no campaign": "Tag every form, ad click and list import with a campaign id so touches reach a campaign.",
}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def check_untraceable_outcomes(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict[str, Any]) -> Finding:
    """Score the share of won deals and won revenue that the revenue graph can trace.

    The score is 100 x the traced share, using the lower of the deal share
    and the revenue share (revenue only when won revenue is above zero).
    """
    graph = context.get("graph") or compute_graph(con, engagement)
    won = graph.get("won_traceable", {})
    if not won.get("deals"):
        return not_assessable(
            CHECK_ID,
            TITLE,
            "no won deals close in the period",
            "Export every opportunity with its stage, amount and close date for the audit period.",
        )
    if not graph.get("has_touch_or_activity_data", True):
        return not_assessable(
            CHECK_ID,
            TITLE,
            f"{won['deals']} won deals, but no campaign touches or sales activities were exported, so none can be traced",
            "Export campaign members or responses and sales activities (calls, emails, meetings) with the contact's "
            "email or CRM id, covering the period and the lookback window before it.",
        )

    shares = [won["deals_share_untraceable"]]
    if won.get("revenue"):
        shares.append(won["revenue_share_untraceable"])
    untraced = max(shares)
    score = round(100 * (1 - untraced), 1)
    band = engagement.thresholds.untraceable_outcomes
    status = status_from_score(score, band.pass_at, band.warn_at)

    breaks = graph.get("breaks", {})
    top_reason = max(breaks, key=breaks.get) if breaks else None
    explanation = (
        f"{won['deals'] - won['deals_traceable']} of {won['deals']} won deals ({_pct(won['deals_share_untraceable'])}) "
        f"and {_pct(won['revenue_share_untraceable'])} of won revenue have no touch with a campaign and no sales "
        f"activity linked to them within {graph.get('lookback_days')} days before the close."
    )
    if top_reason:
        explanation += f" Most deals break at: {top_reason} ({breaks[top_reason]} deals)."
    spend = graph.get("spend_reach", {})
    if spend.get("share") is not None:
        explanation += f" {_pct(spend['share'])} of spend in the period went to campaigns that touched a won deal."

    recommendation = FIXES.get(top_reason or "", "Keep campaign ids and activity logging complete; re-run the audit each quarter.")
    if status == "pass":
        recommendation = "Traceability is healthy. Keep campaign tagging and activity logging as they are, and re-run the audit each quarter."
    if status == "pass":
        severity = "low"
    elif untraced > 0.5:
        severity = "critical"
    elif status == "fail":
        severity = "high"
    else:
        severity = "medium"

    return Finding(
        id=CHECK_ID,
        title=TITLE,
        status=status,
        score=score,
        explanation=explanation,
        recommendation=recommendation,
        evidence={
            "won_deals": won["deals"],
            "deals_traceable": won["deals_traceable"],
            "deals_share_untraceable": won["deals_share_untraceable"],
            "won_revenue": won.get("revenue"),
            "revenue_traceable": won.get("revenue_traceable"),
            "revenue_share_untraceable": won.get("revenue_share_untraceable"),
            "lookback_days": graph.get("lookback_days"),
            "breaks": breaks,
            "spend_reaching_won_share": spend.get("share"),
            "effort_reaching_won_share": graph.get("effort_reach", {}).get("share"),
        },
        evidence_rows=list(graph.get("untraceable_examples", [])),
        severity=severity,
        effort_hours={"pass": 2, "warn": 12, "fail": 24}[status],
        owner_role="Revenue operations lead",
        tables={
            "waterfall": [
                {k: row[k] for k in ("link", "deals_traceable", "deals_share", "revenue_traceable", "revenue_share", "reason")}
                for row in graph.get("waterfall", [])
            ],
            "breaks": [{"reason": reason, "deals": count} for reason, count in breaks.items()],
        },
    )
