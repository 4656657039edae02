"""Aggregate a revenue history (dated revenue lines) into one row per account.

:func:`aggregate_history` sums each account's amounts over trailing-twelve-month windows
ending on the as-of date (default: the last date in the file): ``arr`` is the revenue of the
last twelve months and ``arr_prior`` of the twelve before, both in the file's currency per
year. Lines after the as-of date, net refunds and dormant accounts are left out or set to 0
with a note; text attributes take each account's most frequent value, the name its latest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portfolio.carried import history_start as history_start
from portfolio.carried import quarters_of as quarters_of
from portfolio.carried import with_quarters as with_quarters
from portfolio.ingest.cells import parse_dates, parse_numbers
from portfolio.ingest.report import IngestReport, Problem, Rejected
from portfolio.ingest.snapshot import finalize_accounts
from portfolio.quarters import QuarterlyRevenue, line_days, quarterly_revenue

_ATTRIBUTES = ("account_name", "sam", "segment", "industry", "region")
"""Text columns carried from the lines to the account."""


def aggregate_history(
    frame: pd.DataFrame, report: IngestReport, as_of: str | pd.Timestamp | None
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Revenue lines → one row per account with trailing-twelve-month revenue.

    ``arr`` = Σ amount over (as_of − 12 months, as_of];
    ``arr_prior`` = Σ amount over (as_of − 24 months, as_of − 12 months].
    Text attributes take each account's most frequent value; the name its latest one.

    Parameters
    ----------
    frame : text cells under canonical column names (``account_id`` stripped, ``date``,
        ``amount``, …), one row per revenue line, indexed by file row number.
    report : its ``column_map`` gives each column's source header; problems and notes go here.
    as_of : the last day of the trailing twelve months (anything :func:`pandas.to_datetime`
        reads; the time of day is dropped); default: the last date in the file.

    Returns the accounts frame (see :func:`~portfolio.ingest.snapshot.finalize_accounts`),
    ``arr`` and ``arr_prior`` in the file's currency per year, and the as-of date used.
    Raises :class:`Rejected` when a line is unreadable or no account has revenue in the window.
    """
    dates, amounts = _read_lines(frame, report)
    attributes = {column: frame[column] for column in _ATTRIBUTES if column in frame}
    return aggregate_lines(frame["account_id"], dates, amounts, attributes, report, as_of)


def aggregate_lines(
    ids: pd.Series,
    dates: pd.Series,
    amounts: pd.Series,
    attributes: dict[str, pd.Series],
    report: IngestReport,
    as_of: str | pd.Timestamp | None,
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Read revenue lines → accounts, as :func:`aggregate_history` (which reads the cells first).

    ``ids`` (stripped text, or a categorical of it), ``dates`` (Timestamps, or a categorical
    of them), ``amounts`` (float) and each of ``attributes`` (``{canonical column: text
    cells}``, text or categorical) are aligned, one per line in file order; the columnar
    reader (:mod:`portfolio.ingest.columnar`) passes categoricals so that 20 million lines
    stay small. Day arithmetic is done on the distinct days (:func:`~portfolio.quarters.line_days`).
    """
    day_codes, days = line_days(dates)
    end = _as_of_end(as_of, days, report)
    year_ago = end - pd.DateOffset(months=12)
    line_day = pd.Series(pd.Categorical.from_codes(day_codes, categories=days, validate=False))
    quarters = quarterly_revenue(ids, line_day, amounts, end)
    grouped = _trailing_revenue(quarters, day_codes, days, end, report)
    _zero_refunds(grouped, report)
    grouped = _drop_dormant(grouped, end, report)
    for column, cells in attributes.items():
        chosen = _account_values(ids, cells, dates, latest=column == "account_name")
        grouped[column] = chosen.reindex(grouped.index)
    report.notes.append(
        f"revenue history of {len(ids):,} lines aggregated to {len(grouped):,} accounts: "
        f"ARR = revenue {year_ago:%Y-%m-%d} – {end:%Y-%m-%d} (exclusive–inclusive), "
        f"prior ARR = the twelve months before"
    )
    out = grouped.rename_axis("account_id").reset_index()
    accounts = finalize_accounts(out)
    return with_quarters(accounts, quarters), end


def _read_lines(
    frame: pd.DataFrame, report: IngestReport, *, date_values: pd.Series | None = None
) -> tuple[pd.Series, pd.Series]:
    """Each line's date (Timestamp) and amount (float); a blank id, date or amount or an
    unreadable cell is a problem, and any problem rejects the file. ``date_values``: the
    file's date cells when ``frame`` holds only some of its lines (formats are chosen on them,
    see :func:`~portfolio.ingest.cells.parse_dates`)."""
    cols = report.column_map
    for row in frame.index[frame["account_id"] == ""]:
        report.add(Problem("missing account id", row=row, column=cols.get("account_id")))
    dates = parse_dates(frame["date"], cols["date"], report, formats_from=date_values)
    for row in frame.index[frame["date"].str.strip() == ""]:
        report.add(Problem("missing date", row=row, column=cols["date"]))
    amounts = parse_numbers(frame["amount"], cols["amount"], report, reason="amount is not a number")
    for row in frame.index[frame["amount"].str.strip() == ""]:
        report.add(Problem("missing amount", row=row, column=cols["amount"]))
    if not report.ok:
        raise Rejected
    return dates, amounts


def _as_of_end(
    as_of: str | pd.Timestamp | None, days: pd.DatetimeIndex, report: IngestReport
) -> pd.Timestamp:
    """The last day of the trailing twelve months, at midnight: ``as_of``, or else the last
    of the file's ``days`` (ascending); an ``as_of`` that is not a date rejects the file."""
    if as_of is None:
        return days[-1] if len(days) else pd.NaT
    end = pd.to_datetime(as_of, errors="coerce")
    if pd.isna(end):
        report.add(Problem("as-of date is not a date", value=str(as_of)))
        raise Rejected
    return end.normalize()


def _trailing_revenue(
    quarters: QuarterlyRevenue,
    day_codes: np.ndarray,
    days: pd.DatetimeIndex,
    end: pd.Timestamp,
    report: IngestReport,
) -> pd.DataFrame:
    """Σ amount per account (index) over the four quarters to ``end`` as ``arr`` and over the
    four before as ``arr_prior`` (:meth:`QuarterlyRevenue.trailing_year`); lines dated after
    ``end`` (``day_codes`` into ``days``, see :func:`~portfolio.quarters.line_days`) are left
    out with a note."""
    later = int(np.count_nonzero(day_codes >= days.searchsorted(end, side="right")))
    if later:
        report.notes.append(f"{later} line(s) dated after the as-of date were left out")
    return pd.DataFrame(
        {"arr": quarters.trailing_year(-1), "arr_prior": quarters.trailing_year(-5)},
        index=pd.Index(quarters.account_ids, name="account_id"),
    )


def _zero_refunds(grouped: pd.DataFrame, report: IngestReport) -> None:
    """Set net negative ``arr`` / ``arr_prior`` (more refunded than billed) to 0, in place,
    with a note per column."""
    for column in ("arr", "arr_prior"):
        negative = grouped[column] < 0
        if negative.any():
            report.notes.append(
                f"{int(negative.sum())} account(s) with net negative {column} (refunds) set to 0"
            )
            grouped.loc[negative, column] = 0.0


def _drop_dormant(grouped: pd.DataFrame, end: pd.Timestamp, report: IngestReport) -> pd.DataFrame:
    """Leave out, with a note, accounts without revenue in the 24 months to ``end``; reject
    the file when none is left."""
    dormant = (grouped["arr"] == 0) & (grouped["arr_prior"] == 0)
    if dormant.any():
        report.notes.append(
            f"{int(dormant.sum())} account(s) with no revenue in the 24 months to "
            f"{end:%Y-%m-%d} were left out"
        )
    grouped = grouped.loc[~dormant]
    if grouped.empty:
        report.add(Problem(f"no revenue in the 24 months to {end:%Y-%m-%d}: check --as-of"))
        raise Rejected
    return grouped


def _account_values(ids: pd.Series, cells: pd.Series, dates: pd.Series, *, latest: bool) -> pd.Series:
    """One value per account (index = account id) from its lines' non-blank cells (stripped):
    if ``latest``, the one of its latest line (the last in the file among lines of its latest
    date), else the most frequent, a tie going to the value that sorts first.

    Works on codes, so ``ids`` and ``cells`` may be text or categorical (20 million lines: a
    second or two)."""
    id_codes, id_values = _codes(ids)
    raw_codes, raw_values = _codes(cells)
    value_codes, values = pd.factorize(pd.Series(raw_values, dtype=object).str.strip())
    values = np.asarray(values, dtype=object)
    lookup = np.append(value_codes, -1).astype(np.int32)  # the last: a missing cell (code −1)
    lookup[np.isin(lookup, np.flatnonzero(values == ""))] = -1  # blank after stripping
    line_values = lookup[raw_codes]
    kept = line_values >= 0
    every = bool(kept.all())  # no blank cell: no copies of 20 million codes
    account, value = (id_codes, line_values) if every else (id_codes[kept], line_values[kept])
    if latest:
        when = _nanoseconds(dates) if every else _nanoseconds(dates)[kept]
        newest = np.full(len(id_values), np.iinfo(np.int64).min)
        np.maximum.at(newest, account, when)
        last = np.full(len(id_values), -1)
        on_newest = when == newest[account]
        np.maximum.at(last, account[on_newest], np.flatnonzero(on_newest))
        chosen = np.flatnonzero(last >= 0)
        picked = value[last[chosen]]
    else:
        pair, counts = _pair_counts(
            account.astype(np.int64) * len(values) + value, len(id_values) * len(values)
        )
        pair_account, pair_value = pair // len(values), pair % len(values)
        rank = np.argsort(np.argsort(values))  # value code → its place in text order
        order = np.lexsort((rank[pair_value], -counts, pair_account))
        first = order[np.r_[True, pair_account[order][1:] != pair_account[order][:-1]]]
        chosen, picked = pair_account[first], pair_value[first]
    return pd.Series(
        values[picked], index=pd.Index(id_values[chosen], name="account_id", dtype=object), name="value"
    )


def _nanoseconds(dates: pd.Series) -> np.ndarray:
    """Each line's Timestamp as int64 nanoseconds (a categorical's looked up by code; NaT as
    the smallest int64)."""
    if isinstance(dates.dtype, pd.CategoricalDtype):
        values = pd.DatetimeIndex(dates.cat.categories).as_unit("ns").asi8
        return np.append(values, np.iinfo(np.int64).min)[dates.cat.codes.to_numpy()]
    return dates.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _codes(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each line's code (-1 where missing) and the values (object array) the codes index: a
    categorical's own, else :func:`pandas.factorize`'s."""
    if isinstance(cells.dtype, pd.CategoricalDtype):
        return cells.cat.codes.to_numpy(), np.asarray(cells.cat.categories, dtype=object)
    codes, values = pd.factorize(cells)
    return codes, np.asarray(values, dtype=object)


_DENSE_PAIRS = 2**24
"""Up to this many possible (account, value) pairs are counted in one dense array (128 MB)."""


def _pair_counts(pairs: np.ndarray, possible: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``pairs`` (integers in ``[0, possible)``) and how often each occurs:
    :func:`numpy.bincount` when the pairs fit a dense array, else a hash count."""
    if possible <= _DENSE_PAIRS:
        counts = np.bincount(pairs, minlength=possible)
        present = np.flatnonzero(counts)
        return present, counts[present]
    counted = pd.Series(pairs).value_counts(sort=False)
    return counted.index.to_numpy(), counted.to_numpy()
