"""Run the simulator on a tiered portfolio: baseline vs a promote/demote scenario.

* Treatment. Each account follows its tier's assumptions. Promoting an account gives it the
  Strategic tier's figures; demoting a strategic account gives it the Key tier's.
* Capacity feedback. Strategic accounts share the strategic SAMs. With load
  L = strategic accounts / (SAMs × capacity per SAM), each account gets the share
  q = min(1, 1/L) of full strategic attention, and its figures become
  q · Strategic + (1 − q) · Key (churn, drift and volatility alike). At or under capacity q = 1.
* Staffing. The baseline has ``settings.strategic_sams`` SAMs on the strategic tier (default:
  the ⌈accounts / capacity⌉ today's tier needs). A scenario keeps the SAMs it is given, or by
  default hires the change in what the tier needs: baseline SAMs + max(0, ⌈scenario accounts /
  capacity⌉ − ⌈baseline accounts / capacity⌉). So a baseline that is already over capacity
  stays so in the scenario, and the difference measures the move, not a staffing fix.
* Money. Revenue over the horizon = Σ_t (ARR(t−1) + ARR(t))/2 · Δ per path (trapezoid on the
  ARR run rate). Return on added SAMs = (E[Δ revenue] − added cost) / added cost, with added
  cost = added SAMs × cost per SAM × horizon years.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from portfolio.capacity import DEFAULT_CAPACITY
from portfolio.formatting import money, percent
from portfolio.schema import TIERS
from simulation.assumptions import Assumptions, TierAssumption
from simulation.engine import AccountParams, PathOutcome, run_paths

PERIOD_YEARS = {"month": 1 / 12, "quarter": 1 / 4}
MAX_HORIZON_YEARS = 5
MAX_PATHS = 1_000_000
DEFAULT_SEED = 20261122
DEFAULT_COST_PER_SAM = 180_000.0
PERCENTILES = (5, 25, 50, 75, 95)
STRATEGIC, KEY = TIERS[0], TIERS[1]


@dataclass(frozen=True)
class Scenario:
    """Accounts to move into (``promote``) or out of (``demote``) the strategic tier.

    ``strategic_sams``: SAMs on the strategic tier in the scenario; None hires what it needs.
    """

    promote: tuple[str, ...] = ()
    demote: tuple[str, ...] = ()
    strategic_sams: float | None = None
    name: str = "Scenario"


@dataclass(frozen=True)
class SimulationSettings:
    """How to simulate: paths, horizon (in periods), period, seed, staffing and cost."""

    paths: int = 10_000
    horizon: int = 12
    period: str = "quarter"
    seed: int = DEFAULT_SEED
    strategic_capacity: float = DEFAULT_CAPACITY[STRATEGIC]
    strategic_sams: float | None = None
    cost_per_sam: float = DEFAULT_COST_PER_SAM
    chunk_paths: int | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)

    def __post_init__(self) -> None:
        if self.period not in PERIOD_YEARS:
            raise ValueError(f"period must be 'month' or 'quarter', got {self.period!r}")
        max_horizon = round(MAX_HORIZON_YEARS / PERIOD_YEARS[self.period])
        if not (isinstance(self.horizon, int) and 1 <= self.horizon <= max_horizon):
            raise ValueError(f"horizon must be 1–{max_horizon} {self.period}s, got {self.horizon!r}")
        if not (isinstance(self.paths, int) and 1 <= self.paths <= MAX_PATHS):
            raise ValueError(f"paths must be 1–{MAX_PATHS:,}, got {self.paths!r}")
        if not (isinstance(self.seed, int) and self.seed >= 0):
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not self.strategic_capacity > 0:
            raise ValueError("strategic capacity must be a positive number of accounts per SAM")
        if self.strategic_sams is not None and not self.strategic_sams >= 0:
            raise ValueError("strategic SAMs must be zero or more")
        if not (math.isfinite(self.cost_per_sam) and self.cost_per_sam >= 0):
            raise ValueError("cost per SAM must be zero or more")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")

    @property
    def period_years(self) -> float:
        return PERIOD_YEARS[self.period]

    @property
    def horizon_years(self) -> float:
        return self.horizon * self.period_years


@dataclass(frozen=True)
class Staffing:
    """Strategic accounts, the SAMs on them, their load and the treatment strength q."""

    strategic_accounts: int
    required_sams: int
    sams: float
    load: float | None  # accounts / (SAMs × capacity); None with no SAMs
    treatment_strength: float


def treatment_strength(strategic_accounts: int, capacity: float, sams: float) -> float:
    """q = min(1, SAMs × capacity / strategic accounts); 1 when there are no strategic accounts."""
    if strategic_accounts == 0:
        return 1.0
    return min(1.0, sams * capacity / strategic_accounts)


def required_sams(strategic_accounts: int, capacity: float) -> int:
    """⌈strategic accounts / capacity per SAM⌉."""
    return math.ceil(strategic_accounts / capacity - 1e-9)


def staffing(strategic_accounts: int, capacity: float, sams: float) -> Staffing:
    load = strategic_accounts / (sams * capacity) if sams > 0 else None
    return Staffing(strategic_accounts, required_sams(strategic_accounts, capacity), float(sams),
                    load, treatment_strength(strategic_accounts, capacity, sams))


def effective_assumptions(assumptions: Assumptions, strength: float) -> dict[str, TierAssumption]:
    """Tier figures under treatment strength q: Strategic becomes q·Strategic + (1−q)·Key."""
    tiers = dict(assumptions.tiers)
    tiers[STRATEGIC] = tiers[STRATEGIC].blend(tiers[KEY], strength)
    return tiers


def account_params(tiers: np.ndarray, figures: dict[str, TierAssumption]) -> AccountParams:
    """Per-account arrays of annual churn, drift and volatility from each account's tier."""
    def column(name: str) -> np.ndarray:
        lookup = {tier: getattr(a, name) for tier, a in figures.items()}
        return np.array([lookup[t] for t in tiers], dtype=float)
    return AccountParams(column("annual_churn"), column("expansion_drift"), column("volatility"))


def _stats(values: np.ndarray) -> dict[str, float]:
    quantiles = np.percentile(values, PERCENTILES)
    return {**{f"p{p}": float(q) for p, q in zip(PERCENTILES, quantiles)},
            "mean": float(values.mean())}


@dataclass
class Outcome:
    """One variant's simulated outcome (arrays over paths) and what it assumed."""

    name: str
    staffing: Staffing
    figures: dict[str, TierAssumption]
    tier_counts: dict[str, int]
    start_arr: float
    period_years: float
    paths: PathOutcome = field(repr=False)

    @property
    def ending_arr(self) -> np.ndarray:
        return self.paths.totals[:, -1]

    @property
    def nrr(self) -> np.ndarray:
        """Net retention over the horizon: ending ARR of today's accounts / today's ARR."""
        return self.ending_arr / self.start_arr

    @property
    def grr(self) -> np.ndarray:
        """Gross retention over the horizon: Σ min(ARR_i(T), ARR_i(0)) over survivors / today's."""
        return self.paths.retained / self.start_arr

    @property
    def revenue(self) -> np.ndarray:
        """Revenue earned over the horizon per path (trapezoid on the ARR run rate), $."""
        totals = self.paths.totals
        return (totals[:, 1:] + totals[:, :-1]).sum(axis=1) / 2 * self.period_years

    def fan(self) -> pd.DataFrame:
        """Percentile bands (p5…p95) and mean of portfolio ARR per period (index 0 = today)."""
        totals = self.paths.totals
        bands = np.percentile(totals, PERCENTILES, axis=0).T
        frame = pd.DataFrame(bands, columns=[f"p{p}" for p in PERCENTILES])
        frame["mean"] = totals.mean(axis=0)
        frame.index.name = "period"
        return frame

    def summary(self, horizon_years: float) -> dict:
        annualise = lambda ratio: float(ratio) ** (1 / horizon_years)  # noqa: E731
        nrr, grr = _stats(self.nrr), _stats(self.grr)
        return {
            "name": self.name,
            "start_arr": self.start_arr,
            "ending_arr": _stats(self.ending_arr),
            "nrr": {**nrr, "annualised_p50": annualise(nrr["p50"])},
            "grr": {**grr, "annualised_p50": annualise(grr["p50"])},
            "prob_lose_top10": float(self.paths.lost_top.mean()),
            "expected_churned_arr": float(self.paths.churned_arr.mean()),
            "top10_share": _stats(self.paths.top_share),
            "expected_revenue": float(self.revenue.mean()),
            "tier_counts": self.tier_counts,
            "staffing": asdict(self.staffing),
            "assumptions": {t: a.to_dict() for t, a in self.figures.items()},
        }


@dataclass
class Comparison:
    """Scenario minus baseline on the same paths (common random numbers)."""

    delta: np.ndarray
    revenue_delta: np.ndarray
    added_sams: float
    added_cost: float
    required_sams_change: int

    @property
    def prob_better(self) -> float:
        """P(scenario ending ARR > baseline ending ARR)."""
        return float((self.delta > 0).mean())

    @property
    def return_on_sams(self) -> float | None:
        """(E[Δ revenue] − added cost) / added cost; None when no SAMs are added."""
        if self.added_cost <= 0:
            return None
        return (float(self.revenue_delta.mean()) - self.added_cost) / self.added_cost

    def summary(self) -> dict:
        return {
            "delta": {**_stats(self.delta), "prob_better": self.prob_better},
            "revenue_delta": _stats(self.revenue_delta),
            "required_sams_change": self.required_sams_change,
            "added_sams": self.added_sams,
            "added_cost": self.added_cost,
            "return_on_sams": self.return_on_sams,
        }


@dataclass
class SimulationResult:
    """Baseline (and scenario) outcomes, the comparison, and everything that produced them."""

    settings: SimulationSettings
    assumptions: Assumptions
    baseline: Outcome
    scenario: Outcome | None = None
    scenario_definition: Scenario | None = None
    comparison: Comparison | None = None

    def to_dict(self) -> dict:
        """JSON-ready summary: ``ending_arr`` {p5…p95, mean}, and ``delta`` with a scenario."""
        years = self.settings.horizon_years
        payload = {
            "settings": {k: v for k, v in asdict(self.settings).items()
                         if k not in ("chunk_paths", "workers")},
            "correlation": self.assumptions.correlation,
            "baseline": self.baseline.summary(years),
        }
        payload["ending_arr"] = payload["baseline"]["ending_arr"]
        if self.scenario is not None and self.comparison is not None:
            payload["scenario"] = {**self.scenario.summary(years),
                                   "promote": list(self.scenario_definition.promote),
                                   "demote": list(self.scenario_definition.demote)}
            payload["ending_arr"] = payload["scenario"]["ending_arr"]
            comparison = self.comparison.summary()
            payload["comparison"] = comparison
            payload["delta"] = comparison["delta"]
        return payload

    def headline(self) -> str:
        """One plain-language sentence for the scenario (or the baseline alone)."""
        s = self.settings
        when = f"{s.period[0].upper()}{s.horizon}" if s.period == "quarter" else f"month {s.horizon}"
        base = _stats(self.baseline.ending_arr)
        if self.comparison is None or self.scenario_definition is None:
            return (f"Expected ARR by {when}: {money(base['mean'])} "
                    f"(P5 {money(base['p5'])}, P95 {money(base['p95'])}).")
        d = self.comparison.summary()["delta"]
        sc = self.scenario_definition
        moves = []
        if sc.promote:
            moves.append(f"promoting {len(sc.promote)} account{'s' * (len(sc.promote) != 1)}")
        if sc.demote:
            moves.append(f"demoting {len(sc.demote)} account{'s' * (len(sc.demote) != 1)}")
        what = " and ".join(moves) or "this scenario"
        verb = "adds" if d["mean"] >= 0 else "costs"
        text = (f"{what[0].upper()}{what[1:]} {verb} {money(abs(d['mean']))} expected ARR by {when} "
                f"(P5 {money(d['p5'])}, P95 {money(d['p95'])}; better on "
                f"{percent(d['prob_better'], 0)} of paths)")
        added = self.comparison.added_sams
        if added > 0:
            text += (f", needs {added:g} more SAM{'s' * (added != 1)} at "
                     f"{money(s.cost_per_sam)}/year")
        base_load = self.baseline.staffing.load
        if base_load is not None and base_load > 1:
            text += f" (today's strategic SAMs already run at {percent(base_load, 0)} of capacity)"
        elif self.scenario.staffing.treatment_strength < 1:
            load = self.scenario.staffing.load
            text += ("; with no strategic SAMs, strategic accounts get key-tier treatment"
                     if load is None else
                     f"; without more SAMs the strategic tier runs at {percent(load, 0)} of capacity")
        return text + "."


def simulation_accounts(accounts: pd.DataFrame, tier: pd.Series) -> pd.DataFrame:
    """The accounts to simulate: id, name, ARR and tier of those with ARR > 0 and a tier."""
    frame = pd.DataFrame({
        "account_id": accounts["account_id"].astype(str),
        "account_name": accounts.get("account_name", accounts["account_id"]).astype(str),
        "arr": accounts["arr"].astype(float),
        "tier": tier.astype(object),
    })
    return frame[(frame["arr"] > 0) & frame["tier"].notna()].reset_index(drop=True)


def _scenario_tiers(frame: pd.DataFrame, scenario: Scenario) -> np.ndarray:
    """Tiers after moving the scenario's accounts; ValueError names unknown or invalid ids."""
    ids = frame["account_id"]
    known = set(ids)
    both = set(scenario.promote) & set(scenario.demote)
    if both:
        raise ValueError(f"account(s) both promoted and demoted: {', '.join(sorted(both))}")
    for verb, chosen in (("promote", scenario.promote), ("demote", scenario.demote)):
        unknown = [a for a in chosen if a not in known]
        if unknown:
            shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
            raise ValueError(f"cannot {verb} {len(unknown)} unknown or inactive account id(s): {shown}")
    tiers = frame["tier"].to_numpy(dtype=object).copy()
    promote, demote = ids.isin(scenario.promote).to_numpy(), ids.isin(scenario.demote).to_numpy()
    already = ids[promote & (tiers == STRATEGIC)].tolist()
    if already:
        raise ValueError(f"already strategic, cannot promote: {', '.join(already[:5])}")
    not_strategic = ids[demote & (tiers != STRATEGIC)].tolist()
    if not_strategic:
        raise ValueError(f"not strategic, cannot demote: {', '.join(not_strategic[:5])}")
    tiers[promote] = STRATEGIC
    tiers[demote] = KEY
    return tiers


def run_simulation(
    accounts: pd.DataFrame,
    assumptions: Assumptions | None = None,
    settings: SimulationSettings | None = None,
    scenario: Scenario | None = None,
    progress: Callable[[float], None] | None = None,
) -> SimulationResult:
    """Simulate ``accounts`` (columns account_id, arr, tier; see :func:`simulation_accounts`).

    Same inputs and seed → identical results, whatever ``chunk_paths`` or ``workers``.
    ``progress`` receives the share of paths done after each chunk. Raises ValueError for an
    empty portfolio or invalid scenario ids.
    """
    assumptions = assumptions or Assumptions()
    settings = settings or SimulationSettings()
    if accounts.empty:
        raise ValueError("no accounts with ARR and a tier to simulate")
    arr0 = accounts["arr"].to_numpy(dtype=float)
    capacity = settings.strategic_capacity

    def variant(tiers: np.ndarray, sams: float) -> tuple[Staffing, dict, AccountParams]:
        staff = staffing(int((tiers == STRATEGIC).sum()), capacity, sams)
        figures = effective_assumptions(assumptions, staff.treatment_strength)
        return staff, figures, account_params(tiers, figures)

    base_tiers = accounts["tier"].to_numpy(dtype=object)
    base_sams = (settings.strategic_sams if settings.strategic_sams is not None
                 else required_sams(int((base_tiers == STRATEGIC).sum()), capacity))
    base_staff, base_figures, base_params = variant(base_tiers, base_sams)

    scenario_params, scenario_info = [], None
    if scenario is not None:
        tiers = _scenario_tiers(accounts, scenario)
        extra = required_sams(int((tiers == STRATEGIC).sum()), capacity) - base_staff.required_sams
        sams = (scenario.strategic_sams if scenario.strategic_sams is not None
                else base_sams + max(0, extra))
        scenario_info = (tiers, *variant(tiers, sams))
        scenario_params = [scenario_info[3]]

    outcomes = run_paths(
        arr0, base_params, scenario_params,
        correlation=assumptions.correlation, periods=settings.horizon,
        period_years=settings.period_years, paths=settings.paths, seed=settings.seed,
        chunk_paths=settings.chunk_paths, workers=settings.workers, progress=progress,
    )

    def outcome(name, tiers, staff, figures, paths) -> Outcome:
        counts = {t: int((tiers == t).sum()) for t in TIERS}
        return Outcome(name, staff, figures, counts, float(arr0.sum()), settings.period_years, paths)

    result = SimulationResult(settings, assumptions,
                              outcome("Baseline", base_tiers, base_staff, base_figures, outcomes[0]))
    if scenario_info is not None:
        tiers, staff, figures, _ = scenario_info
        result.scenario = outcome(scenario.name, tiers, staff, figures, outcomes[1])
        result.scenario_definition = scenario
        added = staff.sams - base_staff.sams
        result.comparison = Comparison(
            delta=result.scenario.ending_arr - result.baseline.ending_arr,
            revenue_delta=result.scenario.revenue - result.baseline.revenue,
            added_sams=float(added),
            added_cost=float(max(added, 0) * settings.cost_per_sam * settings.horizon_years),
            required_sams_change=staff.required_sams - base_staff.required_sams,
        )
    return result
