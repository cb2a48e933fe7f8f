"""Volume-led reporting: how much of the client's dashboards shows activity volume instead of outcomes."""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from ..config import Engagement
from ..findings import Finding, not_assessable
from .common import band_status, interview_list, masked_rows, pct, query, records, severity_for

CHECK_ID = "volume_led"
TITLE = "Volume-led reporting"
KINDS = ("volume", "outcome", "cost", "leading", "other")

# Keyword rules for tile names are tried in order, and the first match sets the kind.
# Specific phrases come before the single words they contain, so "meetings held"
# is an outcome while "meetings booked" is volume.
TILE_RULES: tuple[tuple[str, str], ...] = (
    ("outcome", r"meetings? held|held meetings?|meetings? attended|cost per (verified |qualified )?(outcome|meeting|qualified|won|deal|sql)|\bcpo\b"),
    ("cost", r"cost per (lead|mql|click|contact|opportunit|customer)|\bcpl\b|\bcpc\b|\bcpm\b"),
    ("leading", r"response time|open rate|reply rate|click.?through|\bctr\b|cycle time|velocity|time to"),
    ("volume", r"meetings? (booked|scheduled|set)|\bcalls?\b|\bdials?\b|emails? sent|\bemails?\b|activit|touch|\btasks?\b"),
    ("volume", r"sequence|page ?views?|\bvisits?\b|\bleads?\b|\bmqls?\b|impressions|clicks"),
    ("outcome", r"qualified pipeline|pipeline|\bwon\b|revenue|bookings?|\bcac\b|win rate|\barr\b|\bmrr\b|closed"),
    ("cost", r"spend|budget|\bcost\b"),
)


def classify_tile(name: str | None, metric_kind: str | None = None) -> str:
    """Return the tile's kind: the given metric_kind when it is a known kind, else the first keyword rule that matches."""
    if metric_kind is not None and str(metric_kind).strip().lower() in KINDS:
        return str(metric_kind).strip().lower()
    text = str(name or "").lower()
    for kind, pattern in TILE_RULES:
        if re.search(pattern, text):
            return kind
    return "other"


def load_tiles(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> tuple[pd.DataFrame, str]:
    """Return dashboard tiles with their kind, and the basis ("data" or "interview").

    Falls back to the interview answer ``dashboard_headline_metrics`` (a list of
    tile names, all counted as headline tiles) when the dashboards table is empty.
    """
    tiles = query(
        con,
        "SELECT dashboard, tile, metric_kind, is_headline, source_file, source_line FROM dashboards ORDER BY source_file, source_line",
    )
    basis = "data"
    if tiles.empty:
        answer = interview_list(engagement, "dashboard_headline_metrics")
        if not answer:
            return tiles.assign(kind=pd.Series(dtype="str")), "none"
        tiles = pd.DataFrame(
            {"dashboard": "interview", "tile": answer, "metric_kind": None, "is_headline": True,
             "source_file": None, "source_line": None}
        )
        basis = "interview"
    tiles["kind"] = [classify_tile(t, k if isinstance(k, str) else None) for t, k in zip(tiles["tile"], tiles["metric_kind"])]
    return tiles, basis


def check_volume_led(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict) -> Finding:
    """Score the dashboards by the share of classified tiles that show activity volume.

    Score = 100 x (1 - volume tiles / classified tiles); tiles of kind "other"
    are listed but not counted.
    """
    tiles, basis = load_tiles(con, engagement)
    ask = "Which metrics appear on the dashboards that leadership reviews each week?"
    if tiles.empty:
        return not_assessable(CHECK_ID, TITLE, "no dashboard list was provided", ask)

    classified = tiles[tiles["kind"] != "other"]
    unclassified = tiles.loc[tiles["kind"] == "other", "tile"].tolist()
    if classified.empty:
        finding = not_assessable(
            CHECK_ID, TITLE, f"none of the {len(tiles)} tile names could be classified ({', '.join(unclassified[:10])})",
            ask + " Add a metric_kind column (volume, outcome, cost, leading) to the dashboard list.",
        )
        finding.evidence = {"tiles": len(tiles), "unclassified_tiles": unclassified}
        return finding

    by_kind = []
    for kind in KINDS:
        subset = tiles[tiles["kind"] == kind]
        headline = int(subset["is_headline"].fillna(False).astype(bool).sum())
        by_kind.append({"kind": kind, "tiles": len(subset), "headline_tiles": headline})
    volume = int((classified["kind"] == "volume").sum())
    outcome = int((classified["kind"] == "outcome").sum())
    share = volume / len(classified)
    score = round(100 * (1 - share), 1)
    status = band_status(engagement, CHECK_ID, score)

    headline = classified[classified["is_headline"].fillna(False).astype(bool)]
    headline_share = float((headline["kind"] == "volume").mean()) if len(headline) else None
    explanation = (
        f"{volume} of {len(classified)} classified dashboard tiles ({pct(share)}) show activity volume "
        f"and {outcome} show outcomes."
    )
    if headline_share is not None:
        explanation += f" Among the {len(headline)} headline tiles, {pct(headline_share)} show volume."
    if unclassified:
        explanation += f" {len(unclassified)} tiles could not be classified and are not counted."
    volume_rows = tiles[tiles["kind"] == "volume"][["dashboard", "tile", "is_headline", "source_file", "source_line"]]
    return Finding(
        id=CHECK_ID,
        title=TITLE,
        status=status,
        score=score,
        explanation=explanation,
        recommendation=(
            "Replace volume tiles (calls, emails, activities) in the headline row with verified outcomes "
            "and their cost: held meetings, qualified pipeline, won revenue and cost per outcome."
        ),
        evidence={
            "tiles": len(tiles),
            "classified_tiles": len(classified),
            "volume_tiles": volume,
            "outcome_tiles": outcome,
            "volume_share": share,
            "headline_tiles": len(headline),
            "headline_volume_share": headline_share,
            "unclassified_tiles": unclassified,
        },
        evidence_rows=masked_rows(volume_rows, engagement),
        severity=severity_for(status),
        effort_hours=6,
        owner_role="RevOps lead",
        basis=basis,
        interview_question=ask if basis == "interview" else None,
        tables={"tiles_by_kind": by_kind, "tiles": records(tiles[["dashboard", "tile", "kind", "is_headline"]])},
    )
