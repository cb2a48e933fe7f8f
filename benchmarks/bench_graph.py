"""Time and peak memory of compute_metrics and compute_graph on a large seeded data set.

Usage:
    python benchmarks/bench_graph.py [--activities 5000000] [--data DIR]

The script writes its own seeded canonical tables (hashes of row numbers,
so the same size gives the same rows) as Parquet files and reads them
through ``open_store`` as the pipeline does. It does not use
``benchmarks/generate.py``, because that writes raw exports that need
intake first, and this benchmark measures the steps after intake. The
metrics and the graph run in a child process so that its peak resident
memory (ru_maxrss) excludes the generator. Goal: under 10 s and 1.5 GB with
5M activities.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

PERIOD = {"start": "2026-01-01", "end": "2026-06-30"}
CHANNELS = ["paid search", "paid social", "email", "events", "webinar", "content", "referral", "display"]
OWNERS = 200


def _pick(seed: int, modulus: int) -> str:
    """SQL for a deterministic pseudo-random integer in [0, modulus) from row number i."""
    return f"CAST(hash(i * 1000003 + {seed}) % {modulus} AS BIGINT)"


def generate(folder: Path, activities: int) -> dict[str, int]:
    """Write seeded canonical tables as Parquet into ``folder`` and return their row counts."""
    from audit_lib.schema import TABLES, duckdb_columns

    accounts = max(activities // 250, 10)
    contacts = accounts * 5
    sizes = {"accounts": accounts, "contacts": contacts, "opportunities": accounts * 2, "touches": max(activities // 5, 10),
             "activities": activities, "campaigns": len(CHANNELS) * 4, "users": OWNERS, "costs": 6 * (len(CHANNELS) * 4 + OWNERS)}
    channels = "[" + ", ".join(f"'{c}'" for c in CHANNELS) + "]"
    day = "DATE '2025-07-01' + CAST({} AS INTEGER)"
    campaigns = sizes["campaigns"]
    queries = {
        "accounts": f"SELECT 'a' || i AS account_id, 'Account ' || i AS name FROM range({accounts}) t(i)",
        "contacts": f"""SELECT 'c' || i AS contact_id, 'Person' || i || '@Example.com' AS email, 'a' || (i % {accounts}) AS account_id,
                        ({day.format(_pick(1, 300))})::TIMESTAMP AS created_at, TRUE AS is_lead,
                        {channels}[1 + {_pick(2, len(CHANNELS))}] AS lead_source FROM range({contacts}) t(i)""",
        "opportunities": f"""SELECT 'o' || i AS opportunity_id, 'a' || (i % {accounts}) AS account_id,
                        CASE WHEN {_pick(3, 4)} > 0 THEN 'c' || (i % {accounts} + {accounts} * {_pick(4, 5)}) END AS contact_id,
                        CASE WHEN {_pick(5, 10)} < 4 THEN 'Closed Won' WHEN {_pick(5, 10)} < 8 THEN 'Closed Lost' ELSE 'Qualified' END AS stage,
                        CAST(1000 + {_pick(6, 100)} * 500 AS DOUBLE) AS amount, 'u' || {_pick(7, OWNERS)} AS owner_id,
                        'k' || {_pick(8, campaigns)} AS campaign_id, DATE '2026-01-01' + CAST({_pick(9, 181)} AS INTEGER) AS close_date,
                        (DATE '2025-10-01' + CAST({_pick(10, 180)} AS INTEGER))::TIMESTAMP AS created_at
                        FROM range({sizes['opportunities']}) t(i)""",
        "touches": f"""SELECT 't' || i AS touch_id, CASE WHEN {_pick(11, 10)} > 0 THEN 'k' || {_pick(12, campaigns)} END AS campaign_id,
                        CASE WHEN {_pick(13, 2)} = 0 THEN 'PERSON' || {_pick(14, contacts)} || '@example.com ' END AS contact_email,
                        CASE WHEN {_pick(13, 2)} = 1 THEN 'a' || {_pick(15, accounts)} END AS account_id,
                        ({day.format(_pick(16, 365))})::TIMESTAMP AS occurred_at FROM range({sizes['touches']}) t(i)""",
        "activities": f"""SELECT 'x' || i AS activity_id, ['call', 'email', 'meeting', 'sequence_step'][1 + {_pick(17, 4)}] AS activity_type,
                        CASE WHEN {_pick(18, 10)} = 0 THEN 'cancelled' ELSE 'completed' END AS status,
                        ({day.format(_pick(19, 365))})::TIMESTAMP AS occurred_at, 'c' || {_pick(20, contacts)} AS contact_id,
                        'a' || ({_pick(20, contacts)} % {accounts}) AS account_id, 'u' || {_pick(21, OWNERS)} AS owner_id
                        FROM range({activities}) t(i)""",
        "campaigns": f"SELECT 'k' || i AS campaign_id, {channels}[1 + i % {len(CHANNELS)}] AS channel FROM range({campaigns}) t(i)",
        "users": f"SELECT 'u' || i AS owner_id, 'team' || (i % 8) AS team FROM range({OWNERS}) t(i)",
        "costs": f"""SELECT 'media' || i AS cost_id, DATE '2026-01-01' + INTERVAL (i % 6) MONTH AS date, 'media' AS category,
                        CAST(5000 + {_pick(22, 50)} * 1000 AS DOUBLE) AS amount, 'k' || (i // 6) AS campaign_id,
                        {channels}[1 + (i // 6) % {len(CHANNELS)}] AS channel, CAST(NULL AS VARCHAR) AS owner_id
                        FROM range({6 * campaigns}) t(i)
                     UNION ALL
                     SELECT 'pay' || i, DATE '2026-01-01' + INTERVAL (i % 6) MONTH, 'headcount', 9000.0, NULL, NULL,
                        'u' || (i // 6) FROM range({6 * OWNERS}) t(i)""",
    }
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
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
    """Run compute_metrics and compute_graph once on the Parquet folder; return seconds and peak memory."""
    from audit_lib.config import engagement_from_dict
    from audit_lib.graph import compute_graph
    from audit_lib.metrics import compute_metrics
    from audit_lib.store import open_store

    engagement = engagement_from_dict({"name": "bench", "client": "bench", "period": PERIOD}, root=folder)
    con = open_store(folder)
    start = time.perf_counter()
    metrics = compute_metrics(con, engagement)
    middle = time.perf_counter()
    graph = compute_graph(con, engagement)
    end = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "metrics_seconds": round(middle - start, 2),
        "graph_seconds": round(end - middle, 2),
        "total_seconds": round(end - start, 2),
        "peak_rss_mb": round(peak_mb),
        "won_deals": graph["won_traceable"]["deals"],
        "deals_traceable": graph["won_traceable"]["deals_traceable"],
        "meetings_verified": metrics["outcomes"][0]["verified"],
        "effort_status": metrics["effort"]["status"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=5_000_000, help="number of activity rows to generate")
    parser.add_argument("--data", type=Path, help="folder for the generated Parquet files (default: a temporary folder)")
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)  # child process: measure an existing folder
    args = parser.parse_args()

    if args.run:
        print(json.dumps(run_once(args.run)))
        return

    with tempfile.TemporaryDirectory(prefix="bench_graph_") as scratch:
        folder = args.data or Path(scratch)
        start = time.perf_counter()
        sizes = generate(folder, args.activities)
        print(f"generated {sizes} in {time.perf_counter() - start:.1f} s", flush=True)
        child = subprocess.run([sys.executable, __file__, "--run", str(folder)], capture_output=True, text=True, check=False)
        if child.returncode != 0:
            sys.exit(f"metrics or graph failed:\n{child.stderr}")
        print(child.stdout.strip())


if __name__ == "__main__":
    main()
