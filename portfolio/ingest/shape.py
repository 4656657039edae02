"""Table → accounts: which kind of file this is, and which column is which.

:func:`detect_shape` maps the file's headers to canonical columns (forgiving spellings,
plus an explicit ``{source header: canonical column}`` mapping) and decides whether the
table is an account snapshot or a revenue history; :func:`to_accounts` checks the required
columns, records the mapping in the report, and hands the canonical frame to
:mod:`portfolio.ingest.snapshot` or :mod:`portfolio.ingest.history`.
"""

from __future__ import annotations

import pandas as pd

from portfolio.datafacts import with_facts
from portfolio.ingest.facts import read_facts
from portfolio.ingest.history import aggregate_history
from portfolio.ingest.report import IngestReport, Problem, Rejected, Shape
from portfolio.ingest.snapshot import validate_snapshot
from portfolio.ingest.snapshots import read_snapshots
from portfolio.schema import HISTORY_COLUMNS, SNAPSHOT_COLUMNS, SNAPSHOT_DATE, match_columns


def detect_shape(table: pd.DataFrame, mapping: dict[str, str]) -> tuple[Shape, dict[str, str]]:
    """Decide whether a table is a snapshot or a revenue history; return its column map.

    A file is a revenue history when it has a date column and an amount column and
    its account ids repeat; it is a snapshot when it has an ARR column (or an explicit
    mapping to ``arr``).
    """
    headers = list(table.columns)
    snapshot = match_columns(headers, SNAPSHOT_COLUMNS, mapping)
    history = match_columns(headers, HISTORY_COLUMNS, mapping)
    explicit = set((mapping or {}).values())
    if "arr" in explicit or "arr_prior" in snapshot:
        return "snapshot", snapshot
    if "date" in history and "amount" in history:
        key = history.get("account_id") or history.get("account_name")
        if "arr" not in snapshot or (key and table[key].duplicated().any()):
            return "history", history
    return "snapshot", snapshot


def to_accounts(
    table: pd.DataFrame,
    report: IngestReport,
    mapping: dict[str, str],
    as_of: str | pd.Timestamp | None,
) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """Map ``table``'s columns, check the required ones and read it as its shape.

    Parameters
    ----------
    table : text cells under the file's headers, indexed by file row number
        (from :func:`portfolio.ingest.decode.read_table`).
    report : receives the shape, the column mapping, unmatched and missing columns,
        problems and notes.
    mapping : ``{source header: canonical column}`` given by the user.
    as_of : for a revenue history, the last day of the trailing twelve months; for a snapshot,
        the date it describes (over an ``as_of`` column).

    Returns the accounts frame, carrying its :class:`~portfolio.datafacts.DataFacts` (currency,
    as-of date, data kind; see :mod:`portfolio.ingest.facts`), and the as-of date (``None``
    when a snapshot does not say). Raises :class:`Rejected` when a required column is missing or a revenue
    history cannot be aggregated; other problems are only reported, and the caller rejects
    the file if ``report`` is not ok.
    """
    shape, columns, key = map_columns(table, report, mapping)
    frame = pd.DataFrame({canon: table[source] for canon, source in columns.items()})
    frame["account_id"] = frame[key].str.strip()
    end = None
    if shape == "snapshot" and SNAPSHOT_DATE in frame:  # the latest of several dated snapshots
        accounts, latest = read_snapshots(frame, report)
        as_of = as_of if as_of is not None else latest
    elif shape == "snapshot":
        accounts = validate_snapshot(frame, report)
    else:
        accounts, end = aggregate_history(frame, report, as_of)
    facts = read_facts(table, columns, accounts, end, as_of, report)
    return with_facts(accounts, facts), facts.as_of


def map_columns(
    table: pd.DataFrame, report: IngestReport, mapping: dict[str, str]
) -> tuple[Shape, dict[str, str], str]:
    """The shape, ``{canonical column: source header}`` and the id column (``account_id``, or
    ``account_name`` when there is none) of ``table``, recorded in ``report``; raises
    :class:`Rejected` when a required column is missing (see :func:`to_accounts`).
    ``table`` may be the first rows of a file (the columnar reader's sample)."""
    shape, columns = detect_shape(table, mapping)
    if shape == "snapshot":  # a snapshot_date column makes it a series of snapshots
        free = [h for h in table.columns if h not in columns.values()]
        columns |= match_columns(free, (SNAPSHOT_DATE,), mapping)
    report.shape = shape
    unknown = [source for source in mapping if source not in table.columns]
    for source in unknown:
        report.add(Problem("mapping names a column that is not in the file", column=source))
    key = "account_id" if "account_id" in columns else "account_name"
    required = ["arr"] if shape == "snapshot" else ["date", "amount"]
    report.missing_required = [c for c in required if c not in columns]
    if key not in columns:
        report.missing_required.insert(0, "account_id")
    report.column_map = columns
    report.unmatched_headers = [h for h in table.columns if h not in columns.values()]
    if report.missing_required:
        report.add(
            Problem(
                "missing required column(s): "
                + ", ".join(report.missing_required)
                + f"; the file has: {', '.join(map(str, table.columns))}. "
                "Rename the header or pass a mapping (e.g. --mapping 'Client Ref=account_id')."
            )
        )
        raise Rejected
    if key == "account_name":
        report.notes.append(
            f"no account id column; account names ('{columns['account_name']}') are used as ids"
        )
    return shape, columns, key
