"""Stream large delimited files through DuckDB's ``read_csv`` instead of holding them in memory.

``open_stream`` scans the file once in chunks and accepts it only when every
record is one physical line: valid UTF-8 (with or without a BOM), no line break inside
quotes, balanced quotes, at most ``MAX_BLANK_LINES`` blank lines after the
header. Then the row number DuckDB gives each record, plus the header line
and the blank lines before it, is the record's physical line, and the text
never enters Python. Any other file returns None and is read whole by
``reader.read_delimited``.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np

from ..errors import InputFileError
from .reader import RawTable, read_delimited

# Smaller files are read whole, which handles every quoting case and costs
# little memory at that size. Tests lower it to force the streaming path.
STREAM_MIN_BYTES = 32 << 20
CHUNK_BYTES = 16 << 20
HEAD_BYTES = 1 << 20
# DuckDB's read_csv skips blank lines, so each one shifts the later line numbers.
# The shift is a CASE with one branch per blank line, so their count must stay small.
MAX_BLANK_LINES = 64


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _scan(path: Path, header_line: int) -> tuple[int, list[int]] | None:
    """Return (physical line count, blank lines after the header), or None when a record spans lines."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines_before = 0  # newlines in earlier chunks
    quote_parity = 0  # 1 when an earlier chunk ended inside quotes
    line_start = 0  # offset of the current line's start, relative to this chunk
    blanks: list[int] = []
    last_byte = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return None
            arr = np.frombuffer(chunk, dtype=np.uint8)
            quotes = np.flatnonzero(arr == ord('"'))
            newlines = np.flatnonzero(arr == ord("\n"))
            # A newline after an odd count of quotes, this chunk's plus earlier ones, sits inside a quoted field.
            if len(newlines) and ((np.searchsorted(quotes, newlines) + quote_parity) % 2).any():
                return None

            starts = np.concatenate(([line_start], newlines[:-1] + 1)) if len(newlines) else np.zeros(0, np.int64)
            lengths = newlines - starts
            # The byte before each newline; for a newline at offset 0 it is the previous chunk's last byte.
            before = np.where(newlines > 0, arr[np.maximum(newlines - 1, 0)], last_byte[0])
            blank_lines = lines_before + np.flatnonzero((lengths == 0) | ((lengths == 1) & (before == ord("\r")))) + 1
            blanks.extend(int(line) for line in blank_lines[blank_lines > header_line][: MAX_BLANK_LINES + 1])
            if len(blanks) > MAX_BLANK_LINES:
                return None

            quote_parity = (quote_parity + len(quotes)) % 2
            lines_before += len(newlines)
            line_start = int(newlines[-1]) + 1 - len(chunk) if len(newlines) else line_start - len(chunk)
            last_byte = chunk[-1:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if quote_parity:
        return None
    total = lines_before + (1 if last_byte != b"\n" else 0)
    # A last line holding only "\r" is blank too, but no newline ends it, so it is found here.
    if last_byte == b"\r" and line_start == -1 and total > header_line:
        blanks.append(total)
    return total, blanks


def open_stream(path: Path, display_path: str, *, encoding: str | None = None, delimiter: str | None = None) -> RawTable | None:
    """Sniff a large delimited file and return a RawTable whose cells are DuckDB SQL, or None.

    The header, title lines and delimiter come from the first ``HEAD_BYTES``,
    read as ``read_delimited`` reads them. None means the file must be read whole.
    """
    if encoding and encoding.replace("_", "-").lower() not in ("utf-8", "utf8"):
        return None
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    cut = head.rfind(b"\n")
    if cut < 0 or head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return None
    head = head[: cut + 1]
    try:
        sniffed = read_delimited(head, display_path, encoding=encoding, delimiter=delimiter)
    except InputFileError:
        return None  # the whole-file path raises the same error with the full file's context
    # A UTF-8 BOM sits on line 1, which read_csv always skips as the header or a line above it.
    if sniffed.encoding not in ("utf-8", "utf-8-sig") and not encoding:
        return None
    if any(not note.startswith("header ") for note in sniffed.notes) or len(sniffed.delimiter or "") != 1:
        return None  # wide rows, quoted line breaks or unusual quoting already show in the head
    scanned = _scan(path, sniffed.header_line)
    if scanned is None:
        return None
    total_lines, blanks = scanned
    if total_lines <= sniffed.header_line:
        return None

    width = len(sniffed.headers)
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    delim = sniffed.delimiter.replace("'", "''")
    scan = (
        f"read_csv({_sql_path(path)}, auto_detect = false, all_varchar = true, header = false, delim = '{delim}', "
        f"quote = '\"', escape = '\"', skip = {sniffed.header_line}, null_padding = true, columns = {{{columns}}})"
    )
    # The r-th record (1-based) follows every blank line with fewer than r records before it.
    shift = "0"
    if blanks:
        thresholds = [line - sniffed.header_line - k for k, line in enumerate(blanks, start=1)]
        shift = "CASE " + " ".join(f"WHEN _rn > {t} THEN {k}" for k, t in reversed(list(enumerate(thresholds, start=1)))) + " ELSE 0 END"
    cells = ", ".join(f"coalesce(c{i}, '') AS c{i}" for i in range(width))
    # row_number() OVER () numbers the records in file order because DuckDB keeps
    # insertion order (its preserve_insertion_order setting, on by default).
    # NOTE: the row-count check in read_file would not catch reordered records; the
    # order matched the whole-file read on the 5M-row benchmark file (DuckDB 2.0.1).
    sql = f"SELECT {cells}, {sniffed.header_line} + _rn + {shift} AS _line FROM (SELECT row_number() OVER () AS _rn, * FROM {scan})"
    if blanks:
        empty = ", ".join(f"'' AS c{i}" for i in range(width))
        sql += f" UNION ALL SELECT {empty}, line AS _line FROM (VALUES {', '.join(f'({b})' for b in blanks)}) AS blanks(line)"
    sniffed.cells = None
    sniffed.cells_sql = sql
    sniffed.expected_rows = total_lines - sniffed.header_line
    return sniffed
