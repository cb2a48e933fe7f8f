"""Read an export as text cells: CSV/TSV through pyarrow, XLSX through openpyxl.

The result is a table of VARCHAR columns ``c0 .. cN`` (one per header cell)
plus ``_line``, the physical line (or spreadsheet row) of each record. Lines
before the header are returned separately as skipped lines, never as rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import InputFileError
from . import sniff

HEADER_SEARCH_RECORDS = 30
SNIFF_EMPTY_BYTES = 4096
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class RawTable:
    """Text cells of one export with their physical line numbers.

    A streamed file has ``cells`` None and ``cells_sql`` set instead: a DuckDB
    query with the same columns. Its ``expected_rows`` is the count of physical
    lines after the header.
    """

    headers: list[str]
    cells: pa.Table | None  # c0..cN VARCHAR plus _line BIGINT
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int = 1
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    title_lines: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cells_sql: str | None = None
    expected_rows: int | None = None


def read_raw(path: Path, display_path: str, *, encoding: str | None = None, delimiter: str | None = None, sheet: str | None = None) -> RawTable:
    """Read a file as text cells. ``display_path`` is the path shown in messages."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_xlsx(path, display_path, sheet)
    if path.suffix.lower() == ".xls":
        raise InputFileError("old Excel .xls files are not supported", file=display_path, fix="open it in Excel and save as .xlsx or CSV UTF-8")
    raw = path.read_bytes()
    if raw[:4] == b"PK\x03\x04":
        return read_xlsx(path, display_path, sheet)
    return read_delimited(raw, display_path, encoding=encoding, delimiter=delimiter)


def _split(text: str, delimiter: str) -> list[str]:
    return next(csv.reader([text], delimiter=delimiter), [])


def dedupe_headers(headers: list[str]) -> tuple[list[str], list[str]]:
    """Strip headers and suffix repeated names with ``.2``, ``.3``; return headers and notes."""
    seen: dict[str, int] = {}
    out, notes = [], []
    for header in headers:
        name = header.replace("\ufeff", "").strip()
        if name in seen and name:
            seen[name] += 1
            new = f"{name}.{seen[name]}"
            notes.append(f"header {name!r} appears more than once; later copy read as {new!r}")
            name = new
        else:
            seen[name] = 1
        out.append(name)
    return out, notes


def read_delimited(raw: bytes, display_path: str, *, encoding: str | None = None, delimiter: str | None = None) -> RawTable:
    if not raw[:SNIFF_EMPTY_BYTES].strip() and not raw.strip():
        raise InputFileError("file is empty", file=display_path, fix="export the file again")
    enc, bom = sniff.detect_encoding(raw, encoding)
    if encoding and enc.replace("_", "-").lower() in ("utf-8", "utf8"):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise InputFileError(
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", file=display_path, line=line, fix="remove encoding: from engagement.yaml to detect it, or set the right one such as cp1252"
            ) from None
    try:
        data = sniff.to_utf8(raw, enc, bom)
    except LookupError:
        raise InputFileError(f"unknown encoding {enc!r}", file=display_path, fix="set encoding to a Python codec name such as utf-8 or cp1252") from None
    sep_line = sniff.excel_sep_line(data)
    delim = delimiter or sep_line or sniff.sniff_delimiter(data)
    records = sniff.scan_records(data, delim, count_fields=False)

    first = 1 if sep_line else 0
    head_idx = [i for i in range(first, min(len(records), first + HEADER_SEARCH_RECORDS * 2)) if not records.empty[i]][:HEADER_SEARCH_RECORDS]
    head_rows = [_split(records.text(data, i), delim) for i in head_idx]
    if not head_rows:
        raise InputFileError("no header row found", file=display_path, fix="check that the file is a CSV export with a header row")
    header_pos = sniff.find_header(head_rows, [len(r) for r in head_rows])
    header_index = head_idx[header_pos]
    headers, notes = dedupe_headers(head_rows[header_pos])
    width = len(headers)
    title_lines = [(int(records.lines[i]), records.text(data, i)) for i in range(header_index) if not records.empty[i]]

    body = np.arange(header_index + 1, len(records))
    names = [f"c{i}" for i in range(width)]
    start = int(records.starts[header_index + 1]) if header_index + 1 < len(records) else len(data)
    last_span = data.count(b"\n", int(records.starts[-1]), int(records.ends[-1])) + 1
    spans = np.append(np.diff(records.lines), last_span)
    multiline = bool(np.any(spans > 1))
    if multiline:
        notes.append(f"{int(np.sum(spans > 1))} records span more than one line because quoted fields hold line breaks")
    if records.unbalanced:
        last = int(records.lines[-1])
        notes.append(f"unbalanced double quote: the record starting on line {last} runs to the end of the file; check the quoting there")
    invalid: list[str] = []
    try:
        has_body = bool(np.any(~records.empty[body]))
        table = _parse_body(data, start, names, delim, multiline, invalid, has_body)
    except pa.ArrowInvalid as exc:
        raise InputFileError(f"could not parse the file as delimited text ({exc})", file=display_path, fix="export it again as CSV, or set delimiter and encoding for this file in engagement.yaml") from None
    if invalid:
        # Some rows have another width (footers, notes): count fields to find them.
        sniff.count_record_fields(data, delim, records)
        parsed = ~records.empty[body] & (records.fields[body] == width)
    else:
        parsed = ~records.empty[body]
    matching = body[parsed]
    other = body[~parsed]  # blank lines and rows of another width, classified later
    if table.num_rows != len(matching):
        # pyarrow and the numpy scan disagree (unusual quoting): fall back to Python's csv.
        notes.append("file read with the slower Python CSV reader because of unusual quoting")
        return _read_with_csv(data, records, header_index, headers, delim, enc, display_path, title_lines, notes)
    table = table.append_column("_line", pa.array(records.lines[matching], pa.int64()))

    if len(other):
        # Short rows (footers, notes) are padded so they can be classified;
        # long rows keep their extra cells in the last column.
        extra_rows = []
        too_long = 0
        for i in other:
            cells = _split(records.text(data, int(i)), delim)
            too_long += len(cells) > width
            extra_rows.append(_fit(cells, width) + [int(records.lines[i])])
        if too_long:
            notes.append(f"{too_long} rows have more fields than the header; their extra cells were joined into the last column")
        columns = list(zip(*extra_rows))
        extra = pa.table({**{n: pa.array(columns[k], pa.string()) for k, n in enumerate(names)}, "_line": pa.array(columns[width], pa.int64())})
        table = pa.concat_tables([table, extra]).sort_by("_line")
    return RawTable(
        headers=headers,
        cells=table,
        encoding=enc,
        delimiter=delim,
        header_line=int(records.lines[header_index]),
        title_lines=title_lines,
        notes=notes,
        format="tsv" if delim == "\t" else "csv",
    )


def _fit(cells: list[str], width: int) -> list[str]:
    if len(cells) < width:
        return cells + [""] * (width - len(cells))
    if len(cells) > width:
        return cells[: width - 1] + [",".join(cells[width - 1 :])]
    return cells


def _parse_body(data: bytes, start: int, names: list[str], delim: str, multiline: bool, invalid: list[str], has_body: bool) -> pa.Table:
    if not has_body:
        return pa.table({n: pa.array([], pa.string()) for n in names})
    buffer = pa.py_buffer(data)[start:]
    return pacsv.read_csv(
        pa.BufferReader(buffer),
        read_options=pacsv.ReadOptions(column_names=names, block_size=16 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=multiline, invalid_row_handler=lambda row: invalid.append(row.text) or "skip"),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )


def _read_with_csv(data, records, header_index, headers, delim, enc, display_path, title_lines, notes) -> RawTable:
    width = len(headers)
    rows, lines = [], []
    for i in range(header_index + 1, len(records)):
        text = data[records.starts[i] : records.ends[i]].decode("utf-8", errors="replace")
        cells = next(csv.reader(io.StringIO(text), delimiter=delim), [])
        rows.append(_fit(cells, width))
        lines.append(int(records.lines[i]))
    columns = list(zip(*rows)) if rows else [[] for _ in range(width)]
    table = pa.table({**{f"c{k}": pa.array(list(columns[k]), pa.string()) for k in range(width)}, "_line": pa.array(lines, pa.int64())})
    return RawTable(headers, table, "csv", enc, delim, int(records.lines[header_index]), title_lines=title_lines, notes=notes)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, display_path: str, sheet: str | None) -> RawTable:
    """Read one sheet: the one named, else the first with any value."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    from zipfile import BadZipFile

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError) as exc:
        raise InputFileError(f"not a readable Excel workbook ({exc})", file=display_path, fix="open it in Excel and save it again as .xlsx") from None
    try:
        names = list(book.sheetnames)
        chosen = None
        rows: list[list[str]] = []
        for name in ([sheet] if sheet else names):
            if name not in names:
                raise InputFileError(f"sheet {name!r} not found; the workbook has {', '.join(names)}", file=display_path, column=None, fix="set sheet to one of those names")
            rows = [[_cell_text(v) for v in row] for row in book[name].iter_rows(values_only=True)]
            if any(any(c.strip() for c in r) for r in rows):
                chosen = name
                break
        if chosen is None:
            raise InputFileError("workbook has no sheet with data", file=display_path, fix="check that the right file was exported")
    finally:
        book.close()

    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    widths = [len(r) - next((k for k, c in enumerate(reversed(r)) if c.strip()), len(r)) for r in rows]
    head = [(i, r[:w]) for i, (r, w) in enumerate(zip(rows, widths)) if w][:HEADER_SEARCH_RECORDS]
    header_pos = sniff.find_header([r for _, r in head], [len(r) for _, r in head])
    header_index = head[header_pos][0]
    headers, notes = dedupe_headers(rows[header_index][: widths[header_index]])
    width = len(headers)
    title_lines = [(i + 1, ",".join(c for c in rows[i] if c)) for i in range(header_index) if widths[i]]
    body = [(i + 1, _fit(r[:width] + [""] * max(0, width - len(r)), width)) for i, r in enumerate(rows) if i > header_index]
    columns = list(zip(*[r for _, r in body])) if body else [[] for _ in range(width)]
    table = pa.table({**{f"c{k}": pa.array(list(columns[k]), pa.string()) for k in range(width)}, "_line": pa.array([n for n, _ in body], pa.int64())})
    return RawTable(headers, table, "xlsx", None, None, header_index + 1, chosen, names, title_lines, notes)
