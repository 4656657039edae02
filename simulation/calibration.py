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
from portfolio.schema import TIERS
from portfolio.trends import billing_kind, nrr_series
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


def _per_year(drift: float) -> str:
    return f"{drift:+.1%}/yr"


@dataclass(frozen=True)
class _Bound:
    label: str
    ok: Callable[[float], bool]
    text: str
    shown: Callable[[float], str]


BOUNDS = {
    "annual_churn": _Bound("churn", lambda v: 0 <= v <= MAX_CHURN, f"at most {MAX_CHURN:.0%}", percent),
    "expansion_drift": _Bound(
        "drift",
        lambda v: abs(v) <= MAX_ABS_DRIFT,
        f"within ±{MAX_ABS_DRIFT:.0%}/yr",
        lambda v: f"{v:+.1%}/yr",
    ),
    "volatility": _Bound(
        "volatility", lambda v: 0 <= v <= MAX_VOLATILITY, f"at most {MAX_VOLATILITY:.0%}", percent
    ),
}
"""The plausibility bound of each tier figure: label, test, description, formatting."""


def starting_assumptions(analysis: PortfolioAnalysis) -> Assumptions:
    """Calibrated on the analysed data where it has prior-year ARR (tiers at the start of the
    period), else the defaults. Data from a revenue history that does not bill like
    subscriptions (:func:`portfolio.trends.billing_kind`: order revenue) gets the transactional
    warning; a history long enough for two years of quarterly NRR also calibrates the portfolio
    NRR volatility (:func:`calibrate_nrr_volatility`)."""
    accounts = analysis.accounts
    quarters = quarters_of(accounts)
    transactional = quarters is not None and not billing_kind(quarters)[0]
    if not has_prior(accounts):
        assumptions = Assumptions(warnings=(TRANSACTIONAL_WARNING,) if transactional else ())
    else:
        assumptions = calibrate(
            accounts["arr"], accounts["arr_prior"], analysis.tiers.start_tier, transactional=transactional
        )
    total = calibrate_nrr_volatility(nrr_series(quarters)) if quarters is not None else None
    if total is None:
        return assumptions
    if total > MAX_NRR_VOLATILITY:
        warning = (
            f"portfolio NRR volatility {total * 100:.1f} points a year from the history is "
            f"outside the plausible range (at most {MAX_NRR_VOLATILITY * 100:g}); the assumed "
            f"{assumptions.nrr_volatility * 100:g} points are used"
        )
        return replace(assumptions, warnings=(*assumptions.warnings, warning))
    return replace(
        assumptions,
        nrr_volatility=market_part(total, analysis, assumptions),
        nrr_volatility_source="calibrated",
    )


def market_part(total: float, analysis: PortfolioAnalysis, assumptions: Assumptions) -> float:
    """The market's part of a portfolio NRR volatility measured in total (fraction a year):
    √(max(0, total² − own²)), own the spread the accounts' own luck gives under ``assumptions``
    (:func:`simulation.engine.own_nrr_sd`), which the simulation adds by itself."""
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier)
    arr = frame["arr"].to_numpy(dtype=float)
    own = own_nrr_sd(arr, account_params(frame["tier"].to_numpy(dtype=object), assumptions, arr))
    return math.sqrt(max(0.0, total**2 - own**2))


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
    prior = arr_prior.fillna(0).astype(float)
    cohort = int(((prior > 0) & start_tier.notna()).sum())
    fit = fit_size_model(arr, arr_prior, start_tier) if cohort >= MIN_ACCOUNTS else None
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
    if not REVERSION_MIN - 1e-9 <= model.reversion <= 1e-9:  # not for rounding noise around 0
        used = min(max(model.reversion, REVERSION_MIN), 0.0)
        warnings.append(
            f"reversion (slope of log growth on ln prior ARR) {model.reversion:+.2f} is outside "
            f"[{REVERSION_MIN:g}, 0]; {used:+.2f} is used"
        )
    for tier in TIERS:
        if tier not in model.terms:
            note = "no account with prior ARR started in this tier, so the default figures are used"
            tiers[tier] = _fallback(base.tiers[tier], note)
            continue
        tiers[tier], tier_terms, tier_warnings = _bounded(tier, fit, base.tiers[tier], slope_ok)
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
    tier: str, fit: SizeFit, default: TierAssumption, slope_ok: bool
) -> tuple[TierAssumption, TierTerms | None, list[str]]:
    """The tier's figures and size terms after the plausibility bounds, with the warnings.

    Each figure is the tier's own fit, or the pooled fit's figure for the tier's accounts when
    the tier has fewer than :data:`MIN_ACCOUNTS`. Volatility, drift and churn are then checked
    in that order; one outside its bound is replaced by the pooled figure if that is inside
    (and not already used), else by the default. When σ changes the drift keeps the fitted
    expected growth e^(d + σ²/2). A replaced figure is tier-level (no size slope); a tier
    whose figures are all defaults has no size terms."""
    terms, n = fit.model.terms[tier], fit.accounts[tier]
    pooled = dict(zip(BOUNDS, fit.pooled[tier], strict=True))
    value = {
        "annual_churn": fit.churn[tier],
        "expansion_drift": fit.drift[tier],
        "volatility": fit.volatility[tier],
    }
    kind = dict.fromkeys(BOUNDS, "own")
    warnings, notes = [], []
    if n < MIN_ACCOUNTS:
        value, kind = dict(pooled), dict.fromkeys(BOUNDS, "pooled")
        warnings.append(
            f"{tier}: {n} account(s) with prior ARR, fewer than {MIN_ACCOUNTS}; the pooled fit "
            "(all tiers, at this tier's size) is used"
        )
        notes.append(f"pooled fit (only {n} accounts)")
    pooled["expansion_drift"] += (pooled["volatility"] ** 2 - value["volatility"] ** 2) / 2
    for name in ("volatility", "expansion_drift", "annual_churn"):
        bound = BOUNDS[name]
        if bound.ok(value[name]):
            continue
        use_pooled = kind[name] == "own" and bound.ok(pooled[name])
        new = pooled[name] if use_pooled else getattr(default, name)
        what = "the pooled estimate" if use_pooled else f"the {default.source} figure"
        warnings.append(
            f"{tier}: fitted {bound.label} {bound.shown(value[name])} is outside the plausible "
            f"range ({bound.text}); {what} {bound.shown(new)} is used"
        )
        notes.append(f"{bound.label} {bound.shown(value[name])} out of bounds, {bound.shown(new)} used")
        if name == "volatility":  # keep the expected growth e^(d + σ²/2) of the fit
            value["expansion_drift"] += (value["volatility"] ** 2 - new**2) / 2
            pooled["expansion_drift"] += (value["volatility"] ** 2 - new**2) / 2
        value[name], kind[name] = new, "pooled" if use_pooled else "default"
    calibrated = any(k != "default" for k in kind.values())
    source = "calibrated" if calibrated else default.source
    figure = TierAssumption(
        value["annual_churn"], value["expansion_drift"], value["volatility"], source, n, "; ".join(notes)
    )
    if not calibrated:
        return figure, None, warnings
    churn = value["annual_churn"]
    if kind["annual_churn"] == "own" and slope_ok:
        churn_logit, churn_slope = terms.churn_logit, terms.churn_slope
    else:
        churn_logit, churn_slope = math.log(churn / (1 - churn)), 0.0
    slope, slope_se = fit.reversion[tier]
    if kind["expansion_drift"] == "own" and _outside(slope, REVERSION_MIN, 0.0, 2 * slope_se):
        warnings.append(
            f"{tier}: fitted reversion {slope:+.2f} (s.e. {slope_se:.2f}) is outside "
            f"[{REVERSION_MIN:g}, 0]; {terms.reversion:+.2f} is used"
        )
    if kind["expansion_drift"] == "own":  # the fitted size terms, level moved with σ if it changed
        growth, reversion = terms.growth + value["expansion_drift"] - fit.drift[tier], terms.reversion
    else:
        growth, reversion = value["expansion_drift"], 0.0
    return figure, TierTerms(churn_logit, churn_slope, growth, reversion, value["volatility"]), warnings


MAX_NRR_VOLATILITY = 0.30
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
