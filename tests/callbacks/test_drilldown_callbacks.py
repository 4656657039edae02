"""Issue 14 items 6–7 through the callbacks: the Data grid holds every account (the 5,000-row cap
hid 817 of the issue's 5,817 accounts, churned ones among them), the action lists and every
chart's click open the shared modal, and its downloads are the list shown."""

import base64
import importlib
import json
from types import SimpleNamespace

import pandas as pd
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate

from dashboard import PAGES, drilldown, ids
from portfolio.demo import generate_demo
from portfolio.whatif import DEFAULT_SETTINGS


@pytest.fixture(scope="module")
def pages(dash_app):
    return SimpleNamespace(**{n: importlib.import_module(f"dashboard.pages.{n}") for n in PAGES})


def upload(frame: pd.DataFrame) -> str:
    return "data:text/csv;base64," + base64.b64encode(frame.to_csv(index=False).encode()).decode()


def triggered_by(component_id: dict) -> None:
    prop = json.dumps(component_id, separators=(",", ":"), sort_keys=True) + ".n_clicks"
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop, "value": 1}]))


@pytest.fixture
def big(request_ctx, pages):
    """5,817 accounts uploaded in this session (the issue's count), churned ones included."""
    frame = generate_demo(5817, seed=3)
    pages.data.on_upload(contents=upload(frame), filename="big.csv", version=0)
    return frame


def test_the_grid_reaches_every_account_beyond_5000(big, pages):
    response = pages.data.grid_rows({"startRow": 5800, "endRow": 5900}, None, DEFAULT_SETTINGS)
    assert response["rowCount"] == 5817 and len(response["rowData"]) == 17  # rows 5,801–5,817
    assert response["rowData"][-1]["arr"] == 0  # largest first: the churned come last
    _, count = pages.data.update_grid(DEFAULT_SETTINGS, 1, None)
    assert count.startswith("All 5,817 accounts")


def test_a_churned_account_is_found_by_search(big, pages):
    churned = big.loc[big["arr"] == 0, "account_name"].iloc[-1]
    response = pages.data.grid_rows({"startRow": 0, "endRow": 100}, churned.lower(), DEFAULT_SETTINGS)
    names = [r["account_name"] for r in response["rowData"]]
    assert churned in names and response["rowCount"] == len(names)
    _, count = pages.data.update_grid(DEFAULT_SETTINGS, 1, churned)
    assert count.startswith(f"{response['rowCount']:,} of 5,817 accounts match")


def test_grid_sorting_is_done_on_the_server(big, pages):
    request = {"startRow": 0, "endRow": 3, "sortModel": [{"colId": "arr", "sort": "asc"}]}
    rows = pages.data.grid_rows(request, None, DEFAULT_SETTINGS)["rowData"]
    assert [r["arr"] for r in rows] == [0.0, 0.0, 0.0]


def test_an_altered_request_gets_at_most_1000_rows(big, pages):
    response = pages.data.grid_rows({"startRow": 0, "endRow": 10**9, "sortModel": "x"}, None, None)
    assert len(response["rowData"]) == 1000
    assert len(pages.data.grid_rows("nonsense", None, None)["rowData"]) == drilldown.BLOCK_ROWS


def test_action_list_button_opens_the_modal_with_a_download(big, pages):
    triggered_by({"type": ids.DATA_ACTION, "list": "churned"})
    selection = pages.data.open_action_list([1, None, None, None, None])
    assert selection == {"chart": "action-list", "key": "churned"}
    opened = drilldown.open_modal(selection, DEFAULT_SETTINGS)
    churned = int(((big["arr"] == 0) & (big["arr_prior"] > 0)).sum())
    assert opened["is_open"] and opened["title"].startswith(f"Churned accounts: {churned:,} accounts")
    assert [c["field"] for c in opened["columns"]][:5] == [
        "account_id",
        "account_name",
        "arr",
        "arr_prior",
        "arr_change",
    ]
    rows = drilldown.drill_rows({"startRow": 0, "endRow": 100}, selection, DEFAULT_SETTINGS)
    assert rows["rowCount"] == churned and all(r["arr"] == 0 for r in rows["rowData"])
    csv = drilldown.download_csv(1, selection, DEFAULT_SETTINGS)
    assert csv["filename"] == "strata-churned.csv"
    assert base64.b64decode(csv["content"]).decode("utf-8-sig").count("\n") == churned + 1
    assert drilldown.download_xlsx(1, selection, DEFAULT_SETTINGS)["filename"] == "strata-churned.xlsx"


def test_action_buttons_appearing_do_nothing(request_ctx, pages):
    triggered_by({"type": ids.DATA_ACTION, "list": "churned"})
    with pytest.raises(PreventUpdate):
        pages.data.open_action_list([None] * 5)


@pytest.mark.parametrize(
    ("chart", "point", "tier", "key"),
    [
        ("tier-distribution", {"x": "Key", "curveNumber": 1}, None, "Key"),
        ("retention-by-tier", {"x": "Strategic"}, None, "Strategic"),
        ("arr-bridge", {"x": "Churn"}, "Key", {"tier": "Key", "step": "Churn"}),
        ("arr-bridge", {"x": "Churn"}, "All", {"tier": "All", "step": "Churn"}),
        ("pareto", {"x": 0.25, "y": 0.7}, None, 0.25),
        (
            "sam-workload",
            {"y": "Ann &amp; Bo", "curveNumber": 2},
            None,
            {"sam": "Ann & Bo", "tier": "Standard"},
        ),
        ("sam-headcount", {"x": "Strategic"}, None, "Strategic"),
    ],
)
def test_a_click_becomes_a_selection(chart, point, tier, key):
    assert drilldown.selection_from_click(chart, {"points": [point]}, tier) == {"chart": chart, "key": key}


@pytest.mark.parametrize("click", [None, {}, {"points": []}, {"points": ["x"]}, "text"])
def test_a_click_on_nothing_selects_nothing(click):
    assert drilldown.selection_from_click("pareto", click) is None


def test_a_bar_click_opens_the_modal_on_its_accounts(request_ctx):
    selection = drilldown.selection_from_click("tier-distribution", {"points": [{"x": "Strategic"}]})
    opened = drilldown.open_modal(selection, DEFAULT_SETTINGS)
    assert opened["is_open"] and opened["title"].startswith("Strategic: ")
    rows = drilldown.drill_rows({"startRow": 0, "endRow": 100}, selection, DEFAULT_SETTINGS)
    assert rows["rowCount"] == int(opened["title"].split(": ")[1].split(" ")[0])
    assert {r["tier"] for r in rows["rowData"]} == {"Strategic"}


@pytest.mark.parametrize(
    "selection",
    [
        {"chart": "pareto", "key": "all of them"},
        {"chart": "sam-workload", "key": {"sam": "<b>nobody</b>", "tier": "Key"}},
        {"chart": "unknown", "key": 1},
        "nonsense",
        {"key": 1},
    ],
)
def test_an_altered_selection_is_a_message_not_a_traceback(request_ctx, selection):
    opened = drilldown.open_modal(selection, DEFAULT_SETTINGS)
    assert opened["is_open"] and opened["title"] == "No accounts to show" and opened["note"]
    assert drilldown.drill_rows({"startRow": 0, "endRow": 10}, selection, None) == {
        "rowData": [],
        "rowCount": 0,
    }
    with pytest.raises(PreventUpdate):
        drilldown.download_csv(1, selection, None)
