"""The evidence workbook, read back with openpyxl."""

from __future__ import annotations

import copy

import pytest
from openpyxl import load_workbook

from audit_lib.evidence import FORMULA_PREFIXES, safe_cell_value, sheet_title, write_evidence_workbook

LONG_ID = "untraceable_outcomes_with_a_very_long_identifier_beyond_31"

RESULTS = {
    "engagement": {
        "name": "Acme audit",
        "client": "Acme",
        "period": {"start": "2025-01-01", "end": "2025-12-31"},
        "currency": "USD",
        "show_personal_data": False,
    },
    "generated_at": "2026-01-05T10:00:00+0000",
    "overall": {"score": 41.5, "band": "connected"},
    "metrics": {
        "efficiency": {"ratio": 0.8, "bookings": 400000.0, "cost": 500000.0, "status": "ok"},
        "cac": {"value": None, "status": "not_assessable", "reason": "no new customers"},
        "outcomes": [
            {"type": "closed_won", "label": "Closed-won", "claimed": 12, "verified": 10, "unverified": 2, "cost": 500000.0, "cost_per_outcome": 50000.0, "status": "ok"},
        ],
        "verified_rows": {
            "closed_won": {
                "verified": [{"opportunity_id": "o1", "contact_email": "jane.doe@acme.com", "amount": 1200.0, "source_file": "exports/opps.csv", "source_line": 2}],
                "unverified": [{"opportunity_id": "o2", "contact_email": None, "amount": -5, "source_file": "exports/opps.csv", "source_line": 7}],
            }
        },
    },
    "findings": [
        {
            "id": "volume_led",
            "title": "Volume-led reporting",
            "status": "fail",
            "score": 20.0,
            "severity": "high",
            "basis": "data",
            "explanation": "8 of 10 tiles show volume.",
            "recommendation": "Lead with outcomes.",
            "evidence": {"volume_tiles": 8, "tiles": 10},
            "evidence_rows": [
                {"tile": '=HYPERLINK("http://x")', "value": "+1", "note": "-2+3", "formula": "@SUM(A1)", "count": -5, "source_file": "exports/dash.csv", "source_line": 3},
                {"tile": "\tCalls", "value": "\rDials", "note": "plain", "formula": "a=b", "count": 2.5, "source_file": "exports/dash.csv", "source_line": 4},
            ],
            "tables": {"tiles_by_kind": [{"kind": "volume", "tiles": 8}, {"kind": "outcome", "tiles": 2}], "=evil": [{"+key": "-1+2"}]},
        },
        {"id": LONG_ID, "title": "Long one", "status": "warn", "score": 55, "evidence_rows": [{"email": "bob@corp.io", "source_file": "c.csv", "source_line": 9}]},
        {"id": LONG_ID, "title": "Duplicate id", "status": "pass", "score": 90},
        {"id": "a/b:c*d?[e]", "title": "Odd characters", "status": "not_assessable", "score": None},
    ],
    "intake": {
        "files": [
            {"path": "exports/opps.csv", "table": "opportunities", "encoding": "utf-8", "rows_read": 10, "rows_used": 7, "rows_set_aside": {"blank id": 2, "bad date": 1}},
            {"path": "exports/dash.csv", "table": "dashboards", "rows_read": 5, "rows_used": 4, "rows_set_aside": {}},
        ]
    },
}


def rows_of(ws) -> list[tuple]:
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def table_after(ws, header_first: str) -> tuple[list, list[dict]]:
    """Return the header and the rows of the table whose header starts with header_first."""
    rows = rows_of(ws)
    start = next(i for i, row in enumerate(rows) if row[0] == header_first)
    header = [c for c in rows[start] if c is not None]
    body = []
    for row in rows[start + 1 :]:
        if all(c is None for c in row):
            break
        body.append(dict(zip(header, row)))
    return header, body


@pytest.fixture
def workbook(tmp_path):
    path = write_evidence_workbook(copy.deepcopy(RESULTS), tmp_path / "out" / "evidence.xlsx")
    assert path == tmp_path / "out" / "evidence.xlsx"
    return load_workbook(path)


def test_workbook_sheets_present(workbook):
    names = workbook.sheetnames

    assert names[0] == "Summary"
    assert names[1] == "volume_led"
    assert names[-2:] == ["Outcomes", "Intake"]
    assert len(names) == 2 + len(RESULTS["findings"]) + 1


def test_sheet_names_valid_unique(workbook):
    names = workbook.sheetnames

    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
    assert names[2] == LONG_ID[:31]
    assert names[3] == LONG_ID[:29] + "~2"
    assert names[4] == "a_b_c_d__e_"


def test_evidence_rows_match(workbook):
    header, body = table_after(workbook["volume_led"], "source_file")

    assert header[:2] == ["source_file", "source_line"]
    assert len(body) == 2
    assert body[0]["source_file"] == "exports/dash.csv"
    assert body[0]["source_line"] == 3
    assert body[1]["source_line"] == 4
    assert body[1]["note"] == "plain"
    assert body[1]["formula"] == "a=b"


def test_formula_text_neutralised(workbook):
    ws = workbook["volume_led"]
    _, body = table_after(ws, "source_file")

    assert body[0]["tile"] == "'=HYPERLINK(\"http://x\")"
    assert body[0]["value"] == "'+1"
    assert body[0]["note"] == "'-2+3"
    assert body[0]["formula"] == "'@SUM(A1)"
    assert body[1]["tile"] == "'\tCalls"
    # XML parsers read a raw carriage return back as a line feed.
    assert body[1]["value"] in ("'\rDials", "'\nDials")


def test_no_cell_is_formula(workbook):
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES), f"{ws.title}!{cell.coordinate}"


def test_numbers_stay_numeric(workbook):
    _, body = table_after(workbook["volume_led"], "source_file")
    _, outcomes = table_after(workbook["Outcomes"], "outcome_type")

    assert body[0]["count"] == -5
    assert body[1]["count"] == 2.5
    assert outcomes[1]["amount"] == -5
    count_cells = [c for row in workbook["volume_led"].iter_rows() for c in row if c.value == -5]
    assert len(count_cells) == 1
    assert count_cells[0].data_type == "n"


def test_email_masked_by_default(workbook):
    _, outcomes = table_after(workbook["Outcomes"], "outcome_type")
    _, long_rows = table_after(workbook[LONG_ID[:31]], "source_file")

    assert outcomes[0]["contact_email"] == "j***@acme.com"
    assert long_rows[0]["email"] == "b***@corp.io"
    for ws in workbook.worksheets:
        for row in rows_of(ws):
            assert not any(isinstance(c, str) and "jane.doe@" in c for c in row)


def test_personal_data_shown_when_set(tmp_path):
    results = copy.deepcopy(RESULTS)
    results["engagement"]["show_personal_data"] = True

    wb = load_workbook(write_evidence_workbook(results, tmp_path / "e.xlsx"))
    _, outcomes = table_after(wb["Outcomes"], "outcome_type")

    assert outcomes[0]["contact_email"] == "jane.doe@acme.com"


def test_outcome_rows_labelled(workbook):
    header, outcomes = table_after(workbook["Outcomes"], "outcome_type")

    assert "outcome_type" in header
    assert [(r["outcome_type"], r["group"], r["opportunity_id"]) for r in outcomes] == [
        ("closed_won", "verified", "o1"),
        ("closed_won", "unverified", "o2"),
    ]


def test_intake_accounting_rows(workbook):
    header, files = table_after(workbook["Intake"], "path")

    assert header[:5] == ["path", "table", "rows_read", "rows_used", "rows_set_aside"]
    # opps.csv: 10 read = 7 used + (2 blank id + 1 bad date) set aside.
    assert files[0]["rows_set_aside"] == 3
    assert files[0]["set aside: blank id"] == 2
    assert files[0]["set aside: bad date"] == 1
    assert files[0]["balanced"] is True
    # dash.csv: 5 read, 4 used, nothing set aside: one row unaccounted for.
    assert files[1]["rows_set_aside"] == 0
    assert files[1]["set aside: blank id"] == 0
    assert files[1]["balanced"] is False
    # total: 10 + 5 = 15 read, 7 + 4 = 11 used, 3 set aside; 15 != 14.
    assert files[2]["path"] == "total"
    assert (files[2]["rows_read"], files[2]["rows_used"], files[2]["rows_set_aside"]) == (15, 11, 3)
    assert files[2]["set aside: bad date"] == 1
    assert files[2]["balanced"] is False
    assert header.index("balanced") == 7


def test_summary_lists_findings(workbook):
    ws = workbook["Summary"]
    _, findings = table_after(ws, "id")
    rows = rows_of(ws)

    assert ("client", "Acme") in [r[:2] for r in rows]
    assert ("sales efficiency ratio", 0.8) in [r[:2] for r in rows]
    assert ("new bookings", 400000) in [r[:2] for r in rows]
    assert ("cac status", "not_assessable: no new customers") in [r[:2] for r in rows]
    assert [f["status"] for f in findings] == ["fail", "warn", "pass", "not_assessable"]
    assert [f["sheet"] for f in findings] == workbook.sheetnames[1:5]
    assert findings[0]["score"] == 20
    assert findings[3]["score"] is None


def test_summary_links_to_sheets(workbook):
    ws = workbook["Summary"]
    links = [c.hyperlink for row in ws.iter_rows() for c in row if c.hyperlink is not None]

    assert [link.location for link in links] == [f"'{name}'!A1" for name in workbook.sheetnames[1:5]]
    assert all(link.target is None for link in links)


def test_outcome_rows_list_shape(tmp_path):
    results = {"metrics": {"verified_rows": [{"type": "meeting_held", "verified": True, "activity_id": "a1", "source_file": "acts.csv", "source_line": 5}]}}

    header, rows = table_after(load_workbook(write_evidence_workbook(results, tmp_path / "e.xlsx"))["Outcomes"], "source_file")

    assert header == ["source_file", "source_line", "type", "verified", "activity_id"]
    assert rows[0]["activity_id"] == "a1"
    assert rows[0]["verified"] is True


def test_summary_outcomes_table(workbook):
    _, outcomes = table_after(workbook["Summary"], "type")

    assert outcomes == [
        {"type": "closed_won", "label": "Closed-won", "claimed": 12, "verified": 10, "unverified": 2, "cost": 500000, "cost_per_outcome": 50000, "status": "ok", "reason": None}
    ]


def test_finding_tables_written(workbook):
    _, body = table_after(workbook["volume_led"], "kind")

    assert body == [{"kind": "volume", "tiles": 8}, {"kind": "outcome", "tiles": 2}]


@pytest.mark.parametrize(
    "results",
    [
        {},
        {"engagement": None, "metrics": None, "findings": None, "intake": None},
        {"findings": [{"title": "no id"}, "not a dict"], "intake": {"files": [None, {"path": "x"}]}},
        {"metrics": {"outcomes": "oops", "verified_rows": [1, 2]}, "overall": []},
    ],
)
def test_missing_sections_no_crash(tmp_path, results):
    wb = load_workbook(write_evidence_workbook(results, tmp_path / "e.xlsx"))

    assert wb.sheetnames[0] == "Summary"
    assert wb.sheetnames[-2:] == ["Outcomes", "Intake"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("1-2", "1-2"),
        ("", ""),
        (-5, -5),
        (0, 0),
        (1.5, 1.5),
        (True, True),
        (None, None),
        (float("nan"), None),
        (float("inf"), None),
        ({"a": "=b"}, '{"a": "=b"}'),
        (["=x"], '["=x"]'),
        ("bell\x07here", "bell\ufffdhere"),
    ],
)
def test_safe_cell_value_cases(value, expected):
    assert safe_cell_value(value) == expected


def test_long_text_truncated():
    text = safe_cell_value("x" * 40_000)

    assert len(text) == 32_767
    assert text.endswith("\u2026")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Summary", "summary", "SUMMARY"], ["Summary", "summary~2", "SUMMARY~3"]),
        (["x" * 40, "x" * 40], ["x" * 31, "x" * 29 + "~2"]),
        (["'quoted'", "", "History"], ["quoted", "Sheet", "History_"]),
        (["a[1]", "b\\c"], ["a_1_", "b_c"]),
    ],
)
def test_sheet_title_cases(names, expected):
    used: set[str] = set()

    assert [sheet_title(n, used) for n in names] == expected
