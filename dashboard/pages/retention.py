"""Retention: NRR/GRR by start-of-period tier and the ARR bridge per tier.

A switch picks the tier retention is attributed to: the assigned tier the company runs
(default; the scorecard when the data has no tier column, which the note says) or the
scorecard on prior ARR."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import ids
from dashboard.components import graph, page_header
from dashboard.whatif import analyze_session
from portfolio.schema import TIERS
from portfolio.tiers import TIER_BASES
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
            dbc.RadioItems(
                id=ids.RET_BASIS,
                options=[
                    {"label": "Assigned tier (the tiers you run)", "value": TIER_BASES[0]},
                    {"label": "Scorecard on prior ARR", "value": TIER_BASES[1]},
                ],
                value=TIER_BASES[0],
                inline=True,
            ),
            html.P(id=ids.RET_BASIS_NOTE, className="small text-muted mb-2"),
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
        Output(ids.RET_BASIS_NOTE, "children"),
    ],
    inputs=dict(
        settings=Input(ids.SETTINGS, "data"),
        _version=Input(ids.SESSION_VERSION, "data"),
        tier=Input(ids.RET_TIER, "value"),
        basis=Input(ids.RET_BASIS, "value"),
    ),
)
def update_retention(settings, _version, tier, basis):
    analysis = analyze_session({**(settings or {}), "tier_basis": basis})
    return (
        figures.retention_by_tier_figure(analysis),
        figures.arr_bridge_figure(analysis, tier),
        takeaways(analysis)["retention-by-tier"],
        arr_bridge_takeaway(analysis, tier),
        analysis.tier_basis_note,
    )


dash.register_page(__name__, path="/retention", name="Retention", order=3, layout=layout)
