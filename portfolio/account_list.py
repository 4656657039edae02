"""The tiered account list as a download (CSV or XLSX), safe to open in a spreadsheet.

CSV: text cells that a spreadsheet would run as a formula are neutralised with an apostrophe
(:func:`portfolio.formula_text.neutralize_formula_text`, OWASP's advice on CSV injection).
XLSX: text is stored as typed string cells, which no spreadsheet runs, so it is written as is
(an apostrophe there would show as a literal ``'-2``). Numbers stay numbers. Either file
uploads back to the same account ids (the ingest removes the CSV's apostrophes).
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING  # type: ignore[import-untyped]

from portfolio.formula_text import FORMULA_PREFIXES, neutralize_formula_text

__all__ = [
    "COLUMNS",
    "FORMULA_PREFIXES",
    "account_table",
    "neutralize_formulas",
    "to_csv_bytes",
    "to_xlsx_bytes",
]

COLUMNS = (
    "account_id",
    "account_name",
    "arr",
    "arr_prior",
    "score",
    "tier",
    "start_tier",
    "assigned_tier",
    "sam",
    "segment",
    "industry",
    "region",
    "renewal_date",
)


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with every text cell neutralised for CSV (see :mod:`portfolio.formula_text`)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: neutralize_formula_text(v) if isinstance(v, str) else v)
    return out


def account_table(accounts: pd.DataFrame) -> pd.DataFrame:
    """The columns of the download, in order, from an analysed account frame."""
    present = [c for c in COLUMNS if c in accounts]
    extra = [c for c in accounts.columns if c not in COLUMNS]
    table = accounts[present + extra].copy()
    for column in ("tier", "start_tier", "assigned_tier"):
        if column in table:
            table[column] = table[column].astype(object).where(table[column].notna(), "")
    if "renewal_date" in table:
        table["renewal_date"] = table["renewal_date"].dt.strftime("%Y-%m-%d")
    return table.sort_values("arr", ascending=False, kind="stable")


def _download_table(accounts: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """:func:`account_table` with the amount headers naming ``currency`` (``arr (GBP)``), which
    the ingest reads back as the file's currency."""
    table = account_table(accounts)
    if currency:
        table = table.rename(columns={c: f"{c} ({currency})" for c in ("arr", "arr_prior")})
    return table


def to_csv_bytes(accounts: pd.DataFrame, currency: str | None = None) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads the encoding) of the account list; the amount headers
    name ``currency`` (ISO code) when given."""
    return neutralize_formulas(_download_table(accounts, currency)).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(accounts: pd.DataFrame, currency: str | None = None) -> bytes:
    """XLSX workbook (one sheet, ``Accounts``) of the account list; text as string cells; the
    amount headers name ``currency`` (ISO code) when given."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _download_table(accounts, currency).to_excel(writer, sheet_name="Accounts", index=False)
        for row in writer.sheets["Accounts"].iter_rows():
            for cell in row:
                if cell.data_type == TYPE_FORMULA:  # openpyxl reads text starting "=" as a formula
                    cell.data_type = TYPE_STRING
    return buffer.getvalue()


def write_accounts(accounts: pd.DataFrame, path: str | Path, currency: str | None = None) -> None:
    """Write the account list to ``path``; ``.xlsx`` gives a workbook, anything else CSV."""
    path = Path(path)
    data = (
        to_xlsx_bytes(accounts, currency)
        if path.suffix.lower() == ".xlsx"
        else to_csv_bytes(accounts, currency)
    )
    path.write_bytes(data)
