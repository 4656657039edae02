"""Server time of a what-if change: analysis + every figure of every page, at 1.2k/10k/100k accounts.

Run: .venv/bin/python benchmarks/bench_whatif.py   (prints the median of 5 runs per size)
"""

from __future__ import annotations

import platform
import statistics
import time

from dashboard import figures
from dashboard.kpis import overview_kpis
from dashboard.tables import top_accounts
from dashboard.whatif import DEFAULT_SETTINGS, analyze_with
from portfolio.demo import generate_demo
from portfolio.ingest import finalize_accounts


def all_views(accounts, settings) -> None:
    """What one threshold or capacity change recomputes across all pages."""
    a = analyze_with(accounts, settings)
    overview_kpis(a)
    top_accounts(a, 20)
    for build in (figures.pareto_figure, figures.lorenz_figure, figures.tier_distribution_figure,
                  figures.score_histogram, figures.retention_by_tier_figure,
                  figures.sam_load_figure, figures.headcount_figure):
        build(a)
    figures.bridge_figure(a.retention.bridge)


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    for n in (1_200, 10_000, 100_000):
        raw = generate_demo(n, seed=7)
        accounts = finalize_accounts(raw.assign(
            tier=raw["tier"].replace("", None), sam=raw["sam"].replace("", None),
            renewal_date=None))
        times = []
        for i in range(5):
            settings = {**DEFAULT_SETTINGS, "thresholds": [50, 70 + i]}
            start = time.perf_counter()
            all_views(accounts, settings)
            times.append(time.perf_counter() - start)
        print(f"{n:>7,} accounts: what-if update of all views {1000 * statistics.median(times):7.1f} ms "
              f"(median of 5)")


if __name__ == "__main__":
    main()
