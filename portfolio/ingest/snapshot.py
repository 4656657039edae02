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
    cols = report.column_map
    ids = frame["account_id"]
    for row in ids.index[ids == ""]:
        report.add(Problem("missing account id", row=row, column=cols.get("account_id")))
    present = ids[ids != ""]
    first_row = present.reset_index().drop_duplicates("account_id").set_index("account_id")
    for row, value in present[present.duplicated()].items():
        report.add(Problem(
            f"duplicate account id (first on row {first_row.loc[value].iloc[0]})",
            row=row, column=cols.get("account_id"), value=value,
        ))
    out = pd.DataFrame(index=frame.index)
    out["account_id"] = ids
    arr = parse_numbers(frame["arr"], cols["arr"], report, reason="ARR is not a number")
    for row in arr.index[frame["arr"].str.strip() == ""]:
        report.add(Problem("missing ARR", row=row, column=cols["arr"]))
    for row, value in frame["arr"][arr < 0].items():
        report.add(Problem("negative ARR", row=row, column=cols["arr"], value=value))
    out["arr"] = arr
    if "arr_prior" in frame:
        prior = parse_numbers(frame["arr_prior"], cols["arr_prior"], report,
                               reason="prior ARR is not a number")
        for row, value in frame["arr_prior"][prior < 0].items():
            report.add(Problem("negative prior ARR", row=row, column=cols["arr_prior"],
                               value=value))
        blank = int((frame["arr_prior"].str.strip() == "").sum())
        if blank:
            report.notes.append(f"{blank} blank prior ARR cell(s) read as 0 (new accounts)")
        out["arr_prior"] = prior.fillna(0.0)
    else:
        out["arr_prior"] = np.nan
        report.notes.append("no prior ARR column: retention (NRR, GRR, bridge) is not available")
    for column in TEXT_COLUMNS:
        if column in frame and column != "tier":
            values = frame[column].str.strip()
            out[column] = values.where(values != "", None)
    if "tier" in frame:
        out["tier"] = parse_tiers(frame["tier"], cols["tier"], report)
    if "renewal_date" in frame:
        out["renewal_date"] = parse_dates(frame["renewal_date"], cols["renewal_date"], report)
    for column in SCORE_DIMENSIONS:
        if column in frame:
            scores = parse_numbers(frame[column], cols[column], report,
                                    reason="score is not a number")
            for row, value in frame[column][(scores < 0) | (scores > 10)].items():
                report.add(Problem("score outside 0–10", row=row, column=cols[column],
                                   value=value))
            out[column] = scores
    return finalize_accounts(out)


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
