"""Attribution models: per-touch weights in SQL and the Markov removal effect in numpy.

Every model gives each touch of a path a weight, and the weights of one path
sum to 1, so the credit of a model sums to the outcomes and revenue it
attributes. Positions are 1-based (``pos``) in a path of ``n`` touches.
"""

from __future__ import annotations

import duckdb
import numpy as np

MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay", "markov")

START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"

# Weights of the position-based models as SQL over attr_path. The W-shaped
# milestones lc (lead creation) and oc (opportunity creation) and the
# time-decay raw weight come from the CTE in weights_sql.
_POSITION_WEIGHTS = {
    "first_touch": "CASE WHEN pos = 1 THEN 1.0 ELSE 0.0 END",
    "last_touch": "CASE WHEN pos = n THEN 1.0 ELSE 0.0 END",
    "linear": "1.0 / n",
    "u_shaped": """CASE WHEN n = 1 THEN 1.0 WHEN n = 2 THEN 0.5
                        WHEN pos = 1 OR pos = n THEN 0.4 ELSE 0.2 / (n - 2) END""",
    "w_shaped": """0.3 * slots + CASE WHEN slots > 0 AND n = milestones THEN 0.1 / milestones
                                      WHEN slots > 0 THEN 0.0 ELSE 0.1 / (n - milestones) END""",
    "time_decay": "decay / sum(decay) OVER (PARTITION BY opp)",
}


def weights_sql(half_life_days: float) -> str:
    """Return SQL that selects attr_path with one weight column per position-based model.

    W-shaped: the first touch, the lead-creation touch and the
    opportunity-creation touch take 30% each, and the other touches share 10%.
    The lead-creation touch is the last touch on or before the contact's
    created_at (the first touch when there is none). The opportunity-creation
    touch is the last touch on or before the opportunity's created_at (the last
    touch when there is none), and the lead-creation touch is moved back to it
    when it would come later. A touch that is two milestones takes 60%, or
    90% when it is all three. When every touch is a milestone, the 10% is
    split evenly over them, so a 1-touch path gives 100% and a 2-touch path
    65/35 or 35/65.

    Time decay: a touch ``age`` whole days before the anchor date has raw
    weight 2 ** (-age / half_life_days), normalised over the path.
    """
    half_life = float(half_life_days)
    columns = ",\n".join(f"{sql} AS w_{name}" for name, sql in _POSITION_WEIGHTS.items())
    return f"""
        WITH marks AS (
            SELECT *,
                least(coalesce(max(CASE WHEN occurred_at <= lead_created_at THEN pos END) OVER (PARTITION BY opp), 1),
                      coalesce(max(CASE WHEN occurred_at <= opp_created_at THEN pos END) OVER (PARTITION BY opp), n)) AS lc,
                coalesce(max(CASE WHEN occurred_at <= opp_created_at THEN pos END) OVER (PARTITION BY opp), n) AS oc,
                pow(2.0, -date_diff('day', occurred_at::DATE, anchor_date) / {half_life!r}) AS decay
            FROM attr_path
        ), slotted AS (
            SELECT *,
                (pos = 1)::INTEGER + (pos = lc)::INTEGER + (pos = oc)::INTEGER AS slots,
                1 + (lc <> 1)::INTEGER + (oc <> 1 AND oc <> lc)::INTEGER AS milestones
            FROM marks
        )
        SELECT *, {columns}
        FROM slotted
    """


def transition_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """Return (from state, to state, count) over every path in attr_path, sorted."""
    rows = con.execute(
        f"""
        SELECT from_state, to_state, count(*) AS transitions FROM (
            SELECT coalesce(lag(channel) OVER (PARTITION BY opp ORDER BY pos), '{START}') AS from_state,
                   channel AS to_state
            FROM attr_path
            UNION ALL
            SELECT channel, CASE WHEN converts THEN '{CONVERSION}' ELSE '{NULL}' END FROM attr_path WHERE pos = n
        ) GROUP BY ALL ORDER BY from_state, to_state
        """
    ).fetchall()
    return [(a, b, int(c)) for a, b, c in rows]


def _conversion_probability(states: list[str], probabilities: np.ndarray, conversion: np.ndarray) -> float:
    """Solve (I - Q) x = r for the absorbing probability of conversion from the start state."""
    size = len(states)
    x = np.linalg.solve(np.eye(size) - probabilities, conversion)
    return float(x[states.index(START)])


def markov_removal_effects(transitions: list[tuple[str, str, int]]) -> dict:
    """Compute the first-order Markov chain and each channel's removal effect.

    Transient states are the start and the channels, absorbing states are
    conversion and null. Transition probabilities are the observed counts
    divided by the counts leaving each state. Removing a channel sends every
    transition into it to null. The removal effect is
    1 - P(conversion without the channel) / P(conversion), and the effects are
    normalised to sum to 1. Returns removal_effects (normalised),
    raw_removal_effects and conversion_probability, or an empty dict when no
    path converts.
    """
    channels = sorted({s for a, b, _ in transitions for s in (a, b)} - {START, CONVERSION, NULL})
    states = [START, *channels]
    index = {s: i for i, s in enumerate(states)}
    size = len(states)
    counts = np.zeros((size, size))
    to_conversion = np.zeros(size)
    leaving = np.zeros(size)
    for source, target, count in transitions:
        i = index[source]
        leaving[i] += count
        if target == CONVERSION:
            to_conversion[i] += count
        elif target != NULL:
            counts[i, index[target]] += count
    leaving[leaving == 0] = 1.0  # a state with no exits has all-zero rows
    probabilities = counts / leaving[:, None]
    conversion = to_conversion / leaving

    base = _conversion_probability(states, probabilities, conversion)
    if base <= 0:
        return {}
    raw = {}
    for channel in channels:
        removed = probabilities.copy()
        removed[:, index[channel]] = 0.0
        raw[channel] = 1.0 - _conversion_probability(states, removed, conversion) / base
    total = sum(raw.values())
    normalised = {c: (v / total if total > 0 else 0.0) for c, v in raw.items()}
    return {"removal_effects": normalised, "raw_removal_effects": raw, "conversion_probability": base}


def markov_weights_sql() -> str:
    """Return SQL for the Markov weight of each touch, given table attr_removal(channel, effect).

    A converting path's outcome is split over the channels on it in proportion
    to their normalised removal effects, and a channel's share is split evenly
    over its touches on that path. A path whose channels all have a zero
    effect falls back to linear weights.
    """
    return """
        WITH per_touch AS (
            SELECT p.opp, p.ev, p.n,
                   coalesce(r.effect, 0.0) / count(*) OVER (PARTITION BY p.opp, p.channel) AS share
            FROM attr_path p LEFT JOIN attr_removal r ON r.channel = p.channel
        )
        SELECT opp, ev,
               CASE WHEN sum(share) OVER (PARTITION BY opp) > 0 THEN share / sum(share) OVER (PARTITION BY opp)
                    ELSE 1.0 / n END AS w_markov
        FROM per_touch
    """
