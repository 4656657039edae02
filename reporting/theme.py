"""One look for every figure: tier colours (Okabe–Ito, colour-blind safe) and a Plotly template."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

TIER_COLORS: dict[str, str] = {"Strategic": "#0072B2", "Key": "#E69F00", "Standard": "#999999"}
"""Strategic blue, Key orange, Standard grey — the same in every chart (marks)."""
TIER_TEXT_COLORS: dict[str, str] = {"Strategic": "#0072B2", "Key": "#8A5F00", "Standard": "#6B6B6B"}
"""Text in a tier's colour: the same hues as :data:`TIER_COLORS`, darkened until they reach
WCAG AA's 4.5:1 on white and on the page grey #f6f7f9 (Key's orange and Standard's grey as marks
are 2.3:1 and 2.9:1 on white). Marks (bars, lines) keep :data:`TIER_COLORS`."""
ACCENT = "#D55E00"
BAND = "rgba(0, 158, 115, 0.15)"
"""Benchmark bands (green, translucent)."""

VARIANT_COLORS: dict[str, tuple[int, int, int]] = {"Baseline": (85, 85, 85), "Scenario": (204, 121, 167)}
"""Simulator: baseline dark grey, scenario Okabe–Ito reddish purple (RGB) — not tier colours."""


def rgba(rgb: tuple[int, int, int], alpha: float = 1.0) -> str:
    return f"rgba({rgb[0]}, {rgb[1]}, {rgb[2]}, {alpha})"


TEMPLATE_NAME = "strata"

pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=go.Layout(
        font=dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=13, color="#222"),
        title=dict(font=dict(size=16), x=0.01, xanchor="left"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(TIER_COLORS.values()),
        margin=dict(l=60, r=20, t=60, b=50),
        xaxis=dict(showgrid=False, linecolor="#bbb", ticks="outside", automargin=True),
        yaxis=dict(gridcolor="#eee", linecolor="#bbb", zeroline=False, automargin=True),
        # traceorder "normal": stacked bars would otherwise list the tiers bottom-up
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1, traceorder="normal"),
        hoverlabel=dict(font_size=12),
    )
)
