"""Attribution models: per-touch weights in SQL and the Markov removal effect in numpy.

Every model gives each touch of a path a weight, and the weights of one path
sum to 1, so the credit of a model sums to the outcomes and revenue it
attributes. A path has ``n`` touches ordered by ``seq``, and ``first_ev`` and
``last_ev`` are the ``ev`` numbers of its first and last touch.
"""

from __future__ import annotations

import duckdb
import numpy as np

MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay", "markov")

START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"

# Weights of the position-based models as SQL. The W-shaped milestones lc
# (lead creation) and oc (opportunity creation) and the time-decay raw weight
# come from the CTEs in weights_sql.
_POSITION_WEIGHTS = {
    "first_touch": "CASE WHEN ev = first_ev THEN 1.0 ELSE 0.0 END",
    "last_touch": "CASE WHEN ev = last_ev THEN 1.0 ELSE 0.0 END",
    "linear": "1.0 / n",
    "u_shaped": """CASE WHEN n = 1 THEN 1.0 WHEN n = 2 THEN 0.5
                        WHEN ev = first_ev OR ev = last_ev THEN 0.4 ELSE 0.2 / (n - 2) END""",
    "w_shaped": """0.3 * slots + CASE WHEN slots > 0 AND n = milestones THEN 0.1 / milestones
                                      WHEN slots > 0 THEN 0.0 ELSE 0.1 / (n - milestones) END""",
    "time_decay": "decay / decay_total",
}


def weights_sql(half_life_days: float) -> str:
    """Return SQL that selects the converting paths of attr_path with one weight column per model.

    Needs the table attr_removal(channel, effect) of normalised Markov removal
    effects.

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

    Markov: a path's outcome is split over the channels on it in proportion to
    their removal effects, and a channel's share is split evenly over its
    touches on that path. A path whose channels all have a zero effect falls
    back to linear weights.
    """
    half_life = float(half_life_days)
    columns = ",\n".join(f"{sql} AS w_{name}" for name, sql in _POSITION_WEIGHTS.items())
    # Per-path figures come from GROUP BY and joins rather than window
    # functions: hash aggregates are much cheaper than sorting millions of rows.
    return f"""
        WITH touches AS (
            SELECT p.opp, p.ev, p.seq, p.occurred_at, p.channel, p.campaign_id, p.touch_type, o.revenue,
                   o.lead_created_at, o.opp_created_at,
                   date_diff('day', p.occurred_at::DATE, o.anchor_date) AS age
            FROM attr_path p JOIN attr_opps o ON o.opp = p.opp
            WHERE p.converts
        ), paths AS (
            SELECT opp, count(*) AS n,
                   arg_min(ev, seq) AS first_ev, min(seq) AS first_seq,
                   arg_max(ev, seq) AS last_ev, max(seq) AS last_seq,
                   arg_max(ev, seq) FILTER (WHERE occurred_at <= lead_created_at) AS lead_ev,
                   max(seq) FILTER (WHERE occurred_at <= lead_created_at) AS lead_seq,
                   arg_max(ev, seq) FILTER (WHERE occurred_at <= opp_created_at) AS opp_ev,
                   max(seq) FILTER (WHERE occurred_at <= opp_created_at) AS opp_seq,
                   min(age) AS min_age
            FROM touches GROUP BY opp
        ), decay_totals AS (
            -- Ages count from the path's youngest touch, whose weight is then 1, so
            -- a short half-life cannot underflow every weight of a path to zero.
            SELECT t.opp, fsum(pow(2.0, -(t.age - p.min_age) / {half_life!r})) AS decay_total
            FROM touches t JOIN paths p ON p.opp = t.opp GROUP BY t.opp
        ), milestones AS (
            SELECT *, coalesce(opp_ev, last_ev) AS oc,
                   CASE WHEN coalesce(lead_seq, first_seq) <= coalesce(opp_seq, last_seq) THEN coalesce(lead_ev, first_ev)
                        ELSE coalesce(opp_ev, last_ev) END AS lc
            FROM paths
        ), path_channels AS (
            SELECT t.opp, t.channel, count(*) AS channel_touches, any_value(coalesce(r.effect, 0.0)) AS effect
            FROM touches t LEFT JOIN attr_removal r ON r.channel = t.channel
            GROUP BY t.opp, t.channel
        ), markov_totals AS (
            SELECT opp, fsum(effect) AS markov_total FROM path_channels GROUP BY opp
        ), slotted AS (
            SELECT t.*, m.n, m.first_ev, m.last_ev, dt.decay_total,
                   pow(2.0, -(t.age - m.min_age) / {half_life!r}) AS decay,
                   (t.ev = m.first_ev)::INTEGER + (t.ev = m.lc)::INTEGER + (t.ev = m.oc)::INTEGER AS slots,
                   1 + (m.lc <> m.first_ev)::INTEGER + (m.oc <> m.first_ev AND m.oc <> m.lc)::INTEGER AS milestones,
                   pc.effect / pc.channel_touches AS markov_share, mt.markov_total
            FROM touches t
            JOIN milestones m ON m.opp = t.opp
            JOIN path_channels pc ON pc.opp = t.opp AND pc.channel = t.channel
            JOIN markov_totals mt ON mt.opp = t.opp
            JOIN decay_totals dt ON dt.opp = t.opp
        )
        SELECT opp, ev, channel, campaign_id, touch_type, revenue, {columns},
            CASE WHEN markov_total > 0 THEN markov_share / markov_total ELSE 1.0 / n END AS w_markov
        FROM slotted
    """


def transition_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """Return (from state, to state, count) over every path in attr_path, sorted."""
    rows = con.execute(
        f"""
        SELECT from_state, to_state, count(*) AS transitions FROM (
            SELECT coalesce(lag(channel) OVER (PARTITION BY opp ORDER BY seq, ev), '{START}') AS from_state,
                   channel AS to_state
            FROM attr_path
            UNION ALL
            SELECT arg_max(channel, seq), CASE WHEN any_value(converts) THEN '{CONVERSION}' ELSE '{NULL}' END
            FROM attr_path GROUP BY opp
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
