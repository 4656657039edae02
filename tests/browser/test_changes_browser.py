"""The What changed page and the Retention page's convention switch in a browser: two dated
snapshots of the demo portfolio (a year apart) draw the strategic ARR walk, the migration
heatmap and the account tables without console errors, and pass axe (WCAG 2.1 AA). With
``STRATA_SCREENSHOT_DIR`` set, it also saves screenshots there (to look at them)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from dash.testing.wait import until
from test_accessibility import assert_no_violations, wait_drawn

from browser_helpers import click, open_page
from portfolio.resources import demo_accounts_path

pytestmark = pytest.mark.browser


def two_snapshots(path: Path) -> Path:
    """The demo a year ago (ARR = its prior ARR, no prior ARR of its own) and now, as one file
    with snapshot_date; no tier column, so each snapshot is tiered by the scorecard."""
    demo = pd.read_csv(demo_accounts_path(), dtype=str, keep_default_na=False).drop(columns=["tier"])
    prior = pd.read_csv(demo_accounts_path())["arr_prior"].fillna(0)
    before = demo.assign(arr=prior.map(lambda v: f"{v:.0f}"), arr_prior="", snapshot_date="2024-12-31")
    before = before[prior > 0]
    after = demo.assign(snapshot_date="2025-12-31")
    pd.concat([before, after]).to_csv(path, index=False)
    return path


def shot(dash_duo, name: str) -> None:
    if os.environ.get("STRATA_SCREENSHOT_DIR"):
        dash_duo.driver.set_window_size(1440, 2600)
        dash_duo.driver.save_screenshot(str(Path(os.environ["STRATA_SCREENSHOT_DIR"]) / name))


def test_what_changed_and_the_convention_switch(dash_duo, dash_app, tmp_path):
    path = two_snapshots(tmp_path / "snapshots.csv")
    dash_duo.start_server(dash_app)
    wait_drawn(dash_duo, "overview")
    open_page(dash_duo, "/data")
    dash_duo.find_element("#data-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_contains_text("#data-ok", "accounts", timeout=30)
    open_page(dash_duo, "/changes")
    dash_duo.wait_for_contains_text("#changes-walk-summary", "Strategic ARR went from", timeout=30)
    until(
        lambda: len(dash_duo.find_elements(".js-plotly-plot .main-svg")) >= 2,
        timeout=30,
        msg="the What changed page did not draw its charts",
    )
    assert "2024-12-31" in dash_duo.find_element("#changes-from").text
    assert "2025-12-31" in dash_duo.find_element("#changes-to").text
    assert dash_duo.find_elements("#changes-movers .dash-spreadsheet")  # the movers table
    shot(dash_duo, "changes.png")
    assert_no_violations(dash_duo, "/changes on two demo snapshots")
    open_page(dash_duo, "/retention")
    dash_duo.wait_for_contains_text("#retention-convention-note", "Opening-ARR cohort", timeout=30)
    click(dash_duo, "#retention-convention input[value='reactivation_as_expansion']")
    dash_duo.wait_for_contains_text(
        "#retention-convention-note", "Reactivation counted as expansion", timeout=30
    )
    dash_duo.wait_for_contains_text("#retention-reconciliation", "+ reactivated accounts", timeout=30)
    shot(dash_duo, "retention-convention.png")
    assert_no_violations(dash_duo, "/retention with the reconciliation table")
    assert dash_duo.get_logs() == []
