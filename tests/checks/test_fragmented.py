"""Fragmented data check: pass, warn, fail and not assessable."""

from __future__ import annotations

import pytest

from audit_lib.checks.fragmented import check_fragmented_data


def contacts(emails: list[str]) -> dict:
    return {
        "contact_id": [f"c{i}" for i in range(len(emails))],
        "email": emails,
        "source_file": ["contacts.csv"] * len(emails),
        "source_line": list(range(2, len(emails) + 2)),
    }


def activities(emails: list[str]) -> dict:
    n = len(emails)
    return {
        "activity_id": [f"a{i}" for i in range(n)],
        "activity_type": ["call"] * n,
        "occurred_at": ["2026-02-01"] * n,
        "contact_email": emails,
        "source_file": ["activities.csv"] * n,
        "source_line": list(range(2, n + 2)),
    }


CRM = [f"p{i}@acme.com" for i in range(10)]


@pytest.mark.parametrize(
    ("known", "status", "score"),
    [
        (9, "pass", 90.0),  # 9 of 10 activity emails found in the CRM
        (5, "warn", 50.0),
        (1, "fail", 10.0),
    ],
)
def test_fragmented_status_bands(store, engagement, known, status, score):
    emails = CRM[:known] + [f"x{i}@other.com" for i in range(10 - known)]
    con = store({"contacts": contacts(CRM), "activities": activities(emails)})
    finding = check_fragmented_data(con, engagement, {})
    assert finding.id == "fragmented_data"
    assert finding.status == status
    assert finding.score == pytest.approx(score)


def test_fragmented_duplicates_lower_score(store, engagement):
    # 10 contacts, p0 repeated as " P0@acme.com": 1 duplicate of 10 contacts with email.
    crm = contacts(CRM[:9] + [" P0@ACME.com"])
    con = store({"contacts": crm, "activities": activities(CRM[:9])})
    finding = check_fragmented_data(con, engagement, {})
    # Activity emails all match: links 100. Duplicates 1/10 -> 100 - 30 x 0.10 / 0.02 -> 0.
    # Score = weakest part = 0.
    assert finding.score == 0.0
    assert finding.evidence["weakest_part"] == "one contact per person"
    assert finding.evidence["duplicate_contacts"] == 1
    assert finding.evidence["case_or_spacing_groups"] == 1
    duplicate_rows = [r for r in finding.evidence_rows if r["link"] == "duplicate contact email"]
    assert duplicate_rows[0]["email"] == "p***@acme.com"


def test_fragmented_evidence_rows_masked(store, engagement):
    con = store({"contacts": contacts(CRM), "activities": activities(["ghost@nowhere.com"])})
    finding = check_fragmented_data(con, engagement, {})
    assert finding.evidence_rows[0]["contact_email"] == "g***@nowhere.com"
    assert finding.evidence_rows[0]["source_line"] == 2
    assert finding.tables["match_rates"][0]["left"] == "activities.contact_email"


def test_fragmented_not_assessable_empty(store, engagement):
    finding = check_fragmented_data(store({}), engagement, {})
    assert finding.status == "not_assessable"
    assert finding.score is None
    assert "Export CRM contacts" in finding.recommendation


def test_fragmented_scores_weakest_links(store, engagement):
    # Four links: activity emails 100%, opportunity accounts 100%, opportunity contacts 50%, spend campaigns 0%.
    frames = {
        "contacts": contacts(CRM[:2]),
        "activities": activities(CRM[:2]),
        "accounts": {"account_id": ["acc1"]},
        "opportunities": {"opportunity_id": ["o1", "o2"], "stage": ["Won"] * 2, "account_id": ["acc1", "acc1"], "contact_id": ["c0", "zz"]},
        "campaigns": {"campaign_id": ["k1"]},
        "costs": {"date": ["2026-01-01"], "category": ["media"], "amount": [10], "campaign_id": ["k9"]},
    }
    finding = check_fragmented_data(store(frames), engagement, {})
    # Links: weakest three 0.0, 0.5 and 1.0 -> 50. Spend: all $10 untied -> 100 - 30 x 1 / 0.05 -> 0.
    # Duplicates none -> 100. Score = weakest = 0 -> fail.
    assert finding.evidence["part_scores"]["links between files"] == pytest.approx(50.0)
    assert finding.evidence["untied_spend_share"] == 1.0
    assert finding.score == 0.0
    assert finding.status == "fail"
    assert finding.evidence["mean_match_rate"] == pytest.approx((1 + 1 + 0.5 + 0) / 4)


def spend(untied: float) -> dict:
    """Build 19 cost lines of campaign k1 worth 100 - untied in all and one of unknown campaign k9 worth ``untied``."""
    amounts = [(100 - untied) / 19] * 19 + [untied]
    return {
        "campaigns": {"campaign_id": ["k1"]},
        "costs": {"date": ["2026-03-01"] * 20, "category": ["media"] * 20, "amount": amounts,
                  "campaign_id": ["k1"] * 19 + ["k9"]},
    }


@pytest.mark.parametrize(
    ("untied", "score", "status"),
    [
        (5.0, 70.0, "pass"),  # 5 of 100 untied: 100 - 30 x 0.05 / 0.05 = 70, the pass line
        (6.0, 64.0, "warn"),  # 6 of 100: 100 - 36 = 64
        (10.0, 40.0, "warn"),  # 10 of 100: 100 - 60 = 40, the warn line
        (11.0, 34.0, "fail"),  # 11 of 100: 100 - 66 = 34
    ],
)
def test_untied_spend_band_edges(store, engagement, untied, score, status):
    # Links: costs.campaign_id matches 19 of 20 lines -> 95, above the spend part in every case.
    finding = check_fragmented_data(store(spend(untied)), engagement, {})
    assert finding.evidence["untied_spend"] == pytest.approx(untied)
    assert finding.evidence["campaign_spend"] == pytest.approx(100.0)
    assert finding.score == score
    assert finding.status == status
    assert "k9" in finding.explanation


def test_spend_outside_period_ignored(store, engagement):
    # The untied line is dated before the period, so no spend in the period is untied -> weakest is links, 95.
    frames = spend(50.0)
    frames["costs"]["date"] = ["2026-03-01"] * 19 + ["2025-12-31"]
    finding = check_fragmented_data(store(frames), engagement, {})
    assert finding.evidence["untied_spend_share"] == 0.0
    assert finding.score == 95.0


def test_spend_not_judged_without_campaigns(store, engagement):
    finding = check_fragmented_data(store({"contacts": contacts(CRM), "activities": activities(CRM)}), engagement, {})
    assert "spend tied to a CRM campaign" not in finding.evidence["part_scores"]
    assert "Spend was not judged" in finding.explanation


@pytest.mark.parametrize(
    ("people", "score", "status"),
    [
        (50, 70.0, "pass"),  # 1 duplicate of 50 contacts: 100 - 30 x 0.02 / 0.02 = 70
        (49, 69.4, "warn"),  # 1 of 49: 100 - 30 x (1/49) / 0.02 = 69.39
    ],
)
def test_duplicate_share_band_edges(store, engagement, people, score, status):
    # Contacts only, so no link is compared and the duplicate part alone sets the score.
    emails = [f"p{i}@acme.com" for i in range(people - 1)] + ["p0@acme.com"]
    finding = check_fragmented_data(store({"contacts": contacts(emails)}), engagement, {})
    assert finding.evidence["duplicate_contacts"] == 1
    assert list(finding.evidence["part_scores"]) == ["one contact per person"]
    assert finding.score == score
    assert finding.status == status
