"""The Monte Carlo engine against analytic results.

Tolerances: a Monte Carlo mean is checked to within 4 standard errors (a false alarm about once
in 16,000 runs; the seeds are fixed, so a pass is repeatable); a proportion to within its
99.9% binomial interval (±3.29·√(p(1−p)/n)).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from simulation import (
    Assumptions,
    Scenario,
    SimulationSettings,
    TierAssumption,
    load_assumptions,
    parse_assumptions,
    run_simulation,
)
from simulation.assumptions import nrr_volatility_sentence
from simulation.economics import Economics, npv, payback_years
from simulation.engine import (
    AccountParams,
    TreatmentDraws,
    antithetic_partner,
    carried_nrr_volatility,
    churn_thresholds,
    market_loading,
    nrr_sensitivity,
    run_paths,
)
from simulation.model import (
    attention,
    exposure,
    mean_error,
    paths_for_error,
    renewal_timing,
    renewal_years,
    simulation_accounts,
    staffing,
    treatment_draws,
)
from simulation.treatment import Interval, TreatmentEffect


def exact_effect(hazard_ratio: float = 1.0, uplift: float = 0.0, ramp_months: float = 0.0) -> TreatmentEffect:
    """A treatment effect without uncertainty (every path draws the same HR and uplift)."""
    return TreatmentEffect(
        Interval(hazard_ratio, hazard_ratio, hazard_ratio),
        Interval(uplift, uplift, uplift),
        ramp_months,
        "explicit",
    )


def uniform_assumptions(churn: float, drift: float, vol: float, nrr_volatility: float = 0.0) -> Assumptions:
    figure = TierAssumption(churn, drift, vol)
    return Assumptions({"Strategic": figure, "Key": figure, "Standard": figure}, nrr_volatility)


def portfolio(arr: list[float], tiers: list[str] | None = None) -> pd.DataFrame:
    tiers = tiers or ["Standard"] * len(arr)
    return pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(len(arr))],
            "account_name": [f"Account {i}" for i in range(len(arr))],
            "arr": np.asarray(arr, dtype=float),
            "tier": tiers,
        }
    )


FOUR = portfolio([100_000, 200_000, 300_000, 400_000])


def test_no_churn_no_volatility_is_exactly_deterministic_growth():
    # drift 0.1 a year over 8 quarters: every path ends at 1,000,000 · e^0.2 = 1,221,402.76
    result = run_simulation(
        FOUR,
        uniform_assumptions(0.0, 0.1, 0.0),
        SimulationSettings(paths=300, horizon=8, period="quarter"),
    )
    ending = result.baseline.ending_arr
    np.testing.assert_allclose(ending, 1_221_402.76, rtol=1e-6)
    np.testing.assert_allclose(result.baseline.paths.totals[:, 4], 1_000_000 * math.e**0.1, rtol=1e-6)
    np.testing.assert_allclose(result.baseline.grr, 1.0, rtol=1e-6)
    assert result.baseline.paths.lost_top.sum() == 0
    assert result.baseline.paths.churned_arr.max() == 0


def loading_by_hand(v: float, churn: float, drift: float, sigma: float) -> float:
    """β for equal accounts without a cap: v = e^{d+σ²/2}·((1 − c)·β + (β/σ)·φ(Φ⁻¹(c)))."""
    density = norm.pdf(norm.ppf(churn)) if 0 < churn < 1 else 0.0
    return v / (math.exp(drift + sigma**2 / 2) * ((1 - churn) + density / sigma))


@pytest.mark.parametrize(("v", "vol"), [(0.0, 0.0), (0.0, 0.3), (0.1, 0.3)])
def test_mean_ending_arr_matches_survival_times_growth(v, vol):
    # churn 20%/yr, drift 0.1/yr, 2 years. With β = 0 churn and growth are independent:
    # E[ending] = ΣARR · S · e^{(d + σ²/2)·2}, S = 0.8² = 0.64 (781,697.77 at σ = 0; 855,313.4
    # at σ = 0.3). With β > 0 they share each year's market F: per year
    # E[1{aF + √(1−a²)η ≥ Φ⁻¹(c)}·e^{βF}] = e^{β²/2}·Φ(aβ − Φ⁻¹(c)), a = β/σ, so
    # E[ending] = ΣARR · e^{2d + (σ² − β²)} · (e^{β²/2}·Φ(aβ − Φ⁻¹(0.2)))² (exact): churn is
    # higher exactly where growth is lower, which lifts the mean a little.
    paths = 20_000
    result = run_simulation(
        FOUR,
        uniform_assumptions(0.2, 0.1, vol, v),
        SimulationSettings(paths=paths, horizon=8, period="quarter", seed=11),
    )
    beta = loading_by_hand(v, 0.2, 0.1, vol) if v else 0.0
    a = beta / vol if vol else 0.0
    per_year = math.exp(beta**2 / 2) * norm.cdf(a * beta - norm.ppf(0.2))
    expected = 1e6 * math.exp(0.2 + (vol**2 - beta**2)) * per_year**2
    if v == 0:
        assert expected == pytest.approx(1e6 * 0.64 * math.exp(0.2 + vol**2), rel=1e-12)
    ending = result.baseline.ending_arr
    standard_error = ending.std() / math.sqrt(paths)
    if vol == 0:
        # analytic: e^0.2·√(S(1−S))·√ΣARR² = 1.2214·0.48·547,722.6 = 321,114 per path
        assert ending.std() == pytest.approx(321_114, rel=0.03)
    assert abs(ending.mean() - expected) < 4 * standard_error
    # churn's level does not move with the market: expected churned ARR = ΣARR · (1 − S) = 360,000
    churned = result.baseline.paths.churned_arr
    assert abs(churned.mean() - 360_000) < 4 * churned.std() / math.sqrt(paths)


def test_single_account_survival_fraction_within_binomial_interval():
    # annual churn 10%: survival after 12 months 0.9, after 6 months √0.9 = 0.948683
    paths = 10_000
    result = run_simulation(
        portfolio([50_000]),
        uniform_assumptions(0.1, 0.0, 0.0),
        SimulationSettings(paths=paths, horizon=12, period="month", seed=5),
    )
    totals = result.baseline.paths.totals
    for period, survival in ((6, 0.948683), (12, 0.9)):
        observed = (totals[:, period] > 0).mean()
        assert abs(observed - survival) < 3.29 * math.sqrt(survival * (1 - survival) / paths)
    # churn is absorbing: once at zero, an account stays at zero
    alive = totals > 0
    assert not (~alive[:, :-1] & alive[:, 1:]).any()


def test_a_volatility_the_accounts_cannot_carry_is_lowered_with_a_warning():
    """Accounts with no volatility carry no market swing: 5 points asked, 0 used and said
    (a file whose accounts all grew by the same ratio calibrates to σ = 0)."""
    result = run_simulation(
        portfolio([1_000, 2_000]),
        uniform_assumptions(0.1, 0.05, 0.0, nrr_volatility=0.05),
        SimulationSettings(paths=200, horizon=4),
    )
    assert result.assumptions.nrr_volatility == 0.0
    assert result.assumptions.warnings == (
        "portfolio NRR volatility 5.0 points a year is more than these accounts' volatility can "
        "carry; 0.0 points (all of it tied to the market) are used",
    )
    carried = run_simulation(
        portfolio([1_000, 2_000]),
        uniform_assumptions(0.1, 0.05, 0.3, nrr_volatility=0.05),
        SimulationSettings(paths=200, horizon=4),
    )
    assert carried.assumptions.nrr_volatility == 0.05 and carried.assumptions.warnings == ()


def test_log_growth_is_normal_with_drift_and_volatility():
    # one account, no churn: ln(ARR(T)/ARR(0)) ~ N(0.05·3, 0.3²·3) over 3 years of months
    paths, years = 20_000, 3
    result = run_simulation(
        portfolio([1_000]),
        uniform_assumptions(0.0, 0.05, 0.3, nrr_volatility=0.1),
        SimulationSettings(paths=paths, horizon=36, period="month", seed=3),
    )
    log_growth = np.log(result.baseline.ending_arr / 1_000)
    sigma = 0.3 * math.sqrt(years)  # 0.519615
    assert abs(log_growth.mean() - 0.15) < 4 * sigma / math.sqrt(paths)
    assert abs(log_growth.std() - sigma) < 4 * sigma / math.sqrt(
        paths
    )  # antithetic pairs: paths / 2 free draws


def one_year_nrr_moments(v: float, churn: float, drift: float, sigma: float, n: int) -> tuple[float, float]:
    """Var of n equal accounts' one-year NRR, exactly, by Gauss–Hermite quadrature over the
    year's market F: Var_F(m(F)) + E_F[v(F)]/n, with m(F) = P(F)·e^{d + βF + s²/2} the mean of
    one account given F (P(F) = Φ((aF − Φ⁻¹(c))/√(1 − a²)) its survival, s² = σ² − β²) and
    v(F) = P(F)·e^{2d + 2βF + 2s²} − m(F)². Returns (market part's sd, total sd)."""
    beta = loading_by_hand(v, churn, drift, sigma)
    a, s2 = beta / sigma, sigma**2 - beta**2
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    survive = norm.cdf((a * nodes - norm.ppf(churn)) / math.sqrt(1 - a**2))
    mean = survive * np.exp(drift + beta * nodes + s2 / 2)
    own = survive * np.exp(2 * drift + 2 * beta * nodes + 2 * s2) - mean**2
    market_var = weights @ mean**2 - (weights @ mean) ** 2
    return math.sqrt(market_var), math.sqrt(market_var + (weights @ own) / n)


def test_portfolio_nrr_volatility_is_the_stated_figure():
    # 2,000 equal accounts (churn 10%, drift 0.05, σ 0.3), v = 5 points a year. The loading is
    # solved to first order; the exact market part of the NRR's sd (quadrature) must be v to
    # within 0.5% of it (the second-order terms, ~β²), and the simulated sd must equal the
    # exact total (market part + what 2,000 accounts leave of their own risk) within 4
    # standard errors of a standard deviation, sd·√((κ − 1)/(4·m)) = sd/√(2m) for a near-normal
    # NRR (κ = 3) from m independent values; antithetic pairs of a near-linear figure carry
    # about one free value each, m = paths / 2, so sd/√paths: 4·0.0507/√4,000 = 0.0032.
    n, paths, v = 2_000, 4_000, 0.05
    params = AccountParams(np.full(n, 0.1), np.full(n, 0.05), np.full(n, 0.3))
    outcome = run_paths(
        np.ones(n), params, nrr_volatility=v, periods=4, period_years=0.25, paths=paths, seed=9
    )[0]
    market_sd, total_sd = one_year_nrr_moments(v, 0.1, 0.05, 0.3, n)
    assert market_sd == pytest.approx(v, rel=0.005)
    nrr = outcome.totals[:, 4] / n
    assert abs(nrr.std() - total_sd) < 4 * total_sd / math.sqrt(paths)
    # churn moves with the market: the year's factor and churned ARR are negatively correlated
    churned = outcome.active_arr[:, 0] - outcome.active_arr[:, 4]
    assert np.corrcoef(outcome.market[:, 0], churned)[0, 1] < -0.5
    # and at 0 there is no shared risk: the sd is what n independent accounts give, and the
    # market no longer predicts churn
    alone = run_paths(
        np.ones(n), params, nrr_volatility=0.0, periods=4, period_years=0.25, paths=paths, seed=9
    )[0]
    nrr = alone.totals[:, 4] / n
    independent_sd = math.sqrt((0.9 * math.exp(0.1 + 2 * 0.09) - (0.9 * math.exp(0.05 + 0.045)) ** 2) / n)
    assert abs(nrr.std() - independent_sd) < 4 * independent_sd / math.sqrt(paths)
    churned = alone.active_arr[:, 0] - alone.active_arr[:, 4]
    assert abs(np.corrcoef(alone.market[:, 0], churned)[0, 1]) < 4 / math.sqrt(paths)


def test_market_leaves_each_accounts_churn_probability_alone():
    # A strong market (v = 15 points) on accounts with different churn: each account's share
    # of paths on which it survives one year (four quarters), and two, is (1 − c) and (1 − c)²
    # within the 99.9% binomial interval; with a known renewal too.
    churn = np.array([0.05, 0.2, 0.5, 0.2])
    renewal = np.array([np.nan, np.nan, np.nan, 0.4])
    params = AccountParams(churn, np.zeros(4), np.full(4, 0.4), renewal_years=renewal)
    paths = 20_000
    arr = np.array([1.0, 10.0, 100.0, 1000.0])
    outcome = run_paths(arr, params, nrr_volatility=0.15, periods=8, period_years=0.25, paths=paths, seed=4)[
        0
    ]
    # recover each account's activity from the digits of today's ARR of active accounts
    active_arr = np.rint(outcome.active_arr).astype(int)
    for i, c in enumerate(churn):
        for period, years in ((4, 1), (8, 2)):
            alive = (active_arr[:, period] // int(arr[i])) % 10 == 1
            s = (1 - c) ** years
            assert abs(alive.mean() - s) < 3.29 * math.sqrt(s * (1 - s) / paths), (i, period)


def test_market_loading_solves_the_first_order_figure():
    # equal accounts, by hand: β = v / (e^{d+σ²/2}·((1 − c) + φ(Φ⁻¹(c))/σ))
    params = AccountParams(np.full(3, 0.1), np.full(3, 0.05), np.full(3, 0.3))
    beta = market_loading(np.ones(3), params, 0.05, 0.25)
    assert beta == pytest.approx(loading_by_hand(0.05, 0.1, 0.05, 0.3), rel=1e-9)
    assert market_loading(np.ones(3), params, 0.0, 0.25) == 0.0
    with pytest.raises(ValueError, match="more than these accounts' volatility can carry"):
        market_loading(np.ones(3), params, 0.5, 0.25)  # at most 0.49


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_market_loading_equals_a_root_search_on_mixed_accounts(seed):
    # the exact piecewise-linear solve against SciPy's brentq on the same function (to
    # brentq's xtol 1e-12): 400 accounts of mixed size, churn, σ (some 0) and renewal dates
    from scipy.optimize import brentq

    rng = np.random.default_rng(seed)
    n = 400
    sigma = np.where(rng.random(n) < 0.05, 0.0, rng.uniform(0.05, 0.6, n))
    renewal = np.where(rng.random(n) < 0.5, np.nan, rng.uniform(0.01, 2.0, n))
    params = AccountParams(rng.uniform(0.0, 0.4, n), rng.normal(0.05, 0.1, n), sigma, renewal_years=renewal)
    arr = rng.lognormal(11, 1.5, n)
    for v in (0.01, 0.05, 0.9 * carried_nrr_volatility(arr, params, 0.25)):
        beta = market_loading(arr, params, v, 0.25)
        expected = brentq(
            lambda b, v=v: nrr_sensitivity(arr, params, b, 0.25) - v, 0.0, sigma.max(), xtol=1e-12
        )
        assert beta == pytest.approx(expected, abs=1e-11)
        assert nrr_sensitivity(arr, params, beta, 0.25) == pytest.approx(v, rel=1e-12)


def test_identical_scenario_gives_exactly_zero_delta():
    frame = portfolio([5e5, 3e5, 2e5, 1e5], ["Strategic", "Key", "Key", "Standard"])
    result = run_simulation(frame, Assumptions(), SimulationSettings(paths=500, horizon=6), Scenario())
    assert np.all(result.comparison.delta == 0)
    assert np.array_equal(result.scenario.paths.totals, result.baseline.paths.totals)
    assert result.comparison.prob_better == 0
    assert result.comparison.added_sams == 0 and np.all(result.comparison.npv == 0)


def summaries(result) -> str:
    """Every variant's and the comparison's summary as JSON (NaN-safe to compare)."""
    variants = (result.baseline, result.move, result.scenario)
    parts = [v.summary().to_dict() for v in variants if v is not None]
    if result.comparison is not None:
        parts.append(result.comparison.summary().to_dict())
    return json.dumps(parts)


def test_results_are_bit_identical_across_chunk_sizes_and_workers():
    rng = np.random.default_rng(0)
    n = 300
    tiers = rng.choice(["Strategic", "Key", "Standard"], n, p=[0.1, 0.3, 0.6]).tolist()
    frame = portfolio(rng.lognormal(11, 1.2, n).tolist(), tiers)
    promote = tuple(frame.loc[frame["tier"] == "Key", "account_id"][:5])
    runs = [
        run_simulation(
            frame,
            Assumptions(),
            SimulationSettings(paths=700, chunk_paths=c, workers=w),
            Scenario(promote=promote),
        )
        for c, w in ((64, 1), (256, 2), (5_000, 1), (None, 2))
    ]
    first = runs[0]
    for other in runs[1:]:
        for a, b in ((first.baseline, other.baseline), (first.scenario, other.scenario)):
            for name in ("totals", "retained", "churned_arr", "top_share", "lost_top"):
                assert np.array_equal(getattr(a.paths, name), getattr(b.paths, name)), name
        assert summaries(first) == summaries(other)
    different_seed = run_simulation(frame, Assumptions(), SimulationSettings(paths=700, seed=1))
    assert not np.array_equal(different_seed.baseline.paths.totals, first.baseline.paths.totals)


def test_treated_accounts_equal_a_run_with_their_treated_figures():
    # Full attention (exposure 1), HR 0.5 and uplift 0.1 at once: a treated account behaves as
    # an untreated one with churn 1 − (1 − c)^0.5 and drift d + 0.1. The engine computes treated
    # accounts on their own path (cumulative hazard); the baseline path must agree.
    arr = np.array([9e5, 4e5, 3e5, 2e5])
    churn, drift, vol = np.full(4, 0.2), np.full(4, 0.05), np.full(4, 0.3)
    treated = np.array([False, True, False, True])
    # renewal timing too: the hazard ratio applies to the renewal's churn probability
    renewal = np.array([0.3, 0.6, np.nan, np.nan])
    base = AccountParams(churn, drift, vol, renewal_years=renewal)
    scenario = AccountParams(churn, drift, vol, exposure=treated.astype(float), renewal_years=renewal)
    draws = TreatmentDraws(np.full(400, math.log(0.5)), np.full(400, 0.1), np.r_[0.0, np.ones(12)])
    # the same market loading in both runs (solved on the first run's figures)
    beta = market_loading(arr, base, 0.05, 0.25)
    kwargs = dict(nrr_volatility=0.05, beta=beta, periods=12, period_years=0.25, paths=400, seed=8)
    paired = run_paths(arr, base, [scenario], treatment=draws, **kwargs)[1]
    figures = AccountParams(
        np.where(treated, 1 - 0.8**0.5, 0.2), np.where(treated, 0.15, 0.05), vol, renewal_years=renewal
    )
    direct = run_paths(arr, figures, **kwargs)[0]
    np.testing.assert_allclose(paired.totals, direct.totals, rtol=2e-5)
    np.testing.assert_allclose(paired.retained, direct.retained, rtol=2e-5)
    np.testing.assert_allclose(paired.retained_years, direct.retained_years, rtol=2e-5)
    assert np.array_equal(paired.lost_top, direct.lost_top)


def test_hazard_ratio_sets_survival_within_binomial_interval():
    # churn 20%/yr, HR 0.5 with full attention: the promoted account survives a year with
    # probability 0.8^0.5 = 0.894427 (its own ARR is the scenario's total minus the other's)
    paths = 20_000
    frame = portfolio([1e5, 3e5], ["Key", "Strategic"])
    result = run_simulation(
        frame,
        uniform_assumptions(0.2, 0.0, 0.0),
        SimulationSettings(paths=paths, horizon=4, strategic_sams=1, seed=2),
        Scenario(promote=("A0",), strategic_sams=1),
        treatment=exact_effect(0.5),
    )
    promoted_alive = (result.scenario.ending_arr % 3e5) > 1  # 1e5 or 4e5 when alive
    survival = 0.8**0.5
    assert abs(promoted_alive.mean() - survival) < 3.29 * math.sqrt(survival * (1 - survival) / paths)
    baseline_alive = (result.baseline.ending_arr % 3e5) > 1
    assert abs(baseline_alive.mean() - 0.8) < 3.29 * math.sqrt(0.16 / paths)


def test_ramp_reaches_the_full_uplift_linearly():
    # no churn or volatility; uplift 0.4 a year over a 12-month ramp, quarterly: the ramp at
    # the middle of quarters 1–5 is 1.5/12, 4.5/12, 7.5/12, 10.5/12, 1 of full. A0 (no date)
    # renews in quarters 1 and 5 and books the ramp's mean over its contract year: 0.125 at
    # quarter 1, (0.375 + 0.625 + 0.875 + 1)/4 = 0.71875 at quarter 5, so its extra log growth is
    # 0.4·0.125 = 0.05 after a year and 0.4·(0.125 + 0.71875) = 0.3375 after two.
    frame = portfolio([1e5, 2e5], ["Key", "Strategic"])
    result = run_simulation(
        frame,
        uniform_assumptions(0.0, 0.0, 0.0),
        SimulationSettings(paths=64, horizon=8, strategic_sams=1),
        Scenario(promote=("A0",), strategic_sams=1),
        treatment=exact_effect(uplift=0.4, ramp_months=12),
    )
    gain = result.scenario.paths.totals - result.baseline.paths.totals
    np.testing.assert_allclose(gain[:, 4], 1e5 * (math.exp(0.05) - 1), rtol=1e-6)
    np.testing.assert_allclose(gain[:, 8], 1e5 * (math.exp(0.3375) - 1), rtol=1e-6)
    # demoting loses the effect over the same ramp: e = −1; A1 renews in quarter 2, after
    # quarters at 0.125 and 0.375 of the effect: −0.4·0.25 = −0.1
    demoted = run_simulation(
        frame,
        uniform_assumptions(0.0, 0.0, 0.0),
        SimulationSettings(paths=64, horizon=4, strategic_sams=1),
        Scenario(demote=("A1",), strategic_sams=1),
        treatment=exact_effect(uplift=0.4, ramp_months=12),
    )
    loss = demoted.scenario.paths.totals[:, 4] - demoted.baseline.paths.totals[:, 4]
    np.testing.assert_allclose(loss, 2e5 * (math.exp(-0.1) - 1), rtol=1e-6)
    with pytest.raises(ValueError, match=r"ramp .* must be within the horizon"):
        run_simulation(
            frame,
            Assumptions(),
            SimulationSettings(paths=64, horizon=2),
            treatment=exact_effect(ramp_months=12),
        )


def test_no_sam_attention_means_exactly_no_gain():
    frame = portfolio([5e5, 3e5, 2e5, 1e5], ["Strategic", "Key", "Key", "Standard"])
    result = run_simulation(
        frame,
        Assumptions(),
        SimulationSettings(paths=500, strategic_sams=0),
        Scenario(promote=("A1", "A3"), strategic_sams=0),
    )
    assert np.all(result.comparison.delta == 0) and np.all(result.comparison.npv == 0)
    assert result.comparison.prob_better == 0
    assert "no strategic attention" in result.headline()


def test_move_and_staffing_add_up_to_the_total_on_every_path():
    frame = portfolio([1e5] * 14, ["Strategic"] * 10 + ["Key"] * 4)
    result = run_simulation(
        frame,
        Assumptions(),
        SimulationSettings(paths=1_000, strategic_sams=1),
        Scenario(promote=("A10", "A11", "A12", "A13")),
    )
    c = result.comparison
    assert c.sam_change == 1  # ⌈14/10⌉ − ⌈10/10⌉
    np.testing.assert_allclose(c.move_delta + c.staffing_delta, c.delta, atol=1e-6)
    np.testing.assert_allclose(c.move_npv + c.staffing_npv, c.npv, atol=1e-6)
    # the move alone overloads today's SAM (q = 10/14): the ten existing accounts lose attention
    assert result.move.staffing.attention == pytest.approx(10 / 14)
    assert result.scenario.staffing.attention == 1
    assert c.staffing_delta.mean() > 0


def test_attention_and_exposure():
    assert attention(10, 10, 1) == 1.0
    assert attention(12, 10, 1) == pytest.approx(10 / 12)
    assert attention(5, 10, 0) == 0.0
    assert attention(0, 10, 0) == 1.0
    assert staffing(58, 10, 5).load == pytest.approx(1.16)
    assert staffing(58, 10, 5).required_sams == 6
    base = np.array(["Strategic", "Strategic", "Key", "Standard"], dtype=object)
    after = np.array(["Strategic", "Key", "Strategic", "Standard"], dtype=object)
    # stays (0.8 − 0.9), demoted (0 − 0.9), promoted (0.8 − 0), untouched (0)
    np.testing.assert_allclose(exposure(base, after, 0.9, 0.8), [-0.1, -0.9, 0.8, 0.0])


def test_treatment_draws_follow_the_interval():
    effect = TreatmentEffect(Interval(0.6, 0.4, 0.9), Interval(0.03, 0.0, 0.06), 6.0)
    draws = treatment_draws(effect, SimulationSettings(paths=40_000, seed=3))
    sd = (math.log(0.9) - math.log(0.4)) / (2 * 1.6448536)  # 0.246505
    centre = (math.log(0.4) + math.log(0.9)) / 2  # the interval's middle on the log scale
    assert abs(draws.log_hazard_ratio.mean() - centre) < 4 * sd / math.sqrt(40_000)
    assert abs(draws.log_hazard_ratio.std() - sd) < 4 * sd / math.sqrt(2 * 40_000)
    inside = (draws.log_hazard_ratio > math.log(0.4)) & (draws.log_hazard_ratio < math.log(0.9))
    assert abs(inside.mean() - 0.9) < 3.29 * math.sqrt(0.09 / 40_000)  # 90% within the interval
    sd_uplift = 0.06 / (2 * 1.6448536)
    assert abs(draws.uplift.std() - sd_uplift) < 4 * sd_uplift / math.sqrt(2 * 40_000)
    np.testing.assert_allclose(draws.ramp, [0, 0.25, 0.75] + [1] * 10)
    # a path's effect does not depend on how many paths are run
    fewer = treatment_draws(effect, SimulationSettings(paths=1_000, seed=3))
    np.testing.assert_array_equal(fewer.log_hazard_ratio, draws.log_hazard_ratio[:1_000])


def test_promotion_npv_and_hire_by_hand():
    # One Key account at $100k, no churn, no volatility, drift 0; promotion adds uplift ln 1.2 at
    # once. No strategic SAM today, so the move alone gives it no attention (move delta 0) and
    # the scenario hires one SAM ($180k/yr). Without a renewal date the account renews in
    # quarter 1 (the first of the evenly spread quarters), where its ARR steps to $120k: the
    # difference Δ = 0, 20,000, 20,000, 20,000, 20,000 and the trapezoid revenue
    # R = 2,500, 5,000, 5,000, 5,000.
    frame = portfolio([100_000], ["Key"])
    result = run_simulation(
        frame,
        uniform_assumptions(0.0, 0.0, 0.0),
        SimulationSettings(paths=64, horizon=4),
        Scenario(promote=("A0",)),
        treatment=exact_effect(uplift=math.log(1.2)),
    )
    c = result.comparison
    np.testing.assert_allclose(c.delta, 20_000, rtol=1e-6)
    assert np.all(c.move_delta == 0)
    assert c.added_sams == 1 and c.released_sams == 0 and c.prob_better == 1.0
    # cash C_t = 0.8·R_t − 45,000 per quarter, discounted at 1.1^(−t/4); tail = 0.8 · 20,000 /
    # (0.10 discount + 0 churn) · 1.1^(−1) = 145,454.55
    revenue = np.array([2_500.0, 5_000.0, 5_000.0, 5_000.0])
    cash = 0.8 * revenue - 45_000
    expected = (cash * 1.1 ** (-np.arange(1, 5) / 4)).sum() + 0.8 * 20_000 / 0.1 / 1.1
    np.testing.assert_allclose(c.npv, expected, rtol=1e-5)
    assert c.payback_years is None  # cash stays negative through the year
    headline = result.headline()
    # the whole $20.0k is the hire's (the move adds nothing): the subject names both, where it
    # read "Promoting 1 account adds $20.0k" (risk review: a hire credited to the move)
    assert headline.startswith("Promoting 1 account and hiring 1 SAM adds $20.0k")
    assert ": $0 from the move with today's" in headline and "+$20.0k from hiring 1 SAM" in headline
    assert "no payback within the horizon" in headline


def test_economics_by_hand():
    delta = np.array([[0.0, 50.0, 100.0]])
    econ = Economics(margin=0.8, discount_rate=0.1, cost_per_sam=0.0, tail_churn=0.1)
    # R = 12.5, 37.5; C = 10, 30; NPV = 10/1.1^0.5 + 30/1.1 + 0.8·100/0.2/1.1 = 400.4437
    assert npv(delta, 0.5, econ, 0.0)[0] == pytest.approx(400.4437168, rel=1e-9)
    # a SAM at 40/yr: C = 10 − 20, 30 − 20 → cumulative −10, 0: payback at 1.0 year
    econ = Economics(margin=0.8, discount_rate=0.1, cost_per_sam=40.0, tail_churn=0.1)
    assert payback_years(delta, 0.5, econ, 1.0) == pytest.approx(1.0)
    assert payback_years(delta, 0.5, econ, 0.0) is None  # nothing added, nothing to pay back
    # releasing a SAM books its saving: C = 10 + 20, 30 + 20
    released = npv(delta, 0.5, econ, -1.0)[0]
    assert released == pytest.approx(400.4437168 + 20 / 1.1**0.5 + 20 / 1.1, rel=1e-9)
    with pytest.raises(ValueError, match="margin must be between 0% and 100%"):
        Economics(margin=1.2)


def test_demotion_releases_a_sam_and_books_the_saving():
    # 11 strategic accounts need 2 SAMs; demoting one needs 1: the scenario releases one. With
    # no effect (HR 1, uplift 0) and no churn or growth, the only money is the saved cost:
    # 180,000 · 0.25 per quarter for 4 quarters, discounted at 10%.
    frame = portfolio([1e5] * 11, ["Strategic"] * 11)
    result = run_simulation(
        frame,
        uniform_assumptions(0.0, 0.0, 0.0),
        SimulationSettings(paths=64, horizon=4),
        Scenario(demote=("A10",)),
        treatment=exact_effect(),
    )
    c = result.comparison
    assert c.sam_change == -1 and c.released_sams == 1 and c.added_sams == 0
    saving = (45_000 * 1.1 ** (-np.arange(1, 5) / 4)).sum()
    np.testing.assert_allclose(c.npv, saving, rtol=1e-9)
    assert "releasing 1 SAM" in result.headline()


def test_annual_metrics_are_per_year_not_annualised():
    # one account, churn 0, drift ln 1.1, no volatility: annual NRR 1.1 each year, GRR 1.0
    result = run_simulation(
        portfolio([1e5]),
        uniform_assumptions(0.0, math.log(1.1), 0.0),
        SimulationSettings(paths=64, horizon=8),
    )
    assert result.baseline.years == 2
    np.testing.assert_allclose(result.baseline.annual_nrr(2), 1.1, rtol=1e-6)
    np.testing.assert_allclose(result.baseline.annual_grr(1), 1.0, rtol=1e-6)
    # churn 10%/yr, 12 accounts: E[GRR year 1] = 0.9 (drift 0, no volatility)
    paths = 4_000
    churning = run_simulation(
        portfolio([1e5] * 12),
        uniform_assumptions(0.1, 0.0, 0.0),
        SimulationSettings(paths=paths, horizon=8, seed=6),
    )
    grr = churning.baseline.annual_grr(1)
    assert abs(grr.mean() - 0.9) < 4 * grr.std() / math.sqrt(paths)
    summary = churning.baseline.summary()
    assert summary.first_year is not None and summary.first_year.year == 1
    assert summary.first_year.grr.mean == float(grr.mean())
    assert "annualised_p50" not in summary.nrr.to_dict()


def test_overloaded_sams_make_a_promotion_worse_than_hiring():
    frame = portfolio([1e5] * 12, ["Strategic"] * 10 + ["Key"] * 2)
    settings = SimulationSettings(paths=2_000, horizon=8, seed=4)
    hire = run_simulation(frame, Assumptions(), settings, Scenario(promote=("A10", "A11")))
    fixed = run_simulation(frame, Assumptions(), settings, Scenario(promote=("A10", "A11"), strategic_sams=1))
    assert hire.scenario.staffing.attention == 1 and hire.comparison.added_sams == 1
    assert fixed.scenario.staffing.attention == pytest.approx(10 / 12)
    assert fixed.comparison.delta.mean() < hire.comparison.delta.mean()
    assert "run at 120% of capacity" in fixed.headline()


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        (Scenario(promote=("NOPE",)), "unknown or inactive account id"),
        (Scenario(promote=("A0",)), "already strategic"),
        (Scenario(demote=("A1",)), "not strategic"),
        (Scenario(promote=("A1",), demote=("A1",)), "both promoted and demoted"),
    ],
)
def test_invalid_scenarios_are_named(scenario, message):
    frame = portfolio([2e5, 1e5], ["Strategic", "Key"])
    with pytest.raises(ValueError, match=message):
        run_simulation(frame, Assumptions(), SimulationSettings(paths=10), scenario)


def test_outputs_are_consistent():
    frame = portfolio(np.linspace(1e4, 1e6, 40).tolist(), ["Key"] * 40)
    result = run_simulation(frame, Assumptions(), SimulationSettings(paths=1_000, horizon=6))
    fan = result.baseline.fan()
    assert list(fan.columns) == ["p5", "p25", "p50", "p75", "p95", "mean"]
    assert len(fan) == 7 and (fan.loc[0] == frame["arr"].sum()).all()
    assert (fan.diff(axis=1).iloc[:, 1:5] >= 0).all().all()  # p5 ≤ p25 ≤ … ≤ p95
    summary = result.baseline.summary()
    assert set(summary.ending_arr.to_dict()) == {"p5", "p25", "p50", "p75", "p95", "mean"}
    assert summary.ending_arr.p50 == float(np.percentile(result.baseline.ending_arr, 50))
    top = result.baseline.paths.top_share
    assert ((top > 0.25) & (top <= 1)).all()  # 10 of 40 accounts hold at least a quarter
    assert (result.baseline.grr <= 1 + 1e-6).all()


def test_churn_thresholds():
    # annual churn 10%, yearly periods: P(churned within year 1) = 0.1 → Φ⁻¹(0.1) = −1.2815516;
    # each year has its own churn draw, so year 2's threshold is Φ⁻¹(0.1) again
    thresholds = churn_thresholds(np.array([0.1, 0.0, 1.0]), periods=2, period_years=1.0)
    assert thresholds[1, 0] == pytest.approx(-1.2815516)
    assert thresholds[2, 0] == pytest.approx(-1.2815516)
    # quarters: within the year 1 − 0.9^(k/4): k = 2 → Φ⁻¹(0.0513167) = −1.6326
    quarterly = churn_thresholds(np.array([0.1]), periods=6, period_years=0.25)
    assert quarterly[2, 0] == pytest.approx(norm.ppf(1 - 0.9**0.5))
    assert quarterly[6, 0] == quarterly[2, 0]  # the second year's second quarter
    assert np.isneginf(thresholds[:, 1]).all()  # never churns
    assert np.isneginf(thresholds[0, 2]) and np.isposinf(thresholds[1, 2])  # churns at once


def test_assumptions_file_overrides_and_errors(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps(
            {
                "tiers": {"Strategic": {"annual_churn": 0.03, "expansion_drift": 0.15, "volatility": 0.2}},
                "nrr_volatility": 0.1,
            }
        )
    )
    loaded = load_assumptions(path)
    assert loaded.tiers["Strategic"] == TierAssumption(0.03, 0.15, 0.2, "explicit")
    assert loaded.tiers["Key"] == Assumptions().tiers["Key"] and loaded.nrr_volatility == 0.1
    assert loaded.nrr_volatility_source == "explicit" and Assumptions().nrr_volatility_source == "assumed"
    assert nrr_volatility_sentence(0.05, "assumed").startswith(
        "Portfolio NRR volatility 5 points a year (assumed): a B2B book's year-to-year swing"
    )
    assert (
        nrr_volatility_sentence(0.025, "explicit") == "Portfolio NRR volatility 2.5 points a year (explicit)."
    )
    bad = [
        ({"tiers": {"Gold": {}}}, "unknown tier 'Gold'"),
        ({"tiers": {"Key": {"annual_churn": 1.5}}}, "annual_churn must be a number between 0 and 1"),
        ({"tiers": {"Key": {"churn": 0.1}}}, "expected an object with"),
        ({"nrr_volatility": 0.6}, "portfolio NRR volatility must be between 0 and 50 points"),
        ({"nrr_volatility": "high"}, "nrr_volatility must be a number"),
        ({"correlation": 0.3}, "'correlation' is no longer used: give 'nrr_volatility'"),
        ({"seed": 1}, "unknown key"),
        ([1, 2], "must be a JSON object"),
    ]
    for data, message in bad:
        with pytest.raises(ValueError, match=message):
            parse_assumptions(data)
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_assumptions(tmp_path / "broken.json")
    with pytest.raises(ValueError, match="cannot read"):
        load_assumptions(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period": "week"}, "period must be"),
        ({"horizon": 0}, "horizon must be 1–20 quarters"),
        ({"horizon": 61, "period": "month"}, "horizon must be 1–60 months"),
        ({"paths": 0}, "paths must be"),
        ({"seed": -1}, "seed must be"),
        ({"cost_per_sam": -5.0}, "cost per SAM"),
    ],
)
def test_settings_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SimulationSettings(**kwargs)


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_reports_every_chunk_up_to_done(workers):
    seen = []
    run_simulation(
        FOUR,
        Assumptions(),
        SimulationSettings(paths=300, horizon=2, chunk_paths=64, workers=workers),
        progress=seen.append,
    )
    assert len(seen) == 5  # 300 paths in chunks of 64: 64, 64, 64, 64, 44
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert seen[0] == pytest.approx(64 / 300)


def test_default_hiring_adds_only_what_the_move_needs():
    # 12 strategic accounts on 1 SAM (capacity 10: load 120%). Promoting 2 keeps the need at
    # ⌈14/10⌉ = 2 = ⌈12/10⌉, so no SAM is added and the overload stays (q = 10/14).
    frame = portfolio([1e5] * 14, ["Strategic"] * 12 + ["Key"] * 2)
    result = run_simulation(
        frame,
        Assumptions(),
        SimulationSettings(paths=200, strategic_sams=1),
        Scenario(promote=("A12", "A13")),
    )
    assert result.comparison.added_sams == 0 and result.comparison.required_sams_change == 0
    assert result.scenario.staffing.attention == pytest.approx(10 / 14)
    assert "run at 140% of capacity" in result.headline()
    # promoting into a full tier: ⌈11/10⌉ − ⌈10/10⌉ = 1 more SAM on top of today's
    full = portfolio([1e5] * 11, ["Strategic"] * 10 + ["Key"])
    hired = run_simulation(full, Assumptions(), SimulationSettings(paths=200), Scenario(promote=("A10",)))
    assert hired.comparison.added_sams == 1 and hired.scenario.staffing.attention == 1


def test_starting_assumptions_calibrate_only_with_prior_arr(five_accounts):
    from portfolio.analysis import analyze
    from simulation import starting_assumptions

    with_prior = starting_assumptions(analyze(five_accounts))  # 4 accounts with prior: too few
    assert all(a.source == "default" and a.note for a in with_prior.tiers.values())
    without = starting_assumptions(
        analyze(five_accounts.drop(columns="arr_prior").assign(arr_prior=float("nan")))
    )
    assert without == Assumptions()


def test_paths_for_error_picks_the_smallest_sufficient_offer():
    offered = (2_000, 5_000, 10_000, 20_000, 50_000)
    # sd 100k, target 1k: (100k/1k)² = 10,000 paths
    assert paths_for_error(100_000, 1_000, offered) == 10_000
    assert paths_for_error(100_000, 999, offered) == 20_000
    assert paths_for_error(1e9, 1.0, offered) == 50_000
    assert paths_for_error(0.0, 1.0, offered) == 2_000


def test_the_tail_decays_at_the_moved_accounts_own_churn():
    from simulation.economics import tail_value
    from simulation.model import _tail_churn

    churn = np.array([0.04, 0.08, 0.15])
    arr0 = np.array([100.0, 300.0, 100.0])
    # only the Key (0.08, ARR 300, attention +1) and Standard (0.15, ARR 100, +0.5) accounts
    # moved: (300·0.08 + 50·0.15) / 350 = 0.09
    assert _tail_churn(churn, arr0, np.array([0.0, 1.0, 0.5]), 0.04) == pytest.approx(0.09)
    assert _tail_churn(churn, arr0, np.zeros(3), 0.04) == 0.04  # nothing moved: the fallback
    # V = m·Δ(T)/(r + c)·(1+r)^(−T): 0.8 · 100 / 0.2 / 1.1 = 363.64
    econ = Economics(margin=0.8, discount_rate=0.1, cost_per_sam=0.0, tail_churn=0.1)
    assert tail_value(np.array([[0.0, 50.0, 100.0]]), 0.5, econ)[0] == pytest.approx(363.636364)


def test_an_account_renewing_in_month_seven_cannot_churn_before_it():
    # monthly periods, renewal 6.5 months out (inside month 7), churn 50% a renewal, a strong
    # market: active at months 1–6 on every path; P(active at month 7…18) = 0.5 and at month
    # 19 (the next renewal) 0.25, each within the 99.9% binomial interval.
    paths = 10_000
    params = AccountParams(np.array([0.5]), np.zeros(1), np.full(1, 0.3), renewal_years=np.array([6.5 / 12]))
    outcome = run_paths(
        np.ones(1), params, nrr_volatility=0.1, periods=24, period_years=1 / 12, paths=paths, seed=3
    )[0]
    alive = outcome.active_arr > 0.5
    assert alive[:, :7].all()
    for month, survival in ((7, 0.5), (18, 0.5), (19, 0.25), (24, 0.25)):
        assert abs(alive[:, month].mean() - survival) < 3.29 * math.sqrt(survival * (1 - survival) / paths)
    assert (alive[:, 7:19] == alive[:, 7:8]).all()  # nothing happens between renewals
    assert not (~alive[:, :-1] & alive[:, 1:]).any()  # absorbing


@pytest.mark.parametrize("renewal", [np.nan, 0.3, 0.95])
def test_one_year_churn_is_the_annual_churn_for_both_timings(renewal):
    # one year, quarters: the share churned is c = 20% with a uniform hazard or a renewal
    # anywhere in the year (99.9% binomial interval)
    paths = 20_000
    params = AccountParams(np.array([0.2]), np.zeros(1), np.full(1, 0.25), renewal_years=np.array([renewal]))
    outcome = run_paths(
        np.ones(1), params, nrr_volatility=0.05, periods=4, period_years=0.25, paths=paths, seed=6
    )[0]
    churned = (outcome.active_arr[:, 4] < 0.5).mean()
    assert abs(churned - 0.2) < 3.29 * math.sqrt(0.16 / paths)
    if np.isnan(renewal):  # uniform: half a year gives 1 − 0.8^0.5 = 10.56%
        half = (outcome.active_arr[:, 2] < 0.5).mean()
        assert abs(half - (1 - 0.8**0.5)) < 3.29 * math.sqrt(0.1056 * 0.8944 / paths)


def test_mixed_portfolio_expected_churned_arr_by_hand():
    # ARR 100 (renews in quarter 2), 200 (no date), 300 (renews in 1.6 years: none in year 1),
    # churn 10%, 20%, 30%; expected one-year churned ARR = 100·0.1 + 200·0.2 + 0 = 50, two
    # years: 100·0.19 + 200·0.36 + 300·0.3 = 181; in quarter 2 alone: 10 + 200·(0.8^0.25 − 0.8^0.5)
    paths = 20_000
    params = AccountParams(
        np.array([0.1, 0.2, 0.3]), np.zeros(3), np.full(3, 0.2), renewal_years=np.array([0.4, np.nan, 1.6])
    )
    arr = np.array([100.0, 200.0, 300.0])
    outcome = run_paths(arr, params, nrr_volatility=0.05, periods=8, period_years=0.25, paths=paths, seed=7)[
        0
    ]
    lost = outcome.active_arr[:, 0:1] - outcome.active_arr
    quarter2 = outcome.active_arr[:, 1] - outcome.active_arr[:, 2]
    for values, expected in (
        (lost[:, 4], 50),
        (lost[:, 8], 181),
        (quarter2, 10 + 200 * (0.8**0.25 - 0.8**0.5)),
    ):
        assert abs(values.mean() - expected) < 4 * values.std() / math.sqrt(paths)
    assert (lost[:, 4] % 100 == 0).all() and (lost[:, 4] <= 300).all()  # the 300 cannot churn in year 1


def test_renewal_years_from_dates_and_the_sentence():
    start = pd.Timestamp("2026-01-01")
    dates = pd.Series(["2026-07-02", "", "2025-12-01", "not a date", "2027-01-01"])
    years = renewal_years(dates, start)
    # 2025-12-01 is past: on annual terms the next renewal is 2026-12-01, 334 days on
    np.testing.assert_allclose(years.to_numpy(), [182 / 365.25, np.nan, 334 / 365.25, np.nan, 365 / 365.25])
    accounts = pd.DataFrame(
        {"account_id": list("abcde"), "arr": [1.0] * 5, "renewal_date": dates, "tier": ["Key"] * 5}
    )
    frame = simulation_accounts(accounts, accounts["tier"], start=start)
    assert renewal_timing(frame) == (
        "Churn follows renewal dates (annual terms) for 3 of 5 accounts (1 date on or before the "
        "as-of date 2026-01-01 rolled forward by whole years); the other 2 churn with a uniform "
        "hazard (1 without a date, 1 date that could not be read)."
    )
    no_dates = simulation_accounts(accounts.drop(columns="renewal_date"), accounts["tier"], start=start)
    assert no_dates["renewal_years"].isna().all()
    assert renewal_timing(no_dates).startswith("No account has a renewal date, so all 5")


def test_mean_reversion_follows_the_closed_form_and_zero_changes_nothing():
    # σ = 0, no churn: at each renewal D ← (1 + r)·D + d, D(0) = 0. r = −0.25, d = 0.2,
    # quarters; the first account (no date) renews in quarters 1 and 5: D = 0.2 from quarter 1,
    # (1 − 0.25)·0.2 + 0.2 = 0.35 from quarter 5, the annual closed form
    # d·((1 + r)^k − 1)/r = 0.2·(0.5625 − 1)/(−0.25) = 0.35. The second (r = 0) renews in
    # quarters 2 and 6: D = 0.2, then 0.4.
    arr = np.array([1e5, 2e5])
    params = AccountParams(np.zeros(2), np.full(2, 0.2), np.zeros(2), reversion=np.array([-0.25, 0.0]))
    outcome = run_paths(arr, params, nrr_volatility=0.0, periods=8, period_years=0.25, paths=64, seed=1)[0]
    for t, reverting, walking in (
        (1, 0.2, 0.0),
        (4, 0.2, 0.2),
        (5, 0.35, 0.2),
        (6, 0.35, 0.4),
        (8, 0.35, 0.4),
    ):
        expected = 1e5 * math.exp(reverting) + 2e5 * math.exp(walking)
        np.testing.assert_allclose(outcome.totals[:, t], expected, rtol=1e-6)
    # r = 0 everywhere equals no reversion at all, bit for bit (with volatility, churn, market)
    churn, drift, vol = np.array([0.1, 0.3]), np.array([0.05, 0.1]), np.array([0.2, 0.4])
    kwargs = dict(nrr_volatility=0.05, periods=8, period_years=0.25, paths=300, seed=2)
    plain = run_paths(arr, AccountParams(churn, drift, vol), **kwargs)[0]
    zero = run_paths(arr, AccountParams(churn, drift, vol, reversion=np.zeros(2)), **kwargs)[0]
    for name in ("totals", "retained", "churned_arr", "retained_years", "active_arr"):
        assert np.array_equal(getattr(plain, name), getattr(zero, name)), name
    with pytest.raises(ValueError, match="mean reversion"):
        run_paths(arr, AccountParams(churn, drift, vol, reversion=np.array([0.1, 0.0])), **kwargs)


def test_mean_reversion_shrinks_the_spread_to_its_stationary_variance():
    # σ = 0.3, r = −0.5, monthly, 5 years: at year ends Var D(k+1) = (1 + r)²·Var D(k) + σ², so
    # Var D(5) = 0.09·(1 − 0.25⁵)/(1 − 0.25) = 0.119883 (sd 0.3462), against 0.3²·5 = 0.45 for a
    # random walk. Checked within 4 standard errors of an sd.
    paths, rate, step = 10_000, -0.5, 1 / 12
    params = AccountParams(np.zeros(1), np.zeros(1), np.full(1, 0.3), reversion=np.array([rate]))
    outcome = run_paths(
        np.ones(1), params, nrr_volatility=0.0, periods=60, period_years=step, paths=paths, seed=5
    )[0]
    log_growth = np.log(outcome.totals[:, -1])
    sd = math.sqrt(0.09 * (1 - 0.25**5) / (1 - 0.25))
    assert sd == pytest.approx(0.346241, rel=1e-5)
    assert abs(log_growth.std() - sd) < 4 * sd / math.sqrt(paths)


def test_antithetic_pairs_and_their_monte_carlo_error():
    # partners by hand: k ↔ 32 + k in a block of 64; the last block's 5 paths (64–68) have
    # no partner (theirs, 96–100, are not run)
    partner = antithetic_partner(69)
    assert partner[0] == 32 and partner[32] == 0 and partner[31] == 63
    assert list(partner[64:]) == [64, 65, 66, 67, 68]
    # one account, σ only: partners' log growths are exact opposites
    params = AccountParams(np.zeros(1), np.zeros(1), np.full(1, 0.3))
    outcome = run_paths(
        np.ones(1), params, nrr_volatility=0.1, periods=4, period_years=0.25, paths=69, seed=1
    )[0]
    log_growth = np.log(outcome.totals[:, -1]).astype(np.float32)
    paired = partner != np.arange(69)
    assert list(np.flatnonzero(~paired)) == [64, 65, 66, 67, 68]
    np.testing.assert_allclose(log_growth[partner][paired], -log_growth[paired], atol=1e-6)
    # the reported error of a mean is its spread over independent runs: 200 seeds of 256 paths;
    # the sd of 200 means is known to ±5% (1/√400), so the average reported error must be
    # within 4 of those of it (±20%)
    churn, drift, vol = np.array([0.1, 0.3, 0.2]), np.array([0.05, 0.1, 0.0]), np.array([0.2, 0.4, 0.3])
    arr = np.array([3.0, 2.0, 1.0])
    means, errors = [], []
    for seed in range(200):
        run = run_paths(
            arr,
            AccountParams(churn, drift, vol),
            nrr_volatility=0.05,
            periods=4,
            period_years=0.25,
            paths=256,
            seed=seed,
        )[0]
        ending = run.totals[:, -1]
        means.append(ending.mean())
        errors.append(mean_error(ending))
    assert abs(np.mean(errors) / np.std(means, ddof=1) - 1) < 0.2


def test_factoring_the_market_out_gives_the_full_recursions_paths():
    # One loading and no reversion: drift and market leave the per-account loop. A reversion of
    # −10⁻¹² (1 + rΔ rounds to 1 in float32) forces the full recursion on the same draws: the
    # paths agree to float32 rounding.
    n = 50
    rng = np.random.default_rng(4)
    arr = rng.lognormal(10, 1, n)
    churn, drift, vol = rng.uniform(0.02, 0.3, n), rng.uniform(-0.05, 0.2, n), rng.uniform(0.15, 0.5, n)
    renewal = np.where(rng.random(n) < 0.5, rng.uniform(0.05, 1.0, n), np.nan)
    kwargs = dict(nrr_volatility=0.06, periods=12, period_years=0.25, paths=256, seed=3)
    fast = run_paths(arr, AccountParams(churn, drift, vol, renewal_years=renewal), **kwargs)[0]
    full = run_paths(
        arr, AccountParams(churn, drift, vol, reversion=np.full(n, -1e-12), renewal_years=renewal), **kwargs
    )[0]
    np.testing.assert_allclose(fast.totals, full.totals, rtol=2e-5)
    np.testing.assert_allclose(fast.retained_years, full.retained_years, rtol=2e-5)
    assert np.array_equal(fast.active_arr, full.active_arr)


def test_a_move_without_effect_is_never_better_or_worth_anything():
    """Risk review: promoting 3 demo accounts with no treatment effect (hazard ratio 1, uplift 0)
    moved ending ARR by up to $8 and NPV by up to $33 per path (float32 rounding of a $52.9M
    book), and the headline said "ARR above the baseline's on 1% of paths, NPV positive on 29%".
    Rounding now counts as no difference (model.ARR_ROUNDING, NPV_ROUNDING); a real effect on
    the same accounts still counts."""
    from conftest import DEMO
    from portfolio.analysis import analyze
    from portfolio.ingest import load_file
    from simulation.calibration import starting_assumptions
    from simulation.treatment import ASSUMED_EFFECT, explicit_effect

    analysis = analyze(load_file(DEMO).accounts)
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier, start=analysis.facts.as_of)
    assumptions = starting_assumptions(analysis)
    settings = SimulationSettings(paths=1000, seed=5, workers=1)
    promoted = tuple(frame.loc[frame["tier"] == "Key", "account_id"].iloc[:30])
    sams = run_simulation(frame, assumptions, settings).baseline.staffing.sams
    none = explicit_effect(ASSUMED_EFFECT, hazard_ratio=1.0, uplift=0.0)
    move = Scenario(promote=promoted, strategic_sams=sams)
    null = run_simulation(frame, assumptions, settings, move, treatment=none).comparison
    assert 0 < np.abs(null.delta).max() < 1e-6 * null.start_arr  # rounding there is, and it is small
    assert null.prob_better == 0.0 and null.prob_positive == 0.0
    real = run_simulation(frame, assumptions, settings, move, treatment=ASSUMED_EFFECT).comparison
    assert np.abs(real.delta).min() > 1e-6 * real.start_arr  # an effect (here diluted attention) counts
    assert 0 < real.prob_better < 1
