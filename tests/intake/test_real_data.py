"""Real third-party exports: every row accounted for, sums checked by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from audit_lib.config import Engagement, FileSpec, Period
from audit_lib.intake import read_file

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "real_data"

pytestmark = [
    pytest.mark.real_data,
    pytest.mark.skipif(not REAL.is_dir(), reason="real third-party exports not present in ../shared/real_data"),
]


def read(path: str, **spec):
    engagement = Engagement(name="r", client="r", period=Period(start=dt.date(2016, 1, 1), end=dt.date(2026, 12, 31)), root=REAL)
    report, used, aside = read_file(engagement, FileSpec(path=path, **spec))
    assert report.rows_read == report.rows_used + sum(report.rows_set_aside.values())
    return report, used.to_pylist(), aside.to_pylist()


def cents(rows) -> int:
    return round(sum(r["amount"] for r in rows) * 100)


def test_google_ads_usd_cost_sum():
    # The title line reads "All time", so it gives no date.
    report, rows, aside = read("google_ads_campaign_reports/campaign_report_usd.csv", constants={"date": "2025-01-01"})
    assert report.profile == "google_ads"
    assert len(rows) == 12
    assert report.rows_set_aside == {"total or footer row": 5}
    # 2691.41 + 3296.57 + 7298.62 + 50252.14 + 1.30 + 103606.77 + 11381.19
    # + 8355.77 + 0.00 + 2580.86 + 5185.25 + 4771.27 = 199421.15,
    # equal to the file's "Total: Campaigns" row.
    assert cents(rows) == 19942115
    assert {r["currency"] for r in rows} == {"USD"}
    assert rows[1]["campaign_name"] == "Deck, siding & other_Remarketing_RSL"
    # "795,836" in quotes is 795836 impressions.
    assert rows[0]["impressions"] == 795836


def test_google_ads_inr_cost_sum():
    report, rows, _ = read("google_ads_campaign_reports/campaign_report_inr.csv")
    assert len(rows) == 2
    assert report.rows_set_aside == {"total or footer row": 4}
    # 1661.67 + 904.26 = 2565.93 (the file's total row rounds to 2565.92).
    assert cents(rows) == 256593
    assert {r["currency"] for r in rows} == {"INR"}
    assert {r["date"] for r in rows} == {dt.date(2025, 7, 8)}


def test_google_ads_eur_zero_spend():
    report, rows, _ = read("google_ads_campaign_reports/campaign_report_eur_zero_spend.csv")
    assert len(rows) == 3
    assert report.rows_set_aside == {"total or footer row": 3}
    assert cents(rows) == 0
    assert rows[2]["campaign_name"] == "Οδοντικά Εμφυτεύματα Αθήνα"


def test_maven_pipeline_every_row():
    report, rows, aside = read("maven_crm_sales_opportunities/sales_pipeline.csv")
    assert report.table == "opportunities"
    assert report.rows_read == 8800
    assert report.rows_used == 8800
    assert aside == []
    products = {r["product"] for r in rows}
    # Product text is kept exactly; GTXPro vs GTX Pro is for the join step.
    assert "GTXPro" in products
    assert "GTX Pro" not in products
    assert rows[0]["opportunity_id"] == "1C1I7A6R"
    assert rows[0]["close_date"] == dt.date(2017, 3, 1)
    assert rows[0]["amount"] == 1054.0
    # CRLF line ends: the last record sits on physical line 8801.
    assert rows[-1]["source_line"] == 8801


def test_maven_products_exact_text():
    _, rows, _ = read("maven_crm_sales_opportunities/products.csv")
    assert len(rows) == 7
    assert "GTX Pro" in {r["product"] for r in rows}


def test_olist_leads_every_row():
    report, rows, _ = read(
        "olist_marketing_funnel/olist_marketing_qualified_leads_dataset.csv",
        table="contacts",
        columns={"mql_id": "contact_id", "first_contact_date": "created_at", "origin": "lead_source"},
        constants={"is_lead": True},
    )
    assert report.rows_read == 8000
    assert report.rows_used == 8000
    # 1,099 "unknown" origins are placeholders; 60 blank ones are plain missing values.
    assert report.placeholders == {"lead_source": 1099}
    assert sum(1 for r in rows if r["lead_source"] is None) == 1099 + 60


def test_olist_closed_deals_every_row():
    report, rows, _ = read(
        "olist_marketing_funnel/olist_closed_deals_dataset.csv",
        table="opportunities",
        columns={"mql_id": "opportunity_id", "won_date": "close_date", "declared_monthly_revenue": "amount", "sr_id": "owner_id"},
        constants={"stage": "Won", "is_won": True},
    )
    assert report.rows_read == 842
    assert report.rows_used == 842
    assert sum(1 for r in rows if r["amount"] == 0) == 797
    assert rows[0]["close_date"] == dt.date(2018, 2, 26)
