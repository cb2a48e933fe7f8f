"""DuckDB over the Parquet cache: the one place heavy queries run.

Intake writes one Parquet file per canonical table into the cache folder
(``<table>.parquet``). ``open_store`` exposes each as a DuckDB view of the
same name. A table with no export behind it becomes an empty table with the
canonical columns, so queries still run and checks can tell "no data" from
"no rows matched" with ``row_count``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .schema import TABLES, duckdb_columns


def connect(memory_limit: str = "4GB", threads: int | None = None, spill_dir: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(database=":memory:")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if spill_dir:
        Path(spill_dir).mkdir(parents=True, exist_ok=True)
        con.execute("SET temp_directory = ?", [str(spill_dir)])
    con.execute("SET preserve_insertion_order = false")
    return con


def open_store(cache_dir: str | Path, con: duckdb.DuckDBPyConnection | None = None, **connect_args) -> duckdb.DuckDBPyConnection:
    """Return a connection with one view per canonical table from ``cache_dir``."""
    cache_dir = Path(cache_dir)
    con = con or connect(**connect_args)
    for name, table in TABLES.items():
        parquet = cache_dir / f"{name}.parquet"
        if parquet.exists():
            source = "read_parquet(" + _sql_literal(str(parquet)) + ")"
            present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
            select = ", ".join(
                f'CAST("{c}" AS {t}) AS "{c}"' if c in present else f'CAST(NULL AS {t}) AS "{c}"'
                for c, t in duckdb_columns(table)
            )
            con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {select} FROM {source}")
        else:
            cols = ", ".join(f'"{c}" {t}' for c, t in duckdb_columns(table))
            con.execute(f"CREATE OR REPLACE TABLE {name} ({cols})")
    return con


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ? AND table_schema = current_schema()",
        [name],
    ).fetchone()
    if kind is None:
        return
    con.execute(f"DROP {'VIEW' if kind[0] == 'VIEW' else 'TABLE'} {name}")


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    # fetchall, not fetchone: DuckDB 2.0 keeps an unfinished result open otherwise.
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def load_frames(con: duckdb.DuckDBPyConnection, frames: dict) -> duckdb.DuckDBPyConnection:
    """Create canonical tables from small pandas frames (tests and notebooks).

    Missing canonical columns are added as NULLs of the right type, and
    tables absent from ``frames`` are created empty.
    """
    import pandas as pd

    for name, table in TABLES.items():
        cols = duckdb_columns(table)
        frame = frames.get(name)
        _drop_relation(con, name)
        con.execute(f"CREATE TABLE {name} (" + ", ".join(f'"{c}" {t}' for c, t in cols) + ")")
        if frame is None or len(frame) == 0:
            continue
        frame = pd.DataFrame(frame)
        unknown = set(frame.columns) - {c for c, _ in cols}
        if unknown:
            raise KeyError(f"table {name!r} has no columns {sorted(unknown)}")
        con.register("_incoming", frame)
        select = ", ".join(
            f'CAST(_incoming."{c}" AS {t})' if c in frame.columns else f"CAST(NULL AS {t})" for c, t in cols
        )
        con.execute(f"INSERT INTO {name} SELECT {select} FROM _incoming")
        con.unregister("_incoming")
    return con
