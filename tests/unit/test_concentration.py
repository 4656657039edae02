"""Concentration metrics against a 5-account portfolio worked by hand, plus invariants.

ARR 500, 250, 150, 75, 25 (total 1,000) → shares 0.5, 0.25, 0.15, 0.075, 0.025.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio import concentration as c

ARR = np.array([150.0, 25.0, 500.0, 75.0, 250.0])  # unsorted on purpose


def test_gini_by_hand():
    # ascending 25, 75, 150, 250, 500; Σ(2i−n−1)x = −100 −150 +0 +500 +2000 = 2250; /(5·1000)
    assert c.gini(ARR) == pytest.approx(0.45, abs=1e-12)


def test_gini_extremes():
    assert c.gini([10, 10, 10, 10]) == pytest.approx(0.0, abs=1e-12)
    assert c.gini([0, 0, 0, 100]) == pytest.approx(0.0, abs=1e-12)  # zeros are churned, left out
    assert c.gini([1e-9, 1e-9, 1e-9, 100]) == pytest.approx(0.75, abs=1e-9)  # (n−1)/n


def test_hhi_by_hand():
    # 0.25 + 0.0625 + 0.0225 + 0.005625 + 0.000625 = 0.34125
    assert c.hhi(ARR) == pytest.approx(3412.5, abs=1e-9)
    summary = c.summarize(ARR)
    assert summary.effective_accounts == pytest.approx(1 / 0.34125, rel=1e-12)


def test_top_shares_by_hand():
    s = c.summarize(ARR)
    assert s.top_1_share == pytest.approx(0.5)
    assert s.top_10_share == pytest.approx(1.0)
    assert s.top_20pct_share == pytest.approx(0.5)  # ⌈0.2·5⌉ = 1 account
    assert s.accounts_for_80pct == 3  # 0.5, 0.75, 0.90
    assert s.share_of_accounts_for_80pct == pytest.approx(0.6)
    assert s.total_arr == 1000


def test_accounts_for_share_exact_boundary():
    # 0.5 + 0.3 reaches 0.8 exactly (in floating point 0.8000000000000002 or 0.7999…)
    assert c.accounts_for_share([50, 30, 20], 0.8) == 2
    assert c.accounts_for_share([10, 70, 20], 0.8) == 2


def test_pareto_points_by_hand():
    points = c.pareto_points(ARR)
    assert points["account_share"].tolist() == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert points["arr_share"].tolist() == pytest.approx([0, 0.5, 0.75, 0.9, 0.975, 1.0])
    assert points["position"].tolist() == [None, 2, 4, 0, 3, 1]


def test_lorenz_points_by_hand():
    points = c.lorenz_points(ARR)
    assert points["arr_share"].tolist() == pytest.approx([0, 0.025, 0.1, 0.25, 0.5, 1.0])


def test_empty_portfolio_is_nan_not_error():
    s = c.summarize([0.0, 0.0])
    assert s.active_accounts == 0 and math.isnan(s.gini) and math.isnan(s.hhi)


arr_lists = st.lists(st.floats(min_value=0.01, max_value=1e8, allow_nan=False), min_size=1, max_size=200)


@given(arr_lists)
def test_gini_in_unit_interval(values):
    g = c.gini(values)
    assert -1e-9 <= g < 1


@given(arr_lists)
def test_curves_end_at_one_and_hhi_bounds(values):
    n = len(values)
    assert c.pareto_points(values)["arr_share"].iloc[-1] == pytest.approx(1.0)
    assert c.lorenz_points(values)["arr_share"].iloc[-1] == pytest.approx(1.0)
    assert 10_000 / n - 1e-6 <= c.hhi(values) <= 10_000 + 1e-6


@given(arr_lists)
def test_pareto_above_lorenz(values):
    pareto = c.pareto_points(values)["arr_share"].to_numpy()
    lorenz = c.lorenz_points(values)["arr_share"].to_numpy()
    assert np.all(pareto >= lorenz - 1e-9)
