"""Money the CFO uses: net present value and payback of a scenario against the baseline.

For each path, with the ARR difference Δ(t) = ARR_scenario(t) − ARR_baseline(t) at the end of
period t (Δ(0) = 0), period length Δt years, gross margin m, annual discount rate r, the change
in strategic SAMs ΔS (negative when SAMs are released) and the cost of one SAM per year K:

* revenue difference in period t:   R(t) = (Δ(t−1) + Δ(t)) / 2 · Δt    (trapezoid on the run rate)
* cash in period t:                 C(t) = m · R(t) − ΔS · K · Δt
* the tail after the horizon T:     V = m · Δ(T) / (r + c) — the ARR difference left at the
  horizon keeps earning margin while it decays at the annual churn c of the accounts whose
  attention changed (their own churn, weighted by |attention change| × ARR); the plan ends at
  the horizon, and so does its SAM cost or saving. Σ_k (1−c)^(k−1) / (1+r)^k = 1 / (r + c). The
  tail is reported apart, because it rests on that assumption.
* NPV = Σ_t C(t) · (1+r)^(−t·Δt) + V · (1+r)^(−T·Δt)
* payback = the first time the cumulative expected cash Σ E[C] turns ≥ 0 (years, linear within
  the period); None when there is no added cost or it does not turn within the horizon.

Example: Δ = 0, 50, 100 over two half-years (Δt = 0.5), m = 0.8, r = 0.1, ΔS = 0, c = 0.1:
R = 12.5, 37.5; C = 10, 30; NPV = 10/1.1^0.5 + 30/1.1 + 0.8·100/0.2/1.1 = 400.44 (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.defaults import DEFAULT_DISCOUNT_RATE, DEFAULT_MARGIN


@dataclass(frozen=True)
class Economics:
    """Margin, discount rate, SAM cost and the tail's decay (annual fractions, currency/year)."""

    margin: float = DEFAULT_MARGIN
    discount_rate: float = DEFAULT_DISCOUNT_RATE
    cost_per_sam: float = 180_000.0
    tail_churn: float = 0.04

    def __post_init__(self) -> None:
        if not 0 <= self.margin <= 1:
            raise ValueError(f"margin must be between 0% and 100%, got {self.margin * 100:g}%")
        if not 0 <= self.discount_rate <= 1:
            raise ValueError(f"discount rate must be between 0% and 100%, got {self.discount_rate * 100:g}%")
        if not 0 <= self.tail_churn <= 1:
            raise ValueError("the tail's churn must be between 0 and 1")
        if self.discount_rate + self.tail_churn <= 0:
            raise ValueError("a discount rate of 0 needs churn above 0 to value the tail")


def cash_flows(delta: np.ndarray, period_years: float, economics: Economics, sam_change: float) -> np.ndarray:
    """(paths, T) cash C(t) per period from the (paths, T+1) ARR differences (see module)."""
    revenue = (delta[:, 1:] + delta[:, :-1]) / 2 * period_years
    return economics.margin * revenue - sam_change * economics.cost_per_sam * period_years


def tail_value(delta: np.ndarray, period_years: float, economics: Economics) -> np.ndarray:
    """(paths,) V·(1+r)^(−T·Δt): today's value of the ARR difference left at the horizon."""
    horizon_years = (delta.shape[1] - 1) * period_years
    return (
        economics.margin
        * delta[:, -1]
        / (economics.discount_rate + economics.tail_churn)
        * (1 + economics.discount_rate) ** -horizon_years
    )


def npv(delta: np.ndarray, period_years: float, economics: Economics, sam_change: float) -> np.ndarray:
    """(paths,) net present value of the scenario against the baseline, currency."""
    periods = delta.shape[1] - 1
    discount = (1 + economics.discount_rate) ** (-np.arange(1, periods + 1) * period_years)
    flows = cash_flows(delta, period_years, economics, sam_change) @ discount
    return flows + tail_value(delta, period_years, economics)


def payback_years(
    delta: np.ndarray, period_years: float, economics: Economics, sam_change: float
) -> float | None:
    """Years until the cumulative expected cash turns ≥ 0; None without added cost or when it
    does not turn within the horizon."""
    if sam_change <= 0 or economics.cost_per_sam <= 0:
        return None
    expected = cash_flows(delta, period_years, economics, sam_change).mean(axis=0)
    cumulative = np.concatenate([[0.0], np.cumsum(expected)])
    for t in range(1, len(cumulative)):
        if cumulative[t] >= 0 > cumulative[t - 1]:
            share = -cumulative[t - 1] / (cumulative[t] - cumulative[t - 1])
            return (t - 1 + share) * period_years
    return None
