"""The size model's two regressions in NumPy: a weighted logistic GLM and Huber's robust line.

Both follow statsmodels' algorithms step for step (statsmodels stays the reference: the tests
compare estimates and standard errors with ``statsmodels.GLM(..., family=Binomial(),
freq_weights=w)`` and ``statsmodels.RLM(..., M=HuberT()).fit()`` to 1e-6), so that
``portfolio simulate`` need not import statsmodels, whose links import ``scipy.stats``: about
1 s of a 4 s process (see docs/simulation.md, "How the size model is fitted").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_ITERATIONS = 100
"""IRLS iterations at most (the logit converges in under 10, Huber's line in under 30)."""
TOLERANCE = 1e-8
"""Stop when the fit's deviance (the logit's, or Σρ of Huber's) changes by at most this."""
HUBER_T = 1.345
"""Huber's tuning constant: 95% efficiency for normal errors (statsmodels' HuberT default)."""
MAD_NORMAL = 0.6744897501960817
"""Φ⁻¹(3/4): the median of |z| for a standard normal z (MAD → σ)."""
_EPS = np.finfo(float).eps


@dataclass(frozen=True)
class Fit:
    """Estimates ``params`` and their standard errors ``bse`` (one per design column)."""

    params: np.ndarray
    bse: np.ndarray


def logit_fit(y: np.ndarray, design: np.ndarray, weights: np.ndarray) -> Fit:
    """Logistic regression P(y = 1) = 1 / (1 + e^{−Xβ}) with frequency weights w, by IRLS.

    Each step is the weighted least squares of z = Xβ + (y − μ)/(μ(1 − μ)) on X with weights
    w·μ(1 − μ), from μ = (y + ½)/2, until the deviance −2 Σ w·[y ln μ + (1 − y) ln(1 − μ)]
    changes by at most :data:`TOLERANCE`. Standard errors: √diag (X'WX)⁻¹ with the weights of
    the last step (the inverse Fisher information, as statsmodels reports them).
    """
    y, design, weights = (np.asarray(a, dtype=float) for a in (y, design, weights))
    mu = (y + 0.5) / 2
    eta = np.log(mu / (1 - mu))
    deviance = _logit_deviance(y, mu, weights)
    params = np.zeros(design.shape[1])
    w = weights
    for _ in range(MAX_ITERATIONS):
        variance = np.clip(mu, _EPS, 1 - _EPS) * (1 - np.clip(mu, _EPS, 1 - _EPS))
        w = weights * variance
        params = _weighted_lstsq(eta + (y - mu) / variance, design, w)
        eta = design @ params
        mu = 1 / (1 + np.exp(-eta))
        previous, deviance = deviance, _logit_deviance(y, mu, weights)
        if abs(deviance - previous) <= TOLERANCE:
            break
    return Fit(params, _bse(design, w, 1.0))


def huber_fit(y: np.ndarray, design: np.ndarray) -> Fit:
    """Huber's robust regression (M-estimator, t = :data:`HUBER_T`) by IRLS, as statsmodels'
    ``RLM(M=HuberT()).fit()``: start from least squares; each step re-weights observation i by
    min(1, t/|r_i/s|), s = median |r| / Φ⁻¹(¾) (the MAD about 0 of the last step's residuals),
    until Σ ρ(r_i/σ̂) changes by at most :data:`TOLERANCE` (ρ(z) = z²/2 for |z| ≤ t, else
    t|z| − t²/2; σ̂² the weighted residuals' mean square) or 50 steps.

    Standard errors (Huber's "H1"): K² · [Σψ(r/s)² s² / (n − p)] / [Σψ'(r/s)/n]² · (X'X)⁻¹,
    K = 1 + p/n · Var ψ' / (mean ψ')², ψ(z) = clip(z, −t, t), ψ'(z) = 1{|z| ≤ t}.
    """
    y, design = np.asarray(y, dtype=float), np.asarray(design, dtype=float)
    n, p = design.shape
    ones = np.ones(n)
    params = _weighted_lstsq(y, design, ones)
    resid = y - design @ params
    scale = _mad(resid)
    criterion = _huber_rho(resid / np.sqrt(resid @ resid / (n - p))).sum()
    for _ in range(49):  # statsmodels' maxiter=50 counts the least-squares start
        if scale == 0.0:  # a perfect fit of the weighted data
            break
        z = np.abs(resid / scale)
        w = np.where(z <= HUBER_T, 1.0, HUBER_T / np.where(z <= HUBER_T, 1.0, z))
        params = _weighted_lstsq(y, design, w)
        resid = y - design @ params
        scale = _mad(resid)
        weighted = np.sqrt(w) * resid
        previous, criterion = criterion, _huber_rho(resid / np.sqrt(weighted @ weighted / (n - p))).sum()
        if abs(criterion - previous) <= TOLERANCE:
            break
    rank = np.linalg.matrix_rank(design)
    z = resid / scale if scale > 0 else np.zeros(n)
    inside = (np.abs(z) <= HUBER_T).astype(float)
    k = 1 + rank / n * inside.var() / inside.mean() ** 2
    spread = np.sum(np.clip(z, -HUBER_T, HUBER_T) ** 2) * scale**2 / (n - rank)
    pinv = np.linalg.pinv(design)
    cov = k**2 * spread / inside.mean() ** 2 * (pinv @ pinv.T)
    return Fit(params, np.sqrt(np.diag(cov)))


def _weighted_lstsq(y: np.ndarray, design: np.ndarray, w: np.ndarray) -> np.ndarray:
    """argmin_β Σ w_i (y_i − x_i β)² (pseudo-inverse, as statsmodels' WLS)."""
    root = np.sqrt(w)
    return np.linalg.pinv(root[:, None] * design) @ (root * y)


def _bse(design: np.ndarray, w: np.ndarray, scale: float) -> np.ndarray:
    """√diag(scale · (X'WX)⁻¹)."""
    pinv = np.linalg.pinv(np.sqrt(w)[:, None] * design)
    return np.sqrt(scale * np.diag(pinv @ pinv.T))


def _logit_deviance(y: np.ndarray, mu: np.ndarray, weights: np.ndarray) -> float:
    """−2 Σ w·[y ln μ + (1 − y) ln(1 − μ)] for y in [0, 1] (y ln(y/μ) terms vanish for 0/1)."""
    mu = np.clip(mu, _EPS, 1 - _EPS)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(y > 0, y * np.log(y / mu), 0.0) + np.where(
            y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0
        )
    return float(2 * np.sum(weights * own))


def _huber_rho(z: np.ndarray) -> np.ndarray:
    """Huber's ρ: z²/2 for |z| ≤ t, t|z| − t²/2 beyond."""
    a = np.abs(z)
    return np.where(a <= HUBER_T, 0.5 * z**2, a * HUBER_T - 0.5 * HUBER_T**2)


def _mad(resid: np.ndarray) -> float:
    """median |r| / Φ⁻¹(¾): σ of normal residuals centred at 0."""
    return float(np.median(np.abs(resid)) / MAD_NORMAL)
