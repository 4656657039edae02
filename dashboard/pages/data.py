"""Data: upload (CSV/XLSX), column mapping, validation report, account grid, downloads."""

import base64
import binascii

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import ids, state
from dashboard.components import GRID_MONEY, page_header
from dashboard.whatif import analyze_session
from portfolio.account_list import account_table, to_csv_bytes, to_xlsx_bytes
from portfolio.ingest import IngestReport, load_bytes
from portfolio.schema import HISTORY_COLUMNS, SNAPSHOT_COLUMNS
from portfolio.whatif import DEFAULT_SETTINGS, default_slider_value

GRID_ROWS = 5000
GRID_OPTIONS = {"pagination": True, "paginationPageSize": 50}
MAP_CHOICES = sorted(set(SNAPSHOT_COLUMNS) | set(HISTORY_COLUMNS))


def layout(**_):
    return html.Div([
        page_header("Data", "Upload an account snapshot or a revenue history (CSV or XLSX). "
                    "A rejected file changes nothing already loaded."),
        dcc.Upload(id=ids.DATA_UPLOAD, children=html.Div(["Drag and drop or ", html.A("choose a file")]),
                   className="upload-zone", multiple=False),
        html.Div(id=ids.DATA_REPORT, className="mt-3"),
        html.Div(id=ids.DATA_MAPPING),
        dbc.Button("Apply mapping", id=ids.DATA_APPLY_MAPPING, color="primary",
                   style={"display": "none"}),
        dbc.Row([
            dbc.Col(dbc.Button("Download CSV", id=ids.DATA_DOWNLOAD_CSV, color="primary",
                               outline=True), width="auto"),
            dbc.Col(dbc.Button("Download XLSX", id=ids.DATA_DOWNLOAD_XLSX, color="primary",
                               outline=True), width="auto"),
            dbc.Col(dbc.Button("Back to demo data", id=ids.DATA_RESET, color="secondary",
                               outline=True), width="auto"),
        ], className="my-3 g-2"),
        dcc.Download(id=ids.DATA_DOWNLOAD),
        dbc.Input(id=ids.DATA_SEARCH, type="search", placeholder="Search accounts…", debounce=True,
                  className="mb-2", style={"maxWidth": "320px"}),
        dag.AgGrid(id=ids.DATA_GRID, defaultColDef={"sortable": True, "filter": True,
                                                     "resizable": True, "floatingFilter": True},
                   dashGridOptions=GRID_OPTIONS,
                   style={"height": "600px"}),
    ])


def report_view(report: IngestReport) -> dbc.Alert:
    """The validation report: counts per problem and the first problems with row and column."""
    total = sum(report.problem_counts.values())
    rows = [html.Tr([html.Td(p.row if p.row is not None else ""), html.Td(p.column or ""),
                     html.Td(p.value if p.value is not None else ""), html.Td(p.reason)])
            for p in report.problems[:50]]
    return dbc.Alert([
        html.H5(f"{report.source} was rejected — {total:,} problem(s). The data already loaded "
                "is unchanged.", className="alert-heading"),
        html.Ul([html.Li(f"{n:,} × {reason}") for reason, n in report.problem_counts.items()]),
        dbc.Table([html.Thead(html.Tr([html.Th("Row"), html.Th("Column"), html.Th("Value"),
                                       html.Th("Problem")])), html.Tbody(rows)],
                  size="sm", className="mb-0") if rows else None,
    ], color="danger", id=ids.DATA_ERROR)


def mapping_view(report: IngestReport) -> dbc.Card:
    """Column-mapping step for headers that could not be matched."""
    fields = [dbc.Row([
        dbc.Col(html.Code(header), width=4),
        dbc.Col(dcc.Dropdown(id={"type": ids.DATA_MAP_FIELD, "header": header},
                             options=MAP_CHOICES, placeholder="ignore")),
    ], className="mb-2") for header in report.unmatched_headers]
    return dbc.Card(dbc.CardBody([
        html.H5("Map the columns Strata could not recognise"),
        html.P(f"Missing: {', '.join(report.missing_required)}. Pick what each column means."),
        *fields,
    ]), className="mb-3")


def load_upload(data: bytes, filename: str, mapping: dict | None = None):
    """Read uploaded bytes under the configured upload limits; a LoadResult (never raises)."""
    return load_bytes(data, filename or "upload", mapping=mapping, limits=state.settings().upload_limits)


def read_upload(contents: str, filename: str, mapping: dict | None = None):
    """Decode a dcc.Upload data URL and read it: (bytes, LoadResult)."""
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=False)
    except (IndexError, binascii.Error, ValueError):
        data = b""
    return data, load_upload(data, filename, mapping)


def accept(result, filename: str) -> html.Div:
    """Store an accepted file for this session and describe it."""
    meta = {"source": filename, "shape": result.report.shape, "demo": False,
            "as_of": result.as_of.strftime("%Y-%m-%d") if result.as_of is not None else None,
            "notes": result.report.notes}
    state.save_data(result.accounts, meta)
    notes = [html.Li(n) for n in result.report.notes]
    return dbc.Alert([html.Strong(f"Loaded {filename}: {len(result.accounts):,} accounts "
                                  f"({result.report.shape})."), html.Ul(notes)],
                     color="success", id=ids.DATA_OK)


@callback(
    Output(ids.DATA_REPORT, "children"), Output(ids.DATA_MAPPING, "children"),
    Output(ids.SESSION_VERSION, "data"), Output(ids.THRESHOLDS, "value"),
    Output(ids.DATA_APPLY_MAPPING, "style"),
    Input(ids.DATA_UPLOAD, "contents"), Input(ids.DATA_APPLY_MAPPING, "n_clicks"),
    Input(ids.DATA_RESET, "n_clicks"),
    State(ids.DATA_UPLOAD, "filename"), State({"type": ids.DATA_MAP_FIELD, "header": ALL}, "value"),
    State({"type": ids.DATA_MAP_FIELD, "header": ALL}, "id"), State(ids.SESSION_VERSION, "data"),
    prevent_initial_call=True,
)
def on_data_change(contents, _apply, _reset, filename, map_values, map_ids, version):
    hidden, shown = {"display": "none"}, {"display": "inline-block"}
    version = (version or 0) + 1
    trigger = ctx.triggered_id
    if trigger == ids.DATA_RESET:
        state.reset_to_demo()
        return (dbc.Alert("Back to the demo portfolio.", color="info"), None, version,
                DEFAULT_SETTINGS["thresholds"], hidden)
    if trigger == ids.DATA_APPLY_MAPPING:
        pending = state.pending_upload()
        if pending is None:
            return (dbc.Alert("Upload the file again.", color="warning"), None, no_update, no_update,
                    hidden)
        data, filename = pending
        mapping = {i["header"]: v for i, v in zip(map_ids, map_values, strict=True) if v}
        result = load_upload(data, filename, mapping)
    else:
        if not contents:
            return no_update, no_update, no_update, no_update, no_update
        data, result = read_upload(contents, filename)
    if not result.ok:
        if result.report.missing_required and result.report.unmatched_headers:
            state.save_pending(data, filename)
            return report_view(result.report), mapping_view(result.report), no_update, no_update, shown
        return report_view(result.report), None, no_update, no_update, hidden
    return accept(result, filename), None, version, default_slider_value(result.accounts), hidden


@callback(
    Output(ids.DATA_GRID, "rowData"), Output(ids.DATA_GRID, "columnDefs"),
    Input(ids.SETTINGS, "data"), Input(ids.SESSION_VERSION, "data"),
)
def update_grid(settings, _version):
    table = account_table(analyze_session(settings).accounts).head(GRID_ROWS)
    columns = []
    for c in table.columns:
        label = c.replace("_", " ")
        column = {"field": c, "headerName": (label[:1].upper() + label[1:]).replace("Arr", "ARR")}
        if c in ("arr", "arr_prior"):
            column["valueFormatter"] = GRID_MONEY
        if c == "account_name":
            column["pinned"] = "left"
        columns.append(column)
    return table.to_dict("records"), columns


@callback(Output(ids.DATA_GRID, "dashGridOptions"), Input(ids.DATA_SEARCH, "value"))
def search_grid(text):
    """Quick filter: rows containing the text in any column."""
    return {**GRID_OPTIONS, "quickFilterText": text or ""}


@callback(
    Output(ids.DATA_DOWNLOAD, "data"),
    Input(ids.DATA_DOWNLOAD_CSV, "n_clicks"), Input(ids.DATA_DOWNLOAD_XLSX, "n_clicks"),
    State(ids.SETTINGS, "data"), prevent_initial_call=True,
)
def download(_csv, _xlsx, settings):
    enriched = analyze_session(settings).accounts
    if ctx.triggered_id == ids.DATA_DOWNLOAD_XLSX:
        return dcc.send_bytes(to_xlsx_bytes(enriched), "strata-tiered-accounts.xlsx")
    return dcc.send_bytes(to_csv_bytes(enriched), "strata-tiered-accounts.csv")


dash.register_page(__name__, path="/data", name="Data", order=6, layout=layout)
