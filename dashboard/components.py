"""Small layout factories shared by the pages."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard import ids
from dashboard.theme import TIER_COLORS

GRAPH_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 3, "filename": "strata-chart"},
}
"""Modebar download at board quality (3× scale)."""


GRID_MONEY = {"function": "d3.format('$,.0f')(params.value)"}
GRID_MONEY_SHORT = {"function": "d3.format('$.3s')(params.value).replace('G', 'B')"}
GRID_PERCENT = {"function": "d3.format('.1%')(params.value)"}
"""ag-grid value formatters: whole currency units ($3,951,200), three significant figures for
narrow columns ($3.95M), and fractions as percentages."""


def graph(component_id: str, export: str | None = None, height: int | None = None) -> html.Div:
    """A chart; with ``export`` (its name in :mod:`exports.pack`) a Download menu for
    server-side PNG/SVG/PDF in presentation style, and the camera saves ``strata-<export>.png``."""
    style = {"height": f"{height}px"} if height else None
    config = {**GRAPH_CONFIG, "toImageButtonOptions": {
        **GRAPH_CONFIG["toImageButtonOptions"], "filename": f"strata-{export or component_id}"}}
    chart = dcc.Graph(id=component_id, config=config, style=style)
    if export is None:
        return html.Div(chart)
    menu = dbc.DropdownMenu(
        [dbc.DropdownMenuItem(f"{fmt.upper()} for slides",
                              id={"type": ids.CHART_EXPORT, "chart": export, "format": fmt})
         for fmt in ("png", "svg", "pdf")],
        label="Download", size="sm", color="link", align_end=True, className="chart-export",
    )
    return html.Div([menu, chart])


def kpi_card(title: str, value: str, reading: str, tone: str = "secondary") -> dbc.Col:
    """A KPI: title, big value, one-line reading against a benchmark (tone colours the edge)."""
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(title, className="kpi-title"),
        html.Div(value, className="kpi-value"),
        html.Div(reading, className="kpi-reading"),
    ]), className=f"kpi-card border-start border-4 border-{tone} h-100"), xs=12, sm=6, lg=3,
        className="mb-3")


def page_header(title: str, subtitle: str) -> html.Div:
    return html.Div([html.H3(title, className="mb-0"), html.P(subtitle, className="text-muted")],
                    className="mb-3")


def tier_label(tier: str) -> html.Span:
    """A tier name after a dot in the tier's chart colour."""
    return html.Span([html.Span("● ", style={"color": TIER_COLORS.get(tier, "#999")}), tier])


def plain_table(frame: pd.DataFrame, columns: dict[str, str],
                formats: dict[str, Callable] | None = None, right: tuple[str, ...] = (),
                limit: int | None = None) -> html.Div:
    """A small read-only table: ``columns`` maps frame column → header, ``formats`` column →
    function giving the cell (text or component), ``right`` columns are right-aligned numbers;
    with ``limit`` the first rows only, and a line saying how many are not shown.

    Names are text (React escapes them). A plain table draws with its page; an ag-grid took
    about 0.3 s of page load on its own, which lists of a few dozen rows do not need.
    """
    formats = formats or {}
    shown = frame if limit is None else frame.head(limit)

    def cell(column: str, value) -> html.Td:
        content = formats[column](value) if column in formats else value
        return html.Td(content, className="text-end" if column in right else None)

    head = html.Thead(html.Tr([html.Th(header, className="text-end" if c in right else None)
                               for c, header in columns.items()]))
    body = html.Tbody([html.Tr([cell(c, row[c]) for c in columns])
                       for row in shown.to_dict("records")])
    parts = [dbc.Table([head, body], size="sm", striped=True, hover=True, className="mb-1")]
    if len(shown) < len(frame):
        parts.append(html.Div(f"The first {len(shown):,} of {len(frame):,} are shown.",
                              className="small text-muted"))
    return html.Div(parts)
