"""The Decisions page's callbacks (issue 17), called directly (no browser)."""

import importlib

import pytest
from dash import no_update

from dashboard import chart_tables, ids
from dashboard.components import table_ids
from portfolio.whatif import DEFAULT_SETTINGS
from tests.callbacks.test_chart_table_callbacks import triggered_by
from tests.callbacks.test_simulator_page import find


@pytest.fixture(scope="module")
def page(dash_app):
    return importlib.import_module("dashboard.pages.decisions")


def answer(page, **changes):
    options = dict(_clicks=1, sams=6, max_moves=None, keep="", exclude="", settings=DEFAULT_SETTINGS)
    return page.answer(**{**options, **changes})


def test_six_sams_answer_the_three_questions(request_ctx, page):
    assert page.fill_sams(settings=DEFAULT_SETTINGS, _version=0) == 4  # the demo's strategic SAMs
    out = answer(page)
    assert out["error"] == ""
    assert out["headline"].startswith("With 6 strategic SAMs:")
    assert (
        "Treatment effect: Assumed, not measured in this data (" in out["headline"]
    )  # where the gain comes from
    scenario = out["scenario"]
    assert scenario["sams"] == 6 and scenario["promote"]
    assert out["href"].startswith("/simulator?promote=" + scenario["promote"][0])
    assert out["href"].endswith("staffing=hire&sams=6")  # 6 SAMs, 4 today: the scenario has 6
    assert out["owner_moves"] and {"from_sam", "to_sam"} <= set(out["owner_moves"][0])
    download = page.download_moves(_clicks=1, moves=out["owner_moves"])
    assert download["filename"] == "strata-sam-moves.csv"

    figure_npv, figure_arr, paths, error = page.how_sure(
        _clicks=1, scenario=scenario, settings=DEFAULT_SETTINGS
    )
    assert error == "" and len(paths["scenario"]) == 1000 and len(paths["runs"]) == 12
    assert "NPV" in figure_npv.layout.title.text and "ARR" in figure_arr.layout.title.text
    tables = {
        name: _table(name, out["scenario"], paths)
        for name in ("decisions-gains", "decisions-books", "decisions-tornado-npv", "decisions-tornado-arr")
    }
    assert tables["decisions-gains"].data[0]["Move"] == "made strategic"
    assert len(tables["decisions-gains"].data) == len(scenario["promote"]) + len(scenario["demote"])
    assert len(tables["decisions-tornado-npv"].data) == 12
    assert {"SAM", "Load after"} <= set(tables["decisions-books"].data[0])
    text = str(page.show_hit_plan(target=50_000_000, paths=paths))
    assert "baseline" in text and "Moved most by" in text
    assert "positive amount" in str(page.show_hit_plan(target=-5, paths=paths))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sams": 2.5}, "whole number of at least 1"),
        ({"keep": "A10001", "exclude": "A10001"}, "both kept and excluded: A10001"),
        ({"keep": "NOPE"}, "unknown or inactive"),
        ({"sams": None}, "Enter the number of strategic SAMs"),
    ],
)
def test_bad_input_says_why_and_changes_nothing(request_ctx, page, changes, message):
    out = answer(page, **changes)
    assert message in out["error"]
    assert all(v is no_update for k, v in out.items() if k != "error")


def test_simulate_this_ticks_the_moves_in_the_simulator(request_ctx, dash_app):
    simulator = importlib.import_module("dashboard.pages.simulator")
    layout = simulator.layout(promote="A1,A2", demote="A3", staffing="keep", sams="6")
    preset = find(layout, ids.SIM_PRESET).data
    assert preset == {"ids": ["A1", "A2", "A3"], "staffing": "keep", "sams": 6}
    assert find(layout, ids.SIM_SCENARIO_SAMS).value == 6  # the scenario is staffed as recommended
    assert simulator.layout(promote="A1", sams="../etc")  # not a number: left blank, no error
    rows = [{"account_id": "A1"}, {"account_id": "A3"}]
    assert simulator.tick_preset(rows=rows, preset=preset) == ({"ids": ["A1", "A3"]}, "keep")


def _table(name: str, result: dict, paths: dict):
    """The chart's "View as table", opened (dashboard.chart_tables.decisions_table)."""
    graph = {
        "decisions-gains": ids.DEC_GAINS,
        "decisions-books": ids.DEC_BOOKS,
        "decisions-tornado-npv": ids.DEC_TORNADO_NPV,
        "decisions-tornado-arr": ids.DEC_TORNADO_ARR,
    }[name]
    triggered_by(table_ids(graph, name)[ids.TABLE_REQUEST])
    region = chart_tables.decisions_table(requested=1, result=result, paths=paths)
    assert region.to_plotly_json()["props"]["role"] == "region"
    return next(c for c in region.children if type(c).__name__ == "Div").children[0]  # after the note


def test_books_that_cannot_be_balanced_leave_the_recommendation(request_ctx, page, monkeypatch):
    """A file without a SAM column and no headcount: the recommendation is shown, the books say why."""

    def no_sams(*_args, **_kwargs):
        raise ValueError("the file names no SAMs (no sam column): give the headcount to assign to")

    monkeypatch.setattr(page.decisions, "assign_for", no_sams)
    out = answer(page)
    assert out["error"] == "" and out["headline"].startswith("With 6 strategic SAMs")
    assert out["books_note"].startswith("The books cannot be balanced: the file names no SAMs")
    assert out["owner_moves"] == []
