"""Server time of applying a segment filter (issue 14: < 300 ms at 100,000 accounts).

What one filter change costs the server for the page on screen: the filter's mask, the analysis
of the filtered accounts (tiers scored on the whole portfolio) and the Overview page's figures
(KPIs, tier split, ARR bridge) — plus, separately, the Retention page by segment.

Run: .venv/bin/python benchmarks/bench_filter.py   (prints the median of 9 runs per size)
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


def median_ms(fn, runs: int = 9) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def overview(accounts, flt) -> None:
    analysis = analyze_with(accounts, {**DEFAULT_SETTINGS, "filter": flt})
    overview_kpis(analysis), figures.tier_distribution_figure(analysis), figures.arr_bridge_figure(analysis)


def retention_by_segment(accounts, flt) -> None:
    analysis = analyze_with(accounts, {**DEFAULT_SETTINGS, "filter": flt})
    figures.retention_by_group_figure(retention_by_attribute(analysis.accounts, "segment"), "segment")


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{'accounts':>9} {'filter':<40} {'kept':>7} {'overview ms':>12} {'retention by segment ms':>24}")
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
            print(f"{n:>9,} {name:<40} {kept:>7,} {o:>12.1f} {r:>24.1f}")


if __name__ == "__main__":
    main()
