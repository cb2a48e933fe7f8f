"""run_intake, the Parquet cache, drafting and the validate command."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from audit_lib.cli import main
from audit_lib.config import Engagement, FileSpec, Period, load_engagement
from audit_lib.errors import InputFileError
from audit_lib.intake import draft_engagement, run_intake, write_draft

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "intake"


def engagement(root: Path, files: list[FileSpec]) -> Engagement:
    return Engagement(name="t", client="t", period=Period(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)), root=root, files=files)


def copy(names: list[str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def test_two_files_union_into_table(tmp_path):
    files = [FileSpec(path="salesforce_report.csv"), FileSpec(path="opps_crlf_dupkey.csv")]
    report = run_intake(engagement(FIXTURES, files), tmp_path / "cache")
    rows = duckdb.sql(f"SELECT source_file, count(*) FROM '{tmp_path}/cache/opportunities.parquet' GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("opps_crlf_dupkey.csv", 2), ("salesforce_report.csv", 2)]
    aside = duckdb.sql(f"SELECT count(*) FROM '{tmp_path}/cache/set_aside.parquet'").fetchall()[0][0]
    # 5 footer and blank rows in the Salesforce report, 1 duplicate key.
    assert aside == 6
    totals = report.to_dict()["totals"]
    assert totals["rows_read"] == totals["rows_used"] + sum(totals["rows_set_aside"].values())
    assert report.ok


def test_rerun_uses_cache(tmp_path):
    files = [FileSpec(path="opps_crlf_dupkey.csv")]
    first = run_intake(engagement(FIXTURES, files), tmp_path / "cache")
    second = run_intake(engagement(FIXTURES, files), tmp_path / "cache")
    assert first.files[0].cached is False
    assert second.files[0].cached is True
    assert second.files[0].rows_used == 2


def test_incomplete_cache_is_rebuilt(tmp_path):
    files = [FileSpec(path="opps_crlf_dupkey.csv")]
    run_intake(engagement(FIXTURES, files), tmp_path / "cache")
    for part in (tmp_path / "cache" / "files").glob("*.set_aside.parquet"):
        part.unlink()
    report = run_intake(engagement(FIXTURES, files), tmp_path / "cache")
    assert report.files[0].cached is False
    assert duckdb.sql(f"SELECT count(*) FROM '{tmp_path}/cache/set_aside.parquet'").fetchall() == [(1,)]


def test_changed_file_is_read_again(tmp_path):
    folder = copy(["opps_crlf_dupkey.csv"], tmp_path / "in")
    files = [FileSpec(path="opps_crlf_dupkey.csv")]
    run_intake(engagement(folder, files), tmp_path / "cache")
    (folder / "opps_crlf_dupkey.csv").write_text("opportunity_id,stage\nK9,Open\n", encoding="utf-8")
    report = run_intake(engagement(folder, files), tmp_path / "cache")
    assert report.files[0].cached is False
    assert duckdb.sql(f"SELECT opportunity_id FROM '{tmp_path}/cache/opportunities.parquet'").fetchall() == [("K9",)]


def test_unusable_file_raises_and_records(tmp_path):
    files = [FileSpec(path="garbage.csv"), FileSpec(path="opps_crlf_dupkey.csv")]
    with pytest.raises(InputFileError, match="garbage.csv"):
        run_intake(engagement(FIXTURES, files), tmp_path / "cache")
    from audit_lib.intake import collect_intake

    report, error = collect_intake(engagement(FIXTURES, files), tmp_path / "cache2")
    assert error is not None
    assert report.ok is False
    assert report.files[0].usable is False
    assert report.files[1].rows_used == 2


def test_required_column_unmapped_raises(tmp_path):
    files = [FileSpec(path="opps_crlf_dupkey.csv", table="costs")]
    with pytest.raises(InputFileError, match="required column 'date'"):
        run_intake(engagement(FIXTURES, files), tmp_path / "cache")


def test_configured_header_not_found(tmp_path):
    files = [FileSpec(path="opps_crlf_dupkey.csv", columns={"Deal": "opportunity_id"})]
    with pytest.raises(InputFileError, match="configured header 'Deal' not found"):
        run_intake(engagement(FIXTURES, files), tmp_path / "cache")


def test_config_columns_win_over_profile(tmp_path):
    files = [FileSpec(path="hubspot_deals.csv", columns={"Deal Name": "product"})]
    report = run_intake(engagement(FIXTURES, files), tmp_path / "cache")
    mapping = {m["header"]: (m["column"], m["method"]) for m in report.files[0].mapping}
    assert mapping["Deal Name"] == ("product", "config")
    assert duckdb.sql(f"SELECT product, name FROM '{tmp_path}/cache/opportunities.parquet'").fetchall() == [("Gamma", None)]


def test_draft_engagement_from_bare_folder(tmp_path):
    folder = copy(["opps_crlf_dupkey.csv", "linkedin_campaigns.csv", "garbage.csv"], tmp_path / "bare")
    drafted = draft_engagement(folder)
    assert drafted.name == "bare"
    # LinkedIn rows run 2024-01-01 to 2024-01-02; the opportunities have no dates.
    assert (drafted.period.start.isoformat(), drafted.period.end.isoformat()) == ("2024-01-01", "2024-01-02")
    tables = {f.path: f.table for f in drafted.files}
    assert tables == {"garbage.csv": None, "linkedin_campaigns.csv": "costs", "opps_crlf_dupkey.csv": "opportunities"}


def test_write_draft_never_overwrites(tmp_path):
    folder = copy(["opps_crlf_dupkey.csv"], tmp_path / "bare")
    drafted = draft_engagement(folder)
    target = folder / "engagement.yaml"
    assert write_draft(drafted, None, target) == target
    loaded = load_engagement(folder)
    assert [f.path for f in loaded.files] == ["opps_crlf_dupkey.csv"]
    target.write_text("# edited\n", encoding="utf-8")
    assert write_draft(drafted, None, target) is None
    assert target.read_text(encoding="utf-8") == "# edited\n"


def test_validate_command_bare_folder(tmp_path):
    folder = copy(["opps_crlf_dupkey.csv", "meta_no_data.csv"], tmp_path / "bare")
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    data = json.loads((folder / "intake.json").read_text(encoding="utf-8"))
    assert data["ok"] is True
    assert data["totals"]["rows_read"] == 4
    drafted = yaml.safe_load((folder / "engagement.yaml").read_text(encoding="utf-8"))
    assert {f["path"] for f in drafted["files"]} == {"opps_crlf_dupkey.csv", "meta_no_data.csv"}


def test_validate_command_unusable_file(tmp_path):
    folder = copy(["garbage.csv"], tmp_path / "bare")
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 1
    data = json.loads((folder / "intake.json").read_text(encoding="utf-8"))
    assert data["files"][0]["usable"] is False
    assert data["files"][0]["problems"][0]["message"].startswith("no canonical table matches")
    drafted = (folder / "engagement.yaml").read_text(encoding="utf-8")
    assert "  # - path: garbage.csv" in drafted
    assert yaml.safe_load(drafted)["files"] == []


def test_validate_read_only_folder(tmp_path, monkeypatch):
    folder = copy(["opps_crlf_dupkey.csv"], tmp_path / "ro")
    folder.chmod(0o555)
    # Root ignores permission bits, so the writability check is forced too.
    monkeypatch.setattr("audit_lib.intake.draft._writable", lambda path: False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    try:
        result = CliRunner().invoke(main, ["validate", str(folder)])
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 0, result.output
    assert (work / "intake.json").exists()
    assert "read-only" in result.output


def test_input_files_never_modified(tmp_path):
    folder = copy(["salesforce_report.csv", "pipeline.xlsx"], tmp_path / "in")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    run_intake(engagement(folder, [FileSpec(path="salesforce_report.csv"), FileSpec(path="pipeline.xlsx")]), tmp_path / "cache")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "northwind"


@pytest.mark.skipif(not (SAMPLE / "expected.json").exists(), reason="sample engagement not generated")
def test_sample_engagement_costs_match(tmp_path):
    # The sample generator computes its expected figures without the audit code.
    expected = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))["cost"]
    run_intake(load_engagement(SAMPLE), tmp_path / "cache")
    start, end = "2025-01-01", "2025-12-31"
    query = f"SELECT category, round(sum(amount), 2) FROM '{tmp_path}/cache/costs.parquet' WHERE date BETWEEN '{start}' AND '{end}' GROUP BY 1"
    by_category = dict(duckdb.sql(query).fetchall())
    assert by_category == expected["by_category"]
    lines = duckdb.sql(f"SELECT count(*) FROM '{tmp_path}/cache/costs.parquet' WHERE date BETWEEN '{start}' AND '{end}'").fetchall()[0][0]
    assert lines == expected["cost_lines_in_period"]


@pytest.mark.skipif(not (SAMPLE / "engagement.yaml").exists(), reason="sample engagement not generated")
def test_draft_matches_sample_mapping(tmp_path):
    reference = load_engagement(SAMPLE)
    folder = tmp_path / "bare"
    folder.mkdir()
    for spec in reference.files:
        shutil.copy(SAMPLE / spec.path, folder / Path(spec.path).name)
    drafted = {spec.path: spec for spec in draft_engagement(folder).files}
    report = run_intake(draft_engagement(folder), tmp_path / "cache")
    mapped = {f.path: {m["header"]: m["column"] for m in f.mapping} for f in report.files}
    for spec in reference.files:
        name = Path(spec.path).name
        assert drafted[name].table == spec.table, name
        for header, column in spec.columns.items():
            assert mapped[name].get(header) == column, (name, header)
