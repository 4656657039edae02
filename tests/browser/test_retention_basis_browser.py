"""Issue 14: the Retention page's tier-basis switch is a what-if setting — it survives a page
change and a what-if change, and the chart title says which basis is shown."""

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from browser_helpers import click, open_page

pytestmark = pytest.mark.browser


def _title(dash_duo) -> str:
    return dash_duo.find_element("#retention-by-tier-graph .gtitle").text


def test_tier_basis_switch_is_kept_across_pages_and_what_if_changes(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/retention")
    dash_duo.wait_for_contains_text("#retention-tier-basis-note", "assigned tier column", timeout=10)
    until(lambda: _title(dash_duo).endswith("(assigned tier)"), timeout=10)
    click(dash_duo, "#retention-tier-basis input[value='scorecard']")
    dash_duo.wait_for_text_to_equal(
        "#retention-tier-basis-note", "Tier: the scorecard on prior ARR.", timeout=10
    )
    until(lambda: _title(dash_duo).endswith("(scorecard on prior ARR)"), timeout=10)
    open_page(dash_duo, "/")
    handle = dash_duo.find_elements("#whatif-thresholds [role=slider]")[-1]
    handle.click()
    handle.send_keys(Keys.ARROW_RIGHT)
    open_page(dash_duo, "/retention")
    dash_duo.wait_for_text_to_equal(
        "#retention-tier-basis-note", "Tier: the scorecard on prior ARR.", timeout=10
    )
    assert dash_duo.find_element("#retention-tier-basis input[value='scorecard']").is_selected()
    assert dash_duo.get_logs() == []
