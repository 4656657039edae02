"""Issue 14 items 6–7: action lists, the accounts behind every bar, and the grid's server-side
slices.

The 5-row example of the issue (assigned tier = tier at the start of the period), with SAMs and
renewal dates, worked by hand (as of 2026-10-01):

====  =========  =====  ======  ====  ===========  =====================================
id    tier       prior  now     SAM   renewal      lists
====  =========  =====  ======  ====  ===========  =====================================
A     Strategic  400    500     Ann   2026-12-01   expansion +100; renews in 61 days
C     Strategic  200    0       Ann   —            churned −200
B     Key        300    300     Bob   2027-03-01   renews in 151 days
D     Standard   250    150     Bob   2026-11-10   contraction −100; renews in 40 days
E     Standard   0      50      Ann   2027-09-01   new +50; renews in 335 days
====  =========  =====  ======  ====  ===========  =====================================

Bridge (all tiers): starting 1,150; expansion +100; contraction −100; churn −200; new +50;
ending 1,000 (= 500 + 300 + 150 + 50). Strategic cohort: A and C, NRR 500 / 600.
Every figure's bars are compared with the lists' sums on the demo portfolio too.
"""

import html

import numpy as np
import pandas as pd
import pytest

from conftest import DEMO
from portfolio.account_list import grid_page, search_accounts, to_csv_bytes, to_xlsx_bytes
from portfolio.action_lists import action_list
from portfolio.analysis import analyze
from portfolio.drilldown import BRIDGE_STEPS, accounts_behind
from portfolio.ingest import load_file
from portfolio.schema import TIERS
from reporting import figures

AS_OF = pd.Timestamp("2026-10-01")
FIVE = pd.DataFrame(
    {
        "account_id": list("ACBDE"),
        "account_name": ["Alpha", "Churned Co", "Beta", "Delta", "Echo"],
        "arr": [500.0, 0.0, 300.0, 150.0, 50.0],
        "arr_prior": [400.0, 200.0, 300.0, 250.0, 0.0],
        "tier": ["Strategic", "Strategic", "Key", "Standard", "Standard"],
        "sam": ["Ann", "Ann", "Bob", "Bob", "Ann"],
        "renewal_date": pd.to_datetime(["2026-12-01", None, "2027-03-01", "2026-11-10", "2027-09-01"]),
    }
)


@pytest.fixture(scope="module")
def five():
    return analyze(FIVE)


@pytest.fixture(scope="module")
def demo():
    return analyze(load_file(DEMO).accounts)


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["account_id"].tolist()


# ---- action lists, by hand


def test_churned_contracted_and_expansions_by_hand():
    churned = action_list(FIVE, "churned", as_of=AS_OF)
    assert ids(churned.accounts) == ["C"] and churned.accounts["arr_change"].tolist() == [-200.0]
    contracted = action_list(FIVE, "contracted", as_of=AS_OF)
    assert ids(contracted.accounts) == ["D"] and contracted.accounts["arr_change"].tolist() == [-100.0]
    expansions = action_list(FIVE, "expansions", as_of=AS_OF)
    assert ids(expansions.accounts) == ["A"] and expansions.accounts["arr_change"].tolist() == [100.0]


def test_lists_are_ordered_largest_first():
    frame = pd.DataFrame(
        {
            "account_id": list("PQRS"),
            "arr": [0.0, 0.0, 150.0, 900.0],
            "arr_prior": [100.0, 300.0, 100.0, 200.0],
            "tier": ["Key"] * 4,
        }
    )
    assert ids(action_list(frame, "churned", as_of=AS_OF).accounts) == ["Q", "P"]
    assert ids(action_list(frame, "expansions", as_of=AS_OF).accounts) == ["S", "R"]


def test_renewals_within_90_and_180_days_by_tier_then_arr():
    in_90 = action_list(FIVE, "renewal-90", as_of=AS_OF)
    assert ids(in_90.accounts) == ["A", "D"]  # Strategic before Standard
    assert in_90.accounts["days_to_renewal"].tolist() == [61, 40]
    assert in_90.measure == "arr" and in_90.accounts["arr"].sum() == 650.0  # ARR up for renewal
    in_180 = action_list(FIVE, "renewal-180", as_of=AS_OF)
    assert ids(in_180.accounts) == ["A", "B", "D"]
    assert in_180.note == ""  # the one account without a date is churned, so not active


def test_renewals_say_when_dates_are_missing():
    undated = FIVE.assign(renewal_date=FIVE["renewal_date"].where(FIVE["account_id"] != "B"))
    assert action_list(undated, "renewal-180", as_of=AS_OF).note.startswith("1 active account(s) have no")
    none = action_list(FIVE.drop(columns="renewal_date"), "renewal-90", as_of=AS_OF)
    assert none.accounts.empty and "no renewal dates" in none.note


def test_changes_need_prior_arr():
    found = action_list(FIVE.drop(columns="arr_prior"), "churned", as_of=AS_OF)
    assert found.accounts.empty and "prior-year ARR" in found.note


def test_unknown_list_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown action list"):
        action_list(FIVE, "everything", as_of=AS_OF)


# ---- the accounts behind each bar, by hand


def test_bridge_steps_by_hand(five):
    expected = {
        "Starting ARR": (["A", "D", "B", "C"], 1150.0),
        "Expansion": (["A"], 100.0),
        "Contraction": (["D"], -100.0),
        "Churn": (["C"], -200.0),
        "New": (["E"], 50.0),
        "Ending ARR": (["A", "B", "D", "E"], 1000.0),
    }
    for step, (accounts, total) in expected.items():
        found = accounts_behind(five, "arr-bridge", {"tier": "All", "step": step})
        assert sorted(ids(found.accounts)) == sorted(accounts), step
        assert found.accounts[found.measure].sum() == total, step


def test_strategic_retention_bar_is_a_and_c(five):
    found = accounts_behind(five, "retention-by-tier", "Strategic")
    assert sorted(ids(found.accounts)) == ["A", "C"]
    assert "NRR 83.3%" in found.title and "GRR 66.7%" in found.title
    strategic = accounts_behind(five, "arr-bridge", {"tier": "Strategic", "step": "Ending ARR"})
    assert ids(strategic.accounts) == ["A"] and strategic.accounts["arr"].sum() == 500.0
    standard_new = accounts_behind(five, "arr-bridge", {"tier": "Standard", "step": "New"})
    assert ids(standard_new.accounts) == ["E"]


def test_pareto_point_is_the_largest_accounts(five):
    found = accounts_behind(five, "pareto", 0.5)  # 2 of the 4 active accounts
    assert ids(found.accounts) == ["A", "B"] and "80.0% of ARR" in found.title


def test_sam_bar_by_hand(five):
    tier = five.accounts.set_index("account_id")["tier"]
    found = accounts_behind(five, "sam-workload", {"sam": "Bob", "tier": tier["B"]})
    assert "B" in ids(found.accounts) and set(found.accounts["sam"]) == {"Bob"}


def test_action_list_via_accounts_behind_says_today_without_as_of(five):
    found = accounts_behind(five, "action-list", "churned")
    assert ids(found.accounts) == ["C"] and "−$200" in found.title
    renewals = accounts_behind(five, "action-list", "renewal-90")
    assert renewals.note.startswith("Counted from today")
    dated = accounts_behind(five, "action-list", "renewal-90", as_of=AS_OF)
    assert ids(dated.accounts) == ["A", "D"] and dated.note == ""


@pytest.mark.parametrize(
    ("chart", "key", "message"),
    [
        ("nonsense", "Strategic", "no drill-down"),
        ("tier-distribution", "Platinum", "unknown tier"),
        ("arr-bridge", {"step": "Magic"}, "bridge step"),
        ("pareto", 1.5, "between 0 and 1"),
        ("pareto", "x", "between 0 and 1"),
        ("sam-workload", {"sam": "Nobody", "tier": "Key"}, "no SAM named"),
        ("sam-workload", "Ann", "names a SAM"),
    ],
)
def test_bad_selection_is_a_readable_error(five, chart, key, message):
    with pytest.raises(ValueError, match=message):
        accounts_behind(five, chart, key)


def test_retention_without_prior_arr_is_a_readable_error():
    with pytest.raises(ValueError, match="prior-year ARR"):
        accounts_behind(analyze(FIVE.assign(arr_prior=np.nan)), "retention-by-tier", "Key")


# ---- every list sums to the bar it came from (demo portfolio, every bar of every chart)


def test_tier_bars(demo):
    fig = figures.tier_distribution_figure(demo)
    total = demo.accounts["arr"].sum()
    for i, tier in enumerate(fig.data[0].x):
        found = accounts_behind(demo, "tier-distribution", tier).accounts
        assert len(found) == fig.data[0].y[i] and found["arr"].is_monotonic_decreasing  # largest first
        assert found["arr"].sum() / total == pytest.approx(fig.data[1].y[i], rel=1e-12)


def test_headcount_bars(demo):
    fig = figures.headcount_figure(demo)
    capacity = demo.workload.by_tier["capacity"]
    for i, tier in enumerate(fig.data[0].x):
        found = accounts_behind(demo, "sam-headcount", tier).accounts
        assert len(found) / capacity[tier] == pytest.approx(fig.data[0].y[i], rel=1e-12)


def test_retention_bars(demo):
    fig = figures.retention_by_tier_figure(demo)
    for i, tier in enumerate(fig.data[0].x):
        found = accounts_behind(demo, "retention-by-tier", tier).accounts
        assert found["arr_prior"].is_monotonic_decreasing  # the largest a year ago first
        nrr = found["arr"].sum() / found["arr_prior"].sum()
        grr = np.minimum(found["arr"], found["arr_prior"]).sum() / found["arr_prior"].sum()
        assert nrr == pytest.approx(fig.data[0].y[i], rel=1e-12)
        assert grr == pytest.approx(fig.data[1].y[i], rel=1e-12)


@pytest.mark.parametrize("tier", ["All", *TIERS])
def test_bridge_bars(demo, tier):
    fig = figures.arr_bridge_figure(demo, tier)
    assert tuple(fig.data[0].x) == BRIDGE_STEPS
    for step, bar in zip(fig.data[0].x, fig.data[0].y, strict=True):
        found = accounts_behind(demo, "arr-bridge", {"tier": tier, "step": step})
        assert found.accounts[found.measure].sum() == pytest.approx(bar, abs=1e-6), step  # whole dollars


def test_pareto_points(demo):
    trace = figures.pareto_figure(demo).data[0]
    total = demo.accounts["arr"].sum()
    for x, y in list(zip(trace.x, trace.y, strict=True))[::97]:
        found = accounts_behind(demo, "pareto", float(x)).accounts
        assert found["arr"].sum() / total == pytest.approx(y, abs=1e-12)


def test_sam_bars(demo):
    fig = figures.sam_load_figure(demo)
    for trace in fig.data:
        for name, count, load in zip(trace.y, trace.customdata, trace.x, strict=True):
            key = {"sam": html.unescape(name), "tier": trace.name}
            found = accounts_behind(demo, "sam-workload", key).accounts
            assert len(found) == count
            assert len(found) / demo.workload.by_tier.loc[trace.name, "capacity"] == pytest.approx(load)


def test_bridge_action_lists_sum_to_the_bridge(demo):
    bridge = demo.retention.bridge
    for kind, bar in (
        ("churned", -bridge.churn),
        ("contracted", -bridge.contraction),
        ("expansions", bridge.expansion),
    ):
        assert accounts_behind(demo, "action-list", kind).accounts["arr_change"].sum() == pytest.approx(bar)


# ---- the grid's server-side slices


def test_grid_holds_every_account_churned_included(demo):
    rows, count = grid_page(demo.accounts, start=0, end=100)
    assert count == len(demo.accounts) and len(rows) == 100
    assert rows[0]["arr"] == demo.accounts["arr"].max()
    churned = demo.accounts.loc[demo.accounts["arr"] == 0, "account_name"].iloc[0]
    rows, count = grid_page(demo.accounts, start=0, end=100, search=churned.upper())
    assert count >= 1 and rows[0]["account_name"] == churned and rows[0]["arr"] == 0
    assert rows[0]["tier"] == ""  # no tier: no ARR now


def test_grid_search_is_literal_and_spans_columns(five):
    assert search_accounts(five.accounts, "bob").tolist() == [False, False, True, True, False]  # SAM
    assert not search_accounts(five.accounts, ".*").any()  # not a pattern
    assert search_accounts(five.accounts, "  ").all()


def test_grid_sort_and_slice(five):
    rows, count = grid_page(
        five.accounts, start=1, end=3, sort_model=[{"colId": "account_name", "sort": "asc"}]
    )
    assert count == 5 and [r["account_name"] for r in rows] == ["Beta", "Churned Co"]
    rows, _ = grid_page(
        five.accounts, start=0, end=5, sort_model=[{"colId": "arr", "sort": "asc"}, {"colId": "x"}]
    )
    assert [r["account_id"] for r in rows] == ["C", "E", "D", "B", "A"]
    rows, _ = grid_page(five.accounts, start=0, end=2, largest_first=False)
    assert [r["account_id"] for r in rows] == ["A", "C"]  # as given
    assert grid_page(five.accounts, start=10, end=5)[0] == []


def test_grid_rows_are_json_ready(five):
    rows, _ = grid_page(five.accounts, start=0, end=5)
    churned = next(r for r in rows if r["account_id"] == "C")
    assert churned["renewal_date"] is None and isinstance(rows[0]["renewal_date"], str)


def test_list_downloads_keep_the_list_order_and_neutralise_formulas():
    frame = FIVE.assign(account_name=["=1+2", "b", "c", "d", "e"], arr_change=[1.0, 5.0, 2.0, 4.0, 3.0])
    text = to_csv_bytes(frame, largest_first=False).decode("utf-8-sig").splitlines()
    assert text[0].startswith("account_id,account_name,arr,arr_prior,arr_change")
    assert text[1].startswith("A,'=1+2,500.0")
    assert to_xlsx_bytes(frame, largest_first=False)[:2] == b"PK"
