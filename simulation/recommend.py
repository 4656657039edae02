"""The recommended strategic portfolio for a SAM budget: which accounts deserve a SAM.

Per account, the **expected NPV gain of strategic treatment** comes from the treatment model
(:mod:`simulation.treatment`) analytically, on the engine's own expectations: for an attention
change e (1 − today's attention for an account taken on, −today's for one dropped), with the
ramp r(t), period Δ years, hazard λ = −ln(1 − c), drift d, volatility σ and reversion b,

    survival      S(t) = exp(−Σ_{k≤t} λ·Δ·HR^(e·r(k)))                       (HR = 1 for today)
    log growth    m ← (1 + b)·m + d + u·e·r̄(t)   at each renewal t, else unchanged
    its variance  v ← (1 + b)²·v + σ²              at each renewal t
    expected ARR  E(t) = ARR(0)·S(t)·exp(m(t) + v(t)/2)

(the engine's timing: an account's ARR changes at its renewals, r̄ the ramp's mean over the
contract year, :func:`simulation.engine.contract_year_ramp`; accounts without a date renew in
evenly spread periods, :func:`simulation.engine.growth_periods`)

and the gain is the NPV (:mod:`simulation.economics`: margin, discount, the tail after the
horizon decaying at the account's own churn) of E_treated(t) − E_today(t). The effect (HR, u)
is drawn ``draws`` times from its 90% intervals exactly as the simulator draws it per path
(:func:`simulation.model.treatment_draws`, same seed), so each gain has a mean and a P5–P95
that is the uncertainty about the effect, not the luck of the draw. First order: renewal dates
and the churn–growth correlation through the market are left out (the simulator has them:
"Simulate this" runs the recommendation through it).

The **selection** is an exact 0–1 integer program (``scipy.optimize.milp``, HiGHS): maximise
Σ x_i·(gain_i(1 − a_i) − gain_i(−a_i)) subject to Σ x_i ≤ ⌊SAMs × capacity⌋, x_i = 1 for
must-keep and 0 for must-exclude accounts, and moves from today's strategic set
(Σ_{i∉S0} x_i + Σ_{i∈S0} (1 − x_i)) ≤ max moves. Everyone chosen fits the capacity, so
attention is 1. The portfolio NPV subtracts the change in SAM cost over the horizon
(SAMs − today's SAMs) × cost per SAM, discounted like the cash; the marginal value of one more
(one fewer) SAM is the NPV re-solved with SAMs ± 1 minus this one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from portfolio.formatting import money
from simulation.assumptions import Assumptions
from simulation.engine import contract_year_ramp, growth_periods
from simulation.model import (
    STRATEGIC,
    SimulationSettings,
    account_params,
    attention,
    treatment_draws,
)
from simulation.treatment import ASSUMED_EFFECT, TreatmentEffect

DEFAULT_DRAWS = 512
"""Draws of the effect (HR, u) behind each gain's mean and P5–P95."""


@dataclass(frozen=True)
class Band:
    """Mean and P5–P95 of a money figure (currency)."""

    mean: float
    p5: float
    p95: float

    @classmethod
    def of(cls, values: np.ndarray) -> Band:
        p5, p95 = np.percentile(values, [5, 95])
        return cls(float(values.mean()), float(p5), float(p95))

    def to_dict(self) -> dict:
        return {"mean": self.mean, "p5": self.p5, "p95": self.p95}


@dataclass(frozen=True)
class AccountGain:
    """One account in or out of the recommended set and the expected NPV of that change."""

    account_id: str
    account_name: str
    arr: float
    tier: str
    gain: Band

    def to_dict(self) -> dict:
        return {
            "account_id": self.account_id,
            "account_name": self.account_name,
            "arr": self.arr,
            "tier": self.tier,
            "gain": self.gain.to_dict(),
        }


@dataclass(frozen=True)
class Recommendation:
    """The recommended strategic set for ``sams`` SAMs and what it is worth against today.

    ``selected``: the recommended set (ids, by expected gain); ``add``/``remove``: the moves
    from today's strategic set with each one's expected NPV gain (a removal's is negative);
    ``expected_npv``: the whole change (moves, attention restored or diluted, SAM cost) over
    the effect's uncertainty; ``marginal_sam_value``: the NPV of one more SAM and of one fewer
    (re-solved; None when it cannot be), net of that SAM's cost.
    """

    sams: int
    today_sams: float
    capacity: float
    slots: int
    selected: tuple[str, ...]
    current: tuple[str, ...]
    add: tuple[AccountGain, ...]
    remove: tuple[AccountGain, ...]
    expected_npv: Band
    sam_cost_change: float
    marginal_sam_value: dict[str, float | None]
    treatment_sentence: str
    notes: tuple[str, ...] = ()

    @property
    def moves(self) -> int:
        return len(self.add) + len(self.remove)

    def headline(self) -> str:
        """One sentence: the move and its NPV with interval."""
        what = f"make {len(self.add)} account{'s' * (len(self.add) != 1)} strategic"
        if self.remove:
            what += f" and return {len(self.remove)} to key"
        if not self.moves:
            what = "keep today's strategic set"
        npv = self.expected_npv
        return (
            f"With {self.sams} strategic SAM{'s' * (self.sams != 1)}: {what}; expected NPV "
            f"{money(npv.mean, signed=True)} (P5 {money(npv.p5, signed=True)}, "
            f"P95 {money(npv.p95, signed=True)}) against today."
        )

    def to_dict(self) -> dict:
        return {
            "sams": self.sams,
            "today_sams": self.today_sams,
            "capacity_per_sam": self.capacity,
            "slots": self.slots,
            "selected": list(self.selected),
            "current": list(self.current),
            "add": [a.to_dict() for a in self.add],
            "remove": [a.to_dict() for a in self.remove],
            "expected_npv": self.expected_npv.to_dict(),
            "sam_cost_change": self.sam_cost_change,
            "marginal_sam_value": dict(self.marginal_sam_value),
            "treatment": self.treatment_sentence,
            "headline": self.headline(),
            "notes": list(self.notes),
        }


def sams_for(sams: float | None, budget: float | None, cost_per_sam: float) -> tuple[int, str | None]:
    """Whole SAMs from a headcount and/or a budget (currency per year): ⌊budget / cost⌋, the
    smaller of the two when both are given, with a note. ValueError for what cannot be used."""
    notes = None
    if budget is not None:
        if not (math.isfinite(budget) and budget > 0):
            raise ValueError(f"the budget must be a positive amount, got {budget:g}")
        if cost_per_sam <= 0:
            raise ValueError("a budget needs a positive cost per SAM")
        if budget < cost_per_sam:
            raise ValueError(
                f"a budget of {money(budget)} a year is below the cost of one SAM "
                f"({money(cost_per_sam)} a year)"
            )
        from_budget = math.floor(budget / cost_per_sam + 1e-9)
        if sams is not None and sams < from_budget:
            return _whole(sams), f"{_whole(sams)} SAMs (the budget would pay for {from_budget})"
        if sams is not None:
            notes = (
                f"the budget of {money(budget)} pays for {from_budget} SAMs, fewer than the {sams:g} given"
            )
        return from_budget, notes
    if sams is None:
        raise ValueError("give the number of strategic SAMs (or a budget)")
    return _whole(sams), None


def _whole(sams: float) -> int:
    if not (math.isfinite(sams) and sams >= 1 and float(sams).is_integer()):
        raise ValueError(f"the number of SAMs must be a whole number of at least 1, got {sams:g}")
    return int(sams)


def _ids(values: Iterable[str], known: set[str], what: str) -> set[str]:
    chosen = {str(v).strip() for v in values if str(v).strip()}
    unknown = sorted(chosen - known)
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise ValueError(f"{what}: {len(unknown)} unknown or inactive account id(s): {shown}")
    return chosen


def npv_gains(
    accounts: pd.DataFrame,
    change: np.ndarray,
    assumptions: Assumptions,
    treatment: TreatmentEffect,
    settings: SimulationSettings,
    draws: int = DEFAULT_DRAWS,
) -> np.ndarray:
    """(draws, accounts) NPV of changing each account's attention by ``change`` (e, per
    account) against today, per draw of the effect; see the module docstring. Currency."""
    arr0 = accounts["arr"].to_numpy(float)
    tiers = accounts["tier"].to_numpy(object)
    renewal = accounts["renewal_years"].to_numpy(float) if "renewal_years" in accounts else None
    params = account_params(tiers, assumptions, arr0)
    effect = treatment_draws(treatment, replace(settings, paths=draws))
    dt, periods = settings.period_years, settings.horizon
    per_year = round(1 / dt)
    first = growth_periods(renewal, len(arr0), dt)  # where each account's ARR changes
    contract_ramp = contract_year_ramp(effect.ramp, per_year)
    hazard = -np.log1p(-np.minimum(params.annual_churn, 1 - 1e-12))
    drift, variance = params.drift, params.volatility**2
    pull = 1 + (params.reversion if params.reversion is not None else np.zeros(len(arr0)))
    change = np.asarray(change, float)
    log_hr, uplift = effect.log_hazard_ratio[:, None], effect.uplift[:, None]
    shape = (draws, len(arr0))
    cum_treated, cum_today = np.zeros(shape), np.zeros(len(arr0))
    mean_t, mean, var = np.zeros(shape), np.zeros(len(arr0)), np.zeros(len(arr0))
    deltas = [np.zeros(shape)]
    for t in range(1, periods + 1):
        cum_treated += hazard * dt * np.exp(effect.ramp[t] * change * log_hr)
        cum_today += hazard * dt
        renews = (t >= first) & ((t - first) % per_year == 0)
        mean_t = np.where(renews, pull * mean_t + drift + uplift * contract_ramp[t] * change, mean_t)
        mean = np.where(renews, pull * mean + drift, mean)
        var = np.where(renews, pull**2 * var + variance, var)
        today = arr0 * np.exp(-cum_today + mean + var / 2)
        deltas.append(arr0 * np.exp(-cum_treated + mean_t + var / 2) - today)
    discount = (1 + settings.discount_rate) ** (-np.arange(1, periods + 1) * dt)
    flows = sum(
        settings.margin * (deltas[t - 1] + deltas[t]) / 2 * dt * discount[t - 1]
        for t in range(1, periods + 1)
    )
    tail = (
        settings.margin
        * deltas[-1]
        / (settings.discount_rate + params.annual_churn)
        * (1 + settings.discount_rate) ** -(periods * dt)
    )
    return flows + tail


def sam_cost_pv(settings: SimulationSettings) -> float:
    """Today's value of one SAM over the horizon: K·Σ_t Δ·(1 + r)^(−tΔ), currency."""
    dt = settings.period_years
    discount = (1 + settings.discount_rate) ** (-np.arange(1, settings.horizon + 1) * dt)
    return float(settings.cost_per_sam * dt * discount.sum())


def select(
    value: np.ndarray,
    current: np.ndarray,
    slots: int,
    *,
    keep: np.ndarray | None = None,
    exclude: np.ndarray | None = None,
    max_moves: int | None = None,
) -> np.ndarray | None:
    """The 0–1 choice maximising Σ value·x with Σ x ≤ slots, keep → 1, exclude → 0 and at most
    ``max_moves`` changes from ``current`` (booleans); None when infeasible."""
    n = len(value)
    keep = np.zeros(n, bool) if keep is None else keep
    exclude = np.zeros(n, bool) if exclude is None else exclude
    constraints = [LinearConstraint(np.ones((1, n)), 0, slots)]
    if max_moves is not None:
        sign = np.where(current, -1.0, 1.0)[None, :]
        constraints.append(LinearConstraint(sign, -np.inf, max_moves - current.sum()))
    result = milp(
        -np.asarray(value, float),
        constraints=constraints,
        integrality=np.ones(n),
        bounds=Bounds(keep.astype(float), (~exclude).astype(float)),
    )
    if result.x is None or result.status != 0:
        return None
    return result.x > 0.5


def recommend(
    accounts: pd.DataFrame,
    *,
    sams: float | None = None,
    budget: float | None = None,
    today_sams: float | None = None,
    max_moves: int | None = None,
    keep: Iterable[str] = (),
    exclude: Iterable[str] = (),
    assumptions: Assumptions | None = None,
    treatment: TreatmentEffect | None = None,
    settings: SimulationSettings | None = None,
    draws: int = DEFAULT_DRAWS,
) -> Recommendation:
    """The strategic set maximising expected NPV for ``sams`` SAMs (or what ``budget`` pays).

    ``accounts``: :func:`simulation.simulation_accounts` (account_id, account_name, arr, tier);
    ``today_sams``: strategic SAMs today (default: the settings', else what today's set needs);
    ``settings``: horizon, period, seed, capacity per SAM, cost per SAM, margin, discount.
    ValueError with a readable message for a bad budget, contradictory keep/exclude lists,
    unknown ids, more must-keeps than slots, or moves the limit cannot allow.
    """
    assumptions = assumptions or Assumptions()
    treatment = treatment or ASSUMED_EFFECT
    settings = settings or SimulationSettings()
    if accounts.empty:
        raise ValueError("no accounts with ARR and a tier to choose from")
    n_sams, budget_note = sams_for(sams, budget, settings.cost_per_sam)
    ids = accounts["account_id"].astype(str)
    keep_mask, exclude_mask = _choices(ids, keep, exclude, max_moves)
    capacity = settings.strategic_capacity
    current = (accounts["tier"] == STRATEGIC).to_numpy()
    if today_sams is None:
        today_sams = (
            settings.strategic_sams
            if settings.strategic_sams is not None
            else math.ceil(current.sum() / capacity - 1e-9)
        )
    a0 = np.where(current, attention(int(current.sum()), capacity, today_sams), 0.0)
    gain_in = npv_gains(accounts, 1 - a0, assumptions, treatment, settings, draws)
    gain_out = np.zeros_like(gain_in)  # only today's strategic accounts can lose attention
    gain_out[:, current] = npv_gains(accounts[current], -a0[current], assumptions, treatment, settings, draws)
    value = (gain_in - gain_out).mean(axis=0)
    cost_pv = sam_cost_pv(settings)

    def solve(k: int) -> np.ndarray | None:
        slots = math.floor(k * capacity + 1e-9)
        if keep_mask.sum() > slots:
            return None
        return select(value, current, slots, keep=keep_mask, exclude=exclude_mask, max_moves=max_moves)

    def npv_of(chosen: np.ndarray, k: int) -> np.ndarray:
        per_draw = gain_in[:, chosen].sum(axis=1) + gain_out[:, current & ~chosen].sum(axis=1)
        return per_draw - (k - today_sams) * cost_pv

    chosen = solve(n_sams)
    if chosen is None:
        raise ValueError(_infeasible(n_sams, capacity, keep_mask.sum(), current, exclude_mask, max_moves))
    total = npv_of(chosen, n_sams)
    marginal: dict[str, float | None] = {}
    for name, k in (("one_more", n_sams + 1), ("one_fewer", n_sams - 1)):
        other = solve(k) if k >= 1 else None
        marginal[name] = None if other is None else float(npv_of(other, k).mean() - total.mean())

    order = np.argsort(-value, kind="stable")
    notes = [
        f"{math.floor(n_sams * capacity + 1e-9)} strategic slots: {n_sams} SAMs × {capacity:g} accounts each",
        "gains: expected NPV of strategic treatment per account from the treatment model "
        f"(mean and P5–P95 over {draws} draws of the effect, not the luck of the draw); "
        "selection: exact integer program (scipy milp)",
    ]
    if budget_note:
        notes.append(budget_note)
    return Recommendation(
        sams=n_sams,
        today_sams=float(today_sams),
        capacity=float(capacity),
        slots=math.floor(n_sams * capacity + 1e-9),
        selected=tuple(ids.iloc[i] for i in order if chosen[i]),
        current=tuple(ids[current]),
        add=_gains(accounts, chosen & ~current, gain_in),
        remove=_gains(accounts, current & ~chosen, gain_out),
        expected_npv=Band.of(total),
        sam_cost_change=(n_sams - float(today_sams)) * settings.cost_per_sam,
        marginal_sam_value=marginal,
        treatment_sentence=treatment.sentence(),
        notes=tuple(notes),
    )


def _gains(accounts: pd.DataFrame, mask: np.ndarray, table: np.ndarray) -> tuple[AccountGain, ...]:
    """The accounts in ``mask`` with their gains (columns of ``table``), largest first."""
    rows = np.flatnonzero(mask)
    rows = rows[np.argsort(-np.abs(table[:, rows].mean(axis=0)), kind="stable")]
    names = accounts["account_name"] if "account_name" in accounts else accounts["account_id"]
    return tuple(
        AccountGain(
            str(accounts["account_id"].iloc[i]),
            str(names.iloc[i]),
            float(accounts["arr"].iloc[i]),
            str(accounts["tier"].iloc[i]),
            Band.of(table[:, i]),
        )
        for i in rows
    )


def _choices(
    ids: pd.Series, keep: Iterable[str], exclude: Iterable[str], max_moves: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Must-keep and must-exclude masks; ValueError for unknown ids, an id in both lists or a
    bad move limit."""
    if max_moves is not None and not (isinstance(max_moves, int) and max_moves >= 0):
        raise ValueError(f"the maximum number of moves must be a whole number, 0 or more, got {max_moves!r}")
    known = set(ids)
    keep_ids, exclude_ids = _ids(keep, known, "keep"), _ids(exclude, known, "exclude")
    both = sorted(keep_ids & exclude_ids)
    if both:
        raise ValueError(f"account(s) both kept and excluded: {', '.join(both[:5])}")
    return ids.isin(keep_ids).to_numpy(), ids.isin(exclude_ids).to_numpy()


def _infeasible(
    sams: int, capacity: float, kept: int, current: np.ndarray, exclude: np.ndarray, max_moves: int | None
) -> str:
    slots = math.floor(sams * capacity + 1e-9)
    if kept > slots:
        return f"{kept} must-keep accounts do not fit {sams} SAMs × {capacity:g} accounts ({slots} slots)"
    forced = int(max(0, current.sum() - slots)) + int((current & exclude).sum())
    return (
        f"at least {forced} of today's strategic accounts must leave (capacity {slots} accounts, "
        f"and the excluded ones), more than the {max_moves} moves allowed"
    )
