"""Fragmented data: keys that do not join across the client's systems, and duplicate people."""

from __future__ import annotations

from typing import Any

import duckdb

from ..config import Engagement
from ..findings import Finding, not_assessable, status_from_score
from ..identity import duplicate_people, match_rates

CHECK_ID = "fragmented_data"
TITLE = "Fragmented data"
# The normalised product match shows what a cleanup would recover; the score uses the exact join the systems make.
SCORED_KEYS_SKIP = {"text, case-folded without spaces or punctuation"}
SEVERITY = {"pass": "low", "warn": "medium", "fail": "high"}
# The score rests on the weakest links, because one broken join (spend to campaigns, say) breaks the
# chain from spend to revenue however many other joins work.
WEAKEST_LINKS = 3


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def check_fragmented_data(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict[str, Any]) -> Finding:
    """Score how well records join across systems.

    Score = 100 x the mean match rate of the three weakest exact pairs x
    (1 - the share of contacts that duplicate another contact's normalised email).
    """
    show = engagement.report.show_personal_data
    rates = match_rates(con, engagement)
    people = duplicate_people(con, show)
    scored = [r for r in rates if r["key"] not in SCORED_KEYS_SKIP and r["rate"] is not None]
    if not scored and not people["contacts_with_email"]:
        return not_assessable(
            CHECK_ID,
            TITLE,
            "no two exported systems share a key (email, CRM id, campaign id or product) to compare",
            "Export CRM contacts with emails and ids, and the activity, campaign and spend files with the "
            "contact email, account id or campaign id they refer to.",
        )

    mean_rate = sum(r["rate"] for r in scored) / len(scored) if scored else None
    worst = sorted(scored, key=lambda r: r["rate"])[:WEAKEST_LINKS]
    weakest_rate = sum(r["rate"] for r in worst) / len(worst) if worst else 1.0
    duplicate_share = people["duplicate_share"] or 0.0
    score = round(100 * weakest_rate * (1 - duplicate_share), 1)
    band = engagement.thresholds.fragmented_data
    status = status_from_score(score, band.pass_at, band.warn_at)

    parts = [f"{r['left']} found in {r['right']}: {_pct(r['rate'])} of {r['left_count']}" for r in worst if r["rate"] < 1]
    explanation = f"Across {len(scored)} links between files, {_pct(mean_rate)} of keys find their record on average."
    if parts:
        explanation += f" The weakest links find {_pct(weakest_rate)} on average: " + "; ".join(parts) + "."
    if people["duplicate_contacts"]:
        explanation += (
            f" {people['duplicate_contacts']} contacts repeat another contact's email "
            f"({people['case_or_spacing_groups']} emails differ only by case or spacing)."
        )
    if status == "pass":
        recommendation = "Keys join well. Keep emails and CRM ids mandatory on imports and re-run the audit each quarter."
    else:
        recommendation = (
            "Pick one key per link (email for people, CRM id for accounts and deals, campaign id for spend), make it "
            "mandatory in each tool's export or sync, and merge duplicate contacts in the CRM."
        )

    evidence_rows = []
    for row in worst:
        for example in row["unmatched_examples"][:3]:
            evidence_rows.append({"link": f"{row['left']} -> {row['right']}", **example})
    evidence_rows += [{"link": "duplicate contact email", **example} for example in people["examples"][:5]]

    return Finding(
        id=CHECK_ID,
        title=TITLE,
        status=status,
        score=score,
        explanation=explanation,
        recommendation=recommendation,
        evidence={
            "links_compared": len(scored),
            "mean_match_rate": mean_rate,
            "weakest_links_match_rate": weakest_rate if worst else None,
            "duplicate_contacts": people["duplicate_contacts"],
            "duplicate_share": people["duplicate_share"],
            "case_or_spacing_groups": people["case_or_spacing_groups"],
            "shared_email_groups": people["shared_email_groups"],
        },
        evidence_rows=evidence_rows,
        severity=SEVERITY[status],
        effort_hours={"pass": 2, "warn": 10, "fail": 20}[status],
        owner_role="CRM administrator",
        tables={
            "match_rates": [{k: v for k, v in r.items() if k != "unmatched_examples"} for r in rates],
            "duplicates": [{k: v for k, v in people.items() if k != "examples"}],
        },
    )
