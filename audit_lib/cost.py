"""Sales and marketing cost from the ``costs`` table, in the engagement currency."""

from __future__ import annotations

from typing import Any

import duckdb

from .config import Engagement
from .outcomes import fetch_records, fx_rate, in_list, in_period, norm, present

NO_COST = "no cost lines in the period"
MARKETING_CATEGORIES = ["media", "agency", "events"]


def sm_filter(engagement: Engagement, alias: str = "c") -> str:
    """SQL that keeps cost lines whose category counts as sales and marketing cost."""
    return in_list(f"{alias}.category", engagement.finance.sales_and_marketing_categories)


def marketing_filter(alias: str = "c") -> str:
    """SQL that keeps marketing cost lines: ``function`` marketing, or a blank function and a marketing category."""
    return (
        f"({norm(f'{alias}.function')} = 'marketing' OR "
        f"(NOT {present(f'{alias}.function')} AND {in_list(f'{alias}.category', MARKETING_CATEGORIES)}))"
    )


def cost_lines_sql(engagement: Engagement, *, in_period_only: bool = True) -> str:
    """Select S&M cost lines with ``amount_converted`` (NULL when the currency has no rate)."""
    where = [sm_filter(engagement)]
    if in_period_only:
        where.append(in_period("c.date", engagement))
    return f"""
        SELECT c.*, c.amount * {fx_rate('c.currency', engagement)} AS amount_converted,
               {marketing_filter()} AS is_marketing
        FROM costs c WHERE {' AND '.join(where)}
    """


def compute_cost(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> dict[str, Any]:
    """Total S&M cost in the period and its split by category, channel and month.

    Lines in a currency without a rate are left out of every sum and counted
    in ``excluded_currency_rows``.
    """
    lines = cost_lines_sql(engagement)
    n_lines, n_excluded, total, marketing, media = con.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE amount_converted IS NULL AND amount IS NOT NULL),
                   sum(amount_converted), sum(amount_converted) FILTER (WHERE is_marketing),
                   sum(amount_converted) FILTER (WHERE {norm('category')} = 'media')
            FROM ({lines})"""
    ).fetchone()
    currencies = fetch_records(
        con,
        f"""SELECT upper(trim(coalesce(currency, ''))) AS currency, count(*) AS rows,
                   sum(amount) AS amount_in_currency, bool_and(amount_converted IS NOT NULL) AS converted
            FROM ({lines}) GROUP BY 1 ORDER BY 1""",
    )
    outside, outside_amount, undated, other_categories = con.execute(
        f"""SELECT count(*) FILTER (WHERE {sm_filter(engagement)} AND c.date IS NOT NULL AND NOT {in_period('c.date', engagement)}),
                   sum(c.amount * {fx_rate('c.currency', engagement)})
                       FILTER (WHERE {sm_filter(engagement)} AND c.date IS NOT NULL AND NOT {in_period('c.date', engagement)}),
                   count(*) FILTER (WHERE c.date IS NULL),
                   count(*) FILTER (WHERE coalesce(NOT {sm_filter(engagement)}, TRUE) AND {in_period('c.date', engagement)})
            FROM costs c"""
    ).fetchone()
    result: dict[str, Any] = {
        "total": None,
        "marketing": None,
        "media": None,
        "by_category": [],
        "by_channel": [],
        "by_month": [],
        "status": "ok",
        "reason": None,
        "lines": int(n_lines),
        "excluded_currency_rows": int(n_excluded),
        # Lines left out of the total, counted so none disappears unnoticed.
        "lines_outside_period": int(outside),
        "amount_outside_period": float(outside_amount or 0.0),
        "lines_without_date": int(undated),
        "lines_outside_categories": int(other_categories),
        "currencies": currencies,
        "currency": engagement.currency,
    }
    if n_lines == 0:
        result.update(status="not_assessable", reason=NO_COST)
        return result
    if total is None:
        result.update(status="not_assessable", reason="every cost line in the period is in a currency with no rate in finance.fx_rates")
        return result

    result.update(total=float(total), marketing=float(marketing or 0.0), media=float(media or 0.0))
    for key, expr in (
        ("category", f"coalesce(nullif({norm('category')}, ''), '(blank)')"),
        ("channel", "coalesce(nullif(trim(channel), ''), '(unassigned)')"),
        ("month", "strftime(date_trunc('month', date), '%Y-%m')"),
    ):
        result[f"by_{key}"] = fetch_records(
            con,
            f"""SELECT {expr} AS {key}, sum(amount_converted) AS amount
                FROM ({lines}) WHERE amount_converted IS NOT NULL GROUP BY 1 ORDER BY 1""",
        )
    return result


def quarterly_cost(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> dict[str, float]:
    """Return S&M cost per calendar quarter (``2025Q1``) over every date in the export."""
    rows = con.execute(
        f"""SELECT strftime(date, '%Y') || 'Q' || quarter(date) AS q, sum(amount_converted)
            FROM ({cost_lines_sql(engagement, in_period_only=False)})
            WHERE amount_converted IS NOT NULL AND date IS NOT NULL GROUP BY 1"""
    ).fetchall()
    return {q: float(v) for q, v in rows}
