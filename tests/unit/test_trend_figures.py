"""The Trends page's figures and sentences on the hand-worked history of test_trends.py."""

from __future__ import annotations

import dataclasses

import pytest
from test_trends import QUARTERLY, THRESHOLDS, _history_csv

from portfolio.ingest import load_bytes
from portfolio.ingest.history import quarters_of
from portfolio.trends import Trend, quarterly_trend, scorecard_tiering
from reporting import figures
from reporting.takeaways import trend_takeaways


@pytest.fixture(scope="module")
def trend() -> Trend:
    accounts = load_bytes(_history_csv(QUARTERLY), "six.csv", as_of="2023-12-31").accounts
    return quarterly_trend(quarters_of(accounts), tiering=scorecard_tiering(thresholds=THRESHOLDS))


def test_retention_lines_per_tier_and_bands_only_for_subscriptions(trend):
    assert trend.subscription_like is True  # A, B, D, F bill 100, 80, 20, 60 every quarter of 2023
    orders = figures.trend_retention_figure(dataclasses.replace(trend, subscription_like=False))
    assert not [s for s in orders.layout.shapes if s.type == "rect"]
    nrr = {t.name: list(t.y) for t in orders.data if t.xaxis == "x"}
    assert nrr["All tiers"] == pytest.approx([980 / 840, 980 / 890, 980 / 940, 1010 / 960, 1040 / 980])
    assert nrr["Key"] == pytest.approx([0.5, 0.25, 240 / 140, 240 / 190, 1.6])
    subscription = figures.trend_retention_figure(trend)
    bands = [(s.y0, s.y1) for s in subscription.layout.shapes if s.type == "rect"]
    assert bands == [(1.2, 320 / 120), (0.92, 0.98)]  # the NRR band reaches the highest point


def test_arr_by_tier_and_share(trend):
    fig = figures.trend_arr_figure(trend)
    assert list(fig.data[0].x) == ["Dec 2022", "Mar 2023", "Jun 2023", "Sep 2023", "Dec 2023"]
    assert list(fig.data[0].y) == [640, 640, 660, 690, 720]  # Strategic ARR at each quarter end
    assert list(fig.data[3].y) == pytest.approx([640 / 980, 640 / 1020, 660 / 1060, 690 / 1130, 0.6])


def test_bridge_bars_signed(trend):
    fig = figures.trend_bridge_figure(trend)
    bars = {t.name: list(t.y) for t in fig.data}
    assert bars["Expansion"] == [200, 180, 160, 140, 120]
    assert bars["New"] == [0, 40, 80, 120, 160]
    assert bars["Contraction"] == [-60, -90, 0, 0, 0]
    assert bars["Churn"] == [0, 0, -120, -90, -60]
    assert bars["Net change"] == [140, 130, 120, 170, 220]  # ending − starting


def test_sentences(trend):
    text = trend_takeaways(trend)
    assert text["trend-retention"] == (
        "NRR went from 116.7% to 106.1% and GRR from 92.9% to 93.9% from the year to 2022-12-31 "
        "to the year to 2023-12-31; strategic accounts' NRR from 100.0% to 100.0%."
    )
    assert text["trend-arr"].startswith("ARR went from $980 to $1.20k")
    assert text["trend-bridge"] == (
        "In the year to 2023-12-31: expansion $120, new $160, contraction $0, churn −$60, net +$220; "
        "churn was largest in the year to 2023-06-30 (−$120)."
    )


def test_empty_trend_says_why():
    empty = quarterly_trend(None)
    assert figures.trend_bridge_figure(empty).layout.title.text == figures.NO_TREND_TITLE
    assert set(trend_takeaways(empty).values()) == {f"No trend: {empty.note}."}
