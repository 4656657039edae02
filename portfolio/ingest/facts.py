"""What a file says about its numbers: currency, as-of date and data kind
(:class:`portfolio.datafacts.DataFacts`), read from the table during ingest."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from portfolio.currency import currency_in_cells, currency_in_header, currency_of_countries
from portfolio.datafacts import DataFacts, detect_data_kind
from portfolio.ingest.cells import parse_dates
from portfolio.ingest.history import quarters_of
from portfolio.ingest.report import IngestReport, Problem, Rejected

AS_OF_HEADERS = ("as_of", "as_of_date", "snapshot_date", "data_as_of")
"""Headers (lower case, blanks and dashes as ``_``) of a snapshot's as-of date column."""


def _header_key(header: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(header).strip().lower())


def read_facts(
    table: pd.DataFrame,
    columns: dict[str, str],
    accounts: pd.DataFrame,
    history_end: pd.Timestamp | None,
    as_of: str | pd.Timestamp | None,
    report: IngestReport,
) -> DataFacts:
    """The facts of one file.

    Parameters
    ----------
    table : text cells under the file's headers.
    columns : canonical column → source header (the report's ``column_map``).
    accounts : the accounts read from it (a history's carry its quarterly revenue).
    history_end : a revenue history's as-of date (its last date or ``as_of``); None for a snapshot.
    as_of : the as-of date the user gave (``--as-of``, the upload form); for a snapshot it
        overrides an ``as_of`` column. Not a date: a problem, and :class:`Rejected`.
    """
    kind, reason = detect_data_kind(quarters_of(accounts))
    facts = DataFacts(data_kind=kind, data_kind_reason=reason)
    currency, source = _currency(table, columns)
    if currency is not None:
        facts = replace(facts, currency=currency, currency_source=source)
    if history_end is not None:
        source = "the as-of date given" if as_of is not None else "the last date in the revenue history"
        return _dated(facts, history_end, source)
    if as_of is not None:
        given = pd.to_datetime(as_of, errors="coerce")
        if pd.isna(given):
            report.add(Problem("as-of date is not a date", value=str(as_of)))
            raise Rejected
        return _dated(facts, given, "the as-of date given")
    return _snapshot_as_of(facts, table, report)


def _currency(table: pd.DataFrame, columns: dict[str, str]) -> tuple[str | None, str]:
    """The currency marked in the amount (or ARR) cells or named in their header, else the
    ``Country`` column's."""
    for column in ("amount", "arr", "arr_prior"):
        if column in columns:
            code, source = currency_in_cells(table[columns[column]], columns[column])
            if code is None:
                code, source = currency_in_header(columns[column])
            if code is not None:
                return code, source
    country = next((h for h in table.columns if _header_key(h) == "country"), None)
    return currency_of_countries(table[country], str(country)) if country is not None else (None, "")


def _snapshot_as_of(facts: DataFacts, table: pd.DataFrame, report: IngestReport) -> DataFacts:
    """``facts`` dated by the snapshot's as-of column (:data:`AS_OF_HEADERS`; its latest date,
    with a note when it holds several); unchanged without one. An unreadable date rejects."""
    column = next((h for h in table.columns if _header_key(h) in AS_OF_HEADERS), None)
    if column is None:
        return facts
    dates = parse_dates(table[column], str(column), report)
    if not report.ok:
        raise Rejected
    if dates.isna().all():
        return facts
    if dates.nunique() > 1:
        report.notes.append(
            f"the {column} column holds {dates.nunique()} dates; the latest, "
            f"{dates.max():%Y-%m-%d}, is the as-of date"
        )
    return _dated(facts, dates.max(), f"the {column} column")


def _dated(facts: DataFacts, when: pd.Timestamp, source: str) -> DataFacts:
    return replace(facts, as_of=pd.Timestamp(when).normalize(), as_of_source=source)
