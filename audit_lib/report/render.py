"""Execute the report notebook with papermill and render it to one offline HTML file."""

from __future__ import annotations

import base64
import logging
import mimetypes
import re
from pathlib import Path
from typing import Any

from ..config import Engagement
from ..errors import AuditError

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = PROJECT_ROOT / "notebooks" / "audit_report.ipynb"
TEMPLATE_DIR = PROJECT_ROOT / "templates" / "report"

# Logos above this size are left out so the report stays small.
MAX_LOGO_BYTES = 500_000
ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


class ReportError(AuditError):
    """The report notebook failed to execute or render."""


def logo_data_uri(engagement: Engagement) -> str | None:
    """Read the branding logo and return it as a data URI, or None when absent or unusable."""
    logo = engagement.branding.logo
    if not logo:
        return None
    path = engagement.resolve(logo)
    mime = mimetypes.guess_type(path.name)[0]
    if mime not in ("image/png", "image/svg+xml", "image/jpeg"):
        log.warning("logo %s skipped: use a PNG, JPEG or SVG file", path)
        return None
    if not path.is_file():
        log.warning("logo %s skipped: file not found", path)
        return None
    data = path.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        log.warning("logo %s skipped: %d bytes exceeds %d", path, len(data), MAX_LOGO_BYTES)
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def execute_notebook(results_path: Path, out_dir: Path, baseline: Path | None = None, notebook: Path = NOTEBOOK) -> Path:
    """Run the report notebook with papermill into ``out_dir/audit_report.ipynb``.

    Raises ReportError naming the failing cell and its error line.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    executed = out_dir / "audit_report.ipynb"
    parameters = {
        "results_path": str(Path(results_path).resolve()),
        "cache_dir": str((out_dir / "cache").resolve()),
        "baseline_path": str(Path(baseline).resolve()) if baseline else None,
    }
    try:
        pm.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(PROJECT_ROOT),
            progress_bar=False,
            log_output=False,
        )
    except PapermillExecutionError as exc:
        line = ANSI_RE.sub("", f"{exc.ename}: {exc.evalue}")
        raise ReportError(f"report notebook {notebook.name} failed in cell {exc.exec_count}: {line}; the executed notebook is {executed}") from None
    return executed


def export_html(executed: Path, html_path: Path, resources: dict[str, Any]) -> Path:
    """Render an executed notebook with the report template, without code or prompts."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATE_DIR.parent)],
        template_name=TEMPLATE_DIR.name,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    nb = nbformat.read(str(executed), as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def render_report(results_path: Path, out_dir: Path, engagement: Engagement, baseline: Path | None = None) -> tuple[Path, Path]:
    """Execute the report notebook and render ``out_dir/report.html``.

    Returns the executed notebook path and the HTML path.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not Path(results_path).is_file():
        raise ReportError(f"results file {results_path} not found; run the audit steps before the report")
    if baseline is not None and not Path(baseline).exists():
        raise ReportError(f"baseline {baseline} not found; pass an earlier results.json or report folder")
    executed = execute_notebook(Path(results_path), out_dir, baseline)
    branding = engagement.branding
    resources = {
        "report": {
            "title": f"{engagement.client}: {engagement.name}",
            "firm": branding.firm,
            "logo": logo_data_uri(engagement),
            "primary": branding.primary_color,
            "accent": branding.accent_color,
        }
    }
    html_path = export_html(executed, out_dir / "report.html", resources)
    return executed, html_path
