"""Back-test: does the simulator, calibrated on the data, reproduce the year the data records?

The test follows one cohort through one year: the accounts with ARR at the start (new logos
are left out, as in NRR/GRR), each in the tier it had at the start.

* **Out-of-sample** (a revenue history reaching :data:`OUT_OF_SAMPLE_MONTHS` months before
  the as-of date t): the snapshot as of t − 12 months, with its own prior year, gives the
  calibration (the year to t − 12 months), the starting ARR and the tiers; the simulation
  runs one year from there and is compared with the year to t that the data records.
* **In-sample** otherwise (a snapshot, or too short a history): start from ``arr_prior`` with
  the start-of-year tiers (the scorecard on ``arr_prior``), calibrated on the same year it is
  compared with, so it checks the model's shape, not its foresight.

Observed, for the cohort with starting ARR s_i > 0 and ending ARR e_i (0 when churned):
NRR = Σ e / Σ s, GRR = Σ min(e, s) / Σ s, ARR churn = Σ_{e_i = 0} s_i / Σ s (see
:func:`portfolio.retention.retention`), overall and per start tier. Simulated: the same over
one year (4 quarters) of :func:`simulation.run_simulation` from the starting ARR, as P5/P50/P95
across paths; per tier, the simulation of that tier's accounts alone. That run solves the
market loading for the tier's book alone, so a tier's band is close to, not exactly, its
distribution inside the whole run (UK file: loading 0.048 for the whole book, 0.053 for
Strategic alone and 0.040 for Standard; Standard's NRR band 69.6–87.4%, 68.3–89.3% with the
whole book's loading; no target's pass or fail changes).

The simulated accounts carry only id, starting ARR and tier: a snapshot's renewal dates are the
next ones after its as-of date, not after the start of the year tested, so they are left out
and churn follows the uniform hazard.

Targets (:func:`targets`): overall NRR, GRR and ARR churn inside P5–P95; |P50 − observed| ≤
3 points for NRR and GRR; per tier with at least :data:`MIN_TIER_ACCOUNTS` accounts, NRR and
GRR inside P5–P95.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portfolio.analysis import PortfolioAnalysis, has_prior
from portfolio.retention import retention
from portfolio.schema import TIERS
from simulation.assumptions import Assumptions
from simulation.calibration import starting_assumptions
from simulation.defaults import BACKTEST_PATHS
from simulation.model import DEFAULT_SEED, SimulationSettings, run_simulation

OUT_OF_SAMPLE_MONTHS = 36
"""History needed for the out-of-sample test: the year predicted, the year it starts from,
and the year before that to calibrate on."""
DEFAULT_PATHS = BACKTEST_PATHS
QUARTERS = 4
MEDIAN_TOLERANCE = 0.03
"""|P50 − observed| allowed for NRR and GRR (3 points)."""
MIN_TIER_ACCOUNTS = 30
"""A tier needs this many accounts for its own target."""
IN_SAMPLE, OUT_OF_SAMPLE = "in-sample", "out-of-sample"


def quantile_error(values: np.ndarray, q: float) -> float:
    """Half-width of the distribution-free 95% interval of the q-quantile of ``values``: the
    order statistics at ranks n·q ± 1.96·√(n·q·(1 − q)) (the binomial count below the true
    quantile), in the values' unit. Asymptotically 1.96·√(q(1 − q)/n) / f(x_q)."""
    ordered = np.sort(values)
    n = len(ordered)
    spread = 1.96 * math.sqrt(n * q * (1 - q))
    low = ordered[max(0, math.floor(n * q - spread))]
    high = ordered[min(n - 1, math.ceil(n * q + spread))]
    return float(high - low) / 2


@dataclass(frozen=True)
class Band:
    """P5, P50 and P95 of a simulated figure across paths (fractions); ``error``: the largest
    half-width of their 95% Monte Carlo intervals (:func:`quantile_error`)."""

    p5: float
    p50: float
    p95: float
    error: float = math.nan

    @classmethod
    def of(cls, values: np.ndarray) -> Band:
        values = values[np.isfinite(values)]
        if not len(values):
            return cls(math.nan, math.nan, math.nan)
        p5, p50, p95 = np.percentile(values, (5, 50, 95))
        error = max(quantile_error(values, q) for q in (0.05, 0.5, 0.95))
        return cls(float(p5), float(p50), float(p95), error)

    def contains(self, value: float) -> bool:
        return self.p5 <= value <= self.p95

    def to_dict(self) -> dict:
        return {"p5": _json(self.p5), "p50": _json(self.p50), "p95": _json(self.p95)}


@dataclass(frozen=True)
class TierObserved:
    """A start tier's observed NRR and GRR (fractions) and its accounts with starting ARR."""

    nrr: float
    grr: float
    accounts: int


@dataclass(frozen=True)
class Observed:
    """What the data records for the cohort: NRR, GRR and ARR churn (fractions), by tier."""

    nrr: float
    grr: float
    arr_churn: float
    by_tier: dict[str, TierObserved]


@dataclass(frozen=True)
class Simulated:
    """P5/P50/P95 of the same figures over one simulated year; by tier NRR and GRR."""

    nrr: Band
    grr: Band
    arr_churn: Band
    by_tier: dict[str, dict[str, Band]]


@dataclass(frozen=True)
class Target:
    """One check of observed against simulated: ``name`` like "NRR inside P5–P95"."""

    name: str
    figure: str
    tier: str | None
    passed: bool


@dataclass(frozen=True)
class Backtest:
    """The back-test's result: mode and why, observed, simulated, targets, and how it ran.

    Example
    -------
    >>> result = in_sample(analyze(accounts))          # doctest: +SKIP
    >>> result.to_dict()["targets"]["passed"]          # doctest: +SKIP
    """

    mode: str
    reason: str
    observed: Observed
    simulated: Simulated
    targets: tuple[Target, ...]
    paths: int
    seed: int

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.targets)

    def to_dict(self) -> dict:
        """The issue's JSON: mode, observed, simulated (P5/P50/P95), plus reason and targets."""
        o, s = self.observed, self.simulated
        return {
            "mode": self.mode,
            "reason": self.reason,
            "observed": {
                "nrr": _json(o.nrr),
                "grr": _json(o.grr),
                "arr_churn": _json(o.arr_churn),
                "by_tier": {
                    tier: {"nrr": _json(t.nrr), "grr": _json(t.grr), "accounts": t.accounts}
                    for tier, t in o.by_tier.items()
                },
            },
            "simulated": {
                "nrr": s.nrr.to_dict(),
                "grr": s.grr.to_dict(),
                "arr_churn": s.arr_churn.to_dict(),
                "by_tier": {
                    tier: {name: band.to_dict() for name, band in bands.items()}
                    for tier, bands in s.by_tier.items()
                },
            },
            "targets": {
                "passed": self.passed,
                "checks": [
                    {"name": t.name, "figure": t.figure, "tier": t.tier, "passed": t.passed}
                    for t in self.targets
                ],
            },
        }


def _json(value: float) -> float | None:
    return value if math.isfinite(value) else None


def observed_figures(start_arr: pd.Series, end_arr: pd.Series, start_tier: pd.Series) -> Observed:
    """NRR, GRR and ARR churn of the accounts with ``start_arr`` > 0 (new logos left out),
    overall and per start tier (tiers without such accounts are left out). Series aligned on
    one index; ``end_arr`` 0 = churned."""
    start = start_arr.astype(float).fillna(0.0)
    end = end_arr.astype(float).fillna(0.0)
    cohort = start > 0
    overall = retention(end[cohort], start[cohort])
    tiers = start_tier.astype(object)
    by_tier = {}
    for tier in TIERS:
        members = cohort & (tiers == tier)
        if members.any():
            r = retention(end[members], start[members])
            by_tier[tier] = TierObserved(r.nrr, r.grr, int(members.sum()))
    starting = overall.bridge.starting
    churn = overall.bridge.churn / starting if starting > 0 else math.nan
    return Observed(overall.nrr, overall.grr, churn, by_tier)


def _one_year(
    frame: pd.DataFrame, assumptions: Assumptions, paths: int, seed: int, workers: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per path over one year (4 quarters): NRR, GRR and churned ARR / starting ARR."""
    settings = SimulationSettings(
        paths=paths,
        horizon=QUARTERS,
        period="quarter",
        seed=seed,
        **({"workers": workers} if workers else {}),
    )
    outcome = run_simulation(frame, assumptions, settings).baseline
    return outcome.nrr, outcome.grr, outcome.paths.churned_arr / outcome.start_arr


def simulated_figures(
    frame: pd.DataFrame,
    assumptions: Assumptions,
    *,
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
) -> Simulated:
    """P5/P50/P95 of one simulated year's NRR, GRR and ARR churn for ``frame`` (columns
    account_id, arr, tier; the starting ARR), and per tier from a run of that tier alone."""
    nrr, grr, churn = _one_year(frame, assumptions, paths, seed, workers)
    by_tier = {}
    for tier in TIERS:
        members = frame[frame["tier"] == tier].reset_index(drop=True)
        if len(members):
            tier_nrr, tier_grr, _ = _one_year(members, assumptions, paths, seed, workers)
            by_tier[tier] = {"nrr": Band.of(tier_nrr), "grr": Band.of(tier_grr)}
    return Simulated(Band.of(nrr), Band.of(grr), Band.of(churn), by_tier)


def targets(observed: Observed, simulated: Simulated) -> tuple[Target, ...]:
    """The issue's targets (see the module docstring), each passed or not."""
    checks = [
        Target("NRR inside P5–P95", "nrr", None, simulated.nrr.contains(observed.nrr)),
        Target("GRR inside P5–P95", "grr", None, simulated.grr.contains(observed.grr)),
        Target(
            "ARR churn inside P5–P95", "arr_churn", None, simulated.arr_churn.contains(observed.arr_churn)
        ),
        Target(
            "NRR median within 3 points",
            "nrr",
            None,
            abs(simulated.nrr.p50 - observed.nrr) <= MEDIAN_TOLERANCE,
        ),
        Target(
            "GRR median within 3 points",
            "grr",
            None,
            abs(simulated.grr.p50 - observed.grr) <= MEDIAN_TOLERANCE,
        ),
    ]
    for tier, seen in observed.by_tier.items():
        if seen.accounts < MIN_TIER_ACCOUNTS or tier not in simulated.by_tier:
            continue
        bands = simulated.by_tier[tier]
        checks.append(Target(f"{tier} NRR inside P5–P95", "nrr", tier, bands["nrr"].contains(seen.nrr)))
        checks.append(Target(f"{tier} GRR inside P5–P95", "grr", tier, bands["grr"].contains(seen.grr)))
    return tuple(checks)


@dataclass(frozen=True)
class _Cohort:
    """Starting ARR, ending ARR and start tier per account (aligned), and the calibration."""

    start: pd.Series
    end: pd.Series
    tier: pd.Series
    ids: pd.Series
    assumptions: Assumptions = field(repr=False)


def _run(cohort: _Cohort, mode: str, reason: str, paths: int, seed: int, workers: int | None) -> Backtest:
    observed = observed_figures(cohort.start, cohort.end, cohort.tier)
    frame = pd.DataFrame(
        {
            "account_id": cohort.ids.astype(str),
            "arr": cohort.start.astype(float).fillna(0.0),
            "tier": cohort.tier.astype(object),
        }
    )
    frame = frame[(frame["arr"] > 0) & frame["tier"].notna()].reset_index(drop=True)
    if frame.empty:
        raise ValueError("no account had ARR at the start of the back-test year")
    simulated = simulated_figures(frame, cohort.assumptions, paths=paths, seed=seed, workers=workers)
    return Backtest(mode, reason, observed, simulated, targets(observed, simulated), paths, seed)


def in_sample(
    analysis: PortfolioAnalysis,
    *,
    reason: str = "",
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
) -> Backtest:
    """Back-test on the year the snapshot records: from ``arr_prior`` with the start-of-year
    tiers, calibrated (:func:`simulation.starting_assumptions`) on that same year.

    Raises ValueError when the data has no prior-year ARR."""
    accounts = analysis.accounts
    if not has_prior(accounts) or not (accounts["arr_prior"].fillna(0) > 0).any():
        raise ValueError(
            "no prior-year ARR and no revenue history: the back-test needs each account's ARR a "
            "year ago (an arr_prior column, or dated revenue lines covering two years)"
        )
    cohort = _Cohort(
        accounts["arr_prior"],
        accounts["arr"],
        analysis.tiers.start_tier,
        accounts["account_id"],
        starting_assumptions(analysis, start_arr=accounts["arr_prior"]),
    )
    reason = reason or choose_mode("snapshot", None, None)[1]
    return _run(cohort, IN_SAMPLE, reason, paths, seed, workers)


def out_of_sample(
    earlier: PortfolioAnalysis,
    later: pd.DataFrame,
    *,
    reason: str = "",
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
) -> Backtest:
    """Back-test on a year the calibration has not seen.

    ``earlier``: the analysis of the snapshot as of t − 12 months (its ``arr`` is the starting
    ARR, its tiers the starting tiers, its own prior year the calibration); ``later``: the
    accounts as of t (``account_id``, ``arr``: the ending ARR; accounts missing from it ended
    at 0)."""
    accounts = earlier.accounts.reset_index(drop=True)
    ending = later.set_index(later["account_id"].astype(str))["arr"].astype(float)
    end = accounts["account_id"].astype(str).map(ending).fillna(0.0)
    cohort = _Cohort(
        accounts["arr"],
        end,
        earlier.tiers.tier.reset_index(drop=True),
        accounts["account_id"],
        starting_assumptions(earlier),
    )
    reason = reason or "Out-of-sample: calibrated on the year before the one tested."
    return _run(cohort, OUT_OF_SAMPLE, reason, paths, seed, workers)


def choose_mode(
    shape: str | None, first_date: pd.Timestamp | None, as_of: pd.Timestamp | None
) -> tuple[str, str]:
    """(mode, the sentence saying why) for a file of this ``shape`` whose revenue lines start
    on ``first_date`` and whose trailing year ends on ``as_of``."""
    if shape != "history" or first_date is None or as_of is None:
        return IN_SAMPLE, (
            "In-sample: the file is a snapshot without a revenue history, so the model is "
            "calibrated on the same year it is tested on (prior ARR → ARR, start-of-year tiers)."
        )
    needed = as_of - pd.DateOffset(months=OUT_OF_SAMPLE_MONTHS)
    # a month's slack: monthly invoices dated at month end still cover the first month
    if first_date > needed + pd.Timedelta(days=31):
        return IN_SAMPLE, (
            f"In-sample: the revenue history starts {first_date:%Y-%m-%d}, less than "
            f"{OUT_OF_SAMPLE_MONTHS} months before the as-of date {as_of:%Y-%m-%d} (a year to "
            "test, the year it starts from and a year before that to calibrate on), so the model "
            "is calibrated on the same year it is tested on."
        )
    start = as_of - pd.DateOffset(months=12)
    return OUT_OF_SAMPLE, (
        f"Out-of-sample: calibrated on the year to {start:%Y-%m-%d} (order data: on every full "
        f"year of the history to then), simulated from the ARR "
        f"and tiers at {start:%Y-%m-%d}, compared with the year to {as_of:%Y-%m-%d}."
    )
