"""The What changed page and the Retention page's convention switch, called directly."""

import base64
import importlib

import dash
import pytest
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.whatif import analyze_session
from portfolio.whatif import DEFAULT_SETTINGS
from tests.unit.test_snapshots import FILE


@pytest.fixture(scope="module")
def pages(dash_app):
    names = ("changes", "data", "retention")
    return {n: importlib.import_module(f"dashboard.pages.{n}") for n in names}


def _upload(pages, text: str, name: str = "snaps.csv") -> dict:
    contents = "data:text/csv;base64," + base64.b64encode(text.encode()).decode()
    return pages["data"].on_upload(contents=contents, filename=name, version=0)


def test_demo_says_what_data_the_page_needs(request_ctx, pages):
    assert pages["changes"].date_choices(0) == ([], None, [], None)
    out = pages["changes"].update_changes(None, None)
    assert "snapshot_date column" in str(out[0]) and "Data page" in str(out[0])
    assert out[1].layout.title.text == "What changed — needs two snapshots"


def test_uploaded_snapshots_compare_the_last_two(request_ctx, pages):
    assert _upload(pages, FILE)["version"] == 1
    options, start, _, end = pages["changes"].date_choices(1)
    assert (options, start, end) == (["2022-12-31", "2023-12-31"], "2022-12-31", "2023-12-31")
    out = pages["changes"].update_changes(start, end)
    note, walk, summary, matrix, new, lost, _, walk_dates, _ = out
    assert note == [] and walk_dates == "2022-12-31|2023-12-31"
    assert list(walk.data[0].y) == [550, 240, -150, 0, 640]
    assert summary.startswith("Strategic ARR went from $550 to $640")
    assert "1 account(s) became Strategic" in summary and "1 left it (0 churned, 1 demoted" in summary
    bars = matrix.data[0]
    cells = {(y, b): t for y, b, t in zip(bars.y, bars.base, bars.text, strict=True)}
    assert cells[("Key then", 0)] == "1 · $240 → $240"  # F: Key → Strategic
    assert cells[("Strategic then", 1)] == "1 · $150 → $150"  # G: Strategic → Key (demoted)
    assert "Foxtrot" in str(new) and "Golf" in str(lost) and "demoted" in str(lost)


def test_dates_out_of_order_say_so_and_change_nothing(request_ctx, pages):
    _upload(pages, FILE)
    before = analyze_session(DEFAULT_SETTINGS).concentration.total_arr
    out = pages["changes"].update_changes("2023-12-31", "2022-12-31")
    assert "must be before" in str(out[0])
    assert analyze_session(DEFAULT_SETTINGS).concentration.total_arr == before


def test_a_duplicate_row_is_rejected_and_the_data_stays(request_ctx, pages):
    _upload(pages, FILE)
    out = _upload(pages, FILE + "B,Beta,1,Key,2023-12-31\n", "bad.csv")
    assert out["version"] is dash.no_update and "(first on row 9)" in str(out["report"])
    assert pages["changes"].date_choices(1)[0] == ["2022-12-31", "2023-12-31"]  # still loaded


def test_convention_switch_goes_into_the_settings_and_the_reconciliation(request_ctx, pages):
    switched = pages["retention"].set_convention("reactivation_as_expansion", DEFAULT_SETTINGS)
    assert switched == {**DEFAULT_SETTINGS, "convention": "reactivation_as_expansion"}
    with pytest.raises(PreventUpdate):  # only an altered request sends another value
        pages["retention"].set_convention("made-up", DEFAULT_SETTINGS)
    out = pages["retention"].update_retention(switched, 0, "All")
    assert out[5].startswith("Reactivation counted as expansion: NRR and GRR over")
    cells = str(out[6])
    assert "+ reactivated accounts" in cells and "Opening-ARR cohort" in cells
    assert ids.RET_RECONCILIATION == "retention-reconciliation"


def test_the_migration_table_follows_the_dates_on_the_page(request_ctx, pages):
    from dashboard import chart_tables
    from dashboard.components import table_ids
    from tests.callbacks.test_chart_table_callbacks import triggered_by

    _upload(pages, FILE)
    triggered_by(table_ids(ids.CHANGES_MATRIX, "changes-migration")[ids.TABLE_REQUEST])
    region = chart_tables.analysis_table(
        requested=1,
        settings=DEFAULT_SETTINGS,
        option_values=["2022-12-31|2023-12-31"],
        option_ids=[ids.CHANGES_MATRIX_DATES],
    )
    assert "Tiers 2022-12-31 → 2023-12-31" in str(region) and "Key" in str(region)


def test_an_uploaded_order_export_compares_its_last_two_quarter_ends(request_ctx, pages):
    """SaaS-Sales.csv (orders 2020-01-04 … 2023-12-31): snapshots at the quarter ends with a
    year of history before them, 2020-12-31 … 2023-12-31; the walk ends at the Trends page's
    strategic ARR of 2023-12-31 (tests/unit/test_history_changes.py checks that figure)."""
    from conftest import real_file
    from portfolio.carried import quarters_of
    from portfolio.trends import quarterly_trend

    text = real_file("SaaS-Sales.csv").read_text(encoding="utf-8-sig")
    version = _upload(pages, text, "SaaS-Sales.csv")["version"]
    options, start, _, end = pages["changes"].date_choices(version)
    assert (options[0], len(options), start, end) == ("2020-12-31", 13, "2023-09-30", "2023-12-31")
    note, walk, summary, *_ = pages["changes"].update_changes(start, end)
    assert note == [] and summary.startswith("Strategic ARR went from")
    accounts = analyze_session(DEFAULT_SETTINGS).accounts
    last = quarterly_trend(quarters_of(accounts)).points[-1]
    assert sum(walk.data[0].y[:-1]) == pytest.approx(walk.data[0].y[-1])
    assert walk.data[0].y[-1] == pytest.approx(last.tier_arr["Strategic"])
