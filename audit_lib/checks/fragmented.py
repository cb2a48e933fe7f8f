"""Fragmented data: keys that do not join across the client's systems, and duplicate people."""

from __future__ import annotations

from typing import Any

import duckdb

from ..config import Engagement
from ..findings import Finding, not_assessable, status_from_score
from ..identity import duplicate_people, match_rates
from ..outcomes import fx_rate, in_period, present
from .common import tolerance_score, weakest_part

CHECK_ID = "fragmented_data"
TITLE = "Fragmented data"
# The normalised product match shows what a cleanup would recover; the score uses the exact join the systems make.
SCORED_KEYS_SKIP = {"text, case-folded without spaces or punctuation"}
SEVERITY = {"pass": "low", "warn": "medium", "fail": "high"}
# The score rests on the weakest links, because one broken join (spend to campaigns, say) breaks the
# chain from spend to revenue however many other joins work.
WEAKEST_LINKS = 3
# Largest shares a consultant would still accept, each scoring 70 (the default pass line).
# NOTE: these are judgement calls, not an industry standard. Untied spend is held tighter than
# duplicates because every untied dollar drops out of cost per outcome.
TOLERABLE_UNTIED_SPEND = 0.05  # share of campaign spend in the period whose campaign id the CRM lacks
TOLERABLE_DUPLICATES = 0.02  # share of contacts that repeat another contact's email


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def _listed(values: list[str], total: int, limit: int = 6) -> str:
    """Join up to ``limit`` values and count the rest: "a, b and 3 more"."""
    text = ", ".join(values[:limit])
    return f"{text} and {total - limit} more" if total > limit else text


def untied_spend(con: duckdb.DuckDBPyConnection, engagement: Engagement, rates: list[dict[str, Any]]) -> dict[str, Any]:
    """Return campaign spend in the period and the part whose campaign id matches no CRM campaign or touch.

    Only cost lines with a campaign id count: ledger lines such as salaries carry none and
    are not expected to join. ``share`` is None when no such spend exists or campaigns were not exported.
    """
    link = next((r for r in rates if r["left"] == "costs.campaign_id" and r["rate"] is not None), None)
    empty = {"total": 0.0, "untied": 0.0, "share": None, "ids": []}
    if link is None:
        return empty
    (total,) = con.execute(
        f"SELECT sum(amount * {fx_rate('currency', engagement)}) FROM costs "
        f"WHERE {present('campaign_id')} AND {in_period('date', engagement)}"
    ).fetchone()
    if not total or total <= 0:
        return empty
    untied = float(link.get("unmatched_amount_in_period", 0.0))
    ids = [str(i) for i in link.get("unmatched_ids", [])]
    return {"total": float(total), "untied": untied, "share": untied / float(total), "ids": ids,
            "distinct_ids": int(link.get("unmatched_distinct", len(ids)))}


def check_fragmented_data(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict[str, Any]) -> Finding:
    """Score how well records join across systems by the weakest of three parts.

    Links: 100 x the mean match rate of the three weakest exact pairs. Spend:
    max(0, 100 - 30 x untied spend share / TOLERABLE_UNTIED_SPEND). People:
    max(0, 100 - 30 x duplicate contact share / TOLERABLE_DUPLICATES).
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
    spend = untied_spend(con, engagement, rates)
    part_scores = {"links between files": 100 * weakest_rate} if scored else {}
    if spend["share"] is not None:
        part_scores["spend tied to a CRM campaign"] = tolerance_score(spend["share"], TOLERABLE_UNTIED_SPEND)
    if people["contacts_with_email"]:
        part_scores["one contact per person"] = tolerance_score(duplicate_share, TOLERABLE_DUPLICATES)
    weakest, weakest_score = weakest_part(part_scores)
    score = round(weakest_score, 1)
    band = engagement.thresholds.fragmented_data
    status = status_from_score(score, band.pass_at, band.warn_at)

    parts = [f"{r['left']} found in {r['right']}: {_pct(r['rate'])} of {r['left_count']}" for r in worst if r["rate"] < 1]
    explanation = f"Across {len(scored)} links between files, {_pct(mean_rate)} of keys find their record on average."
    if parts:
        explanation += f" The weakest links find {_pct(weakest_rate)} on average: " + "; ".join(parts) + "."
    if spend["share"]:
        explanation += (
            f" ${spend['untied']:,.0f} of ${spend['total']:,.0f} campaign spend in the period ({_pct(spend['share'])}) "
            f"carries a campaign id the CRM does not have ({_listed(spend['ids'], spend['distinct_ids'])}), so it cannot be tied to revenue."
        )
    if people["duplicate_contacts"]:
        explanation += (
            f" {people['duplicate_contacts']} of {people['contacts_with_email']} contacts with an email "
            f"({100 * duplicate_share:.1f}%) repeat another contact's email"
        )
        if people["case_or_spacing_groups"]:
            explanation += f" ({people['case_or_spacing_groups']} emails differ only by case or spacing)"
        explanation += "."
    case_only = sum(r.get("matched_only_after_normalising", 0) for r in rates)
    if case_only:
        explanation += (
            f" {case_only} distinct emails in activity or campaign files match a CRM contact only when case and "
            "spacing are ignored, so a tool that joins exactly loses them."
        )
    if spend["share"] is None:
        explanation += (
            " Spend was not judged, because that needs cost lines with a campaign id in the period and "
            "exported CRM campaigns or campaign members to match them."
        )
    explanation += f" The score rests on the weakest part, {weakest} ({weakest_score:.0f} of 100)."
    tolerances = []
    if spend["share"] is not None:
        tolerances.append(f"untied spend at {_pct(TOLERABLE_UNTIED_SPEND)} of campaign spend")
    if people["contacts_with_email"]:
        tolerances.append(f"duplicates at {_pct(TOLERABLE_DUPLICATES)} of contacts")
    if tolerances:
        explanation += f" A part scores 70, the default pass line, with {' or '.join(tolerances)}."
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
            "campaign_spend": spend["total"],
            "untied_spend": spend["untied"],
            "untied_spend_share": spend["share"],
            "emails_matched_only_ignoring_case": case_only,
            "part_scores": part_scores,
            "weakest_part": weakest,
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
