"""The Trends page in a browser on a real order export: it draws its charts, logs no
console error and passes axe (WCAG 2.1 AA), also with a chart's table open. With
``STRATA_SCREENSHOT_DIR`` set, it also saves screenshots of the page there (to look at them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dash.testing.wait import until
from test_accessibility import assert_no_violations, wait_drawn

from browser_helpers import click, open_page
from conftest import real_file

pytestmark = pytest.mark.browser


def test_trends_page_draws_an_order_export_accessibly(dash_duo, dash_app):
    path = real_file("Sample - Superstore.csv")
    dash_duo.start_server(dash_app)
    wait_drawn(dash_duo, "overview")
    open_page(dash_duo, "/data")
    dash_duo.find_element("#data-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_contains_text("#data-ok", "accounts", timeout=30)
    open_page(dash_duo, "/trends")
    until(
        lambda: len(dash_duo.find_elements("#trends-charts .js-plotly-plot .main-svg")) >= 3,
        timeout=30,
        msg="the Trends page did not draw its charts",
    )
    dash_duo.wait_for_contains_text("#trends-note", "9 quarter ends", timeout=10)
    assert "Order data, not subscriptions" in dash_duo.find_element("#trends-note").text
    summary = dash_duo.driver.execute_script(
        "return document.getElementById('trends-arr-summary').textContent"
    )
    assert summary.startswith("ARR went from $474k to $734k")
    if os.environ.get("STRATA_SCREENSHOT_DIR"):
        dash_duo.driver.set_window_size(1440, 3000)
        dash_duo.driver.save_screenshot(str(Path(os.environ["STRATA_SCREENSHOT_DIR"]) / "trends.png"))
    assert_no_violations(dash_duo, "/trends on Sample - Superstore.csv")
    click(dash_duo, "button[aria-controls='trends-bridge-graph-table']")
    table = "#trends-bridge-graph-table .chart-table"
    until(lambda: len(dash_duo.find_elements(f"{table} tr")) == 10, timeout=20, msg="no row per quarter end")
    headers = [th.text for th in dash_duo.find_elements(f"{table} th")]
    assert headers[:3] == ["Quarter end", "ARR a year before", "Expansion (ARR)"]
    if os.environ.get("STRATA_SCREENSHOT_DIR"):
        dash_duo.driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()", table)
        dash_duo.driver.save_screenshot(str(Path(os.environ["STRATA_SCREENSHOT_DIR"]) / "trends-table.png"))
    assert_no_violations(dash_duo, "/trends with the bridge table open")
    assert dash_duo.get_logs() == []
