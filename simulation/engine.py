"""The Monte Carlo path engine: pure NumPy, chunked over paths, reproducible.

Model, for account i on path p at the end of period t (period length Δ years):

* growth  ARR_i(t) = ARR_i(0) · exp(d_i·t·Δ + σ_i·√Δ · Σ_{u≤t} z_{i,p,u}),
  z_{i,p,u} = √ρ · M_{p,u} + √(1−ρ) · ε_{i,p,u}, with M (the market, one per path and period)
  and ε standard normal; d_i is the annual drift, σ_i the annual volatility, ρ the correlation.
* churn   S_i(t) = (1 − c_i)^(t·Δ) is the probability of being active after t periods (c_i the
  annual churn). Account i is active at t when y_{i,p} ≥ Φ⁻¹(1 − S_i(t)), with
  y_{i,p} = √ρ · C_p + √(1−ρ) · η_{i,p}: C_p is the path's churn climate, shared by all its
  accounts, η_{i,p} the account's own draw. Each y is N(0,1), so P(active at t) = S_i(t)
  exactly whatever ρ, and churn is absorbing because the threshold rises with t. C is drawn
  apart from M so that correlation widens the spread of outcomes without moving their mean.
* portfolio ARR(t) = Σ_i ARR_i(t) · 1{active at t}. No new logos are modelled.
* treatment: a scenario's account with a change of strategic attention e_i (see
  :mod:`simulation.treatment`) has hazard λ_i·HR_p^(e_i·r(t)) and drift d_i + u_p·e_i·r(t) in
  period t, with the path's own draw of the effect (HR_p, u_p) and the ramp r(t). Its survival is
  then exp(−Λ_i,p(t)), Λ the cumulative hazard, and it is active while Λ_i,p(t) ≤ −ln Φ(−y_{i,p})
  (the same event as y ≥ Φ⁻¹(1 − S) above, on the same draw y).

Random numbers: paths come in blocks of :data:`BLOCK_PATHS`, each with its own PCG64 stream
``SeedSequence(seed, spawn_key=(block,))``. A block draws M (T per path), C (1 per path),
η (N per path), then ε (N per path) period by period, so a path's numbers depend only on
(seed, its block): results are bit-identical whatever the chunk size or the number of worker
threads. Chunks (whole blocks) bound memory: the engine holds a few chunk × N float32 arrays,
never the path cube.

Scenarios share every draw with the baseline (common random numbers). A scenario is computed
only on the accounts whose figures differ from the baseline's: its total is the baseline total
minus those accounts' baseline ARR plus their scenario ARR, so an unchanged scenario differs
from the baseline by exactly zero, and promoting a few accounts costs little beyond the baseline.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, ndtri

BLOCK_PATHS = 64
"""Paths per random-number stream (fixed: changing it changes the draws)."""
CHUNK_CELLS = 1 << 16
"""Default chunk size in account-paths (≈256 kB per float32 array, so the working set stays in
cache; never below one block)."""
TOP_ACCOUNTS = 10
F32 = np.float32


@dataclass(frozen=True)
class AccountParams:
    """Annual figures per account for one variant: arrays of the portfolio's length.

    ``exposure`` (scenarios only): each account's change of strategic attention against the
    baseline, e ∈ [−1, 1]; None or 0 means the treatment effect does not touch it.
    ``reversion`` (annual coefficient b ≤ 0, per account): per period Δ, log ARR moves by
    drift·Δ + b·Δ·(log ARR(t) − log ARR(0)) + σ√Δ·z; None or 0 = a random walk. (Filled by
    :func:`simulation.model.account_params`; the engine's use of it is issue 13's risk-model.)
    """

    annual_churn: np.ndarray
    drift: np.ndarray
    volatility: np.ndarray
    exposure: np.ndarray | None = None
    reversion: np.ndarray | None = None


@dataclass(frozen=True)
class TreatmentDraws:
    """The treatment effect on each path and its ramp (see :mod:`simulation.treatment`).

    log_hazard_ratio : (paths,) ln HR_p; uplift : (paths,) u_p, annual drift;
    ramp : (periods + 1,) share of the full effect in each period (index 0 unused).
    """

    log_hazard_ratio: np.ndarray
    uplift: np.ndarray
    ramp: np.ndarray


@dataclass
class PathOutcome:
    """What one variant did on every path.

    totals : (paths, periods + 1) portfolio ARR at the end of each period; column 0 is today.
    retained : (paths,) Σ min(ARR_i(T), ARR_i(0)) over accounts active at the horizon.
    churned_arr : (paths,) today's ARR of the accounts that churned by the horizon.
    top_share : (paths,) share of ending ARR held by the 10 largest accounts at the horizon.
    lost_top : (paths,) True when one of today's 10 largest accounts churned.
    retained_years : (paths, years) for each whole year y of the horizon,
        Σ min(ARR_i(y), ARR_i(y − 1)) over accounts active at the end of year y.
    """

    totals: np.ndarray
    retained: np.ndarray
    churned_arr: np.ndarray
    top_share: np.ndarray
    lost_top: np.ndarray
    retained_years: np.ndarray

    @classmethod
    def empty(cls, paths: int, periods: int, years: int) -> PathOutcome:
        return cls(
            np.empty((paths, periods + 1)),
            np.empty(paths),
            np.empty(paths),
            np.empty(paths),
            np.empty(paths, bool),
            np.empty((paths, years)),
        )


@dataclass(frozen=True)
class _Variant:
    """Per-account arrays prepared for the inner loop."""

    shock_scale: np.ndarray  # σ_i·√Δ·√(1−ρ)  (N,)
    weights: np.ndarray  # ARR_i(0)·exp(d_i·t·Δ)  (T+1, N)
    churn_threshold: np.ndarray  # Φ⁻¹(1 − S_i(t))  (T+1, N)


def churn_thresholds(annual_churn: np.ndarray, periods: int, period_years: float) -> np.ndarray:
    """(T+1, N) thresholds Φ⁻¹(1 − S_i(t)); 1 − S = −expm1(tΔ·ln(1 − c)) keeps small c exact."""
    t = np.arange(periods + 1)[:, None] * period_years
    with np.errstate(divide="ignore", invalid="ignore"):  # c = 1: 0·ln 0 at t = 0
        log_survival = np.log1p(-np.asarray(annual_churn, dtype=float))[None, :]
        churned_probability = -np.expm1(t * log_survival)
    churned_probability[0] = 0.0  # nobody has churned at t = 0, even with c = 1
    return ndtri(churned_probability)


def _prepare(
    arr0: np.ndarray, params: AccountParams, correlation: float, periods: int, period_years: float
) -> _Variant:
    t = np.arange(periods + 1)[:, None] * period_years
    return _Variant(
        shock_scale=(params.volatility * math.sqrt(period_years * (1 - correlation))).astype(F32),
        weights=(arr0[None, :] * np.exp(params.drift[None, :] * t)).astype(F32),
        churn_threshold=churn_thresholds(params.annual_churn, periods, period_years).astype(F32),
    )


def run_paths(
    arr0: np.ndarray,
    baseline: AccountParams,
    scenarios: list[AccountParams] | tuple = (),
    *,
    correlation: float,
    periods: int,
    period_years: float,
    paths: int,
    seed: int,
    chunk_paths: int | None = None,
    workers: int = 1,
    progress: Callable[[float], None] | None = None,
    treatment: TreatmentDraws | None = None,
) -> list[PathOutcome]:
    """Simulate the baseline and each scenario on the same ``paths`` random paths.

    Returns one outcome per variant, baseline first. ``arr0`` is today's ARR per account (all
    > 0). ``chunk_paths`` is rounded up to whole blocks; ``workers`` threads run chunks in
    parallel (NumPy releases the GIL in its generators and ufuncs). ``progress`` is called
    with the share of paths done (0–1] after each chunk, from the calling thread.
    ``treatment`` gives the per-path effect for scenario accounts with an ``exposure``
    (without it, no effect).
    """
    arr0 = np.asarray(arr0, dtype=float)
    n = len(arr0)
    if n == 0:
        raise ValueError("no accounts with ARR to simulate")
    if paths < 1 or periods < 1:
        raise ValueError("paths and periods must be at least 1")
    base = _prepare(arr0, baseline, correlation, periods, period_years)
    changes = [_Change.of(arr0, baseline, s, correlation, period_years) for s in scenarios]
    if treatment is None:
        treatment = TreatmentDraws(np.zeros(paths), np.zeros(paths), np.zeros(periods + 1))
    per_year = round(1 / period_years)
    top_index = np.argsort(-arr0, kind="stable")[:TOP_ACCOUNTS]
    if chunk_paths is None:
        chunk_paths = CHUNK_CELLS // n
    blocks_per_chunk = max(1, math.ceil(chunk_paths / BLOCK_PATHS))
    n_blocks = math.ceil(paths / BLOCK_PATHS)
    chunks = [range(b, min(b + blocks_per_chunk, n_blocks)) for b in range(0, n_blocks, blocks_per_chunk)]
    outcomes = [PathOutcome.empty(paths, periods, periods // per_year) for _ in range(1 + len(changes))]
    context = _Context(
        arr0, base, changes, top_index, seed, periods, paths, correlation, treatment, period_years, per_year
    )

    done = 0

    def report(blocks: range) -> None:
        nonlocal done
        done += min(blocks[-1] * BLOCK_PATHS + BLOCK_PATHS, paths) - blocks[0] * BLOCK_PATHS
        if progress is not None:
            progress(done / paths)

    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_simulate_chunk, context, blocks, outcomes): blocks for blocks in chunks}
            for future in as_completed(futures):
                future.result()
                report(futures[future])
    else:
        for blocks in chunks:
            _simulate_chunk(context, blocks, outcomes)
            report(blocks)
    return outcomes


@dataclass(frozen=True)
class _Change:
    """A scenario as the accounts (``columns``) whose figures differ from the baseline's or
    whose strategic attention changes, with their per-period figures."""

    columns: np.ndarray
    arr0: np.ndarray  # (n,)
    shock_scale: np.ndarray  # σ_i·√Δ·√(1−ρ)  (n,) float32
    hazard_step: np.ndarray  # λ_i·Δ = −ln(1 − c_i)·Δ  (n,)
    drift_step: np.ndarray  # d_i·Δ  (n,)
    exposure: np.ndarray  # e_i  (n,)
    period_years: float  # Δ

    @classmethod
    def of(cls, arr0, baseline: AccountParams, scenario: AccountParams, correlation, period_years) -> _Change:
        differs = np.zeros(len(arr0), bool)
        for name in ("annual_churn", "drift", "volatility"):
            differs |= getattr(baseline, name) != getattr(scenario, name)
        exposure = (
            np.zeros(len(arr0)) if scenario.exposure is None else np.asarray(scenario.exposure, dtype=float)
        )
        differs |= exposure != 0
        cols = np.flatnonzero(differs)
        with np.errstate(divide="ignore"):  # c = 1: an infinite hazard churns at once
            hazard = -np.log1p(-np.asarray(scenario.annual_churn, dtype=float)[cols]) * period_years
        return cls(
            columns=cols,
            arr0=arr0[cols],
            shock_scale=(scenario.volatility[cols] * math.sqrt(period_years * (1 - correlation))).astype(F32),
            hazard_step=hazard,
            drift_step=scenario.drift[cols] * period_years,
            exposure=exposure[cols],
            period_years=period_years,
        )


@dataclass(frozen=True)
class _Context:
    arr0: np.ndarray
    base: _Variant
    changes: list[_Change]
    top_index: np.ndarray
    seed: int
    periods: int
    paths: int
    correlation: float
    treatment: TreatmentDraws
    period_years: float
    per_year: int  # periods per year


def _streams(ctx: _Context, blocks: range, first: int, stop: int) -> list[tuple]:
    """(generator, first row, end row) per block of the chunk: the block's own PCG64 stream."""
    streams = []
    for block in blocks:
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(ctx.seed, spawn_key=(block,))))
        streams.append((rng, block * BLOCK_PATHS - first, min((block + 1) * BLOCK_PATHS, stop) - first))
    return streams


def _first_draws(
    streams: list[tuple], rows: int, n: int, periods: int, rho: float
) -> tuple[np.ndarray, np.ndarray]:
    """The market draws M, scaled by √(ρ/(1−ρ)) so that shock_scale·(ε + M) = σ√Δ·z, and the
    survival draws y = √ρ·C + √(1−ρ)·η, in the blocks' order M, C, η."""
    market = np.empty((rows, periods), F32)
    churn_climate = np.empty(rows, F32)
    survival_draw = np.empty((rows, n), F32)  # y_{i,p}
    for rng, lo, hi in streams:
        rng.standard_normal(out=market[lo:hi], dtype=F32)
        rng.standard_normal(out=churn_climate[lo:hi], dtype=F32)
        rng.standard_normal(out=survival_draw[lo:hi], dtype=F32)
    survival_draw *= F32(math.sqrt(1 - rho))
    survival_draw += (F32(math.sqrt(rho)) * churn_climate)[:, None]
    market *= F32(math.sqrt(rho / (1 - rho)))
    return market, survival_draw


def _simulate_chunk(ctx: _Context, blocks: range, outcomes: list[PathOutcome]) -> None:
    """Paths of ``blocks``: draw, evolve, and write every variant's outcome rows."""
    first = blocks[0] * BLOCK_PATHS
    stop = min((blocks[-1] + 1) * BLOCK_PATHS, ctx.paths)
    rows, n, periods = stop - first, len(ctx.arr0), ctx.periods
    streams = _streams(ctx, blocks, first, stop)
    market, survival_draw = _first_draws(streams, rows, n, periods, ctx.correlation)
    changed = [_ChangeState.start(c, survival_draw, ctx.treatment, first, stop) for c in ctx.changes]

    shocks = np.zeros((rows, n), F32)  # Σ_{u≤t} (ε_u + M_u·√(ρ/(1−ρ)))
    draw = np.empty((rows, n), F32)
    growth = np.empty((rows, n), F32)
    active = np.empty((rows, n), bool)
    base = _Step(outcomes[0], first, stop)
    year_start = np.broadcast_to(ctx.arr0.astype(F32), (rows, n)).copy()  # ARR_i at the last year end
    for t in range(1, periods + 1):
        for rng, lo, hi in streams:
            rng.standard_normal(out=draw[lo:hi], dtype=F32)
        draw += market[:, t - 1 : t]
        shocks += draw
        _grow(shocks, survival_draw, ctx.base, t, growth, active)
        base.totals[:, t] = _row_dot(growth, ctx.base.weights[t])
        year = t // ctx.per_year - 1 if t % ctx.per_year == 0 else None
        ending = growth * ctx.base.weights[t] if t == periods or year is not None else None
        if t == periods:
            _horizon(ctx, ending, active, base.outcome, first, stop)
        if year is not None:
            assert ending is not None  # computed at every year end
            base.retained_years[:, year] = np.minimum(ending, year_start).sum(axis=1)
        for change, state, outcome in zip(ctx.changes, changed, outcomes[1:], strict=True):
            _advance(
                ctx,
                change,
                state,
                _Step(outcome, first, stop),
                base,
                t,
                year,
                (shocks, growth, ending, active, year_start),
            )
        if year is not None:
            assert ending is not None
            year_start = ending
    for outcome in outcomes:
        outcome.totals[first:stop, 0] = ctx.arr0.sum()


class _Step:
    """One variant's outcome rows for the chunk of paths [first, stop)."""

    def __init__(self, outcome: PathOutcome, first: int, stop: int) -> None:
        self.outcome, self.first, self.stop = outcome, first, stop
        self.totals = outcome.totals[first:stop]
        self.retained_years = outcome.retained_years[first:stop]


def _advance(
    ctx: _Context,
    change: _Change,
    state: _ChangeState,
    rows: _Step,
    base: _Step,
    t: int,
    year: int | None,
    baseline: tuple,
) -> None:
    """A scenario at period t: the baseline's figures with its changed accounts swapped in."""
    shocks, growth, ending, active, year_start = baseline
    cols = change.columns
    sub_ending, sub_active = state.step(change, shocks[:, cols], ctx.treatment.ramp[t])
    rows.totals[:, t] = (
        base.totals[:, t] - _row_dot(growth[:, cols], ctx.base.weights[t, cols]) + sub_ending.sum(axis=1)
    )
    if t == ctx.periods:
        changed_ending, changed_active = ending.copy(), active.copy()
        changed_ending[:, cols] = sub_ending
        changed_active[:, cols] = sub_active
        _horizon(ctx, changed_ending, changed_active, rows.outcome, rows.first, rows.stop)
    if year is not None:
        rows.retained_years[:, year] = (
            base.retained_years[:, year]
            - np.minimum(ending[:, cols], year_start[:, cols]).sum(axis=1)
            + np.minimum(sub_ending, state.year_start).sum(axis=1)
        )
        state.year_start = sub_ending


class _ChangeState:
    """A scenario's changed accounts along one chunk of paths: cumulative hazard and drift.

    limit = −ln Φ(−y) per account-path: the account is active while its cumulative hazard
    Λ ≤ limit, which is y ≥ Φ⁻¹(1 − e^(−Λ)) on the baseline's own draw y.
    """

    def __init__(self, limit, log_hr, uplift, arr0, year_start) -> None:
        self.limit = limit
        self.log_hr, self.uplift = log_hr, uplift  # (rows, 1) each
        self.cum_hazard = np.zeros(limit.shape)
        self.weight = np.broadcast_to(arr0, limit.shape).copy()  # ARR_i(0)·exp(cumulative drift)
        self.year_start = year_start
        self._ramp: float | None = None
        self._steps: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))

    @classmethod
    def start(
        cls, change: _Change, survival_draw, treatment: TreatmentDraws, first: int, stop: int
    ) -> _ChangeState:
        y = survival_draw[:, change.columns].astype(float)
        rows = stop - first
        return cls(
            -log_ndtr(-y),
            treatment.log_hazard_ratio[first:stop, None],
            treatment.uplift[first:stop, None],
            change.arr0,
            np.broadcast_to(change.arr0.astype(F32), (rows, len(change.columns))).copy(),
        )

    def _increments(self, change: _Change, ramp: float) -> tuple[np.ndarray, np.ndarray]:
        """One period's hazard λΔ·HR^(e·r) and growth factor exp((d + u·e·r)·Δ) per account-path;
        the same for every period at the same ramp, so computed once per ramp value."""
        if ramp != self._ramp:
            effect = change.exposure[None, :] * ramp
            self._steps = (
                change.hazard_step[None, :] * np.exp(self.log_hr * effect),
                np.exp(change.drift_step[None, :] + self.uplift * effect * change.period_years),
            )
            self._ramp = ramp
        return self._steps

    def step(self, change: _Change, shocks, ramp: float) -> tuple[np.ndarray, np.ndarray]:
        """Advance one period; returns the changed accounts' ARR (0 when churned) and activity."""
        hazard, growth = self._increments(change, ramp)
        self.cum_hazard += hazard
        self.weight *= growth
        active = self.cum_hazard <= self.limit
        ending = np.exp(shocks * change.shock_scale)
        ending *= active
        ending *= self.weight
        return ending, active


def _grow(shocks, survival_draw, variant: _Variant, t: int, growth, active) -> None:
    """growth = exp(σ√(Δ(1−ρ))·shocks) where active at t, else 0 (drift and ARR are in weights)."""
    np.multiply(shocks, variant.shock_scale, out=growth)
    np.exp(growth, out=growth)
    np.greater_equal(survival_draw, variant.churn_threshold[t], out=active)
    growth *= active


def _row_dot(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_j matrix[:, j]·weights[j] per row. einsum's loop sums each row the same way whatever
    the number of rows; BLAS (``@``) does not, which would tie results to the chunk size."""
    return np.einsum("ij,j->i", matrix, weights)


def _horizon(ctx: _Context, ending, active, outcome: PathOutcome, first: int, stop: int) -> None:
    """Per-path horizon figures from each account's ending ARR (0 when churned)."""
    arr0 = ctx.arr0.astype(F32)
    outcome.retained[first:stop] = np.minimum(ending, arr0).sum(axis=1)
    outcome.churned_arr[first:stop] = _row_dot((~active).astype(F32), arr0)
    top = min(TOP_ACCOUNTS, ending.shape[1])
    largest = np.partition(ending, ending.shape[1] - top, axis=1)[:, -top:].sum(axis=1)
    total = ending.sum(axis=1)
    share = np.divide(largest, total, out=np.zeros_like(total), where=total > 0)
    outcome.top_share[first:stop] = np.minimum(share, 1)  # float32 sums can give 1.0000001
    outcome.lost_top[first:stop] = ~active[:, ctx.top_index].all(axis=1)
