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

import numpy as np
import pandas as pd

from portfolio.formula_text import FORMULA_PREFIXES, neutralize_formula_text

__all__ = [
    "COLUMNS",
    "FORMULA_PREFIXES",
    "account_table",
    "grid_page",
    "neutralize_formulas",
    "search_accounts",
    "to_csv_bytes",
    "to_xlsx_bytes",
]

COLUMNS = (
    "account_id",
    "account_name",
    "arr",
    "default_tier",  # the Tiers page's lists of moves, next to ARR (tables.tier_moves_behind)
    "current_tier",
    "proposed_tier",
    "move",
    "arr_prior",
    "arr_change",
    "days_to_renewal",
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


def account_table(accounts: pd.DataFrame, *, largest_first: bool = True) -> pd.DataFrame:
    """The columns of the download, in order, from an analysed account frame; rows largest ARR
    first, or as given (``largest_first=False``: a drill-down list keeps its own order)."""
    present = [c for c in COLUMNS if c in accounts]
    extra = [c for c in accounts.columns if c not in COLUMNS]
    table = accounts[present + extra].copy()
    for column in ("tier", "start_tier", "assigned_tier"):
        if column in table:
            table[column] = table[column].astype(object).where(table[column].notna(), "")
    if "renewal_date" in table:
        table["renewal_date"] = table["renewal_date"].dt.strftime("%Y-%m-%d")
    return table.sort_values("arr", ascending=False, kind="stable") if largest_first else table


SEARCH_COLUMNS = (
    "account_id",
    "account_name",
    "tier",
    "assigned_tier",
    "sam",
    "segment",
    "industry",
    "region",
)
"""The text columns the grid's quick search looks in."""


def search_accounts(accounts: pd.DataFrame, text: str | None) -> np.ndarray:
    """Boolean mask of the accounts with ``text`` (case-insensitive, literally: no pattern) in
    any of :data:`SEARCH_COLUMNS`; every account for empty text. Churned accounts are searched
    too. Each column's distinct values are searched once (a region column has three)."""
    words = (text or "").strip().lower()
    found = np.zeros(len(accounts), dtype=bool)
    if not words:
        return ~found
    for column in SEARCH_COLUMNS:
        if column in accounts:
            codes, values = pd.factorize(accounts[column])
            hits = pd.Series(values, dtype="string").str.lower().str.contains(words, regex=False, na=False)
            found |= np.isin(codes, np.flatnonzero(hits.to_numpy()))
    return found


def _column(col_id: object) -> str:
    """The account column an ag-grid column id names: money columns carry their currency
    (``arr-GBP``, so the grid redraws them when it changes)."""
    return str(col_id).split("-", 1)[0]


def grid_page(
    accounts: pd.DataFrame,
    *,
    start: int,
    end: int,
    sort_model: list[dict] | None = None,
    search: str | None = None,
    largest_first: bool = True,
) -> tuple[list[dict], int]:
    """One slice of the account grid, computed on the server: the rows ``start`` to ``end``
    (0-based, ``end`` excluded) of the accounts matching ``search``, ordered by ``sort_model``
    (ag-grid's ``[{"colId": column, "sort": "asc" | "desc"}, …]``, a money column's id with its
    currency; unknown columns are ignored) or else largest ARR first (or as given,
    ``largest_first=False``). Returns the rows as JSON-ready records (missing values ``None``)
    and how many accounts match.

    Only the sort columns of the matching accounts are sorted and only the slice is copied, so
    a slice of 100,000 accounts costs tens of milliseconds."""
    found = accounts.index[search_accounts(accounts, search)]
    keys = [
        (_column(s["colId"]), s.get("sort") != "desc")
        for s in sort_model or []
        if isinstance(s, dict) and _column(s.get("colId")) in accounts.columns
    ]
    if not keys and largest_first:
        keys = [("arr", False)]
    if keys:
        columns = list(dict.fromkeys(k for k, _ in keys))
        ascending = [dict(keys)[c] for c in columns]
        found = accounts.loc[found, columns].sort_values(columns, ascending=ascending, kind="stable").index
    start = max(0, int(start))
    page = account_table(accounts.loc[found[start : max(start, int(end))]], largest_first=False)
    return page.astype(object).where(page.notna(), None).to_dict("records"), len(found)


def _download_table(accounts: pd.DataFrame, currency: str | None, largest_first: bool = True) -> pd.DataFrame:
    """:func:`account_table` with the amount headers naming ``currency`` (``arr (GBP)``), which
    the ingest reads back as the file's currency."""
    table = account_table(accounts, largest_first=largest_first)
    if currency:
        table = table.rename(columns={c: f"{c} ({currency})" for c in ("arr", "arr_prior", "arr_change")})
    return table


def to_csv_bytes(accounts: pd.DataFrame, currency: str | None = None, *, largest_first: bool = True) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads the encoding) of the account list; the amount headers
    name ``currency`` (ISO code) when given."""
    table = _download_table(accounts, currency, largest_first)
    return neutralize_formulas(table).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(
    accounts: pd.DataFrame, currency: str | None = None, *, largest_first: bool = True
) -> bytes:
    """XLSX workbook (one sheet, ``Accounts``) of the account list; text as string cells; the
    amount headers name ``currency`` (ISO code) when given."""
    from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING  # type: ignore[import-untyped]

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _download_table(accounts, currency, largest_first).to_excel(
            writer, sheet_name="Accounts", index=False
        )
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
