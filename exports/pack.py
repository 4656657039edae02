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
from portfolio.formatting import money, percent
from reporting import figures
from reporting.kpis import Kpi, overview_kpis
from reporting.simulation_report import SimulationReport
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
}
"""Simulator charts by export name (from a simulation report)."""


def simulation_charts(report: SimulationReport) -> dict[str, Callable[[SimulationReport], go.Figure]]:
    """The simulator charts this report can draw: the paired difference needs a scenario."""
    return {key: build for key, build in SIMULATION_CHARTS.items()
            if key != "simulation-delta" or report.delta_histogram is not None}


PACK_CHARTS = ("pareto", "tier-distribution", "retention-by-tier", "arr-bridge", "sam-headcount")
"""The analysis charts a board pack carries, in order."""


def methodology(analysis: PortfolioAnalysis, report: SimulationReport | None) -> list[str]:
    """The assumptions and formulas behind the pack, as short lines."""
    t = analysis.tiers
    weights = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in t.weights.items())
    capacity = ", ".join(f"{k} {v:g}" for k, v in analysis.workload.by_tier["capacity"].items())
    lines = [
        "Tiers: " + ("revenue-only (ARR percentile)" if t.revenue_only else f"scorecard, weights {weights}")
        + f"; Strategic ≥ {t.thresholds.strategic:g}, Key ≥ {t.thresholds.key:g}.",
        f"SAM capacity (accounts per SAM): {capacity}; an account takes 1/capacity of a SAM.",
        "Concentration: Gini = Σ(2i − n − 1)·x(i) / (n·Σx); HHI = 10,000·Σ share²; accounts with "
        "ARR > 0.",
        "Retention (accounts in the tier they had a year ago): NRR = Σ ARR / Σ prior ARR; "
        "GRR = Σ min(ARR, prior) / Σ prior; new accounts excluded.",
    ]
    if report is not None:
        s = report.settings
        lines.append(
            f"Monte Carlo: {s.paths:,} paths × {s.horizon} {s.period}s, seed {s.seed}, "
            f"correlation {report.correlation:g}; log-normal ARR growth with a shared market "
            "factor, churn with a shared churn climate; scenario and baseline on the same random "
            "numbers; strategic treatment fades toward key when SAMs are over capacity.")
        for tier, a in report.baseline.assumptions.items():
            lines.append(f"  {tier}: churn {percent(a.annual_churn)}/yr, drift "
                         f"{a.expansion_drift:+.3f}, volatility {a.volatility:.3f} "
                         f"({a.source}).")
    return lines


def footnote(source: str, as_of: str | None) -> str:
    """The line under every exported chart: source, data date when known, Strata."""
    return f"Source: {source}" + (f" · data as of {as_of}" if as_of else "") + " · Strata"


def build_pack(analysis: PortfolioAnalysis, source: str, as_of: str | None = None,
               report: SimulationReport | None = None) -> BoardPack:
    """The board pack for an analysis, with the simulator's slides when a report is given."""
    when = as_of or date.today().isoformat()
    notes = takeaways(analysis)
    charts = []
    for key in PACK_CHARTS:
        fig = ANALYSIS_CHARTS[key](analysis)
        charts.append(ChartSlide(key, fig.layout.title.text or key, notes[key], fig))
    if report is not None:
        charts.append(ChartSlide("simulation-fan", "Simulated ARR", report.headline,
                                 figures.fan_figure(report)))
        if "simulation-delta" in simulation_charts(report):
            d = report.delta
            charts.append(ChartSlide(
                "simulation-delta", "Scenario vs baseline",
                f"Better than the baseline on {percent(d.prob_better, 0)} of paths; mean "
                f"{money(d.mean)}, P5 {money(d.p5)}, P95 {money(d.p95)}.",
                figures.delta_figure(report)))
    return BoardPack(
        title="Strategic-account portfolio review",
        subtitle=f"{source} · data as of {when}",
        footnote=footnote(source, when),
        kpis=overview_kpis(analysis),
        charts=charts,
        methodology=methodology(analysis, report),
    )
