"""Execute the report notebook with papermill and render it to one offline HTML file."""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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
# Size budget for report.html, so it can be sent by email; the section helpers cap tables and charts to meet it.
MAX_HTML_BYTES = 3 * 1024 * 1024
ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
# A report cell only formats results; one that runs this long is stuck.
CELL_TIMEOUT_SECONDS = 600


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


@contextmanager
def current_interpreter_kernel() -> Iterator[None]:
    """Make the ``python3`` kernel run on this interpreter while the block runs.

    A ``python3`` kernelspec in the user's Jupyter folder could name another
    Python without ``audit_lib``; ``JUPYTER_PATH`` takes precedence over it.
    NOTE: this sets os.environ for the block, so two reports rendered at once
    from threads of one process share the setting (both point at this interpreter).
    """
    with tempfile.TemporaryDirectory(prefix="audit-kernel-") as root:
        spec_dir = Path(root) / "kernels" / "python3"
        spec_dir.mkdir(parents=True)
        spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Python 3 (audit)", "language": "python"}
        (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        previous = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = root if previous is None else root + os.pathsep + previous
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = previous


@contextmanager
def kernel_stderr_to(log_path: Path) -> Iterator[None]:
    """Send this process's stderr, which the kernel inherits, to ``log_path`` while the notebook runs.

    The kernel prints start-up notices (such as ipykernel's warning about
    unencrypted local TCP) that would clutter the command's progress output.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with open(log_path, "ab") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def execute_notebook(notebook: Path, output: Path, parameters: dict[str, Any]) -> Path:
    """Run a notebook with papermill on this interpreter's kernel and write it to ``output``.

    Raises ReportError naming the failing cell and its error line.
    """
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if not Path(notebook).is_file():
        raise ReportError(f"notebook {notebook} not found; run from a source checkout (pip install -e .) so notebooks/ and templates/ exist")
    try:
        with current_interpreter_kernel(), kernel_stderr_to(output.parent / "kernel.log"):
            pm.execute_notebook(
                str(notebook),
                str(output),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(PROJECT_ROOT),
                progress_bar=False,
                log_output=False,
                execution_timeout=CELL_TIMEOUT_SECONDS,
            )
    except PapermillExecutionError as exc:
        line = ANSI_RE.sub("", f"{exc.ename}: {exc.evalue}")
        raise ReportError(f"notebook {notebook.name} failed in cell {exc.exec_count}: {line}; the executed notebook is {output}") from None
    except CellTimeoutError:
        raise ReportError(f"notebook {notebook.name} timed out: a cell ran longer than {CELL_TIMEOUT_SECONDS} s; the executed notebook is {output}") from None
    except DeadKernelError as exc:
        raise ReportError(f"notebook {notebook.name}: the Python kernel died ({exc}); check memory use, then rerun") from None
    return output


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
    parameters = {
        "results_path": str(Path(results_path).resolve()),
        "cache_dir": str((out_dir / "cache").resolve()),
        "baseline_path": str(Path(baseline).resolve()) if baseline else None,
    }
    executed = execute_notebook(NOTEBOOK, out_dir / "audit_report.ipynb", parameters)
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
    size = html_path.stat().st_size
    if size > MAX_HTML_BYTES:
        log.warning("report %s is %d bytes, above the %d-byte budget; check for an uncapped table or chart", html_path, size, MAX_HTML_BYTES)
    return executed, html_path
