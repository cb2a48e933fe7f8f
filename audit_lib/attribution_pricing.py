"""Cost per Outcome of attributed credit, and how it moves across models."""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pandas as pd

from .attribution_models import MODELS
from .config import Engagement

UNTRACED = "untraced"
NO_CAMPAIGN = "(no campaign)"


def round_float(value: float | None) -> float | None:
    """Round to 12 significant digits.

    DuckDB sums doubles in parallel, so the last bits of a sum can change from
    run to run. Rounding hides that noise, so the same input gives the same
    output and equal prices rank equal, unless a value lies within that noise
    of a rounding boundary.
    """
    if value is None or not math.isfinite(value) or value == 0:
        return value
    return float(f"{value:.12g}")


def cost_by(con: duckdb.DuckDBPyConnection, engagement: Engagement, key: str) -> dict[str, float]:
    """Sum media spend in the period per channel label or per campaign_id.

    A cost line's channel is its campaign's channel in the campaigns table,
    else its own, as the metrics count it.

    Amounts are converted with ``finance.fx_rates``, and lines in a currency
    with no rate are left out as in docs/metrics.md.
    """
    column = "coalesce(campaign.label, line.label)" if key == "channel" else "c.campaign_id"
    rows = con.execute(
        f"""
        SELECT {column} AS key, fsum(c.amount * fx.rate) AS cost
        FROM costs c JOIN attr_fx fx ON fx.currency = coalesce(upper(trim(c.currency)), $currency)
        LEFT JOIN attr_channels line ON line.spelling = trim(c.channel)
        LEFT JOIN (
            SELECT k.campaign_id, min(l.label) AS label FROM campaigns k JOIN attr_channels l ON l.spelling = trim(k.channel)
            GROUP BY k.campaign_id
        ) campaign ON campaign.campaign_id = c.campaign_id
        WHERE lower(trim(c.category)) = 'media' AND c.date BETWEEN $start AND $end AND {column} IS NOT NULL
        GROUP BY ALL
        """,
        {"currency": engagement.currency, "start": engagement.period.start, "end": engagement.period.end},
    ).fetchall()
    return {k: float(v) for k, v in rows if v is not None}


def _cpo(cost: float | None, outcomes: float) -> float | None:
    if cost is None or cost <= 0 or outcomes <= 0:
        return None
    return round_float(cost / outcomes)


def credit_rows(
    frame: pd.DataFrame, cost: dict[str, float], key_name: str, untraced: dict[str, float]
) -> list[dict[str, Any]]:
    """Build tidy rows {model, key, outcomes, revenue, cost, cost_per_outcome}.

    Every key with media spend gets a row under every model, with zero credit
    when no won deal's path reaches it. Each model ends with an "untraced" row
    for won deals without a path, so the outcomes of a model sum to every
    verified won deal. Cost per Outcome is None when the key has no spend or
    no credit.
    """
    credit = {(r.model, NO_CAMPAIGN if pd.isna(r.key) else r.key): r for r in frame.itertuples()}
    keys = sorted({key for _, key in credit} | set(cost))
    rows = []
    for model in MODELS:
        for key in keys:
            item = credit.get((model, key))
            outcomes = float(item.outcomes) if item is not None else 0.0
            revenue = float(item.revenue) if item is not None else 0.0
            spend = cost.get(key)
            rows.append(
                {
                    "model": model,
                    key_name: key,
                    "outcomes": round_float(outcomes),
                    "revenue": round_float(revenue),
                    "cost": round_float(spend),
                    "cost_per_outcome": _cpo(spend, outcomes),
                }
            )
        rows.append(
            {
                "model": model,
                key_name: UNTRACED,
                "outcomes": float(untraced["outcomes"]),
                "revenue": round_float(float(untraced["revenue"])),
                "cost": None,
                "cost_per_outcome": None,
            }
        )
    return rows


def _ranks(rows: list[dict[str, Any]], model: str) -> dict[str, int]:
    """Rank channels by Cost per Outcome under one model, 1 the cheapest.

    Equal prices share the lower rank. A channel with spend but no credit has
    no finite price and ranks after every priced channel.
    """
    priced = sorted((r["cost_per_outcome"], r["channel"]) for r in rows if r["model"] == model and r["cost_per_outcome"] is not None)
    ranks: dict[str, int] = {}
    for position, (price, channel) in enumerate(priced, start=1):
        previous = priced[position - 2] if position > 1 else None
        ranks[channel] = ranks[previous[1]] if previous and previous[0] == price else position
    unpriced = [r["channel"] for r in rows if r["model"] == model and r["cost_per_outcome"] is None and (r["cost"] or 0) > 0]
    for channel in unpriced:
        ranks[channel] = len(priced) + 1
    return ranks


def cpo_bands(by_channel: list[dict[str, Any]], chosen: str) -> list[dict[str, Any]]:
    """Return per channel the min, max and chosen-model Cost per Outcome and the rank range.

    ``rank_changes`` is true when the channel's rank differs between any two
    models. ``models_without_credit`` lists the models under which a channel
    with spend gets no credit, so its price there is unbounded.
    """
    rows = [r for r in by_channel if r["channel"] != UNTRACED]
    ranks = {model: _ranks(rows, model) for model in MODELS}
    bands = []
    for channel in sorted({r["channel"] for r in rows}):
        own = [r for r in rows if r["channel"] == channel]
        prices = [r["cost_per_outcome"] for r in own if r["cost_per_outcome"] is not None]
        chosen_row = next(r for r in own if r["model"] == chosen)
        channel_ranks = [ranks[m][channel] for m in MODELS if channel in ranks[m]]
        bands.append(
            {
                "channel": channel,
                "cpo_min": min(prices) if prices else None,
                "cpo_max": max(prices) if prices else None,
                "cpo_chosen": chosen_row["cost_per_outcome"],
                "rank_min": min(channel_ranks) if channel_ranks else None,
                "rank_max": max(channel_ranks) if channel_ranks else None,
                "rank_changes": bool(channel_ranks) and min(channel_ranks) != max(channel_ranks),
                "models_without_credit": [r["model"] for r in own if (r["cost"] or 0) > 0 and r["outcomes"] <= 0],
            }
        )
    return bands
