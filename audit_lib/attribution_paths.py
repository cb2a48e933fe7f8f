"""Touch paths per opportunity, built in DuckDB.

The functions here create temporary tables on the connection and return only
counts. The per-touch rows stay in DuckDB so that millions of activities never
reach pandas:

``attr_opps``    one row per opportunity that starts a path: won deals that
                 convert, and lost or open opportunities that do not
``attr_events``  marketing touches and sales activities as one event list
``attr_path``    one row per (opportunity, event) in the lookback window;
                 ``seq`` orders the events of a path
"""

from __future__ import annotations

import duckdb

from .config import Engagement
from .cpo import spelling_key
from .outcomes import is_won, won_sql

ACTIVITY_CHANNEL = "sales activity"

# seq = epoch seconds * SEQ_SPAN + a content hash below SEQ_SPAN. 2**24 keeps
# seq inside BIGINT for dates up to the year 10000.
SEQ_SPAN = 2**24

# Activity statuses meaning that the activity did not take place.
SKIPPED_ACTIVITY_STATUSES = ("cancelled", "canceled", "no_show", "no show", "bounced", "scheduled")


def _norm(expr: str) -> str:
    """SQL for a trimmed, case-folded text value, NULL when blank."""
    return f"nullif(lower(trim({expr})), '')"


def build_channel_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Create ``attr_channels(spelling, label)`` and return it as a dict.

    Spellings that differ only by case, spacing or punctuation ("Paid Search",
    "paid_search") share one label, compared with ``cpo.spelling_key`` as the
    metrics do. The label is the spelling used most often by touches and
    campaigns, then by cost lines, then the first in sort order.
    """
    rows = con.execute(
        f"""
        SELECT spelling, sum(marketing) AS marketing, sum(ledger) AS ledger FROM (
            SELECT trim(channel) AS spelling, 1 AS marketing, 0 AS ledger FROM touches
            UNION ALL SELECT trim(channel), 1, 0 FROM campaigns
            UNION ALL SELECT trim(channel), 0, 1 FROM costs
        ) WHERE {_norm('spelling')} IS NOT NULL GROUP BY spelling
        """
    ).fetchall()
    label_of_key: dict[str, str] = {}
    for spelling, _, _ in sorted(rows, key=lambda r: (-r[1], -r[2], r[0])):
        label_of_key.setdefault(spelling_key(spelling), spelling)
    labels = {spelling: label_of_key[spelling_key(spelling)] for spelling, _, _ in rows}
    con.execute("CREATE OR REPLACE TEMP TABLE attr_channels (spelling VARCHAR, label VARCHAR)")
    if labels:
        con.executemany("INSERT INTO attr_channels VALUES (?, ?)", sorted(labels.items()))
    return labels


def build_opportunities(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> dict[str, int]:
    """Create ``attr_opps`` and return counts of the opportunities set aside.

    A won deal converts when ``outcomes.won_sql`` verifies it, the same rule
    as the metrics use (docs/metrics.md). Its path ends on the close date and
    its revenue is the converted amount, or 0 when it has no amount. A lost
    opportunity closed in the period, or an opportunity still open, gives a
    non-converting path that ends on its close date or on the period end.
    Claimed but unverified won deals start no path.
    """
    rates = {code.upper(): float(rate) for code, rate in engagement.finance.fx_rates.items()}
    rates[engagement.currency] = 1.0
    con.execute("CREATE OR REPLACE TEMP TABLE attr_fx (currency VARCHAR, rate DOUBLE)")
    con.executemany("INSERT INTO attr_fx VALUES (?, ?)", sorted(rates.items()))

    params = {"start": engagement.period.start, "end": engagement.period.end}
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE attr_opps_all AS
        WITH contact_one AS (
            SELECT contact_id, min({_norm('email')}) AS email, min(created_at) AS created_at
            FROM contacts WHERE contact_id IS NOT NULL GROUP BY contact_id
        ), won AS (
            SELECT opportunity_id, bool_or(verified) AS verified, bool_or(currency_excluded) AS currency_excluded,
                   max(amount_converted) AS revenue
            FROM ({won_sql(engagement)}) GROUP BY opportunity_id
        ), flagged AS (
            SELECT o.opportunity_id, o.account_id, o.contact_id, o.created_at AS opp_created_at,
                   c.email AS contact_email, c.created_at AS lead_created_at, o.close_date,
                   {is_won('o', engagement)} AS won,
                   coalesce(o.is_closed, lower(trim(o.stage)) LIKE 'closed%') AS closed,
                   coalesce(w.verified, false) AS verified, coalesce(w.currency_excluded, false) AS currency_excluded,
                   coalesce(w.revenue, 0.0) AS revenue
            FROM opportunities o
            LEFT JOIN contact_one c ON c.contact_id = o.contact_id
            LEFT JOIN won w ON w.opportunity_id = o.opportunity_id
        )
        SELECT o.*,
            CASE
                WHEN verified THEN 'converting'
                WHEN won AND currency_excluded THEN 'missing_rate'
                WHEN won THEN 'unverified_won'
                WHEN closed AND o.close_date BETWEEN $start AND $end THEN 'non_converting'
                WHEN NOT closed AND coalesce(o.opp_created_at::DATE <= $end, true) THEN 'non_converting'
                ELSE 'out_of_period'
            END AS role,
            CASE WHEN closed OR won THEN o.close_date ELSE $end END AS anchor_date
        FROM flagged o
        """,
        params,
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE attr_opps AS
        SELECT row_number() OVER (ORDER BY opportunity_id) AS opp, *, role = 'converting' AS converts
        FROM attr_opps_all WHERE role IN ('converting', 'non_converting') AND anchor_date IS NOT NULL
        """
    )
    rows = con.execute("SELECT role, count(*) FROM attr_opps_all GROUP BY role").fetchall()
    return {role: int(n) for role, n in rows}


def build_events(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> dict[str, int]:
    """Create ``attr_events`` and return counts of the rows used and set aside.

    The table's rowid serves as ``ev``, a unique event number in no particular
    order, because row_number() over millions of rows runs on one thread. ``seq`` orders
    events by time to the second, and events in the same second by a hash of
    their content, so the same input gives the same order without a global
    sort. ``email`` is the event's email, else its contact's. ``accounts``
    lists the accounts of the event's contact by contact_id and by email,
    besides the event's own ``account_id``.

    Touches take their channel label (see build_channel_labels) from the
    touch, else from its campaign, else "unknown". Activities that took place form the channel "sales activity"
    with the touch type "activity: <activity_type>". Only events that can fall
    in some path's lookback window are kept.
    """
    lookback = int(engagement.attribution.lookback_days)
    window = con.execute("SELECT min(anchor_date), max(anchor_date) FROM attr_opps").fetchone()
    first_day, last_day = window if window[0] is not None else (engagement.period.start, engagement.period.end)
    skipped_sql = ", ".join(f"'{status}'" for status in SKIPPED_ACTIVITY_STATUSES)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE attr_events AS
        WITH contact_rows AS (
            SELECT contact_id, {_norm('email')} AS email, account_id FROM contacts
        ), email_accounts AS (
            SELECT email, list(DISTINCT account_id) AS accounts FROM contact_rows
            WHERE email IS NOT NULL AND account_id IS NOT NULL GROUP BY email
        ), contact_email AS (
            SELECT contact_id, min(email) AS email FROM contact_rows WHERE contact_id IS NOT NULL GROUP BY contact_id
        ), contact_pairs AS (
            SELECT contact_id, account_id FROM contact_rows WHERE contact_id IS NOT NULL AND account_id IS NOT NULL
            UNION
            SELECT ce.contact_id, cr.account_id FROM contact_email ce JOIN contact_rows cr ON cr.email = ce.email
            WHERE cr.account_id IS NOT NULL
        ), contact_one AS (
            -- A contact's accounts: those of its contact_id and those of its email.
            SELECT ce.contact_id, ce.email, p.accounts FROM contact_email ce
            LEFT JOIN (SELECT contact_id, list(account_id) AS accounts FROM contact_pairs GROUP BY contact_id) p
                ON p.contact_id = ce.contact_id
        ), campaign_one AS (
            SELECT k.campaign_id, min(l.label) AS channel FROM campaigns k
            JOIN attr_channels l ON l.spelling = trim(k.channel)
            WHERE k.campaign_id IS NOT NULL GROUP BY k.campaign_id
        ), raw AS (
            SELECT 'touch' AS source, t.touch_id AS event_id, t.occurred_at,
                   coalesce(l.label, cp.channel, 'unknown') AS channel,
                   t.campaign_id, coalesce({_norm('t.touch_type')}, 'unknown') AS touch_type,
                   t.contact_id, {_norm('t.contact_email')} AS email, t.account_id,
                   CAST(NULL AS VARCHAR) AS opportunity_id
            FROM touches t
            LEFT JOIN attr_channels l ON l.spelling = trim(t.channel)
            LEFT JOIN campaign_one cp ON cp.campaign_id = t.campaign_id
        UNION ALL
            SELECT 'activity', a.activity_id, a.occurred_at, '{ACTIVITY_CHANNEL}', a.campaign_id,
                   'activity: ' || coalesce({_norm('a.activity_type')}, 'other'),
                   a.contact_id, {_norm('a.contact_email')}, a.account_id, a.opportunity_id
            FROM activities a
            WHERE coalesce({_norm('a.status')}, '') NOT IN ({skipped_sql})
        )
        , resolved AS (
            SELECT r.*, coalesce(r.email, c.email) AS resolved_email, c.email AS contact_email, c.accounts AS contact_accounts
            FROM raw r LEFT JOIN contact_one c ON c.contact_id = r.contact_id
        )
        SELECT epoch(r.occurred_at)::BIGINT * {SEQ_SPAN}
                   + (hash(r.source, r.event_id, r.channel, r.campaign_id, r.touch_type) % {SEQ_SPAN})::BIGINT AS seq,
               r.occurred_at, r.channel, r.campaign_id,
               r.touch_type, r.contact_id, r.resolved_email AS email, r.opportunity_id,
               r.account_id,
               -- The contact's list already has its email's accounts, so most rows
               -- skip the costly per-row list operations.
               CASE WHEN r.email IS NULL OR r.email = r.contact_email THEN r.contact_accounts
                    ELSE list_distinct(list_concat(r.contact_accounts, m.accounts)) END AS accounts
        FROM resolved r LEFT JOIN email_accounts m ON m.email = r.email
        WHERE r.occurred_at::DATE BETWEEN $first_day::DATE - $lookback AND $last_day
        """,
        {"first_day": first_day, "last_day": last_day, "lookback": lookback},
    )
    counts = con.execute(
        f"""
        SELECT
            (SELECT count(*) FROM touches) AS touches,
            (SELECT count(*) FROM touches WHERE occurred_at IS NULL) AS touches_without_time,
            (SELECT count(*) FROM activities) AS activities,
            (SELECT count(*) FROM activities WHERE coalesce({_norm('status')}, '') IN ({skipped_sql}))
                AS activities_not_held,
            (SELECT count(*) FROM activities WHERE occurred_at IS NULL) AS activities_without_time,
            (SELECT count(*) FROM attr_events) AS events_in_window
        """
    ).fetchone()
    names = ["touches", "touches_without_time", "activities", "activities_not_held", "activities_without_time", "events_in_window"]
    return dict(zip(names, (int(n) for n in counts)))


def build_paths(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> None:
    """Create ``attr_path``: every event linked to an opportunity in its window.

    An event links to an opportunity when its opportunity_id is the
    opportunity's, its contact (by contact_id or by trimmed, case-folded email)
    is the opportunity's contact or belongs to the opportunity's account, or its
    account_id is the opportunity's. The window runs from ``lookback_days``
    days before the anchor date to the anchor date, both days included.
    """
    lookback = int(engagement.attribution.lookback_days)
    in_window = "e.occurred_at::DATE BETWEEN o.anchor_date - $lookback AND o.anchor_date"
    by_account = "(coalesce(e.account_id = o.account_id, false) OR coalesce(list_contains(e.accounts, o.account_id), false))"
    by_opportunity = "coalesce(e.opportunity_id = o.opportunity_id, false)"
    by_contact = "coalesce(e.contact_id = o.contact_id, false)"
    columns = "e.rowid AS ev, e.seq, e.occurred_at, e.channel, e.campaign_id, e.touch_type"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE attr_path AS
        WITH contact_accounts AS (
            SELECT {columns}, e.account_id AS own_account_id, unnest(e.accounts) AS account_id FROM attr_events e
        )
        -- Each branch skips the pairs that an earlier branch links, so UNION ALL
        -- gives each (opportunity, event) pair once without a costly DISTINCT.
        SELECT o.opp, {columns}, o.converts FROM attr_events e JOIN attr_opps o ON e.account_id = o.account_id
        WHERE {in_window}
        UNION ALL
        SELECT o.opp, e.ev, e.seq, e.occurred_at, e.channel, e.campaign_id, e.touch_type, o.converts
        FROM contact_accounts e JOIN attr_opps o ON e.account_id = o.account_id
        WHERE {in_window} AND NOT coalesce(e.own_account_id = o.account_id, false)
        UNION ALL
        SELECT o.opp, {columns}, o.converts FROM attr_events e JOIN attr_opps o ON e.opportunity_id = o.opportunity_id
        WHERE {in_window} AND NOT {by_account}
        UNION ALL
        SELECT o.opp, {columns}, o.converts FROM attr_events e JOIN attr_opps o ON e.contact_id = o.contact_id
        WHERE {in_window} AND NOT {by_account} AND NOT {by_opportunity}
        UNION ALL
        SELECT o.opp, {columns}, o.converts FROM attr_events e JOIN attr_opps o ON e.email = o.contact_email
        WHERE {in_window} AND NOT {by_account} AND NOT {by_opportunity} AND NOT {by_contact}
        """,
        {"lookback": lookback},
    )
