"""Every chart's "View as table": the button opens a table of the chart's data, built on the
server only when opened (a table costs the renderer ~0.3 s) and rebuilt while open when what
the chart shows changes. The tables are :mod:`reporting.chart_tables`'s.

Per source of charts (the analysis and Trends pages' settings, or the Simulator's report) two
callbacks:
a clientside one flips the button (``aria-expanded``, its text) and, while the table is open,
asks for it again when the chart's inputs change; a server one builds it.
"""

from __future__ import annotations

import dash
from dash import ALL, MATCH, Input, Output, State, ctx

from dashboard import ids
from dashboard.components import CHART_NAMES, HIDE_TABLE, SHOW_TABLE, chart_table
from dashboard.whatif import analyze_session, changes_session, history_session
from reporting.changes import CHANGES_TABLES
from reporting.chart_tables import ANALYSIS_TABLES, SIMULATION_TABLES, TREND_TABLES
from reporting.decisions import DECISION_TABLES
from reporting.simulation_report import SimulationReport, UnreadableReport


def table_label(chart: str) -> str:
    """The table region's accessible name: "<chart's short name>: data table"."""
    return f"{CHART_NAMES.get(chart, chart)}: data table"


OPTIONS = {"type": ids.CHART_OPTION, "chart": ALL}
"""Controls a chart follows on its page (the ARR bridge's tier), as for its Download."""


def _part(kind: str, source: str) -> dict:
    return {"type": kind, "chart": MATCH, "graph": MATCH, "source": source}


TOGGLE_JS = f"""
function () {{
    const expanded = arguments[arguments.length - 1];
    const clicked = dash_clientside.callback_context.triggered.some(
        t => t.prop_id.includes("{ids.TABLE_TOGGLE}"));
    const open = clicked ? expanded !== "true" : expanded === "true";
    const keep = dash_clientside.no_update;
    if (!clicked && !open) return [keep, keep, keep];
    return [String(open), open ? "{HIDE_TABLE}" : "{SHOW_TABLE}", open ? Date.now() : null];
}}
"""
"""A click flips the button; a change of the chart's inputs asks again only for an open table."""


def _register_toggle(source: str, chart_inputs: list[Input]) -> None:
    dash.clientside_callback(
        TOGGLE_JS,
        Output(_part(ids.TABLE_TOGGLE, source), "aria-expanded"),
        Output(_part(ids.TABLE_TOGGLE, source), "children"),
        Output(_part(ids.TABLE_REQUEST, source), "data"),
        Input(_part(ids.TABLE_TOGGLE, source), "n_clicks"),
        *chart_inputs,
        State(_part(ids.TABLE_TOGGLE, source), "aria-expanded"),
        prevent_initial_call=True,
    )


_register_toggle(
    "analysis", [Input(ids.SETTINGS, "data"), Input(ids.SESSION_VERSION, "data"), Input(OPTIONS, "value")]
)
_register_toggle("simulation", [Input(ids.SIM_REPORT, "data")])
_register_toggle("decisions", [Input(ids.DEC_SCENARIO, "data"), Input(ids.DEC_PATHS, "data")])


@dash.callback(
    output=Output(_part(ids.TABLE_BODY, "analysis"), "children"),
    inputs=dict(requested=Input(_part(ids.TABLE_REQUEST, "analysis"), "data")),
    state=dict(
        settings=State(ids.SETTINGS, "data"),
        option_values=State(OPTIONS, "value"),
        option_ids=State(OPTIONS, "id"),
    ),
    prevent_initial_call=True,
)
def analysis_table(requested, settings, option_values, option_ids):
    """The analysis or Trends chart's table, for this session's data and settings and the
    chart's view (the bridge's tier); nothing once closed."""
    if not requested:
        return None
    name = ctx.triggered_id["chart"]
    if name in TREND_TABLES:
        return chart_table(TREND_TABLES[name](history_session(settings)), table_label(name))
    options = {i["chart"]: v for i, v in zip(option_ids, option_values, strict=True)}
    if name in CHANGES_TABLES:
        return chart_table(CHANGES_TABLES[name](*changes_session(options.get(name))), table_label(name))
    view = [options[name]] if options.get(name) else []
    return chart_table(ANALYSIS_TABLES[name](analyze_session(settings), *view), table_label(name))


@dash.callback(
    output=Output(_part(ids.TABLE_BODY, "simulation"), "children"),
    inputs=dict(requested=Input(_part(ids.TABLE_REQUEST, "simulation"), "data")),
    state=dict(data=State(ids.SIM_REPORT, "data")),
    prevent_initial_call=True,
)
def simulation_table(requested, data):
    """The Simulator chart's table, from the report on screen; nothing once closed."""
    if not requested:
        return None
    try:
        report = SimulationReport.from_dict(data) if data else None
    except UnreadableReport as exc:
        return exc.message("The result on screen")
    if report is None:
        return "Nothing simulated yet."
    name = ctx.triggered_id["chart"]
    return chart_table(SIMULATION_TABLES[name](report), table_label(name))


@dash.callback(
    output=Output(_part(ids.TABLE_BODY, "decisions"), "children"),
    inputs=dict(requested=Input(_part(ids.TABLE_REQUEST, "decisions"), "data")),
    state=dict(result=State(ids.DEC_SCENARIO, "data"), paths=State(ids.DEC_PATHS, "data")),
    prevent_initial_call=True,
)
def decisions_table(requested, result, paths):
    """The Decisions page's chart table, from the results on screen; nothing once closed."""
    if not requested:
        return None
    name = ctx.triggered_id["chart"]
    source = paths if name.startswith("decisions-tornado") else result
    if not source:
        return "Nothing computed yet."
    return chart_table(DECISION_TABLES[name](source), table_label(name))
