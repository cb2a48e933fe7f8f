"""Input metrics only: whether the client can state a cost per verified outcome.

Two questions: does the client's metric stack state a cost per outcome (a
dashboard tile, or the interview answer), and do the exports let the audit
compute it end to end (from the metrics step's cost and outcome status)?
"""

from __future__ import annotations

import re
from typing import Any

import duckdb

from ..config import Engagement
from ..findings import Finding, not_assessable
from .common import band_status, interview_bool, masked_rows, severity_for
from .volume_led import load_tiles

CHECK_ID = "input_metrics_only"
TITLE = "Input metrics only"
# docs/metrics.md lists cost per opportunity (any opportunity) and per customer (CAC) as input
# metrics, while cost per qualified opportunity prices an outcome.
CPO_PATTERN = re.compile(r"cost per (verified |qualified )?(outcome|meeting|held meeting|qualified|won|deal|sql)|\bcpo\b", re.I)
INPUT_COST_PATTERN = re.compile(
    r"cost per (lead|mql|click|contact|opportunit|customer)|\bcpl\b|\bcpc\b|\bcpm\b|\bcac\b", re.I
)
INTERVIEW_KEYS = ("leadership_reviews_cost_per_outcome", "reviews_cost_per_outcome")
# Stating CPO in the stack weighs more than the exports' ability to compute it,
# because the symptom is about what leadership manages by.
STACK_POINTS = 70
EXPORT_POINTS = 30


def interview_answer(engagement: Engagement) -> tuple[str | None, bool | None]:
    """Return the first interview key present and its answer as a bool."""
    for key in INTERVIEW_KEYS:
        answer = interview_bool(engagement, key)
        if answer is not None:
            return key, answer
    return None, None


def export_links(context: dict) -> tuple[bool | None, list[str]]:
    """Return whether the metrics step priced at least one verified outcome, and the missing links.

    Returns (None, [reason]) when the context contains no metrics.
    """
    metrics: dict[str, Any] = context.get("metrics") or {}
    if not metrics:
        return None, ["the metrics step produced no results"]
    missing = []
    cost = metrics.get("cost") or {}
    if cost.get("status") == "not_assessable":
        missing.append(f"cost: {cost.get('reason') or 'no usable cost lines'}")
    priced = False
    for outcome in metrics.get("outcomes") or []:
        name = outcome.get("label") or outcome.get("type") or "outcome"
        reason = outcome.get("reason")
        if outcome.get("cost_per_outcome") is not None and outcome.get("status") != "not_assessable":
            priced = True
        elif not outcome.get("verified"):
            missing.append(f"{name}: no verified outcomes")
        elif reason and reason != cost.get("reason"):
            missing.append(f"{name}: {reason}")
    if not metrics.get("outcomes"):
        missing.append("outcomes: none were counted")
    return priced, missing


def check_input_metrics_only(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict) -> Finding:
    """Score = 70 when the stack states a cost per outcome, plus 30 when the exports let the audit compute it."""
    tiles, tile_basis = load_tiles(con, engagement)
    key, answer = interview_answer(engagement)
    priced, missing = export_links(context)
    ask = "Does leadership review a cost per verified outcome (held meeting, qualified opportunity, won deal), or only cost per lead and CAC?"
    if tiles.empty and answer is None and priced is None:
        return not_assessable(CHECK_ID, TITLE, "no dashboard list, interview answer or metrics results", ask)

    names = tiles["tile"].astype(str).tolist() if not tiles.empty else []
    cpo_tiles = [n for n in names if CPO_PATTERN.search(n)]
    input_tiles = [n for n in names if INPUT_COST_PATTERN.search(n) and not CPO_PATTERN.search(n)]
    states_cpo = bool(cpo_tiles) or answer is True
    score = STACK_POINTS * states_cpo + EXPORT_POINTS * bool(priced)
    status = band_status(engagement, CHECK_ID, score)

    if cpo_tiles:
        stack = f"The dashboards show a cost per outcome ({', '.join(cpo_tiles[:3])})."
    elif answer is True:
        stack = "The client says leadership reviews a cost per outcome, though no dashboard tile shows one."
    elif input_tiles:
        stack = f"The dashboards show only input costs ({', '.join(input_tiles[:5])}) and no cost per verified outcome."
    else:
        stack = "No dashboard tile shows a cost per verified outcome."
    if answer is False:
        stack += " The client confirms leadership does not review one."
    if priced:
        exports = " The exports let the audit compute a cost per verified outcome end to end."
    elif priced is None:
        exports = " Whether the exports can price outcomes was not assessed."
    else:
        exports = " The exports cannot price a verified outcome end to end: " + "; ".join(missing) + "."

    data_used = tile_basis == "data" or priced is not None
    interview_used = answer is not None or tile_basis == "interview"
    basis = {(True, True): "data and interview", (False, True): "interview"}.get((data_used, interview_used), "data")
    cost_rows = tiles[tiles["tile"].astype(str).isin(cpo_tiles + input_tiles)] if not tiles.empty else tiles
    return Finding(
        id=CHECK_ID, title=TITLE, status=status, score=float(score), explanation=stack + exports,
        recommendation=(
            "Report cost per verified outcome (S&M cost / held meetings, qualified opportunities, won deals) next to "
            "cost per lead and CAC, and close the missing links in the exports so it can be recomputed each month."
        ),
        evidence={"cost_per_outcome_tiles": cpo_tiles, "input_cost_tiles": input_tiles, "interview_key": key,
                  "interview_answer": answer, "exports_price_outcomes": priced, "missing_links": missing},
        evidence_rows=masked_rows(cost_rows.drop(columns=["kind"], errors="ignore"), engagement),
        severity=severity_for(status), effort_hours=10, owner_role="Finance and RevOps",
        basis=basis, interview_question=ask if answer is None else None,
    )
