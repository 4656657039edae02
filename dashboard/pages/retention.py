"""Retention: NRR/GRR by start-of-period tier and the ARR bridge per tier.

A switch picks the tier retention is attributed to: the assigned tier the company runs
(default; the scorecard when the data has no tier column, which the note says) or the
scorecard on prior ARR. It is a what-if setting (``tier_basis``), so every page, chart download
and the board pack follow it."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from dashboard import ids
from dashboard.components import graph, page_header, plain_table
from dashboard.whatif import analyze_session
from portfolio.retention import CONVENTION_NAMES, CONVENTIONS
from portfolio.schema import TIERS
from portfolio.tiers import TIER_BASES
from portfolio.whatif import DEFAULT_SETTINGS
from reporting import figures
from reporting.tables import RECONCILIATION_HEADERS, convention_note, reconciliation_rows
from reporting.takeaways import arr_bridge_takeaway, takeaways

NO_PRIOR = "No prior-year ARR in the data: retention, and so its conventions, need it."


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
                persistence=True,
                persistence_type="memory",  # as long as the settings store: until a reload
            ),
            html.P(id=ids.RET_BASIS_NOTE, className="small text-muted mb-2"),
            html.Label("NRR/GRR convention", htmlFor=ids.RET_CONVENTION, className="small fw-bold mb-0"),
            dbc.RadioItems(
                id=ids.RET_CONVENTION,
                options=[{"label": CONVENTION_NAMES[c], "value": c} for c in CONVENTIONS],
                value=CONVENTIONS[0],
                inline=True,
                persistence=True,
                persistence_type="memory",
            ),
            html.P(id=ids.RET_CONVENTION_NOTE, className="small text-muted mb-2"),
            graph(ids.RET_BY_TIER, "retention-by-tier", summary=ids.RET_BY_TIER_SUMMARY),
            dbc.RadioItems(
                id=ids.RET_TIER, options=["All", *TIERS], value="All", inline=True, className="my-2"
            ),
            graph(ids.RET_BRIDGE, "arr-bridge", summary=ids.RET_BRIDGE_SUMMARY),
            html.H4("From one convention to the other", className="mt-4 mb-1"),
            html.P(
                "Finance and Customer Success often count a returning customer differently. "
                "This table walks NRR and GRR from one convention to the other, account group "
                "by group; its money columns add up to the cent. NRR = ARR now ÷ opening ARR "
                "(a year ago); GRR = kept ARR (the lower of now and a year ago, per account) "
                "÷ opening ARR.",
                className="small text-muted",
            ),
            html.Div(id=ids.RET_RECONCILIATION),
        ]
    )


@callback(
    output=[
        Output(ids.RET_BY_TIER, "figure"),
        Output(ids.RET_BRIDGE, "figure"),
        Output(ids.RET_BY_TIER_SUMMARY, "children"),
        Output(ids.RET_BRIDGE_SUMMARY, "children"),
        Output(ids.RET_BASIS_NOTE, "children"),
        Output(ids.RET_CONVENTION_NOTE, "children"),
        Output(ids.RET_RECONCILIATION, "children"),
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
        analysis.tier_basis_note,
        convention_note(analysis),
        reconciliation_view(analysis),
    )


def reconciliation_view(analysis):
    """The reconciliation table, or the line saying why there is none."""
    table = reconciliation_rows(analysis)
    if table is None:
        return html.P(analysis.reconciliation_note or NO_PRIOR, className="small text-muted")
    return plain_table(table, RECONCILIATION_HEADERS, right=tuple(RECONCILIATION_HEADERS)[1:])


@callback(
    Output(ids.SETTINGS, "data", allow_duplicate=True),
    Input(ids.RET_BASIS, "value"),
    State(ids.SETTINGS, "data"),
    prevent_initial_call=True,
)
def set_tier_basis(basis, settings):
    """The switch into the what-if settings."""
    return {**(settings if isinstance(settings, dict) else DEFAULT_SETTINGS), "tier_basis": basis}


@callback(
    Output(ids.SETTINGS, "data", allow_duplicate=True),
    Input(ids.RET_CONVENTION, "value"),
    State(ids.SETTINGS, "data"),
    prevent_initial_call=True,
)
def set_convention(convention, settings):
    """The convention switch into the what-if settings (an unknown value keeps the default)."""
    chosen = convention if convention in CONVENTIONS else CONVENTIONS[0]
    return {**(settings if isinstance(settings, dict) else DEFAULT_SETTINGS), "convention": chosen}


dash.register_page(__name__, path="/retention", name="Retention", order=3, layout=layout)
