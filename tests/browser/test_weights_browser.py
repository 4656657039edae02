"""Issue 14: the scorecard weights in a real browser — the total is said, all zeros put the last
valid weights back (the boxes never disagree with the charts), and Reset restores the defaults."""

import json

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser_helpers import click
from portfolio.tiers import DEFAULT_WEIGHTS

pytestmark = pytest.mark.browser


def _box(dash_duo, dim: str):
    dom_id = json.dumps({"dim": dim, "type": "whatif-weight"}, separators=(",", ":"))
    return dash_duo.driver.find_element(By.XPATH, f"//input[@id='{dom_id}']")


def _type(dash_duo, dim: str, value: str) -> None:
    box = _box(dash_duo, dim)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(value)


def test_weights_total_zeros_and_reset(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_element("#whatif-weights-note")
    dash_duo.driver.execute_script(
        "document.getElementById('whatif-weights-note').closest('details').open = true"
    )
    _type(dash_duo, "revenue", "60")
    dash_duo.wait_for_contains_text("#whatif-weights-note", "Total 135 points, not 100", timeout=10)
    for dim in DEFAULT_WEIGHTS:
        _type(dash_duo, dim, "0")
    dash_duo.wait_for_contains_text("#whatif-error", "not all zero", timeout=10)
    until(
        lambda: sum(float(_box(dash_duo, d).get_attribute("value") or 0) for d in DEFAULT_WEIGHTS) > 0,
        timeout=10,
        msg="the boxes kept all zeros while the charts kept the last valid weights",
    )
    click(dash_duo, "#whatif-weights-reset")
    dash_duo.wait_for_text_to_equal("#whatif-weights-note", "Total 100 points.", timeout=10)
    assert [float(_box(dash_duo, d).get_attribute("value")) for d in DEFAULT_WEIGHTS] == [
        float(w) for w in DEFAULT_WEIGHTS.values()
    ]
    assert dash_duo.find_element("#whatif-error").text == ""
    assert dash_duo.get_logs() == []
