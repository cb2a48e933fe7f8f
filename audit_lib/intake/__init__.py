"""Intake: read client exports as downloaded and account for every row.

``run_intake`` reads each file of an engagement, maps it onto its canonical
table and writes ``<cache_dir>/<table>.parquet`` plus ``set_aside.parquet``.
Each file's result is cached under ``<cache_dir>/files/`` by the SHA-256 of
its bytes and its settings, so a re-run skips unchanged files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ..config import Engagement, FileSpec
from ..errors import InputFileError
from ..schema import TABLES
from .accounting import FileReport, IntakeReport, Problem
from .draft import draft_engagement, validate_folder, write_draft
from .profiles import GENERIC, detect_profile, load_profiles, profiles_fingerprint
from . import stream
from .reader import EXCEL_SUFFIXES, RawTable, read_raw
from .transform import to_canonical

__all__ = ["run_intake", "read_file", "draft_engagement", "write_draft", "validate_folder", "IntakeReport", "FileReport"]

log = logging.getLogger(__name__)

# Bump when parsing changes, so cached results from older code are not reused.
CACHE_VERSION = "1"
MAX_TITLE_LINES = 10
# DuckDB memory cap while reading files, and the folder under cache_dir/files it spills to.
INTAKE_MEMORY_LIMIT = "512MB"
SPILL_FOLDER = "duckdb_spill"
# Called before each file with its FileReport still None, and after it with the finished report.
FileProgress = Callable[[int, int, str, "FileReport | None"], None]
SET_ASIDE_SCHEMA = pa.schema([("file", pa.string()), ("line", pa.int64()), ("reason", pa.string()), ("column", pa.string()), ("value", pa.string())])


def _checksum(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, read in chunks so a large file is never held whole."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(stream.CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def read_file(engagement: Engagement, spec: FileSpec, con: duckdb.DuckDBPyConnection | None = None, used_path: Path | None = None):
    """Read one export; return (FileReport, used rows, set-aside rows). Raises InputFileError.

    With ``used_path`` the used rows go to that Parquet file and None is returned in their place.
    Files of ``stream.STREAM_MIN_BYTES`` or more are streamed through DuckDB when
    ``stream.open_stream`` accepts them. When DuckDB rejects the text or its row
    count differs from the file's line count, the file is read whole instead.
    """
    path = engagement.resolve(spec.path)
    display_path = Path(spec.path).as_posix()
    if not path.is_file():
        raise InputFileError("file not found", file=display_path, fix=f"check the path in engagement.yaml; it is relative to {engagement.root}")
    own = con is None
    con = con or duckdb.connect()
    try:
        streamed = _open_streamed(path, display_path, spec)
        if streamed is not None:
            try:
                report, result = _read_raw_table(engagement, spec, con, used_path, streamed)
            except duckdb.Error as exc:
                log.warning("%s: DuckDB could not stream the file (%s); reading it whole", display_path, str(exc).splitlines()[0])
            else:
                if report.rows_read == streamed.expected_rows:
                    return report, result.used, result.set_aside
                log.warning("%s: streamed %d rows but the file has %d lines after the header; reading it whole", display_path, report.rows_read, streamed.expected_rows)
        raw = read_raw(path, display_path, encoding=spec.encoding, delimiter=spec.delimiter, sheet=spec.sheet)
        report, result = _read_raw_table(engagement, spec, con, used_path, raw)
    finally:
        if own:
            con.close()
    return report, result.used, result.set_aside


def _open_streamed(path: Path, display_path: str, spec: FileSpec) -> RawTable | None:
    """Return the streamed RawTable of a large delimited file, or None to read it whole."""
    if path.suffix.lower() in (*EXCEL_SUFFIXES, ".xls") or path.stat().st_size < stream.STREAM_MIN_BYTES:
        return None
    with path.open("rb") as fh:
        if fh.read(4) == b"PK\x03\x04":
            return None
    return stream.open_stream(path, display_path, encoding=spec.encoding, delimiter=spec.delimiter)


def _read_raw_table(engagement: Engagement, spec: FileSpec, con: duckdb.DuckDBPyConnection, used_path: Path | None, raw: RawTable):
    report = FileReport(path=Path(spec.path).as_posix())
    display_path = report.path
    report.format, report.encoding, report.delimiter = raw.format, raw.encoding, raw.delimiter
    report.header_line, report.sheet, report.sheets = raw.header_line, raw.sheet, raw.sheets
    report.notes.extend(raw.notes)
    if raw.title_lines:
        report.skipped_lines["title or comment line"] = len(raw.title_lines)
        report.title_lines = [[line, text[:200]] for line, text in raw.title_lines[:MAX_TITLE_LINES]]

    profiles = load_profiles()
    generic = profiles.get(GENERIC)
    if spec.profile:
        if spec.profile not in profiles:
            raise InputFileError(f"unknown profile {spec.profile!r}", file=display_path, fix=f"use one of: {', '.join(sorted(profiles))}, or leave profile out to detect it")
        profile = profiles[spec.profile]
    else:
        profile = detect_profile(raw.headers, profiles)
    report.profile = profile.name if profile else GENERIC
    return report, to_canonical(con, raw, spec, engagement, profile, generic, report, used_path)


def _bare_message(exc: InputFileError) -> str:
    """Return the error's message without the file, line, value and fix that Problem stores apart."""
    text = str(exc)
    if exc.fix:
        text = text.removesuffix(f". Fix: {exc.fix}")
    if exc.value is not None:
        text = text.removesuffix(f" (value {exc.value!r})")
    return text.split(": ", 1)[1] if ": " in text else text


def _cache_key(raw_checksum: str, spec: FileSpec, engagement: Engagement) -> str:
    settings = json.dumps([CACHE_VERSION, profiles_fingerprint(), spec.model_dump(mode="json"), engagement.currency], sort_keys=True)
    return hashlib.sha256((raw_checksum + settings).encode()).hexdigest()[:32]


def run_intake(engagement: Engagement, cache_dir: Path, on_file: FileProgress | None = None) -> IntakeReport:
    """Read every file of the engagement into ``cache_dir``; raise InputFileError if any file is unusable.

    The report is complete even when it raises: every unusable file is
    recorded in it (``report.ok`` is False) before the first error is raised.
    ``on_file(index, count, path, file_report)`` reports progress, see ``FileProgress``.
    """
    report, first_error = collect_intake(engagement, cache_dir, on_file)
    if first_error is not None:
        raise first_error
    return report


def collect_intake(engagement: Engagement, cache_dir: Path, on_file: FileProgress | None = None) -> tuple[IntakeReport, InputFileError | None]:
    """Read every file; return the report and the first InputFileError instead of raising it."""
    cache_dir = Path(cache_dir)
    files_dir = cache_dir / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    report = IntakeReport(cache_dir=str(cache_dir))
    first_error: InputFileError | None = None
    by_table: dict[str, list[Path]] = {}
    aside_parts: list[Path] = []
    con = duckdb.connect()
    spill_dir = files_dir / SPILL_FOLDER
    # The cap keeps intake under the 1.5 GB goal of a mid-market run, because the
    # staged table of a large file spills to disk instead of growing past it.
    con.execute(f"SET memory_limit = '{INTAKE_MEMORY_LIMIT}'").fetchall()
    con.execute(f"SET temp_directory = '{_quote(spill_dir)}'").fetchall()
    try:
        count = len(engagement.files)
        for index, spec in enumerate(engagement.files, start=1):
            display_path = Path(spec.path).as_posix()
            path = engagement.resolve(spec.path)
            if on_file:
                on_file(index, count, display_path, None)
            try:
                checksum = _checksum(path) if path.is_file() else None
            except OSError as exc:
                checksum = None
                log.warning("cannot read %s: %s", display_path, exc)
            key = _cache_key(checksum, spec, engagement) if checksum else None
            cached = files_dir / f"{key}.json" if key else None
            complete = cached is not None and cached.exists() and (files_dir / f"{key}.parquet").exists() and (files_dir / f"{key}.set_aside.parquet").exists()
            if complete:
                file_report = FileReport.from_dict(json.loads(cached.read_text(encoding="utf-8")))
                file_report.cached = True
            else:
                try:
                    used_path = files_dir / f"{key}.parquet" if key is not None else None
                    file_report, _, aside = read_file(engagement, spec, con, used_path)
                except InputFileError as exc:
                    file_report = FileReport(path=display_path, table=spec.table, usable=False, checksum=checksum)
                    file_report.add_problem(Problem(_bare_message(exc), exc.line, exc.column, exc.value, exc.fix))
                    report.files.append(file_report)
                    first_error = first_error or exc
                    if on_file:
                        on_file(index, count, display_path, file_report)
                    continue
                file_report.checksum = checksum
                if key is not None:
                    pq.write_table(aside.cast(SET_ASIDE_SCHEMA), files_dir / f"{key}.set_aside.parquet")
                    cached.write_text(json.dumps(file_report.to_dict(), indent=1, default=str), encoding="utf-8")
            report.files.append(file_report)
            if on_file:
                on_file(index, count, display_path, file_report)
            if key is not None and file_report.table:
                by_table.setdefault(file_report.table, []).append(files_dir / f"{key}.parquet")
                aside_parts.append(files_dir / f"{key}.set_aside.parquet")
        _write_tables(con, cache_dir, by_table, aside_parts)
    finally:
        con.close()
        shutil.rmtree(spill_dir, ignore_errors=True)
    return report, first_error


def _write_tables(con: duckdb.DuckDBPyConnection, cache_dir: Path, by_table: dict[str, list[Path]], aside_parts: list[Path]) -> None:
    for name in TABLES:
        target = cache_dir / f"{name}.parquet"
        parts = by_table.get(name)
        if not parts:
            target.unlink(missing_ok=True)
            continue
        if len(parts) == 1:
            shutil.copyfile(parts[0], target)
            continue
        files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in parts)
        con.execute(f"COPY (SELECT * FROM read_parquet([{files}], union_by_name = true)) TO '{_quote(target)}' (FORMAT parquet)").fetchall()
    target = cache_dir / "set_aside.parquet"
    if aside_parts:
        files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in aside_parts)
        con.execute(f"COPY (SELECT * FROM read_parquet([{files}])) TO '{_quote(target)}' (FORMAT parquet)").fetchall()
    else:
        pq.write_table(SET_ASIDE_SCHEMA.empty_table(), target)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
