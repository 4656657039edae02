"""Read account files (CSV, TSV, XLSX; snapshot or revenue history) into a validated frame.

Entry points are :func:`load_file` and :func:`load_bytes`. Neither raises for anything a
user can put in a file: the result carries either the accounts or an :class:`IngestReport`
listing every problem (row, column, value, reason) with counts per reason.

Row numbers in reports are the file's own: the header is row 1, the first data row is row 2
(for XLSX, the spreadsheet's row numbers).

The validated frame has one row per account and the canonical columns of
:data:`portfolio.schema.SNAPSHOT_COLUMNS` that the file provided, plus always
``account_id`` (str), ``account_name`` (str), ``arr`` and ``arr_prior`` (float, ≥ 0).

The steps live in modules: :mod:`~portfolio.ingest.decode` (bytes → table of strings),
:mod:`~portfolio.ingest.shape` (snapshot or history, column mapping),
:mod:`~portfolio.ingest.snapshot` and :mod:`~portfolio.ingest.history` (table → accounts),
:mod:`~portfolio.ingest.cells` (money, numbers, dates, tiers) and
:mod:`~portfolio.ingest.report` (limits, problems, the report and result types).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from portfolio.ingest.cells import parse_money
from portfolio.ingest.decode import read_table
from portfolio.ingest.report import (
    DEFAULT_LIMITS,
    MAX_LISTED_PROBLEMS,
    IngestReport,
    Limits,
    LoadResult,
    Problem,
    Rejected,
    Shape,
)
from portfolio.ingest.shape import detect_shape, to_accounts
from portfolio.ingest.snapshot import finalize_accounts

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_LISTED_PROBLEMS",
    "IngestReport",
    "Limits",
    "LoadResult",
    "Problem",
    "Shape",
    "detect_shape",
    "finalize_accounts",
    "load_bytes",
    "load_file",
    "parse_money",
]


def load_file(
    path: str | Path,
    *,
    mapping: dict[str, str] | None = None,
    as_of: str | pd.Timestamp | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> LoadResult:
    """Read an account snapshot or revenue history from ``path``.

    Parameters
    ----------
    path : CSV/TSV/TXT or XLSX file.
    mapping : ``{source header: canonical column}`` for headers that cannot be guessed.
    as_of : for a revenue history, the last day of the trailing twelve months (default: the
        last date in the file); for a snapshot, the date it describes (default: its ``as_of``
        column, else unknown).
    limits : size limits.
    """
    path = Path(path)
    report = IngestReport(source=path.name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        report.add(Problem(f"cannot open file: {exc.strerror or exc}"))
        return LoadResult(None, report)
    if size > limits.max_bytes:
        report.add(Problem(_too_big_message(size, limits)))
        return LoadResult(None, report)
    return load_bytes(path.read_bytes(), path.name, mapping=mapping, as_of=as_of, limits=limits)


def load_bytes(
    data: bytes,
    filename: str,
    *,
    mapping: dict[str, str] | None = None,
    as_of: str | pd.Timestamp | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> LoadResult:
    """Read an account file given as bytes (an upload). See :func:`load_file`.

    ``filename`` names the file in the report; the content, not the extension, decides
    whether it is read as XLSX or as delimited text.
    """
    report = IngestReport(source=filename)
    try:
        if len(data) > limits.max_bytes:
            report.add(Problem(_too_big_message(len(data), limits)))
            raise Rejected
        table = read_table(data, filename, report, limits)
        accounts, as_of_ts = to_accounts(table, report, mapping or {}, as_of)
    except Rejected:
        return LoadResult(None, report)
    if not report.ok:
        return LoadResult(None, report)
    return LoadResult(accounts, report, as_of_ts)


def _file_size(size: float) -> str:
    """Bytes as ``12.3 MiB`` / ``4.0 kB`` / ``512 bytes``."""
    if size >= 2**20:
        return f"{size / 2**20:.1f} MiB"
    return f"{size / 1024:.1f} kB" if size >= 1024 else f"{size:.0f} bytes"


def _too_big_message(size: int, limits: Limits) -> str:
    return (
        f"file is {_file_size(size)}; the limit is {_file_size(limits.max_bytes)} "
        "(split the file or aggregate it to one row per account)"
    )
