"""Every metric of docs/metrics.md on one hand-computed data set, plus the real Maven and Olist exports."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from audit_lib.config import engagement_from_dict
from audit_lib.metrics import compute_metrics
from audit_lib.store import load_frames

REAL_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "real_data"


def make_engagement(**extra):
    data = {
        "name": "Test",
        "client": "Client",
        "period": {"start": "2025-01-01", "end": "2025-06-30"},  # 181 days
        "outcomes": {"qualified_opportunity": {"stages": ["Qualified"]}},
        "finance": {"fx_rates": {"EUR": 1.1}, "gross_margin": 0.5},
    }
    data.update(extra)
    return engagement_from_dict(data, root=Path("."))


COSTS = {
    "date": ["2024-12-01", "2025-01-10", "2025-02-01", "2025-04-01", "2025-05-01", "2025-05-02", "2025-07-01"],
    "category": ["media", "media", "headcount", "tools", "events", "media", "media"],
    "amount": [400, 1000, 3000, 500, 450, 100, 999],
    "currency": ["USD", "USD", None, "EUR", None, "GBP", None],
    "channel": ["search", "search", None, None, "events", "search", "search"],
    "campaign_id": ["camp1", "camp1", None, None, None, None, None],
    "owner_id": [None, None, "u1", None, None, None, None],
    "team": [None, None, None, "SDR", None, None, None],
    "function": [None, None, "sales", None, None, None, None],
    "source_file": ["costs.csv"] * 7,
    "source_line": [2, 3, 4, 5, 6, 7, 8],
}
OPPORTUNITIES = {
    "opportunity_id": ["o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8"],
    "stage": ["Closed Won", "Closed Won", "Closed Won", "Closed Won", "Closed Won", "Closed Won", "Qualified", "Prospecting"],
    "amount": [2000, 1000, 800, 0, 500, 300, None, None],
    "currency": ["USD", "EUR", None, None, None, None, None, None],
    "close_date": ["2025-02-15", "2025-05-10", "2025-06-01", "2025-03-01", "2024-11-15", "2025-04-10", None, None],
    "created_at": ["2025-01-05", "2025-03-01", "2024-06-01", "2025-02-01", "2024-10-01", "2025-02-10", "2025-03-10", "2025-06-10"],
    "account_id": ["acc1", "acc2", "acc1", "acc3", "acc4", "acc4", "acc5", "acc6"],
    "contact_id": ["c1", "c2", "c1", "c3", None, "c4", None, None],
    "deal_type": ["New Business", None, "Renewal", None, None, None, None, None],
    "lead_source": [None, "webinar", None, None, None, None, None, None],
    "campaign_id": ["camp1", None, None, None, None, None, None, None],
    "team": ["AE", "AE", None, None, None, None, None, None],
    "source_file": ["opportunities.csv"] * 8,
    "source_line": list(range(2, 10)),
}
CONTACTS = {
    "contact_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
    "is_lead": [True, True, False, True, True, True],
    "created_at": ["2025-01-02", "2025-02-01", "2025-01-01", "2024-12-01", "2025-03-01", "2025-04-01"],
    "lead_source": ["webinar", "webinar", None, None, "ads", None],
}
ACTIVITIES = {
    "activity_id": ["a1", "a2", "a3", "a4", "a5"],
    "activity_type": ["meeting", "meeting", "call", "email", "meeting"],
    "status": ["completed", "cancelled", "completed", "sent", "completed"],
    "occurred_at": ["2025-01-20", "2025-02-05", "2025-02-06", "2025-04-03", "2025-04-04"],
    "owner_id": ["u1", "u1", "u1", "u2", "u2"],
    "team": [None, None, None, "SDR", None],
    "contact_email": ["x@acme.com", "x@acme.com", None, None, None],
    "account_id": [None, None, None, None, "acc2"],
    "campaign_id": ["camp1", None, None, None, None],
}
FRAMES = {
    "costs": COSTS,
    "opportunities": OPPORTUNITIES,
    "contacts": CONTACTS,
    "activities": ACTIVITIES,
    "users": {"owner_id": ["u1", "u2"], "team": ["AE", "SDR"]},
    "campaigns": {"campaign_id": ["camp1"], "channel": ["search"]},
}


@pytest.fixture(scope="module")
def metrics():
    con = load_frames(duckdb.connect(), FRAMES)
    return compute_metrics(con, make_engagement())


def test_cost_totals_and_splits(metrics):
    cost = metrics["cost"]
    # In period, S&M: 1000 + 3000 + 500 EUR x 1.1 + 450 = 5000; the GBP line has no rate.
    assert cost["total"] == pytest.approx(5000)
    assert cost["excluded_currency_rows"] == 1
    # Marketing: blank function with media/agency/events category: 1000 + 450.
    assert cost["marketing"] == pytest.approx(1450)
    assert cost["media"] == pytest.approx(1000)
    assert {r["category"]: r["amount"] for r in cost["by_category"]} == pytest.approx(
        {"events": 450, "headcount": 3000, "media": 1000, "tools": 550}
    )
    assert {r["month"]: r["amount"] for r in cost["by_month"]} == pytest.approx({"2025-01": 1000, "2025-02": 3000, "2025-04": 550, "2025-05": 450})
    assert {r["currency"]: r["converted"] for r in cost["currencies"]}["GBP"] is False
    # Outside the period: 400 in December 2024 and 999 in July 2025.
    assert cost["lines_outside_period"] == 2
    assert cost["amount_outside_period"] == pytest.approx(1399)
    assert cost["lines_without_date"] == 0
    assert cost["lines_outside_categories"] == 0


def test_cost_outside_categories_counted():
    costs = {"date": ["2025-01-10", "2025-01-11", None], "category": ["media", "rent", "media"], "amount": [100, 50, 7]}
    engagement = make_engagement(finance={"sales_and_marketing_categories": ["media"]})
    cost = compute_metrics(load_frames(duckdb.connect(), {"costs": costs}), engagement)["cost"]
    assert cost["total"] == pytest.approx(100)
    assert cost["lines_outside_categories"] == 1
    assert cost["lines_without_date"] == 1


def test_efficiency_excludes_renewals(metrics):
    # Verified new bookings: o1 2000 + o2 1000 EUR x 1.1 + o6 300; o3 is a renewal, o4 has zero amount.
    assert metrics["efficiency"]["bookings"] == pytest.approx(3400)
    assert metrics["efficiency"]["ratio"] == pytest.approx(3400 / 5000)
    assert metrics["won"]["deals"] == 4
    assert metrics["won"]["revenue"] == pytest.approx(4200)
    assert metrics["won"]["renewals_excluded"] == 1


def test_magic_number_by_quarter(metrics):
    magic = metrics["magic_number"]
    rows = {r["quarter"]: r for r in magic["by_quarter"]}
    # Q1: (2000 - 500 booked in 2024Q4) x 4 / 400 cost in 2024Q4 = 15.
    assert rows["2025Q1"]["value"] == pytest.approx(15.0)
    # Q2: (1100 + 300 - 2000) x 4 / 4000 cost in Q1 = -0.6.
    assert rows["2025Q2"]["value"] == pytest.approx(-0.6)
    assert magic["latest"] == pytest.approx(-0.6)


def test_cac_and_payback(metrics):
    # New customers: acc1 (first verified win 2025-02-15) and acc2; acc4 first won in 2024, acc3 only at zero.
    assert metrics["cac"]["new_customers"] == 2
    assert metrics["cac"]["value"] == pytest.approx(2500)
    # Payback: 2500 / (3400 / (181 / 30.4375) / 2 x 0.5).
    expected = 2500 / (3400 / (181 / 30.4375) / 2 * 0.5)
    assert metrics["cac_payback_months"]["value"] == pytest.approx(expected)


def test_input_metrics_hand_values(metrics):
    values = {r["metric"]: r for r in metrics["input_metrics"]}
    # Leads in period: c1, c2, c5, c6 -> 1450 / 4.
    assert values["cost_per_lead"]["value"] == pytest.approx(362.5)
    # Opportunities created in period: o1, o2, o4, o6, o7, o8 -> 5000 / 6.
    assert values["cost_per_opportunity"]["denominator"] == 6
    assert values["cost_per_opportunity"]["value"] == pytest.approx(5000 / 6)
    assert values["cac"]["value"] == pytest.approx(2500)


def test_outcome_counts_and_cpo(metrics):
    rows = {r["type"]: r for r in metrics["outcomes"]}
    assert [r["type"] for r in metrics["outcomes"]] == ["meeting_held", "qualified_opportunity", "closed_won"]
    # Meetings: a1, a2, a5 claimed; a2 cancelled.
    assert (rows["meeting_held"]["claimed"], rows["meeting_held"]["verified"]) == (3, 2)
    assert rows["meeting_held"]["cost_per_outcome"] == pytest.approx(2500)
    # Qualified: o1, o2, o4, o6, o7 claimed; o7 has no contact.
    assert (rows["qualified_opportunity"]["claimed"], rows["qualified_opportunity"]["verified"]) == (5, 4)
    # Won: o1, o2, o3, o4, o6 claimed; o4 has zero amount.
    assert (rows["closed_won"]["claimed"], rows["closed_won"]["verified"]) == (5, 4)
    assert rows["closed_won"]["cost_per_outcome"] == pytest.approx(1250)
    assert "Qualified" in rows["qualified_opportunity"]["rule"]


def test_cost_per_outcome_by_channel(metrics):
    won = {r["value"]: r for r in metrics["cost_per_outcome_by"]["channel"] if r["outcome"] == "closed_won"}
    # Cost: search 1000, events 450, unassigned 3000 + 550. Won: o1 via camp1 (search), o2 lead source webinar.
    assert won["search"]["cost_per_outcome"] == pytest.approx(1000)
    assert won["(unassigned)"]["cost"] == pytest.approx(3550)
    assert won["(unassigned)"]["verified"] == 2
    assert won["webinar"]["cost"] == 0
    assert won["webinar"]["cost_per_outcome"] == 0
    assert won["events"]["cost_per_outcome"] is None
    assert sum(r["cost"] for r in won.values()) == pytest.approx(5000)


def test_cost_per_outcome_by_team(metrics):
    won = {r["value"]: r for r in metrics["cost_per_outcome_by"]["team"] if r["outcome"] == "closed_won"}
    # Cost: the headcount line's owner u1 is in AE, the tools line names SDR.
    assert won["AE"]["cost"] == pytest.approx(3000)
    assert won["SDR"]["cost"] == pytest.approx(550)
    assert won["AE"]["verified"] == 2  # o1 and o2
    assert won["AE"]["cost_per_outcome"] == pytest.approx(1500)


def test_effort_allocation(metrics):
    effort = metrics["effort"]
    assert effort["status"] == "ok"
    # u1's 3000 in February over a2 and a3; SDR's 550 in April over a4 (own team) and a5 (owner u2 in SDR).
    per_type = {r["activity_type"]: r for r in effort["cost_per_activity"]}
    assert per_type["call"]["cost_per_activity"] == pytest.approx(1500)
    assert per_type["email"]["cost_per_activity"] == pytest.approx(275)
    assert per_type["meeting"]["cost"] == pytest.approx(1775)
    assert effort["unallocated"] == pytest.approx(0)
    per_outcome = {r["outcome"]: r for r in effort["per_outcome"]}
    # 3000 + 550 allocated over 2 verified meetings.
    assert per_outcome["meeting_held"]["cost_per_outcome"] == pytest.approx(3550 / 2)


def test_funnel_and_lead_source(metrics):
    funnel = {r["stage"]: r for r in metrics["funnel"]}
    assert [funnel[s]["count"] for s in ("leads", "opportunities", "qualified", "won")] == [4, 6, 5, 5]
    assert funnel["qualified"]["conversion"] == pytest.approx(5 / 6)
    by_source = {r["lead_source"]: r for r in metrics["funnel_by"]["lead_source"]}
    assert (by_source["webinar"]["leads"], by_source["webinar"]["won"]) == (2, 2)
    assert (by_source["ads"]["leads"], by_source["ads"]["won"]) == (1, 0)
    assert by_source["(blank)"]["leads"] == 1


def test_metrics_json_ready(metrics):
    json.dumps(metrics, allow_nan=False)
    assert metrics["verified_rows"]["closed_won"]["unverified"][0]["opportunity_id"] == "o4"


def test_no_costs_not_assessable():
    frames = {k: v for k, v in FRAMES.items() if k != "costs"}
    con = load_frames(duckdb.connect(), frames)
    metrics = compute_metrics(con, make_engagement())
    assert metrics["cost"]["status"] == "not_assessable"
    assert metrics["cost"]["reason"] == "no cost lines in the period"
    assert metrics["cost"]["total"] is None
    for key in ("efficiency", "cac", "cac_payback_months", "magic_number"):
        assert metrics[key]["status"] == "not_assessable", key
    assert all(r["cost_per_outcome"] is None for r in metrics["outcomes"])
    assert all(r["status"] == "not_assessable" for r in metrics["input_metrics"])
    assert metrics["effort"]["status"] == "not_assessable"
    # Outcome counts and the funnel do not need cost.
    assert metrics["outcomes"][2]["verified"] == 4
    assert metrics["funnel"][0]["count"] == 4


def test_payback_needs_gross_margin():
    con = load_frames(duckdb.connect(), FRAMES)
    metrics = compute_metrics(con, make_engagement(finance={"fx_rates": {"EUR": 1.1}}))
    assert metrics["cac_payback_months"]["status"] == "not_assessable"
    assert "gross_margin" in metrics["cac_payback_months"]["reason"]


def test_all_cost_in_unknown_currency():
    costs = {"date": ["2025-01-10"], "category": ["media"], "amount": [100], "currency": ["GBP"]}
    con = load_frames(duckdb.connect(), {"costs": costs})
    cost = compute_metrics(con, make_engagement())["cost"]
    assert cost["status"] == "not_assessable"
    assert "no rate" in cost["reason"]
    assert cost["excluded_currency_rows"] == 1


def test_empty_store_no_crash():
    con = load_frames(duckdb.connect(), {})
    metrics = compute_metrics(con, make_engagement())
    assert metrics["won"]["deals"] == 0
    assert metrics["funnel"][1]["conversion"] is None
    json.dumps(metrics, allow_nan=False)


# ---------------------------------------------------------------- real exports


def _need(path: Path) -> Path:
    if not path.is_dir():
        pytest.skip(f"real exports not found at {path}")
    return path


@pytest.mark.real_data
def test_maven_won_deals_and_revenue():
    folder = _need(REAL_DATA / "maven_crm_sales_opportunities")
    raw = pd.read_csv(folder / "sales_pipeline.csv")
    frames = {
        "opportunities": {
            "opportunity_id": raw["opportunity_id"],
            "owner_id": raw["sales_agent"],
            "product": raw["product"],
            "account_id": raw["account"],
            "stage": raw["deal_stage"],
            "created_at": raw["engage_date"],
            "close_date": raw["close_date"],
            "amount": raw["close_value"],
            "source_file": "sales_pipeline.csv",
            "source_line": range(2, len(raw) + 2),
        }
    }
    con = load_frames(duckdb.connect(), frames)
    engagement = make_engagement(period={"start": "2016-01-01", "end": "2017-12-31"}, finance={})
    metrics = compute_metrics(con, engagement)
    won = raw[raw["deal_stage"] == "Won"]
    # Won deals with a positive value are the verified ones.
    assert metrics["won"]["deals"] == int((won["close_value"] > 0).sum())
    assert metrics["won"]["claimed_deals"] == len(won)
    assert metrics["won"]["revenue"] == pytest.approx(float(won["close_value"].sum()))
    assert metrics["cost"]["status"] == "not_assessable"


@pytest.mark.real_data
def test_olist_mql_to_won_by_origin():
    folder = _need(REAL_DATA / "olist_marketing_funnel")
    leads = pd.read_csv(folder / "olist_marketing_qualified_leads_dataset.csv")
    deals = pd.read_csv(folder / "olist_closed_deals_dataset.csv")
    frames = {
        "contacts": {
            "contact_id": leads["mql_id"],
            "lead_source": leads["origin"],
            "created_at": leads["first_contact_date"],
            "is_lead": True,
        },
        "opportunities": {
            "opportunity_id": deals["mql_id"],
            "contact_id": deals["mql_id"],
            "stage": "Won",
            "close_date": deals["won_date"],
            "amount": deals["declared_monthly_revenue"],
        },
    }
    con = load_frames(duckdb.connect(), frames)
    engagement = make_engagement(period={"start": "2017-01-01", "end": "2018-12-31"}, finance={})
    metrics = compute_metrics(con, engagement)
    rows = metrics["funnel_by"]["lead_source"]
    assert sum(r["leads"] for r in rows) == 8000
    assert sum(r["won"] for r in rows) == 842
    merged = leads.merge(deals[["mql_id"]], on="mql_id", how="inner")
    expected = merged["origin"].fillna("(blank)").value_counts().to_dict()
    assert {r["lead_source"]: r["won"] for r in rows if r["won"]} == expected
    assert metrics["funnel"][3]["count"] == 842


# ---------------------------------------------------------------- charts


def test_outcomes_chart_spec(metrics):
    from audit_lib.charts.common import to_svg
    from audit_lib.charts.metrics import outcomes_chart

    chart = outcomes_chart(metrics)
    spec = chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    # Three outcome types, each split into verified and unverified.
    assert len(data) == 6
    meetings = {r["side"]: r["count"] for r in data if r["outcome"] == "meetings held"}
    assert meetings == {"verified": 2, "unverified": 1}
    assert spec["encoding"]["x"]["stack"] == "zero"
    assert to_svg(chart).startswith("<svg")


def test_cpo_by_channel_chart_spec(metrics):
    from audit_lib.charts.metrics import cpo_by_channel_chart

    spec = cpo_by_channel_chart(metrics).to_dict()
    data = next(iter(spec["datasets"].values()))
    # Priced channels for won deals: search 1000, (unassigned) 1775; webinar has no cost, events no verified deal.
    assert {r["channel"]: r["cost_per_outcome"] for r in data} == pytest.approx({"search": 1000, "(unassigned)": 1775})


def test_metrics_charts_none_without_data():
    from audit_lib.charts.metrics import cpo_by_channel_chart, outcomes_chart

    metrics = compute_metrics(load_frames(duckdb.connect(), {}), make_engagement())
    assert outcomes_chart(metrics) is None
    assert cpo_by_channel_chart(metrics) is None
    assert outcomes_chart({}) is None


def test_cpo_merges_channel_spellings():
    frames = {
        "costs": {"date": ["2025-01-10", "2025-01-11"], "category": ["media", "media"], "amount": [600, 400],
                  "channel": ["paid_search", "Paid Search"]},
        "opportunities": {"opportunity_id": ["o1", "o2"], "stage": ["Won", "Won"], "amount": [10, 10],
                          "close_date": ["2025-02-01", "2025-02-02"], "lead_source": ["Paid Search", "paid search"]},
    }
    metrics = compute_metrics(load_frames(duckdb.connect(), frames), make_engagement())
    won = [r for r in metrics["cost_per_outcome_by"]["channel"] if r["outcome"] == "closed_won"]
    # One channel: cost 600 + 400 over 2 deals; "Paid Search" is the most frequent spelling.
    assert [(r["value"], r["cost"], r["verified"]) for r in won] == [("Paid Search", 1000, 2)]
    assert won[0]["cost_per_outcome"] == pytest.approx(500)


def test_won_deals_without_amounts_leave_bookings_unknown():
    engagement = make_engagement(outcomes={"closed_won": {"min_amount": None}})
    con = load_frames(
        duckdb.connect(),
        {
            "costs": {"date": ["2025-01-10"], "category": ["media"], "amount": [1000]},
            "opportunities": {"opportunity_id": ["o1", "o2"], "stage": ["Won", "Won"], "close_date": ["2025-02-01", "2025-03-01"]},
        },
    )
    metrics = compute_metrics(con, engagement)
    # Both deals verify (no amount needed), but neither carries a value, so revenue is unknown.
    assert metrics["won"]["deals"] == 2
    assert metrics["won"]["revenue"] is None
    assert metrics["efficiency"]["ratio"] is None
    assert metrics["efficiency"]["reason"] == "the won deals in the export carry no amount"
    # CPO still works: 1000 of cost over 2 verified won deals.
    closed_won = next(o for o in metrics["outcomes"] if o["type"] == "closed_won")
    assert closed_won["cost_per_outcome"] == 500
