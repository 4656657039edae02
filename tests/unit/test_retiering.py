"""Issue 14 item 1: "Simulate this re-tiering" — the Simulator's scenario is exactly the
migration matrix's off-diagonal cells, against a baseline of today's (assigned) tiers.

Hand-worked file (revenue-only, so the score is 100 × the ARR percentile rank among the 7
accounts): F 100 → 14.3, G 150 → 28.6, E 200 → 42.9, D 400 → 57.1, C 600 → 71.4, B 800 → 85.7,
A 1000 → 100. At Key ≥ 50, Strategic ≥ 80 the proposed tiers are A, B Strategic; C, D Key;
E, F, G Standard. Assigned (current): A Standard, B Strategic, C Key, D Strategic, E Key,
F Standard, G Key. Off-diagonal cells:

* Standard → Strategic: A (1 account, 1,000)
* Strategic → Key: D (1 account, 400)
* Key → Standard: E, G (2 accounts, 200 + 150 = 350)
"""

import pandas as pd
import pytest

from portfolio.schema import TIERS
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with, migration_with
from reporting import simulator
from simulation import Scenario, run_simulation, simulation_accounts

SETTINGS = {**DEFAULT_SETTINGS, "thresholds": [50, 80]}


@pytest.fixture
def accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": list("ABCDEFG"),
            "account_name": [f"Acct {a}" for a in "ABCDEFG"],
            "arr": [1000.0, 800.0, 600.0, 400.0, 200.0, 100.0, 150.0],
            "arr_prior": [900.0, 800.0, 500.0, 400.0, 250.0, 100.0, 150.0],
            "tier": ["Standard", "Strategic", "Key", "Strategic", "Key", "Standard", "Key"],
        }
    )


def off_diagonal(table: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(c, p): float(table.loc[c, p]) for c in TIERS for p in TIERS if c != p and table.loc[c, p]}


def test_the_scenarios_moves_are_the_matrixs_off_diagonal_cells(accounts):
    m = migration_with(accounts, analyze_with(accounts, SETTINGS))
    assert off_diagonal(m.accounts) == {
        ("Standard", "Strategic"): 1,
        ("Strategic", "Key"): 1,
        ("Key", "Standard"): 2,
    }
    assert off_diagonal(m.arr) == {
        ("Standard", "Strategic"): 1000,
        ("Strategic", "Key"): 400,
        ("Key", "Standard"): 350,
    }
    retier = simulator.retiering(m.moves)
    assert retier == {"A": "Strategic", "D": "Key", "E": "Standard", "G": "Standard"}
    analysis = analyze_with(accounts, SETTINGS)
    frame = simulation_accounts(analysis.accounts, simulator.baseline_tiers(accounts, analysis))
    moves = simulator.scenario_moves(frame, list(retier), retier)
    cells = moves.groupby(["current_tier", "target_tier"])["arr"].agg(["count", "sum"])
    assert {k: int(v) for k, v in cells["count"].items()} == off_diagonal(m.accounts)
    assert {k: float(v) for k, v in cells["sum"].items()} == off_diagonal(m.arr)


def test_the_simulated_re_tiering_starts_from_todays_tiers_and_ends_at_the_proposed(accounts):
    m = migration_with(accounts, analyze_with(accounts, SETTINGS))
    retier = simulator.retiering(m.moves)
    report = simulator.simulate(accounts, SETTINGS, {"horizon": 4, "retier": retier}, list(retier), 200)
    # baseline = assigned tiers (row totals); before the fix it was the What-if scorecard (2/2/3)
    assert dict(report.baseline.tier_counts) == {"Strategic": 2, "Key": 3, "Standard": 2}
    # scenario = proposed tiers (column totals)
    assert dict(report.scenario.tier_counts) == {t: int(m.accounts[t].sum()) for t in TIERS}
    assert dict(report.scenario.tier_counts) == {"Strategic": 2, "Key": 2, "Standard": 3}
    assert set(report.scenario.promote) == set(m.promotions) == {"A"}
    assert set(report.scenario.demote) == set(m.demotions) == {"D", "E", "G"}


def test_unticking_an_account_leaves_it_where_it_is(accounts):
    retier = {"A": "Strategic", "D": "Key", "E": "Standard", "G": "Standard"}
    report = simulator.simulate(accounts, SETTINGS, {"horizon": 4, "retier": retier}, ["A", "E"], 200)
    assert report.scenario.promote == ("A",) and report.scenario.demote == ("E",)
    assert dict(report.scenario.tier_counts) == {"Strategic": 3, "Key": 2, "Standard": 2}


def test_a_target_must_move_the_account_the_way_it_says(accounts):
    frame = simulation_accounts(accounts, accounts["tier"])
    with pytest.raises(ValueError, match="already in that tier or above, cannot promote: C"):
        run_simulation(frame, scenario=Scenario(promote=("C",), targets=(("C", "Standard"),)))
    with pytest.raises(ValueError, match="a target tier must be one of"):
        run_simulation(frame, scenario=Scenario(demote=("C",), targets=(("C", "Gold"),)))
    with pytest.raises(ValueError, match="re-tiering must give each account one of the tiers"):
        simulator.check_form({"retier": {"A": "Gold"}})


def test_scenario_sams_staff_the_scenario_whatever_the_staffing_choice(accounts):
    """The Decisions page's "Simulate this" passes the SAMs it recommended for: the scenario has
    exactly those (the executive review saw "hire" give 5 where the recommendation said 6)."""
    form = {"horizon": 4, "strategic_sams": 1, "staffing": "hire"}
    hired = simulator.simulate(accounts, SETTINGS, form, ["A"], 200)
    staffed = simulator.simulate(accounts, SETTINGS, {**form, "scenario_sams": 6}, ["A"], 200)
    kept = simulator.simulate(
        accounts, SETTINGS, {**form, "staffing": "keep", "scenario_sams": 6}, ["A"], 200
    )
    assert hired.scenario.staffing.sams != 6
    assert staffed.scenario.staffing.sams == kept.scenario.staffing.sams == 6
    assert staffed.baseline.staffing.sams == 1  # today's SAMs are the baseline's
    with pytest.raises(ValueError, match="scenario SAMs must be zero or more"):
        simulator.check_form({"scenario_sams": -1})
