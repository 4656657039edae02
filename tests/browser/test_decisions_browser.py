"""The Decisions page in a browser (issue 17): the answer on load, "How sure are we?", the ARR
target, "Simulate this" into the Simulator, and no WCAG AA violation with everything shown."""

from __future__ import annotations

import pytest
from test_accessibility import assert_no_violations, wait_drawn

from browser_helpers import click, open_page

pytestmark = pytest.mark.browser


def test_decisions_page_answers_and_simulates(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    wait_drawn(dash_duo, "overview")
    open_page(dash_duo, "/decisions")
    dash_duo.wait_for_contains_text("#dec-headline", "With 4 strategic SAMs", timeout=60)
    dash_duo.find_element("#dec-sams").clear()
    dash_duo.find_element("#dec-sams").send_keys("6")
    dash_duo.wait_for_contains_text("#dec-headline", "With 6 strategic SAMs", timeout=60)
    click(dash_duo, "#dec-sensitivity-run")
    dash_duo.wait_for_contains_text("#dec-tornado-npv-graph", "moves it most", timeout=180)
    target = dash_duo.find_element("#dec-target")
    target.send_keys("52000000\n")
    dash_duo.wait_for_contains_text("#dec-hit-plan", "with the recommendation", timeout=20)
    assert "Moved most by" in dash_duo.find_element("#dec-hit-plan").text
    assert_no_violations(dash_duo, "Decisions, everything shown")
    click(dash_duo, "#dec-simulate")
    dash_duo.wait_for_contains_text("#sim-headline", "Promoting", timeout=90)
    assert dash_duo.get_logs() == []
