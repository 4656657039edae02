"""The downloadable account list: formula injection is neutralised in CSV, XLSX holds typed
text cells, numbers stay numbers, and both upload back to the same accounts."""

import csv
import io

import openpyxl
import pandas as pd
import pytest

from portfolio.account_list import neutralize_formulas, to_csv_bytes, to_xlsx_bytes
from portfolio.analysis import analyze
from portfolio.ingest import load_bytes

HOSTILE = pd.DataFrame(
    {
        "account_id": ["A", "B", "C", "D", "E", "F", "G", "H", "I"],
        "account_name": [
            '=HYPERLINK("http://x")',
            "+1",
            "-2",
            "@SUM(A1)",
            "\tTab",
            "Fine",
            ";=1+2",
            "|cmd",
            'x;"=1+2"',
        ],
        "arr": [100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0, 900.0],
        "arr_prior": [0.0] * 9,
    }
)
TRIGGERS = ("=", "+", "-", "@")


def test_neutralize_prefixes_each_trigger_and_each_trigger_after_a_separator():
    out = neutralize_formulas(HOSTILE)
    assert out["account_name"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tTab",
        "Fine",
        "';'=1+2",  # leading ';' (OWASP's list), and the '=' a ';'-splitting spreadsheet starts a cell with
        "'|cmd",
        'x;\'"=1+2"',  # a quote before the '=' does not hide it
    ]
    assert out["arr"].tolist() == HOSTILE["arr"].tolist()


@pytest.mark.parametrize("separator", [",", ";", "|", "\t"])
def test_no_csv_cell_starts_a_formula_whichever_separator_the_spreadsheet_splits_on(separator):
    text = to_csv_bytes(analyze(HOSTILE).accounts).decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text), delimiter=separator):
        for cell in row:
            assert not cell.lstrip('"').startswith(TRIGGERS), (separator, cell)


def test_xlsx_text_is_typed_text_without_apostrophes_and_numbers_are_numbers():
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(analyze(HOSTILE).accounts)))
    rows = list(workbook["Accounts"].iter_rows(min_row=2))
    assert all(cell.data_type != "f" for row in rows for cell in row)  # no formula cell at all
    assert [row[1].data_type for row in rows] == ["s"] * len(HOSTILE)
    assert sorted(row[1].value for row in rows) == sorted(HOSTILE["account_name"])  # as typed: no "'-2"
    assert [row[2].value for row in rows] == [900, 800, 700, 600, 500, 400, 300, 200, 100]


def test_downloaded_lists_upload_back_to_the_same_accounts():
    ids = ["=1+2", "-2", "@x", "+44", "a;=1", "'Tis", "plain"]
    arr = [7.0, 6, 5, 4, 3, 2, 1]
    frame = pd.DataFrame({"account_id": ids, "account_name": ids, "arr": arr, "arr_prior": 0.0})
    accounts = analyze(frame).accounts
    for data, name in ((to_csv_bytes(accounts), "list.csv"), (to_xlsx_bytes(accounts), "list.xlsx")):
        result = load_bytes(data, name)
        assert result.ok, result.report.summary()
        back = result.accounts.set_index("account_id")
        assert sorted(back.index) == sorted(ids), name
        assert back.loc[ids, "account_name"].tolist() == ids and back.loc[ids, "arr"].tolist() == arr
