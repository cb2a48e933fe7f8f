"""Measure intake throughput against pyarrow's bare CSV reader on the same files.

Usage:
    .venv/bin/python benchmarks/bench_intake.py [--rows 1000000] [--data DIR] [--seed 7] [--no-stream]

Without ``--data`` it writes a seeded set of activity and cost CSVs to a
temporary folder. ``--data`` takes an engagement folder (its engagement.yaml
is used, e.g. the output of benchmarks/generate.py) or a folder of CSVs. ``--no-stream`` reads
every file whole, to compare the two paths with the same memory cap. Each measurement runs in a fresh subprocess so that peak
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
skips = json.loads(sys.argv[1])
start = time.perf_counter()
# Footer rows of another width are skipped, as a bare read must to get through.
parse = pc.ParseOptions(invalid_row_handler=lambda row: "skip")
rows = sum(pc.read_csv(p, read_options=pc.ReadOptions(skip_rows=skips[p]), parse_options=parse).num_rows for p in sys.argv[2:])
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

INTAKE_STEP = """
import sys, time, resource, json, tempfile, datetime as dt
from pathlib import Path
from audit_lib.config import Engagement, FileSpec, Period, load_engagement
from audit_lib.intake import run_intake, stream
root = Path(sys.argv[1])
if sys.argv[2] == "--no-stream":
    stream.STREAM_MIN_BYTES = 1 << 62
if (root / "engagement.yaml").exists():
    engagement = load_engagement(root)
else:
    files = [FileSpec(path=Path(p).relative_to(root).as_posix()) for p in sys.argv[3:]]
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


def run_step(code: str, args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def find_files(folder: Path) -> list[Path]:
    """Return the CSVs an engagement.yaml lists, else every CSV under the folder."""
    config = folder / "engagement.yaml"
    if config.exists():
        from audit_lib.config import load_engagement

        return [folder / spec.path for spec in load_engagement(folder).files]
    return sorted(folder.rglob("*.csv"))


def lines_before_header(path: Path) -> int:
    """Count title lines before the header, so pyarrow's bare read can skip them too."""
    from audit_lib.intake.reader import read_delimited

    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    head = head[: head.rfind(b"\n") + 1] or head
    return read_delimited(head, path.name).header_line - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="activity rows to generate [default: 1000000]")
    parser.add_argument("--data", type=Path, help="folder to read instead of generated data: an engagement (its engagement.yaml is used) or a folder of CSVs")
    parser.add_argument("--seed", type=int, default=7, help="random seed for generated data [default: 7]")
    parser.add_argument("--no-stream", action="store_true", help="read every file whole instead of streaming large ones")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-intake-") as scratch:
        if args.data:
            root = args.data.resolve()
            paths = find_files(root)
        else:
            root = Path(scratch)
            start = time.perf_counter()
            paths = generate(root, args.rows, args.seed)
            print(f"generated {args.rows} activity rows in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        skips = json.dumps({str(p): lines_before_header(p) for p in paths})
        bare = run_step(PYARROW_STEP, [skips, *map(str, paths)])
        intake = run_step(INTAKE_STEP, [str(root), "--no-stream" if args.no_stream else "--", *map(str, paths)])

    ratio = bare["seconds"] / intake["seconds"]
    print(f"| step | rows | seconds | rows/s | MB/s | peak MB |")
    print(f"|---|---:|---:|---:|---:|---:|")
    for name, m in (("pyarrow.csv.read_csv", bare), ("run_intake", intake)):
        print(f"| {name} | {m['rows']:,} | {m['seconds']:.2f} | {m['rows'] / m['seconds']:,.0f} | {size_mb / m['seconds']:.1f} | {m['peak_mb']:.0f} |")
    print(f"\nintake throughput / pyarrow throughput = {ratio:.2f} ({size_mb:.0f} MB of CSV)")


if __name__ == "__main__":
    main()
