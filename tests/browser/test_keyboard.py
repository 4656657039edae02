"""The app with the keyboard alone (WCAG 2.1.1): an upload and a simulation without the mouse.

Keys go to whatever has focus (Tab, Shift+Tab, Enter, Space, arrows, typing), as a keyboard
user's would; the one exception is the file dialog, which a keyboard user fills in outside the
page: the test types the file's path into the focused upload's file input, which is what the
dialog does. Along the way: the skip link is the first tab stop, focus is visible (an outline) on
links, buttons, fields and slider handles, and a data grid is a single tab stop whose rows the
arrow keys reach and Space ticks; a dropdown (the column-mapping step) is a tab stop that the
arrow keys open and Enter chooses from.
"""

from __future__ import annotations

import re

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser_helpers import open_page, simulator_headline

pytestmark = pytest.mark.browser

TAB_LIMIT = 80
"""Tab presses allowed to reach a control: more means it is out of a keyboard user's reach."""


def press(dash_duo, *keys: str) -> None:
    """Keys to the element that has focus."""
    ActionChains(dash_duo.driver).send_keys(*keys).perform()


def shift_tab(dash_duo) -> None:
    ActionChains(dash_duo.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()


def focused(dash_duo):
    return dash_duo.driver.switch_to.active_element


def describe(dash_duo) -> str:
    return dash_duo.driver.execute_script(
        "const e = document.activeElement;"
        "const name = (e.getAttribute('aria-label') || e.innerText || '').slice(0, 30);"
        "return `${e.tagName} id=${e.id} '${name}'`;"
    )


def tab_to(dash_duo, css: str, backwards: bool = False) -> None:
    """Tab (Shift+Tab with ``backwards``) until the focused element matches ``css``."""
    seen = []
    for _ in range(TAB_LIMIT):
        shift_tab(dash_duo) if backwards else press(dash_duo, Keys.TAB)
        if dash_duo.driver.execute_script("return document.activeElement.matches(arguments[0])", css):
            return
        seen.append(describe(dash_duo))
    raise AssertionError(f"{css} not reached in {TAB_LIMIT} presses; focus went: {seen[-15:]}")


def outline(dash_duo) -> str:
    """The focused element's outline style ("none" when focus is not drawn by an outline)."""
    return dash_duo.driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")


def options_match(dash_duo, typed: str) -> bool:
    """Every option the open dropdown shows contains ``typed`` (False while it re-renders)."""
    try:
        return all(
            typed in o.text for o in dash_duo.find_elements(".dash-dropdown-option") if o.is_displayed()
        )
    except StaleElementReferenceException:
        return False


def accounts_csv(n: int = 30) -> str:
    """``n`` accounts, ARR 10,000·k and last year's 9,000·k (k = 1..n)."""
    rows = [f"A{k},Account {k},{10_000 * k},{9_000 * k}" for k in range(1, n + 1)]
    return "account_id,account_name,arr,arr_prior\n" + "\n".join(rows) + "\n"


def test_upload_and_simulation_with_the_keyboard_alone(dash_duo, dash_app, tmp_path):
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_element(".js-plotly-plot .main-svg")

    # the first Tab offers the skip link, drawn with an outline
    dash_duo.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert focused(dash_duo).text == "Skip to main content" and outline(dash_duo) != "none"

    # the Data page through the navigation, then the upload's file input
    tab_to(dash_duo, "a.nav-link[href='/data']")
    assert outline(dash_duo) != "none"
    press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_element("#data-upload")
    tab_to(dash_duo, "#data-upload input[type=file]")
    odd = tmp_path / "odd.csv"
    odd.write_text("Ref,Money\nr1,100\nr2,200\n")
    focused(dash_duo).send_keys(str(odd))  # what the file dialog does
    dash_duo.wait_for_contains_text("#data-mapping", "Map the columns", timeout=20)

    # the column-mapping step: each column's dropdown opened, searched and chosen with keys
    for header, field, keys in (("Ref", "account_id", "acc"), ("Money", "arr", "ar")):
        tab_to(dash_duo, f"#data-mapping button.dash-dropdown[id*='{header}']")
        assert outline(dash_duo) != "none"  # a dropdown
        press(dash_duo, Keys.ARROW_DOWN)  # opens its list, focus in its search box
        press(dash_duo, keys)
        until(  # the list filters as it is typed: choose once it shows only what matches
            lambda k=keys: options_match(dash_duo, k), timeout=5, msg=f"the list did not filter on {keys!r}"
        )
        press(dash_duo, Keys.ARROW_DOWN, Keys.ENTER)
        until(lambda f=field: focused(dash_duo).text == f, timeout=5, msg=f"{header} not mapped to {field}")
    tab_to(dash_duo, "#data-apply-mapping")
    press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text("#data-ok", "Loaded odd.csv: 2 accounts", timeout=20)

    # a file that needs no mapping, from the same upload control, reached backwards
    tab_to(dash_duo, "#data-upload input[type=file]", backwards=True)
    path = tmp_path / "accounts.csv"
    path.write_text(accounts_csv())
    focused(dash_duo).send_keys(str(path))
    dash_duo.wait_for_contains_text("#data-ok", "30 accounts", timeout=20)

    # the Simulator, back up through the navigation
    tab_to(dash_duo, "a.nav-link[href='/simulator']", backwards=True)
    press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=30)

    # the accounts grid is one tab stop: arrows reach a row, Space ticks it
    tab_to(dash_duo, "#sim-clear-button")
    assert outline(dash_duo) != "none"  # a button
    press(dash_duo, Keys.TAB)
    assert dash_duo.driver.execute_script("return !!document.activeElement.closest('#sim-accounts-grid')")
    press(dash_duo, Keys.ARROW_DOWN, Keys.SPACE)
    until(
        lambda: re.search(r"(Promoting|Demoting) 1 account", simulator_headline(dash_duo)),
        timeout=30,
        msg="Space did not tick the row",
    )
    press(dash_duo, Keys.TAB)  # Tab leaves the grid for the next control
    assert not dash_duo.driver.execute_script("return !!document.activeElement.closest('#sim-accounts-grid')")

    # Clear, then promote the next 3 by score: a number typed, a button pressed with Enter
    tab_to(dash_duo, "#sim-clear-button", backwards=True)
    press(dash_duo, Keys.ENTER)
    until(lambda: "1 account" not in simulator_headline(dash_duo), timeout=30, msg="Clear did nothing")
    tab_to(dash_duo, "#sim-next-n", backwards=True)
    press(dash_duo, Keys.CONTROL, "a")
    press(dash_duo, "3")
    tab_to(dash_duo, "#sim-next-button", backwards=True)
    press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text("#sim-headline", "Promoting 3 accounts", timeout=30)

    # a slider moved with an arrow key: a horizon of 11 quarters
    tab_to(dash_duo, "#sim-horizon [role=slider]")
    assert outline(dash_duo) != "none"  # a slider handle
    press(dash_duo, Keys.ARROW_LEFT)
    until(lambda: focused(dash_duo).get_attribute("aria-valuenow") == "11", timeout=5, msg="slider stayed")
    dash_duo.wait_for_contains_text("#sim-headline", "by Q11", timeout=30)

    # 2,000 paths picked with the arrow keys, then the full run with Enter
    tab_to(dash_duo, "#sim-paths")
    press(dash_duo, Keys.ARROW_UP, Keys.ARROW_UP)
    assert focused(dash_duo).get_attribute("value") == "2000"
    press(dash_duo, Keys.TAB)
    assert focused(dash_duo).get_attribute("id") == "sim-run"
    press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text("#sim-headline", "Full run: 2,000 paths", timeout=90)
    assert "Promoting 3 accounts" in simulator_headline(dash_duo)
    assert "by Q11" in simulator_headline(dash_duo)

    # the fan's data as a table, opened with Space
    tab_to(dash_duo, "button[aria-controls='sim-fan-graph-table']")
    press(dash_duo, Keys.SPACE)
    dash_duo.wait_for_contains_text("#sim-fan-graph-table", "2,000 simulated paths", timeout=20)
    assert focused(dash_duo).get_attribute("aria-expanded") == "true"
    assert dash_duo.find_elements("#sim-fan-graph-table .chart-table tr")  # the rows are there
    assert dash_duo.get_logs() == []


def active_id(dash_duo) -> str:
    return dash_duo.driver.execute_script("return document.activeElement && document.activeElement.id")


def test_focus_goes_to_cancel_during_a_full_run_and_to_the_headline_after(dash_duo, dash_app):
    """WCAG 2.4.3: Run is disabled while it runs; focus must not fall to <body> (50+ Tabs away)."""
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=30)
    Select(dash_duo.find_element("#sim-paths")).select_by_value("2000")
    dash_duo.driver.execute_script("document.getElementById('sim-run').focus()")
    press(dash_duo, Keys.ENTER)
    until(lambda: active_id(dash_duo) == "sim-cancel", timeout=10, msg=f"focus went to {describe(dash_duo)}")
    dash_duo.wait_for_contains_text("#sim-headline", "Full run: 2,000 paths", timeout=90)
    until(
        lambda: active_id(dash_duo) == "sim-headline", timeout=10, msg=f"focus went to {describe(dash_duo)}"
    )


def in_grid(dash_duo, grid: str) -> bool:
    return dash_duo.driver.execute_script("return !!document.activeElement.closest(arguments[0])", grid)


def test_tier_assumptions_grid_is_one_tab_stop_and_enter_edits_a_cell(dash_duo, dash_app):
    """It put 5 headers and 15 cells in the tab order; now Tab leaves it and the arrows move
    within it, Enter edits the focused cell and Enter again keeps the value."""
    dash_duo.start_server(dash_app)
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=30)
    tab_to(dash_duo, "#sim-assumptions-grid *")
    press(dash_duo, Keys.TAB)
    assert not in_grid(dash_duo, "#sim-assumptions-grid"), describe(dash_duo)
    shift_tab(dash_duo)
    assert in_grid(dash_duo, "#sim-assumptions-grid"), describe(dash_duo)
    for _ in range(6):  # to the first row's churn cell
        if dash_duo.driver.execute_script(
            "const e = document.activeElement;"
            "return e.getAttribute('col-id') === 'churn_pct' && e.closest('[row-index=\"0\"]') !== null"
        ):
            break
        col = dash_duo.driver.execute_script("return document.activeElement.getAttribute('col-id')")
        press(
            dash_duo,
            Keys.ARROW_DOWN if col == "churn_pct" else Keys.ARROW_RIGHT if col == "tier" else Keys.ARROW_LEFT,
        )
    press(dash_duo, Keys.ENTER, Keys.CONTROL, "a")
    press(dash_duo, "42", Keys.ENTER)
    until(
        lambda: (
            dash_duo.driver.execute_script(
                "const e = document.activeElement;"
                "return [e.getAttribute('col-id'), e.innerText, !!e.querySelector('input')]"
            )
            == ["churn_pct", "42", False]
        ),
        timeout=10,
        msg=f"Enter did not edit the cell: {describe(dash_duo)}",
    )
