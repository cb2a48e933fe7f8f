"""The revenue graph: spend -> campaign -> touch -> contact -> account -> opportunity -> revenue.

The graph is built in DuckDB as temporary tables (dropped before
``compute_graph`` returns). The result counts the won deals, and their
revenue, that can be traced back through each link, and where the chain
breaks. Linking follows the traceability rule of ``docs/metrics.md``.
"""

from __future__ import annotations

import uuid
from typing import Any

import duckdb

from .config import Engagement
from .cost import cost_lines_sql
from .effort import activity_cost_sql, effort_total
from .identity import email_key_sql, id_key_sql
from .masking import mask_row
from .outcomes import fetch_records, present, sql_date, won_sql
from .store import row_count

# Waterfall links from the won deal back to spend: (link, reason a deal breaks there, column that must hold).
LINKS = (
    ("won deal", None, "TRUE"),
    ("deal names a contact or account", "no contact or account on the deal", "has_key"),
    ("contact or account touched in the lookback window", "contact never touched in the lookback window", "touched"),
    ("touch with a campaign, or a sales activity", "touch with no campaign", "traceable"),
    ("campaign with a spend line", "campaign with no spend line", "spend_linked"),
)
NO_CAMPAIGN = "traced by sales activities only, no campaign"


def _has_long_ids(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether any id the graph joins on has 18 characters, so may be a Salesforce 18-character id."""
    columns = {
        "opportunities": ("opportunity_id", "contact_id", "account_id"),
        "contacts": ("contact_id", "account_id"),
        "touches": ("contact_id", "account_id"),
        "activities": ("opportunity_id", "contact_id", "account_id"),
    }
    for table, names in columns.items():
        condition = " OR ".join(f"length(trim({n})) = 18" for n in names)
        if con.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {condition})").fetchone()[0]:
            return True
    return False


def _plain_key_sql(column: str) -> str:
    return f"nullif(trim(CAST({column} AS VARCHAR)), '')"


def _build(con: duckdb.DuckDBPyConnection, engagement: Engagement, t: dict[str, str]) -> None:
    """Create the temporary tables of the graph: deals, people, records in the window, links and per-deal flags."""
    lookback = int(engagement.attribution.lookback_days)
    period_end = sql_date(engagement.period.end)
    # The checksum test of id_key_sql costs time on millions of rows, so it runs only when 18-character ids exist.
    key = id_key_sql if _has_long_ids(con) else _plain_key_sql
    con.execute(
        f"""CREATE TEMP TABLE {t['deals']} AS
            SELECT opportunity_id, {key('opportunity_id')} AS opp_key, {key('contact_id')} AS contact_key,
                   {key('account_id')} AS account_key, coalesce(close_date, {period_end}) AS close_ref,
                   amount_converted AS revenue, currency_excluded, stage, amount, currency, close_date,
                   contact_id, account_id, source_file, source_line
            FROM ({won_sql(engagement)})"""
    )

    # Contacts by id and by email, with their account: the bridge from a person to a deal's account.
    con.execute(
        f"""CREATE TEMP TABLE {t['people']} AS
            SELECT DISTINCT {key('contact_id')} AS contact_key, {email_key_sql('email')} AS email_key,
                   {key('account_id')} AS account_key
            FROM contacts WHERE {present('contact_id')}"""
    )

    # Touches and activities that fall inside some deal's lookback window, with their keys computed once.
    con.execute(
        f"""CREATE TEMP TABLE {t['records']} AS
            WITH r AS (
                SELECT 'touch' AS kind, coalesce(touch_id, source_file || ':' || source_line) AS record_id,
                       CAST(occurred_at AS DATE) AS d, nullif(trim(campaign_id), '') AS campaign_id, NULL AS opp_key,
                       {key('contact_id')} AS contact_key, {email_key_sql('contact_email')} AS email_key,
                       {key('account_id')} AS account_key
                FROM touches
                UNION ALL
                SELECT 'activity', activity_id, CAST(occurred_at AS DATE), nullif(trim(campaign_id), ''),
                       {key('opportunity_id')}, {key('contact_id')}, {email_key_sql('contact_email')}, {key('account_id')}
                FROM activities)
            SELECT * FROM r
            WHERE d BETWEEN (SELECT min(close_ref) FROM {t['deals']}) - {lookback} AND (SELECT max(close_ref) FROM {t['deals']})"""
    )

    # A record links through its opportunity, its contact (by id, or by email via the contacts table) and its
    # account (its own, or its contact's). A deal links through its opportunity, its contact and its account.
    con.execute(
        f"""CREATE TEMP TABLE {t['links']} AS
            WITH record_keys AS (
                SELECT kind, record_id, d, campaign_id, 'opp' AS key_type, opp_key AS key FROM {t['records']} WHERE opp_key IS NOT NULL
                UNION ALL SELECT kind, record_id, d, campaign_id, 'contact', contact_key FROM {t['records']} WHERE contact_key IS NOT NULL
                UNION ALL SELECT kind, record_id, d, campaign_id, 'account', account_key FROM {t['records']} WHERE account_key IS NOT NULL
                UNION ALL SELECT r.kind, r.record_id, r.d, r.campaign_id, 'contact', p.contact_key
                    FROM {t['records']} r JOIN {t['people']} p ON p.email_key = r.email_key
                UNION ALL SELECT r.kind, r.record_id, r.d, r.campaign_id, 'account', p.account_key
                    FROM {t['records']} r JOIN {t['people']} p ON p.email_key = r.email_key WHERE p.account_key IS NOT NULL
                UNION ALL SELECT r.kind, r.record_id, r.d, r.campaign_id, 'account', p.account_key
                    FROM {t['records']} r JOIN {t['people']} p ON p.contact_key = r.contact_key WHERE p.account_key IS NOT NULL),
            deal_keys AS (
                SELECT opportunity_id, close_ref, 'opp' AS key_type, opp_key AS key FROM {t['deals']} WHERE opp_key IS NOT NULL
                UNION ALL SELECT opportunity_id, close_ref, 'contact', contact_key FROM {t['deals']} WHERE contact_key IS NOT NULL
                UNION ALL SELECT opportunity_id, close_ref, 'account', account_key FROM {t['deals']} WHERE account_key IS NOT NULL)
            SELECT DISTINCT dk.opportunity_id, k.kind, k.record_id, k.campaign_id
            FROM deal_keys dk JOIN record_keys k ON k.key_type = dk.key_type AND k.key = dk.key
            WHERE k.d <= dk.close_ref AND k.d >= dk.close_ref - {lookback}"""
    )

    con.execute(
        f"""CREATE TEMP TABLE {t['spend_campaigns']} AS
            SELECT DISTINCT {id_key_sql('campaign_id')} AS campaign_key FROM ({cost_lines_sql(engagement, in_period_only=False)})
            WHERE {present('campaign_id')}"""
    )

    con.execute(
        f"""CREATE TEMP TABLE {t['flags']} AS
            WITH per_deal AS (
                SELECT l.opportunity_id, TRUE AS touched,
                       bool_or(l.kind = 'activity' OR l.campaign_id IS NOT NULL) AS traceable,
                       bool_or(l.campaign_id IS NOT NULL) AS has_campaign,
                       bool_or(s.campaign_key IS NOT NULL) AS spend_linked
                FROM {t['links']} l LEFT JOIN {t['spend_campaigns']} s ON s.campaign_key = {id_key_sql('l.campaign_id')}
                GROUP BY 1),
            by_opportunity AS (SELECT DISTINCT opp_key FROM {t['records']} WHERE opp_key IS NOT NULL)
            SELECT d.*,
                   (d.contact_key IS NOT NULL OR d.account_key IS NOT NULL OR b.opp_key IS NOT NULL) AS has_key,
                   coalesce(p.touched, FALSE) AS touched, coalesce(p.traceable, FALSE) AS traceable,
                   coalesce(p.has_campaign, FALSE) AS has_campaign, coalesce(p.spend_linked, FALSE) AS spend_linked
            FROM {t['deals']} d LEFT JOIN per_deal p USING (opportunity_id) LEFT JOIN by_opportunity b ON b.opp_key = d.opp_key"""
    )


def _waterfall(con: duckdb.DuckDBPyConnection, flags: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    total_deals, total_revenue = con.execute(f"SELECT count(*), coalesce(sum(revenue), 0) FROM {flags}").fetchone()
    rows, breaks = [], {}
    condition, previous = "TRUE", (total_deals, total_revenue)
    for link, reason, column in LINKS:
        condition = f"{condition} AND {column}"
        deals, revenue = con.execute(f"SELECT count(*), coalesce(sum(revenue), 0) FROM {flags} WHERE {condition}").fetchone()
        lost = previous[0] - deals
        rows.append(
            {
                "link": link,
                "deals_traceable": int(deals),
                "deals_share": deals / total_deals if total_deals else None,
                "revenue_traceable": float(revenue),
                "revenue_share": revenue / total_revenue if total_revenue else None,
                "deals_lost_here": int(lost),
                "revenue_lost_here": float(previous[1] - revenue),
                "reason": reason,
            }
        )
        if column == "spend_linked":
            # Deals traced only through activities never had a campaign to carry spend.
            no_campaign, with_campaign = con.execute(
                f"""SELECT count(*) FILTER (WHERE NOT has_campaign), count(*) FILTER (WHERE has_campaign)
                    FROM {flags} WHERE has_key AND touched AND traceable AND NOT spend_linked"""
            ).fetchone()
            if no_campaign:
                breaks[NO_CAMPAIGN] = int(no_campaign)
            if with_campaign:
                breaks[reason] = int(with_campaign)
        elif reason and lost:
            breaks[reason] = int(lost)
        previous = (deals, revenue)
    return rows, breaks


def _spend_reach(con: duckdb.DuckDBPyConnection, engagement: Engagement, t: dict[str, str]) -> dict[str, Any]:
    reached = f"SELECT DISTINCT {id_key_sql('campaign_id')} AS campaign_key FROM {t['links']} WHERE campaign_id IS NOT NULL"
    rows = fetch_records(
        con,
        f"""SELECT coalesce(nullif(trim(c.channel), ''), '(unassigned)') AS channel, sum(c.amount_converted) AS spend,
                   coalesce(sum(c.amount_converted) FILTER (WHERE r.campaign_key IS NOT NULL), 0) AS spend_reaching_won
            FROM ({cost_lines_sql(engagement)}) c LEFT JOIN ({reached}) r ON r.campaign_key = {id_key_sql('c.campaign_id')}
            WHERE c.amount_converted IS NOT NULL GROUP BY 1 ORDER BY spend DESC""",
    )
    for row in rows:
        row["share"] = row["spend_reaching_won"] / row["spend"] if row["spend"] else None
    total = sum(r["spend"] for r in rows)
    reaching = sum(r["spend_reaching_won"] for r in rows)
    if not rows:
        return {"spend_total": None, "spend_reaching_won": None, "share": None, "by_channel": [],
                "status": "not_assessable", "reason": "no cost lines in the period"}
    return {"spend_total": total, "spend_reaching_won": reaching, "share": reaching / total if total else None,
            "by_channel": rows, "status": "ok", "reason": None}


def _effort_reach(con: duckdb.DuckDBPyConnection, engagement: Engagement, t: dict[str, str]) -> dict[str, Any]:
    linked = f"SELECT DISTINCT record_id FROM {t['links']} WHERE kind = 'activity'"
    has_effort = effort_total(con, engagement) is not None
    activities, linked_count, cost, linked_cost = con.execute(
        f"""SELECT count(*), count(l.record_id), sum(a.effort_cost), sum(a.effort_cost) FILTER (WHERE l.record_id IS NOT NULL)
            FROM ({activity_cost_sql(engagement)}) a LEFT JOIN ({linked}) l ON l.record_id = a.activity_id"""
    ).fetchone()
    result = {
        "activities": int(activities),
        "activities_linked_to_won": int(linked_count),
        "activity_share": linked_count / activities if activities else None,
        "effort_cost": float(cost) if has_effort and cost is not None else None,
        "effort_cost_linked_to_won": float(linked_cost or 0.0) if has_effort else None,
        "share": None,
        "status": "ok",
        "reason": None,
    }
    if not activities:
        result.update(status="not_assessable", reason="no activities in the period")
    elif not has_effort or not cost:
        result.update(status="not_assessable", reason="no headcount or tool cost allocated to activities")
    else:
        result["share"] = result["effort_cost_linked_to_won"] / result["effort_cost"]
    return result


def compute_graph(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> dict[str, Any]:
    """Trace won deals back to touches, campaigns and spend, and count where the links break."""
    suffix = uuid.uuid4().hex[:8]
    t = {name: f"_graph_{name}_{suffix}" for name in ("deals", "people", "records", "links", "spend_campaigns", "flags")}
    try:
        _build(con, engagement, t)
        return _summarise(con, engagement, t)
    finally:
        for name in t.values():
            con.execute(f"DROP TABLE IF EXISTS {name}")


def _summarise(con: duckdb.DuckDBPyConnection, engagement: Engagement, t: dict[str, str]) -> dict[str, Any]:
    flags = t["flags"]
    deals, traceable, revenue, revenue_traceable = con.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE has_key AND touched AND traceable), coalesce(sum(revenue), 0),
                   coalesce(sum(revenue) FILTER (WHERE has_key AND touched AND traceable), 0)
            FROM {flags}"""
    ).fetchone()
    # Won deals in a currency without a rate stay in the graph, but their revenue is unknown and left out of sums.
    (excluded,) = con.execute(f"SELECT count(*) FROM {flags} WHERE currency_excluded").fetchone()
    waterfall, breaks = _waterfall(con, flags)
    examples = fetch_records(
        con,
        f"""SELECT opportunity_id, stage, amount, currency, close_date, account_id, contact_id,
                   CASE WHEN NOT has_key THEN '{LINKS[1][1]}' WHEN NOT touched THEN '{LINKS[2][1]}' ELSE '{LINKS[3][1]}' END AS reason,
                   source_file, source_line
            FROM {flags} WHERE NOT (has_key AND touched AND traceable)
            ORDER BY revenue DESC NULLS LAST, source_file, source_line LIMIT 5""",
    )
    no_records = row_count(con, "touches") == 0 and row_count(con, "activities") == 0
    result: dict[str, Any] = {
        "status": "ok",
        "reason": None,
        "lookback_days": engagement.attribution.lookback_days,
        "has_touch_or_activity_data": not no_records,
        "waterfall": waterfall,
        "breaks": breaks,
        "spend_reach": _spend_reach(con, engagement, t),
        "effort_reach": _effort_reach(con, engagement, t),
        "won_traceable": {
            "deals": int(deals),
            "deals_traceable": int(traceable),
            "deals_share_untraceable": (deals - traceable) / deals if deals else None,
            "revenue": float(revenue),
            "revenue_traceable": float(revenue_traceable),
            "revenue_share_untraceable": (revenue - revenue_traceable) / revenue if revenue else None,
            "excluded_currency_rows": int(excluded),
        },
        "untraceable_examples": [mask_row(r, engagement.report.show_personal_data) for r in examples],
    }
    if deals == 0:
        result.update(status="not_assessable", reason="no won deals in the period")
    return result
