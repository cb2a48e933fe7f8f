"""Activity no longer predicts outcomes: seller-month activity against verified outcomes.

Activity is every activity whose type is not a meeting type (calls, emails,
sequence steps, other). Outcomes are verified held meetings, verified
qualified opportunities (by creation month) and verified won deals (by close
month), summed per seller and month, with the rules of docs/metrics.md.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from ..config import Engagement
from ..findings import Finding, not_assessable
from ..masking import pseudonym
from .common import (
    BOOTSTRAP_ITERATIONS,
    band_status,
    bootstrap_spearman_ci,
    held_meeting_predicate,
    meeting_type_predicate,
    pct,
    period_bounds,
    query,
    records,
    resolved_activities_sql,
    severity_for,
    spearman,
    verified_qualified_sql,
    verified_won_predicate,
)

CHECK_ID = "activity_predicts_outcomes"
TITLE = "Activity no longer predicts outcomes"
# The link counts as weakened when the second half's rho is this much below the first half's.
DRIFT_DROP = 0.2
# Volume "outpaces" meetings when activity grows by at least this fraction and
# held meetings grow by less than half as much.
VOLUME_GROWTH = 0.2
TOUCH_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (1, 1, "1"), (2, 2, "2"), (3, 4, "3-4"), (5, 7, "5-7"), (8, 12, "8-12"), (13, None, "13+"),
)


def seller_months(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> tuple[pd.DataFrame, str]:
    """Return one row per seller (or team) and month with activity counts by type and outcome counts."""
    start, end = period_bounds(engagement)
    has_owner = con.execute(
        "SELECT count(*) FROM activities WHERE owner_id IS NOT NULL AND occurred_at >= ? AND occurred_at < ?", [start, end]
    ).fetchone()[0]
    unit = "owner_id" if has_owner else "team"

    acts = query(
        con,
        f"SELECT {unit} AS unit, strftime(occurred_at, '%Y-%m') AS month, lower(trim(activity_type)) AS activity_type, "
        f"count(*) AS n FROM activities a WHERE occurred_at >= ? AND occurred_at < ? AND {unit} IS NOT NULL "
        f"AND NOT {meeting_type_predicate(engagement)} GROUP BY ALL",
        [start, end],
    )
    meetings = query(
        con,
        f"SELECT {unit} AS unit, strftime(occurred_at, '%Y-%m') AS month, count(*) AS held_meetings FROM activities a "
        f"WHERE occurred_at >= ? AND occurred_at < ? AND {unit} IS NOT NULL AND {held_meeting_predicate(engagement)} GROUP BY ALL",
        [start, end],
    )
    qualified = query(
        con,
        f"SELECT {unit} AS unit, strftime(created_at, '%Y-%m') AS month, count(*) AS qualified_opps "
        f"FROM ({verified_qualified_sql(engagement)}) q WHERE {unit} IS NOT NULL GROUP BY ALL",
        [start, end],
    )
    won = query(
        con,
        f"SELECT {unit} AS unit, strftime(close_date, '%Y-%m') AS month, count(*) AS won_deals FROM opportunities o "
        f"WHERE {unit} IS NOT NULL AND {verified_won_predicate(engagement)} GROUP BY ALL",
        [start.date(), end.date()],
    )

    by_type = acts.pivot_table(index=["unit", "month"], columns="activity_type", values="n", aggfunc="sum", fill_value=0)
    by_type.columns = [f"activities_{c}" for c in by_type.columns]
    frame = by_type.reset_index()
    for part in (meetings, qualified, won):
        frame = frame.merge(part, on=["unit", "month"], how="outer") if not frame.empty else part
    for column in ("held_meetings", "qualified_opps", "won_deals"):
        if column not in frame:
            frame[column] = 0
    frame = frame.fillna(0)

    type_columns = [c for c in frame.columns if c.startswith("activities_")]
    frame["activities"] = frame[type_columns].sum(axis=1) if type_columns else 0
    frame["outcomes"] = frame["held_meetings"] + frame["qualified_opps"] + frame["won_deals"]
    return frame.sort_values(["month", "unit"]).reset_index(drop=True), unit


def monthly_trend(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> pd.DataFrame:
    """Return activity volume and verified held meetings per month of the period, months without rows as 0."""
    start, end = period_bounds(engagement)
    frame = query(
        con,
        f"SELECT strftime(occurred_at, '%Y-%m') AS month, "
        f"count(*) FILTER (WHERE NOT {meeting_type_predicate(engagement)}) AS activities, "
        f"count(*) FILTER (WHERE {held_meeting_predicate(engagement)}) AS held_meetings "
        f"FROM activities a WHERE occurred_at >= ? AND occurred_at < ? GROUP BY ALL",
        [start, end],
    )
    months = pd.DataFrame({"month": period_months(engagement)})
    return months.merge(frame, on="month", how="left").fillna(0).astype({"activities": int, "held_meetings": int})


def period_months(engagement: Engagement) -> list[str]:
    return [str(p) for p in pd.period_range(engagement.period.start, engagement.period.end, freq="M")]


def first_half_months(engagement: Engagement) -> set[str]:
    """Return the months before the period's midpoint month (for a calendar year: January to June)."""
    start = engagement.period.start
    midpoint = start + dt.timedelta(days=engagement.period.days // 2)
    return {m for m in period_months(engagement) if m < midpoint.strftime("%Y-%m")}


def correlation(frame: pd.DataFrame, x: str = "activities", y: str = "outcomes", interval: bool = True) -> dict:
    """Return Spearman's rho of two columns, its bootstrap interval when ``interval`` is true, and n."""
    rho = spearman(frame[x].to_numpy(), frame[y].to_numpy()) if len(frame) else None
    low = high = None
    if interval and rho is not None:
        low, high = bootstrap_spearman_ci(frame[x].to_numpy(), frame[y].to_numpy())
    return {"rho": rho, "ci_low": low, "ci_high": high, "n": len(frame)}


def touch_buckets(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> list[dict]:
    """Return, per bucket of touches per contact, the contacts and the share with a verified held meeting."""
    start, end = period_bounds(engagement)
    contacts = query(
        con,
        f"SELECT contact_key, count(*) FILTER (WHERE NOT {meeting_type_predicate(engagement)}) AS touches, "
        f"count(*) FILTER (WHERE {held_meeting_predicate(engagement)}) > 0 AS met "
        f"FROM {resolved_activities_sql()} a WHERE contact_key IS NOT NULL AND occurred_at >= ? AND occurred_at < ? "
        f"GROUP BY contact_key",
        [start, end],
    )
    rows = []
    for low, high, label in TOUCH_BUCKETS:
        in_bucket = contacts[(contacts["touches"] >= low) & ((contacts["touches"] <= high) if high else True)]
        if in_bucket.empty:
            continue
        rows.append({"bucket": label, "contacts": len(in_bucket), "with_meeting": int(in_bucket["met"].sum()),
                     "outcome_rate": float(in_bucket["met"].mean())})
    return rows


def change(first: float, second: float) -> float | None:
    return None if first == 0 else float((second - first) / first)


def check_activity_predicts_outcomes(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict) -> Finding:
    """Score how well seller-month activity ranks seller-month outcomes.

    Score = 100 x max(0, rho) of the second half of the period when that half has
    at least ``min_sample`` seller-months, else of the whole period.
    """
    min_sample = engagement.thresholds.min_sample
    frame, unit = seller_months(con, engagement)
    trend = monthly_trend(con, engagement)
    first = first_half_months(engagement)
    h1 = trend[trend["month"].isin(first)]
    h2 = trend[~trend["month"].isin(first)]
    activity_change = change(h1["activities"].sum(), h2["activities"].sum())
    held_change = change(h1["held_meetings"].sum(), h2["held_meetings"].sum())
    outpaces = bool(
        activity_change is not None and activity_change >= VOLUME_GROWTH
        and (held_change is None or held_change < activity_change / 2)
    )
    buckets = touch_buckets(con, engagement)
    tables = {"monthly_trend": records(trend), "touch_buckets": buckets}
    evidence = {
        "unit": unit,
        "seller_months": len(frame),
        "min_sample": min_sample,
        "activity_change_h2_vs_h1": activity_change,
        "held_meetings_change_h2_vs_h1": held_change,
        "volume_outpaces_meetings": outpaces,
        "bootstrap_iterations": BOOTSTRAP_ITERATIONS,
    }
    ask = "Do sellers log their calls, emails and meetings in the CRM, under their own user?"
    if len(frame) < min_sample:
        finding = not_assessable(
            CHECK_ID, TITLE,
            f"insufficient data: {len(frame)} seller-months with activity or outcomes, fewer than the minimum of {min_sample}",
            ask,
        )
        finding.evidence, finding.tables = evidence, tables
        return finding

    overall = correlation(frame)
    halves = {"H1": correlation(frame[frame["month"].isin(first)]), "H2": correlation(frame[~frame["month"].isin(first)])}
    windows = []
    months = period_months(engagement)
    for i in range(max(0, len(months) - 2)):
        window = months[i:i + 3]
        result = correlation(frame[frame["month"].isin(window)])
        windows.append({"window": f"{window[0]} to {window[-1]}", **result})
    # rho per activity and outcome type goes without intervals because these rows are context and
    # the bootstrap's cost grows with seller-months (3.5 s for 5,000 in one measurement).
    by_type = []
    for column in [c for c in frame.columns if c.startswith("activities_")]:
        for outcome in ("held_meetings", "qualified_opps", "won_deals"):
            by_type.append({"activity": column.removeprefix("activities_"), "outcome": outcome, **correlation(frame, column, outcome, interval=False)})

    rho_h1, rho_h2 = halves["H1"]["rho"], halves["H2"]["rho"]
    halves_sized = halves["H1"]["n"] >= min_sample and halves["H2"]["n"] >= min_sample
    weakened = bool(halves_sized) and rho_h1 is not None and rho_h2 is not None and rho_h2 < rho_h1 - DRIFT_DROP
    used = halves["H2"] if halves["H2"]["n"] >= min_sample and rho_h2 is not None else overall
    if used["rho"] is None:
        finding = not_assessable(CHECK_ID, TITLE, "activity or outcomes do not vary across seller-months", ask)
        finding.evidence, finding.tables = evidence, tables
        return finding
    score = round(100 * max(0.0, used["rho"]), 1)
    status = band_status(engagement, CHECK_ID, score)

    explanation = (
        f"Across {overall['n']} seller-months, Spearman's rho between activity volume and verified outcomes is "
        f"{overall['rho']:.2f} (95% bootstrap interval {fmt(overall['ci_low'])} to {fmt(overall['ci_high'])})."
    )
    if rho_h1 is not None and rho_h2 is not None:
        explanation += f" It moved from {rho_h1:.2f} in the first half to {rho_h2:.2f} in the second."
    if weakened:
        explanation += " The link weakened after mid-period."
    if activity_change is not None:
        explanation += (
            f" Activity changed by {pct(activity_change)} from the first half to the second, "
            f"held meetings by {pct(held_change)}."
        )
    peak = max(buckets, key=lambda b: b["outcome_rate"]) if buckets else None
    if peak and peak is not buckets[-1]:
        explanation += f" Contacts touched {peak['bucket']} times reach the highest meeting rate ({pct(peak['outcome_rate'])}); more touches add none."
    top = frame.sort_values("activities", ascending=False).head(5)[["unit", "month", "activities", "outcomes"]].copy()
    if unit == "owner_id" and not engagement.report.show_personal_data:
        top["unit"] = [pseudonym(u, "Seller") for u in top["unit"]]

    evidence.update({
        "rho": overall["rho"], "ci_low": overall["ci_low"], "ci_high": overall["ci_high"],
        "rho_h1": rho_h1, "rho_h2": rho_h2, "n_h1": halves["H1"]["n"], "n_h2": halves["H2"]["n"],
        "link_weakened": weakened, "score_rho": used["rho"], "peak_touch_bucket": peak["bucket"] if peak else None,
    })
    tables.update({"correlation_by_window": windows, "correlation_by_type": by_type,
                   "correlation_by_half": [{"half": k, **v} for k, v in halves.items()]})
    return Finding(
        id=CHECK_ID, title=TITLE, status=status, score=score, explanation=explanation,
        recommendation=(
            "Stop setting activity quotas that outgrow outcomes; set targets on held meetings and qualified "
            "pipeline, and cap touches per contact where the meeting rate stops rising."
        ),
        evidence=evidence, evidence_rows=records(top), severity=severity_for(status), effort_hours=8,
        owner_role="Sales leader", tables=tables,
    )


def fmt(value: float | None) -> str:
    return "n/a" if value is None or np.isnan(value) else f"{value:.2f}"
