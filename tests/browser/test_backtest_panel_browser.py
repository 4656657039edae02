"""The Simulator's back-test panel in a browser: opens, runs on demand, passes axe (WCAG AA)."""

from __future__ import annotations

import pytest
from test_accessibility import assert_no_violations, wait_drawn

from browser_helpers import click, open_page

pytestmark = pytest.mark.browser


def test_backtest_panel_opens_runs_and_is_accessible(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    wait_drawn(dash_duo, "overview")
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=30)
    assert not dash_duo.find_element("#sim-backtest-run").is_displayed()  # collapsed on load
    click(dash_duo, "details.card summary")
    click(dash_duo, "#sim-backtest-run")
    dash_duo.wait_for_contains_text("#sim-backtest-result", "checks pass", timeout=60)
    text = dash_duo.find_element("#sim-backtest-result").text
    assert "In-sample" in text and "ARR churn" in text and "Simulated P5–P95" in text
    assert_no_violations(dash_duo, "/simulator with the back-test shown")
    assert dash_duo.get_logs() == []
