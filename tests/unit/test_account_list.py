"""The downloadable account list: formula injection is neutralised; numbers stay numbers."""

import io

import openpyxl
import pandas as pd

from portfolio.account_list import neutralize_formulas, to_csv_bytes, to_xlsx_bytes
from portfolio.analysis import analyze

HOSTILE = pd.DataFrame(
    {
        "account_id": ["A", "B", "C", "D", "E", "F"],
        "account_name": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTab", "Fine"],
        "arr": [100.0, 200.0, 300.0, 400.0, 500.0, 600.0],
        "arr_prior": [0.0] * 6,
    }
)


def test_neutralize_prefixes_each_trigger():
    out = neutralize_formulas(HOSTILE)
    assert out["account_name"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tTab",
        "Fine",
    ]
    assert out["arr"].tolist() == HOSTILE["arr"].tolist()


def test_csv_and_xlsx_downloads_are_safe():
    accounts = analyze(HOSTILE).accounts
    text = to_csv_bytes(accounts).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=" not in text
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(accounts)))
    names = [row[1] for row in workbook["Accounts"].iter_rows(min_row=2, values_only=True)]
    assert all(not str(n).startswith(("=", "+", "-", "@")) for n in names)
    arr = [row[2] for row in workbook["Accounts"].iter_rows(min_row=2, values_only=True)]
    assert arr == [600, 500, 400, 300, 200, 100]  # sorted by ARR, numeric cells
