"""The Simulator's staffing choice in a real browser: "keep today's SAMs" reaches the simulation.

The radio once shared its id with the staffing table, so the page never read it and every
scenario hired the SAMs its move needed.
"""

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser_helpers import click, open_page, simulator_headline

pytestmark = pytest.mark.browser


def staffing_table(dash_duo) -> dict[str, dict[str, str]]:
    """The "Strategic SAMs" table: variant → column → cell."""
    table = dash_duo.find_element("#sim-staffing-table table")
    header = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    rows = {}
    for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
        cells = [td.text for td in tr.find_elements(By.CSS_SELECTOR, "td")]
        rows[cells[0]] = dict(zip(header, cells, strict=True))
    return rows


def test_keep_todays_sams_adds_no_sams_where_hire_adds_two(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=20)
    assert dash_duo.find_element("#sim-staffing input[value='hire']").is_selected()
    # the treatment effect in one sentence, saying where it comes from (the demo: assumed)
    dash_duo.wait_for_contains_text("#sim-treatment-text", "churn 15% less than comparable", timeout=20)
    assert (
        "Assumed, not measured in this data (too few churned accounts"
        in dash_duo.find_element("#sim-treatment-text").text
    )
    assert dash_duo.find_element("#sim-hazard-ratio").get_attribute("value") == "0.85"

    n = dash_duo.find_element("#sim-next-n")
    n.send_keys(Keys.CONTROL, "a")
    n.send_keys("20")
    click(dash_duo, "#sim-next-button")  # promote the next 20 by score
    dash_duo.wait_for_contains_text("#sim-headline", "Promoting 20 accounts", timeout=20)
    # hiring what the move needs: 50 → 70 strategic accounts at 10 per SAM is 2 more SAMs
    dash_duo.wait_for_contains_text("#sim-staffing-table", "2 more SAM(s)", timeout=20)
    assert "from hiring 2 SAMs" in simulator_headline(dash_duo)

    click(dash_duo, "#sim-staffing input[value='keep']")
    dash_duo.wait_for_contains_text("#sim-staffing-table", "The scenario keeps today's SAMs", timeout=20)
    until(lambda: set(staffing_table(dash_duo)) == {"Baseline", "Scenario"}, timeout=10)
    table = staffing_table(dash_duo)
    assert table["Scenario"]["SAMs"] == table["Baseline"]["SAMs"] == "4"
    assert table["Scenario"]["strategic accounts"] == "70"
    assert "Promoting 20 accounts" in simulator_headline(dash_duo)
    assert "hiring" not in simulator_headline(dash_duo)
    assert "from the move with today's 4 strategic SAMs" in simulator_headline(dash_duo)
    assert dash_duo.get_logs() == []
