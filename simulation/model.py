"""Run the simulator on a tiered portfolio: the baseline, the move, and the move with its staffing.

* Baseline: the data as it is. Each account follows its own figures (annual churn c, drift
  d, volatility σ, reversion b): its tier's, or in a calibrated tier the size model at its ARR
  (see :mod:`simulation.calibration`, :func:`account_params`), with
  today's strategic SAMs (``settings.strategic_sams``, default: ⌈accounts / capacity⌉).
* Attention. Strategic accounts share the strategic SAMs: with load L = strategic accounts /
  (SAMs × capacity per SAM) each gets the attention q = min(1, 1/L) (1 with no strategic
  accounts, 0 with no SAMs); other accounts get 0.
* Treatment. Moving accounts changes only their attention, never their figures: an account
  whose attention changes by e = a − a_baseline gets the treatment effect scaled by e (hazard
  × HR^e, drift + u·e, over the ramp; :mod:`simulation.treatment`). A promoted account keeps its
  own tier's figures plus q·effect; a demoted one loses q_baseline·effect; accounts that stay
  strategic gain or lose (q − q_baseline)·effect when the SAMs' load changes. The effect (HR,
  u) is drawn once per path from its interval, so results carry its uncertainty.
* Variants, all on the same random numbers: the baseline; the **move** (the scenario's tiers
  with today's SAMs); the **scenario** (the move with the scenario's SAMs). The move's effect is
  move − baseline, the staffing's is scenario − move; they add up to the total on every path.
* Staffing. A scenario keeps the SAMs it is given, or by default hires (or releases) the change
  in what the tier needs: SAMs + ⌈scenario accounts / capacity⌉ − ⌈baseline accounts /
  capacity⌉, never below 0.
* Money: NPV and payback from :mod:`simulation.economics` (margin, discount rate, cost per SAM).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from portfolio.capacity import DEFAULT_CAPACITY
from portfolio.formatting import money, percent
from portfolio.schema import TIERS
from simulation.assumptions import Assumptions, TierAssumption
from simulation.defaults import DEFAULT_COST_PER_SAM, DEFAULT_SEED
from simulation.economics import (
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_MARGIN,
    Economics,
    npv,
    payback_years,
    tail_value,
)
from simulation.engine import (
    BLOCK_PATHS,
    AccountParams,
    PathOutcome,
    TreatmentDraws,
    antithetic_partner,
    carried_nrr_volatility,
    renewal_periods,
    run_paths,
)
from simulation.summary import (
    AnnualRetention,
    ComparisonSummary,
    Delta,
    Distribution,
    EconomicsSummary,
    RenewalCalendar,
    RenewalQuarter,
    Staffing,
    VariantSummary,
)
from simulation.treatment import ASSUMED_EFFECT, TreatmentEffect, ramp_fractions

PERIOD_YEARS = {"month": 1 / 12, "quarter": 1 / 4}
MAX_HORIZON_YEARS = 5
MAX_PATHS = 1_000_000
PERCENTILES = (5, 25, 50, 75, 95)
STRATEGIC, KEY = TIERS[0], TIERS[1]
TREATMENT_STREAM = 2**40
"""spawn_key of the random stream for the per-path treatment effect (path blocks use 0, 1, …)."""


@dataclass(frozen=True)
class Scenario:
    """Accounts to move up (``promote``) or down (``demote``) a tier.

    Without a target a promoted account goes to Strategic and a demoted (strategic) one to Key.
    ``targets``: (account id, tier) pairs giving moved accounts their tier — a re-tiering (the
    Tiers page's current × proposed migration), where Standard → Key or Key → Standard moves
    too; a promotion's target must rank above the account's tier, a demotion's below.
    ``strategic_sams``: SAMs on the strategic tier in the scenario; None hires (or releases)
    the change in what the tier needs.
    """

    promote: tuple[str, ...] = ()
    demote: tuple[str, ...] = ()
    strategic_sams: float | None = None
    name: str = "Scenario"
    targets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SimulationSettings:
    """How to simulate: paths, horizon (in periods), period, seed, staffing and money."""

    paths: int = 10_000
    horizon: int = 12
    period: str = "quarter"
    seed: int = DEFAULT_SEED
    strategic_capacity: float = DEFAULT_CAPACITY[STRATEGIC]
    strategic_sams: float | None = None
    cost_per_sam: float = DEFAULT_COST_PER_SAM
    margin: float = DEFAULT_MARGIN
    discount_rate: float = DEFAULT_DISCOUNT_RATE
    chunk_paths: int | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)

    def __post_init__(self) -> None:
        if self.period not in PERIOD_YEARS:
            raise ValueError(f"period must be 'month' or 'quarter', got {self.period!r}")
        max_horizon = round(MAX_HORIZON_YEARS / PERIOD_YEARS[self.period])
        whole = lambda v, lo, hi: isinstance(v, int) and lo <= v <= hi  # noqa: E731
        within = lambda v, lo, hi: math.isfinite(v) and lo <= v <= hi  # noqa: E731
        checks = (
            (
                whole(self.horizon, 1, max_horizon),
                f"horizon must be 1–{max_horizon} {self.period}s, got {self.horizon!r}",
            ),
            (whole(self.paths, 1, MAX_PATHS), f"paths must be 1–{MAX_PATHS:,}, got {self.paths!r}"),
            (whole(self.seed, 0, math.inf), f"seed must be a non-negative integer, got {self.seed!r}"),
            (
                within(self.strategic_capacity, 1e-9, math.inf),
                "strategic capacity must be a positive number of accounts per SAM",
            ),
            (
                self.strategic_sams is None or within(self.strategic_sams, 0, math.inf),
                "strategic SAMs must be zero or more",
            ),
            (within(self.cost_per_sam, 0, math.inf), "cost per SAM must be zero or more"),
            (within(self.margin, 0, 1), f"margin must be between 0% and 100%, got {self.margin * 100:g}%"),
            (
                within(self.discount_rate, 0, 1),
                f"discount rate must be between 0% and 100%, got {self.discount_rate * 100:g}%",
            ),
            (self.workers >= 1, "workers must be at least 1"),
        )
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @property
    def period_years(self) -> float:
        return PERIOD_YEARS[self.period]

    @property
    def horizon_years(self) -> float:
        return self.horizon * self.period_years


def attention(strategic_accounts: int, capacity: float, sams: float) -> float:
    """q = min(1, SAMs × capacity / strategic accounts); 1 when there are no strategic accounts."""
    if strategic_accounts == 0:
        return 1.0
    return min(1.0, sams * capacity / strategic_accounts)


def required_sams(strategic_accounts: int, capacity: float) -> int:
    """⌈strategic accounts / capacity per SAM⌉."""
    return math.ceil(strategic_accounts / capacity - 1e-9)


def staffing(strategic_accounts: int, capacity: float, sams: float) -> Staffing:
    load = strategic_accounts / (sams * capacity) if sams > 0 else None
    return Staffing(
        strategic_accounts,
        required_sams(strategic_accounts, capacity),
        float(sams),
        load,
        attention(strategic_accounts, capacity, sams),
    )


def account_params(
    tiers: np.ndarray,
    assumptions: Assumptions | dict[str, TierAssumption],
    arr: np.ndarray | None = None,
    exposure: np.ndarray | None = None,
    renewal_years: np.ndarray | None = None,
) -> AccountParams:
    """Per-account annual churn, drift, volatility and reversion.

    An account of a *calibrated* tier with a size model (``assumptions.size``) and its ARR
    (``arr``, currency per year: the simulation's start) gets the size model at that ARR:
    churn_i = expit(α_t + β·(ln ARR_i − c)), drift_i = g_t + b_t·(ln ARR_i − c), σ_t, reversion
    b_t (:class:`simulation.size_model.TierTerms`). Any other account (explicit or default tier
    figures, or figures given as a plain ``{tier: TierAssumption}``) gets its tier's figures and
    no reversion. ``renewal_years``: each account's years to its next renewal (NaN: unknown).
    """
    figures = assumptions if isinstance(assumptions, dict) else assumptions.tiers
    size = None if isinstance(assumptions, dict) else assumptions.size
    n = len(tiers)
    churn, drift, volatility, reversion = (np.zeros(n) for _ in range(4))
    for tier, a in figures.items():
        rows = tiers == tier
        if size is not None and arr is not None and a.source == "calibrated" and tier in size.terms:
            churn[rows], drift[rows], volatility[rows], reversion[rows] = size.evaluate(
                tier, np.asarray(arr, dtype=float)[rows]
            )
        else:
            churn[rows], drift[rows], volatility[rows] = a.annual_churn, a.expansion_drift, a.volatility
    renewal = None if renewal_years is None else np.asarray(renewal_years, dtype=float)
    return AccountParams(churn, drift, volatility, exposure, reversion, renewal)


def exposure(
    base_tiers: np.ndarray, tiers: np.ndarray, base_attention: float, variant_attention: float
) -> np.ndarray:
    """e = a − a_baseline per account: attention q in the strategic tier, 0 outside it."""
    before = np.where(base_tiers == STRATEGIC, base_attention, 0.0)
    after = np.where(tiers == STRATEGIC, variant_attention, 0.0)
    return after - before


def treatment_draws(effect: TreatmentEffect, settings: SimulationSettings) -> TreatmentDraws:
    """The effect on each path, normal on the scale of its 90% interval and centred on it:
    ln HR ~ N((ln low + ln high)/2, sd²), u ~ N((low + high)/2, sd²), the sds from the intervals'
    widths (:attr:`TreatmentEffect.log_hazard_sd`), so 90% of paths fall inside the stated
    intervals. Each block of paths draws from its own stream (seed, TREATMENT_STREAM, block),
    so a path's effect does not depend on how many paths are run."""
    hr, up = effect.hazard_ratio, effect.uplift
    z = np.empty((2, math.ceil(settings.paths / BLOCK_PATHS) * BLOCK_PATHS))
    for block in range(z.shape[1] // BLOCK_PATHS):
        seed = np.random.SeedSequence(settings.seed, spawn_key=(TREATMENT_STREAM, block))
        rows = slice(block * BLOCK_PATHS, (block + 1) * BLOCK_PATHS)
        z[:, rows] = np.random.Generator(np.random.PCG64(seed)).standard_normal((2, BLOCK_PATHS))
    z = z[:, : settings.paths]
    return TreatmentDraws(
        log_hazard_ratio=(math.log(hr.low) + math.log(hr.high)) / 2 + effect.log_hazard_sd * z[0],
        uplift=(up.low + up.high) / 2 + effect.uplift_sd * z[1],
        ramp=ramp_fractions(settings.horizon, settings.period_years, effect.ramp_months),
    )


def _stats(values: np.ndarray, skip_nan: bool = False) -> Distribution:
    """P5, P25, P50, P75, P95 and mean; ``skip_nan`` leaves out undefined values (a year that
    starts with no ARR on a path has no retention)."""
    if skip_nan:
        values = values[~np.isnan(values)]
        if not len(values):
            return Distribution(**{f"p{p}": math.nan for p in PERCENTILES}, mean=math.nan)
    quantiles = np.percentile(values, PERCENTILES)
    return Distribution(
        **{f"p{p}": float(q) for p, q in zip(PERCENTILES, quantiles, strict=True)},
        mean=float(values.mean()),
    )


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator per path; NaN where the denominator is 0 (nothing left)."""
    out = np.full(len(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def mean_error(values: np.ndarray) -> float:
    """Monte Carlo standard error of the mean over antithetic paths: sd(pair means) / √pairs
    (the engine's pairs, :func:`simulation.engine.antithetic_partner`; an odd last block's
    unpaired path is left out of the error, not of the mean)."""
    partner = antithetic_partner(len(values))
    first = np.flatnonzero(np.arange(len(values)) < partner)
    if len(first) < 2:
        return math.nan
    pair_means = (values[first] + values[partner[first]]) / 2
    return float(pair_means.std(ddof=1) / math.sqrt(len(first)))


def paths_for_error(sd: float, target: float, offered: tuple[int, ...]) -> int:
    """The smallest offered path count whose Monte Carlo error sd / √paths is at most
    ``target`` (the largest offered when none is); sd and target in the same unit."""
    if target <= 0 or not math.isfinite(sd):
        return offered[-1]
    needed = (sd / target) ** 2
    return next((n for n in offered if n >= needed), offered[-1])


@dataclass
class Outcome:
    """One variant's simulated outcome (arrays over paths) and what it assumed."""

    name: str
    staffing: Staffing
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

    def annual_nrr(self, year: int) -> np.ndarray:
        """NRR of year ``year`` (1 = the first): ARR at its end / ARR at its start, per path."""
        k = round(1 / self.period_years)
        return _ratio(self.paths.totals[:, year * k], self.paths.totals[:, (year - 1) * k])

    def annual_grr(self, year: int) -> np.ndarray:
        """GRR of year ``year``: Σ min(ARR_i(end), ARR_i(start)) over accounts active at its end
        / ARR at its start — the annual GRR companies report, per path."""
        k = round(1 / self.period_years)
        return _ratio(self.paths.retained_years[:, year - 1], self.paths.totals[:, (year - 1) * k])

    @property
    def years(self) -> int:
        """Whole years inside the horizon."""
        return self.paths.retained_years.shape[1]

    @property
    def revenue(self) -> np.ndarray:
        """Revenue earned over the horizon per path (trapezoid on the ARR run rate), currency."""
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

    def summary(self) -> VariantSummary:
        """The outcome's figures at the horizon (distributions across paths)."""
        annual = tuple(
            AnnualRetention(
                y, _stats(self.annual_nrr(y), skip_nan=True), _stats(self.annual_grr(y), skip_nan=True)
            )
            for y in range(1, self.years + 1)
        )
        return VariantSummary(
            name=self.name,
            start_arr=self.start_arr,
            ending_arr=_stats(self.ending_arr),
            ending_arr_error=mean_error(self.ending_arr),
            nrr=_stats(self.nrr),
            grr=_stats(self.grr),
            annual=annual,
            prob_lose_top10=float(self.paths.lost_top.mean()),
            expected_churned_arr=float(self.paths.churned_arr.mean()),
            top10_share=_stats(self.paths.top_share),
            expected_revenue=float(self.revenue.mean()),
            tier_counts=dict(self.tier_counts),
            staffing=self.staffing,
        )


ARR_ROUNDING = 1e-6
"""Ending-ARR differences below this share of today's ARR are float32 rounding, not an effect:
promoting 3 or 30 demo accounts with no treatment effect (hazard ratio 1, uplift 0) moved the
$52.9M total by up to $8 and $12 per path (float32 holds it to $4), which counted as "better" on
1% and 5% of paths at the former 10⁻⁷ ($5.29)."""
NPV_ROUNDING = 1e-5
"""The same for a path's NPV (its flows and tail sum several rounded ARR differences): up to
$33 and $45 there, which counted as "NPV positive" on 29% and 34% of paths."""


@dataclass
class Comparison:
    """Scenario minus baseline on the same paths (common random numbers), split into the move
    (with today's SAMs) and the staffing change, with its money (NPV, payback)."""

    delta: np.ndarray  # ending ARR, scenario − baseline, per path
    move_delta: np.ndarray  # move − baseline
    staffing_delta: np.ndarray  # scenario − move
    npv: np.ndarray  # per path, total
    move_npv: np.ndarray
    staffing_npv: np.ndarray
    sam_change: float  # scenario SAMs − baseline SAMs (negative: released)
    economics: Economics  # the move's (its tail decays at the moved accounts' churn)
    staffing_economics: Economics  # the staffing's (its tail: the strategic accounts' churn)
    tail: np.ndarray  # the part of the NPV that is the ARR left at the horizon, per path
    payback_years: float | None
    required_sams_change: int
    start_arr: float = 0.0  # today's portfolio ARR: the rounding tolerances are shares of it

    @property
    def added_sams(self) -> float:
        return max(self.sam_change, 0.0)

    @property
    def released_sams(self) -> float:
        return max(-self.sam_change, 0.0)

    @property
    def prob_better(self) -> float:
        """P(scenario ending ARR > baseline ending ARR): differences within float32 rounding of
        the portfolio (:data:`ARR_ROUNDING` of today's ARR) count as none."""
        return float((self.delta > self._tolerance).mean())

    @property
    def prob_positive(self) -> float:
        """P(NPV > 0) across paths; NPVs within :data:`NPV_ROUNDING` of today's ARR count as 0."""
        return float((self.npv > NPV_ROUNDING * self.start_arr).mean())

    @property
    def _tolerance(self) -> float:
        return ARR_ROUNDING * self.start_arr

    def summary(self) -> ComparisonSummary:
        """The comparison's figures (distributions across paths) and their Monte Carlo errors."""
        return ComparisonSummary(
            delta=Delta(**_stats(self.delta).to_dict(), prob_better=self.prob_better),
            move=_stats(self.move_delta),
            staffing=_stats(self.staffing_delta),
            economics=EconomicsSummary(
                added_sams=self.added_sams,
                released_sams=self.released_sams,
                sam_cost=self.sam_change * self.economics.cost_per_sam,
                margin=self.economics.margin,
                discount_rate=self.economics.discount_rate,
                tail_churn=self.economics.tail_churn,
                npv=_stats(self.npv),
                npv_move=_stats(self.move_npv),
                npv_staffing=_stats(self.staffing_npv),
                npv_tail=_stats(self.tail),
                prob_positive=self.prob_positive,
                payback_years=self.payback_years,
            ),
            required_sams_change=self.required_sams_change,
            delta_error=mean_error(self.delta),
            prob_better_error=mean_error((self.delta > self._tolerance).astype(float)),
            npv_error=mean_error(self.npv),
        )


@dataclass
class SimulationResult:
    """Baseline, move and scenario outcomes, the comparison, and everything that produced them."""

    settings: SimulationSettings
    assumptions: Assumptions
    treatment: TreatmentEffect
    baseline: Outcome
    scenario: Outcome | None = None
    move: Outcome | None = None
    scenario_definition: Scenario | None = None
    comparison: Comparison | None = None
    renewal_calendar: RenewalCalendar | None = None

    def headline(self) -> str:
        """One plain-language sentence: the total, the move and the staffing apart, the money."""
        s = self.settings
        when = f"{s.period[0].upper()}{s.horizon}" if s.period == "quarter" else f"month {s.horizon}"
        if self.comparison is None or self.scenario_definition is None:
            base = _stats(self.baseline.ending_arr)
            return (
                f"Expected ARR by {when}: {money(base.mean)} "
                f"(±{money(mean_error(self.baseline.ending_arr))} Monte Carlo error; "
                f"P5 {money(base.p5)}, P95 {money(base.p95)})."
            )
        assert self.scenario is not None  # set together with the comparison
        c = self.comparison
        d = c.summary()
        total, npv_stats = d.delta, d.economics.npv
        verb = "adds" if total.mean >= 0 else "costs"
        staffing = ""
        if c.sam_change:
            staffing = (
                f"hiring {c.added_sams:g} SAM{'s' * (c.added_sams != 1)}"
                if c.sam_change > 0
                else f"releasing {c.released_sams:g} SAM{'s' * (c.released_sams != 1)}"
            )
        # the subject names the staffing change too: the total is the move's and the hire's
        text = (
            f"{_moves(self.scenario_definition, staffing)} {verb} {money(abs(total.mean))} "
            f"(±{money(d.delta_error)}) expected ARR by {when}"
        )
        base_sams = self.baseline.staffing.sams
        parts = [
            f"{money(d.move.mean, signed=True)} from the move with today's "
            f"{base_sams:g} strategic SAM{'s' * (base_sams != 1)}"
        ]
        if staffing:
            parts.append(f"{money(d.staffing.mean, signed=True)} from {staffing}")
        text += ": " + " and ".join(parts)
        text += (
            f"; NPV {money(npv_stats.mean, signed=True)} (P5 {money(npv_stats.p5)}, "
            f"P95 {money(npv_stats.p95)}) at {percent(s.margin, 0)} margin and "
            f"{percent(s.discount_rate, 0)} discount"
        )
        if c.payback_years is not None:
            text += f", payback {c.payback_years:.1f} years"
        elif c.sam_change > 0:
            text += ", no payback within the horizon (the NPV counts the ARR left at its end)"
        text += (
            f"; ARR above the baseline's on {percent(c.prob_better, 0)} of paths, NPV positive on "
            f"{percent(c.prob_positive, 0)}"
        )
        if self.treatment.source == "assumed":
            text += "; the treatment effect is assumed, not estimated from this data"
        if self.scenario.staffing.sams == 0 and self.scenario_definition.promote:
            text += " (with no strategic SAMs, promoted accounts get no strategic attention)"
        elif (self.scenario.staffing.load or 0) > 1:
            text += f" (the strategic SAMs run at {percent(self.scenario.staffing.load, 0)} of capacity)"
        return text + "."


def _moves(scenario: Scenario, staffing: str = "") -> str:
    """The scenario as the headline's subject: "Promoting 3 accounts and hiring 1 SAM"."""
    moves = []
    if scenario.promote:
        moves.append(f"promoting {len(scenario.promote)} account{'s' * (len(scenario.promote) != 1)}")
    if scenario.demote:
        moves.append(f"demoting {len(scenario.demote)} account{'s' * (len(scenario.demote) != 1)}")
    if staffing:
        moves.append(staffing)
    what = " and ".join(moves) or "changing the strategic SAMs"
    return what[0].upper() + what[1:]


DAYS_PER_YEAR = 365.25


def _anniversaries(dates: pd.Series, start: pd.Timestamp) -> pd.Series:
    """Each date on or before ``start`` moved forward by whole years to its first anniversary
    after ``start`` (pandas' DateOffset: a 29 February lands on the 28th in other years); later
    dates and NaT stay as they are."""
    rolled = dates.copy()
    past = dates.notna() & (dates <= start)
    gap = start.year - dates.dt.year
    for years in np.unique(gap[past]).astype(int):
        rows = past & (gap == years)
        moved = dates[rows] + pd.DateOffset(years=years)
        rolled[rows] = moved.where(moved > start, dates[rows] + pd.DateOffset(years=years + 1))
    return rolled


def renewal_years(dates: pd.Series, start: pd.Timestamp) -> pd.Series:
    """Years from ``start`` (the data's as-of date) to each account's next renewal,
    (date − start) / 365.25 days. A date on or before ``start`` is a renewal already past: on
    annual terms the next is its first anniversary after ``start`` (whole years on). NaN where
    the date is missing or cannot be read (then churn has a uniform hazard)."""
    start = pd.Timestamp(start).normalize()
    parsed = pd.to_datetime(pd.Series(dates), errors="coerce")
    parsed = parsed.dt.tz_localize(None) if parsed.dt.tz is not None else parsed
    parsed = parsed.dt.normalize()
    return (_anniversaries(parsed, start) - start).dt.days / DAYS_PER_YEAR


def simulation_accounts(
    accounts: pd.DataFrame, tier: pd.Series, start: pd.Timestamp | None = None
) -> pd.DataFrame:
    """The accounts to simulate: id, name, ARR, tier and years to the next renewal
    (``renewal_years``, from ``renewal_date`` and the run's start: the data's as-of date
    (``analysis.facts.as_of``), today when it has none; past dates rolled forward by whole
    years; NaN when missing or unreadable) of those with ARR > 0 and a tier.
    ``renewal_rolled`` marks dates rolled forward, ``renewal_unreadable`` dates that could not
    be read; ``frame.attrs["renewal_start"]`` says which start was used."""
    given = start is not None
    start = (pd.Timestamp.today() if start is None else pd.Timestamp(start)).normalize()
    dates = (
        accounts["renewal_date"] if "renewal_date" in accounts else pd.Series(pd.NaT, index=accounts.index)
    )
    parsed = pd.to_datetime(dates, errors="coerce")
    written = dates.notna() & (dates.astype(str).str.strip() != "")
    frame = pd.DataFrame(
        {
            "account_id": accounts["account_id"].astype(str),
            "account_name": accounts.get("account_name", accounts["account_id"]).astype(str),
            "arr": accounts["arr"].astype(float),
            "tier": tier.astype(object),
            "renewal_years": renewal_years(dates, start),
            "renewal_rolled": parsed.notna() & (parsed.dt.normalize() <= start),
            "renewal_unreadable": written & parsed.isna(),
        }
    )
    frame = frame[(frame["arr"] > 0) & frame["tier"].notna()].reset_index(drop=True)
    frame.attrs["renewal_start"] = f"{'the as-of date' if given else 'today'} {start:%Y-%m-%d}"
    return frame


def renewal_timing(accounts: pd.DataFrame) -> str:
    """One sentence: how many accounts churn at their renewal dates (and how many of those
    dates were past and rolled forward), and how many with a uniform hazard (no date, or one
    that could not be read)."""
    n = len(accounts)
    column = lambda name: int(accounts[name].sum()) if name in accounts else 0  # noqa: E731
    known = int(accounts["renewal_years"].notna().sum()) if "renewal_years" in accounts else 0
    rolled, unreadable = column("renewal_rolled"), column("renewal_unreadable")
    if known == 0:
        text = (
            f"No account has a renewal date, so all {n:,} churn with a uniform hazard "
            "(the same chance in every period)"
        )
        return text + (
            f"; {unreadable:,} date{'s' * (unreadable != 1)} could not be read." if unreadable else "."
        )
    text = f"Churn follows renewal dates (annual terms) for {known:,} of {n:,} accounts"
    if rolled:
        start = accounts.attrs.get("renewal_start", "the start")
        text += f" ({rolled:,} date{'s' * (rolled != 1)} on or before {start} rolled forward by whole years)"
    if known == n:
        return text + "."
    reasons = [f"{n - known - unreadable:,} without a date"] if n - known - unreadable else []
    if unreadable:
        reasons.append(f"{unreadable:,} date{'s' * (unreadable != 1)} that could not be read")
    return text + f"; the other {n - known:,} churn with a uniform hazard ({', '.join(reasons)})."


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
    targets = dict(scenario.targets)
    default = (STRATEGIC, KEY, None)  # a promotion's, a demotion's, an account that stays
    goal = np.array(
        [
            targets.get(a, default[0 if p else 1 if d else 2])
            for a, p, d in zip(ids, promote, demote, strict=True)
        ],
        dtype=object,
    )
    rank = {tier: r for r, tier in enumerate(TIERS)}  # 0 = Strategic, the highest
    now_rank = np.array([rank.get(t, len(TIERS)) for t in tiers])
    goal_rank = np.array([rank.get(t, -1) for t in goal])
    moved = promote | demote
    if (moved & (goal_rank < 0)).any():
        raise ValueError(f"a target tier must be one of {', '.join(TIERS)}")
    for chosen, wrong, verb, default_why, why in (
        (promote, goal_rank >= now_rank, "promote", "already strategic", "already in that tier or above"),
        (demote, goal_rank <= now_rank, "demote", "not strategic", "already in that tier or below"),
    ):
        cannot = ids[chosen & wrong].tolist()
        if cannot:
            raise ValueError(f"{why if targets else default_why}, cannot {verb}: {', '.join(cannot[:5])}")
    tiers[moved] = goal[moved]
    return tiers


def run_simulation(
    accounts: pd.DataFrame,
    assumptions: Assumptions | None = None,
    settings: SimulationSettings | None = None,
    scenario: Scenario | None = None,
    progress: Callable[[float], None] | None = None,
    treatment: TreatmentEffect | None = None,
) -> SimulationResult:
    """Simulate ``accounts`` (columns account_id, arr, tier; see :func:`simulation_accounts`).

    ``treatment`` is the effect of strategic attention (default: the assumed one). Same inputs
    and seed → identical results, whatever ``chunk_paths`` or ``workers``. ``progress``
    receives the share of paths done after each chunk. Raises ValueError for an empty
    portfolio, invalid scenario ids or a ramp longer than the horizon.
    """
    assumptions = assumptions or Assumptions()
    settings = settings or SimulationSettings()
    treatment = treatment or ASSUMED_EFFECT
    if accounts.empty:
        raise ValueError("no accounts with ARR and a tier to simulate")
    horizon_months = settings.horizon_years * 12
    if treatment.ramp_months > horizon_months + 1e-9:
        raise ValueError(
            f"ramp ({treatment.ramp_months:g} months) must be within the horizon ({horizon_months:g} months)"
        )
    arr0 = accounts["arr"].to_numpy(dtype=float)
    capacity = settings.strategic_capacity
    base_tiers = accounts["tier"].to_numpy(dtype=object)
    renewal = accounts["renewal_years"].to_numpy(dtype=float) if "renewal_years" in accounts else None
    params = account_params(
        base_tiers, assumptions, arr0, renewal_years=renewal
    )  # own figures, every variant
    base_sams = (
        settings.strategic_sams
        if settings.strategic_sams is not None
        else required_sams(int((base_tiers == STRATEGIC).sum()), capacity)
    )
    base_staff = staffing(int((base_tiers == STRATEGIC).sum()), capacity, base_sams)

    def variant(tiers: np.ndarray, sams: float) -> tuple[Staffing, AccountParams]:
        staff = staffing(int((tiers == STRATEGIC).sum()), capacity, sams)
        shift = exposure(base_tiers, tiers, base_staff.attention, staff.attention)
        return staff, replace(params, exposure=shift)

    variants: list[tuple[str, np.ndarray, Staffing, AccountParams]] = []
    if scenario is not None:
        tiers = _scenario_tiers(accounts, scenario)
        need = required_sams(int((tiers == STRATEGIC).sum()), capacity) - base_staff.required_sams
        sams = scenario.strategic_sams if scenario.strategic_sams is not None else max(0.0, base_sams + need)
        variants.append(("Move with today's SAMs", tiers, *variant(tiers, base_sams)))
        if sams != base_sams:
            variants.append((scenario.name, tiers, *variant(tiers, sams)))

    assumptions = _carried(assumptions, carried_nrr_volatility(arr0, params, settings.period_years))
    outcomes = run_paths(
        arr0,
        params,
        [v[3] for v in variants],
        nrr_volatility=assumptions.nrr_volatility,
        periods=settings.horizon,
        period_years=settings.period_years,
        paths=settings.paths,
        seed=settings.seed,
        chunk_paths=settings.chunk_paths,
        workers=settings.workers,
        progress=progress,
        treatment=treatment_draws(treatment, settings),
    )

    def outcome(name, tiers, staff, paths) -> Outcome:
        counts = {t: int((tiers == t).sum()) for t in TIERS}
        return Outcome(name, staff, counts, float(arr0.sum()), settings.period_years, paths)

    result = SimulationResult(
        settings, assumptions, treatment, outcome("Baseline", base_tiers, base_staff, outcomes[0])
    )
    result.renewal_calendar = renewal_calendar(outcomes[0], arr0, params.renewal_years, settings, accounts)
    if scenario is None:
        return result
    result.scenario_definition = scenario
    result.move = outcome(variants[0][0], variants[0][1], variants[0][2], outcomes[1])
    _, tiers, staff, full_params = variants[-1]
    result.scenario = outcome(scenario.name, tiers, staff, outcomes[-1])
    exposures = (_exposure_of(variants[0][3], len(arr0)), _exposure_of(full_params, len(arr0)))
    result.comparison = _compare(result, assumptions, settings, params, exposures, arr0)
    return result


def renewal_calendar(
    outcome: PathOutcome,
    arr0: np.ndarray,
    renewal_years: np.ndarray | None,
    settings: SimulationSettings,
    accounts: pd.DataFrame,
) -> RenewalCalendar:
    """Per quarter of the horizon: today's ARR with a renewal in it (annual terms from each
    known next renewal, placed in its period as the engine does) and the ARR that churned in
    it on each path (the fall of the active accounts' today's ARR), mean and P5–P95."""
    per_quarter = max(1, round(0.25 / settings.period_years))
    per_year = round(1 / settings.period_years)
    first = renewal_periods(renewal_years, len(arr0), settings.period_years)
    quarters = []
    for q in range(1, math.ceil(settings.horizon / per_quarter) + 1):
        lo, hi = (q - 1) * per_quarter, min(q * per_quarter, settings.horizon)
        # a renewal period k = first + j·per_year falls in (lo, hi]
        steps = np.ceil((lo + 1 - first) / per_year).clip(min=0)
        renews = (first > 0) & (first + steps * per_year <= hi)
        churned = outcome.active_arr[:, lo] - outcome.active_arr[:, hi]
        p5, p95 = np.percentile(churned, [5, 95])
        quarters.append(
            RenewalQuarter(
                q, float(arr0[renews].sum()), int(renews.sum()), float(churned.mean()), float(p5), float(p95)
            )
        )
    return RenewalCalendar(tuple(quarters), len(arr0), int((first > 0).sum()), renewal_timing(accounts))


def _carried(assumptions: Assumptions, most: float) -> Assumptions:
    """``assumptions`` with the portfolio NRR volatility lowered to ``most`` (what the accounts'
    volatility can carry, see :func:`simulation.engine.carried_nrr_volatility`) when it is more,
    and a warning saying so; unchanged otherwise."""
    if assumptions.nrr_volatility <= most + 1e-12:
        return assumptions
    warning = (
        f"portfolio NRR volatility {100 * assumptions.nrr_volatility:.1f} points a year is more than "
        f"these accounts' volatility can carry; {100 * most:.1f} points (all of it tied to the market) "
        "are used"
    )
    return replace(assumptions, nrr_volatility=most, warnings=(*assumptions.warnings, warning))


def _exposure_of(params: AccountParams, n: int) -> np.ndarray:
    return np.zeros(n) if params.exposure is None else params.exposure


def _tail_churn(churn: np.ndarray, arr0: np.ndarray, attention_change: np.ndarray, fallback: float) -> float:
    """The annual churn of the accounts whose attention changed, weighted by |change| × ARR
    (``fallback`` when none changed)."""
    weights = np.abs(attention_change) * arr0
    return float(weights @ churn / weights.sum()) if weights.sum() > 0 else fallback


def _compare(
    result: SimulationResult,
    assumptions: Assumptions,
    settings: SimulationSettings,
    params: AccountParams,
    exposures: tuple[np.ndarray, np.ndarray],
    arr0: np.ndarray,
) -> Comparison:
    """Total, move and staffing effects on ending ARR and in money, path by path.

    ``exposures``: the attention change of each account in the move and in the scenario; the
    value left at the horizon decays at the churn of the accounts each part moves."""
    base, move, full = result.baseline, result.move, result.scenario
    assert move is not None and full is not None  # set before the comparison
    sam_change = full.staffing.sams - base.staffing.sams
    strategic_churn = assumptions.tiers[STRATEGIC].annual_churn
    move_exposure, full_exposure = exposures

    def money_of(attention_change: np.ndarray) -> Economics:
        return Economics(
            settings.margin,
            settings.discount_rate,
            settings.cost_per_sam,
            tail_churn=_tail_churn(params.annual_churn, arr0, attention_change, strategic_churn),
        )

    move_money, staff_money = money_of(move_exposure), money_of(full_exposure - move_exposure)
    move_totals = move.paths.totals - base.paths.totals
    staff_totals = full.paths.totals - move.paths.totals
    move_npv = npv(move_totals, settings.period_years, move_money, 0.0)
    staffing_npv = npv(staff_totals, settings.period_years, staff_money, sam_change)
    tail = tail_value(move_totals, settings.period_years, move_money) + tail_value(
        staff_totals, settings.period_years, staff_money
    )
    return Comparison(
        delta=full.ending_arr - base.ending_arr,
        move_delta=move.ending_arr - base.ending_arr,
        staffing_delta=full.ending_arr - move.ending_arr,
        npv=move_npv + staffing_npv,
        move_npv=move_npv,
        staffing_npv=staffing_npv,
        sam_change=float(sam_change),
        economics=move_money,
        staffing_economics=staff_money,
        tail=tail,
        payback_years=payback_years(
            full.paths.totals - base.paths.totals, settings.period_years, staff_money, sam_change
        ),
        required_sams_change=full.staffing.required_sams - base.staffing.required_sams,
        start_arr=float(arr0.sum()),
    )
