"""Concentration: Pareto and Lorenz curves and the top-N accounts."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import graph, named, page_header, plain_table, tier_label
from dashboard.drilldown import drill_hint, wire_chart
from dashboard.whatif import analyze_session
from portfolio.formatting import money, percent
from reporting import figures
from reporting.tables import top_accounts
from reporting.takeaways import takeaways

TOPN_COLUMNS = {
    "rank": "#",
    "account_name": "Account",
    "arr": "ARR",
    "share": "Share of ARR",
    "cumulative_share": "Cumulative",
    "tier": "Tier",
    "sam": "SAM",
}


TOP_N_CHOICES = (10, 20, 50, 100)


def layout(**_):
    return html.Div(
        [
            page_header("Revenue concentration", "How exposed is the business to a few logos?"),
            drill_hint("a point of the Pareto curve"),
            dbc.Row(
                [
                    dbc.Col(graph(ids.CONC_PARETO, "pareto", summary=ids.CONC_PARETO_SUMMARY), lg=6),
                    dbc.Col(graph(ids.CONC_LORENZ, "lorenz", summary=ids.CONC_LORENZ_SUMMARY), lg=6),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(html.H5("Largest accounts"), width="auto"),
                    dbc.Col(
                        named(
                            "Number of largest accounts shown",
                            dcc.Dropdown(
                                id=ids.CONC_N,
                                options=list(TOP_N_CHOICES),
                                value=20,
                                clearable=False,
                                style={"width": "100px"},
                            ),
                        ),
                        width="auto",
                    ),
                ],
                className="align-items-center mt-3",
            ),
            html.Div(id=ids.CONC_TOPN),
        ]
    )


@callback(
    output=[
        Output(ids.CONC_PARETO, "figure"),
        Output(ids.CONC_LORENZ, "figure"),
        Output(ids.CONC_PARETO_SUMMARY, "children"),
        Output(ids.CONC_LORENZ_SUMMARY, "children"),
    ],
    inputs=dict(_version=Input(ids.SESSION_VERSION, "data"), _filter=Input(ids.FILTER_NOTE, "children")),
    state=dict(settings=State(ids.SETTINGS, "data")),
)
def update_curves(_version, settings, _filter=None):
    """Pareto and Lorenz depend on the data and the segment filter alone (the filter's note
    changes with it): no other what-if control moves them."""
    analysis = analyze_session(settings)
    text = takeaways(analysis)
    return (
        figures.pareto_figure(analysis),
        figures.lorenz_figure(analysis),
        text["pareto"],
        text["lorenz"],
    )


@callback(
    output=Output(ids.CONC_TOPN, "children"),
    inputs=dict(
        settings=Input(ids.SETTINGS, "data"),
        _version=Input(ids.SESSION_VERSION, "data"),
        n=Input(ids.CONC_N, "value"),
    ),
)
def update_top_accounts(settings, _version, n):
    """The top-N table shows each account's tier, which the thresholds and weights move."""
    n = int(n) if n in TOP_N_CHOICES else 20  # only an altered request sends another value
    top = top_accounts(analyze_session(settings), n)
    return plain_table(
        top,
        TOPN_COLUMNS,
        {"arr": money, "share": percent, "cumulative_share": percent, "tier": tier_label},
        right=("arr", "share", "cumulative_share"),
    )


wire_chart(ids.CONC_PARETO, "pareto")

dash.register_page(__name__, path="/concentration", name="Concentration", order=1, layout=layout)
