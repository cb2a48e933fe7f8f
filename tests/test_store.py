import pandas as pd
import pytest

from audit_lib.schema import TABLES
from audit_lib.store import connect, load_frames, open_store, row_count


def test_open_store_empty_tables(tmp_path):
    con = open_store(tmp_path)
    for name in TABLES:
        assert row_count(con, name) == 0


def test_open_store_reads_parquet(tmp_path):
    frame = pd.DataFrame({"opportunity_id": ["006A"], "stage": ["Won"], "amount": [10.0]})
    frame.to_parquet(tmp_path / "opportunities.parquet")
    con = open_store(tmp_path)
    assert con.execute("SELECT amount FROM opportunities").fetchone() == (10.0,)


def test_load_frames_casts_and_fills(tmp_path):
    con = connect()
    load_frames(con, {"costs": {"date": ["2025-01-31"], "category": ["media"], "amount": ["12.5"]}})
    row = con.execute("SELECT date, amount, currency FROM costs").fetchone()
    assert str(row[0]) == "2025-01-31"
    assert row[1] == 12.5
    assert row[2] is None


def test_load_frames_rejects_unknown_column():
    with pytest.raises(KeyError):
        load_frames(connect(), {"costs": {"amonut": [1]}})


def test_load_frames_twice_replaces_tables(tmp_path):
    con = open_store(tmp_path)
    load_frames(con, {"accounts": {"account_id": ["a"]}})
    load_frames(con, {"accounts": {"account_id": ["b", "c"]}})
    assert row_count(con, "accounts") == 2


def test_load_frames_over_parquet_views(tmp_path):
    pd.DataFrame({"account_id": ["x"]}).to_parquet(tmp_path / "accounts.parquet")
    con = open_store(tmp_path)
    load_frames(con, {"accounts": {"account_id": ["y"]}})
    assert con.execute("SELECT account_id FROM accounts").fetchall() == [("y",)]
