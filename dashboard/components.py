"""Small layout factories shared by the pages."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids

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
