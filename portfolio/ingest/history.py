"""Aggregate a revenue history (dated revenue lines) into one row per account.

:func:`aggregate_history` sums each account's amounts over trailing-twelve-month windows
ending on the as-of date (default: the last date in the file): ``arr`` is the revenue of the
last twelve months and ``arr_prior`` of the twelve before, both in the file's currency per
year. Lines after the as-of date, net refunds and dormant accounts are left out or set to 0
with a note; text attributes take each account's most frequent value, the name its latest.
"""

from __future__ import annotations

import pandas as pd

from portfolio.carried import history_start as history_start
from portfolio.carried import quarters_of as quarters_of
from portfolio.carried import with_quarters as with_quarters
from portfolio.ingest.cells import parse_dates, parse_numbers
from portfolio.ingest.report import IngestReport, Problem, Rejected
from portfolio.ingest.snapshot import finalize_accounts
from portfolio.quarters import QuarterlyRevenue, quarterly_revenue

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
    end = _as_of_end(as_of, dates, report)
    year_ago = end - pd.DateOffset(months=12)
    quarters = quarterly_revenue(frame["account_id"], dates, amounts, end)
    grouped = _trailing_revenue(quarters, dates, end, report)
    _zero_refunds(grouped, report)
    grouped = _drop_dormant(grouped, end, report)
    order = dates.sort_values(kind="stable").index
    for column in _ATTRIBUTES:
        if column in frame:
            chosen = _account_values(
                frame["account_id"], frame[column], order, latest=column == "account_name"
            )
            grouped[column] = chosen.reindex(grouped.index)
    report.notes.append(
        f"revenue history of {len(frame):,} lines aggregated to {len(grouped):,} accounts: "
        f"ARR = revenue {year_ago:%Y-%m-%d} – {end:%Y-%m-%d} (exclusive–inclusive), "
        f"prior ARR = the twelve months before"
    )
    out = grouped.rename_axis("account_id").reset_index()
    accounts = finalize_accounts(out)
    return with_quarters(accounts, quarters), end


def _read_lines(frame: pd.DataFrame, report: IngestReport) -> tuple[pd.Series, pd.Series]:
    """Each line's date (Timestamp) and amount (float); a blank id, date or amount or an
    unreadable cell is a problem, and any problem rejects the file."""
    cols = report.column_map
    for row in frame.index[frame["account_id"] == ""]:
        report.add(Problem("missing account id", row=row, column=cols.get("account_id")))
    dates = parse_dates(frame["date"], cols["date"], report)
    for row in frame.index[frame["date"].str.strip() == ""]:
        report.add(Problem("missing date", row=row, column=cols["date"]))
    amounts = parse_numbers(frame["amount"], cols["amount"], report, reason="amount is not a number")
    for row in frame.index[frame["amount"].str.strip() == ""]:
        report.add(Problem("missing amount", row=row, column=cols["amount"]))
    if not report.ok:
        raise Rejected
    return dates, amounts


def _as_of_end(as_of: str | pd.Timestamp | None, dates: pd.Series, report: IngestReport) -> pd.Timestamp:
    """The last day of the trailing twelve months, at midnight: ``as_of``, or else the last
    date in the file; an ``as_of`` that is not a date rejects the file."""
    if as_of is None:
        return dates.max().normalize()
    end = pd.to_datetime(as_of, errors="coerce")
    if pd.isna(end):
        report.add(Problem("as-of date is not a date", value=str(as_of)))
        raise Rejected
    return end.normalize()


def _trailing_revenue(
    quarters: QuarterlyRevenue, dates: pd.Series, end: pd.Timestamp, report: IngestReport
) -> pd.DataFrame:
    """Σ amount per account (index) over the four quarters to ``end`` as ``arr`` and over the
    four before as ``arr_prior`` (:meth:`QuarterlyRevenue.trailing_year`); lines dated after
    ``end`` are left out with a note."""
    later = int((dates.dt.normalize() > end).sum())
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


def _account_values(ids: pd.Series, cells: pd.Series, order: pd.Index, *, latest: bool) -> pd.Series:
    """One value per account (index = account id) from its lines' non-blank cells: the last
    in ``order`` (the lines by date) if ``latest``, else the most frequent, a tie going to
    the value that sorts first."""
    values = pd.DataFrame({"account_id": ids, "value": cells.str.strip()}).loc[order]
    values = values[values["value"] != ""]
    if latest:
        return values.groupby("account_id")["value"].last()
    counts = values.groupby(["account_id", "value"]).size().rename("n").reset_index()
    counts = counts.sort_values(["account_id", "n", "value"], ascending=[True, False, True])
    return counts.drop_duplicates("account_id").set_index("account_id")["value"]
