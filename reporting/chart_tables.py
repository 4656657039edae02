"""Every chart's data as a small table of text: what a chart's "View as table" shows.

Each function takes what the chart is drawn from (a :class:`PortfolioAnalysis`, a
:class:`SimulationReport` or the Trends page's :class:`HistoryViews`) and returns a
:class:`ChartTable`: headers carry their units, money is in the app's currency format
(:func:`portfolio.formatting.money`), fractions are percentages, tiers are named. A chart of many
points (Pareto and Lorenz over thousands of accounts) gives its curve at every tenth of the
accounts, and the table's note says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.analysis import PortfolioAnalysis
from portfolio.cohorts import Cohorts
from portfolio.concentration import lorenz_points, pareto_points
from portfolio.datafacts import BENCHMARK_NOTE
from portfolio.formatting import money, percent
from portfolio.retention import retention_by_attribute
from portfolio.schema import TIERS
from portfolio.segments import FILTER_COLUMNS, FILTER_LABELS
from portfolio.tiers import tier_start_arr
from portfolio.trends import Trend
from portfolio.whatif import HistoryViews
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
    """Accounts per tier in each score bin that has any, and the thresholds in the note (for
    revenue-only tiers on the ARR percentile, the ARR steps the chart draws instead)."""
    if analysis.tiers.revenue_only and analysis.tiers.revenue_method == "percentile":
        return arr_steps_table(analysis)
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


def arr_steps_table(analysis: PortfolioAnalysis) -> ChartTable:
    """Accounts per tier in each ARR step (log scale) that has any, as
    :func:`reporting.figures.arr_cutoff_histogram` draws them, and where the tiers start."""
    edges, counts = figures.arr_counts(analysis)
    rows = [
        {
            "ARR": f"{money(10 ** edges[i])}–{money(10 ** edges[i + 1])}",
            **{f"{tier} (accounts)": f"{int(counts[tier][i]):,}" for tier in TIERS},
        }
        for i in range(len(edges) - 1)
        if sum(int(counts[tier][i]) for tier in TIERS)
    ]
    starts = tier_start_arr(analysis.accounts["arr"], analysis.accounts["tier"])
    note = "Equal steps on a log scale; empty steps are left out. " + " ".join(
        f"{tier} from {money(arr)}." for tier, arr in starts.items()
    )
    return _table(rows, tuple(f"{tier} (accounts)" for tier in TIERS), note)


def retention_table(analysis: PortfolioAnalysis, by: str = "tier") -> ChartTable:
    """NRR and GRR per start-of-period tier — or, with ``by`` an attribute the accounts have,
    per value of it (as :func:`figures.retention_figure`) — with the benchmarks in the note
    (for order data, repeat-revenue retention, and the note says why there are no benchmarks)."""
    if analysis.retention is None:
        return _empty(figures.NO_PRIOR_ARR)
    net, gross = analysis.retention_names
    benchmarks = (
        BENCHMARK_NOTE
        if analysis.facts.transactional
        else "Benchmarks: NRR 120% or more is strong; GRR 92–98%."
    )
    if by in FILTER_COLUMNS and by in analysis.accounts:
        groups = retention_by_attribute(analysis.accounts, by)
        rows = [
            {
                FILTER_LABELS[by]: group,
                "Accounts a year ago": f"{r.existing_accounts:,}",
                net: percent(r.nrr) if r.existing_accounts else "–",
                gross: percent(r.grr) if r.existing_accounts else "–",
            }
            for group, r in groups.items()
        ]
        return _table(
            rows, ("Accounts a year ago", net, gross), f"{benchmarks} – : no accounts with ARR a year ago."
        )
    by_tier = analysis.retention_by_tier
    rows = [
        {
            "Tier a year ago": tier,
            net: percent(by_tier[tier].nrr) if tier in by_tier else "–",
            gross: percent(by_tier[tier].grr) if tier in by_tier else "–",
        }
        for tier in TIERS
    ]
    return _table(rows, (net, gross), f"{benchmarks} – : no accounts in the tier a year ago.")


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
    ``top`` SAMs by load; without a SAM column, a note saying so (as the chart's caption)."""
    if not analysis.workload.has_sams:
        return _empty("No SAM column in the data: per-SAM load cannot be shown.")
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
    """Required and available SAMs (FTE) per tier; "not known" available without a SAM column
    or a headcount (as the chart says)."""
    w = analysis.workload
    t = w.by_tier
    rows = [
        {
            "Tier": tier,
            "Required SAMs (FTE)": f"{float(t.loc[tier, 'required_fte']):.1f}",
            "Available SAMs (FTE)": f"{float(t.loc[tier, 'available_fte']):.1f}"
            if w.headcount_known
            else "not known",
        }
        for tier in TIERS
    ]
    note = "" if w.headcount_known else "No SAM column: enter the SAM headcount in the What-if panel."
    return _table(rows, ("Required SAMs (FTE)", "Available SAMs (FTE)"), note)


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


def renewal_table(report: SimulationReport) -> ChartTable:
    """Per quarter of the horizon: today's ARR up for renewal (and how many accounts) and the
    baseline's churned ARR, mean, P5 and P95 across paths, as the renewal calendar."""
    calendar = report.renewal_calendar
    if calendar is None:
        return _empty(figures.NO_RENEWAL_CALENDAR)
    rows = [
        {
            "Quarter": f"Q{q.quarter}",
            "Renewals (accounts)": f"{q.renewals:,}",
            "ARR up for renewal": money(q.up_for_renewal),
            "Churned ARR, mean": money(q.churned_mean),
            "Churned ARR, P5": money(q.churned_p5),
            "Churned ARR, P95": money(q.churned_p95),
        }
        for q in calendar.quarters
    ]
    note = (
        f"{calendar.accounts_with_dates:,} of {calendar.accounts:,} accounts have a renewal date. "
        f"Churned ARR: today's ARR of the baseline's accounts churned in the quarter, across "
        f"{report.settings.paths:,} paths."
    )
    numeric = tuple(c for c in rows[0] if c != "Quarter") if rows else ()
    return _table(rows, numeric, note)


SIMULATION_TABLES: dict[str, Callable[[SimulationReport], ChartTable]] = {
    "simulation-fan": fan_table,
    "simulation-ending-arr": ending_table,
    "simulation-delta": delta_table,
    "simulation-decomposition": decomposition_table,
    "simulation-renewals": renewal_table,
}
"""Each Simulator chart's table by the chart's export name."""


# ---- Trends ----

QUARTER_END = "Quarter end"


def _no_trend(trend: Trend) -> ChartTable | None:
    """The empty table saying why there is no trend, or None when there is one."""
    return None if trend.points else _empty(f"No trend: {trend.note}.")


def trend_retention_table(views: HistoryViews) -> ChartTable:
    """NRR and GRR of the year to each quarter end, all tiers and per start-of-year tier."""
    trend = views.trend
    if (empty := _no_trend(trend)) is not None:
        return empty
    rows = []
    net, gross = ("NRR", "GRR") if trend.subscription_like else ("Net repeat", "Gross repeat")
    for p in trend.points:
        row = {QUARTER_END: f"{p.as_of:%Y-%m-%d}"}
        row |= {
            f"{net}, all tiers": percent(p.retention.nrr),
            f"{gross}, all tiers": percent(p.retention.grr),
        }
        for tier in TIERS:
            row |= {
                f"{net}, {tier}": percent(p.by_tier[tier].nrr),
                f"{gross}, {tier}": percent(p.by_tier[tier].grr),
            }
        rows.append(row)
    benchmarks = (
        "Benchmarks: NRR 120% or more is strong; GRR 92–98%. "
        if trend.subscription_like
        else "Order data: repeat-revenue retention (net and gross), no SaaS benchmarks. "
    )
    note = (
        "Each row is the year to the quarter end against the year before; accounts in the tier "
        f"they had a year before. {benchmarks}– : no accounts in the tier then."
    )
    return _table(rows, tuple(c for c in rows[0] if c != QUARTER_END), note)


def trend_arr_table(views: HistoryViews) -> ChartTable:
    """ARR per tier at each quarter end, the total, and the strategic share of ARR."""
    trend = views.trend
    if (empty := _no_trend(trend)) is not None:
        return empty
    rows = [
        {
            QUARTER_END: f"{p.as_of:%Y-%m-%d}",
            **{f"{tier} ARR": money(p.tier_arr[tier]) for tier in TIERS},
            "Total ARR": money(p.total_arr),
            "Strategic share of ARR": percent(p.strategic_share),
        }
        for p in trend.points
    ]
    note = "ARR: revenue over the twelve months to the quarter end; accounts in their tier at that date."
    return _table(rows, tuple(c for c in rows[0] if c != QUARTER_END), note)


BRIDGE_STEPS = {
    "expansion": "Expansion",
    "reactivation": "Reactivation",
    "new": "New",
    "contraction": "Contraction",
    "churn": "Churn",
}


def trend_bridge_table(views: HistoryViews) -> ChartTable:
    """The ARR bridge of the year to each quarter end and the net change (ending − starting)."""
    trend = views.trend
    if (empty := _no_trend(trend)) is not None:
        return empty
    rows = []
    for p in trend.points:
        b = p.retention.bridge
        row = {QUARTER_END: f"{p.as_of:%Y-%m-%d}", "ARR a year before": money(b.starting)}
        for step, header in BRIDGE_STEPS.items():
            sign = -1 if step in ("contraction", "churn") else 1
            row[f"{header} (ARR)"] = money(sign * getattr(b, step), signed=True)
        row |= {"Net change (ARR)": money(b.ending - b.starting, signed=True), "ARR": money(b.ending)}
        rows.append(row)
    note = "Over the year to each quarter end; + adds to ARR, − takes from it."
    return _table(rows, tuple(c for c in rows[0] if c != QUARTER_END), note)


def cohort_table(cohorts: Cohorts | None) -> ChartTable:
    """Per cohort (accounts by the year of their first revenue): accounts, first-year revenue
    and the share of it kept in each year since (revenue[c, k] / revenue[c, 0])."""
    if cohorts is None or not len(cohorts.years):
        return _empty(figures.NO_COHORTS)
    years = cohorts.retained.shape[1]
    rows = [
        {
            "First year (to)": f"{year:%Y-%m-%d}",
            "Accounts": f"{int(cohorts.accounts[c]):,}",
            "First-year revenue": money(float(cohorts.revenue[c, 0])),
            **{f"Kept, year +{k}": percent(float(cohorts.retained[c, k]), 0) for k in range(1, years)},
        }
        for c, year in enumerate(cohorts.years)
    ]
    note = (
        "Share of each cohort's first-year revenue it brings in each year since (expansion "
        "counts); – : that year is after the as-of date."
    )
    return _table(rows, tuple(c for c in rows[0] if c != "First year (to)"), note)


TREND_TABLES: dict[str, Callable[[HistoryViews], ChartTable]] = {
    "trend-retention": trend_retention_table,
    "trend-arr": trend_arr_table,
    "trend-bridge": trend_bridge_table,
    "trend-cohorts": lambda views: cohort_table(views.cohorts),
    "trend-strategic-cohorts": lambda views: cohort_table(views.strategic_cohorts),
}
"""Each Trends chart's table by the chart's export name (:data:`exports.pack.TREND_CHARTS`)."""
