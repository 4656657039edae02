"""Issue 14 item 1: the current × proposed migration matrix, worked by hand."""

import pandas as pd
import pytest

from portfolio.analysis import analyze
from portfolio.migration import migration
from portfolio.tiers import Thresholds

ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["A", "B", "C", "D", "E", "F"],
        "account_name": ["A", "B", "C", "D", "E", "F"],
        "arr": [500.0, 300.0, 150.0, 50.0, 0.0, 80.0],
        "arr_prior": [400.0, 300.0, 250.0, 0.0, 200.0, 80.0],
        "tier": ["Strategic", "Key", "Standard", "Standard", "Strategic", None],
    }
)


def test_matrix_by_hand():
    proposed = pd.Series(["Key", "Strategic", "Standard", "Key", None, "Standard"], index=ACCOUNTS.index)
    m = migration(ACCOUNTS, proposed)
    # E has no ARR: left out. F has no assigned tier: its current tier is the default scorecard,
    # revenue-only 95/80 on ARR among the 5 active (500, 300, 150, 80, 50): F is 2nd smallest,
    # percentile 40 → Standard.
    assert m.current_source == "assigned"
    assert m.accounts.loc["Strategic"].tolist() == [0, 1, 0]  # A Strategic → Key
    assert m.accounts.loc["Key"].tolist() == [1, 0, 0]  # B Key → Strategic
    assert m.accounts.loc["Standard"].tolist() == [0, 1, 2]  # D → Key; C, F stay
    assert m.arr.loc["Strategic", "Key"] == 500.0
    assert m.arr.loc["Key", "Strategic"] == 300.0
    assert m.arr.loc["Standard", "Key"] == 50.0
    assert m.arr.loc["Standard", "Standard"] == 150.0 + 80.0
    assert m.accounts.to_numpy().sum() == 5 and m.arr.to_numpy().sum() == 1080.0
    assert m.moves["account_id"].tolist() == ["A", "B", "D"]  # largest ARR first
    assert m.moves["move"].tolist() == ["demotion", "promotion", "promotion"]
    assert m.promotions == ["B", "D"] and m.demotions == ["A"]


def test_without_a_tier_column_current_is_the_default_scorecard():
    accounts = ACCOUNTS.drop(columns="tier")
    # at the default 95/80 the ARR percentiles (500: 100, 300: 80, 150: 60, 80: 40, 50: 20)
    # give A Strategic, B Key, the rest Standard; the what-if 70/50 gives A, B Strategic, C Key.
    proposed = analyze(accounts, thresholds=Thresholds(70, 50)).accounts["tier"]
    m = migration(accounts, proposed)
    assert m.current_source == "scorecard"
    assert m.accounts.loc["Strategic"].tolist() == [1, 0, 0]
    assert m.accounts.loc["Key"].tolist() == [1, 0, 0]
    assert m.accounts.loc["Standard"].tolist() == [0, 1, 2]
    assert m.promotions == ["B", "C"] and m.demotions == []
    assert m.arr.loc["Standard", "Key"] == pytest.approx(150.0)


def test_cli_prints_and_returns_the_matrix(capsys, tmp_path):
    import json

    from cli import main

    path = tmp_path / "six.csv"
    ACCOUNTS.to_csv(path, index=False)
    # revenue-only, what-if 70/50 on the 5 active (percentiles 100, 80, 60, 40, 20):
    # proposed A, B Strategic; C Key; F, D Standard. Current: A Strategic, B Key, C Standard,
    # D Standard, F (blank) → default scorecard 95/80 → Standard.
    assert main(["analyze", str(path), "--json", "--thresholds", "70,50"]) == 0
    m = json.loads(capsys.readouterr().out)["migration"]
    assert m["current_source"] == "assigned"
    assert m["accounts"]["Key"] == {"Strategic": 1, "Key": 0, "Standard": 0}
    assert m["accounts"]["Standard"] == {"Strategic": 0, "Key": 1, "Standard": 2}
    assert m["arr"]["Standard"]["Key"] == 150.0
    assert m["promotions"] == ["B", "C"] and m["demotions"] == []
    assert main(["analyze", str(path), "--thresholds", "70,50"]) == 0
    assert "2 promotion(s), 0 demotion(s)" in capsys.readouterr().out
