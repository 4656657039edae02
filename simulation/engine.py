"""The Monte Carlo path engine: pure NumPy, chunked over paths, reproducible.

Model, for account i on path p at the end of period t (period length Δ years, k periods a year):

* market  F_{p,y} ~ N(0, 1), one per path and year, shared by every account.
* growth  at renewals: D_i(t) = ln(ARR_i(t) / ARR_i(0)) changes only in the account's renewal
  periods (a known date's period and every year after; without a date, periods of the year
  spread evenly in input order, :func:`growth_periods`), where in year y
  D_i ← (1 + r_i)·D_i + d_i + β_i·F_{p,y} + s_i·ε_{i,p,y},
  ε ~ N(0, 1) the account's own draw, one per account-year, β_i = min(β, σ_i) its market loading
  (annual log-growth per unit of market), s_i = √(σ_i² − β_i²) the rest of its volatility σ_i,
  r_i ≤ 0 its mean reversion. A year's log growth is N(d_i, σ_i²) (the first renewal grows by
  d_i exactly; from renewal to renewal D(k+1) = (1 + r_i)·D(k) + d_i + noise, the annual
  regression the size model fits). β is solved from the portfolio NRR volatility v
  (:func:`market_loading`): the first-order standard deviation of the portfolio's one-year NRR
  that comes from the market is v.
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
  period t (the uplift booked at renewals with the ramp's mean over the contract year), with
  the path's own draw of the effect (HR_p, u_p) and the ramp r(t). Within a year
  it is active while its cumulative hazard since the year's start Λ ≤ −ln Φ(−y) (the same event
  as y ≥ Φ⁻¹(1 − e^{−Λ}) above, on the same draw y).

Random numbers: paths come in blocks of :data:`BLOCK_PATHS`, each with its own PCG64 stream
``SeedSequence(seed, spawn_key=(block,))``. A block draws F (years per path), η (years × N per
path), then ε (N per path) year by year, so a path's numbers depend only on (seed, its block):
results are bit-identical whatever the chunk size or the number of worker threads.
Paths come in antithetic pairs: within a block, path 32 + k draws exactly minus the numbers of
path k (see :func:`antithetic_partner`), so only half the normals are drawn; every path is still
exactly distributed, and Monte Carlo errors are computed on the pairs' means. A block always
draws all its 64 paths' numbers, so the first N paths of a run are the same whatever the number
of paths after them.
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


def _sensitivity_slopes(arr0: np.ndarray, params: AccountParams, period_years: float) -> np.ndarray:
    """Per account, c_i such that :func:`nrr_sensitivity` = Σ_i c_i·min(β, σ_i):
    c_i = w_i·e^{d_i + σ_i²/2}·((1 − p_i) + φ(Φ⁻¹(p_i))/σ_i) for an account renewing in the
    first year with σ_i > 0 (β_i = min(β, σ_i), a_i = β_i/σ_i), else 0."""
    weights = np.asarray(arr0, dtype=float) / float(np.sum(arr0))
    sigma = np.asarray(params.volatility, dtype=float)
    p = year_one_churn(params.annual_churn, params.renewal_years, period_years)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.exp(-(ndtri(p) ** 2) / 2) / math.sqrt(2 * math.pi)  # φ(±∞) = 0
        per_loading = np.where(sigma > 0, (1 - p) + density / sigma, 0.0)
    growth = np.exp(np.asarray(params.drift, dtype=float) + sigma**2 / 2)
    renews = growth_periods(params.renewal_years, len(weights), period_years) <= round(1 / period_years)
    return weights * renews * growth * per_loading


def nrr_sensitivity(arr0: np.ndarray, params: AccountParams, beta: float, period_years: float) -> float:
    """First-order standard deviation of the one-year portfolio NRR that the market explains,
    Cov(NRR, F) with F the year's market:
    Σ_i w_i·e^{d_i + σ_i²/2}·((1 − p_i)·β_i + a_i·φ(Φ⁻¹(p_i))), w_i = ARR_i(0) / Σ ARR(0),
    p_i the account's churn probability in the first year (Stein's lemma on each term); an
    account with no renewal in the first year keeps its ARR, so adds nothing. With
    β_i = min(β, σ_i) and a_i = β_i/σ_i this is Σ_i c_i·min(β, σ_i) (:func:`_sensitivity_slopes`)."""
    slopes = _sensitivity_slopes(arr0, params, period_years)
    return float(slopes @ np.minimum(beta, np.asarray(params.volatility, dtype=float)))


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
    with all of every account's volatility tied to the market.

    f(β) = Σ_i c_i·min(β, σ_i) is piecewise linear and non-decreasing in β, with knots at the
    sorted σ_(k): f(σ_(k)) = Σ_{j≤k} c_j·σ_j + σ_(k)·Σ_{j>k} c_j. In the segment that holds
    the target v, β = (v − Σ_{j≤k} c_j·σ_j) / Σ_{j>k} c_j: exact, no root search."""
    if nrr_volatility <= 0:
        return 0.0
    most = carried_nrr_volatility(arr0, params, period_years)
    if nrr_volatility > most + 1e-12:
        raise ValueError(
            f"a portfolio NRR volatility of {100 * nrr_volatility:.1f} points a year is more than "
            f"these accounts' volatility can carry (at most {100 * most:.1f} points); lower it"
        )
    sigma = np.asarray(params.volatility, dtype=float)
    order = np.argsort(sigma, kind="stable")
    knots, slopes = sigma[order], _sensitivity_slopes(arr0, params, period_years)[order]
    below = np.concatenate([[0.0], np.cumsum(slopes * knots)])  # Σ_{j<k} c_j·σ_j
    above = np.concatenate([np.cumsum(slopes[::-1])[::-1], [0.0]])  # Σ_{j≥k} c_j
    at_knot = below[1:] + knots * above[1:]  # f(σ_(k))
    k = int(np.searchsorted(at_knot, nrr_volatility))  # the first knot at or past the target
    if k >= len(knots) or above[k] <= 0:  # the target is the carried maximum
        return float(knots[-1])
    return float((nrr_volatility - below[k]) / above[k])


def growth_periods(renewal_years: np.ndarray | None, n: int, period_years: float) -> np.ndarray:
    """The period (1, 2, …) of each account's first renewal, where its ARR first changes: the
    known renewal's period (:func:`renewal_periods`), or for an account without a date the
    periods of a year spread evenly in input order (1, 2, …, k, 1, 2, …: with quarters, a
    quarter of them renew in each quarter). Later renewals follow every k periods."""
    per_year = round(1 / period_years)
    first = renewal_periods(renewal_years, n, period_years)
    unknown = first == 0
    first[unknown] = np.arange(int(unknown.sum())) % per_year + 1
    return first


@dataclass(frozen=True)
class _Layout:
    """The accounts reordered so that those renewing in a period are one contiguous slice:
    grouped by the renewal's period within the year, then by first renewal (an account is in
    its group's slice from its first renewal on)."""

    order: np.ndarray  # (N,) original index of each column
    renewing: list[slice]  # per period t = 0…T, the columns renewing at t
    all_known: bool  # every account churns at its renewals only (no uniform hazard)

    @classmethod
    def of(cls, renewal_years: np.ndarray | None, n: int, periods: int, period_years: float) -> _Layout:
        per_year = round(1 / period_years)
        first = growth_periods(renewal_years, n, period_years)
        position = (first - 1) % per_year + 1
        order = np.lexsort((first, position))
        sorted_first, sorted_position = first[order], position[order]
        renewing = [slice(0, 0)]
        for t in range(1, periods + 1):
            group = np.flatnonzero(sorted_position == (t - 1) % per_year + 1)
            start = int(group[0]) if len(group) else 0
            count = int(np.searchsorted(sorted_first[start : start + len(group)], t, side="right"))
            renewing.append(slice(start, start + count))
        known = renewal_periods(renewal_years, n, period_years) > 0
        return cls(order, renewing, bool(known.all()))


def _permuted(params: AccountParams, order: np.ndarray) -> AccountParams:
    """``params`` with every per-account array in the layout's column order."""

    def take(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else np.asarray(values, dtype=float)[order]

    return AccountParams(
        np.asarray(params.annual_churn, dtype=float)[order],
        np.asarray(params.drift, dtype=float)[order],
        np.asarray(params.volatility, dtype=float)[order],
        take(params.exposure),
        take(params.reversion),
        take(params.renewal_years),
    )


@dataclass(frozen=True)
class _Variant:
    """Per-account annual figures prepared for the inner loop (float32, layout order)."""

    own: np.ndarray  # s_i  (N,)
    market: np.ndarray  # β_i  (N,)
    drift: np.ndarray  # d_i  (N,)
    reversion: np.ndarray | None  # 1 + r_i  (N,); None when every r_i = 0
    churn_own: np.ndarray  # √(1 − a_i²)  (N,)
    churn_market: np.ndarray  # a_i  (N,)
    churn_threshold: np.ndarray  # Φ⁻¹(q_i(t))  (T+1, N)
    common_market: np.float32 | None  # β when every account has the same loading, else None


def _reversion(params: AccountParams, columns=slice(None)) -> np.ndarray | None:
    """1 + r_i per account (float32), None when every r_i = 0. ValueError unless −1 ≤ r_i ≤ 0."""
    if params.reversion is None:
        return None
    r = np.asarray(params.reversion, dtype=float)[columns]
    if np.any(r > 0) or np.any(r < -1):
        raise ValueError("mean reversion must be between −1 and 0 per year")
    return None if not np.any(r) else (1 + r).astype(F32)


def _prepare(params: AccountParams, beta: float, periods: int, period_years: float) -> _Variant:
    market, own, churn_loading = loadings(params.volatility, beta)
    return _Variant(
        own=own.astype(F32),
        market=market.astype(F32),
        drift=np.asarray(params.drift, dtype=float).astype(F32),
        reversion=_reversion(params),
        churn_own=np.sqrt(1 - churn_loading**2).astype(F32),
        churn_market=churn_loading.astype(F32),
        churn_threshold=churn_thresholds(
            params.annual_churn, periods, period_years, params.renewal_years
        ).astype(F32),
        common_market=F32(market[0]) if len(market) and np.all(market == market[0]) else None,
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
    layout = _Layout.of(baseline.renewal_years, n, periods, period_years)
    inverse = np.empty(n, dtype=np.int64)
    inverse[layout.order] = np.arange(n)
    top_index = inverse[np.argsort(-arr0, kind="stable")[:TOP_ACCOUNTS]]
    arr0, baseline = arr0[layout.order], _permuted(baseline, layout.order)
    scenarios = [_permuted(s, layout.order) for s in scenarios]
    base = _prepare(baseline, beta, periods, period_years)
    changes = [_Change.of(arr0, baseline, s, beta, periods, period_years) for s in scenarios]
    if treatment is None:
        treatment = TreatmentDraws(np.zeros(paths), np.zeros(paths), np.zeros(periods + 1))
    per_year = round(1 / period_years)
    chunks = _chunks(paths, CHUNK_CELLS // n if chunk_paths is None else chunk_paths)
    market_years = math.ceil(periods / per_year)
    outcomes = [
        PathOutcome.empty(paths, periods, periods // per_year, market_years) for _ in range(1 + len(changes))
    ]
    context = _Context(
        arr0,
        base,
        changes,
        top_index,
        seed,
        periods,
        paths,
        treatment,
        contract_year_ramp(treatment.ramp, per_year),
        per_year,
        layout,
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


def contract_year_ramp(ramp: np.ndarray, per_year: int) -> np.ndarray:
    """(T+1,) the treatment's share at a renewal in period t: the mean of the ramp r(u) over
    the periods since the previous renewal, u in (max(0, t − k), t] (k periods a year), so the
    growth a renewal books reflects the attention the account had during that contract year."""
    ramp = np.asarray(ramp, dtype=float)
    out = np.zeros(len(ramp))
    for t in range(1, len(ramp)):
        out[t] = ramp[max(1, t - per_year + 1) : t + 1].mean()
    return out


def _chunks(paths: int, chunk_paths: int) -> list[range]:
    """Blocks of paths per chunk: ``chunk_paths`` rounded up to whole blocks."""
    blocks_per_chunk = max(1, math.ceil(chunk_paths / BLOCK_PATHS))
    n_blocks = math.ceil(paths / BLOCK_PATHS)
    return [range(b, min(b + blocks_per_chunk, n_blocks)) for b in range(0, n_blocks, blocks_per_chunk)]


@dataclass(frozen=True)
class _Change:
    """A scenario as the accounts (``columns``, layout order) whose figures differ from the
    baseline's or whose strategic attention changes, with their per-period figures."""

    columns: np.ndarray
    arr0: np.ndarray  # (n,)
    own: np.ndarray  # s_i  (n,) float32
    market: np.ndarray  # β_i  (n,) float32
    churn_own: np.ndarray  # √(1 − a_i²)  (n,) float32
    churn_market: np.ndarray  # a_i  (n,) float32
    reversion: np.ndarray | None  # 1 + r_i  (n,) float32
    hazard_step: np.ndarray  # hazard in each period  (T+1, n)
    renewing: list[np.ndarray]  # per period t = 0…T, the accounts (of n) renewing at t
    drift: np.ndarray  # d_i  (n,)
    exposure: np.ndarray  # e_i  (n,)

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
        per_year = round(1 / period_years)
        first = growth_periods(scenario.renewal_years, len(arr0), period_years)[cols]
        t = np.arange(periods + 1)[:, None]
        market, own, churn_loading = loadings(np.asarray(scenario.volatility, dtype=float)[cols], beta)
        return cls(
            columns=cols,
            arr0=arr0[cols],
            own=own.astype(F32),
            market=market.astype(F32),
            churn_own=np.sqrt(1 - churn_loading**2).astype(F32),
            churn_market=churn_loading.astype(F32),
            reversion=_reversion(scenario, cols),
            hazard_step=hazard_steps(
                np.asarray(scenario.annual_churn, dtype=float)[cols], periods, period_years, renewal
            ),
            renewing=[
                np.flatnonzero(row) for row in (t >= first[None, :]) & ((t - first[None, :]) % per_year == 0)
            ],
            drift=np.asarray(scenario.drift, dtype=float)[cols],
            exposure=exposure[cols],
        )


@dataclass(frozen=True)
class _Context:
    arr0: np.ndarray  # layout order
    base: _Variant
    changes: list[_Change]
    top_index: np.ndarray  # columns of today's 10 largest accounts
    seed: int
    periods: int
    paths: int
    treatment: TreatmentDraws
    contract_ramp: np.ndarray  # (T+1,) :func:`contract_year_ramp`
    per_year: int  # periods per year
    layout: _Layout


def _streams(ctx: _Context, blocks: range, first: int) -> list[tuple]:
    """(generator, first row) per block of the chunk: the block's own PCG64 stream."""
    return [
        (
            np.random.Generator(np.random.PCG64(np.random.SeedSequence(ctx.seed, spawn_key=(block,)))),
            block * BLOCK_PATHS - first,
        )
        for block in blocks
    ]


def _normals(streams: list[tuple], out: np.ndarray) -> None:
    """Fill ``out`` (whole blocks of rows, the chunk's first) with standard normals in
    antithetic pairs: each block draws its first BLOCK_PATHS / 2 rows, and row 32 + k is minus
    row k. A block always draws all its rows, so a path's numbers never depend on how many
    paths are run (rows past the last path are drawn and dropped)."""
    half = BLOCK_PATHS // 2
    for rng, lo in streams:
        rng.standard_normal(out=out[lo : lo + half], dtype=F32)
        np.negative(out[lo : lo + half], out=out[lo + half : lo + BLOCK_PATHS])


def antithetic_partner(paths: int) -> np.ndarray:
    """Each path's antithetic partner: in every block of 64, k ↔ 32 + k (itself when the
    partner is past the last path: a run whose last block is short has unpaired paths)."""
    index = np.arange(paths)
    partner = index ^ (BLOCK_PATHS // 2)
    return np.where(partner < paths, partner, index)


def churn_draws(
    churn_own: np.ndarray,
    market_years: np.ndarray,
    own: np.ndarray,
    loading: np.ndarray,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """y_{i,p,y} = a_i·F_{p,y} + √(1 − a_i²)·η_{i,p,y}, (rows, years, n) float32 (in ``out``
    when given, which may be ``churn_own`` itself)."""
    y = np.multiply(churn_own, own, out=out)
    for year in range(y.shape[1]):
        y[:, year] += np.multiply.outer(market_years[:, year], loading)
    return y


def _simulate_chunk(ctx: _Context, blocks: range, outcomes: list[PathOutcome]) -> None:
    """Paths of ``blocks``: draw, evolve, and write every variant's outcome rows.

    Draws, in each block's stream: the years' markets F (rows, years), the churn draws' own
    parts η (rows, years, N), then at the start of each year the growth draws ε (rows, N). An
    account's ARR changes only in its renewal periods: D ← (1 + r)·D + d + β·F_y + s·ε_y."""
    first = blocks[0] * BLOCK_PATHS
    stop = min((blocks[-1] + 1) * BLOCK_PATHS, ctx.paths)
    span = len(blocks) * BLOCK_PATHS  # rows drawn (the last block's unused rows are dropped)
    rows, n, periods, per_year = stop - first, len(ctx.arr0), ctx.periods, ctx.per_year
    years = math.ceil(periods / per_year)
    streams = _streams(ctx, blocks, first)
    market_years = np.empty((span, years), F32)
    _normals(streams, market_years)
    churn_own = np.empty((span, years, n), F32)
    _normals(streams, churn_own)
    market_years, churn_own = market_years[:rows], churn_own[:rows]
    base, layout = ctx.base, ctx.layout
    shared: dict[tuple, np.ndarray] = {}  # the scenario variants' limits, computed once
    changed = [
        _ChangeState.start(c, churn_own, market_years, ctx.treatment, first, stop, shared)
        for c in ctx.changes
    ]
    base_draws = churn_draws(churn_own, market_years, base.churn_own, base.churn_market, out=churn_own)
    for outcome in outcomes:
        outcome.market[first:stop] = market_years

    arr0 = ctx.arr0.astype(F32)
    log_growth = np.zeros((rows, n), F32)  # D_i(t)
    value = np.broadcast_to(arr0, (rows, n)).copy()  # ARR_i(0)·e^{D_i(t)}, churn aside
    active = np.ones((rows, n), F32)  # 1 while the account is active
    alive = None if layout.all_known else np.ones((rows, n), F32)  # active at the year's start
    current = value.copy()  # ARR_i(t): value × active
    year_start = current.copy()  # ARR_i at the last year end
    drawn = np.empty((span, n), F32)
    shock = np.empty((rows, n), F32)  # d + β·F + s·ε for the current year
    passed = np.empty((rows, n), bool)
    rows_of = [_Step(outcome, first, stop) for outcome in outcomes]
    step = rows_of[0]
    for t in range(1, periods + 1):
        year = (t - 1) // per_year
        if (t - 1) % per_year == 0:  # the year's growth draws, and every account's shock
            _normals(streams, drawn)
            own = [drawn[:rows, c.columns] for c in ctx.changes]  # the scenarios' own ε
            _shock(base, shock, drawn[:rows], market_years[:, year])
        renewing = layout.renewing[t]
        _renew(base, renewing, log_growth, value, shock, arr0)
        cols = renewing if alive is None else slice(None)  # where churn can happen at t
        np.greater_equal(base_draws[:, year, cols], base.churn_threshold[t, cols], out=passed[:, cols])
        before = active if alive is None else alive
        np.multiply(passed[:, cols], before[:, cols], out=active[:, cols])
        np.multiply(value[:, cols], active[:, cols], out=current[:, cols])
        step.totals[:, t] = current.sum(axis=1)
        step.active_arr[:, t] = _row_dot(active, arr0)
        year_end = t // per_year - 1 if t % per_year == 0 else None
        if year_end is not None:
            step.retained_years[:, year_end] = np.minimum(current, year_start).sum(axis=1)
        top = _top_candidates(current, ctx) if t == periods else None
        if top is not None:
            _horizon(ctx, current, active, top, step)
        for change, state, rows_out, eps in zip(ctx.changes, changed, rows_of[1:], own, strict=True):
            draws = (eps, market_years[:, year])
            _advance(ctx, change, state, rows_out, step, t, year_end, draws, (current, active), top)
        if t % per_year == 0:  # a year ends: its survivors start the next
            if alive is not None:
                alive[:] = active
            year_start = current.copy()
    for outcome in outcomes:
        outcome.totals[first:stop, 0] = ctx.arr0.sum()
        outcome.active_arr[first:stop, 0] = ctx.arr0.sum()


def _shock(variant: _Variant, out: np.ndarray, own: np.ndarray, market: np.ndarray) -> None:
    """A year's log-growth step per account-path, out = d + β·F + s·ε (``own``: ε, ``market``:
    the year's F per path); with one market loading β·F is one number per path."""
    np.multiply(own, variant.own, out=out)
    out += variant.drift
    if variant.common_market is not None:
        out += (market * variant.common_market)[:, None]
    else:
        out += market[:, None] * variant.market


def _renew(variant: _Variant, cols: slice, log_growth, value, shock, arr0) -> None:
    """The accounts renewing now (``cols``): D ← (1 + r)·D + shock, ARR = ARR(0)·e^D."""
    if cols.stop <= cols.start:
        return
    d = log_growth[:, cols]
    if variant.reversion is not None:
        d *= variant.reversion[cols]
    d += shock[:, cols]
    np.exp(d, out=value[:, cols])
    value[:, cols] *= arr0[cols]


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
    draws: tuple,
    baseline: tuple,
    top: tuple | None,
) -> None:
    """A scenario at period t: the baseline's figures with its changed accounts swapped in.
    ``draws``: this year's growth draws and market; ``baseline``: the baseline's ARR and
    activity per account at t."""
    own, market = draws
    current, active = baseline
    cols = change.columns
    sub_ending, sub_active = state.step(change, own, market, t, ctx)
    base_cols = current[:, cols]
    rows.totals[:, t] = base.totals[:, t] - base_cols.sum(axis=1) + sub_ending.sum(axis=1)
    rows.active_arr[:, t] = (
        base.active_arr[:, t] - _row_dot(active[:, cols], state.arr0) + _row_dot(sub_active, state.arr0)
    )
    if year is not None:
        rows.retained_years[:, year] = (
            base.retained_years[:, year]
            - np.minimum(base_cols, state.base_year_start).sum(axis=1)
            + np.minimum(sub_ending, state.year_start).sum(axis=1)
        )
        state.year_start, state.base_year_start = sub_ending, base_cols
    if top is not None:
        _changed_horizon(ctx, change, rows, base, top, (base_cols, sub_ending, sub_active, active))


class _ChangeState:
    """A scenario's changed accounts along one chunk of paths: log growth, the hazard since
    the year's start and the year's limit.

    limit = −ln Φ(−y) per account-path and year: the account is active while its cumulative
    hazard in the year Λ ≤ limit, which is y ≥ Φ⁻¹(1 − e^(−Λ)) on the baseline's own draw y.
    """

    def __init__(self, limits, log_hr, uplift, arr0) -> None:
        self.limits = limits  # (rows, years, n)
        self.log_hr, self.uplift = log_hr, uplift  # (rows, 1) each
        shape = limits.shape[0], limits.shape[2]
        self.cum_hazard = np.zeros(shape)
        self.log_growth = np.zeros(shape, F32)
        self.value = np.broadcast_to(arr0.astype(F32), shape).copy()  # ARR(0)·e^D, churn aside
        self.alive = np.ones(shape, bool)
        self.arr0 = arr0.astype(F32)
        self.year_start = np.broadcast_to(self.arr0, shape).copy()
        self.base_year_start = self.year_start.copy()
        self._ramp: float | None = None
        self._ratio: np.ndarray = np.empty(0)

    @classmethod
    def start(
        cls,
        change: _Change,
        churn_own,
        market_years,
        treatment: TreatmentDraws,
        first: int,
        stop: int,
        shared: dict[tuple, np.ndarray],
    ) -> _ChangeState:
        """The state at t = 0. ``shared``: limits already computed in this chunk, by columns and
        churn loadings (a scenario's two variants change the same accounts: computed once)."""
        key = tuple(a.tobytes() for a in (change.columns, change.churn_own, change.churn_market))
        if key not in shared:
            own = churn_own[:, :, change.columns]  # the chunk's draws η, all accounts
            y = churn_draws(own, market_years, change.churn_own, change.churn_market).astype(float)
            shared[key] = -log_ndtr(-y)
        return cls(
            shared[key],
            treatment.log_hazard_ratio[first:stop, None],
            treatment.uplift[first:stop, None],
            change.arr0,
        )

    def _hazard_ratio(self, change: _Change, ramp: float) -> np.ndarray:
        """HR^(e·r) per account-path; the same at the same ramp, so computed once per value."""
        if ramp != self._ramp:
            self._ratio = np.exp(self.log_hr * (change.exposure[None, :] * ramp))
            self._ramp = ramp
        return self._ratio

    def step(self, change: _Change, own, market, t: int, ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
        """Advance one period; returns the changed accounts' ARR (0 when churned) and activity
        (float32 0/1). At a renewal: D ← (1 + r)·D + d + u·e·r̄(t) + β·F + s·ε, r̄ the ramp over
        the contract year (:func:`contract_year_ramp`)."""
        year_index, per_year = (t - 1) // ctx.per_year, ctx.per_year
        if (t - 1) % per_year == 0:
            self.cum_hazard[:] = 0.0
        self.cum_hazard += change.hazard_step[t][None, :] * self._hazard_ratio(change, ctx.treatment.ramp[t])
        cols = change.renewing[t]  # the changed accounts renewing now
        if len(cols):
            grown = self.log_growth[:, cols]
            if change.reversion is not None:
                grown *= change.reversion[cols]
            grown += (change.drift[cols] + change.exposure[cols] * ctx.contract_ramp[t] * self.uplift).astype(
                F32
            )
            grown += own[:, cols] * change.own[cols]
            grown += market[:, None] * change.market[cols]
            self.log_growth[:, cols] = grown
            self.value[:, cols] = np.exp(grown) * self.arr0[cols]
        active = (self.cum_hazard <= self.limits[:, year_index]) & self.alive
        if t % per_year == 0:
            self.alive = active
        active_f = active.astype(F32)
        return self.value * active_f, active_f


def _row_dot(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_j matrix[:, j]·weights[j] per row. einsum's loop sums each row the same way whatever
    the number of rows; BLAS (``@``) does not, which would tie results to the chunk size."""
    return np.einsum("ij,j->i", matrix, weights)


def _top_candidates(ending: np.ndarray, ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
    """Per path, the columns and ARR of the largest 10 + c accounts at the horizon (c: the
    most accounts a scenario changes), enough for every variant's top 10: at most c of them
    differ in a scenario, so its 10 largest unchanged accounts are among them."""
    n = ending.shape[1]
    if not ctx.changes:
        top = min(TOP_ACCOUNTS, n)
        return np.empty((len(ending), 0), np.int64), np.partition(ending, n - top, axis=1)[:, n - top :]
    k = min(n, TOP_ACCOUNTS + max(len(c.columns) for c in ctx.changes))
    index = np.argpartition(ending, n - k, axis=1)[:, n - k :]
    return index, np.take_along_axis(ending, index, axis=1)


def _top_share(largest: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Share of ending ARR in the 10 largest values of ``largest`` per path."""
    top = min(TOP_ACCOUNTS, largest.shape[1])
    biggest = np.partition(largest, largest.shape[1] - top, axis=1)[:, -top:].sum(axis=1)
    share = np.divide(biggest, total, out=np.zeros_like(total), where=total > 0)
    return np.minimum(share, 1)  # float32 sums can give 1.0000001


def _horizon(ctx: _Context, ending, active, top: tuple, rows: _Step) -> None:
    """The baseline's per-path horizon figures from each account's ending ARR (0 when churned)."""
    outcome, first, stop = rows.outcome, rows.first, rows.stop
    arr0 = ctx.arr0.astype(F32)
    outcome.retained[first:stop] = np.minimum(ending, arr0).sum(axis=1)
    outcome.churned_arr[first:stop] = _row_dot(1 - active, arr0)  # exactly 0 when none churned
    outcome.top_share[first:stop] = _top_share(top[1], ending.sum(axis=1))
    outcome.lost_top[first:stop] = ~(active[:, ctx.top_index] > 0).all(axis=1)


def _changed_horizon(ctx: _Context, change: _Change, rows: _Step, base: _Step, top: tuple, figures) -> None:
    """A scenario's horizon figures: the baseline's with its changed accounts swapped in. The
    top-10 share looks only at the baseline's largest 10 + c accounts (:func:`_top_candidates`)
    with the changed ones replaced by their scenario ARR."""
    base_cols, sub_ending, sub_active, active = figures
    outcome, first, stop, periods = rows.outcome, rows.first, rows.stop, ctx.periods
    cols, arr0 = change.columns, change.arr0.astype(F32)
    outcome.retained[first:stop] = (
        base.outcome.retained[first:stop]
        - np.minimum(base_cols, arr0).sum(axis=1)
        + np.minimum(sub_ending, arr0).sum(axis=1)
    )
    outcome.churned_arr[first:stop] = (
        base.outcome.churned_arr[first:stop]
        - _row_dot(1 - active[:, cols], arr0)
        + _row_dot(1 - sub_active, arr0)
    )
    index, values = top
    unchanged = np.where(np.isin(index, cols), F32(0), values)
    total = rows.totals[:, periods]
    outcome.top_share[first:stop] = _top_share(np.concatenate([unchanged, sub_ending], axis=1), total)
    top_active = active[:, ctx.top_index] > 0
    where = np.minimum(np.searchsorted(cols, ctx.top_index), max(len(cols) - 1, 0))
    inside = (cols[where] == ctx.top_index) if len(cols) else np.zeros(len(ctx.top_index), bool)
    top_active[:, inside] = sub_active[:, where[inside]] > 0
    outcome.lost_top[first:stop] = ~top_active.all(axis=1)
