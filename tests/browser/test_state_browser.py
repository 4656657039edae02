"""Issue 14 items 1, 8 and 11 in a browser: the Simulator keeps its ticks, settings and last
result across a page change; the segment filter changes a page's figures and survives a reload;
"Simulate this re-tiering" opens the Simulator with the matrix's moves."""

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from browser_helpers import click, kpi, open_page, simulator_headline

pytestmark = pytest.mark.browser


def ticked(dash_duo) -> int:
    """Rows ticked in the Simulator's account grid (the grid draws only the rows in view)."""
    script = "return dash_ag_grid.getApi('sim-accounts-grid').getSelectedRows().length"
    return dash_duo.driver.execute_script(script)


def test_the_simulator_keeps_its_state_across_a_page_change(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=20)
    click(dash_duo, "#sim-next-button")  # promote the next 5 by score
    dash_duo.wait_for_contains_text("#sim-headline", "Promoting 5 accounts", timeout=20)
    before = simulator_headline(dash_duo)
    cost = dash_duo.find_element("#sim-cost-per-sam")
    cost.send_keys(Keys.CONTROL, "a")
    cost.send_keys("250000")
    until(lambda: simulator_headline(dash_duo) not in ("", before), timeout=20)  # a new NPV
    headline = simulator_headline(dash_duo)
    until(lambda: ticked(dash_duo) == 5, timeout=10)

    open_page(dash_duo, "/")
    dash_duo.wait_for_element(".kpi-card", timeout=10)
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Promoting 5 accounts", timeout=20)
    until(lambda: ticked(dash_duo) == 5, timeout=10)
    assert dash_duo.find_element("#sim-cost-per-sam").get_attribute("value") == "250000"
    assert simulator_headline(dash_duo) == headline  # the same result, not a new run's
    assert dash_duo.get_logs() == []


def test_the_segment_filter_changes_the_figures_and_survives_a_reload(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_element(".kpi-card", timeout=10)
    everyone = kpi(dash_duo, "Total ARR")
    click(dash_duo, "button[id*='whatif-filter'][id*='segment']")  # the segment multi-select
    click(dash_duo, ".dash-dropdown-option input[value='Enterprise']")
    dash_duo.find_element(".dash-dropdown-content").send_keys(Keys.ESCAPE)
    dash_duo.wait_for_contains_text("#whatif-filter-note", "Filtered to Segment: Enterprise", timeout=10)
    until(lambda: kpi(dash_duo, "Total ARR") != everyone, timeout=10)
    enterprise = kpi(dash_duo, "Total ARR")
    dash_duo.driver.refresh()  # the filter is kept with the data, server-side
    dash_duo.wait_for_contains_text("#whatif-filter-note", "Filtered to Segment: Enterprise", timeout=10)
    until(lambda: kpi(dash_duo, "Total ARR") == enterprise, timeout=10)
    assert dash_duo.get_logs() == []


def test_simulate_this_re_tiering_opens_the_simulator_with_the_moves(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/tiers")
    dash_duo.wait_for_contains_text("#tiers-migration", "9 promotion(s), 12 demotion(s)", timeout=20)
    click(dash_duo, "#tiers-simulate-retiering")
    dash_duo.wait_for_contains_text("#sim-retier-note", "21 account(s) ticked", timeout=20)
    dash_duo.wait_for_contains_text(
        "#sim-headline", "Promoting 9 accounts and demoting 12 accounts", timeout=30
    )
    until(lambda: ticked(dash_duo) == 21, timeout=10)
    assert dash_duo.driver.current_url.endswith("/simulator")
    assert dash_duo.get_logs() == []
