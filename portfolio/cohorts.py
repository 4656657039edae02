"""Revenue cohorts: accounts by the year of their first revenue, and the revenue each cohort
keeps in every year since.

Years are the trailing-twelve-month windows that end on the as-of date and on each
anniversary before it (four quarters of :mod:`portfolio.quarters` each), so the last year is
the ``arr`` of the analysis. An account's revenue in a year is floored at 0 (net refunds); its
cohort is the first year in which that revenue is positive. For cohort ``c`` and ``k`` years
since:

* revenue[c, k] = Σ revenue in year ``c + k`` of the accounts of cohort ``c`` (currency);
* retained[c, k] = revenue[c, k] / revenue[c, 0] — net revenue retention against the
  cohort's first year (expansion counts; > 1 is possible), NaN where year ``c + k`` is after
  the as-of date.

The first year of the history is left-censored: its cohort holds every account with revenue
then, including those that started earlier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.quarters import QuarterlyRevenue


@dataclass(frozen=True)
class Cohorts:
    """Cohorts that have accounts, oldest first.

    Attributes
    ----------
    years : the last day of each cohort's first year.
    accounts : accounts per cohort.
    revenue : cohorts × years since (0 … number of years − 1), currency; NaN after the as-of date.
    retained : ``revenue`` / its first column (fractions).
    """

    years: list[pd.Timestamp]
    accounts: np.ndarray
    revenue: np.ndarray
    retained: np.ndarray


def yearly_revenue(quarters: QuarterlyRevenue) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Accounts × years revenue (each year four quarters, the last ending on the as-of date),
    floored at 0, and each year's last day."""
    n_years = len(quarters.ends) // 4
    recent = quarters.revenue[:, len(quarters.ends) - 4 * n_years :]
    yearly = recent.reshape(len(quarters.account_ids), n_years, 4).sum(axis=2)
    return np.maximum(yearly, 0.0), quarters.ends[len(quarters.ends) - 4 * n_years + 3 :: 4]


def revenue_cohorts(quarters: QuarterlyRevenue, accounts: Iterable[str] | None = None) -> Cohorts:
    """Cohorts of all accounts, or of the ``accounts`` ids given (e.g. today's strategic
    accounts); see the module docstring."""
    yearly, ends = yearly_revenue(quarters)
    if accounts is not None:
        yearly = yearly[quarters.rows_among(accounts)]
    positive = yearly > 0
    active = positive.any(axis=1)
    yearly, first = yearly[active], positive[active].argmax(axis=1)
    n = len(ends)
    revenue = np.full((n, n), np.nan)
    counts = np.bincount(first, minlength=n)
    for c in range(n):
        members = yearly[first == c]
        revenue[c, : n - c] = members[:, c:].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        retained = revenue / revenue[:, :1]
    rows = np.flatnonzero(counts)
    return Cohorts(
        years=[ends[c] for c in rows],
        accounts=counts[rows],
        revenue=revenue[rows],
        retained=retained[rows],
    )
