"""Report sections for each finding, the baseline comparison and the data appendix."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from .charts import chart
from .format import badge, esc, is_number, not_assessable, number, table
from .sections import currency_of, section, shows_personal_data, sorted_findings, wrap

log = logging.getLogger(__name__)


def finding_section(results: dict[str, Any], finding: dict[str, Any]) -> str:
    """Render one finding: badge, score, severity, explanation, evidence, chart and recommendation."""
    currency = currency_of(results)
    score = f"{number(finding.get('score'), 0)}/100" if is_number(finding.get("score")) else "n/a"
    facts = [
        ("Status", badge(finding.get("status"))),
        ("Score", esc(score)),
        ("Severity", esc(finding.get("severity") or "n/a")),
        ("Basis", esc(finding.get("basis") or "n/a")),
    ]
    if is_number(finding.get("effort_hours")):
        facts.append(("Effort", f"{number(finding['effort_hours'])} hours"))
    if finding.get("owner_role"):
        facts.append(("Owner", esc(finding["owner_role"])))
    body = '<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"
    body += f'<p class="explanation">{esc(finding.get("explanation") or "")}</p>'
    if finding.get("status") == "not_assessable" and finding.get("interview_question"):
        body += f'<p class="question"><strong>Question to ask:</strong> {esc(finding["interview_question"])}</p>'

    evidence = finding.get("evidence") if isinstance(finding.get("evidence"), dict) else {}
    scalars = [{"figure": k, "value": v} for k, v in evidence.items() if not isinstance(v, (dict, list))]
    if scalars:
        body += "<h3>Evidence</h3>" + _evidence_table(scalars, currency)
    body += chart("checks", "finding_chart", finding, title=str(finding.get("title") or ""))
    tables = finding.get("tables") if isinstance(finding.get("tables"), dict) else {}
    for name, rows in tables.items():
        body += table(rows, currency, show_personal_data=shows_personal_data(results), caption=name.replace("_", " ").capitalize())
    rows = finding.get("evidence_rows")
    if isinstance(rows, list) and rows:
        body += table(rows, currency, max_rows=10, show_personal_data=shows_personal_data(results), caption="Example rows")
    if finding.get("recommendation"):
        body += f'<p class="recommendation"><strong>Recommendation:</strong> {esc(finding["recommendation"])}</p>'
    title = str(finding.get("title") or finding.get("id") or "Finding")
    return wrap(f"finding-{finding.get('id')}", title, body)


def _evidence_table(rows: list[dict[str, Any]], currency: str) -> str:
    """Render named evidence figures, formatting each by its own name."""
    from .format import format_cell, label

    parts = ['<table class="data evidence"><tbody>']
    for row in rows:
        text, numeric = format_cell(row["figure"], row["value"], currency)
        css = ' class="num"' if numeric else ""
        parts.append(f"<tr><th>{label(row['figure'])}</th><td{css}>{text}</td></tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def findings_sections(results: dict[str, Any]) -> str:
    """Render every finding, worst first."""
    findings = sorted_findings(results)
    if not findings:
        return wrap("findings", "Findings", not_assessable("no findings in the results"))
    return "".join(finding_section(results, finding) for finding in findings)


def load_baseline(baseline_path: str | Path | None) -> dict[str, Any] | None:
    """Read a baseline results.json, or a report folder holding one; None when absent."""
    if not baseline_path:
        return None
    path = Path(baseline_path)
    if path.is_dir():
        path = path / "results.json"
    return json.loads(path.read_text(encoding="utf-8"))


def baseline_section(results: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """Compare with a baseline through ``audit_lib.diff.diff_results``; "" without a baseline."""
    if baseline is None:
        return ""
    try:
        from ..diff import diff_results

        diff = diff_results(baseline, results)
    except Exception as exc:  # the diff module is optional; the report still renders without it
        log.warning("baseline comparison unavailable: %s: %s", type(exc).__name__, exc)
        return wrap("baseline", "Comparison with the baseline", not_assessable(f"the comparison could not be computed ({type(exc).__name__})"))
    if not isinstance(diff, dict):
        return wrap("baseline", "Comparison with the baseline", not_assessable("the comparison returned no result"))
    body = ""
    titles = {"metrics": "Metrics moved", "scores": "Scores moved", "opened": "Findings opened", "closed": "Findings closed"}
    for key, value in diff.items():
        heading = titles.get(key, key.replace("_", " ").capitalize())
        if isinstance(value, list):
            rows = [row if isinstance(row, dict) else {"item": row} for row in value]
            body += f"<h3>{esc(heading)}</h3>" + (table(rows, currency_of(results)) if rows else '<p class="muted">None.</p>')
        elif isinstance(value, dict):
            rows = [{"item": k, **v} if isinstance(v, dict) else {"item": k, "value": v} for k, v in value.items()]
            body += f"<h3>{esc(heading)}</h3>" + table(rows, currency_of(results))
        else:
            body += f"<p><strong>{esc(heading)}:</strong> {esc(value)}</p>"
    return wrap("baseline", "Comparison with the baseline", body or '<p class="muted">No differences.</p>')


def appendix(results: dict[str, Any]) -> str:
    """Render row accounting per input file, the definitions and the step timings."""
    intake = section(results, "intake")
    files = intake.get("files") if isinstance(intake.get("files"), list) else []
    body = "<h3>Row accounting per input file</h3>"
    if files:
        rows = []
        for item in files:
            if not isinstance(item, dict):
                continue
            aside = item.get("rows_set_aside") if isinstance(item.get("rows_set_aside"), dict) else {}
            rows.append({
                "file": item.get("path"),
                "table": item.get("table"),
                "profile": item.get("profile"),
                "encoding": item.get("encoding"),
                "delimiter": repr(item["delimiter"]) if isinstance(item.get("delimiter"), str) else item.get("delimiter"),
                "rows_read": item.get("rows_read"),
                "rows_used": item.get("rows_used"),
                "rows_set_aside": sum(v for v in aside.values() if is_number(v)),
                "set_aside_reasons": "; ".join(f"{k}: {v:,}" if is_number(v) else f"{k}: {v}" for k, v in aside.items()),
            })
        body += table(rows, currency_of(results), max_rows=200)
    else:
        body += not_assessable("no intake accounting in the results")
    body += "<h3>Definitions</h3>" + DEFINITIONS
    timings = results.get("timings") if isinstance(results.get("timings"), list) else []
    body += "<h3>Step timings</h3>"
    body += table([t for t in timings if isinstance(t, dict)], currency_of(results), columns=["step", "seconds"], max_rows=100) if timings else '<p class="muted">No timings recorded.</p>'
    return wrap("appendix", "Data appendix", body)


DEFINITIONS = """<dl class="definitions">
<dt>Claimed outcome</dt><dd>What a status alone says: a meeting logged, an opportunity in a qualified stage, a deal marked won.</dd>
<dt>Verified outcome</dt><dd>A claimed outcome with evidence in the records: a held status and a linked contact or account, a qualified opportunity with account and contact, a won deal with an amount that closed in the period.</dd>
<dt>Cost per Outcome (CPO)</dt><dd>Sales and marketing cost in the period divided by verified outcomes of one type. No verified outcomes means no CPO.</dd>
<dt>Sales efficiency ratio</dt><dd>New bookings (verified closed-won, excluding renewals) divided by sales and marketing cost.</dd>
<dt>CAC</dt><dd>Sales and marketing cost divided by new customers: accounts whose first verified won deal closes in the period.</dd>
<dt>CAC payback</dt><dd>CAC divided by average monthly new bookings per new customer times gross margin, in months.</dd>
<dt>Magic number</dt><dd>The change in new bookings from one quarter to the next, times four, divided by the previous quarter's sales and marketing cost.</dd>
<dt>Traceable won deal</dt><dd>A won deal with at least one linked touch or activity on or before its close date and within the attribution lookback window.</dd>
<dt>Stack Unification score</dt><dd>The finding scores combined with the weights shown in the results, from 0 (worst) to 100 (healthy).</dd>
</dl>"""
