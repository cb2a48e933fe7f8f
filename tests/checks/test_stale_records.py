"""Stale and inconsistent records: idle deals, orphan contacts, blanks and picklist variants."""

from __future__ import annotations

import pandas as pd
import pytest

from audit_lib.checks.stale_records import check_stale_records, normalise, variant_groups


def test_normalise_spacing_and_case():
    assert normalise("Linked In") == normalise("linkedin") == normalise("LinkedIn ") == "linkedin"


def test_variant_groups_fuzzy_spelling():
    values = pd.DataFrame({
        "value": ["LinkedIn", "linkedin", "Linked In", "Linkdin", "Webinar", "Closed Won", "Closed Lost"],
        "rows": [10, 3, 2, 1, 5, 4, 4],
    })
    groups = variant_groups(values, 90)
    # "linkdin" against "linkedin": rapidfuzz ratio 2 x 7 / 15 = 93.3 >= 90, so it joins.
    # "closedwon" against "closedlost" stays below 90, so stages are not merged.
    assert groups == [{"canonical": "LinkedIn", "variants": ["linkedin", "Linked In", "Linkdin"], "rows": 16, "variant_rows": 6}]


def test_stale_and_orphans_hand_computed(store, make_engagement):
    engagement = make_engagement(thresholds={"stale_days": 30})
    con = store({
        # O1 open with an activity on 20 Dec (inside 30 days of 31 Dec): fresh.
        # O2 open with its last activity on 1 Nov: stale. O3 is won and ignored.
        "opportunities": {
            "opportunity_id": ["O1", "O2", "O3"], "stage": ["Proposal", "Discovery", "Closed Won"],
            "account_id": ["A1", "A2", "A3"], "owner_id": ["u1", "u1", "u1"], "amount": [1.0, 1.0, 1.0],
            "close_date": ["2027-01-31"] * 3, "created_at": ["2026-06-01"] * 3, "lead_source": ["Web", "Web", "Web"],
            "source_file": ["opps.csv"] * 3, "source_line": [2, 3, 4],
        },
        "activities": {
            "activity_id": ["1", "2"], "activity_type": ["call", "call"],
            "occurred_at": ["2026-12-20", "2026-11-01"], "opportunity_id": ["O1", "O2"],
        },
        # 4 records: k2 has no owner, k3 no account; k4 is a lead, which needs no account.
        "contacts": {
            "contact_id": ["k1", "k2", "k3", "k4"], "email": ["a@x.com"] * 4, "owner_id": ["u1", None, "u1", "u1"],
            "account_id": ["A1", "A1", None, None], "account_name": [None, None, None, "Acme"],
            "is_lead": [False, False, False, True], "lead_source": ["Web", "Web", "Web", "Web"],
        },
    })

    finding = check_stale_records(con, engagement, {})
    shares = finding.evidence["shares"]
    # Stale: O2 of (O1, O2) = 1/2.
    assert shares["stale open opportunities"] == 0.5
    assert finding.evidence_rows[0]["opportunity_id"] == "O2"
    assert finding.evidence_rows[0]["source_line"] == 3
    # Orphans: k2 (owner) and k3 (account) = 2/4.
    assert shares["contacts without owner or account"] == 0.5
    # Blank cells: opportunities 3 rows x 6 fields, none blank; contacts 4 x 4 = 16 cells with
    # 1 owner and 2 account_id blanks -> 3 / (18 + 16) = 3/34.
    assert shares["blank required cells"] == pytest.approx(3 / 34)
    # Picklists: no variants among 3 + 4 lead sources and 3 stages -> 0.
    assert shares["picklist rows with a variant spelling"] == 0.0
    # Part scores are max(0, 100 - 30 x share / tolerable share):
    # stale 100 - 30 x 0.5 / 0.10 = -50 -> 0; orphans 100 - 30 x 0.5 / 0.05 -> 0;
    # blanks 100 - 30 x (3/34) / 0.10 = 73.5; picklists 100. Score = weakest = 0 -> fail.
    assert finding.evidence["part_scores"]["blank required cells"] == pytest.approx(100 - 300 * 3 / 34)
    assert finding.score == 0.0
    assert finding.status == "fail"
    # Stale and orphans tie at 0; the first part listed names the score.
    assert finding.evidence["weakest_part"] == "stale open opportunities"


def test_picklist_variants_counted(store, engagement):
    # 6 contacts: lead_source LinkedIn x3, linkedin x2, Linked In x1 -> 3 variant rows of 6.
    # Orphans: none -> 100. Email is blank in every row, so it was not exported and is left out:
    # blanks 0 of 18 cells -> 100. Picklists 100 - 30 x 0.5 / 0.05 -> 0. Score = weakest = 0.
    con = store({"contacts": {
        "contact_id": [f"k{i}" for i in range(6)], "owner_id": ["u"] * 6, "account_id": ["A"] * 6,
        "lead_source": ["LinkedIn"] * 3 + ["linkedin"] * 2 + ["Linked In"],
    }})
    finding = check_stale_records(con, engagement, {})
    assert finding.tables["picklist_variants"] == [{
        "table": "contacts", "column": "lead_source", "canonical": "LinkedIn",
        "variants": ["linkedin", "Linked In"], "rows": 6, "variant_rows": 3,
    }]
    assert finding.score == 0.0
    assert finding.evidence["weakest_part"] == "picklist rows with a variant spelling"
    assert finding.evidence["not_exported"] == ["contacts.email"]
    assert finding.evidence["shares"]["blank required cells"] == 0.0
    assert "several spellings" in finding.explanation


def test_unexported_columns_not_assessable(store, engagement):
    # One contact with only an id: owner, account, email and lead source are blank in every
    # row, so none was exported and nothing is left to judge.
    con = store({"contacts": {"contact_id": ["k1"]}})
    finding = check_stale_records(con, engagement, {})
    assert finding.status == "not_assessable"
    assert finding.score is None
    assert "activities" in finding.interview_question
    assert "contacts.email, contacts.account_id, contacts.owner_id, contacts.lead_source" in finding.explanation


def test_orphan_owner_only_when_exported(store, engagement):
    # 20 contacts, owner_id never exported; account_id filled on 19 of 20.
    # Orphans count only the account side: 1/20 = 0.05 -> 100 - 30 x 0.05 / 0.05 = 70.
    # Blanks: email and account_id exported, 1 blank of 40 cells = 0.025 -> 100 - 7.5 = 92.5.
    # Score = weakest = 70 -> pass, at the pass line.
    con = store({"contacts": {
        "contact_id": [f"k{i}" for i in range(20)], "email": [f"p{i}@x.com" for i in range(20)],
        "account_id": ["A"] * 19 + [None],
    }})
    finding = check_stale_records(con, engagement, {})
    assert finding.evidence["contacts_without_owner"] == 0
    assert finding.evidence["contacts_without_account"] == 1
    assert finding.evidence["not_exported"] == ["contacts.owner_id", "contacts.lead_source"]
    assert finding.score == 70.0
    assert finding.status == "pass"
    assert "have no owner" not in finding.explanation


def test_orphans_above_tolerance_warn(store, engagement):
    # As above with 2 of 20 contacts without an account: orphans 0.10 -> 100 - 60 = 40 -> warn.
    # Blanks 2 of 40 = 0.05 -> 85.
    con = store({"contacts": {
        "contact_id": [f"k{i}" for i in range(20)], "email": [f"p{i}@x.com" for i in range(20)],
        "account_id": ["A"] * 18 + [None, None],
    }})
    finding = check_stale_records(con, engagement, {})
    assert finding.score == 40.0
    assert finding.status == "warn"


def open_deals(count: int, stale: int) -> dict:
    """Build ``count`` open opportunities, the first ``stale`` without activity after 1 Oct."""
    ids = [f"O{i}" for i in range(count)]
    return {
        "opportunities": {"opportunity_id": ids, "stage": ["Discovery"] * count, "created_at": ["2026-03-01"] * count},
        "activities": {
            "activity_id": [str(i) for i in range(count)], "activity_type": ["call"] * count,
            "occurred_at": ["2026-10-01"] * stale + ["2026-12-20"] * (count - stale), "opportunity_id": ids,
        },
    }


@pytest.mark.parametrize(
    ("stale", "score", "status"),
    [
        (10, 70.0, "pass"),  # 10 of 100 stale: 100 - 30 x 0.10 / 0.10 = 70
        (11, 67.0, "warn"),  # 11 of 100: 100 - 30 x 0.11 / 0.10 = 67
        (20, 40.0, "warn"),  # 20 of 100: 100 - 60 = 40, the warn line
        (21, 37.0, "fail"),  # 21 of 100: 100 - 63 = 37
    ],
)
def test_stale_share_band_edges(store, engagement, stale, score, status):
    # Only created_at of the required opportunity fields is exported, and it is never blank -> 100.
    finding = check_stale_records(store(open_deals(100, stale)), engagement, {})
    assert finding.evidence["stale_opportunities"] == stale
    assert finding.score == score
    assert finding.status == status


def test_no_activities_staleness_left_out(store, engagement):
    # Open deals without any activity export: staleness is not judged, not counted as 100% stale.
    # lead_source is blank in every row, so it is listed as not in the export instead of blank.
    # Judged: blanks over created_at and amount, 1 of 8 cells blank = 0.125 -> 100 - 37.5 = 62.5 -> warn.
    con = store({"opportunities": {
        "opportunity_id": ["O1", "O2", "O3", "O4"], "stage": ["Discovery"] * 4,
        "created_at": ["2026-03-01"] * 4, "amount": [1.0, 2.0, 3.0, None],
    }})
    finding = check_stale_records(con, engagement, {})
    assert "stale open opportunities" not in finding.evidence["shares"]
    assert finding.evidence["activities_exported"] is False
    assert finding.evidence["open_opportunities"] == 4
    assert "opportunities.lead_source" in finding.evidence["not_exported"]
    assert "Staleness of the 4 open opportunities was not judged" in finding.explanation
    assert "had no activity" not in finding.explanation
    assert finding.score == 62.5
    assert finding.status == "warn"


def test_accounts_without_fields_not_assessable(store, engagement):
    # Accounts with ids only: industry, employees and owner were not exported, so nothing is judged.
    con = store({"accounts": {"account_id": ["A1", "A2"]}})
    finding = check_stale_records(con, engagement, {})
    assert finding.status == "not_assessable"
    assert finding.evidence["not_exported"] == ["accounts.industry", "accounts.employees", "accounts.owner_id"]
    assert finding.interview_question.startswith("Can the CRM export activities")


def test_no_records_not_assessable(store, engagement):
    assert check_stale_records(store({}), engagement, {}).status == "not_assessable"
