"""Smoke test of benchmarks/run_benchmarks.py on the tiny size, plus its summary arithmetic."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = PROJECT_ROOT / "benchmarks" / "run_benchmarks.py"


def load_script():
    spec = importlib.util.spec_from_file_location("run_benchmarks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_run(seconds: float, html_bytes: int) -> dict:
    return {"seconds": seconds, "max_rss_mb": 300.0, "tree_rss_mb": 500.0, "report_html_bytes": html_bytes, "timings": {"intake": 1.5, "report": 4.0}}


def test_summary_ratio_hand_computed():
    bench = load_script()
    bare = {"seconds": 2.0, "rows": 1000, "files": 2, "csv_mb": 1.0, "peak_mb": 100.0}
    floor = {"seconds": 5.0}
    summary = bench.summarize("tiny", [fake_run(14.0, 2048), fake_run(10.5, 2048)], bare, floor, bench.machine(), "cmd")

    # reference = 2.0 + 5.0 = 7.0 s; 14.0 / 7.0 = 2.0 and 10.5 / 7.0 = 1.5
    assert summary["reference_seconds"] == 7.0
    assert summary["runs"][0]["ratio_to_reference"] == pytest.approx(2.0)
    assert summary["runs"][1]["ratio_to_reference"] == pytest.approx(1.5)
    markdown = bench.to_markdown(summary)
    assert "first run 2.00, cached 1.50" in markdown
    assert "| intake | 1.50 | 1.50 |" in markdown


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="the process-tree sampler reads /proc, which only Linux has")
def test_tree_rss_counts_children():
    bench = load_script()
    alone = bench.tree_rss_bytes(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        with_child = bench.tree_rss_bytes(os.getpid())
    finally:
        child.kill()
        child.wait()
    assert alone > 0
    assert with_child > alone


def test_missing_engagement_yaml_rejected(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--size", "tiny", "--data", str(tmp_path), "--no-pdf"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 2
    assert "engagement.yaml not found" in done.stderr
    assert "Traceback" not in done.stderr


def test_disk_shortfall_message():
    bench = load_script()

    # 1,000 activities x 300 bytes = 300,000 bytes needed.
    assert bench.disk_shortfall(1_000, 300_000) is None
    message = bench.disk_shortfall(1_000, 299_999)
    assert message is not None
    assert "about 0.0 GB" in message
    assert "pass --data" in message


def test_filesystem_type_longest_mount():
    bench = load_script()
    mounts = "/dev/vda / ext4 rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\ntmpfs /dev/shmem tmpfs rw 0 0\n"

    assert bench.filesystem_type(Path("/dev/shm/x"), mounts) == "tmpfs"
    assert bench.filesystem_type(Path("/dev/shm"), mounts) == "tmpfs"
    assert bench.filesystem_type(Path("/dev/shmx/y"), mounts) == "ext4"
    assert bench.filesystem_type(Path("/tmp/y"), mounts) == "ext4"
    assert bench.filesystem_type(Path("/tmp/y"), "") is None


def test_ram_backed_scratch_rejected():
    bench = load_script()
    if bench.filesystem_type(Path("/dev/shm")) != "tmpfs":
        pytest.skip("/dev/shm is not tmpfs on this machine")

    # 5M activities x 300 bytes = 1.5 GB, above the 1 GB allowed on tmpfs; 20k x 300 = 6 MB is below.
    assert "RAM-backed filesystem" in bench.scratch_problem(5_000_000, Path("/dev/shm"))
    assert bench.scratch_problem(20_000, Path("/dev/shm")) is None


def test_unknown_size_rejected():
    done = subprocess.run([sys.executable, str(SCRIPT), "--size", "huge"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


def test_tiny_run_writes_summary(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--size", "tiny", "--no-pdf", "--keep", "--summary-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=600,
    )
    kept_message = re.search(r"data and outputs kept in (\S+)", done.stderr)
    if kept_message:
        scratch = Path(kept_message.group(1))
        first_log = (scratch / "run_first.log").read_text(encoding="utf-8")
        cached_log = (scratch / "run_cached.log").read_text(encoding="utf-8")
        shutil.rmtree(scratch)
    assert done.returncode == 0, done.stderr[-3000:]
    assert kept_message is not None

    # The CLI prints one progress line per intake file and one per step.
    assert "activities/outreach_export.csv: 20,000 rows read" in first_log
    assert "activities/outreach_export.csv: 20,000 rows, from cache" in cached_log
    assert "intake done in" in first_log

    summary = json.loads((tmp_path / "bench-tiny.json").read_text(encoding="utf-8"))
    first, cached = summary["runs"]
    assert first["returncode"] == 0
    assert first["timings"]["intake"] > 0
    assert "report" in first["timings"]
    assert cached["cached_files"] == summary["bare_parse"]["files"]
    assert first["cached_files"] == 0
    assert first["report_html_bytes"] > 0
    assert first["report_pdf_bytes"] is None
    assert summary["bare_parse"]["rows"] > 20_000
    assert summary["floor"]["seconds"] > 0
    assert summary["machine"]["nproc"] >= 1
    assert (tmp_path / "bench-tiny.md").read_text(encoding="utf-8").startswith("### tiny:")
    assert "first run" in done.stdout


def test_intake_progress_per_file(tmp_path):
    from audit_lib.config import load_engagement
    from audit_lib.intake import run_intake
    from audit_lib.pipeline import SAMPLE_ENGAGEMENT

    engagement = load_engagement(SAMPLE_ENGAGEMENT)
    calls = []
    run_intake(engagement, tmp_path, on_file=lambda index, count, path, report: calls.append((index, count, path, report)))
    count = len(engagement.files)

    # Each file gets a call before (report None) and after (its FileReport), in order.
    assert len(calls) == 2 * count
    for position, spec in enumerate(engagement.files):
        before, after = calls[2 * position], calls[2 * position + 1]
        assert before[:3] == (position + 1, count, spec.path)
        assert before[3] is None
        assert after[:3] == before[:3]
        assert after[3].rows_read > 0
        assert after[3].cached is False

    cached = []
    run_intake(engagement, tmp_path, on_file=lambda index, count, path, report: cached.append(report))
    assert all(report.cached for report in cached if report is not None)
