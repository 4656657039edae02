"""Capacity: SAM load against capacity, required vs available headcount, overloaded SAMs."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import ids
from dashboard.components import graph, page_header, plain_table
from dashboard.drilldown import drill_hint, wire_chart
from dashboard.whatif import analyze_session
from portfolio.formatting import money
from reporting import figures
from reporting.takeaways import takeaways


def layout(**_):
    return html.Div(
        [
            page_header(
                "SAM capacity",
                "Capacity per SAM and available headcount are in the What-if "
                "panel. A strategic account takes 1/capacity of a SAM.",
            ),
            drill_hint("a SAM's bar or a tier's bar"),
            dbc.Row(
                [
                    dbc.Col(
                        graph(ids.CAP_HEADCOUNT, "sam-headcount", summary=ids.CAP_HEADCOUNT_SUMMARY), lg=5
                    ),
                    dbc.Col(html.Div(id=ids.CAP_OVERLOADED), lg=7),
                ]
            ),
            graph(ids.CAP_LOAD, "sam-workload", summary=ids.CAP_LOAD_SUMMARY),
        ]
    )


@callback(
    output=[
        Output(ids.CAP_LOAD, "figure"),
        Output(ids.CAP_HEADCOUNT, "figure"),
        Output(ids.CAP_OVERLOADED, "children"),
        Output(ids.CAP_LOAD_SUMMARY, "children"),
        Output(ids.CAP_HEADCOUNT_SUMMARY, "children"),
    ],
    inputs=dict(settings=Input(ids.SETTINGS, "data"), _version=Input(ids.SESSION_VERSION, "data")),
)
def update_capacity(settings, _version):
    analysis = analyze_session(settings)
    w = analysis.workload
    if not w.has_sams:
        text = takeaways(analysis)
        note = html.P(
            "No SAM column in the data, so per-SAM load cannot be shown. Add a column naming each "
            "account's SAM, or enter the SAM headcount in the What-if panel to compare what each "
            "tier needs with what is available.",
            className="text-muted",
        )
        return (
            figures.sam_load_figure(analysis),
            figures.headcount_figure(analysis),
            note,
            text["sam-workload"],
            text["sam-headcount"],
        )
    over = w.by_sam.loc[w.overloaded_sams].rename_axis("sam").reset_index()
    over["book"] = [f"{r.Strategic}/{r.Key}/{r.Standard}" for r in over.itertuples()]
    table = html.Div(
        [
            html.H5(f"{len(over)} SAM(s) over capacity"),
            plain_table(
                over,
                {"sam": "SAM", "book": "Strategic/Key/Standard", "arr": "ARR", "load": "Load"},
                {"arr": money, "load": "{:.0%}".format},
                right=("arr", "load"),
            ),
        ],
        style={"maxHeight": "420px", "overflowY": "auto"},
    )
    text = takeaways(analysis)
    return (
        figures.sam_load_figure(analysis),
        figures.headcount_figure(analysis),
        table,
        text["sam-workload"],
        text["sam-headcount"],
    )


wire_chart(ids.CAP_LOAD, "sam-workload")
wire_chart(ids.CAP_HEADCOUNT, "sam-headcount")

dash.register_page(__name__, path="/capacity", name="Capacity", order=4, layout=layout)
