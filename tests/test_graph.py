"""Revenue graph: each waterfall link, spend and effort reach, linking rules and empty inputs."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from audit_lib.config import engagement_from_dict
from audit_lib.graph import compute_graph
from audit_lib.store import load_frames

REAL_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "real_data"


def make_engagement(**extra):
    data = {"name": "Test", "client": "Client", "period": {"start": "2025-01-01", "end": "2025-06-30"}}
    data.update(extra)
    return engagement_from_dict(data, root=Path("."))


# Five won deals, 100..500, each breaking at a different link:
#   o1 -> contact c1 touched by camp1, which has spend: traced to spend.
#   o2 -> no contact, no account: breaks at "deal names a contact or account".
#   o3 -> account acc3 touched by a touch with no campaign: breaks at "touch with a campaign".
#   o4 -> account acc4 reached by a call only: traceable, but no campaign carries spend.
#   o5 -> account acc5, whose contact (found by email) responded to camp5, which has no spend line.
FRAMES = {
    "opportunities": {
        "opportunity_id": ["o1", "o2", "o3", "o4", "o5", "lost"],
        "stage": ["Won"] * 5 + ["Lost"],
        "amount": [100, 200, 300, 400, 500, 999],
        "close_date": ["2025-03-01"] * 6,
        "account_id": ["acc1", None, "acc3", "acc4", "acc5", "acc1"],
        "contact_id": ["c1", None, None, None, None, "c1"],
        "source_file": ["opportunities.csv"] * 6,
        "source_line": [2, 3, 4, 5, 6, 7],
    },
    "contacts": {"contact_id": ["c1", "c5"], "email": ["p@acme.com", "q@five.com"], "account_id": ["acc1", "acc5"]},
    "touches": {
        "touch_id": ["t1", "t3", "t5"],
        "campaign_id": ["camp1", None, "camp5"],
        "contact_email": ["P@Acme.com ", None, "q@five.com"],
        "account_id": [None, "acc3", None],
        "occurred_at": ["2025-02-01", "2025-02-01", "2025-02-01"],
    },
    "activities": {"activity_id": ["a4"], "activity_type": ["call"], "occurred_at": ["2025-02-02"], "account_id": ["acc4"]},
    "costs": {
        "date": ["2025-01-01", "2025-01-01"],
        "category": ["media", "media"],
        "amount": [1000, 500],
        "campaign_id": ["camp1", "campX"],
        "channel": ["search", "social"],
    },
}


@pytest.fixture(scope="module")
def graph():
    return compute_graph(load_frames(duckdb.connect(), FRAMES), make_engagement())


def test_waterfall_counts_per_link(graph):
    rows = {r["link"]: r for r in graph["waterfall"]}
    counts = [r["deals_traceable"] for r in graph["waterfall"]]
    # 5 won; o2 has no keys; all keyed deals are touched; o3's touch has no campaign; o4 and o5 reach no spend.
    assert counts == [5, 4, 4, 3, 1]
    assert [r["deals_lost_here"] for r in graph["waterfall"]] == [0, 1, 0, 1, 2]
    assert rows["deal names a contact or account"]["revenue_lost_here"] == pytest.approx(200)
    assert rows["touch with a campaign, or a sales activity"]["revenue_traceable"] == pytest.approx(100 + 400 + 500)
    assert rows["campaign with a spend line"]["revenue_share"] == pytest.approx(100 / 1500)


def test_break_reasons_counted(graph):
    assert graph["breaks"] == {
        "no contact or account on the deal": 1,
        "touch with no campaign": 1,
        "traced by sales activities only, no campaign": 1,
        "campaign with no spend line": 1,
    }


def test_won_traceable_shares(graph):
    won = graph["won_traceable"]
    # Traceable: o1, o4, o5 -> 2 of 5 deals and 500 of 1500 revenue untraceable.
    assert (won["deals"], won["deals_traceable"]) == (5, 3)
    assert won["deals_share_untraceable"] == pytest.approx(0.4)
    assert won["revenue_share_untraceable"] == pytest.approx(500 / 1500)


def test_spend_reach_by_channel(graph):
    spend = graph["spend_reach"]
    # camp1's 1000 reaches o1; campX's 500 reaches nothing.
    assert spend["spend_total"] == pytest.approx(1500)
    assert spend["spend_reaching_won"] == pytest.approx(1000)
    channels = {r["channel"]: r["share"] for r in spend["by_channel"]}
    assert channels == {"search": 1.0, "social": 0.0}


def test_untraceable_examples_masked(graph):
    examples = graph["untraceable_examples"]
    # Sorted by revenue: o3 (300) then o2 (200).
    assert [e["opportunity_id"] for e in examples] == ["o3", "o2"]
    assert examples[0]["reason"] == "touch with no campaign"
    assert examples[0]["source_file"] == "opportunities.csv"
    assert examples[0]["source_line"] == 4
    json.dumps(graph, allow_nan=False)


def test_lookback_window_excludes_old_touch():
    frames = {
        "opportunities": {"opportunity_id": ["o1"], "stage": ["Won"], "amount": [100], "close_date": ["2025-03-01"], "contact_id": ["c1"]},
        "touches": {"campaign_id": ["camp1", "camp2"], "contact_id": ["c1", "c1"], "occurred_at": ["2024-11-30", "2025-03-02"]},
    }
    # 2024-11-30 is 91 days before the close, beyond a 90-day lookback; 2025-03-02 is after the close.
    graph = compute_graph(load_frames(duckdb.connect(), frames), make_engagement(attribution={"lookback_days": 90}))
    assert graph["won_traceable"]["deals_traceable"] == 0
    assert graph["breaks"] == {"contact never touched in the lookback window": 1}
    graph = compute_graph(load_frames(duckdb.connect(), frames), make_engagement(attribution={"lookback_days": 91}))
    assert graph["won_traceable"]["deals_traceable"] == 1


def test_salesforce_ids_link_across_forms():
    # 001000000000001AAA is the 18-character form of 001000000000001 (no upper-case letters -> checksum AAA).
    frames = {
        "opportunities": {"opportunity_id": ["o1"], "stage": ["Won"], "amount": [100], "close_date": ["2025-03-01"],
                          "account_id": ["001000000000001AAA"]},
        "activities": {"activity_id": ["a1"], "activity_type": ["call"], "occurred_at": ["2025-02-01"],
                       "account_id": ["001000000000001"]},
    }
    graph = compute_graph(load_frames(duckdb.connect(), frames), make_engagement())
    assert graph["won_traceable"]["deals_traceable"] == 1


def test_activity_linked_by_opportunity():
    frames = {
        "opportunities": {"opportunity_id": ["o1"], "stage": ["Won"], "amount": [100], "close_date": ["2025-03-01"]},
        "activities": {"activity_id": ["a1"], "activity_type": ["call"], "occurred_at": ["2025-02-01"], "opportunity_id": ["o1"]},
    }
    graph = compute_graph(load_frames(duckdb.connect(), frames), make_engagement())
    # No contact or account, but an activity names the deal.
    assert graph["waterfall"][1]["deals_traceable"] == 1
    assert graph["won_traceable"]["deals_traceable"] == 1


def test_effort_reach_share():
    frames = {
        "opportunities": {"opportunity_id": ["o1"], "stage": ["Won"], "amount": [100], "close_date": ["2025-03-01"], "account_id": ["acc1"]},
        "activities": {
            "activity_id": ["a1", "a2", "a3", "a4"],
            "activity_type": ["call"] * 4,
            "occurred_at": ["2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04"],
            "account_id": ["acc1", "acc9", "acc9", "acc9"],
            "owner_id": ["u1"] * 4,
        },
        "costs": {"date": ["2025-02-01"], "category": ["headcount"], "amount": [400], "owner_id": ["u1"]},
    }
    graph = compute_graph(load_frames(duckdb.connect(), frames), make_engagement())
    effort = graph["effort_reach"]
    # 400 over four activities of u1 in February; only a1 reaches the won deal.
    assert effort["activities_linked_to_won"] == 1
    assert effort["effort_cost"] == pytest.approx(400)
    assert effort["share"] == pytest.approx(0.25)


def test_no_won_deals_not_assessable():
    graph = compute_graph(load_frames(duckdb.connect(), {}), make_engagement())
    assert graph["status"] == "not_assessable"
    assert graph["reason"] == "no won deals in the period"
    assert graph["won_traceable"]["deals_share_untraceable"] is None
    assert graph["spend_reach"]["status"] == "not_assessable"


def test_graph_traces_claimed_wins():
    frames = {
        "opportunities": {"opportunity_id": ["o1", "o2", "o3"], "stage": ["Won"] * 3, "amount": [100, 0, 50],
                          "currency": [None, None, "JPY"], "close_date": ["2025-03-01"] * 3, "account_id": ["a1", "a2", "a3"]},
        "activities": {"activity_id": ["x1"], "activity_type": ["call"], "occurred_at": ["2025-02-01"], "account_id": ["a1"]},
    }
    graph = compute_graph(load_frames(duckdb.connect(), frames), make_engagement())
    # o2 (zero amount) and o3 (currency with no rate) are claimed wins: counted as deals, untraced.
    won = graph["won_traceable"]
    assert (won["deals"], won["deals_traceable"]) == (3, 1)
    # Revenue: o1 100 + o2 0; o3's JPY amount has no rate and stays out of the sum.
    assert won["revenue"] == pytest.approx(100)
    assert won["revenue_share_untraceable"] == 0
    assert won["excluded_currency_rows"] == 1


def test_graph_drops_temp_tables():
    con = load_frames(duckdb.connect(), FRAMES)
    compute_graph(con, make_engagement())
    leftovers = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_graph_%'").fetchone()[0]
    assert leftovers == 0


@pytest.mark.real_data
def test_maven_graph_without_touches():
    folder = REAL_DATA / "maven_crm_sales_opportunities"
    if not folder.is_dir():
        pytest.skip(f"real exports not found at {folder}")
    raw = pd.read_csv(folder / "sales_pipeline.csv")
    frames = {"opportunities": {"opportunity_id": raw["opportunity_id"], "account_id": raw["account"],
                                "stage": raw["deal_stage"], "close_date": raw["close_date"], "amount": raw["close_value"]}}
    graph = compute_graph(load_frames(duckdb.connect(), frames), make_engagement(period={"start": "2016-01-01", "end": "2017-12-31"}))
    won = raw[raw["deal_stage"] == "Won"]
    assert graph["won_traceable"]["deals"] == len(won)
    assert graph["won_traceable"]["deals_traceable"] == 0
    assert graph["has_touch_or_activity_data"] is False


def test_waterfall_chart_spec(graph):
    from audit_lib.charts.common import to_svg
    from audit_lib.charts.graph import waterfall_chart

    chart = waterfall_chart(graph)
    spec = chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    traced = [r["amount"] for r in data if r["part"] == "traced"]
    # Revenue still traced after each link: 1500, 1300, 1300, 1000, 100.
    assert traced == [1500, 1300, 1300, 1000, 100]
    assert spec["encoding"]["y"]["sort"][0] == "won deal"
    assert to_svg(chart).startswith("<svg")


def test_spend_flow_chart_spec(graph):
    from audit_lib.charts.graph import spend_flow_chart

    spec = spend_flow_chart(graph).to_dict()
    data = next(iter(spec["datasets"].values()))
    parts = {(r["channel"], r["part"]): r["amount"] for r in data}
    assert parts[("search", "reached a won deal")] == 1000
    assert parts[("social", "untraced")] == 500
    title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
    assert "67% overall" in title


def test_graph_charts_none_when_empty():
    from audit_lib.charts.graph import spend_flow_chart, waterfall_chart

    graph = compute_graph(load_frames(duckdb.connect(), {}), make_engagement())
    assert waterfall_chart(graph) is None
    assert spend_flow_chart(graph) is None
