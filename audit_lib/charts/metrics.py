"""Charts of the metrics section: claimed vs verified outcomes, and cost per outcome by channel."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from .common import PALETTE, base_theme

SIDES = ["verified", "unverified"]


def outcomes_chart(metrics: dict[str, Any]) -> alt.TopLevelMixin | None:
    """Draw each outcome type's claimed count as a stacked bar of verified and unverified records.

    Returns None when no outcome was claimed.
    """
    outcomes = (metrics or {}).get("outcomes") or []
    rows = []
    for outcome in outcomes:
        for side in SIDES:
            rows.append({"outcome": outcome["label"], "side": side, "count": outcome[side], "claimed": outcome["claimed"]})
    if not rows or not any(o["claimed"] for o in outcomes):
        return None
    frame = pd.DataFrame(rows)
    chart = (
        alt.Chart(frame, title="Claimed outcomes: how many the records verify")
        .mark_bar()
        .encode(
            y=alt.Y("outcome:N", sort=[o["label"] for o in outcomes], title=None),
            x=alt.X("count:Q", title="claimed outcomes in the period", stack="zero"),
            color=alt.Color(
                "side:N",
                title=None,
                scale=alt.Scale(domain=SIDES, range=[PALETTE["primary"], PALETTE["muted"]]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("side:N", sort="ascending"),
            tooltip=[alt.Tooltip("outcome:N"), alt.Tooltip("side:N"), alt.Tooltip("count:Q", format=","), alt.Tooltip("claimed:Q", format=",")],
        )
    )
    return base_theme(chart, height=40 * len(outcomes) + 40)


def cpo_by_channel_chart(metrics: dict[str, Any], outcome: str = "closed_won") -> alt.TopLevelMixin | None:
    """Draw cost per verified outcome of one type by channel.

    Channels with no cost line or no verified outcome are left out, because
    their cost per outcome is 0 or undefined. Returns None when no channel is left.
    """
    rows = ((metrics or {}).get("cost_per_outcome_by") or {}).get("channel") or []
    rows = [r for r in rows if r["outcome"] == outcome and r.get("cost_per_outcome")]
    if not rows:
        return None
    frame = pd.DataFrame(
        {
            "channel": [r["value"] for r in rows],
            "cost_per_outcome": [r["cost_per_outcome"] for r in rows],
            "cost": [r["cost"] for r in rows],
            "verified": [r["verified"] for r in rows],
        }
    )
    label = next((o["label"] for o in metrics.get("outcomes", []) if o["type"] == outcome), outcome)
    currency = metrics.get("currency", "")
    chart = (
        alt.Chart(frame, title=f"Cost per {label.rstrip('s')} by channel ({currency})")
        .mark_bar(color=PALETTE["primary"])
        .encode(
            y=alt.Y("channel:N", sort="-x", title=None),
            x=alt.X("cost_per_outcome:Q", title=f"cost per verified outcome ({currency})"),
            tooltip=[
                alt.Tooltip("channel:N"),
                alt.Tooltip("cost_per_outcome:Q", format=",.0f"),
                alt.Tooltip("cost:Q", format=",.0f"),
                alt.Tooltip("verified:Q", format=","),
            ],
        )
    )
    return base_theme(chart, height=28 * len(rows) + 40)
