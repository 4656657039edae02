"""Issue 13, item 6 and the engine's left-over findings: growth at renewals (one idiosyncratic
draw per account-year), antithetic pairs that do not depend on the path count, and renewal dates
measured from the data's as-of date.

Tolerances as in test_simulation.py: a Monte Carlo mean within 4 standard errors; a standard
deviation within 4·sd/√m, m the number of free values (antithetic pairs of a linear figure:
paths / 2); a correlation within 4·(1 − ρ²)/√m.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulation.engine import AccountParams, antithetic_partner, growth_periods, market_loading, run_paths
from simulation.model import renewal_timing, renewal_years, simulation_accounts


def test_the_first_paths_do_not_depend_on_how_many_paths_are_run():
    # a run of N paths and one of N + 1 (or N + 30) give the same first N paths, bit for bit
    params = AccountParams(np.array([0.1, 0.2, 0.05]), np.array([0.05, 0.0, 0.1]), np.array([0.2, 0.4, 0.3]))
    kwargs = dict(nrr_volatility=0.05, periods=8, period_years=0.25, seed=12)
    arr = np.array([3.0, 2.0, 1.0])
    runs = {p: run_paths(arr, params, paths=p, **kwargs)[0] for p in (69, 70, 99)}
    for longer in (70, 99):
        for name in ("totals", "retained", "active_arr", "market", "retained_years"):
            assert np.array_equal(getattr(runs[69], name), getattr(runs[longer], name)[:69]), (longer, name)
    # partners: k ↔ 32 + k in every block of 64, whatever the path count; a path whose partner
    # is not run has none
    assert antithetic_partner(64)[5] == 37 and antithetic_partner(64)[37] == 5
    assert list(antithetic_partner(99)[64:68]) == [96, 97, 98, 67]
    assert list(antithetic_partner(99)[96:]) == [64, 65, 66]


def test_arr_changes_only_at_its_renewal():
    # one account renewing 0.3 years out (quarter 2), no churn, σ 0.3: its ARR is flat in
    # quarter 1, steps at quarter 2, is flat to quarter 5 and steps again at quarter 6
    params = AccountParams(np.zeros(1), np.full(1, 0.05), np.full(1, 0.3), renewal_years=np.array([0.3]))
    totals = run_paths(
        np.ones(1), params, nrr_volatility=0.1, periods=8, period_years=0.25, paths=64, seed=2
    )[0].totals
    steps = totals[:, 1:] != totals[:, :-1]
    assert not steps[:, [0, 2, 3, 4, 6, 7]].any()
    assert steps[:, [1, 5]].all()


def test_accounts_without_a_renewal_date_renew_in_evenly_spread_quarters():
    # 8 accounts without a date, quarterly: growth periods 1, 2, 3, 4, 1, 2, 3, 4 (in input
    # order); monthly: 1…12 then 1, 2, …
    np.testing.assert_array_equal(growth_periods(None, 8, 0.25), [1, 2, 3, 4, 1, 2, 3, 4])
    known = np.array([np.nan, 0.3, np.nan, 1.6])
    np.testing.assert_array_equal(growth_periods(known, 4, 0.25), [1, 2, 2, 7])
    np.testing.assert_array_equal(growth_periods(None, 14, 1 / 12)[-3:], [12, 1, 2])
    params = AccountParams(np.zeros(8), np.full(8, 0.1), np.zeros(8))
    outcome = run_paths(
        np.ones(8), params, nrr_volatility=0.0, periods=4, period_years=0.25, paths=2, seed=1
    )[0]
    # σ = 0: two accounts step up by e^0.1 each quarter
    expected = [8 + 2 * k * (math.exp(0.1) - 1) for k in range(5)]
    np.testing.assert_allclose(outcome.totals[0], expected, rtol=1e-6)


@pytest.mark.parametrize("renewal", [np.nan, 0.6])
def test_annual_log_growth_has_the_stated_moments_and_market_share(renewal):
    # one account, no churn, d = 0.08, σ = 0.35, v = 5 points: each year's log growth is
    # N(d, σ²) and its correlation with that year's market F is β/σ (its market share of
    # variance (β/σ)²), β solved from v; over two years N(2d, 2σ²)
    paths, d, sigma = 20_000, 0.08, 0.35
    params = AccountParams(np.zeros(1), np.full(1, d), np.full(1, sigma), renewal_years=np.array([renewal]))
    kwargs = dict(nrr_volatility=0.05, periods=8, period_years=0.25)
    outcome = run_paths(np.ones(1), params, paths=paths, seed=21, **kwargs)[0]
    beta = market_loading(np.ones(1), params, 0.05, 0.25)
    rho = beta / sigma
    assert 0.1 < rho < 1
    free = paths / 2
    one = np.log(outcome.totals[:, 4])
    two = np.log(outcome.totals[:, 8])
    for values, mean, sd in ((one, d, sigma), (two - one, d, sigma), (two, 2 * d, sigma * math.sqrt(2))):
        assert abs(values.mean() - mean) < 4 * sd / math.sqrt(paths)
        assert abs(values.std() - sd) < 4 * sd / math.sqrt(free)
    for year, values in ((0, one), (1, two - one)):
        corr = np.corrcoef(values, outcome.market[:, year])[0, 1]
        assert abs(corr - rho) < 4 * (1 - rho**2) / math.sqrt(free)


def test_past_renewal_dates_roll_forward_from_the_as_of_date():
    # as of 2026-03-31: 2025-06-30 (past) renews next on 2026-06-30, 91 days on; 2024-02-29
    # rolls to 2027-02-28 (no 29th in 2027: the last day of February), 334 days; a date on the
    # as-of day itself renews a year later; an unreadable date falls back to the uniform hazard
    start = pd.Timestamp("2026-03-31")
    dates = pd.Series(["2026-09-30", "2025-06-30", "2024-02-29", "2026-03-31", "soon", None])
    years = renewal_years(dates, start)
    np.testing.assert_allclose(
        years.to_numpy(), [183 / 365.25, 91 / 365.25, 334 / 365.25, 1.0 * 365 / 365.25, np.nan, np.nan]
    )
    accounts = pd.DataFrame(
        {"account_id": list("abcdef"), "arr": [1.0] * 6, "renewal_date": dates, "tier": ["Key"] * 6}
    )
    frame = simulation_accounts(accounts, accounts["tier"], start=start)
    assert frame["renewal_rolled"].tolist() == [False, True, True, True, False, False]
    assert frame["renewal_unreadable"].tolist() == [False, False, False, False, True, False]
    assert renewal_timing(frame) == (
        "Churn follows renewal dates (annual terms) for 4 of 6 accounts (3 dates on or before the "
        "as-of date 2026-03-31 rolled forward by whole years); the other 2 churn with a uniform "
        "hazard (1 without a date, 1 date that could not be read)."
    )


def test_no_churn_gives_exactly_no_churned_arr():
    # nothing churns: the churned ARR is exactly 0 on every path, not a float32 residue of
    # Σ ARR(0) − Σ active ARR (a back-test compares it with an observed 0)
    n = 300
    arr = np.random.default_rng(2).lognormal(9, 1.5, n)
    params = AccountParams(np.zeros(n), np.full(n, 0.05), np.full(n, 0.3))
    outcome = run_paths(arr, params, nrr_volatility=0.05, periods=4, period_years=0.25, paths=64, seed=3)[0]
    assert np.all(outcome.churned_arr == 0)
