"""Every chart's data as a small table of text: what a chart's "View as table" shows.

Each function takes what the chart is drawn from (a :class:`PortfolioAnalysis` or a
:class:`SimulationReport`) and returns a :class:`ChartTable`: headers carry their units, money
is in the app's currency format (:func:`portfolio.formatting.money`), fractions are percentages,
tiers are named. A chart of many points (Pareto and Lorenz over thousands of accounts) gives its
curve at every tenth of the accounts, and the table's note says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.analysis import PortfolioAnalysis
from portfolio.concentration import lorenz_points, pareto_points
from portfolio.formatting import money, percent
from portfolio.schema import TIERS
from reporting import figures
from reporting.simulation_report import DELTA, Histogram, SimulationReport
from reporting.simulator import NO_SCENARIO

EVERY_POINT_UP_TO = 20
"""Up to this many accounts a curve's table lists each one; above, every tenth of them."""


@dataclass(frozen=True)
class ChartTable:
    """A chart's data as text: ``frame``'s columns are the headers (units included) and every
    cell is already formatted; ``numeric`` names the columns to right-align; ``note`` says how
    the table summarises the chart, or why it is empty."""

    frame: pd.DataFrame
    numeric: tuple[str, ...] = ()
    note: str = ""


def _table(rows: list[dict], numeric: tuple[str, ...] = (), note: str = "") -> ChartTable:
    return ChartTable(pd.DataFrame(rows), numeric, note)


def _empty(note: str) -> ChartTable:
    return ChartTable(pd.DataFrame(), (), note)


def _curve_rows(n: int) -> list[int]:
    """Which points k (accounts counted) a curve over ``n`` accounts shows: each one up to
    :data:`EVERY_POINT_UP_TO`, else k = ⌈q·n⌉ for q = 10%, 20%, …, 100%."""
    if n <= EVERY_POINT_UP_TO:
        return list(range(1, n + 1))
    return [-(-q * n // 10) for q in range(1, 11)]  # ⌈q·n/10⌉ in integers


def _curve_note(n: int, order: str) -> str:
    if n <= EVERY_POINT_UP_TO:
        return ""
    return f"At every tenth of the {n:,} accounts ({order}); the chart draws the whole curve."


def pareto_table(analysis: PortfolioAnalysis) -> ChartTable:
    """Share of ARR held by the k largest accounts: k, k/n, cumulative ARR and its share."""
    arr = analysis.accounts["arr"]
    points = pareto_points(arr)
    n = len(points) - 1
    if n == 0:
        return _empty("No account has ARR.")
    total = float(arr[arr > 0].sum())
    rows = []
    for k in _curve_rows(n):
        share = float(points["arr_share"].iloc[k])
        row = {"Accounts (largest first)": f"{k:,}"}
        if n <= EVERY_POINT_UP_TO:
            row["Account"] = str(analysis.accounts.loc[points["position"].iloc[k], "account_name"])
        row |= {
            "Share of accounts": percent(k / n),
            "Cumulative ARR": money(share * total),
            "Cumulative share of ARR": percent(share),
        }
        rows.append(row)
    numeric = ("Accounts (largest first)", "Share of accounts", "Cumulative ARR", "Cumulative share of ARR")
    c = analysis.concentration
    eighty = f"{c.accounts_for_80pct:,} accounts ({percent(c.share_of_accounts_for_80pct)}) bring 80% of ARR."
    return _table(rows, numeric, " ".join(filter(None, [_curve_note(n, "largest first"), eighty])))


def lorenz_table(analysis: PortfolioAnalysis) -> ChartTable:
    """Share of ARR held by the k smallest accounts, and the Gini in the note."""
    points = lorenz_points(analysis.accounts["arr"])
    n = len(points) - 1
    if n == 0:
        return _empty("No account has ARR.")
    rows = [
        {
            "Accounts (smallest first)": f"{k:,}",
            "Share of accounts": percent(k / n),
            "Cumulative share of ARR": percent(float(points["arr_share"].iloc[k])),
        }
        for k in _curve_rows(n)
    ]
    gini = f"Gini {analysis.concentration.gini:.2f} (0 = all equal, 1 = one account)."
    note = " ".join(filter(None, [_curve_note(n, "smallest first"), gini]))
    return _table(rows, ("Accounts (smallest first)", "Share of accounts", "Cumulative share of ARR"), note)


def tier_distribution_table(analysis: PortfolioAnalysis) -> ChartTable:
    """Accounts, ARR and share of ARR per tier."""
    dist = analysis.distribution
    rows = [
        {
            "Tier": tier,
            "Accounts": f"{int(dist.loc[tier, 'accounts']):,}",
            "ARR": money(float(dist.loc[tier, "arr"])),
            "Share of ARR": percent(float(dist.loc[tier, "arr_share"])),
        }
        for tier in TIERS
    ]
    return _table(rows, ("Accounts", "ARR", "Share of ARR"))


def score_table(analysis: PortfolioAnalysis) -> ChartTable:
    """Accounts per tier in each score bin that has any, and the thresholds in the note."""
    edges, counts = figures.score_counts(analysis)
    label = figures.score_label(analysis).split(" (")[0]
    t = analysis.tiers.thresholds
    rows = [
        {
            label: f"{edges[i]:g}–{edges[i + 1]:g}",
            **{f"{tier} (accounts)": f"{int(counts[tier][i]):,}" for tier in TIERS},
        }
        for i in range(len(edges) - 1)
        if sum(int(counts[tier][i]) for tier in TIERS)
    ]
    note = (
        f"Bins of {figures.SCORE_BIN:g} points; empty bins are left out. "
        f"Strategic from {t.strategic:g}, Key from {t.key:g}."
    )
    return _table(rows, tuple(f"{tier} (accounts)" for tier in TIERS), note)


def retention_table(analysis: PortfolioAnalysis) -> ChartTable:
    """NRR and GRR per start-of-period tier, with the benchmarks in the note."""
    if analysis.retention is None:
        return _empty(figures.NO_PRIOR_ARR)
    by_tier = analysis.retention_by_tier
    rows = [
        {
            "Tier a year ago": tier,
            "NRR": percent(by_tier[tier].nrr) if tier in by_tier else "–",
            "GRR": percent(by_tier[tier].grr) if tier in by_tier else "–",
        }
        for tier in TIERS
    ]
    note = "Benchmarks: NRR 120% or more is strong; GRR 92–98%. – : no accounts in the tier a year ago."
    return _table(rows, ("NRR", "GRR"), note)


def bridge_table(analysis: PortfolioAnalysis, tier: str | None = None) -> ChartTable:
    """The ARR bridge's steps (of ``tier``'s accounts, as :func:`figures.arr_bridge_figure`)."""
    if analysis.retention is None:
        return _empty(figures.NO_PRIOR_ARR)
    if tier in analysis.retention_by_tier:
        bridge, who = analysis.retention_by_tier[tier].bridge, f"{tier} accounts (tier a year ago)"
    else:
        bridge, who = analysis.retention.bridge, "All tiers"
    rows = [
        {"Step": label, "ARR": money(amount, signed=measure == "relative")}
        for label, amount, measure in figures.bridge_steps(bridge)
    ]
    return _table(rows, ("ARR",), f"{who}; + adds to ARR, − takes from it.")


def sam_load_table(analysis: PortfolioAnalysis, top: int = 30) -> ChartTable:
    """Each SAM's accounts per tier and load (FTE = Σ accounts / capacity), as the chart: the
    ``top`` SAMs by load."""
    by_sam = analysis.workload.by_sam.drop(index="(unassigned)", errors="ignore")
    shown = by_sam.head(top)
    rows = [
        {
            "SAM": str(sam),
            **{f"{tier} (accounts)": f"{int(row[tier]):,}" for tier in TIERS},
            "Load (share of one SAM)": percent(float(row["load"]), 0),
        }
        for sam, row in shown.iterrows()
    ]
    note = f"The {len(shown)} SAMs with the most load of {len(by_sam):,}." if len(by_sam) > top else ""
    numeric = (*[f"{tier} (accounts)" for tier in TIERS], "Load (share of one SAM)")
    return _table(rows, numeric, note)


def headcount_table(analysis: PortfolioAnalysis) -> ChartTable:
    """Required and available SAMs (FTE) per tier."""
    t = analysis.workload.by_tier
    rows = [
        {
            "Tier": tier,
            "Required SAMs (FTE)": f"{float(t.loc[tier, 'required_fte']):.1f}",
            "Available SAMs (FTE)": f"{float(t.loc[tier, 'available_fte']):.1f}",
        }
        for tier in TIERS
    ]
    return _table(rows, ("Required SAMs (FTE)", "Available SAMs (FTE)"))


ANALYSIS_TABLES: dict[str, Callable[..., ChartTable]] = {
    "pareto": pareto_table,
    "lorenz": lorenz_table,
    "tier-distribution": tier_distribution_table,
    "scores": score_table,
    "retention-by-tier": retention_table,
    "arr-bridge": bridge_table,
    "sam-workload": sam_load_table,
    "sam-headcount": headcount_table,
}
"""Each analysis chart's table by the chart's export name (:data:`exports.pack.ANALYSIS_CHARTS`)."""


# ---- Simulator ----


def fan_table(report: SimulationReport) -> ChartTable:
    """Portfolio ARR percentiles per period and variant, as the fan's bands and median."""
    rows = []
    for name, fan in report.fan.items():
        for i, period in enumerate(figures.period_labels(report, len(fan.p50))):
            rows.append(
                {
                    "Period": period,
                    "Variant": name,
                    "P5": money(fan.p5[i]),
                    "P25": money(fan.p25[i]),
                    "Median": money(fan.p50[i]),
                    "P75": money(fan.p75[i]),
                    "P95": money(fan.p95[i]),
                }
            )
    note = f"Portfolio ARR across {report.settings.paths:,} simulated paths (P5: 5% of paths end lower)."
    return _table(rows, ("P5", "P25", "Median", "P75", "P95"), note)


def _histogram_rows(hist: Histogram, label: str, series: dict[str, str]) -> list[dict]:
    """One row per bin that has any path: the bin's range and paths per series (header)."""
    edges = np.asarray(hist.edges)
    return [
        {
            label: f"{money(edges[i])} to {money(edges[i + 1])}",
            **{header: f"{int(hist.counts[key][i]):,}" for key, header in series.items()},
        }
        for i in range(len(edges) - 1)
        if any(hist.counts[key][i] for key in series)
    ]


TAIL_NOTE = "Empty bins are left out; the first and last bins also count the extreme 1% of paths each side."


def ending_table(report: SimulationReport) -> ChartTable:
    """Paths per bin of ending ARR, per variant, and each variant's mean."""
    hist = report.ending_histogram
    series = {name: f"{name} (paths)" for name in hist.counts}
    means = "; ".join(f"{name} mean {money(report.variant(name).ending_arr.mean)}" for name in hist.counts)
    return _table(
        _histogram_rows(hist, "ARR at the horizon", series), tuple(series.values()), f"{means}. {TAIL_NOTE}"
    )


def delta_table(report: SimulationReport) -> ChartTable:
    """Paths per bin of scenario − baseline ending ARR (same paths), with the mean and
    P(scenario > baseline) in the note."""
    if report.delta_histogram is None or report.delta is None:
        return _empty(NO_SCENARIO)
    rows = _histogram_rows(report.delta_histogram, "Scenario − baseline", {DELTA: "Paths"})
    note = (
        f"Mean {money(report.delta.mean, signed=True)}; scenario ahead on "
        f"{percent(report.delta.prob_better, 0)} of paths. {TAIL_NOTE}"
    )
    return _table(rows, ("Paths",), note)


def decomposition_table(report: SimulationReport) -> ChartTable:
    """Expected ending ARR: baseline, the move, the staffing, scenario (means over paths)."""
    if report.comparison is None:
        return _empty(NO_SCENARIO)
    rows = [
        {"Step": label, "Expected ARR at the horizon": money(amount, signed=measure == "relative")}
        for label, amount, measure in figures.decomposition_steps(report)
    ]
    return _table(
        rows,
        ("Expected ARR at the horizon",),
        "The move and the staffing: mean differences on the same paths.",
    )


SIMULATION_TABLES: dict[str, Callable[[SimulationReport], ChartTable]] = {
    "simulation-fan": fan_table,
    "simulation-ending-arr": ending_table,
    "simulation-delta": delta_table,
    "simulation-decomposition": decomposition_table,
}
"""Each Simulator chart's table by the chart's export name."""
