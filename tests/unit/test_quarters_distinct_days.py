"""The quarter of each distinct day instead of each line (portfolio/quarters.py, issue 16 item 4).

:func:`quarterly_revenue` and :func:`aggregate_lines` do their date arithmetic on the distinct
days and look it up per line by code. They must give what the per-line rule gives: a line
belongs to quarter ``j``, the first whose end (midnight) is on or after the line's day, the
time of day dropped; a line after the as-of date, or without a date, to none.

As of 2023-11-30, quarter ends clamp at month ends: …, 2023-05-30, 2023-08-30, 2023-11-30.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portfolio.ingest.history import aggregate_lines
from portfolio.ingest.report import IngestReport
from portfolio.quarters import line_days, quarterly_revenue

END = pd.Timestamp("2023-11-30")

# (account, date, amount); amounts are powers of two, so every sum is exact and tells which
# lines went into it
LINES = [
    ("x", "2023-08-30 00:00", 1.0),  # on a quarter end: that quarter (−2)
    ("x", "2023-08-30 23:59", 2.0),  # same day, late: same quarter (−2)
    ("x", "2023-08-31 00:00", 4.0),  # the next day: the next quarter (−1)
    ("y", "2023-11-30 12:00", 8.0),  # the as-of day, noon: the last quarter (−1)
    ("y", "2023-12-01 00:00", 16.0),  # after the as-of date: left out
    ("y", None, 32.0),  # no date (NaT): left out
    ("x", "2023-05-31 00:00", 64.0),  # the day after the end of quarter −3: quarter −2
    ("y", "2023-05-30 08:00", 128.0),  # on the end of quarter −3
    ("z", "2021-01-01 00:00", 256.0),  # the first line: the first quarter (0)
]


def frame() -> pd.DataFrame:
    ids, dates, amounts = zip(*LINES, strict=True)
    return pd.DataFrame({"id": ids, "date": pd.to_datetime(list(dates)), "amount": amounts})


def as_categorical(dates: pd.Series) -> pd.Series:
    """The columnar reader's form: codes into distinct values (unsorted, NaT as code −1)."""
    codes, values = pd.factorize(dates)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.DatetimeIndex(values)))


def per_line(lines: pd.DataFrame, end: pd.Timestamp) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The reference: each line's quarter found on its own, summed in a Python loop."""
    n = 8
    first = lines["date"].min().normalize()
    while first <= end - pd.DateOffset(months=3 * n):
        n += 4
    ends = [end - pd.DateOffset(months=3 * k) for k in range(n - 1, -1, -1)]
    accounts = sorted(lines["id"].unique())
    revenue = np.zeros((len(accounts), n))
    for account, date, amount in lines.itertuples(index=False):
        if pd.isna(date):
            continue
        later = [j for j, e in enumerate(ends) if e >= date.normalize()]
        if later:
            revenue[accounts.index(account), later[0]] += amount
    return pd.DatetimeIndex(ends), revenue


def test_line_days_codes_the_distinct_days():
    dates = frame()["date"]
    for form in (dates, as_categorical(dates)):
        codes, days = line_days(form)
        assert days.is_monotonic_increasing and days.is_unique
        assert (days == days.normalize()).all()
        assert codes[5] == -1  # NaT
        expected = dates.dt.normalize()
        assert (days[codes[codes >= 0]] == expected[codes >= 0]).all()
        assert codes[0] == codes[1]  # one day at two times: one code


@pytest.mark.parametrize("form", ["timestamps", "categorical"])
def test_distinct_day_quarters_equal_the_per_line_rule(form):
    lines = frame()
    dates = lines["date"] if form == "timestamps" else as_categorical(lines["date"])
    q = quarterly_revenue(lines["id"], dates, lines["amount"], END)
    ends, reference = per_line(lines, END)
    assert q.ends.equals(ends)
    np.testing.assert_array_equal(q.revenue, reference)
    # by hand: x = 1 + 2 + 64 in quarter −2, 4 in −1; y = 128 in −3, 8 in −1; z = 256 in 0
    assert q.revenue[0, -2:].tolist() == [67.0, 4.0]
    assert q.revenue[1, -3:].tolist() == [128.0, 0.0, 8.0]
    assert q.revenue[2, 0] == 256.0
    assert q.revenue.sum() == 1 + 2 + 4 + 8 + 64 + 128 + 256  # not the 16 after END nor the 32 without a date
    assert q.first_date == pd.Timestamp("2021-01-01")


def test_random_history_distinct_days_equal_the_per_line_rule():
    """2,000 lines on random days and times over three years, some NaT, as of a month end
    that clamps: the same matrix as the per-line loop, bit for bit."""
    rng = np.random.default_rng(4)
    seconds = rng.integers(0, 3 * 365 * 86_400, 2_000)
    dates = pd.Series(pd.Timestamp("2021-01-01") + pd.to_timedelta(seconds, unit="s"))
    dates[rng.random(2_000) < 0.02] = pd.NaT
    lines = pd.DataFrame(
        {"id": rng.choice(list("abcdefg"), 2_000), "date": dates, "amount": rng.integers(-50, 500, 2_000) / 4}
    )
    end = pd.Timestamp("2023-08-31")
    ends, reference = per_line(lines, end)
    for form in (lines["date"], as_categorical(lines["date"])):
        q = quarterly_revenue(lines["id"], form, lines["amount"], end)
        assert q.ends.equals(ends)
        np.testing.assert_array_equal(q.revenue, reference)


def test_aggregate_lines_same_with_categorical_dates():
    """The columnar reader's categorical dates give the upload's accounts, notes and quarters:
    the as-of date (last day), the lines after it (counted by day code) and the latest name
    (by time of day: "Y noon" at 12:00 beats "Y morning" at 08:00 the same day, though later
    in the file)."""
    lines = frame().dropna()
    morning = pd.DataFrame({"id": ["y"], "date": [pd.Timestamp("2023-11-30 08:00")], "amount": [512.0]})
    lines = pd.concat([lines, morning], ignore_index=True)
    names = pd.Series("X", index=lines.index)
    names[lines["id"] == "y"] = ["Y noon", "Y after", "Y old", "Y morning"]
    results = []
    for dates in (lines["date"], as_categorical(lines["date"])):
        report = IngestReport(source="t")
        accounts, end = aggregate_lines(
            lines["id"], dates, lines["amount"], {"account_name": names}, report, END
        )
        results.append((accounts, end, report.notes))
    (a, end_a, notes_a), (b, end_b, notes_b) = results
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert end_a == end_b == END and notes_a == notes_b
    assert "1 line(s) dated after the as-of date were left out" in notes_a
    assert a.set_index("account_id").loc["y", "account_name"] == "Y after"  # the latest line
    for dates in (lines["date"], as_categorical(lines["date"])):
        kept = lines["date"] <= END + pd.Timedelta(hours=12)
        accounts, last = aggregate_lines(
            lines["id"][kept],
            dates[kept],
            lines["amount"][kept],
            {"account_name": names[kept]},
            IngestReport(source="t"),
            None,
        )
        assert last == END  # the last day, time dropped (a category no line has is no day)
        assert accounts.set_index("account_id").loc["y", "account_name"] == "Y noon"


@pytest.mark.parametrize(
    "categories",
    [["x", "y", "z"], ["w", "x", "y", "z"]],
    ids=["all used: codes as they are", "an unused id"],
)
def test_categorical_ids_give_the_plain_ids_rows(categories):
    """Account rows are the sorted ids that have lines, plain or categorical (sorted)."""
    lines = frame()
    ids = pd.Series(pd.Categorical(lines["id"], categories=categories))
    q = quarterly_revenue(ids, lines["date"], lines["amount"], END)
    plain = quarterly_revenue(lines["id"], lines["date"], lines["amount"], END)
    assert list(q.account_ids) == ["x", "y", "z"]
    np.testing.assert_array_equal(q.revenue, plain.revenue)
