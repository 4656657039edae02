"""Server time of switching the NRR/GRR convention (issue 16), at 100,000 accounts.

* snapshot: a 100,000-account snapshot with renewal dates and 2% of the new accounts flagged
  ``reactivated``. A switch on the Retention page re-runs the analysis under the new convention
  (:func:`portfolio.whatif.analyze_with`) and builds what its callback returns: the retention
  and bridge figures, the convention note and the reconciliation table.
* trend: the quarterly trend of a revenue history of 100,000 accounts (3 years, 2,000,000
  lines, from ``bench_trends.synthetic_lines``) under the new convention, which the Trends
  page rebuilds after a switch (the pivot is kept with the data and not rebuilt).

Run: .venv/bin/python benchmarks/bench_convention.py [--runs 5]   (median of --runs)
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from portfolio.demo import generate_demo
from portfolio.ingest import finalize_accounts
from portfolio.quarters import quarterly_revenue
from portfolio.retention import CONVENTIONS
from portfolio.trends import quarterly_trend
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with
from reporting import figures
from reporting.tables import convention_note, reconciliation_rows

sys.path.insert(0, str(Path(__file__).parent))
from bench_trends import synthetic_lines


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def snapshot(n: int) -> pd.DataFrame:
    """The demo generator's snapshot of ``n`` accounts, with renewal dates as dates and 2% of
    the new accounts flagged reactivated."""
    raw = generate_demo(n, seed=7)
    accounts = finalize_accounts(
        raw.assign(
            tier=raw["tier"].replace("", None),
            sam=raw["sam"].replace("", None),
            renewal_date=pd.to_datetime(raw["renewal_date"].replace("", None)),
        )
    )
    new = (accounts["arr_prior"].fillna(0) == 0) & (accounts["arr"] > 0)
    rng = np.random.default_rng(7)
    accounts["reactivated"] = new & (rng.random(len(accounts)) < 0.02 * len(accounts) / max(new.sum(), 1))
    return accounts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=2_000_000)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    accounts = snapshot(args.accounts)
    print(f"snapshot: {len(accounts):,} accounts, {int(accounts['reactivated'].sum()):,} reactivated")
    for convention in CONVENTIONS:
        settings = {**DEFAULT_SETTINGS, "convention": convention}

        def retention_page(settings=settings):
            a = analyze_with(accounts, settings)
            return (
                figures.retention_by_tier_figure(a),
                figures.arr_bridge_figure(a),
                convention_note(a),
                reconciliation_rows(a),
            )

        print(
            f"  Retention page after a switch to {convention:<26} "
            f"{median_ms(retention_page, args.runs):7.1f} ms"
        )
    lines = synthetic_lines(args.lines, args.accounts, 3)
    end = lines["date"].max().normalize()
    quarters = quarterly_revenue(lines["account_id"], lines["date"], lines["amount"], end)
    print(
        f"history: {args.lines:,} lines, {len(quarters.account_ids):,} accounts, "
        f"{len(quarters.ends)} quarters"
    )
    for convention in CONVENTIONS[:2]:  # a history has no renewal dates
        ms = median_ms(lambda c=convention: quarterly_trend(quarters, convention=c), args.runs)
        print(f"  trend under {convention:<26} {ms:7.1f} ms")


if __name__ == "__main__":
    main()
