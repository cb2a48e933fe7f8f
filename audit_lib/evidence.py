"""The evidence workbook (``evidence.xlsx``) handed over with the report.

Sheets: ``Summary`` (engagement, headline metrics, findings), one sheet per
finding with the rows behind it, ``Outcomes`` (example verified and
unverified rows) and ``Intake`` (row accounting per export). Personal data is
masked unless the engagement sets ``report.show_personal_data``. Every text
cell that a spreadsheet would run as a formula is stored as text with a
leading single quote.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from .masking import mask_row

# Leading characters that make Excel, LibreOffice or Sheets evaluate a cell.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767  # Excel's limit on the characters in one cell
MAX_SHEET_TITLE = 31
INVALID_TITLE_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
# NOTE: a guessed cap, not measured, to keep the workbook quick to open. A note row counts the rows past it.
MAX_TABLE_ROWS = 100_000
LINEAGE = ("source_file", "source_line")
BOLD = Font(bold=True)


def safe_cell_value(value: Any) -> Any:
    """Convert a JSON value into a cell value that no spreadsheet runs as a formula.

    Numbers and booleans stay as they are (NaN and infinity become empty),
    lists and dicts become JSON text, and text starting with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets a leading single quote.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and not math.isfinite(value) else value
    if isinstance(value, (dict, list, tuple)):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    # openpyxl rejects control characters other than tab, line feed and carriage return.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "\u2026"
    return text


def sheet_title(name: str, used: set[str]) -> str:
    """Make a valid, unique sheet title and record it in ``used`` (lower-case).

    Excel allows at most 31 characters, none of ``[]:*?/\\``, no leading or
    trailing apostrophe, and compares titles case-insensitively.
    """
    base = INVALID_TITLE_CHARS.sub("_", str(name)).strip().strip("'")[:MAX_SHEET_TITLE] or "Sheet"
    if base.lower() == "history":  # reserved by Excel
        base = "History_"
    title, number = base, 2
    while title.lower() in used:
        suffix = f"~{number}"
        title = base[: MAX_SHEET_TITLE - len(suffix)] + suffix
        number += 1
    used.add(title.lower())
    return title


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    # Nested values become JSON text first so masking scrubs emails inside them too.
    return {str(k): json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (dict, list)) else v for k, v in row.items()}


def _masked(rows: Iterable[dict[str, Any]], show_personal_data: bool) -> list[dict[str, Any]]:
    return [mask_row(_flat(row), show_personal_data) for row in rows]


def _columns(rows: list[dict[str, Any]], first: Iterable[str] = ()) -> list[str]:
    columns = list(first)
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    return columns


class _SheetWriter:
    """Append titled sections to one worksheet, every cell made safe."""

    def __init__(self, ws: Worksheet, show_personal_data: bool):
        self.ws = ws
        self.show = show_personal_data
        self.empty = True

    def line(self, values: Iterable[Any], bold: bool = False) -> None:
        self.ws.append([safe_cell_value(v) for v in values])
        self.empty = False
        if bold:
            for cell in self.ws[self.ws.max_row]:
                cell.font = BOLD

    def heading(self, text: str) -> None:
        if not self.empty:
            self.ws.append([])
        self.line([text], bold=True)

    def pairs(self, mapping: dict[str, Any]) -> None:
        masked = mask_row(_flat(mapping), self.show)
        for key, value in masked.items():
            self.line([key, value])

    def table(self, rows: list[Any], first: Iterable[str] = ()) -> None:
        dict_rows = [r if isinstance(r, dict) else {"value": r} for r in rows]
        masked = _masked(dict_rows, self.show)
        if not masked:
            self.line(["(no rows)"])
            return
        columns = _columns(masked, first)
        self.line(columns, bold=True)
        for row in masked[:MAX_TABLE_ROWS]:
            self.line([row.get(c) for c in columns])
        if len(masked) > MAX_TABLE_ROWS:
            self.line([f"{len(masked) - MAX_TABLE_ROWS} more rows not written (limit {MAX_TABLE_ROWS} per table)"])


def _section(results: dict[str, Any], key: str) -> dict[str, Any]:
    value = results.get(key)
    return value if isinstance(value, dict) else {}


HEADLINE_METRICS = (
    ("cost", "total", "sales and marketing cost"),
    ("efficiency", "bookings", "new bookings"),
    ("efficiency", "ratio", "sales efficiency ratio"),
    ("cac", "value", "CAC"),
    ("cac_payback_months", "value", "CAC payback (months)"),
    ("magic_number", "latest", "magic number (latest quarter)"),
)


def _headline_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """Pick the single-figure metrics shown on the summary sheet, with the reason when not assessable."""
    picked: dict[str, Any] = {}
    for key, field, label in HEADLINE_METRICS:
        section = metrics.get(key)
        if not isinstance(section, dict):
            continue
        picked[label] = section.get(field)
        status = section.get("status")
        if status not in (None, "ok") and f"{key} status" not in picked:
            picked[f"{key} status"] = f"{status}: {section.get('reason') or 'no reason given'}"
    return picked


def _labelled_rows(data: Any, labels: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    """Flatten nested {label: ... [rows]} data into rows that carry their labels."""
    names = ("outcome_type", "group")
    prefix = {names[i] if i < len(names) else f"label_{i + 1}": label for i, label in enumerate(labels)}
    if isinstance(data, list):
        for item in data:
            yield {**prefix, **item} if isinstance(item, dict) else {**prefix, "value": item}
    elif isinstance(data, dict):
        if all(not isinstance(v, (dict, list)) for v in data.values()):
            yield {**prefix, **data}
            return
        for key, value in data.items():
            yield from _labelled_rows(value, (*labels, str(key)))


def _intake_rows(files: list[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Return one row per export plus a total row, and the column order.

    Each reason for setting rows aside gets its own column, 0 where a file
    has none, and ``balanced`` states rows_read == rows_used + rows set aside.
    """
    entries = [e for e in files if isinstance(e, dict)]
    reasons: list[str] = []
    for entry in entries:
        aside = entry.get("rows_set_aside")
        if isinstance(aside, dict):
            reasons.extend(str(r) for r in aside if str(r) not in reasons)

    rows = []
    totals = {"path": "total", "rows_read": 0, "rows_used": 0, "rows_set_aside": 0}
    for entry in entries:
        aside = entry.get("rows_set_aside") if isinstance(entry.get("rows_set_aside"), dict) else {}
        counts = {str(r): c for r, c in aside.items() if isinstance(c, (int, float)) and not isinstance(c, bool)}
        row = {k: v for k, v in entry.items() if k != "rows_set_aside"}
        row["rows_set_aside"] = sum(counts.values())
        for reason in reasons:
            row[f"set aside: {reason}"] = counts.get(reason, 0)
            totals[f"set aside: {reason}"] = totals.get(f"set aside: {reason}", 0) + counts.get(reason, 0)
        read, used = entry.get("rows_read"), entry.get("rows_used")
        if isinstance(read, int) and isinstance(used, int):
            row["balanced"] = read == used + row["rows_set_aside"]
            totals["rows_read"] += read
            totals["rows_used"] += used
        totals["rows_set_aside"] += row["rows_set_aside"]
        rows.append(row)
    if rows:
        totals["balanced"] = totals["rows_read"] == totals["rows_used"] + totals["rows_set_aside"]
        rows.append(totals)
    columns = ["path", "table", "rows_read", "rows_used", "rows_set_aside", *(f"set aside: {r}" for r in reasons), "balanced"]
    return rows, columns


def _write_summary(ws: Worksheet, results: dict[str, Any], finding_sheets: list[tuple[dict, str]], show: bool) -> None:
    out = _SheetWriter(ws, show)
    engagement = _section(results, "engagement")
    period = engagement.get("period") if isinstance(engagement.get("period"), dict) else {}
    out.heading("Engagement")
    out.pairs({
        "name": engagement.get("name"),
        "client": engagement.get("client"),
        "period start": period.get("start"),
        "period end": period.get("end"),
        "currency": engagement.get("currency"),
        "generated at": results.get("generated_at"),
    })
    overall = _section(results, "overall")
    out.heading("Overall")
    out.pairs({"score": overall.get("score"), "band": overall.get("band")})

    metrics = _section(results, "metrics")
    out.heading("Metrics")
    out.pairs(_headline_metrics(metrics))
    outcomes = metrics.get("outcomes") if isinstance(metrics.get("outcomes"), list) else []
    out.heading("Outcomes (cost per outcome uses verified counts)")
    columns = ("type", "label", "claimed", "verified", "unverified", "cost", "cost_per_outcome", "status", "reason")
    out.table([{c: o.get(c) for c in columns} for o in outcomes if isinstance(o, dict)])

    out.heading("Findings")
    out.line(["id", "title", "status", "score", "severity", "basis", "sheet"], bold=True)
    for finding, title in finding_sheets:
        out.line([finding.get(k) for k in ("id", "title", "status", "score", "severity", "basis")] + [title])
        link = ws.cell(row=ws.max_row, column=7)
        # An internal link (location, no target) opens the finding's sheet.
        link.hyperlink = Hyperlink(ref=link.coordinate, location="'" + title.replace("'", "''") + "'!A1")
        link.style = "Hyperlink"


def _write_finding(ws: Worksheet, finding: dict[str, Any], show: bool) -> None:
    out = _SheetWriter(ws, show)
    out.heading(f"{finding.get('id')}: {finding.get('title')}")
    keys = ("status", "score", "severity", "basis", "explanation", "recommendation", "interview_question", "effort_hours", "owner_role")
    out.pairs({k: finding.get(k) for k in keys if finding.get(k) is not None})
    evidence = finding.get("evidence")
    if isinstance(evidence, dict) and evidence:
        out.heading("Evidence figures")
        out.pairs(evidence)
    rows = finding.get("evidence_rows")
    out.heading("Evidence rows")
    out.table(rows if isinstance(rows, list) else [], first=LINEAGE)
    tables = finding.get("tables")
    for name, table_rows in (tables.items() if isinstance(tables, dict) else []):
        out.heading(f"Table: {name}")
        out.table(table_rows if isinstance(table_rows, list) else [table_rows])


def write_evidence_workbook(results: dict[str, Any], path: Path) -> Path:
    """Write the evidence workbook for one run's results and return its path.

    Missing sections give empty tables, never an error.
    """
    path = Path(path)
    show = bool(_section(results, "engagement").get("show_personal_data", False))
    workbook = Workbook()
    used: set[str] = set()
    summary = workbook.active
    summary.title = sheet_title("Summary", used)

    findings = [f for f in results.get("findings") or [] if isinstance(f, dict)]
    finding_sheets = []
    for finding in findings:
        title = sheet_title(str(finding.get("id") or "finding"), used)
        _write_finding(workbook.create_sheet(title), finding, show)
        finding_sheets.append((finding, title))
    _write_summary(summary, results, finding_sheets, show)

    outcomes = _SheetWriter(workbook.create_sheet(sheet_title("Outcomes", used)), show)
    outcomes.heading("Example verified and unverified outcome rows")
    outcome_rows = list(_labelled_rows(_section(results, "metrics").get("verified_rows")))
    labels = [c for c in ("outcome_type", "group") if any(c in row for row in outcome_rows)]
    outcomes.table(outcome_rows, first=(*labels, *LINEAGE))

    intake = _SheetWriter(workbook.create_sheet(sheet_title("Intake", used)), show)
    intake.heading("Row accounting per export: rows read = rows used + rows set aside")
    files = _section(results, "intake").get("files")
    intake_rows, intake_columns = _intake_rows(files if isinstance(files, list) else [])
    intake.table(intake_rows, first=intake_columns)

    for ws in workbook.worksheets:
        for column in ws.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
