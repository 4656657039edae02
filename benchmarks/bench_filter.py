"""Server time of applying a segment filter (issue 14: < 300 ms at 100,000 accounts).

What one filter change costs the server for the page on screen: the filter's mask, the analysis
of the filtered accounts (tiers scored on the whole portfolio) and the Overview page's figures
(KPIs, tier split, ARR bridge) — plus, separately, the Retention page by segment.

Run: .venv/bin/python benchmarks/bench_filter.py   (prints the median of 9 runs per size)

Two clocks: wall time, and the process's CPU time (``time.process_time``: the server's own work,
which on a shared machine does not count the time other processes hold the cores).
"""

from __future__ import annotations

import platform
import statistics
import time

from portfolio.demo import generate_demo
from portfolio.ingest import finalize_accounts
from portfolio.retention import retention_by_attribute
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with
from reporting import figures
from reporting.kpis import overview_kpis

FILTERS = {
    "none": {},
    "segment=Enterprise": {"segment": ["Enterprise"]},
    "segment=SMB,Mid-Market · region=EMEA": {"segment": ["SMB", "Mid-Market"], "region": ["EMEA"]},
}


def median_ms(fn, runs: int = 9) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``fn()`` over ``runs`` runs."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return 1000 * statistics.median(wall), 1000 * statistics.median(cpu)


def overview(accounts, flt) -> None:
    analysis = analyze_with(accounts, {**DEFAULT_SETTINGS, "filter": flt})
    overview_kpis(analysis), figures.tier_distribution_figure(analysis), figures.arr_bridge_figure(analysis)


def retention_by_segment(accounts, flt) -> None:
    analysis = analyze_with(accounts, {**DEFAULT_SETTINGS, "filter": flt})
    figures.retention_by_group_figure(retention_by_attribute(analysis.accounts, "segment"), "segment")


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(
        f"{'accounts':>9} {'filter':<40} {'kept':>7} {'overview wall/CPU ms':>21} "
        f"{'retention by segment wall/CPU ms':>33}"
    )
    for n in (10_000, 100_000):
        raw = generate_demo(n, seed=7)
        accounts = finalize_accounts(
            raw.assign(
                tier=raw["tier"].replace("", None), sam=raw["sam"].replace("", None), renewal_date=None
            )
        )
        for name, flt in FILTERS.items():
            kept = len(analyze_with(accounts, {**DEFAULT_SETTINGS, "filter": flt}).accounts)
            o = median_ms(lambda a=accounts, f=flt: overview(a, f))
            r = median_ms(lambda a=accounts, f=flt: retention_by_segment(a, f))
            print(f"{n:>9,} {name:<40} {kept:>7,} {o[0]:>12.0f} / {o[1]:>6.0f} {r[0]:>24.0f} / {r[1]:>6.0f}")


if __name__ == "__main__":
    main()
