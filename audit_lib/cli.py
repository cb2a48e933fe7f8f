"""Command line: ``stack-audit run | validate | init | diff``.

Exit codes: 0 success, 1 a step failed (the message names the step and the
cause), 2 invalid usage.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape

from .errors import AuditError

if TYPE_CHECKING:
    from .intake.accounting import FileReport

console = Console(stderr=True, highlight=False)
log = logging.getLogger(__name__)


def _fail(exc: AuditError) -> None:
    console.print("[bold red]error:[/]", escape(str(exc)), soft_wrap=True)
    sys.exit(1)


def _fail_on_bug(command: str, exc: Exception) -> None:
    """Print one line for an exception that is not an AuditError, and exit 1.

    The traceback goes to the debug log, which ``stack-audit -v`` prints.
    """
    log.debug("%s failed", command, exc_info=exc)
    message = f"{command} failed: internal error {type(exc).__name__}: {exc}; rerun with 'stack-audit -v {command} ...' to see the traceback"
    console.print("[bold red]error:[/]", escape(message), soft_wrap=True)
    sys.exit(1)


def _template_help() -> str:
    from .scaffold import available_templates

    names = ", ".join(available_templates()) or "none found"
    return f"Engagement template under templates/engagements/ (available: {names})."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages to the terminal.")
def main(verbose: bool) -> None:
    """Audit a B2B revenue stack from its exports."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("engagement_dir", required=False, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Output folder [default: reports/<engagement>].")
@click.option("--pdf/--no-pdf", default=None, help="Also write report.pdf with headless Chromium or weasyprint [default: from engagement.yaml].")
@click.option("--baseline", type=click.Path(exists=True, path_type=Path), help="An earlier results.json or report folder of the same client to compare against.")
def run(engagement_dir: Path | None, out_dir: Path | None, pdf: bool | None, baseline: Path | None) -> None:
    """Run the audit on ENGAGEMENT_DIR [default: the bundled sample engagement].

    ENGAGEMENT_DIR contains engagement.yaml and the exports, or only the exports,
    in which case a draft engagement.yaml is written there for review.
    """
    from .pipeline import SAMPLE_ENGAGEMENT, run_audit

    folder = engagement_dir or SAMPLE_ENGAGEMENT
    console.print(f"Auditing [bold]{escape(str(folder))}[/]")

    # A spinner names the running step. Each finished step and each intake file gets its own line.
    status = console.status("", spinner="dots")

    def started(step: str) -> None:
        status.update(f"{escape(step)} ...")
        status.start()

    def ended(step: str, seconds: float) -> None:
        status.stop()
        console.print(f"  {escape(step)} done in {seconds:.1f} s")

    def file_done(index: int, count: int, path: str, report: FileReport | None) -> None:
        if report is None:
            status.update(f"intake: reading {escape(path)} (file {index} of {count}) ...")
            return
        if not report.usable:
            state = "[red]unusable[/]"
        else:
            rows = f"{report.rows_read:,} row{'' if report.rows_read == 1 else 's'}"
            state = f"{rows}, from cache" if report.cached else f"{rows} read"
        console.print(f"    {escape(path)}: {state}")

    try:
        outputs = run_audit(folder, out_dir, pdf=pdf, baseline=baseline, on_start=started, on_end=ended, on_file=file_done)
    except AuditError as exc:
        status.stop()
        _fail(exc)
        return
    console.print(f"[green]Report:[/] {outputs.report_html}")
    if outputs.report_pdf:
        console.print(f"[green]PDF:[/] {outputs.report_pdf}")
    console.print(f"Results: {outputs.results_path}")
    if outputs.evidence:
        console.print(f"Evidence: {outputs.evidence}")
    console.print(
        f"[yellow]Note:[/] {escape(str(outputs.out_dir / 'cache'))} holds the client's parsed exports, personal data "
        "included; hand over report.html, report.pdf and evidence.xlsx, not the whole folder."
    )


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--out", "out_path", type=click.Path(path_type=Path), help="Where to write intake.json [default: FOLDER/intake.json].")
def validate(folder: Path, out_path: Path | None) -> None:
    """Read every export in FOLDER and report how each file and row was read.

    Writes intake.json; for a bare folder of exports also drafts engagement.yaml.
    """
    from .intake import validate_folder

    try:
        report = validate_folder(folder, out_path, console=console)
    except AuditError as exc:
        _fail(exc)
        return
    except Exception as exc:  # a bug, such as an invalid date in engagement.yaml that YAML itself rejects
        _fail_on_bug("validate", exc)
        return
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--template", "template", default="b2b-software", show_default=True, help=_template_help())
@click.option("--client", default=None, help="Client name written into engagement.yaml.")
def init(folder: Path, template: str, client: str | None) -> None:
    """Create a new engagement folder from a template."""
    from .scaffold import create_engagement

    try:
        path = create_engagement(folder, template, client=client)
    except AuditError as exc:
        _fail(exc)
        return
    except Exception as exc:
        _fail_on_bug("init", exc)
        return
    console.print(f"Created {escape(str(path))}. Put the client's exports in {escape(str(folder / 'exports'))} and edit engagement.yaml.")


@main.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
def diff(old: Path, new: Path) -> None:
    """Show what moved between two audits of the same client (results.json or report folders)."""
    from .diff import diff_results, print_diff

    try:
        print_diff(diff_results(old, new), console=Console(highlight=False))
    except AuditError as exc:
        _fail(exc)
    except Exception as exc:
        _fail_on_bug("diff", exc)


if __name__ == "__main__":  # pragma: no cover
    main()
