"""Pure figure builders: analysis in, ``go.Figure`` out (shared by the pages and exports).

Money axes and hovers use the current currency's prefix (:func:`portfolio.formatting.currency_symbol`)
and k/M/B suffixes ($1.2M, £1.6B); shares are percentages.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from portfolio.analysis import PortfolioAnalysis
from portfolio.cohorts import Cohorts
from portfolio.concentration import lorenz_points, pareto_points
from portfolio.datafacts import retention_names
from portfolio.formatting import currency_symbol, money, percent
from portfolio.retention import Bridge, Retention, retention_by_attribute
from portfolio.schema import TIERS
from portfolio.segments import FILTER_COLUMNS, FILTER_LABELS
from portfolio.tiers import tier_start_arr
from portfolio.trends import Trend
from reporting.simulation_report import DELTA, SimulationReport
from reporting.theme import ACCENT, BAND, TEMPLATE_NAME, TIER_COLORS, VARIANT_COLORS, rgba

BROWSER_TRACE_TYPES = frozenset(
    {
        "bar",
        "candlestick",
        "funnel",
        "funnelarea",
        "histogram",
        "indicator",
        "ohlc",
        "pie",
        "scatter",
        "waterfall",
    }
)
"""Trace types the browser can draw: assets/01-plotly-finance.min.js is plotly.js's "finance"
partial bundle (1.3 MB instead of 4.8 MB, so pages load faster). A figure needing another trace
type needs a bigger bundle there."""


def money_axis() -> dict:
    """A money axis in the current currency (:func:`portfolio.formatting.currency_symbol`) with
    k/M/B suffixes (Plotly's ``exponentformat="B"``; SI would print billions as "G")."""
    return dict(tickprefix=currency_symbol(), exponentformat="B")


SHARE_AXIS = dict(tickformat=".0%", range=[0, 1.02])


def plain_text(text: object) -> str:
    """``text`` shown literally where Plotly (or reportlab) reads markup: ``&``, ``<`` and ``>``
    escaped, so a name or filename like ``<a href=…>`` or ``<br>`` is shown, not interpreted.

    Use it wherever text from the data or the user (file names, account, SAM and scenario
    names) enters a title, annotation, axis tick, hover label or legend.
    """
    return html.escape(str(text), quote=False)


def escape_text(values: pd.Series) -> pd.Series:
    """:func:`plain_text` of each value (account or SAM names for hover labels and ticks)."""
    return pd.Series([plain_text(v) for v in values], index=values.index, dtype=object)


def _figure(title: str, traces: Sequence[dict] = (), **layout) -> go.Figure:
    """The figure in one validated construction.

    Plotly's ``make_subplots`` and ``add_hline``/``add_vrect``… re-validate the figure on every
    call (10–17 ms each); building traces, shapes and annotations as plain dicts and validating
    once keeps a figure at a few milliseconds, which is what keeps a what-if change fast.
    """
    return go.Figure(data=list(traces), layout=dict(template=TEMPLATE_NAME, title=title, **layout))


def _panel_title(text: str, x: float) -> dict:
    return dict(
        text=f"<b>{text}</b>",
        x=x,
        y=1.0,
        xref="paper",
        yref="paper",
        xanchor="center",
        yanchor="bottom",
        showarrow=False,
        font=dict(size=14),
    )


def _side_by_side(left: str, right: str, yaxis: dict, yaxis2: dict) -> dict:
    """Layout of two titled panels side by side (what ``make_subplots(1, 2)`` gives)."""
    return dict(
        xaxis=dict(domain=[0, 0.45]),
        xaxis2=dict(domain=[0.55, 1], anchor="y2"),
        yaxis=yaxis,
        yaxis2=dict(anchor="x2", **yaxis2),
        annotations=[_panel_title(left, 0.225), _panel_title(right, 0.775)],
    )


def _line(axis: str, value: float, line: dict, xref: str = "x", yref: str = "y") -> dict:
    """A horizontal (``axis="y"``) or vertical (``"x"``) line across the plot at ``value``."""
    if axis == "y":
        return dict(
            type="line",
            xref=f"{xref} domain",
            x0=0,
            x1=1,
            yref=yref,
            y0=value,
            y1=value,
            line=line,
            layer="below",
        )
    return dict(type="line", yref=f"{yref} domain", y0=0, y1=1, xref=xref, x0=value, x1=value, line=line)


def _label(text: str, x: float, y: float, xref: str, yref: str, **style) -> dict:
    return dict(text=text, x=x, y=y, xref=xref, yref=yref, showarrow=False, **style)


PARETO_NAMED_POINTS = 2000
"""The largest accounts, each kept as its own point on the Pareto curve (hover names them)."""


def _thin(points: pd.DataFrame, max_points: int = 2000, keep_head: int = 0) -> pd.DataFrame:
    """The first ``keep_head`` points, then every k-th point and always the last.

    A curve of 100,000 points looks the same on screen with ~2,000 of them.
    """
    step = max(1, (len(points) - keep_head) // max_points)
    kept = {*range(min(keep_head, len(points))), *range(keep_head, len(points), step), len(points) - 1}
    return points.iloc[sorted(kept)]


def pareto_figure(analysis: PortfolioAnalysis) -> go.Figure:
    """Cumulative ARR share vs share of accounts (largest first), the 80% line and its point."""
    accounts = analysis.accounts
    points = _thin(pareto_points(accounts["arr"]), keep_head=PARETO_NAMED_POINTS)
    ranked = accounts.loc[points["position"].iloc[1:]]
    names = pd.concat([pd.Series([""]), escape_text(ranked["account_name"])], ignore_index=True)
    arr = np.concatenate([[0.0], ranked["arr"].to_numpy()])
    traces = [
        dict(
            type="scatter",
            x=points["account_share"].to_numpy(),
            y=points["arr_share"].to_numpy(),
            mode="lines",
            line=dict(color=TIER_COLORS["Strategic"], width=3),
            text=names.to_numpy(dtype=str),  # a unicode array: Plotly deep-copies object arrays item by item
            customdata=arr,
            hovertemplate=f"<b>%{{text}}</b> (ARR {currency_symbol()}%{{customdata:,.0f}})<br>"
            "top %{x:.1%} of accounts → %{y:.1%} of ARR<extra></extra>",
        )
    ]
    shapes, annotations = [], []
    c = analysis.concentration
    if c.active_accounts:
        shapes.append(_line("y", 0.8, dict(color="#666", dash="dash")))
        annotations.append(_label("80% of ARR", 1, 0.8, "x domain", "y", xanchor="right", yanchor="top"))
        traces.append(
            dict(
                type="scatter",
                x=[c.share_of_accounts_for_80pct],
                y=[0.8],
                mode="markers+text",
                marker=dict(color=ACCENT, size=11),
                text=[f"{c.accounts_for_80pct:,} accounts ({percent(c.share_of_accounts_for_80pct)})"],
                textposition="bottom right",
                hoverinfo="skip",
            )
        )
    return _figure(
        "Pareto: share of ARR from the largest accounts",
        traces,
        xaxis=dict(title="Share of accounts (largest first)", **SHARE_AXIS),
        yaxis=dict(title="Cumulative share of ARR", **SHARE_AXIS),
        showlegend=False,
        shapes=shapes,
        annotations=annotations,
    )


def lorenz_figure(analysis: PortfolioAnalysis) -> go.Figure:
    """Lorenz curve (smallest first) against the line of equality, with the Gini."""
    points = _thin(lorenz_points(analysis.accounts["arr"]))
    traces = [
        dict(
            type="scatter",
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="Equal ARR",
            line=dict(color="#999", dash="dot"),
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            x=points["account_share"].to_numpy(),
            y=points["arr_share"].to_numpy(),
            mode="lines",
            name="Portfolio",
            fill="tonexty",
            fillcolor="rgba(0,114,178,0.12)",
            line=dict(color=TIER_COLORS["Strategic"], width=3),
            hovertemplate="bottom %{x:.1%} of accounts hold %{y:.1%} of ARR<extra></extra>",
        ),
    ]
    return _figure(
        f"Lorenz curve — Gini {analysis.concentration.gini:.2f}",
        traces,
        xaxis=dict(title="Share of accounts (smallest first)", **SHARE_AXIS),
        yaxis=dict(title="Cumulative share of ARR", **SHARE_AXIS),
    )


def tier_distribution_figure(analysis: PortfolioAnalysis) -> go.Figure:
    """Accounts per tier and share of ARR per tier, side by side."""
    dist = analysis.distribution
    colors = [TIER_COLORS[t] for t in TIERS]
    traces = [
        dict(
            type="bar",
            x=list(TIERS),
            y=dist["accounts"].tolist(),
            marker_color=colors,
            text=dist["accounts"].tolist(),
            textposition="outside",
            hovertemplate="%{x}: %{y:,} accounts<extra></extra>",
        ),
        dict(
            type="bar",
            x=list(TIERS),
            y=dist["arr_share"].tolist(),
            marker_color=colors,
            text=[
                f"{percent(s, 0)}<br>{money(a)}" for s, a in zip(dist["arr_share"], dist["arr"], strict=True)
            ],
            textposition="outside",
            xaxis="x2",
            yaxis="y2",
            hovertemplate="%{x}: %{y:.1%} of ARR<extra></extra>",
        ),
    ]
    layout = _side_by_side(
        "Accounts",
        "Share of ARR",
        yaxis=dict(title="Accounts", range=[0, max(1, int(dist["accounts"].max())) * 1.2]),
        yaxis2=dict(
            title="Share of ARR", tickformat=".0%", range=[0, max(1e-9, float(dist["arr_share"].max())) * 1.2]
        ),
    )
    return _figure("Tier distribution", traces, showlegend=False, **layout)


SCORE_BIN = 2.5
"""Width of the score histogram's bins (scores run 0–100)."""


def score_label(analysis: PortfolioAnalysis) -> str:
    """What the score axis measures."""
    return "Revenue score × 10 (revenue-only)" if analysis.tiers.revenue_only else "Score (0–100)"


def score_counts(analysis: PortfolioAnalysis) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Bin edges 0, 2.5, …, 100 and the number of accounts of each tier per bin (a bin holds
    scores s with lo ≤ s < hi; the last also 100)."""
    accounts = analysis.accounts.dropna(subset=["tier"])
    edges = np.arange(0, 100 + SCORE_BIN, SCORE_BIN)
    return edges, {
        tier: np.histogram(accounts.loc[accounts["tier"] == tier, "score"], bins=edges)[0] for tier in TIERS
    }


def tier_cut_marks(cuts: dict[str, tuple[float, str]]) -> tuple[list[dict], list[dict]]:
    """A dashed line in the tier's colour at each cut ``{tier: (x, label)}``, with its label at
    the top: Key's to the left of its line and Strategic's to the right, so the two never
    overlap however close the cuts are (Key's cut is never above Strategic's)."""
    shapes, annotations = [], []
    for name, (x, text) in cuts.items():
        left = name == "Key"
        shapes.append(_line("x", x, dict(color=TIER_COLORS[name], dash="dash", width=2)))
        annotations.append(
            _label(
                text,
                x,
                1,
                "x",
                "y domain",
                xanchor="right" if left else "left",
                yanchor="top",
                xshift=-4 if left else 4,
                bgcolor="rgba(255,255,255,0.8)",
            )
        )
    return shapes, annotations


def score_histogram(analysis: PortfolioAnalysis) -> go.Figure:
    """Distribution of scores by tier (stacked, binned here) with the two threshold lines.

    Binned with NumPy rather than by Plotly in the browser, so 100,000 scores send 40 bars
    per tier, not 100,000 numbers.
    """
    if analysis.tiers.revenue_only and analysis.tiers.revenue_method == "percentile":
        return arr_cutoff_histogram(analysis)
    t = analysis.tiers.thresholds
    label = score_label(analysis)
    edges, by_tier = score_counts(analysis)
    traces = []
    for tier, counts in by_tier.items():
        traces.append(
            dict(
                type="bar",
                x=edges[:-1] + SCORE_BIN / 2,
                y=counts,
                width=SCORE_BIN,
                name=tier,
                marker=dict(color=TIER_COLORS[tier], line_width=0),
                customdata=np.column_stack([edges[:-1], edges[1:]]),
                hovertemplate=f"{tier}: %{{y:,}} accounts scoring "
                "%{customdata[0]:g}–%{customdata[1]:g}<extra></extra>",
            )
        )
    shapes, annotations = tier_cut_marks(
        {"Key": (t.key, f"Key ≥ {t.key:g}"), "Strategic": (t.strategic, f"Strategic ≥ {t.strategic:g}")}
    )
    return _figure(
        "Scores and tier thresholds",
        traces,
        barmode="stack",
        bargap=0,
        xaxis=dict(title=label, range=[0, 100]),
        yaxis=dict(title="Accounts"),
        shapes=shapes,
        annotations=annotations,
    )


def arr_counts(analysis: PortfolioAnalysis, bins: int = 40) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Edges of ``bins`` equal steps of log10 ARR from the smallest to the largest tiered
    account, and the number of accounts of each tier per step."""
    accounts = analysis.accounts.dropna(subset=["tier"])
    log_arr = np.log10(accounts["arr"].to_numpy(dtype=float))
    lo, hi = (float(log_arr.min()), float(log_arr.max())) if len(log_arr) else (0.0, 1.0)
    edges = np.linspace(lo, max(hi, lo + 1e-6), bins + 1)
    return edges, {
        tier: np.histogram(log_arr[(accounts["tier"] == tier).to_numpy()], bins=edges)[0] for tier in TIERS
    }


def arr_cutoff_histogram(analysis: PortfolioAnalysis, bins: int = 40) -> go.Figure:
    """Revenue-only tiers (the score is the ARR percentile, whose histogram is flat by
    construction): accounts by ARR on a log scale (``bins`` equal steps of log10 ARR), stacked
    by tier, with a line at the ARR where the Strategic and Key tiers start."""
    edges, by_tier = arr_counts(analysis, bins)
    lo, hi = float(edges[0]), float(edges[-1])
    traces = []
    for tier, counts in by_tier.items():
        traces.append(
            dict(
                type="bar",
                x=(edges[:-1] + edges[1:]) / 2,
                y=counts,
                width=edges[1] - edges[0],
                name=tier,
                marker=dict(color=TIER_COLORS[tier], line_width=0),
                customdata=np.column_stack(
                    [[money(10**e) for e in edges[:-1]], [money(10**e) for e in edges[1:]]]
                ),
                hovertemplate=f"{tier}: %{{y:,}} accounts with ARR "
                "%{customdata[0]}–%{customdata[1]}<extra></extra>",
            )
        )
    starts = tier_start_arr(analysis.accounts["arr"], analysis.accounts["tier"])
    shapes, annotations = tier_cut_marks(
        {name: (float(np.log10(arr)), f"{name} from {money(arr)}") for name, arr in starts.items()}
    )
    powers = np.arange(np.floor(lo), np.ceil(hi) + 1)
    return _figure(
        "ARR and revenue-only tier cut-offs",
        traces,
        barmode="stack",
        bargap=0,
        xaxis=dict(
            title="ARR (log scale)",
            tickvals=powers.tolist(),
            ticktext=[re.sub(r"\.0+(?=[kMB])", "", money(10**p)) for p in powers],
        ),
        yaxis=dict(title="Accounts", rangemode="tozero"),
        shapes=shapes,
        annotations=annotations,
    )


NO_PRIOR_ARR = "The data has no prior-year ARR column: retention is not available."


def _retention_layout(names: tuple[str, str], label: str, nrrs: list[float], bands: bool) -> dict:
    """Two panels, "{NRR} by {label}" and "{GRR} by {label}": the NRR axis from 0 to 170% or 110%
    of the highest finite NRR in ``nrrs``, the GRR axis to 115%, a dotted 100% line, and — with
    ``bands`` (subscription data) — the benchmark bands NRR 120–160% and GRR 92–98%."""
    layout = _side_by_side(
        f"{names[0]} by {label}",
        f"{names[1]} by {label}",
        yaxis=dict(tickformat=".0%", range=[0, max([1.7] + [1.1 * v for v in nrrs if math.isfinite(v)])]),
        yaxis2=dict(tickformat=".0%", range=[0, 1.15]),
    )
    layout["shapes"] = [_line("y", 1.0, dict(color="#666", dash="dot"))]
    if bands:
        band = dict(type="rect", x0=0, x1=1, fillcolor=BAND, line_width=0, layer="below")
        layout["shapes"] += [
            dict(band, xref="x domain", yref="y", y0=1.2, y1=1.6),
            dict(band, xref="x2 domain", yref="y2", y0=0.92, y1=0.98),
        ]
    return layout


def retention_by_tier_figure(analysis: PortfolioAnalysis) -> go.Figure:
    """NRR and GRR per start-of-period tier against benchmark bands (NRR ≥ 120%, GRR 92–98%);
    for order (transactional) data, repeat-revenue retention without the bands; a message
    instead when the data has no prior-year ARR."""
    if analysis.retention is None:
        return message_figure("Retention by tier — needs prior-year ARR", NO_PRIOR_ARR)
    rows = analysis.retention_by_tier
    tops = [rows[t].nrr for t in TIERS if t in rows]  # the NRR axis reaches the highest
    colors = [TIER_COLORS[t] for t in TIERS]
    traces, names = [], analysis.retention_names
    for (axis, attr), label in zip((("", "nrr"), ("2", "grr")), names, strict=True):
        values = [getattr(rows[t], attr) if t in rows else None for t in TIERS]
        traces.append(
            dict(
                type="bar",
                x=list(TIERS),
                y=values,
                marker_color=colors,
                xaxis=f"x{axis}",
                yaxis=f"y{axis}",
                text=[percent(v) for v in values],
                textposition="inside",
                insidetextanchor="end",
                textfont=dict(color="white", size=14),
                hovertemplate=f"%{{x}}: {label} %{{y:.1%}}<extra></extra>",
            )
        )
    bands = not analysis.facts.transactional  # SaaS benchmarks apply to subscriptions only
    layout = _retention_layout(names, "tier", tops, bands)
    if bands:
        layout["annotations"] += [
            _label("strong ≥ 120%", 1, 1.6, "x domain", "y", xanchor="right", yanchor="bottom"),
            _label("benchmark 92–98%", 1, 0.98, "x2 domain", "y2", xanchor="right", yanchor="bottom"),
        ]
    basis = "assigned tier" if analysis.tier_basis == "assigned" else "scorecard on prior ARR"
    return _figure(
        f"Retention by tier at the start of the period ({basis})", traces, showlegend=False, **layout
    )


def arr_bridge_figure(analysis: PortfolioAnalysis, tier: str | None = None) -> go.Figure:
    """The ARR bridge of one start-of-period tier, or of all tiers (``tier`` None or not a tier
    the data has); a message instead when the data has no prior-year ARR."""
    if analysis.retention is None:
        return bridge_figure_unavailable()
    if tier in analysis.retention_by_tier:
        return bridge_figure(analysis.retention_by_tier[tier].bridge, tier)
    return bridge_figure(analysis.retention.bridge)


def bridge_steps(bridge: Bridge) -> list[tuple[str, float, str]]:
    """The bridge's steps as (label, amount, waterfall measure): losses are negative amounts."""
    return [
        ("Starting ARR", bridge.starting, "absolute"),
        ("Expansion", bridge.expansion, "relative"),
        ("Contraction", -bridge.contraction, "relative"),
        ("Churn", -bridge.churn, "relative"),
        ("Reactivation", bridge.reactivation, "relative"),
        ("New", bridge.new, "relative"),
        ("Ending ARR", bridge.ending, "total"),
    ]


def bridge_figure(bridge: Bridge, label: str = "All tiers") -> go.Figure:
    """ARR bridge as a waterfall: starting → expansion → contraction → churn → reactivation →
    new → ending."""
    top = max(bridge.starting, bridge.ending, bridge.starting + bridge.expansion)
    return waterfall_figure(f"ARR bridge — {label}", bridge_steps(bridge), top)


def waterfall_figure(
    title: str, steps: list[tuple[str, float, str]], top: float, signed: bool = False
) -> go.Figure:
    """A walk of ARR as a waterfall: ``steps`` are (label, amount, Plotly measure "absolute",
    "relative" or "total"), gains green, losses orange, totals in the strategic colour; the
    y-axis from 0 to 115% of ``top`` (the highest the walk reaches); ``signed`` marks gains "+"."""
    waterfall = dict(
        type="waterfall",
        x=[s[0] for s in steps],
        y=[s[1] for s in steps],
        measure=[s[2] for s in steps],
        text=[money(s[1], signed=signed and s[2] == "relative") for s in steps],
        textposition="outside",
        increasing=dict(marker_color="#009E73"),
        decreasing=dict(marker_color=ACCENT),
        totals=dict(marker_color=TIER_COLORS["Strategic"]),
        connector=dict(line=dict(color="#bbb")),
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    return _figure(
        title,
        [waterfall],
        showlegend=False,
        yaxis=dict(title="ARR", range=[0, top * 1.15 if top > 0 else 1], **money_axis()),
    )


def sam_load_figure(analysis: PortfolioAnalysis, top: int = 30) -> go.Figure:
    """Each SAM's load (FTE = Σ accounts / capacity), stacked by tier, against 100% capacity."""
    w = analysis.workload
    if not w.has_sams:
        return message_figure(
            "SAM workload against capacity",
            "No SAM column in the data: per-SAM load needs each account's SAM.<br>"
            "Enter the SAM headcount in the What-if panel to see coverage by tier.",
        )
    by_sam = w.by_sam.drop(index="(unassigned)", errors="ignore").head(top).iloc[::-1]
    capacity = w.by_tier["capacity"]
    names = escape_text(pd.Series(by_sam.index, dtype=str)).tolist()
    traces = [
        dict(
            type="bar",
            y=names,
            x=(by_sam[tier] / capacity[tier]).to_numpy(),
            orientation="h",
            name=tier,
            marker_color=TIER_COLORS[tier],
            customdata=by_sam[tier].to_numpy(),
            hovertemplate=f"%{{y}}: %{{customdata}} {tier} accounts (%{{x:.0%}})<extra></extra>",
        )
        for tier in TIERS
    ]
    return _figure(
        f"SAM workload against capacity (top {len(by_sam)} by load)",
        traces,
        barmode="stack",
        xaxis=dict(title="Load (share of one SAM's capacity)", tickformat=".0%"),
        yaxis=dict(title=None),
        height=max(380, 22 * len(by_sam) + 140),
        shapes=[_line("x", 1.0, dict(color=ACCENT, dash="dash", width=2))],
        annotations=[_label("capacity", 1.0, 1, "x", "y domain", yanchor="bottom")],
    )


def headcount_figure(analysis: PortfolioAnalysis) -> go.Figure:
    """Required vs available SAM headcount (FTE) per tier; without a SAM column or a headcount
    the available SAMs are unknown, so only the required bars are drawn, with a note saying so."""
    w = analysis.workload
    t = w.by_tier
    colors = [TIER_COLORS[x] for x in TIERS]
    required = dict(
        type="bar",
        x=list(TIERS),
        y=t["required_fte"].tolist(),
        name="Required",
        marker_color=colors,
        text=[f"{v:.1f}" for v in t["required_fte"]],
        textposition="outside",
    )
    if not w.headcount_known:
        return _figure(
            "SAMs required per tier",
            [required],
            yaxis=dict(title="SAMs (FTE)", range=[0, max(1.0, float(t["required_fte"].max())) * 1.2]),
            annotations=[
                _label(
                    "Available: no SAM column; enter the SAM headcount in the What-if panel",
                    0.5,
                    1,
                    "paper",
                    "paper",
                    yanchor="bottom",
                    font=dict(size=12, color="#555"),
                )
            ],
        )
    traces = [
        required,
        dict(
            type="bar",
            x=list(TIERS),
            y=t["available_fte"].tolist(),
            name="Available",
            marker=dict(
                color="white", line=dict(color=colors, width=2), pattern=dict(shape="/", fgcolor=colors)
            ),
            text=[f"{v:.1f}" for v in t["available_fte"]],
            textposition="outside",
        ),
    ]
    top = max(1.0, float(t[["required_fte", "available_fte"]].max().max())) * 1.2
    return _figure(
        "SAMs: required vs available", traces, barmode="group", yaxis=dict(title="SAMs (FTE)", range=[0, top])
    )


def message_figure(title: str, message: str) -> go.Figure:
    """An empty chart area that says why there is nothing to draw."""
    return _figure(
        title,
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        annotations=[_label(message, 0.5, 0.5, "paper", "paper")],
    )


def bridge_figure_unavailable() -> go.Figure:
    """Placeholder when the data has no prior-year ARR."""
    return message_figure("ARR bridge — needs prior-year ARR", NO_PRIOR_ARR)


# ---- Simulator (from a :class:`reporting.simulation_report.SimulationReport`) ----


def _variant_color(name: str) -> tuple[int, int, int]:
    return VARIANT_COLORS["Baseline" if name == "Baseline" else "Scenario"]


def period_labels(report: SimulationReport, n: int) -> list[str]:
    prefix = "Q" if report.settings.period == "quarter" else "M"
    return ["Today"] + [f"{prefix}{t}" for t in range(1, n)]


def fan_figure(report: SimulationReport) -> go.Figure:
    """Portfolio ARR over time: P5–P95 and P25–P75 bands and the median, per variant."""
    traces, sym = [], currency_symbol()
    for variant, fan in report.fan.items():
        color, name = _variant_color(variant), plain_text(variant)
        x = period_labels(report, len(fan.p50))
        for lo, hi, alpha, label in (("p5", "p95", 0.12, "P5–P95"), ("p25", "p75", 0.25, "P25–P75")):
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=getattr(fan, lo),
                    mode="lines",
                    line_width=0,
                    showlegend=False,
                    hoverinfo="skip",
                    legendgroup=name,
                )
            )
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=getattr(fan, hi),
                    mode="lines",
                    line_width=0,
                    fill="tonexty",
                    fillcolor=rgba(color, alpha),
                    legendgroup=name,
                    name=f"{name} {label}",
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=fan.p50,
                mode="lines+markers",
                name=name,
                legendgroup=name,
                line=dict(color=rgba(color), width=3),
                customdata=np.column_stack([fan.p5, fan.p95]),
                hovertemplate=f"{name} %{{x}}: median {sym}%{{y:,.0f}}<br>"
                f"P5 {sym}%{{customdata[0]:,.0f}} – P95 {sym}%{{customdata[1]:,.0f}}"
                "<extra></extra>",
            )
        )
    return _figure(
        "ARR over time (median, P25–P75 and P5–P95 bands)",
        traces,
        yaxis=dict(title="Portfolio ARR", **money_axis()),
        xaxis=dict(title=None),
        hovermode="x unified",
    )


def _bin_centres(edges: tuple[float, ...]) -> tuple[np.ndarray, float]:
    bounds = np.asarray(edges)
    return (bounds[:-1] + bounds[1:]) / 2, float(bounds[1] - bounds[0])


def tail_bin_labels(edges: Sequence[float], symbol: str | None = None) -> tuple[str, str]:
    """The end bins' names, by the amounts they hold: "< $X" (the first bin's upper edge) and
    "≥ $Y" (the last bin's lower edge). The end bins also count every path beyond the 1st and
    99th percentiles (:func:`reporting.simulation_report.histogram`), so they can hold more
    than 1% each; their names say where they stop, not which percentile they are."""
    return f"< {money(edges[1], symbol)}", f"≥ {money(edges[-2], symbol)}"


def _tail_labels(edges: Sequence[float], centres: np.ndarray) -> list[dict]:
    """The end bins' names (:func:`tail_bin_labels`) over them, at the top of the plot."""
    if len(centres) < 2:
        return []
    return [
        _label(text, float(x), 1, "x", "y domain", yanchor="bottom", font=dict(color="#555"))
        for text, x in zip(tail_bin_labels(edges), (centres[0], centres[-1]), strict=True)
    ]


def ending_distribution_figure(report: SimulationReport) -> go.Figure:
    """Ending ARR across paths for each variant (overlaid histograms), with each mean marked."""
    hist = report.ending_histogram
    centres, width = _bin_centres(hist.edges)
    traces, shapes = [], []
    for variant, counts in hist.counts.items():
        color, name = _variant_color(variant), plain_text(variant)
        traces.append(
            dict(
                type="bar",
                x=centres,
                y=counts,
                width=width,
                name=name,
                marker=dict(color=rgba(color, 0.55), line_width=0),
                hovertemplate=f"{name}: %{{y:,}} paths end near {currency_symbol()}%{{x:,.0f}}"
                "<extra></extra>",
            )
        )
        mean = report.variant(variant).ending_arr.mean
        shapes.append(_line("x", mean, dict(color=rgba(color), dash="dash", width=2)))
    return _figure(
        "Ending ARR across simulated paths",
        traces,
        barmode="overlay",
        bargap=0,
        xaxis=dict(title="ARR at the horizon", **money_axis()),
        yaxis=dict(title="Paths"),
        shapes=shapes,
        annotations=_tail_labels(hist.edges, centres),
    )


def delta_figure(report: SimulationReport) -> go.Figure:
    """Scenario − baseline ending ARR on the same paths, with P(scenario > baseline)."""
    hist = report.delta_histogram
    assert hist is not None  # drawn only for a report with a scenario
    centres, width = _bin_centres(hist.edges)
    counts = np.asarray(hist.counts[DELTA])
    colors = np.where(centres >= 0, "#009E73", ACCENT)
    delta = report.delta
    assert delta is not None
    traces = [
        dict(
            type="bar",
            x=centres,
            y=counts,
            width=width,
            marker=dict(color=colors),
            hovertemplate=f"%{{y:,}} paths with a difference near {currency_symbol()}%{{x:,.0f}}"
            "<extra></extra>",
        )
    ]
    title = (
        f"Scenario − baseline: mean {money(delta.mean, signed=True)}; scenario ahead on "
        f"{percent(delta.prob_better, 0)} of paths"
    )
    return _figure(
        title,
        traces,
        bargap=0,
        showlegend=False,
        xaxis=dict(title="Difference in ending ARR (same random paths)", **money_axis()),
        yaxis=dict(title="Paths"),
        shapes=[_line("x", 0, dict(color="#333", width=1))],
        annotations=_tail_labels(hist.edges, centres),
    )


def decomposition_steps(report: SimulationReport) -> list[tuple[str, float, str]]:
    """Expected ending ARR's steps as (label, amount, waterfall measure): the baseline's mean,
    the move's and the staffing's mean differences, the scenario's mean (needs a scenario)."""
    c = report.comparison
    assert c is not None
    return [
        ("Baseline", report.baseline.ending_arr.mean, "absolute"),
        ("The move", c.move.mean, "relative"),
        ("The staffing", c.staffing.mean, "relative"),
        ("Scenario", report.target.ending_arr.mean, "total"),
    ]


def decomposition_figure(report: SimulationReport) -> go.Figure:
    """Expected ending ARR: baseline → the move with today's SAMs → the staffing change →
    scenario, as a waterfall (each step's mean difference on the same paths)."""
    c = report.comparison
    assert c is not None  # drawn only for a report with a scenario
    base = report.baseline.ending_arr.mean
    steps = decomposition_steps(report)
    waterfall = dict(
        type="waterfall",
        x=[s[0] for s in steps],
        y=[s[1] for s in steps],
        measure=[s[2] for s in steps],
        text=[money(v) if m != "relative" else money(v, signed=True) for _, v, m in steps],
        textposition="outside",
        increasing=dict(marker_color="#009E73"),
        decreasing=dict(marker_color=ACCENT),
        totals=dict(marker_color=TIER_COLORS["Strategic"]),
        connector=dict(line=dict(color="#bbb")),
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    values = [base, base + c.move.mean, base + c.move.mean + c.staffing.mean]
    # from zero, so a small change looks small (the labels give its amount); room above for them
    top = max(max(values), 0.0) * 1.12 or 1.0
    return _figure(
        "Expected ending ARR: the move and the staffing apart",
        [waterfall],
        showlegend=False,
        yaxis=dict(title="Expected ARR at the horizon", range=[0, top], **money_axis()),
    )


# ---- Trends (from a :class:`portfolio.trends.Trend`) ----

NO_TREND_TITLE = "Trends — need a revenue history"
TREND_TOTAL_COLOR = "#222222"
"""The all-tiers line: near-black, apart from the tier colours."""
BRIDGE_COLORS = {
    "expansion": "#009E73",
    "reactivation": "#CC79A7",
    "new": "#56B4E9",
    "contraction": ACCENT,
    "churn": ACCENT,
}
"""Okabe–Ito: gains bluish green, reddish purple (reactivation) and sky blue; losses vermillion
(contraction hatched)."""


def _quarter_labels(trend: Trend) -> list[str]:
    """Each point's quarter end as ``Dec 2017`` (category axis: one tick per point)."""
    return [f"{p.as_of:%b %Y}" for p in trend.points]


def _year_to(trend: Trend) -> list[str]:
    """Hover text: the exact window, ``year to 2017-12-30``."""
    return [f"year to {p.as_of:%Y-%m-%d}" for p in trend.points]


def trend_retention_figure(trend: Trend) -> go.Figure:
    """NRR and GRR per quarter end, all tiers and per start-of-year tier, side by side; the
    SaaS benchmark bands (NRR ≥ 120%, GRR 92–98%) only when the data is subscription-like."""
    if not trend.points:
        return message_figure(NO_TREND_TITLE, trend.note or "")
    x, hover = _quarter_labels(trend), _year_to(trend)
    series = {"All tiers": [p.retention for p in trend.points]}
    series |= {tier: [p.by_tier[tier] for p in trend.points] for tier in TIERS}
    traces, names = [], retention_names(not trend.subscription_like)
    for (axis, attr), label in zip((("", "nrr"), ("2", "grr")), names, strict=True):
        for name, rows in series.items():
            total = name == "All tiers"
            color = TREND_TOTAL_COLOR if total else TIER_COLORS[name]
            traces.append(
                dict(
                    type="scatter",
                    mode="lines+markers",
                    x=x,
                    y=[getattr(r, attr) for r in rows],
                    name=name,
                    legendgroup=name,
                    showlegend=axis == "",
                    line=dict(color=color, width=3 if total else 2),
                    marker=dict(size=6),
                    xaxis=f"x{axis}",
                    yaxis=f"y{axis}",
                    customdata=hover,
                    hovertemplate=f"{name}, %{{customdata}}: {label} %{{y:.1%}}<extra></extra>",
                )
            )
    layout = _side_by_side(*names, yaxis=dict(tickformat=".0%"), yaxis2=dict(tickformat=".0%"))
    layout["shapes"] = [
        _line("y", 1.0, dict(color="#666", dash="dot")),
        _line("y", 1.0, dict(color="#666", dash="dot"), xref="x2", yref="y2"),
    ]
    if trend.subscription_like:
        band = dict(type="rect", x0=0, x1=1, fillcolor=BAND, line_width=0, layer="below")
        highest = max((r.nrr for rows in series.values() for r in rows if np.isfinite(r.nrr)), default=0.0)
        layout["shapes"] += [
            dict(band, xref="x domain", yref="y", y0=1.2, y1=max(1.6, highest)),
            dict(band, xref="x2 domain", yref="y2", y0=0.92, y1=0.98),
        ]
        layout["annotations"] += [
            _label("strong ≥ 120%", 1, 1.2, "x domain", "y", xanchor="right", yanchor="bottom"),
            _label("benchmark 92–98%", 1, 0.92, "x2 domain", "y2", xanchor="right", yanchor="top"),
        ]
    layout["yaxis2"]["rangemode"] = "tozero"
    return _figure(
        f"Trailing-twelve-month {names[0]} and {names[1]} by tier at the start of each year"
        if trend.subscription_like
        else "Trailing-twelve-month repeat-revenue retention by tier at the start of each year",
        traces,
        legend=dict(y=1.12),
        margin=dict(t=100),
        **layout,
    )


def trend_arr_figure(trend: Trend) -> go.Figure:
    """ARR per tier at each quarter end (stacked bars) and the strategic share of ARR (line,
    right axis)."""
    if not trend.points:
        return message_figure(NO_TREND_TITLE, trend.note or "")
    x, hover = _quarter_labels(trend), _year_to(trend)
    traces: list[dict] = [
        dict(
            type="bar",
            x=x,
            y=[p.tier_arr[tier] for p in trend.points],
            name=tier,
            marker_color=TIER_COLORS[tier],
            customdata=[[h, money(p.tier_arr[tier])] for h, p in zip(hover, trend.points, strict=True)],
            hovertemplate=f"{tier}, %{{customdata[0]}}: %{{customdata[1]}}<extra></extra>",
        )
        for tier in TIERS
    ]
    traces.append(
        dict(
            type="scatter",
            mode="lines+markers",
            x=x,
            y=[p.strategic_share for p in trend.points],
            name="Strategic share (right axis)",
            yaxis="y2",
            line=dict(color=TREND_TOTAL_COLOR, width=2, dash="dash"),
            marker=dict(size=8, color="white", line=dict(color=TREND_TOTAL_COLOR, width=2)),
            customdata=hover,
            hovertemplate="Strategic share, %{customdata}: %{y:.1%}<extra></extra>",
        )
    )
    top = max(p.total_arr for p in trend.points)
    return _figure(
        "ARR by tier and the strategic share of ARR",
        traces,
        barmode="stack",
        yaxis=dict(
            title="ARR (trailing twelve months)", range=[0, top * 1.1 if top > 0 else 1], **money_axis()
        ),
        yaxis2=dict(
            title="Strategic share",
            overlaying="y",
            side="right",
            showgrid=False,
            tickformat=".0%",
            range=[0, 1.0],
            dtick=0.25,
        ),
        legend=dict(y=1.08),
        margin=dict(t=90, r=70),
    )


def trend_bridge_figure(trend: Trend) -> go.Figure:
    """The ARR bridge of the year to each quarter end: expansion and new logos up, contraction
    and churn down, and the net change (ending − starting ARR of the opening cohort plus new)."""
    if not trend.points:
        return message_figure(NO_TREND_TITLE, trend.note or "")
    x, hover = _quarter_labels(trend), _year_to(trend)
    bridges = [p.retention.bridge for p in trend.points]
    steps = (("expansion", 1), ("reactivation", 1), ("new", 1), ("contraction", -1), ("churn", -1))
    traces: list[dict] = []
    for step, sign in steps:
        values = [sign * getattr(b, step) for b in bridges]
        marker: dict = dict(color=BRIDGE_COLORS[step])
        if step == "contraction":
            marker = dict(
                color="white", line=dict(color=ACCENT, width=1.5), pattern=dict(shape="/", fgcolor=ACCENT)
            )
        traces.append(
            dict(
                type="bar",
                x=x,
                y=values,
                name=step.title(),
                marker=marker,
                customdata=[[h, money(v, signed=True)] for h, v in zip(hover, values, strict=True)],
                hovertemplate=f"{step.title()}, %{{customdata[0]}}: %{{customdata[1]}}<extra></extra>",
            )
        )
    net = [b.ending - b.starting for b in bridges]
    traces.append(
        dict(
            type="scatter",
            mode="lines+markers",
            x=x,
            y=net,
            name="Net change",
            line=dict(color=TREND_TOTAL_COLOR, width=2),
            marker=dict(size=8, symbol="diamond"),
            customdata=[[h, money(v, signed=True)] for h, v in zip(hover, net, strict=True)],
            hovertemplate="Net change, %{customdata[0]}: %{customdata[1]}<extra></extra>",
        )
    )
    return _figure(
        "ARR bridge of the year to each quarter end",
        traces,
        barmode="relative",
        yaxis=dict(title="ARR change", zeroline=True, zerolinecolor="#888", **money_axis()),
        legend=dict(y=1.08),
        margin=dict(t=90),
    )


COHORT_SCALE = [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]]
"""Sequential blues (light = little kept): readable without telling hues apart."""
COHORT_SCALE_TOP = 2.0
"""Colours stop at 200% kept (darker cells all read "doubled or more"; the text says how
much), so one fast-growing cohort does not wash out the rest."""


def _share_colorbar(top: float) -> dict:
    """A colour bar in percent to ``top``, whose last tick reads ``200%+`` when capped."""
    ticks = [v for v in (0.0, 0.5, 1.0, 1.5, 2.0) if v <= top]
    labels = [percent(v, 0) for v in ticks]
    if top == COHORT_SCALE_TOP:
        labels[-1] += "+"
    return dict(title="kept", tickvals=ticks, ticktext=labels)


NO_COHORTS = "No accounts with revenue in this history."
COHORTS_TITLE = "Revenue kept by each cohort — all accounts"
STRATEGIC_COHORTS_TITLE = "Revenue kept by each cohort — today's strategic accounts"


def cohort_figure(cohorts: Cohorts | None, title: str) -> go.Figure:
    """Revenue each cohort (accounts by first-revenue year) keeps in each year since, as a
    share of its first year: a grid of cells coloured by the share, drawn as bars (the page's
    Plotly bundle has no heatmap trace)."""
    if cohorts is None or not len(cohorts.years):
        return message_figure(title, NO_COHORTS)
    rows = [
        f"{y:%b %Y} · {n:,} account{'' if n == 1 else 's'}"
        for y, n in zip(cohorts.years, cohorts.accounts, strict=True)
    ]
    cells = [
        (rows[c], k, float(cohorts.retained[c, k]), float(cohorts.revenue[c, k]))
        for c in range(len(rows))
        for k in range(cohorts.retained.shape[1])
        if np.isfinite(cohorts.retained[c, k])
    ]
    top = min(COHORT_SCALE_TOP, max(1.0, max(cell[2] for cell in cells)))
    bars = dict(
        type="bar",
        orientation="h",
        y=[cell[0] for cell in cells],
        x=[1] * len(cells),
        base=[cell[1] for cell in cells],
        width=0.92,
        marker=dict(
            color=[cell[2] for cell in cells],
            colorscale=COHORT_SCALE,
            cmin=0,
            cmax=top,
            line=dict(color="white", width=2),
            colorbar=_share_colorbar(top),
        ),
        text=[percent(cell[2], 0) for cell in cells],
        textposition="inside",
        insidetextanchor="middle",
        customdata=[[f"{cell[1]}", money(cell[3])] for cell in cells],
        hovertemplate="%{y}, year +%{customdata[0]}: %{text} of the first year (%{customdata[1]})"
        "<extra></extra>",
    )
    years = cohorts.retained.shape[1]
    return _figure(
        title,
        [bars],
        barmode="overlay",
        showlegend=False,
        xaxis=dict(
            title="Years since the first year of revenue",
            tickvals=[k + 0.5 for k in range(years)],
            ticktext=["first year", *(f"+{k}" for k in range(1, years))],
            range=[0, years],
            showgrid=False,
        ),
        yaxis=dict(autorange="reversed", title=None, type="category"),
        height=max(260, 48 * len(rows) + 140),
    )


NO_RENEWAL_CALENDAR = "This result has no renewal calendar; run it again."


def renewal_calendar_figure(report: SimulationReport) -> go.Figure:
    """Per quarter of the horizon: today's ARR up for renewal (known dates, annual terms) and
    the baseline's churned ARR, its mean with a P5–P95 error bar across paths."""
    calendar = report.renewal_calendar
    if calendar is None:
        return message_figure("Renewal calendar", NO_RENEWAL_CALENDAR)
    quarters, sym = calendar.quarters, currency_symbol()
    labels = [f"Q{q.quarter}" for q in quarters]
    mean = np.array([q.churned_mean for q in quarters])
    traces: list[dict] = [
        dict(
            type="bar",
            name="ARR up for renewal",
            x=labels,
            y=[q.up_for_renewal for q in quarters],
            customdata=[q.renewals for q in quarters],
            marker=dict(color="#56B4E9"),  # Okabe–Ito sky blue
            hovertemplate=f"%{{x}}: {sym}%{{y:,.0f}} up for renewal (%{{customdata:,}} accounts)"
            "<extra></extra>",
        ),
        dict(
            type="bar",
            name="Churned ARR (mean, P5–P95)",
            x=labels,
            y=mean,
            marker=dict(color=ACCENT),
            error_y=dict(
                type="data",
                symmetric=False,
                array=np.array([q.churned_p95 for q in quarters]) - mean,
                arrayminus=mean - np.array([q.churned_p5 for q in quarters]),
                color="#333",
            ),
            customdata=[[q.churned_p5, q.churned_p95] for q in quarters],
            hovertemplate=f"%{{x}}: churned {sym}%{{y:,.0f}} expected "
            f"(P5 {sym}%{{customdata[0]:,.0f}} – P95 {sym}%{{customdata[1]:,.0f}})<extra></extra>",
        ),
    ]
    return _figure(
        f"Renewal calendar: {calendar.accounts_with_dates:,} of {calendar.accounts:,} accounts "
        "with a renewal date",
        traces,
        barmode="group",
        xaxis=dict(title="Quarter of the horizon"),
        yaxis=dict(title="ARR (today's)", **money_axis()),
        legend=dict(orientation="h", y=-0.2),
    )


MAX_GROUPS = 20
"""Most groups the retention-by-attribute chart draws (the largest by starting ARR)."""
GROUP_COLOR = "#009E73"
"""Okabe–Ito bluish green: a group of accounts that is not a tier (tiers keep their colours)."""


def retention_by_group_figure(
    groups: dict[str, Retention], label: str, names: tuple[str, str] = ("NRR", "GRR"), bands: bool = True
) -> go.Figure:
    """NRR and GRR (``names``: as the data calls them) per value of an account attribute
    (``label``: "segment", "region", …), in the order given (largest starting ARR first; at most
    :data:`MAX_GROUPS`), against the same benchmark bands as by tier (NRR ≥ 120%, GRR 92–98%;
    ``bands=False`` for order data); a message without prior-year ARR."""
    shown = {g: r for g, r in groups.items() if r.existing_accounts > 0}
    if not shown:
        return message_figure(f"Retention by {label} — needs prior-year ARR", NO_PRIOR_ARR)
    groups_shown = list(shown)[:MAX_GROUPS]
    traces = []
    for (axis, attr), name in zip((("", "nrr"), ("2", "grr")), names, strict=True):
        values = [getattr(shown[g], attr) for g in groups_shown]
        traces.append(
            dict(
                type="bar",
                x=groups_shown,
                y=values,
                marker_color=GROUP_COLOR,
                xaxis=f"x{axis}",
                yaxis=f"y{axis}",
                text=[percent(v) for v in values],
                textposition="outside",
                cliponaxis=False,
                customdata=[shown[g].existing_accounts for g in groups_shown],
                hovertemplate=f"%{{x}}: {name} %{{y:.1%}} (%{{customdata}} accounts)<extra></extra>",
            )
        )
    layout = _retention_layout(names, label, [shown[g].nrr for g in groups_shown], bands)
    more = len(shown) - len(groups_shown)
    title = f"Retention by {label} (accounts with ARR a year ago)"
    title += f" — the {len(groups_shown)} largest of {len(shown)}" if more else ""
    return _figure(title, traces, showlegend=False, **layout)


def retention_figure(analysis: PortfolioAnalysis, by: str = "tier") -> go.Figure:
    """Retention by tier (:func:`retention_by_tier_figure`) or, with ``by`` an attribute the
    accounts have (segment, industry, region, sam), by its values
    (:func:`retention_by_group_figure`); anything else is by tier."""
    if by not in FILTER_COLUMNS or by not in analysis.accounts:
        return retention_by_tier_figure(analysis)
    label = "SAM" if by == "sam" else FILTER_LABELS[by].lower()
    groups = retention_by_attribute(analysis.accounts, by)
    return retention_by_group_figure(
        groups, label, analysis.retention_names, not analysis.facts.transactional
    )
