"""Tiers: distribution, scores against thresholds, accounts that move, assigned-tier conflicts."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import figures, ids, state
from dashboard.components import GRID_MONEY, graph, page_header
from dashboard.tables import tier_movers
from dashboard.whatif import analyze_with


def layout(**_):
    return html.Div([
        page_header("Tier distribution", "Move the thresholds and weights in the What-if panel; "
                    "accounts that change tier are listed below."),
        dbc.Row([dbc.Col(graph(ids.TIERS_DIST, "tier-distribution"), lg=6),
                 dbc.Col(graph(ids.TIERS_HIST, "scores"), lg=6)]),
        html.Div(id=ids.TIERS_MOVERS, className="mt-3"),
        html.Div(id=ids.TIERS_DISAGREE, className="mt-3"),
    ])


def _grid(frame, title):
    return html.Div([
        html.H5(title),
        dag.AgGrid(rowData=frame.to_dict("records"), columnDefs=[
            {"field": c, "valueFormatter": GRID_MONEY} if c == "arr" else {"field": c}
            for c in frame.columns], defaultColDef={"sortable": True, "filter": True, "flex": 1},
            style={"height": "300px"}),
    ])


@callback(
    Output(ids.TIERS_DIST, "figure"), Output(ids.TIERS_HIST, "figure"),
    Output(ids.TIERS_MOVERS, "children"), Output(ids.TIERS_DISAGREE, "children"),
    Input(ids.SETTINGS, "data"), Input(ids.SESSION_VERSION, "data"),
)
def update_tiers(settings, _version):
    accounts, _ = state.current_data()
    analysis = analyze_with(accounts, settings)
    movers = tier_movers(analysis, accounts)
    moved = (_grid(movers.round({"score": 1}),
                   f"{len(movers)} account(s) change tier against the default scorecard")
             if len(movers) else html.P("No account changes tier against the default scorecard.",
                                        className="text-muted"))
    conflicts = analysis.tiers.disagreements
    disagree = _grid(conflicts, f"{len(conflicts)} assigned tier(s) differ from the scorecard") \
        if len(conflicts) else None
    return (figures.tier_distribution_figure(analysis), figures.score_histogram(analysis),
            moved, disagree)


dash.register_page(__name__, path="/tiers", name="Tiers", order=2, layout=layout)
