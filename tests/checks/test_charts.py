"""Finding and overall charts: specs built from finding tables."""

from __future__ import annotations

from audit_lib.charts.checks import finding_chart, overall_chart
from audit_lib.charts.common import to_svg


def datasets(chart):
    return list(chart.to_dict()["datasets"].values())


def test_volume_chart_counts_by_kind():
    finding = {"id": "volume_led", "tables": {"tiles_by_kind": [
        {"kind": "volume", "tiles": 3, "headline_tiles": 2},
        {"kind": "outcome", "tiles": 1, "headline_tiles": 0},
        {"kind": "other", "tiles": 0, "headline_tiles": 0},
    ]}}
    rows = datasets(finding_chart(finding))[0]
    # volume: 2 headline + 1 below; outcome: 0 headline + 1 below; "other" has no tiles and is dropped.
    counts = {(r["kind"], r["placement"]): r["count"] for r in rows}
    assert counts == {("volume", "headline"): 2, ("outcome", "headline"): 0,
                      ("volume", "below the headline"): 1, ("outcome", "below the headline"): 1}


def test_activity_trend_indexed_to_first_half():
    # First half average activities (10 + 10) / 2 = 10; month 3 at 16 -> index 160.
    finding = {"id": "activity_predicts_outcomes", "tables": {
        "monthly_trend": [
            {"month": "2026-01", "activities": 10, "held_meetings": 4},
            {"month": "2026-02", "activities": 10, "held_meetings": 4},
            {"month": "2026-03", "activities": 16, "held_meetings": 4},
            {"month": "2026-04", "activities": 16, "held_meetings": 4},
        ],
        "correlation_by_window": [{"window": "2026-01 to 2026-03", "rho": 0.5, "ci_low": 0.1, "ci_high": 0.8, "n": 9}],
    }}
    chart = finding_chart(finding)
    spec = chart.to_dict()
    assert "vconcat" in spec
    trend = next(d for d in datasets(chart) if "series" in d[0])
    index = {(r["month"], r["series"]): r["index"] for r in trend}
    assert index[("2026-03", "activity volume")] == 160.0
    assert index[("2026-03", "held meetings")] == 100.0
    assert to_svg(chart).startswith("<svg")


def test_worst_sequences_chart():
    finding = {"id": "irrelevant_outreach", "tables": {"worst_sequences": [
        {"sequence": "Cold", "touches": 4, "bounce_rate": 0.25, "irrelevant_share": 0.75, "outcomes_per_1000_touches": 250.0},
    ]}}
    spec = finding_chart(finding).to_dict()
    assert spec["encoding"]["x"]["field"] == "irrelevant_share"


def test_no_chart_for_unknown_or_empty():
    assert finding_chart({"id": "forecast_confidence", "tables": {}}) is None
    assert finding_chart({"id": "volume_led", "tables": {}}) is None
    assert finding_chart({"id": "activity_predicts_outcomes"}) is None


def test_overall_chart_skips_unscored():
    findings = [
        {"id": "volume_led", "title": "Volume-led reporting", "score": 20.0, "status": "fail"},
        {"id": "stale_records", "title": "Stale records", "score": None, "status": "not_assessable"},
    ]
    chart = overall_chart({"score": 40.0}, findings)
    frames = datasets(chart)
    bars = next(d for d in frames if "finding" in d[0])
    assert [r["finding"] for r in bars] == ["Volume-led reporting"]
    assert any(d[0].get("overall") == 40.0 for d in frames)
    assert to_svg(chart).startswith("<svg")
    assert overall_chart({"score": None}, findings[1:]) is None
