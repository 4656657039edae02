"""Issue 17's decisions: recommend on the demo (1,200 accounts, 10 SAMs), book balancing of 200
strategic + key accounts on 20 SAMs, and the tornado (12 assumptions, 1,000 paths a run).

Run: .venv/bin/python benchmarks/bench_decisions.py   (prints the median of 3 runs each)
"""

from __future__ import annotations

import os
import platform
import statistics
import time

import numpy as np
import pandas as pd

from portfolio.analysis import analyze
from portfolio.books import assign_books
from portfolio.ingest import load_file
from reporting.decisions import decision_inputs, scenario_of
from simulation.recommend import recommend
from simulation.sensitivity import tornado

DEMO = "data/demo_accounts.csv"


def median_seconds(fn, runs: int = 3) -> str:
    """Median wall time, and the CPU time the process used (on a shared machine the wall time
    includes waiting for a core; CPU time / cores is what an idle machine would take at best)."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return f"{statistics.median(times):.2f} s wall, {statistics.median(cpu):.2f} s CPU"


def main() -> None:
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    analysis = analyze(load_file(DEMO).accounts)
    inputs = decision_inputs(analysis)
    options = dict(assumptions=inputs.assumptions, treatment=inputs.treatment, settings=inputs.settings)
    rec = recommend(inputs.accounts, sams=10, **options)
    seconds = median_seconds(lambda: recommend(inputs.accounts, sams=10, **options))
    print(f"recommend, demo (1,200 accounts), 10 SAMs, 3 milp solves: {seconds}")

    rng = np.random.default_rng(1)
    n = 200
    accounts = pd.DataFrame(
        {
            "account_id": [f"X{i}" for i in range(n)],
            "arr": rng.lognormal(12, 1, n),
            "sam": [f"SAM {k}" for k in rng.integers(0, 20, n)],
        }
    )
    tiers = pd.Series(np.where(rng.random(n) < 0.3, "Strategic", "Key"))
    seconds = median_seconds(lambda: assign_books(accounts, tiers))
    print(f"assign, 200 strategic + key accounts, 20 SAMs: {seconds}")

    scenario = scenario_of(rec)
    seconds = median_seconds(lambda: tornado(inputs.accounts, scenario, **options), runs=1)
    print(f"tornado, demo, 12 assumptions × 2 ends + centre, 1,000 paths a run: {seconds}")


if __name__ == "__main__":
    main()
