"""Forecast confidence: slipped close dates, stage regressions and forecast error from opportunity history."""

from __future__ import annotations

import duckdb
import pandas as pd

from ..config import Engagement
from ..findings import Finding, not_assessable
from .common import (
    band_status,
    count_rows,
    masked_rows,
    pct,
    plural,
    query,
    records,
    severity_for,
    sql_list,
    tolerance_score,
    weakest_part,
    won_predicate,
)

CHECK_ID = "forecast_confidence"
TITLE = "Forecast confidence"
# Forecast categories whose amounts count as the forecast for their close month.
COMMIT_CATEGORIES = ["commit", "closed", "closed won"]
# Largest shares a sales leader would still accept, each scoring 70 (the default pass line).
# NOTE: these are judgement calls from sales-operations practice, not an industry standard.
TOLERABLE_SLIPPED = 0.10  # deals whose close date was pushed at least once
TOLERABLE_SLIPPED_TWICE = 0.05  # deals pushed twice or more
TOLERABLE_REGRESSED = 0.10  # deals that moved back to an earlier stage
TOLERABLE_MAPE = 0.10  # mean absolute error of the monthly commit against won amounts


def slipped_deals(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return per opportunity how often its close date moved later, with its first and last close date."""
    return query(
        con,
        """
        SELECT opportunity_id, count(*) FILTER (WHERE close_date > previous) AS slips,
               min(close_date) FILTER (WHERE previous IS NULL) AS first_close_date,
               arg_max(close_date, changed_at) AS last_close_date,
               arg_max(source_file, changed_at) AS source_file, arg_max(source_line, changed_at) AS source_line
        FROM (SELECT opportunity_id, changed_at, close_date, source_file, source_line,
                     lag(close_date) OVER (PARTITION BY opportunity_id ORDER BY changed_at) AS previous
              FROM opportunity_history WHERE close_date IS NOT NULL)
        GROUP BY opportunity_id ORDER BY slips DESC, opportunity_id
        """,
    )


def stage_order(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return (stage, stage_rank) in pipeline order, lower-cased, with lost stages left out.

    Stages are ordered by their mean relative position (0 first, 1 last) within
    each deal's history, so stages missing from the engagement's qualified stages
    (such as early prospecting stages) still get a place.
    """
    # NOTE: a pipeline where most deals move backwards would get a wrong inferred order.
    inferred = query(
        con,
        """
        SELECT lower(trim(stage)) AS stage, avg(position) AS mean_position FROM (
            SELECT stage, (row_number() OVER (PARTITION BY opportunity_id ORDER BY changed_at) - 1)
                   / greatest(count(*) OVER (PARTITION BY opportunity_id) - 1, 1) AS position
            FROM opportunity_history WHERE stage IS NOT NULL)
        WHERE stage NOT ILIKE '%lost%' GROUP BY 1 ORDER BY mean_position, stage
        """,
    )
    return pd.DataFrame({"stage": inferred["stage"], "stage_rank": range(len(inferred))})


def stage_regressions(con: duckdb.DuckDBPyConnection, order: pd.DataFrame) -> pd.DataFrame:
    """Return per opportunity the number of moves to an earlier stage in ``order``."""
    con.register("_stage_order", order)
    try:
        return query(
            con,
            """
            SELECT opportunity_id, count(*) FILTER (WHERE stage_rank < previous_rank) AS regressions
            FROM (SELECT h.opportunity_id, s.stage_rank,
                         lag(s.stage_rank) OVER (PARTITION BY h.opportunity_id ORDER BY h.changed_at) AS previous_rank
                  FROM opportunity_history h JOIN _stage_order s ON s.stage = lower(trim(h.stage)))
            GROUP BY opportunity_id
            """,
        )
    finally:
        con.unregister("_stage_order")


def forecast_vs_actual(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> pd.DataFrame:
    """Return per month the committed forecast as of the month's first day against won amounts closed in it.

    The forecast is the sum of amounts of each deal's latest snapshot before the
    month whose category is a commit category and whose close date falls in the month.
    """
    # NOTE: a snapshot row with a blank amount or close date counts as blank; it does not inherit earlier values.
    return query(
        con,
        f"""
        WITH months AS (
            SELECT CAST(m AS DATE) AS month_start, CAST(m + INTERVAL 1 MONTH AS DATE) AS month_end
            FROM generate_series(CAST(date_trunc('month', CAST(? AS DATE)) AS TIMESTAMP), CAST(? AS TIMESTAMP), INTERVAL 1 MONTH) t(m)
        ),
        snapshots AS (
            SELECT mo.month_start, mo.month_end, h.amount, h.close_date, h.forecast_category,
                   row_number() OVER (PARTITION BY mo.month_start, h.opportunity_id ORDER BY h.changed_at DESC) AS latest
            FROM months mo JOIN opportunity_history h ON h.changed_at < mo.month_start
        ),
        forecast AS (
            SELECT month_start, count(*) AS snapshot_deals,
                   coalesce(sum(amount) FILTER (WHERE lower(trim(forecast_category)) IN {sql_list(COMMIT_CATEGORIES)}
                       AND close_date >= month_start AND close_date < month_end), 0) AS forecast
            FROM snapshots WHERE latest = 1 GROUP BY 1
        ),
        actual AS (
            SELECT CAST(date_trunc('month', close_date) AS DATE) AS month_start, sum(amount) AS actual
            FROM opportunities o WHERE {won_predicate(engagement)} AND close_date IS NOT NULL GROUP BY 1
        )
        SELECT strftime(mo.month_start, '%Y-%m') AS month, coalesce(f.snapshot_deals, 0) AS snapshot_deals,
               coalesce(f.forecast, 0) AS forecast, coalesce(a.actual, 0) AS actual
        FROM months mo LEFT JOIN forecast f USING (month_start) LEFT JOIN actual a USING (month_start)
        ORDER BY month
        """,
        [engagement.period.start, engagement.period.end],
    )


def check_forecast_confidence(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict) -> Finding:
    """Score the weakest part: pushed close dates, repeated pushes, stage regressions and, with snapshots, forecast error.

    Each part scores max(0, 100 - 30 x share / tolerable share); see the TOLERABLE_* constants.
    """
    ask = "Can the CRM export opportunity field history (stage, close date, amount, forecast category changes)?"
    if count_rows(con, "opportunity_history") == 0:
        return not_assessable(CHECK_ID, TITLE, "no opportunity history was provided", ask)

    deals = int(con.execute("SELECT count(DISTINCT opportunity_id) FROM opportunity_history").fetchone()[0])
    if deals == 0:
        return not_assessable(CHECK_ID, TITLE, "the opportunity history rows carry no opportunity id", ask)
    slips = slipped_deals(con)
    regressions = stage_regressions(con, stage_order(con))
    slipped = int((slips["slips"] > 0).sum())
    slipped_repeatedly = int((slips["slips"] >= 2).sum())
    regressed = int((regressions["regressions"] > 0).sum())
    components = {
        "close dates pushed": tolerance_score(slipped / deals, TOLERABLE_SLIPPED),
        "close dates pushed twice or more": tolerance_score(slipped_repeatedly / deals, TOLERABLE_SLIPPED_TWICE),
        "stages moved back": tolerance_score(regressed / deals, TOLERABLE_REGRESSED),
    }

    has_forecast = con.execute(
        "SELECT count(*) FROM opportunity_history WHERE forecast_category IS NOT NULL AND amount IS NOT NULL"
    ).fetchone()[0] > 0
    accuracy = pd.DataFrame()
    mape = bias = None
    if has_forecast:
        accuracy = forecast_vs_actual(con, engagement)
        accuracy = accuracy[(accuracy["snapshot_deals"] > 0) & (accuracy["actual"] > 0)].copy()
        if not accuracy.empty:
            accuracy["error"] = (accuracy["forecast"] - accuracy["actual"]) / accuracy["actual"]
            mape = float(accuracy["error"].abs().mean())
            bias = float(accuracy["error"].mean())
            components["forecast error"] = tolerance_score(mape, TOLERABLE_MAPE)
    weakest, weakest_score = weakest_part(components)
    score = round(weakest_score, 1)
    status = band_status(engagement, CHECK_ID, score)

    explanation = (
        f"Of {deals} opportunities with history, {slipped} ({pct(slipped / deals)}) had their close date pushed later "
        f"({slipped_repeatedly} of them twice or more, {int(slips['slips'].sum())} pushes in all), "
        f"and {regressed} ({pct(regressed / deals)}) moved back to an earlier stage."
    )
    if mape is not None:
        direction = "over" if bias > 0 else "under"
        explanation += (
            f" Over {plural(len(accuracy), 'month')} the committed forecast missed actual won amounts by {pct(mape)} on average "
            f"and {direction}-forecast by {pct(abs(bias))} on balance."
        )
    elif has_forecast:
        explanation += " Forecast snapshots exist, but no month has both a prior snapshot and won amounts to compare."
    else:
        explanation += " No forecast snapshots (forecast category with amount), so forecast error was not measured."
    explanation += (
        f" The score rests on the weakest part, {weakest} ({weakest_score:.0f} of 100). A part scores 70, the default pass line, "
        f"at {pct(TOLERABLE_SLIPPED)} of deals pushed, {pct(TOLERABLE_SLIPPED_TWICE)} pushed twice or more, "
        f"{pct(TOLERABLE_REGRESSED)} moved back a stage or a {pct(TOLERABLE_MAPE)} forecast error."
    )
    worst = slips[slips["slips"] > 0].head(10)
    return Finding(
        id=CHECK_ID, title=TITLE, status=status, score=score, explanation=explanation,
        recommendation=(
            "Require a reason and a next step for every pushed close date, review deals pushed twice or more "
            "each week, and compare each month's commit with what actually closed."
        ),
        evidence={"deals_with_history": deals, "slipped_deals": slipped, "slipped_twice_or_more": slipped_repeatedly, "close_date_pushes": int(slips["slips"].sum()),
                  "regressed_deals": regressed, "forecast_mape": mape, "forecast_bias": bias,
                  "components": components, "weakest_component": weakest},
        evidence_rows=masked_rows(worst, engagement),
        severity=severity_for(status), effort_hours=6, owner_role="Sales operations",
        tables={"slipped_deals": records(worst), "forecast_vs_actual": records(accuracy)},
    )
