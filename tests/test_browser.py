"""The rendered report in a real headless Chromium: it draws, its charts are SVG, client text runs nothing."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import tempfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from audit_lib.config import engagement_from_dict
from audit_lib.report import render_report
from audit_lib.report.pdf import BROWSER_NAMES, CHROMIUM_FLAGS

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "results.json"
BROWSER = next((found for found in map(shutil.which, BROWSER_NAMES) if found), None)
if BROWSER is None:
    pytest.skip("no Chromium or Chrome on PATH", allow_module_level=True)

# The report's <title>: client and engagement name from the engagement below.
EXPECTED_TITLE = "Northwind Traders: Q1 audit"


def run_chromium(*args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium with the report's offline flags and a throwaway profile."""
    flags = [flag for flag in CHROMIUM_FLAGS if flag != "--no-pdf-header-footer"]
    with tempfile.TemporaryDirectory(prefix="audit-browser-test-") as profile:
        return subprocess.run([BROWSER, *flags, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=90, check=False)


def png_pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Decode an 8-bit RGB or RGBA PNG into rows of raw pixels (no Pillow needed)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    offset, idat = 8, b""
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color_type = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    assert depth == 8, f"unsupported PNG bit depth {depth}"
    assert color_type in (2, 6), f"unsupported PNG colour type {color_type}: expected RGB or RGBA"
    channels = 3 if color_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + paeth(left, up, corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def paeth(left: int, up: int, corner: int) -> int:
    """Predict a byte as the PNG Paeth filter does (PNG specification, section 9.4)."""
    estimate = left + up - corner
    distance_left, distance_up, distance_corner = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
    if distance_left <= distance_up and distance_left <= distance_corner:
        return left
    if distance_up <= distance_corner:
        return up
    return corner


def non_white_pixels(data: bytes) -> int:
    width, _, channels, rows = png_pixels(data)
    count = 0
    for row in rows[::4]:  # every fourth row is enough to tell a drawn page from a blank one
        for x in range(0, width * channels, channels):
            if min(row[x:x + 3]) < 200:
                count += 1
    return count


class DomScan(HTMLParser):
    """Record scripts, images, the title and each chart figure's SVG marks."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.images: list[str] = []
        self.title = ""
        self._in_title = False
        self.figures: list[dict[str, int]] = []
        self._figure_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "img":
            self.images.append(attrs.get("src") or "")
        if tag == "title" and not self.figures:
            self._in_title = True
        if tag == "figure" and "chart" in (attrs.get("class") or "").split():
            self.figures.append({"svg": 0, "marks": 0})
            self._figure_depth = 1
        elif self._figure_depth:
            if tag == "figure":
                self._figure_depth += 1
            if tag == "svg":
                self.figures[-1]["svg"] += 1
            if tag in ("path", "rect", "line", "circle", "polygon"):
                self.figures[-1]["marks"] += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag == "figure" and self._figure_depth:
            self._figure_depth -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    engagement = engagement_from_dict({"name": "Q1 audit", "client": "Northwind Traders", "period": {"start": "2026-01-01", "end": "2026-03-31"}}, root=out)
    _, html_path = render_report(FIXTURE, out, engagement)
    return html_path


@pytest.fixture(scope="module")
def dom(report_html) -> str:
    done = run_chromium("--dump-dom", report_html.resolve().as_uri())
    assert done.returncode == 0, done.stderr[-500:]
    return done.stdout


def test_screenshot_not_blank(report_html, tmp_path):
    shot = tmp_path / "shot.png"
    done = run_chromium("--hide-scrollbars", "--window-size=1200,1600", f"--screenshot={shot}", report_html.resolve().as_uri())
    assert done.returncode == 0, done.stderr[-500:]
    # 1200 x 1600 pixels sampled every fourth row: 480,000 pixels; the title, cards and tables darken many thousands.
    assert non_white_pixels(shot.read_bytes()) > 5_000


def test_charts_are_svg_with_marks(dom):
    scan = DomScan()
    scan.feed(dom)
    assert scan.figures, "the fixture draws at least the attribution band chart"
    for figure in scan.figures:
        assert figure["svg"] == 1
        assert figure["marks"] > 3


def test_client_strings_did_not_execute(dom):
    scan = DomScan()
    scan.feed(dom)
    assert scan.scripts == 0
    assert "x" not in scan.images
    assert scan.title.strip() == EXPECTED_TITLE
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom


def test_chromium_sends_no_dns_or_tcp(report_html, tmp_path):
    # The net log records every DNS query and TCP connection Chromium makes while loading the page.
    log = tmp_path / "net.json"
    done = run_chromium(f"--log-net-log={log}", "--dump-dom", report_html.resolve().as_uri())
    assert done.returncode == 0
    netlog = json.loads(log.read_text(encoding="utf-8"))
    names = {code: name for name, code in netlog["constants"]["logEventTypes"].items()}
    seen = {names.get(event["type"]) for event in netlog["events"]}
    assert "DNS_TRANSACTION_QUERY" not in seen
    assert "HOST_RESOLVER_SYSTEM_TASK" not in seen
    assert "TCP_CONNECT_ATTEMPT" not in seen
