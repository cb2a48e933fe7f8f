"""Report sections for each finding, the baseline comparison and the data appendix."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .charts import chart
from .format import badge, esc, is_number, money, not_assessable, number, table
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


MOVED_MONEY_KEYS = ("sm_cost", "new_bookings", "cac", "cost_per_outcome:")


def baseline_section(results: dict[str, Any], results_path: str | Path, baseline_path: str | Path | None) -> str:
    """Compare with an earlier run through ``audit_lib.diff.diff_results``; "" without a baseline."""
    if not baseline_path:
        return ""
    title = "Comparison with the baseline"
    try:
        from ..diff import diff_results

        diff = diff_results(Path(baseline_path), Path(results_path))
    except Exception as exc:  # the comparison is optional, so the report still renders without it
        log.warning("baseline comparison unavailable: %s: %s", type(exc).__name__, exc)
        return wrap("baseline", title, not_assessable(f"the comparison could not be computed: {exc}"))
    if not isinstance(diff, dict):
        return wrap("baseline", title, not_assessable("the comparison returned no result"))

    currency = currency_of(results)
    old = diff.get("old") if isinstance(diff.get("old"), dict) else {}
    body = f"<p>Compared with the run {esc(old.get('name') or '')} generated {esc(str(old.get('generated_at') or 'at an unknown time')[:10])}.</p>"
    for warning in diff.get("warnings") or []:
        body += f'<p class="warning">{esc(warning)}</p>'

    moved = [row for row in diff.get("metrics") or [] if isinstance(row, dict)]
    body += "<h3>Metrics moved</h3>" + (_moved_table(moved, currency) if moved else '<p class="muted">No metrics to compare.</p>')
    findings = [row for row in diff.get("findings") or [] if isinstance(row, dict)]
    columns = ["title", "old_status", "new_status", "old_score", "new_score", "score_change"]
    body += "<h3>Scores moved</h3>" + (table(findings, currency, columns=columns, max_rows=50) if findings else '<p class="muted">No findings to compare.</p>')
    for key, heading in (("opened", "Findings opened"), ("closed", "Findings closed")):
        rows = [row for row in diff.get(key) or [] if isinstance(row, dict)]
        items = "".join(f"<li>{badge(row.get('new_status'))} {esc(row.get('title') or row.get('id'))}</li>" for row in rows)
        body += f"<h3>{heading}</h3>" + (f"<ul>{items}</ul>" if items else '<p class="muted">None.</p>')
    return wrap("baseline", title, body)


def _moved_table(rows: list[dict[str, Any]], currency: str) -> str:
    """Render headline figures of both runs; money rows in the currency, the rest as numbers."""
    parts = ['<table class="data"><thead><tr><th>Figure</th><th class="num">Baseline</th><th class="num">Now</th><th class="num">Change</th><th class="num">Change %</th></tr></thead><tbody>']
    for row in rows:
        key = str(row.get("key") or "")
        is_money = any(key == k or (k.endswith(":") and key.startswith(k)) for k in MOVED_MONEY_KEYS)
        show = (lambda v: money(v, currency)) if is_money else (lambda v: number(v, 2) if is_number(v) and not float(v).is_integer() else number(v))
        pct = f"{row['pct_change']:+.1f}%" if is_number(row.get("pct_change")) else "n/a"
        parts.append(
            f"<tr><td>{esc(row.get('label') or key)}</td><td class=\"num\">{show(row.get('old'))}</td>"
            f"<td class=\"num\">{show(row.get('new'))}</td><td class=\"num\">{show(row.get('change'))}</td><td class=\"num\">{pct}</td></tr>"
        )
    parts.append("</tbody></table>")
    return "".join(parts)


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
    if timings:
        body += table([t for t in timings if isinstance(t, dict)], currency_of(results), columns=["step", "seconds"], max_rows=100)
        body += '<p class="muted">The report is rendered from these results, so its own steps (report, PDF) appear only in results.json after the run.</p>'
    else:
        body += '<p class="muted">No timings recorded.</p>'
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
<dt>Stack Unification score</dt><dd>The weighted mean of the assessable finding scores, from 0 (worst) to 100 (healthy). Findings that are not assessable are left out.</dd>
</dl>"""
