"""Each chart's "View as table" data (reporting.chart_tables), worked by hand on small inputs."""

from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest
from test_takeaways import ANALYSIS as RETENTION  # 5 accounts, bridge worked by hand there

from portfolio.cohorts import Cohorts
from portfolio.concentration import summarize
from portfolio.datafacts import BENCHMARK_NOTE, DataFacts
from portfolio.retention import retention
from reporting.chart_tables import (
    ANALYSIS_TABLES,
    SIMULATION_TABLES,
    TREND_TABLES,
    bridge_table,
    cohort_table,
    decomposition_table,
    delta_table,
    ending_table,
    fan_table,
    headcount_table,
    lorenz_table,
    pareto_table,
    renewal_table,
    retention_table,
    sam_load_table,
    score_table,
    tier_distribution_table,
    trend_arr_table,
    trend_bridge_table,
    trend_retention_table,
)
from reporting.simulation_report import DELTA, Fan, Histogram
from reporting.simulator import NO_SCENARIO
from simulation.summary import RenewalCalendar, RenewalQuarter

TIERS = ["Strategic", "Key", "Standard"]


def records(table) -> list[dict]:
    return table.frame.to_dict("records")


def curve_analysis(arr: list[float]) -> NS:
    accounts = pd.DataFrame({"account_name": [f"N{i}" for i in range(len(arr))], "arr": arr})
    return NS(accounts=accounts, concentration=summarize(accounts["arr"]))


def test_every_chart_has_a_table():
    from exports.pack import ANALYSIS_CHARTS, SIMULATION_CHARTS, TREND_CHARTS

    assert set(ANALYSIS_TABLES) == set(ANALYSIS_CHARTS)
    assert set(SIMULATION_TABLES) == set(SIMULATION_CHARTS)
    assert set(TREND_TABLES) == set(TREND_CHARTS)


def test_pareto_lists_each_of_a_few_accounts(five_accounts):
    """ARR 500/250/150/75/25 of 1,000: cumulative 500, 750, 900, 975, 1,000."""
    analysis = NS(accounts=five_accounts, concentration=summarize(five_accounts["arr"]))
    table = pareto_table(analysis)
    assert records(table)[:2] == [
        {
            "Accounts (largest first)": "1",
            "Account": "Alpha",
            "Share of accounts": "20.0%",
            "Cumulative ARR": "$500",
            "Cumulative share of ARR": "50.0%",
        },
        {
            "Accounts (largest first)": "2",
            "Account": "Beta",
            "Share of accounts": "40.0%",
            "Cumulative ARR": "$750",
            "Cumulative share of ARR": "75.0%",
        },
    ]
    assert [r["Cumulative share of ARR"] for r in records(table)] == [
        "50.0%",
        "75.0%",
        "90.0%",
        "97.5%",
        "100.0%",
    ]
    assert records(table)[-1]["Cumulative ARR"] == "$1.00k"
    # 80% of 1,000 is reached with the third account (900)
    assert table.note == "3 accounts (60.0%) bring 80% of ARR."
    assert "Cumulative ARR" in table.numeric and "Account" not in table.numeric


def test_curves_of_many_accounts_give_every_tenth():
    """ARR 1, 2, …, 30 (total 465): rows at k = 3, 6, …, 30 accounts. Largest three 30 + 29 +
    28 = 87 (18.7%); smallest three 1 + 2 + 3 = 6 (1.3%), smallest fifteen 120 (25.8%)."""
    analysis = curve_analysis([float(x) for x in range(1, 31)])
    pareto = pareto_table(analysis)
    assert [r["Accounts (largest first)"] for r in records(pareto)] == [str(k) for k in range(3, 31, 3)]
    assert "Account" not in pareto.frame.columns
    assert records(pareto)[0] == {
        "Accounts (largest first)": "3",
        "Share of accounts": "10.0%",
        "Cumulative ARR": "$87",
        "Cumulative share of ARR": "18.7%",
    }
    assert pareto.note.startswith(
        "At every tenth of the 30 accounts (largest first); the chart draws the whole curve."
    )
    lorenz = lorenz_table(analysis)
    assert records(lorenz)[0]["Cumulative share of ARR"] == "1.3%"
    assert records(lorenz)[4] == {
        "Accounts (smallest first)": "15",
        "Share of accounts": "50.0%",
        "Cumulative share of ARR": "25.8%",
    }
    assert records(lorenz)[-1]["Cumulative share of ARR"] == "100.0%"
    # Gini of 1..n is (n − 1)/(3n) = 29/90 = 0.32
    assert lorenz.note.endswith("Gini 0.32 (0 = all equal, 1 = one account).")


def test_tenths_round_up_to_whole_accounts():
    """25 accounts: ⌈2.5⌉ = 3, 5, ⌈7.5⌉ = 8, …, 25."""
    analysis = curve_analysis([1.0] * 25)
    assert [r["Accounts (smallest first)"] for r in records(lorenz_table(analysis))] == [
        "3",
        "5",
        "8",
        "10",
        "13",
        "15",
        "18",
        "20",
        "23",
        "25",
    ]


def test_no_account_with_arr_says_so():
    analysis = curve_analysis([0.0, 0.0])
    assert pareto_table(analysis).frame.empty and pareto_table(analysis).note == "No account has ARR."
    assert lorenz_table(analysis).note == "No account has ARR."


def test_tier_distribution_in_money_and_percent():
    dist = pd.DataFrame(
        {
            "accounts": [2, 30, 1200],
            "arr": [5_250_000.0, 3_000_000.0, 1_750_000.0],
            "arr_share": [0.525, 0.3, 0.175],
        },
        index=TIERS,
    )
    assert records(tier_distribution_table(NS(distribution=dist))) == [
        {"Tier": "Strategic", "Accounts": "2", "ARR": "$5.25M", "Share of ARR": "52.5%"},
        {"Tier": "Key", "Accounts": "30", "ARR": "$3.00M", "Share of ARR": "30.0%"},
        {"Tier": "Standard", "Accounts": "1,200", "ARR": "$1.75M", "Share of ARR": "17.5%"},
    ]


def test_scores_per_bin_leave_out_empty_bins():
    """Scores 75, 71 (Strategic), 55 (Key), 10 and 100 (Standard) in bins of 2.5."""
    accounts = pd.DataFrame(
        {
            "score": [75.0, 71.0, 55.0, 10.0, 100.0, 40.0],
            "tier": ["Strategic", "Strategic", "Key", "Standard", "Standard", None],
        }
    )
    analysis = NS(accounts=accounts, tiers=NS(thresholds=NS(strategic=70.0, key=50.0), revenue_only=False))
    table = score_table(analysis)
    row = lambda s, k, st: {"Strategic (accounts)": s, "Key (accounts)": k, "Standard (accounts)": st}  # noqa: E731
    assert records(table) == [
        {"Score": "10–12.5", **row("0", "0", "1")},
        {"Score": "55–57.5", **row("0", "1", "0")},
        {"Score": "70–72.5", **row("1", "0", "0")},
        {"Score": "75–77.5", **row("1", "0", "0")},
        {"Score": "97.5–100", **row("0", "0", "1")},
    ]
    assert table.note == "Bins of 2.5 points; empty bins are left out. Strategic from 70, Key from 50."
    bands = NS(thresholds=NS(strategic=70.0, key=50.0), revenue_only=True, revenue_method="bands")
    assert "Revenue score × 10" in score_table(NS(accounts=accounts, tiers=bands)).frame.columns


def test_revenue_only_percentile_tiers_table_the_arr_steps_the_chart_draws():
    """ARR $1k (Standard), $31.6k = 10^4.5 (Key), $1M (Strategic): 40 equal steps of log10 ARR
    from 3 to 6, 0.075 each; $1k falls in the first (10^3–10^3.075 = $1.19k), 10^4.5 in the
    21st (10^4.5–10^4.575), $1M in the last (10^5.925 = $841k – $1M)."""
    accounts = pd.DataFrame({"arr": [1_000.0, 10**4.5, 1e6], "tier": ["Standard", "Key", "Strategic"]})
    percentile = NS(thresholds=NS(strategic=95.0, key=80.0), revenue_only=True, revenue_method="percentile")
    table = score_table(NS(accounts=accounts, tiers=percentile))
    row = lambda s, k, st: {"Strategic (accounts)": s, "Key (accounts)": k, "Standard (accounts)": st}  # noqa: E731
    assert records(table) == [
        {"ARR": "$1.00k–$1.19k", **row("0", "0", "1")},
        {"ARR": "$31.6k–$37.6k", **row("0", "1", "0")},
        {"ARR": "$841k–$1.00M", **row("1", "0", "0")},
    ]
    assert table.note.endswith("Strategic from $1.00M. Key from $31.6k.")


def test_retention_per_tier_by_hand():
    """Strategic a year ago: A 100 → 120, C 50 → 0: NRR 120/150 = 80%, GRR 100/150 = 66.7%.
    Key: B 200 → 150, E 150 → 150: NRR = GRR = 300/350 = 85.7%. No Standard account."""
    assert records(retention_table(RETENTION)) == [
        {"Tier a year ago": "Strategic", "NRR": "80.0%", "GRR": "66.7%"},
        {"Tier a year ago": "Key", "NRR": "85.7%", "GRR": "85.7%"},
        {"Tier a year ago": "Standard", "NRR": "–", "GRR": "–"},
    ]


def test_order_data_retention_table_is_repeat_revenue_without_benchmarks():
    orders = NS(
        **{
            **vars(RETENTION),
            "facts": DataFacts(data_kind="transactional"),
            "retention_names": ("Net repeat-revenue retention", "Gross repeat-revenue retention"),
        }
    )
    table = retention_table(orders)
    assert records(table)[0] == {
        "Tier a year ago": "Strategic",
        "Net repeat-revenue retention": "80.0%",
        "Gross repeat-revenue retention": "66.7%",
    }
    assert table.note.startswith(BENCHMARK_NOTE) and "Benchmarks: NRR" not in table.note


def test_without_prior_arr_the_tables_say_why():
    analysis = NS(retention=None, retention_by_tier={})
    for table in (retention_table(analysis), bridge_table(analysis)):
        assert table.frame.empty and "prior-year ARR" in table.note


def test_bridge_steps_signed_by_hand():
    """All tiers 500 → 500; Strategic 150 + 20 − 0 − 50 + 80 = 200 (test_takeaways.py)."""
    assert records(bridge_table(RETENTION)) == [
        {"Step": "Starting ARR", "ARR": "$500"},
        {"Step": "Expansion", "ARR": "+$20"},
        {"Step": "Contraction", "ARR": "−$50"},
        {"Step": "Churn", "ARR": "−$50"},
        {"Step": "Reactivation", "ARR": "$0"},
        {"Step": "New", "ARR": "+$80"},
        {"Step": "Ending ARR", "ARR": "$500"},
    ]
    strategic = bridge_table(RETENTION, "Strategic")
    assert [r["ARR"] for r in records(strategic)] == ["$150", "+$20", "$0", "−$50", "$0", "+$80", "$200"]
    assert strategic.note.startswith("Strategic accounts (tier a year ago)")
    assert bridge_table(RETENTION, "All").note.startswith("All tiers")


def test_sam_load_as_the_chart_top_sams_without_the_unassigned():
    by_sam = pd.DataFrame(
        {"Strategic": [10, 0, 2], "Key": [0, 40, 5], "Standard": [0, 0, 50], "load": [1.25, 1.0, 0.4]},
        index=["Ann", "(unassigned)", "Bob"],
    )
    analysis = NS(workload=NS(by_sam=by_sam, has_sams=True))
    table = sam_load_table(analysis, top=1)
    assert records(table) == [
        {
            "SAM": "Ann",
            "Strategic (accounts)": "10",
            "Key (accounts)": "0",
            "Standard (accounts)": "0",
            "Load (share of one SAM)": "125%",
        }
    ]
    assert table.note == "The 1 SAMs with the most load of 2."
    assert sam_load_table(analysis).note == ""


def test_sam_load_without_a_sam_column_says_so():
    """It was an empty table with no note, beside a caption saying there is no SAM column."""
    analysis = NS(workload=NS(by_sam=pd.DataFrame(), has_sams=False))
    table = sam_load_table(analysis)
    assert table.frame.empty
    assert table.note == "No SAM column in the data: per-SAM load cannot be shown."


def test_headcount_in_fte():
    by_tier = pd.DataFrame(
        {"required_fte": [5.0, 13.25, 9.2], "available_fte": [4.0, 12.0, 11.0]}, index=TIERS
    )
    assert records(headcount_table(NS(workload=NS(by_tier=by_tier, headcount_known=True))))[1] == {
        "Tier": "Key",
        "Required SAMs (FTE)": "13.2",
        "Available SAMs (FTE)": "12.0",
    }


# ---- Simulator, from hand-set reports ----

FAN = Fan(
    period=(0, 1),
    p5=(1e6, 9e5),
    p25=(1e6, 9.5e5),
    p50=(1e6, 1.02e6),
    p75=(1e6, 1.1e6),
    p95=(1e6, 1.25e6),
    mean=(1e6, 1.03e6),
)


def test_fan_lists_every_period_and_variant():
    report = NS(fan={"Baseline": FAN, "Scenario": FAN}, settings=NS(period="quarter", paths=10_000))
    table = fan_table(report)
    assert len(table.frame) == 4
    assert records(table)[1] == {
        "Period": "Q1",
        "Variant": "Baseline",
        "P5": "$900k",
        "P25": "$950k",
        "Median": "$1.02M",
        "P75": "$1.10M",
        "P95": "$1.25M",
    }
    assert records(table)[2]["Variant"] == "Scenario"
    assert "10,000 simulated paths" in table.note
    monthly = NS(fan={"Baseline": FAN}, settings=NS(period="month", paths=1000))
    assert [r["Period"] for r in records(fan_table(monthly))] == ["Today", "M1"]


def test_ending_histogram_bins_with_paths_and_the_means():
    hist = Histogram(
        edges=(0.0, 500_000.0, 1e6, 1.5e6), counts={"Baseline": (5, 0, 3), "Scenario": (4, 0, 4)}
    )
    means = {"Baseline": 700_000.0, "Scenario": 750_000.0}
    report = NS(ending_histogram=hist, variant=lambda name: NS(ending_arr=NS(mean=means[name])))
    table = ending_table(report)
    assert records(table) == [
        {"ARR at the horizon": "$0 to $500k", "Baseline (paths)": "5", "Scenario (paths)": "4"},
        {"ARR at the horizon": "$1.00M to $1.50M", "Baseline (paths)": "3", "Scenario (paths)": "4"},
    ]
    assert table.note.startswith("Baseline mean $700k; Scenario mean $750k.")


def test_delta_histogram_and_its_probability():
    report = NS(
        delta_histogram=Histogram(edges=(-100.0, 0.0, 100.0), counts={DELTA: (2, 8)}),
        delta=NS(mean=20.0, prob_better=0.8),
    )
    table = delta_table(report)
    assert records(table) == [
        {"Scenario − baseline": "−$100 to $0", "Paths": "2"},
        {"Scenario − baseline": "$0 to $100", "Paths": "8"},
    ]
    assert table.note.startswith("Mean +$20; scenario ahead on 80% of paths.")


def test_decomposition_adds_up_by_hand():
    """Baseline 1,000,000 + move 30,000 − staffing 10,000 = scenario 1,020,000."""
    report = NS(
        comparison=NS(move=NS(mean=30_000.0), staffing=NS(mean=-10_000.0)),
        baseline=NS(ending_arr=NS(mean=1e6)),
        target=NS(ending_arr=NS(mean=1.02e6)),
    )
    assert [r["Expected ARR at the horizon"] for r in records(decomposition_table(report))] == [
        "$1.00M",
        "+$30.0k",
        "−$10.0k",
        "$1.02M",
    ]


@pytest.mark.parametrize("build", [delta_table, decomposition_table])
def test_without_a_scenario_the_comparison_tables_say_so(build):
    table = build(NS(comparison=None, delta=None, delta_histogram=None))
    assert table.frame.empty and table.note == NO_SCENARIO


def test_renewal_calendar_lists_each_quarter():
    calendar = RenewalCalendar(
        quarters=(RenewalQuarter(1, 250_000.0, 3, 12_000.0, 0.0, 40_000.0),),
        accounts=10,
        accounts_with_dates=4,
        timing="",
    )
    table = renewal_table(NS(renewal_calendar=calendar, settings=NS(paths=1000)))
    assert records(table) == [
        {
            "Quarter": "Q1",
            "Renewals (accounts)": "3",
            "ARR up for renewal": "$250k",
            "Churned ARR, mean": "$12.0k",
            "Churned ARR, P5": "$0",
            "Churned ARR, P95": "$40.0k",
        }
    ]
    assert table.note.startswith("4 of 10 accounts have a renewal date.") and "1,000 paths" in table.note
    assert "Quarter" not in table.numeric and "ARR up for renewal" in table.numeric


def test_renewal_calendar_missing_says_so():
    table = renewal_table(NS(renewal_calendar=None))
    assert table.frame.empty and "no renewal calendar" in table.note


# A year to 2017-12-31 worked by hand: ARR 120/50/0/30 against prior 100/100/40/0.
# Opening cohort A, B, C (prior 240): NRR = (120 + 50 + 0)/240 = 70.8%, GRR = (100 + 50 + 0)/240
# = 62.5%; bridge: expansion 20 (A), contraction 50 (B), churn 40 (C), new 30 (D), ending 200,
# net change 200 − 240 = −40.
POINT = NS(
    as_of=pd.Timestamp("2017-12-31"),
    retention=retention(pd.Series([120.0, 50.0, 0.0, 30.0]), pd.Series([100.0, 100.0, 40.0, 0.0])),
    by_tier={
        "Strategic": NS(nrr=1.1, grr=0.95),
        "Key": NS(nrr=float("nan"), grr=float("nan")),
        "Standard": NS(nrr=0.5, grr=0.5),
    },
    tier_arr={"Strategic": 120.0, "Key": 50.0, "Standard": 30.0},
    total_arr=200.0,
    strategic_share=0.6,
)
TREND = NS(trend=NS(points=[POINT], subscription_like=False, note=None))


def test_trend_retention_by_hand():
    table = trend_retention_table(TREND)
    assert records(table) == [
        {
            "Quarter end": "2017-12-31",
            "Net repeat, all tiers": "70.8%",
            "Gross repeat, all tiers": "62.5%",
            "Net repeat, Strategic": "110.0%",
            "Gross repeat, Strategic": "95.0%",
            "Net repeat, Key": "–",
            "Gross repeat, Key": "–",
            "Net repeat, Standard": "50.0%",
            "Gross repeat, Standard": "50.0%",
        }
    ]
    assert "Benchmarks" not in table.note  # order data: repeat-revenue retention, no SaaS benchmarks
    subscription = NS(trend=NS(points=[POINT], subscription_like=True, note=None))
    assert "Benchmarks: NRR 120%" in trend_retention_table(subscription).note
    assert "NRR, all tiers" in records(trend_retention_table(subscription))[0]


def test_trend_arr_by_hand():
    assert records(trend_arr_table(TREND)) == [
        {
            "Quarter end": "2017-12-31",
            "Strategic ARR": "$120",
            "Key ARR": "$50",
            "Standard ARR": "$30",
            "Total ARR": "$200",
            "Strategic share of ARR": "60.0%",
        }
    ]


def test_trend_bridge_by_hand():
    assert records(trend_bridge_table(TREND)) == [
        {
            "Quarter end": "2017-12-31",
            "ARR a year before": "$240",
            "Expansion (ARR)": "+$20",
            "Reactivation (ARR)": "$0",
            "New (ARR)": "+$30",
            "Contraction (ARR)": "−$50",
            "Churn (ARR)": "−$40",
            "Net change (ARR)": "−$40",
            "ARR": "$200",
        }
    ]


@pytest.mark.parametrize("build", [trend_retention_table, trend_arr_table, trend_bridge_table])
def test_a_trend_table_without_points_says_why(build):
    table = build(NS(trend=NS(points=[], note="this is a snapshot")))
    assert table.frame.empty and table.note == "No trend: this is a snapshot."


def test_cohorts_by_hand():
    """Cohort 2015: 1,000 then 900 and 1,100 (90%, 110%); cohort 2016: 200 then 150 (75%)."""
    revenue = np.array([[1000.0, 900.0, 1100.0], [200.0, 150.0, np.nan]])
    cohorts = Cohorts(
        years=[pd.Timestamp("2015-12-31"), pd.Timestamp("2016-12-31")],
        accounts=np.array([3, 1]),
        revenue=revenue,
        retained=revenue / revenue[:, :1],
    )
    table = cohort_table(cohorts)
    assert records(table) == [
        {
            "First year (to)": "2015-12-31",
            "Accounts": "3",
            "First-year revenue": "$1.00k",
            "Kept, year +1": "90%",
            "Kept, year +2": "110%",
        },
        {
            "First year (to)": "2016-12-31",
            "Accounts": "1",
            "First-year revenue": "$200",
            "Kept, year +1": "75%",
            "Kept, year +2": "–",
        },
    ]
    assert TREND_TABLES["trend-strategic-cohorts"](NS(strategic_cohorts=cohorts)).frame.equals(table.frame)
    assert cohort_table(None).frame.empty
