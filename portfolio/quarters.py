"""Quarterly revenue per account: the one pivot every trailing-twelve-month figure is cut from.

A revenue history's lines are summed once into an accounts × quarters matrix. Quarters are
counted back from the as-of date ``E``: quarter ``j`` of ``n`` covers
``(E − 3·(n − j) months, E − 3·(n − 1 − j) months]`` (days, exclusive–inclusive), so the last
quarter ends on ``E`` and, when ``E`` is a calendar quarter end, every quarter is a calendar
quarter. The trailing-twelve-month revenue ending at quarter ``j`` is the sum of columns
``j − 3 … j``: ``arr`` of :func:`portfolio.ingest.history.aggregate_history` is that sum at the
last quarter and ``arr_prior`` at the fourth before it; :mod:`portfolio.trends` takes the same
sums at every quarter. Amounts are in the file's currency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_QUARTERS = 8
"""At least the 24 months that ``arr`` and ``arr_prior`` need, even for a shorter history."""


@dataclass(frozen=True, eq=False)
class QuarterlyRevenue:
    """Revenue per account and quarter (read-only arrays).

    Attributes
    ----------
    account_ids : account ids (str), sorted; row labels of ``revenue``.
    ends : each quarter's last day (midnight), ascending; ``ends[-1]`` is the as-of date.
    revenue : accounts × quarters, Σ amount of the account's lines in the quarter (currency;
        refunds make it negative).
    first_date : the date of the history's first line (midnight).
    """

    account_ids: np.ndarray
    ends: pd.DatetimeIndex
    revenue: np.ndarray
    first_date: pd.Timestamp

    def __deepcopy__(self, memo: dict) -> QuarterlyRevenue:
        # immutable: pandas deep-copies a frame's ``attrs`` on every operation, so copying
        # this (accounts × quarters floats) each time would be waste
        return self

    def rows_among(self, ids) -> np.ndarray:
        """Per account of the history (a row of ``revenue``): True when its id is among ``ids``
        (compared as text, by hash: linear time, where ``numpy.isin`` on text is not)."""
        return pd.Index(self.account_ids, dtype=object).isin(_text(ids))

    def holds(self, ids) -> np.ndarray:
        """Per id of ``ids``: True when the history has that account (compared as text)."""
        return pd.Index(_text(ids), dtype=object).isin(self.account_ids)

    def trailing_year(self, j: int) -> np.ndarray:
        """Σ revenue of each account over the four quarters ending at quarter ``j``
        (``j`` ≥ 3; negative indices count from the last): trailing-twelve-month revenue."""
        j = j % len(self.ends)
        if j < 3:
            raise IndexError(f"quarter {j} has fewer than 3 quarters before it")
        return self.revenue[:, j - 3 : j + 1].sum(axis=1)


def _text(ids) -> np.ndarray:
    """Account ids (any iterable, pandas' Arrow strings included) as an object array of str."""
    values = ids if isinstance(ids, pd.Series | pd.Index | np.ndarray) else list(ids)
    return pd.Series(values, dtype=object).astype(str).to_numpy(dtype=object)


def line_days(dates: pd.Series) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Each line's day as a code into the distinct days, and those days (midnight, ascending,
    unique, each some line's); code −1 for a missing date (NaT).

    ``dates``: Timestamps, or a categorical of Timestamps (the columnar reader's: its codes are
    used as they are). Dates repeat (20 million lines hold a few thousand distinct days), so
    day arithmetic done on the distinct days and looked up by code costs one take per line."""
    if isinstance(dates.dtype, pd.CategoricalDtype):
        codes, values = dates.cat.codes.to_numpy(), pd.DatetimeIndex(dates.cat.categories)
        used = np.bincount(codes[codes >= 0], minlength=len(values)) > 0  # unused: no line's
    else:
        codes, values = pd.factorize(dates)
        values = pd.DatetimeIndex(values)
        used = np.ones(len(values), dtype=bool)
    # numpy, not pandas.factorize: that leaves a DatetimeIndex unsorted when it infers a freq
    days, day_of_value = np.unique(values.normalize().to_numpy()[used], return_inverse=True)
    lookup = np.full(len(values) + 1, -1, dtype=np.int32)  # the last: a missing date (code −1)
    lookup[np.flatnonzero(used)] = day_of_value
    return lookup[codes], pd.DatetimeIndex(days)


def quarterly_revenue(
    ids: pd.Series, dates: pd.Series, amounts: pd.Series, end: pd.Timestamp
) -> QuarterlyRevenue:
    """Sum revenue lines into quarters counted back from ``end`` (see the module docstring).

    ``ids`` (str, or a categorical whose categories are sorted), ``dates`` (Timestamps, or a
    categorical of them: see :func:`line_days`) and ``amounts`` (float) are aligned, one per line.
    Lines dated after ``end`` or without a date are left out; the quarters reach back to the
    first line, and to at least :data:`MIN_QUARTERS` quarters. One pass: each distinct day's
    quarter by binary search on the quarter ends (quarter ``j`` = the first with end ≥ day),
    looked up per line, then one weighted ``bincount`` over (account, quarter).
    """
    day_codes, days = line_days(dates)
    first = days[0] if len(days) else pd.NaT
    n = MIN_QUARTERS
    while first <= end - pd.DateOffset(months=3 * n):
        n += 4
    ends = pd.DatetimeIndex([end - pd.DateOffset(months=3 * k) for k in range(n - 1, -1, -1)])
    quarter_of_day = ends.searchsorted(days, side="left")  # first quarter end on or after the day
    quarter = np.append(quarter_of_day, n)[day_codes]  # no date (code −1): n, left out
    kept = quarter < n
    codes, uniques = _account_codes(ids)
    flat = codes[kept].astype(np.int64) * n + quarter[kept]
    revenue = np.bincount(
        flat, weights=amounts.to_numpy(dtype=float)[kept], minlength=len(uniques) * n
    ).reshape(len(uniques), n)
    revenue.setflags(write=False)
    account_ids = np.asarray(uniques, dtype=object)
    account_ids.setflags(write=False)
    return QuarterlyRevenue(account_ids, ends, revenue, first)


def _account_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each line's account as a code into the sorted distinct ids: a categorical's own codes
    when its categories are sorted and every one is some line's (the columnar reader's, no
    hashing of 20 million codes), else :func:`pandas.factorize`'s."""
    if isinstance(ids.dtype, pd.CategoricalDtype) and ids.cat.categories.is_monotonic_increasing:
        codes = ids.cat.codes.to_numpy()
        if len(codes) and codes.min() >= 0 and np.bincount(codes, minlength=len(ids.cat.categories)).all():
            return codes, ids.cat.categories
    codes, uniques = pd.factorize(ids, sort=True)
    return codes, pd.Index(uniques)


def quarters_to_frame(quarters: QuarterlyRevenue) -> tuple[pd.DataFrame, dict]:
    """``quarters`` as a plain table and a JSON-able dict, for a store that keeps only those:
    column ``account_id``, then one float column per quarter named by its end (``YYYY-MM-DD``);
    the dict holds ``first_date`` (ISO). :func:`quarters_from_frame` reads it back exactly."""
    ends = [f"{end:%Y-%m-%d}" for end in quarters.ends]
    frame = pd.DataFrame(quarters.revenue, columns=ends)
    frame.insert(0, "account_id", pd.Series(quarters.account_ids, dtype=object))
    return frame, {"first_date": f"{quarters.first_date:%Y-%m-%d}"}


def quarters_from_frame(frame: pd.DataFrame, info: dict) -> QuarterlyRevenue:
    """The :class:`QuarterlyRevenue` of :func:`quarters_to_frame`; ValueError when ``frame`` or
    ``info`` is not of that shape."""
    if list(frame.columns[:1]) != ["account_id"] or not isinstance(info.get("first_date"), str):
        raise ValueError("not a stored quarterly revenue table")
    ends = pd.DatetimeIndex(pd.to_datetime(list(frame.columns[1:]), format="%Y-%m-%d"))
    if len(ends) < 4 or not ends.is_monotonic_increasing:
        raise ValueError("quarter ends must be at least four ascending dates")
    revenue = frame.iloc[:, 1:].to_numpy(dtype=float)
    account_ids = frame["account_id"].astype(str).to_numpy(dtype=object)
    revenue.setflags(write=False)
    account_ids.setflags(write=False)
    return QuarterlyRevenue(account_ids, ends, revenue, pd.Timestamp(info["first_date"]))
