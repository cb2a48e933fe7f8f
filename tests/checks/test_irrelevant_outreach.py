"""Irrelevant outreach: per-sequence rates, ICP fit and outcomes per 1,000 touches."""

from __future__ import annotations

import pytest

from audit_lib.checks.irrelevant_outreach import check_irrelevant_outreach

ICP = {"industries": ["Software"], "min_employees": 50, "title_keywords": ["VP", "Head"]}


def outreach():
    # Sequence "Cold" sends 4 emails: to c1 (bounced), c2 (opted_out), c3 (replied), c4 (sent).
    # Sequence "Warm" sends 2 sequence steps to c3 (replied, sent). c3 then has a held meeting.
    # Accounts: A1 Software 100 (fits), A2 Retail 10 (outside). Titles: c4 "Intern" (outside by title).
    return {
        "accounts": {"account_id": ["A1", "A2"], "industry": ["Software", "Retail"], "employees": [100, 10]},
        "contacts": {
            "contact_id": ["c1", "c2", "c3", "c4"],
            "account_id": ["A1", "A2", "A1", "A1"],
            "title": ["VP Sales", "Head of IT", "VP Ops", "Intern"],
        },
        "activities": {
            "activity_id": ["1", "2", "3", "4", "5", "6", "7"],
            "activity_type": ["email", "email", "email", "email", "sequence_step", "sequence_step", "meeting"],
            "status": ["bounced", "opted_out", "replied", "sent", "replied", "sent", "held"],
            "occurred_at": ["2026-02-01", "2026-02-01", "2026-02-01", "2026-02-01", "2026-02-02", "2026-02-03", "2026-02-10"],
            "contact_id": ["c1", "c2", "c3", "c4", "c3", "c3", "c3"],
            "sequence_name": ["Cold", "Cold", "Cold", "Cold", "Warm", "Warm", None],
        },
    }


def test_rates_per_sequence(store, make_engagement):
    finding = check_irrelevant_outreach(store(outreach()), make_engagement(icp=ICP), {})
    sequences = {row["sequence"]: row for row in finding.tables["sequences"]}
    cold, warm = sequences["Cold"], sequences["Warm"]
    # Cold: bounced 1/4, opted out 1/4, replied 1/4 -> no reply 3/4.
    assert cold["bounce_rate"] == 0.25
    assert cold["opt_out_rate"] == 0.25
    assert cold["no_reply_rate"] == 0.75
    # Outside the ICP: c2 (Retail, 10 employees) and c4 (title) -> 2/4.
    assert cold["outside_icp_share"] == 0.5
    # Irrelevant: c1 bounced, c2 opted out and outside, c4 outside -> 3/4.
    assert cold["irrelevant_share"] == 0.75
    # c3's held meeting on 10 Feb follows both sequences' first touch: 1 meeting.
    # Cold: 1000 x 1 / 4 = 250; Warm: 1000 x 1 / 2 = 500.
    assert cold["outcomes_per_1000_touches"] == 250.0
    assert warm["outcomes_per_1000_touches"] == 500.0
    assert warm["irrelevant_share"] == 0.0


def test_overall_score_warns(store, make_engagement):
    # 3 irrelevant of 6 touches -> score 100 x (1 - 0.5) = 50 -> warn.
    finding = check_irrelevant_outreach(store(outreach()), make_engagement(icp=ICP), {})
    assert finding.score == 50.0
    assert finding.status == "warn"
    assert finding.evidence["high_bounce_sequences"] == ["Cold"]
    assert finding.tables["worst_sequences"][0]["sequence"] == "Cold"
    assert "Cold" in finding.explanation


def test_without_icp_fit_not_counted(store, engagement):
    # Without an ICP only bounces and opt-outs count: 2 of 6 -> 100 x (1 - 1/3) = 66.7 -> warn.
    finding = check_irrelevant_outreach(store(outreach()), engagement, {})
    assert finding.score == pytest.approx(66.7)
    assert finding.evidence["outside_icp_share"] is None
    assert "no ideal customer profile" in finding.explanation


def test_clean_outreach_passes(store, engagement):
    frames = outreach()
    frames["activities"]["status"] = ["sent", "sent", "replied", "sent", "replied", "sent", "held"]
    finding = check_irrelevant_outreach(store(frames), engagement, {})
    assert finding.status == "pass"
    assert finding.score == 100.0


def test_all_bounced_fails(store, engagement):
    frames = outreach()
    frames["activities"]["status"] = ["bounced"] * 6 + ["held"]
    finding = check_irrelevant_outreach(store(frames), engagement, {})
    assert finding.status == "fail"
    assert finding.score == 0.0


def test_unknown_icp_fields_not_outside(store, make_engagement):
    # c1 has no account: industry and size unknown, title fits -> unknown, not outside.
    frames = {
        "contacts": {"contact_id": ["c1"], "title": ["VP Sales"]},
        "activities": {"activity_id": ["1"], "activity_type": ["email"], "status": ["sent"],
                       "occurred_at": ["2026-02-01"], "contact_id": ["c1"], "sequence_name": ["S"]},
    }
    finding = check_irrelevant_outreach(store(frames), make_engagement(icp=ICP), {})
    assert finding.evidence["outside_icp_share"] == 0.0
    assert finding.evidence["icp_unknown_touches"] == 1


def test_no_outreach_not_assessable(store, engagement):
    finding = check_irrelevant_outreach(store({}), engagement, {})
    assert finding.status == "not_assessable"
