"""Volume-led reporting: tile classification and the volume-share score."""

from __future__ import annotations

import pytest

from audit_lib.checks.volume_led import check_volume_led, classify_tile


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Calls made", "volume"),
        ("Dials per rep", "volume"),
        ("Emails sent", "volume"),
        ("Activities this week", "volume"),
        ("Meetings booked", "volume"),
        ("Meetings scheduled", "volume"),
        ("Page views", "volume"),
        ("Meetings held", "outcome"),
        ("Qualified pipeline", "outcome"),
        ("Deals won", "outcome"),
        ("Revenue", "outcome"),
        ("Cost per outcome", "outcome"),
        ("CAC", "outcome"),
        ("Win rate", "outcome"),
        ("Lead response time", "leading"),
        ("Email open rate", "leading"),
        ("Reply rate", "leading"),
        ("Cost per lead", "cost"),
        ("Team morale", "other"),
    ],
)
def test_classify_tile_by_keyword(name, kind):
    assert classify_tile(name) == kind


def test_metric_kind_overrides_keywords():
    assert classify_tile("Calls made", "Outcome") == "outcome"
    # An unknown kind falls back to the keyword rules.
    assert classify_tile("Calls made", "kpi") == "volume"


def test_volume_share_scores_fail(store, engagement):
    # 3 volume (calls, emails, activities), 1 outcome (revenue), 1 other (morale, not counted):
    # volume share 3 / 4 = 0.75, score 100 x (1 - 0.75) = 25 < warn_at 40 -> fail.
    con = store({"dashboards": {
        "dashboard": ["Sales"] * 5,
        "tile": ["Calls", "Emails sent", "Activities", "Revenue", "Team morale"],
        "is_headline": [True, True, False, False, False],
        "source_file": ["dash.csv"] * 5,
        "source_line": [2, 3, 4, 5, 6],
    }})
    finding = check_volume_led(con, engagement, {})
    assert finding.status == "fail"
    assert finding.score == 25.0
    assert finding.evidence["volume_tiles"] == 3
    assert finding.evidence["classified_tiles"] == 4
    assert finding.evidence["unclassified_tiles"] == ["Team morale"]
    # Both headline tiles are volume: 2 / 2.
    assert finding.evidence["headline_volume_share"] == 1.0
    assert [row["source_line"] for row in finding.evidence_rows] == [2, 3, 4]
    assert {"kind": "volume", "tiles": 3, "headline_tiles": 2} in finding.tables["tiles_by_kind"]


@pytest.mark.parametrize(
    ("tiles", "status", "score"),
    [
        # 0 volume of 3: 100 x (1 - 0) = 100 -> pass
        (["Revenue", "Meetings held", "Win rate"], "pass", 100.0),
        # 1 volume of 2: 100 x (1 - 0.5) = 50 -> warn (40 <= 50 < 70)
        (["Calls", "Revenue"], "warn", 50.0),
    ],
)
def test_volume_led_statuses(store, engagement, tiles, status, score):
    con = store({"dashboards": {"dashboard": ["D"] * len(tiles), "tile": tiles}})
    finding = check_volume_led(con, engagement, {})
    assert finding.status == status
    assert finding.score == score


def test_no_dashboards_not_assessable(store, engagement):
    finding = check_volume_led(store({}), engagement, {})
    assert finding.status == "not_assessable"
    assert finding.score is None
    assert finding.interview_question


def test_only_unclassified_tiles_not_assessable(store, engagement):
    con = store({"dashboards": {"dashboard": ["D"], "tile": ["Team morale"]}})
    finding = check_volume_led(con, engagement, {})
    assert finding.status == "not_assessable"
    assert "Team morale" in finding.explanation


def test_interview_headline_metrics_used(store, make_engagement):
    # Interview lists 2 tiles: Calls (volume), Revenue (outcome): 100 x (1 - 1/2) = 50.
    engagement = make_engagement(interview={"dashboard_headline_metrics": "Calls, Revenue"})
    finding = check_volume_led(store({}), engagement, {})
    assert finding.score == 50.0
    assert finding.basis == "interview"
