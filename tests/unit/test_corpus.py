"""The corpus of broken and hostile files in tests/corpus/, plus generated extremes: each ends in
a clear, specific message or a correct load — never a traceback."""

from pathlib import Path

import pytest

from portfolio.account_list import to_csv_bytes
from portfolio.ingest import load_bytes

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
REJECTED = {
    "empty.csv": "file is empty",
    "header_only.csv": "file has a header but no data rows",
    "duplicate_headers.csv": "duplicate column header (columns 2 and 3)",
    "binary_junk.csv": "binary content",
    "no_account_column.csv": "missing required column(s): account_id, arr",
    "negative_and_text_arr.csv": "negative ARR",
    "truncated.xlsx": "not a valid (zip) workbook: is it truncated?",
}
LOADED = {  # file: (account names or count, total ARR)
    "formulas.csv": (4, 1000.0),
    "html_names.csv": (
        ["<script>alert(1)</script>", "<b>Bold & Co</b>", "<img src=x onerror=alert(2)>"],
        1750.0,
    ),
    "mixed_encoding.csv": (["Müller GmbH", "Société Générale"], 300.0),
    "semicolon_decimal_comma.csv": (["Alpha", "Beta"], 1236.5),
    "utf16.csv": (["Ærø", "Øst"], 150.0),
    "not_really.xlsx": (1, 1.0),  # CSV text with an .xlsx name: read as the text it is
}


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted({**REJECTED, **LOADED})


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_broken_files_are_rejected_with_a_specific_message(name):
    result = load_bytes((CORPUS / name).read_bytes(), name)
    assert not result.ok and result.accounts is None
    assert REJECTED[name] in result.report.summary()


@pytest.mark.parametrize("name", sorted(LOADED))
def test_odd_but_valid_files_load_correctly(name):
    result = load_bytes((CORPUS / name).read_bytes(), name)
    assert result.ok, result.report.summary()
    names, total = LOADED[name]
    got = result.accounts["account_name"].tolist() if isinstance(names, list) else len(result.accounts)
    assert got == names and result.accounts["arr"].sum() == pytest.approx(total)


def test_mixed_encodings_are_read_line_by_line_and_said():
    result = load_bytes((CORPUS / "mixed_encoding.csv").read_bytes(), "mixed.csv")
    assert "1 of 4 lines are not UTF-8 and were read as Windows-1252" in " ".join(result.report.notes)


def test_formulas_in_cells_are_neutralised_on_download():
    result = load_bytes((CORPUS / "formulas.csv").read_bytes(), "formulas.csv")
    text = to_csv_bytes(result.accounts).decode("utf-8-sig")
    for cell in ("'=HYPERLINK", "'+cmd", "'@SUM", "'-2+3"):
        assert cell in text


def test_a_huge_single_line_is_rejected_quickly():
    result = load_bytes(b"account_id,arr," + b"x" * 5_000_000, "line.csv")
    assert not result.ok and "cannot read the header row" in result.report.summary()


def test_a_million_and_one_rows_are_refused_with_the_limit():
    rows = b"account_id,arr\n" + b"".join(b"A%d,%d\n" % (i, i % 1000) for i in range(1_000_001))
    result = load_bytes(rows, "million.csv")
    assert not result.ok
    assert "file has more than 1,000,000 data rows; the limit is 1,000,000" in result.report.summary()
