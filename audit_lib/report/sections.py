"""Report sections built from results.json: title, executive summary and metrics.

Each function takes the whole results dict, tolerates any missing key and
returns an HTML string for one notebook cell. The library computes every
figure; these functions only format, escape and mask.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .charts import chart
from .format import badge, esc, is_number, money, not_assessable, number, table

OUTCOME_LABELS = {
    "meeting_held": "Meeting held",
    "qualified_opportunity": "Qualified opportunity",
    "closed_won": "Closed-won",
}
STATUS_ORDER = {"fail": 0, "warn": 1, "not_assessable": 2, "pass": 3}
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def section(results: dict[str, Any], key: str) -> dict[str, Any]:
    """Return ``results[key]`` when it is a dict, else an empty dict."""
    value = results.get(key) if isinstance(results, dict) else None
    return value if isinstance(value, dict) else {}


def currency_of(results: dict[str, Any]) -> str:
    return str(section(results, "engagement").get("currency") or "USD")


def shows_personal_data(results: dict[str, Any]) -> bool:
    return section(results, "engagement").get("show_personal_data") is True


def wrap(section_id: str, title: str, body: str, new_page: bool = True) -> str:
    css = "report-section" + (" new-page" if new_page else "")
    return f'<section class="{css}" id="{esc(section_id)}"><h2>{esc(title)}</h2>{body}</section>'


def card(title: str, value: str, detail: str = "", status: str | None = None) -> str:
    css = f" card-{esc(status)}" if status else ""
    extra = f'<div class="card-detail">{detail}</div>' if detail else ""
    return f'<div class="card{css}"><div class="card-title">{esc(title)}</div><div class="card-value">{value}</div>{extra}</div>'


def metric_value(item: Any, currency: str) -> tuple[str, str | None]:
    """Return the formatted value of a metric dict or scalar, and its not-assessable reason."""
    if is_number(item):
        return number(item), None
    if not isinstance(item, dict):
        return "n/a", "not computed"
    if item.get("status") == "not_assessable":
        return "n/a", item.get("reason") or "not computed"
    for key in ("value", "ratio", "latest", "cost_per_outcome"):
        if is_number(item.get(key)):
            value = item[key]
            name = str(item.get("metric") or item.get("label") or "").lower()
            if key == "cost_per_outcome" or "cost" in name or name == "cac":
                return money(value, currency), None
            return number(value, 2 if abs(value) < 100 else 0), None
    return "n/a", item.get("reason") or "not computed"


def title_block(results: dict[str, Any]) -> str:
    """Render the title block: client, engagement, period, currency, firm and generated date."""
    eng = section(results, "engagement")
    period = eng.get("period") if isinstance(eng.get("period"), dict) else {}
    firm = section(eng, "branding").get("firm") or "Stack Unification Audit"
    generated = str(results.get("generated_at") or dt.date.today().isoformat())[:10]
    rows = [
        ("Client", eng.get("client") or "not stated"),
        ("Engagement", eng.get("name") or "not stated"),
        ("Period", f"{period.get('start', '?')} to {period.get('end', '?')}"),
        ("Currency", currency_of(results)),
        ("Prepared by", firm),
        ("Generated", generated),
    ]
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    note = ""
    if eng.get("drafted_config"):
        note = '<p class="warning">The engagement configuration was drafted from the exports and not yet reviewed.</p>'
    return (
        '<header class="title-block">'
        f'<p class="kicker">Revenue stack audit</p><h1>{esc(eng.get("client") or "Audit report")}</h1>'
        f'<dl class="meta">{items}</dl>{note}</header>'
    )


def outcome_cards(results: dict[str, Any]) -> str:
    currency = currency_of(results)
    outcomes = section(results, "metrics").get("outcomes")
    if not isinstance(outcomes, list) or not outcomes:
        return not_assessable(section(results, "metrics").get("outcomes_reason") or "no outcome figures in the results")
    cards = []
    for item in outcomes:
        if not isinstance(item, dict):
            continue
        name = SINGULAR_LABELS.get(str(item.get("type"))) or item.get("label") or item.get("type") or "outcome"
        counts = f"{number(item.get('verified'), 0)} verified of {number(item.get('claimed'), 0)} claimed"
        if item.get("status") == "not_assessable" or not is_number(item.get("cost_per_outcome")):
            detail = f"{esc(counts)}<br>Not assessable: {esc(item.get('reason') or 'no verified outcomes')}"
            cards.append(card(f"Cost per {name}", "n/a", detail, "not_assessable"))
        else:
            cards.append(card(f"Cost per {name}", money(item["cost_per_outcome"], currency), esc(counts)))
    return "".join(cards)


# Card titles read "Cost per <one outcome>".
SINGULAR_LABELS = {"meeting_held": "meeting held", "qualified_opportunity": "qualified opportunity", "closed_won": "closed-won deal"}


def executive_summary(results: dict[str, Any], top: int = 5) -> str:
    """Render the executive summary: CPO cards, efficiency, overall score, top findings and plan."""
    metrics = section(results, "metrics")
    overall = section(results, "overall")
    cards = [outcome_cards(results)]

    eff = metrics.get("efficiency") if isinstance(metrics.get("efficiency"), dict) else {}
    if is_number(eff.get("ratio")) and eff.get("status") != "not_assessable":
        variant = str(eff.get("variant") or "new bookings")
        detail = esc(variant if "÷" in variant else f"{variant} ÷ sales and marketing cost")
        cards.append(card("Sales efficiency ratio", number(eff["ratio"], 2), detail))
    else:
        cards.append(card("Sales efficiency ratio", "n/a", f"Not assessable: {esc(eff.get('reason') or 'not computed')}", "not_assessable"))

    if is_number(overall.get("score")):
        band = overall.get("band") or ""
        cards.append(card("Stack Unification score", f"{number(overall['score'], 0)}<small>/100</small>", esc(band), band_status(overall)))
    else:
        cards.append(card("Stack Unification score", "n/a", f"Not assessable: {esc(overall.get('reason') or 'no score')}", "not_assessable"))

    body = f'<div class="card-grid">{"".join(cards)}</div>'
    body += chart("checks", "overall_chart", overall, _findings(results), title="Score per finding")
    body += "<h3>Top findings</h3>" + top_findings(results, top)
    body += "<h3>Remediation plan</h3>" + plan_table(results, top)
    return wrap("summary", "Executive summary", body)


def band_status(overall: dict[str, Any]) -> str | None:
    """Map the overall band onto a status colour: the best band is pass, the worst fail."""
    bands = overall.get("bands") if isinstance(overall.get("bands"), list) else []
    names = [b.get("band") for b in sorted((b for b in bands if isinstance(b, dict) and is_number(b.get("from"))), key=lambda b: -b["from"])]
    band = overall.get("band")
    if band in names and len(names) >= 2:
        position = names.index(band)
        if position == 0:
            return "pass"
        if position == len(names) - 1:
            return "fail"
        return "warn"
    text = str(band or "").lower()
    for status in ("pass", "warn", "fail"):
        if status in text:
            return status
    return None


def _findings(results: dict[str, Any]) -> list[dict[str, Any]]:
    findings = results.get("findings") if isinstance(results, dict) else None
    return [f for f in findings if isinstance(f, dict)] if isinstance(findings, list) else []


def sorted_findings(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Return findings worst first: by status, then score (lowest first), then severity."""

    def key(finding: dict[str, Any]) -> tuple[int, float, int]:
        score = finding.get("score")
        return (
            STATUS_ORDER.get(str(finding.get("status")), 2),
            score if is_number(score) else 101.0,
            SEVERITY_ORDER.get(str(finding.get("severity")), 2),
        )

    return sorted(_findings(results), key=key)


def top_findings(results: dict[str, Any], top: int = 5) -> str:
    findings = sorted_findings(results)
    if not findings:
        return not_assessable("no findings in the results")
    items = []
    for finding in findings[:top]:
        score = number(finding.get("score"), 0) if is_number(finding.get("score")) else "n/a"
        items.append(
            f'<li>{badge(finding.get("status"))} <a href="#finding-{esc(finding.get("id"))}">{esc(finding.get("title") or finding.get("id"))}</a>'
            f' <span class="muted">score {score}, severity {esc(finding.get("severity") or "n/a")}</span></li>'
        )
    return f'<ol class="findings-list">{"".join(items)}</ol>'


def plan_table(results: dict[str, Any], top: int = 5) -> str:
    plan = section(results, "overall").get("plan")
    if not isinstance(plan, list) or not plan:
        return not_assessable("no remediation plan in the results")
    columns = ["title", "fix", "expected_effect", "score_gain", "effort_hours", "owner_role", "severity"]
    present = [c for c in columns if any(isinstance(row, dict) and c in row for row in plan)]
    note = (
        '<p class="muted">Expected effect is the finding\'s weight times the points it is below 100; '
        "score gain is how many points the overall score would rise if that finding reached 100.</p>"
    )
    return table(plan[:top], currency_of(results), columns=present) + note


def rules_text(results: dict[str, Any]) -> str:
    """List the outcome rules in force, as results["engagement"]["rules"] records them."""
    rules = section(results, "engagement").get("rules")
    if not isinstance(rules, dict) or not rules:
        return not_assessable("the outcome rules are not recorded in the results")
    items = []
    for outcome, rule in rules.items():
        if isinstance(rule, dict):
            parts = "; ".join(f"{k.replace('_', ' ')}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in rule.items())
        else:
            parts = str(rule)
        items.append(f"<li><strong>{esc(OUTCOME_LABELS.get(outcome, outcome))}</strong>: {esc(parts)}</li>")
    return f'<ul class="rules">{"".join(items)}</ul>'
