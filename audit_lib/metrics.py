"""Efficiency metrics, outcome counts and the funnel, as defined in ``docs/metrics.md``.

``compute_metrics`` returns one JSON-ready dict. A figure that cannot be
computed is None with ``status: "not_assessable"`` and a ``reason``; it is
never reported as zero.
"""

from __future__ import annotations

from typing import Any

import duckdb

from .config import Engagement
from .cost import NO_COST, compute_cost, quarterly_cost
from .cpo import cost_per_outcome_by
from .effort import compute_effort
from .outcomes import (
    amount_rule_sql,
    OUTCOME_LABELS,
    OUTCOME_TYPES,
    count_outcomes,
    example_rows,
    fetch_records,
    in_period,
    is_renewal,
    is_won,
    present,
    rule_text,
    won_sql,
)

BOOKINGS_LABEL = "new bookings (closed-won, excluding renewals)"
DAYS_PER_MONTH = 365.25 / 12


def _figure(value: float | None, reason: str | None) -> dict[str, Any]:
    if value is None:
        return {"value": None, "status": "not_assessable", "reason": reason}
    return {"value": float(value), "status": "ok", "reason": None}


NO_AMOUNTS = "the won deals in the export carry no amount"


def _ratio(numerator: float | None, denominator: float | None, numerator_reason: str, zero_reason: str) -> tuple[float | None, str | None]:
    if numerator is None:
        return None, numerator_reason
    if not denominator:
        return None, zero_reason
    return numerator / denominator, None


def new_bookings(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> dict[str, Any]:
    """Sum verified closed-won amounts in the period, leaving out renewals."""
    deals, revenue, bookings, renewals, excluded = con.execute(
        f"""SELECT count(*) FILTER (WHERE verified), sum(amount_converted) FILTER (WHERE verified),
                   coalesce(sum(amount_converted) FILTER (WHERE verified AND NOT {is_renewal('deal_type')}), 0),
                   count(*) FILTER (WHERE verified AND {is_renewal('deal_type')}),
                   count(*) FILTER (WHERE currency_excluded)
            FROM ({won_sql(engagement)})"""
    ).fetchone()
    # No verified deal with an amount (an export without deal values): revenue is unknown, not zero.
    has_amounts = revenue is not None or int(deals) == 0
    return {
        "deals": int(deals),
        "revenue": float(revenue or 0.0) if has_amounts else None,
        "new_bookings": float(bookings) if has_amounts else None,
        "renewals_excluded": int(renewals),
        "excluded_currency_rows": int(excluded),
    }


def magic_number(con: duckdb.DuckDBPyConnection, engagement: Engagement, cost_status: str) -> dict[str, Any]:
    """Compute the magic number for each quarter of the period whose previous quarter has cost.

    Quarters are calendar quarters and use every booking and cost line in
    the export, also those outside the period, because the previous quarter
    usually lies before the period starts.
    """
    rows = con.execute(
        f"""SELECT strftime(o.close_date, '%Y') || 'Q' || quarter(o.close_date), sum(o.amount_converted)
            FROM ({won_sql(engagement, whole_export=True)}) o
            WHERE o.close_date IS NOT NULL AND {amount_rule_sql("o.amount_converted", engagement)}
              AND NOT {is_renewal('o.deal_type')}
            GROUP BY 1"""
    ).fetchall()
    bookings = {q: float(v) for q, v in rows if v is not None}
    cost = quarterly_cost(con, engagement)
    quarters = _quarters(engagement)
    by_quarter = []
    for quarter in quarters:
        previous = _previous_quarter(quarter)
        prev_cost = cost.get(previous)
        value = None
        if prev_cost:
            value = (bookings.get(quarter, 0.0) - bookings.get(previous, 0.0)) * 4 / prev_cost
        by_quarter.append(
            {
                "quarter": quarter,
                "bookings": bookings.get(quarter, 0.0),
                "previous_bookings": bookings.get(previous, 0.0),
                "previous_cost": prev_cost,
                "value": value,
            }
        )
    latest = next((r["value"] for r in reversed(by_quarter) if r["value"] is not None), None)
    if latest is not None:
        return {"by_quarter": by_quarter, "latest": latest, "status": "ok", "reason": None}
    reason = NO_COST if cost_status != "ok" else "no quarter of the period has a previous quarter with cost lines"
    return {"by_quarter": by_quarter, "latest": None, "status": "not_assessable", "reason": reason}


def _quarters(engagement: Engagement) -> list[str]:
    start, end = engagement.period.start, engagement.period.end
    year, q = start.year, (start.month - 1) // 3 + 1
    out = []
    while (year, q) <= (end.year, (end.month - 1) // 3 + 1):
        out.append(f"{year}Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


def _previous_quarter(quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[-1])
    return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"


def new_customers(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> int:
    """Count accounts whose first verified closed-won deal, over all time, closes in the period."""
    all_time = won_sql(engagement, whole_export=True)
    (count,) = con.execute(
        f"""SELECT count(*) FROM (
                SELECT account_id, min(close_date) AS first_close FROM ({all_time})
                WHERE {present('account_id')} AND close_date IS NOT NULL AND {amount_rule_sql("amount_converted", engagement)}
                GROUP BY account_id)
            WHERE {in_period('first_close', engagement)}"""
    ).fetchone()
    return int(count)


def leads_and_opportunities(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> tuple[int, int]:
    """Count leads and opportunities created in the period (every contact is a lead when no row states ``is_lead``)."""
    (leads,) = con.execute(
        f"""SELECT count(*) FROM contacts
            WHERE {in_period('created_at', engagement)}
              AND (is_lead OR NOT EXISTS (SELECT 1 FROM contacts WHERE is_lead IS NOT NULL))"""
    ).fetchone()
    (opportunities,) = con.execute(f"SELECT count(*) FROM opportunities WHERE {in_period('created_at', engagement)}").fetchone()
    return int(leads), int(opportunities)


def funnel(con: duckdb.DuckDBPyConnection, engagement: Engagement, counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """List funnel stages with counts and conversion from the previous stage."""
    leads, opportunities = leads_and_opportunities(con, engagement)
    stages = [
        ("leads", "leads created", leads),
        ("opportunities", "opportunities created", opportunities),
        ("qualified", "qualified opportunities (claimed)", counts["qualified_opportunity"]["claimed"]),
        ("won", "closed-won deals (claimed)", counts["closed_won"]["claimed"]),
    ]
    rows, previous = [], None
    for stage, label, count in stages:
        conversion = count / previous if previous else None
        rows.append({"stage": stage, "label": label, "count": count, "conversion": conversion})
        previous = count
    return rows


def funnel_by_lead_source(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> list[dict[str, Any]]:
    """Count leads created in the period by lead source and how many of them became won deals.

    A lead is won when a won opportunity, closing on any date, names it as
    ``contact_id``.
    """
    return fetch_records(
        con,
        f"""WITH leads AS (
                SELECT contact_id, coalesce(nullif(trim(lead_source), ''), '(blank)') AS lead_source FROM contacts
                WHERE {in_period('created_at', engagement)}
                  AND (is_lead OR NOT EXISTS (SELECT 1 FROM contacts WHERE is_lead IS NOT NULL))),
            won AS (SELECT DISTINCT contact_id FROM opportunities o WHERE {is_won('o', engagement)} AND {present('contact_id')})
            SELECT l.lead_source, count(*) AS leads, count(w.contact_id) AS won,
                   count(w.contact_id) / count(*) AS conversion
            FROM leads l LEFT JOIN won w ON w.contact_id = l.contact_id
            GROUP BY 1 ORDER BY leads DESC, lead_source""",
    )


def compute_metrics(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> dict[str, Any]:
    """Compute every metric of ``docs/metrics.md`` for one engagement."""
    cost = compute_cost(con, engagement)
    sm_cost = cost["total"]
    cost_reason = cost["reason"] or NO_COST
    counts = count_outcomes(con, engagement)
    bookings = new_bookings(con, engagement)
    leads, opportunities = leads_and_opportunities(con, engagement)

    if sm_cost is None:
        ratio, reason = None, cost_reason
    else:
        ratio, reason = _ratio(bookings["new_bookings"], sm_cost, NO_AMOUNTS, "S&M cost is zero")
    efficiency = {
        "variant": f"{BOOKINGS_LABEL} ÷ S&M cost",
        "bookings": bookings["new_bookings"],
        "cost": sm_cost,
        "ratio": ratio,
        "status": "ok" if ratio is not None else "not_assessable",
        "reason": reason,
    }

    customers = new_customers(con, engagement)
    cac_value, cac_reason = _ratio(sm_cost, customers, cost_reason, "no new customers in the period")
    cac = {**_figure(cac_value, cac_reason), "new_customers": customers, "cost": sm_cost}

    margin = engagement.finance.gross_margin
    payback_value, payback_reason = None, cac_reason
    if cac_value is not None:
        months = engagement.period.days / DAYS_PER_MONTH
        monthly_per_customer = (bookings["new_bookings"] or 0.0) / months / customers
        if margin is None:
            payback_reason = "finance.gross_margin is not set"
        elif not monthly_per_customer or not margin:
            payback_reason = "new bookings or gross margin is zero"
        else:
            payback_value = cac_value / (monthly_per_customer * margin)
    payback = _figure(payback_value, payback_reason)

    marketing = cost["marketing"] if sm_cost is not None else None
    input_metrics = []
    for metric, label, numerator, denominator, zero in (
        ("cost_per_lead", "cost per lead (marketing cost ÷ leads created)", marketing, leads, "no leads created in the period"),
        ("cost_per_opportunity", "cost per opportunity (S&M cost ÷ opportunities created)", sm_cost, opportunities, "no opportunities created in the period"),
        ("cac", "CAC (S&M cost ÷ new customers)", sm_cost, customers, "no new customers in the period"),
    ):
        value, reason = _ratio(numerator, denominator, cost_reason, zero)
        input_metrics.append(
            {"metric": metric, "label": label, "numerator": numerator, "denominator": denominator, **_figure(value, reason)}
        )

    outcomes = []
    for outcome_type in OUTCOME_TYPES:
        c = counts[outcome_type]
        value, reason = _ratio(sm_cost, c["verified"], cost_reason, "no verified outcomes")
        outcomes.append(
            {
                "type": outcome_type,
                "label": OUTCOME_LABELS[outcome_type],
                "rule": rule_text(outcome_type, engagement),
                **c,
                "cost": sm_cost,
                "cost_per_outcome": value,
                "status": "ok" if value is not None else "not_assessable",
                "reason": reason,
            }
        )

    return {
        "currency": engagement.currency,
        "cost": cost,
        "efficiency": efficiency,
        "magic_number": magic_number(con, engagement, cost["status"]),
        "cac": cac,
        "cac_payback_months": payback,
        "input_metrics": input_metrics,
        "outcomes": outcomes,
        "cost_per_outcome_by": cost_per_outcome_by(con, engagement, cost),
        "effort": compute_effort(con, engagement, counts),
        "won": {"deals": bookings["deals"], "claimed_deals": counts["closed_won"]["claimed"], "revenue": bookings["revenue"], "new_bookings": bookings["new_bookings"],
                "renewals_excluded": bookings["renewals_excluded"], "excluded_currency_rows": bookings["excluded_currency_rows"]},
        "funnel": funnel(con, engagement, counts),
        "funnel_by": {"lead_source": funnel_by_lead_source(con, engagement)},
        "verified_rows": example_rows(con, engagement),
    }
