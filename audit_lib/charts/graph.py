"""Charts of the revenue graph: the traceability waterfall and the spend-to-revenue flow."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from .common import PALETTE, base_theme

TRACED = "traced"
LOST = "lost at this link"


def waterfall_chart(graph: dict[str, Any]) -> alt.TopLevelMixin | None:
    """Draw won revenue still traced after each link, with the part lost at that link stacked on top.

    Uses deal counts when won revenue is zero. Returns None when the graph is not assessable.
    """
    if not graph or graph.get("status") != "ok" or not graph.get("waterfall"):
        return None
    use_revenue = bool(graph.get("won_traceable", {}).get("revenue"))
    value, lost = ("revenue_traceable", "revenue_lost_here") if use_revenue else ("deals_traceable", "deals_lost_here")
    rows = []
    for step in graph["waterfall"]:
        rows.append({"link": step["link"], "part": TRACED, "amount": step[value], "reason": ""})
        rows.append({"link": step["link"], "part": LOST, "amount": step[lost], "reason": step.get("reason") or ""})
    frame = pd.DataFrame(rows)
    chart = (
        alt.Chart(frame, title="Won " + ("revenue" if use_revenue else "deals") + " still traced after each link")
        .mark_bar()
        .encode(
            y=alt.Y("link:N", sort=[s["link"] for s in graph["waterfall"]], title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("amount:Q", title="won revenue" if use_revenue else "won deals", stack="zero"),
            color=alt.Color(
                "part:N",
                title=None,
                scale=alt.Scale(domain=[TRACED, LOST], range=[PALETTE["primary"], PALETTE["bad"]]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("part:N", sort="descending"),
            tooltip=[alt.Tooltip("link:N"), alt.Tooltip("part:N"), alt.Tooltip("amount:Q", format=",.0f"), alt.Tooltip("reason:N")],
        )
    )
    return base_theme(chart, width=420, height=36 * len(graph["waterfall"]) + 20)


def spend_flow_chart(graph: dict[str, Any]) -> alt.TopLevelMixin | None:
    """Draw each channel's spend split into the part that reached a won deal and the untraced rest.

    Returns None when there is no spend in the period.
    """
    spend = (graph or {}).get("spend_reach") or {}
    channels = spend.get("by_channel") or []
    if spend.get("status") != "ok" or not channels:
        return None
    rows = []
    for row in channels:
        rows.append({"channel": row["channel"], "part": "reached a won deal", "amount": row["spend_reaching_won"]})
        rows.append({"channel": row["channel"], "part": "untraced", "amount": row["spend"] - row["spend_reaching_won"]})
    frame = pd.DataFrame(rows)
    share = spend.get("share")
    title = "Spend by channel: share that reached a won deal"
    if share is not None:
        title += f" ({100 * share:.0f}% overall)"
    chart = (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("channel:N", sort=[r["channel"] for r in channels], title=None),
            x=alt.X("amount:Q", title="spend in the period", stack="zero"),
            color=alt.Color(
                "part:N",
                title=None,
                scale=alt.Scale(domain=["reached a won deal", "untraced"], range=[PALETTE["good"], PALETTE["muted"]]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[alt.Tooltip("channel:N"), alt.Tooltip("part:N"), alt.Tooltip("amount:Q", format=",.0f")],
        )
    )
    return base_theme(chart, height=28 * len(channels) + 40)
