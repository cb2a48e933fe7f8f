"""Count what happened to the rows of one file and fill its FileReport.

Reads the ``final`` view that ``transform`` builds: one row per record with
``final_reason`` (NULL for used rows), the parsed value ``p_<column>``, the
placeholder flag ``ph_<column>``, the cleaned text ``r_<column>`` of typed
columns, the flag ``sci_<column>`` of id columns and ``_type_other``. All
counts come from one aggregate query; examples are fetched only for columns
with something to show.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import Table
from . import accounting as acc
from . import values as vals
from .accounting import FileReport, Problem

EXAMPLES_PER_COLUMN = 3
PERIOD_COLUMNS = {"activities": "occurred_at", "costs": "date", "opportunities": "close_date", "touches": "occurred_at", "opportunity_history": "changed_at"}
USED = "final_reason IS NULL"
DAMAGED_ID_FIX = "export the file again as CSV and open it without Excel, or format the column as text"


def value_kind(type_: str) -> str:
    """Return the word used in messages for a logical type: number or date for their variants."""
    return {"money": "number", "integer": "number", "timestamp": "date"}.get(type_, type_)


def fix_for(reason: str) -> str | None:
    if reason.startswith("missing required value"):
        return "fill the value in the export, or map another column to it"
    if reason.startswith("unparseable"):
        return "correct the value, or set date_order/decimal for this file in engagement.yaml"
    if reason == acc.DUPLICATE_KEY:
        return "the first row with this key is used; check whether the export repeats records"
    return None


def _quoted(prefix: str, column: str) -> str:
    return f'"{prefix}_{column}"'


def _count_expressions(table: Table, columns: list[str]) -> dict[str, str]:
    """Name -> aggregate SQL for every per-column count, evaluated in one scan."""
    exprs = {"rows_read": "count(*)"}
    for column in columns:
        raw, parsed = _quoted("r", column), _quoted("p", column)
        exprs[f"ph:{column}"] = f'count_if({USED} AND {_quoted("ph", column)})'
        type_ = table.column(column).type
        if type_ == "id":
            exprs[f"sci:{column}"] = f'count_if({USED} AND {_quoted("sci", column)})'
        elif type_ not in ("text", "email"):
            exprs[f"bad:{column}"] = f"count_if({USED} AND {raw} IS NOT NULL AND {parsed} IS NULL)"
        if type_ == "percent":
            exprs[f"censored:{column}"] = f"count_if({USED} AND {vals.censored_sql(raw)})"
    if "activity_type" in columns:
        exprs["other_type"] = f"count_if({USED} AND _type_other)"
    period_column = PERIOD_COLUMNS.get(table.name)
    if period_column:
        exprs["low"] = f'min(CASE WHEN {USED} THEN CAST("{period_column}" AS DATE) END)'
        exprs["high"] = f'max(CASE WHEN {USED} THEN CAST("{period_column}" AS DATE) END)'
    return exprs


def _examples(con: duckdb.DuckDBPyConnection, condition: str, column: str, prefix: str = "r") -> list[tuple]:
    return con.execute(f"SELECT _line, {_quoted(prefix, column)} FROM final WHERE {USED} AND {condition} ORDER BY _line LIMIT {EXAMPLES_PER_COLUMN}").fetchall()


def tally_rows(con: duckdb.DuckDBPyConnection, report: FileReport, table: Table, columns: list[str], aside: pa.Table) -> None:
    """Fill row counts, placeholders, unparseable values, notes and problems of ``report``."""
    exprs = _count_expressions(table, columns)
    values = con.execute(f"SELECT {', '.join(exprs.values())} FROM final").fetchall()[0]
    counts = dict(zip(exprs, values))

    report.rows_read = int(counts["rows_read"])
    reasons = pc.value_counts(aside["reason"]).to_pylist() if aside.num_rows else []
    report.rows_set_aside = {r["values"]: int(r["counts"]) for r in sorted(reasons, key=lambda r: -r["counts"])}
    report.rows_used = report.rows_read - report.set_aside_total()
    notable = aside.filter(pc.not_equal(aside["reason"], acc.BLANK_ROW))
    for row in notable.slice(0, acc.MAX_PROBLEMS).to_pylist():
        report.add_problem(Problem(f"row set aside: {row['reason']}", row["line"], row["column"], row["value"], fix_for(row["reason"])))
    report.problems_not_shown += max(0, notable.num_rows - acc.MAX_PROBLEMS)

    for column in columns:
        if counts[f"ph:{column}"]:
            report.placeholders[column] = int(counts[f"ph:{column}"])
        damaged = counts.get(f"sci:{column}", 0)
        if damaged:
            report.notes.append(f"column {column!r}: {damaged} ids in scientific notation, damaged by Excel; they will not match other files")
            for line, value in _examples(con, _quoted("sci", column), column, prefix="p"):
                report.add_problem(Problem("id damaged by Excel's scientific notation; digits are lost", line, column, value, DAMAGED_ID_FIX))
        bad = counts.get(f"bad:{column}", 0)
        if bad:
            report.values_read_as_missing[column] = int(bad)
            kind = value_kind(table.column(column).type)
            condition = f"{_quoted('r', column)} IS NOT NULL AND {_quoted('p', column)} IS NULL"
            for line, value in _examples(con, condition, column):
                report.add_problem(Problem(f"{kind} value could not be parsed; read as missing", line, column, value, "correct the value in the export or map another column"))
        censored = counts.get(f"censored:{column}", 0)
        if censored:
            report.notes.append(f"column {column!r}: {censored} censored values such as '< 10%' read as missing")
    if counts.get("other_type"):
        report.notes.append(f"column 'activity_type': {counts['other_type']} values outside the known vocabulary read as 'other'; add them to the profile's values map")

    if "currency" in table.column_names:
        report.currencies = [r[0] for r in con.execute(f"SELECT DISTINCT currency FROM final WHERE {USED} AND currency IS NOT NULL ORDER BY 1").fetchall()]
        if len(report.currencies) > 1:
            report.notes.append(f"mixed currencies {', '.join(report.currencies)}: convert with finance.fx_rates before summing")
    if counts.get("low") is not None:
        report.date_range = [counts["low"].isoformat(), counts["high"].isoformat()]
