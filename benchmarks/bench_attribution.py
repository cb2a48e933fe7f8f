"""Time and peak memory of compute_attribution on a large seeded data set.

Usage:
    python benchmarks/bench_attribution.py [--activities 5000000] [--data DIR]

The data set is generated in DuckDB from hashes of row numbers, so the same
size gives the same rows on every run. It is written as Parquet to DIR (a
temporary folder by default) and read through ``open_store`` as the pipeline
does. Attribution runs in a child process so that its peak resident memory
(ru_maxrss) excludes the generator. Goal: under 10 s and 1.5 GB with 5M
activities.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

PERIOD = {"start": "2026-01-01", "end": "2026-06-30"}
CHANNELS = ["paid search", "paid social", "email", "events", "webinar", "content", "referral", "display"]


def _pick(seed: int, modulus: int) -> str:
    """SQL for a deterministic pseudo-random integer in [0, modulus) from row number i."""
    return f"CAST(hash(i * 1000003 + {seed}) % {modulus} AS BIGINT)"


def generate(folder: Path, activities: int) -> dict[str, int]:
    """Write seeded canonical tables as Parquet into ``folder`` and return their row counts."""
    accounts = max(activities // 250, 10)
    sizes = {
        "accounts": accounts,
        "contacts": accounts * 5,
        "opportunities": accounts * 2,
        "touches": max(activities // 5, 10),
        "activities": activities,
        "costs": 6 * len(CHANNELS) * 4,
        "campaigns": len(CHANNELS) * 4,
    }
    channels = "[" + ", ".join(f"'{c}'" for c in CHANNELS) + "]"
    days = "DATE '2025-07-01' + CAST({} AS INTEGER)"
    queries = {
        "accounts": f"SELECT 'a' || i AS account_id, 'Account ' || i AS name FROM range({sizes['accounts']}) t(i)",
        "contacts": f"""SELECT 'c' || i AS contact_id, 'Person' || i || '@Example.com' AS email,
                        'a' || (i % {accounts}) AS account_id,
                        ({days.format(_pick(1, 300))})::TIMESTAMP AS created_at
                        FROM range({sizes['contacts']}) t(i)""",
        "opportunities": f"""SELECT 'o' || i AS opportunity_id, 'a' || (i % {accounts}) AS account_id,
                        'c' || (i % {accounts} + {accounts} * {_pick(2, 5)}) AS contact_id,
                        CASE WHEN {_pick(3, 10)} < 4 THEN 'Closed Won' WHEN {_pick(3, 10)} < 8 THEN 'Closed Lost' ELSE 'Negotiation' END AS stage,
                        {_pick(3, 10)} < 4 AS is_won, {_pick(3, 10)} < 8 AS is_closed,
                        CAST(1000 + {_pick(4, 100)} * 500 AS DOUBLE) AS amount,
                        DATE '2026-01-01' + CAST({_pick(5, 181)} AS INTEGER) AS close_date,
                        (DATE '2025-10-01' + CAST({_pick(6, 180)} AS INTEGER))::TIMESTAMP AS created_at
                        FROM range({sizes['opportunities']}) t(i)""",
        "touches": f"""SELECT 't' || i AS touch_id, 'k' || {_pick(7, 32)} AS campaign_id,
                        {channels}[1 + {_pick(7, 32)} % {len(CHANNELS)}] AS channel,
                        CASE WHEN {_pick(8, 2)} = 0 THEN 'PERSON' || {_pick(9, sizes['contacts'])} || '@example.com ' END AS contact_email,
                        CASE WHEN {_pick(8, 2)} = 1 THEN 'a' || {_pick(10, accounts)} END AS account_id,
                        ({days.format(_pick(11, 365))})::TIMESTAMP + to_minutes(CAST({_pick(12, 1440)} AS INTEGER)) AS occurred_at,
                        ['click', 'form_fill', 'member', 'responded'][1 + {_pick(13, 4)}] AS touch_type
                        FROM range({sizes['touches']}) t(i)""",
        "activities": f"""SELECT 'x' || i AS activity_id,
                        ['call', 'email', 'meeting', 'sequence_step'][1 + {_pick(14, 4)}] AS activity_type,
                        CASE WHEN {_pick(15, 10)} = 0 THEN 'cancelled' ELSE 'completed' END AS status,
                        ({days.format(_pick(16, 365))})::TIMESTAMP + to_minutes(CAST({_pick(17, 1440)} AS INTEGER)) AS occurred_at,
                        'c' || {_pick(18, sizes['contacts'])} AS contact_id,
                        'a' || ({_pick(18, sizes['contacts'])} % {accounts}) AS account_id
                        FROM range({sizes['activities']}) t(i)""",
        "campaigns": f"""SELECT 'k' || i AS campaign_id, 'Campaign ' || i AS name,
                        {channels}[1 + i % {len(CHANNELS)}] AS channel FROM range({sizes['campaigns']}) t(i)""",
        "costs": f"""SELECT 'cost' || i AS cost_id, DATE '2026-01-01' + INTERVAL (i % 6) MONTH AS date, 'media' AS category,
                        CAST(5000 + {_pick(20, 50)} * 1000 AS DOUBLE) AS amount, {channels}[1 + (i // 6) % {len(CHANNELS)}] AS channel,
                        'k' || (i // 6) AS campaign_id FROM range({sizes['costs']}) t(i)""",
    }
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    from audit_lib.schema import TABLES, duckdb_columns

    for name, query in queries.items():
        available = {c[0] for c in con.execute(f"DESCRIBE {query}").fetchall()}
        select = ", ".join(
            f'CAST("{c}" AS {t}) AS "{c}"' if c in available else f'CAST(NULL AS {t}) AS "{c}"'
            for c, t in duckdb_columns(TABLES[name])
        )
        con.execute(f"COPY (SELECT {select} FROM ({query})) TO '{folder / (name + '.parquet')}' (FORMAT parquet)")
    con.close()
    return sizes


def run_once(folder: Path) -> dict:
    """Run every model once on the Parquet folder; return seconds, peak memory and a summary."""
    from audit_lib.attribution import compute_attribution
    from audit_lib.config import engagement_from_dict
    from audit_lib.store import open_store

    engagement = engagement_from_dict({"name": "bench", "client": "bench", "period": PERIOD}, root=folder)
    con = open_store(folder)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = compute_attribution(con, engagement)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mb = after.ru_maxrss / 1024
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "peak_rss_mb": round(peak_mb),
        "status": result["status"],
        "won_deals": result.get("outcomes", {}).get("closed_won"),
        "paths": result.get("paths"),
        "events_in_window": result.get("events", {}).get("events_in_window"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=5_000_000, help="number of activity rows to generate")
    parser.add_argument("--data", type=Path, help="folder for the generated Parquet files (default: a temporary folder)")
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)  # child process: attribute an existing folder
    args = parser.parse_args()

    if args.run:
        print(json.dumps(run_once(args.run)))
        return

    with tempfile.TemporaryDirectory(prefix="bench_attribution_") as scratch:
        folder = args.data or Path(scratch)
        start = time.perf_counter()
        sizes = generate(folder, args.activities)
        print(f"generated {sizes} in {time.perf_counter() - start:.1f} s", flush=True)
        child = subprocess.run([sys.executable, __file__, "--run", str(folder)], capture_output=True, text=True, check=False)
        if child.returncode != 0:
            sys.exit(f"attribution failed:\n{child.stderr}")
        print(child.stdout.strip())


if __name__ == "__main__":
    main()
