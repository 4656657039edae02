"""Downloads for board decks: one chart (PNG/SVG/PDF) or the board pack (PPTX/PDF).

Rendered server-side by :mod:`exports` from the same figure functions as the pages, for this
session's data, what-if settings and last simulation. Without Chrome/Chromium on the server the
message says so and the charts' camera buttons still work.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import flask
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids, state
from dashboard.whatif import (
    analyze_session,
    changes_session,
    checked_settings,
    history_session,
    whole_book_session,
)
from exports.files import pack_bytes
from exports.pack import (
    ANALYSIS_CHARTS,
    SIMULATION_CHARTS,
    TREND_CHARTS,
    Branding,
    build_pack,
    footnote,
    recommended_move,
    simulation_charts,
)
from exports.render import FORMATS, ExportUnavailable, presentation, render
from portfolio.datafacts import facts_of
from portfolio.formatting import current_currency
from portfolio.schema import TIERS
from portfolio.segments import FILTER_COLUMNS, describe_filter, read_filter
from reporting.changes import CHANGES_CHARTS

CHART_VIEWS = {"arr-bridge": ("All", *TIERS), "retention-by-tier": ("tier", *FILTER_COLUMNS)}
"""The views a chart's picker offers (the Retention page's tier), checked before drawing."""


def sidebar_buttons() -> html.Div:
    return html.Div(
        [
            html.H6("Board pack", className="text-uppercase text-muted mt-4"),
            dbc.ButtonGroup(
                [
                    dbc.Button("PowerPoint", id=ids.PACK_PPTX, color="outline-primary", size="sm"),
                    dbc.Button("PDF", id=ids.PACK_PDF, color="outline-primary", size="sm"),
                ]
            ),
            dcc.Loading(html.Div(id=ids.EXPORT_MESSAGE, className="small mt-1"), type="dot"),
            dcc.Download(id=ids.EXPORT_DOWNLOAD),
        ]
    )


def _source(settings: dict | None) -> tuple[str, str | None, str]:
    """This session's data source — with the segment filter when one is on, so every footnote
    and the title slide say which accounts the figures cover — its as-of date (None when the
    data has none) and the currency this request prints amounts in."""
    accounts, meta = state.current_data()
    active = describe_filter(read_filter(checked_settings(settings).get("filter")))
    source = meta["source"] + (f" — filtered to {active}" if active else "")
    return source, facts_of(accounts).to_dict()["as_of"], current_currency()


def _branding() -> Branding:
    """The deployment's company name and logo for the pack's cover (none outside an app)."""
    settings = flask.current_app.extensions.get("strata_settings") if flask.has_app_context() else None
    return settings.branding() if settings is not None else Branding()


def _problem(text: str) -> html.Span:
    return html.Span(text, className="text-danger")


@dash.callback(
    output=[Output(ids.EXPORT_DOWNLOAD, "data"), Output(ids.EXPORT_MESSAGE, "children")],
    inputs=dict(
        _clicks=Input({"type": ids.CHART_EXPORT, "chart": ALL, "format": ALL, "graph": ALL}, "n_clicks")
    ),
    state=dict(
        settings=State(ids.SETTINGS, "data"),
        option_values=State({"type": ids.CHART_OPTION, "chart": ALL}, "value"),
        option_ids=State({"type": ids.CHART_OPTION, "chart": ALL}, "id"),
    ),
    prevent_initial_call=True,
)
def export_chart(_clicks, settings, option_values, option_ids):
    """One chart, restyled for slides, as the format picked from its Download menu, showing
    what the page shows (e.g. the ARR bridge of the tier picked on the Retention page)."""
    trigger = dash.ctx.triggered_id
    if not trigger or not dash.ctx.triggered[0]["value"]:
        raise PreventUpdate  # a menu appearing with a new page, not a click
    name, fmt = trigger.get("chart"), trigger.get("format")
    known = (ANALYSIS_CHARTS, SIMULATION_CHARTS, TREND_CHARTS, CHANGES_CHARTS)
    if not any(name in charts for charts in known):
        return no_update, _problem(f"There is no chart {str(name)[:40]!r} to download.")
    if fmt not in FORMATS:
        return no_update, _problem(f"Charts download as {', '.join(FORMATS)}, not {str(fmt)[:20]!r}.")
    if name in SIMULATION_CHARTS:
        report = state.last_report()
        if report is None or name not in simulation_charts(report):
            return no_update, _problem("Run a scenario on the Simulator page first.")
        fig = SIMULATION_CHARTS[name](report)
    elif name in TREND_CHARTS:
        fig = TREND_CHARTS[name](history_session(settings))
    elif name in CHANGES_CHARTS:
        options = {i["chart"]: v for i, v in zip(option_ids or [], option_values or [], strict=False)}
        fig = CHANGES_CHARTS[name](*changes_session(options.get(name)))
    else:
        options = {i["chart"]: v for i, v in zip(option_ids or [], option_values or [], strict=False)}
        view = [options[name]] if options.get(name) else []
        if view and view[0] not in CHART_VIEWS.get(name, ()):
            return no_update, _problem(f"The {name} chart has no view {str(view[0])[:40]!r}.")
        fig = ANALYSIS_CHARTS[name](analyze_session(settings), *view)
    try:
        data = render(presentation(fig, footnote(*_source(settings))), fmt)
    except ExportUnavailable as exc:
        return no_update, _problem(str(exc))
    return dcc.send_bytes(data, f"strata-{name}.{fmt}"), ""


def _board_pack(settings: dict | None, fmt: str) -> tuple:
    """The board pack for this session's data, settings and last simulation, as the outputs
    (download, message) of the buttons' callbacks; without a browser, the message says so."""
    source, as_of, _ = _source(settings)
    _, meta = state.current_data()
    analysis = analyze_session(settings)
    pack = build_pack(
        analysis,
        source,
        as_of,
        state.last_report(),
        settings,
        branding=_branding(),
        data_notes=[str(n) for n in meta.get("notes") or []],
        recommendation=recommended_move(analysis, whole_book_session(settings, analysis)),
    )
    try:
        data = pack_bytes(pack, fmt)
    except ExportUnavailable as exc:
        return no_update, _problem(str(exc))
    return dcc.send_bytes(data, f"strata-board-pack.{fmt}"), ""


def _pack_outputs() -> list[Output]:
    return [
        Output(ids.EXPORT_DOWNLOAD, "data", allow_duplicate=True),
        Output(ids.EXPORT_MESSAGE, "children", allow_duplicate=True),
    ]


@dash.callback(
    output=_pack_outputs(),
    inputs=dict(_clicks=Input(ids.PACK_PPTX, "n_clicks")),
    state=dict(settings=State(ids.SETTINGS, "data")),
    prevent_initial_call=True,
)
def export_pack_pptx(_clicks, settings):
    """The board pack as PowerPoint."""
    return _board_pack(settings, "pptx")


@dash.callback(
    output=_pack_outputs(),
    inputs=dict(_clicks=Input(ids.PACK_PDF, "n_clicks")),
    state=dict(settings=State(ids.SETTINGS, "data")),
    prevent_initial_call=True,
)
def export_pack_pdf(_clicks, settings):
    """The board pack as PDF."""
    return _board_pack(settings, "pdf")
