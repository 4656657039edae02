"""The columnar reader of large histories (portfolio/ingest/columnar.py, issue 16 item 4).

It must give exactly what the upload reader (:func:`portfolio.ingest.load_file`) gives: the
same accounts (every column, bit for bit), quarters, as-of date and analysis, on hand-built
histories and on the real order exports; Parquet as CSV; the same problems for bad input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from conftest import real_file
from portfolio.analysis import analyze
from portfolio.ingest import Limits, load_file
from portfolio.ingest.columnar import load_large_file
from portfolio.ingest.history import quarters_of

# Hand-built: ids with spaces and a neutralised formula (="'=C4"), names that change (latest
# wins; two lines on C1's last day: the later line wins), a segment tie (sorts first wins),
# a refund, accounting and currency amounts, a second date layout (day.month.year).
HISTORY = """Order Date,Customer ID,Customer,Segment,Sales
06/30/2023,C1,Acme,SMB,100
01/15/2023, C1 ,Acme Inc,Enterprise,$50.00
06/30/2022,C1,Acme Old,Enterprise,70
06/30/2023,C1,Acme Corp,SMB,1
07/01/2022,C2,Globex,SMB,40
06/30/2021,C3,Initech,SMB,999
07/01/2021,C3,Initech,Enterprise,25
03/01/2023,C2,Globex,SMB,(60)
13.02.2023,'=C4,Formula Ltd,,"1,234.5"
"""


def write(tmp_path, text: str, name: str = "history.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_same(a, b) -> None:
    """Two load results hold the same accounts, quarters and as-of date, exactly."""
    assert a.ok and b.ok, (a.report.summary(), b.report.summary())
    pd.testing.assert_frame_equal(a.accounts, b.accounts, check_exact=True)
    assert a.as_of == b.as_of
    qa, qb = quarters_of(a.accounts), quarters_of(b.accounts)
    assert qa is not None and qb is not None
    np.testing.assert_array_equal(qa.account_ids, qb.account_ids)
    np.testing.assert_array_equal(qa.revenue, qb.revenue)  # same sums in the same order: exact
    assert qa.ends.equals(qb.ends) and qa.first_date == qb.first_date


def test_hand_built_history_by_hand_and_as_the_upload(tmp_path):
    path = write(tmp_path, HISTORY)
    r = load_large_file(path)
    assert_same(load_file(path), r)
    a = r.accounts.set_index("account_id")
    assert r.as_of == pd.Timestamp("2023-06-30")
    # the year (2022-06-30, 2023-06-30]: C1 100 + 50 + 1 = 151; C2 40 − 60 → 0; C4 1,234.5
    # the year before (2021-06-30, 2022-06-30]: C1 70; C3 25
    assert a.loc["C1", ["arr", "arr_prior"]].tolist() == [151, 70]
    assert a.loc["C3", ["arr", "arr_prior"]].tolist() == [0, 25]
    assert a.loc["=C4", "arr"] == 1234.5  # the apostrophe of a downloaded list removed
    assert "C2" not in a.index
    assert a.loc["C1", "account_name"] == "Acme Corp"  # latest day, later line
    assert a.loc["C1", "segment"] == "Enterprise"  # 2 × Enterprise, 2 × SMB: sorts first
    assert a.loc["C3", "segment"] == "Enterprise"  # 1 : 1 tie
    assert any("read with date format(s) %d.%m.%Y, %m/%d/%Y" in n for n in r.report.notes)


def test_parquet_as_csv(tmp_path):
    path = write(tmp_path, HISTORY)
    table = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(
                ["Order Date", "Customer ID", "Customer", "Segment", "Sales"], pa.string()
            )
        ),
    )
    pq.write_table(table, tmp_path / "history.parquet")
    assert_same(load_large_file(path), load_large_file(tmp_path / "history.parquet"))


def test_typed_parquet_as_csv(tmp_path):
    """A Parquet file of typed columns (dates, float amounts, integer ids) reads as the CSV
    holding the same values as text."""
    text = "Order Date,Customer ID,Sales\n2023-06-30,1,100.5\n2022-07-01,2,40\n2021-12-31,1,-7.25\n"
    csv_path = write(tmp_path, text)
    pq.write_table(
        pa.table(
            {
                "Order Date": pa.array(pd.to_datetime(["2023-06-30", "2022-07-01", "2021-12-31"]).date),
                "Customer ID": pa.array([1, 2, 1]),
                "Sales": pa.array([100.5, 40.0, -7.25]),
            }
        ),
        tmp_path / "typed.parquet",
    )
    assert_same(load_large_file(csv_path), load_large_file(tmp_path / "typed.parquet"))
    stamped = pa.table(
        {
            "Order Date": pa.array(pd.to_datetime(["2023-06-30", "2022-07-01", "2021-12-31"])),
            "Customer ID": pa.array(["1", "2", "1"]),
            "Sales": pa.array([100.5, 40.0, -7.25]),
        }
    )
    pq.write_table(stamped, tmp_path / "stamped.parquet")  # timestamps, not dates
    assert_same(load_large_file(csv_path), load_large_file(tmp_path / "stamped.parquet"))


def test_plain_amounts_convert_as_parse_money():
    """The fast path (pyarrow's cast of plain numbers) gives exactly parse_money's floats:
    100,000 random plain numbers of 1–17 significant digits, signs, exponents."""
    from portfolio.ingest.cells import parse_money
    from portfolio.ingest.columnar import _amounts

    rng = np.random.default_rng(16)
    mantissa = rng.integers(0, 10**15, 100_000) * rng.choice([1, -1], 100_000)
    scale = rng.integers(0, 12, 100_000)
    text = [f"{m / 10.0**k}" if k else str(m) for m, k in zip(mantissa, scale, strict=True)]
    text += ["1e5", "-2.5E-3", ".5", "-.25", "007", "123456789012345678901234567890"]
    numbers, odd = _amounts(pa.array(text), first_row=2)
    assert odd.empty  # all converted by pyarrow
    assert numbers.tolist() == [parse_money(t) for t in text]


EDGE_AMOUNTS = [
    *("+5", "+.5", "+inf"),  # pyarrow reads a leading plus; parse_money refuses it
    *("inf", "-inf", "Infinity", "nan", "NaN", "-nan", "1e400"),  # not finite: refused
    *("5.", ".5", "-.5", "5.e3", "1.e1", "1E+5", "1e-400", "-0", "-0.0", "00012", "4.9e-324"),
    *(" 5", "5 ", "1,5", "1 000", "(5)", "5-", "--5", "5\u00a0", "$1,234.50"),  # parse_money only
    *("", "-", ".", "1e", "e5", "0x10", "1_000", "\u22125", "1.2.3", "\uff15"),  # blank or refused
]


@pytest.mark.parametrize("batch", [[a] for a in EDGE_AMOUNTS] + [EDGE_AMOUNTS, ["1", "+2", "3"]])
def test_amounts_pyarrow_reads_are_parse_moneys(batch):
    """Whichever way a batch's amounts go (all cast by pyarrow at once, or the plain ones by
    pyarrow and the rest by parse_money), each is parse_money's float (NaN where it refuses
    or the cell is blank), the sign of zero included."""
    from portfolio.ingest.cells import parse_money
    from portfolio.ingest.columnar import _amounts

    numbers, _ = _amounts(pa.array(batch), first_row=2)
    expected = [parse_money(a) for a in batch]
    expected = np.array([np.nan if v is None else v for v in expected])
    np.testing.assert_array_equal(numbers, expected)
    assert np.signbit(numbers).tolist() == np.signbit(expected).tolist()


@pytest.mark.parametrize("name", ["SaaS-Sales.csv", "Sample - Superstore.csv"])
def test_real_order_exports_as_the_upload(name, tmp_path):
    path = real_file(name)
    upload, columnar = load_file(path), load_large_file(path)
    assert_same(upload, columnar)
    assert analyze(upload.accounts).to_dict() == analyze(columnar.accounts).to_dict()
    # and as Parquet (every column as text, as the CSV holds it)
    table = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(pa_csv.read_csv(path).column_names, pa.string())
        ),
    )
    pq.write_table(table, tmp_path / "export.parquet")
    assert_same(columnar, load_large_file(tmp_path / "export.parquet"))


def test_batches_give_the_same_result(tmp_path, monkeypatch):
    """Many small batches (each with its own distinct values), read as two halves in two
    threads, add up to one batch's result."""
    import portfolio.ingest.columnar as columnar

    path = real_file("SaaS-Sales.csv")
    whole = load_large_file(path)
    monkeypatch.setattr(columnar, "BATCH_BYTES", 64 * 1024)
    text = pa.py_buffer(path.read_bytes())
    assert 0 < columnar._halfway_line(text) < text.size  # two parts
    assert path.read_bytes()[columnar._halfway_line(text) - 1 : columnar._halfway_line(text)] == b"\n"
    assert_same(whole, load_large_file(path))


def _long_history(lines: int) -> str:
    rows = [f"{1 + i % 12:02d}/15/2023,C{i % 37},Name {i % 37},{10 + i % 7}.5" for i in range(lines)]
    return "Order Date,Customer ID,Customer,Sales\n" + "\n".join(rows) + "\n"


def test_second_half_rows_counted_from_the_file_start(tmp_path, monkeypatch):
    """Two parts: the problems of lines in the second half name the upload's row numbers,
    and its formatted amounts read as the upload reads them."""
    import portfolio.ingest.columnar as columnar

    monkeypatch.setattr(columnar, "BATCH_BYTES", 4096)
    rows = _long_history(3000).splitlines()
    rows[2500] = '07/15/2023,C5,Name 5,"$1,234.50"'  # row 2,501 of the file (header = 1)
    good = write(tmp_path, "\n".join(rows) + "\n", "good.csv")
    assert columnar._halfway_line(pa.py_buffer(good.read_bytes())) is not None
    assert_same(load_file(good), load_large_file(good))
    rows[2800] = "07/15/2023,C5,Name 5,abc"
    rows[2900] = "31/31/2023,C6,Name 6,5"
    bad = write(tmp_path, "\n".join(rows) + "\n", "bad.csv")
    upload, columnar_result = load_file(bad), load_large_file(bad)
    assert not columnar_result.ok
    assert [str(p) for p in columnar_result.report.problems] == [str(p) for p in upload.report.problems]
    assert {p.row for p in columnar_result.report.problems} == {2801, 2901}  # header = row 1


def test_line_limit_across_the_halves(tmp_path, monkeypatch):
    import portfolio.ingest.columnar as columnar

    monkeypatch.setattr(columnar, "BATCH_BYTES", 4096)
    path = write(tmp_path, _long_history(3000))
    assert load_large_file(path, max_lines=3000).ok
    refused = load_large_file(path, max_lines=2999)
    assert "more than 2,999 lines" in refused.report.summary()


def test_parquet_of_many_row_groups_as_csv(tmp_path):
    """A Parquet file of several row groups (read as two halves) reads as its CSV."""
    path = write(tmp_path, _long_history(3000))
    table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(column_types={"Sales": pa.string()}))
    pq.write_table(
        table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names])),
        tmp_path / "groups.parquet",
        row_group_size=400,
    )
    assert pq.ParquetFile(tmp_path / "groups.parquet").num_row_groups == 8
    assert_same(load_large_file(path), load_large_file(tmp_path / "groups.parquet"))


def test_more_lines_than_an_upload_allows(tmp_path):
    """The upload refuses a history over its row limit; the columnar reader reads it whole."""
    path = write(tmp_path, HISTORY)
    small = Limits(max_rows=5, max_bytes=100)
    assert not load_file(path, limits=small).ok
    assert load_large_file(path, limits=small).ok


def test_line_limit(tmp_path):
    r = load_large_file(write(tmp_path, HISTORY), max_lines=5)
    assert not r.ok
    assert "file has more than 5 lines; the limit is 5" in r.report.summary()


@pytest.mark.parametrize(
    "text",
    [
        # a bad date, a missing date, an amount that is not a number, a blank amount, a blank id
        "Customer ID,Order Date,Sales\nC1,2023-01-01,10\nC1,someday,10\nC2,2023-01-02,ten\n"
        "C3,,5\nC4,2023-02-01,\n,2023-02-02,3\nC5,2023-03-01,1e999\n",
        # a date format chosen on the whole column: 02/13/2023 is bad among day-first dates
        "Customer ID,Order Date,Sales\nC1,13/02/2023,1\nC2,14/02/2023,1\nC3,02/13/2023,1\n",
    ],
)
def test_bad_lines_get_the_uploads_problems(tmp_path, text):
    path = write(tmp_path, text)
    upload, columnar = load_file(path), load_large_file(path)
    assert not upload.ok and not columnar.ok
    assert columnar.report.problem_counts == upload.report.problem_counts
    assert [str(p) for p in columnar.report.problems] == [str(p) for p in upload.report.problems]


def test_missing_column_and_bad_mapping_messages(tmp_path):
    path = write(tmp_path, "Customer ID,Sales\nC1,10\nC1,5\n")
    snapshot_like = load_large_file(path)  # no date: not a history, read as the upload reads it
    assert snapshot_like.report.summary() == load_file(path).report.summary()
    dated = write(tmp_path, "Customer ID,Order Date\nC1,2023-01-01\nC1,2023-02-01\n", "d.csv")
    assert load_large_file(dated).report.summary() == load_file(dated).report.summary()
    mapped = load_large_file(write(tmp_path, HISTORY), mapping={"Nope": "segment"})
    assert "mapping names a column that is not in the file" in mapped.report.summary()


def test_snapshot_keeps_the_upload_limits(tmp_path):
    path = real_file("online_retail_ii_accounts.csv")
    snapshot = load_large_file(path)
    assert snapshot.ok and quarters_of(snapshot.accounts) is None
    tiny = Limits(max_bytes=1000)
    assert (
        load_large_file(path, limits=tiny).report.summary() == load_file(path, limits=tiny).report.summary()
    )


def test_unreadable_text(tmp_path):
    """A row pyarrow cannot split: within the upload limits read as an upload (same message);
    over them, a plain message."""
    path = write(tmp_path, "Customer ID,Order Date,Sales\nC1,2023-01-01,10\nC1,2023-01-02,1,2,3\n")
    assert load_large_file(path).report.summary() == load_file(path).report.summary()
    r = load_large_file(path, limits=Limits(max_bytes=10))
    assert not r.ok and "cannot read the file as a table" in r.report.summary()


def test_missing_file(tmp_path):
    r = load_large_file(tmp_path / "nope.csv")
    assert not r.ok and "cannot open file" in r.report.summary()


def test_attribute_counts_dense_or_hashed_agree(tmp_path, monkeypatch):
    """The most frequent value per account is the same whether the (account, value) pairs are
    counted densely or by hash (many accounts × many values)."""
    import portfolio.ingest.history as history

    path = real_file("Sample - Superstore.csv")
    dense = load_large_file(path)
    monkeypatch.setattr(history, "_DENSE_PAIRS", 0)
    assert_same(dense, load_large_file(path))
    assert_same(dense, load_file(path))


def test_names_as_ids(tmp_path):
    """Without an id column the names are the ids (and the name attribute), as an upload."""
    path = write(
        tmp_path, "Customer,Order Date,Sales\nAcme,2023-06-30,10\n Acme ,2022-01-01,5\nBolt,2023-01-01,2\n"
    )
    columnar = load_large_file(path)
    assert_same(load_file(path), columnar)
    assert sorted(columnar.accounts["account_id"]) == ["Acme", "Bolt"]
