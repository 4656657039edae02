"""Overview: the KPI cards, the tier split and the ARR bridge."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import ids
from dashboard.components import graph, kpi_card, page_header
from dashboard.drilldown import wire_chart
from dashboard.whatif import analyze_session
from reporting import figures
from reporting.kpis import overview_kpis
from reporting.takeaways import takeaways


def layout(**_):
    return html.Div(
        [
            page_header(
                "Portfolio overview", "Concentration, tiers, retention and SAM coverage at a glance."
            ),
            html.Div(id=ids.OVERVIEW_WARNINGS),
            dbc.Row(id=ids.OVERVIEW_KPIS),
            dbc.Row(
                [
                    dbc.Col(
                        graph(ids.OVERVIEW_TIERS, "tier-distribution", summary=ids.OVERVIEW_TIERS_SUMMARY),
                        lg=6,
                    ),
                    dbc.Col(
                        graph(ids.OVERVIEW_BRIDGE, "arr-bridge", summary=ids.OVERVIEW_BRIDGE_SUMMARY), lg=6
                    ),
                ]
            ),
        ]
    )


@callback(
    output=[
        Output(ids.OVERVIEW_KPIS, "children"),
        Output(ids.OVERVIEW_WARNINGS, "children"),
        Output(ids.OVERVIEW_TIERS, "figure"),
        Output(ids.OVERVIEW_BRIDGE, "figure"),
        Output(ids.OVERVIEW_TIERS_SUMMARY, "children"),
        Output(ids.OVERVIEW_BRIDGE_SUMMARY, "children"),
    ],
    inputs=dict(settings=Input(ids.SETTINGS, "data"), _version=Input(ids.SESSION_VERSION, "data")),
)
def update_overview(settings, _version):
    analysis = analyze_session(settings)
    cards = [kpi_card(k.title, k.value, k.reading, k.tone) for k in overview_kpis(analysis)]
    warnings = [dbc.Alert(w, color="warning", className="py-2") for w in analysis.tiers.warnings]
    text = takeaways(analysis)
    return (
        cards,
        warnings,
        figures.tier_distribution_figure(analysis),
        figures.arr_bridge_figure(analysis),
        text["tier-distribution"],
        text["arr-bridge"],
    )


wire_chart(ids.OVERVIEW_TIERS, "tier-distribution")
wire_chart(ids.OVERVIEW_BRIDGE, "arr-bridge")

dash.register_page(__name__, path="/", name="Overview", order=0, layout=layout)
