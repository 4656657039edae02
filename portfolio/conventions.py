"""Who counts as reactivated or renewed, and the walk from one NRR/GRR convention to another.

The conventions themselves are defined in :mod:`portfolio.retention`. This module supplies
their inputs and the reconciliation table Finance and CS read to agree on one number:

* :func:`reactivated_at`: in a revenue history, the accounts with revenue before the prior
  year, none in it, and revenue in the year to the quarter end;
* :func:`reactivated_flags`: the same for the accounts of an analysis (a snapshot's
  ``reactivated`` column, else the history's quarters, else nobody);
* :func:`renewed_in_year`: the accounts whose renewal fell in the year to the as-of date;
* :func:`reconciliation`: NRR and GRR numerators and opening ARR from one convention's base
  to another's, step by step, in whole cents so every column sums exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.carried import quarters_of, snapshots_of
from portfolio.quarters import QuarterlyRevenue
from portfolio.retention import CONVENTION_NAMES, CONVENTIONS, base_mask, validate_convention
from portfolio.schema import SNAPSHOT_DATE


def reactivated_at(quarters: QuarterlyRevenue, j: int) -> np.ndarray:
    """Per account of ``quarters`` (its ``account_ids`` order): True when the account has
    revenue (net, > 0) in the year to quarter ``j``, none (≤ 0) in the year before, and a
    positive sum of revenue in the quarters before that (0 … j − 8)."""
    j = j % len(quarters.ends)
    now = quarters.trailing_year(j)
    prior = quarters.trailing_year(j - 4) if j >= 7 else np.zeros_like(now)
    earlier = quarters.revenue[:, : max(j - 7, 0)].sum(axis=1)
    return (now > 0) & (prior <= 0) & (earlier > 0)


def reactivated_flags(accounts: pd.DataFrame) -> pd.Series | None:
    """Which of ``accounts`` are reactivated (aligned with its index): the snapshot's
    ``reactivated`` column when it has one, else from the revenue history it was aggregated
    from (:func:`reactivated_at` at the as-of date), else None (the data cannot say)."""
    if "reactivated" in accounts:
        return accounts["reactivated"].fillna(False).astype(bool)
    quarters = quarters_of(accounts)
    if quarters is None:
        return None
    flags = pd.Series(reactivated_at(quarters, -1), index=pd.Index(quarters.account_ids))
    return pd.Series(
        flags.reindex(accounts["account_id"].astype(str)).fillna(False).to_numpy(dtype=bool),
        index=accounts.index,
    )


def renewed_in_year(accounts: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.Series | None:
    """Which of ``accounts`` had a renewal in the year to ``as_of`` (default: the latest
    snapshot's date for a file of dated snapshots, else today): every
    churned account (prior ARR > 0, ARR 0: its contract ended), and active accounts whose
    ``renewal_date`` lies in (as_of − 12 months, as_of + 12 months] — a past date is the
    renewal itself, a future one the next renewal of an annual term, whose previous renewal
    fell in the year. Multi-year terms (next renewal more than a year out) and blank dates
    are not in the base. None without a ``renewal_date`` column."""
    if "renewal_date" not in accounts or accounts["renewal_date"].isna().all():
        return None
    if as_of is None:
        dated = snapshots_of(accounts)
        as_of = dated[SNAPSHOT_DATE].max() if dated is not None else pd.Timestamp.today()
    end = pd.Timestamp(as_of).normalize()
    dates = pd.to_datetime(accounts["renewal_date"], errors="coerce")
    in_year = (dates > end - pd.DateOffset(months=12)) & (dates <= end + pd.DateOffset(months=12))
    prior = accounts["arr_prior"].fillna(0) if "arr_prior" in accounts else 0
    churned = (prior > 0) & (accounts["arr"] == 0)
    return (in_year | churned).astype(bool)


def _cents(values: np.ndarray) -> np.ndarray:
    """Currency → whole cents (int64), rounded half to even."""
    return np.rint(values * 100).astype(np.int64)


@dataclass(frozen=True)
class ReconciliationRow:
    """One line of the walk; money in whole cents (int), so lines add up exactly.

    ``kind`` is "total" (a convention's base) or "step" (accounts added, or removed with
    negative amounts). ``retained`` = Σ ARR now (NRR's numerator), ``gross`` = Σ min(ARR now,
    ARR a year ago) (GRR's numerator), ``opening`` = Σ ARR a year ago (both denominators)."""

    step: str
    kind: str
    accounts: int
    retained: int
    gross: int
    opening: int

    def __add__(self, other: ReconciliationRow) -> ReconciliationRow:
        return ReconciliationRow(
            "",
            "total",
            self.accounts + other.accounts,
            self.retained + other.retained,
            self.gross + other.gross,
            self.opening + other.opening,
        )

    @property
    def nrr(self) -> float:
        """retained / opening (NaN for a step or an empty base)."""
        return self.retained / self.opening if self.kind == "total" and self.opening else float("nan")

    @property
    def grr(self) -> float:
        """gross / opening (NaN for a step or an empty base)."""
        return self.gross / self.opening if self.kind == "total" and self.opening else float("nan")


@dataclass(frozen=True)
class Reconciliation:
    """The walk from convention ``start`` to ``end``: a total, the steps, a total."""

    start: str
    end: str
    rows: list[ReconciliationRow]

    def to_frame(self) -> pd.DataFrame:
        """The table as shown: money in currency, rates as fractions (blank on steps)."""
        return pd.DataFrame(
            {
                "step": [r.step for r in self.rows],
                "accounts": [r.accounts for r in self.rows],
                "ARR now (NRR numerator)": [r.retained / 100 for r in self.rows],
                "kept ARR (GRR numerator)": [r.gross / 100 for r in self.rows],
                "opening ARR": [r.opening / 100 for r in self.rows],
                "NRR": [r.nrr for r in self.rows],
                "GRR": [r.grr for r in self.rows],
            }
        )

    def to_dict(self) -> dict:
        """JSON-ready: ``from``, ``to`` and the rows (money in currency, rates None on steps)."""

        def rate(value: float) -> float | None:
            return None if np.isnan(value) else value

        return {
            "from": self.start,
            "to": self.end,
            "rows": [
                {
                    "step": r.step,
                    "kind": r.kind,
                    "accounts": r.accounts,
                    "retained_arr": r.retained / 100,
                    "gross_retained_arr": r.gross / 100,
                    "opening_arr": r.opening / 100,
                    "nrr": rate(r.nrr),
                    "grr": rate(r.grr),
                }
                for r in self.rows
            ],
        }


def reconciliation(
    arr: pd.Series,
    arr_prior: pd.Series,
    *,
    reactivated: pd.Series | None,
    renewed: pd.Series | None,
    start: str = CONVENTIONS[0],
    end: str = CONVENTIONS[1],
) -> Reconciliation:
    """Walk NRR/GRR from convention ``start``'s base to ``end``'s through the opening-ARR
    cohort: remove what ``start`` added to the cohort (reactivated accounts) or add back what
    it left out (accounts without a renewal in the year), then the same towards ``end``. The
    last total is the first plus the steps, in integer cents, and equals ``end``'s base.

    ValueError when a renewal base is asked for without renewal dates (``renewed`` None)."""
    start, end = validate_convention(start), validate_convention(end)
    now = arr.astype(float).to_numpy()
    prior = arr_prior.astype(float).fillna(0.0).to_numpy()
    flagged = np.zeros(len(now), bool) if reactivated is None else reactivated.to_numpy(dtype=bool)
    back = flagged & (prior == 0) & (now > 0)
    renewal = None if renewed is None else renewed.to_numpy(dtype=bool)
    if renewal is None and "renewal_base" in (start, end):
        raise ValueError("the renewal base needs renewal dates (a renewal_date column)")
    cents_now, cents_prior = _cents(now), _cents(prior)
    cents_kept = np.minimum(cents_now, cents_prior)

    def sums(step: str, kind: str, mask: np.ndarray, sign: int = 1) -> ReconciliationRow:
        return ReconciliationRow(
            step,
            kind,
            sign * int(mask.sum()),
            sign * int(cents_now[mask].sum()),
            sign * int(cents_kept[mask].sum()),
            sign * int(cents_prior[mask].sum()),
        )

    existing = prior > 0
    left_out = existing & ~renewal if renewal is not None else np.zeros(len(now), bool)
    first = base_mask(now, prior, back, renewal, start)
    assert first is not None  # renewal dates checked above
    rows = [sums(CONVENTION_NAMES[start], "total", first)]
    if start != end:
        if start == "reactivation_as_expansion":
            rows.append(sums("− reactivated accounts", "step", back, -1))
        elif start == "renewal_base":
            rows.append(sums("+ accounts without a renewal in the year", "step", left_out))
        if end == "reactivation_as_expansion":
            rows.append(sums("+ reactivated accounts (their ARR as expansion)", "step", back))
        elif end == "renewal_base":
            rows.append(sums("− accounts without a renewal in the year", "step", left_out, -1))
        total = rows[0]
        for row in rows[1:]:
            total = total + row
        rows.append(ReconciliationRow(CONVENTION_NAMES[end], "total", *_fields(total)))
    return Reconciliation(start, end, rows)


def _fields(row: ReconciliationRow) -> tuple[int, int, int, int]:
    return row.accounts, row.retained, row.gross, row.opening
