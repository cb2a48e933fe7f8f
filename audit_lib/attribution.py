"""Multi-touch attribution and Cost per Outcome under every model.

``compute_attribution`` credits verified closed-won deals and their revenue to
channels, campaigns and touch types under seven models, prices each channel
and campaign (media spend ÷ credited outcomes) and reports how far that price
and its rank move across models. docs/attribution.md states the rules.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from .attribution_models import MODELS, markov_removal_effects, transition_counts, weights_sql
from .attribution_paths import ACTIVITY_CHANNEL, build_channel_labels, build_events, build_opportunities, build_paths
from .attribution_pricing import cost_by, cpo_bands, credit_rows, round_float
from .config import Engagement

OUTCOME_TYPES = ["closed_won"]
INTERACTION_VALUE_DEFINITION = (
    "This product's definition: revenue credited to a touch type under the chosen model, "
    "divided by the number of touches of that type that received credit."
)
TOUCH_SOURCES = {
    "touches": "canonical touches; channel from the touch, else its campaign, else 'unknown'",
    "activities": (
        f"sales activities that took place form the channel '{ACTIVITY_CHANNEL}', "
        "touch type 'activity: <activity_type>'"
    ),
}


def _not_assessable(engagement: Engagement, reason: str, **extra: Any) -> dict[str, Any]:
    return {
        "status": "not_assessable",
        "reason": reason,
        "model": engagement.attribution.model,
        "lookback_days": engagement.attribution.lookback_days,
        "outcome_types": OUTCOME_TYPES,
        **extra,
    }


def _credit_frame(con: duckdb.DuckDBPyConnection, half_life_days: float, removal: dict[str, float]) -> None:
    """Create attr_credit: the converting paths with one weight column per model."""
    con.execute("CREATE OR REPLACE TEMP TABLE attr_removal (channel VARCHAR, effect DOUBLE)")
    if removal:
        con.executemany("INSERT INTO attr_removal VALUES (?, ?)", sorted(removal.items()))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE attr_credit AS {weights_sql(half_life_days)}
        """
    )


def _aggregate(con: duckdb.DuckDBPyConnection, key: str) -> pd.DataFrame:
    """Sum credited outcomes and revenue per model and ``key``; only this small frame reaches pandas.

    One scan computes every model's sums, and pandas reshapes them into rows
    of (model, key, outcomes, revenue, touches_credited).
    """
    sums = ", ".join(
        f"fsum(w_{m}) AS \"{m}|outcomes\", fsum(w_{m} * revenue) AS \"{m}|revenue\", "
        f"count(*) FILTER (WHERE w_{m} > 0) AS \"{m}|touches_credited\""
        for m in MODELS
    )
    wide = con.execute(f"SELECT {key} AS key, {sums} FROM attr_credit GROUP BY {key}").df()
    frames = []
    for model in MODELS:
        part = wide[["key", f"{model}|outcomes", f"{model}|revenue", f"{model}|touches_credited"]]
        part = part.set_axis(["key", "outcomes", "revenue", "touches_credited"], axis=1)
        frames.append(part.assign(model=model))
    return pd.concat(frames, ignore_index=True)


def _untraced(con: duckdb.DuckDBPyConnection) -> tuple[int, float]:
    row = con.execute(
        "SELECT count(*), coalesce(fsum(revenue), 0) FROM attr_opps o "
        "WHERE converts AND NOT EXISTS (SELECT 1 FROM attr_path p WHERE p.opp = o.opp)"
    ).fetchone()
    return int(row[0]), float(row[1])


def _path_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    row = con.execute(
        """
        SELECT count(*) FILTER (WHERE converts AND n IS NOT NULL),
               count(*) FILTER (WHERE converts AND n IS NULL),
               avg(n) FILTER (WHERE converts),
               count(*) FILTER (WHERE NOT converts AND n IS NOT NULL),
               count(*) FILTER (WHERE NOT converts AND n IS NULL)
        FROM attr_opps o LEFT JOIN (SELECT opp, count(*) AS n FROM attr_path GROUP BY opp) p USING (opp)
        """
    ).fetchone()
    return {
        "with_path": int(row[0]),
        "without_path": int(row[1]),
        "average_length": None if row[2] is None else float(row[2]),
        "non_converting_with_path": int(row[3]),
        "non_converting_without_path": int(row[4]),
    }


def _interaction_value(frame: pd.DataFrame, model: str) -> dict[str, Any]:
    rows = []
    for item in frame[frame["model"] == model].sort_values("key").itertuples():
        credited = int(item.touches_credited)
        rows.append(
            {
                "touch_type": item.key,
                "revenue": round_float(float(item.revenue)),
                "touches_credited": credited,
                "interaction_value": round_float(float(item.revenue) / credited) if credited else None,
            }
        )
    return {"model": model, "definition": INTERACTION_VALUE_DEFINITION, "rows": rows}


def compute_attribution(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> dict[str, Any]:
    """Attribute verified closed-won deals and their revenue under every model.

    Returns a JSON-ready dict (keys listed in docs/attribution.md). It has
    ``status: "not_assessable"`` and a ``reason`` when there is no verified won
    deal or no touch or activity linked to one.
    """
    settings = engagement.attribution
    roles = build_opportunities(con, engagement)
    converting = roles.get("converting", 0)
    opportunity_counts = {
        "converting": converting,
        "non_converting": roles.get("non_converting", 0),
        "won_unverified": roles.get("unverified_won", 0),
        "won_missing_fx_rate": roles.get("missing_rate", 0),
    }
    if converting == 0:
        return _not_assessable(engagement, "no verified closed-won deals in the period", opportunities=opportunity_counts)

    build_channel_labels(con)
    events = build_events(con, engagement)
    build_paths(con, engagement)
    con.execute("DROP TABLE attr_events")  # frees memory: later steps read attr_path only
    paths = _path_summary(con)
    if paths["with_path"] == 0:
        return _not_assessable(
            engagement,
            f"no touch or activity is linked to a verified won deal within {settings.lookback_days} days before its close date",
            opportunities=opportunity_counts,
            events=events,
            paths=paths,
        )

    markov = markov_removal_effects(transition_counts(con))
    _credit_frame(con, settings.time_decay_half_life_days, markov.get("removal_effects", {}))
    untraced_outcomes, untraced_revenue = _untraced(con)
    untraced = {"outcomes": untraced_outcomes, "revenue": untraced_revenue}

    channel_cost = cost_by(con, engagement, "channel")
    campaign_cost = cost_by(con, engagement, "campaign_id")
    by_channel = credit_rows(_aggregate(con, "channel"), channel_cost, "channel", untraced)
    by_campaign = credit_rows(_aggregate(con, "campaign_id"), campaign_cost, "campaign_id", untraced)
    names = dict(con.execute("SELECT campaign_id, min(name) FROM campaigns WHERE campaign_id IS NOT NULL GROUP BY ALL").fetchall())
    for row in by_campaign:
        row["campaign_name"] = names.get(row["campaign_id"])
    bands = cpo_bands(by_channel, settings.model)
    total_revenue = con.execute("SELECT fsum(revenue) FROM attr_opps WHERE converts").fetchone()[0]

    return {
        "status": "ok",
        "reason": None,
        "model": settings.model,
        "models": list(MODELS),
        "lookback_days": settings.lookback_days,
        "time_decay_half_life_days": settings.time_decay_half_life_days,
        "outcome_types": OUTCOME_TYPES,
        "outcomes": {"closed_won": converting, "revenue": float(total_revenue)},
        "touch_sources": TOUCH_SOURCES,
        "opportunities": opportunity_counts,
        "events": events,
        "paths": paths,
        "by_channel": by_channel,
        "by_campaign": by_campaign,
        "bands": bands,
        "rank_changes": [band["channel"] for band in bands if band["rank_changes"]],
        "interaction_value": _interaction_value(_aggregate(con, "touch_type"), settings.model),
        "markov": {
            "removal_effects": markov.get("removal_effects", {}),
            "raw_removal_effects": markov.get("raw_removal_effects", {}),
            "conversion_probability": markov.get("conversion_probability"),
        },
    }
