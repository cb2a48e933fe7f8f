"""The streaming path must give the same rows, accounting and lines as reading the file whole."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from audit_lib.config import Engagement, FileSpec, Period
from audit_lib.errors import InputFileError
from audit_lib.intake import _checksum, read_file, run_intake, stream

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "intake"
WHOLE = 1 << 60


def engagement(root: Path, files: list[FileSpec] | None = None) -> Engagement:
    return Engagement(name="t", client="t", period=Period(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)), root=root, files=files or [])


# Title line 1, blank line 2 above the header on line 3. Line 6 is blank and
# line 8 holds only commas, so both are blank rows. Line 7 has a bad date in the
# required date column. Line 10 is a short footer row, then two blank lines
# (11 and 12) end the file.
COSTS = (
    "Spend by month\n"
    "\n"
    "Date,Category,Amount,Vendor\n"
    '2024-01-05,media,"$1,200.50","Acme, Inc."\n'
    '2024-02-10,software,200,"Delta ""D"""\n'
    "\n"
    "not a date,media,300,Gamma\n"
    ",,,\n"
    "2024-03-01,events,50,--\n"
    "Total: 1450.50\n"
    "\n"
    "\n"
)


def read_both(monkeypatch, root: Path, name: str, **spec):
    """Read one file whole and then streamed; return both (report dict, used, aside) and whether it streamed."""
    results = []
    opened = []
    original = stream.open_stream

    def spy(*args, **kwargs):
        raw = original(*args, **kwargs)
        opened.append(raw is not None)
        return raw

    monkeypatch.setattr(stream, "open_stream", spy)
    for limit in (WHOLE, 0):
        monkeypatch.setattr(stream, "STREAM_MIN_BYTES", limit)
        try:
            report, used, aside = read_file(engagement(root), FileSpec(path=name, **spec))
        except InputFileError as exc:
            results.append((str(exc), None, None))
            continue
        results.append((report.to_dict(), used.to_pylist(), aside.to_pylist()))
    return results[0], results[1], opened == [True]


def test_stream_matches_whole_read(tmp_path, monkeypatch, caplog):
    (tmp_path / "costs.csv").write_text(COSTS, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="audit_lib.intake"):
        whole, streamed, used_stream = read_both(monkeypatch, tmp_path, "costs.csv", table="costs")
    assert used_stream
    assert caplog.records == []  # no fallback to the whole read
    assert streamed == whole

    report, used, aside = streamed
    assert report["header_line"] == 3
    assert report["title_lines"] == [[1, "Spend by month"]]
    assert report["skipped_lines"] == {"title or comment line": 1}
    # Lines 4-12 after the header: 9 rows. Used: lines 4, 5 and 9. Set aside:
    # blank lines 6, 8, 11, 12, the bad date on 7 and the footer on 10.
    assert report["rows_read"] == 9
    assert report["rows_used"] == 3
    assert report["rows_set_aside"] == {"blank row": 4, "unparseable date": 1, "total or footer row": 1}
    assert [r["source_line"] for r in used] == [4, 5, 9]
    assert [r["vendor"] for r in used] == ["Acme, Inc.", 'Delta "D"', None]
    assert [r["amount"] for r in used] == [1200.5, 200.0, 50.0]
    assert report["placeholders"] == {"vendor": 1}
    assert [(a["line"], a["reason"]) for a in aside] == [
        (6, "blank row"),
        (7, "unparseable date"),
        (8, "blank row"),
        (10, "total or footer row"),
        (11, "blank row"),
        (12, "blank row"),
    ]
    assert aside[1]["column"] == "date"
    assert aside[1]["value"] == "not a date"


def test_stream_crlf_and_no_final_newline(tmp_path, monkeypatch):
    text = COSTS.rstrip("\n").replace("\n", "\r\n") + "\r\n2024-04-01,media,5,Echo"
    (tmp_path / "costs.csv").write_bytes(text.encode("utf-8"))
    whole, streamed, used_stream = read_both(monkeypatch, tmp_path, "costs.csv", table="costs")
    assert used_stream
    assert streamed == whole
    # The trailing blank lines are gone, so the last row is line 11, right after the footer.
    assert [r["source_line"] for r in streamed[1]] == [4, 5, 9, 11]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".csv", ".tsv", ".txt")))
def test_stream_matches_every_fixture(name, monkeypatch):
    whole, streamed, _ = read_both(monkeypatch, FIXTURES, name)
    assert streamed[0] == whole[0]
    assert streamed[1] == whole[1]
    assert streamed[2] == whole[2]


@pytest.mark.parametrize(
    "name, text",
    [
        ("multiline.csv", 'ID,Name,Amount\n1,"two\nlines",5\n'),
        ("unbalanced.csv", 'ID,Name,Amount\n1,"open,5\n2,b,6\n'),
        ("latin1.csv", "ID,Name,Amount\n1,Caf\xe9,5\n"),
    ],
)
def test_stream_rejects_unsafe_files(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1" if name == "latin1.csv" else "utf-8"))
    assert stream.open_stream(path, name) is None


def test_stream_utf8_bom_file(tmp_path, monkeypatch):
    (tmp_path / "costs.csv").write_bytes(b"\xef\xbb\xbf" + COSTS.encode("utf-8"))
    whole, streamed, used_stream = read_both(monkeypatch, tmp_path, "costs.csv", table="costs")
    assert used_stream
    assert streamed == whole
    assert streamed[0]["encoding"] == "utf-8-sig"
    assert [r["source_line"] for r in streamed[1]] == [4, 5, 9]


def test_stream_too_many_blank_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "MAX_BLANK_LINES", 2)
    path = tmp_path / "blanks.csv"
    path.write_text("ID,Name\n1,a\n\n\n\n2,b\n", encoding="utf-8")
    assert stream.open_stream(path, "blanks.csv") is None


def test_stream_long_row_falls_back(tmp_path, monkeypatch, caplog):
    # The long row lies past the sniffed head, so only DuckDB finds it; it rejects
    # the row, and the file is read whole.
    monkeypatch.setattr(stream, "HEAD_BYTES", 64)
    (tmp_path / "costs.csv").write_text(COSTS + "2024-05-01,media,9,Extra,surplus\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="audit_lib.intake"):
        whole, streamed, used_stream = read_both(monkeypatch, tmp_path, "costs.csv", table="costs")
    assert used_stream
    assert "reading it whole" in caplog.text
    assert streamed == whole
    assert any("more fields than the header" in note for note in streamed[0]["notes"])


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_scan_across_chunk_boundaries(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(stream, "CHUNK_BYTES", chunk)
    path = tmp_path / "crlf.csv"
    # Lines: 1 header, 2 row, 3 blank (CRLF), 4 row with a quoted comma, 5 blank, 6 "\r" only.
    path.write_bytes(b'ID,Name\r\n1,a\r\n\r\n2,"b,c"\r\n\n\r')
    assert stream._scan(path, 1) == (6, [3, 5, 6])


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_scan_finds_quoted_line_break(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(stream, "CHUNK_BYTES", chunk)
    path = tmp_path / "multiline.csv"
    path.write_bytes(b'ID,Name\n1,"a\nb"\n2,c\n')
    assert stream._scan(path, 1) is None


def test_scan_rejects_split_utf8_error(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "CHUNK_BYTES", 3)
    path = tmp_path / "bad.csv"
    path.write_bytes("ID\nCafé\n".encode("utf-8")[:-2] + b"\n")  # é cut to its first byte
    assert stream._scan(path, 1) is None


def test_run_intake_streamed_matches_whole(tmp_path, monkeypatch):
    (tmp_path / "costs.csv").write_text(COSTS, encoding="utf-8")
    spec = FileSpec(path="costs.csv", table="costs")
    tables = []
    for limit in (WHOLE, 0):
        monkeypatch.setattr(stream, "STREAM_MIN_BYTES", limit)
        cache = tmp_path / f"cache{limit}"
        report = run_intake(engagement(tmp_path, [spec]), cache)
        assert report.ok
        assert not (cache / "files" / "duckdb_spill").exists()
        used = pq.read_table(cache / "costs.parquet").to_pylist()
        aside = pq.read_table(cache / "set_aside.parquet").to_pylist()
        tables.append((report.totals(), used, aside))
    assert tables[0] == tables[1]


def test_checksum_reads_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "CHUNK_BYTES", 4)
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n1,2\n3,4\n")
    assert _checksum(path) == hashlib.sha256(b"a,b\n1,2\n3,4\n").hexdigest()
