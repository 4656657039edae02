"""The quarterly trend of a large revenue history (portfolio/quarters.py, portfolio/trends.py).

A synthetic history: ``--accounts`` accounts (heavy-tailed size, 10% churn and 10% new logos a
year) with ``--lines`` order lines spread over ``--years`` years. Times, median of ``--runs``:

* pivot: the lines → accounts × quarters revenue (one pass: binary search + bincount);
* trend: every quarter end's ARR, NRR, GRR, bridge and tiers from the pivot;
* cohorts: the revenue cohorts of all accounts from the pivot;
* aggregate: what ``portfolio analyze`` does with the same lines once decoded (the history's
  ARR and prior ARR, attributes, notes), for scale.

Run: .venv/bin/python benchmarks/bench_trends.py [--lines 1000000] [--accounts 20000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from portfolio.cohorts import revenue_cohorts
from portfolio.ingest.history import aggregate_history
from portfolio.ingest.report import IngestReport
from portfolio.quarters import quarterly_revenue
from portfolio.trends import quarterly_trend


def synthetic_lines(lines: int, accounts: int, years: int, seed: int = 20261123) -> pd.DataFrame:
    """Order lines: account, date (days), amount; accounts start and stop at random."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2020-01-01")
    days = years * 365
    size = rng.pareto(1.2, accounts) + 1
    first = rng.integers(-days, days, accounts).clip(0)  # about half there from the start
    last = (first + rng.exponential(days * 2, accounts)).clip(max=days - 1).astype(int)
    who = rng.choice(accounts, lines, p=size / size.sum())
    day = first[who] + (rng.random(lines) * (last[who] - first[who] + 1)).astype(int)
    return pd.DataFrame(
        {
            "account_id": np.char.add("C", who.astype(str)),
            "date": start + pd.to_timedelta(day, unit="D"),
            "amount": rng.lognormal(5, 1, lines).round(2),
        }
    )


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    frame = synthetic_lines(args.lines, args.accounts, args.years)
    end = frame["date"].max().normalize()
    ids, dates, amounts = frame["account_id"], frame["date"], frame["amount"]
    quarters = quarterly_revenue(ids, dates, amounts, end)
    trend = quarterly_trend(quarters)
    text = frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d"), amount=frame["amount"].astype(str))
    report = IngestReport(source="bench", column_map={"account_id": "id", "date": "date", "amount": "amount"})
    pivot = _median_ms(lambda: quarterly_revenue(ids, dates, amounts, end), args.runs)
    trend_ms = _median_ms(lambda: quarterly_trend(quarters), args.runs)
    cohorts_ms = _median_ms(lambda: revenue_cohorts(quarters), args.runs)
    aggregate = _median_ms(lambda: aggregate_history(text, report, None), args.runs)
    print(
        f"{args.lines:,} lines, {len(quarters.account_ids):,} accounts, {len(quarters.ends)} quarters, "
        f"{len(trend.points)} trend points (median of {args.runs}):\n"
        f"  pivot {pivot:,.0f} ms   trend {trend_ms:,.0f} ms   pivot + trend {pivot + trend_ms:,.0f} ms"
        f"   cohorts {cohorts_ms:,.0f} ms\n"
        f"  aggregate_history (text cells → accounts, includes the pivot) {aggregate:,.0f} ms"
    )


if __name__ == "__main__":
    main()
