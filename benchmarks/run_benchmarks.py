"""Time the whole audit against pyarrow's bare CSV parse and the notebook floor, side by side.

Usage:
    .venv/bin/python benchmarks/run_benchmarks.py --size small|mid|enterprise [--data DIR] [--keep] [--pdf/--no-pdf]

One run measures, in this order and each in its own subprocess:

1. ``stack-audit run DATA --out OUT`` twice with the same OUT, so the second
   run reads the Parquet cache that the first wrote.
2. ``pyarrow.csv.read_csv`` of the same CSV files (the reference parse).
3. papermill plus nbconvert on a one-cell notebook (the fixed floor).

Peak memory is measured two ways. ``max_rss_mb`` is
``getrusage(RUSAGE_CHILDREN).ru_maxrss``, read by a wrapper process after the
child exits. On Linux it is the largest resident set of any one process in the
tree (the audit process, the notebook kernel or a Chromium process), not their
sum. ``tree_rss_mb`` is the largest sum of resident memory of the whole process
tree, sampled from /proc every 0.2 s, so it can miss short spikes. Sampling
needs Linux; elsewhere it is left out.

Without ``--data`` the script generates the engagement with
benchmarks/generate.py under the system temporary folder (``TMPDIR``) and
deletes it at the end unless ``--keep`` is given. It rejects a folder without
enough free disk, or a RAM-backed one (tmpfs) for sets above 1 GB. The summary goes to ``--summary-dir``
(``bench-<size>.json`` and ``bench-<size>.md``) and is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from bench_intake import PYARROW_STEP, find_files, lines_before_header  # noqa: E402

SIZES = ("tiny", "small", "mid", "enterprise")
SAMPLE_SECONDS = 0.2
# Disk per generated activity row: the mid set wrote 984 MB of CSV for 5M activities (about
# 200 bytes a row with the other tables), and its Parquet cache took 423 MB, so 300 bytes covers both.
DISK_BYTES_PER_ACTIVITY = 300
RAM_FILESYSTEMS = ("tmpfs", "ramfs")

# Runs a command and prints the rusage of its finished process tree as the last stdout line.
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": code, "seconds": time.perf_counter() - start,
                  "max_rss_mb": usage.ru_maxrss / 1024, "user_seconds": usage.ru_utime, "system_seconds": usage.ru_stime}))
"""

FLOOR_STEP = """
import json, sys, tempfile, time
from pathlib import Path
import nbformat
import papermill as pm
from nbconvert import HTMLExporter
from audit_lib.report.render import current_interpreter_kernel
folder = Path(tempfile.mkdtemp(prefix="bench-floor-"))
notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1 + 1)")])
nbformat.write(notebook, str(folder / "trivial.ipynb"))
start = time.perf_counter()
with current_interpreter_kernel():
    pm.execute_notebook(str(folder / "trivial.ipynb"), str(folder / "out.ipynb"), kernel_name="python3", progress_bar=False)
body, _ = HTMLExporter().from_notebook_node(nbformat.read(str(folder / "out.ipynb"), as_version=4))
(folder / "out.html").write_text(body, encoding="utf-8")
print(json.dumps({"seconds": time.perf_counter() - start, "html_bytes": len(body.encode())}))
"""


def tree_rss_bytes(root_pid: int) -> int | None:
    """Sum the resident memory of ``root_pid`` and all its descendants, from /proc (Linux only)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text().split()
        except OSError:  # the process ended while we read it
            continue
        # The command name in field 2 may contain spaces, so split after its closing bracket.
        fields = stat[stat.rfind(")") + 2 :].split()
        pid, parent = int(entry.name), int(fields[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(statm[1]) * page
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(command: list[str], log_path: Path) -> dict[str, Any]:
    """Run ``command`` under the rusage wrapper; return wall seconds, peak memory and the exit code."""
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen([sys.executable, "-c", WRAPPER, *command], stdout=subprocess.PIPE, stderr=log, text=True, cwd=PROJECT_ROOT)
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                current = tree_rss_bytes(process.pid)
                if current is None:
                    return
                peak = max(peak, current)
                stop.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, _ = process.communicate()
        stop.set()
        sampler.join()
    lines = stdout.strip().splitlines()
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"the measurement wrapper failed for {' '.join(command)}; see {log_path}")
    result = json.loads(lines[-1])
    result["tree_rss_mb"] = peak / 2**20 if peak else None
    return result


def audit_run(data: Path, out: Path, pdf: bool, log_path: Path) -> dict[str, Any]:
    """Run ``stack-audit run`` once and add the step timings and report size from its outputs."""
    command = [sys.executable, "-m", "audit_lib", "run", str(data), "--out", str(out), "--pdf" if pdf else "--no-pdf"]
    result = measure(command, log_path)
    code = result["returncode"]
    if code < 0:
        name = signal.Signals(-code).name
        hint = ", most likely by the kernel's out-of-memory killer" if name == "SIGKILL" else ""
        raise RuntimeError(f"stack-audit run was killed by {name}{hint}; see {log_path}")
    if code != 0:
        raise RuntimeError(f"stack-audit run exited with {code}; see {log_path}")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    result["timings"] = {t["step"]: t["seconds"] for t in results.get("timings", [])}
    result["cached_files"] = sum(1 for f in results.get("intake", {}).get("files", []) if f.get("cached"))
    result["report_html_bytes"] = (out / "report.html").stat().st_size
    pdf_path = out / "report.pdf"
    result["report_pdf_bytes"] = pdf_path.stat().st_size if pdf and pdf_path.exists() else None
    return result


def bare_parse(data: Path) -> dict[str, Any]:
    """Read every CSV of the engagement with ``pyarrow.csv.read_csv`` in a fresh process."""
    paths = [p for p in find_files(data) if p.suffix.lower() in (".csv", ".tsv", ".txt")]
    skips = json.dumps({str(p): lines_before_header(p) for p in paths})
    completed = subprocess.run([sys.executable, "-c", PYARROW_STEP, skips, *map(str, paths)], capture_output=True, text=True, check=True)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["files"] = len(paths)
    result["csv_mb"] = sum(p.stat().st_size for p in paths) / 1e6
    return result


def fixed_floor() -> dict[str, Any]:
    """Time a fresh process that imports papermill and nbconvert, runs a one-cell notebook and exports it to HTML."""
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", FLOOR_STEP], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    wall = time.perf_counter() - start
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    # The audit run pays interpreter start and imports too, so the floor includes them.
    result["execute_and_export_seconds"] = result.pop("seconds")
    result["seconds"] = wall
    return result


def machine() -> dict[str, Any]:
    """Describe the machine: cores, memory, CPU model, load and versions."""
    import duckdb
    import pyarrow

    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines() if line.startswith("model name")), platform.processor())
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.rstrip() if shutil.which("free") else ""
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "free_h": free,
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pyarrow": pyarrow.__version__,
        "platform": platform.platform(),
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def summarize(size: str, runs: list[dict[str, Any]], bare: dict[str, Any], floor: dict[str, Any], host: dict[str, Any], command: str) -> dict[str, Any]:
    """Combine the measurements and work out each run's ratio to bare parse plus floor."""
    reference = bare["seconds"] + floor["seconds"]
    for run in runs:
        run["ratio_to_reference"] = run["seconds"] / reference
    return {"size": size, "command": command, "runs": runs, "bare_parse": bare, "floor": floor, "reference_seconds": reference, "machine": host}


def to_markdown(summary: dict[str, Any]) -> str:
    """Render the summary as the Markdown tables used in docs/benchmarks.md."""
    cold, warm = summary["runs"]
    bare, floor = summary["bare_parse"], summary["floor"]
    host = summary["machine"]

    def mb(value: float | None) -> str:
        return "n/a" if value is None else f"{value:,.0f}"

    lines = [
        f"### {summary['size']}: {bare['rows']:,} CSV rows in {bare['files']} files ({bare['csv_mb']:,.0f} MB)",
        "",
        f"Command: `{summary['command']}`",
        "",
        "| measurement | seconds | max RSS of one process (MB) | sampled tree RSS (MB) | report.html (KB) |",
        "|---|---:|---:|---:|---:|",
        f"| stack-audit run, first run | {cold['seconds']:.1f} | {mb(cold['max_rss_mb'])} | {mb(cold['tree_rss_mb'])} | {cold['report_html_bytes'] / 1024:,.0f} |",
        f"| stack-audit run, cached intake | {warm['seconds']:.1f} | {mb(warm['max_rss_mb'])} | {mb(warm['tree_rss_mb'])} | {warm['report_html_bytes'] / 1024:,.0f} |",
        f"| pyarrow.csv.read_csv (bare parse) | {bare['seconds']:.1f} | {mb(bare['peak_mb'])} | | |",
        f"| papermill + nbconvert, one cell (floor) | {floor['seconds']:.1f} | | | |",
        "",
        f"Ratio run / (bare parse + floor): first run {cold['ratio_to_reference']:.2f}, cached {warm['ratio_to_reference']:.2f}"
        f" (reference {summary['reference_seconds']:.1f} s).",
        "",
        "| step | first run (s) | cached (s) |",
        "|---|---:|---:|",
    ]
    for step in cold["timings"]:
        lines.append(f"| {step} | {cold['timings'][step]:.2f} | {warm['timings'].get(step, float('nan')):.2f} |")
    lines += [
        "",
        f"Machine: {host['nproc']} cores, {host['cpu_model']}, Python {host['python']}, DuckDB {host['duckdb']}, pyarrow {host['pyarrow']},"
        f" load average {host['load_average']} at the end.",
        "",
        "```",
        host["free_h"],
        "```",
    ]
    return "\n".join(lines) + "\n"


def disk_shortfall(activities: int, free_bytes: int) -> str | None:
    """Return an error message when ``free_bytes`` cannot hold the generated data and cache, else None."""
    needed = activities * DISK_BYTES_PER_ACTIVITY
    if free_bytes >= needed:
        return None
    return (
        f"generating {activities:,} activities needs about {needed / 1e9:.1f} GB of disk but {free_bytes / 1e9:.1f} GB is free;"
        " set TMPDIR to a larger disk or pass --data"
    )


def filesystem_type(path: Path, mounts: str | None = None) -> str | None:
    """Return the type of the filesystem that contains ``path``, from /proc/mounts (Linux only)."""
    text = _read("/proc/mounts") if mounts is None else mounts
    resolved = str(path.resolve())
    best, kind = "", None
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1]
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fields[2]
    return kind


def scratch_problem(activities: int, folder: Path) -> str | None:
    """Return why ``folder`` cannot hold a generated set of ``activities`` rows, else None."""
    if filesystem_type(folder) in RAM_FILESYSTEMS and activities * DISK_BYTES_PER_ACTIVITY > 1e9:
        # Data on tmpfs takes the memory the audit needs: an enterprise set there got the audit OOM-killed.
        return f"{folder} is on a RAM-backed filesystem; set TMPDIR to a folder on disk or pass --data"
    return disk_shortfall(activities, shutil.disk_usage(folder).free)


def generate(size: str, folder: Path) -> None:
    """Write the seeded engagement with benchmarks/generate.py."""
    print(f"generating the {size} engagement in {folder} ...", file=sys.stderr)
    subprocess.run([sys.executable, str(BENCH_DIR / "generate.py"), "--size", size, "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, required=True, help="engagement size; also names the summary files")
    parser.add_argument("--data", type=Path, help="an engagement folder already generated with benchmarks/generate.py [default: generate one]")
    parser.add_argument("--keep", action="store_true", help="keep the generated data and the audit outputs")
    parser.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=True, help="also print report.pdf with Chromium [default: on]")
    parser.add_argument("--summary-dir", type=Path, default=Path.cwd(), help="folder for bench-<size>.json and bench-<size>.md [default: current folder]")
    args = parser.parse_args(argv)

    if args.data is not None and not (args.data / "engagement.yaml").is_file():
        parser.error(f"--data {args.data}: engagement.yaml not found; pass a folder written by benchmarks/generate.py")
    scratch = Path(tempfile.mkdtemp(prefix=f"stack-audit-bench-{args.size}-"))
    data = args.data.resolve() if args.data else scratch / "data"
    out = scratch / "out"
    command = "benchmarks/run_benchmarks.py " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.data is None:
        from generate import SIZES as ROWS  # benchmarks/generate.py

        problem = scratch_problem(ROWS[args.size]["activities"], scratch)
        if problem:
            shutil.rmtree(scratch, ignore_errors=True)
            parser.error(problem)
    try:
        if args.data is None:
            generate(args.size, data)
        runs = []
        for label in ("first", "cached"):
            print(f"stack-audit run ({label}) ...", file=sys.stderr)
            runs.append(audit_run(data, out, args.pdf, scratch / f"run_{label}.log"))
        print("pyarrow bare parse ...", file=sys.stderr)
        bare = bare_parse(data)
        print("papermill + nbconvert floor ...", file=sys.stderr)
        floor = fixed_floor()
        summary = summarize(args.size, runs, bare, floor, machine(), command)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or ""
        print(f"error: {exc}\n{detail}".rstrip(), file=sys.stderr)
        print(f"logs and outputs kept in {scratch}", file=sys.stderr)
        return 1

    args.summary_dir.mkdir(parents=True, exist_ok=True)
    markdown = to_markdown(summary)
    (args.summary_dir / f"bench-{args.size}.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    (args.summary_dir / f"bench-{args.size}.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    if args.keep:
        print(f"data and outputs kept in {scratch}", file=sys.stderr)
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
