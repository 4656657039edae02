"""Scorecard, thresholds and tier assignment, worked by hand."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portfolio.tiers import (
    DEFAULT_WEIGHTS,
    REVENUE_ONLY_THRESHOLDS,
    Thresholds,
    assign_tiers,
    revenue_score,
    scorecard,
    tier_accounts,
    tier_distribution,
    validate_weights,
)


def test_default_weights_are_the_scorecard_the_readme_publishes():
    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text().split())
    published = re.search(r"Default weights: ([a-z0-9, ]+)\.", readme)
    assert published, "the README no longer publishes the default weights"
    weights = {
        name.replace(" ", "_"): int(weight)
        for name, weight in re.findall(r"([a-z][a-z ]*) (\d+)", published[1])
    }
    assert weights == DEFAULT_WEIGHTS
    assert sum(DEFAULT_WEIGHTS.values()) == 100  # the What-if panel shows them as percentages


def test_revenue_score_is_percentile_of_active_accounts():
    arr = pd.Series([100.0, 200.0, 300.0, 400.0, 0.0])
    assert revenue_score(arr).tolist() == pytest.approx([2.5, 5.0, 7.5, 10.0, 0.0])
    # ties share the average rank: 100, 100, 300 → ranks 1.5, 1.5, 3 of 3
    assert revenue_score(pd.Series([100.0, 100.0, 300.0])).tolist() == pytest.approx([5, 5, 10])


def test_weighted_scorecard_by_hand():
    accounts = pd.DataFrame(
        {
            "arr": [100.0, 200.0],
            "expansion_potential": [8, np.nan],
            "strategic_fit": [6, 10],
            "market_influence": [4, 10],
            "relationship_strength": [10, 10],
            "product_adoption": [2, 10],
            "partnership_potential": [0, 10],
        }
    )
    score = scorecard(accounts)
    # X: revenue 5 → (25·5 + 20·8 + 15·6 + 15·4 + 10·10 + 10·2 + 5·0) / 100 · 10 = 55.5
    # Y: revenue 10, expansion blank → weights without expansion sum to 80; all tens → 100
    assert score.tolist() == pytest.approx([55.5, 100.0])
    assert assign_tiers(score, Thresholds()).tolist() == ["Key", "Strategic"]


def test_weights_are_normalised_any_scale():
    accounts = pd.DataFrame({"arr": [100.0, 200.0], "strategic_fit": [4, 8]})
    halves = scorecard(accounts, {"revenue": 1, "strategic_fit": 1})
    # revenue scores 5 and 10; fit 4 and 8 → (5+4)/2·10 = 45 and (10+8)/2·10 = 90
    assert halves.tolist() == pytest.approx([45.0, 90.0])


def test_threshold_boundaries():
    score = pd.Series([70.0, 69.99, 50.0, 49.99, 100.0, 0.0])
    tiers = assign_tiers(score, Thresholds(70, 50)).tolist()
    assert tiers == ["Strategic", "Key", "Key", "Standard", "Strategic", "Standard"]


@pytest.mark.parametrize("strategic,key", [(40, 50), (101, 50), (70, -1)])
def test_invalid_thresholds_rejected(strategic, key):
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(strategic, key)


@pytest.mark.parametrize(
    "weights,message",
    [
        ({"revenue": -1}, "non-negative"),
        ({"revenue": 0, "strategic_fit": 0}, "all be zero"),
        ({"color": 3}, "unknown"),
    ],
)
def test_invalid_weights_rejected(weights, message):
    with pytest.raises(ValueError, match=message):
        validate_weights(weights)


def _revenue_only(n=20):
    arr = np.arange(1, n + 1) * 1000.0
    return pd.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(n)],
            "account_name": [f"n{i}" for i in range(n)],
            "arr": arr,
            "arr_prior": arr,
        }
    )


def test_revenue_only_mode_tiers_by_rank_and_says_so():
    result = tier_accounts(_revenue_only())
    assert result.revenue_only
    assert result.thresholds == REVENUE_ONLY_THRESHOLDS
    # of 20 accounts, percentiles 5, 10, …, 100: ≥ 95 → 2 Strategic, 80–90 → 3 Key
    assert result.tier.value_counts().to_dict() == {"Strategic": 2, "Key": 3, "Standard": 15}
    assert any("revenue-only" in w for w in result.warnings)


def test_start_tier_uses_prior_arr_and_new_accounts_have_none():
    accounts = pd.DataFrame(
        {
            "account_id": ["big", "fell", "new", "small"],
            "account_name": ["b", "f", "n", "s"],
            "arr": [1000.0, 0.0, 5000.0, 10.0],
            "arr_prior": [900.0, 2000.0, 0.0, 10.0],
        }
    )
    result = tier_accounts(accounts, thresholds=Thresholds(90, 60))
    # start percentiles among prior > 0: fell 100, big 66.7, small 33.3
    start = [None if pd.isna(t) else t for t in result.start_tier]
    assert start == ["Key", "Strategic", None, "Standard"]
    # now: new 100, big 66.7, small 33.3; "fell" churned → no current tier
    assert result.tier.isna().tolist() == [False, True, False, False]
    assert result.tier[2] == "Strategic"


def test_large_strategic_tier_warns():
    accounts = _revenue_only(100)
    result = tier_accounts(accounts, thresholds=Thresholds(80, 50))  # 21 of 100 strategic
    assert any("strategic tier has 21 accounts" in w for w in result.warnings)


def test_assigned_tier_kept_and_disagreements_reported():
    accounts = _revenue_only(20).assign(tier=["Standard"] * 18 + ["Key", "Strategic"])
    result = tier_accounts(accounts)
    # scored: a18, a19 Strategic; a15–a17 Key; a18 is assigned Key → one disagreement…
    # …plus a15–a17, assigned Standard but scored Key
    assert sorted(result.disagreements["account_id"]) == ["a15", "a16", "a17", "a18"]


def test_tier_distribution_by_hand():
    arr = pd.Series([500.0, 250.0, 150.0, 75.0, 25.0, 0.0])
    tier = pd.Series(["Strategic", "Key", "Key", "Standard", "Standard", None])
    table = tier_distribution(arr, tier)
    assert table["accounts"].tolist() == [1, 2, 2]
    assert table["arr"].tolist() == [500, 400, 100]
    assert table["arr_share"].tolist() == pytest.approx([0.5, 0.4, 0.1])
    assert table["mean_arr"].tolist() == pytest.approx([500, 200, 50])
    assert table["arr_share"].sum() == pytest.approx(1.0)
