"""Fit the per-tier assumptions to the uploaded data, where it has a prior-year ARR.

The cohort is the accounts with ``arr_prior`` > 0, each in the tier it was in a year ago
(``start_tier``, the scorecard on ``arr_prior``). The size model
(:mod:`simulation.size_model`) fits churn (logistic in ln prior ARR with tier intercepts) and
growth (robust regression of log growth on ln prior ARR with tier intercepts; the slope is
the reversion) with small tiers shrunk toward the pooled fit. Each tier's summary figures are
then checked against plausibility bounds (:data:`BOUNDS`, :data:`MIN_ACCOUNTS`): a figure
outside them is not used; it falls back to the pooled estimate if that is inside, else to the
default, and a warning names the figure, its value, the bound and the fallback. A figure that
falls back is a tier-level figure (no size terms for it). Explicit assumptions (``--assumptions``,
the Simulator's grid) are validated but never bounded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from portfolio.analysis import PortfolioAnalysis, has_prior
from portfolio.formatting import percent
from portfolio.ingest.history import quarters_of
from portfolio.quarters import QuarterlyRevenue
from portfolio.schema import TIERS
from portfolio.tiers import tier_accounts
from portfolio.trends import arr_at, arr_points, billing_kind, nrr_series
from simulation.assumptions import Assumptions, TierAssumption
from simulation.engine import own_nrr_sd
from simulation.model import account_params, simulation_accounts
from simulation.size_model import REVERSION_MIN, SizeFit, SizeModel, TierTerms, fit_size_model
from simulation.treatment import TreatmentEffect, estimate_treatment

MIN_ACCOUNTS = 30
"""A tier's own fit needs this many accounts with prior ARR (else the pooled fit is used)."""
MAX_ABS_DRIFT = 0.60
"""|drift| above 60%/yr of log-growth for a whole tier is not a plausible steady state."""
MAX_VOLATILITY = 1.00
"""σ above 100%/yr: the revenue is not a subscription-like stream."""
MAX_CHURN = 0.80
"""Annual churn above 80%."""
MAX_ABS_CHURN_SLOPE = 2.0
"""|β| above 2 (odds of churn × e² per e-fold of ARR) is not a plausible size effect."""
TRANSACTIONAL_WARNING = (
    "This file is order (transactional) revenue, not subscriptions: the churn/expansion model "
    "fits it loosely; treat bands as indicative"
)


ORDER_DRIFT_NOTE = "drift at the typical size (order data; each account's by its size)"
"""The tier note of order data's calibrated drift (:data:`TRANSACTIONAL_RANGE`)."""


def _per_year(drift: float) -> str:
    return f"{drift:+.1%}/yr"


@dataclass(frozen=True)
class _Bound:
    label: str
    ok: Callable[[float], bool]
    text: str
    shown: Callable[[float], str]


@dataclass(frozen=True)
class PlausibleRange:
    """The plausibility bounds of fitted tier figures for one kind of data.

    ``max_abs_drift`` (annual log growth), ``max_volatility`` (annual σ), ``max_churn``
    (annual probability), ``reversion_min`` (the most negative slope of log growth on ln prior
    ARR used); ``drift_at_centre``: the drift bound applies to the drift at the cohort's typical
    size (its mean ln prior ARR) rather than to the tier's mean drift, because with strong
    regression to the mean a tier of the largest buyers rightly expects a large fall."""

    max_abs_drift: float
    max_volatility: float
    max_churn: float
    reversion_min: float
    drift_at_centre: bool = False


SUBSCRIPTION_RANGE = PlausibleRange(MAX_ABS_DRIFT, MAX_VOLATILITY, MAX_CHURN, REVERSION_MIN)
"""Subscriptions: a steady state drifts at most ±60%/yr, σ ≤ 100%/yr, reversion ≥ −0.6."""
TRANSACTIONAL_RANGE = PlausibleRange(MAX_ABS_DRIFT, 2.50, MAX_CHURN, -1.0, drift_at_centre=True)
"""Order data: a buyer's next-year spend may be independent of this year's (reversion −1:
measured −0.84 to −1.14 on both order exports) and vary by a factor e^σ with σ up to 250%
(measured 55–83% on SaaS-Sales, 134–160% on Superstore, with the reversion fitted freely)."""


def _bounds(limits: PlausibleRange) -> dict[str, _Bound]:
    """The plausibility bound of each tier figure: label, test, description, formatting."""
    return {
        "annual_churn": _Bound(
            "churn", lambda v: 0 <= v <= limits.max_churn, f"at most {limits.max_churn:.0%}", percent
        ),
        "expansion_drift": _Bound(
            "drift at the typical size" if limits.drift_at_centre else "drift",
            lambda v: abs(v) <= limits.max_abs_drift,
            f"within ±{limits.max_abs_drift:.0%}/yr",
            lambda v: f"{v:+.1%}/yr",
        ),
        "volatility": _Bound(
            "volatility",
            lambda v: 0 <= v <= limits.max_volatility,
            f"at most {limits.max_volatility:.0%}",
            percent,
        ),
    }


BOUNDS = _bounds(SUBSCRIPTION_RANGE)
"""The subscription bounds of each tier figure (see :func:`_bounds`)."""


def starting_assumptions(analysis: PortfolioAnalysis, *, start_arr: pd.Series | None = None) -> Assumptions:
    """Calibrated on the analysed data where it has prior-year ARR (tiers at the start of the
    period), else the defaults. Data from a revenue history that does not bill like
    subscriptions (:func:`portfolio.trends.billing_kind`: order revenue) gets the transactional
    warning; a history long enough for two years of quarterly NRR also calibrates the portfolio
    NRR volatility (:func:`calibrate_nrr_volatility`). ``start_arr``: the ARR the simulation
    starts from when it is not today's ``arr`` (the in-sample back-test starts from
    ``arr_prior``); the order model centres on its typical account."""
    accounts = analysis.accounts
    quarters = quarters_of(accounts)
    transactional = quarters is not None and not billing_kind(quarters)[0]
    if not has_prior(accounts):
        assumptions = Assumptions(warnings=(TRANSACTIONAL_WARNING,) if transactional else ())
    elif transactional and quarters is not None:
        assumptions = calibrate_order_years(analysis, quarters, start_arr=start_arr)
    else:
        assumptions = calibrate(
            accounts["arr"], accounts["arr_prior"], analysis.tiers.start_tier, transactional=transactional
        )
    total = calibrate_nrr_volatility(nrr_series(quarters)) if quarters is not None else None
    if total is None:
        return assumptions
    if total > PLAUSIBLE_NRR_VOLATILITY:
        warning = (
            f"portfolio NRR volatility {total * 100:.1f} points a year from the history is "
            f"outside the plausible range (at most {PLAUSIBLE_NRR_VOLATILITY * 100:g}); the assumed "
            f"{assumptions.nrr_volatility * 100:g} points are used"
        )
        return replace(assumptions, warnings=(*assumptions.warnings, warning))
    market, own = market_part(total, analysis, assumptions)
    if market == 0.0:
        warning = (
            f"the accounts' own luck alone swings portfolio NRR by {own * 100:.1f} points a year, "
            f"more than the history's {total * 100:.1f}, so the history cannot measure the market's "
            f"part; the assumed {assumptions.nrr_volatility * 100:g} points are used"
        )
        return replace(assumptions, warnings=(*assumptions.warnings, warning))
    return replace(assumptions, nrr_volatility=market, nrr_volatility_source="calibrated")


def order_years(
    quarters: QuarterlyRevenue, analysis: PortfolioAnalysis
) -> tuple[pd.DataFrame, list[pd.Timestamp]]:
    """Every full year pair of a revenue history, stacked: one row per account and year with
    revenue in the year before it (columns ``arr``, ``arr_prior``, ``start_tier``), and the
    years' ends (latest first).

    The years end at the as-of date (always, as the accounts' own ``arr_prior`` does), then 12,
    24 … months before it as long as the year before each is covered by the history
    (:func:`portfolio.trends.arr_points`). Each year's amounts
    are divided by e^(mean ln prior ARR) of its cohort, so that every year's sizes are
    relative to its own typical account (growth ratios are unchanged); the start tier is the
    scorecard on that year's prior ARR with the analysis' weights and thresholds."""
    covered = set(arr_points(quarters))
    keep = quarters.rows_among(analysis.accounts["account_id"])
    ids = pd.Series(quarters.account_ids[keep], dtype=object)
    frames, ends = [], []
    last = len(quarters.ends) - 1
    for j in range(last, 6, -4):
        if j != last and j - 4 not in covered:  # the latest year is the accounts' own arr_prior
            break
        arr, prior = arr_at(quarters, j)[keep], arr_at(quarters, j - 4)[keep]
        year = pd.DataFrame({"account_id": ids, "arr": arr, "arr_prior": prior})
        year = year[prior > 0].reset_index(drop=True)
        if year.empty:  # no account of the analysis bought in the year before
            break
        scale = math.exp(np.log(year["arr_prior"]).mean())
        tiers = tier_accounts(year, analysis.tiers.weights, analysis.tiers.thresholds)
        year["start_tier"] = tiers.start_tier.to_numpy()
        year[["arr", "arr_prior"]] /= scale
        frames.append(year)
        ends.append(quarters.ends[j])
    if not frames:
        return pd.DataFrame(columns=["account_id", "arr", "arr_prior", "start_tier"]), ends
    return pd.concat(frames, ignore_index=True), ends


def calibrate_order_years(
    analysis: PortfolioAnalysis, quarters: QuarterlyRevenue, *, start_arr: pd.Series | None = None
) -> Assumptions:
    """The transactional model, fitted on all full years of an order history pooled.

    For order revenue "churn" is a year without a purchase and a buyer's spend next year is
    log-normal around the book's typical spend (reversion down to −1: independent of this
    year's spend). Each year's sizes are taken relative to its cohort's typical account
    (:func:`order_years`), so the fit gives the growth of the typical account, g, and the
    regression toward it; the size model's centre is then today's typical account (mean ln ARR
    of today's accounts with ARR), so that account grows by g and every account regresses
    toward today's book, not last year's (``start_arr``: the ARR the simulation starts from,
    default today's ``arr``). Bounds: :data:`TRANSACTIONAL_RANGE`."""
    years, ends = order_years(quarters, analysis)
    if not ends:  # nothing to pool: the accounts' own year
        accounts = analysis.accounts
        return calibrate(
            accounts["arr"], accounts["arr_prior"], analysis.tiers.start_tier, transactional=True
        )
    assumptions = calibrate(years["arr"], years["arr_prior"], years["start_tier"], transactional=True)
    arr = (analysis.accounts["arr"] if start_arr is None else start_arr).fillna(0).astype(float)
    note = (
        f"Order data: calibrated on {len(ends)} year(s) of the history pooled (years to "
        f"{', '.join(f'{end:%Y-%m-%d}' for end in reversed(ends))}; {len(years):,} account-years)"
    )
    size = assumptions.size
    if size is not None and (arr > 0).any():
        size = replace(size, centre=float(np.log(arr[arr > 0]).mean()))
    return replace(assumptions, size=size, warnings=(*assumptions.warnings, note))


def market_part(total: float, analysis: PortfolioAnalysis, assumptions: Assumptions) -> tuple[float, float]:
    """The market's part of a portfolio NRR volatility measured in total (fraction a year),
    √(max(0, total² − own²)), and ``own``: the spread the accounts' own luck gives under
    ``assumptions`` (:func:`simulation.engine.own_nrr_sd`), which the simulation adds by itself."""
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier)
    arr = frame["arr"].to_numpy(dtype=float)
    own = own_nrr_sd(arr, account_params(frame["tier"].to_numpy(dtype=object), assumptions, arr))
    return math.sqrt(max(0.0, total**2 - own**2)), own


def starting_treatment(analysis: PortfolioAnalysis) -> TreatmentEffect:
    """The strategic treatment effect estimated on the analysed data (assigned tiers, prior ARR
    and, with a scorecard, the score), or the assumed one where the data cannot identify it."""
    accounts = analysis.accounts
    if not has_prior(accounts):
        return estimate_treatment(accounts, None)
    # the score at the start of the period (on prior ARR): the current one would be computed
    # from the outcome (a churned account's revenue score is 0)
    score = None if analysis.tiers.revenue_only else analysis.tiers.start_score
    return estimate_treatment(accounts, accounts.get("assigned_tier"), score)


def calibrate(
    arr: pd.Series,
    arr_prior: pd.Series,
    start_tier: pd.Series,
    base: Assumptions | None = None,
    *,
    transactional: bool = False,
) -> Assumptions:
    """Assumptions fitted by the size model per start tier, within the plausibility bounds.

    ``arr``/``arr_prior``: ARR now and a year ago (currency per year); ``start_tier``: the tier
    a year ago; ``base``: the fallback figures (defaults when None); ``transactional``: the
    data is order revenue (adds :data:`TRANSACTIONAL_WARNING`).
    """
    base = base or Assumptions()
    warnings = [TRANSACTIONAL_WARNING] if transactional else []
    limits = TRANSACTIONAL_RANGE if transactional else SUBSCRIPTION_RANGE
    prior = arr_prior.fillna(0).astype(float)
    cohort = int(((prior > 0) & start_tier.notna()).sum())
    fit = (
        fit_size_model(
            arr,
            arr_prior,
            start_tier,
            reversion_min=limits.reversion_min,
            tier_slopes=not transactional,
        )
        if cohort >= MIN_ACCOUNTS
        else None
    )
    if fit is None:
        note = (
            f"{cohort} account(s) with prior ARR; at least {MIN_ACCOUNTS} are needed to calibrate, "
            "so the default figures are used"
        )
        tiers = {t: _fallback(base.tiers[t], note) for t in TIERS}
        return replace(base, tiers=tiers, size=None, warnings=tuple(warnings))
    model = fit.model
    terms, tiers = {}, {}
    slope_ok = abs(model.churn_slope) <= MAX_ABS_CHURN_SLOPE
    if not slope_ok:
        warnings.append(
            f"churn size slope {model.churn_slope:+.2f} per unit ln ARR is outside ±{MAX_ABS_CHURN_SLOPE:g}; "
            "churn is taken as independent of size within each tier"
        )
    # not for rounding noise around 0, nor for a slope within 2 s.e. of the range
    margin = max(1e-9, 2 * model.reversion_se) if math.isfinite(model.reversion_se) else 1e-9
    if _outside(model.reversion, limits.reversion_min, 0.0, margin):
        used = min(max(model.reversion, limits.reversion_min), 0.0)
        warnings.append(
            f"reversion (slope of log growth on ln prior ARR) {model.reversion:+.2f} is outside "
            f"[{limits.reversion_min:g}, 0]; {used:+.2f} is used"
        )
    for tier in TIERS:
        if tier not in model.terms:
            note = "no account with prior ARR started in this tier, so the default figures are used"
            tiers[tier] = _fallback(base.tiers[tier], note)
            continue
        tiers[tier], tier_terms, tier_warnings = _bounded(tier, fit, base.tiers[tier], slope_ok, limits)
        if limits.drift_at_centre and tier_terms is not None:
            note = "; ".join(filter(None, (tiers[tier].note, ORDER_DRIFT_NOTE)))
            tiers[tier] = replace(tiers[tier], note=note)
        warnings += tier_warnings
        if tier_terms is not None:
            terms[tier] = tier_terms
    size = SizeModel(
        model.centre, terms, model.churn_slope, model.churn_slope_se, model.reversion, model.reversion_se
    )
    return replace(base, tiers=tiers, size=size, warnings=tuple(warnings))


def _fallback(default: TierAssumption, note: str) -> TierAssumption:
    return TierAssumption(
        default.annual_churn, default.expansion_drift, default.volatility, default.source, 0, note
    )


def _outside(value: float, low: float, high: float, margin: float) -> bool:
    """value lies outside [low − margin, high + margin]."""
    return not low - margin <= value <= high + margin


def _bounded(
    tier: str,
    fit: SizeFit,
    default: TierAssumption,
    slope_ok: bool,
    limits: PlausibleRange = SUBSCRIPTION_RANGE,
) -> tuple[TierAssumption, TierTerms | None, list[str]]:
    """The tier's figures and size terms after the plausibility bounds, with the warnings.

    Each figure is the tier's own fit, or the pooled fit's figure for the tier's accounts when
    the tier has fewer than :data:`MIN_ACCOUNTS`. Volatility, drift and churn are then checked
    in that order; one outside its bound is replaced by the pooled figure if that is inside
    (and not already used), else by the default. When σ changes the drift keeps the fitted
    expected growth e^(d + σ²/2). A replaced figure is tier-level (no size slope), except that
    order data (``limits.drift_at_centre``) keeps the common reversion whatever the drift's
    source (buyers regress toward the book whatever their tier); a tier whose figures are all
    defaults has no size terms. With ``limits.drift_at_centre`` the drift
    checked is the fit's drift at the cohort's centre size (the tier's mean drift less its size
    part)."""
    bounds = _bounds(limits)
    terms, n = fit.model.terms[tier], fit.accounts[tier]
    pooled = dict(zip(bounds, fit.pooled[tier], strict=True))
    # the size part of each kind's mean drift (what the drift at the centre leaves out)
    size_part = {
        "own": fit.drift[tier] - terms.growth,
        "pooled": fit.pooled[tier][1] - fit.pooled_centre_drift,
    }
    size_part = {k: v if limits.drift_at_centre else 0.0 for k, v in size_part.items()} | {"default": 0.0}
    value = {
        "annual_churn": fit.churn[tier],
        "expansion_drift": fit.drift[tier],
        "volatility": fit.volatility[tier],
    }
    kind = dict.fromkeys(bounds, "own")
    warnings, notes = [], []
    if n < MIN_ACCOUNTS:
        value, kind = dict(pooled), dict.fromkeys(bounds, "pooled")
        warnings.append(
            f"{tier}: {n} account(s) with prior ARR, fewer than {MIN_ACCOUNTS}; the pooled fit "
            "(all tiers, at this tier's size) is used"
        )
        notes.append(f"pooled fit (only {n} accounts)")
    pooled["expansion_drift"] += (pooled["volatility"] ** 2 - value["volatility"] ** 2) / 2
    for name in ("volatility", "expansion_drift", "annual_churn"):
        bound = bounds[name]
        checked = value[name] - (size_part[kind[name]] if name == "expansion_drift" else 0.0)
        if bound.ok(checked):
            continue
        alternative = pooled[name] - (size_part["pooled"] if name == "expansion_drift" else 0.0)
        use_pooled = kind[name] == "own" and bound.ok(alternative)
        new = pooled[name] if use_pooled else getattr(default, name)
        shown_new = alternative if use_pooled else new
        what = "the pooled estimate" if use_pooled else f"the {default.source} figure"
        warnings.append(
            f"{tier}: fitted {bound.label} {bound.shown(checked)} is outside the plausible "
            f"range ({bound.text}); {what} {bound.shown(shown_new)} is used"
        )
        notes.append(f"{bound.label} {bound.shown(checked)} out of bounds, {bound.shown(shown_new)} used")
        if name == "volatility":  # keep the expected growth e^(d + σ²/2) of the fit
            value["expansion_drift"] += (value["volatility"] ** 2 - new**2) / 2
            pooled["expansion_drift"] += (value["volatility"] ** 2 - new**2) / 2
        value[name], kind[name] = new, "pooled" if use_pooled else "default"
    calibrated = any(k != "default" for k in kind.values())
    source = "calibrated" if calibrated else default.source
    # order data: the tier's drift is stated at the typical size (its mean drift is mostly the
    # regression of its buyers toward the book's typical spend, −3.5/yr for Superstore's largest)
    level = value["expansion_drift"] - size_part[kind["expansion_drift"]]
    figure = TierAssumption(value["annual_churn"], level, value["volatility"], source, n, "; ".join(notes))
    if not calibrated:
        return figure, None, warnings
    churn = value["annual_churn"]
    if kind["annual_churn"] == "own" and slope_ok:
        churn_logit, churn_slope = terms.churn_logit, terms.churn_slope
    else:
        churn_logit, churn_slope = math.log(churn / (1 - churn)), 0.0
    slope, slope_se = fit.reversion[tier]
    if kind["expansion_drift"] == "own" and _outside(slope, limits.reversion_min, 0.0, 2 * slope_se):
        warnings.append(
            f"{tier}: fitted reversion {slope:+.2f} (s.e. {slope_se:.2f}) is outside "
            f"[{limits.reversion_min:g}, 0]; {terms.reversion:+.2f} is used"
        )
    if kind["expansion_drift"] == "own":  # the fitted size terms, level moved with σ if it changed
        growth, reversion = terms.growth + value["expansion_drift"] - fit.drift[tier], terms.reversion
    elif limits.drift_at_centre:  # order data: pooled or default level, a common slope
        growth = level
        reversion = fit.pooled_reversion if kind["expansion_drift"] == "pooled" else terms.reversion
    else:
        growth, reversion = value["expansion_drift"], 0.0
    return figure, TierTerms(churn_logit, churn_slope, growth, reversion, value["volatility"]), warnings


PLAUSIBLE_NRR_VOLATILITY = 0.30
"""Plausibility bound on a calibrated portfolio NRR volatility (fraction a year: 30 points)."""
MIN_NRR_QUARTERS = 8
"""Quarter ends of trailing-twelve-month NRR needed (two years) to calibrate NRR volatility."""


def calibrate_nrr_volatility(nrr: pd.Series) -> float | None:
    """Portfolio NRR volatility (fraction per year, 0.05 = 5 points) from a revenue history.

    ``nrr``: trailing-twelve-month NRR at consecutive quarter ends
    (:func:`portfolio.trends.nrr_series`); at least two years of them
    (:data:`MIN_NRR_QUARTERS` quarter ends), else None. The estimate is the standard deviation
    of the series around a least-squares linear trend (residual sd with 2 degrees of freedom
    removed): the trend is the business's drift, not risk, and annual changes of overlapping
    TTM values (a quarter apart they share three quarters) would need a correction for their
    autocorrelation that two or three years of data cannot estimate.
    """
    series = nrr.dropna()
    if len(series) < MIN_NRR_QUARTERS:
        return None
    t = np.arange(len(series), dtype=float)
    slope, intercept = np.polyfit(t, series.to_numpy(), 1)
    residual = series.to_numpy() - (intercept + slope * t)
    return float(np.sqrt((residual**2).sum() / (len(series) - 2)))
