"""What a board pack says, independent of its file format (PowerPoint or PDF).

A pack is a cover, then a list of slide specs (:data:`Slide`): an executive summary of computed
so-whats, the key figures, one slide per chart titled with its conclusion (computed, e.g.
"Standard tier leaks 28% of ARR a year") with one computed sentence, data warnings where they
apply and speaker notes, then the assumptions and method. The charts are the dashboard's own
figures (:mod:`reporting.figures`), so the pack and the screen always agree; bar, line and
waterfall charts also travel as editable chart data (:mod:`exports.native`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from exports.native import NativeChart, native_charts
from portfolio.analysis import PortfolioAnalysis
from portfolio.changes import changes_or_note
from portfolio.datafacts import describe
from portfolio.formatting import money, percent
from portfolio.retention import CONVENTION_NAMES
from portfolio.whatif import HistoryViews
from reporting import figures
from reporting.changes import changes_takeaway, strategic_walk_figure
from reporting.decisions import recommend_for, recommend_in_book
from reporting.kpis import overview_kpis
from reporting.simulation_report import SimulationReport
from reporting.simulator import default_sams, settings_mismatch
from reporting.takeaways import conclusion_titles, executive_summary, takeaways
from simulation.recommend import Recommendation


@dataclass(frozen=True)
class ChartSlide:
    """A chart with its conclusion as the title and one computed sentence under it.

    ``native``: the chart as editable PowerPoint charts (one per panel, see
    :func:`exports.native.native_charts`), None when it stays a picture; ``warnings``: data
    caveats shown on the slide; ``notes``: the speaker notes (method and caveats)."""

    key: str  # also the file name stem of the exported chart
    title: str
    takeaway: str
    figure: go.Figure
    native: list[NativeChart] | None = None
    warnings: tuple[str, ...] = ()
    notes: str = ""

    @property
    def message(self) -> str | None:
        """What a chart with nothing to draw says instead (no prior-year ARR, no SAM column), as
        plain text; None for a chart."""
        if self.figure.data or not self.figure.layout.annotations:
            return None
        return html.unescape(re.sub(r"<[^>]*>", " ", str(self.figure.layout.annotations[0].text))).strip()

    @property
    def alt_text(self) -> str:
        """What a screen reader says for the chart: its name and what it shows."""
        name = plain_text_title(self.figure) or self.key
        return f"Chart: {name}. {self.takeaway}"


@dataclass(frozen=True)
class BulletSlide:
    """A titled list of short lines (the executive summary, the method)."""

    key: str
    title: str
    bullets: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    notes: str = ""
    small: bool = False  # long lines (the method): smaller type


@dataclass(frozen=True)
class TableSlide:
    """A titled table: ``header`` and ``rows`` of text."""

    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    warnings: tuple[str, ...] = ()
    notes: str = ""


Slide = ChartSlide | BulletSlide | TableSlide
"""One entry of a pack's slide list: a new kind of slide is one more entry in
:func:`build_pack`'s list, drawn by both writers."""


@dataclass(frozen=True)
class Branding:
    """The cover's company name and logo (PNG or JPEG bytes), from the deployment's settings
    (:class:`storage.settings.Settings`); both optional."""

    company: str = ""
    logo: bytes | None = None


NO_BRANDING = Branding()
"""A cover without company name or logo."""


@dataclass(frozen=True)
class BoardPack:
    """Everything a pack says, built once from one analysis and one set of settings: the cover
    (title, subtitle, branding), the footnote under every slide, and the slides in order."""

    title: str
    subtitle: str
    footnote: str  # source and date, under every slide
    slides: list[Slide]
    branding: Branding = NO_BRANDING
    currency: str = "$"

    @property
    def charts(self) -> list[ChartSlide]:
        """The chart slides, in order."""
        return [s for s in self.slides if isinstance(s, ChartSlide)]


def plain_text_title(fig: go.Figure) -> str:
    """A figure's title without markup."""
    return str(fig.layout.title.text or "").replace("<b>", "").replace("</b>", "")


ANALYSIS_CHARTS: dict[str, Callable[[PortfolioAnalysis], go.Figure]] = {
    "pareto": figures.pareto_figure,
    "lorenz": figures.lorenz_figure,
    "tier-distribution": figures.tier_distribution_figure,
    "scores": figures.score_histogram,
    "retention-by-tier": figures.retention_figure,  # by tier, or by an attribute (a view)
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


def methodology(
    analysis: PortfolioAnalysis, report: SimulationReport | None, currency: str = "$"
) -> list[str]:
    """The assumptions and formulas behind the pack, as short lines (money in ``currency``)."""
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
            f"{percent(s.discount_rate, 0)} discount, {money(s.cost_per_sam, currency)} per SAM "
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


def footnote(source: str, as_of: str | None, currency: str | None = None) -> str:
    """The line under every exported chart: source, the data's as-of date (or that it was not
    given: never today's date), the currency of its amounts, Strata."""
    return (
        f"Source: {source} · "
        + (f"data as of {as_of}" if as_of else "as-of date not given")
        + (f" · amounts in {currency}" if currency else "")
        + " · Strata"
    )


CHART_NOTES: dict[str, str] = {
    "pareto": (
        "Method: accounts ranked by ARR, largest first; the curve is the cumulative share of ARR "
        "against the share of accounts. Caveat: one year's ARR; a large account's renewal can move "
        "the curve."
    ),
    "tier-distribution": (
        "Method: accounts and ARR per tier from the scorecard (or ARR rank when the data has no "
        "scorecard columns). Caveat: tiers describe size and fit; they are not an effect of "
        "being treated as strategic."
    ),
    "retention-by-tier": (
        "Method: accounts grouped by the tier they had a year ago; NRR = Σ ARR / Σ prior ARR, "
        "GRR = Σ min(ARR, prior) / Σ prior; new accounts excluded. Benchmarks: NRR ≥ 120% strong, "
        "GRR 92–98%. Caveat: a tier average describes the tier; size and selection explain most "
        "of the gap between tiers, not the treatment."
    ),
    "arr-bridge": (
        "Method: last year's ARR to this year's, split into expansion, contraction, churn (ARR "
        "to zero) and new accounts. Caveat: one year; a step's size depends on a few large accounts."
    ),
    "sam-headcount": (
        "Method: SAMs needed per tier = accounts / accounts per SAM (the capacity set); available "
        "= named SAMs in the data, or the headcount entered. Caveat: capacity is an assumption, "
        "set in the What-if panel."
    ),
    "changes-strategic-walk": (
        "Method: strategic ARR at the earlier snapshot, plus ARR of accounts that entered the tier, "
        "minus ARR of those that left it (churned or demoted), plus the change of those that "
        "stayed = strategic ARR at the later snapshot. Caveat: tiers as the company ran them on "
        "each date."
    ),
    "simulation-fan": (
        "Method: Monte Carlo paths of every account's ARR (churn and growth per tier, one shared "
        "market factor); bands are percentiles across paths. Caveat: the bands show the model's "
        "uncertainty, not every risk; see the method slide."
    ),
    "simulation-decomposition": (
        "Method: mean differences on the same random paths: the move with today's SAMs, then the "
        "staffing change. NPV at the stated margin and discount rate. Caveat: the treatment effect "
        "is an assumption with its interval, not measured on these accounts."
    ),
    "simulation-delta": (
        "Method: scenario minus baseline ending ARR on the same random paths; bins span the 1st to "
        "99th percentile. The end bins also count every path beyond them, so they are named by "
        'the amounts they hold ("< …", "≥ …") and can hold more than 1% of paths each.'
    ),
}
"""Speaker notes per chart: the method and its caveats."""


WARNING, NOTE = "Data warning:", "Data note:"
"""How a slide's caveat line starts: a warning qualifies the figures; a note says how the data
was read (the load's notes: dates, rows left out on purpose)."""


def chart_warnings(analysis: PortfolioAnalysis) -> dict[str, tuple[str, ...]]:
    """The data warnings the CLI prints, by the chart slide they qualify: tier warnings
    (revenue-only tiers, strategic tier too large) on the tier distribution; no SAM column on
    the headcount; no prior-year ARR on retention and the bridge. Each starts "Data warning: "."""
    out: dict[str, tuple[str, ...]] = {"tier-distribution": tuple(analysis.tiers.warnings)}
    if not analysis.workload.has_sams:
        out["sam-headcount"] = (
            "No SAM column in the data: 'available' is the headcount entered, not named owners; "
            "per-SAM load cannot be shown.",
        )
    if analysis.retention is None:
        out["retention-by-tier"] = out["arr-bridge"] = ("No prior-year ARR column: retention not measured.",)
    return {key: tuple(f"{WARNING} {w}" for w in lines) for key, lines in out.items()}


def build_pack(
    analysis: PortfolioAnalysis,
    source: str,
    as_of: str | None = None,
    report: SimulationReport | None = None,
    whatif: dict | None = None,
    *,
    branding: Branding = NO_BRANDING,
    currency: str | None = None,
    data_notes: Sequence[str] = (),
    recommendation: object | None = None,
) -> BoardPack:
    """The board pack for an analysis: cover, executive summary, key figures, one slide per
    chart, then the simulator's slides when a report is given and it was run under the same
    what-if settings (``whatif``) as the other slides (otherwise the method slide says why it
    is left out), and the method.

    ``currency``: the symbol on money (default: the data's currency); ``data_notes``: the notes of
    the load, all on an appendix slide after the method; those that changed the figures (rows
    left out, amounts set to 0: :func:`changes_figures`) also on the key figures;
    ``recommendation``: the recommended move
    (anything with ``to_dict()`` → ``{"add", "remove", "expected_npv": {"mean", "p5", "p95"}}``),
    one more line of the executive summary.
    """
    facts = analysis.facts
    when = as_of or facts.to_dict()["as_of"]  # the data's date, never today's
    currency = currency or facts.symbol
    notes = takeaways(analysis)
    titles = conclusion_titles(analysis, currency)
    warnings = chart_warnings(analysis)
    left_out = settings_mismatch(report, whatif) if report is not None else None
    simulated = report if report is not None and left_out is None else None
    summary = executive_summary(analysis, recommendation, currency)
    if simulated is not None and simulated.comparison is not None:
        summary.append("Scenario: " + simulation_takeaways(simulated, currency)["simulation-decomposition"])
    kpis = overview_kpis(analysis)
    slides: list[Slide] = [
        BulletSlide(
            "summary",
            "Executive summary",
            tuple(summary[:5]),
            warnings=tuple(f"{WARNING} {w}" for w in analysis.tiers.warnings),
            notes="Each line is computed from the data on the slides that follow; benchmarks: "
            "NRR ≥ 120% strong, GRR 92–98%.",
        ),
        TableSlide(
            "kpis",
            "Key figures",
            ("Metric", "Value", "Reading"),
            tuple((k.title, k.value, k.reading) for k in kpis),
            warnings=_data_notes([n for n in data_notes if changes_figures(n)], shown=3),
            notes="The Overview page's figures for the same data and settings; how the file was "
            "read is in the appendix.",
        ),
    ]
    for key in PACK_CHARTS:
        fig = ANALYSIS_CHARTS[key](analysis)
        slides.append(_chart_slide(key, titles[key], notes[key], fig, currency, warnings.get(key, ())))
    slides += changes_slides(analysis, currency)
    if simulated is not None:
        slides += simulation_slides(simulated, currency)
    lines = [describe(facts), *methodology(analysis, simulated, currency)]
    rec = recommendation.to_dict() if recommendation is not None else {}  # type: ignore[attr-defined]
    if {"sams", "capacity_per_sam", "slots", "treatment"} <= rec.keys():
        lines.append(
            f"Recommended move (Decisions page): {rec['sams']:g} strategic SAMs × "
            f"{rec['capacity_per_sam']:g} accounts each = {rec['slots']:,} slots filled by an exact "
            "integer program maximising the expected NPV of strategic treatment net of SAM cost "
            f"(the Simulator's margin, discount and cost per SAM). Treatment: {rec['treatment']}"
        )
    if left_out:
        lines.append(f"Simulation slides left out: {left_out}")
    slides.append(
        BulletSlide(
            "method",
            "Assumptions and method",
            tuple(lines),
            small=True,
            notes="Every figure in this pack comes from these assumptions and one snapshot of the settings.",
        )
    )
    if data_notes:
        slides.append(
            BulletSlide(
                "data-reading",
                "Appendix: how the data file was read",
                _data_notes(data_notes),
                small=True,
                notes="The reader's notes on the file (dates, delimiters, rows left out on purpose); "
                "the Data page and `portfolio analyze` list the same.",
            )
        )
    return BoardPack(
        title="Strategic-account portfolio review",
        subtitle=f"{source} · "
        + (f"data as of {when}" if when else "as-of date not given")
        + f" · amounts in {facts.currency}",
        footnote=footnote(source, when, facts.currency),
        slides=slides,
        branding=branding,
        currency=currency,
    )


FIGURE_CHANGES = ("left out", "set to 0", "read as 0")
"""What a load note says when it changed the figures (rows or accounts left out, amounts set to
0): such notes stay on the key-figures slide; the others (date formats, delimiters, encodings,
how a history was aggregated) are reading details for the appendix."""


def changes_figures(note: str) -> bool:
    """True when the load note ``note`` says rows or amounts were left out or replaced
    (:data:`FIGURE_CHANGES`)."""
    return any(phrase in note for phrase in FIGURE_CHANGES)


def _data_notes(notes: Sequence[str], shown: int = 12) -> tuple[str, ...]:
    """The load's notes as slide lines: the first ``shown``, then how many more there are (the
    Data page and ``portfolio analyze`` list them all)."""
    lines = [f"{NOTE} {n}" for n in notes[:shown]]
    if len(notes) > shown:
        lines.append(f"{NOTE} … and {len(notes) - shown} more from reading the file.")
    return tuple(lines)


def _chart_slide(
    key: str, title: str, takeaway: str, fig: go.Figure, currency: str, warnings: Sequence[str] = ()
) -> ChartSlide:
    return ChartSlide(
        key,
        title,
        takeaway,
        fig,
        native=native_charts(fig, currency),
        warnings=tuple(warnings),
        notes=CHART_NOTES.get(key, ""),
    )


def recommended_move(
    analysis: PortfolioAnalysis, whole: PortfolioAnalysis | None = None
) -> Recommendation | None:
    """The Decisions page's recommended strategic set at today's strategic SAMs, for the
    executive summary: :func:`reporting.decisions.recommend_for`, or under a segment filter
    :func:`reporting.decisions.recommend_in_book` on the ``whole`` book (the SAMs keep their
    whole books; only the filter's accounts move). None when the data allows none (no SAM
    column, so no SAMs today; no account to choose), which leaves that line out."""
    book = analysis if whole is None else whole
    if not book.workload.has_sams:
        return None  # no SAM column: today's SAMs would be made up (the tier's need)
    try:
        if book is analysis:
            return recommend_for(analysis, default_sams(analysis))
        return recommend_in_book(book, analysis.accounts["account_id"], default_sams(book))
    except ValueError:
        return None


def changes_slides(analysis: PortfolioAnalysis, currency: str = "$") -> list[ChartSlide]:
    """ "What changed since the last review" (the last two snapshots) when the data is a series
    of snapshots; none otherwise."""
    found, _ = changes_or_note(analysis.accounts)
    if found is None:
        return []
    title = f"What changed since the last review ({found.start:%Y-%m-%d})"
    figure = strategic_walk_figure(found)
    return [_chart_slide("changes-strategic-walk", title, changes_takeaway(found), figure, currency)]


def simulation_takeaways(report: SimulationReport, currency: str = "$") -> dict[str, str]:
    """The simulator slides' sentences (the move/staffing split and the paired difference need a
    scenario)."""
    text = {"simulation-fan": report.headline}
    c = report.comparison
    if c is not None:
        base = report.fan.get("Baseline")
        if base is not None:  # the shaded bands
            text["simulation-fan"] += (
                f" Shaded: the baseline, median {money(base.p50[-1], currency)} "
                f"(P5 {money(base.p5[-1], currency)} – P95 {money(base.p95[-1], currency)})."
            )
        e = c.economics
        text["simulation-decomposition"] = (
            f"the move with today's SAMs {money(c.move.mean, currency, signed=True)}, the staffing "
            f"change {money(c.staffing.mean, currency, signed=True)} of expected ARR; NPV "
            f"{money(e.npv.mean, currency, signed=True)} (P5 {money(e.npv.p5, currency)}, "
            f"P95 {money(e.npv.p95, currency)})."
        )
        text["simulation-delta"] = (
            f"ARR above the baseline's on {percent(c.delta.prob_better, 0)} of paths; mean "
            f"{money(c.delta.mean, currency)} (± {money(c.delta_error, currency)}), P5 "
            f"{money(c.delta.p5, currency)}, P95 {money(c.delta.p95, currency)}."
        )
    return text


def fan_title(report: SimulationReport, currency: str = "$") -> str:
    """The fan slide's conclusion: the median ARR at the horizon and its P5–P95 — the scenario's
    when there is one (the variant the result is about, drawn as its median and P5/P95 lines
    over the baseline's bands), else the baseline's."""
    fan = report.fan.get(report.target.name) or next(iter(report.fan.values()))
    periods = len(fan.p50) - 1
    label = "Scenario median" if report.comparison is not None else "Median ARR"
    return (  # one line at 24 pt
        f"{label} {money(fan.p50[-1], currency)} in {periods} {report.settings.period}s "
        f"(P5 {money(fan.p5[-1], currency)} – P95 {money(fan.p95[-1], currency)})"
    )


def simulation_slides(report: SimulationReport, currency: str = "$") -> list[ChartSlide]:
    """The fan; with a scenario the move/staffing split (with the NPV) and the paired
    difference; titles state the result."""
    text = simulation_takeaways(report, currency)
    slides = [
        _chart_slide(
            "simulation-fan",
            fan_title(report, currency),
            text["simulation-fan"],
            figures.fan_figure(report),
            currency,
        )
    ]
    c = report.comparison
    if c is not None:
        e = c.economics
        slides.append(
            _chart_slide(
                "simulation-decomposition",
                f"The scenario {'adds' if c.delta.mean >= 0 else 'costs'} "
                f"{money(abs(c.delta.mean), currency)} of expected ARR; "
                f"NPV {money(e.npv.mean, currency, signed=True)}",
                text["simulation-decomposition"][0].upper() + text["simulation-decomposition"][1:],
                figures.decomposition_figure(report),
                currency,
            )
        )
        slides.append(
            _chart_slide(
                "simulation-delta",
                f"The scenario ends ahead of the baseline on {percent(c.delta.prob_better, 0)} of paths",
                text["simulation-delta"],
                figures.delta_figure(report),
                currency,
            )
        )
    return slides
