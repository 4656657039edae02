"""What a board pack says, independent of its file format (PowerPoint or PDF).

A pack is a title, the KPIs, one slide per chart with a one-sentence takeaway computed from
the data, and an assumptions/methodology slide. The charts are the dashboard's own figures
(:mod:`reporting.figures`), so the pack and the screen always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go

from portfolio.analysis import PortfolioAnalysis
from portfolio.changes import changes_or_note
from portfolio.formatting import money, percent
from portfolio.retention import CONVENTION_NAMES
from portfolio.whatif import HistoryViews
from reporting import figures
from reporting.changes import changes_takeaway, strategic_walk_figure
from reporting.kpis import Kpi, overview_kpis
from reporting.simulation_report import SimulationReport
from reporting.simulator import settings_mismatch
from reporting.takeaways import takeaways


@dataclass(frozen=True)
class ChartSlide:
    key: str  # also the file name stem of the exported chart
    title: str
    takeaway: str
    figure: go.Figure


@dataclass(frozen=True)
class BoardPack:
    title: str
    subtitle: str
    footnote: str  # source and date, under every chart
    kpis: list[Kpi]
    charts: list[ChartSlide]
    methodology: list[str]


ANALYSIS_CHARTS: dict[str, Callable[[PortfolioAnalysis], go.Figure]] = {
    "pareto": figures.pareto_figure,
    "lorenz": figures.lorenz_figure,
    "tier-distribution": figures.tier_distribution_figure,
    "scores": figures.score_histogram,
    "retention-by-tier": figures.retention_by_tier_figure,
    "arr-bridge": figures.arr_bridge_figure,
    "sam-workload": figures.sam_load_figure,
    "sam-headcount": figures.headcount_figure,
}
"""Every analysis chart by export name; the dashboard's download menu uses the same names."""

SIMULATION_CHARTS: dict[str, Callable[[SimulationReport], go.Figure]] = {
    "simulation-fan": figures.fan_figure,
    "simulation-ending-arr": figures.ending_distribution_figure,
    "simulation-delta": figures.delta_figure,
    "simulation-decomposition": figures.decomposition_figure,
    "simulation-renewals": figures.renewal_calendar_figure,
}
"""Simulator charts by export name (from a simulation report)."""

TREND_CHARTS: dict[str, Callable[[HistoryViews], go.Figure]] = {
    "trend-retention": lambda views: figures.trend_retention_figure(views.trend),
    "trend-arr": lambda views: figures.trend_arr_figure(views.trend),
    "trend-bridge": lambda views: figures.trend_bridge_figure(views.trend),
    "trend-cohorts": lambda views: figures.cohort_figure(views.cohorts, figures.COHORTS_TITLE),
    "trend-strategic-cohorts": lambda views: figures.cohort_figure(
        views.strategic_cohorts, figures.STRATEGIC_COHORTS_TITLE
    ),
}
"""The Trends page's charts by export name (from the history's trend and cohorts)."""


def simulation_charts(report: SimulationReport) -> dict[str, Callable[[SimulationReport], go.Figure]]:
    """The simulator charts this report can draw: the paired difference and the move/staffing
    split need a scenario."""
    return {
        key: build
        for key, build in SIMULATION_CHARTS.items()
        if key not in ("simulation-delta", "simulation-decomposition") or report.comparison is not None
    }


PACK_CHARTS = ("pareto", "tier-distribution", "retention-by-tier", "arr-bridge", "sam-headcount")
"""The analysis charts a board pack carries, in order."""


def methodology(analysis: PortfolioAnalysis, report: SimulationReport | None) -> list[str]:
    """The assumptions and formulas behind the pack, as short lines."""
    t = analysis.tiers
    weights = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in t.weights.items())
    capacity = ", ".join(f"{k} {v:g}" for k, v in analysis.workload.by_tier["capacity"].items())
    lines = [
        "Tiers: "
        + ("revenue-only (ARR percentile)" if t.revenue_only else f"scorecard, weights {weights}")
        + f"; Strategic ≥ {t.thresholds.strategic:g}, Key ≥ {t.thresholds.key:g}.",
        f"SAM capacity (accounts per SAM): {capacity}; an account takes 1/capacity of a SAM.",
        "Concentration: Gini = Σ(2i − n − 1)·x(i) / (n·Σx); HHI = 10,000·Σ share²; accounts with ARR > 0.",
        "Retention (accounts in the tier they had a year ago): NRR = Σ ARR / Σ prior ARR; "
        "GRR = Σ min(ARR, prior) / Σ prior; new accounts excluded.",
        f"NRR/GRR convention: {CONVENTION_NAMES[analysis.convention]}; reactivated accounts (revenue "
        "before the prior year, none in it, some now) have their own bridge bar.",
    ]
    if report is not None:
        s = report.settings
        lines.append(
            f"Monte Carlo: {s.paths:,} paths × {s.horizon} {s.period}s, seed {s.seed}, "
            f"portfolio NRR volatility {100 * report.nrr_volatility:g} points/yr "
            f"({report.nrr_volatility_source}); log-normal ARR growth and churn both moved by one "
            "shared market factor; baseline, the move with today's SAMs and "
            "the scenario on the same random numbers. Every account keeps its own tier's "
            "figures; strategic attention (SAMs × capacity / strategic accounts, at most 1) "
            "scales the treatment effect."
        )
        lines.append("Treatment: " + report.treatment.sentence())
        lines.append(
            f"Money: NPV at {percent(s.margin, 0)} gross margin, "
            f"{percent(s.discount_rate, 0)} discount, {money(s.cost_per_sam)} per SAM "
            "a year; the ARR difference left at the horizon decays at the strategic "
            "tier's churn."
        )
        for tier, a in report.assumptions.items():
            lines.append(
                f"  {tier}: churn {percent(a.annual_churn)}/yr, drift "
                f"{a.expansion_drift:+.3f}, volatility {a.volatility:.3f} "
                f"({a.source})."
            )
    return lines


def footnote(source: str, as_of: str | None) -> str:
    """The line under every exported chart: source, data date when known, Strata."""
    return f"Source: {source}" + (f" · data as of {as_of}" if as_of else "") + " · Strata"


def build_pack(
    analysis: PortfolioAnalysis,
    source: str,
    as_of: str | None = None,
    report: SimulationReport | None = None,
    whatif: dict | None = None,
) -> BoardPack:
    """The board pack for an analysis, with the simulator's slides when a report is given and
    it was run under the same what-if settings (``whatif``) as the other slides; otherwise the
    pack says why the simulation is left out."""
    when = as_of or date.today().isoformat()
    notes = takeaways(analysis)
    charts = []
    for key in PACK_CHARTS:
        fig = ANALYSIS_CHARTS[key](analysis)
        charts.append(ChartSlide(key, fig.layout.title.text or key, notes[key], fig))
    charts += changes_slides(analysis)
    left_out = settings_mismatch(report, whatif) if report is not None else None
    if report is not None and left_out is None:
        charts += simulation_slides(report)
    lines = methodology(analysis, report if left_out is None else None)
    if left_out:
        lines.append(f"Simulation slides left out: {left_out}")
    return BoardPack(
        title="Strategic-account portfolio review",
        subtitle=f"{source} · data as of {when}",
        footnote=footnote(source, when),
        kpis=overview_kpis(analysis),
        charts=charts,
        methodology=lines,
    )


def changes_slides(analysis: PortfolioAnalysis) -> list[ChartSlide]:
    """ "What changed since the last review" (the last two snapshots) when the data is a series
    of snapshots; none otherwise."""
    found, _ = changes_or_note(analysis.accounts)
    if found is None:
        return []
    return [
        ChartSlide(
            "changes-strategic-walk",
            f"What changed since the last review ({found.start:%Y-%m-%d})",
            changes_takeaway(found),
            strategic_walk_figure(found),
        )
    ]


def simulation_slides(report: SimulationReport) -> list[ChartSlide]:
    """The fan; with a scenario the move/staffing split (with the NPV) and the paired
    difference."""
    slides = [ChartSlide("simulation-fan", "Simulated ARR", report.headline, figures.fan_figure(report))]
    c = report.comparison
    if c is not None:
        e = c.economics
        slides.append(
            ChartSlide(
                "simulation-decomposition",
                "The move and the staffing",
                f"The move with today's SAMs {money(c.move.mean, signed=True)}, the staffing change "
                f"{money(c.staffing.mean, signed=True)} of expected ARR; NPV "
                f"{money(e.npv.mean, signed=True)} (P5 {money(e.npv.p5)}, P95 {money(e.npv.p95)}).",
                figures.decomposition_figure(report),
            )
        )
        slides.append(
            ChartSlide(
                "simulation-delta",
                "Scenario vs baseline",
                f"ARR above the baseline's on {percent(c.delta.prob_better, 0)} of paths; mean "
                f"{money(c.delta.mean)} (± {money(c.delta_error)}), P5 {money(c.delta.p5)}, "
                f"P95 {money(c.delta.p95)}.",
                figures.delta_figure(report),
            )
        )
    return slides
