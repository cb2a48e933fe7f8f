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
    # Activity emails all match (rate 1.0); score = 100 x 1.0 x (1 - 1/10).
    assert finding.score == pytest.approx(90.0)
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
    # Weakest three: 0.0, 0.5 and 1.0 -> mean 0.5; no duplicates -> 50.
    assert finding.score == pytest.approx(50.0)
    assert finding.status == "warn"
    assert finding.evidence["mean_match_rate"] == pytest.approx((1 + 1 + 0.5 + 0) / 4)
