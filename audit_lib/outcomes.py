"""Claimed and verified outcomes, as SQL over the canonical tables.

The rules are those of ``docs/metrics.md``: a *claimed* outcome is what a
status alone states, a *verified* one also has the evidence the engagement's
rules ask for. Every builder here returns SQL text, so metrics, the revenue
graph and the checks count the same records the same way.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import duckdb

from .config import Engagement
from .masking import mask_row

OUTCOME_TYPES = ("meeting_held", "qualified_opportunity", "closed_won")
OUTCOME_LABELS = {
    "meeting_held": "meetings held",
    "qualified_opportunity": "qualified opportunities",
    "closed_won": "closed-won deals",
}


# ---------------------------------------------------------------- SQL helpers


def quote(value: str) -> str:
    """Quote a Python string as a SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_date(value: dt.date) -> str:
    return f"DATE {quote(value.isoformat())}"


def norm(column: str) -> str:
    """SQL for a value compared trimmed and case-insensitively."""
    return f"lower(trim(CAST({column} AS VARCHAR)))"


def present(column: str) -> str:
    """SQL that is true when a column contains a non-blank value."""
    return f"({column} IS NOT NULL AND trim(CAST({column} AS VARCHAR)) <> '')"


def in_list(column: str, values: list[str]) -> str:
    """SQL for ``norm(column) IN (values)``; an empty list matches nothing."""
    cleaned = sorted({v.strip().lower() for v in values if v and v.strip()})
    if not cleaned:
        return "FALSE"
    return f"{norm(column)} IN ({', '.join(quote(v) for v in cleaned)})"


def in_period(column: str, engagement: Engagement) -> str:
    """SQL that is true when a date or timestamp falls in the period, both days included."""
    p = engagement.period
    return f"(CAST({column} AS DATE) BETWEEN {sql_date(p.start)} AND {sql_date(p.end)})"


def fx_rate(currency_column: str, engagement: Engagement) -> str:
    """SQL for the rate that converts a row's money into the engagement currency.

    A blank currency or the engagement's own currency has rate 1. A currency
    missing from ``finance.fx_rates`` gives NULL, so the row drops out of
    every sum and callers count it as an excluded currency row.
    """
    whens = [f"WHEN {present(currency_column)} = FALSE THEN CAST(1 AS DOUBLE)", f"WHEN upper(trim({currency_column})) = {quote(engagement.currency)} THEN CAST(1 AS DOUBLE)"]
    for code, rate in sorted(engagement.finance.fx_rates.items()):
        whens.append(f"WHEN upper(trim({currency_column})) = {quote(code.strip().upper())} THEN CAST({float(rate)!r} AS DOUBLE)")
    return "(CASE " + " ".join(whens) + " ELSE NULL END)"


def is_won(alias: str, engagement: Engagement) -> str:
    """SQL that is true for a won opportunity (``is_won`` set, or a won stage)."""
    return f"(coalesce({alias}.is_won, FALSE) OR {in_list(f'{alias}.stage', engagement.outcomes.closed_won.won_stages)})"


def is_renewal(column: str) -> str:
    """SQL that is true when ``deal_type`` names a renewal; blank counts as new business."""
    return f"coalesce({norm(column)} LIKE '%renewal%', FALSE)"


# ---------------------------------------------------------------- outcome rules


def meeting_sql(engagement: Engagement) -> str:
    """Select claimed meetings with a ``verified`` column."""
    rule = engagement.outcomes.meeting_held
    evidence = "TRUE"
    if rule.require_contact_or_account:
        evidence = f"({present('a.contact_id')} OR {present('a.contact_email')} OR {present('a.account_id')})"
    return f"""
        SELECT a.*, a.activity_id AS record_id, CAST(a.occurred_at AS DATE) AS outcome_date,
               coalesce({in_list('a.status', rule.held_statuses)} AND {evidence}, FALSE) AS verified
        FROM activities a
        WHERE {in_list('a.activity_type', rule.activity_types)} AND {in_period('a.occurred_at', engagement)}
    """


def qualified_sql(engagement: Engagement) -> str:
    """Select claimed qualified opportunities with a ``verified`` column.

    An opportunity qualifies when its current stage, or any stage in its
    history, is a qualified stage or a won stage, or when it is won.
    """
    rule = engagement.outcomes.qualified_opportunity
    stages = list(rule.stages) + list(engagement.outcomes.closed_won.won_stages)
    checks = ["TRUE"]
    if rule.require_account:
        checks.append(present("o.account_id"))
    if rule.require_contact:
        checks.append(present("o.contact_id"))
    return f"""
        SELECT o.*, o.opportunity_id AS record_id, CAST(o.created_at AS DATE) AS outcome_date,
               coalesce({' AND '.join(checks)}, FALSE) AS verified
        FROM opportunities o
        WHERE {in_period('o.created_at', engagement)}
          AND ({in_list('o.stage', stages)} OR {is_won('o', engagement)}
               OR o.opportunity_id IN (SELECT h.opportunity_id FROM opportunity_history h WHERE {in_list('h.stage', stages)}))
    """


def amount_rule_sql(amount: str, engagement: Engagement) -> str:
    """SQL condition on a won deal's amount: above ``min_amount``, or no condition when it is null."""
    minimum = engagement.outcomes.closed_won.min_amount
    if minimum is None:
        return "TRUE"
    return f"{amount} > {float(minimum)!r}"


def won_sql(engagement: Engagement, *, whole_export: bool = False) -> str:
    """Select claimed closed-won deals with ``verified``, ``amount_converted`` and ``currency_excluded``.

    ``amount_converted`` is in the engagement currency and NULL when the
    deal's currency has no rate. Such a deal cannot show an amount above
    ``min_amount``, so it stays unverified. ``whole_export`` keeps won deals
    closing on any date (for quarters and first purchases outside the period).
    """
    rule = engagement.outcomes.closed_won
    close_ok = in_period("o.close_date", engagement) if rule.require_close_in_period else "o.close_date IS NOT NULL"
    rate = fx_rate("o.currency", engagement)
    claimed_close = "TRUE" if whole_export else f"(o.close_date IS NULL OR {in_period('o.close_date', engagement)})"
    return f"""
        SELECT o.*, o.opportunity_id AS record_id, o.close_date AS outcome_date,
               o.amount * {rate} AS amount_converted,
               (o.amount IS NOT NULL AND {rate} IS NULL) AS currency_excluded,
               coalesce({amount_rule_sql(f"o.amount * {rate}", engagement)} AND {close_ok}, FALSE) AS verified
        FROM opportunities o
        WHERE {is_won('o', engagement)} AND {claimed_close}
    """


OUTCOME_SQL = {"meeting_held": meeting_sql, "qualified_opportunity": qualified_sql, "closed_won": won_sql}


def outcome_sql(outcome_type: str, engagement: Engagement) -> str:
    try:
        return OUTCOME_SQL[outcome_type](engagement)
    except KeyError:
        raise KeyError(f"unknown outcome type {outcome_type!r}; expected one of: {', '.join(OUTCOME_TYPES)}") from None


def rule_text(outcome_type: str, engagement: Engagement) -> str:
    """Describe the rule in force for one outcome type in plain English."""
    rules = engagement.outcomes
    if outcome_type == "meeting_held":
        r = rules.meeting_held
        text = (
            f"Claimed: activities of type {', '.join(r.activity_types)} in the period, whatever their status. "
            f"Verified: status is {' or '.join(r.held_statuses)}"
        )
        return text + (" and the meeting names a contact or an account." if r.require_contact_or_account else ".")
    if outcome_type == "qualified_opportunity":
        r = rules.qualified_opportunity
        stages = ", ".join(r.stages) or "(none configured)"
        needs = [n for n, on in (("an account", r.require_account), ("a contact", r.require_contact)) if on]
        text = (
            f"Claimed: opportunities created in the period that reached a qualified stage ({stages}) "
            f"or a won stage ({', '.join(rules.closed_won.won_stages)}), now or in their stage history. "
        )
        return text + ("Verified: the opportunity has " + " and ".join(needs) + "." if needs else "Verified: every claimed one.")
    if outcome_type == "closed_won":
        r = rules.closed_won
        where = "in the period" if r.require_close_in_period else "on any date"
        amount_text = "no amount needed" if r.min_amount is None else f"amount above {r.min_amount:g} {engagement.currency}"
        return (
            f"Claimed: won opportunities (won flag, or stage {', '.join(r.won_stages)}) closing in the period or "
            f"with no close date. Verified: {amount_text} and a close date {where}."
        )
    raise KeyError(f"unknown outcome type {outcome_type!r}")


def count_outcomes(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> dict[str, dict[str, int]]:
    """Count claimed and verified records of every outcome type."""
    counts = {}
    for outcome_type in OUTCOME_TYPES:
        claimed, verified = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE verified) FROM ({outcome_sql(outcome_type, engagement)})"
        ).fetchone()
        counts[outcome_type] = {"claimed": int(claimed), "verified": int(verified), "unverified": int(claimed - verified)}
    return counts


EXAMPLE_COLUMNS = {
    "meeting_held": ["activity_id", "activity_type", "status", "occurred_at", "contact_email", "account_id", "owner_id"],
    "qualified_opportunity": ["opportunity_id", "stage", "created_at", "account_id", "contact_id", "owner_id"],
    "closed_won": ["opportunity_id", "stage", "amount", "currency", "close_date", "account_id", "deal_type"],
}


def example_rows(con: duckdb.DuckDBPyConnection, engagement: Engagement, limit: int = 3) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Return a few masked verified and unverified records of each outcome type, with their lineage."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    show = engagement.report.show_personal_data
    for outcome_type in OUTCOME_TYPES:
        columns = ", ".join(EXAMPLE_COLUMNS[outcome_type] + ["source_file", "source_line"])
        out[outcome_type] = {}
        for side, flag in (("verified", "verified"), ("unverified", "NOT verified")):
            rows = fetch_records(
                con,
                f"SELECT {columns} FROM ({outcome_sql(outcome_type, engagement)}) WHERE {flag} "
                f"ORDER BY source_file, source_line LIMIT {int(limit)}",
            )
            out[outcome_type][side] = [mask_row(row, show) for row in rows]
    return out


def fetch_records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Run a query and return its rows as JSON-ready dicts (dates as ISO text)."""
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = {}
        for name, value in zip(names, values):
            if isinstance(value, decimal.Decimal):
                value = float(value)
            elif isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            elif isinstance(value, float) and value != value:
                value = None
            row[name] = value
        rows.append(row)
    return rows
