"""Small layout factories shared by the pages."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dash_table, dcc, html

from dashboard import ids
from portfolio.formatting import currency_symbol
from reporting.theme import TIER_TEXT_COLORS

GRAPH_CONFIG = {
    "modeBarButtons": [["toImage"]],
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "plotlyServerURL": "",
    "toImageButtonOptions": {"format": "png", "scale": 3, "filename": "strata-chart"},
}
"""Plotly's mode bar reduced to its camera (a PNG at board quality, 3× scale; the browser-side
fallback when server-side export is unavailable): one tab stop per chart where it had 10, one
of them "Share chart…", an upload of the chart and its data to Plotly's cloud (hence no cloud
URL either)."""


GRID_ONE_TAB_STOP = {"tabToNextCell": {"function": "false"}, "tabToNextHeader": {"function": "false"}}
"""ag-grid options for keyboard users: the grid is one tab stop (Tab and Shift+Tab leave it) and
the arrow keys move within it, Space ticks a row: the ARIA grid pattern. By default Tab walks
every cell, and a grid of 1,000 accounts took thousands of presses to get past."""


def grid_money() -> dict:
    """ag-grid value formatter: whole currency units in the current currency (£3,951,200); the
    symbol comes from :data:`portfolio.currency.CURRENCY_SYMBOLS`, never from user input."""
    return {"function": f"'{currency_symbol()}' + d3.format(',.0f')(params.value)"}


def grid_money_short() -> dict:
    """ag-grid value formatter for narrow columns: three significant figures (£3.95M, £1.20B)."""
    return {"function": f"'{currency_symbol()}' + d3.format('.3s')(params.value).replace('G', 'B')"}


CHART_NAMES = {
    "pareto": "Pareto of ARR",
    "lorenz": "Lorenz curve of ARR",
    "tier-distribution": "Accounts and ARR by tier",
    "scores": "Score distribution",
    "retention-by-tier": "Retention by tier",
    "arr-bridge": "ARR bridge",
    "sam-workload": "Load per SAM",
    "sam-headcount": "SAMs required vs available",
    "simulation-fan": "Simulated ARR",
    "simulation-ending-arr": "ARR at the horizon",
    "simulation-delta": "Scenario minus baseline",
    "simulation-decomposition": "The move and the staffing",
    "simulation-renewals": "Renewal calendar",
    "trend-retention": "Retention over time",
    "trend-arr": "ARR over time",
    "trend-bridge": "ARR bridge per quarter",
    "trend-cohorts": "Cohorts",
    "trend-strategic-cohorts": "Strategic cohorts",
    "decisions-gains": "Expected NPV of each move",
    "decisions-books": "SAM books before and after",
    "decisions-tornado-npv": "What moves the NPV",
    "decisions-tornado-arr": "What moves the ending ARR",
    "changes-strategic-walk": "Strategic ARR walk",
    "changes-migration": "Tier migration",
}
"""Each chart's short name by export name: the accessible name of its figure, its "View as
table" button's description and its table's name (the chart's summary is its long text)."""


def chart_name_id(component_id: str) -> str:
    """The id of the hidden element holding the chart's short name."""
    return f"{component_id}-name"


def graph(
    component_id: str, export: str | None = None, height: int | None = None, summary: str | None = None
) -> html.Div | html.Figure:
    """A chart; with ``export`` (its name in :mod:`exports.pack`) a Download menu for
    server-side PNG/SVG/PDF in presentation style, and the camera saves ``strata-<export>.png``.
    With ``summary`` (an id) the chart is a ``<figure>`` whose visually hidden ``<figcaption>``
    of that id holds its one-sentence text summary for screen readers, which the page's
    callback fills from :mod:`reporting.takeaways` (dcc.Graph takes no aria attributes).

    The menu's items are pattern-matched ids ``{"type": CHART_EXPORT, "chart": export,
    "format": fmt, "graph": component_id}``: the chart's id keeps them apart where two pages
    show the same chart."""
    style = {"height": f"{height}px"} if height else None
    config = {
        **GRAPH_CONFIG,
        "toImageButtonOptions": {
            **GRAPH_CONFIG["toImageButtonOptions"],
            "filename": f"strata-{export or component_id}",
        },
    }
    chart = dcc.Graph(id=component_id, config=config, style=style)
    if export is None:
        return html.Div([chart])
    toolbar = html.Div(
        [table_toggle(component_id, export), _export_menu(component_id, export)],
        className="chart-toolbar",
    )
    name = html.Span(CHART_NAMES.get(export, export), id=chart_name_id(component_id), hidden=True)
    parts = [name, toolbar, chart, table_region(component_id, export)]
    if summary is None:
        return html.Div(parts)
    return html.Figure(
        [html.Figcaption(id=summary, className="visually-hidden"), *parts],
        className="mb-0",
        **{"aria-labelledby": chart_name_id(component_id)},
    )


SIMULATION_PREFIX = "simulation-"
DECISIONS_PREFIX = "decisions-"
"""Export names of the Simulator's charts start with it: their tables come from its report."""
SHOW_TABLE, HIDE_TABLE = "View as table", "Hide table"


def table_ids(component_id: str, export: str) -> dict[str, dict]:
    """The pattern-matched ids of a chart's "View as table" parts, by their ``type``."""
    source = "simulation" if export.startswith(SIMULATION_PREFIX) else "analysis"
    if export.startswith(DECISIONS_PREFIX):
        source = "decisions"  # the Decisions page's results (dashboard.chart_tables)
    key = {"chart": export, "graph": component_id, "source": source}
    return {t: {"type": t, **key} for t in (ids.TABLE_TOGGLE, ids.TABLE_REQUEST, ids.TABLE_BODY)}


def table_toggle(component_id: str, export: str) -> html.Button:
    """The chart's "View as table" button: a real button saying whether its table is shown
    (``aria-expanded``) and which region it controls; described by the chart's short name (its
    long text summary belongs to the figure). :mod:`dashboard.chart_tables` builds the table
    when it is opened."""
    return html.Button(
        SHOW_TABLE,
        id=table_ids(component_id, export)[ids.TABLE_TOGGLE],
        type="button",
        className="btn btn-link btn-sm chart-table-toggle",
        **{
            "aria-expanded": "false",
            "aria-controls": f"{component_id}-table",
            "aria-describedby": chart_name_id(component_id),
        },
    )


def table_region(component_id: str, export: str) -> html.Div:
    """Where the chart's table appears (empty until opened), and the store that asks for it."""
    parts = table_ids(component_id, export)
    return html.Div(
        [dcc.Store(id=parts[ids.TABLE_REQUEST]), html.Div(id=parts[ids.TABLE_BODY])],
        id=f"{component_id}-table",
    )


def chart_table(table, label: str) -> html.Div:
    """A :class:`reporting.chart_tables.ChartTable` on screen: its note, then the table, in a
    keyboard-scrollable region named ``label``; tier names in their text colours."""
    frame = table.frame
    parts: list = [html.P(table.note, className="small text-muted mb-1")] if table.note else []
    if not frame.empty:
        columns = {c: c for c in frame.columns}
        tiers = {c: tier_label for c in frame.columns if c.startswith("Tier")}
        parts.append(plain_table(frame, columns, tiers, right=table.numeric))
    return html.Div(parts, role="region", tabIndex="0", className="chart-table", **{"aria-label": label})


def _export_menu(component_id: str, export: str) -> dbc.DropdownMenu:
    """The chart's Download menu: server-side PNG/SVG/PDF in presentation style."""
    return dbc.DropdownMenu(
        [
            dbc.DropdownMenuItem(
                f"{fmt.upper()} for slides",
                id={"type": ids.CHART_EXPORT, "chart": export, "format": fmt, "graph": component_id},
            )
            for fmt in ("png", "svg", "pdf")
        ],
        label="Download",
        size="sm",
        color="link",
        align_end=True,
        className="chart-export",
    )


def kpi_card(title: str, value: str, reading: str, tone: str = "secondary") -> dbc.Col:
    """A KPI: title, big value, one-line reading against a benchmark (tone colours the edge)."""
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="kpi-title"),
                    html.Div(value, className="kpi-value"),
                    html.Div(reading, className="kpi-reading"),
                ]
            ),
            className=f"kpi-card border-start border-4 border-{tone} h-100",
        ),
        xs=12,
        sm=6,
        lg=3,
        className="mb-3",
    )


def named(name: str, control) -> html.Div:
    """``control`` (a slider, progress bar or upload: Dash 4 components with no ``aria-label``
    of their own) wrapped so that ``assets/a11y.js`` gives its handles and inputs the accessible
    name ``name``; for a range slider, one name per handle separated by `` | ``."""
    return html.Div(control, **{"data-a11y-name": name})


def named_grid(name: str, grid) -> html.Div:
    """``grid`` (a dash-ag-grid, which takes no ``aria-label``) wrapped so that
    ``assets/a11y.js`` gives its ``role=grid`` element the accessible name ``name``."""
    return html.Div(grid, **{"data-a11y-grid-name": name})


def page_header(title: str, subtitle: str) -> html.Div:
    return html.Div(
        [html.H3(title, className="mb-0"), html.P(subtitle, className="text-muted")], className="mb-3"
    )


BODY_FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", '
    '"Liberation Sans", Arial, sans-serif'
)
"""Bootstrap 5's font stack (DataTable would use monospace)."""


def tier_label(tier: str) -> str:
    """A tier name after a dot; :func:`plain_table` colours it in the tier's text colour (the
    chart colour's hue, dark enough to read: :data:`reporting.theme.TIER_TEXT_COLORS`)."""
    return f"● {tier}"


def plain_table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    formats: dict[str, Callable] | None = None,
    right: tuple[str, ...] = (),
    limit: int | None = None,
) -> html.Div:
    """A small read-only table: ``columns`` maps frame column → header, ``formats`` column →
    function giving the cell's text, ``right`` columns are right-aligned numbers; with
    ``limit`` the first rows only, and a line saying how many are not shown. Cells made by
    :func:`tier_label` take their tier's text colour.

    One DataTable component, whose cells are text (markup in names is shown, not run): the
    renderer's cost grows with the number of components, and a table of html.Td cells took
    ~0.3 s to appear for 20 rows, as did an ag-grid. Dash 4 deprecates DataTable (it leaves the
    built-ins in Dash 5, hence ``dash<5``); this is the one place to change then.
    """
    formats = formats or {}
    shown = frame if limit is None else frame.head(limit)
    records = [
        {c: (formats[c](row[c]) if c in formats else row[c]) for c in columns}
        for row in shown.to_dict("records")
    ]
    tier_colours = [  # by row: a filter_query style is evaluated on every cell (slow to draw)
        {"if": {"column_id": c, "row_index": rows}, "color": colour}
        for c in columns
        for tier, colour in TIER_TEXT_COLORS.items()
        if (rows := [i for i, record in enumerate(records) if record[c] == tier_label(tier)])
    ]
    parts = [
        dash_table.DataTable(
            data=records,
            columns=[{"name": header, "id": c} for c, header in columns.items()],
            style_as_list_view=True,
            style_header={"fontWeight": "bold", "backgroundColor": "white"},
            style_cell={
                "textAlign": "left",
                "padding": "4px 8px",
                "fontFamily": BODY_FONT,
                "fontSize": "0.95rem",
            },
            style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "right"} for c in right],
            style_data_conditional=[
                {"if": {"row_index": "odd"}, "backgroundColor": "#f6f7f9"},
                *tier_colours,
            ],
        )
    ]
    if len(shown) < len(frame):
        parts.append(
            html.Div(
                f"The first {len(shown):,} of {len(frame):,} are shown.", className="small text-muted mt-1"
            )
        )
    return html.Div(parts)
