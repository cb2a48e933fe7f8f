"""Stale and inconsistent records: idle open deals, orphan contacts, blank fields and picklist variants."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd
from rapidfuzz import fuzz

from ..config import Engagement
from ..findings import Finding, not_assessable
from ..outcomes import present
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
    tolerance_score,
    weakest_part,
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
# Largest shares a CRM administrator would still accept, each scoring 70 (the default pass line).
# NOTE: these are judgement calls from CRM hygiene practice, not an industry standard.
TOLERABLE_SHARES: dict[str, float] = {
    "stale open opportunities": 0.10,
    "contacts without owner or account": 0.05,
    "blank required cells": 0.10,
    "picklist rows with a variant spelling": 0.05,
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


def open_predicate(engagement: Engagement) -> str:
    """SQL condition for an open opportunity created before the period end; binds one parameter: that end."""
    return (
        f"NOT coalesce(o.is_closed, false) AND NOT {won_predicate(engagement)} AND o.stage NOT ILIKE '%closed%' "
        "AND o.stage NOT ILIKE '%lost%' AND (o.created_at IS NULL OR o.created_at < ?)"
    )


def open_opportunity_count(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> int:
    period_end = dt.datetime.combine(engagement.period.end + dt.timedelta(days=1), dt.time())
    return int(con.execute(f"SELECT count(*) FROM opportunities o WHERE {open_predicate(engagement)}", [period_end]).fetchone()[0])


def stale_opportunities(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> pd.DataFrame:
    """Return open opportunities with their last activity before period end and whether they are stale."""
    period_end = dt.datetime.combine(engagement.period.end + dt.timedelta(days=1), dt.time())
    cutoff = period_end - dt.timedelta(days=engagement.thresholds.stale_days)
    return query(
        con,
        f"""
        WITH open_opps AS (SELECT * FROM opportunities o WHERE {open_predicate(engagement)}),
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


def exported_columns(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> list[str]:
    """Return the columns of ``table`` with at least one non-blank value.

    A column blank in every row was not exported, so its blanks show nothing about data entry.
    """
    if not columns:
        return []
    counts = con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {present(c)})" for c in columns) + f" FROM {table}"
    ).fetchone()
    return [column for column, filled in zip(columns, counts) if filled]


def blank_fields(con: duckdb.DuckDBPyConnection) -> tuple[list[dict], list[str]]:
    """Return blank counts for exported required fields, and the required fields not in the export."""
    rows, not_exported = [], []
    for table, columns in REQUIRED_FIELDS.items():
        total = count_rows(con, table)
        if total == 0:
            continue
        exported = exported_columns(con, table, columns)
        not_exported += [f"{table}.{column}" for column in columns if column not in exported]
        for column in exported:
            blank = con.execute(f"SELECT count(*) FROM {table} WHERE NOT {present(column)}").fetchone()[0]
            rows.append({"table": table, "column": column, "rows": total, "blank": int(blank), "blank_share": blank / total})
    return rows, not_exported


def orphan_contacts(con: duckdb.DuckDBPyConnection) -> dict:
    """Count contacts and leads without an owner, and contacts (not leads) without an account.

    A side whose column is blank in every row was not exported and is left out.
    """
    total = count_rows(con, "contacts")
    exported = exported_columns(con, "contacts", ("owner_id", "account_id")) if total else []
    no_owner = "NOT " + present("owner_id") if "owner_id" in exported else "false"
    no_account = f"(NOT {present('account_id')} AND NOT coalesce(is_lead, false))" if "account_id" in exported else "false"
    without_owner, without_account, orphans = con.execute(
        f"SELECT count(*) FILTER (WHERE {no_owner}), count(*) FILTER (WHERE {no_account}), "
        f"count(*) FILTER (WHERE {no_owner} OR {no_account}) FROM contacts"
    ).fetchone()
    return {"contacts": total, "columns": exported, "without_owner": int(without_owner),
            "without_account": int(without_account), "orphans": int(orphans)}


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
    """Score the weakest part judged: stale open deals, orphan contacts, blank required cells, picklist variants.

    Each part scores max(0, 100 - 30 x share / its TOLERABLE_SHARES entry). A part
    whose data was not exported is left out and named in the explanation.
    """
    has_activities = count_rows(con, "activities") > 0
    stale = stale_opportunities(con, engagement) if has_activities else pd.DataFrame()
    open_deals = len(stale) if has_activities else open_opportunity_count(con, engagement)
    contacts = orphan_contacts(con)
    blanks, not_exported = blank_fields(con)
    variants, variant_rows, valued_rows = picklist_variants(con, engagement)

    shares = {}
    if len(stale):
        shares["stale open opportunities"] = float(stale["stale"].mean())
    if contacts["contacts"] and contacts["columns"]:
        shares["contacts without owner or account"] = contacts["orphans"] / contacts["contacts"]
    if blanks:
        shares["blank required cells"] = sum(b["blank"] for b in blanks) / sum(b["rows"] for b in blanks)
    if valued_rows:
        shares["picklist rows with a variant spelling"] = variant_rows / valued_rows
    left_out = []
    if open_deals and not has_activities:
        left_out.append(
            f"Staleness of the {open_deals} open opportunities was not judged, because no activities were exported"
        )
    if not_exported:
        left_out.append(f"Not in the export and left out (blank in every row): {', '.join(not_exported)}")

    ask = (
        "Can the CRM export activities (calls, emails, meetings with their dates) and the opportunity, contact and "
        "account fields for owner, account and lead source, and who owns data hygiene?"
    )
    if not shares:
        missing = "no opportunities with activities, contacts or accounts with their required fields were exported"
        finding = not_assessable(CHECK_ID, TITLE, missing, ask)
        if left_out:
            finding.explanation += " " + ". ".join(left_out) + "."
        finding.evidence = {"not_exported": not_exported, "open_opportunities": open_deals, "activities_exported": has_activities}
        return finding

    part_scores = {name: tolerance_score(share, TOLERABLE_SHARES[name]) for name, share in shares.items()}
    weakest, weakest_score = weakest_part(part_scores)
    score = round(weakest_score, 1)
    status = band_status(engagement, CHECK_ID, score)

    parts = []
    if len(stale):
        parts.append(
            f"{int(stale['stale'].sum())} of {len(stale)} open opportunities ({pct(shares['stale open opportunities'])}) "
            f"had no activity in the {engagement.thresholds.stale_days} days before the period end"
        )
    if "contacts without owner or account" in shares:
        sides = []
        if "owner_id" in contacts["columns"]:
            sides.append(f"{contacts['without_owner']} of {contacts['contacts']} contacts and leads have no owner")
        if "account_id" in contacts["columns"]:
            sides.append(f"{contacts['without_account']} contacts (not leads) have no account")
        parts.append(", and ".join(sides))
    if variants:
        examples = "; ".join(f"{v['table']}.{v['column']}: {v['canonical']!r} also written {', '.join(map(repr, v['variants'][:3]))}" for v in variants[:3])
        parts.append(f"{plural(len(variants), 'picklist value')} in use under several spellings ({examples})")
    worst_blank = max(blanks, key=lambda b: b["blank_share"]) if blanks else None
    if worst_blank and worst_blank["blank"]:
        parts.append(f"{worst_blank['table']}.{worst_blank['column']} is blank in {pct(worst_blank['blank_share'])} of rows")
    parts += left_out
    parts.append(
        f"The score rests on the weakest part judged, {weakest} ({pct(shares[weakest])}, "
        f"{weakest_score:.0f} of 100). That part scores 70, the default pass line, at {pct(TOLERABLE_SHARES[weakest])}"
    )
    explanation = ". ".join(p[0].upper() + p[1:] for p in parts) + "."
    stale_rows = stale[stale["stale"]] if len(stale) else stale
    return Finding(
        id=CHECK_ID, title=TITLE, status=status, score=score, explanation=explanation,
        recommendation=(
            "Close or update idle open deals, assign owners and accounts to orphan contacts, make the linking fields "
            "required, and merge picklist variants into one value with a validation rule."
        ),
        evidence={"open_opportunities": open_deals, "stale_opportunities": int(stale["stale"].sum()) if len(stale) else 0,
                  "activities_exported": has_activities,
                  "stale_days": engagement.thresholds.stale_days, "contacts": contacts["contacts"],
                  "contacts_without_owner": contacts["without_owner"], "contacts_without_account": contacts["without_account"],
                  "picklist_variant_groups": len(variants), "shares": shares, "part_scores": part_scores,
                  "weakest_part": weakest, "not_exported": not_exported},
        evidence_rows=masked_rows(stale_rows, engagement) if len(stale) else [],
        severity=severity_for(status), effort_hours=12, owner_role="CRM administrator",
        tables={"picklist_variants": variants, "blank_fields": blanks,
                "stale_opportunities": records(stale_rows.head(50)) if len(stale) else []},
    )
