"""Reading a large revenue history: ``portfolio analyze`` against the CSV readers alone.

Writes a synthetic order export (``--lines`` lines, ``--accounts`` customers over three years,
columns like a real order export: Order Date, Customer ID, Customer Name, Segment, Region,
Sales) to ``--dir`` (default /tmp, never the checkout), as CSV and Parquet, then runs each step
in its own process and prints its wall time, CPU time (user + system, all threads) and peak
resident memory (``/usr/bin/time -v``); ``--rounds N`` runs the steps N times, alternated, so
that a shared machine's load falls on each alike:

* ``pandas.read_csv``: pandas' C reader, every column as text (what the upload path decodes);
* ``pyarrow.csv``: pyarrow's multi-threaded CSV reader, the whole table;
* ``analyze (pandas path)``: ``portfolio analyze FILE --json`` through the upload reader
  (:func:`portfolio.ingest.load_file`) — only when the file is within its limits;
* ``analyze CSV`` / ``analyze Parquet``: ``portfolio analyze FILE --json`` (the columnar reader,
  :mod:`portfolio.ingest.columnar`);
* ``analyze CSV --trend``: the same with the quarterly trend;
* ``stages``: in one process, the columnar read and aggregation, then the quarterly trend from
  the quarters it kept.

Run from the checkout: .venv/bin/python benchmarks/bench_large_history.py --lines 20000000
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

_BLOCK = 1_000_000
"""Lines generated and written at a time (bounds the generator's memory)."""


def write_history(path: Path, lines: int, accounts: int, seed: int = 20261123) -> None:
    """A synthetic order export, CSV (``path``) and Parquet (``path`` with ``.parquet``).

    Customers have heavy-tailed sizes, start and stop at random; dates ``m/d/Y`` like the real
    exports; amounts lognormal with cents."""
    rng = np.random.default_rng(seed)
    days = 3 * 365
    size = rng.pareto(1.2, accounts) + 1
    first = rng.integers(-days, days, accounts).clip(0)
    last = (first + rng.exponential(days * 2, accounts)).clip(max=days - 1).astype(int)
    segments = np.array(["Enterprise", "SMB", "Strategic"])[rng.integers(0, 3, accounts)]
    regions = np.array(["EMEA", "AMER", "APJ"])[rng.integers(0, 3, accounts)]
    ids = np.char.add("C", np.arange(accounts).astype(str))
    names = np.char.add("Customer ", np.arange(accounts).astype(str))
    start = np.datetime64("2021-01-01")
    csv_writer = pq_writer = None
    try:
        for offset in range(0, lines, _BLOCK):
            n = min(_BLOCK, lines - offset)
            who = rng.choice(accounts, n, p=size / size.sum())
            day = first[who] + (rng.random(n) * (last[who] - first[who] + 1)).astype(int)
            dates = (start + day.astype("timedelta64[D]")).astype(str)  # YYYY-MM-DD
            month_day_year = [f"{d[5:7]}/{d[8:10]}/{d[:4]}" for d in dates.tolist()]
            table = pa.table(
                {
                    "Order Date": month_day_year,
                    "Customer ID": ids[who],
                    "Customer Name": names[who],
                    "Segment": segments[who],
                    "Region": regions[who],
                    "Sales": np.round(rng.lognormal(5, 1, n), 2),
                }
            )
            if csv_writer is None:
                csv_writer = pa_csv.CSVWriter(str(path), table.schema)
                pq_writer = pq.ParquetWriter(str(path.with_suffix(".parquet")), table.schema)
            csv_writer.write_table(table)
            assert pq_writer is not None
            pq_writer.write_table(table)
    finally:
        if csv_writer is not None:
            csv_writer.close()
        if pq_writer is not None:
            pq_writer.close()


def _step(name: str, path: str) -> None:
    """Run one step in this (child) process."""
    if name == "pandas":
        import pandas as pd

        pd.read_csv(path, dtype=str, keep_default_na=False)
    elif name == "pyarrow":
        pa_csv.read_csv(path)
    elif name == "stages":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's code
        from portfolio.ingest.columnar import load_large_file
        from portfolio.ingest.history import quarters_of
        from portfolio.trends import quarterly_trend

        t0 = time.perf_counter()
        result = load_large_file(path)
        t1 = time.perf_counter()
        trend = quarterly_trend(quarters_of(result.accounts))
        t2 = time.perf_counter()
        print(
            f"    read and aggregate {t1 - t0:.1f} s; quarterly trend from the quarters {t2 - t1:.2f} s "
            f"({len(trend.points)} quarter ends, {len(result.accounts):,} accounts)",
            file=sys.stderr,
        )
    else:
        raise SystemExit(f"unknown step {name}")


def _timed(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident memory (GiB) of ``command``,
    run under ``/usr/bin/time -v`` (its "Maximum resident set size")."""
    t0 = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seconds = time.perf_counter() - t0
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if done.returncode:
        print(f"    exit {done.returncode}: {done.stderr.strip().splitlines()[:3]}")
    for line in done.stderr.splitlines():
        if line.startswith("    read"):
            print(line)
    cpu = sum(
        float(m.group(1)) for m in re.finditer(r"(?:User|System) time \(seconds\): ([0-9.]+)", done.stderr)
    )
    return seconds, cpu, int(peak.group(1)) / 2**20 if peak else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--steps", default="pandas,pyarrow,legacy,csv,parquet,trend,stages")
    parser.add_argument("--rounds", type=int, default=1, help="run the steps this many times, alternated")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _step(args.step, args.file)
        return
    path = Path(args.dir) / f"history_{args.lines}.csv"
    if not path.exists() or not path.with_suffix(".parquet").exists():
        t0 = time.perf_counter()
        write_history(path, args.lines, args.accounts)
        print(f"wrote {path} in {time.perf_counter() - t0:.1f} s")
    print(
        f"{args.lines:,} lines, {args.accounts:,} accounts; CSV {path.stat().st_size / 2**20:,.0f} MiB, "
        f"Parquet {path.with_suffix('.parquet').stat().st_size / 2**20:,.0f} MiB; "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    py = sys.executable
    me = str(Path(__file__).resolve())
    commands = {
        "pandas": ("pandas.read_csv (all text)", [py, me, "--step", "pandas", "--file", str(path)]),
        "pyarrow": ("pyarrow.csv.read_csv", [py, me, "--step", "pyarrow", "--file", str(path)]),
        "legacy": ("analyze (pandas path)", [py, "-c", _LEGACY, str(path)]),
        "csv": ("analyze CSV", [py, "-m", "cli", "analyze", str(path), "--json"]),
        "parquet": (
            "analyze Parquet",
            [py, "-m", "cli", "analyze", str(path.with_suffix(".parquet")), "--json"],
        ),
        "trend": ("analyze CSV --trend", [py, "-m", "cli", "analyze", str(path), "--json", "--trend"]),
        "stages": ("read, then trend (in one process)", [py, me, "--step", "stages", "--file", str(path)]),
    }
    for round_ in range(args.rounds):
        if args.rounds > 1:
            print(f" round {round_ + 1}, load {os.getloadavg()[0]:.1f}")
        for key in args.steps.split(","):
            label, command = commands[key]
            seconds, cpu, peak = _timed(command)
            print(f"  {label:<28} {seconds:7.1f} s   CPU {cpu:6.1f} s   peak {peak:5.2f} GiB")


_LEGACY = """
import sys, time
from portfolio.analysis import analyze
from portfolio.ingest import load_file
result = load_file(sys.argv[1])
if not result.ok:
    sys.exit(result.report.summary())
analyze(result.accounts)
"""


if __name__ == "__main__":
    main()
