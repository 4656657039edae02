"""Tiers: distribution, scores against thresholds, accounts that move, assigned-tier conflicts."""

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from dashboard import ids, state
from dashboard.components import graph, page_header, plain_table, tier_label
from dashboard.drilldown import TIER_MOVES, drill_hint, wire_chart
from dashboard.whatif import analyze_session, checked_settings, kept_current_tiers, kept_default_tiers
from portfolio.formatting import money
from portfolio.schema import TIERS
from portfolio.whatif import migration_with
from reporting import figures, simulator
from reporting.tables import migration_table, tier_movers
from reporting.takeaways import scorecard_statement, takeaways

LIST_LIMIT = 5
"""Rows shown of each list on the page (largest ARR first); its "List all" button opens every
account of it in the drill-down modal (with CSV/XLSX). Each shown row costs the redraw of a
what-if change: 50 rows per list drew in ~190 ms, 5 in ~105 ms (README, Browser timings)."""
MOVER_COLUMNS = {
    "account_name": "Account",
    "arr": "ARR",
    "score": "Score",
    "default_tier": "Default scorecard",
    "tier": "Now",
}
MOVE_COLUMNS = {
    "account_name": "Account",
    "arr": "ARR",
    "current_tier": "Current",
    "proposed_tier": "Proposed",
    "move": "Move",
}


def layout(**_):
    return html.Div(
        [
            page_header(
                "Tier distribution",
                "Move the thresholds and weights in the What-if panel; "
                "accounts that change tier are listed below.",
            ),
            html.P(id=ids.TIERS_MODE, className="small"),
            drill_hint("a tier's bar"),
            dbc.Row(
                [
                    dbc.Col(graph(ids.TIERS_DIST, "tier-distribution", summary=ids.TIERS_DIST_SUMMARY), lg=6),
                    dbc.Col(graph(ids.TIERS_HIST, "scores", summary=ids.TIERS_HIST_SUMMARY), lg=6),
                ]
            ),
            html.Div(id=ids.TIERS_MIGRATION, className="mt-3"),
            html.Div(
                [
                    dbc.Button("Simulate this re-tiering", id=ids.TIERS_SIMULATE, color="primary", size="sm"),
                    html.Span(id=ids.TIERS_SIMULATE_REASON, className="small text-muted ms-2"),
                    html.Span(id=ids.TIERS_SIMULATE_MSG, className="small ms-2"),
                    dcc.Location(id=ids.TIERS_GO, refresh="callback-nav"),
                ],
                className="mt-2",
            ),
            html.Div(id=ids.TIERS_MOVERS, className="mt-3"),
        ]
    )


def _account_list(frame, columns: dict[str, str], title: str, key: str) -> html.Div:
    """A titled list of accounts: the :data:`LIST_LIMIT` largest (ARR), tiers in their colours,
    and a button opening all of them in the drill-down modal (``key``: a list of
    :data:`reporting.tables.TIER_MOVE_LISTS`)."""
    tiers = {c: tier_label for c in columns if "tier" in c}
    shown = min(len(frame), LIST_LIMIT)
    return html.Div(
        [
            html.H5(title),
            plain_table(
                frame.sort_values("arr", ascending=False).head(LIST_LIMIT),
                columns,
                {"arr": money, "score": "{:.1f}".format, **tiers},
                right=("arr", "score"),
            ),
            html.Div(
                [
                    html.Span(
                        f"The {shown:,} largest of {len(frame):,} are shown." if shown < len(frame) else "",
                        className="small text-muted me-2",
                    ),
                    dbc.Button(
                        f"List all {len(frame):,} (with download)",
                        id={"type": ids.TIERS_LIST_ALL, "list": key},
                        color="primary",
                        outline=True,
                        size="sm",
                    ),
                ],
                className="mt-1",
            ),
        ],
        className="mt-3",
    )


def _migration_section(m) -> html.Div:
    """The current × proposed matrix (accounts · ARR) and, against assigned tiers, the
    promotions and demotions it implies (without a tier column they are the list below)."""
    current = (
        "Current = the assigned tier column"
        if m.current_source == "assigned"
        else "Current = the scorecard at the default weights and thresholds (no assigned tier column)"
    )
    parts = [
        html.H5("Current × proposed tiers"),
        html.P(
            f"{current}; proposed = the scorecard at the What-if settings. "
            f"{len(m.promotions)} promotion(s), {len(m.demotions)} demotion(s).",
            className="small text-muted",
        ),
        plain_table(
            migration_table(m),
            {"current": "Current ↓ / proposed →", **{t: t for t in TIERS}},
            {"current": tier_label},
            right=TIERS,
        ),
    ]
    if m.current_source == "assigned" and len(m.moves):
        parts.append(
            _account_list(
                m.moves, MOVE_COLUMNS, f"{len(m.moves)} account(s) the proposed tiers would move", "proposed"
            )
        )
    return html.Div(parts)


@callback(
    output=[
        Output(ids.TIERS_DIST, "figure"),
        Output(ids.TIERS_HIST, "figure"),
        Output(ids.TIERS_MOVERS, "children"),
        Output(ids.TIERS_DIST_SUMMARY, "children"),
        Output(ids.TIERS_HIST_SUMMARY, "children"),
        Output(ids.TIERS_MIGRATION, "children"),
        Output(ids.TIERS_MODE, "children"),
        Output(ids.TIERS_SIMULATE, "disabled"),
        Output(ids.TIERS_SIMULATE_REASON, "children"),
    ],
    inputs=dict(settings=Input(ids.SETTINGS, "data"), _version=Input(ids.SESSION_VERSION, "data")),
)
def update_tiers(settings, _version):
    accounts, _ = state.current_data()
    analysis = analyze_session(settings)  # settings an altered request broke: the defaults
    # the default scorecard's and the current tiers depend on the data alone: kept with it
    movers = tier_movers(analysis, accounts, kept_default_tiers(accounts))
    moved = (
        _account_list(
            movers,
            MOVER_COLUMNS,
            f"{len(movers)} account(s) change tier against the default scorecard",
            "default",
        )
        if len(movers)
        else html.P("No account changes tier against the default scorecard.", className="text-muted")
    )
    # assigned tiers that differ from the scorecard are the migration section's moves
    text = takeaways(analysis)
    migration = migration_with(accounts, analysis, kept_current_tiers(accounts))
    return (
        figures.tier_distribution_figure(analysis),
        figures.score_histogram(analysis),
        moved,
        text["tier-distribution"],
        text["scores"],
        _migration_section(migration),
        scorecard_statement(analysis),
        *simulate_button_state(migration.moves),
    )


wire_chart(ids.TIERS_DIST, "tier-distribution")


OPEN_LIST_JS = """
function(clicks) {
    const trigger = dash_clientside.callback_context.triggered_id;
    if (!trigger || !(clicks || []).some(Boolean)) { return dash_clientside.no_update; }
    return {chart: "TIER_MOVES", key: trigger.list};
}
""".replace("TIER_MOVES", TIER_MOVES)
"""A list's "List all" button opens every account of it in the drill-down modal (the server
checks the key). In the browser: the buttons appearing with each redraw of the lists would
otherwise cost a request per what-if change."""
dash.clientside_callback(
    OPEN_LIST_JS,
    Output(ids.DRILL_SELECTION, "data", allow_duplicate=True),
    Input({"type": ids.TIERS_LIST_ALL, "list": ALL}, "n_clicks"),
    prevent_initial_call=True,
)

NO_MOVES = "No account changes tier: move the thresholds or weights to propose a re-tiering."


def simulate_button_state(moves) -> tuple[bool, str]:
    """(disabled, reason) of "Simulate this re-tiering": offered only when the migration matrix
    moves an account (``moves``, :attr:`portfolio.whatif.Migration.moves`); otherwise disabled
    and saying why."""
    return (True, NO_MOVES) if moves.empty else (False, "")


@callback(
    output=[Output(ids.TIERS_GO, "href"), Output(ids.TIERS_SIMULATE_MSG, "children")],
    inputs=dict(_clicks=Input(ids.TIERS_SIMULATE, "n_clicks")),
    state=dict(settings=State(ids.SETTINGS, "data")),
    prevent_initial_call=True,
)
def simulate_retiering(_clicks, settings):
    """Open the Simulator with the matrix's promotions and demotions as its scenario: each
    moved account ticked, going to its proposed tier; the baseline is today's tiers."""
    accounts, _ = state.current_data()
    settings = checked_settings(settings)
    moves = migration_with(accounts, analyze_session(settings), kept_current_tiers(accounts)).moves
    if moves.empty:
        return no_update, "The proposed tiers move no account: nothing to simulate."
    retier = simulator.retiering(moves)
    form = {**(state.simulator_state().get("form") or {}), "retier": retier}
    state.save_simulator_state(form, list(retier), settings)
    return "/simulator", ""


dash.register_page(__name__, path="/tiers", name="Tiers", order=2, layout=layout)
