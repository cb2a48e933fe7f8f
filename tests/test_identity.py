"""Identity keys: emails, free-mail domains, company names, Salesforce ids, match rates and duplicates."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from audit_lib.config import engagement_from_dict
from audit_lib.identity import (
    company_domain,
    duplicate_people,
    id_key_sql,
    is_free_mail,
    match_company_names,
    match_rates,
    normalise_company_name,
    normalise_email,
    salesforce_checksum,
    salesforce_id_15,
)
from audit_lib.store import load_frames

REAL_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "real_data"


def make_engagement(**extra):
    data = {"name": "Test", "client": "Client", "period": {"start": "2025-01-01", "end": "2025-06-30"}}
    data.update(extra)
    return engagement_from_dict(data, root=Path("."))


def test_normalise_email_trims_and_folds():
    assert normalise_email("  Ann.Lee@Example.COM ") == "ann.lee@example.com"
    assert normalise_email("not an email") is None
    assert normalise_email(None) is None


@pytest.mark.parametrize("domain", ["gmail.com", "Outlook.com", "yahoo.com", "hotmail.com", "gmx.de", "gmx.net", "qq.com", "163.com", "yahoo.fr"])
def test_free_mail_domains_detected(domain):
    assert is_free_mail(domain)


def test_company_domain_from_email_and_site():
    assert company_domain("ann@Acme.io") == "acme.io"
    assert company_domain("https://www.acme.io/about?x=1") == "acme.io"
    assert company_domain("acme.io:8080") == "acme.io"
    assert company_domain("bob@gmail.com") is None
    assert company_domain("www.gmx.net") is None
    assert company_domain("localhost") is None
    assert company_domain("  ") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME LLC", "acme"),
        ("Acme Ltd", "acme"),
        ("Müller GmbH", "müller"),
        ("Banco Uno S.A.", "banco uno"),
        ("Philips B.V.", "philips"),
        ("Smith & Sons Co., Ltd.", "smith and sons"),
        ("Limited", "limited"),
        (None, None),
    ],
)
def test_company_suffixes_removed(name, expected):
    assert normalise_company_name(name) == expected


def test_fuzzy_company_match_threshold():
    found = match_company_names(["Acme Inc", "Acme Corporaton", "Globex"], ["ACME, LLC", "Initech"], 90)
    assert found["Acme Inc"] == ("ACME, LLC", 100.0)
    # "acme corporaton" (typo) keeps its last word: token_sort_ratio against "acme" is below 90.
    assert found["Acme Corporaton"] is None
    assert found["Globex"] is None
    # A transposed letter scores above 90 once both suffixes are gone.
    typo = match_company_names(["Globex Industires"], ["Globex Industries Inc"], 90)["Globex Industires"]
    assert typo[0] == "Globex Industries Inc"
    assert 90 <= typo[1] < 100


def test_salesforce_id_checksum():
    # Checksum bits per 5-character chunk: upper-case positions. "001A0" -> bit 3 -> "I"; zeros -> "A".
    assert salesforce_checksum("001A0000000000B") == "IAQ"
    assert salesforce_id_15("001A0000000000BIAQ") == "001A0000000000B"
    # A wrong checksum or another length stays as it is.
    assert salesforce_id_15("001A0000000000BZZZ") == "001A0000000000BZZZ"
    assert salesforce_id_15(" 0015 ") == "0015"


def test_id_key_sql_matches_python():
    con = duckdb.connect()
    for value in ["001A0000000000BIAQ", "001A0000000000BZZZ", "abc", "001000000000001aaa"]:
        (key,) = con.execute(f"SELECT {id_key_sql('v')} FROM (SELECT ? AS v)", [value]).fetchone()
        assert key == salesforce_id_15(value), value


FRAMES = {
    "contacts": {
        "contact_id": ["c1", "c2", "c3", "c4"],
        "email": ["Ann@x.com", " ann@x.com", "bob@y.com", "bob@y.com"],
        "account_id": ["acc1", "acc1", "zz", None],
        "source_file": ["contacts.csv"] * 4,
        "source_line": [2, 3, 4, 5],
    },
    "accounts": {"account_id": ["acc1"], "name": ["Acme Inc"]},
    "activities": {
        "activity_id": ["a1", "a2", "a3"],
        "activity_type": ["call"] * 3,
        "occurred_at": ["2025-01-01"] * 3,
        "contact_email": ["ANN@x.com ", "nobody@q.com", None],
        "source_file": ["activities.csv"] * 3,
        "source_line": [2, 3, 4],
    },
    "opportunities": {
        "opportunity_id": ["o1", "o2", "o3"],
        "stage": ["Won"] * 3,
        "product": ["GTXPro", "GTX Basic", None],
        "account_id": ["acc1", None, "acc9"],
    },
    "products": {"product": ["GTX Pro", "GTX Basic"]},
    "costs": {"date": ["2025-01-01", "2025-01-01"], "category": ["media"] * 2, "amount": [1, 2], "campaign_id": ["k1", "k2"]},
    "touches": {"occurred_at": ["2025-01-01"], "campaign_id": ["k1"]},
}


@pytest.fixture(scope="module")
def rates():
    con = load_frames(duckdb.connect(), FRAMES)
    return {(r["left"], r["key"]): r for r in match_rates(con, make_engagement())}


def test_match_rate_activity_emails(rates):
    row = rates[("activities.contact_email", "email, trimmed and case-folded")]
    # a1 matches c1 after trimming and case-folding; a2 is unknown; a3 is blank and not counted.
    assert (row["left_count"], row["matched"], row["blank"]) == (2, 1, 1)
    assert row["rate"] == pytest.approx(0.5)
    assert row["unmatched_examples"] == [{"contact_email": "n***@q.com", "source_file": "activities.csv", "source_line": 3}]


def test_match_rate_case_only_emails(rates):
    row = rates[("activities.contact_email", "email, trimmed and case-folded")]
    # "ANN@x.com " is not spelled like any CRM email but joins once trimmed and case-folded.
    assert row["matched_only_after_normalising"] == 1
    assert row["unmatched_distinct"] == 1


def test_match_rate_email_without_at():
    frames = {
        "contacts": {"contact_id": ["c1"], "email": ["a@x.com"]},
        "activities": {"activity_id": ["a1", "a2"], "activity_type": ["call"] * 2, "occurred_at": ["2025-01-01"] * 2,
                       "contact_email": ["a@x.com", "not-an-email"]},
    }
    row = match_rates(load_frames(duckdb.connect(), frames), make_engagement())[0]
    # The value without @ is present, so it counts and it cannot match.
    assert (row["left_count"], row["matched"]) == (2, 1)


def test_match_rate_spend_unmatched_ids(rates):
    row = rates[("costs.campaign_id", "id, trimmed (Salesforce 18-character ids as 15)")]
    assert row["unmatched_ids"] == ["k2"]
    assert row["unmatched_amount_in_period"] == pytest.approx(2)


def test_match_rate_products_exact_and_normalised(rates):
    exact = rates[("opportunities.product", "exact text")]
    normal = rates[("opportunities.product", "text, case-folded without spaces or punctuation")]
    assert (exact["matched"], exact["left_count"]) == (1, 2)
    assert (normal["matched"], normal["left_count"]) == (2, 2)


def test_match_rate_spend_campaigns(rates):
    row = rates[("costs.campaign_id", "id, trimmed (Salesforce 18-character ids as 15)")]
    # k1 is among touches; k2 is nowhere. The campaigns table is empty, touches are not.
    assert row["right"] == "campaigns.campaign_id or touches.campaign_id"
    assert row["rate"] == pytest.approx(0.5)


def test_match_rates_skip_empty_sides(rates):
    lefts = {left for left, _ in rates}
    # Touches have no contact emails and users are empty: no such pairs.
    assert "touches.contact_email" not in lefts
    assert "activities.owner_id" not in lefts
    assert rates[("opportunities.account_id", "id, trimmed (Salesforce 18-character ids as 15)")]["rate"] == pytest.approx(0.5)


def test_duplicate_people_counts():
    con = load_frames(duckdb.connect(), FRAMES)
    people = duplicate_people(con)
    # ann@x.com: two contacts, two spellings; bob@y.com: two contacts, one spelling.
    assert people["contacts_with_email"] == 4
    assert people["case_or_spacing_groups"] == 1
    assert people["shared_email_groups"] == 2
    assert people["duplicate_contacts"] == 2
    assert people["duplicate_share"] == pytest.approx(0.5)
    assert people["examples"][0]["email"] == "A***@x.com"


def test_duplicate_people_empty_store():
    people = duplicate_people(load_frames(duckdb.connect(), {}))
    assert people["contacts_with_email"] == 0
    assert people["duplicate_share"] is None


@pytest.mark.real_data
def test_maven_product_exact_vs_normalised():
    folder = REAL_DATA / "maven_crm_sales_opportunities"
    if not folder.is_dir():
        pytest.skip(f"real exports not found at {folder}")
    pipeline = pd.read_csv(folder / "sales_pipeline.csv")
    products = pd.read_csv(folder / "products.csv")
    frames = {
        "opportunities": {"opportunity_id": pipeline["opportunity_id"], "stage": pipeline["deal_stage"], "product": pipeline["product"],
                          "account_id": pipeline["account"]},
        "products": {"product": products["product"]},
        "accounts": {"account_id": pd.read_csv(folder / "accounts.csv")["account"]},
    }
    rates = {(r["left"], r["key"]): r for r in match_rates(load_frames(duckdb.connect(), frames), make_engagement())}
    exact = rates[("opportunities.product", "exact text")]
    normal = rates[("opportunities.product", "text, case-folded without spaces or punctuation")]
    gtxpro = int((pipeline["product"] == "GTXPro").sum())
    assert exact["left_count"] - exact["matched"] == gtxpro
    assert normal["rate"] == 1.0
    accounts = rates[("opportunities.account_id", "id, trimmed (Salesforce 18-character ids as 15)")]
    assert accounts["blank"] == int(pipeline["account"].isna().sum())
