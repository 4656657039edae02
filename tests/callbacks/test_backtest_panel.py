"""The Simulator page's back-test panel: collapsible, on demand, cleared when the data changes."""

import importlib

import pytest
from dash._callback import GLOBAL_CALLBACK_MAP
from test_simulator_page import find

from dashboard import ids
from portfolio.whatif import DEFAULT_SETTINGS
from reporting.backtest import PANEL_TITLE


@pytest.fixture(scope="module")
def page(dash_app):
    return importlib.import_module("dashboard.pages.simulator")


def test_panel_is_collapsed_and_waits_for_its_button(page):
    layout = page.layout()
    panel = page._backtest_panel()
    assert type(panel).__name__ == "Details" and not getattr(panel, "open", False)
    assert panel.children[0].children == PANEL_TITLE
    assert find(layout, ids.SIM_BACKTEST_RUN) is not None
    assert find(layout, ids.SIM_BACKTEST_OUT).children == page.BACKTEST_PROMPT  # nothing computed on load


def test_run_shows_table_mode_and_verdict(request_ctx, page):
    view = page.run_backtest(_clicks=1, settings=DEFAULT_SETTINGS)
    text = str(view)
    assert "In-sample: the file is a snapshot" in text
    assert "checks pass" in text and "Simulated P5–P95" in text
    table = view.children[1].children[0]  # plain_table's DataTable
    assert [row["figure"] for row in table.data][:3] == ["NRR", "GRR", "ARR churn"]
    assert page.clear_backtest(data_version=1, settings=DEFAULT_SETTINGS) == page.BACKTEST_PROMPT


def test_the_button_triggers_one_callback_alone(dash_app, page):
    triggered = [
        entry
        for entry in {**GLOBAL_CALLBACK_MAP, **dash_app.callback_map}.values()
        if any(i["id"] == ids.SIM_BACKTEST_RUN for i in entry["inputs"])
    ]
    assert len(triggered) == 1 and len(triggered[0]["inputs"]) == 1
