"""Calibration: the size model in use, plausibility bounds with warnings, order data, real files."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtr

from conftest import DEMO, real_file
from portfolio.analysis import analyze
from portfolio.ingest import load_bytes, load_file
from portfolio.ingest.history import quarters_of
from portfolio.trends import nrr_series
from simulation import (
    Assumptions,
    SimulationSettings,
    calibrate,
    calibrate_nrr_volatility,
    calibration,
    parse_assumptions,
    run_simulation,
    simulation_accounts,
    starting_assumptions,
)
from simulation.calibration import (
    SUBSCRIPTION_RANGE,
    TRANSACTIONAL_RANGE,
    TRANSACTIONAL_WARNING,
    PlausibleRange,
)
from simulation.engine import AccountParams, own_nrr_sd
from simulation.model import account_params


def loaded(path):
    result = load_file(path)
    return analyze(result.accounts), result.report.shape


def within_bounds(assumptions: Assumptions, limits: PlausibleRange = SUBSCRIPTION_RANGE) -> bool:
    """Every tier inside the data kind's bounds (for order data the drift is the tier's drift at
    the typical size, as the tier figure states it)."""
    return all(
        a.annual_churn <= limits.max_churn
        and abs(a.expansion_drift) <= limits.max_abs_drift
        and a.volatility <= limits.max_volatility
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
    analysis, _ = loaded(real_file(name))
    assumptions = starting_assumptions(analysis)
    assert within_bounds(assumptions, TRANSACTIONAL_RANGE)
    assert TRANSACTIONAL_WARNING in assumptions.warnings and len(assumptions.warnings) >= 2
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier)
    result = run_simulation(frame, assumptions, SimulationSettings(paths=2000, horizon=12, workers=1))
    # a sane multiple: the mean's Monte Carlo error is a few % of it at 2,000 paths
    assert result.baseline.ending_arr.mean() < 3 * result.baseline.start_arr


def test_transactional_warning_only_for_order_revenue():
    analysis, shape = loaded(DEMO)
    assert shape == "snapshot"
    assert TRANSACTIONAL_WARNING not in starting_assumptions(analysis).warnings
    orders, shape = loaded(real_file("Sample - Superstore.csv"))
    assert shape == "history" and TRANSACTIONAL_WARNING in starting_assumptions(orders).warnings
    # a history billed every quarter in the same amounts is subscription revenue: no warning
    subscriptions = history_analysis(history_with_nrr([1.0] * 8))
    assert TRANSACTIONAL_WARNING not in starting_assumptions(subscriptions).warnings


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
    # GRR: E[min(e^Z, 1)] = e^(m + s²/2)·Φ(−(m + s²)/s) + Φ(m/s) for Z ~ N(m, s²). A common
    # reversion slope (−0.37, set by the small accounts) spread the large accounts' drifts and
    # gave 0.568 overall and 0.612 for Strategic; each tier's own slope gives ≈ 0.61 and 0.70
    m, s = params.drift, params.volatility
    kept = np.exp(m + s**2 / 2) * ndtr(-(m + s**2) / s) + ndtr(m / s)
    expected_grr = prior[cohort] * (1 - params.annual_churn) * kept
    observed_grr = np.minimum(arr[cohort], prior[cohort])
    strategic = start[cohort] == "Strategic"
    assert expected_grr.sum() / prior[cohort].sum() == pytest.approx(0.622, abs=0.02)
    assert observed_grr.sum() / prior[cohort].sum() == pytest.approx(0.622, abs=0.001)
    ratio = expected_grr[strategic].sum() / observed_grr[strategic].sum()
    assert ratio == pytest.approx(1.0, abs=0.03)


def history_with_nrr(nrr: list[float], accounts: int = 3) -> pd.DataFrame:
    """Revenue lines whose trailing-twelve-month NRR at quarter ends 8, 9, … (the first with
    24 months of history behind them) is ``nrr``.

    Each account bills R_q in the middle month of quarter q: R = 1 for q = 0 … 7 (TTM 4), then
    TTM(q) = nrr·TTM(q − 4) and R_q = TTM(q) − TTM(q − 1) + R_(q−4)."""
    revenue, ttm = [1.0] * 8, [np.nan, np.nan, np.nan, 4.0, 4.0, 4.0, 4.0, 4.0]
    for value in nrr:
        q = len(revenue)
        ttm.append(value * ttm[q - 4])
        revenue.append(ttm[q] - ttm[q - 1] + revenue[q - 4])
    assert min(revenue) > 0
    months = pd.date_range("2020-02-15", periods=len(revenue), freq="3MS") + pd.Timedelta(days=14)
    return pd.DataFrame(
        [(f"A{a}", d, r * (a + 1)) for a in range(accounts) for d, r in zip(months, revenue, strict=True)],
        columns=["account_id", "date", "amount"],
    )


def history_analysis(lines: pd.DataFrame):
    """The analysis of revenue lines read as an uploaded history (as-of: the last line)."""
    result = load_bytes(lines.to_csv(index=False).encode(), "lines.csv")
    assert result.ok, result.report.summary()
    return analyze(result.accounts)


def test_ttm_nrr_and_its_volatility_on_a_history_with_a_known_answer():
    # 8 quarter ends: a linear trend 1.05 + 0.01·k plus 0.03·s, s = (1, −1, −1, 1, 1, −1, −1, 1),
    # which is orthogonal to both the constant and k: the residuals are exactly 0.03·s, so the
    # residual sd with 2 degrees of freedom removed is 0.03·√(8/6) = 0.0346410
    s = np.array([1, -1, -1, 1, 1, -1, -1, 1])
    nrr = list(1.05 + 0.01 * np.arange(8) + 0.03 * s)
    analysis = history_analysis(history_with_nrr(nrr, accounts=200))
    series = nrr_series(quarters_of(analysis.accounts))
    assert series.to_numpy() == pytest.approx(nrr, rel=1e-12)
    assert calibrate_nrr_volatility(series) == pytest.approx(0.0346410, rel=1e-6)
    # a steady NRR has no volatility; seven quarter ends (under two years) give None
    assert calibrate_nrr_volatility(pd.Series([1.1] * 8)) == pytest.approx(0.0, abs=1e-12)
    assert calibrate_nrr_volatility(pd.Series(nrr[:7])) is None
    # used by starting_assumptions, marked calibrated: the market's part of the total, the
    # accounts' own luck (which the simulation adds) taken out: √(total² − own²)
    calibrated = starting_assumptions(analysis)
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier)
    arr = frame["arr"].to_numpy(dtype=float)
    own = own_nrr_sd(arr, account_params(frame["tier"].to_numpy(dtype=object), calibrated, arr))
    assert 0 < own < 0.01 and calibrated.nrr_volatility == pytest.approx(math.sqrt(0.0346410**2 - own**2))
    assert calibrated.nrr_volatility_source == "calibrated"
    # three accounts on default figures: their own luck alone swings NRR more than the history
    # did, so the history cannot measure the market's part. It was used as "calibrated 0 points"
    # in silence (risk review: both order exports); now the assumed 5 points, with a warning
    few = starting_assumptions(history_analysis(history_with_nrr(nrr, accounts=3)))
    assert few.nrr_volatility == 0.05 and few.nrr_volatility_source == "assumed"
    assert any(
        w.startswith("the accounts' own luck alone swings portfolio NRR by ")
        and "more than the history's 3.5, so the history cannot measure the market's part; the assumed 5 "
        "points are used"
        in w
        for w in few.warnings
    )
    assert starting_assumptions(loaded(DEMO)[0]).nrr_volatility_source == "assumed"


def test_own_nrr_spread_by_hand():
    """ARR 100 and 300, churn 10%, no growth or volatility: R_i is 1 with probability 0.9, else 0,
    Var R_i = 0.9 − 0.81 = 0.09; weights ¼ and ¾: Var NRR = (1/16 + 9/16)·0.09 = 0.05625."""
    params = AccountParams(np.full(2, 0.1), np.zeros(2), np.zeros(2))
    assert own_nrr_sd(np.array([100.0, 300.0]), params) == pytest.approx(math.sqrt(0.05625), rel=1e-12)


def test_an_implausible_nrr_volatility_is_not_used_silently(monkeypatch):
    # the known-answer history (3.46 points) against a bound of 1 point
    monkeypatch.setattr(calibration, "PLAUSIBLE_NRR_VOLATILITY", 0.01)
    nrr = list(1.05 + 0.01 * np.arange(8) + 0.03 * np.array([1, -1, -1, 1, 1, -1, -1, 1]))
    assumptions = starting_assumptions(history_analysis(history_with_nrr(nrr)))
    assert assumptions.nrr_volatility_source == "assumed" and assumptions.nrr_volatility == 0.05
    assert any(
        w.startswith("portfolio NRR volatility 3.5 points a year from the history is outside the plausible")
        for w in assumptions.warnings
    )


def test_ttm_nrr_leaves_new_accounts_out_by_hand():
    # A bills 1 a quarter for 9 quarters then 2; B starts in quarter 6 (new: left out while its
    # TTM a year before is 0). Points from q = 8 (24 months behind): A 4/4 = 1; at q = 9:
    # (1+1+1+2)/4 = 1.25
    dates = pd.date_range("2020-01-10", periods=10, freq="3MS")
    lines = pd.DataFrame(
        [("A", d, 2.0 if k == 9 else 1.0) for k, d in enumerate(dates)] + [("B", d, 5.0) for d in dates[6:]],
        columns=["account_id", "date", "amount"],
    )
    analysis = history_analysis(lines)
    assert list(nrr_series(quarters_of(analysis.accounts))) == pytest.approx([1.0, 1.25])


def test_a_tier_slope_far_outside_the_reversion_range_is_named():
    from test_size_model import planted

    # Strategic accounts that grow faster the bigger they are (+0.15, s.e. ≈ 0.03): not a
    # plausible steady state; clipped to 0 with a warning. Key's −0.1 is inside: no warning.
    arr, prior, tier = planted(b={"Strategic": 0.15, "Key": -0.1, "Standard": -0.3})
    fitted = calibrate(arr, prior, tier)
    named = [w for w in fitted.warnings if "reversion" in w]
    assert len(named) == 1 and named[0].startswith("Strategic: fitted reversion +0.")
    assert named[0].endswith("is outside [-0.6, 0]; +0.00 is used")
    assert fitted.size.terms["Strategic"].reversion == 0.0


def test_order_data_keeps_a_full_regression_to_the_mean_and_its_spread():
    """Order data (transactional=True): next year's spend planted independent of this year's
    (reversion −1) with σ = 1.5 around the book's typical spend e^(10 + 0.1). The bounds for
    order data keep what was planted (the subscription bounds clip the slope to −0.6 and the
    volatility to 100%, and replaced the largest tier's mean drift of about −2/yr — their
    regression toward the typical buyer — by a default of +20%/yr). Tolerance: 4 standard
    errors of each estimate with 3,000 accounts (s.e. about 0.03 for the slope and σ)."""
    rng = np.random.default_rng(3)
    n = 3_000
    prior = np.exp(rng.normal(10.0, 1.5, n))
    arr = np.exp(10.1 + rng.normal(0, 1.5, n))
    score = pd.Series(prior).rank(pct=True)
    tier = pd.Series(np.where(score >= 0.95, "Strategic", np.where(score >= 0.8, "Key", "Standard")))
    fitted = calibrate(pd.Series(arr), pd.Series(prior), tier, transactional=True)
    size = fitted.size
    assert size is not None and size.reversion == pytest.approx(-1.0, abs=0.12)
    for name in ("Strategic", "Key", "Standard"):
        figure, terms = fitted.tiers[name], size.terms[name]
        assert figure.source == "calibrated"
        assert terms.reversion == pytest.approx(max(size.reversion, -1.0))
        assert figure.volatility == pytest.approx(1.5, abs=0.15)
        # the tier's figure is the drift at the typical size: 0.1 planted
        assert figure.expansion_drift == pytest.approx(0.1, abs=0.25)
    subscription = calibrate(pd.Series(arr), pd.Series(prior), tier)
    assert any("volatility 1" in w and "at most 100%" in w for w in subscription.warnings)


def test_order_model_pools_every_full_year_and_centres_on_the_starting_book():
    """SaaS-Sales (orders 2020-01 … 2023-12): three full year pairs pooled; the size model's
    centre is the mean ln ARR of the accounts the simulation starts from — today's ARR, or the
    prior year's for an in-sample back-test (which starts from arr_prior)."""
    analysis, _ = loaded(real_file("SaaS-Sales.csv"))
    accounts = analysis.accounts
    today = starting_assumptions(analysis)
    assert any("calibrated on 3 year(s) of the history pooled" in w for w in today.warnings)
    arr, prior = accounts["arr"], accounts["arr_prior"].fillna(0)
    assert today.size is not None and today.size.centre == pytest.approx(np.log(arr[arr > 0]).mean())
    in_sample = starting_assumptions(analysis, start_arr=accounts["arr_prior"])
    assert in_sample.size is not None
    assert in_sample.size.centre == pytest.approx(np.log(prior[prior > 0]).mean())
    assert in_sample.size.terms == today.size.terms


def test_order_data_falling_back_to_the_default_drift_keeps_the_common_reversion():
    """Issue 13 item 5, the second out-of-sample check (calibrate on Superstore's first year
    pair only, to 2015-12-30): the Strategic tier's drift at the typical size (−123.6%/yr) and
    the pooled one at its σ are outside ±60%/yr, so the default +20%/yr is used. Order buyers
    regress toward the book whatever their tier (one common slope), so that fallback keeps the
    common reversion; before, it had none, the largest buyers were held at their spend with
    σ ≈ 2.0, and the year to 2016-12-30 simulated a median NRR of 209.5% (Strategic 461.6%)
    against 94.9% observed."""
    analysis = analyze(load_file(real_file("Sample - Superstore.csv"), as_of="2015-12-30").accounts)
    assumptions = starting_assumptions(analysis)
    assert any(w.startswith("Strategic: fitted drift at the typical size") for w in assumptions.warnings)
    assert assumptions.tiers["Strategic"].expansion_drift == pytest.approx(0.2)
    size = assumptions.size
    assert size is not None and -1.0 <= size.reversion < -0.5
    for terms in size.terms.values():
        assert terms.reversion == pytest.approx(max(size.reversion, -1.0))
