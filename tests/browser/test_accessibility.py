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

from browser_helpers import open_page, upload
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
    "capacity": ("/capacity", *CHARTS),
    "simulator": ("/simulator", "#sim-headline", 1),
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
