"""reporting.decisions (issue 17): the figures and tables show the numbers they are given."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from reporting.decisions import DECISION_TABLES, gains_figure, tornado_figure
from simulation.recommend import AccountGain, Band, Recommendation
from simulation.sensitivity import Sensitivity, Swing

ENDS = ((np.ones(4), np.ones(4)), (np.ones(4), np.ones(4)))


def sensitivity() -> Sensitivity:
    swings = (
        Swing("Treatment hazard ratio", "0.72", "1.00", 300.0, 100.0, 1000.0, 1000.0, ENDS),
        Swing("Churn, Key", "odds × 0.8", "odds × 1.25", 220.0, 180.0, 1100.0, 900.0, ENDS),
    )
    return Sensitivity(200.0, 1000.0, swings, np.ones(4), np.ones(4), 4, 1)


def test_tornado_bars_run_from_the_centre_to_each_end():
    figure = tornado_figure(sensitivity(), "npv")
    low, high = figure.data
    assert low.base == high.base == 200.0
    # smallest range first (Plotly draws the last category on top): churn, then the hazard ratio
    assert list(low.y) == ["Churn, Key", "Treatment hazard ratio"]
    assert list(low.x) == [20.0, 100.0] and list(high.x) == [-20.0, -100.0]
    assert "treatment hazard ratio moves it most" in figure.layout.title.text
    arr = tornado_figure(sensitivity(), "arr")
    assert list(arr.data[1].x) == [0.0, -100.0]  # the treatment does not move the baseline


def test_decision_hovers_print_amounts_in_the_data_currency():
    """Issue 14 item 3: the hovers of the Decisions charts printed "$" for pound data
    (a ``%{x:$,.0f}`` format); they carry the amounts formatted in the current currency."""
    from portfolio.formatting import using_currency

    with using_currency("GBP"):
        low, high = tornado_figure(sensitivity(), "npv").data
        bar = gains_figure(recommendation()).data[0]
    assert "$" not in low.hovertemplate + bar.hovertemplate
    assert [list(row) for row in low.customdata] == [["odds × 0.8", "+£20"], ["0.72", "+£100"]]
    assert [list(row) for row in high.customdata] == [["odds × 1.25", "−£20"], ["1.00", "−£100"]]
    assert [row[3] for row in bar.customdata] == ["−£20", "+£50"]
    assert "%{customdata[3]}" in bar.hovertemplate and "%{customdata[1]}" in high.hovertemplate


def test_tornado_table_lists_each_end():
    table = DECISION_TABLES["decisions-tornado-npv"](sensitivity().to_dict())
    assert table.frame.iloc[0].to_dict() == {
        "Assumption": "Treatment hazard ratio",
        "Low": "0.72",
        "High": "1.00",
        "NPV at low": "$300",
        "NPV at high": "$100",
    }


def recommendation() -> Recommendation:
    """One account made strategic (expected +50) and one returned to key (−20)."""
    gain = AccountGain("A1", "Acme", 1000.0, "Key", Band(50.0, 10.0, 90.0))
    loss = AccountGain("A2", "Beta", 500.0, "Strategic", Band(-20.0, -30.0, -5.0))
    return Recommendation(
        1,
        1.0,
        10.0,
        10,
        ("A1",),
        ("A2",),
        (gain,),
        (loss,),
        Band(30.0, 0.0, 60.0),
        0.0,
        {"one_more": None, "one_fewer": None},
        "assumed",
    )


def test_gains_figure_has_each_move_with_its_interval():
    rec = recommendation()
    bar = gains_figure(rec).data[0]
    assert list(bar.x) == [-20.0, 50.0]  # removals below the additions
    assert "largest" not in gains_figure(rec).layout.title.text
    more = dataclasses.replace(
        rec, add=(*rec.add, AccountGain("A3", "Core", 900.0, "Key", Band(40.0, 5.0, 80.0)))
    )
    clipped = gains_figure(more, top=1)  # the Decisions page showed 15 of 23 removals, unsaid
    assert [bar for bar in clipped.data[0].x] == [-20.0, 50.0]
    assert "2 made strategic" in clipped.layout.title.text
    assert "the 1 largest each way shown; every move is in the table" in clipped.layout.title.text
    assert list(bar.error_x.array) == [15.0, 40.0]
    assert list(bar.error_x.arrayminus) == [10.0, 40.0]
    table = DECISION_TABLES["decisions-gains"]({"recommendation": rec.to_dict()})
    assert table.frame["Expected NPV"].tolist() == ["+$50", "−$20"]
    assert rec.headline().startswith("With 1 strategic SAM: make 1 account strategic and return 1 to key")
    assert rec.to_dict()["expected_npv"] == pytest.approx({"mean": 30.0, "p5": 0.0, "p95": 60.0})


def test_decisions_start_from_the_tiers_the_company_runs_not_the_sliders():
    """ "Today" on the Decisions page is the Simulator's baseline: the assigned tier column (here
    A is run as Key though the revenue-only scorecard at 50/70 would make it Strategic), so
    "Simulate this" moves the same accounts the same way."""
    import pandas as pd

    from portfolio.whatif import DEFAULT_SETTINGS, analyze_with
    from reporting.decisions import decision_inputs
    from reporting.simulator import baseline_tiers

    accounts = pd.DataFrame(
        {
            "account_id": ["A", "B", "C", "D"],
            "account_name": ["Alpha", "Beta", "Gamma", "Delta"],
            "arr": [900.0, 500.0, 200.0, 100.0],
            "arr_prior": [800.0, 500.0, 200.0, 100.0],
            "tier": ["Key", "Strategic", "Standard", "Standard"],
        }
    )
    analysis = analyze_with(accounts, {**DEFAULT_SETTINGS, "thresholds": [50, 70]})
    assert analysis.tiers.tier.iloc[0] == "Strategic"  # the sliders' (proposed) tier of A
    today = decision_inputs(analysis).accounts.set_index("account_id")["tier"]
    assert today.to_dict() == {"A": "Key", "B": "Strategic", "C": "Standard", "D": "Standard"}
    assert baseline_tiers(accounts, analysis).tolist() == ["Key", "Strategic", "Standard", "Standard"]


def test_without_a_sam_column_the_recommendation_says_today_is_assumed():
    import pandas as pd

    from portfolio.whatif import DEFAULT_SETTINGS, analyze_with
    from reporting.decisions import recommend_for

    accounts = pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(12)],
            "account_name": [f"Account {i}" for i in range(12)],
            "arr": [1000.0 * (i + 1) for i in range(12)],
            "arr_prior": [1000.0 * (i + 1) for i in range(12)],
        }
    )
    rec = recommend_for(analyze_with(accounts, DEFAULT_SETTINGS), 1)
    assert any(
        n.startswith("the data has no SAM column, so 'today' assumes 1 strategic SAMs") for n in rec.notes
    )
