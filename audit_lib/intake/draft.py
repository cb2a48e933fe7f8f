"""Draft an engagement from a bare folder of exports, and the ``validate`` command."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table as RichTable

from ..config import CONFIG_NAME, Engagement, FileSpec, Period, load_engagement
from ..errors import InputFileError
from .accounting import IntakeReport

EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
SKIPPED_NAMES = ("intake.json", "results.json")


def find_exports(folder: Path) -> list[Path]:
    """Return the export files under a folder and its subfolders, sorted by relative path.

    Hidden files and folders and Excel lock files (``~$...``) are skipped.
    """
    found = []
    for path in folder.rglob("*"):
        parts = path.relative_to(folder).parts
        if any(part.startswith(".") for part in parts) or not path.is_file():
            continue
        if path.suffix.lower() in EXPORT_SUFFIXES and not path.name.startswith("~$") and path.name not in SKIPPED_NAMES:
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def draft_engagement(folder: Path) -> Engagement:
    """Build an Engagement for a folder of exports with no engagement.yaml.

    Profiles, tables and mappings are detected from each file's header. The
    period spans the dates found in the data (today's year when none are
    found), and the currency is the one found in the data, else USD.
    """
    from . import read_file

    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise InputFileError("folder not found", file=str(folder), fix="pass a folder that contains the client's exports")
    exports = find_exports(folder)
    if not exports:
        raise InputFileError("no CSV, TSV or XLSX exports found", file=str(folder), fix="put the client's exports in this folder")
    today = dt.date.today()
    probe = Engagement(name=folder.name, client=folder.name, period=Period(start=dt.date(today.year, 1, 1), end=today), root=folder)
    specs, lows, highs, currencies = [], [], [], []
    for path in exports:
        relative = path.relative_to(folder).as_posix()
        spec = FileSpec(path=relative)
        try:
            report, _, _ = read_file(probe, spec)
        except InputFileError:
            specs.append(spec)  # kept so validation reports why it cannot be used
            continue
        specs.append(FileSpec(path=relative, table=report.table, profile=None if report.profile == "generic" else report.profile))
        if report.date_range:
            lows.append(report.date_range[0])
            highs.append(report.date_range[1])
        currencies.extend(report.currencies)
    period = Period(start=dt.date.fromisoformat(min(lows)), end=dt.date.fromisoformat(max(highs))) if lows else probe.period
    found = sorted(set(currencies))
    currency = found[0] if len(found) == 1 else "USD"
    return Engagement(name=folder.name, client=folder.name, period=period, currency=currency, files=specs, root=folder)


def write_draft(engagement: Engagement, report: IntakeReport | None, path: Path) -> Path | None:
    """Write a commented engagement.yaml for review. An existing file is never overwritten."""
    path = Path(path)
    if path.exists():
        return None

    by_path = {f.path: f for f in report.files} if report else {}
    lines = [
        "# Drafted by stack-audit from the exports in this folder. Review every line:",
        "# the period comes from the dates in the data, tables and columns were detected",
        "# from the headers. Edit it and run 'stack-audit validate' again.",
        f"name: {_scalar(engagement.name)}",
        f"client: {_scalar(engagement.client)}",
        "period:",
        f"  start: {engagement.period.start.isoformat()}",
        f"  end: {engagement.period.end.isoformat()}",
        f"currency: {engagement.currency}",
    ]
    usable = [s for s in engagement.files if s.path not in by_path or by_path[s.path].usable]
    lines.append("files:" if usable else "files: []  # no export could be used; see the comments below")

    for spec in engagement.files:
        file_report = by_path.get(spec.path)
        if file_report is not None and not file_report.usable:
            # Left commented out so the audit runs on the usable files.
            reason = file_report.problems[0].message if file_report.problems else "cannot be used"
            lines.append(f"  # - path: {_scalar(spec.path)}")
            lines.append(f"  #   NOT USABLE: {_printable(reason)}")
            continue
        lines.append(f"  - path: {_scalar(spec.path)}")
        if spec.table:
            lines.append(f"    table: {spec.table}")
        if spec.profile:
            lines.append(f"    profile: {spec.profile}")
        if file_report is not None and file_report.mapping:
            lines.append("    columns:  # export header: canonical column (confidence, how it was decided)")
            for m in file_report.mapping:
                lines.append(f"      {_scalar(m['header'])}: {m['column']}  # {m['confidence']:.2f} {m['method']}")
        if file_report is not None and file_report.unmapped_columns:
            lines.append(f"    # unmapped: {_printable(', '.join(file_report.unmapped_columns))}")

    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # the draft must load; a failure here is a bug
    path.write_text(text, encoding="utf-8")
    return path


def _printable(text: str) -> str:
    """Replace control characters, which YAML does not allow even in comments."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False) if not value.replace("_", "").replace("-", "").replace(".", "").isalnum() else value


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK)


def validate_folder(folder: Path, out_path: Path | None, console: Console) -> IntakeReport:
    """Run intake on an engagement or a bare folder, print a summary and write intake.json."""
    from . import collect_intake

    folder = Path(folder)
    if not folder.exists():
        raise InputFileError("folder not found", file=str(folder), fix="pass an engagement folder or a folder of exports")
    drafted = not (folder / CONFIG_NAME).exists() and folder.is_dir()
    engagement = draft_engagement(folder) if drafted else load_engagement(folder)
    if not drafted and not engagement.files:
        # As `run` does: an engagement fresh from `init` lists no files, so detect its exports.
        engagement.files = draft_engagement(engagement.root).files
        console.print("engagement.yaml lists no files; reading the exports found under the folder.")
    root = engagement.root
    with tempfile.TemporaryDirectory(prefix="stack-audit-validate-") as cache:
        report, _ = collect_intake(engagement, Path(cache))
    print_summary(report, console)

    target = Path(out_path) if out_path else root / "intake.json"
    if out_path is None and not _writable(root):
        target = Path.cwd() / "intake.json"
        console.print(f"{root} is read-only; writing intake.json to the current folder instead.")
    target.write_text(json.dumps(report.to_dict(), indent=2, default=str), encoding="utf-8")
    console.print(f"Wrote {target}")
    if drafted:
        draft_path = root / CONFIG_NAME
        if _writable(root) and write_draft(engagement, report, draft_path):
            console.print(f"Drafted {draft_path}; review it before running the audit.")
        elif not _writable(root):
            fallback = Path.cwd() / CONFIG_NAME
            if write_draft(engagement, report, fallback):
                console.print(f"{root} is read-only; drafted {fallback} instead (copy it next to the exports).")
    return report


def print_summary(report: IntakeReport, console: Console) -> None:
    grid = RichTable(title="Intake", show_lines=False)
    for name in ("file", "table", "profile", "read", "used", "set aside", "problems"):
        grid.add_column(name, justify="right" if name in ("read", "used", "set aside", "problems") else "left", overflow="fold")
    for f in report.files:
        aside = ", ".join(f"{n} {r}" for r, n in f.rows_set_aside.items()) or "0"
        status = "" if f.usable else "[red]not usable[/] "
        grid.add_row(f.path, f.table or "-", f.profile or "-", str(f.rows_read), str(f.rows_used), aside, status + str(len(f.problems) + f.problems_not_shown))
    console.print(grid)
    for f in report.files:
        for problem in f.problems[:5]:
            where = f" line {problem.line}" if problem.line else ""
            column = f" column {problem.column}" if problem.column else ""
            fix = f" Fix: {problem.fix}" if problem.fix else ""
            console.print(f"  {f.path}{where}{column}: {problem.message}.{fix}", markup=False)
    totals: dict[str, Any] = report.totals()
    console.print(f"{totals['rows_read']} rows read, {totals['rows_used']} used, {totals['rows_read'] - totals['rows_used']} set aside.")
