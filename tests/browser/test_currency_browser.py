"""Issue 14: the UK retailer's file shows its pounds and the as-of date typed on the upload form
above every page, in the account grid, on the cards and the chart axes; the sidebar's currency
relabels them."""

import pytest
from dash.testing.wait import until

from browser_helpers import open_page, wait_for_kpi
from conftest import real_file

pytestmark = pytest.mark.browser

UK = "online_retail_ii_accounts.csv"


def test_uk_file_shows_pounds_and_its_as_of_date(dash_duo, dash_app):
    path = real_file(UK)
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/data")
    dash_duo.find_element("#data-as-of").send_keys("2011-11-30")
    dash_duo.find_element("#data-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_contains_text("#data-report", f"Loaded {UK}", timeout=60)
    dash_duo.wait_for_contains_text("#app-data-facts", "as of 2011-11-30 · amounts in GBP (£)", timeout=10)
    # the mounted grid re-formats its money columns (it kept "$" before they changed id)
    until(
        lambda: dash_duo.find_element("#data-grid .ag-cell[col-id='arr-GBP']").text == "£267,761", timeout=10
    )
    open_page(dash_duo, "/")
    wait_for_kpi(dash_duo, "Total ARR", "£7.97M", timeout=20)
    assert "as of 2011-11-30" in dash_duo.find_element("#app-data-facts").text  # on every page
    until(lambda: "£" in dash_duo.find_element("#overview-bridge-graph .ytick").text, timeout=10)
    dash_duo.select_dcc_dropdown("#app-currency", value="EUR (€)")
    wait_for_kpi(dash_duo, "Total ARR", "€7.97M", timeout=20)  # relabelled, not converted
    dash_duo.wait_for_contains_text("#app-data-facts", "amounts in EUR (€)", timeout=10)
    assert dash_duo.get_logs() == []
