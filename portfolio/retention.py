"""Net and gross revenue retention and the ARR bridge.

For the accounts that had ARR a year ago (``arr_prior`` > 0, "existing"):

* NRR = Σ arr / Σ arr_prior
* GRR = Σ min(arr, arr_prior) / Σ arr_prior

New accounts (``arr_prior`` = 0) are excluded from both. The bridge splits the change:

* expansion   = Σ max(arr − arr_prior, 0)        over existing accounts
* contraction = Σ max(arr_prior − arr, 0)        over existing accounts still active (arr > 0)
* churn       = Σ arr_prior                      over existing accounts with arr = 0
* new         = Σ arr                            over new accounts
* ending      = starting + expansion − contraction − churn + new   (= Σ arr)

By tier, accounts are attributed to the tier they had **at the start of the period**
(``start_tier``): tiering on current ARR would move churned accounts out of the strategic
tier and flatter its NRR. A tier's ``new`` is the ARR of new accounts now in that tier.
All amounts are currency per year; rates are fractions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from portfolio.schema import TIERS


@dataclass(frozen=True)
class Bridge:
    """ARR bridge from a year ago to now (currency per year)."""

    starting: float
    expansion: float
    contraction: float
    churn: float
    new: float
    ending: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Retention:
    """NRR and GRR (fractions; NaN when nothing existed a year ago) with the bridge."""

    nrr: float
    grr: float
    existing_accounts: int
    churned_accounts: int
    new_accounts: int
    bridge: Bridge

    def to_dict(self) -> dict:
        out = asdict(self)
        out["bridge"] = self.bridge.to_dict()
        return out


def retention(arr: pd.Series, arr_prior: pd.Series, *, new_arr: float | None = None) -> Retention:
    """NRR, GRR and bridge for one group of accounts (see the module docstring).

    ``new_arr`` overrides the ``new`` bar (used by tier, where new accounts belong to their
    current tier rather than to a start tier).
    """
    arr = arr.astype(float).to_numpy()
    prior = arr_prior.astype(float).fillna(0.0).to_numpy()
    existing = prior > 0
    starting = float(prior[existing].sum())
    current_existing = arr[existing]
    prior_existing = prior[existing]
    churned = current_existing == 0
    expansion = float(np.maximum(current_existing - prior_existing, 0).sum())
    contraction = float(np.maximum(prior_existing - current_existing, 0)[~churned].sum())
    churn = float(prior_existing[churned].sum())
    new = float(arr[~existing].sum()) if new_arr is None else float(new_arr)
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr = float(current_existing.sum() / starting) if starting > 0 else float("nan")
        grr = (
            float(np.minimum(current_existing, prior_existing).sum() / starting)
            if starting > 0
            else float("nan")
        )
    bridge = Bridge(
        starting=starting,
        expansion=expansion,
        contraction=contraction,
        churn=churn,
        new=new,
        ending=starting + expansion - contraction - churn + new,
    )
    return Retention(
        nrr, grr, int(existing.sum()), int(churned.sum()), int((~existing & (arr > 0)).sum()), bridge
    )


def retention_by_tier(
    arr: pd.Series, arr_prior: pd.Series, start_tier: pd.Series, current_tier: pd.Series
) -> dict[str, Retention]:
    """:func:`retention` per start-of-period tier, in :data:`TIERS` order."""
    prior = arr_prior.astype(float).fillna(0.0)
    is_new = (prior == 0) & (arr > 0)
    result = {}
    for tier in TIERS:
        cohort = start_tier == tier
        new_arr = float(arr[is_new & (current_tier == tier)].sum())
        result[tier] = retention(arr[cohort], prior[cohort], new_arr=new_arr)
    return result


BLANK = "(blank)"
"""The group of accounts with no value in the attribute column."""


def retention_by_attribute(accounts: pd.DataFrame, column: str) -> dict[str, Retention]:
    """:func:`retention` per value of an account attribute (``segment``, ``industry``,
    ``region``, ``sam``), largest starting ARR first; accounts without a value form the group
    :data:`BLANK`. The attribute is the account's one value (a snapshot carries no history of
    it), so each group's ``new`` is its new accounts' ARR. Needs ``arr``, ``arr_prior`` and
    ``column``; ValueError names a missing one."""
    missing = [c for c in ("arr", "arr_prior", column) if c not in accounts]
    if missing:
        raise ValueError(f"retention by {column} needs the column(s) {', '.join(missing)}")
    group = accounts[column].astype(object).where(accounts[column].notna(), BLANK).astype(str)
    result = {
        str(value): retention(accounts.loc[rows, "arr"], accounts.loc[rows, "arr_prior"])
        for value, rows in group.groupby(group).groups.items()
    }
    return dict(sorted(result.items(), key=lambda item: (-item[1].bridge.starting, item[0])))
