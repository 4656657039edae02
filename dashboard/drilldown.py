"""The accounts behind a bar, the same way on every page: one modal in the app shell (title,
note, an account grid fed in slices by the server, CSV and XLSX downloads), opened by a
selection ``{"chart": …, "key": …}`` that :func:`portfolio.drilldown.accounts_behind` reads.

A page wires a chart with :func:`wire_chart` (a click on a bar or point becomes the selection);
the Data page's action lists set the selection directly. Large grids use ag-grid's infinite row
model: the browser asks for the rows it shows (``getRowsRequest``), :func:`rows_response`
answers with one slice, sorted and searched on the server by :func:`portfolio.account_list.grid_page`.
"""

from __future__ import annotations

import html as text_html
import json

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids, state
from dashboard.components import GRID_ONE_TAB_STOP, named_grid
from dashboard.whatif import analyze_session, kept_current_tiers, kept_default_tiers, session_settings_key
from portfolio.account_list import account_table, grid_page, to_csv_bytes, to_xlsx_bytes
from portfolio.drilldown import CHARTS, DrillDown, accounts_behind
from portfolio.formatting import currency_symbol, current_currency
from portfolio.schema import TIERS
from reporting.tables import tier_moves_behind

BLOCK_ROWS = 100
"""Rows per request of an infinite grid (ag-grid's ``cacheBlockSize``)."""
INFINITE_GRID_OPTIONS = {
    "rowBuffer": 0,
    "cacheBlockSize": BLOCK_ROWS,
    "maxBlocksInCache": 20,
    "infiniteInitialRowCount": BLOCK_ROWS,
    **GRID_ONE_TAB_STOP,
}
"""An infinite grid holds at most 20 blocks of 100 rows in the browser, whatever the data."""
PURGE_JS = """
function() {
    const grid = arguments[arguments.length - 1];
    try { dash_ag_grid.getApi(grid).purgeInfiniteCache(); } catch (e) { /* not drawn yet */ }
}
"""
"""Asks an infinite grid for its rows again (the search, the data or the selection changed)."""
MONEY_COLUMNS = ("arr", "arr_prior", "arr_change")
TIER_MOVES = "tier-moves"
"""The selection ``{"chart": TIER_MOVES, "key": "proposed" | "default"}``: one of the Tiers page's
lists of accounts that change tier (:func:`reporting.tables.tier_moves_behind`)."""


def money_or_blank() -> dict:
    """ag-grid value formatter: whole currency units in this request's currency (£3,951,200); blank
    while an infinite grid's block is loading (not "£NaN"). The symbol comes from
    :data:`portfolio.currency.CURRENCY_SYMBOLS`, never from user input."""
    return {
        "function": f"params.value == null ? '' : '{currency_symbol()}' + d3.format(',.0f')(params.value)"
    }


LABELS = {
    "arr": "ARR",
    "arr_prior": "ARR a year ago",
    "arr_change": "Change in ARR",
    "days_to_renewal": "Days to renewal",
    "default_tier": "Default scorecard tier",
    "current_tier": "Current tier",
    "proposed_tier": "Proposed tier",
}


def column_defs(columns) -> list[dict]:
    """ag-grid column definitions for an account table's columns (names pinned, money formatted)."""
    defs = []
    for c in columns:
        label = c.replace("_", " ")
        column = {"field": c, "headerName": LABELS.get(c, label[:1].upper() + label[1:])}
        if c in MONEY_COLUMNS:
            column["valueFormatter"] = money_or_blank()
            column["headerName"] += f" ({current_currency()})"
            column["colId"] = f"{c}-{current_currency()}"  # a new column when the currency changes
            column["type"] = "rightAligned"
        if c == "account_name":
            column["pinned"] = "left"
        defs.append(column)
    return defs


def infinite_grid(grid_id: str, name: str, height: str = "600px") -> html.Div:
    """An account grid whose rows the server sends a block at a time (sortable, no client filter)."""
    return named_grid(
        name,
        dag.AgGrid(
            id=grid_id,
            rowModelType="infinite",
            defaultColDef={"sortable": True, "resizable": True},
            dashGridOptions=INFINITE_GRID_OPTIONS,
            style={"height": height},
        ),
    )


def rows_response(frame: pd.DataFrame, request: object, search: str | None = None, **order) -> dict:
    """The infinite grid's answer to ``request`` (its ``getRowsRequest``): one slice of ``frame``
    and how many rows match, for ``getRowsResponse``."""
    request = request if isinstance(request, dict) else {}
    start = request.get("startRow") if isinstance(request.get("startRow"), int) else 0
    end = request.get("endRow") if isinstance(request.get("endRow"), int) else start + BLOCK_ROWS
    end = min(end, start + 10 * BLOCK_ROWS)  # an altered request cannot ask for everything at once
    sort = request.get("sortModel") if isinstance(request.get("sortModel"), list) else None
    rows, count = grid_page(frame, start=start, end=end, sort_model=sort, search=search, **order)
    return {"rowData": rows, "rowCount": count}


def modal() -> html.Div:
    """The shared drill-down modal and its selection store (in the app shell's layout)."""
    return html.Div(
        [
            dcc.Store(id=ids.DRILL_SELECTION),
            dcc.Download(id=ids.DRILL_DOWNLOAD),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle(id=ids.DRILL_TITLE)),
                    dbc.ModalBody(
                        [
                            html.P(id=ids.DRILL_NOTE, className="small text-muted"),
                            infinite_grid(ids.DRILL_GRID, "Accounts behind the selection", "460px"),
                        ]
                    ),
                    dbc.ModalFooter(
                        [
                            dbc.Button("Download CSV", id=ids.DRILL_CSV, color="primary", outline=True),
                            dbc.Button("Download XLSX", id=ids.DRILL_XLSX, color="primary", outline=True),
                        ]
                    ),
                ],
                id=ids.DRILL_MODAL,
                labelledby=ids.DRILL_TITLE,
                fade=False,  # opens at once: the grid inside is what takes the time
                is_open=False,
                size="xl",
                scrollable=True,
            ),
        ]
    )


def drill_hint(what: str) -> html.P:
    """The one line telling a page's reader that its charts open their accounts."""
    return html.P(f"Click {what} to list the accounts behind it.", className="small text-muted mb-2")


def selection_from_click(chart: str, click: object, tier: object = None) -> dict | None:
    """The selection a Plotly ``clickData`` on ``chart`` makes (``tier``: the bridge's tier), or
    None when the click is not on a bar or point of it."""
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else None
    if point is None or chart not in CHARTS:
        return None
    if chart == "arr-bridge":
        key: object = {"tier": tier if tier in TIERS else "All", "step": point.get("x")}
    elif chart == "sam-workload":
        curve = point.get("curveNumber")
        tier_of_trace = TIERS[curve] if isinstance(curve, int) and 0 <= curve < len(TIERS) else None
        key = {"sam": text_html.unescape(str(point.get("y"))), "tier": tier_of_trace}
    else:
        key = point.get("x")
    return {"chart": chart, "key": key}


def wire_chart(graph_id: str, chart: str, tier: State | None = None) -> None:
    """A click on ``graph_id`` (a ``chart`` of :data:`portfolio.drilldown.CHARTS`) opens the
    accounts behind the bar or point; ``tier`` the control holding the bridge's tier."""

    def on_click(click, tier_value=None):
        selection = selection_from_click(chart, click, tier_value)
        if selection is None:
            raise PreventUpdate
        return selection

    states = [tier] if tier is not None else []
    dash.callback(
        Output(ids.DRILL_SELECTION, "data", allow_duplicate=True),
        Input(graph_id, "clickData"),
        *states,
        prevent_initial_call=True,
    )(on_click)


def drill_down(selection: object, settings: dict | None) -> DrillDown:
    """The accounts behind ``selection`` in this session's data; ValueError names a bad one.
    Kept for the session's next requests (each block of rows the grid asks for, the downloads)."""
    if not isinstance(selection, dict) or not isinstance(selection.get("chart"), str):
        raise ValueError("nothing is selected")

    def found() -> DrillDown:
        accounts, facts = state.current_data()
        if selection["chart"] == TIER_MOVES:
            analysis = analyze_session(settings)
            return tier_moves_behind(
                analysis,
                accounts,
                selection.get("key"),
                kept_default_tiers(accounts),
                kept_current_tiers(accounts),
            )
        as_of = facts.get("as_of")
        return accounts_behind(
            analyze_session(settings),
            selection["chart"],
            selection.get("key"),
            as_of=pd.Timestamp(as_of) if as_of else None,
        )

    chosen = json.dumps(selection, sort_keys=True, default=str)
    return state.memoized(("drill", session_settings_key(settings), chosen), found)


@dash.callback(
    output=dict(
        is_open=Output(ids.DRILL_MODAL, "is_open"),
        title=Output(ids.DRILL_TITLE, "children"),
        note=Output(ids.DRILL_NOTE, "children"),
        columns=Output(ids.DRILL_GRID, "columnDefs"),
    ),
    inputs=dict(selection=Input(ids.DRILL_SELECTION, "data")),
    state=dict(settings=State(ids.SETTINGS, "data")),
    prevent_initial_call=True,
)
def open_modal(selection, settings):
    """Open the modal on the accounts behind the selection, or say why there are none."""
    if selection is None:
        raise PreventUpdate
    try:
        found = drill_down(selection, settings)
    except ValueError as exc:
        return dict(is_open=True, title="No accounts to show", note=f"{exc}.", columns=[])
    columns = column_defs(account_table(found.accounts.iloc[:0], largest_first=False).columns)
    return dict(is_open=True, title=found.title, note=found.note, columns=columns)


dash.clientside_callback(
    PURGE_JS,
    Input(ids.DRILL_SELECTION, "data"),
    State(ids.DRILL_GRID, "id"),
    prevent_initial_call=True,
)


@dash.callback(
    Output(ids.DRILL_GRID, "getRowsResponse"),
    Input(ids.DRILL_GRID, "getRowsRequest"),
    State(ids.DRILL_SELECTION, "data"),
    State(ids.SETTINGS, "data"),
    prevent_initial_call=True,
)
def drill_rows(request, selection, settings):
    """One slice of the list, in its own order unless the user sorts a column."""
    try:
        found = drill_down(selection, settings)
    except ValueError:
        return {"rowData": [], "rowCount": 0}
    return rows_response(found.accounts, request, largest_first=False)


def _download(selection, settings, fmt: str):
    try:
        found = drill_down(selection, settings)
    except ValueError:
        raise PreventUpdate from None
    what = {"action-list": selection["key"], TIER_MOVES: f"tier-moves-{selection['key']}"}.get(
        selection["chart"], f"{selection['chart']}-accounts"
    )
    name = f"strata-{what}.{fmt}"
    data = (to_xlsx_bytes if fmt == "xlsx" else to_csv_bytes)(
        found.accounts, current_currency(), largest_first=False
    )
    return dcc.send_bytes(data, name)


@dash.callback(
    Output(ids.DRILL_DOWNLOAD, "data", allow_duplicate=True),
    Input(ids.DRILL_CSV, "n_clicks"),
    State(ids.DRILL_SELECTION, "data"),
    State(ids.SETTINGS, "data"),
    prevent_initial_call=True,
)
def download_csv(_clicks, selection, settings):
    """The list as CSV (formula text neutralised, see :mod:`portfolio.formula_text`)."""
    return _download(selection, settings, "csv")


@dash.callback(
    Output(ids.DRILL_DOWNLOAD, "data", allow_duplicate=True),
    Input(ids.DRILL_XLSX, "n_clicks"),
    State(ids.DRILL_SELECTION, "data"),
    State(ids.SETTINGS, "data"),
    prevent_initial_call=True,
)
def download_xlsx(_clicks, selection, settings):
    """The list as XLSX (text as string cells)."""
    return _download(selection, settings, "xlsx")
