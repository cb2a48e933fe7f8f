"""Irrelevant outreach: bounces, opt-outs, silence and off-profile contacts per sequence.

A touch is an email or sequence-step activity in the period. It is irrelevant
when it bounced, was opted out of, or went to a contact outside the ideal
customer profile (ICP). Touches to contacts whose ICP fields are unknown are
counted as unknown, never as outside.
"""

from __future__ import annotations

import duckdb

from ..config import Engagement
from ..findings import Finding, not_assessable
from .common import (
    band_status,
    held_meeting_predicate,
    masked_rows,
    norm,
    pct,
    period_bounds,
    query,
    records,
    resolved_activities_sql,
    severity_for,
    sql_list,
    verified_qualified_sql,
)

CHECK_ID = "irrelevant_outreach"
TITLE = "Irrelevant outreach"
OUTREACH_TYPES = ["email", "sequence_step"]
# Rule of thumb from email deliverability practice: above about 5% bounces,
# mailbox providers start to throttle a sender. Used only to flag sequences.
HIGH_BOUNCE_RATE = 0.05
WORST_LIMIT = 5


def icp_condition(engagement: Engagement) -> tuple[str | None, str | None]:
    """Return SQL for (outside the ICP, ICP unknown) over contact ``c`` and account ``acc``, or (None, None) without an ICP."""
    icp = engagement.icp
    outside, unknown = [], []
    if icp.industries:
        outside.append(f"{norm('acc.industry')} NOT IN {sql_list(icp.industries)}")
        unknown.append("acc.industry IS NULL")
    if icp.min_employees is not None:
        outside.append(f"acc.employees < {int(icp.min_employees)}")
        unknown.append("acc.employees IS NULL")
    if icp.max_employees is not None:
        outside.append(f"acc.employees > {int(icp.max_employees)}")
        unknown.append("acc.employees IS NULL")
    if icp.title_keywords:
        keywords = " OR ".join(f"{norm('c.title')} LIKE '%{k.strip().lower().replace(chr(39), chr(39) * 2)}%'" for k in icp.title_keywords)
        outside.append(f"NOT ({keywords})")
        unknown.append("c.title IS NULL")
    if not outside:
        return None, None
    # A known failing criterion makes the contact outside even when another field is unknown.
    outside_sql = " OR ".join(f"coalesce({o}, false)" for o in outside)
    unknown_sql = f"NOT ({outside_sql}) AND ({' OR '.join(unknown)})"
    return outside_sql, unknown_sql


def sequence_table(con: duckdb.DuckDBPyConnection, engagement: Engagement):
    start, end = period_bounds(engagement)
    outside, unknown = icp_condition(engagement)
    outside_sql = outside or "false"
    unknown_sql = unknown or "false"
    return query(
        con,
        f"""
        WITH touches AS (
            SELECT coalesce(a.sequence_name, a.campaign_id, '(no sequence)') AS sequence, a.contact_key, a.occurred_at,
                   {norm('a.status')} AS status, ({outside_sql}) AS outside_icp, ({unknown_sql}) AS icp_unknown
            FROM {resolved_activities_sql()} a
            LEFT JOIN (SELECT contact_id, any_value(title) AS title FROM contacts GROUP BY 1) c ON c.contact_id = a.contact_key
            LEFT JOIN (SELECT account_id, any_value(industry) AS industry, any_value(employees) AS employees
                       FROM accounts GROUP BY 1) acc ON acc.account_id = a.account_key
            WHERE {norm('a.activity_type')} IN {sql_list(OUTREACH_TYPES)} AND a.occurred_at >= ? AND a.occurred_at < ?
        ),
        firsts AS (SELECT sequence, contact_key, min(occurred_at) AS first_touch FROM touches WHERE contact_key IS NOT NULL GROUP BY ALL),
        meetings AS (
            SELECT f.sequence, count(DISTINCT m.activity_id) AS held_meetings
            FROM firsts f JOIN {resolved_activities_sql()} m ON m.contact_key = f.contact_key AND m.occurred_at >= f.first_touch
            WHERE {held_meeting_predicate(engagement, 'm')} AND m.occurred_at < ? GROUP BY ALL
        ),
        opps AS (
            SELECT f.sequence, count(DISTINCT q.opportunity_id) AS qualified_opps
            FROM firsts f JOIN ({verified_qualified_sql(engagement)}) q ON q.contact_id = f.contact_key AND q.created_at >= f.first_touch
            GROUP BY ALL
        )
        SELECT t.sequence, count(*) AS touches,
               count(*) FILTER (WHERE status = 'bounced') AS bounced,
               count(*) FILTER (WHERE status IN ('opted_out', 'unsubscribed')) AS opted_out,
               count(*) FILTER (WHERE status = 'replied') AS replied,
               count(*) FILTER (WHERE outside_icp) AS outside_icp,
               count(*) FILTER (WHERE icp_unknown) AS icp_unknown,
               count(*) FILTER (WHERE status = 'bounced' OR status IN ('opted_out', 'unsubscribed') OR outside_icp) AS irrelevant,
               coalesce(any_value(m.held_meetings), 0) AS held_meetings,
               coalesce(any_value(o.qualified_opps), 0) AS qualified_opps
        FROM touches t LEFT JOIN meetings m USING (sequence) LEFT JOIN opps o USING (sequence)
        GROUP BY t.sequence ORDER BY t.sequence
        """,
        [start, end, end, start, end],
    )


def check_irrelevant_outreach(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict) -> Finding:
    """Score outreach by the share of touches that were irrelevant: score = 100 x (1 - irrelevant / touches)."""
    table = sequence_table(con, engagement)
    ask = "Which sequencing or email tool sends outreach, and can it export sends with bounce and reply status?"
    if table.empty:
        return not_assessable(CHECK_ID, TITLE, "no email or sequence-step activities in the period", ask)
    icp_set = icp_condition(engagement)[0] is not None
    touches = int(table["touches"].sum())
    table["bounce_rate"] = table["bounced"] / table["touches"]
    table["opt_out_rate"] = table["opted_out"] / table["touches"]
    table["no_reply_rate"] = 1 - table["replied"] / table["touches"]
    table["outside_icp_share"] = (table["outside_icp"] / table["touches"]) if icp_set else None
    table["irrelevant_share"] = table["irrelevant"] / table["touches"]
    table["outcomes_per_1000_touches"] = 1000 * (table["held_meetings"] + table["qualified_opps"]) / table["touches"]
    irrelevant = int(table["irrelevant"].sum())
    share = irrelevant / touches
    score = round(100 * (1 - share), 1)
    status = band_status(engagement, CHECK_ID, score)

    worst = table.sort_values(["irrelevant_share", "touches"], ascending=[False, False]).head(WORST_LIMIT)
    high_bounce = table.loc[table["bounce_rate"] > HIGH_BOUNCE_RATE, "sequence"].tolist()
    explanation = (
        f"{irrelevant} of {touches} outreach touches ({pct(share)}) bounced, were opted out of"
        + (" or went to contacts outside the ideal customer profile." if icp_set else "; no ideal customer profile is configured, so fit was not assessed.")
    )
    explanation += (
        f" Overall bounce rate {pct(table['bounced'].sum() / touches)}, opt-out rate "
        f"{pct(table['opted_out'].sum() / touches)}, no reply on {pct(1 - table['replied'].sum() / touches)}."
    )
    if high_bounce:
        explanation += f" Sequences above a {pct(HIGH_BOUNCE_RATE)} bounce rate: {', '.join(high_bounce)}."
    first = worst.iloc[0]
    explanation += (
        f" Worst sequence: {first['sequence']} ({pct(first['irrelevant_share'])} irrelevant, "
        f"{first['outcomes_per_1000_touches']:.1f} outcomes per 1,000 touches)."
    )
    basis = "data"
    return Finding(
        id=CHECK_ID, title=TITLE, status=status, score=score, explanation=explanation,
        recommendation=(
            "Pause the worst sequences, clean bounced and opted-out addresses, and restrict enrolment to contacts "
            "that match the ideal customer profile; judge sequences by outcomes per 1,000 touches, not sends."
        ),
        evidence={
            "touches": touches, "irrelevant_touches": irrelevant, "irrelevant_share": share,
            "bounce_rate": float(table["bounced"].sum() / touches), "opt_out_rate": float(table["opted_out"].sum() / touches),
            "no_reply_rate": float(1 - table["replied"].sum() / touches),
            "outside_icp_share": float(table["outside_icp"].sum() / touches) if icp_set else None,
            "icp_unknown_touches": int(table["icp_unknown"].sum()) if icp_set else None,
            "icp_configured": icp_set, "high_bounce_sequences": high_bounce, "high_bounce_rate": HIGH_BOUNCE_RATE,
        },
        evidence_rows=masked_rows(worst[["sequence", "touches", "bounce_rate", "irrelevant_share"]], engagement),
        severity=severity_for(status), effort_hours=6, owner_role="Sales development lead", basis=basis,
        tables={"sequences": records(table), "worst_sequences": records(worst)},
    )
