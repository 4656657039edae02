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
from scipy.special import ndtri

BLOCK_PATHS = 64
"""Paths per random-number stream (fixed: changing it changes the draws)."""
CHUNK_CELLS = 1 << 16
"""Default chunk size in account-paths (≈256 kB per float32 array, so the working set stays in
cache; never below one block)."""
TOP_ACCOUNTS = 10
F32 = np.float32


@dataclass(frozen=True)
class AccountParams:
    """Annual figures per account for one variant: arrays of the portfolio's length."""

    annual_churn: np.ndarray
    drift: np.ndarray
    volatility: np.ndarray


@dataclass
class PathOutcome:
    """What one variant did on every path.

    totals : (paths, periods + 1) portfolio ARR at the end of each period; column 0 is today.
    retained : (paths,) Σ min(ARR_i(T), ARR_i(0)) over accounts active at the horizon.
    churned_arr : (paths,) today's ARR of the accounts that churned by the horizon.
    top_share : (paths,) share of ending ARR held by the 10 largest accounts at the horizon.
    lost_top : (paths,) True when one of today's 10 largest accounts churned.
    """

    totals: np.ndarray
    retained: np.ndarray
    churned_arr: np.ndarray
    top_share: np.ndarray
    lost_top: np.ndarray

    @classmethod
    def empty(cls, paths: int, periods: int) -> PathOutcome:
        return cls(np.empty((paths, periods + 1)), np.empty(paths), np.empty(paths),
                   np.empty(paths), np.empty(paths, bool))


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


def _prepare(arr0: np.ndarray, params: AccountParams, correlation: float, periods: int,
             period_years: float) -> _Variant:
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
) -> list[PathOutcome]:
    """Simulate the baseline and each scenario on the same ``paths`` random paths.

    Returns one outcome per variant, baseline first. ``arr0`` is today's ARR per account (all
    > 0). ``chunk_paths`` is rounded up to whole blocks; ``workers`` threads run chunks in
    parallel (NumPy releases the GIL in its generators and ufuncs). ``progress`` is called
    with the share of paths done (0–1] after each chunk, from the calling thread.
    """
    arr0 = np.asarray(arr0, dtype=float)
    n = len(arr0)
    if n == 0:
        raise ValueError("no accounts with ARR to simulate")
    if paths < 1 or periods < 1:
        raise ValueError("paths and periods must be at least 1")
    base = _prepare(arr0, baseline, correlation, periods, period_years)
    changes = [_Change.of(arr0, baseline, s, correlation, periods, period_years) for s in scenarios]
    top_index = np.argsort(-arr0, kind="stable")[:TOP_ACCOUNTS]
    if chunk_paths is None:
        chunk_paths = CHUNK_CELLS // n
    blocks_per_chunk = max(1, math.ceil(chunk_paths / BLOCK_PATHS))
    n_blocks = math.ceil(paths / BLOCK_PATHS)
    chunks = [range(b, min(b + blocks_per_chunk, n_blocks)) for b in range(0, n_blocks, blocks_per_chunk)]
    outcomes = [PathOutcome.empty(paths, periods) for _ in range(1 + len(changes))]
    context = _Context(arr0, base, changes, top_index, seed, periods, paths, correlation)

    done = 0

    def report(blocks: range) -> None:
        nonlocal done
        done += min(blocks[-1] * BLOCK_PATHS + BLOCK_PATHS, paths) - blocks[0] * BLOCK_PATHS
        if progress is not None:
            progress(done / paths)

    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_simulate_chunk, context, blocks, outcomes): blocks
                       for blocks in chunks}
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
    """A scenario as the accounts (``columns``) whose figures differ from the baseline."""

    columns: np.ndarray
    variant: _Variant

    @classmethod
    def of(cls, arr0, baseline: AccountParams, scenario: AccountParams, correlation, periods,
           period_years) -> _Change:
        differs = np.zeros(len(arr0), bool)
        for name in ("annual_churn", "drift", "volatility"):
            differs |= getattr(baseline, name) != getattr(scenario, name)
        columns = np.flatnonzero(differs)
        subset = AccountParams(*(getattr(scenario, name)[columns]
                                 for name in ("annual_churn", "drift", "volatility")))
        return cls(columns, _prepare(arr0[columns], subset, correlation, periods, period_years))


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


def _simulate_chunk(ctx: _Context, blocks: range, outcomes: list[PathOutcome]) -> None:
    """Paths of ``blocks``: draw, evolve, and write every variant's outcome rows."""
    first = blocks[0] * BLOCK_PATHS
    stop = min((blocks[-1] + 1) * BLOCK_PATHS, ctx.paths)
    rows, n, periods, rho = stop - first, len(ctx.arr0), ctx.periods, ctx.correlation
    streams = []
    for block in blocks:
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(ctx.seed, spawn_key=(block,))))
        streams.append((rng, block * BLOCK_PATHS - first, min((block + 1) * BLOCK_PATHS, stop) - first))
    market = np.empty((rows, periods), F32)
    churn_climate = np.empty(rows, F32)
    survival_draw = np.empty((rows, n), F32)  # y_{i,p}
    for rng, lo, hi in streams:
        rng.standard_normal(out=market[lo:hi], dtype=F32)
        rng.standard_normal(out=churn_climate[lo:hi], dtype=F32)
        rng.standard_normal(out=survival_draw[lo:hi], dtype=F32)
    survival_draw *= F32(math.sqrt(1 - rho))
    survival_draw += (F32(math.sqrt(rho)) * churn_climate)[:, None]
    market *= F32(math.sqrt(rho / (1 - rho)))  # so that shock_scale·(ε + this) = σ√Δ·z
    changed_survival = [survival_draw[:, c.columns] for c in ctx.changes]

    shocks = np.zeros((rows, n), F32)  # Σ_{u≤t} (ε_u + M_u·√(ρ/(1−ρ)))
    draw = np.empty((rows, n), F32)
    growth = np.empty((rows, n), F32)
    active = np.empty((rows, n), bool)
    base_total, base_outcome = outcomes[0].totals[first:stop], outcomes[0]
    for t in range(1, periods + 1):
        for rng, lo, hi in streams:
            rng.standard_normal(out=draw[lo:hi], dtype=F32)
        draw += market[:, t - 1 : t]
        shocks += draw
        _grow(shocks, survival_draw, ctx.base, t, growth, active)
        base_total[:, t] = _row_dot(growth, ctx.base.weights[t])
        ending = growth * ctx.base.weights[t] if t == periods else None
        if ending is not None:
            _horizon(ctx, ending, active, base_outcome, first, stop)
        for change, survival, outcome in zip(ctx.changes, changed_survival, outcomes[1:]):
            cols = change.columns
            sub_growth = np.empty((rows, len(cols)), F32)
            sub_active = np.empty((rows, len(cols)), bool)
            _grow(shocks[:, cols], survival, change.variant, t, sub_growth, sub_active)
            outcome.totals[first:stop, t] = (
                base_total[:, t]
                - _row_dot(growth[:, cols], ctx.base.weights[t, cols])
                + _row_dot(sub_growth, change.variant.weights[t]))
            if ending is not None:
                changed_ending, changed_active = ending.copy(), active.copy()
                changed_ending[:, cols] = sub_growth * change.variant.weights[t]
                changed_active[:, cols] = sub_active
                _horizon(ctx, changed_ending, changed_active, outcome, first, stop)
    for outcome in outcomes:
        outcome.totals[first:stop, 0] = ctx.arr0.sum()


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
