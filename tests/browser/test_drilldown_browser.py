"""Issue 14 items 6–7 in a browser: a bar's click opens its accounts in the shared modal, and the
Data grid finds a churned account (the 5,000-row grid never held one of the demo's churned
accounts below its cut, and its client-side search could not find what it did not hold)."""

import pandas as pd
import pytest
from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from browser_helpers import open_page
from conftest import DEMO

pytestmark = pytest.mark.browser

MODAL = "#drill-modal"


def modal_rows(dash_duo) -> list[str]:
    """The modal grid's row texts; [] while ag-grid is redrawing them (a row found a moment ago
    can be gone when its text is read), so ``until`` asks again."""
    try:
        return [row.text for row in dash_duo.find_elements(f"{MODAL} .ag-center-cols-container .ag-row")]
    except StaleElementReferenceException:
        return []


def test_clicking_a_tier_bar_opens_its_accounts_and_escape_closes(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/tiers")
    dash_duo.wait_for_element("#tiers-distribution-graph .bars .point path", timeout=15)
    bar = dash_duo.find_element("#tiers-distribution-graph .bars .point path")  # the first: Strategic
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", bar
    )
    ActionChains(dash_duo.driver).move_to_element(bar).click().perform()  # as a mouse: Plotly's drag layer
    dash_duo.wait_for_contains_text(f"{MODAL} .modal-title", "Strategic: ", timeout=15)
    title = dash_duo.find_element(f"{MODAL} .modal-title").text
    expected = int(title.split(": ")[1].split(" ")[0])
    until(lambda: modal_rows(dash_duo), timeout=15, msg="the modal's grid never filled")
    count = "return dash_ag_grid.getApi('drill-grid').getDisplayedRowCount()"
    until(lambda: dash_duo.driver.execute_script(count) == expected, timeout=15, msg="not every account")
    first = dash_duo.find_element(f"{MODAL} .ag-center-cols-container .ag-row").text
    assert "Strategic" in first  # the grid lists the tier's accounts
    assert dash_duo.find_element(f"{MODAL} #drill-download-csv").is_displayed()
    inside = "return document.activeElement.matches('.modal.show[role=dialog]')"
    assert dash_duo.driver.execute_script(inside)  # focus moved into the dialog
    ActionChains(dash_duo.driver).send_keys(Keys.ESCAPE).perform()
    until(
        lambda: not dash_duo.find_elements(f"{MODAL}.show"), timeout=10, msg="Escape did not close the modal"
    )
    assert dash_duo.get_logs() == []


def test_the_data_grid_finds_a_churned_account(dash_duo, dash_app):
    demo = pd.read_csv(DEMO)
    churned = demo.loc[(demo["arr"] == 0) & (demo["arr_prior"] > 0)].sort_values("arr_prior")
    name = str(churned["account_name"].iloc[0])  # the smallest: last of all in ARR order
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/data")
    dash_duo.wait_for_element("#data-grid .ag-row", timeout=15)
    dash_duo.wait_for_contains_text("#data-grid-count", f"All {len(demo):,} accounts", timeout=15)
    search = dash_duo.find_element("#data-search")
    search.send_keys(name)
    search.send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#data-grid-count", "match", timeout=15)
    dash_duo.wait_for_contains_text("#data-grid .ag-pinned-left-cols-container", name, timeout=15)
    assert dash_duo.get_logs() == []


def test_an_action_list_opens_from_the_keyboard_and_the_modal_passes_axe(dash_duo, dash_app):
    from test_accessibility import axe_violations, describe

    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/data")
    dash_duo.wait_for_element("#data-grid .ag-row", timeout=15)
    button = dash_duo.find_element('[id*="\\"list\\":\\"renewal-90\\""]')
    dash_duo.driver.execute_script("arguments[0].focus()", button)
    ActionChains(dash_duo.driver).send_keys(Keys.ENTER).perform()
    dash_duo.wait_for_contains_text(f"{MODAL} .modal-title", "Renewing within 90 days of ", timeout=15)
    until(lambda: modal_rows(dash_duo), timeout=15, msg="the list never filled")
    dash_duo.driver.set_script_timeout(60)
    violations = axe_violations(dash_duo)
    assert violations == [], describe(violations)
    ActionChains(dash_duo.driver).send_keys(Keys.ESCAPE).perform()
    until(lambda: not dash_duo.find_elements(".modal.show"), timeout=10, msg="Escape did not close the modal")
    until(
        lambda: dash_duo.driver.execute_script("return document.activeElement") == button,
        timeout=5,
        msg="focus did not return to the button",
    )
