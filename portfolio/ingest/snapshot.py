"""Validate an account snapshot (one row per account) into the accounts frame.

:func:`validate_snapshot` checks ids (present, unique), ARR and prior ARR (numbers in
currency per year, ≥ 0; a blank prior ARR is a new account, read as 0), tiers, renewal
dates and 0–10 scores, reporting every bad cell; :func:`finalize_accounts` gives any
accounts frame (snapshot or aggregated history) its canonical column order, names that
default to ids and a fresh 0-based index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portfolio.ingest.cells import parse_dates, parse_numbers, parse_tiers
from portfolio.ingest.report import IngestReport, Problem
from portfolio.schema import SCORE_DIMENSIONS, SNAPSHOT_COLUMNS, TEXT_COLUMNS


def validate_snapshot(frame: pd.DataFrame, report: IngestReport) -> pd.DataFrame:
    """Snapshot cells → the accounts frame (see :func:`finalize_accounts`).

    Parameters
    ----------
    frame : text cells under canonical column names (``account_id`` stripped, ``arr``, …),
        indexed by file row number.
    report : its ``column_map`` gives each canonical column's source header; every bad cell
        is added to it as a problem, and it is given notes (blank or missing prior ARR).

    Returns ``arr`` and ``arr_prior`` in currency per year (``arr_prior`` 0 where blank, NaN
    throughout when the file has no prior ARR), scores as floats, tiers, renewal dates and
    text attributes (``None`` where blank). The caller rejects the file if ``report`` is not ok.
    """
    cols = report.column_map
    _check_ids(frame["account_id"], cols.get("account_id"), report)
    out = pd.DataFrame(index=frame.index)
    out["account_id"] = frame["account_id"]
    out["arr"] = _read_arr(frame["arr"], cols["arr"], report)
    out["arr_prior"] = _read_prior_arr(frame, cols, report)
    for column in TEXT_COLUMNS:
        if column in frame and column != "tier":
            values = frame[column].str.strip()
            out[column] = values.where(values != "", None)
    if "tier" in frame:
        out["tier"] = parse_tiers(frame["tier"], cols["tier"], report)
    if "renewal_date" in frame:
        out["renewal_date"] = parse_dates(frame["renewal_date"], cols["renewal_date"], report)
    for column in (*SCORE_DIMENSIONS, "revenue_score"):
        if column in frame:
            out[column] = _read_scores(frame[column], cols[column], report)
    if "reactivated" in frame:
        out["reactivated"] = _read_flags(frame["reactivated"], cols["reactivated"], report)
    return finalize_accounts(out)


_YES = {"yes", "y", "true", "t", "1", "x"}
_NO = {"no", "n", "false", "f", "0", ""}


def _read_flags(cells: pd.Series, column: str, report: IngestReport) -> pd.Series:
    """Yes/no cells → booleans (blank is no); anything else is a problem."""
    text = cells.str.strip().str.lower()
    for row, value in cells[~text.isin(_YES | _NO)].items():
        report.add(Problem("not yes or no", row=row, column=column, value=value))
    return text.isin(_YES)


def _check_ids(ids: pd.Series, column: str | None, report: IngestReport) -> None:
    """Report blank and duplicate account ids; a duplicate names the row of the first one."""
    for row in ids.index[ids == ""]:
        report.add(Problem("missing account id", row=row, column=column))
    present = ids[ids != ""]
    first_row = present.reset_index().drop_duplicates("account_id").set_index("account_id")
    for row, value in present[present.duplicated()].items():
        report.add(
            Problem(
                f"duplicate account id (first on row {first_row.loc[value].iloc[0]})",
                row=row,
                column=column,
                value=value,
                counted_as="duplicate account id",
            )
        )


def _read_arr(cells: pd.Series, column: str, report: IngestReport) -> pd.Series:
    """ARR cells → floats (currency per year); blank, unreadable and negative cells are problems."""
    arr = parse_numbers(cells, column, report, reason="ARR is not a number")
    for row in arr.index[cells.str.strip() == ""]:
        report.add(Problem("missing ARR", row=row, column=column))
    for row, value in cells[arr < 0].items():
        report.add(Problem("negative ARR", row=row, column=column, value=value))
    return arr


def _read_prior_arr(frame: pd.DataFrame, cols: dict[str, str], report: IngestReport) -> pd.Series | float:
    """Prior-year ARR → floats (currency per year), blank read as 0 (a new account); NaN for
    every account when there is no such column. Unreadable and negative cells are problems."""
    if "arr_prior" not in frame:
        report.notes.append("no prior ARR column: retention (NRR, GRR, bridge) is not available")
        return np.nan
    cells, column = frame["arr_prior"], cols["arr_prior"]
    prior = parse_numbers(cells, column, report, reason="prior ARR is not a number")
    for row, value in cells[prior < 0].items():
        report.add(Problem("negative prior ARR", row=row, column=column, value=value))
    blank = int((cells.str.strip() == "").sum())
    if blank:
        report.notes.append(f"{blank} blank prior ARR cell(s) read as 0 (new accounts)")
    return prior.fillna(0.0)


def _read_scores(cells: pd.Series, column: str, report: IngestReport) -> pd.Series:
    """Score cells → floats on the 0–10 scale (NaN where blank); others are problems."""
    scores = parse_numbers(cells, column, report, reason="score is not a number")
    for row, value in cells[(scores < 0) | (scores > 10)].items():
        report.add(Problem("score outside 0–10", row=row, column=column, value=value))
    return scores


def finalize_accounts(out: pd.DataFrame) -> pd.DataFrame:
    """Canonical column order, names defaulting to ids, a fresh 0-based index."""
    if "account_name" not in out or out["account_name"].isna().all():
        out["account_name"] = out["account_id"]
    else:
        out["account_name"] = out["account_name"].fillna(out["account_id"])
    ordered = [c for c in SNAPSHOT_COLUMNS if c in out.columns]
    result = out[ordered].reset_index(drop=True)
    for column in ("account_id", "account_name"):
        result[column] = result[column].astype(object)
    return result
