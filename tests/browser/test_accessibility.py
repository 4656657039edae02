"""WCAG 2.1 AA in a real browser: axe-core finds no violation on any page.

axe-core is vendored (``vendor/axe.min.js``, see ``vendor/README.md``): CI needs no download,
and the rules cannot change under a green build. Each page is checked on the demo data once its
charts or grid have drawn; the Simulator after its 1,000-path preview, the Data page after an
upload.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser_helpers import click, open_page, upload
from dashboard import PAGES

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CSV = "account_id,account_name,arr,arr_prior\nA,Acme,1000,900\nB,Beta,500,0\nC,Gamma,250,300\n"

CHARTS = (".js-plotly-plot .main-svg", 2)
# page module → (path, selector that appears once the page has drawn, how many of them)
READY = {
    "overview": ("/", *CHARTS),
    "concentration": ("/concentration", *CHARTS),
    "tiers": ("/tiers", *CHARTS),
    "retention": ("/retention", *CHARTS),
    "trends": ("/trends", "#trends-note .alert", 1),  # the demo is a snapshot: no trend
    "changes": ("/changes", "#changes-note .alert", 1),  # … and one snapshot: nothing to compare
    "capacity": ("/capacity", *CHARTS),
    "simulator": ("/simulator", "#sim-headline", 1),
    "decisions": ("/decisions", "#dec-gains-graph .main-svg", 1),
    "data": ("/data", ".ag-row", 1),
}


def axe_violations(dash_duo) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    driver = dash_duo.driver
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(r.violations), e => done({error: String(e)}));",
        WCAG_AA,
    )
    assert not isinstance(result, dict), f"axe-core failed: {result}"
    return result


def describe(violations: list[dict]) -> str:
    """One line per violation: rule, impact, how many elements, the first few selectors."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:4]]
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}): {targets}")
    return "\n".join(lines)


def wait_drawn(dash_duo, page: str) -> None:
    path, selector, n = READY[page]
    until(
        lambda: len(dash_duo.find_elements(selector)) >= n, timeout=20, msg=f"{path} did not draw {selector}"
    )


def assert_no_violations(dash_duo, where: str) -> None:
    dash_duo.driver.set_script_timeout(60)
    violations = axe_violations(dash_duo)
    assert violations == [], f"{where}:\n{describe(violations)}"


@pytest.fixture
def started(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    wait_drawn(dash_duo, "overview")
    return dash_duo


def test_axe_finds_nothing_but_lists_what_it_would(started):
    """The check itself works: axe runs in the page and a broken element is reported."""
    started.driver.execute_script(
        "const img = document.createElement('img'); img.src = 'x.png'; img.id = 'axe-probe';"
        "document.body.appendChild(img);"
    )
    found = axe_violations(started)
    assert "image-alt" in {v["id"] for v in found}
    assert "#axe-probe" in describe(found)


def test_every_page_is_checked():
    assert set(READY) == set(PAGES)


# Measured with this test before issue 18's fixes (elements per page): Overview 6,
# Concentration 14, Tiers 48, Retention 6, Capacity 6, Data 5 (8 after an upload), Simulator 22.


@pytest.mark.parametrize("page", [p for p in PAGES if p != "simulator"])
def test_page_has_no_wcag_aa_violations(started, page):
    path = READY[page][0]
    if path != "/":
        open_page(started, path)
        wait_drawn(started, page)
    assert_no_violations(started, path)


def test_simulator_after_preview_has_no_wcag_aa_violations(started):
    open_page(started, "/simulator")
    started.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=30)
    assert_no_violations(started, "/simulator after the preview")


def test_data_page_after_upload_has_no_wcag_aa_violations(started, tmp_path):
    upload(started, tmp_path, "accounts.csv", CSV)
    started.wait_for_contains_text("#data-ok", "3 accounts", timeout=20)
    wait_drawn(started, "data")
    assert_no_violations(started, "/data after an upload")


def test_data_page_column_mapping_step_has_no_wcag_aa_violations(started, tmp_path):
    upload(started, tmp_path, "odd.csv", "Ref,Money\nr1,100\nr2,200\n")
    started.wait_for_contains_text("#data-mapping", "Map the columns", timeout=20)
    assert_no_violations(started, "/data at the column-mapping step")


def test_open_weights_panel_has_no_wcag_aa_violations(started):
    open_page(started, "/tiers")
    wait_drawn(started, "tiers")
    click(started, ".sidebar details summary")
    until(lambda: started.find_element(".sidebar details").get_attribute("open") is not None, timeout=5)
    assert_no_violations(started, "/tiers with the scorecard weights open")


def test_simulator_after_a_full_run_a_load_and_a_compare_has_no_wcag_aa_violations(started):
    open_page(started, "/simulator")
    started.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=30)
    click(started, "#sim-next-button")
    started.wait_for_contains_text("#sim-headline", "Promoting 5 accounts", timeout=30)
    Select(started.find_element("#sim-paths")).select_by_value("2000")
    click(started, "#sim-run")
    started.wait_for_contains_text("#sim-headline", "Full run: 2,000 paths", timeout=90)
    assert_no_violations(started, "/simulator after a full run")

    started.find_element("#sim-save-name").send_keys("Top 5")
    click(started, "#sim-save")
    started.wait_for_contains_text("#sim-saved-grid", "Top 5", timeout=20)
    click(started, "#sim-saved-grid .ag-row .ag-checkbox-input")
    click(started, "#sim-load")
    started.wait_for_contains_text("#sim-headline", "saved scenario: Top 5", timeout=20)
    assert_no_violations(started, "/simulator with a saved scenario loaded")
    click(started, "#sim-compare")
    until(lambda: started.find_elements("#sim-compare-table table"), timeout=20, msg="no comparison")
    assert_no_violations(started, "/simulator with saved scenarios compared")


def test_first_tab_shows_the_skip_link_and_it_moves_focus_to_main(started):
    driver = started.driver
    assert len(started.find_elements("main")) == 1
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = driver.switch_to.active_element
    assert focused.text == "Skip to main content" and focused.is_displayed()
    assert focused.size["width"] > 1  # visually-hidden-focusable shows it while focused
    outline = driver.execute_script("return getComputedStyle(arguments[0]).outlineStyle", focused)
    assert outline != "none"
    focused.send_keys(Keys.ENTER)
    until(lambda: driver.switch_to.active_element.tag_name == "main", timeout=5, msg="focus stayed put")


def toggle(dash_duo, graph: str):
    """The "View as table" button of the chart whose dcc.Graph has id ``graph``."""
    return dash_duo.find_element(f"button[aria-controls='{graph}-table']")


def test_view_as_table_opens_the_charts_data_and_has_no_wcag_aa_violations(started):
    open_page(started, "/concentration")
    wait_drawn(started, "concentration")
    button = toggle(started, "concentration-lorenz-graph")
    assert button.get_attribute("aria-expanded") == "false"
    assert started.find_elements("#concentration-lorenz-graph-table table") == []  # built on open
    started.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", button
    )
    button.click()
    started.wait_for_contains_text("#concentration-lorenz-graph-table", "At every tenth of the", timeout=20)
    table = "#concentration-lorenz-graph-table .chart-table"
    until(lambda: len(started.find_elements(f"{table} tr")) == 11, timeout=10, msg="no decile rows")
    assert button.get_attribute("aria-expanded") == "true" and button.text == "Hide table"
    headers = [th.text for th in started.find_elements(f"{table} th")]
    assert headers == ["Accounts (smallest first)", "Share of accounts", "Cumulative share of ARR"]
    assert started.find_elements(f"{table} tr")[-1].text.split() == ["1,071", "100.0%", "100.0%"]
    started.driver.save_screenshot("/tmp/a11y3-lorenz-table.png")
    assert_no_violations(started, "/concentration with the Lorenz table open")
    button.click()
    until(lambda: started.find_elements(table) == [], timeout=10, msg="the table stayed")
    assert button.get_attribute("aria-expanded") == "false" and button.text == "View as table"


def table_text(dash_duo, graph: str) -> str:
    return dash_duo.find_element(f"#{graph}-table").text


def test_an_open_table_follows_its_chart(started):
    """While open, a table is rebuilt when what its chart shows changes: a what-if setting
    (the Strategic threshold) or the chart's own option (the bridge's tier)."""
    open_page(started, "/tiers")
    wait_drawn(started, "tiers")
    graph = "tiers-distribution-graph"
    toggle(started, graph).click()
    started.wait_for_contains_text(f"#{graph}-table", "Strategic", timeout=20)
    before = table_text(started, graph)
    assert "● Strategic 50 " in before  # the demo: 50 strategic accounts at 70
    handle = started.find_elements("#whatif-thresholds [role=slider]")[1]
    handle.send_keys(*[Keys.ARROW_RIGHT] * 10)  # Strategic from 80
    until(lambda: table_text(started, graph) != before, timeout=20, msg="the table stayed as it was")
    assert "● Strategic 50 " not in table_text(started, graph)

    open_page(started, "/retention")
    wait_drawn(started, "retention")
    graph = "retention-bridge-graph"
    toggle(started, graph).click()
    started.wait_for_contains_text(f"#{graph}-table", "All tiers", timeout=20)
    click(started, "input[value='Key']")
    started.wait_for_contains_text(f"#{graph}-table", "Key accounts (tier a year ago)", timeout=20)


CHART_PAGES = [p for p in PAGES if READY[p][1:] == CHARTS or p == "simulator"]
CHART_CONTROLS = """
const said = e => ['title', 'aria-label', 'data-title'].map(a => e.getAttribute(a) || '').join(' ');
const cloud = [...document.querySelectorAll('[title], [aria-label], [data-title]')]
    .filter(e => /Share|Chart Studio/i.test(said(e))).map(e => said(e).trim());
const focusable = 'a[href], a.modebar-btn, button, input, select, textarea, [tabindex]';
const stops = [...document.querySelectorAll('.dash-graph')].map(g => [...g.querySelectorAll(focusable)]
    .filter(e => e.tabIndex >= 0 && !e.disabled).length);
return [cloud, stops];
"""


@pytest.mark.parametrize("page", CHART_PAGES)
def test_charts_offer_no_cloud_upload_and_add_at_most_one_tab_stop(started, page):
    """Plotly's mode bar put 10 tab stops per chart, one of them "Share chart…" (an upload of
    the chart and its data to Plotly's cloud); the Download menu is the charts' one export."""
    path = READY[page][0]
    if path != "/":
        open_page(started, path)
    if page == "simulator":
        started.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=30)
    wait_drawn(started, "overview")  # two charts drawn
    cloud, stops = started.driver.execute_script(CHART_CONTROLS)
    assert cloud == []
    assert stops and max(stops) <= 1, stops


SVG_TEXT_READ = """
return [...document.querySelectorAll('.js-plotly-plot svg text')]
    .filter(t => !t.closest('[aria-hidden="true"]')).length;
"""


def test_charts_svg_text_is_hidden_from_screen_readers_and_each_figure_is_named(started):
    """The Simulator exposed 324 SVG text nodes (ticks, one by one); the figure's name, its
    caption and its table carry the chart instead."""
    open_page(started, "/simulator")
    started.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=30)
    wait_drawn(started, "overview")  # two charts drawn
    until(lambda: started.driver.execute_script(SVG_TEXT_READ) == 0, timeout=5, msg="SVG text exposed")
    figure = started.find_element("figure:has(#sim-fan-graph)")
    assert figure.accessible_name == "Simulated ARR"
    assert_no_violations(started, "/simulator with the charts' SVG hidden")


GRID_NAMES = (
    "return [...document.querySelectorAll('[role=grid], [role=treegrid]')]"
    ".map(g => g.getAttribute('aria-label'))"
)


def test_grids_and_the_staffing_table_are_named(started):
    open_page(started, "/simulator")
    started.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=30)
    until(
        lambda: (
            started.driver.execute_script(GRID_NAMES) == ["Accounts", "Tier assumptions", "Saved scenarios"]
        ),
        timeout=5,
        msg=f"grid names: {started.driver.execute_script(GRID_NAMES)}",
    )
    headers = [th.text for th in started.find_elements("#sim-staffing-table th")]
    assert headers and all(headers), headers  # its first header was empty
    open_page(started, "/data")
    wait_drawn(started, "data")
    until(
        lambda: started.driver.execute_script(GRID_NAMES) == ["Data"], timeout=5, msg="the data grid unnamed"
    )
