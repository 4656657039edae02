"""Simulator: promote/demote accounts, preview as controls move, full run in the background,
save, reload, rename, delete and compare scenarios.

Every callback has one trigger (a button, or "the form changed") and reads its inputs by name
(Dash's dict form); the work is in :mod:`reporting.simulator`. Reports travel between callbacks
as :meth:`SimulationReport.to_dict` in the ``dcc.Store`` and are read back with ``from_dict``.
"""

import logging
from dataclasses import replace

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import flask
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import MissingCallbackContextException, PreventUpdate

from dashboard import background, ids, state
from dashboard.components import (
    GRID_ONE_TAB_STOP,
    graph,
    grid_money_short,
    kpi_card,
    named,
    named_grid,
    page_header,
    plain_table,
)
from dashboard.whatif import analyze_session
from portfolio.formatting import currency_symbol
from reporting import backtest, figures, simulator
from reporting.simulation_report import SimulationReport, UnreadableReport
from simulation import starting_treatment
from simulation.assumptions import nrr_volatility_sentence
from storage.scenarios import MAX_NAME

logger = logging.getLogger(__name__)
MAX_COMPARE = 4
FAILED = "Run failed."
FORM_CONTROLS = {
    "horizon": (ids.SIM_HORIZON, "value"),
    "period": (ids.SIM_PERIOD, "value"),
    "nrr_volatility": (ids.SIM_NRR_VOLATILITY, "value"),
    "strategic_sams": (ids.SIM_SAMS, "value"),
    "staffing": (ids.SIM_STAFFING, "value"),
    "scenario_sams": (ids.SIM_SCENARIO_SAMS, "value"),
    "cost_per_sam": (ids.SIM_COST, "value"),
    "margin_pct": (ids.SIM_MARGIN, "value"),
    "discount_pct": (ids.SIM_DISCOUNT, "value"),
    "hazard_ratio": (ids.SIM_HAZARD, "value"),
    "uplift_pct": (ids.SIM_UPLIFT, "value"),
    "ramp_months": (ids.SIM_RAMP, "value"),
    "assumptions": (ids.SIM_ASSUMPTIONS, "rowData"),
    "retier": (ids.SIM_RETIER, "data"),
}
"""The controls that make up the form, by the form's names (see :mod:`reporting.simulator`)."""
MESSAGE_CLASS = {"ok": "text-success", "warning": "text-warning", "problem": "text-danger"}


def _form(dependency: type[Input] | type[State]) -> dict:
    """The form's controls as ``Input``s or ``State``s by name: the callback receives the form
    as one dict."""
    return {name: dependency(component, prop) for name, (component, prop) in FORM_CONTROLS.items()}


def _selected_ids(selected) -> list[str]:
    """Account ids from the grid's ``selectedRows`` (:func:`reporting.simulator.selected_ids`;
    ValueError says what is wrong with them)."""
    return simulator.selected_ids(selected)


def _label(text: str, control, width: int = 12) -> dbc.Col:
    """A control under its label: an input's label points at it, a slider is :func:`named` by it
    (radio items carry their own labels)."""
    label = html.Label(text, className="form-label small mb-0")
    if isinstance(control, dbc.Input):
        label.htmlFor = control.id
    elif isinstance(control, dcc.Slider):
        control = named(text, control)
    return dbc.Col([label, control], md=width, className="mb-2")


def _controls(preset: dict) -> dbc.Card:
    assumption_columns = [
        {"field": "tier", "editable": False, "width": 110},
        {"field": "churn_pct", "headerName": "Churn %/yr", "editable": True, "type": "numericColumn"},
        {"field": "drift_pct", "headerName": "Drift %/yr", "editable": True, "type": "numericColumn"},
        {"field": "volatility_pct", "headerName": "Volatility %", "editable": True, "type": "numericColumn"},
        {"field": "source", "editable": False, "flex": 2, "tooltipField": "source"},
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(
                    [
                        _label(
                            "Horizon",
                            dcc.Slider(
                                id=ids.SIM_HORIZON,
                                min=4,
                                max=20,
                                step=1,
                                value=12,
                                marks={4: "4", 8: "8", 12: "12", 16: "16", 20: "20"},
                                tooltip={"placement": "bottom"},
                            ),
                            8,
                        ),
                        _label(
                            "Period",
                            dbc.RadioItems(
                                id=ids.SIM_PERIOD,
                                value="quarter",
                                inline=True,
                                options=[
                                    {"label": "quarters", "value": "quarter"},
                                    {"label": "months", "value": "month"},
                                ],
                            ),
                            4,
                        ),
                        _label(
                            "Portfolio NRR volatility (points/yr)",
                            dcc.Slider(
                                id=ids.SIM_NRR_VOLATILITY,
                                min=0,
                                max=20,
                                step=0.5,
                                value=5,
                                marks=None,
                                tooltip={"placement": "bottom", "always_visible": True},
                            ),
                            12,
                        ),
                        _label(
                            "Strategic SAMs today",
                            dbc.Input(id=ids.SIM_SAMS, type="number", min=0, step=0.5, size="sm"),
                            4,
                        ),
                        _label(
                            "Scenario staffing",
                            dbc.RadioItems(
                                id=ids.SIM_STAFFING,
                                value="hire",
                                options=[
                                    {"label": "hire (or release) what the move needs", "value": "hire"},
                                    {"label": "keep today's SAMs", "value": "keep"},
                                ],
                            ),
                            8,
                        ),
                        _label(
                            "Scenario SAMs (blank: by the staffing choice)",
                            dbc.Input(
                                id=ids.SIM_SCENARIO_SAMS,
                                type="number",
                                min=0,
                                step=1,
                                size="sm",
                                value=preset.get("sams"),
                            ),
                            4,
                        ),
                    ]
                ),
                html.Div(
                    "Strategic treatment: the effect of a SAM's attention on an account",
                    className="small fw-semibold mt-2",
                ),
                dbc.Row(
                    [
                        _label(
                            "Churn hazard ratio",
                            dbc.Input(
                                id=ids.SIM_HAZARD, type="number", min=0.05, max=5, step=0.01, size="sm"
                            ),
                            4,
                        ),
                        _label(
                            "Extra growth (points/yr)",
                            dbc.Input(
                                id=ids.SIM_UPLIFT, type="number", min=-100, max=100, step=0.5, size="sm"
                            ),
                            4,
                        ),
                        _label(
                            "Ramp (months)",
                            dbc.Input(id=ids.SIM_RAMP, type="number", min=0, max=60, step=1, size="sm"),
                            4,
                        ),
                    ]
                ),
                html.Div(id=ids.SIM_TREATMENT, className="small text-muted"),
                dbc.Row(
                    [
                        _label(
                            f"Cost per SAM ({currency_symbol().strip()}/year)",
                            dbc.Input(
                                id=ids.SIM_COST, type="number", min=0, step=1000, value=180_000, size="sm"
                            ),
                            4,
                        ),
                        _label(
                            "Gross margin (%)",
                            dbc.Input(
                                id=ids.SIM_MARGIN, type="number", min=0, max=100, step=1, value=80, size="sm"
                            ),
                            4,
                        ),
                        _label(
                            "Discount rate (%/yr)",
                            dbc.Input(
                                id=ids.SIM_DISCOUNT,
                                type="number",
                                min=0,
                                max=100,
                                step=0.5,
                                value=10,
                                size="sm",
                            ),
                            4,
                        ),
                    ],
                    className="mt-2",
                ),
                html.Div(
                    "Assumptions per tier (edit a cell to override; calibrated from the data "
                    "where it has prior-year ARR)",
                    className="small text-muted mt-2",
                ),
                named_grid(
                    "Tier assumptions",
                    dag.AgGrid(
                        id=ids.SIM_ASSUMPTIONS,
                        columnDefs=assumption_columns,
                        rowData=[],
                        defaultColDef={"flex": 1, "resizable": True},
                        dashGridOptions={
                            "domLayout": "autoHeight",
                            "singleClickEdit": True,
                            "stopEditingWhenCellsLoseFocus": True,
                            **GRID_ONE_TAB_STOP,
                        },
                    ),
                ),
                html.Div(id=ids.SIM_ASSUMPTION_WARNINGS),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                html.Label(
                                    "Paths in the full run",
                                    htmlFor=ids.SIM_PATHS,
                                    className="visually-hidden",
                                ),
                                dbc.Select(
                                    id=ids.SIM_PATHS,
                                    value="10000",
                                    size="sm",
                                    options=[
                                        {"label": f"{p:,} paths", "value": str(p)}
                                        for p in simulator.FULL_PATHS
                                    ],
                                ),
                            ],
                            md=4,
                        ),
                        dbc.Col(
                            dbc.Button("Run full simulation", id=ids.SIM_RUN, color="primary", size="sm"),
                            width="auto",
                        ),
                        dbc.Col(
                            dbc.Button(
                                "Cancel",
                                id=ids.SIM_CANCEL,
                                color="secondary",
                                outline=True,
                                size="sm",
                                disabled=True,
                            ),
                            width="auto",
                        ),
                    ],
                    className="mt-3 align-items-center g-2",
                ),
                named(
                    "Full simulation progress",
                    dbc.Progress(
                        id=ids.SIM_PROGRESS,
                        value=0,
                        label="",
                        color="primary",
                        className="mt-2",
                        style={"height": "18px"},
                    ),
                ),
            ]
        )
    )


def _selection() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    "Tick accounts: non-strategic ones are promoted to strategic, strategic ones "
                    "demoted to key.",
                    className="small text-muted mb-2",
                ),
                dbc.InputGroup(
                    [
                        dbc.Button(
                            "Promote the next", id=ids.SIM_NEXT_BTN, color="outline-primary", size="sm"
                        ),
                        html.Label(
                            "Number of accounts to promote",
                            htmlFor=ids.SIM_NEXT_N,
                            className="visually-hidden",
                        ),
                        dbc.Input(
                            id=ids.SIM_NEXT_N,
                            type="number",
                            min=1,
                            max=100,
                            step=1,
                            value=5,
                            size="sm",
                            style={"maxWidth": "70px"},
                        ),
                        dbc.InputGroupText("by score", className="small"),
                        dbc.Button("Clear", id=ids.SIM_CLEAR_BTN, color="outline-secondary", size="sm"),
                    ],
                    size="sm",
                    className="mb-2",
                ),
                named_grid(
                    "Accounts",
                    dag.AgGrid(
                        id=ids.SIM_GRID,
                        rowData=[],
                        getRowId="params.data.account_id",
                        # names take what the fixed columns leave; the full name shows on hover
                        columnDefs=[
                            {
                                "field": "account_name",
                                "headerName": "Account",
                                "width": 180,
                                "minWidth": 100,
                                "filter": True,
                                "tooltipField": "account_name",
                            },
                            {"field": "tier", "headerName": "Tier", "width": 84, "minWidth": 84},
                            {
                                "field": "score",
                                "headerName": "Score",
                                "sort": "desc",
                                "width": 74,
                                "minWidth": 74,
                            },
                            {
                                "field": "arr",
                                "headerName": "ARR",
                                "valueFormatter": grid_money_short(),
                                "width": 80,
                                "minWidth": 80,
                                "type": "rightAligned",
                            },
                        ],
                        columnSize="responsiveSizeToFit",
                        defaultColDef={"sortable": True, "resizable": True},
                        dashGridOptions={
                            "rowSelection": {"mode": "multiRow", "headerCheckbox": False},
                            "quickFilterText": "",
                            **GRID_ONE_TAB_STOP,
                        },
                        style={"height": "520px"},
                    ),
                ),
            ]
        )
    )


def _saved() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H5("Saved scenarios"),
                dbc.InputGroup(
                    [
                        dbc.Input(
                            id=ids.SIM_SAVE_NAME, placeholder="Scenario name", maxLength=MAX_NAME, size="sm"
                        ),
                        dbc.Button("Save current", id=ids.SIM_SAVE, color="primary", size="sm"),
                        dbc.Button(
                            "Rename selected", id=ids.SIM_RENAME, color="outline-secondary", size="sm"
                        ),
                    ],
                    size="sm",
                    className="mb-2",
                ),
                named_grid(
                    "Saved scenarios",
                    dag.AgGrid(
                        id=ids.SIM_SAVED_GRID,
                        rowData=[],
                        getRowId="params.data.id",
                        columnDefs=[
                            {"field": "name", "flex": 2},
                            {"field": "created"},
                            {"field": "data", "flex": 2},
                            {"field": "summary", "flex": 3},
                        ],
                        defaultColDef={"flex": 1, "resizable": True},
                        dashGridOptions={
                            "rowSelection": {"mode": "multiRow"},
                            "domLayout": "autoHeight",
                            **GRID_ONE_TAB_STOP,
                        },
                    ),
                ),
                html.Div(
                    [
                        dbc.Button(
                            "Load", id=ids.SIM_LOAD, color="outline-primary", size="sm", className="me-2"
                        ),
                        dbc.Button(
                            f"Compare (up to {MAX_COMPARE})",
                            id=ids.SIM_COMPARE,
                            color="outline-primary",
                            size="sm",
                            className="me-2",
                        ),
                        dbc.Button("Delete", id=ids.SIM_DELETE, color="outline-danger", size="sm"),
                    ],
                    className="mt-2",
                ),
                html.Div(id=ids.SIM_SAVED_MSG, className="small mt-2"),
                html.Div(id=ids.SIM_COMPARE_OUT, className="mt-3"),
            ]
        ),
        className="mt-3",
    )


def layout(promote: str = "", demote: str = "", staffing: str = "", sams: str = "", **_):
    """The page as this session left it (:func:`_restored`) — or, opened from a link such as
    the Decisions page's "Simulate this", a fresh scenario: ``promote``/``demote``
    (comma-separated account ids) are ticked once the accounts are listed and ``staffing``
    ("keep" or "hire") sets the scenario's staffing, ``sams`` (a whole number) its strategic SAMs."""
    preset = {
        "ids": [i.strip() for i in f"{promote},{demote}".split(",") if i.strip()],
        "staffing": staffing if staffing in ("keep", "hire") else None,
        "sams": int(sams) if sams.isdigit() and int(sams) <= 10_000 else None,
    }
    return _page(preset) if preset["ids"] else _restored(_page(preset))


FILLED = ("strategic_sams", "hazard_ratio", "uplift_pct", "ramp_months")
"""Form fields :func:`fill_controls` fills from the data (a kept value wins when the page appears)."""


def _restored(page: html.Div) -> html.Div:
    """``page`` with the form, the ticked accounts and the last result this session left on it
    (kept server-side with the data: :func:`state.simulator_state`), so a page change or a
    reload comes back to the same scenario. Outside a request (Dash checking layouts): ``page``."""
    if not flask.has_request_context():
        return page
    kept = state.simulator_state()
    report = state.last_report()
    components = {}
    for component in _walk(page):
        key = getattr(component, "id", None)
        if isinstance(key, str):
            components[key] = component
    if report is not None:
        components[ids.SIM_REPORT].data = report.to_dict()
    form = kept.get("form") or {}
    for name, (component, prop) in FORM_CONTROLS.items():
        if form.get(name) not in (None, "", []) and name not in FILLED and name != "assumptions":
            setattr(components[component], prop, form[name])
    if kept.get("selected"):
        components[ids.SIM_GRID].selectedRows = {"ids": list(kept["selected"])}
    components[ids.SIM_RETIER_NOTE].children = retier_note(form.get("retier") or {})
    return page


def _walk(component):
    """Every component in a layout tree."""
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)


def retier_note(retier: dict) -> str:
    """What the re-tiering from the Tiers page does, or "" without one."""
    if not retier:
        return ""
    return (
        f"Re-tiering from the Tiers page: {len(retier):,} account(s) ticked, each moving to its "
        "proposed tier (current → proposed). The simulator models strategic attention only: "
        "moves between Key and Standard change no simulated figure (each account keeps its own "
        "churn and growth). Untick an account to leave it where it is; Clear drops the re-tiering."
    )


def _page(preset: dict) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=ids.SIM_REPORT),
            dcc.Store(id=ids.SIM_PRESET, data=preset),
            dcc.Store(id=ids.SIM_SAVED_VERSION, data=0),
            dcc.Store(id=ids.SIM_RETIER, data={}),
            page_header(
                "Simulator",
                "What happens to ARR, retention and risk if these accounts "
                "get (or lose) strategic treatment — and can the SAMs carry them? "
                "A 1,000-path preview follows every change; run the full simulation for "
                "the final numbers. A large portfolio (accounts × periods over "
                f"{simulator.PREVIEW_MAX_ACCOUNT_PERIODS:,}) gets no automatic preview: press Run "
                "for a background simulation.",
            ),
            html.P(id=ids.SIM_RETIER_NOTE, className="small text-info mb-1"),
            dbc.Row([dbc.Col(_selection(), lg=5), dbc.Col(_controls(preset), lg=7)]),
            html.Div(id=ids.SIM_ERROR, className="text-danger mt-2"),
            # polite (role=status): every preview updates it; tabIndex -1: where focus lands
            # when a full run ends (FOCUS_DURING_RUN)
            html.Div(
                id=ids.SIM_HEADLINE,
                role="status",
                **{"aria-live": "polite", "aria-atomic": "true"},
                tabIndex="-1",
                className="alert alert-light mt-3 mb-1 border",
            ),
            html.Div(id=ids.SIM_PRECISION, className="small text-muted mb-2"),
            dbc.Row(id=ids.SIM_KPIS),
            dbc.Row(
                [
                    dbc.Col(graph(ids.SIM_FAN, "simulation-fan", summary=ids.SIM_FAN_SUMMARY), lg=7),
                    dbc.Col(
                        graph(
                            ids.SIM_DECOMPOSITION,
                            "simulation-decomposition",
                            summary=ids.SIM_DECOMPOSITION_SUMMARY,
                        ),
                        lg=5,
                    ),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(graph(ids.SIM_DELTA, "simulation-delta", summary=ids.SIM_DELTA_SUMMARY), lg=7),
                    dbc.Col(
                        graph(ids.SIM_ENDING, "simulation-ending-arr", summary=ids.SIM_ENDING_SUMMARY), lg=5
                    ),
                ],
                className="mt-3",
            ),
            html.Div(
                [
                    html.H5("Renewal calendar", className="mt-3"),
                    html.P(id=ids.SIM_RENEWAL_TIMING, className="small"),
                    graph(ids.SIM_RENEWALS, "simulation-renewals", summary=ids.SIM_RENEWALS_SUMMARY),
                ]
            ),
            html.Div(id=ids.SIM_STAFF_TABLE, className="mt-3"),
            _backtest_panel(),
            _saved(),
        ]
    )


@callback(
    output=[
        Output(ids.SIM_GRID, "rowData"),
        Output(ids.SIM_ASSUMPTIONS, "rowData"),
        Output(ids.SIM_SAMS, "value"),
        Output(ids.SIM_HAZARD, "value"),
        Output(ids.SIM_UPLIFT, "value"),
        Output(ids.SIM_RAMP, "value"),
        Output(ids.SIM_ASSUMPTION_WARNINGS, "children"),
    ],
    inputs=dict(data_version=Input(ids.SESSION_VERSION, "data"), settings=Input(ids.SETTINGS, "data")),
    state=dict(nrr_volatility=State(ids.SIM_NRR_VOLATILITY, "value")),
)
def fill_controls(data_version, settings, nrr_volatility):
    """Accounts to pick from (today's tiers), the calibrated assumptions, today's strategic SAMs,
    the treatment effect estimated from the data (or assumed) and the calibration's warnings.
    When the page appears, the values this session left in the form stay."""
    values = _filled(settings, nrr_volatility)
    kept = state.simulator_state() if _page_appearing() else {}
    form = kept.get("form") or {}
    if form and kept.get("settings") == settings:  # the page appearing on the same settings
        rows = form.get("assumptions") or values[1]
        values = (
            values[0],
            rows,
            *(_kept(form, f, v) for f, v in zip(FILLED, values[2:6], strict=True)),
            values[6],
        )
    return values


def _page_appearing() -> bool:
    """True in a callback Dash calls because its page appeared (no input changed)."""
    try:
        return dash.ctx.triggered_id is None
    except MissingCallbackContextException:
        return False  # called directly (tests)


def _kept(form: dict, field: str, value):
    return value if form.get(field) in (None, "") else form[field]


def _filled(settings, nrr_volatility) -> tuple:
    """:func:`fill_controls`' outputs computed from the data and the settings."""
    analysis = analyze_session(settings)
    try:
        nrr_volatility = simulator.check_form({"nrr_volatility": nrr_volatility})["nrr_volatility"]
    except ValueError:
        nrr_volatility = None  # only an altered request sends that: the starting figure
    assumptions = simulator.base_assumptions(analysis, nrr_volatility)
    effect = simulator.treatment_fields(starting_treatment(analysis))
    return (
        simulator.candidate_rows(analysis, state.current_data()[0]),
        simulator.assumption_rows(assumptions),
        simulator.default_sams(analysis),
        effect["hazard_ratio"],
        effect["uplift_pct"],
        effect["ramp_months"],
        _warnings(assumptions.warnings),
    )


def _warnings(warnings: tuple[str, ...]) -> dbc.Alert | None:
    """The calibration's warnings under the assumption grid (none: nothing shown)."""
    if not warnings:
        return None
    return dbc.Alert(
        [html.Strong("Calibration warnings"), html.Ul([html.Li(w) for w in warnings], className="mb-0")],
        color="warning",
        className="small py-2 mt-2 mb-0",
    )


@callback(
    output=[
        Output(ids.SIM_GRID, "selectedRows", allow_duplicate=True),
        Output(ids.SIM_STAFFING, "value", allow_duplicate=True),
    ],
    inputs=dict(rows=Input(ids.SIM_GRID, "rowData")),
    state=dict(preset=State(ids.SIM_PRESET, "data")),
    prevent_initial_call=True,
)
def tick_preset(rows, preset):
    """Tick the accounts the page was opened with (``?promote=…&demote=…``) that are listed,
    and set the staffing it names."""
    if not isinstance(preset, dict) or not preset.get("ids") or not rows:
        raise PreventUpdate
    listed = {row["account_id"] for row in rows}
    return {"ids": [i for i in preset["ids"] if i in listed]}, preset.get("staffing") or no_update


@callback(
    output=[Output(ids.SIM_GRID, "selectedRows"), Output(ids.SIM_ERROR, "children", allow_duplicate=True)],
    inputs=dict(_clicks=Input(ids.SIM_NEXT_BTN, "n_clicks")),
    state=dict(
        n=State(ids.SIM_NEXT_N, "value"),
        rows=State(ids.SIM_GRID, "rowData"),
        selected=State(ids.SIM_GRID, "selectedRows"),
    ),
    prevent_initial_call=True,
)
def promote_next(_clicks, n, rows, selected):
    """Tick the next ``n`` non-strategic accounts by score, besides those ticked (or say why not)."""
    try:
        return {"ids": simulator.next_by_score(rows or [], _selected_ids(selected), n)}, ""
    except ValueError as exc:
        return no_update, f"Cannot promote: {exc}."


@callback(
    output=[
        Output(ids.SIM_GRID, "selectedRows", allow_duplicate=True),
        Output(ids.SIM_RETIER, "data"),
        Output(ids.SIM_RETIER_NOTE, "children"),
    ],
    inputs=dict(_clicks=Input(ids.SIM_CLEAR_BTN, "n_clicks")),
    prevent_initial_call=True,
)
def clear_selection(_clicks):
    """No account ticked, no re-tiering."""
    return {"ids": []}, {}, ""


@callback(
    output=[Output(ids.SIM_REPORT, "data"), Output(ids.SIM_ERROR, "children")],
    inputs=dict(
        selected=Input(ids.SIM_GRID, "selectedRows"),
        form=_form(Input),
        settings=Input(ids.SETTINGS, "data"),
        data_version=Input(ids.SESSION_VERSION, "data"),
    ),
)
def preview(selected, form, settings, data_version):
    """A 1,000-path run whenever a control moves (not for a large portfolio: the message
    says to press Run, see :func:`reporting.simulator.preview_refusal`)."""
    if not form["assumptions"]:
        raise PreventUpdate  # the controls are still being filled
    try:
        chosen = _selected_ids(selected)
    except ValueError as exc:
        return no_update, f"Cannot simulate: {exc}"
    last = state.last_report()
    if last is not None and simulator.same_inputs(last, form, chosen, settings):
        # the page appearing again, or the grid echoing the ticks: the result of these inputs
        # (a full run's too) is shown again rather than replaced by a new preview
        return last.to_dict(), ""
    state.save_simulator_state(form, chosen, settings)
    accounts, _ = state.current_data()
    refusal = simulator.preview_refusal(len(accounts), form.get("horizon"))
    if refusal is not None:
        return no_update, refusal
    try:
        report = simulator.simulate(accounts, settings, form, chosen, simulator.PREVIEW_PATHS)
    except ValueError as exc:
        return no_update, f"Cannot simulate: {exc}"
    state.save_report(report)
    return report.to_dict(), ""


def run_failed(exc: Exception) -> tuple:
    """A full run that died (its worker killed, see :mod:`dashboard.background`) or raised:
    say so and offer the retry; the last result on screen stays. A run a limit refused (one
    per session, ``STRATA_MAX_RUNS`` in all) says so instead."""
    refusal = background.refusal_of(exc)
    if refusal is not None:
        return no_update, refusal
    reason = next((r for r in (background.LOST_RUN, background.NO_WORKER) if r in str(exc)), None)
    if reason is None:
        logger.error("simulation run failed: %s", exc)
        reason = "Something went wrong in the simulation (logged on the server)."
    return no_update, f"{FAILED} {reason} Press Run to retry."


@callback(
    output=[
        Output(ids.SIM_PROGRESS, "value", allow_duplicate=True),
        Output(ids.SIM_PROGRESS, "label", allow_duplicate=True),
        Output(ids.SIM_PROGRESS, "color"),
    ],
    inputs=dict(error=Input(ids.SIM_ERROR, "children")),
    prevent_initial_call=True,
)
def show_failed_run(error):
    """The progress bar turns red and says "failed" after a failed run (it would keep the last
    progress); the next run turns it back (``running`` of :func:`run_full`)."""
    if not str(error or "").startswith(FAILED):
        raise PreventUpdate
    return 100, "failed", "danger"


@callback(
    output=[
        Output(ids.SIM_REPORT, "data", allow_duplicate=True),
        Output(ids.SIM_ERROR, "children", allow_duplicate=True),
    ],
    inputs=dict(_clicks=Input(ids.SIM_RUN, "n_clicks")),
    state=dict(
        selected=State(ids.SIM_GRID, "selectedRows"),
        form=_form(State),
        settings=State(ids.SETTINGS, "data"),
        paths=State(ids.SIM_PATHS, "value"),
    ),
    background=True,
    running=[
        (Output(ids.SIM_RUN, "disabled"), True, False),
        (Output(ids.SIM_CANCEL, "disabled"), False, True),
        (Output(ids.SIM_PROGRESS, "color"), "primary", "primary"),
    ],
    progress=[Output(ids.SIM_PROGRESS, "value"), Output(ids.SIM_PROGRESS, "label")],
    cancel=[Input(ids.SIM_CANCEL, "n_clicks")],
    on_error=run_failed,
    prevent_initial_call=True,
)
def run_full(set_progress, _clicks, selected, form, settings, paths):
    """The full run, in a background process: progress bar, cancel, UI stays responsive."""
    if str(paths) not in {str(p) for p in simulator.FULL_PATHS}:
        return no_update, "Pick a number of paths from the list."
    set_progress((0, "starting"))
    server, session = dash.get_app().server, background.job_session()  # no Flask request here
    accounts, _ = state.data_outside_request(server, session)

    def progress(done: float) -> None:
        set_progress((round(100 * done), f"{done:.0%} of {int(paths):,} paths"))

    try:
        report = simulator.simulate(accounts, settings, form, _selected_ids(selected), int(paths), progress)
    except ValueError as exc:
        return no_update, f"Cannot simulate: {exc}"
    state.save_report_outside_request(server, session, report)
    set_progress((100, f"done: {int(paths):,} paths"))
    return report.to_dict(), ""


FOCUS_DURING_RUN = (
    """
function (_clicks) {
    // WCAG 2.4.3: Run is disabled while the run is under way, which drops focus to <body>.
    // Focus goes to Cancel once it is enabled, then to the result headline when Run is back.
    var run = document.getElementById("RUN"), cancel = document.getElementById("CANCEL");
    var started = Date.now(), phase = "start";
    function step() {
        if (!run || !cancel || !document.body.contains(run)) return;
        var lost = document.activeElement === document.body || document.activeElement === null;
        if (phase === "start") {
            if (!cancel.disabled) {
                if (lost || document.activeElement === run) cancel.focus();
                phase = "running";
            } else if (Date.now() - started > 10000) {
                return;
            }
        } else if (!run.disabled) {
            if (lost || document.activeElement === cancel) document.getElementById("HEADLINE").focus();
            return;
        }
        window.setTimeout(step, 100);
    }
    step();
}
""".replace("RUN", ids.SIM_RUN)
    .replace("CANCEL", ids.SIM_CANCEL)
    .replace("HEADLINE", ids.SIM_HEADLINE)
)
"""Keeps keyboard focus usable through a full run: Cancel while it runs, then the headline."""
dash.clientside_callback(FOCUS_DURING_RUN, Input(ids.SIM_RUN, "n_clicks"), prevent_initial_call=True)


SUMMARY_ORDER = ("simulation-fan", "simulation-ending-arr", "simulation-delta", "simulation-decomposition")
"""The charts' text summaries, in the order of :func:`show_report`'s last outputs."""


@callback(
    output=[
        Output(ids.SIM_HEADLINE, "children"),
        Output(ids.SIM_KPIS, "children"),
        Output(ids.SIM_FAN, "figure"),
        Output(ids.SIM_ENDING, "figure"),
        Output(ids.SIM_DELTA, "figure"),
        Output(ids.SIM_STAFF_TABLE, "children"),
        Output(ids.SIM_DECOMPOSITION, "figure"),
        Output(ids.SIM_TREATMENT, "children"),
        Output(ids.SIM_PRECISION, "children"),
        Output(ids.SIM_FAN_SUMMARY, "children"),
        Output(ids.SIM_ENDING_SUMMARY, "children"),
        Output(ids.SIM_DELTA_SUMMARY, "children"),
        Output(ids.SIM_DECOMPOSITION_SUMMARY, "children"),
        Output(ids.SIM_RENEWALS, "figure"),
        Output(ids.SIM_RENEWALS_SUMMARY, "children"),
        Output(ids.SIM_RENEWAL_TIMING, "children"),
    ],
    inputs=dict(data=Input(ids.SIM_REPORT, "data")),
)
def show_report(data):
    if not data:
        raise PreventUpdate
    try:
        report = SimulationReport.from_dict(data)
    except UnreadableReport as exc:
        return (exc.message("The result on screen"), *[no_update] * 15)
    preview_run, label = simulator.run_label(report)
    headline = [
        dbc.Badge(label, color="secondary" if preview_run else "primary", className="me-2"),
        report.headline,
    ]
    if report.saved_as:
        headline.insert(1, dbc.Badge(f"saved scenario: {report.saved_as}", color="info", className="me-2"))
    cards = [kpi_card(title, value, reading) for title, value, reading in simulator.result_kpis(report)]
    if report.comparison is not None:
        delta, split = figures.delta_figure(report), figures.decomposition_figure(report)
    else:
        delta = figures.message_figure("Scenario − baseline", simulator.NO_SCENARIO)
        split = figures.message_figure("The move and the staffing", simulator.NO_SCENARIO)
    summaries = simulator.chart_summaries(report)
    staff_table = html.Div(
        [
            html.H5("Strategic SAMs"),
            dbc.Table.from_dataframe(pd.DataFrame(simulator.staffing_rows(report)), size="sm", striped=True),
            html.P(simulator.economics_text(report), className="small"),
        ]
    )
    return (
        headline,
        cards,
        figures.fan_figure(report),
        figures.ending_distribution_figure(report),
        delta,
        staff_table,
        split,
        f"{report.treatment.sentence()} "
        f"{nrr_volatility_sentence(report.nrr_volatility, report.nrr_volatility_source)}",
        simulator.precision_text(report),
        *(summaries[chart] for chart in SUMMARY_ORDER),
        figures.renewal_calendar_figure(report),
        simulator.renewal_summary(report),
        _timing_sentence(report),
    )


def _timing_sentence(report: SimulationReport) -> str:
    """How churn is timed in this run (renewal dates or a uniform hazard)."""
    calendar = report.renewal_calendar
    return "" if calendar is None else calendar.timing


def _scenarios():
    return dash.get_app().server.extensions["strata_scenarios"]


def _chosen(selected) -> list[int]:
    """Ids of the saved scenarios ticked in the grid; rows that carry no whole-number id
    (only an altered request sends them) are left out."""
    if not isinstance(selected, list):
        return []
    ids = [row.get("id") for row in selected if isinstance(row, dict)]
    return [int(i) for i in ids if isinstance(i, int) and not isinstance(i, bool) and abs(i) < 2**62]


def _next_version(version: object) -> int:
    """The saved-scenario list's next version (from 0 when the browser sent no whole number)."""
    return (version if isinstance(version, int) and not isinstance(version, bool) else 0) + 1


def _message(level: str, text: str) -> html.Span:
    return html.Span(text, className=MESSAGE_CLASS[level])


SELECT_FIRST = "Select a saved scenario first."
NO_SUCH_SCENARIO = "No such scenario: it no longer exists (or is not yours)."


@callback(
    output=Output(ids.SIM_SAVED_GRID, "rowData"),
    inputs=dict(
        saved_version=Input(ids.SIM_SAVED_VERSION, "data"), data_version=Input(ids.SESSION_VERSION, "data")
    ),
)
def list_saved(saved_version, data_version):
    return simulator.saved_rows(_scenarios().list(state.owner()), state.data_fingerprint())


@callback(
    output=[Output(ids.SIM_SAVED_VERSION, "data"), Output(ids.SIM_SAVED_MSG, "children")],
    inputs=dict(_clicks=Input(ids.SIM_SAVE, "n_clicks")),
    state=dict(
        name=State(ids.SIM_SAVE_NAME, "value"),
        data=State(ids.SIM_REPORT, "data"),
        version=State(ids.SIM_SAVED_VERSION, "data"),
    ),
    prevent_initial_call=True,
)
def save_scenario(_clicks, name, data, version):
    """Save the result shown under ``name``, if it was run on the data loaded now."""
    if not data:
        return no_update, _message("problem", "Nothing to save yet.")
    try:
        report = SimulationReport.from_dict(data)
    except UnreadableReport as exc:
        return no_update, _message("problem", exc.message("The result shown"))
    if report.fingerprint != state.data_fingerprint():
        return no_update, _message(
            "problem", "The result shown was run on other data; run it again before saving."
        )
    _, meta = state.current_data()
    inputs = report.inputs.to_dict() if report.inputs is not None else {}
    try:
        new_id = _scenarios().save(state.owner(), name, report.fingerprint, meta["source"], inputs, report)
    except ValueError as exc:
        return no_update, _message("problem", str(exc))
    return _next_version(version), _message("ok", f"Saved as #{new_id}.")


@callback(
    output=[
        Output(ids.SIM_SAVED_VERSION, "data", allow_duplicate=True),
        Output(ids.SIM_SAVED_MSG, "children", allow_duplicate=True),
    ],
    inputs=dict(_clicks=Input(ids.SIM_RENAME, "n_clicks")),
    state=dict(
        name=State(ids.SIM_SAVE_NAME, "value"),
        selected=State(ids.SIM_SAVED_GRID, "selectedRows"),
        version=State(ids.SIM_SAVED_VERSION, "data"),
    ),
    prevent_initial_call=True,
)
def rename_scenario(_clicks, name, selected, version):
    """Give the first selected saved scenario the name typed."""
    chosen = _chosen(selected)
    if not chosen:
        return no_update, _message("problem", SELECT_FIRST)
    try:
        renamed = _scenarios().rename(state.owner(), chosen[0], name)
    except ValueError as exc:
        return no_update, _message("problem", str(exc))
    if not renamed:
        return _next_version(version), _message("problem", NO_SUCH_SCENARIO)
    return _next_version(version), _message("ok", "Renamed.")


@callback(
    output=[
        Output(ids.SIM_SAVED_VERSION, "data", allow_duplicate=True),
        Output(ids.SIM_SAVED_MSG, "children", allow_duplicate=True),
    ],
    inputs=dict(_clicks=Input(ids.SIM_DELETE, "n_clicks")),
    state=dict(
        selected=State(ids.SIM_SAVED_GRID, "selectedRows"), version=State(ids.SIM_SAVED_VERSION, "data")
    ),
    prevent_initial_call=True,
)
def delete_scenarios(_clicks, selected, version):
    """Delete the selected saved scenarios."""
    chosen = _chosen(selected)
    if not chosen:
        return no_update, _message("problem", SELECT_FIRST)
    try:
        deleted = _scenarios().delete_many(state.owner(), set(chosen))
    except ValueError as exc:
        return no_update, _message("problem", f"Nothing deleted: {exc}.")
    if not deleted:
        return _next_version(version), _message("problem", NO_SUCH_SCENARIO)
    missing = len(set(chosen)) - deleted
    return _next_version(version), _message(
        "ok" if not missing else "warning",
        f"Deleted {deleted}." + (f" {missing} no longer existed." if missing else ""),
    )


@callback(
    output=[
        Output(ids.SIM_SAVED_VERSION, "data", allow_duplicate=True),
        Output(ids.SIM_SAVED_MSG, "children", allow_duplicate=True),
        Output(ids.SIM_REPORT, "data", allow_duplicate=True),
    ],
    inputs=dict(_clicks=Input(ids.SIM_LOAD, "n_clicks")),
    state=dict(
        selected=State(ids.SIM_SAVED_GRID, "selectedRows"), version=State(ids.SIM_SAVED_VERSION, "data")
    ),
    prevent_initial_call=True,
)
def load_scenario(_clicks, selected, version):
    """Show the first selected saved scenario's results (or say why they cannot be shown)."""
    chosen = _chosen(selected)
    if not chosen:
        return no_update, _message("problem", SELECT_FIRST), no_update
    item = _scenarios().get(state.owner(), chosen[0])
    if item is None:
        return _next_version(version), _message("problem", "That scenario no longer exists."), no_update
    level, text = simulator.load_message(item, state.data_fingerprint())
    if item.report is None:
        return no_update, _message(level, text), no_update
    return no_update, _message(level, text), replace(item.report, saved_as=item.name).to_dict()


@callback(
    output=[
        Output(ids.SIM_SAVED_MSG, "children", allow_duplicate=True),
        Output(ids.SIM_COMPARE_OUT, "children"),
    ],
    inputs=dict(_clicks=Input(ids.SIM_COMPARE, "n_clicks")),
    state=dict(selected=State(ids.SIM_SAVED_GRID, "selectedRows")),
    prevent_initial_call=True,
)
def compare_scenarios(_clicks, selected):
    """The selected saved scenarios side by side (the first :data:`MAX_COMPARE`)."""
    chosen = _chosen(selected)
    if not chosen:
        return _message("problem", SELECT_FIRST), no_update
    store, owner = _scenarios(), state.owner()
    items = [item for i in chosen[:MAX_COMPARE] if (item := store.get(owner, i))]
    accounts, _ = state.current_data()
    try:
        table, note = simulator.compare(items, len(chosen), MAX_COMPARE, accounts, state.data_fingerprint())
    except ValueError as exc:
        return _message("problem", f"Cannot compare: {exc}"), no_update
    if table.empty:
        return note, None
    return note, dbc.Table.from_dataframe(table.reset_index(names=""), size="sm", striped=True, bordered=True)


BACKTEST_PROMPT = "Press the button to simulate the year the data records and compare."


def _backtest_panel() -> html.Details:
    """The collapsible back-test section; computed on demand (a button), not on page load."""
    return html.Details(
        [
            html.Summary(backtest.PANEL_TITLE, className="h5"),
            html.P(
                "One simulated year from the start of the year your data records (its prior ARR "
                "and start-of-year tiers), calibrated as the simulator is, against what happened: "
                "NRR, GRR and ARR churn, overall and per tier.",
                className="small text-muted",
            ),
            dbc.Button("Run the back-test", id=ids.SIM_BACKTEST_RUN, color="secondary", size="sm"),
            dcc.Loading(html.Div(BACKTEST_PROMPT, id=ids.SIM_BACKTEST_OUT, className="mt-2 small")),
        ],
        className="card card-body mt-3",
    )


def _backtest_view(result) -> html.Div:
    rows = pd.DataFrame(backtest.backtest_rows(result))
    return html.Div(
        [
            html.P(result.reason),
            plain_table(rows, backtest.HEADERS, right=("observed", "median", "p5_p95")),
            html.P(backtest.settings_sentence(result), className="text-muted mt-1"),
            dbc.Alert(backtest.verdict(result), color="success" if result.passed else "warning"),
        ]
    )


@callback(
    output=Output(ids.SIM_BACKTEST_OUT, "children"),
    inputs=dict(_clicks=Input(ids.SIM_BACKTEST_RUN, "n_clicks")),
    state=dict(settings=State(ids.SETTINGS, "data")),
    prevent_initial_call=True,
)
def run_backtest(_clicks, settings):
    """The back-test of this session's data under the what-if tiers."""
    accounts, meta = state.current_data()
    try:
        result = backtest.panel_backtest(accounts, settings, meta.get("shape"))
    except ValueError as exc:
        return html.Div(f"Cannot back-test: {exc}", className="text-danger")
    return _backtest_view(result)


@callback(
    output=Output(ids.SIM_BACKTEST_OUT, "children", allow_duplicate=True),
    inputs=dict(data_version=Input(ids.SESSION_VERSION, "data"), settings=Input(ids.SETTINGS, "data")),
    prevent_initial_call=True,
)
def clear_backtest(data_version, settings):
    """Other data or tiers: the back-test shown no longer applies."""
    return BACKTEST_PROMPT


dash.register_page(__name__, path="/simulator", name="Simulator", order=5, layout=layout)
