"""Fit the per-tier assumptions to the uploaded data, where it has a prior-year ARR.

The cohort of a tier is the accounts that were in it a year ago (``start_tier``, the scorecard
on ``arr_prior``) with ``arr_prior`` > 0. Per cohort:

* annual_churn    = (accounts with no current ARR + ½) / (accounts in the cohort + 1) — the
  Jeffreys estimate, so a cohort in which nobody churned is not assumed never to churn
* expansion_drift = median of ln(arr / arr_prior) over retained accounts
* volatility      = 1.4826 · median |ln(arr / arr_prior) − drift|  (the MAD, scaled so that it
  equals σ for a normal distribution; robust to the odd account that grew 50×)

A tier with fewer than :data:`MIN_COHORT` accounts, or fewer than :data:`MIN_RETAINED`
retained ones, keeps its default figures and says so in ``note``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portfolio.analysis import PortfolioAnalysis, has_prior
from portfolio.schema import TIERS
from simulation.assumptions import Assumptions, TierAssumption
from simulation.treatment import TreatmentEffect, estimate_treatment

MIN_COHORT = 20
MIN_RETAINED = 10
MAD_TO_SIGMA = 1.4826


def starting_assumptions(analysis: PortfolioAnalysis) -> Assumptions:
    """Calibrated on the analysed data where it has prior-year ARR (tiers at the start of the
    period), else the defaults."""
    accounts = analysis.accounts
    if not has_prior(accounts):
        return Assumptions()
    return calibrate(accounts["arr"], accounts["arr_prior"], analysis.tiers.start_tier)


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
) -> Assumptions:
    """Assumptions fitted per start tier; tiers with too little data keep ``base``'s figures."""
    base = base or Assumptions()
    arr = arr.fillna(0).astype(float)
    prior = arr_prior.fillna(0).astype(float)
    tiers = {}
    for tier in TIERS:
        cohort = (prior > 0) & (start_tier.astype(object) == tier)
        retained = cohort & (arr > 0)
        n, n_retained = int(cohort.sum()), int(retained.sum())
        fallback = base.tiers[tier]
        if n < MIN_COHORT or n_retained < MIN_RETAINED:
            note = (
                f"{n} account(s) with prior ARR, {n_retained} retained; at least {MIN_COHORT} "
                f"and {MIN_RETAINED} are needed to calibrate, so the {fallback.source} "
                "figures are used"
            )
            tiers[tier] = TierAssumption(
                fallback.annual_churn, fallback.expansion_drift, fallback.volatility, fallback.source, n, note
            )
            continue
        log_growth = np.log(arr[retained] / prior[retained]).to_numpy()
        drift = float(np.median(log_growth))
        volatility = float(MAD_TO_SIGMA * np.median(np.abs(log_growth - drift)))
        tiers[tier] = TierAssumption(
            annual_churn=(n - n_retained + 0.5) / (n + 1),
            expansion_drift=float(np.clip(drift, -3, 3)),
            volatility=float(min(volatility, 3.0)),
            source="calibrated",
            accounts=n,
        )
    return Assumptions(tiers, base.nrr_volatility, base.nrr_volatility_source)
