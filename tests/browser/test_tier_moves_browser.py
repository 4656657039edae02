"""Issue 14 (speed) in a browser: the Tiers page shows the 5 largest accounts of each list of
tier moves; "List all" opens every one of them in the shared drill-down modal, with its
downloads."""

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from test_drilldown_browser import MODAL, modal_rows

from browser_helpers import open_page

pytestmark = pytest.mark.browser

BUTTON = '[id*="\\"type\\":\\"tiers-list-all\\""][id*="\\"list\\":\\"proposed\\""]'


def test_list_all_opens_every_move_in_the_drill_down(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/tiers")
    dash_duo.wait_for_contains_text(
        "#tiers-migration", "account(s) the proposed tiers would move", timeout=20
    )
    title = next(
        h.text for h in dash_duo.find_elements("#tiers-migration h5") if "proposed tiers would move" in h.text
    )
    total = int(title.split(" ")[0])
    assert total > 5  # the demo at the default settings: a list longer than the page shows
    section = dash_duo.find_element(BUTTON).find_element("xpath", "../..")
    assert len(section.find_elements("css selector", ".dash-spreadsheet tbody tr td:first-child")) == 5
    assert f"The 5 largest of {total:,} are shown." in section.text
    button = dash_duo.find_element(BUTTON)
    assert button.text == f"List all {total:,} (with download)"
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", button
    )
    ActionChains(dash_duo.driver).move_to_element(button).click().perform()
    dash_duo.wait_for_contains_text(
        f"{MODAL} .modal-title", f"{total:,} accounts the proposed tiers would move", timeout=15
    )
    until(lambda: modal_rows(dash_duo), timeout=15, msg="the modal's grid never filled")
    count = "return dash_ag_grid.getApi('drill-grid').getDisplayedRowCount()"
    until(lambda: dash_duo.driver.execute_script(count) == total, timeout=15, msg="not every account")
    headers = dash_duo.find_element(f"{MODAL} .ag-header").text
    assert "Current tier" in headers and "Proposed tier" in headers
    assert dash_duo.find_element(f"{MODAL} #drill-download-csv").is_displayed()
    assert dash_duo.get_logs() == []
