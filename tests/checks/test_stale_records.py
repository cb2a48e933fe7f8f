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
    # Score = mean(50, 50, 100 x 31/34, 100) = 72.79 -> pass.
    assert finding.score == pytest.approx(72.8)
    assert finding.status == "pass"


def test_picklist_variants_counted(store, engagement):
    # 6 contacts: lead_source LinkedIn x3, linkedin x2, Linked In x1 -> 3 variant rows of 6.
    # Orphans: none. Blanks: email blank in 6 of 24 cells -> 0.25. Score mean(100, 75, 50) = 75.
    con = store({"contacts": {
        "contact_id": [f"k{i}" for i in range(6)], "owner_id": ["u"] * 6, "account_id": ["A"] * 6,
        "lead_source": ["LinkedIn"] * 3 + ["linkedin"] * 2 + ["Linked In"],
    }})
    finding = check_stale_records(con, engagement, {})
    assert finding.tables["picklist_variants"] == [{
        "table": "contacts", "column": "lead_source", "canonical": "LinkedIn",
        "variants": ["linkedin", "Linked In"], "rows": 6, "variant_rows": 3,
    }]
    assert finding.score == 75.0
    assert "several spellings" in finding.explanation


def test_all_bad_records_fail(store, engagement):
    # One contact with nothing filled: orphan share 1, blank 4/4 -> mean(0, 0) = 0.
    con = store({"contacts": {"contact_id": ["k1"]}})
    finding = check_stale_records(con, engagement, {})
    assert finding.status == "fail"
    assert finding.score == 0.0


def test_half_bad_records_warn(store, engagement):
    # 2 contacts, k2 without owner: orphan 1/2; blank cells: email x2, owner x1 of 8 = 3/8;
    # lead_source "Web" and "web": 1 variant row of 2. Score mean(50, 62.5, 50) = 54.17 -> warn.
    con = store({"contacts": {"contact_id": ["k1", "k2"], "owner_id": ["u", None], "account_id": ["A", "A"],
                              "lead_source": ["Web", "web"]}})
    finding = check_stale_records(con, engagement, {})
    assert finding.score == 54.2
    assert finding.status == "warn"


def test_no_records_not_assessable(store, engagement):
    assert check_stale_records(store({}), engagement, {}).status == "not_assessable"
