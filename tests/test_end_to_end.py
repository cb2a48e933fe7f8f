"""The main job on the bundled sample engagement, run as a consultant runs it.

The expected figures come from ``sample_data/northwind/expected.json``, which the sample
generator computes from its own records, never from the audit code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

SAMPLE_ENGAGEMENT = Path(__file__).resolve().parent.parent / "sample_data" / "northwind"

pytestmark = pytest.mark.slow

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("northwind")
    done = subprocess.run(
        [sys.executable, "-m", "audit_lib", "run", str(SAMPLE_ENGAGEMENT), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def results(sample_run) -> dict:
    return json.loads((sample_run / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE_ENGAGEMENT / "expected.json").read_text(encoding="utf-8"))


def outcome(results: dict, kind: str) -> dict:
    return next(o for o in results["metrics"]["outcomes"] if o["type"] == kind)


def finding(results: dict, finding_id: str) -> dict:
    return next(f for f in results["findings"] if f["id"] == finding_id)


def test_run_writes_deliverables(sample_run):
    for name in ("report.html", "results.json", "evidence.xlsx", "audit_report.ipynb"):
        assert (sample_run / name).is_file(), name


@pytest.mark.parametrize("kind", ["meeting_held", "qualified_opportunity", "closed_won"])
def test_outcome_counts_match_planted(results, expected, kind):
    got = outcome(results, kind)
    want = expected["outcomes"][kind]
    assert got["claimed"] == want["claimed"]
    assert got["verified"] == want["verified"]
    assert got["unverified"] == want["unverified"]
    assert round(got["cost_per_outcome"], 2) == want["cost_per_outcome"]


def test_cost_and_efficiency_match_planted(results, expected):
    metrics = results["metrics"]
    assert round(metrics["cost"]["total"], 2) == expected["cost"]["sales_and_marketing"]
    assert metrics["efficiency"]["bookings"] == expected["new_bookings"]
    assert round(metrics["efficiency"]["ratio"], 6) == expected["efficiency_ratio"]
    assert "excluding renewals" in metrics["efficiency"]["variant"]


def test_input_metrics_match_planted(results, expected):
    by_metric = {m["metric"]: m for m in results["metrics"]["input_metrics"]}
    assert round(by_metric["cost_per_lead"]["value"], 2) == expected["input_metrics"]["cost_per_lead"]
    assert round(by_metric["cost_per_opportunity"]["value"], 2) == expected["input_metrics"]["cost_per_opportunity"]
    assert round(results["metrics"]["cac"]["value"], 2) == expected["input_metrics"]["cac"]


def test_won_deals_match_planted(results, expected):
    won = results["metrics"]["won"]
    assert won["deals"] == expected["won"]["verified_deals"]
    assert won["revenue"] == expected["won"]["verified_revenue"]
    assert won["claimed_deals"] == expected["won"]["claimed_deals"]


def test_untraceable_won_deals_match_planted(results, expected):
    traced = results["graph"]["won_traceable"]
    want = expected["traceability"]
    assert traced["deals"] == want["won_deals"]
    assert traced["deals"] - traced["deals_traceable"] == want["untraceable_deals"]
    assert traced["revenue"] - traced["revenue_traceable"] == want["untraceable_revenue"]
    assert finding(results, "untraceable_outcomes")["status"] in ("warn", "fail")


def test_fragmentation_planted_problems_found(results, expected):
    evidence = finding(results, "fragmented_data")["evidence"]
    assert evidence["duplicate_contacts"] == expected["duplicates"]["extra_contact_records"]


def test_volume_led_dashboards_found(results, expected):
    found = finding(results, "volume_led")
    assert found["evidence"]["volume_tiles"] == expected["dashboards"]["volume_tiles"]
    assert found["evidence"]["volume_share"] == pytest.approx(expected["dashboards"]["volume_tile_share"])
    assert found["status"] == "fail"


def test_activity_rising_meetings_flat_found(results, expected):
    found = finding(results, "activity_predicts_outcomes")
    assert found["evidence"]["activity_change_h2_vs_h1"] == pytest.approx(expected["activity"]["activity_volume_change"], abs=1e-4)
    assert found["evidence"]["held_meetings_change_h2_vs_h1"] == pytest.approx(expected["activity"]["meetings_held_change"], abs=1e-4)
    assert found["evidence"]["link_weakened"] is True
    assert found["status"] == "fail"


def test_high_bounce_sequence_found(results, expected):
    found = finding(results, "irrelevant_outreach")
    assert found["evidence"]["high_bounce_sequences"] == [expected["sequences"]["high_bounce_sequence"]]


def test_every_row_accounted_for(results):
    files = results["intake"]["files"]
    assert files
    for entry in files:
        set_aside = sum(entry["rows_set_aside"].values())
        assert entry["rows_read"] == entry["rows_used"] + set_aside, entry["path"]


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            if tag in ("script", "link", "img", "iframe", "source") and re.match(r"\s*(https?:)?//", value):
                self.external.append(f"{tag} {name}={value}")


def test_report_has_no_network_reference(sample_run):
    parser = _References()
    parser.feed((sample_run / "report.html").read_text(encoding="utf-8"))
    assert parser.external == []
    assert parser.scripts == 0


def test_report_has_no_email_address(sample_run):
    html = (sample_run / "report.html").read_text(encoding="utf-8")
    assert EMAIL_RE.search(html) is None


def test_report_shows_headline_figures(sample_run, expected):
    html = (sample_run / "report.html").read_text(encoding="utf-8")
    assert "Executive summary" in html
    cpo = expected["outcomes"]["closed_won"]["cost_per_outcome"]
    assert f"{round(cpo):,}" in html
