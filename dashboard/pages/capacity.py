"""Capacity: SAM load against capacity, required vs available headcount, overloaded SAMs."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import figures, ids
from dashboard.components import graph, page_header
from dashboard.whatif import analyze_session
from portfolio.formatting import money


def layout(**_):
    return html.Div([
        page_header("SAM capacity", "Capacity per SAM and available headcount are in the What-if "
                    "panel. A strategic account takes 1/capacity of a SAM."),
        dbc.Row([dbc.Col(graph(ids.CAP_HEADCOUNT, "sam-headcount"), lg=5),
                 dbc.Col(html.Div(id=ids.CAP_OVERLOADED), lg=7)]),
        graph(ids.CAP_LOAD, "sam-workload"),
    ])


@callback(
    Output(ids.CAP_LOAD, "figure"), Output(ids.CAP_HEADCOUNT, "figure"),
    Output(ids.CAP_OVERLOADED, "children"),
    Input(ids.SETTINGS, "data"), Input(ids.SESSION_VERSION, "data"),
)
def update_capacity(settings, _version):
    analysis = analyze_session(settings)
    w = analysis.workload
    over = w.by_sam.loc[w.overloaded_sams]
    rows = [html.Tr([html.Td(name), html.Td(f"{r['Strategic']}/{r['Key']}/{r['Standard']}"),
                     html.Td(money(r["arr"])), html.Td(f"{r['load']:.0%}")])
            for name, r in over.iterrows()]
    table = html.Div([
        html.H5(f"{len(rows)} SAM(s) over capacity"),
        dbc.Table([html.Thead(html.Tr([html.Th("SAM"), html.Th("Strategic/Key/Standard"),
                                       html.Th("ARR"), html.Th("Load")])), html.Tbody(rows)],
                  size="sm", striped=True, className="mb-0"),
    ], style={"maxHeight": "420px", "overflowY": "auto"})
    return figures.sam_load_figure(analysis), figures.headcount_figure(analysis), table


dash.register_page(__name__, path="/capacity", name="Capacity", order=4, layout=layout)
