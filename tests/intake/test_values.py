"""Value parsers: hand-checked cases and property tests."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_lib.intake import values as vals

CON = duckdb.connect()


def parse(text: str | None, plan: vals.ColumnPlan):
    cleaned = vals.clean_sql("$1")
    return CON.execute(f"SELECT {vals.parse_sql('(' + cleaned + ')', plan)}", [text]).fetchall()[0][0]


MONEY_CASES = [
    ("$1,234.56", ".", 1234.56),
    ("(1,000.00)", ".", -1000.0),
    ("-$12", ".", -12.0),
    ("R$\u00a0100.000", ",", 100000.0),
    ("1.234,56 €", ",", 1234.56),
    ("USD 1 000.50", ".", 1000.5),
    ("12-", ".", -12.0),
    ("1.5E+3", ".", 1500.0),
    ("--", ".", None),
    ("abc", ".", None),
]


@pytest.mark.parametrize("text, decimal, expected", MONEY_CASES)
def test_money_cases(text, decimal, expected):
    assert parse(text, vals.ColumnPlan("money", decimal=decimal)) == expected


def test_money_currency_codes():
    for text, code in [("$5", "USD"), ("R$ 5", "BRL"), ("5 €", "EUR"), ("GBP 5", "GBP"), ("5", None)]:
        assert CON.execute(f"SELECT {vals.currency_sql('$1')}", [text]).fetchall()[0][0] == code


def test_percent_and_censored():
    assert parse("45.5%", vals.ColumnPlan("percent")) == 45.5
    # "< 10%" is censored: read as missing, never as 10.
    assert parse("< 10%", vals.ColumnPlan("percent")) is None


DATE_CASES = [
    ("2024-03-05", "MDY", dt.datetime(2024, 3, 5)),
    ("03/05/2024", "MDY", dt.datetime(2024, 3, 5)),
    ("03/05/2024", "DMY", dt.datetime(2024, 5, 3)),
    ("3/5/24 1:07 PM", "MDY", dt.datetime(2024, 3, 5, 13, 7)),
    ("12/31/2024 12:30 AM", "MDY", dt.datetime(2024, 12, 31, 0, 30)),
    ("2018.02.26 19:58", "MDY", dt.datetime(2018, 2, 26, 19, 58)),
    ("2024-01-12T15:00:00.000Z", "MDY", dt.datetime(2024, 1, 12, 15, 0)),
    ("20240105", "MDY", dt.datetime(2024, 1, 5)),
    ("45292", "MDY", dt.datetime(2024, 1, 1)),
    ("Mar 5, 2024", "MDY", dt.datetime(2024, 3, 5)),
    ("2024-02-30", "MDY", None),
    ("not a date", "MDY", None),
]


@pytest.mark.parametrize("text, order, expected", DATE_CASES)
def test_timestamp_cases(text, order, expected):
    assert parse(text, vals.ColumnPlan("timestamp", date_order=order)) == expected


def test_date_order_decisions():
    assert vals.decide_date_order(["13/01/2024", "01/02/2024"]) == ("DMY", None)
    assert vals.decide_date_order(["01/13/2024"]) == ("MDY", None)
    order, note = vals.decide_date_order(["01/02/2024"])
    assert order == "MDY"
    assert "ambiguous" in note
    assert vals.decide_date_order(["01/02/2024"], "DMY") == ("DMY", None)


def test_decimal_decisions():
    assert vals.decide_decimal(["1.234,56", "12,00"]) == (",", None)
    assert vals.decide_decimal(["1,234.56"]) == (".", None)
    separator, note = vals.decide_decimal(["1,234"])
    assert separator == "."
    assert "ambiguous" in note


def test_boolean_cases():
    for text, expected in [("Yes", True), ("no", False), ("1", True), ("0", False), ("Won", True), ("Lost", False), ("maybe", None)]:
        assert parse(text, vals.ColumnPlan("boolean")) is expected


def test_salesforce_null_and_long_ids():
    assert parse("000000000000000AAA", vals.ColumnPlan("id")) is None
    assert parse("0065g00000AbCdEAAV", vals.ColumnPlan("id")) == "0065g00000AbCdE"
    # Wrong checksum: not a Salesforce id, kept whole.
    assert parse("0065g00000AbCdEZZZ", vals.ColumnPlan("id")) == "0065g00000AbCdEZZZ"


@settings(max_examples=60, deadline=None)
@given(cents=st.integers(min_value=-10**11, max_value=10**11), symbol=st.sampled_from(["$", "€", "", "USD "]), parens=st.booleans())
def test_money_round_trip(cents, symbol, parens):
    amount = cents / 100
    body = f"{symbol}{abs(amount):,.2f}"
    if amount >= 0:
        text = body
    elif parens:
        text = f"({body})"
    else:
        text = "-" + body
    assert parse(text, vals.ColumnPlan("money", decimal=".")) == pytest.approx(amount, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**11))
def test_money_round_trip_decimal_comma(cents):
    amount = cents / 100
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") + " €"
    assert parse(text, vals.ColumnPlan("money", decimal=",")) == pytest.approx(amount, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(day=st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2099, 12, 31)), order=st.sampled_from(["MDY", "DMY"]))
def test_date_round_trip(day, order):
    text = day.strftime("%m/%d/%Y" if order == "MDY" else "%d/%m/%Y")
    assert parse(text, vals.ColumnPlan("date", date_order=order)) == day
    assert parse(day.isoformat(), vals.ColumnPlan("date", date_order=order)) == day


@settings(max_examples=60, deadline=None)
@given(text=st.from_regex(r"0{1,4}[0-9]{1,12}", fullmatch=True))
def test_ids_keep_leading_zeros(text):
    assert parse(text, vals.ColumnPlan("id")) == text


def test_time_zone_suffix_dropped():
    # The export's clock time is kept and the offset is ignored.
    for text in ["2024-01-12 15:00:00+02:00", "2024-01-12T15:00:00Z", "01/12/2024 15:00 +02:00"]:
        assert parse(text, vals.ColumnPlan("timestamp")) == dt.datetime(2024, 1, 12, 15, 0)
