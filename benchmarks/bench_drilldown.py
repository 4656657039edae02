"""Server time of a drill-down and of the account grid's slices at 100,000 accounts (issue 14).

Each figure is what one request costs on the server: the analysis of the session's data under
the what-if settings (every callback recomputes it) plus the work of that request:

* drill-down: :func:`portfolio.drilldown.accounts_behind` for the largest list of each chart
  and the first block of 100 rows of it (the modal opening: two requests, both timed);
* grid slice: one block of 100 rows of all accounts, largest ARR first, at row 50,000;
* grid sort: the same block sorted by account name (server-side);
* grid search: the first block of the accounts matching a word (server-side, every text column).

"own work" is the list and its first block (or the slice) without the analysis: what the
drill-down and the grid add to a request.

Run: .venv/bin/python benchmarks/bench_drilldown.py   (median of 7 runs per figure, ms)

Each figure is given as CPU time / wall time: on a shared machine the wall time includes waiting
for a core, the CPU time is the request's own work.
"""

from __future__ import annotations

import platform
import statistics
import time

from portfolio.account_list import grid_page
from portfolio.demo import generate_demo
from portfolio.drilldown import accounts_behind
from portfolio.ingest import load_bytes
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with

N_ACCOUNTS = 100_000
BLOCK = 100
DRILLS = {
    "tier bar (Standard)": ("tier-distribution", "Standard"),
    "retention bar (Standard)": ("retention-by-tier", "Standard"),
    "bridge bar (Ending ARR)": ("arr-bridge", {"tier": "All", "step": "Ending ARR"}),
    "Pareto point (80% of accounts)": ("pareto", 0.8),
    "SAM bar (largest)": ("sam-workload", None),
    "SAMs by tier (Standard)": ("sam-headcount", "Standard"),
    "action list (renewing ≤ 180 d)": ("action-list", "renewal-180"),
}


def median_ms(fn, runs: int = 7) -> str:
    """Median CPU / wall milliseconds of ``fn()``."""
    cpu, wall = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return f"{1000 * statistics.median(cpu):.0f} / {1000 * statistics.median(wall):.0f}"


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    csv = generate_demo(N_ACCOUNTS, seed=7).to_csv(index=False).encode()
    accounts = load_bytes(csv, "bench.csv").accounts  # as an upload reads it
    settings = DEFAULT_SETTINGS

    def analysed():
        return analyze_with(accounts, settings)

    analysis = analysed()
    sam = analysis.workload.by_sam.drop(index="(unassigned)", errors="ignore").index[0]
    tier = analysis.workload.by_sam.loc[sam, ["Strategic", "Key", "Standard"]].astype(int).idxmax()
    DRILLS["SAM bar (largest)"] = ("sam-workload", {"sam": sam, "tier": tier})
    print(f"{N_ACCOUNTS:,} accounts; analysis alone: {median_ms(analysed)} ms (CPU / wall)")
    print(f"{'request':<36} {'rows':>7} {'own work':>11} {'open':>11} {'1st block':>11}")
    for label, (chart, key) in DRILLS.items():
        found = accounts_behind(analysis, chart, key)
        own_ms = median_ms(
            lambda c=chart, k=key: grid_page(
                accounts_behind(analysis, c, k).accounts, start=0, end=BLOCK, largest_first=False
            )
        )
        open_ms = median_ms(lambda c=chart, k=key: accounts_behind(analysed(), c, k))
        block_ms = median_ms(
            lambda c=chart, k=key: grid_page(
                accounts_behind(analysed(), c, k).accounts, start=0, end=BLOCK, largest_first=False
            )
        )
        print(f"{label:<36} {len(found.accounts):>7,} {own_ms:>11} {open_ms:>11} {block_ms:>11}")
    grids = {
        "grid slice at row 50,000": dict(start=50_000, end=50_000 + BLOCK),
        "grid sorted by name, row 50,000": dict(
            start=50_000, end=50_000 + BLOCK, sort_model=[{"colId": "account_name", "sort": "asc"}]
        ),
        "grid search 'summit'": dict(start=0, end=BLOCK, search="summit"),
        "grid search 'emea' (a region)": dict(start=0, end=BLOCK, search="emea"),
    }
    for label, request in grids.items():
        row = grid_page(analysis.accounts, **request)[1]
        own_ms = median_ms(lambda r=request: grid_page(analysis.accounts, **r))
        ms = median_ms(lambda r=request: grid_page(analysed().accounts, **r))
        print(f"{label:<36} {row:>7,} {own_ms:>11} {'':>11} {ms:>11}")


if __name__ == "__main__":
    main()
