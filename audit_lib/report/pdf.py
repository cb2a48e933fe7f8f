"""Print the report HTML to PDF with headless Chromium, or weasyprint when no browser exists."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import AuditError

log = logging.getLogger(__name__)

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
# Flags that keep Chromium from reaching any network service while it prints a local file.
# NOTE: Chromium 156 still starts requests to clients2.google.com, update.googleapis.com and
# accounts.google.com despite --disable-background-networking and --disable-component-update
# (seen in a --log-net-log capture). The resolver rule fails every host name lookup without
# sending a DNS query, and the proxy sends any remaining HTTP(S) request, such as one to an IP
# literal, to a closed loopback port.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-pdf-header-footer",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
)
PRINT_TIMEOUT_SECONDS = 120


class PdfError(AuditError):
    """The PDF could not be written."""


def find_chromium(configured: str | None = None) -> str | None:
    """Return the configured browser path, else the first Chromium or Chrome on PATH."""
    if configured:
        found = shutil.which(configured)
        if not found:
            raise PdfError(f"report.chromium_path {configured!r} not found or not executable; fix the path or remove it to search PATH")
        return found
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(browser: str, html_path: Path, pdf_path: Path, profile_dir: str) -> list[str]:
    return [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]


def print_with_chromium(browser: str, html_path: Path, pdf_path: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="audit-chromium-") as profile:
        command = chromium_command(browser, html_path, pdf_path, profile)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"{browser} timed out after {PRINT_TIMEOUT_SECONDS} s printing {html_path}") from None
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise PdfError(f"{browser} failed to print {html_path} (exit code {done.returncode}): {' | '.join(tail) or 'no output'}")
    return pdf_path


def write_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None) -> Path:
    """Print ``html_path`` to ``pdf_path`` and return ``pdf_path``.

    Uses headless Chromium (``chromium`` names a browser path), else weasyprint.
    Raises PdfError when neither is available or printing fails.
    """
    html_path = Path(html_path)
    pdf_path = Path(pdf_path)
    if not html_path.is_file():
        raise PdfError(f"report HTML {html_path} not found; render the report first")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    if pdf_path.exists():
        pdf_path.unlink()

    browser = find_chromium(chromium)
    if browser:
        log.info("printing %s with %s", html_path, browser)
        return print_with_chromium(browser, html_path, pdf_path)

    try:
        import weasyprint
    except ImportError:
        raise PdfError(
            "no PDF engine found: install Chromium (chromium, chromium-browser or google-chrome on PATH, "
            "or set report.chromium_path) or install weasyprint (pip install 'stack-unification-audit[pdf]')"
        ) from None
    # NOTE: this branch is untested here because weasyprint is not installed in the project venv.
    log.info("printing %s with weasyprint", html_path)
    weasyprint.HTML(filename=str(html_path)).write_pdf(str(pdf_path))
    return pdf_path
