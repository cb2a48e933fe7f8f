"""Report sections for each metric: outcomes, efficiency, cost per outcome, graph, attribution.

Every section states the rules in force and shows masked example rows with
``source_file`` and ``source_line`` so a reader can find the rows behind a figure.
"""

from __future__ import annotations

from typing import Any

from .charts import chart
from .format import esc, is_number, money, not_assessable, number, table
from .sections import OUTCOME_LABELS, currency_of, metric_value, rules_text, section, shows_personal_data, wrap

BREAKDOWNS = (("channel", "By channel"), ("campaign", "By campaign"), ("team", "By team"), ("month", "By month"))


def _rows(value: Any) -> list[dict[str, Any]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _examples(results: dict[str, Any], rows: Any, caption: str) -> str:
    rows = _rows(rows)
    if not rows:
        return ""
    return table(rows, currency_of(results), max_rows=10, show_personal_data=shows_personal_data(results), caption=caption)


def outcomes_section(results: dict[str, Any]) -> str:
    """Render claimed against verified outcomes, their cost per outcome and the rules behind them."""
    metrics = section(results, "metrics")
    outcomes = _rows(metrics.get("outcomes"))
    if not outcomes:
        return wrap("outcomes", "Outcomes and Cost per Outcome", not_assessable(metrics.get("outcomes_reason") or "no outcome figures in the results"))
    columns = ["label", "claimed", "verified", "unverified", "cost", "cost_per_outcome", "status", "reason"]
    rows = [{**row, "label": row.get("label") or OUTCOME_LABELS.get(str(row.get("type")), row.get("type"))} for row in outcomes]
    body = table(rows, currency_of(results), columns=columns)
    body += chart("metrics", "outcomes_chart", metrics, title="Claimed against verified outcomes")
    stated = [f"<li><strong>{esc(row['label'])}</strong>: {esc(row.get('rule'))}</li>" for row in rows if row.get("rule")]
    body += "<h3>Rules in force</h3>"
    body += f'<ul class="rules">{"".join(stated)}</ul>' if stated else rules_text(results)
    body += verified_examples(results, metrics.get("verified_rows"))
    return wrap("outcomes", "Outcomes and Cost per Outcome", body)


def verified_examples(results: dict[str, Any], verified: Any) -> str:
    """Show example verified rows, whether stored as one list or as a list per outcome type."""
    if isinstance(verified, dict):
        parts = []
        for kind, rows in verified.items():
            name = OUTCOME_LABELS.get(kind, kind)
            if isinstance(rows, dict):
                parts.extend(_examples(results, side_rows, f"Example {side} rows: {name}") for side, side_rows in rows.items())
            else:
                parts.append(_examples(results, rows, f"Example verified rows: {name}"))
        body = "".join(parts)
    else:
        body = _examples(results, verified, "Example verified rows")
    return f"<h3>Rows behind the figures</h3>{body}" if body else ""


def efficiency_section(results: dict[str, Any]) -> str:
    """Render the sales efficiency ratio, input metrics, CAC, magic number and CAC payback."""
    currency = currency_of(results)
    metrics = section(results, "metrics")
    eff = metrics.get("efficiency") if isinstance(metrics.get("efficiency"), dict) else {}
    if is_number(eff.get("ratio")) and eff.get("status") != "not_assessable":
        body = (
            f'<p class="headline">Sales efficiency ratio <strong>{number(eff["ratio"], 2)}</strong>: '
            f'{money(eff.get("bookings"), currency)} of {esc(str(eff.get("variant") or "new bookings").split("÷")[0].strip())} '
            f'for {money(eff.get("cost"), currency)} of sales and marketing cost.</p>'
        )
    else:
        body = not_assessable(eff.get("reason") or "the efficiency ratio is not in the results")

    inputs = _rows(metrics.get("input_metrics"))
    body += "<h3>Input metrics</h3>"
    if inputs:
        shown = []
        for row in inputs:
            value, reason = metric_value(row, currency)
            shown.append({"metric": row.get("label") or row.get("metric"), "numerator": row.get("numerator"), "denominator": row.get("denominator"), "value": value if reason is None else "n/a", "note": reason or ""})
        body += _metric_table(shown, currency)
    else:
        body += not_assessable("no input metrics in the results")

    others = []
    named = {"cac": "Customer acquisition cost (CAC)", "magic_number": "Magic number (latest quarter)", "cac_payback_months": "CAC payback (months)"}
    for key, name in named.items():
        item = metrics.get(key)
        if key == "cac" and isinstance(item, dict):
            item = {**item, "metric": "cac"}  # formats the value as money
        value, reason = metric_value(item, currency)
        others.append({"metric": name, "value": value, "note": f"Not assessable: {reason}" if reason else ""})
    body += _metric_table(others, currency)
    quarters = metrics["magic_number"].get("by_quarter") if isinstance(metrics.get("magic_number"), dict) else None
    if _rows(quarters):
        body += table(_rows(quarters), currency, caption="Magic number by quarter")
    return wrap("efficiency", "Efficiency and input metrics", body)


def _metric_table(rows: list[dict[str, Any]], currency: str) -> str:
    """Render metric rows whose ``value`` is already formatted text."""
    parts = ['<table class="data"><thead><tr><th>Metric</th>']
    has_parts = any("numerator" in row for row in rows)
    if has_parts:
        parts.append('<th class="num">Numerator</th><th class="num">Denominator</th>')
    parts.append('<th class="num">Value</th><th>Note</th></tr></thead><tbody>')
    for row in rows:
        parts.append(f"<tr><td>{esc(row['metric'])}</td>")
        if has_parts:
            numerator = money(row.get("numerator"), currency) if "cost" in str(row["metric"]).lower() else number(row.get("numerator"))
            parts.append(f'<td class="num">{numerator}</td><td class="num">{number(row.get("denominator"))}</td>')
        parts.append(f'<td class="num">{row["value"]}</td><td>{esc(row.get("note"))}</td></tr>')
    parts.append("</tbody></table>")
    return "".join(parts)


def cost_per_outcome_section(results: dict[str, Any]) -> str:
    """Render Cost per Outcome by channel, campaign, team and month."""
    metrics = section(results, "metrics")
    by = metrics.get("cost_per_outcome_by") if isinstance(metrics.get("cost_per_outcome_by"), dict) else {}
    body = chart("metrics", "cpo_by_channel_chart", metrics, title="Cost per Outcome by channel")
    for key, title in BREAKDOWNS:
        body += f"<h3>{esc(title)}</h3>"
        rows = _rows(by.get(key))
        body += breakdown_table(results, key, rows) if rows else not_assessable(by.get(f"{key}_reason") or f"no {key} breakdown in the results")
    return wrap("cpo-breakdown", "Cost per Outcome by channel, campaign, team and month", body)


def breakdown_table(results: dict[str, Any], key: str, rows: list[dict[str, Any]]) -> str:
    """Render one Cost per Outcome breakdown and the method that assigns cost to its values."""
    preferred = [key, "outcome", "cost", "verified", "cost_per_outcome"]
    columns = [c for c in preferred if any(c in row for row in rows)]
    if key not in columns:
        columns = None
    rows = [{**row, "outcome": OUTCOME_LABELS.get(str(row.get("outcome")), row.get("outcome"))} if "outcome" in row else row for row in rows]
    body = table(rows, currency_of(results), columns=columns, max_rows=30)
    methods = sorted({str(row["method"]) for row in rows if row.get("method")})
    if methods:
        body += f'<p class="muted">Method: {esc("; ".join(methods))}</p>'
    return body


def graph_section(results: dict[str, Any]) -> str:
    """Render the traceability waterfall, break reasons, spend flow and untraceable won deals."""
    currency = currency_of(results)
    graph = section(results, "graph")
    title = "Revenue graph"
    if not graph:
        return wrap("graph", title, not_assessable(results.get("graph_reason") or "no revenue graph in the results"))
    if graph.get("status") == "not_assessable":
        return wrap("graph", title, not_assessable(graph.get("reason")))
    body = ""
    won = graph.get("won_traceable") if isinstance(graph.get("won_traceable"), dict) else {}
    if is_number(won.get("deals")) and is_number(won.get("deals_traceable")):
        lookback = f" within the {number(graph['lookback_days'], 0)}-day lookback window" if is_number(graph.get("lookback_days")) else ""
        body += (
            f'<p class="headline">{number(won["deals_traceable"], 0)} of {number(won["deals"], 0)} won deals '
            f'({money(won.get("revenue_traceable"), currency)} of {money(won.get("revenue"), currency)} won revenue) '
            f"trace back to a touch or activity{lookback}.</p>"
        )
    body += chart("graph", "waterfall_chart", graph, title="Where the trace from spend to revenue breaks")
    waterfall = _rows(graph.get("waterfall"))
    body += table(waterfall, currency, caption="Traceability waterfall") if waterfall else not_assessable(graph.get("waterfall_reason") or "no waterfall in the results")
    breaks = graph.get("breaks")
    if isinstance(breaks, dict) and breaks:
        body += table([{"reason": reason, "deals": count} for reason, count in breaks.items()], currency, caption="Why won deals do not trace")

    body += "<h3>Spend flow</h3>" + chart("graph", "spend_flow_chart", graph, title="Spend reaching won deals")
    reach = graph.get("spend_reach")
    if isinstance(reach, dict):
        body += table([reach], currency)
        body += table(_rows(reach.get("by_channel")), currency, caption="Spend reaching won deals by channel") if _rows(reach.get("by_channel")) else ""
    effort = graph.get("effort_reach")
    if isinstance(effort, dict):
        body += table([effort], currency, caption="Sales effort linked to won deals")
    body += _examples(results, graph.get("untraceable_examples"), "Example won deals with no trace")
    return wrap("graph", title, body)


def attribution_section(results: dict[str, Any]) -> str:
    """Render the Cost per Outcome band across attribution models and credit per channel."""
    attribution = section(results, "attribution")
    if not attribution:
        return wrap("attribution", "Attribution", not_assessable(results.get("attribution_reason") or "no attribution results"))
    model = section(results, "engagement").get("attribution")
    body = ""
    if isinstance(model, dict) and model.get("model"):
        body += f'<p>Headline model: {esc(str(model["model"]).replace("_", " "))}, lookback {esc(model.get("lookback_days"))} days. The band shows how far each figure moves across every model.</p>'
    body += chart("attribution", "cpo_band_chart", attribution, title="Cost per Outcome band across attribution models")
    chosen = attribution.get("model") or (model.get("model") if isinstance(model, dict) else None)
    for key, title in (("bands", "Cost per Outcome band"), ("by_channel", "Credit by channel")):
        rows = _rows(attribution.get(key))
        if key == "by_channel" and chosen and any(row.get("model") == chosen for row in rows):
            rows = [row for row in rows if row.get("model") == chosen]
            title = f"Credit by channel under the {str(chosen).replace('_', ' ')} model"
        body += f"<h3>{esc(title)}</h3>" + (table(rows, currency_of(results)) if rows else not_assessable(attribution.get(f"{key}_reason") or f"no {key.replace('_', ' ')} in the results"))
    return wrap("attribution", "Attribution", body)
