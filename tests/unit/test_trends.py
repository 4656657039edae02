"""Quarterly trends of a revenue history (portfolio/quarters.py, portfolio/trends.py).

The hand-worked history: six accounts billed on the 15th of each quarter's first month,
Q1 2021 … Q4 2023 (quarter index j = 0 … 11), as of 2023-12-31. Per quarter:

    A 100 every quarter                       (steady, largest)
    B 50 to Q4 2022, then 80                  (expansion in 2023)
    C 30 to Q2 2022, then nothing             (contraction, then churn)
    D 20 every quarter                        (steady, small)
    E nothing to Q4 2022, then 40             (new logo in 2023)
    F 10 in 2021, then 60                     (tier change: Standard → Key → Strategic)

Tiers with thresholds Strategic ≥ 80, Key ≥ 50 on the revenue percentile (of n accounts with
revenue, the k-th smallest scores 100·k/n; ties share the average rank). The first line is
2021-01-15, so the first point with 24 months before it is 2022-12-31 (2020-12-31 + 31 days
≥ 2021-01-15); 2022-09-30 would need the history to start by 2020-10-31.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import real_file
from portfolio.analysis import analyze
from portfolio.ingest import load_bytes, load_file
from portfolio.ingest.history import quarters_of
from portfolio.quarters import QuarterlyRevenue, quarterly_revenue, quarters_from_frame, quarters_to_frame
from portfolio.tiers import Thresholds
from portfolio.trends import billing_kind, quarterly_trend, scorecard_tiering

THRESHOLDS = Thresholds(80, 50)
EXACT = 1e-12  # sums of a few integers: exact in floating point up to the division's rounding

QUARTERLY = {
    "A": [100] * 12,
    "B": [50] * 8 + [80] * 4,
    "C": [30] * 6 + [0] * 6,
    "D": [20] * 12,
    "E": [0] * 8 + [40] * 4,
    "F": [10] * 4 + [60] * 8,
}


def _history_csv(quarterly: dict[str, list[float]]) -> bytes:
    lines = ["customer_id,order_date,sales"]
    for account, amounts in quarterly.items():
        for j, amount in enumerate(amounts):
            if amount:
                year, quarter = 2021 + j // 4, j % 4
                lines.append(f"{account},{year}-{3 * quarter + 1:02d}-15,{amount}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def hand_worked():
    result = load_bytes(_history_csv(QUARTERLY), "six.csv", as_of="2023-12-31")
    assert result.ok, result.report.summary()
    return result


@pytest.fixture(scope="module")
def trend(hand_worked):
    tiering = scorecard_tiering(thresholds=THRESHOLDS)
    return quarterly_trend(quarters_of(hand_worked.accounts), tiering=tiering)


# Every point, worked by hand from the table in the module docstring. Per point: (quarter end,
# {account: (ARR, prior ARR)}, start tiers, end tiers); everything else is derived below in
# plain sums, the figures in the comments.
EXPECTED = [
    # year 2022 vs 2021. Prior ranks: A 400, B 200, C 120, D 80, F 40 → 100, 80, 60, 40, 20;
    # end ranks: A 400, F 240, B 200, D 80, C 60.
    ("2022-12-31", dict(A=(400, 400), B=(200, 200), C=(60, 120), D=(80, 80), F=(240, 40)),
     dict(A="Strategic", B="Strategic", C="Key", D="Standard", F="Standard"),
     dict(A="Strategic", F="Strategic", B="Key", D="Standard", C="Standard")),
    # Q2 2022–Q1 2023 vs Q2 2021–Q1 2022. Prior: A 400, B 200, C 120, F 90, D 80;
    # end (6 accounts): A 400, F 240, B 230, D 80, E 40, C 30 → 100, 83.3, 66.7, 50, 33.3, 16.7.
    ("2023-03-31", dict(A=(400, 400), B=(230, 200), C=(30, 120), D=(80, 80), E=(40, 0), F=(240, 90)),
     dict(A="Strategic", B="Strategic", C="Key", F="Standard", D="Standard"),
     dict(A="Strategic", F="Strategic", B="Key", D="Key", E="Standard", C="Standard")),
    # C churns. Prior: A 400, B 200, F 140, C 120, D 80; end: A 400, B 260, F 240, D 80 = E 80
    # (tied: average rank 1.5 of 5 → 30).
    ("2023-06-30", dict(A=(400, 400), B=(260, 200), C=(0, 120), D=(80, 80), E=(80, 0), F=(240, 140)),
     dict(A="Strategic", B="Strategic", F="Key", C="Standard", D="Standard"),
     dict(A="Strategic", B="Strategic", F="Key", D="Standard", E="Standard")),
    ("2023-09-30", dict(A=(400, 400), B=(290, 200), C=(0, 90), D=(80, 80), E=(120, 0), F=(240, 190)),
     dict(A="Strategic", B="Strategic", F="Key", C="Standard", D="Standard"),
     dict(A="Strategic", B="Strategic", F="Key", E="Standard", D="Standard")),
    # 2023 vs 2022. Prior: A 400, F 240, B 200, D 80, C 60 → F now starts Strategic, B Key.
    ("2023-12-31", dict(A=(400, 400), B=(320, 200), C=(0, 60), D=(80, 80), E=(160, 0), F=(240, 240)),
     dict(A="Strategic", F="Strategic", B="Key", D="Standard", C="Standard"),
     dict(A="Strategic", B="Strategic", F="Key", E="Standard", D="Standard")),
]  # fmt: skip

# The same figures written out for the first and last point, as a check on the derivation:
# 2022-12-31: NRR = (400+200+60+80+240)/(400+200+120+80+40) = 980/840, GRR = 780/840,
#   expansion 200 (F), contraction 60 (C), churn 0, new 0, total 980, strategic share 640/980;
#   Strategic {A,B} 600→600, Key {C} 120→60, Standard {D,F} 120→320 (GRR 120/120).
# 2023-12-31: NRR = 1040/980, GRR = 920/980, expansion 120 (B), churn 60 (C), new 160 (E),
#   total 1200, strategic share (400+320)/1200 = 0.6; Strategic {A,F} 640→640,
#   Key {B} 200→320, Standard {C,D} 140→80.
WRITTEN_OUT = {
    "2022-12-31": dict(
        nrr=980 / 840,
        grr=780 / 840,
        total=980,
        share=640 / 980,
        bridge=dict(starting=840, expansion=200, contraction=60, churn=0, reactivation=0, new=0, ending=980),
        tiers=dict(Strategic=(1.0, 1.0, 640), Key=(0.5, 0.5, 200), Standard=(320 / 120, 1.0, 140)),
    ),
    "2023-12-31": dict(
        nrr=1040 / 980,
        grr=920 / 980,
        total=1200,
        share=0.6,
        bridge=dict(
            starting=980, expansion=120, contraction=0, churn=60, reactivation=0, new=160, ending=1200
        ),
        tiers=dict(Strategic=(1.0, 1.0, 720), Key=(1.6, 1.0, 240), Standard=(80 / 140, 80 / 140, 240)),
    ),
}


def _derived(accounts: dict, start: dict, end: dict) -> dict:
    """NRR, GRR, bridge and tiers of one point from its hand-worked ARR and tiers."""
    cohort = [a for a, (_, prior) in accounts.items() if prior > 0]
    starting = sum(accounts[a][1] for a in cohort)
    out = {
        "total": sum(arr for arr, _ in accounts.values()),
        "nrr": sum(accounts[a][0] for a in cohort) / starting,
        "grr": sum(min(accounts[a]) for a in cohort) / starting,
        "expansion": sum(max(arr - prior, 0) for arr, prior in accounts.values() if prior > 0),
        "contraction": sum(prior - arr for arr, prior in accounts.values() if 0 < arr < prior),
        "churn": sum(prior for arr, prior in accounts.values() if arr == 0 and prior > 0),
        "new": sum(arr for arr, prior in accounts.values() if prior == 0),
        "tiers": {},
    }
    for tier in ("Strategic", "Key", "Standard"):
        members = [a for a in cohort if start[a] == tier]
        prior = sum(accounts[a][1] for a in members)
        tier_arr = sum(accounts[a][0] for a in accounts if end.get(a) == tier)
        out["tiers"][tier] = (
            sum(accounts[a][0] for a in members) / prior,
            sum(min(accounts[a]) for a in members) / prior,
            tier_arr,
        )
    out["share"] = out["tiers"]["Strategic"][2] / out["total"]
    return out


def test_points_are_the_quarter_ends_with_24_months_before_them(trend):
    assert [p.as_of.strftime("%Y-%m-%d") for p in trend.points] == [e[0] for e in EXPECTED]
    assert trend.note is None


@pytest.mark.parametrize("index", range(len(EXPECTED)), ids=[e[0] for e in EXPECTED])
def test_every_point_matches_the_hand_worked_history(trend, index):
    as_of, accounts, start, end = EXPECTED[index]
    want = _derived(accounts, start, end)
    point = trend.points[index]
    assert point.total_arr == want["total"]
    assert point.retention.nrr == pytest.approx(want["nrr"], rel=EXACT)
    assert point.retention.grr == pytest.approx(want["grr"], rel=EXACT)
    bridge = point.retention.bridge
    assert (bridge.expansion, bridge.contraction, bridge.churn, bridge.new) == (
        want["expansion"],
        want["contraction"],
        want["churn"],
        want["new"],
    )
    assert bridge.ending == want["total"]
    assert point.strategic_share == pytest.approx(want["share"], rel=EXACT)
    for tier, (nrr, grr, arr) in want["tiers"].items():
        assert point.by_tier[tier].nrr == pytest.approx(nrr, rel=EXACT), tier
        assert point.by_tier[tier].grr == pytest.approx(grr, rel=EXACT), tier
        assert point.tier_arr[tier] == arr, tier
    if as_of in WRITTEN_OUT:
        w = WRITTEN_OUT[as_of]
        assert (want["nrr"], want["grr"], want["total"], want["share"]) == pytest.approx(
            (w["nrr"], w["grr"], w["total"], w["share"]), rel=EXACT
        )
        assert bridge.to_dict() == w["bridge"]
        for tier, figures in w["tiers"].items():
            assert want["tiers"][tier] == pytest.approx(figures, rel=EXACT), tier


def test_json_shape(trend):
    first = trend.points[0].to_dict()
    assert set(first) == {"as_of", "total_arr", "nrr", "grr", "strategic_share", "by_tier", "bridge"}
    assert first["as_of"] == "2022-12-31"
    assert first["by_tier"]["Key"] == {"nrr": 0.5, "grr": 0.5, "arr": 200.0}


def test_last_point_is_the_analysis_at_the_as_of_date(hand_worked, trend):
    analysis = analyze(hand_worked.accounts, thresholds=THRESHOLDS)
    last = trend.points[-1]
    assert last.total_arr == analysis.concentration.total_arr
    assert last.retention == analysis.retention
    assert last.by_tier == analysis.retention_by_tier


def test_quarterly_revenue_survives_a_store_that_keeps_only_tables(hand_worked):
    """The session store keeps frames and JSON, not objects: the round trip is exact."""
    quarters = quarters_of(hand_worked.accounts)
    back = quarters_from_frame(*quarters_to_frame(quarters))
    assert (back.account_ids == quarters.account_ids).all()
    assert back.ends.equals(quarters.ends) and back.first_date == quarters.first_date
    assert (back.revenue == quarters.revenue).all()
    frame, info = quarters_to_frame(quarters)
    with pytest.raises(ValueError, match="not a stored quarterly revenue table"):
        quarters_from_frame(frame.drop(columns="account_id"), info)


def test_quarters_are_counted_back_from_the_as_of_date():
    """A line on a quarter's last day belongs to it, the next day to the next quarter;
    month ends clamp (2023-11-30 − 3 months = 2023-08-30, − 6 = 2023-05-30)."""
    lines = pd.DataFrame(
        {
            "id": ["x", "x", "y", "y", "x"],
            "date": pd.to_datetime(["2023-08-30", "2023-08-31", "2023-11-30", "2023-12-01", "2021-01-01"]),
            "amount": [1.0, 2.0, 4.0, 8.0, 16.0],
        }
    )
    q = quarterly_revenue(lines["id"], lines["date"], lines["amount"], pd.Timestamp("2023-11-30"))
    assert list(q.ends[-3:].strftime("%Y-%m-%d")) == ["2023-05-30", "2023-08-30", "2023-11-30"]
    assert q.ends[0] - pd.DateOffset(months=3) < pd.Timestamp("2021-01-01") <= q.ends[0]
    assert list(q.account_ids) == ["x", "y"]
    assert q.revenue[:, -2:].tolist() == [[1.0, 2.0], [0.0, 4.0]]  # 2023-12-01 is after the as-of date
    assert q.revenue[0, 0] == 16.0 and q.revenue.sum() == 23.0


def test_net_refunds_floor_a_window_at_zero():
    quarterly = {"A": [100] * 12, "B": [50] * 8 + [-60, 0, 0, 0]}
    result = load_bytes(_history_csv(quarterly), "refund.csv", as_of="2023-12-31")
    point = quarterly_trend(quarters_of(result.accounts)).points[-1]
    assert point.retention.bridge.churn == 200  # B: 2023 is −60, counted as 0
    assert point.total_arr == 400


def test_snapshot_has_no_trend_and_says_why():
    trend = quarterly_trend(None)
    assert trend.points == [] and "snapshot" in trend.note


def test_too_short_a_history_says_when_the_first_point_would_be():
    short = load_bytes(_history_csv(QUARTERLY), "short.csv", as_of="2022-09-30")
    trend = quarterly_trend(quarters_of(short.accounts))
    assert trend.points == []
    assert "starts 2021-01-15" in trend.note and "on or after 2022-12-15" in trend.note


def test_order_lines_are_not_subscription_like(hand_worked):
    steady = {"A": [100] * 12, "D": [20] * 12}
    subscription = load_bytes(_history_csv(steady), "s.csv").accounts
    assert billing_kind(quarters_of(subscription))[0] is True
    lumpy = {"A": [100, 0, 300, 0] * 3, "D": [20, 90, 5, 60] * 3}
    orders = load_bytes(_history_csv(lumpy), "o.csv").accounts
    is_subscription, reason = billing_kind(quarters_of(orders))
    assert is_subscription is False and "Order data" in reason


@pytest.mark.parametrize("name", ["SaaS-Sales.csv", "Sample - Superstore.csv"])
def test_real_exports_last_point_is_analyze(name):
    result = load_file(real_file(name))
    trend = quarterly_trend(quarters_of(result.accounts))
    analysis = analyze(result.accounts)
    last = trend.points[-1]
    assert last.as_of == result.as_of
    assert last.total_arr == analysis.concentration.total_arr
    assert last.retention == analysis.retention
    assert last.by_tier == analysis.retention_by_tier
    share = analysis.distribution.loc["Strategic", "arr_share"]
    assert last.strategic_share == pytest.approx(share, rel=1e-12)
    assert len(trend.points) == 9  # 2021-12-31 / 2015-12-30 … the as-of date
    assert trend.subscription_like is False


def test_which_accounts_a_history_holds_by_id_whatever_the_id_type():
    quarters = QuarterlyRevenue(
        account_ids=np.asarray(["A1", "B2", "C3"], dtype=object),
        ends=pd.DatetimeIndex(["2024-12-31"]),
        revenue=np.zeros((3, 1)),
        first_date=pd.Timestamp("2024-10-01"),
    )
    arrow = pd.Series(["C3", "Z9", "A1"], dtype="str")  # ids as a read file holds them
    assert quarters.rows_among(arrow).tolist() == [True, False, True]
    assert quarters.rows_among({"B2"}).tolist() == [False, True, False]
    assert quarters.rows_among([]).tolist() == [False, False, False]
    assert quarters.holds(arrow).tolist() == [True, False, True]
    assert quarters.holds(np.asarray([3, "B2"], dtype=object)).tolist() == [False, True]
