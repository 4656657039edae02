"""Server time of a what-if change: analysis + every figure of every page, at 1.2k/10k/100k accounts.

Run: .venv/bin/python benchmarks/bench_whatif.py   (prints the median of 9 runs per size)
"""

from __future__ import annotations

import platform
import statistics
import time

from portfolio.demo import generate_demo
from portfolio.ingest import finalize_accounts
from portfolio.migration import migration
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with
from reporting import figures
from reporting.kpis import overview_kpis
from reporting.tables import migration_table, tier_movers, top_accounts

PAGE_FIGURES = {
    "overview": lambda a, raw: (
        overview_kpis(a),
        figures.tier_distribution_figure(a),
        figures.arr_bridge_figure(a),
    ),
    "concentration": lambda a, raw: top_accounts(a, 20),  # the curves follow the data only
    "tiers": lambda a, raw: (
        figures.tier_distribution_figure(a),
        figures.score_histogram(a),
        tier_movers(a, raw),
        migration_table(migration(raw, a.accounts["tier"])),
    ),
    "retention": lambda a, raw: (figures.retention_by_tier_figure(a), figures.arr_bridge_figure(a)),
    "capacity": lambda a, raw: (figures.sam_load_figure(a), figures.headcount_figure(a)),
}
"""What each page's callbacks build after a what-if change (the Pareto and Lorenz curves
depend on the data alone and are rebuilt only when it changes: see ``curves`` below)."""


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_ms(fn, runs: int = 9) -> float:
    return 1000 * statistics.median(timed(fn) for _ in range(runs))


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(
        f"{'accounts':>9} {'analysis':>9} "
        + " ".join(f"{p:>13}" for p in PAGE_FIGURES)
        + f" {'all pages':>10} {'data change*':>14}"
    )
    print(
        "(ms, median of 9; page = analysis + what its callbacks build after a what-if change;"
        " *: the concentration curves, rebuilt only when the data changes)"
    )
    for n in (1_200, 10_000, 100_000):
        raw = generate_demo(n, seed=7)
        accounts = finalize_accounts(
            raw.assign(
                tier=raw["tier"].replace("", None), sam=raw["sam"].replace("", None), renewal_date=None
            )
        )
        settings = {**DEFAULT_SETTINGS, "thresholds": [50, 72]}

        def analysed(accounts=accounts, settings=settings):
            return analyze_with(accounts, settings)

        analysis_ms = median_ms(analysed)
        pages = {
            name: median_ms(lambda b=build, acc=accounts: b(analysed(), acc))
            for name, build in PAGE_FIGURES.items()
        }
        curves = median_ms(lambda: [f(analysed()) for f in (figures.pareto_figure, figures.lorenz_figure)])
        everything = median_ms(
            lambda acc=accounts: [b(a, acc) for a in [analysed()] for b in PAGE_FIGURES.values()]
        )
        print(
            f"{n:>9,} {analysis_ms:>9.1f} "
            + " ".join(f"{v:>13.1f}" for v in pages.values())
            + f" {everything:>10.1f} {curves:>14.1f}"
        )


if __name__ == "__main__":
    main()
