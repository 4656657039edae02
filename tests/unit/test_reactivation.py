"""Reactivation and the NRR/GRR conventions, on a hand-worked six-account, three-year history.

Lines on the 15th of each quarter's first month, Q1 2021 … Q4 2023 (j = 0 … 11), as of
2023-12-31. Per quarter:

    A 100 every quarter              (steady)
    B 50 to Q4 2022, then 80         (expansion in 2023)
    C 30 to Q2 2022, then nothing    (churn in the year to 2023-12-31)
    D 20 every quarter               (steady)
    E 40 in 2021, nothing in 2022, 25 in 2023   (reactivation at 2023-12-31)
    F 10 in 2021, then 60            (tier change)

Year to 2023-12-31 (ARR now / a year ago): A 400/400, B 320/200, C 0/60, D 80/80, E 100/0,
F 240/240. E has revenue before the prior year (160 in 2021): reactivated, not new.

* opening-ARR cohort A, B, C, D, F: opening 980, Σ now 1040, Σ min 920 → NRR 1040/980,
  GRR 920/980; bridge 980 + 120 (B) − 0 − 60 (C) + reactivation 100 (E) + new 0 = 1140.
* reactivation as expansion: base + E → NRR 1140/980, GRR 920/980; expansion 220, the
  reactivation bar 0.
* E at the earlier points: 2022-12-31 churned (0 / 160); 2023-03-31, -06-30, -09-30 existing
  with revenue in both years (25/120, 50/80, 75/40): reactivation is 0 at every point but the last.
"""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import real_file
from portfolio.analysis import analyze
from portfolio.conventions import reactivated_at, reactivated_flags, reconciliation, renewed_in_year
from portfolio.ingest import load_bytes, load_file
from portfolio.ingest.history import quarters_of
from portfolio.retention import retention
from portfolio.trends import quarterly_trend

EXACT = 1e-12  # sums of a few integers: exact up to the division's rounding

QUARTERLY = {
    "A": [100] * 12,
    "B": [50] * 8 + [80] * 4,
    "C": [30] * 6 + [0] * 6,
    "D": [20] * 12,
    "E": [40] * 4 + [0] * 4 + [25] * 4,
    "F": [10] * 4 + [60] * 8,
}


def _history_csv() -> bytes:
    lines = ["customer_id,order_date,sales"]
    for account, amounts in QUARTERLY.items():
        for j, amount in enumerate(amounts):
            if amount:
                lines.append(f"{account},{2021 + j // 4}-{3 * (j % 4) + 1:02d}-15,{amount}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def history():
    result = load_bytes(_history_csv(), "six.csv", as_of="2023-12-31")
    assert result.ok, result.report.summary()
    return result


def test_reactivated_only_where_revenue_returns_after_a_blank_year(history):
    quarters = quarters_of(history.accounts)
    ids = list(quarters.account_ids)
    assert [ids[i] for i in reactivated_at(quarters, 11).nonzero()[0]] == ["E"]
    for j in (7, 8, 9, 10):
        assert not reactivated_at(quarters, j).any(), j


def test_cohort_convention_by_hand(history):
    r = analyze(history.accounts).retention
    assert (r.nrr, r.grr) == pytest.approx((1040 / 980, 920 / 980), rel=EXACT)
    b = r.bridge
    assert (b.starting, b.expansion, b.contraction, b.churn, b.reactivation, b.new, b.ending) == (
        980,
        120,
        0,
        60,
        100,
        0,
        1140,
    )
    assert (r.reactivated_accounts, r.new_accounts, r.base_accounts, r.convention) == (1, 0, 5, "cohort")


def test_reactivation_as_expansion_by_hand(history):
    r = analyze(history.accounts, convention="reactivation_as_expansion").retention
    assert (r.nrr, r.grr) == pytest.approx((1140 / 980, 920 / 980), rel=EXACT)
    assert (r.bridge.expansion, r.bridge.reactivation, r.bridge.ending) == (220, 0, 1140)
    assert r.base_accounts == 6


def test_history_has_no_renewal_base(history):
    analysis = analyze(history.accounts, convention="renewal_base")
    assert pd.isna(analysis.retention.nrr) and "renewal dates" in analysis.retention.note
    assert analysis.reconciliation is None and "renewal dates" in analysis.reconciliation_note


def test_reconciliation_cohort_to_reactivation_sums_to_the_cent(history):
    walk = analyze(history.accounts).reconciliation
    rows = [(r.kind, r.accounts, r.retained, r.gross, r.opening) for r in walk.rows]
    assert rows == [
        ("total", 5, 104000, 92000, 98000),
        ("step", 1, 10000, 0, 0),
        ("total", 6, 114000, 92000, 98000),
    ]
    assert walk.rows[-1].nrr == pytest.approx(1140 / 980, rel=EXACT)


@pytest.mark.parametrize("convention", ["cohort", "reactivation_as_expansion"])
def test_every_trend_point_under_each_convention(history, convention):
    """Reactivation appears at the last point only; the last point is the analysis."""
    trend = quarterly_trend(quarters_of(history.accounts), convention=convention)
    ends = [f"{p.as_of:%Y-%m-%d}" for p in trend.points]
    assert ends == ["2022-12-31", "2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"]
    bars = [(p.retention.reactivated_accounts, p.retention.bridge.reactivation) for p in trend.points]
    if convention == "cohort":
        assert bars == [(0, 0)] * 4 + [(1, 100)]
    else:  # in expansion, no bar of its own
        assert bars == [(0, 0)] * 4 + [(1, 0)]
    # 2022-12-31: A 400/400, B 200/200, C 60/120, D 80/80, E 0/160 (churned), F 240/40:
    # opening 1000, now 980, min 780.
    first = trend.points[0].retention
    assert (first.nrr, first.grr) == pytest.approx((980 / 1000, 780 / 1000), rel=EXACT)
    last = trend.points[-1].retention
    analysed = analyze(history.accounts, convention=convention).retention
    assert (last.nrr, last.grr) == pytest.approx((analysed.nrr, analysed.grr), rel=EXACT)
    assert last.bridge == analysed.bridge


def test_reactivation_fails_on_the_old_reading():
    """Without the flags the returning account is new: the bar is 0 and new is 100."""
    now, prior = pd.Series([400.0, 100.0]), pd.Series([400.0, 0.0])
    assert retention(now, prior).bridge.new == 100
    flagged = retention(now, prior, reactivated=pd.Series([False, True])).bridge
    assert (flagged.new, flagged.reactivation) == (0, 100)


SNAPSHOT = """account_id,arr,arr_prior,tier,renewal_date,reactivated
A,400,400,Strategic,2024-03-01,no
B,320,200,Key,2026-06-30,no
C,0,60,Key,,no
D,80,80,Standard,2023-05-01,no
E,100,0,Standard,2024-02-01,yes
F,240,240,Strategic,,no
"""


def test_snapshot_flag_and_renewal_base_by_hand():
    """As of 2023-12-31 the renewal base is A (next renewal within a year), C (churned) and D
    (renewed in the year); B (multi-year) and F (no date) are out: opening 540, now 480."""
    accounts = load_bytes(SNAPSHOT.encode(), "snap.csv").accounts
    as_of = pd.Timestamp("2023-12-31")
    cohort = analyze(accounts, as_of=as_of).retention
    assert (cohort.nrr, cohort.reactivated_accounts, cohort.bridge.reactivation) == (1040 / 980, 1, 100)
    renewal = analyze(accounts, convention="renewal_base", as_of=as_of)
    assert (renewal.retention.nrr, renewal.retention.grr) == pytest.approx((480 / 540, 480 / 540), rel=EXACT)
    rows = [(r.accounts, r.retained, r.gross, r.opening) for r in renewal.reconciliation.rows]
    assert rows == [(5, 104000, 92000, 98000), (-2, -56000, -44000, -44000), (3, 48000, 48000, 54000)]


def test_reconciliation_walks_between_two_alternatives():
    accounts = load_bytes(SNAPSHOT.encode(), "snap.csv").accounts

    walk = reconciliation(
        accounts["arr"],
        accounts["arr_prior"],
        reactivated=reactivated_flags(accounts),
        renewed=renewed_in_year(accounts, pd.Timestamp("2023-12-31")),
        start="reactivation_as_expansion",
        end="renewal_base",
    )
    rows = [(r.accounts, r.retained, r.gross, r.opening) for r in walk.rows]
    assert rows == [
        (6, 114000, 92000, 98000),
        (-1, -10000, 0, 0),
        (-2, -56000, -44000, -44000),
        (3, 48000, 48000, 54000),
    ]


def test_bad_reactivated_cell_names_the_row():
    result = load_bytes(
        SNAPSHOT.replace("Standard,2024-02-01,yes", "Standard,2024-02-01,maybe").encode(), "s.csv"
    )
    assert not result.ok and "row 6" in result.report.summary() and "not yes or no" in result.report.summary()


def test_superstore_last_trend_point_is_analyze_under_each_convention():
    result = load_file(real_file("Sample - Superstore.csv"))
    for convention in ("cohort", "reactivation_as_expansion"):
        analysed = analyze(result.accounts, tier_basis="scorecard", convention=convention).retention
        last = quarterly_trend(quarters_of(result.accounts), convention=convention).points[-1].retention
        assert last.reactivated_accounts == analysed.reactivated_accounts > 0
        assert (last.nrr, last.grr) == pytest.approx((analysed.nrr, analysed.grr), rel=1e-12)
        assert last.bridge.to_dict() == pytest.approx(analysed.bridge.to_dict(), rel=1e-12)


def test_renewal_year_of_dated_snapshots_ends_on_the_latest_date():
    """Without an as-of date, a file of snapshots is read as of its latest snapshot: the same
    renewal base (A, C, D) as at 2023-12-31 above."""
    rows = SNAPSHOT.splitlines()
    dated = [rows[0] + ",snapshot_date"] + [r + ",2023-12-31" for r in rows[1:]]
    dated += ["A,400,0,Strategic,2023-03-01,no,2022-12-31"]
    accounts = load_bytes(("\n".join(dated) + "\n").encode(), "dated.csv").accounts
    assert renewed_in_year(accounts).tolist() == [True, False, True, True, True, False]
    r = analyze(accounts, convention="renewal_base").retention
    assert (r.nrr, r.base_accounts) == (480 / 540, 3)


def test_trends_follow_the_convention_setting(history):
    from portfolio.whatif import DEFAULT_SETTINGS, trend_with

    settings = {**DEFAULT_SETTINGS, "convention": "reactivation_as_expansion"}
    last = trend_with(history.accounts, settings).points[-1].retention
    assert (last.convention, last.nrr) == ("reactivation_as_expansion", pytest.approx(1140 / 980, rel=EXACT))
    assert trend_with(history.accounts, DEFAULT_SETTINGS).points[-1].retention.nrr == pytest.approx(
        1040 / 980, rel=EXACT
    )


def test_unknown_convention_is_refused_with_the_list():
    from portfolio.whatif import read_settings

    with pytest.raises(ValueError, match="cohort, reactivation_as_expansion, renewal_base"):
        read_settings({"convention": "gaap"})
