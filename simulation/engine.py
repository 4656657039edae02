"""The Monte Carlo path engine: pure NumPy, chunked over paths, reproducible.

Model, for account i on path p at the end of period t (period length Δ years, k periods a year):

* market  M_{p,u} ~ N(0, 1), one per path and period, shared by every account; F_{p,y} =
  Σ_{u in year y} M_{p,u} / √(periods in year y) is year y's market (also N(0, 1)).
* growth  D_i(t) = ln(ARR_i(t) / ARR_i(0)) follows
  D_i(t) = D_i(t−1) + (d_i + r_i·D_i(y))·Δ + √Δ·(β_i·M_{p,t} + s_i·ε_{i,p,t}),
  D_i(y) its value at the start of the current year (so year one's growth is d_i exactly, and
  at year ends D(k+1) = (1 + r_i)·D(k) + d_i + noise: the annual regression the size model fits),
  ε ~ N(0, 1) the account's own draw, β_i = min(β, σ_i) its market loading (annual log-growth
  per unit of market), s_i = √(σ_i² − β_i²) the rest of its volatility σ_i, and r_i ≤ 0 its
  mean reversion (0: a random walk, D_i(t) = d_i·tΔ + σ_i·√Δ·Σ z). β is solved from the
  portfolio NRR volatility v (:func:`market_loading`): the first-order standard deviation of
  the portfolio's one-year NRR that comes from the market is v.
* churn   S_i(t) = P(active at t). Within year y an account is active at t when it was active
  at the year's start and y_{i,p,y} ≥ Φ⁻¹(q_i(t)), q_i(t) its probability of churning between
  the year's start and t: 1 − (1 − c_i)^{(t − start)Δ} with a uniform hazard, or c_i once its
  renewal in that year has passed (annual terms from ``renewal_years``; 0 before). The churn
  draw y_{i,p,y} = a_i·F_{p,y} + √(1 − a_i²)·η_{i,p,y}, a_i = β_i / σ_i (the account's churn
  leans on the market as its growth does), is N(0, 1) and independent of earlier years, so
  each account's churn probability per year (or per renewal) is c_i exactly, whatever β; bad
  markets (F < 0) churn more accounts, good ones fewer.
* portfolio ARR(t) = Σ_i ARR_i(0)·e^{D_i(t)}·1{active at t}. No new logos are modelled.
* treatment: a scenario's account with a change of strategic attention e_i (see
  :mod:`simulation.treatment`) has hazard λ_i·HR_p^(e_i·r(t)) and drift d_i + u_p·e_i·r(t) in
  period t, with the path's own draw of the effect (HR_p, u_p) and the ramp r(t). Within a year
  it is active while its cumulative hazard since the year's start Λ ≤ −ln Φ(−y) (the same event
  as y ≥ Φ⁻¹(1 − e^{−Λ}) above, on the same draw y).

Random numbers: paths come in blocks of :data:`BLOCK_PATHS`, each with its own PCG64 stream
``SeedSequence(seed, spawn_key=(block,))``. A block draws M (T per path), η (years × N per
path), then ε (N per path) period by period, so a path's numbers depend only on (seed, its
block): results are bit-identical whatever the chunk size or the number of worker threads.
Paths come in antithetic pairs: within a block of m paths, path half + k draws exactly minus
the numbers of path k (half = ⌈m/2⌉; see :func:`antithetic_partner`), so only half the normals
are drawn; every path is still exactly distributed, and Monte Carlo errors are computed on the
pairs' means.
Chunks (whole blocks) bound memory: the engine holds a few chunk × N float32 arrays, never the
path cube.

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
from scipy.optimize import brentq
from scipy.special import log_ndtr, ndtri

BLOCK_PATHS = 64
"""Paths per random-number stream (fixed: changing it changes the draws)."""
CHUNK_CELLS = 1 << 16
"""Default chunk size in account-paths (≈256 kB per float32 array, so the working set stays in
cache; never below one block)."""
MAX_CELLS_IN_FLIGHT = 1 << 24
"""Account-paths all running chunks may hold at once (≈16.8 M; the working set is about 60
bytes per account-path with three years of churn draws, so ≈1 GB): more workers than fit run
fewer chunks at a time, so peak memory is bounded per run, not per worker."""
TOP_ACCOUNTS = 10
F32 = np.float32


@dataclass(frozen=True)
class AccountParams:
    """Annual figures per account for one variant: arrays of the portfolio's length.

    ``exposure`` (scenarios only): each account's change of strategic attention against the
    baseline, e ∈ [−1, 1]; None or 0 means the treatment effect does not touch it.
    ``reversion``: annual mean-reversion coefficient r ≤ 0 of log ARR towards its starting
    level (None or 0: a random walk). ``renewal_years``: years from the start to the account's
    next renewal (annual terms after it); NaN or None: unknown, churn has a uniform hazard.
    """

    annual_churn: np.ndarray
    drift: np.ndarray
    volatility: np.ndarray
    exposure: np.ndarray | None = None
    reversion: np.ndarray | None = None
    renewal_years: np.ndarray | None = None


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
    active_arr : (paths, periods + 1) today's ARR of the accounts active at the end of each
        period (its fall in a period is the ARR that churned in it).
    market : (paths, years) the market of each (whole or partial) year, F_{p,y} ~ N(0, 1).
    """

    totals: np.ndarray
    retained: np.ndarray
    churned_arr: np.ndarray
    top_share: np.ndarray
    lost_top: np.ndarray
    retained_years: np.ndarray
    active_arr: np.ndarray
    market: np.ndarray

    @classmethod
    def empty(cls, paths: int, periods: int, years: int, market_years: int) -> PathOutcome:
        return cls(
            np.empty((paths, periods + 1)),
            np.empty(paths),
            np.empty(paths),
            np.empty(paths),
            np.empty(paths, bool),
            np.empty((paths, years)),
            np.empty((paths, periods + 1)),
            np.empty((paths, market_years)),
        )


def renewal_periods(renewal_years: np.ndarray | None, n: int, period_years: float) -> np.ndarray:
    """The period (1, 2, …) holding each account's next renewal: ⌈renewal_years / Δ⌉, at least 1;
    0 where it is unknown (NaN or None)."""
    if renewal_years is None:
        return np.zeros(n, dtype=np.int64)
    years = np.asarray(renewal_years, dtype=float)
    known = np.isfinite(years)
    first = np.ceil(np.where(known, years, 0) / period_years - 1e-9).astype(np.int64)
    return np.where(known, np.maximum(first, 1), 0)


def _calendar(periods: int, per_year: int) -> tuple[np.ndarray, np.ndarray]:
    """For t = 0…T: the year each period falls in (0-based) and periods elapsed in that year."""
    t = np.arange(periods + 1)
    year = np.maximum(t - 1, 0) // per_year
    return year, t - year * per_year


def churn_thresholds(
    annual_churn: np.ndarray,
    periods: int,
    period_years: float,
    renewal_years: np.ndarray | None = None,
) -> np.ndarray:
    """(T+1, N) thresholds Φ⁻¹(q_i(t)) on the year's churn draw, q_i(t) the probability of
    churning between the start of t's year and t: 1 − (1 − c)^{elapsed·Δ} with a uniform hazard
    (−expm1 keeps small c exact), or c once the year's renewal has passed (0 before it)."""
    c = np.asarray(annual_churn, dtype=float)
    per_year = round(1 / period_years)
    _, elapsed = _calendar(periods, per_year)
    with np.errstate(divide="ignore", invalid="ignore"):  # c = 1: 0·ln 0 at t = 0
        churned = -np.expm1(elapsed[:, None] * period_years * np.log1p(-c)[None, :])
    first = renewal_periods(renewal_years, len(c), period_years)
    position = (first - 1) % per_year + 1  # the renewal's period within its year
    t = np.arange(periods + 1)[:, None]
    renewed = (first[None, :] <= t) & (elapsed[:, None] >= position[None, :])
    churned = np.where(first[None, :] > 0, np.where(renewed, c[None, :], 0.0), churned)
    churned[0] = 0.0  # nobody has churned at t = 0, even with c = 1
    return ndtri(churned)


def hazard_steps(
    annual_churn: np.ndarray, periods: int, period_years: float, renewal_years: np.ndarray | None = None
) -> np.ndarray:
    """(T+1, N) hazard in each period: λ·Δ with a uniform hazard, λ in a renewal's period and 0
    in the others with a known renewal; λ = −ln(1 − c)."""
    with np.errstate(divide="ignore"):  # c = 1: an infinite hazard churns at once
        hazard = -np.log1p(-np.asarray(annual_churn, dtype=float))
    per_year = round(1 / period_years)
    first = renewal_periods(renewal_years, len(hazard), period_years)
    t = np.arange(periods + 1)[:, None]
    at_renewal = (first[None, :] > 0) & (t >= first[None, :]) & ((t - first[None, :]) % per_year == 0)
    steps = np.where(
        first[None, :] > 0, np.where(at_renewal, hazard[None, :], 0.0), hazard[None, :] * period_years
    )
    steps[0] = 0.0
    return steps


def year_one_churn(
    annual_churn: np.ndarray, renewal_years: np.ndarray | None, period_years: float
) -> np.ndarray:
    """Each account's probability of churning in the first year: c, or 0 when its known
    renewal falls after the first year."""
    c = np.asarray(annual_churn, dtype=float)
    first = renewal_periods(renewal_years, len(c), period_years)
    return np.where(first > round(1 / period_years), 0.0, c)


def loadings(volatility: np.ndarray, beta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per account: market loading β_i = min(β, σ_i), own volatility s_i = √(σ_i² − β_i²), and
    churn loading a_i = β_i / σ_i (0 where σ_i = 0)."""
    sigma = np.asarray(volatility, dtype=float)
    market = np.minimum(beta, sigma)
    own = np.sqrt(np.maximum(sigma**2 - market**2, 0.0))
    churn = np.divide(market, sigma, out=np.zeros_like(sigma), where=sigma > 0)
    return market, own, np.minimum(churn, 1.0)


def nrr_sensitivity(arr0: np.ndarray, params: AccountParams, beta: float, period_years: float) -> float:
    """First-order standard deviation of the one-year portfolio NRR that the market explains,
    Cov(NRR, F) with F the year's market:
    Σ_i w_i·e^{d_i + σ_i²/2}·((1 − p_i)·β_i + a_i·φ(Φ⁻¹(p_i))), w_i = ARR_i(0) / Σ ARR(0),
    p_i the account's churn probability in the first year (Stein's lemma on each term)."""
    weights = np.asarray(arr0, dtype=float) / float(np.sum(arr0))
    market, _, churn_loading = loadings(params.volatility, beta)
    p = year_one_churn(params.annual_churn, params.renewal_years, period_years)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.exp(-(ndtri(p) ** 2) / 2) / math.sqrt(2 * math.pi)  # φ(±∞) = 0
    growth = np.exp(
        np.asarray(params.drift, dtype=float) + np.asarray(params.volatility, dtype=float) ** 2 / 2
    )
    return float(weights @ (growth * ((1 - p) * market + churn_loading * density)))


def own_nrr_sd(arr0: np.ndarray, params: AccountParams) -> float:
    """Standard deviation of the one-year portfolio NRR from the accounts' own luck alone (no
    market): √(Σ_i w_i²·Var R_i), w_i = ARR_i(0) / Σ ARR(0), R_i = 1{retained}·e^{G_i},
    G_i ~ N(d_i, σ_i²): E R_i = (1 − c_i)·e^{d_i + σ_i²/2}, E R_i² = (1 − c_i)·e^{2d_i + 2σ_i²}."""
    weights = np.asarray(arr0, dtype=float) / float(np.sum(arr0))
    kept = 1 - np.asarray(params.annual_churn, dtype=float)
    d, s2 = np.asarray(params.drift, dtype=float), np.asarray(params.volatility, dtype=float) ** 2
    variance = kept * np.exp(2 * d + 2 * s2) - (kept * np.exp(d + s2 / 2)) ** 2
    return float(np.sqrt(np.sum(weights**2 * variance)))


def carried_nrr_volatility(arr0: np.ndarray, params: AccountParams, period_years: float) -> float:
    """The most portfolio NRR volatility (fraction a year) the accounts can carry: every
    account's volatility tied to the market (:func:`nrr_sensitivity` at β = max σ_i)."""
    top = float(np.max(params.volatility, initial=0.0))
    return nrr_sensitivity(arr0, params, top, period_years)


def market_loading(
    arr0: np.ndarray, params: AccountParams, nrr_volatility: float, period_years: float
) -> float:
    """β such that :func:`nrr_sensitivity` equals ``nrr_volatility`` (annual, as a fraction:
    0.05 = 5 points of NRR a year). ValueError when the accounts cannot carry that much: even
    with all of every account's volatility tied to the market."""
    if nrr_volatility <= 0:
        return 0.0
    top = float(np.max(params.volatility, initial=0.0))
    most = carried_nrr_volatility(arr0, params, period_years)
    if nrr_volatility > most + 1e-12:
        raise ValueError(
            f"a portfolio NRR volatility of {100 * nrr_volatility:.1f} points a year is more than "
            f"these accounts' volatility can carry (at most {100 * most:.1f} points); lower it"
        )
    return float(
        brentq(
            lambda b: nrr_sensitivity(arr0, params, b, period_years) - nrr_volatility, 0.0, top, xtol=1e-12
        )
    )


@dataclass(frozen=True)
class _Variant:
    """Per-account arrays prepared for the inner loop (float32)."""

    own_scale: np.ndarray  # s_i·√Δ  (N,)
    market_scale: np.ndarray  # β_i·√Δ  (N,)
    drift_step: np.ndarray  # d_i·Δ  (N,)
    reversion: np.ndarray | None  # r_i·Δ  (N,); None when every r_i = 0
    churn_own: np.ndarray  # √(1 − a_i²)  (N,)
    churn_market: np.ndarray  # a_i  (N,)
    churn_threshold: np.ndarray  # Φ⁻¹(q_i(t))  (T+1, N)
    weights: np.ndarray  # ARR_i(0)·e^{d_i·tΔ} when the market factors out, else ARR_i(0)  (T+1, N)
    common_loading: float | None  # β√Δ when every β_i is the same and r = 0, else None

    @property
    def factors_out(self) -> bool:
        """With one loading and no reversion, e^{D_i(t)} = e^{d_i·tΔ}·e^{β√Δ·Σ M}·e^{s_i√Δ·Σ ε}:
        drift and market leave the per-account loop (weights, and a factor per path)."""
        return self.common_loading is not None


def _reversion_step(params: AccountParams, period_years: float, columns=slice(None)) -> np.ndarray | None:
    """r_i·Δ per account (float32), None when every r_i = 0. ValueError unless −1 ≤ r_i ≤ 0."""
    if params.reversion is None:
        return None
    r = np.asarray(params.reversion, dtype=float)[columns]
    if np.any(r > 0) or np.any(r < -1):
        raise ValueError("mean reversion must be between −1 and 0 per year")
    return None if not np.any(r) else (r * period_years).astype(F32)


def _prepare(
    arr0: np.ndarray, params: AccountParams, beta: float, periods: int, period_years: float
) -> _Variant:
    market, own, churn_loading = loadings(params.volatility, beta)
    root = math.sqrt(period_years)
    reversion = _reversion_step(params, period_years)
    common = reversion is None and bool(np.all(market == market[0]))
    t = np.arange(periods + 1)[:, None] * period_years
    drift = np.asarray(params.drift, dtype=float)[None, :]
    weights = arr0[None, :] * (np.exp(drift * t) if common else np.ones_like(t))
    return _Variant(
        own_scale=(own * root).astype(F32),
        market_scale=(market * root).astype(F32),
        drift_step=(np.asarray(params.drift, dtype=float) * period_years).astype(F32),
        reversion=reversion,
        churn_own=np.sqrt(1 - churn_loading**2).astype(F32),
        churn_market=churn_loading.astype(F32),
        churn_threshold=churn_thresholds(
            params.annual_churn, periods, period_years, params.renewal_years
        ).astype(F32),
        weights=weights.astype(F32),
        common_loading=float(market[0] * root) if common else None,
    )


def run_paths(
    arr0: np.ndarray,
    baseline: AccountParams,
    scenarios: list[AccountParams] | tuple = (),
    *,
    nrr_volatility: float,
    periods: int,
    period_years: float,
    paths: int,
    seed: int,
    chunk_paths: int | None = None,
    workers: int = 1,
    progress: Callable[[float], None] | None = None,
    treatment: TreatmentDraws | None = None,
    beta: float | None = None,
) -> list[PathOutcome]:
    """Simulate the baseline and each scenario on the same ``paths`` random paths.

    Returns one outcome per variant, baseline first. ``arr0`` is today's ARR per account (all
    > 0). ``nrr_volatility`` is the portfolio NRR volatility (fraction a year) the market
    loading is solved from, on the baseline (:func:`market_loading`); scenarios use the same
    loading. ``chunk_paths`` is rounded up to whole blocks; ``workers`` threads run chunks in
    parallel (NumPy releases the GIL in its generators and ufuncs). ``progress`` is called
    with the share of paths done (0–1] after each chunk, from the calling thread.
    ``treatment`` gives the per-path effect for scenario accounts with an ``exposure``
    (without it, no effect). ``beta`` gives the market loading directly (then
    ``nrr_volatility`` is not used).
    """
    arr0 = np.asarray(arr0, dtype=float)
    n = len(arr0)
    if n == 0:
        raise ValueError("no accounts with ARR to simulate")
    if paths < 1 or periods < 1:
        raise ValueError("paths and periods must be at least 1")
    if beta is None:
        beta = market_loading(arr0, baseline, nrr_volatility, period_years)
    base = _prepare(arr0, baseline, beta, periods, period_years)
    changes = [_Change.of(arr0, baseline, s, beta, periods, period_years) for s in scenarios]
    if treatment is None:
        treatment = TreatmentDraws(np.zeros(paths), np.zeros(paths), np.zeros(periods + 1))
    per_year = round(1 / period_years)
    top_index = np.argsort(-arr0, kind="stable")[:TOP_ACCOUNTS]
    chunks = _chunks(paths, CHUNK_CELLS // n if chunk_paths is None else chunk_paths)
    market_years = math.ceil(periods / per_year)
    outcomes = [
        PathOutcome.empty(paths, periods, periods // per_year, market_years) for _ in range(1 + len(changes))
    ]
    context = _Context(
        arr0, base, changes, top_index, seed, periods, paths, treatment, period_years, per_year
    )

    done = 0

    def report(blocks: range) -> None:
        nonlocal done
        done += min(blocks[-1] * BLOCK_PATHS + BLOCK_PATHS, paths) - blocks[0] * BLOCK_PATHS
        if progress is not None:
            progress(done / paths)

    workers = min(workers, max(1, MAX_CELLS_IN_FLIGHT // (len(chunks[0]) * BLOCK_PATHS * n)))
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


def _chunks(paths: int, chunk_paths: int) -> list[range]:
    """Blocks of paths per chunk: ``chunk_paths`` rounded up to whole blocks."""
    blocks_per_chunk = max(1, math.ceil(chunk_paths / BLOCK_PATHS))
    n_blocks = math.ceil(paths / BLOCK_PATHS)
    return [range(b, min(b + blocks_per_chunk, n_blocks)) for b in range(0, n_blocks, blocks_per_chunk)]


@dataclass(frozen=True)
class _Change:
    """A scenario as the accounts (``columns``) whose figures differ from the baseline's or
    whose strategic attention changes, with their per-period figures."""

    columns: np.ndarray
    arr0: np.ndarray  # (n,)
    own_scale: np.ndarray  # s_i·√Δ  (n,) float32
    market_scale: np.ndarray  # β_i·√Δ  (n,) float32
    churn_own: np.ndarray  # √(1 − a_i²)  (n,) float32
    churn_market: np.ndarray  # a_i  (n,) float32
    reversion: np.ndarray | None  # r_i·Δ  (n,) float32
    hazard_step: np.ndarray  # hazard in each period  (T+1, n)
    drift_step: np.ndarray  # d_i·Δ  (n,)
    exposure: np.ndarray  # e_i  (n,)
    period_years: float  # Δ

    @classmethod
    def of(
        cls,
        arr0,
        baseline: AccountParams,
        scenario: AccountParams,
        beta: float,
        periods: int,
        period_years: float,
    ) -> _Change:
        differs = np.zeros(len(arr0), bool)
        for name in ("annual_churn", "drift", "volatility", "reversion", "renewal_years"):
            before, after = getattr(baseline, name), getattr(scenario, name)
            if before is not None or after is not None:
                fill = np.zeros(len(arr0)) if name != "renewal_years" else np.full(len(arr0), np.nan)
                before = fill if before is None else np.asarray(before, dtype=float)
                after = fill if after is None else np.asarray(after, dtype=float)
                differs |= ~((before == after) | (np.isnan(before) & np.isnan(after)))
        exposure = (
            np.zeros(len(arr0)) if scenario.exposure is None else np.asarray(scenario.exposure, dtype=float)
        )
        differs |= exposure != 0
        cols = np.flatnonzero(differs)
        renewal = (
            None if scenario.renewal_years is None else np.asarray(scenario.renewal_years, dtype=float)[cols]
        )
        market, own, churn_loading = loadings(np.asarray(scenario.volatility, dtype=float)[cols], beta)
        root = math.sqrt(period_years)
        return cls(
            columns=cols,
            arr0=arr0[cols],
            own_scale=(own * root).astype(F32),
            market_scale=(market * root).astype(F32),
            churn_own=np.sqrt(1 - churn_loading**2).astype(F32),
            churn_market=churn_loading.astype(F32),
            reversion=_reversion_step(scenario, period_years, cols),
            hazard_step=hazard_steps(
                np.asarray(scenario.annual_churn, dtype=float)[cols], periods, period_years, renewal
            ),
            drift_step=np.asarray(scenario.drift, dtype=float)[cols] * period_years,
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


def _normals(rng: np.random.Generator, out: np.ndarray) -> None:
    """Fill ``out`` with standard normals in antithetic pairs along its first axis: rows
    [half, m) are minus rows [0, m − half), half = ⌈m/2⌉ (only half are drawn)."""
    rows = len(out)
    half = (rows + 1) // 2
    rng.standard_normal(out=out[:half], dtype=F32)
    np.negative(out[: rows - half], out=out[half:])


def antithetic_partner(paths: int) -> np.ndarray:
    """Each path's antithetic partner (itself for the unpaired middle path of an odd last
    block): in a block of m paths, k ↔ ⌈m/2⌉ + k."""
    index = np.arange(paths)
    start = index // BLOCK_PATHS * BLOCK_PATHS
    size = np.minimum(start + BLOCK_PATHS, paths) - start
    half = (size + 1) // 2
    k = index - start
    partner = np.where(k < half, start + half + k, start + k - half)
    return np.where(partner < start + size, partner, index)


def _first_draws(
    streams: list[tuple], rows: int, n: int, periods: int, per_year: int
) -> tuple[np.ndarray, np.ndarray]:
    """The market draws M (rows, T) and the churn draws' own parts η (rows, years, N), in the
    blocks' order M, η."""
    years = math.ceil(periods / per_year)
    market = np.empty((rows, periods), F32)
    churn_own = np.empty((rows, years, n), F32)
    for rng, lo, hi in streams:
        _normals(rng, market[lo:hi])
        _normals(rng, churn_own[lo:hi])
    return market, churn_own


def yearly_market(market: np.ndarray, per_year: int) -> np.ndarray:
    """F_{p,y} = Σ_{u in year y} M_{p,u} / √(periods in year y), (rows, years)."""
    rows, periods = market.shape
    years = math.ceil(periods / per_year)
    out = np.empty((rows, years), F32)
    for y in range(years):
        part = market[:, y * per_year : (y + 1) * per_year]
        out[:, y] = part.sum(axis=1, dtype=F32) / F32(math.sqrt(part.shape[1]))
    return out


def churn_draws(
    churn_own: np.ndarray, market_years: np.ndarray, own: np.ndarray, loading: np.ndarray
) -> np.ndarray:
    """y_{i,p,y} = a_i·F_{p,y} + √(1 − a_i²)·η_{i,p,y}, (rows, years, n) float32."""
    y = churn_own * own
    y += market_years[:, :, None] * loading
    return y


def _simulate_chunk(ctx: _Context, blocks: range, outcomes: list[PathOutcome]) -> None:
    """Paths of ``blocks``: draw, evolve, and write every variant's outcome rows."""
    first = blocks[0] * BLOCK_PATHS
    stop = min((blocks[-1] + 1) * BLOCK_PATHS, ctx.paths)
    rows, n, periods = stop - first, len(ctx.arr0), ctx.periods
    streams = _streams(ctx, blocks, first, stop)
    market, churn_own = _first_draws(streams, rows, n, periods, ctx.per_year)
    market_years = yearly_market(market, ctx.per_year)
    base_draws = churn_draws(churn_own, market_years, ctx.base.churn_own, ctx.base.churn_market)
    changed = [
        _ChangeState.start(c, churn_own[:, :, c.columns], market_years, ctx.treatment, first, stop)
        for c in ctx.changes
    ]
    for outcome in outcomes:
        outcome.market[first:stop] = market_years

    log_growth = np.zeros((rows, n), F32)  # D_i(t)
    year_growth = np.zeros((rows, n), F32)  # D_i at the start of the current year
    draw = np.empty((rows, n), F32)
    growth = np.empty((rows, n), F32)
    active = np.ones((rows, n), bool)
    alive = np.ones((rows, n), bool)  # active at the start of the current year
    arr0 = ctx.arr0.astype(F32)
    base = _Step(outcomes[0], first, stop)
    year_start = np.broadcast_to(arr0, (rows, n)).copy()  # ARR_i at the last year end
    path_factor = _path_factor(ctx.base, market)
    for t in range(1, periods + 1):
        for rng, lo, hi in streams:
            _normals(rng, draw[lo:hi])
        year_index = (t - 1) // ctx.per_year
        _grow(ctx.base, draw, market[:, t - 1], log_growth, growth, year_growth)
        np.greater_equal(base_draws[:, year_index], ctx.base.churn_threshold[t], out=active)
        active &= alive
        growth *= active
        weights, scale = ctx.base.weights[t], path_factor[:, t - 1]
        base.totals[:, t] = scale * _row_dot(growth, weights)
        base.active_arr[:, t] = _row_dot(active.astype(F32), arr0)
        year = t // ctx.per_year - 1 if t % ctx.per_year == 0 else None
        ending = _ending(growth, weights, scale) if t == periods or year is not None else None
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
                (draw, market[:, t - 1], growth, ending, active, year_start, weights, scale),
            )
        if t % ctx.per_year == 0:  # a year ends: its survivors, and their sizes, start the next
            alive[:] = active
            year_growth[:] = log_growth
        if year is not None:
            assert ending is not None
            year_start = ending
    for outcome in outcomes:
        outcome.totals[first:stop, 0] = ctx.arr0.sum()
        outcome.active_arr[first:stop, 0] = ctx.arr0.sum()


def _path_factor(variant: _Variant, market: np.ndarray) -> np.ndarray:
    """(rows, T) e^{β√Δ·Σ_{u≤t} M_u} per path when the market factors out, else ones."""
    if variant.common_loading is None:
        return np.ones(market.shape)
    return np.exp(variant.common_loading * np.cumsum(market, axis=1, dtype=float))


def _ending(growth: np.ndarray, weights: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Each account's ARR (0 when churned): growth × weight × the path's factor."""
    ending = growth * weights
    ending *= scale[:, None].astype(F32)
    return ending


class _Step:
    """One variant's outcome rows for the chunk of paths [first, stop)."""

    def __init__(self, outcome: PathOutcome, first: int, stop: int) -> None:
        self.outcome, self.first, self.stop = outcome, first, stop
        self.totals = outcome.totals[first:stop]
        self.retained_years = outcome.retained_years[first:stop]
        self.active_arr = outcome.active_arr[first:stop]


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
    draw, market, growth, ending, active, year_start, weights, scale = baseline
    cols = change.columns
    arr0 = ctx.arr0[cols].astype(F32)
    sub_ending, sub_active = state.step(change, draw[:, cols], market, t, ctx)
    rows.totals[:, t] = (
        base.totals[:, t] - scale * _row_dot(growth[:, cols], weights[cols]) + sub_ending.sum(axis=1)
    )
    rows.active_arr[:, t] = (
        base.active_arr[:, t]
        - _row_dot(active[:, cols].astype(F32), arr0)
        + _row_dot(sub_active.astype(F32), arr0)
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
    """A scenario's changed accounts along one chunk of paths: log growth, the hazard since
    the year's start and the year's limit.

    limit = −ln Φ(−y) per account-path and year: the account is active while its cumulative
    hazard in the year Λ ≤ limit, which is y ≥ Φ⁻¹(1 − e^(−Λ)) on the baseline's own draw y.
    """

    def __init__(self, limits, log_hr, uplift, arr0, year_start) -> None:
        self.limits = limits  # (rows, years, n)
        self.log_hr, self.uplift = log_hr, uplift  # (rows, 1) each
        shape = limits.shape[0], limits.shape[2]
        self.cum_hazard = np.zeros(shape)
        self.log_growth = np.zeros(shape, F32)
        self.year_growth = np.zeros(shape, F32)  # log growth at the start of the current year
        self.alive = np.ones(shape, bool)
        self.arr0 = arr0.astype(F32)
        self.year_start = year_start
        self._ramp: float | None = None
        self._steps: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))

    @classmethod
    def start(
        cls, change: _Change, churn_own, market_years, treatment: TreatmentDraws, first: int, stop: int
    ) -> _ChangeState:
        y = churn_draws(churn_own, market_years, change.churn_own, change.churn_market).astype(float)
        rows = stop - first
        return cls(
            -log_ndtr(-y),
            treatment.log_hazard_ratio[first:stop, None],
            treatment.uplift[first:stop, None],
            change.arr0,
            np.broadcast_to(change.arr0.astype(F32), (rows, len(change.columns))).copy(),
        )

    def _increments(self, change: _Change, ramp: float) -> tuple[np.ndarray, np.ndarray]:
        """The hazard ratio HR^(e·r) and the log-growth step (d + u·e·r)·Δ per account-path;
        the same in every period at the same ramp, so computed once per ramp value."""
        if ramp != self._ramp:
            effect = change.exposure[None, :] * ramp
            self._steps = (
                np.exp(self.log_hr * effect),
                (change.drift_step[None, :] + self.uplift * effect * change.period_years).astype(F32),
            )
            self._ramp = ramp
        return self._steps

    def step(self, change: _Change, draw, market, t: int, ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        """Advance one period; returns the changed accounts' ARR (0 when churned) and activity."""
        ratio, step = self._increments(change, ctx.treatment.ramp[t])
        year_index, per_year = (t - 1) // ctx.per_year, ctx.per_year
        if (t - 1) % per_year == 0:
            self.cum_hazard[:] = 0.0
        self.cum_hazard += change.hazard_step[t][None, :] * ratio
        if change.reversion is not None:
            self.log_growth += self.year_growth * change.reversion
        self.log_growth += step
        self.log_growth += draw * change.own_scale
        self.log_growth += market[:, None] * change.market_scale
        active = (self.cum_hazard <= self.limits[:, year_index]) & self.alive
        ending = np.exp(self.log_growth) * self.arr0
        ending *= active
        if t % per_year == 0:
            self.alive = active
            self.year_growth[:] = self.log_growth
        return ending, active


def _grow(variant: _Variant, draw, market, log_growth, growth, year_growth) -> None:
    """D ← D + dΔ + rΔ·D_y + s√Δ·ε + β√Δ·M, with D_y the log growth at the start of the
    current year (``year_growth``), and growth = e^D (ARR and churn applied after); when the
    market factors out, only the own part: D ← D + s√Δ·ε (drift and market are in the weights
    and the path's factor)."""
    if variant.factors_out:
        np.multiply(draw, variant.own_scale, out=growth)
        log_growth += growth
        np.exp(log_growth, out=growth)
        return
    if variant.reversion is not None:
        np.multiply(year_growth, variant.reversion, out=growth)
        log_growth += growth
    log_growth += variant.drift_step
    np.multiply(draw, variant.own_scale, out=growth)
    log_growth += growth
    np.multiply(market[:, None], variant.market_scale, out=growth)
    log_growth += growth
    np.exp(log_growth, out=growth)


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
