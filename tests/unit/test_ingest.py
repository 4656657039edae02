"""Reading account files: shapes, headers, money, encodings, and every rejection path."""

import csv
import io
import math
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import real_file
from portfolio.ingest import Limits, load_bytes, parse_money

GOOD = "account_id,account_name,arr,arr_prior\nA1,Alpha,1000,800\nA2,Beta,500,\nA3,Gamma,0,300\n"


def load(text: str | bytes, name: str = "accounts.csv", **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return load_bytes(data, name, **kwargs)


def reasons(result) -> dict:
    return result.report.problem_counts


# ----------------------------------------------------------------- snapshots


def test_good_snapshot():
    r = load(GOOD)
    assert r.ok and r.report.shape == "snapshot"
    a = r.accounts
    assert a["account_id"].tolist() == ["A1", "A2", "A3"]
    assert a["arr"].tolist() == [1000, 500, 0]
    assert a["arr_prior"].tolist() == [800, 0, 300]  # blank prior = new account
    assert any("blank prior ARR" in n for n in r.report.notes)


@pytest.mark.parametrize(
    "header,expected",
    [
        ("Customer ID,Customer Name,ARR,Prior ARR", ["account_id", "account_name", "arr", "arr_prior"]),
        (
            "  ACCOUNT ID , Account Name ,Annual Revenue,ARR Last Year",
            ["account_id", "account_name", "arr", "arr_prior"],
        ),
        ("Client ID,Company,ARR ($),Owner", ["account_id", "account_name", "arr", "sam"]),
    ],
)
def test_forgiving_headers(header, expected):
    r = load(header + "\nx1,X,100,50\nx2,Y,200,60\n")
    assert r.ok, r.report.summary()
    assert list(r.report.column_map) == expected


def test_explicit_mapping_for_unguessable_header():
    text = "Ref,Money\nr1,100\nr2,200\n"
    rejected = load(text)
    assert not rejected.ok
    assert rejected.report.missing_required == ["account_id", "arr"]
    assert set(rejected.report.unmatched_headers) == {"Ref", "Money"}
    r = load(text, mapping={"Ref": "account_id", "Money": "arr"})
    assert r.ok and r.accounts["arr"].sum() == 300


def test_name_used_as_id_when_no_id_column():
    r = load("Customer,ARR\nAcme,100\nGlobex,200\n")
    assert r.ok and r.accounts["account_id"].tolist() == ["Acme", "Globex"]
    assert any("used as ids" in n for n in r.report.notes)


@pytest.mark.parametrize(
    "cell,value",
    [
        ("$1,234.50", 1234.5),
        ("1 234", 1234),
        ("1\u00a0234,50 €", 1234.5),
        ("(500)", -500),
        ("1.234.567", 1234567),
        ("1,5", 1.5),
        ("EUR 12", 12),
        ("-$3", -3),
        ("1e3", 1000),
        ("12'345", 12345),
        ("500-", -500),
        ("1,234,567.89", 1234567.89),
    ],
)
def test_parse_money(cell, value):
    assert parse_money(cell) == pytest.approx(value)


@pytest.mark.parametrize("cell", ["abc", "12abc", "$", "1,23,4", "--", "1.2.3"])
def test_parse_money_rejects(cell):
    assert parse_money(cell) is None


def test_parse_money_blank_is_nan():
    assert math.isnan(parse_money("  "))


def test_semicolon_and_decimal_comma():
    r = load("account_id;arr;arr_prior\nA;1.234,50;1.000,00\nB;99,9;0\n")
    assert r.ok and r.accounts["arr"].tolist() == pytest.approx([1234.5, 99.9])
    assert r.accounts["arr_prior"].tolist() == pytest.approx([1000, 0])


def test_utf16_tab_separated_excel_unicode_text():
    text = "account_id\taccount_name\tarr\nA\tZürich Versicherung\t100\nB\t東京商事\t200\n"
    r = load(text.encode("utf-16"), "unicode.txt")
    assert r.ok, r.report.summary()
    assert r.accounts["account_name"].tolist() == ["Zürich Versicherung", "東京商事"]


def test_utf8_bom():
    r = load(b"\xef\xbb\xbf" + GOOD.encode())
    assert r.ok and next(iter(r.report.column_map)) == "account_id"


def test_latin1():
    r = load("account_id,account_name,arr\nA,Société Générale,100\n".encode("latin-1"))
    assert r.ok and r.accounts["account_name"][0] == "Société Générale"
    assert any("not UTF-8" in n for n in r.report.notes)


def test_xlsx_roundtrip():
    frame = pd.DataFrame(
        {
            "Customer ID": ["A", "B"],
            "ARR": [1000.5, 20],
            "Renewal Date": pd.to_datetime(["2026-01-31", "2026-03-01"]),
        }
    )
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    r = load(buffer.getvalue(), "accounts.xlsx")
    assert r.ok, r.report.summary()
    assert r.accounts["arr"].tolist() == [1000.5, 20]
    assert r.accounts["renewal_date"].tolist() == list(pd.to_datetime(["2026-01-31", "2026-03-01"]))


def test_xlsx_with_time_cells_loads():
    import datetime

    frame = pd.DataFrame({"account_id": ["A"], "arr": [5], "call_time": [datetime.time(9, 30)]})
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    r = load(buffer.getvalue(), "times.xlsx")
    assert r.ok, r.report.summary()


def test_scores_and_tier_columns():
    text = (
        "account_id,arr,tier,strategic_fit,expansion_potential\n"
        "A,100,Strategic,7,\nB,50,tier 2,10,3\nC,10,standard,0,0\n"
    )
    r = load(text)
    assert r.ok, r.report.summary()
    assert r.accounts["tier"].tolist() == ["Strategic", "Key", "Standard"]
    assert r.accounts["strategic_fit"].tolist() == [7, 10, 0]
    assert math.isnan(r.accounts["expansion_potential"][0])


# ----------------------------------------------------------------- rejections


def test_missing_required_column():
    r = load("account_id,name\nA,x\n")
    assert not r.ok and r.accounts is None
    assert "missing required column(s): arr" in r.report.problems[0].reason


def test_duplicate_ids_reported_with_rows():
    r = load("account_id,arr\nA,1\nB,2\nA,3\nA,4\n")
    assert reasons(r) == {"duplicate account id": 2}
    assert [p.row for p in r.report.problems] == [4, 5]


def test_non_numeric_negative_and_missing_arr():
    r = load("account_id,arr\nA,12k\nB,-5\nC,\nD,100\n")
    assert not r.ok
    assert reasons(r) == {"ARR is not a number": 1, "negative ARR": 1, "missing ARR": 1}
    rows = {p.reason: (p.row, p.column, p.value) for p in r.report.problems}
    assert rows["ARR is not a number"] == (2, "arr", "12k")
    assert rows["negative ARR"] == (3, "arr", "-5")
    assert rows["missing ARR"][0] == 4


def test_score_out_of_range_and_unknown_tier():
    r = load("account_id,arr,strategic_fit,tier\nA,1,11,Gold\n")
    assert set(reasons(r)) == {"score outside 0–10", "unknown tier (expected Strategic, Key, Standard)"}


def test_missing_id():
    r = load("account_id,arr\n,100\nB,1\n")
    assert reasons(r) == {"missing account id": 1} and r.report.problems[0].row == 2


@pytest.mark.parametrize(
    "data,fragment",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"account_id,arr\n", "no data rows"),
        (b"\x00\x01\x02\x03binary\xff\xfe\x00junk" * 50, "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04 truncated", "not a valid"),
        (b"account_id,arr,arr\nA,1,2\n", "duplicate column header"),
        (b"account_id,arr\nA,1\nB,2,3,4\n", "malformed row"),
    ],
)
def test_unreadable_files_get_a_clear_error(data, fragment):
    r = load(data)
    assert not r.ok and r.accounts is None
    assert fragment in r.report.summary()


def test_row_and_size_limits():
    many = "account_id,arr\n" + "".join(f"a{i},{i}\n" for i in range(20))
    r = load(many, limits=Limits(max_rows=10))
    assert "more than 10 data rows; the limit is 10" in r.report.summary()
    r = load(many, limits=Limits(max_bytes=50))
    assert f"file is {len(many.encode())} bytes; the limit is 50 bytes" in r.report.summary()
    r = load(many, limits=Limits(max_bytes=5 * 2**20 // 2**10))  # 5 kB: fits
    assert r.ok


def test_xlsx_zip_bomb_rejected_before_expanding():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    r = load(buffer.getvalue(), "bomb.xlsx", limits=Limits(max_xlsx_unpacked_bytes=10 * 2**20))
    assert "unpacks to 20 MiB" in r.report.summary()


def test_report_counts_all_problems_but_lists_a_bounded_number():
    text = "account_id,arr\n" + "".join(f"a{i},bad\n" for i in range(500))
    r = load(text)
    assert r.report.problem_counts == {"ARR is not a number": 500}
    assert len(r.report.problems) == 200
    assert r.report.to_dict()["problem_counts"] == {"ARR is not a number": 500}


# ----------------------------------------------------------------- revenue history


HISTORY = """Row ID,Order ID,Order Date,Customer ID,Customer,Sales,Segment
1,O-1,2023-06-30,C1,Acme,100,SMB
2,O-2,2023-01-15,C1,Acme,50,Enterprise
3,O-3,2022-06-30,C1,Acme Old Name,70,Enterprise
4,O-4,2022-07-01,C2,Globex,40,SMB
5,O-5,2021-06-30,C3,Initech,999,SMB
6,O-6,2021-07-01,C3,Initech,25,SMB
7,O-7,2023-03-01,C2,Globex,-60,SMB
"""


def test_history_detected_and_aggregated_by_hand():
    r = load(HISTORY)
    assert r.ok, r.report.summary()
    assert r.report.shape == "history"
    assert r.report.column_map["account_id"] == "Customer ID"  # not Row ID or Order ID
    assert r.as_of == pd.Timestamp("2023-06-30")
    a = r.accounts.set_index("account_id")
    # window (2022-06-30, 2023-06-30]: C1 100 + 50; C2 40 − 60 → −20 → 0 (refunds)
    # prior (2021-06-30, 2022-06-30]: C1 70 (boundary day counts as prior); C3 25
    assert a.loc["C1", ["arr", "arr_prior"]].tolist() == [150, 70]
    assert "C2" not in a.index  # no net revenue in 24 months: left out, with a note
    assert a.loc["C3", ["arr", "arr_prior"]].tolist() == [0, 25]
    assert a.loc["C1", "account_name"] == "Acme"  # the latest name
    assert a.loc["C1", "segment"] == "Enterprise"  # the most frequent
    assert any("net negative" in n for n in r.report.notes)


def test_history_as_of_override():
    r = load(HISTORY, as_of="2022-06-30")
    a = r.accounts.set_index("account_id")
    assert a.loc["C1", "arr"] == 70 and a.loc["C3", ["arr", "arr_prior"]].tolist() == [25, 999]
    bad = load(HISTORY, as_of="not a date")
    assert "as-of date is not a date" in bad.report.summary()


def test_history_start_is_the_first_line_whatever_the_as_of():
    from portfolio.ingest.history import history_start

    # the first line is 2021-06-30 (C3), whichever window is aggregated
    assert history_start(load(HISTORY).accounts) == pd.Timestamp("2021-06-30")
    assert history_start(load(HISTORY, as_of="2022-06-30").accounts) == pd.Timestamp("2021-06-30")
    assert history_start(load(GOOD).accounts) is None  # a snapshot has no history


def test_history_bad_dates_and_amounts_rejected():
    text = "Customer ID,Order Date,Sales\nC1,2023-01-01,10\nC1,someday,10\nC2,2023-01-02,ten\n"
    r = load(text)
    assert reasons(r) == {"not a date": 1, "amount is not a number": 1}


def test_history_mixed_date_layouts_read_month_first():
    text = "Customer ID,Order Date,Sales\nC1,11/8/2016,10\nC1,11-08-16,5\nC2,6/12/2016,1\n"
    r = load(text)
    assert r.ok and r.as_of == pd.Timestamp("2016-11-08")


def test_saas_sales_real_export():
    path = real_file("SaaS-Sales.csv")
    r = load(path.read_bytes(), path.name)
    assert r.ok, r.report.summary()
    assert r.report.shape == "history" and len(r.accounts) == 99
    assert r.as_of == pd.Timestamp("2023-12-31")
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    in_2023 = sum(float(row["Sales"]) for row in rows if row["Order Date"].endswith("/2023"))
    in_2022 = sum(float(row["Sales"]) for row in rows if row["Order Date"].endswith("/2022"))
    assert r.accounts["arr"].sum() == pytest.approx(in_2023, rel=1e-12)
    assert r.accounts["arr_prior"].sum() == pytest.approx(in_2022, rel=1e-12)


def test_superstore_real_export_with_mixed_dates():
    path = real_file("Sample - Superstore.csv")
    r = load(path.read_bytes(), path.name)
    assert r.ok, r.report.summary()
    assert r.report.column_map["account_id"] == "Customer ID"
    assert r.report.column_map["account_name"] == "Customer Name"


def test_online_retail_real_snapshot():
    path = real_file("online_retail_ii_accounts.csv")
    r = load(path.read_bytes(), path.name)
    assert r.ok and r.report.shape == "snapshot" and len(r.accounts) == 5817


# ----------------------------------------------------------------- properties

ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(ids, st.tuples(st.integers(0, 10**9), st.integers(0, 10**9)), min_size=1, max_size=40),
    st.sampled_from([",", ";", "\t"]),
)
def test_snapshot_roundtrip(rows, delimiter):
    lines = [delimiter.join(["account_id", "arr", "arr_prior"])]
    lines += [delimiter.join([k, str(a), str(p)]) for k, (a, p) in rows.items()]
    r = load("\n".join(lines) + "\n")
    assert r.ok, r.report.summary()
    got = dict(
        zip(
            r.accounts["account_id"],
            zip(r.accounts["arr"], r.accounts["arr_prior"], strict=True),
            strict=True,
        )
    )
    assert got == {k: (float(a), float(p)) for k, (a, p) in rows.items()}


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    r = load(data)
    assert r.ok or (r.accounts is None and r.report.problem_counts)
