"""Claimed and verified outcome rules, each side of each rule, on hand-built rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from audit_lib.config import engagement_from_dict
from audit_lib.outcomes import count_outcomes, example_rows, fx_rate, outcome_sql, rule_text
from audit_lib.store import load_frames


def make_engagement(**extra):
    data = {"name": "Test", "client": "Client", "period": {"start": "2025-01-01", "end": "2025-03-31"}}
    data.update(extra)
    return engagement_from_dict(data, root=Path("."))


def load(frames: dict) -> duckdb.DuckDBPyConnection:
    return load_frames(duckdb.connect(), frames)


def ids(con, outcome_type, engagement, verified=None):
    where = ""
    if verified is True:
        where = "WHERE verified"
    elif verified is False:
        where = "WHERE NOT verified"
    return sorted(r[0] for r in con.execute(f"SELECT record_id FROM ({outcome_sql(outcome_type, engagement)}) {where}").fetchall())


MEETINGS = {
    "activity_id": ["m1", "m2", "m3", "m4", "m5", "m6", "m7"],
    "activity_type": ["meeting", "Meeting ", "meeting", "meeting", "call", "meeting", "meeting"],
    "status": ["completed", " HELD", "cancelled", "completed", "completed", "completed", None],
    "occurred_at": ["2025-01-05", "2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04", "2024-12-31", "2025-03-31 23:00"],
    "contact_email": ["a@x.com", None, "b@x.com", None, "c@x.com", "d@x.com", "e@x.com"],
    "account_id": [None, "acc1", None, None, None, None, None],
    "source_file": ["activities.csv"] * 7,
    "source_line": [2, 3, 4, 5, 6, 7, 8],
}


def test_meeting_claimed_and_verified():
    engagement = make_engagement()
    con = load({"activities": MEETINGS})
    # Claimed: meetings in Q1 2025 whatever the status: m1, m2, m3, m4, m7 (m5 is a call, m6 is in 2024).
    assert ids(con, "meeting_held", engagement) == ["m1", "m2", "m3", "m4", "m7"]
    # Verified: held status and a contact or account: m1 (email), m2 (account, " HELD" trimmed and case-folded).
    # m3 is cancelled, m4 has neither contact nor account, m7 has no status.
    assert ids(con, "meeting_held", engagement, verified=True) == ["m1", "m2"]


def test_meeting_without_contact_requirement():
    engagement = make_engagement(outcomes={"meeting_held": {"require_contact_or_account": False}})
    con = load({"activities": MEETINGS})
    # m4 (completed, no contact) now counts too.
    assert ids(con, "meeting_held", engagement, verified=True) == ["m1", "m2", "m4"]


OPPORTUNITIES = {
    "opportunity_id": ["q1", "q2", "q3", "q4", "q5", "q6"],
    "stage": ["Qualified", "Discovery", "Closed Won", "qualified", "Prospecting", "Qualified"],
    "created_at": ["2025-01-10", "2025-01-11", "2025-02-01", "2025-03-01", "2025-03-02", "2024-11-01"],
    "account_id": ["a1", "a2", "a3", None, "a5", "a6"],
    "contact_id": ["c1", "c2", None, "c4", "c5", "c6"],
}
HISTORY = {"opportunity_id": ["q2", "q5"], "changed_at": ["2025-01-20", "2025-03-03"], "stage": ["Qualified", "Discovery"]}


def test_qualified_claimed_from_stage_and_history():
    engagement = make_engagement(outcomes={"qualified_opportunity": {"stages": ["Qualified"]}})
    con = load({"opportunities": OPPORTUNITIES, "opportunity_history": HISTORY})
    # q1 and q4 by current stage, q2 by history, q3 by its won stage; q5 never qualified; q6 was created in 2024.
    assert ids(con, "qualified_opportunity", engagement) == ["q1", "q2", "q3", "q4"]
    # Verified needs account and contact: q3 has no contact, q4 no account.
    assert ids(con, "qualified_opportunity", engagement, verified=True) == ["q1", "q2"]


def test_qualified_missing_account_allowed():
    engagement = make_engagement(
        outcomes={"qualified_opportunity": {"stages": ["Qualified"], "require_account": False, "require_contact": False}}
    )
    con = load({"opportunities": OPPORTUNITIES, "opportunity_history": HISTORY})
    assert ids(con, "qualified_opportunity", engagement, verified=True) == ["q1", "q2", "q3", "q4"]


WON = {
    "opportunity_id": ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"],
    "stage": ["Closed Won", "Won", "Closed Won", "Closed Won", "Closed Lost", "Negotiation", "Closed Won", "Closed Won"],
    "is_won": [None, None, None, None, None, True, None, None],
    "amount": [1000, 0, 500, 700, 900, 300, 400, 200],
    "currency": ["USD", None, "EUR", "JPY", None, None, None, None],
    "close_date": ["2025-02-01", "2025-02-02", "2025-03-01", "2025-03-02", "2025-03-03", "2025-01-15", None, "2025-04-01"],
}


def test_won_claimed_and_verified():
    engagement = make_engagement(finance={"fx_rates": {"EUR": 1.1}})
    con = load({"opportunities": WON})
    # Claimed: won stage or is_won, closing in Q1 or with no close date: w1, w2, w3, w4, w6, w7.
    # w5 is lost; w8 closes in April.
    assert ids(con, "closed_won", engagement) == ["w1", "w2", "w3", "w4", "w6", "w7"]
    # Verified: amount > 0 in USD and close date in the period.
    # w2 has zero amount, w4 is in JPY with no rate, w7 has no close date.
    assert ids(con, "closed_won", engagement, verified=True) == ["w1", "w3", "w6"]


def test_won_amount_converted_and_excluded():
    engagement = make_engagement(finance={"fx_rates": {"EUR": 1.1}})
    con = load({"opportunities": WON})
    rows = dict(
        con.execute(f"SELECT record_id, amount_converted FROM ({outcome_sql('closed_won', engagement)})").fetchall()
    )
    assert rows["w3"] == pytest.approx(550.0)  # 500 EUR x 1.1
    assert rows["w4"] is None  # JPY has no rate
    (excluded,) = con.execute(
        f"SELECT count(*) FROM ({outcome_sql('closed_won', engagement)}) WHERE currency_excluded"
    ).fetchone()
    assert excluded == 1


def test_won_min_amount_threshold():
    engagement = make_engagement(outcomes={"closed_won": {"min_amount": 500}}, finance={"fx_rates": {"EUR": 1.1}})
    con = load({"opportunities": WON})
    # Above 500 USD: w1 (1000) and w3 (550); w6 (300) drops out.
    assert ids(con, "closed_won", engagement, verified=True) == ["w1", "w3"]


def test_won_without_amount_rule():
    engagement = make_engagement(outcomes={"closed_won": {"min_amount": None}}, finance={"fx_rates": {"EUR": 1.1}})
    con = load({"opportunities": WON})
    # No amount needed: every claimed deal with a close date in Q1 verifies, so the
    # zero-amount w2 and the unconverted JPY w4 join w1, w3 and w6; w7 still has no close date.
    assert ids(con, "closed_won", engagement, verified=True) == ["w1", "w2", "w3", "w4", "w6"]
    assert "no amount needed" in rule_text("closed_won", engagement)


def test_count_outcomes_all_types():
    engagement = make_engagement(outcomes={"qualified_opportunity": {"stages": ["Qualified"]}})
    con = load({"activities": MEETINGS, "opportunities": OPPORTUNITIES, "opportunity_history": HISTORY})
    counts = count_outcomes(con, engagement)
    assert counts["meeting_held"] == {"claimed": 5, "verified": 2, "unverified": 3}
    assert counts["qualified_opportunity"] == {"claimed": 4, "verified": 2, "unverified": 2}
    # q3 is the only won row, created and with no close date: claimed, unverified (no amount, no close date).
    assert counts["closed_won"] == {"claimed": 1, "verified": 0, "unverified": 1}


def test_example_rows_masked_with_lineage():
    engagement = make_engagement()
    con = load({"activities": MEETINGS})
    examples = example_rows(con, engagement)
    verified = examples["meeting_held"]["verified"]
    assert [r["activity_id"] for r in verified] == ["m1", "m2"]
    assert verified[0]["contact_email"] == "a***@x.com"
    assert verified[0]["source_file"] == "activities.csv"
    assert verified[0]["source_line"] == 2
    assert [r["activity_id"] for r in examples["meeting_held"]["unverified"]] == ["m3", "m4", "m7"]


def test_fx_rate_rejects_nothing_silently():
    engagement = make_engagement(currency="EUR", finance={"fx_rates": {"usd": 0.9}})
    con = duckdb.connect()
    rate = fx_rate("c", engagement)
    values = {c: con.execute(f"SELECT {rate} FROM (SELECT ? AS c)", [c]).fetchone()[0] for c in ["EUR", " eur", "", "USD", "GBP"]}
    assert values == {"EUR": 1.0, " eur": 1.0, "": 1.0, "USD": 0.9, "GBP": None}


def test_rule_text_names_settings():
    engagement = make_engagement(outcomes={"closed_won": {"min_amount": 250}})
    text = rule_text("closed_won", engagement)
    assert "above 250 USD" in text
    assert "Closed Won" in text
    with pytest.raises(KeyError):
        rule_text("pipeline", engagement)


def test_stage_names_with_quotes():
    engagement = make_engagement(outcomes={"closed_won": {"won_stages": ["Signed 'Won'"]}})
    con = load({"opportunities": {"opportunity_id": ["o1"], "stage": [" signed 'won' "], "amount": [5], "close_date": ["2025-01-02"]}})
    # The quote in the configured stage is escaped, and the stored stage is compared trimmed and case-folded.
    assert ids(con, "closed_won", engagement, verified=True) == ["o1"]
