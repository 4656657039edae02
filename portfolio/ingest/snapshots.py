"""Several account snapshots in one file: a ``snapshot_date`` column labels each row's date.

:func:`read_snapshots` checks the dates (every cell a date), that no account appears twice on
one date, and that there are at least two dates, naming the rows of every problem; then it
validates each date's rows as a snapshot (:func:`~portfolio.ingest.snapshot.validate_snapshot`).
The accounts frame is the latest snapshot (what every page analyses); all snapshots travel in
its ``attrs`` (:func:`snapshots_of`) for the "what changed" view (:mod:`portfolio.changes`).
"""

from __future__ import annotations

import pandas as pd

from portfolio.carried import snapshots_of as snapshots_of
from portfolio.carried import with_snapshots as with_snapshots
from portfolio.ingest.cells import parse_dates
from portfolio.ingest.report import IngestReport, Problem, Rejected
from portfolio.ingest.snapshot import validate_snapshot
from portfolio.schema import SNAPSHOT_DATE


def read_snapshots(frame: pd.DataFrame, report: IngestReport) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Dated snapshot rows → (the latest snapshot's accounts, its date).

    Parameters
    ----------
    frame : text cells under canonical column names, ``snapshot_date`` among them, indexed by
        file row number.
    report : problems (bad or missing dates, an account twice on one date, a single date) and
        notes go here; the column map names the source headers.

    Raises :class:`Rejected` when the dates are unusable; other problems are only reported.
    The result's ``attrs`` hold every snapshot (validated, with a ``snapshot_date`` column).
    """
    column = report.column_map[SNAPSHOT_DATE]
    dates = parse_dates(frame[SNAPSHOT_DATE], column, report).dt.normalize()
    for row in frame.index[frame[SNAPSHOT_DATE].str.strip() == ""]:
        report.add(Problem("missing snapshot date", row=row, column=column))
    if not report.ok:
        raise Rejected
    _check_duplicates(frame["account_id"], dates, report)
    distinct = sorted(dates.unique())
    if len(distinct) < 2:
        report.add(
            Problem(
                f"only one snapshot date ({pd.Timestamp(distinct[0]):%Y-%m-%d}, rows "
                f"{frame.index.min()}–{frame.index.max()}): comparing snapshots needs at least two; "
                f"remove the '{column}' column to load it as a single snapshot",
                column=column,
            )
        )
    if not report.ok:
        raise Rejected
    snapshots = []
    latest = None
    for date in distinct:
        rows = frame.loc[dates == date].drop(columns=SNAPSHOT_DATE)
        is_last = date == distinct[-1]
        scratch = report if is_last else IngestReport(report.source, column_map=report.column_map)
        accounts = validate_snapshot(rows, scratch)
        for problem in [] if is_last else scratch.problems:
            report.add(problem)
        snapshots.append(accounts.assign(**{SNAPSHOT_DATE: pd.Timestamp(date)}))
        latest = accounts
    assert latest is not None  # at least two dates
    end = pd.Timestamp(distinct[-1])
    report.notes.append(
        f"{len(distinct)} snapshots ({', '.join(f'{pd.Timestamp(d):%Y-%m-%d}' for d in distinct)}); "
        f"the pages analyse the latest, {end:%Y-%m-%d}"
    )
    everything = pd.concat(snapshots, ignore_index=True)
    latest = _prior_from_a_year_before(latest, everything, end, report)
    with_snapshots(latest, everything)
    return latest, end


YEAR_SLACK = pd.Timedelta(days=16)
"""A snapshot within this of exactly twelve months before the latest counts as "a year ago"."""


def _prior_from_a_year_before(
    latest: pd.DataFrame, snapshots: pd.DataFrame, end: pd.Timestamp, report: IngestReport
) -> pd.DataFrame:
    """When the latest snapshot has no prior ARR column, take each account's ARR from the
    snapshot dated twelve months before it (± :data:`YEAR_SLACK`; 0 for accounts absent from
    it), with a note; otherwise ``latest`` unchanged."""
    if latest["arr_prior"].notna().any():
        return latest
    target = end - pd.DateOffset(months=12)
    dates = pd.Series(snapshots[SNAPSHOT_DATE].unique())
    near = dates[(dates - target).abs() <= YEAR_SLACK]
    if near.empty:
        return latest
    year_ago = pd.Timestamp(near.iloc[(near - target).abs().argmin()])
    before = snapshots[snapshots[SNAPSHOT_DATE] == year_ago].set_index("account_id")["arr"]
    latest = latest.assign(arr_prior=latest["account_id"].map(before).fillna(0.0).astype(float))
    report.notes[:] = [n for n in report.notes if not n.startswith("no prior ARR column: retention")]
    report.notes.append(
        f"no prior ARR column: prior ARR taken from the {year_ago:%Y-%m-%d} snapshot "
        "(0 for accounts not in it)"
    )
    return latest


def _check_duplicates(ids: pd.Series, dates: pd.Series, report: IngestReport) -> None:
    """An account id twice on one snapshot date is a problem on the second row, naming the first."""
    keys = pd.DataFrame({"account_id": ids, "date": dates})
    keys = keys[keys["account_id"] != ""]
    twice = keys.duplicated(keep="first")
    first_rows = keys.reset_index().drop_duplicates(["account_id", "date"]).set_index(["account_id", "date"])
    column = report.column_map.get("account_id")
    for row, (account, date) in keys[twice].iterrows():
        first = first_rows.loc[(account, date)].iloc[0]
        report.add(
            Problem(
                f"account listed twice on snapshot date {date:%Y-%m-%d} (first on row {first})",
                row=row,
                column=column,
                value=account,
                counted_as="account listed twice on one snapshot date",
            )
        )
