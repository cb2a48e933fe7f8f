"""Measure intake throughput against pyarrow's bare CSV reader on the same files.

Usage:
    .venv/bin/python benchmarks/bench_intake.py [--rows 1000000] [--data DIR] [--seed 7]

Without ``--data`` it writes a seeded set of activity and cost CSVs to a
temporary folder. Each measurement runs in a fresh subprocess so that peak
memory (``ru_maxrss``) belongs to that step alone. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYARROW_STEP = """
import sys, time, resource, json
import pyarrow.csv as pc
start = time.perf_counter()
rows = sum(pc.read_csv(p).num_rows for p in sys.argv[1:])
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

INTAKE_STEP = """
import sys, time, resource, json, tempfile, datetime as dt
from pathlib import Path
from audit_lib.config import Engagement, FileSpec, Period
from audit_lib.intake import run_intake
paths = [Path(p) for p in sys.argv[1:]]
root = paths[0].parent
files = [FileSpec(path=p.name) for p in paths]
engagement = Engagement(name="bench", client="bench", period=Period(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)), root=root, files=files)
start = time.perf_counter()
with tempfile.TemporaryDirectory() as cache:
    report = run_intake(engagement, Path(cache))
print(json.dumps({"seconds": time.perf_counter() - start, "rows": report.totals()["rows_read"],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

TYPES = ["Call", "Email", "Meeting", "Sequence step"]
STATUSES = ["Completed", "Scheduled", "No show", "Bounced", "Replied"]


def generate(folder: Path, rows: int, seed: int) -> list[Path]:
    """Write seeded activities.csv (``rows`` rows) and costs.csv (rows / 80) in US formats."""
    rng = random.Random(seed)
    activities = folder / "activities.csv"
    with activities.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Activity ID,Type,Date,Status,Contact ID,Email,Owner,Duration,Subject\n")
        for i in range(rows):
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            hour, minute = rng.randint(1, 12), rng.randint(0, 59)
            fh.write(
                f"A{i:08d},{rng.choice(TYPES)},{month}/{day}/2024 {hour}:{minute:02d} {rng.choice(('AM', 'PM'))},"
                f"{rng.choice(STATUSES)},C{rng.randint(1, 300000):07d},person{rng.randint(1, 300000)}@example.com,"
                f"U{rng.randint(1, 80):03d},{rng.randint(1, 60)},\"Follow up, step {rng.randint(1, 9)}\"\n"
            )
    costs = folder / "costs.csv"
    with costs.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Date,Category,Amount,Channel,Campaign,Vendor\n")
        for i in range(max(rows // 80, 1)):
            fh.write(
                f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},media,\"${rng.randint(1, 500000) / 100:,.2f}\","
                f"paid_search,Campaign {rng.randint(1, 400)},Google Ads\n"
            )
    return [activities, costs]


def run_step(code: str, paths: list[Path]) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *map(str, paths)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="activity rows to generate [default: 1000000]")
    parser.add_argument("--data", type=Path, help="folder of CSV exports to read instead of generated data")
    parser.add_argument("--seed", type=int, default=7, help="random seed for generated data [default: 7]")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-intake-") as scratch:
        if args.data:
            paths = sorted(args.data.glob("*.csv"))
        else:
            start = time.perf_counter()
            paths = generate(Path(scratch), args.rows, args.seed)
            print(f"generated {args.rows} activity rows in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        bare = run_step(PYARROW_STEP, paths)
        intake = run_step(INTAKE_STEP, paths)

    ratio = bare["seconds"] / intake["seconds"]
    print(f"| step | rows | seconds | rows/s | MB/s | peak MB |")
    print(f"|---|---:|---:|---:|---:|---:|")
    for name, m in (("pyarrow.csv.read_csv", bare), ("run_intake", intake)):
        print(f"| {name} | {m['rows']:,} | {m['seconds']:.2f} | {m['rows'] / m['seconds']:,.0f} | {size_mb / m['seconds']:.1f} | {m['peak_mb']:.0f} |")
    print(f"\nintake throughput / pyarrow throughput = {ratio:.2f} ({size_mb:.0f} MB of CSV)")


if __name__ == "__main__":
    main()
