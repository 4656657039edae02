"""The Trends page's callback, called directly: the demo snapshot says what data the page
needs; an uploaded order export draws its trend, computed once per data and tier settings."""

import base64
import importlib

import pytest

from conftest import real_file
from dashboard.whatif import history_session
from portfolio.whatif import DEFAULT_SETTINGS
from reporting.takeaways import trend_takeaways

REVENUE_ONLY = {**DEFAULT_SETTINGS, "thresholds": [80, 95]}  # what an upload sets for a history


@pytest.fixture(scope="module")
def pages(dash_app):
    return importlib.import_module("dashboard.pages.trends"), importlib.import_module("dashboard.pages.data")


def _upload(pages, name: str) -> None:
    path = real_file(name)
    contents = "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode()
    out = pages[1].on_upload(contents=contents, filename=path.name, version=0)
    assert out["version"] == 1, out["report"]


def test_snapshot_says_what_data_the_page_needs(request_ctx, pages):
    out = pages[0].update_trends(DEFAULT_SETTINGS, 0)
    note, style, figs, s1 = out[0], out[1], out[2:5], out[5]
    assert "Trends need a revenue history" in str(note) and "snapshot" in str(note)
    assert style == {"display": "none"}
    assert all(f.layout.title.text == "Trends — need a revenue history" for f in figs)
    assert s1.startswith("No trend: a trend needs a revenue history")
    assert out[8].layout.title.text.startswith("Revenue kept by each cohort")
    assert out[10] == "No accounts with revenue in this history."


def test_order_export_draws_its_trend_without_bands(request_ctx, pages):
    _upload(pages, "Sample - Superstore.csv")
    out = pages[0].update_trends(REVENUE_ONLY, 1)
    note, style, retention, arr, bridge, *summaries = out[:8]
    assert style == {}
    assert "9 quarter ends" in str(note) and "2017-12-30" in str(note)
    assert "Order data, not subscriptions" in str(note)
    assert retention.layout.shapes and not any(s.type == "rect" for s in retention.layout.shapes)
    all_tiers = next(t for t in retention.data if t.name == "All tiers" and t.xaxis == "x")
    labels = list(all_tiers.x)
    assert (labels[0], labels[-1], len(labels)) == ("Dec 2015", "Dec 2017", 9)
    assert all_tiers.y[-1] == pytest.approx(0.9627036880726703, rel=1e-12)  # `analyze`'s NRR
    assert [t.name for t in arr.data] == ["Strategic", "Key", "Standard", "Strategic share (right axis)"]
    assert sum(t.y[-1] for t in arr.data[:3]) == pytest.approx(733947.0232, rel=1e-12)
    assert [t.name for t in bridge.data] == [
        "Expansion",
        "Reactivation",
        "New",
        "Contraction",
        "Churn",
        "Net change",
    ]
    assert tuple(summaries) == tuple(trend_takeaways(history_session(REVENUE_ONLY).trend).values())
    assert summaries[1].startswith("ARR went from $474k to $734k from the year to 2015-12-30")
    cohorts, _, cohorts_text, strategic_text = out[8:]  # 593: pandas on the raw file agrees
    assert [bar.y[0] for bar in cohorts.data] == ["Dec 2014 · 593 accounts"]
    assert cohorts_text.startswith("The 593 accounts with revenue in the year to 2014-12-30")
    assert "strategic accounts of today" in strategic_text
