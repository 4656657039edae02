"""Simulator: promote/demote accounts, preview as controls move, full run in the background,
save, reload, rename, delete and compare scenarios."""

import logging

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import background, ids, state
from dashboard.components import GRID_MONEY_SHORT, graph, kpi_card, page_header
from dashboard.whatif import analyze_session
from reporting import figures, simulator
from storage.scenarios import MAX_NAME

logger = logging.getLogger(__name__)
MAX_COMPARE = 4
FAILED = "Run failed."
FORM_INPUTS = (
    (ids.SIM_HORIZON, "value", "horizon"), (ids.SIM_PERIOD, "value", "period"),
    (ids.SIM_CORRELATION, "value", "correlation"), (ids.SIM_SAMS, "value", "strategic_sams"),
    (ids.SIM_STAFFING, "value", "staffing"), (ids.SIM_COST, "value", "cost_per_sam"),
    (ids.SIM_ASSUMPTIONS, "rowData", "assumptions"),
)
"""The controls that make up the form (see :mod:`reporting.simulator`)."""


def _form(*values) -> dict:
    return {key: value for (_, _, key), value in zip(FORM_INPUTS, values, strict=True)}


def _selected_ids(selected) -> list[str]:
    """Account ids from the grid's ``selectedRows``: row dicts, or ``{"ids": [...]}`` as set by
    :func:`select_accounts` (the grid echoes that back before it turns it into rows)."""
    if isinstance(selected, dict):
        return [str(i) for i in selected.get("ids", [])]
    return [str(row["account_id"]) for row in selected or []]


def _label(text: str, control, width: int = 12) -> dbc.Col:
    return dbc.Col([html.Label(text, className="form-label small mb-0"), control], md=width,
                   className="mb-2")


def _controls() -> dbc.Card:
    assumption_columns = [
        {"field": "tier", "editable": False, "width": 110},
        {"field": "churn_pct", "headerName": "Churn %/yr", "editable": True, "type": "numericColumn"},
        {"field": "drift_pct", "headerName": "Drift %/yr", "editable": True, "type": "numericColumn"},
        {"field": "volatility_pct", "headerName": "Volatility %", "editable": True,
         "type": "numericColumn"},
        {"field": "source", "editable": False, "flex": 2, "tooltipField": "source"},
    ]
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            _label("Horizon", dcc.Slider(id=ids.SIM_HORIZON, min=4, max=20, step=1, value=12,
                                         marks={4: "4", 8: "8", 12: "12", 16: "16", 20: "20"},
                                         tooltip={"placement": "bottom"}), 8),
            _label("Period", dbc.RadioItems(id=ids.SIM_PERIOD, value="quarter", inline=True,
                                            options=[{"label": "quarters", "value": "quarter"},
                                                     {"label": "months", "value": "month"}]), 4),
            _label("Market correlation ρ", dcc.Slider(id=ids.SIM_CORRELATION, min=0, max=0.9,
                                                      step=0.05, value=0.3, marks=None,
                                                      tooltip={"placement": "bottom",
                                                               "always_visible": True}), 12),
            _label("Strategic SAMs today", dbc.Input(id=ids.SIM_SAMS, type="number", min=0,
                                                     step=0.5, size="sm"), 4),
            _label("Scenario staffing", dbc.RadioItems(
                id=ids.SIM_STAFFING, value="hire", options=[
                    {"label": "hire what the move needs", "value": "hire"},
                    {"label": "keep today's SAMs", "value": "keep"}]), 4),
            _label("Cost per SAM ($/year)", dbc.Input(id=ids.SIM_COST, type="number", min=0,
                                                      step=1000, value=180_000, size="sm"), 4),
        ]),
        html.Div("Assumptions per tier (edit a cell to override; calibrated from the data "
                 "where it has prior-year ARR)", className="small text-muted mt-2"),
        dag.AgGrid(id=ids.SIM_ASSUMPTIONS, columnDefs=assumption_columns, rowData=[],
                   defaultColDef={"flex": 1, "resizable": True},
                   dashGridOptions={"domLayout": "autoHeight", "singleClickEdit": True,
                                    "stopEditingWhenCellsLoseFocus": True}),
        dbc.Row([
            dbc.Col(dbc.Select(id=ids.SIM_PATHS, value="10000", size="sm",
                               options=[{"label": f"{p:,} paths", "value": str(p)}
                                        for p in simulator.FULL_PATHS]), md=4),
            dbc.Col(dbc.Button("Run full simulation", id=ids.SIM_RUN, color="primary",
                               size="sm"), width="auto"),
            dbc.Col(dbc.Button("Cancel", id=ids.SIM_CANCEL, color="secondary", outline=True,
                               size="sm", disabled=True), width="auto"),
        ], className="mt-3 align-items-center g-2"),
        dbc.Progress(id=ids.SIM_PROGRESS, value=0, label="", color="primary", className="mt-2",
                     style={"height": "18px"}),
    ]))


def _selection() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.Div("Tick accounts: non-strategic ones are promoted to strategic, strategic ones "
                 "demoted to key.", className="small text-muted mb-2"),
        dbc.InputGroup([
            dbc.Button("Promote the next", id=ids.SIM_NEXT_BTN, color="outline-primary",
                       size="sm"),
            dbc.Input(id=ids.SIM_NEXT_N, type="number", min=1, max=100, step=1, value=5,
                      size="sm", style={"maxWidth": "70px"}),
            dbc.InputGroupText("by score", className="small"),
            dbc.Button("Clear", id=ids.SIM_CLEAR_BTN, color="outline-secondary", size="sm"),
        ], size="sm", className="mb-2"),
        dag.AgGrid(
            id=ids.SIM_GRID, rowData=[], getRowId="params.data.account_id",
            # names take what the fixed columns leave; the full name shows on hover
            columnDefs=[{"field": "account_name", "headerName": "Account", "width": 180,
                         "minWidth": 100, "filter": True, "tooltipField": "account_name"},
                        {"field": "tier", "headerName": "Tier", "width": 84, "minWidth": 84},
                        {"field": "score", "headerName": "Score", "sort": "desc", "width": 74,
                         "minWidth": 74},
                        {"field": "arr", "headerName": "ARR", "valueFormatter": GRID_MONEY_SHORT,
                         "width": 80, "minWidth": 80, "type": "rightAligned"}],
            columnSize="responsiveSizeToFit",
            defaultColDef={"sortable": True, "resizable": True},
            dashGridOptions={"rowSelection": {"mode": "multiRow", "headerCheckbox": False},
                             "quickFilterText": ""},
            style={"height": "520px"},
        ),
    ]))


def _saved() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H5("Saved scenarios"),
        dbc.InputGroup([
            dbc.Input(id=ids.SIM_SAVE_NAME, placeholder="Scenario name", maxLength=MAX_NAME,
                      size="sm"),
            dbc.Button("Save current", id=ids.SIM_SAVE, color="primary", size="sm"),
            dbc.Button("Rename selected", id=ids.SIM_RENAME, color="outline-secondary",
                       size="sm"),
        ], size="sm", className="mb-2"),
        dag.AgGrid(
            id=ids.SIM_SAVED_GRID, rowData=[], getRowId="params.data.id",
            columnDefs=[{"field": "name", "flex": 2}, {"field": "created"},
                        {"field": "data", "flex": 2}, {"field": "summary", "flex": 3}],
            defaultColDef={"flex": 1, "resizable": True},
            dashGridOptions={"rowSelection": {"mode": "multiRow"}, "domLayout": "autoHeight"},
        ),
        html.Div([
            dbc.Button("Load", id=ids.SIM_LOAD, color="outline-primary", size="sm",
                       className="me-2"),
            dbc.Button(f"Compare (up to {MAX_COMPARE})", id=ids.SIM_COMPARE,
                       color="outline-primary", size="sm", className="me-2"),
            dbc.Button("Delete", id=ids.SIM_DELETE, color="outline-danger", size="sm"),
        ], className="mt-2"),
        html.Div(id=ids.SIM_SAVED_MSG, className="small mt-2"),
        html.Div(id=ids.SIM_COMPARE_OUT, className="mt-3"),
    ]), className="mt-3")


def layout(**_):
    return html.Div([
        dcc.Store(id=ids.SIM_REPORT),
        dcc.Store(id=ids.SIM_SAVED_VERSION, data=0),
        page_header("Simulator", "What happens to ARR, retention and risk if these accounts "
                    "get (or lose) strategic treatment — and can the SAMs carry them? "
                    "A 1,000-path preview follows every change; run the full simulation for "
                    "the final numbers."),
        dbc.Row([dbc.Col(_selection(), lg=5), dbc.Col(_controls(), lg=7)]),
        html.Div(id=ids.SIM_ERROR, className="text-danger mt-2"),
        dbc.Alert(id=ids.SIM_HEADLINE, color="light", className="mt-3 mb-2 border"),
        dbc.Row(id=ids.SIM_KPIS),
        dbc.Row([dbc.Col(graph(ids.SIM_FAN, "simulation-fan"), lg=7),
                 dbc.Col(graph(ids.SIM_ENDING, "simulation-ending-arr"), lg=5)]),
        dbc.Row([dbc.Col(graph(ids.SIM_DELTA, "simulation-delta"), lg=7),
                 dbc.Col(html.Div(id=ids.SIM_STAFF_TABLE), lg=5)], className="mt-3"),
        _saved(),
    ])


@callback(
    Output(ids.SIM_GRID, "rowData"), Output(ids.SIM_ASSUMPTIONS, "rowData"),
    Output(ids.SIM_SAMS, "value"),
    Input(ids.SESSION_VERSION, "data"), Input(ids.SETTINGS, "data"),
    State(ids.SIM_CORRELATION, "value"),
)
def fill_controls(_version, settings, correlation):
    """Accounts to pick from, the calibrated assumptions and today's strategic SAMs."""
    analysis = analyze_session(settings)
    assumptions = simulator.base_assumptions(analysis, float(correlation or 0))
    return (simulator.candidate_rows(analysis), simulator.assumption_rows(assumptions),
            simulator.default_sams(analysis))


@callback(
    Output(ids.SIM_GRID, "selectedRows"),
    Input(ids.SIM_NEXT_BTN, "n_clicks"), Input(ids.SIM_CLEAR_BTN, "n_clicks"),
    State(ids.SIM_NEXT_N, "value"), State(ids.SIM_GRID, "rowData"),
    State(ids.SIM_GRID, "selectedRows"),
    prevent_initial_call=True,
)
def select_accounts(_next, _clear, n, rows, selected):
    if dash.ctx.triggered_id == ids.SIM_CLEAR_BTN:
        return {"ids": []}
    return {"ids": simulator.next_by_score(rows or [], _selected_ids(selected), n or 0)}


@callback(
    Output(ids.SIM_REPORT, "data"), Output(ids.SIM_ERROR, "children"),
    Input(ids.SIM_GRID, "selectedRows"),
    *[Input(component, prop) for component, prop, _ in FORM_INPUTS],
    Input(ids.SETTINGS, "data"), Input(ids.SESSION_VERSION, "data"),
)
def preview(selected, *values):
    """A 1,000-path run whenever a control moves."""
    *form_values, settings, _version = values
    form = _form(*form_values)
    if not form["assumptions"]:
        raise PreventUpdate  # the controls are still being filled
    accounts, _ = state.current_data()
    try:
        report = simulator.simulate(accounts, settings, form, _selected_ids(selected),
                                    simulator.PREVIEW_PATHS)
    except ValueError as exc:
        return no_update, f"Cannot simulate: {exc}"
    state.save_report(report)
    return report, ""


def run_failed(exc: Exception) -> tuple:
    """A full run that died (its worker killed, see :mod:`dashboard.background`) or raised:
    say so and offer the retry; the last result on screen stays."""
    reason = next((r for r in (background.LOST_RUN, background.NO_WORKER) if r in str(exc)), None)
    if reason is None:
        logger.error("simulation run failed: %s", exc)
        reason = "Something went wrong in the simulation (logged on the server)."
    return no_update, f"{FAILED} {reason} Press Run to retry."


@callback(
    Output(ids.SIM_PROGRESS, "value", allow_duplicate=True),
    Output(ids.SIM_PROGRESS, "label", allow_duplicate=True),
    Output(ids.SIM_PROGRESS, "color"),
    Input(ids.SIM_ERROR, "children"),
    prevent_initial_call=True,
)
def show_failed_run(error):
    """The progress bar turns red and says "failed" after a failed run (it would keep the last
    progress); the next run turns it back (``running`` of :func:`run_full`)."""
    if not str(error or "").startswith(FAILED):
        raise PreventUpdate
    return 100, "failed", "danger"


@callback(
    Output(ids.SIM_REPORT, "data", allow_duplicate=True),
    Output(ids.SIM_ERROR, "children", allow_duplicate=True),
    Input(ids.SIM_RUN, "n_clicks"),
    State(ids.SIM_GRID, "selectedRows"),
    *[State(component, prop) for component, prop, _ in FORM_INPUTS],
    State(ids.SETTINGS, "data"), State(ids.SIM_PATHS, "value"),
    background=True,
    running=[(Output(ids.SIM_RUN, "disabled"), True, False),
             (Output(ids.SIM_CANCEL, "disabled"), False, True),
             (Output(ids.SIM_PROGRESS, "color"), "primary", "primary")],
    progress=[Output(ids.SIM_PROGRESS, "value"), Output(ids.SIM_PROGRESS, "label")],
    cancel=[Input(ids.SIM_CANCEL, "n_clicks")],
    on_error=run_failed,
    prevent_initial_call=True,
)
def run_full(set_progress, _clicks, selected, *values):
    """The full run, in a background process: progress bar, cancel, UI stays responsive."""
    *form_values, settings, paths = values
    if str(paths) not in {str(p) for p in simulator.FULL_PATHS}:
        return no_update, "Pick a number of paths from the list."
    set_progress((0, "starting"))
    store = dash.get_app().server.config["STRATA_STORE"]  # no Flask request in a background job
    accounts, _ = state.data_outside_request(store, dash.ctx.cookies)

    def progress(done: float) -> None:
        set_progress((round(100 * done), f"{done:.0%} of {int(paths):,} paths"))

    try:
        report = simulator.simulate(accounts, settings, _form(*form_values),
                                    _selected_ids(selected), int(paths), progress)
    except ValueError as exc:
        return no_update, f"Cannot simulate: {exc}"
    state.save_report_outside_request(store, dash.ctx.cookies, report)
    set_progress((100, f"done: {int(paths):,} paths"))
    return report, ""


@callback(
    Output(ids.SIM_HEADLINE, "children"), Output(ids.SIM_KPIS, "children"),
    Output(ids.SIM_FAN, "figure"), Output(ids.SIM_ENDING, "figure"),
    Output(ids.SIM_DELTA, "figure"), Output(ids.SIM_STAFF_TABLE, "children"),
    Input(ids.SIM_REPORT, "data"),
)
def show_report(report):
    if not report:
        raise PreventUpdate
    paths = report["settings"]["paths"]
    kind = "Preview" if paths == simulator.PREVIEW_PATHS else "Full run"
    badge = dbc.Badge(f"{kind}: {paths:,} paths, seed {report['settings']['seed']}",
                      color="secondary" if kind == "Preview" else "primary", className="me-2")
    headline = [badge, report["headline"]]
    if report.get("saved_as"):
        headline.insert(1, dbc.Badge(f"saved scenario: {report['saved_as']}", color="info",
                                     className="me-2"))
    cards = [kpi_card(title, value, reading) for title, value, reading in
             simulator.result_kpis(report)]
    delta = (figures.delta_figure(report) if "delta_histogram" in report
             else figures.message_figure("Scenario − baseline",
                                         "Tick accounts to promote or demote to see a scenario."))
    staff = simulator.staffing_rows(report)
    comparison = report.get("comparison")
    staff_table = html.Div([
        html.H5("Strategic SAMs"),
        dbc.Table.from_dataframe(pd.DataFrame(staff), size="sm", striped=True),
        html.P(_return_text(report, comparison), className="small"),
    ])
    return (headline, cards, figures.fan_figure(report), figures.ending_distribution_figure(report),
            delta, staff_table)


def _return_text(report: dict, comparison: dict | None) -> str:
    if not comparison:
        return "No scenario: tick accounts to compare."
    added = comparison["added_sams"]
    if added <= 0:
        return "The scenario adds no SAMs."
    ret = comparison["return_on_sams"]
    cost = report["settings"]["cost_per_sam"]
    return (f"{added:g} more SAM(s) at ${cost:,.0f}/year cost ${comparison['added_cost']:,.0f} "
            f"over the horizon against ${comparison['revenue_delta']['mean']:,.0f} expected extra "
            f"revenue: return {ret:.0%}.")


def _scenarios():
    return dash.get_app().server.extensions["strata_scenarios"]


@callback(
    Output(ids.SIM_SAVED_GRID, "rowData"),
    Input(ids.SIM_SAVED_VERSION, "data"), Input(ids.SESSION_VERSION, "data"),
)
def list_saved(_saved_version, _data_version):
    current = state.data_fingerprint()
    return [{
        "id": item.id, "name": item.name, "created": item.created.strftime("%Y-%m-%d %H:%M UTC"),
        "data": item.data_label + (" · this data" if item.fingerprint == current
                                   else " · other data"),
        "summary": item.report.get("headline", ""),
    } for item in _scenarios().list(state.owner())]


@callback(
    Output(ids.SIM_SAVED_VERSION, "data"), Output(ids.SIM_SAVED_MSG, "children"),
    Output(ids.SIM_COMPARE_OUT, "children"),
    Output(ids.SIM_REPORT, "data", allow_duplicate=True),
    Input(ids.SIM_SAVE, "n_clicks"), Input(ids.SIM_RENAME, "n_clicks"),
    Input(ids.SIM_DELETE, "n_clicks"), Input(ids.SIM_LOAD, "n_clicks"),
    Input(ids.SIM_COMPARE, "n_clicks"),
    State(ids.SIM_SAVE_NAME, "value"), State(ids.SIM_REPORT, "data"),
    State(ids.SIM_SAVED_GRID, "selectedRows"), State(ids.SIM_SAVED_VERSION, "data"),
    prevent_initial_call=True,
)
def act_on_saved(_save, _rename, _delete, _load, _compare, name, report, selected, version):
    """Save the shown result, or rename/delete/load/compare the selected saved scenarios."""
    action = dash.ctx.triggered_id
    store, owner = _scenarios(), state.owner()
    chosen = [int(row["id"]) for row in selected or []]
    ok = lambda text: html.Span(text, className="text-success")  # noqa: E731
    problem = lambda text: html.Span(text, className="text-danger")  # noqa: E731
    try:
        if action == ids.SIM_SAVE:
            if not report:
                return no_update, problem("Nothing to save yet."), no_update, no_update
            _, meta = state.current_data()
            if report.get("fingerprint") != state.data_fingerprint():
                return (no_update, problem("The result shown was run on other data; run it "
                                           "again before saving."), no_update, no_update)
            saved = {k: v for k, v in report.items() if k != "saved_as"}
            new_id = store.save(owner, name, report["fingerprint"], meta["source"],
                                report["inputs"], saved)
            return version + 1, ok(f"Saved as #{new_id}."), no_update, no_update
        if not chosen:
            return no_update, problem("Select a saved scenario first."), no_update, no_update
        if action == ids.SIM_RENAME:
            store.rename(owner, chosen[0], name)
            return version + 1, ok("Renamed."), no_update, no_update
        if action == ids.SIM_DELETE:
            for scenario_id in chosen:
                store.delete(owner, scenario_id)
            return version + 1, ok(f"Deleted {len(chosen)}."), no_update, no_update
        if action == ids.SIM_LOAD:
            item = store.get(owner, chosen[0])
            if item is None:
                return version + 1, problem("That scenario no longer exists."), no_update, no_update
            message = ok(f"Loaded “{item.name}”: its saved results are shown.")
            if item.fingerprint != state.data_fingerprint():
                message = html.Span(
                    f"“{item.name}” was run on other data ({item.data_label}, "
                    f"{item.created:%Y-%m-%d %H:%M} UTC): its saved results are shown, not "
                    "results for the data loaded now.", className="text-warning")
            return no_update, message, no_update, {**item.report, "saved_as": item.name}
        # compare
        items = [item for i in chosen[:MAX_COMPARE] if (item := store.get(owner, i))]
        table = simulator.comparison_table(items, state.data_fingerprint())
        note = (f"Showing the first {MAX_COMPARE} of {len(chosen)} selected."
                if len(chosen) > MAX_COMPARE else "")
        return (no_update, note, dbc.Table.from_dataframe(table.reset_index(names=""), size="sm",
                                                           striped=True, bordered=True),
                no_update)
    except ValueError as exc:
        return no_update, problem(str(exc)), no_update, no_update


dash.register_page(__name__, path="/simulator", name="Simulator", order=5, layout=layout)
