"""Stale and inconsistent records: idle open deals, orphan contacts, blank fields and picklist variants."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd
from rapidfuzz import fuzz

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
    linked_activities_sql,
    resolved_activities_sql,
    severity_for,
    won_predicate,
)

CHECK_ID = "stale_records"
TITLE = "Stale and inconsistent records"

# Fields the audit needs filled to link and price outcomes, per table.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "opportunities": ("account_id", "owner_id", "amount", "close_date", "created_at", "lead_source"),
    "contacts": ("email", "account_id", "owner_id", "lead_source"),
    "accounts": ("industry", "employees", "owner_id"),
}
# Picklist columns compared for variants of the same value.
PICKLISTS: tuple[tuple[str, str], ...] = (
    ("contacts", "lead_source"),
    ("opportunities", "lead_source"),
    ("opportunities", "stage"),
    ("touches", "channel"),
    ("campaigns", "channel"),
    ("costs", "channel"),
    ("accounts", "industry"),
)


def normalise(value: str) -> str:
    """Lower-case a picklist value and drop everything but letters and digits: "Linked In" -> "linkedin"."""
    return re.sub(r"[^0-9a-z]", "", value.lower())


def variant_groups(values: pd.DataFrame, min_score: float) -> list[dict]:
    """Group distinct values (columns ``value``, ``rows``) that differ only by case, spacing or spelling.

    Values join a group when their normalised forms are equal or score at least
    ``min_score`` with rapidfuzz's ratio. Returns groups of two or more values,
    each with the most frequent value as ``canonical``.
    """
    groups: list[dict] = []
    for value, rows in sorted(zip(values["value"], values["rows"]), key=lambda pair: (-pair[1], str(pair[0]))):
        key = normalise(str(value))
        if not key:
            continue
        for group in groups:
            if key == group["key"] or fuzz.ratio(key, group["key"]) >= min_score:
                group["values"].append({"value": value, "rows": int(rows)})
                break
        else:
            groups.append({"key": key, "values": [{"value": value, "rows": int(rows)}]})
    out = []
    for group in groups:
        if len(group["values"]) < 2:
            continue
        canonical = group["values"][0]
        out.append({"canonical": canonical["value"], "variants": [v["value"] for v in group["values"][1:]],
                    "rows": sum(v["rows"] for v in group["values"]),
                    "variant_rows": sum(v["rows"] for v in group["values"][1:])})
    return out


def stale_opportunities(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> pd.DataFrame:
    """Return open opportunities with their last activity before period end and whether they are stale."""
    period_end = dt.datetime.combine(engagement.period.end + dt.timedelta(days=1), dt.time())
    cutoff = period_end - dt.timedelta(days=engagement.thresholds.stale_days)
    return query(
        con,
        f"""
        WITH open_opps AS (
            SELECT * FROM opportunities o
            WHERE NOT coalesce(o.is_closed, false) AND NOT {won_predicate(engagement)} AND o.stage NOT ILIKE '%closed%'
                  AND o.stage NOT ILIKE '%lost%' AND (o.created_at IS NULL OR o.created_at < ?)
        ),
        acts AS (SELECT * FROM {resolved_activities_sql()} WHERE occurred_at < ?),
        linked AS ({linked_activities_sql("open_opps")})
        SELECT o.opportunity_id, o.stage, max(a.occurred_at) AS last_activity,
               coalesce(max(a.occurred_at) < ?, true) AS stale, any_value(o.source_file) AS source_file,
               any_value(o.source_line) AS source_line
        FROM open_opps o
        LEFT JOIN linked a ON a.opportunity_id = o.opportunity_id
        GROUP BY o.opportunity_id, o.stage ORDER BY stale DESC, last_activity NULLS FIRST, o.opportunity_id
        """,
        [period_end, period_end, cutoff],
    )


def blank_fields(con: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = []
    for table, columns in REQUIRED_FIELDS.items():
        total = count_rows(con, table)
        if total == 0:
            continue
        for column in columns:
            blank = con.execute(
                f"SELECT count(*) FROM {table} WHERE {column} IS NULL OR trim(CAST({column} AS VARCHAR)) = ''"
            ).fetchone()[0]
            rows.append({"table": table, "column": column, "rows": total, "blank": int(blank), "blank_share": blank / total})
    return rows


def picklist_variants(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> tuple[list[dict], int, int]:
    """Return variant groups per picklist, rows carrying a non-canonical variant, and rows with a value."""
    found, variant_rows, valued_rows = [], 0, 0
    for table, column in PICKLISTS:
        values = query(con, f"SELECT {column} AS value, count(*) AS rows FROM {table} WHERE {column} IS NOT NULL GROUP BY 1")
        valued_rows += int(values["rows"].sum()) if len(values) else 0
        for group in variant_groups(values, engagement.thresholds.fuzzy_name_score):
            found.append({"table": table, "column": column, **group})
            variant_rows += group["variant_rows"]
    return found, variant_rows, valued_rows


def check_stale_records(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict) -> Finding:
    """Score = mean over the parts with data of 100 x (1 - share): stale open deals, contacts without
    owner or account, blank required cells, picklist rows carrying a variant spelling."""
    stale = stale_opportunities(con, engagement)
    contacts = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE owner_id IS NULL), "
        "count(*) FILTER (WHERE account_id IS NULL AND NOT coalesce(is_lead, false)), "
        "count(*) FILTER (WHERE owner_id IS NULL OR (account_id IS NULL AND NOT coalesce(is_lead, false))) FROM contacts"
    ).fetchone()
    blanks = blank_fields(con)
    variants, variant_rows, valued_rows = picklist_variants(con, engagement)

    shares = {}
    if len(stale):
        shares["stale open opportunities"] = float(stale["stale"].mean())
    if contacts[0]:
        shares["contacts without owner or account"] = contacts[3] / contacts[0]
    if blanks:
        shares["blank required cells"] = sum(b["blank"] for b in blanks) / sum(b["rows"] for b in blanks)
    if valued_rows:
        shares["picklist rows with a variant spelling"] = variant_rows / valued_rows
    ask = "Which CRM objects can be exported (opportunities, contacts, accounts), and who owns data hygiene?"
    if not shares:
        return not_assessable(CHECK_ID, TITLE, "no opportunities, contacts or accounts were provided", ask)
    score = round(sum(100 * (1 - s) for s in shares.values()) / len(shares), 1)
    status = band_status(engagement, CHECK_ID, score)

    parts = []
    if len(stale):
        parts.append(
            f"{int(stale['stale'].sum())} of {len(stale)} open opportunities ({pct(shares['stale open opportunities'])}) "
            f"had no activity in the {engagement.thresholds.stale_days} days before the period end"
        )
    if contacts[0]:
        parts.append(f"{contacts[1]} of {contacts[0]} contacts and leads have no owner, and {contacts[2]} contacts (not leads) no account")
    if variants:
        examples = "; ".join(f"{v['table']}.{v['column']}: {v['canonical']!r} also written {', '.join(map(repr, v['variants'][:3]))}" for v in variants[:3])
        parts.append(f"{plural(len(variants), 'picklist value')} in use under several spellings ({examples})")
    worst_blank = max(blanks, key=lambda b: b["blank_share"]) if blanks else None
    if worst_blank and worst_blank["blank"]:
        parts.append(f"{worst_blank['table']}.{worst_blank['column']} is blank in {pct(worst_blank['blank_share'])} of rows")
    explanation = ". ".join(p[0].upper() + p[1:] for p in parts) + "."
    return Finding(
        id=CHECK_ID, title=TITLE, status=status, score=score, explanation=explanation,
        recommendation=(
            "Close or update idle open deals, assign owners and accounts to orphan contacts, make the linking fields "
            "required, and merge picklist variants into one value with a validation rule."
        ),
        evidence={"open_opportunities": len(stale), "stale_opportunities": int(stale["stale"].sum()) if len(stale) else 0,
                  "stale_days": engagement.thresholds.stale_days, "contacts": contacts[0],
                  "contacts_without_owner": contacts[1], "contacts_without_account": contacts[2],
                  "picklist_variant_groups": len(variants), "shares": shares},
        evidence_rows=masked_rows(stale[stale["stale"]], engagement) if len(stale) else [],
        severity=severity_for(status), effort_hours=12, owner_role="CRM administrator",
        tables={"picklist_variants": variants, "blank_fields": blanks, "stale_opportunities": records(stale[stale["stale"]].head(50)) if len(stale) else []},
    )
