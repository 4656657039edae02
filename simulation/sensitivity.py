"""What drives the result: a tornado of one-at-a-time reruns, and P(hit plan).

Each assumption is moved to the low and the high end of its interval, one at a time, and the
simulation rerun on the **same random numbers** (same seed: common random numbers, so a bar is
the assumption's effect, not Monte Carlo noise). The centre run uses the treatment effect's
central values as exact figures (HR and uplift without their spread), so every bar moves one
thing. Two readings per run: the scenario's expected NPV against the baseline and the
baseline's expected ending ARR (the baseline is the data as it is: the treatment, the ramp,
margin and discount do not move it).

The intervals (stated, shown with each bar):

* treatment hazard ratio and uplift: their 90% intervals (:mod:`simulation.treatment`);
* ramp: none (0 months) to twice the ramp (within the horizon);
* gross margin: ±10 points; discount rate: ±5 points (not below 0);
* churn by tier: odds × 0.8 and × 1.25 (log-odds ± 0.223; the size model's tier intercept for
  a calibrated tier, so each account's own churn moves alike);
* growth by tier: drift ± 3 points a year (the size model's tier level for a calibrated tier);
* portfolio NRR volatility: ± 3 points a year (not below 0).

Margin and discount change only the money: those bars re-value the centre run's paths
(:func:`simulation.economics.npv`) instead of simulating again.

**P(hit plan)** for an ARR target at the horizon: the share of paths whose ending ARR reaches
it, P = #{paths: ARR(T) ≥ target} / paths, with its Monte Carlo error √(P(1 − P) / paths), for
the baseline and the scenario; and the assumption whose interval moves the scenario's P most.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from portfolio.schema import TIERS
from simulation.assumptions import Assumptions
from simulation.economics import npv
from simulation.model import Scenario, SimulationResult, SimulationSettings, run_simulation
from simulation.treatment import ASSUMED_EFFECT, Interval, TreatmentEffect

DEFAULT_PATHS = 1_000
CHURN_ODDS = 1.25
DRIFT_POINTS = 0.03
MARGIN_POINTS = 0.10
DISCOUNT_POINTS = 0.05
NRR_VOLATILITY_POINTS = 0.03


@dataclass(frozen=True)
class Swing:
    """One assumption at the low and high end of its interval: the scenario's expected NPV
    and the baseline's expected ending ARR (currency), and each run's ending ARR per path."""

    name: str
    low_label: str
    high_label: str
    npv_low: float
    npv_high: float
    arr_low: float
    arr_high: float
    endings: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

    @property
    def npv_range(self) -> float:
        return abs(self.npv_high - self.npv_low)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "low": self.low_label,
            "high": self.high_label,
            "npv_low": self.npv_low,
            "npv_high": self.npv_high,
            "arr_low": self.arr_low,
            "arr_high": self.arr_high,
        }


@dataclass(frozen=True)
class HitPlan:
    """P(ending ARR ≥ target) for baseline and scenario, their Monte Carlo errors, and the
    assumption that moves the scenario's probability most (its low/high probabilities)."""

    target: float
    baseline: float
    scenario: float
    baseline_error: float
    scenario_error: float
    driver: str
    driver_low: float
    driver_high: float

    def to_dict(self) -> dict:
        return {
            "target": self.target,
            "baseline": self.baseline,
            "scenario": self.scenario,
            "baseline_error": self.baseline_error,
            "scenario_error": self.scenario_error,
            "driver": {"name": self.driver, "low": self.driver_low, "high": self.driver_high},
        }


@dataclass(frozen=True)
class Sensitivity:
    """The centre run's readings, the swings (largest NPV range first), and its paths."""

    npv: float
    arr: float
    swings: tuple[Swing, ...]
    baseline_ending: np.ndarray
    scenario_ending: np.ndarray
    paths: int
    seed: int

    def hit_plan(self, target: float) -> HitPlan:
        """P(hit plan) for ``target`` (ARR at the horizon, currency); ValueError unless positive."""
        runs = [(s.name, s.endings[0][1], s.endings[1][1]) for s in self.swings]
        return hit_plan(target, self.baseline_ending, self.scenario_ending, runs)

    def to_dict(self) -> dict:
        return {
            "npv": self.npv,
            "arr": self.arr,
            "paths": self.paths,
            "seed": self.seed,
            "swings": [s.to_dict() for s in self.swings],
        }


def hit_plan(
    target: float,
    baseline: np.ndarray,
    scenario: np.ndarray,
    runs: Sequence[tuple[str, np.ndarray, np.ndarray]],
) -> HitPlan:
    """P(ending ARR ≥ ``target``) for the baseline and scenario paths, with Monte Carlo errors
    √(P(1 − P)/paths), and the run pair (name, scenario endings at low and high) that moves the
    scenario's probability most. ValueError unless the target is a positive amount."""
    if not (isinstance(target, int | float) and math.isfinite(target) and target > 0):
        raise ValueError(f"the ARR target must be a positive amount, got {target!r}")
    base, scen = prob_hit(baseline, target), prob_hit(scenario, target)
    moves = [(name, prob_hit(low, target), prob_hit(high, target)) for name, low, high in runs]
    name, low, high = max(moves, key=lambda m: abs(m[2] - m[1]))
    paths = len(scenario)
    error = lambda p: math.sqrt(p * (1 - p) / paths)  # noqa: E731
    return HitPlan(float(target), base, scen, error(base), error(scen), name, low, high)


def prob_hit(ending: np.ndarray, target: float) -> float:
    """Share of paths with ending ARR ≥ target."""
    return float((np.asarray(ending) >= target).mean())


def shift_tier(
    assumptions: Assumptions, tier: str, *, churn_odds: float = 1.0, drift: float = 0.0
) -> Assumptions:
    """``assumptions`` with ``tier``'s churn odds × ``churn_odds`` and drift + ``drift`` — its
    tier figures and, when calibrated, its size-model terms (each account's churn and drift)."""
    a = assumptions.tiers[tier]
    logit = math.log(a.annual_churn / (1 - a.annual_churn)) if 0 < a.annual_churn < 1 else None
    churn = a.annual_churn if logit is None else 1 / (1 + math.exp(-(logit + math.log(churn_odds))))
    tiers = {
        **assumptions.tiers,
        tier: replace(a, annual_churn=churn, expansion_drift=a.expansion_drift + drift),
    }
    size = assumptions.size
    if size is not None and tier in size.terms:
        t = size.terms[tier]
        moved = replace(t, churn_logit=t.churn_logit + math.log(churn_odds), growth=t.growth + drift)
        size = replace(size, terms={**size.terms, tier: moved})
    return replace(assumptions, tiers=tiers, size=size)


def _exact(effect: TreatmentEffect, **changes: float) -> TreatmentEffect:
    """The effect at its central values (or those given), without spread."""
    hr = changes.get("hazard_ratio", effect.hazard_ratio.value)
    up = changes.get("uplift", effect.uplift.value)
    ramp = changes.get("ramp_months", effect.ramp_months)
    return replace(effect, hazard_ratio=Interval(hr, hr, hr), uplift=Interval(up, up, up), ramp_months=ramp)


def _revalue(result: SimulationResult, margin: float, discount_rate: float) -> float:
    """The scenario's expected NPV on ``result``'s paths at another margin and discount rate."""
    c = result.comparison
    assert c is not None and result.move is not None and result.scenario is not None
    dt = result.settings.period_years
    move = result.move.paths.totals - result.baseline.paths.totals
    staff = result.scenario.paths.totals - result.move.paths.totals
    money = {"margin": margin, "discount_rate": discount_rate}
    total = npv(move, dt, replace(c.economics, **money), 0.0)
    total = total + npv(staff, dt, replace(c.staffing_economics, **money), c.sam_change)
    return float(total.mean())


def tornado(
    accounts: pd.DataFrame,
    scenario: Scenario,
    *,
    assumptions: Assumptions | None = None,
    treatment: TreatmentEffect | None = None,
    settings: SimulationSettings | None = None,
    paths: int = DEFAULT_PATHS,
) -> Sensitivity:
    """One-at-a-time reruns of ``scenario`` against the baseline over each assumption's
    interval (see the module docstring), on common random numbers (``settings.seed``)."""
    assumptions = assumptions or Assumptions()
    effect = treatment or ASSUMED_EFFECT
    settings = replace(settings or SimulationSettings(), paths=paths)
    centre_effect = _exact(effect)

    def run(a: Assumptions = assumptions, t: TreatmentEffect = centre_effect) -> SimulationResult:
        return run_simulation(accounts, a, settings, scenario, treatment=t)

    def reading(result: SimulationResult) -> tuple[float, float, tuple[np.ndarray, np.ndarray]]:
        assert result.comparison is not None and result.scenario is not None
        ending = (result.baseline.ending_arr, result.scenario.ending_arr)
        return float(result.comparison.npv.mean()), float(result.baseline.ending_arr.mean()), ending

    centre = run()
    npv0, arr0, (base_end, scen_end) = reading(centre)
    swings: list[Swing] = []

    def add(name: str, labels: tuple[str, str], low: SimulationResult, high: SimulationResult) -> None:
        (n_lo, a_lo, e_lo), (n_hi, a_hi, e_hi) = reading(low), reading(high)
        swings.append(Swing(name, *labels, n_lo, n_hi, a_lo, a_hi, (e_lo, e_hi)))

    hr, up = effect.hazard_ratio, effect.uplift
    add(
        "Treatment hazard ratio",
        (f"{hr.low:.2f}", f"{hr.high:.2f}"),
        run(t=_exact(effect, hazard_ratio=hr.low)),
        run(t=_exact(effect, hazard_ratio=hr.high)),
    )
    add(
        "Treatment uplift",
        (f"{up.low * 100:+.1f} pts", f"{up.high * 100:+.1f} pts"),
        run(t=_exact(effect, uplift=up.low)),
        run(t=_exact(effect, uplift=up.high)),
    )
    longest = min(2 * effect.ramp_months, settings.horizon_years * 12)
    add(
        "Ramp",
        ("0 months", f"{longest:g} months"),
        run(t=_exact(effect, ramp_months=0.0)),
        run(t=_exact(effect, ramp_months=longest)),
    )
    margins = (max(0.0, settings.margin - MARGIN_POINTS), min(1.0, settings.margin + MARGIN_POINTS))
    rates = (max(0.0, settings.discount_rate - DISCOUNT_POINTS), settings.discount_rate + DISCOUNT_POINTS)
    for name, values, money in (
        ("Gross margin", margins, lambda v: (v, settings.discount_rate)),
        ("Discount rate", rates, lambda v: (settings.margin, v)),
    ):
        lo, hi = (_revalue(centre, *money(v)) for v in values)
        labels = (f"{values[0] * 100:g}%", f"{values[1] * 100:g}%")
        same = (base_end, scen_end)
        swings.append(Swing(name, *labels, lo, hi, arr0, arr0, (same, same)))
    for tier in TIERS:
        add(
            f"Churn, {tier}",
            ("odds × 0.8", f"odds × {CHURN_ODDS:g}"),
            run(a=shift_tier(assumptions, tier, churn_odds=1 / CHURN_ODDS)),
            run(a=shift_tier(assumptions, tier, churn_odds=CHURN_ODDS)),
        )
        add(
            f"Growth, {tier}",
            (f"−{DRIFT_POINTS * 100:g} pts", f"+{DRIFT_POINTS * 100:g} pts"),
            run(a=shift_tier(assumptions, tier, drift=-DRIFT_POINTS)),
            run(a=shift_tier(assumptions, tier, drift=DRIFT_POINTS)),
        )
    v = assumptions.nrr_volatility
    vols = (max(0.0, v - NRR_VOLATILITY_POINTS), v + NRR_VOLATILITY_POINTS)
    add(
        "Portfolio NRR volatility",
        tuple(f"{x * 100:g} pts" for x in vols),  # type: ignore[arg-type]
        run(a=replace(assumptions, nrr_volatility=vols[0])),
        run(a=replace(assumptions, nrr_volatility=vols[1])),
    )
    swings.sort(key=lambda s: -max(s.npv_range, 0.0))
    return Sensitivity(npv0, arr0, tuple(swings), base_end, scen_end, settings.paths, settings.seed)
