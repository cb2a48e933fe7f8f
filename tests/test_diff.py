"""Re-audit comparison of two results files, through the library and the real command."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from audit_lib.diff import diff_results, print_diff
from audit_lib.errors import ConfigError

STACK_AUDIT = Path(sys.executable).parent / "stack-audit"
RULES = {"closed_won": {"won_stages": ["Closed Won"]}}


def outcome(kind: str, verified: int, cpo: float | None) -> dict:
    return {"type": kind, "label": kind.replace("_", " "), "verified": verified, "cost_per_outcome": cpo}


def finding(id: str, status: str, score: float | None) -> dict:
    return {"id": id, "title": id.replace("_", " ").capitalize(), "status": status, "score": score}


OLD = {
    "schema_version": 1,
    "engagement": {"name": "Acme Q1", "client": "Acme", "currency": "USD", "rules": RULES, "period": {"start": "2025-01-01", "end": "2025-03-31"}},
    "generated_at": "2025-04-02T09:00:00+0000",
    "overall": {"score": 40.0, "band": "connected"},
    "metrics": {
        "cost": {"total": 500000.0},
        "efficiency": {"ratio": 0.5, "bookings": 250000.0},
        "cac": {"value": None, "status": "not_assessable", "reason": "no new customers"},
        "outcomes": [outcome("meeting_held", 100, 5000.0), outcome("qualified_opportunity", 40, 12500.0), outcome("closed_won", 10, 50000.0)],
    },
    "findings": [
        finding("volume_led", "fail", 20.0),
        finding("untraceable_outcomes", "warn", 50.0),
        finding("stale_records", "pass", 80.0),
        finding("forecast_confidence", "not_assessable", None),
        finding("fragmented_data", "warn", 45.0),
    ],
}

NEW = {
    "schema_version": 1,
    "engagement": {"name": "Acme Q3", "client": "Acme", "currency": "USD", "rules": RULES, "period": {"start": "2025-07-01", "end": "2025-09-30"}},
    "generated_at": "2025-10-02T09:00:00+0000",
    "overall": {"score": 55.0, "band": "connected"},
    "metrics": {
        "cost": {"total": 600000.0},
        "efficiency": {"ratio": 0.8, "bookings": 480000.0},
        "cac": {"value": 20000.0, "status": "ok"},
        # CPO = 600000 / verified: 600000/120 = 5000, 600000/50 = 12000, 600000/12 = 50000.
        "outcomes": [outcome("meeting_held", 120, 5000.0), outcome("qualified_opportunity", 50, 12000.0), outcome("closed_won", 12, 50000.0)],
    },
    "findings": [
        finding("volume_led", "warn", 45.0),
        finding("untraceable_outcomes", "pass", 75.0),
        finding("stale_records", "fail", 30.0),
        finding("forecast_confidence", "warn", 60.0),
        finding("time_with_customers", "fail", 10.0),
    ],
}


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def runs(tmp_path) -> tuple[Path, Path]:
    old = write(tmp_path / "q1" / "results.json", OLD)
    write(tmp_path / "q3" / "results.json", NEW)
    # The new run is passed as a report folder, the old one as a file.
    return old, tmp_path / "q3"


def stack_audit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(STACK_AUDIT), *args], capture_output=True, text=True, timeout=120)


def by_key(rows: list[dict], key: str = "key") -> dict[str, dict]:
    return {row[key]: row for row in rows}


@pytest.mark.parametrize(
    ("key", "old", "new", "change", "pct"),
    [
        ("overall_score", 40.0, 55.0, 15.0, 37.5),  # 55 - 40 = 15; 15 / 40 = 37.5 %
        ("efficiency_ratio", 0.5, 0.8, 0.3, 60.0),  # 0.8 - 0.5 = 0.3; 0.3 / 0.5 = 60 %
        ("sm_cost", 500000.0, 600000.0, 100000.0, 20.0),  # 100000 / 500000 = 20 %
        ("new_bookings", 250000.0, 480000.0, 230000.0, 92.0),  # 230000 / 250000 = 92 %
        ("cac", None, 20000.0, None, None),  # not assessable before: no change computed
        ("verified:meeting_held", 100, 120, 20, 20.0),  # 20 / 100 = 20 %
        ("cost_per_outcome:meeting_held", 5000.0, 5000.0, 0.0, 0.0),
        ("verified:qualified_opportunity", 40, 50, 10, 25.0),  # 10 / 40 = 25 %
        ("cost_per_outcome:qualified_opportunity", 12500.0, 12000.0, -500.0, -4.0),  # -500 / 12500 = -4 %
        ("verified:closed_won", 10, 12, 2, 20.0),  # 2 / 10 = 20 %
        ("cost_per_outcome:closed_won", 50000.0, 50000.0, 0.0, 0.0),
    ],
)
def test_metric_changes_hand_computed(runs, key, old, new, change, pct):
    row = by_key(diff_results(*runs)["metrics"])[key]

    assert row["old"] == old
    assert row["new"] == new
    if change is None:
        assert row["change"] is None
        assert row["pct_change"] is None
    else:
        assert row["change"] == pytest.approx(change)
        assert row["pct_change"] == pytest.approx(pct)


def test_zero_baseline_no_percentage(tmp_path):
    old = copy.deepcopy(OLD)
    old["metrics"]["outcomes"][2]["verified"] = 0
    diff = diff_results(write(tmp_path / "a.json", old), write(tmp_path / "b.json", NEW))

    row = by_key(diff["metrics"])["verified:closed_won"]

    assert row["change"] == 12
    assert row["pct_change"] is None


def test_finding_moves_listed(runs):
    findings = by_key(diff_results(*runs)["findings"], "id")

    assert list(findings) == ["volume_led", "untraceable_outcomes", "stale_records", "forecast_confidence", "time_with_customers", "fragmented_data"]
    assert findings["volume_led"]["score_change"] == 25.0  # 45 - 20
    assert findings["stale_records"]["score_change"] == -50.0  # 30 - 80
    assert findings["forecast_confidence"]["score_change"] is None
    assert findings["time_with_customers"]["old_status"] is None
    assert findings["fragmented_data"]["new_status"] is None
    assert findings["volume_led"]["status_changed"] is True


def test_findings_opened_and_closed(runs):
    diff = diff_results(*runs)

    # Opened: fail or warn now, neither before. volume_led was already open (fail -> warn).
    assert [f["id"] for f in diff["opened"]] == ["stale_records", "forecast_confidence", "time_with_customers"]
    assert [f["id"] for f in diff["closed"]] == ["untraceable_outcomes"]
    assert diff["warnings"] == []


def test_different_clients_rejected(tmp_path):
    other = copy.deepcopy(NEW)
    other["engagement"]["client"] = "Globex"

    with pytest.raises(ConfigError, match="different clients") as caught:
        diff_results(write(tmp_path / "a.json", OLD), write(tmp_path / "b.json", other))

    assert "'Acme'" in str(caught.value)
    assert "'Globex'" in str(caught.value)


def test_client_compared_loosely(tmp_path):
    other = copy.deepcopy(NEW)
    other["engagement"]["client"] = "  ACME "

    assert diff_results(write(tmp_path / "a.json", OLD), write(tmp_path / "b.json", other))["client"] == "  ACME "


def test_period_length_change_warned(tmp_path):
    other = copy.deepcopy(NEW)
    other["engagement"]["period"] = {"start": "2025-01-01", "end": "2025-12-31"}

    warnings = diff_results(write(tmp_path / "a.json", OLD), write(tmp_path / "b.json", other))["warnings"]

    # Q1 2025 has 31 + 28 + 31 = 90 days and 2025 has 365; Q3 has 92, within 10 % of 90.
    assert warnings == ["The periods differ in length (90 and 365 days), so counts and costs cover different spans"]


def test_currency_change_warned(tmp_path):
    other = copy.deepcopy(NEW)
    other["engagement"]["currency"] = "EUR"
    other["engagement"]["rules"] = {}

    warnings = diff_results(write(tmp_path / "a.json", OLD), write(tmp_path / "b.json", other))["warnings"]

    assert len(warnings) == 2
    assert "The currency changed from USD to EUR" in warnings[0]
    assert "The outcome rules changed" in warnings[1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON at line 1, column 2"),
        ("[1, 2]", "no 'engagement' section"),
        ('{"metrics": {}}', "no 'engagement' section"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_not_results_rejected(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content, encoding="utf-8")

    with pytest.raises(ConfigError, match="not a results file") as caught:
        diff_results(write(tmp_path / "a.json", OLD), bad)

    assert message in str(caught.value)


def test_missing_results_rejected(tmp_path):
    (tmp_path / "empty_report").mkdir()

    with pytest.raises(ConfigError, match="results file not found"):
        diff_results(tmp_path / "empty_report", write(tmp_path / "b.json", NEW))


def test_missing_sections_compared(tmp_path):
    bare = {"engagement": {"client": "Acme"}}

    diff = diff_results(write(tmp_path / "a.json", bare), write(tmp_path / "b.json", NEW))

    assert by_key(diff["metrics"])["overall_score"]["change"] is None
    assert [f["id"] for f in diff["opened"]] == ["volume_led", "stale_records", "forecast_confidence", "time_with_customers"]
    assert diff["closed"] == []


def test_print_diff_tables(runs):
    buffer = io.StringIO()

    print_diff(diff_results(*runs), Console(file=buffer, width=160, highlight=False, color_system=None))
    text = buffer.getvalue()

    assert "Headline metrics" in text
    assert "+15.00" in text
    assert "+37.50%" in text
    assert "-4.00%" in text
    assert "Opened (fail or warn now): 3" in text
    assert "Closed (pass now): 1" in text
    assert "warn 45.00" in text
    assert "not assessable" in text
    assert "absent" in text


def test_print_diff_escapes_markup(tmp_path):
    old, new = copy.deepcopy(OLD), copy.deepcopy(NEW)
    for results in (old, new):
        results["engagement"]["client"] = "[bold]Acme[/]"
    buffer = io.StringIO()

    print_diff(diff_results(write(tmp_path / "a.json", old), write(tmp_path / "b.json", new)), Console(file=buffer, width=160))

    assert "[bold]Acme[/]" in buffer.getvalue()


def test_cli_diff_prints_tables(runs):
    result = stack_audit("diff", str(runs[0]), str(runs[1]))

    assert result.returncode == 0, result.stderr
    assert "Headline metrics" in result.stdout
    assert "+37.50%" in result.stdout
    assert "Stale records" in result.stdout


def test_cli_diff_clients_mismatch(tmp_path):
    other = copy.deepcopy(NEW)
    other["engagement"]["client"] = "Globex"

    result = stack_audit("diff", str(write(tmp_path / "a.json", OLD)), str(write(tmp_path / "b.json", other)))

    assert result.returncode == 1
    assert "different clients" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_diff_missing_file(tmp_path):
    result = stack_audit("diff", str(write(tmp_path / "a.json", OLD)), str(tmp_path / "nope.json"))

    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_diff_folder_without_results(tmp_path):
    (tmp_path / "report").mkdir()

    result = stack_audit("diff", str(write(tmp_path / "a.json", OLD)), str(tmp_path / "report"))

    assert result.returncode == 1
    assert "results file not found" in result.stderr
    assert "Traceback" not in result.stderr
