"""Leading indicators treated as the scoreboard: early signals shown in place of outcomes.

The early signals (lead response time, cycle time, interactions per won deal)
are computed and shown for context. The score rests on the headline tiles: a
headline row of only leading and volume metrics fails.
"""

from __future__ import annotations

import duckdb

from ..config import Engagement
from ..findings import Finding, not_assessable
from .common import (
    band_status,
    masked_rows,
    pct,
    period_bounds,
    query,
    records,
    linked_activities_sql,
    resolved_activities_sql,
    severity_for,
    won_predicate,
)
from .volume_led import load_tiles

CHECK_ID = "leading_indicators"
TITLE = "Leading indicators treated as the scoreboard"


def early_signals(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> dict:
    """Return median lead response hours, median won-deal cycle days and median interactions per won deal.

    Leads are contacts created in the period with ``is_lead`` true, or every
    contact when no row states ``is_lead``. A lead's response time runs from its
    creation to its first activity at or after creation.
    """
    start, end = period_bounds(engagement)
    any_lead_flag = con.execute("SELECT count(*) FROM contacts WHERE is_lead IS NOT NULL").fetchone()[0] > 0
    lead_filter = "coalesce(c.is_lead, false)" if any_lead_flag else "true"
    leads = query(
        con,
        f"SELECT c.contact_id, date_diff('minute', c.created_at, min(a.occurred_at)) / 60.0 AS response_hours "
        f"FROM contacts c LEFT JOIN {resolved_activities_sql()} a ON a.contact_key = c.contact_id AND a.occurred_at >= c.created_at "
        f"WHERE {lead_filter} AND c.created_at >= ? AND c.created_at < ? GROUP BY c.contact_id, c.created_at",
        [start, end],
    )
    won = query(
        con,
        f"""
        WITH won AS (
            SELECT o.opportunity_id, o.account_id, o.contact_id, o.created_at, o.close_date FROM opportunities o
            WHERE {won_predicate(engagement)} AND o.close_date >= ? AND o.close_date < ? AND o.created_at IS NOT NULL
        ),
        acts AS (SELECT * FROM {resolved_activities_sql()}),
        linked AS ({linked_activities_sql("won")})
        SELECT w.opportunity_id, date_diff('day', CAST(w.created_at AS DATE), w.close_date) AS cycle_days,
               count(DISTINCT l.activity_id) AS interactions
        FROM won w LEFT JOIN linked l ON l.opportunity_id = w.opportunity_id
             AND l.occurred_at >= w.created_at AND CAST(l.occurred_at AS DATE) <= w.close_date
        GROUP BY ALL
        """,
        [start.date(), end.date()],
    )
    responded = leads["response_hours"].dropna()
    return {
        "leads": len(leads),
        "leads_never_touched": int(leads["response_hours"].isna().sum()),
        "median_lead_response_hours": float(responded.median()) if len(responded) else None,
        "won_deals": len(won),
        "median_cycle_days": float(won["cycle_days"].median()) if len(won) else None,
        "median_interactions_per_won_deal": float(won["interactions"].median()) if len(won) else None,
    }


def check_leading_indicators(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict) -> Finding:
    """Score the headline tiles by the share that show outcomes.

    Score = 100 x outcome tiles / classified headline tiles, so a headline row of
    only leading indicators and volume scores 0.
    """
    signals = early_signals(con, engagement)
    tiles, basis = load_tiles(con, engagement)
    ask = "Which three to five numbers open the weekly revenue meeting?"
    headline = tiles[tiles["is_headline"].fillna(False).astype(bool) & (tiles["kind"] != "other")] if not tiles.empty else tiles
    signal_rows = [{"signal": k, "value": v} for k, v in signals.items()]
    if headline.empty:
        missing = "no dashboard tile is marked as a headline" if not tiles.empty else "no dashboard list was provided"
        finding = not_assessable(CHECK_ID, TITLE, missing, ask)
        finding.evidence = signals
        finding.tables = {"early_signals": signal_rows}
        return finding

    counts = headline["kind"].value_counts().to_dict()
    outcome = int(counts.get("outcome", 0))
    early = int(counts.get("leading", 0) + counts.get("volume", 0))
    score = round(100 * outcome / len(headline), 1)
    status = band_status(engagement, CHECK_ID, score)
    only_early = outcome == 0 and early == len(headline)
    explanation = (
        f"{outcome} of {len(headline)} classified headline tiles show outcomes; {early} show leading indicators or volume."
    )
    if only_early:
        explanation += " The headline row holds no outcome at all, so early signals are the scoreboard."
    if signals["median_lead_response_hours"] is not None:
        explanation += f" Median lead response time is {signals['median_lead_response_hours']:.1f} hours"
        explanation += f" and {pct(signals['leads_never_touched'] / signals['leads'])} of leads were never touched."
    if signals["median_cycle_days"] is not None:
        explanation += f" Won deals took a median {signals['median_cycle_days']:.0f} days to close."
    early_rows = headline[headline["kind"].isin(["leading", "volume"])][["dashboard", "tile", "kind", "source_file", "source_line"]]
    return Finding(
        id=CHECK_ID, title=TITLE, status=status, score=score, explanation=explanation,
        recommendation=(
            "Keep response time, reply rates and cycle time as early signals below the fold, and put verified "
            "outcomes (held meetings, qualified pipeline, won revenue) in the headline row."
        ),
        evidence={"headline_tiles": len(headline), "headline_outcome_tiles": outcome,
                  "headline_early_tiles": early, "only_leading_and_volume": only_early, **signals},
        evidence_rows=masked_rows(early_rows, engagement),
        severity=severity_for(status), effort_hours=4, owner_role="RevOps lead",
        basis=basis, interview_question=ask if basis == "interview" else None,
        tables={"early_signals": signal_rows, "headline_tiles": records(headline[["dashboard", "tile", "kind"]])},
    )
