"""Retention: NRR/GRR by start-of-period tier and the ARR bridge per tier.

A switch picks the tier retention is attributed to: the assigned tier the company runs
(default; the scorecard when the data has no tier column, which the note says) or the
scorecard on prior ARR. It is a what-if setting (``tier_basis``), so every page, chart download
and the board pack follow it."""

import dash
import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, State, callback, html

from dashboard import ids, state
from dashboard.components import graph, page_header, plain_table
from dashboard.drilldown import drill_hint, wire_chart
from dashboard.whatif import analyze_session, keep_switch
from portfolio.datafacts import BENCHMARK_NOTE
from portfolio.retention import CONVENTION_NAMES, CONVENTIONS
from portfolio.schema import TIERS
from portfolio.segments import FILTER_COLUMNS, FILTER_LABELS, filter_options
from portfolio.tiers import TIER_BASES
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
                value=_kept("tier_basis", TIER_BASES[0]),
                inline=True,
            ),
            html.P(id=ids.RET_BASIS_NOTE, className="small text-muted mb-2"),
            html.Label("NRR/GRR convention", htmlFor=ids.RET_CONVENTION, className="small fw-bold mb-0"),
            dbc.RadioItems(
                id=ids.RET_CONVENTION,
                options=[{"label": CONVENTION_NAMES[c], "value": c} for c in CONVENTIONS],
                value=_kept("convention", CONVENTIONS[0]),
                inline=True,
            ),
            html.P(id=ids.RET_CONVENTION_NOTE, className="small text-muted mb-2"),
            drill_hint("a retention or bridge bar"),
            html.Div(
                [
                    html.Span("Retention ", className="small me-2"),
                    dbc.RadioItems(id=ids.RET_GROUP, options=_group_options({}), value="tier", inline=True),
                ],
                className="d-flex align-items-center",
            ),
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


def _kept(name: str, default: str) -> str:
    """A switch's setting as kept with the session's data (a reload shows it); ``default``
    outside a request (Dash checking layouts)."""
    return state.current_settings()[name] if flask.has_request_context() else default


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
        group=Input(ids.RET_GROUP, "value"),
    ),
)
def update_retention(settings, _version, tier, group="tier"):
    tier = tier if isinstance(tier, str) and tier in TIERS else "All"  # "All", or an altered request
    analysis = analyze_session(settings)
    by_group = figures.retention_figure(analysis, group if isinstance(group, str) else "tier")
    return (
        by_group,
        figures.arr_bridge_figure(analysis, tier),
        takeaways(analysis)["retention-by-tier"],
        arr_bridge_takeaway(analysis, tier),
        analysis.tier_basis_note + (f" {BENCHMARK_NOTE}" if analysis.facts.transactional else ""),
        convention_note(analysis),
        reconciliation_view(analysis),
    )


@callback(Output(ids.RET_GROUP, "options"), Input(ids.SESSION_VERSION, "data"))
def group_options(_version):
    """The attributes the data has can be picked; the others are shown disabled."""
    return _group_options(filter_options(state.current_data()[0]))


def _group_options(options: dict) -> list[dict]:
    """By tier, and by each attribute of :data:`FILTER_COLUMNS` (disabled when the data lacks it)."""
    return [{"label": "by tier", "value": "tier"}] + [
        {"label": f"by {_label(c)}", "value": c, "disabled": c not in options} for c in FILTER_COLUMNS
    ]


def _label(column: str) -> str:
    """An attribute in running text: "segment", "region", "SAM"."""
    return FILTER_LABELS[column] if column == "sam" else FILTER_LABELS[column].lower()


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
    """The switch into the what-if settings, kept with the session's data."""
    return keep_switch(settings, "tier_basis", basis, TIER_BASES)


wire_chart(ids.RET_BY_TIER, "retention-by-tier")
wire_chart(ids.RET_BRIDGE, "arr-bridge", State(ids.RET_TIER, "value"))


@callback(
    Output(ids.SETTINGS, "data", allow_duplicate=True),
    Input(ids.RET_CONVENTION, "value"),
    State(ids.SETTINGS, "data"),
    prevent_initial_call=True,
)
def set_convention(convention, settings):
    """The convention switch into the what-if settings, kept with the session's data."""
    return keep_switch(settings, "convention", convention, CONVENTIONS)


dash.register_page(__name__, path="/retention", name="Retention", order=3, layout=layout)
