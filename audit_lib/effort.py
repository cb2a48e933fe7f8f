"""Headcount and tool cost allocated to activities, by owner or team and month."""

from __future__ import annotations

from typing import Any

import duckdb

from .config import Engagement
from .cost import cost_lines_sql
from .outcomes import OUTCOME_TYPES, fetch_records, in_list, in_period

EFFORT_CATEGORIES = ["headcount", "tools"]

METHOD = (
    "Headcount and tool cost lines in the period are split equally over activities in the same calendar month: "
    "a line with an owner over that owner's activities; a line with a team but no owner over the team's activities "
    "(an activity's team is its own team, else its owner's team in the users table); a line with neither over every "
    "activity of the month. Cost whose owner, team or month has no activity stays unallocated."
)


def activity_cost_sql(engagement: Engagement) -> str:
    """Select activities in the period with their allocated ``effort_cost`` (0 when none applies)."""
    lines = cost_lines_sql(engagement)
    return f"""
        WITH acts AS (
            SELECT a.activity_id, a.activity_type, nullif(trim(a.owner_id), '') AS owner,
                   coalesce(nullif(trim(a.team), ''), nullif(trim(u.team), '')) AS team,
                   strftime(a.occurred_at, '%Y-%m') AS month
            FROM activities a
            LEFT JOIN (SELECT owner_id, any_value(team) AS team FROM users GROUP BY owner_id) u ON u.owner_id = a.owner_id
            WHERE {in_period('a.occurred_at', engagement)}),
        lines AS (
            SELECT strftime(c.date, '%Y-%m') AS month, nullif(trim(c.owner_id), '') AS owner,
                   nullif(trim(c.team), '') AS team, c.amount_converted AS amount
            FROM ({lines}) c WHERE {in_list('c.category', EFFORT_CATEGORIES)} AND c.amount_converted IS NOT NULL),
        owner_rate AS (
            SELECT p.month, p.owner, p.amount / n.n AS rate
            FROM (SELECT month, owner, sum(amount) AS amount FROM lines WHERE owner IS NOT NULL GROUP BY ALL) p
            JOIN (SELECT month, owner, count(*) AS n FROM acts WHERE owner IS NOT NULL GROUP BY ALL) n USING (month, owner)),
        team_rate AS (
            SELECT p.month, p.team, p.amount / n.n AS rate
            FROM (SELECT month, team, sum(amount) AS amount FROM lines WHERE owner IS NULL AND team IS NOT NULL GROUP BY ALL) p
            JOIN (SELECT month, team, count(*) AS n FROM acts WHERE team IS NOT NULL GROUP BY ALL) n USING (month, team)),
        month_rate AS (
            SELECT p.month, p.amount / n.n AS rate
            FROM (SELECT month, sum(amount) AS amount FROM lines WHERE owner IS NULL AND team IS NULL GROUP BY ALL) p
            JOIN (SELECT month, count(*) AS n FROM acts GROUP BY ALL) n USING (month))
        SELECT acts.*, coalesce(o.rate, 0) + coalesce(t.rate, 0) + coalesce(m.rate, 0) AS effort_cost
        FROM acts
        LEFT JOIN owner_rate o ON o.month = acts.month AND o.owner = acts.owner
        LEFT JOIN team_rate t ON t.month = acts.month AND t.team = acts.team
        LEFT JOIN month_rate m ON m.month = acts.month
    """


def effort_total(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> float | None:
    """Return headcount and tool cost in the period, or None when the ledger has none."""
    (total,) = con.execute(
        f"""SELECT sum(amount_converted) FROM ({cost_lines_sql(engagement)})
            WHERE {in_list('category', EFFORT_CATEGORIES)} AND amount_converted IS NOT NULL"""
    ).fetchone()
    return float(total) if total is not None else None


def compute_effort(con: duckdb.DuckDBPyConnection, engagement: Engagement, counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Allocate effort cost to activities and price activities and verified outcomes with it."""
    result: dict[str, Any] = {
        "method": METHOD,
        "status": "not_assessable",
        "reason": None,
        "total": None,
        "allocated": None,
        "unallocated": None,
        "cost_per_activity": [],
        "per_outcome": [],
        "by_team": [],
    }
    total = effort_total(con, engagement)
    activities, with_owner = con.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE nullif(trim(owner_id), '') IS NOT NULL OR nullif(trim(team), '') IS NOT NULL)
            FROM activities WHERE {in_period('occurred_at', engagement)}"""
    ).fetchone()
    if total is None:
        result["reason"] = "the cost ledger has no headcount or tool cost lines in the period"
        return result
    if activities == 0:
        result["reason"] = "no activities in the period"
        return result
    if with_owner == 0:
        result["reason"] = "no activity in the period names an owner or a team"
        return result

    allocated_sql = activity_cost_sql(engagement)
    result["cost_per_activity"] = fetch_records(
        con,
        f"""SELECT lower(trim(activity_type)) AS activity_type, count(*) AS activities, sum(effort_cost) AS cost,
                   sum(effort_cost) / count(*) AS cost_per_activity
            FROM ({allocated_sql}) GROUP BY 1 ORDER BY 1""",
    )
    result["by_team"] = fetch_records(
        con,
        f"""SELECT coalesce(team, '(unassigned)') AS team, count(*) AS activities, sum(effort_cost) AS cost
            FROM ({allocated_sql}) GROUP BY 1 ORDER BY 1""",
    )
    allocated = sum(float(r["cost"] or 0.0) for r in result["cost_per_activity"])
    result.update(status="ok", total=total, allocated=allocated, unallocated=total - allocated)
    for outcome_type in OUTCOME_TYPES:
        verified = counts[outcome_type]["verified"]
        result["per_outcome"].append(
            {
                "outcome": outcome_type,
                "verified": verified,
                "effort_cost": allocated,
                "cost_per_outcome": allocated / verified if verified else None,
                "reason": None if verified else "no verified outcomes",
            }
        )
    return result
