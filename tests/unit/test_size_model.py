"""The size model: recovery of a planted size effect, the mean of ARR, shrinkage, evaluation."""

import math

import numpy as np
import pandas as pd
import pytest

from simulation import Assumptions, TierAssumption
from simulation.model import account_params
from simulation.size_model import SizeModel, TierTerms, fit_size_model, shrink

TIERS = ("Strategic", "Key", "Standard")


def planted(n=6000, beta=-0.7, b=-0.25, sigma=0.3, seed=7, t_df=None):
    """Synthetic cohort: ln prior ARR ~ N(10, 1); tiers by size (top 10%, next 30%, rest);
    churn logit = α_t + β·(x − 10); log growth = a_t + b·(x − 10) + σ·e (e normal, or Student t);
    ``b`` may be a slope per tier."""
    rng = np.random.default_rng(seed)
    x = rng.normal(10, 1, n)
    tier = np.where(
        x > np.quantile(x, 0.9), "Strategic", np.where(x > np.quantile(x, 0.6), "Key", "Standard")
    )
    alpha = pd.Series(tier).map({"Strategic": -2.5, "Key": -2.0, "Standard": -1.5}).to_numpy()
    level = pd.Series(tier).map({"Strategic": 0.10, "Key": 0.05, "Standard": 0.0}).to_numpy()
    churned = rng.random(n) < 1 / (1 + np.exp(-(alpha + beta * (x - 10))))
    noise = rng.standard_t(t_df, n) if t_df else rng.standard_normal(n)
    slope = pd.Series(tier).map(b).to_numpy() if isinstance(b, dict) else b
    growth = level + slope * (x - 10) + sigma * noise
    prior = np.exp(x)
    arr = np.where(churned, 0.0, prior * np.exp(growth))
    return pd.Series(arr), pd.Series(prior), pd.Series(tier)


def test_recovers_a_planted_size_effect_within_its_standard_errors():
    arr, prior, tier = planted()
    model = fit_size_model(arr, prior, tier).model
    # 6,000 accounts: s.e. ≈ 0.05 for β, ≈ 0.005 for b; within 3 s.e. (a 0.3% miss by chance)
    assert model.churn_slope_se < 0.08 and model.reversion_se < 0.01
    assert abs(model.churn_slope - -0.7) < 3 * model.churn_slope_se
    assert abs(model.reversion - -0.25) < 3 * model.reversion_se
    # each tier's own slope (shrunk by m/(m + 5) toward the common one): s.e. ≈ σ/(sd(x)·√m),
    # about 0.03 in the narrow Strategic and Key size bands; within 0.1
    for terms in model.terms.values():
        assert terms.reversion == pytest.approx(-0.25, abs=0.1)
    # residual σ (MAD-scaled) ≈ 0.3: its s.e. ≈ 1.67·σ/√(2n) ≈ 0.006 per tier of ≥ 600 retained
    for terms in model.terms.values():
        assert terms.volatility == pytest.approx(0.3, abs=0.04)


def test_reversion_per_tier_follows_the_tier():
    # as on the UK retailer's file: the small accounts regress to the mean, the large do not
    arr, prior, tier = planted(b={"Strategic": 0.0, "Key": -0.1, "Standard": -0.4})
    model = fit_size_model(arr, prior, tier).model
    assert model.terms["Strategic"].reversion == pytest.approx(0.0, abs=0.08)
    assert model.terms["Key"].reversion == pytest.approx(-0.1, abs=0.08)
    assert model.terms["Standard"].reversion == pytest.approx(-0.4, abs=0.05)


def test_reversion_is_clipped_to_its_range():
    arr, prior, tier = planted(b=-0.9, n=2000)
    model = fit_size_model(arr, prior, tier).model
    assert model.reversion < -0.8  # the fitted slope, reported as fitted
    assert all(t.reversion == -0.6 for t in model.terms.values())  # the one used


def test_predicted_mean_matches_the_observed_retained_total_per_tier():
    # heavy-tailed growth (Student t, 3 df): exp(median + σ²/2) misses the mean; the level is
    # set so Σ prior·exp(g_t + b·(x − c) + σ_t²/2) = Σ ARR over each tier's retained accounts
    arr, prior, tier = planted(t_df=3, sigma=0.25)
    fit = fit_size_model(arr, prior, tier, prior_weight=0)
    m = fit.model
    for t, terms in m.terms.items():
        kept = (tier == t) & (arr > 0)
        x = np.log(prior[kept])
        predicted = (prior[kept] * np.exp(terms.drift(x, m.centre) + terms.volatility**2 / 2)).sum()
        assert predicted == pytest.approx(arr[kept].sum(), rel=1e-9)
        naive = (prior[kept] * np.exp(np.median(np.log(arr[kept] / prior[kept])))).sum()
        assert abs(naive / arr[kept].sum() - 1) > 0.01  # the correction is not a no-op


def test_shrinkage_pulls_a_five_account_tier_toward_the_pooled_fit():
    # two big tiers; a 5-account tier in which 4 churned (its own estimate ≈ 75% churn)
    rng = np.random.default_rng(3)
    n = 400
    prior = np.exp(rng.normal(10, 0.5, 2 * n + 5))
    tier = np.array(["Key"] * n + ["Standard"] * n + ["Strategic"] * 5)
    churned = np.concatenate([rng.random(2 * n) < 0.1, [True, True, True, True, False]])
    arr = np.where(churned, 0.0, prior * np.exp(rng.normal(0.05, 0.2, len(prior))))
    args = pd.Series(arr), pd.Series(prior), pd.Series(tier)
    own = fit_size_model(*args, prior_weight=0)
    pooled = fit_size_model(*args, prior_weight=1e12)  # all weight on the pooled target
    shrunk = fit_size_model(*args)  # K = 5: half on the tier's own estimate
    o, p, s = (f.model.terms["Strategic"].churn_logit for f in (own, pooled, shrunk))
    assert s == pytest.approx(shrink(o, p, 5, 5.0), abs=1e-6) == pytest.approx((o + p) / 2, abs=1e-6)
    assert own.churn["Strategic"] > 0.6 and pooled.churn["Strategic"] < 0.2
    assert pooled.churn["Strategic"] < shrunk.churn["Strategic"] < own.churn["Strategic"]
    # a 400-account tier barely moves: weight 400/405 on its own estimate
    big = [f.model.terms["Key"].churn_logit for f in (own, pooled, shrunk)]
    assert big[2] == pytest.approx(shrink(big[0], big[1], 400, 5.0), abs=1e-6)


def test_evaluation_by_hand():
    # c = ln 100; Key: churn logit 0, slope −0.5; growth 0.1, reversion −0.2; σ 0.3.
    # At ARR 100: churn expit(0) = 0.5, drift 0.1. At 100·e: churn expit(−0.5) = 0.3775407,
    # drift 0.1 − 0.2 = −0.1.
    size = SizeModel(math.log(100), {"Key": TierTerms(0.0, -0.5, 0.1, -0.2, 0.3)})
    churn, drift, vol, rev = size.evaluate("Key", np.array([100.0, 100 * math.e]))
    assert churn == pytest.approx([0.5, 0.3775407])
    assert drift == pytest.approx([0.1, -0.1])
    assert list(vol) == [0.3, 0.3] and list(rev) == [-0.2, -0.2]
    # account_params: the calibrated tier uses the size model at each account's ARR; an
    # explicit tier and a default one use their tier figures, without reversion
    tiers = {
        "Strategic": TierAssumption(0.03, 0.15, 0.2, "explicit"),
        "Key": TierAssumption(0.4, 0.0, 0.3, "calibrated", 40),
        "Standard": TierAssumption(0.15, 0.03, 0.3),
    }
    assumptions = Assumptions(tiers, size=size)
    params = account_params(
        np.array(["Key", "Key", "Strategic", "Standard"], dtype=object),
        assumptions,
        np.array([100.0, 100 * math.e, 500.0, 50.0]),
    )
    assert params.annual_churn == pytest.approx([0.5, 0.3775407, 0.03, 0.15])
    assert params.drift == pytest.approx([0.1, -0.1, 0.15, 0.03])
    assert params.volatility == pytest.approx([0.3, 0.3, 0.2, 0.3])
    assert params.reversion == pytest.approx([-0.2, -0.2, 0.0, 0.0])
    # the tier-only path: figures as a dict, or no ARR given
    for only in (account_params(np.array(["Key"]), tiers), account_params(np.array(["Key"]), assumptions)):
        assert (only.annual_churn[0], only.drift[0], only.reversion[0]) == (0.4, 0.0, 0.0)
