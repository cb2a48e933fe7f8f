"""Detect how an export file is written: encoding, delimiter, records and header line.

Only the first few KB are examined in Python to choose the encoding and
delimiter. Record boundaries (newlines outside quoted fields) are found with
numpy over the whole buffer, so every record gets its physical line number
even when a quoted field spans several lines.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import numpy as np

SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def detect_encoding(raw: bytes, hint: str | None = None) -> tuple[str, int]:
    """Return (encoding, BOM length) for the raw bytes of a text file.

    Order: the configured encoding, a byte order mark, NUL-byte patterns of
    UTF-16 without a BOM, strict UTF-8, then cp1252 or Latin-1.
    """
    if hint:
        return hint, 0
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name, len(bom)
    head = raw[:SNIFF_BYTES]
    if len(head) >= 4:
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        half = len(head) // 2
        if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
            return "utf-16-le", 0
        if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
            return "utf-16-be", 0
    try:
        raw.decode("utf-8")
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    # Bytes 0x80-0x9F are control codes in Latin-1 but letters and
    # punctuation (curly quotes, euro sign) in cp1252, Excel's Western default.
    if any(0x80 <= b <= 0x9F for b in raw):
        try:
            raw.decode("cp1252")
            return "cp1252", 0
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes

            best = from_bytes(raw[:SNIFF_BYTES]).best()
            if best is not None:
                return best.encoding, 0
    return "latin-1", 0


def to_utf8(raw: bytes, encoding: str, bom_length: int) -> bytes:
    """Return the file content as UTF-8 bytes without a BOM, normalising CR-only line ends."""
    if encoding == "utf-8" and bom_length == 0:
        data = raw
    elif encoding == "utf-8-sig":
        data = raw[bom_length:]
    else:
        data = raw[bom_length:].decode(encoding, errors="replace").encode("utf-8")
    if b"\r" in data[:SNIFF_BYTES] and b"\n" not in data[:SNIFF_BYTES]:
        data = data.replace(b"\r", b"\n")
    return data


_SEP_LINE = re.compile(rb"^\s*sep=(.)\s*$", re.IGNORECASE)


def excel_sep_line(data: bytes) -> str | None:
    """Return the delimiter from Excel's ``sep=;`` first line, if present."""
    first = data[: data.find(b"\n")] if b"\n" in data[:1024] else data[:1024]
    match = _SEP_LINE.match(first.rstrip(b"\r"))
    return match.group(1).decode("utf-8", errors="replace") if match else None


def sniff_delimiter(data: bytes) -> str:
    """Choose the delimiter that splits most sample lines into the same, widest field count."""
    text = data[:SNIFF_BYTES].decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        counts = [_count_outside_quotes(line, delim) for line in lines]
        if not counts or max(counts) == 0:
            continue
        mode = max(set(counts), key=counts.count)
        if mode == 0:
            continue
        # Lines sharing the modal count, weighted by how many fields they make.
        score = counts.count(mode) * (1 + min(mode, 50) / 50)
        if score > best_score:
            best, best_score = delim, score
    return best


def _count_outside_quotes(line: str, delim: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delim and not quoted:
            count += 1
    return count


@dataclass
class Records:
    """Record boundaries of a delimited buffer, found outside quoted fields."""

    starts: np.ndarray  # byte offset where each record starts
    ends: np.ndarray  # byte offset of the record's line end (exclusive)
    lines: np.ndarray  # 1-based physical line of the record's first line
    fields: np.ndarray  # number of fields (delimiters outside quotes + 1)
    empty: np.ndarray  # True for a record with no characters besides CR
    unbalanced: bool = False  # an odd number of quotes: the last record runs to the end of the file

    def __len__(self) -> int:
        return len(self.starts)

    def text(self, data: bytes, index: int) -> str:
        return data[self.starts[index] : self.ends[index]].decode("utf-8", errors="replace").rstrip("\r")


def scan_records(data: bytes, delimiter: str, count_fields: bool = True) -> Records:
    """Split a UTF-8 buffer into CSV records with numpy, honouring double quotes.

    Field counts cost a pass over every delimiter; with ``count_fields``
    False they are left at 0 and ``count_record_fields`` fills them later.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    if not len(arr):
        zeros = np.zeros(0, np.int64)
        return Records(zeros, zeros, zeros, zeros, np.zeros(0, bool))
    newlines = np.flatnonzero(arr == ord("\n"))
    line_starts = np.concatenate(([0], newlines + 1))
    if line_starts[-1] == len(arr):  # the file ends with a line break
        line_starts = line_starts[:-1]

    # XOR-reducing the quote mask over each line gives the parity of its
    # quotes; a running XOR then shows whether a line ends inside quotes.
    quote_mask = (arr == ord('"')).view(np.uint8)
    inside_after = np.bitwise_xor.accumulate(np.bitwise_xor.reduceat(quote_mask, line_starts))
    unbalanced = bool(inside_after[-1])
    record_last_line = np.flatnonzero(inside_after == 0)
    if unbalanced or not len(record_last_line) or record_last_line[-1] != len(line_starts) - 1:
        record_last_line = np.append(record_last_line, len(line_starts) - 1)
    record_first_line = np.concatenate(([0], record_last_line[:-1] + 1))

    starts = line_starts[record_first_line].astype(np.int64)
    ends = np.full(len(record_last_line), len(arr), np.int64)
    has_newline = record_last_line < len(newlines)
    ends[has_newline] = newlines[record_last_line[has_newline]]
    lines = (record_first_line + 1).astype(np.int64)

    lengths = ends - starts
    last_is_cr = np.zeros(len(starts), dtype=bool)
    nonzero = lengths > 0
    last_is_cr[nonzero] = arr[ends[nonzero] - 1] == ord("\r")
    empty = (lengths == 0) | ((lengths == 1) & last_is_cr)
    records = Records(starts, ends, lines, np.zeros(len(starts), np.int64), empty, unbalanced=unbalanced)
    if count_fields:
        count_record_fields(data, delimiter, records)
    return records


def count_record_fields(data: bytes, delimiter: str, records: Records, quotes: np.ndarray | None = None) -> None:
    """Fill ``records.fields``: delimiters outside quotes in each record, plus one."""
    arr = np.frombuffer(data, dtype=np.uint8)
    if quotes is None:
        quotes = np.flatnonzero(arr == ord('"'))
    code = delimiter.encode("utf-8")
    if len(code) != 1 or not len(records):
        records.fields = np.ones(len(records), np.int64)
        return
    delims = np.flatnonzero(arr == code[0])
    if len(quotes):
        delims = delims[(np.searchsorted(quotes, delims) % 2) == 0]
    record_of_delim = np.searchsorted(records.starts, delims, side="right") - 1
    records.fields = np.bincount(record_of_delim, minlength=len(records)).astype(np.int64) + 1


_NUMBERISH = re.compile(r"^[\s\d.,:/%$€£()+-]*$")


def header_score(cells: list[str]) -> float:
    """Score how much a row looks like a header: non-empty, non-numeric, distinct cells."""
    stripped = [c.strip() for c in cells]
    filled = [c for c in stripped if c]
    if not filled:
        return 0.0
    texty = [c for c in filled if not _NUMBERISH.match(c) and len(c) <= 80]
    distinct = len(set(filled)) / len(filled)
    return (len(texty) / len(stripped)) * distinct


def find_header(rows: list[list[str]], widths: list[int]) -> int:
    """Return the index of the header among the first rows of a file.

    The header is the first row as wide as the most common row width whose
    cells are mostly distinct text. Title, date-range and comment lines above
    it are narrower or mostly empty, so they are skipped.
    """
    candidates = [w for w in widths if w > 1]
    if not candidates:
        return 0
    mode = max(set(candidates), key=lambda w: (candidates.count(w), w))
    for index, (row, width) in enumerate(zip(rows, widths)):
        if row and row[0].lstrip().startswith("#"):
            continue
        if width >= mode and header_score(row) >= 0.5:
            return index
    for index, width in enumerate(widths):
        if width == mode:
            return index
    return 0
