"""The pipeline's handling of engagement folders, run without rendering the report."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from audit_lib.errors import StepError
from audit_lib.pipeline import run_audit
from audit_lib.results import read_results

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "northwind"
CONFIG = "name: Detect\nclient: Contoso\nperiod: {start: 2025-01-01, end: 2025-12-31}\nfiles: []\n"


def test_empty_file_list_detects_exports(tmp_path):
    engagement = tmp_path / "eng"
    (engagement / "exports" / "crm").mkdir(parents=True)
    (engagement / "engagement.yaml").write_text(CONFIG, encoding="utf-8")
    shutil.copy(SAMPLE / "crm" / "opportunities.csv", engagement / "exports" / "crm")
    shutil.copy(SAMPLE / "dashboards.csv", engagement / "exports")

    outputs = run_audit(engagement, tmp_path / "out", render=False)

    results = read_results(outputs.results_path)
    files = {f["path"]: f["table"] for f in results["intake"]["files"]}
    assert files == {"exports/crm/opportunities.csv": "opportunities", "exports/dashboards.csv": "dashboards"}
    assert results["engagement"]["drafted_config"] is True
    # The consultant's file is left as written.
    assert (engagement / "engagement.yaml").read_text(encoding="utf-8") == CONFIG


def test_bare_folder_gets_draft_config(tmp_path):
    shutil.copy(SAMPLE / "dashboards.csv", tmp_path)
    run_audit(tmp_path, tmp_path / "out", render=False)
    assert "dashboards.csv" in (tmp_path / "engagement.yaml").read_text(encoding="utf-8")


def test_missing_folder_names_step(tmp_path):
    with pytest.raises(StepError) as info:
        run_audit(tmp_path / "missing", tmp_path / "out", render=False)
    assert info.value.step == "load engagement"


def test_validate_detects_exports_for_empty_file_list(tmp_path):
    from rich.console import Console

    from audit_lib.intake import validate_folder

    engagement = tmp_path / "eng"
    (engagement / "exports").mkdir(parents=True)
    (engagement / "engagement.yaml").write_text(CONFIG, encoding="utf-8")
    shutil.copy(SAMPLE / "dashboards.csv", engagement / "exports")

    report = validate_folder(engagement, None, Console(file=io.StringIO()))

    assert [f.path for f in report.files] == ["exports/dashboards.csv"]
    assert report.files[0].rows_used == 40
