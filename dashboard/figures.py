"""Pure figure builders: analysis in, ``go.Figure`` out (shared by the pages and exports).

Money axes use the currency prefix and SI suffixes ($1.2M); shares are percentages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.theme import ACCENT, BAND, TEMPLATE_NAME, TIER_COLORS
from portfolio.analysis import PortfolioAnalysis
from portfolio.concentration import lorenz_points, pareto_points
from portfolio.formatting import money, percent
from portfolio.retention import Bridge
from portfolio.schema import TIERS

MONEY_AXIS = dict(tickprefix="$", tickformat="~s")
SHARE_AXIS = dict(tickformat=".0%", range=[0, 1.02])


def escape_text(values: pd.Series) -> pd.Series:
    """Account names as plain text in hover labels: ``<``, ``>`` and ``&`` are escaped."""
    return (values.astype(str).str.replace("&", "&amp;", regex=False)
            .str.replace("<", "&lt;", regex=False).str.replace(">", "&gt;", regex=False))


def _figure(title: str, **layout) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE_NAME, title=title, **layout)
    return fig


PARETO_NAMED_POINTS = 2000
"""The largest accounts, each kept as its own point on the Pareto curve (hover names them)."""


def _thin(points: pd.DataFrame, max_points: int = 2000, keep_head: int = 0) -> pd.DataFrame:
    """The first ``keep_head`` points, then every k-th point and always the last.

    A curve of 100,000 points looks the same on screen with ~2,000 of them.
    """
    step = max(1, (len(points) - keep_head) // max_points)
    kept = {*range(min(keep_head, len(points))), *range(keep_head, len(points), step),
            len(points) - 1}
    return points.iloc[sorted(kept)]


def pareto_figure(analysis: PortfolioAnalysis) -> go.Figure:
    """Cumulative ARR share vs share of accounts (largest first), the 80% line and its point."""
    accounts = analysis.accounts
    points = _thin(pareto_points(accounts["arr"]), keep_head=PARETO_NAMED_POINTS)
    ranked = accounts.loc[points["position"].iloc[1:]]
    names = pd.concat([pd.Series([""]), escape_text(ranked["account_name"])], ignore_index=True)
    arr = np.concatenate([[0.0], ranked["arr"].to_numpy()])
    fig = _figure("Pareto: share of ARR from the largest accounts",
                  xaxis=dict(title="Share of accounts (largest first)", **SHARE_AXIS),
                  yaxis=dict(title="Cumulative share of ARR", **SHARE_AXIS), showlegend=False)
    fig.add_trace(go.Scatter(
        x=points["account_share"].to_numpy(), y=points["arr_share"].to_numpy(), mode="lines",
        line=dict(color=TIER_COLORS["Strategic"], width=3), text=names.to_numpy(), customdata=arr,
        hovertemplate="<b>%{text}</b> (ARR $%{customdata:,.0f})<br>"
                      "top %{x:.1%} of accounts → %{y:.1%} of ARR<extra></extra>",
    ))
    c = analysis.concentration
    if c.active_accounts:
        fig.add_hline(y=0.8, line=dict(color="#666", dash="dash"),
                      annotation_text="80% of ARR", annotation_position="bottom right")
        fig.add_trace(go.Scatter(
            x=[c.share_of_accounts_for_80pct], y=[0.8], mode="markers+text",
            marker=dict(color=ACCENT, size=11),
            text=[f"{c.accounts_for_80pct:,} accounts ({percent(c.share_of_accounts_for_80pct)})"],
            textposition="middle right", hoverinfo="skip",
        ))
    return fig




def lorenz_figure(analysis: PortfolioAnalysis) -> go.Figure:
    """Lorenz curve (smallest first) against the line of equality, with the Gini."""
    points = _thin(lorenz_points(analysis.accounts["arr"]))
    fig = _figure(f"Lorenz curve — Gini {analysis.concentration.gini:.2f}",
                  xaxis=dict(title="Share of accounts (smallest first)", **SHARE_AXIS),
                  yaxis=dict(title="Cumulative share of ARR", **SHARE_AXIS))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Equal ARR",
                             line=dict(color="#999", dash="dot"), hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=points["account_share"], y=points["arr_share"], mode="lines", name="Portfolio",
        fill="tonexty", fillcolor="rgba(0,114,178,0.12)",
        line=dict(color=TIER_COLORS["Strategic"], width=3),
        hovertemplate="bottom %{x:.1%} of accounts hold %{y:.1%} of ARR<extra></extra>",
    ))
    return fig


def tier_distribution_figure(analysis: PortfolioAnalysis) -> go.Figure:
    """Accounts per tier and share of ARR per tier, side by side."""
    dist = analysis.distribution
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Accounts", "Share of ARR"))
    colors = [TIER_COLORS[t] for t in TIERS]
    fig.add_trace(go.Bar(x=list(TIERS), y=dist["accounts"], marker_color=colors,
                         text=dist["accounts"], textposition="outside",
                         hovertemplate="%{x}: %{y:,} accounts<extra></extra>"), 1, 1)
    fig.add_trace(go.Bar(x=list(TIERS), y=dist["arr_share"], marker_color=colors,
                         text=[f"{percent(s, 0)} · {money(a)}" for s, a in
                               zip(dist["arr_share"], dist["arr"], strict=True)],
                         textposition="outside",
                         hovertemplate="%{x}: %{y:.1%} of ARR<extra></extra>"), 1, 2)
    fig.update_layout(template=TEMPLATE_NAME, title="Tier distribution", showlegend=False)
    fig.update_yaxes(title_text="Accounts", row=1, col=1)
    fig.update_yaxes(title_text="Share of ARR", tickformat=".0%", row=1, col=2,
                     range=[0, max(1e-9, float(dist["arr_share"].max())) * 1.2])
    fig.update_yaxes(range=[0, max(1, int(dist["accounts"].max())) * 1.2], row=1, col=1)
    return fig


def score_histogram(analysis: PortfolioAnalysis) -> go.Figure:
    """Distribution of scores by tier with the two threshold lines."""
    accounts = analysis.accounts.dropna(subset=["tier"])
    t = analysis.tiers.thresholds
    label = "ARR percentile (revenue-only)" if analysis.tiers.revenue_only else "Score (0–100)"
    fig = _figure("Scores and tier thresholds", barmode="stack",
                  xaxis=dict(title=label, range=[0, 100]), yaxis=dict(title="Accounts"))
    for tier in TIERS:
        scores = accounts.loc[accounts["tier"] == tier, "score"]
        fig.add_trace(go.Histogram(x=scores, name=tier, marker_color=TIER_COLORS[tier],
                                   xbins=dict(start=0, end=100, size=2.5)))
    for value, name in ((t.strategic, "Strategic"), (t.key, "Key")):
        fig.add_vline(x=value, line=dict(color=TIER_COLORS[name], dash="dash", width=2),
                      annotation_text=f"{name} ≥ {value:g}", annotation_position="top")
    return fig


def retention_by_tier_figure(analysis: PortfolioAnalysis) -> go.Figure:
    """NRR and GRR per start-of-period tier against benchmark bands (NRR ≥ 120%, GRR 92–98%)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("NRR by tier", "GRR by tier"))
    rows = analysis.retention_by_tier
    colors = [TIER_COLORS[t] for t in TIERS]
    for col, attr in ((1, "nrr"), (2, "grr")):
        values = [getattr(rows[t], attr) if t in rows else None for t in TIERS]
        fig.add_trace(go.Bar(x=list(TIERS), y=values, marker_color=colors,
                             text=[percent(v) for v in values], textposition="inside",
                             insidetextanchor="end", textfont=dict(color="white", size=14),
                             hovertemplate=f"%{{x}}: {attr.upper()} %{{y:.1%}}<extra></extra>"),
                      1, col)
    fig.add_hrect(y0=1.2, y1=1.6, fillcolor=BAND, line_width=0, row=1, col=1,
                  annotation_text="strong ≥ 120%", annotation_position="top right")
    fig.add_hrect(y0=0.92, y1=0.98, fillcolor=BAND, line_width=0, row=1, col=2,
                  annotation_text="benchmark 92–98%", annotation_position="top right")
    fig.add_hline(y=1.0, line=dict(color="#666", dash="dot"), layer="below", row=1, col=1)
    fig.update_layout(template=TEMPLATE_NAME, showlegend=False,
                      title="Retention by tier at the start of the period")
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(range=[0, 1.7], row=1, col=1)
    fig.update_yaxes(range=[0, 1.15], row=1, col=2)
    return fig


def bridge_figure(bridge: Bridge, label: str = "All tiers") -> go.Figure:
    """ARR bridge as a waterfall: starting → expansion → contraction → churn → new → ending."""
    fig = _figure(f"ARR bridge — {label}", yaxis=dict(title="ARR", **MONEY_AXIS), showlegend=False)
    steps = [("Starting ARR", bridge.starting, "absolute"), ("Expansion", bridge.expansion, "relative"),
             ("Contraction", -bridge.contraction, "relative"), ("Churn", -bridge.churn, "relative"),
             ("New", bridge.new, "relative"), ("Ending ARR", bridge.ending, "total")]
    fig.add_trace(go.Waterfall(
        x=[s[0] for s in steps], y=[s[1] for s in steps], measure=[s[2] for s in steps],
        text=[money(s[1]) for s in steps], textposition="outside",
        increasing=dict(marker_color="#009E73"), decreasing=dict(marker_color=ACCENT),
        totals=dict(marker_color=TIER_COLORS["Strategic"]),
        connector=dict(line=dict(color="#bbb")),
        hovertemplate="%{x}: %{text}<extra></extra>",
    ))
    top = max(bridge.starting, bridge.ending, bridge.starting + bridge.expansion)
    fig.update_yaxes(range=[0, top * 1.15 if top > 0 else 1])
    return fig


def sam_load_figure(analysis: PortfolioAnalysis, top: int = 30) -> go.Figure:
    """Each SAM's load (FTE = Σ accounts / capacity), stacked by tier, against 100% capacity."""
    w = analysis.workload
    by_sam = w.by_sam.drop(index="(unassigned)", errors="ignore").head(top).iloc[::-1]
    capacity = w.by_tier["capacity"]
    fig = _figure(f"SAM workload against capacity (top {len(by_sam)} by load)", barmode="stack",
                  xaxis=dict(title="Load (share of one SAM's capacity)", tickformat=".0%"),
                  yaxis=dict(title=None), height=max(380, 22 * len(by_sam) + 140))
    for tier in TIERS:
        fig.add_trace(go.Bar(
            y=by_sam.index, x=by_sam[tier] / capacity[tier], orientation="h", name=tier,
            marker_color=TIER_COLORS[tier], customdata=by_sam[tier],
            hovertemplate=f"%{{y}}: %{{customdata}} {tier} accounts (%{{x:.0%}})<extra></extra>",
        ))
    fig.add_vline(x=1.0, line=dict(color=ACCENT, dash="dash", width=2),
                  annotation_text="capacity", annotation_position="top")
    return fig


def headcount_figure(analysis: PortfolioAnalysis) -> go.Figure:
    """Required vs available SAM headcount (FTE) per tier."""
    t = analysis.workload.by_tier
    colors = [TIER_COLORS[x] for x in TIERS]
    fig = _figure("SAMs: required vs available", barmode="group",
                  yaxis=dict(title="SAMs (FTE)"))
    fig.add_trace(go.Bar(x=list(TIERS), y=t["required_fte"], name="Required", marker_color=colors,
                         text=[f"{v:.1f}" for v in t["required_fte"]], textposition="outside"))
    fig.add_trace(go.Bar(x=list(TIERS), y=t["available_fte"], name="Available",
                         marker=dict(color="white", line=dict(color=colors, width=2),
                                     pattern=dict(shape="/", fgcolor=colors)),
                         text=[f"{v:.1f}" for v in t["available_fte"]], textposition="outside"))
    fig.update_yaxes(range=[0, max(1.0, float(t[["required_fte", "available_fte"]].max().max())) * 1.2])
    return fig


def bridge_figure_unavailable() -> go.Figure:
    """Placeholder when the data has no prior-year ARR."""
    fig = _figure("ARR bridge — needs prior-year ARR")
    fig.add_annotation(text="The data has no prior-year ARR column: retention is not available.",
                       showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
