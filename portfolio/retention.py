"""Net and gross revenue retention, the ARR bridge, and the NRR/GRR conventions.

Each account is one of (``arr_prior`` = ARR a year ago, ``arr`` = ARR now):

* **existing**: ``arr_prior`` > 0;
* **reactivated**: ``arr_prior`` = 0, ``arr`` > 0, and revenue before the prior year (a
  revenue history) or flagged ``reactivated`` in a snapshot;
* **new**: ``arr_prior`` = 0, ``arr`` > 0, not reactivated.

A **convention** says which accounts NRR and GRR are taken over (the "base" B):

* ``cohort`` (default): the opening-ARR cohort, B = existing; new and reactivated excluded;
* ``reactivation_as_expansion``: B = existing ∪ reactivated (reactivated ARR adds to NRR as
  expansion would; their prior ARR is 0, so the denominator and GRR are unchanged);
* ``renewal_base``: B = existing accounts whose renewal fell in the year (``renewed``):
  churned accounts always, active ones by their renewal date (see
  :func:`portfolio.reactivation.renewed_in_year`).

Then NRR = Σ_B arr / Σ_B arr_prior and GRR = Σ_B min(arr, arr_prior) / Σ_B arr_prior. The
bridge walks all accounts from a year ago to now:

* expansion    = Σ max(arr − arr_prior, 0)  over existing accounts
* contraction  = Σ max(arr_prior − arr, 0)  over existing accounts still active (arr > 0)
* churn        = Σ arr_prior                over existing accounts with arr = 0
* reactivation = Σ arr                      over reactivated accounts (under
  ``reactivation_as_expansion`` it is inside expansion and this bar is 0)
* new          = Σ arr                      over new accounts
* ending       = starting + expansion − contraction − churn + reactivation + new  (= Σ arr)

By tier, accounts are attributed to the tier they had **at the start of the period**
(``start_tier``): tiering on current ARR would move churned accounts out of the strategic
tier and flatter its NRR. New and reactivated accounts count in the tier they have now.
All amounts are currency per year; rates are fractions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from portfolio.schema import TIERS

CONVENTIONS: tuple[str, ...] = ("cohort", "reactivation_as_expansion", "renewal_base")
"""NRR/GRR conventions; the first is the default."""
CONVENTION_NAMES: dict[str, str] = {
    "cohort": "Opening-ARR cohort (new and reactivated excluded)",
    "reactivation_as_expansion": "Reactivation counted as expansion",
    "renewal_base": "Renewal base (accounts whose renewal fell in the year)",
}


def validate_convention(convention: object) -> str:
    """``convention`` when it is one of :data:`CONVENTIONS`; ValueError listing them otherwise."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}; got {convention!r}")
    return str(convention)


@dataclass(frozen=True)
class Bridge:
    """ARR bridge from a year ago to now (currency per year)."""

    starting: float
    expansion: float
    contraction: float
    churn: float
    reactivation: float
    new: float
    ending: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Retention:
    """NRR and GRR (fractions; NaN when the base is empty) under ``convention``, with the bridge.

    ``base_accounts`` are the accounts the rates are taken over (see the module docstring);
    ``note`` says why the rates are missing when the convention cannot be applied."""

    nrr: float
    grr: float
    existing_accounts: int
    churned_accounts: int
    new_accounts: int
    bridge: Bridge
    reactivated_accounts: int = 0
    convention: str = CONVENTIONS[0]
    base_accounts: int = 0
    note: str = ""

    def to_dict(self) -> dict:
        out = asdict(self)
        out["bridge"] = self.bridge.to_dict()
        return out


def _flags(values: pd.Series | np.ndarray | None, n: int) -> np.ndarray:
    """Boolean flags as an array of length ``n`` (all False when ``values`` is None; missing
    values are False)."""
    if values is None:
        return np.zeros(n, dtype=bool)
    flags = np.asarray(values)
    return flags.astype(bool) if flags.dtype == bool else pd.Series(flags).fillna(False).to_numpy(dtype=bool)


def base_mask(
    arr: np.ndarray,
    prior: np.ndarray,
    reactivated: np.ndarray,
    renewed: np.ndarray | None,
    convention: str,
) -> np.ndarray | None:
    """Which accounts NRR and GRR are taken over under ``convention`` (None: renewal base
    without renewal information)."""
    existing = prior > 0
    if convention == "reactivation_as_expansion":
        return existing | (reactivated & (arr > 0))
    if convention == "renewal_base":
        return None if renewed is None else existing & renewed
    return existing


def retention(
    arr: pd.Series,
    arr_prior: pd.Series,
    *,
    new_arr: float | None = None,
    reactivation_arr: float | None = None,
    reactivated: pd.Series | np.ndarray | None = None,
    renewed: pd.Series | np.ndarray | None = None,
    convention: str = CONVENTIONS[0],
) -> Retention:
    """NRR, GRR and bridge for one group of accounts (see the module docstring).

    ``reactivated`` and ``renewed`` are boolean flags aligned with ``arr`` (None: no account
    reactivated; no renewal information, so ``renewal_base`` gives NaN with a note).
    ``new_arr`` and ``reactivation_arr`` override those bars (used by tier, where new and
    reactivated accounts belong to their current tier rather than to a start tier).
    """
    now = np.asarray(arr, dtype=float)
    prior = np.nan_to_num(np.asarray(arr_prior, dtype=float), nan=0.0)
    back = _flags(reactivated, len(now)) & (prior == 0) & (now > 0)
    renewal = None if renewed is None else _flags(renewed, len(now))
    return _retention(now, prior, back, renewal, validate_convention(convention), new_arr, reactivation_arr)


def _retention(
    arr: np.ndarray,
    prior: np.ndarray,
    back: np.ndarray,
    renewal: np.ndarray | None,
    convention: str,
    new_arr: float | None = None,
    reactivation_arr: float | None = None,
) -> Retention:
    """:func:`retention` on arrays: ARR now and a year ago (currency, prior NaN-free), the
    reactivated accounts (``back``) and the renewals."""
    existing = prior > 0
    churned = existing & (arr == 0)
    starting = float(prior[existing].sum())
    expansion = float(np.maximum(arr - prior, 0)[existing].sum())
    contraction = float(np.maximum(prior - arr, 0)[existing & ~churned].sum())
    churn = float(prior[churned].sum())
    returned = float(arr[back].sum()) if reactivation_arr is None else float(reactivation_arr)
    new = float(arr[~existing & ~back].sum()) if new_arr is None else float(new_arr)
    if convention == "reactivation_as_expansion":
        expansion, returned = expansion + returned, 0.0
    base = base_mask(arr, prior, back, renewal, convention)
    nrr = grr = float("nan")
    note = ""
    if base is None:
        note = "renewal-base rates need renewal dates (a renewal_date column); the data has none"
    elif (opening := float(prior[base].sum())) > 0:
        with np.errstate(over="ignore"):  # a tiny opening ARR: the rate is inf, not a warning
            nrr = float(arr[base].sum() / opening)
            grr = float(np.minimum(arr, prior)[base].sum() / opening)
    bridge = Bridge(
        starting=starting,
        expansion=expansion,
        contraction=contraction,
        churn=churn,
        reactivation=returned,
        new=new,
        ending=starting + expansion - contraction - churn + returned + new,
    )
    return Retention(
        nrr,
        grr,
        int(existing.sum()),
        int(churned.sum()),
        int((~existing & ~back & (arr > 0)).sum()),
        bridge,
        reactivated_accounts=int(back.sum()),
        convention=convention,
        base_accounts=0 if base is None else int(base.sum()),
        note=note,
    )


def retention_by_tier(
    arr: pd.Series,
    arr_prior: pd.Series,
    start_tier: pd.Series,
    current_tier: pd.Series,
    *,
    reactivated: pd.Series | np.ndarray | None = None,
    renewed: pd.Series | np.ndarray | None = None,
    convention: str = CONVENTIONS[0],
) -> dict[str, Retention]:
    """:func:`retention` per start-of-period tier, in :data:`TIERS` order; new and reactivated
    accounts count in their current tier (their ARR, and under ``reactivation_as_expansion``
    in that tier's NRR)."""
    convention = validate_convention(convention)
    now = np.asarray(arr, dtype=float)
    prior = np.nan_to_num(np.asarray(arr_prior, dtype=float), nan=0.0)
    back = _flags(reactivated, len(now)) & (prior == 0) & (now > 0)
    is_new = (prior == 0) & (now > 0) & ~back
    renewal = None if renewed is None else _flags(renewed, len(now))
    start = pd.Categorical(start_tier, categories=TIERS).codes  # −1: no tier (no prior ARR)
    current = pd.Categorical(current_tier, categories=TIERS).codes
    result = {}
    for code, tier in enumerate(TIERS):
        now_here = current == code
        cohort = start == code
        if convention == "reactivation_as_expansion":
            cohort = cohort | (back & now_here)
        result[tier] = _retention(
            now[cohort],
            prior[cohort],
            back[cohort],
            None if renewal is None else renewal[cohort],
            convention,
            new_arr=float(now[is_new & now_here].sum()),
            reactivation_arr=float(now[back & now_here].sum()),
        )
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
