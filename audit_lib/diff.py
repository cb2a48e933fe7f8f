"""Compare two audits of the same client (``stack-audit diff`` and the report's baseline section)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .errors import ConfigError
from .results import read_results

OPEN_STATUSES = ("fail", "warn")
# Quarters differ by up to 3 days (90 to 92), so only a larger gap in period length gets a warning.
PERIOD_LENGTH_TOLERANCE = 1.1


def load_results_file(path: Path) -> dict[str, Any]:
    """Read a results.json, or the one inside a report folder, or raise ConfigError."""
    path = Path(path)
    target = path / "results.json" if path.is_dir() else path
    fix = "pass the results.json that 'stack-audit run' wrote, or its report folder"
    if not target.is_file():
        raise ConfigError(f"results file not found; {fix}", path=str(target))
    try:
        results = read_results(target)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not a results file: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; {fix}", path=str(target)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"not a results file: the file is not UTF-8 text; {fix}", path=str(target)) from None
    if not isinstance(results, dict) or not isinstance(results.get("engagement"), dict):
        raise ConfigError(f"not a results file: no 'engagement' section; {fix}", path=str(target))
    return results


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _moved(key: str, label: str, old: Any, new: Any) -> dict[str, Any]:
    old, new = _number(old), _number(new)
    change = new - old if old is not None and new is not None else None
    pct = change / abs(old) * 100 if change is not None and old else None
    return {"key": key, "label": label, "old": old, "new": new, "change": change, "pct_change": pct}


def _get(results: dict[str, Any], *keys: str) -> Any:
    value: Any = results
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _outcomes(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = _get(results, "metrics", "outcomes")
    return {str(o["type"]): o for o in rows or [] if isinstance(o, dict) and o.get("type")} if isinstance(rows, list) else {}


def headline_metrics(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """List the headline figures of both runs with their change and percentage change."""
    rows = [_moved("overall_score", "Overall score", _get(old, "overall", "score"), _get(new, "overall", "score"))]
    rows.append(_moved("efficiency_ratio", "Sales efficiency ratio", _get(old, "metrics", "efficiency", "ratio"), _get(new, "metrics", "efficiency", "ratio")))
    rows.append(_moved("sm_cost", "Sales and marketing cost", _get(old, "metrics", "cost", "total"), _get(new, "metrics", "cost", "total")))
    rows.append(_moved("new_bookings", "New bookings", _get(old, "metrics", "efficiency", "bookings"), _get(new, "metrics", "efficiency", "bookings")))
    rows.append(_moved("cac", "CAC", _get(old, "metrics", "cac", "value"), _get(new, "metrics", "cac", "value")))

    old_outcomes, new_outcomes = _outcomes(old), _outcomes(new)
    types = list(new_outcomes) + [t for t in old_outcomes if t not in new_outcomes]
    for kind in types:
        before, after = old_outcomes.get(kind, {}), new_outcomes.get(kind, {})
        label = after.get("label") or before.get("label") or kind
        rows.append(_moved(f"verified:{kind}", f"Verified: {label}", before.get("verified"), after.get("verified")))
        rows.append(_moved(f"cost_per_outcome:{kind}", f"Cost per outcome: {label}", before.get("cost_per_outcome"), after.get("cost_per_outcome")))
    return rows


def _findings(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = results.get("findings")
    return {str(f["id"]): f for f in rows or [] if isinstance(f, dict) and f.get("id")} if isinstance(rows, list) else {}


def findings_moved(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """List every finding of either run with its status and score in both."""
    before, after = _findings(old), _findings(new)
    rows = []
    for finding_id in list(after) + [i for i in before if i not in after]:
        was, now = before.get(finding_id, {}), after.get(finding_id, {})
        score = _moved(finding_id, "", was.get("score"), now.get("score"))
        rows.append({
            "id": finding_id,
            "title": now.get("title") or was.get("title") or finding_id,
            "old_status": was.get("status"),
            "new_status": now.get("status"),
            "old_score": score["old"],
            "new_score": score["new"],
            "score_change": score["change"],
            "status_changed": was.get("status") != now.get("status"),
        })
    return rows


def _period_days(results: dict[str, Any]) -> int | None:
    period = results["engagement"].get("period")
    try:
        return (dt.date.fromisoformat(period["end"]) - dt.date.fromisoformat(period["start"])).days + 1
    except (TypeError, KeyError, ValueError):
        return None


def _same_client(old: dict[str, Any], new: dict[str, Any]) -> bool:
    def norm(value: Any) -> str:
        return " ".join(str(value or "").split()).casefold()

    return norm(old["engagement"].get("client")) == norm(new["engagement"].get("client"))


def _run_info(path: Path, results: dict[str, Any]) -> dict[str, Any]:
    engagement = results["engagement"]
    return {"path": str(path), "name": engagement.get("name"), "period": engagement.get("period"), "generated_at": results.get("generated_at")}


def diff_results(old: Path, new: Path) -> dict[str, Any]:
    """Compare an earlier audit (``old``) with a later one (``new``) of the same client.

    Returns {client, old, new, metrics, findings, opened, closed, warnings}.
    A finding is opened when it is fail or warn now and was neither before
    (or absent), and closed when it passes now after fail or warn. Raises
    ConfigError when either path is not a results file or the clients differ.
    """
    before, after = load_results_file(old), load_results_file(new)
    if not _same_client(before, after):
        raise ConfigError(
            f"the two audits are of different clients ({before['engagement'].get('client')!r} in {old}, "
            f"{after['engagement'].get('client')!r} in {new}); compare two runs of the same client"
        )
    warnings = []
    if before["engagement"].get("currency") != after["engagement"].get("currency"):
        warnings.append(f"The currency changed from {before['engagement'].get('currency')} to {after['engagement'].get('currency')}, so money figures are not comparable")
    if before["engagement"].get("rules") != after["engagement"].get("rules"):
        warnings.append("The outcome rules changed between the runs, so verified counts follow different rules")

    old_days, new_days = _period_days(before), _period_days(after)
    if old_days and new_days and max(old_days, new_days) > PERIOD_LENGTH_TOLERANCE * min(old_days, new_days):
        warnings.append(f"The periods differ in length ({old_days} and {new_days} days), so counts and costs cover different spans")

    findings = findings_moved(before, after)
    opened = [f for f in findings if f["new_status"] in OPEN_STATUSES and f["old_status"] not in OPEN_STATUSES]
    closed = [f for f in findings if f["new_status"] == "pass" and f["old_status"] in OPEN_STATUSES]
    return {
        "client": after["engagement"].get("client"),
        "old": _run_info(Path(old), before),
        "new": _run_info(Path(new), after),
        "metrics": headline_metrics(before, after),
        "findings": findings,
        "opened": opened,
        "closed": closed,
        "warnings": warnings,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _signed(value: Any, suffix: str = "") -> str:
    if value is None:
        return "n/a"
    return (f"{value:+,}" if isinstance(value, int) else f"{value:+,.2f}") + suffix


def _status(value: Any) -> str:
    return "absent" if value is None else str(value).replace("_", " ")


def _verdict(status: Any, score: Any) -> str:
    return _status(status) if score is None else f"{_status(status)} {_fmt(score)}"


def _describe_run(run: dict[str, Any]) -> str:
    period = run.get("period") if isinstance(run.get("period"), dict) else {}
    return f"{run.get('name')}, {period.get('start')} to {period.get('end')} ({run.get('path')})"


def print_diff(diff: dict[str, Any], console: Console) -> None:
    """Print a diff from diff_results as rich tables: metrics, findings, opened and closed."""
    old, new = diff.get("old", {}), diff.get("new", {})
    console.print(Text(f"Re-audit of {diff.get('client')}", style="bold"))
    console.print(Text(f"  old: {_describe_run(old)}"))
    console.print(Text(f"  new: {_describe_run(new)}"))
    for warning in diff.get("warnings", []):
        console.print(Text(f"warning: {warning}", style="yellow"))

    metrics = Table(title="Headline metrics")
    for column in ("Metric", "Old", "New", "Change", "Change %"):
        metrics.add_column(column, justify="left" if column == "Metric" else "right")
    for row in diff.get("metrics", []):
        metrics.add_row(Text(row["label"]), _fmt(row["old"]), _fmt(row["new"]), _signed(row["change"]), _signed(row["pct_change"], "%"))
    console.print(metrics)

    # Status and score share a cell so the table fits an 80-column terminal.
    findings = Table(title="Findings (status and score)")
    findings.add_column("Finding", min_width=24)
    findings.add_column("Old", no_wrap=True)
    findings.add_column("New", no_wrap=True)
    findings.add_column("Score change", justify="right", no_wrap=True)
    for row in diff.get("findings", []):
        findings.add_row(Text(row["title"]), _verdict(row["old_status"], row["old_score"]), _verdict(row["new_status"], row["new_score"]), _signed(row["score_change"]))
    console.print(findings)

    for key, heading in (("opened", "Opened (fail or warn now)"), ("closed", "Closed (pass now)")):
        rows = diff.get(key, [])
        console.print(Text(f"{heading}: {len(rows)}", style="bold"))
        for row in rows:
            console.print(Text(f"  {row['id']}: {row['title']} ({_status(row['old_status'])} -> {_status(row['new_status'])})"))
