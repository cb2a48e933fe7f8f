"""Time with customers: customer-facing share of logged minutes per seller."""

from __future__ import annotations


from audit_lib.checks.time_with_customers import check_time_with_customers
from audit_lib.masking import pseudonym


def logged(durations):
    """Build activities from (owner, type, minutes) triples."""
    return {"activities": {
        "activity_id": [str(i) for i in range(len(durations))],
        "activity_type": [d[1] for d in durations],
        "owner_id": [d[0] for d in durations],
        "duration_minutes": [d[2] for d in durations],
        "occurred_at": ["2026-03-01"] * len(durations),
    }}


ROWS = [
    # ana: 60 meeting + 30 call of 120 -> 75%. ben: 15 call of 100 -> 15%. A row without duration is ignored.
    ("ana", "meeting", 60), ("ana", "call", 30), ("ana", "email", 30),
    ("ben", "call", 15), ("ben", "other", 85), ("ben", "meeting", None),
]


def test_shares_hand_computed(store, engagement):
    # Overall (60 + 30 + 15) / (120 + 100) = 105 / 220 = 47.7% -> warn.
    finding = check_time_with_customers(store(logged(ROWS)), engagement, {})
    assert finding.score == 47.7
    assert finding.status == "warn"
    sellers = {row["seller"]: row["customer_share"] for row in finding.tables["sellers"]}
    assert sellers == {pseudonym("ana", "Seller"): 0.75, pseudonym("ben", "Seller"): 0.15}
    assert "ana" not in finding.explanation


def test_names_shown_when_allowed(store, make_engagement):
    engagement = make_engagement(report={"show_personal_data": True})
    finding = check_time_with_customers(store(logged(ROWS)), engagement, {})
    assert {row["seller"] for row in finding.tables["sellers"]} == {"ana", "ben"}


def test_pass_and_fail_reachable(store, engagement):
    assert check_time_with_customers(store(logged([("a", "meeting", 80), ("a", "email", 20)])), engagement, {}).status == "pass"
    assert check_time_with_customers(store(logged([("a", "meeting", 10), ("a", "email", 90)])), engagement, {}).status == "fail"


def test_no_durations_not_assessable(store, engagement):
    finding = check_time_with_customers(store(logged([("a", "call", None)])), engagement, {})
    assert finding.status == "not_assessable"
    assert finding.basis == "none"


def test_interview_estimate_used(store, make_engagement):
    # The client's estimate of 30% becomes the score: 30 -> fail, resting on the interview.
    engagement = make_engagement(interview={"seller_customer_time_share": 0.3})
    finding = check_time_with_customers(store({}), engagement, {})
    assert finding.score == 30.0
    assert finding.status == "fail"
    assert finding.basis == "interview"


def test_percent_estimate_rejected(store, make_engagement):
    import pytest

    from audit_lib.errors import ConfigError

    engagement = make_engagement(interview={"seller_customer_time_share": 30})
    with pytest.raises(ConfigError, match="write 30% as 0.3"):
        check_time_with_customers(store({}), engagement, {})


def test_only_customer_durations_not_assessable(store, engagement):
    # Meetings and calls carry durations, the email does not: 100% would only mean nothing else was timed.
    rows = [("a", "meeting", 60), ("a", "call", 15), ("a", "email", None)]
    finding = check_time_with_customers(store(logged(rows)), engagement, {})
    assert finding.status == "not_assessable"
    assert finding.score is None
    assert "only customer-facing activities (meetings and calls) carry a duration (75 minutes" in finding.explanation
    assert "cannot be measured" in finding.explanation
    assert finding.interview_question.startswith("Roughly what share")


def test_only_customer_durations_use_interview(store, make_engagement):
    # The interview answer 0.55 gives 55 -> warn, with basis interview and the data's reason kept.
    engagement = make_engagement(interview={"seller_customer_time_share": 0.55})
    finding = check_time_with_customers(store(logged([("a", "meeting", 60), ("a", "call", 15)])), engagement, {})
    assert finding.score == 55.0
    assert finding.status == "warn"
    assert finding.basis == "interview"
    assert "cannot be measured" in finding.explanation


def test_one_timed_email_assessable(store, engagement):
    # One minute of email is enough to measure: 75 / 76 = 98.7% -> pass.
    rows = [("a", "meeting", 60), ("a", "call", 15), ("a", "email", 1)]
    finding = check_time_with_customers(store(logged(rows)), engagement, {})
    assert finding.score == 98.7
    assert finding.basis == "data"
