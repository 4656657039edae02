"""Strata's Dash UI. :func:`create_app` builds the app; pages live in :mod:`dashboard.pages`."""

from __future__ import annotations

import importlib
from dataclasses import replace

import dash
import dash_bootstrap_components as dbc
import flask
from dash import ALL, Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import access, background, chart_tables, drilldown, exporting, headers, ids, state  # noqa: F401 (callbacks)
from dashboard.components import named
from dashboard.whatif import checked_settings
from portfolio.currency import CURRENCY_SYMBOLS
from portfolio.datafacts import describe
from portfolio.resources import assets_dir
from portfolio.segments import FILTER_COLUMNS, FILTER_LABELS, filter_note, filter_options
from portfolio.tiers import DEFAULT_WEIGHTS
from portfolio.whatif import (
    DEFAULT_SETTINGS,
    facts_with,
    filtered_accounts,
    finite_number,
    read_settings,
    weights_note,
)
from storage.scenarios import ScenarioStore
from storage.session_store import check_redis, derived_key, private_directory, secret_key
from storage.settings import REDIS_ENV, SECRET_ENV, ConfigurationError, Settings

PAGES = (
    "overview",
    "concentration",
    "tiers",
    "retention",
    "trends",
    "changes",
    "capacity",
    "simulator",
    "decisions",
    "data",
)
WEIGHT_LABELS = {
    "revenue": "Revenue",
    "expansion_potential": "Expansion potential",
    "strategic_fit": "Strategic fit",
    "market_influence": "Market influence",
    "relationship_strength": "Relationship strength",
    "product_adoption": "Product adoption",
    "partnership_potential": "Partnership potential",
}
CAPACITY_RANGES = {"Strategic": (3, 20), "Key": (10, 50), "Standard": (25, 150)}


def _filter_controls(settings: dict, options: dict[str, list[str]]) -> html.Div:
    """One multi-select per attribute of :data:`portfolio.segments.FILTER_COLUMNS`, hidden when
    the data has no such column (:func:`follow_data` refills them for new data)."""
    return html.Div(
        [
            html.Label("Segment filter", className="form-label small mt-2 mb-0"),
            html.Div(no_filter_columns_note(options), id=ids.FILTER_NONE, className="small text-muted mb-2"),
            *[
                html.Div(
                    named(
                        f"Filter by {FILTER_LABELS[column].lower()}",
                        dcc.Dropdown(
                            id={"type": ids.FILTER, "column": column},
                            options=options.get(column, []),
                            value=settings["filter"].get(column, []),
                            multi=True,
                            placeholder=f"{FILTER_LABELS[column]}: all",
                            className="small",
                        ),
                    ),
                    id={"type": ids.FILTER_BOX, "column": column},
                    style=_shown(column in options),
                    className="mb-1",
                )
                for column in FILTER_COLUMNS
            ],
        ]
    )


def thresholds_label(thresholds: object) -> str:
    """The threshold slider's values under its label, e.g. "Key ≥ 80 · Strategic ≥ 95" (score
    0–100; "Key, Strategic" for values an altered request broke)."""
    try:
        key, strategic = (round(float(v)) for v in thresholds)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return "Key, Strategic"
    return f"Key ≥ {key} · Strategic ≥ {strategic}"


@dash.callback(Output(ids.THRESHOLDS_LABEL, "children"), Input(ids.THRESHOLDS, "value"))
def show_thresholds(thresholds):
    """The slider's values in its label, readable whatever they are."""
    return thresholds_label(thresholds)


def no_filter_columns_note(options: dict[str, list[str]]) -> str:
    """What the "Segment filter" heading stands over when the data has no column to filter by
    (``options`` as :func:`portfolio.segments.filter_options` gives them); "" otherwise."""
    if options:
        return ""
    names = [FILTER_LABELS[c].lower() if c != "sam" else "SAM" for c in FILTER_COLUMNS]
    return f"None: the file has no {', '.join(names[:-1])} or {names[-1]} column."


def _shown(visible: bool) -> dict:
    return {} if visible else {"display": "none"}


def _whatif_panel(settings: dict, options: dict[str, list[str]]) -> html.Div:
    caps = settings["capacity"]
    return html.Div(
        [
            html.H6("What-if", className="text-uppercase text-muted mt-4"),
            _filter_controls(settings, options),
            html.Label("Tier thresholds (score)", className="form-label small mb-0"),
            html.Div(thresholds_label(settings["thresholds"]), id=ids.THRESHOLDS_LABEL, className="small"),
            named(
                "Key tier threshold (score) | Strategic tier threshold (score)",
                dcc.RangeSlider(
                    id=ids.THRESHOLDS,
                    min=0,
                    max=100,
                    step=1,
                    value=settings["thresholds"],
                    marks={0: "0", 50: "50", 70: "70", 100: "100"},
                    pushable=1,
                    # values in the label above: handle labels always shown overlap the tick
                    # labels and each other (80/95 for a revenue-only file)
                    tooltip={"placement": "bottom", "always_visible": False},
                ),
            ),
            html.Label("SAM capacity (accounts per SAM)", className="form-label small mt-4"),
            *[
                html.Div(
                    [
                        html.Span(tier, className="small"),
                        named(
                            f"SAM capacity, {tier} (accounts per SAM)",
                            dcc.Slider(
                                id={"type": ids.CAPACITY, "tier": tier},
                                min=lo,
                                max=hi,
                                step=1,
                                value=caps[tier],
                                marks=None,
                                tooltip={"placement": "right", "always_visible": True},
                            ),
                        ),
                    ]
                )
                for tier, (lo, hi) in CAPACITY_RANGES.items()
            ],
            html.Label("Available SAM headcount", htmlFor=ids.HEADCOUNT, className="form-label small mt-2"),
            dbc.Input(
                id=ids.HEADCOUNT,
                type="number",
                min=0,
                step=1,
                value=settings["headcount"],
                placeholder="from the data",
                size="sm",
            ),
            html.Details(
                [
                    html.Summary("Scorecard weights (points, total 100)", className="small mt-3"),
                    *[
                        named(
                            f"{WEIGHT_LABELS[dim]} weight (points)",
                            dbc.InputGroup(
                                [
                                    dbc.InputGroupText(WEIGHT_LABELS[dim], className="small w-75"),
                                    dbc.Input(
                                        id={"type": ids.WEIGHT, "dim": dim},
                                        type="number",
                                        min=0,
                                        max=100,
                                        value=settings["weights"].get(dim, 0),
                                        size="sm",
                                    ),
                                ],
                                size="sm",
                                className="mb-1",
                            ),
                        )
                        for dim in DEFAULT_WEIGHTS
                    ],
                    html.Div(
                        weights_note(settings["weights"]), id=ids.WEIGHTS_NOTE, className="small text-muted"
                    ),
                    dbc.Button(
                        "Reset weights", id=ids.WEIGHTS_RESET, color="link", size="sm", className="p-0"
                    ),
                    html.Label(
                        "Revenue points from ARR bands (MIN_ARR:POINTS, …; empty: the ARR percentile)",
                        htmlFor=ids.REVENUE_BANDS,
                        className="form-label small mt-2",
                    ),
                    dbc.Input(
                        id=ids.REVENUE_BANDS,
                        value=settings["revenue_bands"] or "",
                        type="text",
                        placeholder="850000:10,250000:6,45000:2",
                        size="sm",
                        debounce=True,
                    ),
                ]
            ),
            html.Div(id=ids.WHATIF_ERROR, className="text-danger small mt-1"),
        ]
    )


def _currency_control(settings: dict) -> html.Div:
    """The currency amounts are shown in: as the data says (detected), or a chosen ISO code
    (relabels, never converts); kept with the session's data like the other settings."""
    options = [{"label": "As in the data", "value": "auto"}]
    options += [
        {"label": f"{code} ({symbol.strip()})", "value": code} for code, symbol in CURRENCY_SYMBOLS.items()
    ]
    return html.Div(
        [
            html.Label("Currency", className="form-label small mt-2 mb-0"),
            named(
                "Currency of the amounts",
                dcc.Dropdown(
                    id=ids.CURRENCY,
                    options=options,
                    value=settings.get("currency") or "auto",
                    clearable=False,
                ),
            ),
        ]
    )


def _sidebar(settings: dict, options: dict[str, list[str]]) -> html.Div:
    links = [
        dbc.NavLink(page["name"], href=page["relative_path"], active="exact")
        for page in dash.page_registry.values()
    ]
    return html.Div(
        [
            html.H4("Strata", className="fw-bold mb-0"),
            html.Div("Strategic-account portfolio", className="text-muted small mb-3"),
            dbc.Nav(links, vertical=True, pills=True),
            html.Div(id=ids.DATA_SOURCE, className="small text-muted mt-3"),
            _currency_control(settings),
            _whatif_panel(settings, options),
            exporting.sidebar_buttons(),
        ],
        className="sidebar",
    )


def _users(settings: Settings) -> dict[str, str] | None:
    try:
        return access.configured_users(settings)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read the users file: {exc}") from None


def checked_configuration(
    settings: Settings | None = None, users: dict[str, str] | None = None, **overrides
) -> tuple[Settings, bytes, dict[str, str] | None]:
    """The deployment's settings (default: read from the environment) with ``overrides``, the
    key that signs cookies and stored values, and the users, checked: ConfigurationError says
    what cannot work (a Redis that does not answer or asks no password, no shared secret key
    beside Redis, a cache directory others may enter, a bad users file). gunicorn's master runs
    it before any worker starts (``gunicorn.conf.py``)."""
    settings = replace(settings or Settings.from_env(), **overrides)
    if settings.redis_url:
        check_redis(settings.redis_url, settings.allow_insecure_redis)
        if not settings.secret_key:  # every machine must sign and verify with the same key
            raise ConfigurationError(
                f"{REDIS_ENV} is set: set {SECRET_ENV} too, the same on every machine "
                "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )
    else:
        private_directory(settings.cache_dir)
    secret = secret_key(settings.secret_key, settings.cache_dir)
    return settings, secret, users if users is not None else _users(settings)


def create_app(settings: Settings | None = None, users: dict[str, str] | None = None, **overrides) -> Dash:
    """Build the Dash app (pages, global what-if controls, per-session data store, scenarios).

    ``settings``: where data, runs and scenarios live and who may sign in (default: read once
    from the environment, see :class:`storage.settings.Settings`); ``overrides`` replace single
    fields (``cache_dir=…``, ``redis_url=…``, ``database_url=…``). ``users``: name → password
    hash for basic auth (default: the settings' users file; without users only loopback
    clients are served, see :mod:`dashboard.access`). Raises :class:`ConfigurationError`
    (:func:`checked_configuration`).
    """
    settings, secret, users = checked_configuration(settings, users, **overrides)
    cache_dir, redis_url = settings.cache_dir, settings.redis_url
    manager = background.manager(cache_dir, redis_url, settings.max_runs)
    app = headers.QuietDash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(assets_dir()),
        suppress_callback_exceptions=True,
        title="Strata — portfolio review",
        background_callback_manager=manager,
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # WCAG 3.1.1
    for page in PAGES:
        importlib.import_module(f"dashboard.pages.{page}")
    # Dash signs its background handles with the server's key instead of keeping one in the
    # run store (diskcache or Redis)
    app.server.secret_key = derived_key(secret, "dash-handles").hex()
    state.install(app.server, redis_url or cache_dir, secret, settings)
    if redis_url:
        app.server.extensions["strata_celery"] = manager.handle  # `celery -A app:celery_app`
    app.server.extensions["strata_settings"] = settings
    access.install(app, users, settings)
    app.server.extensions["strata_scenarios"] = ScenarioStore(settings.database_url)
    app.layout = _layout
    headers.install(app)
    return app


def _session_settings() -> tuple[dict, dict[str, list[str]]]:
    """This session's what-if settings (kept with its data, :func:`state.current_settings`) and
    the filter's choices; the defaults and the demo outside a request (Dash checking the layout)."""
    if not flask.has_request_context():
        return DEFAULT_SETTINGS, filter_options(state.demo_accounts())
    return state.current_settings(), filter_options(state.current_data()[0])


def _layout() -> html.Div:
    """The app shell, its controls showing the settings kept with the session's data: a reload or
    a second tab shows the same tiers."""
    settings, options = _session_settings()
    return html.Div(
        [
            dcc.Store(id=ids.SETTINGS, data=settings),
            dcc.Store(id=ids.SESSION_VERSION, data=0),
            drilldown.modal(),  # the accounts behind a bar, on every page
            html.A(
                "Skip to main content",
                href=f"#{ids.MAIN}",
                className="skip-link visually-hidden-focusable",
            ),
            dbc.Row(
                [
                    dbc.Col(_sidebar(settings, options), width=12, lg=3, xl=2),
                    dbc.Col(
                        html.Main(
                            [
                                html.Div(id=ids.DATA_FACTS, className="small text-muted mb-2"),
                                html.Div(id=ids.FILTER_NOTE, className="small text-muted"),
                                dash.page_container,
                            ],
                            id=ids.MAIN,
                            tabIndex="-1",
                        ),
                        width=12,
                        lg=9,
                        xl=10,
                        className="main p-4",
                    ),
                ],
                className="g-0",
            ),
        ]
    )


@dash.callback(
    output=[
        Output(ids.SETTINGS, "data"),
        Output(ids.WHATIF_ERROR, "children"),
        Output({"type": ids.WEIGHT, "dim": ALL}, "value"),
        Output(ids.WEIGHTS_NOTE, "children"),
    ],
    inputs=dict(
        thresholds=Input(ids.THRESHOLDS, "value"),
        weights=Input({"type": ids.WEIGHT, "dim": ALL}, "value"),
        capacities=Input({"type": ids.CAPACITY, "tier": ALL}, "value"),
        headcount=Input(ids.HEADCOUNT, "value"),
        revenue_bands=Input(ids.REVENUE_BANDS, "value"),
        currency=Input(ids.CURRENCY, "value"),
        filters=Input({"type": ids.FILTER, "column": ALL}, "value"),
    ),
    state=dict(
        weight_ids=State({"type": ids.WEIGHT, "dim": ALL}, "id"),
        capacity_ids=State({"type": ids.CAPACITY, "tier": ALL}, "id"),
        filter_ids=State({"type": ids.FILTER, "column": ALL}, "id"),
        previous=State(ids.SETTINGS, "data"),
    ),
    prevent_initial_call=True,
)
def update_settings(
    thresholds,
    weights,
    capacities,
    headcount,
    weight_ids,
    capacity_ids,
    previous,
    revenue_bands=None,
    currency=None,
    filters=None,
    filter_ids=None,
):
    """Collect the what-if controls into the settings store and keep them server-side with the
    session's data (:func:`state.save_settings`), and say what the weights total.
    A segment filter that leaves no accounts gets a message and changes nothing.
    Invalid weights (not numbers, negative, all zero) put the last valid ones back in the boxes
    with the error, so the boxes never disagree with the charts; other invalid values keep the
    old settings and say what is wrong (:func:`portfolio.whatif.read_settings`). Control ids
    or values an altered request broke (no ``dim``/``tier``, lists of other lengths) get a
    message and change nothing."""
    if not (
        _controls_match(weight_ids, weights, "dim") and _controls_match(capacity_ids, capacities, "tier")
    ):
        return no_update, BROKEN_CONTROLS, no_update, no_update
    dims = [i["dim"] for i in weight_ids]
    previous = previous if isinstance(previous, dict) else {}  # the settings store, as sent
    last = {
        **DEFAULT_WEIGHTS,
        **(previous.get("weights") if isinstance(previous.get("weights"), dict) else {}),
    }
    restore = [last[d] for d in dims], weights_note(last)
    try:
        entered = {
            d: 0.0 if w in (None, "") else finite_number(w, "a weight")
            for d, w in zip(dims, weights, strict=True)
        }
    except ValueError as exc:
        return no_update, f"{_sentence(exc)} The last valid weights are back.", *restore
    if any(w < 0 for w in entered.values()) or sum(entered.values()) <= 0:
        return (
            no_update,
            "Weights must be non-negative and not all zero: the last valid weights are back.",
            *restore,
        )
    try:
        settings = read_settings(
            {
                "thresholds": thresholds,
                "weights": entered,
                "capacity": {i["tier"]: c for i, c in zip(capacity_ids, capacities, strict=True)},
                "headcount": headcount,
                "tier_basis": previous.get("tier_basis", "assigned"),  # set on the Retention page
                "convention": previous.get("convention", "cohort"),  # … and so is this
                "revenue_bands": (revenue_bands or "").strip() or None,
                "currency": None if currency in (None, "auto") else currency,
                "data_kind": previous.get("data_kind"),  # set on the Data page
                "filter": _entered_filter(filter_ids, filters),
            }
        )
        if settings["filter"]:  # it must leave some accounts (data read only when a filter is on)
            filtered_accounts(state.current_data()[0], settings)
    except ValueError as exc:
        return no_update, _sentence(exc), [no_update] * len(dims), no_update
    state.save_settings(settings)
    return settings, "", [no_update] * len(dims), weights_note(entered)


def _entered_filter(filter_ids: object, values: object) -> dict:
    """The filter multi-selects as ``{column: [values]}`` (empty selections left out); controls
    an altered request broke raise ValueError (:func:`portfolio.segments.read_filter`)."""
    if filter_ids is None and values is None:
        return {}
    if not _controls_match(filter_ids, values, "column"):
        raise ValueError("the segment filter sent something this page cannot read; reload the page")
    return {i["column"]: v for i, v in zip(filter_ids, values, strict=True) if v}


BROKEN_CONTROLS = "The what-if controls sent something this page cannot read; reload the page."


def _controls_match(control_ids: object, values: object, key: str) -> bool:
    """True when ``control_ids`` is a list of ids each naming its ``key`` (text), one per value."""
    return (
        isinstance(control_ids, list)
        and isinstance(values, list)
        and len(control_ids) == len(values)
        and all(isinstance(i, dict) and isinstance(i.get(key), str) for i in control_ids)
    )


def _sentence(exc: Exception) -> str:
    """An error message as a sentence: capitalised, with a full stop."""
    return f"{str(exc)[:1].upper()}{str(exc)[1:]}."


@dash.callback(
    Output({"type": ids.WEIGHT, "dim": ALL}, "value", allow_duplicate=True),
    Input(ids.WEIGHTS_RESET, "n_clicks"),
    State({"type": ids.WEIGHT, "dim": ALL}, "id"),
    prevent_initial_call=True,
)
def reset_weights(_clicks, weight_ids):
    """Put the default weights back in the boxes (the settings follow)."""
    return [DEFAULT_WEIGHTS[i["dim"]] for i in weight_ids]


@dash.callback(
    Output(ids.DATA_FACTS, "children"),
    Input(ids.SESSION_VERSION, "data"),
    Input(ids.SETTINGS, "data"),
)
def show_facts(_version, settings):
    """Above every page: the data's as-of date, currency and kind (as chosen in the settings)."""
    accounts, meta = state.current_data()
    return f"{meta['source']} · " + describe(facts_with(accounts, checked_settings(settings)), short=True)


@dash.callback(
    output=[
        Output(ids.SETTINGS, "data", allow_duplicate=True),
        Output(ids.THRESHOLDS, "value"),
        Output({"type": ids.WEIGHT, "dim": ALL}, "value", allow_duplicate=True),
        Output({"type": ids.CAPACITY, "tier": ALL}, "value"),
        Output(ids.HEADCOUNT, "value"),
        Output(ids.REVENUE_BANDS, "value"),
        Output({"type": ids.FILTER, "column": ALL}, "value"),
        Output({"type": ids.FILTER, "column": ALL}, "options"),
        Output({"type": ids.FILTER_BOX, "column": ALL}, "style"),
        Output(ids.CURRENCY, "value"),
    ],
    inputs=dict(_version=Input(ids.SESSION_VERSION, "data")),
    state=dict(
        weight_ids=State({"type": ids.WEIGHT, "dim": ALL}, "id"),
        capacity_ids=State({"type": ids.CAPACITY, "tier": ALL}, "id"),
        filter_ids=State({"type": ids.FILTER, "column": ALL}, "id"),
    ),
    prevent_initial_call=True,
)
def follow_data(_version, weight_ids, capacity_ids, filter_ids):
    """New data (an upload, a mapping applied, back to the demo): the settings and every what-if
    control take the settings kept with it — for new data its defaults (80/95 cut-offs for a
    revenue-only file, no filter; see :func:`state.current_settings`)."""
    if not all(_controls_match(i, i, k) for i, k in ((weight_ids, "dim"), (capacity_ids, "tier"))):
        raise PreventUpdate  # an altered request
    if not _controls_match(filter_ids, filter_ids, "column"):
        raise PreventUpdate
    settings, options = _session_settings()
    columns = [i["column"] for i in filter_ids]
    return (
        settings,
        settings["thresholds"],
        [settings["weights"].get(i["dim"], 0) for i in weight_ids],
        [settings["capacity"].get(i["tier"]) for i in capacity_ids],
        settings["headcount"],
        settings["revenue_bands"] or "",
        [settings["filter"].get(c, []) for c in columns],
        [options.get(c, []) for c in columns],
        [_shown(c in options) for c in columns],
        settings.get("currency") or "auto",
    )


@dash.callback(
    Output(ids.FILTER_NOTE, "children"),
    Input(ids.SETTINGS, "data"),
    Input(ids.SESSION_VERSION, "data"),
    State(ids.FILTER_NOTE, "children"),
)
def show_filter(settings, _version, shown_now=None):
    """The line above every page saying which accounts its figures cover ("" without a filter);
    unchanged, it is not sent again (the Concentration page's curves follow it)."""
    try:
        flt = read_settings(settings if isinstance(settings, dict) else None)["filter"]
    except ValueError:
        flt = {}
    note = ""
    if flt:  # the data is read only when a filter is on
        accounts, _ = state.current_data()
        try:
            note = filter_note(flt, len(filtered_accounts(accounts, {"filter": flt})), len(accounts))
        except ValueError:
            note = ""
    if note == shown_now and shown_now is not None:
        raise PreventUpdate
    return note


@dash.callback(Output(ids.FILTER_NONE, "children"), Input(ids.SESSION_VERSION, "data"))
def show_no_filter_columns(_version):
    """Under the "Segment filter" heading: say so when the loaded data has nothing to filter by."""
    return no_filter_columns_note(filter_options(state.current_data()[0]))


@dash.callback(Output(ids.DATA_SOURCE, "children"), Input(ids.SESSION_VERSION, "data"))
def show_source(_version):
    _, meta = state.current_data()
    return f"Data: {meta['source']}" + (f" (as of {meta['as_of']})" if meta.get("as_of") else "")
