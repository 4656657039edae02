"""The recommended strategic portfolio (issue 17 item 1): gains, the exact selection, bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from simulation import Assumptions, Scenario, SimulationSettings, TreatmentEffect, run_simulation
from simulation.assumptions import TierAssumption
from simulation.recommend import npv_gains, recommend, sam_cost_pv
from simulation.treatment import Interval


def frame(arr, tiers) -> pd.DataFrame:
    ids = [f"A{i}" for i in range(len(arr))]
    return pd.DataFrame({"account_id": ids, "account_name": ids, "arr": arr, "tier": tiers})


def exact(hr: float, uplift: float, ramp: float = 0.0) -> TreatmentEffect:
    return TreatmentEffect(Interval(hr, hr, hr), Interval(uplift, uplift, uplift), ramp, "explicit")


def test_gain_of_one_account_by_hand():
    """One quarter, c = 19% (λ = −ln 0.81), HR 0.5 at once, no growth, margin 100%, no discount:
    δ = 100·(0.9^¼ − 0.81^¼) = 2.53204; cash δ/2·¼ = 0.31651; tail δ / (0 + 0.19) = 13.32655;
    NPV 13.64306."""
    accounts = frame([100.0], ["Key"])
    tiers = {"Strategic": TierAssumption(0.04, 0, 0), "Key": TierAssumption(0.19, 0, 0)}
    tiers["Standard"] = tiers["Key"]
    settings = SimulationSettings(horizon=1, margin=1.0, discount_rate=0.0)
    gains = npv_gains(accounts, np.array([1.0]), Assumptions(tiers), exact(0.5, 0.0), settings, draws=4)
    assert gains == pytest.approx(np.full((4, 1), 13.643057), abs=1e-5)


def test_no_attention_change_gains_nothing():
    accounts = frame([100.0, 200.0], ["Key", "Strategic"])
    gains = npv_gains(
        accounts, np.zeros(2), Assumptions(), TreatmentEffect(*_assumed()), SimulationSettings()
    )
    assert np.all(gains == 0)


def _assumed():
    return Interval(0.85, 0.7225, 1.0), Interval(0.02, 0.0, 0.04)


def test_gain_matches_the_simulator():
    """Promoting 40 equal key accounts: the simulated move's NPV (20,000 paths, no market
    volatility, uniform hazard) equals 40 × the analytic gain within 4 Monte Carlo errors."""
    accounts = frame([50_000.0] * 60, ["Strategic"] * 5 + ["Key"] * 55)
    effect = exact(0.6, 0.05, ramp=6.0)
    assumptions = Assumptions(nrr_volatility=0.0)
    settings = SimulationSettings(paths=20_000, strategic_sams=5.0, strategic_capacity=10, seed=3)
    promoted = tuple(accounts["account_id"][5:45])
    result = run_simulation(
        accounts, assumptions, settings, Scenario(promote=promoted, strategic_sams=5.0), treatment=effect
    )
    simulated = result.comparison.move_npv
    error = simulated.std() / math.sqrt(len(simulated))
    change = np.r_[np.zeros(5), np.ones(40), np.zeros(15)]
    analytic = npv_gains(accounts, change, assumptions, effect, settings, draws=2).sum(axis=1)[0]
    assert simulated.mean() == pytest.approx(analytic, abs=4 * error)
    assert error < 0.05 * analytic  # the check has teeth


def small_portfolio() -> pd.DataFrame:
    arr = [900_000, 40_000, 300_000, 250_000, 120_000, 800_000, 60_000, 500_000, 30_000]
    tiers = ["Strategic", "Strategic", "Strategic", "Key", "Key", "Key", "Standard", "Key", "Standard"]
    return frame([float(a) for a in arr], tiers)


@pytest.mark.parametrize(
    "options",
    [
        {"sams": 1},
        {"sams": 2},
        {"sams": 1, "max_moves": 1},
        {"sams": 1, "keep": ["A1"], "exclude": ["A5"]},
        {"sams": 2, "max_moves": 2, "exclude": ["A0"]},
    ],
)
def test_recommendation_is_optimal_against_every_subset(options):
    """Brute force over all 2⁹ subsets with the same per-account gains: no feasible subset has
    a higher expected NPV than the milp's choice."""
    accounts = small_portfolio()
    settings = SimulationSettings(strategic_capacity=2, strategic_sams=2.0)
    assumptions = Assumptions()
    rec = recommend(accounts, assumptions=assumptions, settings=settings, draws=64, **options)
    current = accounts["tier"].eq("Strategic").to_numpy()
    a0 = np.where(current, 1.0, 0.0)  # 3 strategic on 2 SAMs × 2: full attention today
    gain_in = npv_gains(accounts, 1 - a0, assumptions, rec_effect(), settings, 64).mean(axis=0)
    gain_out = npv_gains(accounts, -a0, assumptions, rec_effect(), settings, 64).mean(axis=0)
    slots = options["sams"] * 2
    best = -math.inf
    ids = list(accounts["account_id"])
    for picks in itertools.product([False, True], repeat=len(ids)):
        x = np.array(picks)
        moves = int((x != current).sum())
        if x.sum() > slots or moves > options.get("max_moves", 99):
            continue
        if any(x[ids.index(k)] == 0 for k in options.get("keep", [])):
            continue
        if any(x[ids.index(k)] == 1 for k in options.get("exclude", [])):
            continue
        best = max(best, gain_in[x].sum() + gain_out[current & ~x].sum())
    cost = (options["sams"] - 2) * sam_cost_pv(settings)
    assert rec.expected_npv.mean == pytest.approx(best - cost, rel=1e-9)
    assert len(rec.selected) <= slots
    assert rec.moves <= options.get("max_moves", 99)


def rec_effect() -> TreatmentEffect:
    from simulation.treatment import ASSUMED_EFFECT

    return ASSUMED_EFFECT


def test_marginal_sam_is_a_resolve():
    accounts = small_portfolio()
    settings = SimulationSettings(strategic_capacity=2, strategic_sams=2.0)
    one, two, three = (recommend(accounts, sams=k, settings=settings, draws=64) for k in (1, 2, 3))
    assert two.marginal_sam_value["one_more"] == pytest.approx(
        three.expected_npv.mean - two.expected_npv.mean
    )
    assert two.marginal_sam_value["one_fewer"] == pytest.approx(one.expected_npv.mean - two.expected_npv.mean)
    assert one.marginal_sam_value["one_fewer"] is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"budget": 100_000}, "below the cost of one SAM"),
        ({"budget": -5}, "positive amount"),
        ({"sams": 0}, "at least 1"),
        ({"sams": 2, "keep": ["A1"], "exclude": ["A1"]}, "both kept and excluded: A1"),
        ({"sams": 2, "keep": ["NOPE"]}, "keep: 1 unknown"),
        ({"sams": 1, "keep": ["A0", "A1", "A2"]}, "must-keep accounts do not fit"),
        ({"sams": 1, "max_moves": 0}, "more than the 0 moves allowed"),
    ],
)
def test_bad_input_gets_a_clear_message(options, message):
    settings = SimulationSettings(strategic_capacity=2, strategic_sams=2.0)
    with pytest.raises(ValueError, match=message):
        recommend(small_portfolio(), settings=settings, draws=8, **options)


def test_budget_pays_for_whole_sams():
    settings = SimulationSettings(strategic_capacity=2, strategic_sams=2.0, cost_per_sam=100_000)
    rec = recommend(small_portfolio(), budget=250_000, settings=settings, draws=8)
    assert rec.sams == 2 and rec.slots == 4
    assert set(rec.to_dict()) >= {"selected", "add", "remove", "expected_npv", "marginal_sam_value"}
