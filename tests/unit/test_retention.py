"""NRR, GRR and the ARR bridge, worked by hand.

| account | prior | now | movement          |
|---------|-------|-----|-------------------|
| A       | 100   | 120 | expansion 20      |
| B       | 200   | 150 | contraction 50    |
| C       | 50    | 0   | churn 50          |
| D       | 0     | 80  | new 80            |
| E       | 150   | 150 | flat              |

starting 500; ending 500 + 20 − 50 − 50 + 80 = 500 = Σ now.
NRR = (120 + 150 + 0 + 150) / 500 = 0.84; GRR = (100 + 150 + 0 + 150) / 500 = 0.80.
"""

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.retention import retention, retention_by_tier

PRIOR = pd.Series([100.0, 200.0, 50.0, 0.0, 150.0])
NOW = pd.Series([120.0, 150.0, 0.0, 80.0, 150.0])


def test_nrr_grr_by_hand():
    r = retention(NOW, PRIOR)
    assert r.nrr == pytest.approx(0.84, abs=1e-12)
    assert r.grr == pytest.approx(0.80, abs=1e-12)
    assert (r.existing_accounts, r.churned_accounts, r.new_accounts) == (4, 1, 1)


def test_bridge_by_hand():
    b = retention(NOW, PRIOR).bridge
    assert (b.starting, b.expansion, b.contraction, b.churn, b.new, b.ending) == (500, 20, 50, 50, 80, 500)
    assert b.ending == NOW.sum()


def test_by_tier_attributes_to_start_tier():
    # C churned from Strategic: counting it under its start tier drags Strategic NRR down.
    start = pd.Series(["Strategic", "Key", "Strategic", None, "Key"])
    now_tier = pd.Series(["Strategic", "Key", None, "Strategic", "Key"])
    by_tier = retention_by_tier(NOW, PRIOR, start, now_tier)
    strategic = by_tier["Strategic"]
    assert strategic.nrr == pytest.approx(120 / 150)  # A and C: (120 + 0) / (100 + 50)
    assert strategic.grr == pytest.approx(100 / 150)
    assert strategic.bridge.new == 80  # D is new and now Strategic
    assert strategic.bridge.churn == 50
    key = by_tier["Key"]
    assert key.nrr == pytest.approx(300 / 350) and key.grr == pytest.approx(300 / 350)
    assert math.isnan(by_tier["Standard"].nrr)


def test_no_existing_accounts_gives_nan():
    r = retention(pd.Series([10.0]), pd.Series([0.0]))
    assert math.isnan(r.nrr) and math.isnan(r.grr) and r.bridge.new == 10


amounts = st.lists(st.floats(min_value=1, max_value=1e7, allow_nan=False), min_size=1, max_size=100)


@given(amounts)
def test_unchanged_portfolio_has_nrr_and_grr_exactly_one(values):
    series = pd.Series(values)
    r = retention(series, series.copy())
    assert r.nrr == 1.0 and r.grr == 1.0  # exact: the same sum divided by itself


@given(st.lists(st.tuples(st.floats(0, 1e6), st.floats(0, 1e6)), min_size=1, max_size=100))
def test_bridge_balances_and_grr_at_most_nrr(pairs):
    prior = pd.Series([p for p, _ in pairs])
    now = pd.Series([n for _, n in pairs])
    r = retention(now, prior)
    assert r.bridge.ending == pytest.approx(now.sum(), rel=1e-9, abs=1e-6)
    if r.bridge.starting > 0:
        assert 0 <= r.grr <= 1 + 1e-12
        assert r.grr <= r.nrr + 1e-12
