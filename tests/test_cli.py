"""The real command, run in a subprocess as a consultant would run it."""

import subprocess
import sys

import pytest


def stack_audit(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "audit_lib", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_help_lists_commands():
    result = stack_audit("--help")
    assert result.returncode == 0
    for command in ("run", "validate", "init", "diff"):
        assert command in result.stdout


def test_run_help_describes_out():
    result = stack_audit("run", "--help")
    assert result.returncode == 0
    assert "--out" in result.stdout
    assert "--pdf" in result.stdout


def test_run_missing_folder_fails_cleanly(tmp_path):
    result = stack_audit("run", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_invalid_config_names_key(tmp_path):
    engagement = tmp_path / "eng"
    engagement.mkdir()
    (engagement / "engagement.yaml").write_text(
        "name: x\nclient: y\nperiod: {start: 2025-01-01, end: 2025-12-31}\ncurency: EUR\n", encoding="utf-8"
    )
    result = stack_audit("run", str(engagement), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "load engagement" in result.stderr
    assert "curency" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["run", "--bogus"], ["nosuchcommand"]])
def test_usage_errors_exit_two(args):
    assert stack_audit(*args).returncode == 2


def write_config_with_bad_date(folder):
    # YAML itself rejects 2025-02-30 while loading, before pydantic validates the period.
    folder.mkdir()
    (folder / "engagement.yaml").write_text(
        "name: x\nclient: y\nperiod: {start: 2025-02-30, end: 2025-12-31}\ncurrency: USD\n", encoding="utf-8"
    )
    return folder


def test_validate_bad_date_names_key(tmp_path):
    engagement = write_config_with_bad_date(tmp_path / "eng")
    result = stack_audit("validate", str(engagement))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "period.start" in result.stderr
    assert "2025-02-30" in result.stderr


def test_run_bad_date_names_step_and_key(tmp_path):
    engagement = write_config_with_bad_date(tmp_path / "eng")
    result = stack_audit("run", str(engagement), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "load engagement" in result.stderr
    assert "period.start" in result.stderr


def test_init_help_lists_templates():
    result = stack_audit("init", "--help")
    assert result.returncode == 0
    assert "b2b-software" in result.stdout
    assert "services-agency" in result.stdout


def test_run_baseline_other_client(tmp_path):
    baseline = tmp_path / "baseline"
    baseline.mkdir()
    (baseline / "results.json").write_text('{"engagement": {"client": "Other Client"}}', encoding="utf-8")
    result = stack_audit("run", "--baseline", str(baseline), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "load baseline" in result.stderr
    assert "'Other Client'" in result.stderr
    # The check runs before intake, so no report is written.
    assert not (tmp_path / "out" / "report.html").exists()


def test_run_baseline_not_results(tmp_path):
    result = stack_audit("run", "--baseline", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "results file not found" in result.stderr
