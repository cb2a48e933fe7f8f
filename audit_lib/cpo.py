"""Cost per verified outcome split by channel, campaign, team and month.

Cost lines carry their own channel, campaign and team (a line with an owner
but no team takes the owner's team from ``users``). Outcomes get theirs from
their own record, as ``METHODS`` states. Cost and outcomes that have no value
for a dimension land in an ``(unassigned)`` row, so each dimension's cost
rows sum to the total S&M cost. Channel and team names that differ only by
case, spacing or punctuation are merged under their most frequent spelling.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import duckdb

from .config import Engagement
from .cost import cost_lines_sql
from .outcomes import OUTCOME_TYPES, fetch_records, outcome_sql

UNASSIGNED = "(unassigned)"
DIMENSIONS = ("channel", "campaign", "team", "month")
# Free-text dimensions whose spellings are merged (Paid Search, paid_search); ids and months are exact.
MERGED_DIMENSIONS = ("channel", "team")

METHODS = {
    "channel": (
        "Cost: the channel of the cost line's campaign in the campaigns table, else the cost line's channel. "
        "Meetings: the channel of the "
        "activity's campaign. Opportunities and deals: the channel of their primary campaign, else their lead source."
    ),
    "campaign": "Cost: the cost line's campaign id. Meetings: the activity's campaign id. Opportunities and deals: their primary campaign id.",
    "team": "Cost: the cost line's team, else its owner's team. Outcomes: the record's team, else its owner's team in the users table.",
    "month": "Cost: the month of the cost line's date. Outcomes: the month of the meeting, of the opportunity's creation or of the deal's close.",
}


def spelling_key(value: str) -> str:
    """Return the comparison key of a channel or team name: ``Paid Search``, ``paid_search`` -> ``paidsearch``."""
    return value if value == UNASSIGNED else re.sub(r"[^0-9a-z]", "", value.casefold()) or value


def _merge_spellings(
    cost_by_value: dict[str, float], verified_by_type: dict[str, dict[str, int]]
) -> tuple[dict[str, float], dict[str, dict[str, int]]]:
    """Merge values that differ only by case, spacing or punctuation, under their most frequent spelling."""
    weight: Counter[str] = Counter()
    for counts in verified_by_type.values():
        weight.update(counts)
    for value in cost_by_value:
        weight[value] += 1
    label: dict[str, str] = {}
    for value in sorted(weight, key=lambda v: (-weight[v], v)):
        label.setdefault(spelling_key(value), value)

    merged_cost: Counter[str] = Counter()
    for value, amount in cost_by_value.items():
        merged_cost[label[spelling_key(value)]] += amount
    merged_verified = {}
    for outcome_type, counts in verified_by_type.items():
        merged: Counter[str] = Counter()
        for value, n in counts.items():
            merged[label[spelling_key(value)]] += n
        merged_verified[outcome_type] = dict(merged)
    return dict(merged_cost), merged_verified


def _blank_to_null(expr: str) -> str:
    return f"nullif(trim(CAST({expr} AS VARCHAR)), '')"


def _cost_expr(dimension: str) -> str:
    return {
        "channel": f"coalesce({_blank_to_null('k.channel')}, {_blank_to_null('c.channel')})",
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
        verified_by_type = {}
        for outcome_type in OUTCOME_TYPES:
            counted = fetch_records(
                con,
                f"""SELECT coalesce({_outcome_expr(dimension, outcome_type)}, '{UNASSIGNED}') AS value, count(*) AS verified
                    FROM ({outcome_sql(outcome_type, engagement)}) r
                    LEFT JOIN {_campaign_channels()} k ON k.campaign_id = r.campaign_id
                    LEFT JOIN {_users()} u ON u.owner_id = r.owner_id
                    WHERE r.verified GROUP BY 1""",
            )
            verified_by_type[outcome_type] = {r["value"]: int(r["verified"]) for r in counted}
        if dimension in MERGED_DIMENSIONS:
            cost_by_value, verified_by_type = _merge_spellings(cost_by_value, verified_by_type)

        rows = []
        for outcome_type in OUTCOME_TYPES:
            verified = verified_by_type[outcome_type]
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
