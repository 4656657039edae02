"""Data: upload (CSV/XLSX), column mapping, validation report, account grid, downloads."""

import base64
import binascii
import functools

import dash
import dash_bootstrap_components as dbc
import flask
from dash import ALL, Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids, state
from dashboard.components import named, page_header
from dashboard.drilldown import PURGE_JS, column_defs, infinite_grid, rows_response
from dashboard.whatif import analyze_session, keep_switch
from portfolio.account_list import account_table, to_csv_bytes, to_xlsx_bytes
from portfolio.action_lists import ACTION_LISTS
from portfolio.datafacts import DATA_KINDS
from portfolio.ingest import IngestReport, load_bytes
from portfolio.ingest.datadir import data_files, load_data_file
from portfolio.schema import HISTORY_COLUMNS, SNAPSHOT_COLUMNS

MAP_CHOICES = sorted(set(SNAPSHOT_COLUMNS) | set(HISTORY_COLUMNS))


def layout(**_):
    return html.Div(
        [
            page_header(
                "Data",
                "Upload an account snapshot or a revenue history (CSV or XLSX). "
                "A rejected file changes nothing already loaded.",
            ),
            _facts_form(),
            named(
                "Upload an account file (CSV or XLSX)",
                dcc.Upload(
                    id=ids.DATA_UPLOAD,
                    children=html.Div(["Drag and drop or ", html.A("choose a file")]),
                    className="upload-zone",
                    multiple=False,
                ),
            ),
            html.Div(
                [
                    html.Div(
                        "Or load a file from the server's data directory: any size (CSV or Parquet "
                        "revenue histories of millions of lines)",
                        className="text-muted mb-1",
                    ),
                    named(
                        "File in the server's data directory",
                        dcc.Dropdown(id=ids.DATA_SERVER_FILE, placeholder="choose a file"),
                    ),
                    dbc.Button("Load", id=ids.DATA_SERVER_LOAD, color="primary", className="mt-2"),
                ],
                id=ids.DATA_SERVER,
                className="mt-3",
                style={"display": "none"},
            ),
            html.Div(id=ids.DATA_REPORT, className="mt-3"),
            html.Div(id=ids.DATA_MAPPING),
            dbc.Button(
                "Apply mapping", id=ids.DATA_APPLY_MAPPING, color="primary", style={"display": "none"}
            ),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Button("Download CSV", id=ids.DATA_DOWNLOAD_CSV, color="primary", outline=True),
                        width="auto",
                    ),
                    dbc.Col(
                        dbc.Button("Download XLSX", id=ids.DATA_DOWNLOAD_XLSX, color="primary", outline=True),
                        width="auto",
                    ),
                    dbc.Col(
                        dbc.Button("Back to demo data", id=ids.DATA_RESET, color="secondary", outline=True),
                        width="auto",
                    ),
                ],
                className="my-3 g-2",
            ),
            dcc.Download(id=ids.DATA_DOWNLOAD),
            html.H5("Action lists"),
            html.Div(
                [
                    dbc.Button(
                        title, id={"type": ids.DATA_ACTION, "list": key}, color="secondary", outline=True
                    )
                    for key, title in ACTION_LISTS.items()
                ],
                className="d-flex flex-wrap gap-2 mb-3",
            ),
            html.H5("All accounts"),
            dbc.Input(
                id=ids.DATA_SEARCH,
                type="search",
                placeholder="Search name, id, tier, SAM, segment…",
                debounce=True,
                className="mb-2",
                style={"maxWidth": "320px"},
            ),
            html.P(id=ids.DATA_COUNT, className="small text-muted mb-1", **{"aria-live": "polite"}),
            infinite_grid(ids.DATA_GRID, "Data"),
        ]
    )


def _facts_form() -> dbc.Row:
    """The upload form's as-of date and the data-kind switch (issue 14)."""
    as_of = [
        html.Label("As-of date of the file (optional)", htmlFor=ids.DATA_AS_OF, className="small"),
        dbc.Input(id=ids.DATA_AS_OF, type="text", placeholder="YYYY-MM-DD"),
        html.Div(
            "Enter before uploading. A snapshot is otherwise dated by its as_of column (else not "
            "dated); a revenue history by its last date.",
            className="small text-muted",
        ),
    ]
    kind = [
        html.Label("Kind of data", htmlFor=ids.DATA_KIND, className="small"),
        dbc.RadioItems(
            id=ids.DATA_KIND,
            options=[
                {"label": "As detected", "value": "detected"},
                {"label": "Subscription", "value": "subscription"},
                {"label": "Transactional (orders)", "value": "transactional"},
            ],
            value=_kept_kind(),
            inline=True,
        ),
        html.Div(id=ids.DATA_KIND_NOTE, className="small text-muted"),
    ]
    return dbc.Row([dbc.Col(as_of, md=5), dbc.Col(kind, md=7)], className="mb-3")


def report_view(report: IngestReport) -> dbc.Alert:
    """The validation report: counts per problem and the first problems with row and column."""
    total = sum(report.problem_counts.values())
    rows = [
        html.Tr(
            [
                html.Td(p.row if p.row is not None else ""),
                html.Td(p.column or ""),
                html.Td(p.value if p.value is not None else ""),
                html.Td(p.reason),
            ]
        )
        for p in report.problems[:50]
    ]
    return dbc.Alert(
        [
            html.H5(
                f"{report.source} was rejected — {total:,} problem(s). The data already loaded is unchanged.",
                className="alert-heading",
            ),
            html.Ul([html.Li(f"{n:,} × {reason}") for reason, n in report.problem_counts.items()]),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr([html.Th("Row"), html.Th("Column"), html.Th("Value"), html.Th("Problem")])
                    ),
                    html.Tbody(rows),
                ],
                size="sm",
                className="mb-0",
            )
            if rows
            else None,
        ],
        color="danger",
        id=ids.DATA_ERROR,
    )


def mapping_view(report: IngestReport) -> dbc.Card:
    """Column-mapping step for headers that could not be matched."""
    fields = [
        dbc.Row(
            [
                dbc.Col(html.Code(header), width=4),
                dbc.Col(
                    named(
                        f"What the column {header} holds",
                        dcc.Dropdown(
                            id={"type": ids.DATA_MAP_FIELD, "header": header},
                            options=MAP_CHOICES,
                            placeholder="ignore",
                        ),
                    )
                ),
            ],
            className="mb-2",
        )
        for header in report.unmatched_headers
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H5("Map the columns Strata could not recognise"),
                html.P(f"Missing: {', '.join(report.missing_required)}. Pick what each column means."),
                *fields,
            ]
        ),
        className="mb-3",
    )


def load_upload(data: bytes, filename: str, mapping: dict | None = None, as_of: object = None):
    """Read uploaded bytes under the configured upload limits, dated ``as_of`` (the form's
    field; blank: as the file says); a LoadResult (never raises)."""
    as_of = str(as_of).strip()[:40] if isinstance(as_of, str) and as_of.strip() else None
    return load_bytes(
        data, filename or "upload", mapping=mapping, as_of=as_of, limits=state.settings().upload_limits
    )


def read_upload(contents: str, filename: str, mapping: dict | None = None, as_of: object = None):
    """Decode a dcc.Upload data URL and read it: (bytes, LoadResult)."""
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=False)
    except (AttributeError, IndexError, binascii.Error, ValueError):  # not a data URL
        data = b""
    return data, load_upload(data, str(filename or "upload"), mapping, as_of)


def accept(result, filename: str) -> html.Div:
    """Store an accepted file for this session and describe it."""
    meta = {
        "source": filename,
        "shape": result.report.shape,
        "demo": False,
        "as_of": result.as_of.strftime("%Y-%m-%d") if result.as_of is not None else None,
        "notes": result.report.notes,
    }
    state.save_data(result.accounts, meta)
    notes = [html.Li(n) for n in result.report.notes]
    return dbc.Alert(
        [
            html.Strong(f"Loaded {filename}: {len(result.accounts):,} accounts ({result.report.shape})."),
            html.Ul(notes),
        ],
        color="success",
        id=ids.DATA_OK,
    )


HIDDEN, SHOWN = {"display": "none"}, {"display": "inline-block"}


def _outputs() -> dict:
    """What a data change updates: the report, the mapping step, the data version (every page
    and the what-if controls follow it: new data starts from its default settings, see
    :func:`dashboard.follow_data`) and the Apply-mapping button's style. Three callbacks
    (upload, apply mapping, back to the demo) share them.

    The version is outside the page, so Dash calls these callbacks when the
    page appears, ``prevent_initial_call`` notwithstanding: each does nothing without a file
    or a click."""
    return dict(
        report=Output(ids.DATA_REPORT, "children", allow_duplicate=True),
        mapping=Output(ids.DATA_MAPPING, "children", allow_duplicate=True),
        version=Output(ids.SESSION_VERSION, "data", allow_duplicate=True),
        apply_style=Output(ids.DATA_APPLY_MAPPING, "style", allow_duplicate=True),
    )


def _change(report=no_update, mapping=no_update, version=no_update, apply_style=no_update) -> dict:
    """The outputs of :func:`_outputs`; those not given stay as they are."""
    return dict(report=report, mapping=mapping, version=version, apply_style=apply_style)


def _storage_full_is_a_message(read):
    """No room in the session's or the server's storage (:class:`state.StoreFull`) is a message,
    and nothing changes."""

    @functools.wraps(read)
    def guarded(data: bytes, filename: str, *args) -> dict:
        try:
            return read(data, filename, *args)
        except state.StoreFull as exc:
            return _change(
                dbc.Alert(f"{filename} was not loaded: {exc}", color="danger"), None, apply_style=HIDDEN
            )

    return guarded


@_storage_full_is_a_message
def _after_read(data: bytes, filename: str, result, version: int | None) -> dict:
    """A file read: accepted (stored for this session, the pages and the slider follow), in
    need of a column mapping (kept until it is applied), or rejected (nothing changes)."""
    if not result.ok:
        if result.report.missing_required and result.report.unmatched_headers:
            state.save_pending(data, filename)
            return _change(report_view(result.report), mapping_view(result.report), apply_style=SHOWN)
        return _change(report_view(result.report), None, apply_style=HIDDEN)
    return _change(accept(result, filename), None, _next(version), HIDDEN)


def _next(version: object) -> int:
    """The data version after a change (from 0 when the browser sent none, or not a number)."""
    return (version if isinstance(version, int) and not isinstance(version, bool) else 0) + 1


@callback(
    output=_outputs(),
    inputs=dict(contents=Input(ids.DATA_UPLOAD, "contents")),
    state=dict(
        filename=State(ids.DATA_UPLOAD, "filename"),
        version=State(ids.SESSION_VERSION, "data"),
        as_of=State(ids.DATA_AS_OF, "value"),
    ),
    prevent_initial_call=True,
)
def on_upload(contents, filename, version, as_of=None):
    """A file dropped or picked: loaded, sent to the mapping step, or rejected."""
    if not contents:
        raise PreventUpdate  # the page appearing, not an upload
    filename = str(filename or "upload")
    data, result = read_upload(contents, filename, None, as_of)
    return _after_read(data, filename, result, version)


@callback(
    output=[Output(ids.DATA_SERVER_FILE, "options"), Output(ids.DATA_SERVER, "style")],
    inputs=dict(_shown=Input(ids.DATA_SERVER, "id")),
)
def list_server_files(_shown):
    """The files of the data directory (``STRATA_DATA_DIR``); the section hidden without one."""
    directory = state.settings().data_dir
    if not directory:
        return [], {"display": "none"}
    return data_files(directory), {"display": "block"}


@callback(
    output=_outputs(),
    inputs=dict(clicks=Input(ids.DATA_SERVER_LOAD, "n_clicks")),
    state=dict(name=State(ids.DATA_SERVER_FILE, "value"), version=State(ids.SESSION_VERSION, "data")),
    prevent_initial_call=True,
)
def on_server_file(clicks, name, version):
    """A file of the data directory loaded by name (its aggregated accounts and quarters are
    kept, not its lines), or rejected with the reason (nothing changes)."""
    directory = state.settings().data_dir
    if not clicks or not directory:
        raise PreventUpdate
    if not isinstance(name, str) or not name:
        return _change(dbc.Alert("Choose a file first.", color="warning"), None, apply_style=HIDDEN)
    result = load_data_file(directory, name, limits=state.settings().upload_limits)
    return _after_server_read(b"", name, result, version)


@_storage_full_is_a_message
def _after_server_read(_data: bytes, name: str, result, version: int | None) -> dict:
    """As :func:`_after_read`, without the mapping step (a server file's columns are mapped
    with the CLI's ``--mapping``, or by renaming its headers)."""
    if not result.ok:
        return _change(report_view(result.report), None, apply_style=HIDDEN)
    return _change(accept(result, name), None, _next(version), apply_style=HIDDEN)


@callback(
    output=_outputs(),
    inputs=dict(clicks=Input(ids.DATA_APPLY_MAPPING, "n_clicks")),
    state=dict(
        map_values=State({"type": ids.DATA_MAP_FIELD, "header": ALL}, "value"),
        map_ids=State({"type": ids.DATA_MAP_FIELD, "header": ALL}, "id"),
        version=State(ids.SESSION_VERSION, "data"),
        as_of=State(ids.DATA_AS_OF, "value"),
    ),
    prevent_initial_call=True,
)
def on_apply_mapping(clicks, map_values, map_ids, version, as_of=None):
    """Read the upload kept for the mapping step again, with the columns as mapped."""
    if not clicks:
        raise PreventUpdate  # the button appearing with the page, not a click
    pending = state.pending_upload()
    if pending is None:
        return _change(dbc.Alert("Upload the file again.", color="warning"), None, apply_style=HIDDEN)
    data, filename = pending
    pairs = zip(map_ids or [], map_values or [], strict=False)  # an altered request: ignore odd entries
    mapping = {
        str(i["header"]): v
        for i, v in pairs
        if isinstance(i, dict) and "header" in i and isinstance(v, str) and v
    }
    return _after_read(data, filename, load_upload(data, filename, mapping, as_of), version)


@callback(
    output=_outputs(),
    inputs=dict(clicks=Input(ids.DATA_RESET, "n_clicks")),
    state=dict(version=State(ids.SESSION_VERSION, "data")),
    prevent_initial_call=True,
)
def on_reset(clicks, version):
    """Back to the demo portfolio and the default thresholds."""
    if not clicks:
        raise PreventUpdate  # the button appearing with the page, not a click
    state.reset_to_demo()
    return _change(dbc.Alert("Back to the demo portfolio.", color="info"), None, _next(version), HIDDEN)


@callback(
    output=[Output(ids.DATA_GRID, "columnDefs"), Output(ids.DATA_COUNT, "children")],
    inputs=dict(
        settings=Input(ids.SETTINGS, "data"),
        _version=Input(ids.SESSION_VERSION, "data"),
        search=Input(ids.DATA_SEARCH, "value"),
    ),
)
def update_grid(settings, _version, search):
    """The grid's columns and how many accounts it holds (every one, churned included) or finds;
    its rows come a block at a time from :func:`grid_rows`."""
    accounts = analyze_session(settings).accounts
    churned = int(((accounts["arr"] == 0) & (accounts["arr_prior"].fillna(0) > 0)).sum())
    count = f"All {len(accounts):,} accounts, {churned:,} of them churned (ARR 0); sort by any column."
    if (search or "").strip():
        found = rows_response(accounts, {"startRow": 0, "endRow": 0}, search)["rowCount"]
        count = f"{found:,} of {len(accounts):,} accounts match “{search.strip()}”."
    return column_defs(account_table(accounts.iloc[:0]).columns), count


@callback(
    Output(ids.DATA_GRID, "getRowsResponse"),
    Input(ids.DATA_GRID, "getRowsRequest"),
    State(ids.DATA_SEARCH, "value"),
    State(ids.SETTINGS, "data"),
    prevent_initial_call=True,
)
def grid_rows(request, search, settings):
    """One block of the grid: searched and sorted on the server, largest ARR first by default."""
    return rows_response(analyze_session(settings).accounts, request, search)


dash.clientside_callback(  # new columns follow every change of search, settings or data
    PURGE_JS,
    Input(ids.DATA_GRID, "columnDefs"),  # an input of this page: the shell's stores change elsewhere too
    State(ids.DATA_GRID, "id"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.DRILL_SELECTION, "data", allow_duplicate=True),
    Input({"type": ids.DATA_ACTION, "list": dash.ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def open_action_list(clicks):
    """An action list's button opens it in the drill-down modal (shown, CSV, XLSX)."""
    trigger = dash.ctx.triggered_id
    if not any(clicks or []) or not isinstance(trigger, dict) or trigger.get("list") not in ACTION_LISTS:
        raise PreventUpdate  # the buttons appearing with the page
    return {"chart": "action-list", "key": trigger["list"]}


@callback(
    output=Output(ids.DATA_DOWNLOAD, "data", allow_duplicate=True),
    inputs=dict(_clicks=Input(ids.DATA_DOWNLOAD_CSV, "n_clicks")),
    state=dict(settings=State(ids.SETTINGS, "data")),
    prevent_initial_call=True,
)
def download_csv(_clicks, settings):
    """The account list with scores and tiers, as CSV (formulas neutralised)."""
    analysis = analyze_session(settings)
    return dcc.send_bytes(
        to_csv_bytes(analysis.accounts, analysis.facts.currency), "strata-tiered-accounts.csv"
    )


@callback(
    output=Output(ids.DATA_DOWNLOAD, "data", allow_duplicate=True),
    inputs=dict(_clicks=Input(ids.DATA_DOWNLOAD_XLSX, "n_clicks")),
    state=dict(settings=State(ids.SETTINGS, "data")),
    prevent_initial_call=True,
)
def download_xlsx(_clicks, settings):
    """The account list with scores and tiers, as XLSX (formulas neutralised)."""
    analysis = analyze_session(settings)
    return dcc.send_bytes(
        to_xlsx_bytes(analysis.accounts, analysis.facts.currency), "strata-tiered-accounts.xlsx"
    )


def _kept_kind() -> str:
    """The data-kind switch as kept with the session's data; "detected" outside a request."""
    kind = state.current_settings().get("data_kind") if flask.has_request_context() else None
    return kind or "detected"


@callback(
    Output(ids.SETTINGS, "data", allow_duplicate=True),
    Input(ids.DATA_KIND, "value"),
    State(ids.SETTINGS, "data"),
    prevent_initial_call=True,
)
def set_data_kind(kind, settings):
    """The data-kind switch into the what-if settings ("detected": as the data says), kept with
    the session's data."""
    return keep_switch(settings, "data_kind", None if kind == "detected" else kind, (None, *DATA_KINDS))


@callback(
    Output(ids.DATA_KIND_NOTE, "children"),
    Input(ids.SETTINGS, "data"),
    Input(ids.SESSION_VERSION, "data"),
)
def show_data_kind(settings, _version):
    """Why the data counts as subscription or transactional (detected, or chosen)."""
    return analyze_session(settings).facts.data_kind_reason


dash.register_page(__name__, path="/data", name="Data", order=6, layout=layout)
