"""What an accounts frame carries besides its rows (``DataFrame.attrs``): the revenue history
it was aggregated from and the dated snapshots it came with. Kept apart from the readers in
:mod:`portfolio.ingest` so the analytics (trends, conventions) can read them without the ingest."""

from __future__ import annotations

import pandas as pd

from portfolio.quarters import QuarterlyRevenue

HISTORY_START = "history_start"
"""Key in the accounts frame's ``attrs``: the date of the history's first revenue line."""
QUARTERLY_REVENUE = "quarterly_revenue"
"""Key in the accounts frame's ``attrs``: the :class:`~portfolio.quarters.QuarterlyRevenue`
the ARR was cut from (every account of the history, every quarter), for the trends."""
SNAPSHOTS = "snapshots"
"""Key in the accounts frame's ``attrs``: every snapshot, one row per (account, date)."""


def with_quarters(accounts: pd.DataFrame, quarters: QuarterlyRevenue) -> pd.DataFrame:
    """``accounts`` carrying the history they were aggregated from (its quarterly revenue and
    first date, in ``attrs``: see :func:`quarters_of` and :func:`history_start`)."""
    accounts.attrs[HISTORY_START] = quarters.first_date
    accounts.attrs[QUARTERLY_REVENUE] = quarters
    return accounts


def history_start(accounts: pd.DataFrame) -> pd.Timestamp | None:
    """The date of the first revenue line of the history ``accounts`` was aggregated from
    (midnight), or None for a snapshot: how far back the file lets a snapshot be rebuilt
    (``as_of`` of :func:`aggregate_history` at an earlier date; the back-test's out-of-sample
    mode)."""
    return accounts.attrs.get(HISTORY_START)


def quarters_of(accounts: pd.DataFrame) -> QuarterlyRevenue | None:
    """The quarterly revenue ``accounts`` was aggregated from, or None for a snapshot."""
    return accounts.attrs.get(QUARTERLY_REVENUE)


class _Shared:
    """A value an accounts frame carries in ``attrs`` that nobody changes: pandas deep-copies
    ``attrs`` on every operation, and this is handed on instead of copied (every snapshot of a
    dated file is as large as the file)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __deepcopy__(self, memo: dict) -> _Shared:
        return self


def snapshots_of(accounts: pd.DataFrame) -> pd.DataFrame | None:
    """Every snapshot ``accounts`` came with (one row per account and ``snapshot_date``), or
    None for a single snapshot or a revenue history."""
    held = accounts.attrs.get(SNAPSHOTS)
    return held.value if isinstance(held, _Shared) else None


def with_snapshots(accounts: pd.DataFrame, snapshots: pd.DataFrame) -> pd.DataFrame:
    """``accounts`` carrying ``snapshots`` (see :func:`snapshots_of`)."""
    accounts.attrs[SNAPSHOTS] = _Shared(snapshots)
    return accounts
