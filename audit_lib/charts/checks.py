"""Charts for the symptom findings and the overall score, drawn from each finding's ``tables``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd

from .common import FONT, PALETTE, STATUS_COLORS, base_theme

KIND_COLORS = {"volume": PALETTE["bad"], "leading": PALETTE["warn"], "cost": PALETTE["muted"],
               "outcome": PALETTE["good"], "other": "#cfcfcf"}


def tiles_by_kind_chart(finding: dict[str, Any]) -> alt.TopLevelMixin | None:
    """Draw dashboard tiles per kind, headline tiles darker."""
    rows = [r for r in finding.get("tables", {}).get("tiles_by_kind", []) if r.get("tiles")]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame["other_tiles"] = frame["tiles"] - frame["headline_tiles"]
    long = frame.melt(id_vars="kind", value_vars=["headline_tiles", "other_tiles"], var_name="placement", value_name="count")
    long["placement"] = long["placement"].map({"headline_tiles": "headline", "other_tiles": "below the headline"})
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("kind:N", title=None, sort=list(KIND_COLORS)),
        x=alt.X("count:Q", title="dashboard tiles", stack=True),
        color=alt.Color("kind:N", scale=alt.Scale(domain=list(KIND_COLORS), range=list(KIND_COLORS.values())), legend=None),
        opacity=alt.Opacity("placement:N", scale=alt.Scale(domain=["headline", "below the headline"], range=[1.0, 0.45]),
                            legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["kind:N", "placement:N", "count:Q"],
    )
    return base_theme(chart, height=160)


def trend_chart(finding: dict[str, Any]) -> alt.Chart | None:
    """Draw monthly activity volume and held meetings, each indexed to its first-half average = 100."""
    rows = finding.get("tables", {}).get("monthly_trend", [])
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    half = max(1, len(frame) // 2)
    for column in ("activities", "held_meetings"):
        base = frame[column].iloc[:half].mean()
        frame[f"{column}_index"] = 100 * frame[column] / base if base else None
    long = frame.melt(id_vars="month", value_vars=["activities_index", "held_meetings_index"], var_name="series", value_name="index")
    long["series"] = long["series"].map({"activities_index": "activity volume", "held_meetings_index": "held meetings"})
    long = long.dropna(subset=["index"])
    if long.empty:
        return None
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("month:O", title=None),
        y=alt.Y("index:Q", title="index (first-half average = 100)"),
        color=alt.Color("series:N", scale=alt.Scale(range=[PALETTE["accent"], PALETTE["primary"]]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["month:O", "series:N", alt.Tooltip("index:Q", format=".0f")],
    ).properties(width=560, height=200)


def correlation_window_chart(finding: dict[str, Any]) -> alt.Chart | None:
    """Draw Spearman's rho per three-month window with its bootstrap interval."""
    rows = [r for r in finding.get("tables", {}).get("correlation_by_window", []) if r.get("rho") is not None]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    base = alt.Chart(frame).encode(x=alt.X("window:O", title="three-month window", sort=None))
    interval = base.mark_rule(color=PALETTE["muted"]).encode(y=alt.Y("ci_low:Q", title="Spearman's rho", scale=alt.Scale(domain=[-1, 1])), y2="ci_high:Q")
    point = base.mark_point(filled=True, color=PALETTE["primary"]).encode(
        y="rho:Q", tooltip=["window:O", alt.Tooltip("rho:Q", format=".2f"), "n:Q"]
    )
    return (interval + point).properties(width=560, height=180)


def activity_chart(finding: dict[str, Any]) -> alt.TopLevelMixin | None:
    """Stack the monthly trend above the correlation by window, whichever exist."""
    parts = [c for c in (trend_chart(finding), correlation_window_chart(finding)) if c is not None]
    if not parts:
        return None
    chart = parts[0] if len(parts) == 1 else alt.vconcat(*parts)
    return chart.properties(background="white").configure(font=FONT).configure_view(strokeWidth=0)


def worst_sequences_chart(finding: dict[str, Any]) -> alt.TopLevelMixin | None:
    """Draw the worst sequences' irrelevant share of touches."""
    rows = finding.get("tables", {}).get("worst_sequences", [])
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    chart = alt.Chart(frame).mark_bar(color=PALETTE["bad"]).encode(
        y=alt.Y("sequence:N", title=None, sort="-x"),
        x=alt.X("irrelevant_share:Q", title="share of touches bounced, opted out or outside the ICP", axis=alt.Axis(format="%")),
        tooltip=["sequence:N", "touches:Q", alt.Tooltip("bounce_rate:Q", format=".0%"),
                 alt.Tooltip("outcomes_per_1000_touches:Q", format=".1f", title="outcomes per 1,000 touches")],
    )
    return base_theme(chart, height=max(60, 28 * len(frame)))


def seller_time_chart(finding: dict[str, Any]) -> alt.TopLevelMixin | None:
    """Draw each seller's customer-facing share of logged time."""
    rows = finding.get("tables", {}).get("sellers", [])
    if not rows:
        return None
    chart = alt.Chart(pd.DataFrame(rows)).mark_bar(color=PALETTE["primary"]).encode(
        y=alt.Y("seller:N", title=None, sort="x"),
        x=alt.X("customer_share:Q", title="share of logged time in meetings and calls", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=["seller:N", alt.Tooltip("customer_share:Q", format=".0%")],
    )
    return base_theme(chart, height=max(60, 18 * len(rows)))


BUILDERS: dict[str, Callable[[dict[str, Any]], alt.TopLevelMixin | None]] = {
    "volume_led": tiles_by_kind_chart,
    "activity_predicts_outcomes": activity_chart,
    "irrelevant_outreach": worst_sequences_chart,
    "time_with_customers": seller_time_chart,
}


def finding_chart(finding: dict[str, Any]) -> alt.TopLevelMixin | None:
    """Draw the chart for one finding (as in results.json), or return None when its id has no chart or no data."""
    builder = BUILDERS.get(finding.get("id", ""))
    return builder(finding) if builder else None


STATUS_LABELS = {"pass": "pass", "warn": "warn", "fail": "fail", "not_assessable": "not assessable"}


def overall_chart(overall: dict[str, Any], findings: list[dict[str, Any]]) -> alt.TopLevelMixin | None:
    """Draw each assessed finding's score coloured by status, with the overall score as a vertical rule."""
    rows = [
        {"finding": f.get("title") or f.get("id"), "score": f["score"], "status": STATUS_LABELS.get(f.get("status"), f.get("status"))}
        for f in findings if f.get("score") is not None
    ]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    y = alt.Y("finding:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
    bars = alt.Chart(frame).mark_bar().encode(
        y=y,
        x=alt.X("score:Q", title="score (0 worst, 100 healthy)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=[STATUS_LABELS[k] for k in STATUS_COLORS], range=list(STATUS_COLORS.values())),
            legend=alt.Legend(orient="bottom", title=None),
        ),
        tooltip=["finding:N", alt.Tooltip("score:Q", format=".0f"), "status:N"],
    )
    # The score as text beside each bar, so a finding scored 0 still shows a value.
    labels = alt.Chart(frame).mark_text(align="left", dx=3, fontSize=10).encode(y=y, x="score:Q", text=alt.Text("score:Q", format=".0f"))
    chart = bars + labels
    if overall and overall.get("score") is not None:
        rule_frame = pd.DataFrame({"overall": [overall["score"]], "label": [f"overall {overall['score']:.0f}"]})
        rule = alt.Chart(rule_frame).mark_rule(color=PALETTE["primary"], strokeDash=[4, 3], size=2).encode(x="overall:Q", tooltip=["label:N"])
        rule_text = alt.Chart(rule_frame).mark_text(align="left", dx=4, dy=-6, color=PALETTE["primary"], fontSize=10).encode(
            x="overall:Q", y=alt.value(0), text="label:N"
        )
        chart = chart + rule + rule_text
    return base_theme(chart, height=max(80, 24 * len(frame)))
