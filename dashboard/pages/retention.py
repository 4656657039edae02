"""Retention: NRR/GRR by start-of-period tier and the ARR bridge per tier."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import ids
from dashboard.components import graph, page_header
from dashboard.whatif import analyze_session
from portfolio.schema import TIERS
from reporting import figures
from reporting.takeaways import arr_bridge_takeaway, takeaways


def layout(**_):
    return html.Div(
        [
            page_header(
                "Retention by tier",
                "Accounts count in the tier they had a year ago, so churned "
                "strategic accounts stay in the strategic figures.",
            ),
            graph(ids.RET_BY_TIER, "retention-by-tier", summary=ids.RET_BY_TIER_SUMMARY),
            dbc.RadioItems(
                id=ids.RET_TIER, options=["All", *TIERS], value="All", inline=True, className="my-2"
            ),
            graph(ids.RET_BRIDGE, "arr-bridge", summary=ids.RET_BRIDGE_SUMMARY),
        ]
    )


@callback(
    output=[
        Output(ids.RET_BY_TIER, "figure"),
        Output(ids.RET_BRIDGE, "figure"),
        Output(ids.RET_BY_TIER_SUMMARY, "children"),
        Output(ids.RET_BRIDGE_SUMMARY, "children"),
    ],
    inputs=dict(
        settings=Input(ids.SETTINGS, "data"),
        _version=Input(ids.SESSION_VERSION, "data"),
        tier=Input(ids.RET_TIER, "value"),
    ),
)
def update_retention(settings, _version, tier):
    tier = tier if isinstance(tier, str) and tier in TIERS else "All"  # "All", or an altered request
    analysis = analyze_session(settings)
    return (
        figures.retention_by_tier_figure(analysis),
        figures.arr_bridge_figure(analysis, tier),
        takeaways(analysis)["retention-by-tier"],
        arr_bridge_takeaway(analysis, tier),
    )


dash.register_page(__name__, path="/retention", name="Retention", order=3, layout=layout)
