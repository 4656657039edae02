"""Aggregate a revenue history (dated revenue lines) into one row per account.

:func:`aggregate_history` sums each account's amounts over trailing-twelve-month windows
ending on the as-of date (default: the last date in the file): ``arr`` is the revenue of the
last twelve months and ``arr_prior`` of the twelve before, both in the file's currency per
year. Lines after the as-of date, net refunds and dormant accounts are left out or set to 0
with a note; text attributes take each account's most frequent value, the name its latest.
"""

from __future__ import annotations

import pandas as pd

from portfolio.ingest.cells import parse_dates, parse_numbers
from portfolio.ingest.report import IngestReport, Problem, Rejected
from portfolio.ingest.snapshot import finalize_accounts


def aggregate_history(
    frame: pd.DataFrame, report: IngestReport, as_of: str | pd.Timestamp | None
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Revenue lines → one row per account with trailing-twelve-month revenue.

    ``arr`` = Σ amount over (as_of − 12 months, as_of];
    ``arr_prior`` = Σ amount over (as_of − 24 months, as_of − 12 months].
    Text attributes take each account's most frequent value; the name its latest one.
    """
    cols = report.column_map
    for row in frame.index[frame["account_id"] == ""]:
        report.add(Problem("missing account id", row=row, column=cols.get("account_id")))
    dates = parse_dates(frame["date"], cols["date"], report)
    for row in frame.index[frame["date"].str.strip() == ""]:
        report.add(Problem("missing date", row=row, column=cols["date"]))
    amounts = parse_numbers(frame["amount"], cols["amount"], report,
                             reason="amount is not a number")
    for row in frame.index[frame["amount"].str.strip() == ""]:
        report.add(Problem("missing amount", row=row, column=cols["amount"]))
    if not report.ok:
        raise Rejected
    if as_of is None:
        end = dates.max().normalize()
    else:
        end = pd.to_datetime(as_of, errors="coerce")
        if pd.isna(end):
            report.add(Problem("as-of date is not a date", value=str(as_of)))
            raise Rejected
        end = end.normalize()
    year_ago = end - pd.DateOffset(months=12)
    two_years_ago = end - pd.DateOffset(months=24)
    days = dates.dt.normalize()
    lines = pd.DataFrame({"account_id": frame["account_id"], "date": days, "amount": amounts})
    current = (lines["date"] > year_ago) & (lines["date"] <= end)
    prior = (lines["date"] > two_years_ago) & (lines["date"] <= year_ago)
    later = int((lines["date"] > end).sum())
    if later:
        report.notes.append(f"{later} line(s) dated after the as-of date were left out")
    grouped = pd.DataFrame({
        "arr": lines["amount"].where(current, 0.0).groupby(lines["account_id"]).sum(),
        "arr_prior": lines["amount"].where(prior, 0.0).groupby(lines["account_id"]).sum(),
    })
    for column in ("arr", "arr_prior"):
        negative = grouped[column] < 0
        if negative.any():
            report.notes.append(
                f"{int(negative.sum())} account(s) with net negative {column} (refunds) set to 0"
            )
            grouped.loc[negative, column] = 0.0
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
    order = dates.sort_values(kind="stable").index
    for column in ("account_name", "sam", "segment", "industry", "region"):
        if column not in frame:
            continue
        values = pd.DataFrame({"account_id": frame["account_id"],
                               "value": frame[column].str.strip()}).loc[order]
        values = values[values["value"] != ""]
        if column == "account_name":
            chosen = values.groupby("account_id")["value"].last()
        else:
            counts = values.groupby(["account_id", "value"]).size().rename("n").reset_index()
            counts = counts.sort_values(["account_id", "n", "value"], ascending=[True, False, True])
            chosen = counts.drop_duplicates("account_id").set_index("account_id")["value"]
        grouped[column] = chosen.reindex(grouped.index)
    report.notes.append(
        f"revenue history of {len(frame):,} lines aggregated to {len(grouped):,} accounts: "
        f"ARR = revenue {year_ago:%Y-%m-%d} – {end:%Y-%m-%d} (exclusive–inclusive), "
        f"prior ARR = the twelve months before"
    )
    out = grouped.rename_axis("account_id").reset_index()
    return finalize_accounts(out), end
