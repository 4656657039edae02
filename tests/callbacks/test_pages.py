"""Page callbacks called directly (no browser), inside a request with its own session."""

import base64
import importlib
from types import SimpleNamespace

import dash
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash.exceptions import PreventUpdate

from conftest import DEMO
from dashboard import PAGES, ids, state, update_settings
from dashboard.drilldown import TIER_MOVES, drill_down
from portfolio.formatting import money
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with
from reporting.kpis import overview_kpis
from reporting.takeaways import takeaways


@pytest.fixture(scope="module")
def pages(dash_app):
    """The page modules, imported once the app exists (they register themselves)."""
    return SimpleNamespace(**{n: importlib.import_module(f"dashboard.pages.{n}") for n in PAGES})


def table_rows(component) -> list[list]:
    """The cells of a :func:`dashboard.components.plain_table`, row by row."""
    return [list(row.values()) for row in component.children[0].data]


def upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def titles(*figures: go.Figure) -> list[str]:
    return [figure.layout.title.text for figure in figures]


def test_every_page_callback_returns_its_figures(request_ctx, pages):
    cards, _warnings, tier_fig, bridge, *_ = pages.overview.update_overview(DEFAULT_SETTINGS, 0)
    assert len(cards) == 8
    assert titles(tier_fig, bridge) == ["Tier distribution", "ARR bridge — All tiers"]
    pareto, lorenz, *_ = pages.concentration.update_curves(0, DEFAULT_SETTINGS)
    assert titles(pareto) == ["Pareto: share of ARR from the largest accounts"]
    assert "Gini" in lorenz.layout.title.text
    rows = table_rows(pages.concentration.update_top_accounts(DEFAULT_SETTINGS, 0, 10))
    assert len(rows) == 10 and rows[0][0] == 1 and rows[0][2].startswith("$")
    # a stricter strategic cut-off changes the tier column of the top table
    stricter = table_rows(
        pages.concentration.update_top_accounts({**DEFAULT_SETTINGS, "thresholds": [50, 99]}, 0, 10)
    )
    assert {r[5] for r in stricter} <= {"● Key", "● Standard"} and "● Strategic" in {r[5] for r in rows}
    assert [r[1] for r in stricter] == [r[1] for r in rows]
    assert titles(*pages.tiers.update_tiers(DEFAULT_SETTINGS, 0)[:2]) == [
        "Tier distribution",
        "Scores and tier thresholds",
    ]
    by_tier, bridge, *_ = pages.retention.update_retention(DEFAULT_SETTINGS, 0, "Strategic")
    assert titles(by_tier, bridge) == [
        "Retention by tier at the start of the period (assigned tier)",
        "ARR bridge — Strategic",
    ]
    load, headcount, over, *_ = pages.capacity.update_capacity(DEFAULT_SETTINGS, 0)
    assert load.layout.title.text.startswith("SAM workload against capacity")
    assert titles(headcount) == ["SAMs: required vs available"]
    overloaded = analyze_with(state.current_data()[0], DEFAULT_SETTINGS).workload.overloaded_sams
    assert over.children[0].children == f"{len(overloaded)} SAM(s) over capacity"
    assert len(table_rows(over.children[1])) == len(overloaded) > 0


def test_every_chart_summary_is_its_takeaway(request_ctx, pages):
    """Each page callback fills its charts' screen-reader summaries with the board pack's
    takeaways for the demo data (the retention bridge's with the tier chosen on the page)."""
    text = takeaways(analyze_with(state.current_data()[0], DEFAULT_SETTINGS))
    assert pages.overview.update_overview(DEFAULT_SETTINGS, 0)[-2:] == (
        text["tier-distribution"],
        text["arr-bridge"],
    )
    assert pages.concentration.update_curves(0, DEFAULT_SETTINGS)[-2:] == (text["pareto"], text["lorenz"])
    assert pages.tiers.update_tiers(DEFAULT_SETTINGS, 0)[3:5] == (text["tier-distribution"], text["scores"])
    assert pages.retention.update_retention(DEFAULT_SETTINGS, 0, "All")[2:4] == (
        text["retention-by-tier"],
        text["arr-bridge"],
    )
    strategic = pages.retention.update_retention(DEFAULT_SETTINGS, 0, "Strategic")[3]
    assert strategic.startswith("Strategic accounts' ARR went from $") and strategic != text["arr-bridge"]
    assert pages.capacity.update_capacity(DEFAULT_SETTINGS, 0)[-2:] == (
        text["sam-workload"],
        text["sam-headcount"],
    )


def test_retention_switch_attributes_to_the_assigned_or_scored_tier(request_ctx, pages):
    """Issue 14: the demo has an assigned tier column, so the default is the assigned tier;
    the switch goes back to the scorecard on prior ARR, and the note says which is shown."""
    by_tier, *_, note, _, _ = pages.retention.update_retention(DEFAULT_SETTINGS, 0, "All")
    switched = pages.retention.set_tier_basis("scorecard", DEFAULT_SETTINGS)
    assert switched == {**DEFAULT_SETTINGS, "tier_basis": "scorecard"}  # a what-if setting: exports follow
    scored, *_, scored_note, _, _ = pages.retention.update_retention(switched, 0, "All")
    assert note.startswith("Tier: the assigned tier column")
    assert scored_note == "Tier: the scorecard on prior ARR."
    assert by_tier.to_dict()["data"] != scored.to_dict()["data"]
    assert scored.layout.title.text.endswith("(scorecard on prior ARR)")


def test_threshold_change_moves_the_strategic_count(request_ctx, pages):
    accounts, _ = state.current_data()
    base = analyze_with(accounts, DEFAULT_SETTINGS).distribution.loc["Strategic", "accounts"]
    stricter = {**DEFAULT_SETTINGS, "thresholds": [50, 80]}
    now = analyze_with(accounts, stricter).distribution.loc["Strategic", "accounts"]
    assert now < base
    # the Tiers page lists exactly the accounts that left Strategic (scores 70–80) as movers
    movers = pages.tiers.update_tiers(stricter, 0)[2]
    assert movers.children[0].children == (
        f"{base - now} account(s) change tier against the default scorecard"
    )
    assert {row[-1] for row in table_rows(movers.children[1])} == {"● Key"}


def test_tiers_page_shows_the_migration_matrix(request_ctx, pages):
    """Issue 14: the demo has assigned tiers; the matrix's counts add up to the active accounts
    and its off-diagonal to the listed moves."""
    accounts, _ = state.current_data()
    section, mode = pages.tiers.update_tiers(DEFAULT_SETTINGS, 0)[5:7]
    assert mode.startswith("Weighted scorecard; revenue is scored from the ARR percentile.")
    header, note, matrix, moves = section.children
    assert header.children == "Current × proposed tiers"
    assert note.children.startswith("Current = the assigned tier column")
    rows = table_rows(matrix)
    assert [r[0] for r in rows] == ["● Strategic", "● Key", "● Standard"]
    counts = [[int(c.split(" · ")[0].replace(",", "")) if c != "–" else 0 for c in r[1:]] for r in rows]
    assert sum(map(sum, counts)) == int((accounts["arr"] > 0).sum())
    off_diagonal = sum(counts[i][j] for i in range(3) for j in range(3) if i != j)
    assert moves.children[0].children == f"{off_diagonal} account(s) the proposed tiers would move"


def test_tiers_page_lists_the_largest_moves_and_opens_all_in_the_drill_down(request_ctx, pages):
    """Issue 14 (speed): each list shows its 5 largest accounts (a what-if change redraws 10
    rows, not 100) and a button that opens every account of it in the drill-down modal."""
    settings = {**DEFAULT_SETTINGS, "thresholds": [40, 60]}
    movers, _dist, _hist, section = (pages.tiers.update_tiers(settings, 0)[i] for i in (2, 3, 4, 5))
    for listed, key in ((movers, "default"), (section.children[3], "proposed")):
        title, table, footer = listed.children
        total = int(title.children.split(" ")[0])
        assert total > pages.tiers.LIST_LIMIT == 5
        arr = [row[1] for row in table_rows(table)]
        assert len(arr) == 5
        note, button = footer.children
        assert note.children == f"The 5 largest of {total:,} are shown."
        assert button.children == f"List all {total:,} (with download)"
        assert button.id == {"type": ids.TIERS_LIST_ALL, "list": key}
        found = drill_down({"chart": TIER_MOVES, "key": key}, settings)  # what the button opens
        assert len(found.accounts) == total
        assert [money(v) for v in found.accounts["arr"].head(5)] == arr  # the page's rows come first


def test_capacity_page_without_a_sam_column_explains(request_ctx, pages):
    """Issue 14: no empty "top 0 by load" chart; the page says what is missing."""
    state.save_data(state.current_data()[0].drop(columns="sam"), dict(state.DEMO_META, source="no sam"))
    load, _headcount, note, *_ = pages.capacity.update_capacity(DEFAULT_SETTINGS, 0)
    assert load.data == () and "No SAM column" in load.layout.annotations[0].text
    assert note.children.startswith("No SAM column in the data")


def test_settings_callback_validates_weights(request_ctx):
    controls = dict(
        weight_ids=[{"dim": d} for d in DEFAULT_SETTINGS["weights"]],
        capacity_ids=[{"tier": t} for t in DEFAULT_SETTINGS["capacity"]],
    )
    previous = {**DEFAULT_SETTINGS, "weights": dict.fromkeys(DEFAULT_SETTINGS["weights"], 2.0)}
    settings, error, boxes, note = update_settings(
        thresholds=[40, 60],
        weights=[0] * 7,
        capacities=[10, 25, 75],
        headcount=None,
        previous=previous,
        **controls,
    )
    assert error == "Weights must be non-negative and not all zero: the last valid weights are back."
    assert settings is dash.no_update  # the previous settings stay …
    assert boxes == [2.0] * 7  # … and so do the boxes: charts and inputs agree
    assert note.startswith("Total 14 points, not 100")
    settings, error, boxes, note = update_settings(
        thresholds=[40, 60], weights=[1] * 7, capacities=[5, 25, 75], headcount=12, previous=None, **controls
    )
    assert error == "" and settings == {
        "tier_basis": "assigned",
        "convention": "cohort",
        "revenue_bands": None,
        "thresholds": [40, 60],
        "weights": dict.fromkeys(DEFAULT_SETTINGS["weights"], 1.0),
        "capacity": {"Strategic": 5.0, "Key": 25.0, "Standard": 75.0},
        "headcount": 12,
        "currency": None,  # as the data says
        "data_kind": None,
        "filter": {},
    }
    assert boxes == [dash.no_update] * 7
    settings, *_ = update_settings(
        thresholds=[40, 60], weights=[1] * 7, capacities=[5, 25, 75], headcount=-1, previous=None, **controls
    )
    assert settings["headcount"] is None  # a negative headcount: from the data


def test_revenue_bands_box_goes_into_the_settings_or_says_what_is_wrong(request_ctx, pages):
    controls = dict(
        weight_ids=[{"dim": d} for d in DEFAULT_SETTINGS["weights"]],
        capacity_ids=[{"tier": t} for t in DEFAULT_SETTINGS["capacity"]],
        thresholds=[50, 70],
        weights=list(DEFAULT_SETTINGS["weights"].values()),
        capacities=[10, 25, 75],
        headcount=None,
        previous=None,
    )
    settings, error, *_ = update_settings(revenue_bands="45000:2, 850000:10", **controls)
    assert error == "" and settings["revenue_bands"] == "850000:10,45000:2"
    mode = pages.tiers.update_tiers(settings, 0)[6]
    assert "points from ARR bands (850000:10,45000:2)" in mode
    kept, *_ = update_settings(revenue_bands="", **{**controls, "previous": {"tier_basis": "scorecard"}})
    assert kept["tier_basis"] == "scorecard"  # a what-if change keeps the Retention page's switch
    settings, error, *_ = update_settings(revenue_bands="850000:12", **controls)
    assert settings is dash.no_update and error == "Revenue bands: points must be between 0 and 10."


def test_weights_total_is_said_and_reset_restores_the_defaults(request_ctx):
    """Issue 14: a total of 135 is not taken silently; the note shows the points used."""
    from dashboard import reset_weights

    controls = dict(
        weight_ids=[{"dim": d} for d in DEFAULT_SETTINGS["weights"]],
        capacity_ids=[{"tier": t} for t in DEFAULT_SETTINGS["capacity"]],
    )
    weights = [60, 20, 15, 15, 10, 10, 5]  # revenue 25 → 60: total 135
    _, error, _, note = update_settings(
        thresholds=[50, 70],
        weights=weights,
        capacities=[10, 25, 75],
        headcount=None,
        previous=None,
        **controls,
    )
    assert error == ""
    # 60/135·100 = 44.4, 20/135·100 = 14.8, 15/135·100 = 11.1, 10/135·100 = 7.4, 5/135·100 = 3.7
    assert note == (
        "Total 135 points, not 100: used in proportion, as Revenue 44.4 · Expansion potential 14.8 · "
        "Strategic fit 11.1 · Market influence 11.1 · Relationship strength 7.4 · Product adoption 7.4 · "
        "Partnership potential 3.7."
    )
    assert reset_weights(1, controls["weight_ids"]) == list(DEFAULT_SETTINGS["weights"].values())


def test_upload_valid_then_broken_keeps_the_good_data(request_ctx, pages):
    good = "account_id,account_name,arr,arr_prior\nA,Acme,1000,900\nB,Beta,500,0\n"
    out = pages.data.on_upload(contents=upload(good), filename="good.csv", version=0)
    assert out["version"] == 1 and "Loaded good.csv: 2 accounts" in str(out["report"])
    assert state.current_settings()["thresholds"] == [80, 95] and out["apply_style"] == pages.data.HIDDEN
    assert len(state.current_data()[0]) == 2
    out = pages.data.on_upload(contents=upload("account_id,arr\nA,-5\n"), filename="bad.csv", version=1)
    assert "negative ARR" in str(out["report"]) and out["mapping"] is None
    assert out["version"] is dash.no_update  # views stay
    assert state.current_settings()["thresholds"] == [80, 95]
    assert len(state.current_data()[0]) == 2  # unchanged


def test_the_data_pages_callbacks_do_nothing_when_the_page_appears(request_ctx, pages):
    """Dash calls them when the page appears (their outputs reach outside the page, which
    prevent_initial_call does not cover): no file, no click, nothing changes."""
    pages.data.on_upload(contents=upload("account_id,arr\nA,1\n"), filename="one.csv", version=0)
    for appearing in (
        lambda: pages.data.on_upload(contents=None, filename=None, version=1),
        lambda: pages.data.on_apply_mapping(clicks=None, map_values=[], map_ids=[], version=1),
        lambda: pages.data.on_reset(clicks=None, version=1),
    ):
        with pytest.raises(PreventUpdate):
            appearing()
    assert state.current_data()[1]["source"] == "one.csv"


def test_mapping_step_then_apply(request_ctx, pages):
    odd = "Ref,Money\nr1,100\nr2,200\n"
    out = pages.data.on_upload(contents=upload(odd), filename="odd.csv", version=0)
    assert "Map the columns" in str(out["mapping"]) and out["apply_style"] == pages.data.SHOWN
    assert out["version"] is dash.no_update and state.current_data()[1]["demo"]
    map_ids = [{"type": ids.DATA_MAP_FIELD, "header": "Ref"}, {"type": ids.DATA_MAP_FIELD, "header": "Money"}]
    out = pages.data.on_apply_mapping(clicks=1, map_values=["account_id", "arr"], map_ids=map_ids, version=0)
    assert "Loaded odd.csv: 2 accounts" in str(out["report"]) and out["version"] == 1
    assert out["mapping"] is None and out["apply_style"] == pages.data.HIDDEN
    assert state.current_data()[0]["arr"].sum() == 300


def test_applying_a_mapping_without_a_pending_upload_asks_for_the_file(request_ctx, pages):
    out = pages.data.on_apply_mapping(clicks=1, map_values=[], map_ids=[], version=2)
    assert "Upload the file again." in str(out["report"]) and out["version"] is dash.no_update
    assert state.current_data()[1]["demo"]


def test_reset_to_demo(request_ctx, pages):
    pages.data.on_upload(contents=upload("account_id,arr\nA,1\n"), filename="one.csv", version=0)
    assert len(state.current_data()[0]) == 1
    out = pages.data.on_reset(clicks=1, version=1)
    assert "Back to the demo portfolio." in str(out["report"]) and out["version"] == 2
    assert len(state.current_data()[0]) == len(state.demo_accounts())


def test_sessions_are_isolated(dash_app, pages):
    server = dash_app.server
    with server.test_request_context("/"):
        server.preprocess_request()
        pages.data.on_upload(contents=upload("account_id,arr\nA,1\n"), filename="mine.csv", version=0)
        assert state.current_data()[1]["source"] == "mine.csv"
    with server.test_request_context("/"):
        server.preprocess_request()  # a second browser: new session id
        assert state.current_data()[1]["source"].startswith("Demo")


def test_overview_kpi_readings():
    from portfolio.ingest import load_file

    analysis = analyze_with(load_file(DEMO).accounts, DEFAULT_SETTINGS)
    kpis = {k.title: k for k in overview_kpis(analysis)}
    assert kpis["Total ARR"].value == "$52.9M"  # Σ arr of data/demo_accounts.csv: $52,926,800
    assert "benchmark" in kpis["GRR"].reading
    assert kpis["SAM coverage"].value == "27 / 29"


def test_every_broken_corpus_file_leaves_the_loaded_data_alone(request_ctx, pages):
    from unit.test_corpus import CORPUS, REJECTED

    good = "account_id,account_name,arr\nA,Acme,1000\nB,Beta,500\n"
    pages.data.on_upload(contents=upload(good), filename="good.csv", version=0)
    before = state.data_fingerprint()
    for name in REJECTED:
        contents = (
            "data:application/octet-stream;base64," + base64.b64encode((CORPUS / name).read_bytes()).decode()
        )
        out = pages.data.on_upload(contents=contents, filename=name, version=1)
        assert REJECTED[name] in str(out["report"]) and out["version"] is dash.no_update, name
        assert state.data_fingerprint() == before and state.current_data()[1]["source"] == "good.csv"
    broken_base64 = pages.data.on_upload(contents="data:text/csv;base64,@@@", filename="x.csv", version=1)
    assert "file is empty" in str(broken_base64["report"])
    assert state.data_fingerprint() == before and broken_base64["version"] is dash.no_update


def test_upload_and_reset_set_the_threshold_slider_to_the_core_defaults(request_ctx, pages):
    pages.data.on_upload(contents=upload("account_id,arr\nA,1\nB,2\n"), filename="r.csv", version=0)
    # ARR-percentile cut-offs: Key ≥ 80, Strategic ≥ 95
    assert state.current_settings()["thresholds"] == [80, 95]
    pages.data.on_upload(
        contents=upload("account_id,arr,strategic_fit\nA,1,7\nB,2,3\n"), filename="s.csv", version=1
    )
    assert state.current_settings()["thresholds"] == [50, 70]
    pages.data.on_reset(clicks=1, version=2)
    assert state.current_settings()["thresholds"] == [50, 70]


def test_downloads_are_the_tiered_account_list(request_ctx, pages):
    csv = pages.data.download_csv(_clicks=1, settings=DEFAULT_SETTINGS)
    assert csv["filename"] == "strata-tiered-accounts.csv"
    header = base64.b64decode(csv["content"]).decode("utf-8-sig").splitlines()[0]
    # the amounts name their currency (issue 14): the demo's dollars
    assert header.startswith("account_id,account_name,arr (USD),arr_prior (USD),score,tier")
    xlsx = pages.data.download_xlsx(_clicks=1, settings=DEFAULT_SETTINGS)
    assert xlsx["filename"] == "strata-tiered-accounts.xlsx"
    assert base64.b64decode(xlsx["content"]).startswith(b"PK")  # a zip: the workbook


def test_a_chart_download_shows_what_its_page_shows(request_ctx, dash_app, monkeypatch):
    """The Retention page's bridge is of the tier picked there; so is its downloaded file."""
    from dashboard import exporting

    rendered = []
    monkeypatch.setattr(exporting, "render", lambda fig, fmt: rendered.append(fig) or b"%PDF")
    for tier, graph in (("Key", ids.RET_BRIDGE), (None, ids.OVERVIEW_BRIDGE)):
        monkeypatch.setattr(
            exporting.dash,
            "ctx",
            SimpleNamespace(
                triggered_id={
                    "type": ids.CHART_EXPORT,
                    "chart": "arr-bridge",
                    "format": "pdf",
                    "graph": graph,
                },
                triggered=[{"value": 1}],
            ),
        )
        options = ([tier], [ids.RET_TIER]) if tier else ([], [])  # the Overview: no picker
        download, message = exporting.export_chart(
            _clicks=[1], settings=DEFAULT_SETTINGS, option_values=options[0], option_ids=options[1]
        )
        assert message == "" and download["filename"] == "strata-arr-bridge.pdf"
    key_title, all_title = (fig.layout.title.text for fig in rendered)
    assert "Key" in key_title and "All tiers" in all_title


def test_each_board_pack_button_delivers_its_format_or_says_why_not(request_ctx, monkeypatch):
    from dashboard import exporting
    from exports.render import ExportUnavailable

    monkeypatch.setattr(exporting, "pack_bytes", lambda pack, fmt: f"{fmt}:{len(pack.charts)}".encode())
    pptx, message = exporting.export_pack_pptx(_clicks=1, settings=DEFAULT_SETTINGS)
    assert message == "" and pptx["filename"] == "strata-board-pack.pptx"
    assert base64.b64decode(pptx["content"]).startswith(b"pptx:")
    pdf, _ = exporting.export_pack_pdf(_clicks=1, settings=DEFAULT_SETTINGS)
    assert pdf["filename"] == "strata-board-pack.pdf" and base64.b64decode(
        pdf["content"]
    ) == base64.b64decode(pptx["content"]).replace(b"pptx", b"pdf")  # the same pack

    def no_browser(pack, fmt):
        raise ExportUnavailable("Exports need Chrome or Chromium.")

    monkeypatch.setattr(exporting, "pack_bytes", no_browser)
    download, message = exporting.export_pack_pdf(_clicks=1, settings=DEFAULT_SETTINGS)
    assert download is dash.no_update and "need Chrome or Chromium" in str(message)


def test_board_pack_carries_the_deployments_company_and_the_loads_notes(request_ctx, monkeypatch):
    """Issue 17: the cover's company name comes from the app's settings, the key-figures slide
    shows the notes of the data loaded."""
    from dataclasses import replace

    import flask

    from dashboard import exporting, state

    settings = flask.current_app.extensions["strata_settings"]
    monkeypatch.setitem(
        flask.current_app.extensions, "strata_settings", replace(settings, company_name="Acme")
    )
    accounts, meta = state.current_data()
    monkeypatch.setattr(state, "current_data", lambda: (accounts, {**meta, "notes": ["2 rows left out"]}))
    packs = []
    monkeypatch.setattr(exporting, "pack_bytes", lambda pack, fmt: packs.append(pack) or b"x")
    exporting.export_pack_pptx(_clicks=1, settings=DEFAULT_SETTINGS)
    (pack,) = packs
    assert pack.branding.company == "Acme"
    assert pack.slides[1].warnings == ("Data note: 2 rows left out",)


def test_plain_tables_format_cells_and_say_what_they_leave_out():
    from dashboard.components import plain_table
    from portfolio.formatting import money

    frame = pd.DataFrame({"account_name": ["<b>A</b>", "B", "C"], "arr": [3e6, 2e5, 1e3]})
    table = plain_table(
        frame, {"account_name": "Account", "arr": "ARR"}, {"arr": money}, right=("arr",), limit=2
    )
    assert table_rows(table) == [["<b>A</b>", "$3.00M"], ["B", "$200k"]]  # markup stays text
    assert table.children[1].children == "The first 2 of 3 are shown."
    assert len(table_rows(plain_table(frame, {"arr": "ARR"}))) == 3 and len(table.children) == 2


def test_plain_tables_colour_tier_cells_by_row_not_by_query():
    """Tier names take their tier's text colour through styles naming the cells' rows (one per
    column and tier that occurs): DataTable evaluates a ``filter_query`` style on every cell of
    every column, which took ~40% of the Tiers page's redraw of its lists (issue 14)."""
    from dashboard.components import plain_table, tier_label
    from reporting.theme import TIER_TEXT_COLORS

    frame = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D"],
            "now": ["Strategic", "Key", "Strategic", "Standard"],
            "was": ["Key"] * 4,
        }
    )
    table = plain_table(
        frame, {"name": "Account", "now": "Now", "was": "Was"}, {"now": tier_label, "was": tier_label}
    )
    styles = table.children[0].style_data_conditional
    assert styles[0] == {"if": {"row_index": "odd"}, "backgroundColor": "#f6f7f9"}
    assert styles[1:] == [
        {"if": {"column_id": "now", "row_index": [0, 2]}, "color": TIER_TEXT_COLORS["Strategic"]},
        {"if": {"column_id": "now", "row_index": [1]}, "color": TIER_TEXT_COLORS["Key"]},
        {"if": {"column_id": "now", "row_index": [3]}, "color": TIER_TEXT_COLORS["Standard"]},
        {"if": {"column_id": "was", "row_index": [0, 1, 2, 3]}, "color": TIER_TEXT_COLORS["Key"]},
    ]
    assert not any("filter_query" in style["if"] for style in styles)


def test_the_list_all_buttons_cost_no_request_when_the_lists_are_redrawn(dash_app, pages):
    """The buttons are new with each what-if redraw, which fires their callback: a browser-side
    one (no round trip; the server checks the list when the modal asks for its rows)."""
    listening = [
        c
        for c in [*dash_app._callback_list, *dash._callback.GLOBAL_CALLBACK_LIST]  # before/after setup
        if any(ids.TIERS_LIST_ALL in str(i.get("id")) for i in c.get("inputs", []))
    ]
    assert len(listening) == 1 and listening[0].get("clientside_function")
    served = [c for c in dash_app.callback_map.values() if ids.TIERS_LIST_ALL in str(c.get("inputs"))]
    assert all(c.get("callback") is None for c in served)  # no Python function answers it
