"""Notebooks run with papermill on this interpreter's kernel (tests/test_report.py runs the report one)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from audit_lib.report.render import NOTEBOOK, PROJECT_ROOT, ReportError, execute_notebook
from audit_lib.store import load_frames

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "results.json"
EXPLORE = PROJECT_ROOT / "notebooks" / "explore.ipynb"


def outputs_text(notebook: Path) -> str:
    nb = nbformat.read(str(notebook), as_version=4)
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(str(data.get("text/html", "")) + str(data.get("text/plain", "")) + str(output.get("text", "")))
    return "\n".join(parts)


def parameters(cache_dir: Path, baseline: Path | None = None) -> dict:
    return {"results_path": str(FIXTURE), "cache_dir": str(cache_dir), "baseline_path": str(baseline) if baseline else None}


def test_notebooks_have_parameters_cell():
    for path in (NOTEBOOK, EXPLORE):
        nb = nbformat.read(str(path), as_version=4)
        tagged = [cell for cell in nb.cells if "parameters" in cell.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
        for name in ("results_path", "cache_dir", "baseline_path"):
            assert name in tagged[0].source


def test_report_cells_stay_thin():
    # The library computes and each report cell only calls it and displays the result.
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert len(cell.source.splitlines()) <= 10


def test_explore_runs_on_empty_cache(tmp_path):
    executed = execute_notebook(EXPLORE, tmp_path / "explore.ipynb", parameters(tmp_path / "no-cache"))
    text = outputs_text(executed)
    assert "missing stage" in text  # set-aside rows come from results["intake"]
    assert "activities -&gt; contacts" in text or "activities -> contacts" in text


def test_explore_finds_untraced_won_deal(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    con = duckdb.connect()
    load_frames(con, {
        "opportunities": {
            "opportunity_id": ["W1", "W2"], "account_id": ["A1", "A2"], "account_name": ["Traced Co", "Lonely Co"],
            "stage": ["Closed Won", "Closed Won"], "is_won": [True, True], "amount": [100.0, 250.0],
            "source_file": ["opps.csv", "opps.csv"], "source_line": [2, 3],
        },
        "activities": {"activity_id": ["X1"], "activity_type": ["meeting"], "occurred_at": ["2026-01-10 10:00:00"], "account_id": ["A1"]},
    })
    for table in ("opportunities", "activities"):
        con.execute(f"COPY {table} TO '{cache / (table + '.parquet')}' (FORMAT parquet)")
    executed = execute_notebook(EXPLORE, tmp_path / "explore.ipynb", parameters(cache))
    text = outputs_text(executed)
    # W2's account A2 has no activity or touch, while W1's account A1 has one meeting.
    assert "Lonely Co" in text
    assert "Traced Co" not in text


def test_kernel_uses_this_interpreter(tmp_path):
    probe = tmp_path / "probe.ipynb"
    nb = new_notebook(cells=[
        new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        new_code_cell("import sys, audit_lib\nprint(sys.executable)"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, str(probe))
    executed = execute_notebook(probe, tmp_path / "probe-out.ipynb", {"x": 2})
    assert Path(outputs_text(executed).strip()).resolve() == Path(sys.executable).resolve()


def test_kernel_error_names_cell(tmp_path):
    broken = tmp_path / "broken.ipynb"
    nb = new_notebook(cells=[new_code_cell("ok = 1"), new_code_cell("raise ValueError('bad column amount')")],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, str(broken))
    with pytest.raises(ReportError, match=r"broken.ipynb failed in cell 2: ValueError: bad column amount"):
        execute_notebook(broken, tmp_path / "broken-out.ipynb", {})


def test_missing_notebook_raises(tmp_path):
    with pytest.raises(ReportError, match="absent.ipynb not found"):
        execute_notebook(tmp_path / "absent.ipynb", tmp_path / "out.ipynb", {})
