"""Encodings, delimiters, header and footer detection, one fixture per quirk."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_lib.config import FileSpec
from audit_lib.errors import InputFileError
from audit_lib.intake import read_file


def test_utf16le_google_ads_download(read):
    report, rows, aside = read("google_ads_utf16le.tsv")
    assert report.encoding == "utf-16-le"
    assert report.delimiter == "\t"
    assert report.profile == "google_ads"
    assert report.header_line == 3
    assert report.skipped_lines == {"title or comment line": 2}
    assert report.title_lines == [[1, "Campaign report"], [2, "March 1, 2024 - March 31, 2024"]]
    assert [r["amount"] for r in rows] == [1234.56, 65.44]
    assert [r["campaign_id"] for r in rows] == ["0012345", "0067890"]
    assert rows[0]["campaign_name"] == "Brand – Search"
    assert rows[1]["campaign_name"] == 'Generic "Widgets"'
    assert rows[0]["impressions"] == 1200
    assert rows[1]["clicks"] is None
    assert report.placeholders == {"clicks": 1}
    # No date column: rows take the start of the title's date range.
    assert {r["date"] for r in rows} == {dt.date(2024, 3, 1)}
    assert rows[0]["category"] == "media"
    assert rows[0]["channel"] == "paid_search"
    assert [(a["line"], a["reason"]) for a in aside] == [(6, "total or footer row")]


def test_utf16be_with_bom(read):
    report, rows, _ = read("costs_utf16be.csv")
    assert report.encoding == "utf-16-be"
    assert [r["vendor"] for r in rows] == ["Ädler GmbH", "Øster AS"]
    assert [r["amount"] for r in rows] == [100.5, 200.0]


def test_cp1252_semicolon_decimal_comma(read):
    report, rows, _ = read("costs_cp1252.csv")
    assert report.encoding == "cp1252"
    assert report.delimiter == ";"
    assert rows[0]["vendor"] == "Café “Nord”"
    # "1.234,56 €": '.' groups thousands, ',' is the decimal separator.
    assert [r["amount"] for r in rows] == [1234.56, 12.0]
    assert [r["currency"] for r in rows] == ["EUR", "EUR"]
    # 15.03.2024 proves day-first for the column.
    assert [r["date"] for r in rows] == [dt.date(2024, 3, 1), dt.date(2024, 3, 15)]


def test_latin1_without_cp1252_bytes(read):
    report, rows, _ = read("accounts_latin1.csv")
    assert report.encoding == "latin-1"
    assert [r["name"] for r in rows] == ["Müller Söhne", "Société Générale"]


def test_excel_sep_line_and_bom(read):
    report, rows, _ = read("opps_sep_line.csv")
    assert report.encoding == "utf-8-sig"
    assert report.delimiter == ";"
    assert report.header_line == 2
    assert report.skipped_lines == {"title or comment line": 1}
    # R$ 100.000,00 with a non-breaking space after the symbol.
    assert [r["amount"] for r in rows] == [100000.0, 2500.5]
    assert [r["currency"] for r in rows] == ["BRL", "BRL"]
    assert [r["close_date"] for r in rows] == [dt.date(2023, 12, 25), dt.date(2024, 2, 1)]


def test_pipe_delimited_activities(read):
    report, rows, _ = read("activities_pipe.txt")
    assert report.delimiter == "|"
    assert [r["activity_type"] for r in rows] == ["call", "meeting", "other"]
    assert [r["status"] for r in rows] == ["completed", "no_show", "sent"]
    assert rows[0]["occurred_at"] == dt.datetime(2024, 1, 5, 9, 30)
    assert rows[1]["occurred_at"] == dt.datetime(2024, 1, 6, 14, 15)
    # Emails are trimmed but keep their case; the identity step compares them case-folded.
    assert rows[0]["contact_email"] == "Ann@Example.COM"
    assert any("outside the known vocabulary" in n for n in report.notes)


def test_multiline_fields_keep_physical_lines(read):
    _, rows, _ = read("opps_multiline.csv")
    # M1 spans lines 2-3, M2 lines 4-6, M3 is line 7.
    assert [r["source_line"] for r in rows] == [2, 4, 7]
    assert rows[1]["name"] == "One\nTwo\nThree"


def test_salesforce_report_footer_lines(read):
    report, rows, aside = read("salesforce_report.csv")
    assert report.profile == "salesforce_opportunity_report"
    assert report.rows_read == 7
    assert report.rows_used == 2
    assert report.rows_set_aside == {"total or footer row": 3, "blank row": 2}
    assert [a["line"] for a in aside if a["reason"] == "total or footer row"] == [5, 7, 8]
    assert [r["amount"] for r in rows] == [1234.56, -1000.0]


def test_salesforce_ids_normalised(read):
    _, rows, _ = read("salesforce_report.csv")
    # 18-character ids with a valid checksum become their 15-character form.
    assert rows[0]["opportunity_id"] == "0065g00000AbCdE"
    assert rows[0]["account_id"] == "0015g00000XyZaB"
    assert rows[1]["opportunity_id"] == "0065g00000AbCdF"
    # The Salesforce null id reads as missing.
    assert rows[1]["account_id"] is None
    assert rows[0]["created_at"] == dt.datetime(2024, 1, 2, 9, 5)
    assert rows[1]["created_at"] == dt.datetime(2024, 1, 3, 16, 45)


def test_linkedin_report_lines_and_currencies(read):
    report, rows, _ = read("linkedin_campaigns.csv")
    assert report.profile == "linkedin_campaign_manager"
    assert report.header_line == 4
    assert report.skipped_lines == {"title or comment line": 3}
    assert [r["currency"] for r in rows] == ["USD", "EUR"]
    assert report.currencies == ["EUR", "USD"]
    assert any("mixed currencies" in n for n in report.notes)


def test_analytics_comment_lines(read):
    report, rows, _ = read("analytics_comments.csv", table="costs", constants={"category": "media"})
    assert report.header_line == 5
    assert report.skipped_lines == {"title or comment line": 4}
    assert [r["date"] for r in rows] == [dt.date(2024, 1, 1), dt.date(2024, 1, 2)]
    assert [r["campaign_name"] for r in rows] == [None, "spring"]
    assert report.placeholders == {"campaign_name": 1}


def test_meta_no_data_row(read):
    report, rows, aside = read("meta_no_data.csv")
    assert report.profile == "meta_ads"
    assert rows == []
    assert report.rows_set_aside == {'no data row ("No data available.")': 1}


def test_meta_currency_from_header(read):
    _, rows, _ = read("meta_ads.csv")
    assert rows[0]["currency"] == "GBP"
    assert rows[0]["amount"] == 99.9


def test_messy_headers_and_damaged_ids(read):
    report, rows, aside = read("contacts_messy.csv")
    assert "Name.2" in report.unmapped_columns
    assert [r["contact_id"] for r in rows] == ["00123", "1.23457E+11", "003000000000001"]
    assert rows[0]["email"] == "ANN@EXAMPLE.COM"
    assert report.placeholders == {"lead_source": 3}
    assert [a["reason"] for a in aside] == ["blank row"]
    damaged = [p for p in report.problems if "scientific notation" in p.message]
    assert [(p.line, p.value) for p in damaged] == [(4, "1.23457E+11")]
    # Excel serial 45292 is 2024-01-01.
    assert rows[1]["created_at"] == dt.datetime(2024, 1, 1)


def test_crlf_duplicate_key(read):
    report, rows, aside = read("opps_crlf_dupkey.csv")
    assert [(r["opportunity_id"], r["stage"]) for r in rows] == [("K1", "Open"), ("K2", "Open")]
    assert aside == [{"file": "opps_crlf_dupkey.csv", "line": 3, "reason": "duplicate key", "column": "opportunity_id", "value": "K1"}]


def test_xlsx_sheet_choice_and_totals(read):
    report, rows, aside = read("pipeline.xlsx")
    assert report.sheet == "Pipeline"
    assert report.sheets == ["Notes", "Pipeline", "Other"]
    assert report.header_line == 3
    assert [r["opportunity_id"] for r in rows] == ["000123", "000124"]
    assert rows[0]["close_date"] == dt.date(2024, 2, 29)
    # Serial 45293.5 is noon on 2024-01-02.
    assert rows[1]["created_at"] == dt.datetime(2024, 1, 2, 12, 0)
    assert [(a["line"], a["reason"]) for a in aside] == [(6, "total or footer row")]


def test_xlsx_named_sheet(read):
    report, rows, _ = read("pipeline.xlsx", sheet="Other")
    assert report.sheet == "Other"
    assert [r["opportunity_id"] for r in rows] == ["X1"]


def test_xlsx_unknown_sheet_raises(read):
    with pytest.raises(InputFileError, match="sheet 'Nope' not found"):
        read("pipeline.xlsx", sheet="Nope")


def test_garbage_file_raises(read):
    with pytest.raises(InputFileError, match="no canonical table matches"):
        read("garbage.csv")


def test_missing_file_raises(read):
    with pytest.raises(InputFileError, match="file not found"):
        read("nope.csv")


def test_utf16le_without_bom(tmp_path, make_engagement):
    (tmp_path / "deals.tsv").write_bytes("opportunity_id\tstage\nU1\tOpen\n".encode("utf-16-le"))
    report, used, _ = read_file(make_engagement(tmp_path), FileSpec(path="deals.tsv"))
    assert report.encoding == "utf-16-le"
    assert used.to_pylist()[0]["opportunity_id"] == "U1"


def test_empty_file_raises(tmp_path, make_engagement):
    (tmp_path / "empty.csv").write_bytes(b"\n\n")
    with pytest.raises(InputFileError, match="file is empty"):
        read_file(make_engagement(tmp_path), FileSpec(path="empty.csv"))


def test_header_only_file(tmp_path, make_engagement):
    (tmp_path / "deals.csv").write_text("opportunity_id,stage\n", encoding="utf-8")
    report, used, _ = read_file(make_engagement(tmp_path), FileSpec(path="deals.csv"))
    assert report.rows_read == 0
    assert used.num_rows == 0


def test_unbalanced_quote_is_reported(tmp_path, make_engagement):
    (tmp_path / "deals.csv").write_text('opportunity_id,name,stage\nQ1,"Unclosed,Open\nQ2,Fine,Open\n', encoding="utf-8")
    report, used, _ = read_file(make_engagement(tmp_path), FileSpec(path="deals.csv"))
    # Lines 2-3 become one record of two fields because the quote never closes,
    # so the record has no stage and is set aside.
    assert report.rows_read == 1
    assert used.num_rows == 0
    assert report.rows_set_aside == {"missing required value: stage": 1}
    assert any("unbalanced double quote" in n and "line 2" in n for n in report.notes)
    assert any("1 records span more than one line" in n for n in report.notes)


def test_multiline_note_counts_records(read):
    report, _, _ = read("opps_multiline.csv")
    assert "2 records span more than one line because quoted fields hold line breaks" in report.notes


def test_corrupt_workbook_raises(tmp_path, make_engagement):
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputFileError, match="not a readable Excel workbook"):
        read_file(make_engagement(tmp_path), FileSpec(path="broken.xlsx"))


def test_problems_capped_with_count(tmp_path, make_engagement):
    rows = ["opportunity_id,stage,amount"] + [f"P{i},Open,abc{i}" for i in range(60)] + [",Open,1"] * 60
    (tmp_path / "many.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    report, _, _ = read_file(make_engagement(tmp_path), FileSpec(path="many.csv"))
    assert report.rows_set_aside == {"missing required value: opportunity_id": 60}
    assert report.values_read_as_missing == {"amount": 60}
    # 60 set-aside rows and 3 amount examples: 50 shown, 13 counted.
    assert len(report.problems) == 50
    assert report.problems_not_shown == 13


def test_wrong_configured_encoding_raises(read):
    # Line 2 of costs_cp1252.csv contains 0xe9, "é" in cp1252 and invalid UTF-8.
    with pytest.raises(InputFileError, match=r"line 2: file is not valid UTF-8 \(byte 0xe9\)"):
        read("costs_cp1252.csv", encoding="utf-8")


def test_configured_encoding_used(read):
    report, rows, _ = read("accounts_latin1.csv", encoding="cp1252")
    assert report.encoding == "cp1252"
    assert rows[0]["name"] == "Müller Söhne"


def test_configured_columns_disable_guessing(tmp_path):
    from audit_lib.config import engagement_from_dict
    from audit_lib.intake import run_intake

    (tmp_path / "deals.csv").write_text("id,stage,declared_monthly_revenue\nd1,Won,500\n", encoding="utf-8")
    engagement = engagement_from_dict(
        {
            "name": "t",
            "client": "c",
            "period": {"start": "2025-01-01", "end": "2025-12-31"},
            "files": [{"path": "deals.csv", "table": "opportunities", "columns": {"id": "opportunity_id", "stage": "stage"}}],
        },
        root=tmp_path,
    )
    report = run_intake(engagement, tmp_path / "cache").to_dict()
    mapping = {m["header"]: m["column"] for m in report["files"][0]["mapping"]}
    # Listing columns in engagement.yaml means exactly those: the revenue column is not guessed as amount.
    assert mapping == {"id": "opportunity_id", "stage": "stage"}
    assert "declared_monthly_revenue" in report["files"][0]["unmapped_columns"]
