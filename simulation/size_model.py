"""Churn and growth as functions of account size, with tier terms.

The regressions are :mod:`simulation.regressions`' NumPy IRLS fits, equal to statsmodels' GLM
and RLM (the reference, in the tests) to 1e-6 without importing statsmodels.

Fitted on the cohort of accounts with prior ARR > 0 (x_i = ln prior ARR, c = the cohort's mean
x, so x_i − c is centred; t = the account's start tier):

* **churn**: logistic regression (GLM Binomial, logit link, frequency weights)
  P(churned_i) = expit(α_t + β·(x_i − c)); each tier gets ½ churned and ½ retained
  pseudo-account at x = c (the Jeffreys prior of today's per-tier estimate), so a tier in
  which nobody churned has a finite intercept;
* **growth** of retained accounts: ln(ARR / prior ARR) = a_t + b_t·(x_i − c) + e_i, fitted by
  robust regression (Huber's T, as statsmodels' RLM): order data has accounts that grew 50× and a
  least-squares slope follows them. The slope is the **reversion** (regression to the mean).
  The common slope b (all tiers, with tier intercepts) is reported with its standard error;
  each tier uses its own slope b_t shrunk toward b (weight m / (m + K), below), clipped to
  [:data:`REVERSION_MIN`, 0] (to [−1, 0] for order data, ``reversion_min``, with one common
  slope for every tier, ``tier_slopes=False``): on the UK retailer's file the small accounts regress strongly
  (−0.43) and the large ones not at all (+0.07), and one common slope spread the large
  accounts' drifts and understated their GRR (0.61 against 0.70 observed);
* **volatility** σ_t = 1.4826 · median |e_i − median e| of the tier's residuals (the scaled
  MAD, σ for normal residuals);
* **the mean, not only the median**: a retained account's expected ARR is
  prior·exp(g_t + b·(x − c) + σ_t²/2) under the lognormal, so the growth intercept g_t is set to
  make the tier's predicted total retained ARR equal its observed total in-sample:
  g_t = ln Σ ARR − ln Σ prior·e^{b(x−c)} − σ_t²/2 over the tier's retained accounts (an
  ARR-weighted smearing correction, Duan's idea weighted by prior ARR; NRR is the product of
  this and churn). The robust fit gives the slope and the residuals, not the level.

**Shrinkage** (explicit empirical Bayes with a stated prior weight K = :data:`PRIOR_WEIGHT`
pseudo-accounts): a tier's value moves toward what the *pooled* fit (the same model without
tier terms) gives for the same accounts, by weight n / (n + K) on the tier's own estimate
(n = its accounts for churn, its retained accounts for growth and volatility). The pooled
target for churn is α⁰_t = α₀ + (β₀ − β)·(x̄_t − c) (the pooled logit at the tier's mean size,
as an intercept under the common slope); for growth it is the g⁰_t that gives the tier's
accounts the pooled model's predicted total; volatility shrinks on the variance scale. A tier
with 5 accounts keeps half of its own estimate; one with 300 keeps 98%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.regressions import huber_fit, logit_fit

PRIOR_WEIGHT = 5.0
"""K: the pooled fit counts as this many accounts in each tier's shrunk estimate."""
REVERSION_MIN = -0.6
"""The most negative reversion b used (−0.6: 60% of a log-size gap closes in a year)."""
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class TierTerms:
    """One tier's size model: annual churn expit(churn_logit + churn_slope·(ln ARR − c)),
    drift growth + reversion·(ln ARR − c) (annual log-growth), volatility (annual σ)."""

    churn_logit: float
    churn_slope: float
    growth: float
    reversion: float
    volatility: float

    def churn(self, log_arr: np.ndarray, centre: float) -> np.ndarray:
        """Annual churn probability at ln ARR ``log_arr``."""
        return _expit(self.churn_logit + self.churn_slope * (log_arr - centre))

    def drift(self, log_arr: np.ndarray, centre: float) -> np.ndarray:
        """Annual log-growth drift at ln ARR ``log_arr`` (median growth e^drift)."""
        return self.growth + self.reversion * (log_arr - centre)


@dataclass(frozen=True)
class SizeModel:
    """Per-tier size terms around the centre c = mean ln prior ARR (currency per year).

    ``churn_slope``/``reversion`` (and their standard errors) are the fitted common slopes,
    before any clipping (each tier's ``reversion`` in :attr:`terms` is its own, shrunk and
    clipped).
    """

    centre: float
    terms: dict[str, TierTerms]
    churn_slope: float = 0.0
    churn_slope_se: float = math.nan
    reversion: float = 0.0
    reversion_se: float = math.nan

    def evaluate(self, tier: str, arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(annual churn, drift, volatility, reversion) of accounts of ``tier`` at ARR ``arr``."""
        terms = self.terms[tier]
        log_arr = np.log(np.asarray(arr, dtype=float))
        n = len(log_arr)
        return (
            terms.churn(log_arr, self.centre),
            terms.drift(log_arr, self.centre),
            np.full(n, terms.volatility),
            np.full(n, terms.reversion),
        )


@dataclass(frozen=True)
class SizeFit:
    """The fitted model and, per tier, its raw and pooled values (for bounds and fallbacks).

    Per tier (dicts keyed by tier): ``accounts``/``retained`` counts; ``churn``,
    ``drift``, ``volatility``: the tier's summary figures (mean fitted churn over its cohort,
    mean drift over its retained accounts, σ) from the shrunk model; ``reversion``: the tier's
    shrunk slope before clipping and its standard error; ``pooled``: the three figures from the
    pooled model for the tier's accounts (the fallback).
    """

    model: SizeModel
    accounts: dict[str, int]
    retained: dict[str, int]
    churn: dict[str, float]
    drift: dict[str, float]
    volatility: dict[str, float]
    reversion: dict[str, tuple[float, float]]
    pooled: dict[str, tuple[float, float, float]]
    pooled_centre_drift: float = math.nan
    """The pooled model's drift at the centre c (the typical account's annual log growth)."""
    pooled_reversion: float = 0.0
    """The pooled model's slope b₀ (clipped), which goes with :attr:`pooled_centre_drift`."""


def _expit(z):
    return 1.0 / (1.0 + np.exp(-z))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def shrink(own: float, target: float, n: float, prior_weight: float = PRIOR_WEIGHT) -> float:
    """(n·own + K·target) / (n + K): empirical-Bayes shrinkage with prior weight K."""
    return (n * own + prior_weight * target) / (n + prior_weight)


def fit_size_model(
    arr: pd.Series,
    arr_prior: pd.Series,
    start_tier: pd.Series,
    *,
    prior_weight: float = PRIOR_WEIGHT,
    reversion_min: float = REVERSION_MIN,
    tier_slopes: bool = True,
) -> SizeFit | None:
    """Fit churn and growth on ln prior ARR with tier terms; see the module docstring.

    ``arr``/``arr_prior``: ARR now and a year ago per account (currency per year);
    ``start_tier``: the tier a year ago; ``reversion_min``: the most negative slope used (−1 for
    order data, whose next year's spend is independent of this year's); ``tier_slopes``: each
    tier its own shrunk slope (else every tier the common slope b, as for order data, whose
    buyers regress toward the book's typical spend whatever their tier). Returns None when
    fewer than 2 accounts were retained or none churned and none was retained (nothing to fit).
    """
    prior = arr_prior.fillna(0).astype(float).to_numpy()
    now = arr.fillna(0).astype(float).to_numpy()
    tier_of = start_tier.astype(object).to_numpy()
    cohort = (prior > 0) & pd.notna(tier_of)
    x_all = np.log(prior[cohort])
    now, prior, tier_of = now[cohort], prior[cohort], tier_of[cohort]
    retained = now > 0
    if retained.sum() < 3 or len(x_all) < 3:
        return None
    centre = float(x_all.mean())
    xc = x_all - centre if np.ptp(x_all) > 1e-9 else np.zeros(len(x_all))  # one size: no slope
    tiers = [t for t in pd.unique(tier_of) if retained[tier_of == t].sum() >= 1]
    if not tiers:
        return None

    # --- churn: GLM Binomial with tier intercepts + common slope, Jeffreys pseudo-accounts
    churned = (~retained).astype(float)
    keep = np.isin(tier_of, tiers)
    dummies = np.column_stack([(tier_of[keep] == t).astype(float) for t in tiers])
    pseudo = np.repeat(np.eye(len(tiers)), 2, axis=0)
    y = np.concatenate([churned[keep], np.tile([1.0, 0.0], len(tiers))])
    design = np.column_stack(
        [np.vstack([dummies, pseudo]), np.concatenate([xc[keep], np.zeros(2 * len(tiers))])]
    )
    weights = np.concatenate([np.ones(int(keep.sum())), np.full(2 * len(tiers), 0.5)])
    churn_fit = logit_fit(y, design, weights)
    pooled_design = np.column_stack([np.ones(len(y)), design[:, -1]])
    pooled_churn = logit_fit(y, pooled_design, weights)
    beta, beta_se = float(churn_fit.params[-1]), float(churn_fit.bse[-1])
    alpha0, beta0 = float(pooled_churn.params[0]), float(pooled_churn.params[1])

    # --- growth of retained accounts: Huber RLM with tier intercepts + common slope
    r = retained & keep
    g = np.log(now[r] / prior[r])
    tr, xr = tier_of[r], xc[r]
    rd = np.column_stack([(tr == t).astype(float) for t in tiers])
    growth_fit = huber_fit(g, np.column_stack([rd, xr]))
    b_raw, b_se = float(growth_fit.params[-1]), float(growth_fit.bse[-1])
    pooled_growth = huber_fit(g, np.column_stack([np.ones(len(g)), xr]))
    b0 = float(np.clip(pooled_growth.params[1], reversion_min, 0.0))
    pooled_residual = g - float(pooled_growth.params[0]) - b0 * xr
    sigma0 = _mad_sigma(pooled_residual)
    g0 = math.log(now[r].sum()) - math.log((prior[r] * np.exp(b0 * xr)).sum()) - sigma0**2 / 2

    terms: dict[str, TierTerms] = {}
    out: dict[str, dict] = {
        k: {} for k in ("accounts", "retained", "churn", "drift", "volatility", "reversion", "pooled")
    }
    for i, t in enumerate(tiers):
        in_t, ret_t = tier_of == t, tr == t
        n, m = int(in_t.sum()), int(ret_t.sum())
        x_mean = float(xc[in_t].mean())
        alpha_target = alpha0 + (beta0 - beta) * x_mean
        alpha = shrink(float(churn_fit.params[i]), alpha_target, n, prior_weight)
        b_fit, b_fit_se = (
            _tier_slope(g[ret_t], xr[ret_t], b_raw, b_se, prior_weight) if tier_slopes else (b_raw, b_se)
        )
        b = float(np.clip(b_fit, reversion_min, 0.0))
        residual = g[ret_t] - b * xr[ret_t]
        residual -= huber_fit(residual, np.ones((m, 1))).params[0] if m > 2 else np.median(residual)
        sigma_own = _mad_sigma(residual) if m > 1 else sigma0
        sigma = math.sqrt(shrink(sigma_own**2, sigma0**2, m, prior_weight))
        spread = np.log((prior[r][ret_t] * np.exp(b * xr[ret_t])).sum())
        own = math.log(now[r][ret_t].sum()) - spread - sigma**2 / 2
        pooled_total = (prior[r][ret_t] * np.exp(g0 + b0 * xr[ret_t] + sigma0**2 / 2)).sum()
        target = math.log(pooled_total) - spread - sigma**2 / 2
        growth = shrink(own, target, m, prior_weight)
        terms[t] = TierTerms(alpha, beta, growth, b, sigma)
        out["accounts"][t], out["retained"][t] = n, m
        out["churn"][t] = float(_expit(alpha + beta * xc[in_t]).mean())
        out["drift"][t] = float(growth + b * xr[ret_t].mean())
        out["volatility"][t] = sigma
        out["reversion"][t] = (b_fit, b_fit_se)
        pooled_drift = float(g0 + b0 * xr[ret_t].mean())
        out["pooled"][t] = (float(_expit(alpha0 + beta0 * xc[in_t]).mean()), pooled_drift, sigma0)
    model = SizeModel(centre, terms, beta, beta_se, b_raw, b_se)
    return SizeFit(model, **out, pooled_centre_drift=float(g0), pooled_reversion=b0)


def _tier_slope(
    growth: np.ndarray, x: np.ndarray, common: float, common_se: float, prior_weight: float
) -> tuple[float, float]:
    """The tier's own Huber slope of log growth on x, shrunk toward the common slope by
    w = m / (m + K) (m retained accounts), and its standard error (w·s.e. of its own slope;
    the common slope's without one), before clipping."""
    m = len(growth)
    own, se = common, common_se
    if m >= 3 and np.ptp(x) > 1e-9:
        fit = huber_fit(growth, np.column_stack([np.ones(m), x]))
        own, se = float(fit.params[1]), float(fit.bse[1])
    w = m / (m + prior_weight)
    return shrink(own, common, m, prior_weight), w * se if own is not common else se


def _mad_sigma(residual: np.ndarray) -> float:
    """1.4826 · median |e − median e| (σ for normal residuals)."""
    return float(MAD_TO_SIGMA * np.median(np.abs(residual - np.median(residual))))
