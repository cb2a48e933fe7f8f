"""The main job: exports -> intake -> DuckDB -> metrics, graph, checks -> results.json -> report.

Each step is timed and named, so a failure reports which step broke and why,
and the report's appendix lists how long each step took.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import CONFIG_NAME, Engagement, load_engagement
from .errors import AuditError, ConfigError, StepError

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ENGAGEMENT = PROJECT_ROOT / "sample_data" / "northwind"
DEFAULT_REPORTS = Path("reports")


@dataclass
class RunOutputs:
    out_dir: Path
    results_path: Path
    report_html: Path | None = None
    report_pdf: Path | None = None
    notebook: Path | None = None
    evidence: Path | None = None
    timings: list[dict[str, Any]] = field(default_factory=list)


class StepTimer:
    """Run named steps, record their durations and turn failures into StepError."""

    def __init__(self, on_start: Callable[[str], None] | None = None, on_end: Callable[[str, float], None] | None = None, log_path: Path | None = None):
        self.timings: list[dict[str, Any]] = []
        self._on_start = on_start
        self._on_end = on_end
        self._log_path = log_path

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self._on_start:
            self._on_start(name)
        start = time.perf_counter()
        try:
            yield
        except StepError:
            raise
        except AuditError as exc:
            raise StepError(name, str(exc)) from exc
        except Exception as exc:  # a bug: keep the traceback in the run log, show one line
            detail = traceback.format_exc()
            log.debug("step %s failed", name, exc_info=exc)
            # Before the output folder exists there is no run.log, so point at the debug log.
            where = "; rerun with 'stack-audit -v run ...' to see the traceback"
            if self._log_path:
                self._log_path.parent.mkdir(parents=True, exist_ok=True)
                with self._log_path.open("a", encoding="utf-8") as fh:
                    fh.write(f"--- step {name}\n{detail}\n")
                where = f"; the traceback is in {self._log_path}"
            raise StepError(name, f"internal error {type(exc).__name__}: {exc}{where}") from exc
        seconds = time.perf_counter() - start
        self.timings.append({"step": name, "seconds": round(seconds, 3)})
        if self._on_end:
            self._on_end(name, seconds)


def resolve_engagement(folder: Path, out_dir: Path | None = None) -> tuple[Engagement, bool]:
    """Load ``engagement.yaml``, or draft one for a bare folder of exports.

    Returns the engagement and whether it was drafted.
    """
    from .intake import draft_engagement

    if (folder / CONFIG_NAME).exists() or folder.is_file():
        engagement = load_engagement(folder)
        if not engagement.files:
            # A fresh engagement from `init` lists no files: detect the exports dropped into it.
            engagement.files = draft_engagement(engagement.root).files
            log.info("engagement.yaml lists no files; detected %d exports under %s", len(engagement.files), engagement.root)
            return engagement, True
        return engagement, False
    return draft_engagement(folder), True


def check_baseline(baseline: Path, engagement: Engagement) -> None:
    """Raise ConfigError unless ``baseline`` is a results file of the engagement's client.

    Checked before intake, so a wrong ``--baseline`` fails at once instead of
    appearing as a "not assessable" section in the client's report.
    """
    from .diff import load_results_file

    previous_client = load_results_file(baseline)["engagement"].get("client")

    # Same rule as `stack-audit diff`: case and runs of whitespace do not count.
    def normalise(value: object) -> str:
        return " ".join(str(value or "").split()).casefold()

    if normalise(previous_client) != normalise(engagement.client):
        raise ConfigError(
            f"baseline is an audit of client {previous_client!r}, but this engagement's client is {engagement.client!r}; "
            "pass an earlier results.json or report folder of the same client",
            path=str(baseline),
        )


def run_audit(
    engagement_dir: str | Path = SAMPLE_ENGAGEMENT,
    out_dir: str | Path | None = None,
    *,
    pdf: bool | None = None,
    baseline: str | Path | None = None,
    on_start: Callable[[str], None] | None = None,
    on_end: Callable[[str, float], None] | None = None,
    render: bool = True,
    on_file: Callable[[int, int, str, Any], None] | None = None,
) -> RunOutputs:
    """Run every step on one engagement folder and write its deliverables.

    ``on_start(step)`` and ``on_end(step, seconds)`` bracket each step, and
    ``on_file(index, count, path, file_report)`` reports intake per file, first
    with ``file_report`` None and then with its ``FileReport``.
    """
    folder = Path(engagement_dir)
    if not folder.exists():
        raise StepError("load engagement", f"folder {folder} not found; pass an engagement folder or a folder of exports")

    timer = StepTimer(on_start, on_end)
    with timer.step("load engagement"):
        engagement, drafted = resolve_engagement(folder)
    if baseline is not None:
        with timer.step("load baseline"):
            check_baseline(Path(baseline), engagement)

    out = Path(out_dir) if out_dir else DEFAULT_REPORTS / engagement.slug
    out.mkdir(parents=True, exist_ok=True)
    timer._log_path = out / "run.log"
    cache_dir = out / "cache"

    from . import intake
    from .store import open_store

    with timer.step("intake"):
        intake_report, intake_error = intake.collect_intake(engagement, cache_dir, on_file)
        if drafted:
            # Written before any intake error is raised, so the consultant can fix the draft.
            intake.write_draft(engagement, intake_report, folder / CONFIG_NAME)
        if intake_error is not None:
            raise intake_error

    with timer.step("open store"):
        res = engagement.resources
        con = open_store(cache_dir, memory_limit=res.duckdb_memory_limit, threads=res.duckdb_threads, spill_dir=res.spill_dir or (out / "spill"))

    from .attribution import compute_attribution
    from .checks import run_checks
    from .graph import compute_graph
    from .metrics import compute_metrics
    from .scoring import overall_score

    with timer.step("metrics"):
        metrics = compute_metrics(con, engagement)
    with timer.step("revenue graph"):
        graph = compute_graph(con, engagement)
    with timer.step("attribution"):
        attribution = compute_attribution(con, engagement)
    with timer.step("checks"):
        context = {"metrics": metrics, "graph": graph, "attribution": attribution, "intake": intake_report}
        findings = run_checks(con, engagement, context)
    with timer.step("overall score"):
        overall = overall_score(findings, engagement)

    from .results import to_jsonable, write_results

    results = {
        "engagement": engagement_summary(engagement, drafted),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "intake": intake_report.to_dict() if hasattr(intake_report, "to_dict") else intake_report,
        "metrics": metrics,
        "graph": graph,
        "attribution": attribution,
        "findings": [f.to_dict() for f in findings],
        "overall": overall,
        "timings": timer.timings,
    }
    results_path = out / "results.json"
    with timer.step("write results"):
        write_results(results, results_path)
    outputs = RunOutputs(out_dir=out, results_path=results_path)
    con.close()

    if render:
        from .report import render_report, write_pdf
        from .evidence import write_evidence_workbook

        with timer.step("evidence workbook"):
            outputs.evidence = write_evidence_workbook(to_jsonable(results), out / "evidence.xlsx")
        with timer.step("report"):
            outputs.notebook, outputs.report_html = render_report(results_path, out, engagement, baseline=baseline)
        want_pdf = engagement.report.pdf if pdf is None else pdf
        if want_pdf:
            with timer.step("pdf"):
                outputs.report_pdf = write_pdf(outputs.report_html, out / "report.pdf", chromium=engagement.report.chromium_path)

    # Record every step's time, including rendering, for the appendix and benchmarks.
    with timer.step("record timings"):
        results["timings"] = timer.timings
        write_results(results, results_path)
    outputs.timings = timer.timings
    return outputs


def engagement_summary(engagement: Engagement, drafted: bool = False) -> dict[str, Any]:
    return {
        "name": engagement.name,
        "client": engagement.client,
        "slug": engagement.slug,
        "period": {"start": engagement.period.start.isoformat(), "end": engagement.period.end.isoformat()},
        "currency": engagement.currency,
        "drafted_config": drafted,
        "rules": engagement.outcomes.model_dump(),
        "attribution": engagement.attribution.model_dump(),
        "branding": engagement.branding.model_dump(),
        "show_personal_data": engagement.report.show_personal_data,
    }
