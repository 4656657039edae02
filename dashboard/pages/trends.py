"""Trends: trailing-twelve-month NRR, GRR, ARR by tier and the ARR bridge at each quarter end
of a revenue history, and its revenue cohorts (all accounts, today's strategic accounts)."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import ids
from dashboard.components import graph, page_header
from dashboard.whatif import history_session
from exports.pack import TREND_CHARTS
from reporting.takeaways import cohort_takeaway, trend_takeaways

SHOWN, HIDDEN = {}, {"display": "none"}
NEEDS_HISTORY = (
    "Trends need a revenue history: one row per order or invoice line with the account, the date "
    "and the amount (a CRM or billing export), reaching at least 24 months before the last "
    "quarter end. Upload one on the Data page."
)


def layout(**_):
    return html.Div(
        [
            page_header(
                "Trends",
                "Trailing-twelve-month ARR, NRR and GRR (repeat-revenue retention for order data) "
                "at each quarter end; accounts count in "
                "the tier they had at the start of each year.",
            ),
            html.Div(id=ids.TRENDS_NOTE),
            html.Div(
                [
                    graph(
                        ids.TRENDS_RETENTION,
                        "trend-retention",
                        summary=ids.TRENDS_RETENTION_SUMMARY,
                        height=460,
                    ),
                    graph(ids.TRENDS_ARR, "trend-arr", summary=ids.TRENDS_ARR_SUMMARY, height=420),
                    graph(ids.TRENDS_BRIDGE, "trend-bridge", summary=ids.TRENDS_BRIDGE_SUMMARY, height=420),
                    html.H4("Cohorts", className="mt-4 mb-0"),
                    html.P(
                        "Accounts by the year of their first revenue, and the share of that "
                        "year's revenue each cohort keeps in every year since (expansion "
                        "counts). The first cohort also holds the accounts that started "
                        "before the history does. Today's strategic accounts are chosen for their "
                        "size now, so their cohorts grew by selection, not only by treatment.",
                        className="small text-muted",
                    ),
                    graph(ids.TRENDS_COHORTS, "trend-cohorts", summary=ids.TRENDS_COHORTS_SUMMARY),
                    graph(
                        ids.TRENDS_STRATEGIC_COHORTS,
                        "trend-strategic-cohorts",
                        summary=ids.TRENDS_STRATEGIC_COHORTS_SUMMARY,
                    ),
                ],
                id=ids.TRENDS_CHARTS,
            ),
        ]
    )


def _note(trend) -> list:
    """What the points are and whether benchmarks apply; or what data the page needs."""
    if not trend.points:
        return [
            dbc.Alert([html.Strong("No trend for this data. "), NEEDS_HISTORY], color="info"),
            html.P(f"Here: {trend.note}.", className="small text-muted"),
        ]
    last = trend.points[-1].as_of
    return [
        html.P(
            f"{len(trend.points)} quarter ends, counted back from the as-of date {last:%Y-%m-%d}; "
            "each point is the year to that date against the year before it.",
            className="small text-muted mb-1",
        ),
        html.P(trend.kind_reason, className="small text-muted"),
    ]


@callback(
    output=[
        Output(ids.TRENDS_NOTE, "children"),
        Output(ids.TRENDS_CHARTS, "style"),
        Output(ids.TRENDS_RETENTION, "figure"),
        Output(ids.TRENDS_ARR, "figure"),
        Output(ids.TRENDS_BRIDGE, "figure"),
        Output(ids.TRENDS_RETENTION_SUMMARY, "children"),
        Output(ids.TRENDS_ARR_SUMMARY, "children"),
        Output(ids.TRENDS_BRIDGE_SUMMARY, "children"),
        Output(ids.TRENDS_COHORTS, "figure"),
        Output(ids.TRENDS_STRATEGIC_COHORTS, "figure"),
        Output(ids.TRENDS_COHORTS_SUMMARY, "children"),
        Output(ids.TRENDS_STRATEGIC_COHORTS_SUMMARY, "children"),
    ],
    inputs=dict(settings=Input(ids.SETTINGS, "data"), _version=Input(ids.SESSION_VERSION, "data")),
)
def update_trends(settings, _version):
    views = history_session(settings)
    trend = views.trend
    text = trend_takeaways(trend)
    return (
        _note(trend),
        SHOWN if trend.points else HIDDEN,
        TREND_CHARTS["trend-retention"](views),
        TREND_CHARTS["trend-arr"](views),
        TREND_CHARTS["trend-bridge"](views),
        text["trend-retention"],
        text["trend-arr"],
        text["trend-bridge"],
        TREND_CHARTS["trend-cohorts"](views),
        TREND_CHARTS["trend-strategic-cohorts"](views),
        cohort_takeaway(views.cohorts),
        cohort_takeaway(views.strategic_cohorts, "strategic accounts of today"),
    )


dash.register_page(__name__, path="/trends", name="Trends", order=3.5, layout=layout)
