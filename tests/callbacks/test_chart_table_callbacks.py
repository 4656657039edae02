"""Every chart's "View as table" without a browser: the layout's parts and the callbacks that
build a table when it is opened."""

import importlib
import json

import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.development.base_component import Component

from dashboard import PAGES, chart_tables, ids
from dashboard.components import CHART_NAMES, table_ids
from portfolio.whatif import DEFAULT_SETTINGS


def walk(node):
    if isinstance(node, Component):
        yield node
        yield from walk(getattr(node, "children", None))
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from walk(item)


def chart_of(node) -> str:
    """The chart name in a pattern-matched id, or "" for any other component."""
    return node.id.get("chart", "") if isinstance(getattr(node, "id", None), dict) else ""


def triggered_by(component_id: dict) -> None:
    """Run the next callback call as if ``component_id``'s data had changed."""
    prop = json.dumps(component_id, separators=(",", ":"), sort_keys=True) + ".data"
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop, "value": 1}]))


def test_every_chart_has_a_toggle_that_controls_its_tables_region(dash_app, request_ctx):
    graphs = 0
    for name in PAGES:
        nodes = list(walk(importlib.import_module(f"dashboard.pages.{name}").layout()))
        by_id = {str(n.id): n for n in nodes if getattr(n, "id", None) is not None}
        for graph in (n for n in nodes if type(n).__name__ == "Graph"):
            graphs += 1
            toggles = [
                n
                for n in nodes
                if getattr(n, "id", None) == table_ids(graph.id, chart_of(n))[ids.TABLE_TOGGLE]
            ]
            assert len(toggles) == 1, graph.id
            button = toggles[0].to_plotly_json()["props"]
            assert button["aria-expanded"] == "false" and button["children"] == "View as table"
            region = by_id[button["aria-controls"]]
            parts = table_ids(graph.id, button["id"]["chart"])
            assert [c.id for c in region.children] == [parts[ids.TABLE_REQUEST], parts[ids.TABLE_BODY]]
    assert graphs == 26  # 5 analysis pages × 2, Trends 5, What changed 2, Simulator 5, Decisions 4


def test_an_opened_analysis_table_is_built_and_a_closed_one_emptied(request_ctx):
    parts = table_ids(ids.TIERS_DIST, "tier-distribution")
    triggered_by(parts[ids.TABLE_REQUEST])
    region = chart_tables.analysis_table(
        requested=1, settings=DEFAULT_SETTINGS, option_values=[], option_ids=[]
    )
    props = region.to_plotly_json()["props"]
    assert props["role"] == "region" and props["tabIndex"] == "0"
    assert props["aria-label"] == "Accounts and ARR by tier: data table"  # was "Chart data as a table"
    table = region.children[0].children[0]
    assert [c["name"] for c in table.columns] == ["Tier", "Accounts", "ARR", "Share of ARR"]
    assert table.data[0] == {
        "Tier": "● Strategic",
        "Accounts": "50",
        "ARR": "$19.8M",
        "Share of ARR": "37.4%",
    }
    assert chart_tables.analysis_table(requested=None, settings=None, option_values=[], option_ids=[]) is None


def test_the_bridge_table_follows_the_tier_picked(request_ctx):
    triggered_by(table_ids(ids.RET_BRIDGE, "arr-bridge")[ids.TABLE_REQUEST])
    region = chart_tables.analysis_table(
        requested=1, settings=DEFAULT_SETTINGS, option_values=["Key"], option_ids=[ids.RET_TIER]
    )
    assert region.children[0].children.startswith("Key accounts")


@pytest.mark.parametrize("data, says", [(None, "Nothing simulated yet."), ({"schema_version": 1}, "older")])
def test_a_simulation_table_without_a_readable_report_says_why(request_ctx, data, says):
    triggered_by(table_ids(ids.SIM_FAN, "simulation-fan")[ids.TABLE_REQUEST])
    assert says in chart_tables.simulation_table(requested=1, data=data)


def test_a_trends_table_is_built_from_the_sessions_history(request_ctx):
    """The demo is a snapshot: the Trends table says why it has no rows."""
    triggered_by(table_ids(ids.TRENDS_ARR, "trend-arr")[ids.TABLE_REQUEST])
    region = chart_tables.analysis_table(
        requested=1, settings=DEFAULT_SETTINGS, option_values=[], option_ids=[]
    )
    assert region.children[0].children.startswith("No trend: a trend needs a revenue history")


def test_each_chart_figure_and_toggle_say_the_charts_short_name(dash_app, request_ctx):
    """The toggle was described by the chart's ~600-character summary; now the figure is named
    and the toggle described by the chart's short name ("Pareto of ARR"), the summary stays
    the figure's caption."""
    toggles = 0
    for page in PAGES:
        nodes = list(walk(importlib.import_module(f"dashboard.pages.{page}").layout()))
        by_id = {str(n.id): n for n in nodes if getattr(n, "id", None) is not None}
        for toggle in (n for n in nodes if chart_of(n) and n.id["type"] == ids.TABLE_TOGGLE):
            toggles += 1
            described = by_id[toggle.to_plotly_json()["props"]["aria-describedby"]]
            assert described.children == CHART_NAMES[chart_of(toggle)], toggle.id
            assert len(described.children) <= 40
        for figure in (n for n in nodes if type(n).__name__ == "Figure"):
            assert by_id[figure.to_plotly_json()["props"]["aria-labelledby"]].children in CHART_NAMES.values()
    assert toggles == 26  # What changed adds 2, Decisions 4


def test_the_simulator_headline_is_announced_politely(dash_app, request_ctx):
    """It was role=alert: every 1,000-path preview interrupted the screen reader."""
    nodes = walk(importlib.import_module("dashboard.pages.simulator").layout())
    headline = next(n for n in nodes if getattr(n, "id", None) == ids.SIM_HEADLINE).to_plotly_json()
    assert headline["props"]["role"] == "status" and headline["props"]["aria-live"] == "polite"
    assert headline["namespace"] == "dash_html_components"  # not dbc.Alert, which says role=alert
