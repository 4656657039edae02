"""Issue 14 (speed): the Tiers page shows the largest few accounts of each list of tier moves;
the drill-down lists every one of them (reporting.tables.tier_moves_behind), worked by hand."""

import pandas as pd
import pytest

from conftest import DEMO
from portfolio.ingest import load_file
from portfolio.migration import migration
from portfolio.whatif import DEFAULT_SETTINGS, analyze_with, migration_with
from reporting.tables import tier_movers, tier_moves_behind

# test_migration's six accounts: revenue only (no scorecard columns), so the tiers follow the
# ARR percentile among the five active accounts (500: 100, 300: 80, 150: 60, 80: 40, 50: 20).
ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["A", "B", "C", "D", "E", "F"],
        "account_name": ["Acme", "Bolt", "Cask", "Dune", "Echo", "Fern"],
        "arr": [500.0, 300.0, 150.0, 50.0, 0.0, 80.0],
        "arr_prior": [400.0, 300.0, 250.0, 0.0, 200.0, 80.0],
        "tier": ["Strategic", "Key", "Standard", "Standard", "Strategic", None],
    }
)
LOOSER = {**DEFAULT_SETTINGS, "thresholds": [50, 70]}  # Key from 50, Strategic from 70


def test_proposed_moves_by_hand():
    # proposed at 70/50: A, B Strategic; C Key; D, F Standard. Against the assigned tiers
    # (F has none: the default scorecard, Standard) B Key → Strategic and C Standard → Key.
    analysis = analyze_with(ACCOUNTS, LOOSER)
    found = tier_moves_behind(analysis, ACCOUNTS, "proposed")
    rows = found.accounts
    assert rows["account_id"].tolist() == ["B", "C"]  # largest ARR first
    assert rows["current_tier"].tolist() == ["Key", "Standard"]
    assert rows["proposed_tier"].tolist() == ["Strategic", "Key"]
    assert rows["move"].tolist() == ["promotion", "promotion"]
    assert rows["account_name"].tolist() == ["Bolt", "Cask"]
    assert found.measure == "arr" and rows["arr"].sum() == 450.0
    assert found.title == (
        "2 accounts the proposed tiers would move from their current tier "
        "(2 promotions, 0 demotions): $450 ARR"
    )


def test_moves_against_the_default_scorecard_by_hand():
    # default scorecard (revenue only: 95/80): A Strategic, B Key, C, D, F Standard; at 70/50
    # B becomes Strategic and C Key. E (no ARR) is Standard both ways.
    analysis = analyze_with(ACCOUNTS, LOOSER)
    found = tier_moves_behind(analysis, ACCOUNTS, "default")
    rows = found.accounts
    assert rows["account_id"].tolist() == ["B", "C"]
    assert rows["default_tier"].tolist() == ["Key", "Standard"]
    assert rows["proposed_tier"].tolist() == ["Strategic", "Key"]
    assert "tier" not in rows  # the proposed tier once, under its own name
    assert found.title.endswith(": $450 ARR")


@pytest.mark.parametrize("key", ["proposed", "default"])
def test_the_drill_down_lists_every_account_of_a_long_list(key):
    """The page shows 5 rows; the drill-down holds them all, the same accounts as the lists
    the page used to show in full, in the same order."""
    accounts = load_file(DEMO).accounts  # the shipped demo: 1,200 accounts, assigned tiers
    settings = {**DEFAULT_SETTINGS, "thresholds": [40, 60]}
    analysis = analyze_with(accounts, settings)
    found = tier_moves_behind(analysis, accounts, key)
    full = migration_with(accounts, analysis).moves if key == "proposed" else tier_movers(analysis, accounts)
    assert len(full) > 50  # longer than the page's old 50-row list
    ids = accounts.loc[full.index, "account_id"] if key == "default" else full["account_id"]
    assert found.accounts["account_id"].tolist() == ids.tolist()
    assert found.accounts["arr"].sum() == pytest.approx(full["arr"].sum())
    assert found.title.startswith(f"{len(full):,} accounts")


def test_an_unknown_list_is_named():
    analysis = analyze_with(ACCOUNTS, LOOSER)
    with pytest.raises(
        ValueError, match="unknown list of tier moves 'upgrades': choose one of proposed, default"
    ):
        tier_moves_behind(analysis, ACCOUNTS, "upgrades")


def test_moves_agree_with_the_migration_matrix():
    analysis = analyze_with(ACCOUNTS, LOOSER)
    m = migration(ACCOUNTS, analysis.accounts["tier"])
    assert tier_moves_behind(analysis, ACCOUNTS, "proposed").accounts["account_id"].tolist() == (
        m.promotions + m.demotions
    )
