"""Tornado and P(hit plan) (issue 17 item 3): bars are one-at-a-time reruns on the same paths."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simulation import Assumptions, Scenario, SimulationSettings, run_simulation
from simulation.sensitivity import prob_hit, shift_tier, tornado
from simulation.treatment import ASSUMED_EFFECT, Interval

ACCOUNTS = pd.DataFrame(
    {
        "account_id": [f"A{i}" for i in range(30)],
        "arr": np.linspace(20_000, 600_000, 30),
        "tier": ["Strategic"] * 5 + ["Key"] * 10 + ["Standard"] * 15,
    }
)
SCENARIO = Scenario(promote=("A10", "A11", "A12"), demote=("A0",), strategic_sams=1.0)
SETTINGS = SimulationSettings(paths=400, strategic_sams=1.0, strategic_capacity=10, seed=11, workers=1)


@pytest.fixture(scope="module")
def result():
    return tornado(ACCOUNTS, SCENARIO, settings=SETTINGS, paths=400)


def centre(**changes):
    hr = changes.pop("hr", ASSUMED_EFFECT.hazard_ratio.value)
    effect = replace(ASSUMED_EFFECT, hazard_ratio=Interval(hr, hr, hr), uplift=Interval(0.02, 0.02, 0.02))
    return effect


def rerun(assumptions=None, effect=None, settings=SETTINGS):
    return run_simulation(
        ACCOUNTS, assumptions or Assumptions(), settings, SCENARIO, treatment=effect or centre()
    )


def bar(result, name):
    return next(s for s in result.swings if s.name == name)


def test_bars_match_one_at_a_time_reruns(result):
    low_hr = rerun(effect=centre(hr=ASSUMED_EFFECT.hazard_ratio.low))
    hr = bar(result, "Treatment hazard ratio")
    assert hr.npv_low == pytest.approx(low_hr.comparison.npv.mean(), rel=1e-12)
    churn = bar(result, "Churn, Key")
    high = rerun(assumptions=shift_tier(Assumptions(), "Key", churn_odds=1.25))
    assert churn.arr_high == pytest.approx(high.baseline.ending_arr.mean(), rel=1e-12)
    assert churn.npv_high == pytest.approx(high.comparison.npv.mean(), rel=1e-12)
    # the centre is a run of its own on the same paths
    assert result.npv == pytest.approx(rerun().comparison.npv.mean(), rel=1e-12)


def test_margin_bar_equals_a_rerun_at_that_margin(result):
    """The margin and discount bars re-value the centre's paths; a full rerun agrees."""
    margin = bar(result, "Gross margin")
    again = rerun(settings=replace(SETTINGS, margin=SETTINGS.margin + 0.10))
    assert margin.npv_high == pytest.approx(again.comparison.npv.mean(), rel=1e-9)
    rate = bar(result, "Discount rate")
    again = rerun(settings=replace(SETTINGS, discount_rate=SETTINGS.discount_rate - 0.05))
    assert rate.npv_low == pytest.approx(again.comparison.npv.mean(), rel=1e-9)


def test_the_treatment_does_not_move_the_baseline(result):
    for name in ("Treatment hazard ratio", "Treatment uplift", "Ramp", "Gross margin"):
        assert bar(result, name).arr_low == bar(result, name).arr_high == result.arr
    assert bar(result, "Churn, Key").arr_low > result.arr > bar(result, "Churn, Key").arr_high


def test_shift_tier_moves_churn_odds_and_drift():
    """Key: churn 8% → odds 0.08/0.92 × 1.25 = 0.108696 → churn 9.8039%; drift 0.08 + 0.03."""
    shifted = shift_tier(Assumptions(), "Key", churn_odds=1.25, drift=0.03).tiers["Key"]
    assert shifted.annual_churn == pytest.approx(0.108696 / 1.108696, rel=1e-5)
    assert shifted.expansion_drift == pytest.approx(0.11)


def test_hit_plan_is_the_empirical_fraction(result):
    target = float(np.median(result.scenario_ending))
    plan = result.hit_plan(target)
    assert plan.scenario == np.mean(result.scenario_ending >= target)
    assert plan.baseline == np.mean(result.baseline_ending >= target)
    assert plan.scenario_error == pytest.approx(np.sqrt(plan.scenario * (1 - plan.scenario) / 400))
    assert prob_hit(np.array([1.0, 2.0, 3.0, 4.0]), 3.0) == 0.5
    assert plan.driver in {s.name for s in result.swings}


@pytest.mark.parametrize("target", [0, -5, float("nan"), "1e6"])
def test_target_must_be_a_positive_amount(result, target):
    with pytest.raises(ValueError, match="positive amount"):
        result.hit_plan(target)
