"""Cost per verified outcome split by channel, campaign, team and month.

Cost lines carry their own channel, campaign and team (a line with an owner
but no team takes the owner's team from ``users``). Outcomes get theirs from
their own record, as ``METHODS`` states. Cost and outcomes that have no value
for a dimension land in an ``(unassigned)`` row, so each dimension's cost
rows sum to the total S&M cost.
"""

from __future__ import annotations

from typing import Any

import duckdb

from .config import Engagement
from .cost import cost_lines_sql
from .outcomes import OUTCOME_TYPES, fetch_records, outcome_sql

UNASSIGNED = "(unassigned)"
DIMENSIONS = ("channel", "campaign", "team", "month")

METHODS = {
    "channel": (
        "Cost: the cost line's channel, else the channel of its campaign. Meetings: the channel of the "
        "activity's campaign. Opportunities and deals: the channel of their primary campaign, else their lead source."
    ),
    "campaign": "Cost: the cost line's campaign id. Meetings: the activity's campaign id. Opportunities and deals: their primary campaign id.",
    "team": "Cost: the cost line's team, else its owner's team. Outcomes: the record's team, else its owner's team in the users table.",
    "month": "Cost: the month of the cost line's date. Outcomes: the month of the meeting, of the opportunity's creation or of the deal's close.",
}


def _blank_to_null(expr: str) -> str:
    return f"nullif(trim(CAST({expr} AS VARCHAR)), '')"


def _cost_expr(dimension: str) -> str:
    return {
        "channel": f"coalesce({_blank_to_null('c.channel')}, {_blank_to_null('k.channel')})",
        "campaign": _blank_to_null("c.campaign_id"),
        "team": f"coalesce({_blank_to_null('c.team')}, {_blank_to_null('u.team')})",
        "month": "strftime(c.date, '%Y-%m')",
    }[dimension]


def _outcome_expr(dimension: str, outcome_type: str) -> str:
    if dimension == "month":
        return "strftime(r.outcome_date, '%Y-%m')"
    if dimension == "team":
        return f"coalesce({_blank_to_null('r.team')}, {_blank_to_null('u.team')})"
    if dimension == "campaign":
        return _blank_to_null("r.campaign_id")
    if outcome_type == "meeting_held":
        return _blank_to_null("k.channel")
    return f"coalesce({_blank_to_null('k.channel')}, {_blank_to_null('r.lead_source')})"


def _campaign_channels() -> str:
    return "(SELECT campaign_id, any_value(channel) AS channel FROM campaigns GROUP BY campaign_id)"


def _users() -> str:
    return "(SELECT owner_id, any_value(team) AS team FROM users GROUP BY owner_id)"


def cost_per_outcome_by(con: duckdb.DuckDBPyConnection, engagement: Engagement, cost: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Return tidy rows of cost, verified outcomes and cost per outcome for every dimension value."""
    cost_known = cost.get("status") == "ok"
    lines = cost_lines_sql(engagement)
    out: dict[str, list[dict[str, Any]]] = {}
    for dimension in DIMENSIONS:
        cost_rows = fetch_records(
            con,
            f"""SELECT coalesce({_cost_expr(dimension)}, '{UNASSIGNED}') AS value, sum(c.amount_converted) AS cost
                FROM ({lines}) c
                LEFT JOIN {_campaign_channels()} k ON k.campaign_id = c.campaign_id
                LEFT JOIN {_users()} u ON u.owner_id = c.owner_id
                WHERE c.amount_converted IS NOT NULL GROUP BY 1""",
        )
        cost_by_value = {r["value"]: float(r["cost"]) for r in cost_rows} if cost_known else {}
        rows = []
        for outcome_type in OUTCOME_TYPES:
            counted = fetch_records(
                con,
                f"""SELECT coalesce({_outcome_expr(dimension, outcome_type)}, '{UNASSIGNED}') AS value, count(*) AS verified
                    FROM ({outcome_sql(outcome_type, engagement)}) r
                    LEFT JOIN {_campaign_channels()} k ON k.campaign_id = r.campaign_id
                    LEFT JOIN {_users()} u ON u.owner_id = r.owner_id
                    WHERE r.verified GROUP BY 1""",
            )
            verified = {r["value"]: int(r["verified"]) for r in counted}
            for value in sorted(set(verified) | set(cost_by_value)):
                # A value that no cost line names has spent nothing under this split.
                amount = cost_by_value.get(value, 0.0) if cost_known else None
                n = verified.get(value, 0)
                rows.append(
                    {
                        "dimension": dimension,
                        dimension: value,
                        "value": value,
                        "outcome": outcome_type,
                        "cost": amount,
                        "verified": n,
                        "cost_per_outcome": amount / n if amount is not None and n else None,
                        "method": METHODS[dimension],
                    }
                )
        out[dimension] = rows
    return out
