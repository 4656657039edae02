"""Revenue cohorts (portfolio/cohorts.py) on the hand-worked history of test_trends.py.

Yearly revenue (years to 2021-12-31, 2022-12-31, 2023-12-31):
A 400 400 400 · B 200 200 320 · C 120 60 0 · D 80 80 80 · E 0 0 160 · F 40 240 240.
Cohort 2021 = A, B, C, D, F: 840, 980, 1040 → 100%, 980/840, 1040/840; no cohort 2022;
cohort 2023 = E: 160 → 100%. Today's strategic accounts (2023 ARR, Strategic ≥ 80 of the
percentile): A (400) and B (320): 600, 600, 720 → 100%, 100%, 120%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_trends import QUARTERLY, _history_csv

from portfolio.cohorts import revenue_cohorts, yearly_revenue
from portfolio.ingest import load_bytes
from portfolio.ingest.history import quarters_of


@pytest.fixture(scope="module")
def quarters():
    return quarters_of(load_bytes(_history_csv(QUARTERLY), "six.csv", as_of="2023-12-31").accounts)


def test_yearly_revenue_is_four_quarters_ending_on_each_anniversary(quarters):
    yearly, ends = yearly_revenue(quarters)
    assert list(ends.strftime("%Y-%m-%d"))[-3:] == ["2021-12-31", "2022-12-31", "2023-12-31"]
    rows = dict(zip(quarters.account_ids, yearly[:, -3:].tolist(), strict=True))
    assert rows == {
        "A": [400, 400, 400],
        "B": [200, 200, 320],
        "C": [120, 60, 0],
        "D": [80, 80, 80],
        "E": [0, 0, 160],
        "F": [40, 240, 240],
    }


def test_cohorts_of_all_accounts(quarters):
    cohorts = revenue_cohorts(quarters)
    assert [f"{y:%Y-%m-%d}" for y in cohorts.years] == ["2021-12-31", "2023-12-31"]
    assert cohorts.accounts.tolist() == [5, 1]
    np.testing.assert_array_equal(cohorts.revenue[0, :3], [840, 980, 1040])
    np.testing.assert_allclose(cohorts.retained[0, :3], [1, 980 / 840, 1040 / 840], rtol=1e-15)
    assert cohorts.revenue[1, 0] == 160 and np.isnan(cohorts.revenue[1, 1:]).all()


def test_cohorts_of_todays_strategic_accounts(quarters):
    cohorts = revenue_cohorts(quarters, pd.Series(["A", "B"]))
    assert cohorts.accounts.tolist() == [2]
    np.testing.assert_allclose(cohorts.retained[0, :3], [1.0, 1.0, 1.2], rtol=1e-15)


def test_refunds_floor_a_year_at_zero():
    quarterly = {"A": [100] * 12, "B": [50] * 4 + [-300, 0, 0, 0] + [60] * 4}
    q = quarters_of(load_bytes(_history_csv(quarterly), "r.csv", as_of="2023-12-31").accounts)
    cohorts = revenue_cohorts(q)
    np.testing.assert_array_equal(cohorts.revenue[0, :3], [600, 400, 640])  # B's 2022: −300 → 0


def test_cohort_grid_and_sentence(quarters):
    from reporting.figures import cohort_figure
    from reporting.takeaways import cohort_takeaway

    cohorts = revenue_cohorts(quarters)
    bars = cohort_figure(cohorts, "all").data[0]
    assert list(bars.y) == ["Dec 2021 · 5 accounts"] * 3 + ["Dec 2023 · 1 account"]
    assert list(bars.base) == [0, 1, 2, 0]
    assert list(bars.text) == ["100%", "117%", "124%", "100%"]  # 980/840, 1040/840
    assert cohort_takeaway(cohorts) == (
        "The 5 accounts with revenue in the year to 2021-12-31 (the history's first) keep 124% "
        "of that year's revenue 2 years later."
    )
