"""Page callbacks called directly (no browser), inside a request with its own session."""

import base64
import importlib
from types import SimpleNamespace

import dash
import pandas as pd
import plotly.graph_objects as go
import pytest

from conftest import DEMO
from dashboard import PAGES, state, update_settings
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with
from reporting.kpis import overview_kpis


@pytest.fixture(scope="module")
def pages(dash_app):
    """The page modules, imported once the app exists (they register themselves)."""
    return SimpleNamespace(**{n: importlib.import_module(f"dashboard.pages.{n}") for n in PAGES})


def triggered(pages, monkeypatch, component_id: str) -> None:
    """Make the data page's callback see ``component_id`` as its trigger."""
    monkeypatch.setattr(pages.data, "ctx", SimpleNamespace(triggered_id=component_id))


def table_rows(component) -> list[list]:
    """The cells of a :func:`dashboard.components.plain_table`, row by row."""
    return [list(row.values()) for row in component.children[0].data]


def upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def test_every_page_callback_returns_figures(request_ctx, pages):
    cards, _warnings, tier_fig, bridge = pages.overview.update_overview(DEFAULT_SETTINGS, 0)
    assert len(cards) == 8 and isinstance(tier_fig, go.Figure) and isinstance(bridge, go.Figure)
    pareto, lorenz = pages.concentration.update_curves(0, DEFAULT_SETTINGS)
    assert "Gini" in lorenz.layout.title.text and isinstance(pareto, go.Figure)
    rows = table_rows(pages.concentration.update_top_accounts(DEFAULT_SETTINGS, 0, 10))
    assert len(rows) == 10 and rows[0][0] == 1 and rows[0][2].startswith("$")
    # a stricter strategic cut-off changes the tier column of the top table
    stricter = table_rows(pages.concentration.update_top_accounts(
        {**DEFAULT_SETTINGS, "thresholds": [50, 99]}, 0, 10))
    assert {r[5] for r in stricter} <= {"● Key", "● Standard"} and "● Strategic" in {r[5] for r in rows}
    assert [r[1] for r in stricter] == [r[1] for r in rows]
    assert all(isinstance(f, go.Figure) for f in pages.tiers.update_tiers(DEFAULT_SETTINGS, 0)[:2])
    by_tier, bridge = pages.retention.update_retention(DEFAULT_SETTINGS, 0, "Strategic")
    assert "Strategic" in bridge.layout.title.text
    load, headcount, _ = pages.capacity.update_capacity(DEFAULT_SETTINGS, 0)
    assert isinstance(load, go.Figure) and isinstance(headcount, go.Figure)


def test_threshold_change_moves_the_strategic_count(request_ctx, pages):
    accounts, _ = state.current_data()
    base = analyze_with(accounts, DEFAULT_SETTINGS).distribution.loc["Strategic", "accounts"]
    stricter = {**DEFAULT_SETTINGS, "thresholds": [50, 80]}
    assert analyze_with(accounts, stricter).distribution.loc["Strategic", "accounts"] < base
    movers = pages.tiers.update_tiers(stricter, 0)[2]
    assert "change tier" in str(movers)


def test_settings_callback_validates_weights():
    weight_ids = [{"dim": d} for d in DEFAULT_SETTINGS["weights"]]
    cap_ids = [{"tier": t} for t in DEFAULT_SETTINGS["capacity"]]
    settings, error = update_settings([40, 60], [0] * 7, [10, 25, 75], None, weight_ids, cap_ids)
    assert error and settings is not None  # no_update keeps the previous settings
    settings, error = update_settings([40, 60], [1] * 7, [5, 25, 75], 12, weight_ids, cap_ids)
    assert error == "" and settings["thresholds"] == [40, 60]
    assert settings["capacity"]["Strategic"] == 5 and settings["headcount"] == 12


def test_upload_valid_then_broken_keeps_the_good_data(request_ctx, pages, monkeypatch):
    triggered(pages, monkeypatch, "data-upload")
    good = "account_id,account_name,arr,arr_prior\nA,Acme,1000,900\nB,Beta,500,0\n"
    out = pages.data.on_data_change(upload(good), None, None, "good.csv", [], [], 0)
    assert out[2] == 1 and "Loaded good.csv: 2 accounts" in str(out[0])
    assert len(state.current_data()[0]) == 2
    out = pages.data.on_data_change(upload("account_id,arr\nA,-5\n"), None, None, "bad.csv", [], [], 1)
    assert "negative ARR" in str(out[0]) and out[2] is dash.no_update  # views not refreshed
    assert len(state.current_data()[0]) == 2  # unchanged


def test_mapping_step_then_apply(request_ctx, pages, monkeypatch):
    triggered(pages, monkeypatch, "data-upload")
    odd = "Ref,Money\nr1,100\nr2,200\n"
    out = pages.data.on_data_change(upload(odd), None, None, "odd.csv", [], [], 0)
    assert "Map the columns" in str(out[1]) and out[4] == {"display": "inline-block"}
    map_ids = [{"type": "data-map-field", "header": "Ref"}, {"type": "data-map-field", "header": "Money"}]
    triggered(pages, monkeypatch, "data-apply-mapping")
    out = pages.data.on_data_change(None, 1, None, None, ["account_id", "arr"], map_ids, 0)
    assert "Loaded odd.csv: 2 accounts" in str(out[0])
    assert state.current_data()[0]["arr"].sum() == 300


def test_reset_to_demo(request_ctx, pages, monkeypatch):
    triggered(pages, monkeypatch, "data-upload")
    pages.data.on_data_change(upload("account_id,arr\nA,1\n"), None, None, "one.csv", [], [], 0)
    triggered(pages, monkeypatch, "data-reset-demo")
    pages.data.on_data_change(None, None, 1, None, [], [], 1)
    assert len(state.current_data()[0]) == len(state.demo_accounts())


def test_sessions_are_isolated(dash_app, pages, monkeypatch):
    triggered(pages, monkeypatch, "data-upload")
    server = dash_app.server
    with server.test_request_context("/"):
        server.preprocess_request()
        pages.data.on_data_change(upload("account_id,arr\nA,1\n"), None, None, "mine.csv", [], [], 0)
        assert state.current_data()[1]["source"] == "mine.csv"
    with server.test_request_context("/"):
        server.preprocess_request()  # a second browser: new session id
        assert state.current_data()[1]["source"].startswith("Demo")


def test_overview_kpi_readings():
    from portfolio.ingest import load_file

    analysis = analyze_with(load_file(DEMO).accounts, DEFAULT_SETTINGS)
    kpis = {k.title: k for k in overview_kpis(analysis)}
    assert kpis["Total ARR"].value.startswith("$")
    assert "benchmark" in kpis["GRR"].reading
    assert kpis["SAM coverage"].value == "27 / 29"


def test_grid_search_sets_the_quick_filter(pages):
    assert pages.data.search_grid("Summit")["quickFilterText"] == "Summit"
    assert pages.data.search_grid(None)["pagination"] is True


def test_every_broken_corpus_file_leaves_the_loaded_data_alone(request_ctx, pages, monkeypatch):
    from unit.test_corpus import CORPUS, REJECTED

    triggered(pages, monkeypatch, "data-upload")
    good = "account_id,account_name,arr\nA,Acme,1000\nB,Beta,500\n"
    pages.data.on_data_change(upload(good), None, None, "good.csv", [], [], 0)
    before = state.data_fingerprint()
    for name in REJECTED:
        contents = "data:application/octet-stream;base64," + base64.b64encode(
            (CORPUS / name).read_bytes()).decode()
        out = pages.data.on_data_change(contents, None, None, name, [], [], 1)
        assert REJECTED[name] in str(out[0]) and out[2] is dash.no_update, name
        assert state.data_fingerprint() == before and state.current_data()[1]["source"] == "good.csv"
    broken_base64 = pages.data.on_data_change("data:text/csv;base64,@@@", None, None, "x.csv",
                                              [], [], 1)
    assert state.data_fingerprint() == before and broken_base64[2] is dash.no_update


def test_upload_and_reset_set_the_threshold_slider_to_the_core_defaults(request_ctx, pages,
                                                                         monkeypatch):
    triggered(pages, monkeypatch, "data-upload")
    revenue_only = pages.data.on_data_change(upload("account_id,arr\nA,1\nB,2\n"), None, None,
                                             "r.csv", [], [], 0)
    assert revenue_only[3] == [80, 95]  # ARR-percentile cut-offs: Key ≥ 80, Strategic ≥ 95
    scored = pages.data.on_data_change(upload("account_id,arr,strategic_fit\nA,1,7\nB,2,3\n"),
                                       None, None, "s.csv", [], [], 1)
    assert scored[3] == [50, 70]
    triggered(pages, monkeypatch, "data-reset-demo")
    assert pages.data.on_data_change(None, None, 1, None, [], [], 2)[3] == [50, 70]


def test_a_chart_download_shows_what_its_page_shows(request_ctx, dash_app, monkeypatch):
    """The Retention page's bridge is of the tier picked there; so is its downloaded file."""
    from dashboard import exporting, ids

    rendered = []
    monkeypatch.setattr(exporting, "render", lambda fig, fmt: rendered.append(fig) or b"%PDF")
    for tier in ("Key", None):
        monkeypatch.setattr(exporting.dash, "ctx", SimpleNamespace(
            triggered_id={"type": ids.CHART_EXPORT, "chart": "arr-bridge", "format": "pdf"},
            triggered=[{"value": 1}]))
        options = ([tier], [ids.RET_TIER]) if tier else ([], [])  # another page: no picker
        download, message = exporting.export_chart([1], DEFAULT_SETTINGS, *options)
        assert message == "" and download["filename"] == "strata-arr-bridge.pdf"
    key_title, all_title = (fig.layout.title.text for fig in rendered)
    assert "Key" in key_title and "All tiers" in all_title


def test_plain_tables_format_cells_and_say_what_they_leave_out():
    from dashboard.components import plain_table
    from portfolio.formatting import money

    frame = pd.DataFrame({"account_name": ["<b>A</b>", "B", "C"], "arr": [3e6, 2e5, 1e3]})
    table = plain_table(frame, {"account_name": "Account", "arr": "ARR"}, {"arr": money},
                        right=("arr",), limit=2)
    assert table_rows(table) == [["<b>A</b>", "$3.00M"], ["B", "$200k"]]  # markup stays text
    assert table.children[1].children == "The first 2 of 3 are shown."
    assert len(table_rows(plain_table(frame, {"arr": "ARR"}))) == 3 and len(table.children) == 2
