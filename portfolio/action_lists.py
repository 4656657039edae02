"""Action lists: the accounts a revenue leader acts on, each with the figure that puts it there.

For accounts with ARR a year ago (``arr_prior`` > 0), in currency per year:

* churned     — ``arr`` = 0;              largest loss first
* contracted  — 0 < ``arr`` < arr_prior;  largest drop first
* expansions  — ``arr`` > arr_prior;      largest gain first

each with ``arr_change`` = arr − arr_prior (−arr_prior for a churned account), so the lists sum
to the ARR bridge's churn, contraction and expansion bars (with their sign).

* renewals within N days (90 or 180) — active accounts (``arr`` > 0) whose ``renewal_date`` is
  after the reference date and at most N days after it: the ARR at risk at renewal. Ordered by
  tier (Strategic first), then ARR, largest first; ``days_to_renewal`` says when. Accounts with
  no renewal date cannot be listed, and the note says how many there are.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from portfolio.schema import TIERS

ACTION_LISTS = {
    "churned": "Churned accounts",
    "contracted": "Contracted accounts",
    "expansions": "Biggest expansions",
    "renewal-90": "Renewing within 90 days",
    "renewal-180": "Renewing within 180 days",
}
"""The action lists by key, with their titles."""
RENEWAL_DAYS = {"renewal-90": 90, "renewal-180": 180}


@dataclass(frozen=True)
class ActionList:
    """One action list.

    Attributes
    ----------
    title : what the list is.
    accounts : the listed accounts (the input's columns, plus ``arr_change`` in currency per
        year, or ``days_to_renewal`` for the renewal lists), in the order to act on them.
    measure : the column that sums to the list's total (``arr_change``, or ``arr`` up for renewal).
    note : why the list is empty or incomplete ("" when there is nothing to say).
    """

    title: str
    accounts: pd.DataFrame
    measure: str
    note: str = ""


def _prior(accounts: pd.DataFrame) -> pd.Series:
    return accounts["arr_prior"].astype(float).fillna(0.0)


def action_list(accounts: pd.DataFrame, kind: str, *, as_of: pd.Timestamp) -> ActionList:
    """The action list ``kind`` (a key of :data:`ACTION_LISTS`) of analysed ``accounts``.

    ``as_of``: the reference date of the renewal lists (the data's as-of date, else today).
    Raises ValueError for an unknown ``kind``.
    """
    if kind not in ACTION_LISTS:
        raise ValueError(f"unknown action list {kind!r}: choose one of {', '.join(ACTION_LISTS)}")
    title = ACTION_LISTS[kind]
    if kind in RENEWAL_DAYS:
        return _renewals(accounts, RENEWAL_DAYS[kind], pd.Timestamp(as_of).normalize(), title)
    if "arr_prior" not in accounts or accounts["arr_prior"].isna().all():
        note = "The data has no prior-year ARR column: churn, contraction and expansion need it."
        return ActionList(
            title, accounts.iloc[:0].assign(arr_change=pd.Series(dtype=float)), "arr_change", note
        )
    prior, arr = _prior(accounts), accounts["arr"].astype(float)
    change = arr - prior
    existing = prior > 0
    rows = {
        "churned": existing & (arr == 0),
        "contracted": existing & (arr > 0) & (arr < prior),
        "expansions": existing & (arr > prior),
    }[kind]
    listed = accounts[rows].assign(arr_change=change[rows])
    ascending = kind != "expansions"  # losses most negative first, gains largest first
    return ActionList(
        title, listed.sort_values("arr_change", ascending=ascending, kind="stable"), "arr_change"
    )


def _renewals(accounts: pd.DataFrame, days: int, as_of: pd.Timestamp, title: str) -> ActionList:
    title = f"{title} of {as_of:%Y-%m-%d}"
    active = accounts["arr"].astype(float) > 0
    if "renewal_date" not in accounts or accounts["renewal_date"].isna().all():
        note = "The data has no renewal dates (a renewal_date column): renewals at risk cannot be listed."
        empty = accounts.iloc[:0].assign(days_to_renewal=pd.Series(dtype=int))
        return ActionList(title, empty, "arr", note)
    dates = pd.to_datetime(accounts["renewal_date"], errors="coerce")
    until = (dates - as_of).dt.days
    rows = active & (until > 0) & (until <= days)
    listed = accounts[rows].assign(days_to_renewal=until[rows])
    rank = listed["tier"].map({t: i for i, t in enumerate(TIERS)}).fillna(len(TIERS))
    listed = listed.assign(_rank=rank).sort_values(["_rank", "arr"], ascending=[True, False], kind="stable")
    undated = int((active & dates.isna()).sum())
    note = f"{undated:,} active account(s) have no renewal date and are not listed." if undated else ""
    return ActionList(title, listed.drop(columns="_rank").astype({"days_to_renewal": int}), "arr", note)


__all__ = ["ACTION_LISTS", "ActionList", "action_list"]
