"""The ingest package's front door and the rules its helpers split out of larger functions."""

import math

import pandas as pd
import pytest

import portfolio.ingest as ingest
from portfolio.ingest import load_bytes, parse_money

# names imported from portfolio.ingest elsewhere in the repository (app, CLI, dashboard,
# benchmarks, tests); the package must keep offering every one of them
FRONT_DOOR = [
    "DEFAULT_LIMITS",
    "IngestReport",
    "Limits",
    "LoadResult",
    "MAX_LISTED_PROBLEMS",
    "Problem",
    "Shape",
    "detect_shape",
    "finalize_accounts",
    "load_bytes",
    "load_file",
    "parse_money",
]


def load(text: str, **kwargs):
    return load_bytes(text.encode("utf-8"), "accounts.csv", **kwargs)


def test_front_door_names():
    """Every name the package exports is importable from its front door."""
    assert sorted(ingest.__all__) == sorted(FRONT_DOOR)
    namespace: dict = {}
    exec(f"from portfolio.ingest import {', '.join(FRONT_DOOR)}", namespace)
    assert set(FRONT_DOOR) <= set(namespace)
    assert ingest.Limits() == ingest.DEFAULT_LIMITS


@pytest.mark.parametrize(
    "cell,value",
    [
        ("1,2345", 1.2345),  # one comma not followed by exactly three digits: decimal comma
        ("1,50", 1.5),
        ("1,234", 1234),  # followed by three digits: thousands separator
        ("1.234", 1.234),  # a single dot is a decimal point
        ("1.234,5", 1234.5),  # both: the later one is the decimal point
        ("€-5", -5),  # a minus after the currency symbol
        ("5 USD-", -5),  # a trailing minus after the currency code
        ("(USD 5)", -5),
        ("-(5)", None),  # a minus outside the parentheses is not read
        ("1,234,56", None),  # thousands groups must have three digits
        ("1.234.56", None),
    ],
)
def test_parse_money_signs_and_separators(cell, value):
    parsed = parse_money(cell)
    if value is None:
        assert parsed is None
    else:
        assert parsed == pytest.approx(value)


def test_snapshot_without_prior_arr_column():
    r = load("account_id,arr\nA,100\nB,50\n")
    assert r.ok
    assert r.accounts["arr_prior"].isna().all()
    assert any("no prior ARR column" in n for n in r.report.notes)


def test_snapshot_problems_are_reported_in_column_order():
    text = "account_id,arr,arr_prior,strategic_fit\n,x,-1,11\nA,,5,3\nA,-2,zz,q\n"
    r = load(text)
    assert not r.ok
    assert list(r.report.problem_counts) == [
        "missing account id",
        "duplicate account id",
        "ARR is not a number",
        "missing ARR",
        "negative ARR",
        "prior ARR is not a number",
        "negative prior ARR",
        "score is not a number",
        "score outside 0–10",
    ]


HISTORY = """Customer ID,Customer Name,Order Date,Sales,Segment
C1,Acme,2023-01-10,100,SMB
C1,Acme Corp,2023-02-10,100,Enterprise
C1,Acme,2023-03-10,100,
C2,Globex,2019-01-01,80,SMB
C3,Initech,2023-05-01,10,SMB
C3,Initech,2023-08-01,10,SMB
"""


def test_history_windows_notes_and_attribute_ties():
    r = load(HISTORY, as_of="2023-06-30")
    assert r.ok, r.report.summary()
    a = r.accounts.set_index("account_id")
    assert a["arr"].to_dict() == {"C1": 300, "C3": 10}
    assert a.loc["C1", "account_name"] == "Acme"  # the latest name
    assert a.loc["C1", "segment"] == "Enterprise"  # a tie: the value that sorts first
    notes = " | ".join(r.report.notes)
    assert "1 line(s) dated after the as-of date were left out" in notes
    assert "1 account(s) with no revenue in the 24 months to 2023-06-30 were left out" in notes
    assert r.as_of == pd.Timestamp("2023-06-30")


def test_history_with_no_revenue_in_the_window_is_rejected():
    r = load(HISTORY, as_of="2030-01-01")
    assert not r.ok and r.accounts is None
    assert "no revenue in the 24 months to 2030-01-01: check --as-of" in r.report.summary()


def test_blank_money_cell_is_nan():
    assert math.isnan(parse_money("\u00a0"))
