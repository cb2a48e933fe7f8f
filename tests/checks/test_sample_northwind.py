"""The checks on the bundled Northwind sample find the problems its generator planted.

The planted figures come from the sample's expected.json, which the generator
computes from its own records, not by running the audit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "northwind"


@pytest.fixture(scope="module")
def northwind(tmp_path_factory):
    """Return (findings by id, expected figures) for the sample after intake."""
    if not (SAMPLE / "engagement.yaml").exists():
        pytest.skip(f"sample engagement not generated at {SAMPLE}; run python sample_data/generate.py")
    from audit_lib.checks import run_checks
    from audit_lib.config import load_engagement
    from audit_lib.intake import run_intake
    from audit_lib.metrics import compute_metrics
    from audit_lib.store import open_store

    engagement = load_engagement(SAMPLE)
    cache = tmp_path_factory.mktemp("northwind_cache")
    run_intake(engagement, cache)
    con = open_store(cache, memory_limit="1GB")
    try:
        findings = run_checks(con, engagement, {"metrics": compute_metrics(con, engagement)})
    finally:
        con.close()
    expected = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
    return {f.id: f for f in findings}, expected


def test_activity_rises_meetings_flat(northwind):
    findings, expected = northwind
    evidence = findings["activity_predicts_outcomes"].evidence
    # Non-meeting activity is calls plus emails in the sample, as in expected.json.
    assert evidence["activity_change_h2_vs_h1"] == pytest.approx(expected["activity"]["activity_volume_change"], abs=0.001)
    assert evidence["held_meetings_change_h2_vs_h1"] == pytest.approx(expected["activity"]["meetings_held_change"], abs=0.001)
    assert evidence["volume_outpaces_meetings"] is True


def test_link_weakens_after_midyear(northwind):
    findings, _ = northwind
    finding = findings["activity_predicts_outcomes"]
    assert finding.evidence["link_weakened"] is True
    assert finding.evidence["rho_h2"] < finding.evidence["rho_h1"]
    assert finding.status == "fail"


def test_high_bounce_sequence_found(northwind):
    findings, expected = northwind
    finding = findings["irrelevant_outreach"]
    name = expected["sequences"]["high_bounce_sequence"]
    assert finding.evidence["high_bounce_sequences"] == [name]
    sequence = next(row for row in finding.tables["sequences"] if row["sequence"] == name)
    assert sequence["bounce_rate"] == pytest.approx(expected["sequences"]["bounce_rate"], abs=0.001)
    assert finding.tables["worst_sequences"][0]["sequence"] == name


def test_slipped_deals_and_regressions(northwind):
    findings, expected = northwind
    evidence = findings["forecast_confidence"].evidence
    assert evidence["slipped_twice_or_more"] == expected["slipped_deals"]
    assert evidence["slipped_deals"] == expected["slipped_deals"] + expected["deals_pushed_once"]
    assert evidence["regressed_deals"] == expected["stage_regression_deals"]


def test_picklist_variants_found(northwind):
    findings, expected = northwind
    groups = findings["stale_records"].tables["picklist_variants"]
    spellings = {frozenset([g["canonical"], *g["variants"]]) for g in groups if g["column"] == "lead_source"}
    for variants in expected["lead_source_variants"].values():
        assert frozenset(variants) in spellings


def test_stale_and_orphan_records(northwind):
    findings, expected = northwind
    evidence = findings["stale_records"].evidence
    assert evidence["open_opportunities"] == expected["stale_open_opportunities"]["open"]
    assert evidence["stale_opportunities"] == expected["stale_open_opportunities"]["stale"]
    assert evidence["contacts_without_owner"] == expected["contacts"]["without_owner"]
    assert evidence["contacts_without_account"] == expected["contacts"]["contacts_without_account"]


def test_dashboards_volume_led(northwind):
    findings, expected = northwind
    volume = findings["volume_led"]
    assert volume.evidence["volume_tiles"] == expected["dashboards"]["volume_tiles"]
    assert volume.evidence["tiles"] == expected["dashboards"]["tiles"]
    leading = findings["leading_indicators"]
    assert leading.evidence["headline_tiles"] == expected["dashboards"]["headline_tiles"]
    assert leading.evidence["only_leading_and_volume"] is True
    assert leading.status == "fail"


def test_slipped_deals_not_passed(northwind):
    # 264 of 1,581 deals pushed (16.7%) and 119 pushed twice (7.5%) exceed the 10% and 5% tolerances.
    finding = northwind[0]["forecast_confidence"]
    assert finding.status in ("warn", "fail")
    assert finding.evidence["weakest_component"] == "close dates pushed"


def test_stale_deals_not_passed(northwind):
    # 118 of 667 open deals stale (17.7%) exceeds the 10% tolerance: 100 - 30 x 1.77 = 46.9.
    finding = northwind[0]["stale_records"]
    assert finding.status in ("warn", "fail")
    assert finding.evidence["weakest_part"] == "stale open opportunities"
    assert finding.evidence["not_exported"] == []


def test_customer_time_not_measured(northwind):
    # Only meetings and calls carry durations, so the share comes from the interview (0.3 -> fail).
    finding = northwind[0]["time_with_customers"]
    assert finding.basis == "interview"
    assert finding.score == 30.0
    assert "cannot be measured" in finding.explanation


def test_untied_ad_spend_not_passed(northwind):
    findings, expected = northwind
    finding = findings["fragmented_data"]
    assert finding.status in ("warn", "fail")
    assert finding.evidence["untied_spend"] == pytest.approx(expected["spend_campaigns_missing_from_crm"]["spend"], abs=0.01)
    assert finding.evidence["duplicate_contacts"] == expected["duplicates"]["extra_contact_records"]
    assert finding.evidence["weakest_part"] == "spend tied to a CRM campaign"
