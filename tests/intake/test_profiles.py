"""Vendor profiles as data: every bundled profile detects and maps its own header."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from audit_lib.config import Engagement, FileSpec, Period
from audit_lib.intake import read_file
from audit_lib.intake.profiles import GENERIC, detect_profile, load_profiles, map_columns, normalise_header
from audit_lib.schema import TABLES

PROFILES = {name: p for name, p in load_profiles().items() if name != GENERIC}

# One valid text per logical type, so a row built from a profile parses cleanly.
SAMPLE_VALUES = {
    "text": "Sample",
    "id": "ID0001",
    "email": "a@example.com",
    "integer": "7",
    "number": "1.5",
    "money": "$10.00",
    "percent": "5%",
    "date": "2024-01-02",
    "timestamp": "2024-01-02 10:00",
    "boolean": "true",
}


def engagement(root: Path) -> Engagement:
    return Engagement(name="p", client="p", period=Period(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)), root=root)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_reads_own_header(name, tmp_path):
    profile = PROFILES[name]
    table = TABLES[profile.table]
    headers = list(dict.fromkeys([*profile.detect, *profile.columns]))
    cells = []
    for header in headers:
        column = profile.columns.get(header)
        cells.append(SAMPLE_VALUES[table.column(column).type] if column else "x")
    (tmp_path / "export.csv").write_text(",".join(f'"{h}"' for h in headers) + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    report, used, _ = read_file(engagement(tmp_path), FileSpec(path="export.csv"))
    assert report.profile == name
    assert report.table == profile.table
    assert used.num_rows == 1
    assert all(column in table.column_names for column in profile.columns.values())


def test_profile_columns_name_real_columns():
    for name, profile in PROFILES.items():
        table = TABLES[profile.table]
        unknown = set(profile.columns.values()) - set(table.column_names)
        assert not unknown, f"{name}: {unknown}"
        assert not set(profile.constants) - set(table.column_names), name


def test_most_specific_profile_wins():
    # Task and Event exports share Id, WhoId and WhatId; each has its own date column.
    assert detect_profile(["Id", "WhoId", "WhatId", "TaskSubtype", "ActivityDate"], load_profiles()).name == "salesforce_task"
    assert detect_profile(["Id", "WhoId", "WhatId", "StartDateTime", "EndDateTime"], load_profiles()).name == "salesforce_event"


def test_fuzzy_mapping_of_typo():
    generic = load_profiles()[GENERIC]
    mappings, unmapped = map_columns(["Opportunity Idd", "Stage Nam", "Amout"], TABLES["opportunities"], None, {}, generic)
    found = {m.header: (m.column, m.method) for m in mappings}
    assert found["Opportunity Idd"] == ("opportunity_id", "fuzzy")
    assert found["Stage Nam"] == ("stage", "fuzzy")
    assert found["Amout"] == ("amount", "fuzzy")
    assert unmapped == []
    assert all(0.88 <= m.confidence < 1 for m in mappings)


def test_header_normalisation():
    assert normalise_header(" Amount spent (USD) ") == "amount spent"
    assert normalise_header("Deal - Title") == "deal title"
    assert normalise_header("close_date") == "close date"
