"""PDF printing: headless Chromium (or weasyprint) on the rendered fixture report."""

from __future__ import annotations

import builtins
import shutil
import subprocess
from pathlib import Path

import pytest

from audit_lib.config import engagement_from_dict
from audit_lib.report import PdfError, render_report, write_pdf
from audit_lib.report import pdf as pdf_module

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "results.json"


def pdf_engine_available() -> bool:
    if any(shutil.which(name) for name in pdf_module.BROWSER_NAMES):
        return True
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        return False
    return True


needs_engine = pytest.mark.skipif(not pdf_engine_available(), reason="no Chromium on PATH and weasyprint is not installed")
needs_poppler = pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("pdftotext")), reason="poppler-utils (pdftoppm, pdftotext) not installed")


def dark_pixel_count(pgm: bytes) -> int:
    """Count pixels darker than near-white in a binary PGM (P5) image with maxval 255."""
    parts = pgm.split(maxsplit=4)
    assert parts[0] == b"P5", "pdftoppm -gray did not write a binary PGM"
    width, height, maxval = int(parts[1]), int(parts[2]), int(parts[3])
    assert maxval == 255
    pixels = parts[4][: width * height]
    return sum(1 for value in pixels if value < 200)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    if not pdf_engine_available():
        pytest.skip("no Chromium on PATH and weasyprint is not installed")
    out = tmp_path_factory.mktemp("pdf")
    engagement = engagement_from_dict({"name": "Q1 audit", "client": "Northwind Traders", "period": {"start": "2026-01-01", "end": "2026-03-31"}}, root=out)
    _, html_path = render_report(FIXTURE, out, engagement)
    return write_pdf(html_path, out / "report.pdf")


def page_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    command = ["pdftotext", "-layout"]
    if first:
        command += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*command, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@needs_engine
@needs_poppler
def test_first_page_not_blank(printed, tmp_path):
    subprocess.run(["pdftoppm", "-gray", "-r", "50", "-f", "1", "-l", "1", str(printed), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.pgm"))
    # An A4 page at 50 dpi is about 413 x 585 = 240,000 pixels; text and cards darken thousands.
    assert dark_pixel_count(image.read_bytes()) > 2_000


@needs_engine
@needs_poppler
def test_pdf_text_has_headline_figures(printed):
    text = page_text(printed)
    for figure in ("$5,000", "$12,500", "$60,000", "1.80", "Northwind Traders"):
        assert figure in text


@needs_engine
@needs_poppler
def test_pages_numbered(printed):
    text = page_text(printed, 1)
    assert "Page 1 of" in text


@needs_engine
@needs_poppler
def test_sections_start_new_pages(printed):
    text = page_text(printed)
    pages = text.split("\f")
    starts = {}
    for number, page in enumerate(pages, start=1):
        for heading in ("Executive summary", "Outcomes and Cost per Outcome", "Data appendix"):
            if heading in page and heading not in starts:
                starts[heading] = number
    assert len(set(starts.values())) == 3
    # Each section heading is the first heading text on its page, after the brand bar.
    assert "Data appendix" in pages[starts["Data appendix"] - 1].split("Row accounting")[0]


def test_missing_html_raises(tmp_path):
    with pytest.raises(PdfError, match="not found"):
        write_pdf(tmp_path / "absent.html", tmp_path / "out.pdf")


def test_bad_chromium_path_raises(tmp_path):
    html_path = tmp_path / "r.html"
    html_path.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(PdfError, match="chromium_path .*not found"):
        write_pdf(html_path, tmp_path / "out.pdf", chromium=str(tmp_path / "no-browser"))


def test_no_engine_names_both_options(tmp_path, monkeypatch):
    html_path = tmp_path / "r.html"
    html_path.write_text("<p>x</p>", encoding="utf-8")
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError("weasyprint hidden by the test")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    with pytest.raises(PdfError) as caught:
        write_pdf(html_path, tmp_path / "out.pdf")
    assert "Chromium" in str(caught.value)
    assert "weasyprint" in str(caught.value)


def test_browser_failure_raises(tmp_path):
    html_path = tmp_path / "r.html"
    html_path.write_text("<p>x</p>", encoding="utf-8")
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(PdfError, match="exit code 3"):
        write_pdf(html_path, tmp_path / "out.pdf", chromium=str(fake))


def test_chromium_command_has_offline_flags(tmp_path):
    command = pdf_module.chromium_command("chromium", tmp_path / "r.html", tmp_path / "r.pdf", "/tmp/profile")
    for flag in ("--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-pdf-header-footer", "--user-data-dir=/tmp/profile"):
        assert flag in command
    assert command[-1].startswith("file://")
