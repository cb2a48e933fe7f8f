"""Cost per Outcome by channel as a band across attribution models."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from .common import PALETTE, base_theme

RANK_CHANGES = "rank changes across models"
RANK_STABLE = "same rank under every model"


def cpo_band_chart(attribution: dict[str, Any]) -> alt.TopLevelMixin | None:
    """Draw each channel's Cost per Outcome from its min to its max across models.

    A rule spans cpo_min to cpo_max, a point marks the chosen model's price, and
    channels whose rank changes across models are coloured and labelled with an
    asterisk. Channels with spend but no credit under any model have no price,
    so the subtitle names them instead. Returns None when the section is not assessable or no channel has
    a price.
    """
    if not attribution or attribution.get("status") != "ok":
        return None
    rows = [b for b in attribution.get("bands", []) if b.get("cpo_min") is not None]
    if not rows:
        return None

    frame = pd.DataFrame(
        {
            "channel": [b["channel"] + (" *" if b["rank_changes"] else "") for b in rows],
            "cpo_min": [b["cpo_min"] for b in rows],
            "cpo_max": [b["cpo_max"] for b in rows],
            "cpo_chosen": [b["cpo_chosen"] for b in rows],
            "rank": [f"{b['rank_min']}-{b['rank_max']}" if b["rank_changes"] else str(b["rank_min"]) for b in rows],
            "flag": [RANK_CHANGES if b["rank_changes"] else RANK_STABLE for b in rows],
        }
    )
    model = attribution.get("model", "chosen")
    order = frame.sort_values(["cpo_min", "channel"])["channel"].tolist()
    color = alt.Color(
        "flag:N",
        title=None,
        scale=alt.Scale(domain=[RANK_CHANGES, RANK_STABLE], range=[PALETTE["accent"], PALETTE["primary"]]),
        legend=alt.Legend(orient="bottom"),
    )
    y = alt.Y("channel:N", sort=order, title=None)
    tooltip = [
        alt.Tooltip("channel:N"),
        alt.Tooltip("cpo_min:Q", title="min CPO", format=",.0f"),
        alt.Tooltip("cpo_max:Q", title="max CPO", format=",.0f"),
        alt.Tooltip("cpo_chosen:Q", title=f"{model} CPO", format=",.0f"),
        alt.Tooltip("rank:N", title="rank"),
    ]
    base = alt.Chart(frame)
    band = base.mark_rule(strokeWidth=6, opacity=0.45).encode(
        x=alt.X("cpo_min:Q", title="Cost per Outcome (min to max across models)"),
        x2="cpo_max:Q",
        y=y,
        color=color,
        tooltip=tooltip,
    )
    chosen = base.mark_point(filled=True, size=90, shape="diamond").encode(
        x="cpo_chosen:Q", y=y, color=color, tooltip=tooltip
    )
    subtitle = [f"Diamond: {model} model. * rank changes across models."]
    unpriced = [b["channel"] for b in attribution.get("bands", []) if b.get("cpo_min") is None and b.get("models_without_credit")]
    if unpriced:
        subtitle.append("Spend but no credit under any model (not drawn): " + ", ".join(unpriced))
    chart = alt.layer(band, chosen).properties(
        title=alt.Title("Cost per Outcome by channel across attribution models", subtitle=subtitle)
    )
    return base_theme(chart, height=max(120, 28 * len(frame)))
