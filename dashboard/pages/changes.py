"""What changed: two account snapshots compared — the strategic ARR walk, the tier migration,
strategic accounts gained and lost, and the biggest movers (issue 16).

The data is a file of several snapshots (a ``snapshot_date`` column) or a revenue history (its
quarter ends, :func:`portfolio.changes.review_snapshots`); the two dates default to the last two.
Everything is computed by :mod:`portfolio.changes` and drawn by :mod:`reporting.changes`."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from dashboard import ids, state
from dashboard.components import graph, page_header, plain_table
from dashboard.whatif import changes_session
from portfolio.changes import NEEDS_SNAPSHOTS, review_snapshots, snapshot_dates
from reporting.changes import (
    ACCOUNT_HEADERS,
    account_rows,
    changes_takeaway,
    migration_heatmap,
    strategic_walk_figure,
)

RIGHT = ("arr_from", "arr_to", "change")


def layout(**_):
    return html.Div(
        [
            page_header(
                "What changed",
                "Two account snapshots compared: who entered or left each tier, and the ARR "
                "that moved with them. Tiers are the ones you run (the tier column, else the "
                "default scorecard). A revenue history gives one snapshot per quarter end, ARR = "
                "the trailing twelve months' revenue (as on the Trends page).",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [html.Label("From", htmlFor=ids.CHANGES_FROM), dcc.Dropdown(id=ids.CHANGES_FROM)]
                    ),
                    dbc.Col([html.Label("To", htmlFor=ids.CHANGES_TO), dcc.Dropdown(id=ids.CHANGES_TO)]),
                ],
                className="mb-2",
            ),
            html.Div(id=ids.CHANGES_NOTE),
            dcc.Input(id=ids.CHANGES_WALK_DATES, type="hidden"),
            dcc.Input(id=ids.CHANGES_MATRIX_DATES, type="hidden"),
            graph(ids.CHANGES_WALK, "changes-strategic-walk", summary=ids.CHANGES_WALK_SUMMARY),
            graph(ids.CHANGES_MATRIX, "changes-migration", height=480),
            html.H4("New strategic accounts", className="mt-3"),
            html.Div(id=ids.CHANGES_NEW),
            html.H4("Strategic accounts lost", className="mt-3"),
            html.Div(id=ids.CHANGES_LOST),
            html.H4("Biggest movers", className="mt-3"),
            html.Div(id=ids.CHANGES_MOVERS),
        ]
    )


@callback(
    Output(ids.CHANGES_FROM, "options"),
    Output(ids.CHANGES_FROM, "value"),
    Output(ids.CHANGES_TO, "options"),
    Output(ids.CHANGES_TO, "value"),
    Input(ids.SESSION_VERSION, "data"),
)
def date_choices(_version):
    """The session's snapshot dates (a history's quarter ends); the last two chosen (none
    without snapshots)."""
    snapshots = review_snapshots(state.current_data()[0])
    if snapshots is None:
        return [], None, [], None
    dates = [f"{d:%Y-%m-%d}" for d in snapshot_dates(snapshots)]
    return dates, dates[-2], dates, dates[-1]


@callback(
    Output(ids.CHANGES_NOTE, "children"),
    Output(ids.CHANGES_WALK, "figure"),
    Output(ids.CHANGES_WALK_SUMMARY, "children"),
    Output(ids.CHANGES_MATRIX, "figure"),
    Output(ids.CHANGES_NEW, "children"),
    Output(ids.CHANGES_LOST, "children"),
    Output(ids.CHANGES_MOVERS, "children"),
    Output(ids.CHANGES_WALK_DATES, "value"),
    Output(ids.CHANGES_MATRIX_DATES, "value"),
    Input(ids.CHANGES_FROM, "value"),
    Input(ids.CHANGES_TO, "value"),
)
def update_changes(start, end):
    """Compare the chosen snapshots; a message (and empty charts) when there are none or the
    dates are not in order. The chosen pair also goes to the charts' downloads and tables."""
    view = f"{start or ''}|{end or ''}"
    found, note = changes_session(view)
    if found is None:
        empty = html.P("—", className="text-muted")
        message = note + (" Upload one on the Data page." if note == NEEDS_SNAPSHOTS else "")
        figures = (strategic_walk_figure(None, note), "", migration_heatmap(None, note))
        return (dbc.Alert(message, color="info"), *figures, empty, empty, empty, view, view)
    lost_headers = {**ACCOUNT_HEADERS, "reason": "Why"}
    return (
        [],
        strategic_walk_figure(found),
        changes_takeaway(found),
        migration_heatmap(found),
        _table(found.new_strategic, ACCOUNT_HEADERS, "No account became Strategic."),
        _table(found.lost_strategic, lost_headers, "No strategic account was lost."),
        _table(found.movers(), ACCOUNT_HEADERS, "No account's ARR changed."),
        view,
        view,
    )


def _table(frame, headers, none: str):
    if frame.empty:
        return html.P(none, className="text-muted")
    return plain_table(account_rows(frame), headers, right=RIGHT, limit=20)


dash.register_page(__name__, path="/changes", name="What changed", order=3.7, layout=layout)
