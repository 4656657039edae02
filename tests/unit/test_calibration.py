"""Calibration: the size model in use, plausibility bounds with warnings, order data, real files."""

import numpy as np
import pandas as pd
import pytest

from conftest import DEMO, real_file
from portfolio.analysis import analyze
from portfolio.ingest import load_file
from simulation import (
    Assumptions,
    SimulationSettings,
    calibrate,
    parse_assumptions,
    run_simulation,
    simulation_accounts,
    starting_assumptions,
)
from simulation.calibration import MAX_ABS_DRIFT, MAX_CHURN, MAX_VOLATILITY, TRANSACTIONAL_WARNING
from simulation.model import account_params


def loaded(path):
    result = load_file(path)
    return analyze(result.accounts), result.report.shape


def within_bounds(assumptions: Assumptions) -> bool:
    return all(
        a.annual_churn <= MAX_CHURN
        and abs(a.expansion_drift) <= MAX_ABS_DRIFT
        and a.volatility <= MAX_VOLATILITY
        for a in assumptions.tiers.values()
    )


def test_calibration_by_hand_one_tier():
    # Strategic: 35 accounts at 100 (all the same size, so no size slope), 5 churned, 30
    # retained with ln growth g = linspace(−0.1, 0.3, 30):
    # churn = (5 + ½)/(35 + 1) = 0.1527778 (the Jeffreys pseudo-accounts);
    # σ = 1.4826 · median |g − 0.1| = 1.4826 · 7.5 · 0.4/29 = 0.1533724;
    # drift = ln mean e^g − σ²/2 (the level that reproduces the retained total).
    # Key and Standard have no accounts: their default figures, with a note.
    growth = np.linspace(-0.1, 0.3, 30)
    arr = np.concatenate([np.zeros(5), 100 * np.exp(growth)])
    fitted = calibrate(pd.Series(arr), pd.Series(np.full(35, 100.0)), pd.Series(["Strategic"] * 35))
    s = fitted.tiers["Strategic"]
    assert (s.source, s.accounts) == ("calibrated", 35)
    assert s.annual_churn == pytest.approx(0.1527778, rel=1e-6)
    assert s.volatility == pytest.approx(0.1533724, rel=1e-6)
    assert s.expansion_drift == pytest.approx(np.log(np.mean(np.exp(growth))) - 0.1533724**2 / 2, rel=1e-6)
    key = fitted.tiers["Key"]
    assert (
        key.source == "default"
        and key.note
        and key == Assumptions().tiers["Key"].__class__(0.08, 0.08, 0.25, "default", 0, key.note)
    )
    assert fitted.warnings == ()


def test_out_of_bounds_figures_fall_back_with_a_warning():
    # 40 accounts whose log growth is N(0, 2²): volatility out of bounds, and with it the
    # pooled estimate (one tier) → the default 20%; the drift keeps e^(d + σ²/2) and is then
    # out of bounds too → the default drift
    rng = np.random.default_rng(1)
    growth = rng.normal(0, 2, 40)
    arr = pd.Series(100 * np.exp(growth))
    fitted = calibrate(arr, pd.Series(np.full(40, 100.0)), pd.Series(["Strategic"] * 40))
    s = fitted.tiers["Strategic"]
    assert within_bounds(fitted)
    assert s.volatility == 0.20 and s.expansion_drift == 0.20
    text = " | ".join(fitted.warnings)
    assert (
        "Strategic: fitted volatility" in text
        and "at most 100%" in text
        and "the default figure 20.0%" in text
    )
    assert "fitted drift" in text and "within ±60%/yr" in text
    # explicit figures are validated, never bounded
    explicit = parse_assumptions({"tiers": {"Strategic": {"volatility": 1.5}}}, base=fitted)
    assert explicit.tiers["Strategic"].volatility == 1.5 and explicit.warnings == fitted.warnings


def test_small_tier_uses_the_pooled_fit_and_says_so():
    rng = np.random.default_rng(2)
    prior = np.exp(rng.normal(10, 0.5, 105))
    arr = prior * np.exp(rng.normal(0.05, 0.2, 105))
    tiers = pd.Series(["Key"] * 100 + ["Strategic"] * 5)
    fitted = calibrate(pd.Series(arr), pd.Series(prior), tiers)
    assert any(w.startswith("Strategic: 5 account(s) with prior ARR, fewer than 30") for w in fitted.warnings)
    assert fitted.tiers["Strategic"].source == "calibrated" and "pooled" in fitted.tiers["Strategic"].note


@pytest.mark.parametrize("name", ["Sample - Superstore.csv", "SaaS-Sales.csv"])
def test_order_exports_calibrate_within_bounds_with_warnings(name):
    # measured before the size model and bounds: Superstore fitted Strategic drift −214.8%/yr,
    # Standard +81.9%/yr, volatility 182–189%, and $734k → $420M expected in 3 years; SaaS-Sales
    # $734k → $3.94M; no warning
    analysis, shape = loaded(real_file(name))
    assumptions = starting_assumptions(analysis, shape=shape)
    assert within_bounds(assumptions)
    assert TRANSACTIONAL_WARNING in assumptions.warnings and len(assumptions.warnings) >= 2
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier)
    result = run_simulation(frame, assumptions, SimulationSettings(paths=2000, horizon=12, workers=1))
    # a sane multiple: the mean's Monte Carlo error is a few % of it at 2,000 paths
    assert result.baseline.ending_arr.mean() < 3 * result.baseline.start_arr


def test_transactional_warning_only_for_order_lines():
    analysis, shape = loaded(DEMO)
    assert shape == "snapshot"
    assert TRANSACTIONAL_WARNING not in starting_assumptions(analysis, shape=shape).warnings
    assert TRANSACTIONAL_WARNING in starting_assumptions(analysis, shape="history").warnings
    no_prior = analyze(analysis.accounts[["account_id", "arr"]].assign(arr_prior=np.nan))
    assert starting_assumptions(no_prior, shape="history").warnings == (TRANSACTIONAL_WARNING,)


def test_churn_depends_on_size_on_the_uk_retailer():
    # one-year in-sample check from arr_prior and the start tiers: tier-only churn gave an
    # expected ARR churn of 17.1% against 12.6% observed; the size model gives ≈ 12.7%
    analysis, _ = loaded(real_file("online_retail_ii_accounts.csv"))
    accounts = analysis.accounts
    assumptions = starting_assumptions(analysis)
    prior = accounts["arr_prior"].fillna(0).to_numpy()
    arr = accounts["arr"].fillna(0).to_numpy()
    start = analysis.tiers.start_tier.astype(object).to_numpy()
    cohort = prior > 0
    params = account_params(start[cohort], assumptions, prior[cohort])
    expected = (prior[cohort] * params.annual_churn).sum() / prior[cohort].sum()
    observed = prior[cohort & (arr <= 0)].sum() / prior[cohort].sum()
    assert observed == pytest.approx(0.126, abs=0.001)
    assert expected == pytest.approx(observed, abs=0.01)
    size = assumptions.size
    assert size.churn_slope < -3 * size.churn_slope_se  # bigger accounts churn less
    assert -0.5 < size.reversion < -0.2  # the measured slope of log growth: −0.25 to −0.37
    # and the mean: expected in-sample NRR = Σ prior·(1 − c)·e^(d + σ²/2) / Σ prior ≈ observed
    nrr = (prior[cohort] * (1 - params.annual_churn) * np.exp(params.drift + params.volatility**2 / 2)).sum()
    assert nrr / prior[cohort].sum() == pytest.approx(arr[cohort].sum() / prior[cohort].sum(), abs=0.01)
