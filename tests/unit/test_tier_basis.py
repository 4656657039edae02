"""Issue 14 item 1: retention by the tier the company runs (assigned) vs the scorecard.

The 5-row example of the issue, worked by hand (assigned tier = tier at the start of the period):

* Strategic: A 400→500, C 200→0.  NRR = (500+0)/(400+200) = 0.8333; GRR = (400+0)/600 = 0.6667
* Key:       B 300→300.           NRR = GRR = 1.0
* Standard:  D 250→150 (E is new, 50, counted in Standard's "new" bar only).
             NRR = GRR = 150/250 = 0.6
"""

import pandas as pd
import pytest

from portfolio.analysis import analyze
from portfolio.tiers import current_tiers

FIVE = pd.DataFrame(
    {
        "account_id": list("ACBDE"),
        "account_name": list("ACBDE"),
        "arr": [500.0, 0.0, 300.0, 150.0, 50.0],
        "arr_prior": [400.0, 200.0, 300.0, 250.0, 0.0],
        "tier": ["Strategic", "Strategic", "Key", "Standard", "Standard"],
    }
)


def test_assigned_basis_gives_the_hand_worked_figures():
    a = analyze(FIVE)
    assert a.tier_basis == "assigned"
    r = a.retention_by_tier
    assert r["Strategic"].nrr == pytest.approx(500 / 600, abs=1e-12)
    assert r["Strategic"].grr == pytest.approx(400 / 600, abs=1e-12)
    assert r["Strategic"].existing_accounts == 2
    assert r["Key"].nrr == pytest.approx(1.0) and r["Key"].grr == pytest.approx(1.0)
    assert r["Standard"].nrr == pytest.approx(0.6) and r["Standard"].grr == pytest.approx(0.6)
    assert r["Standard"].bridge.new == 50.0
    assert a.to_dict()["retention"]["tier_basis"] == "assigned"


def test_scorecard_basis_keeps_todays_attribution():
    # Revenue-only scorecard on prior ARR (95/80): percentiles of 400, 200, 300, 250 among the
    # four with prior ARR: A 100 → Strategic, B 75, D 50, C 25 → Standard.
    a = analyze(FIVE, tier_basis="scorecard")
    assert a.tier_basis == "scorecard"
    r = a.retention_by_tier
    assert r["Strategic"].nrr == pytest.approx(500 / 400)
    assert r["Key"].existing_accounts == 0
    assert a.to_dict()["retention"]["tier_basis"] == "scorecard"


def test_assigned_without_a_tier_column_falls_back_and_says_so():
    a = analyze(FIVE.drop(columns="tier"), tier_basis="assigned")
    assert a.tier_basis == "scorecard"
    assert "no assigned tier column" in a.tier_basis_note
    assert a.retention_by_tier["Strategic"].nrr == pytest.approx(500 / 400)


def test_blank_assigned_cells_take_the_scorecard_tier():
    frame = FIVE.assign(tier=["Strategic", None, "Key", "Standard", "Standard"])
    a = analyze(frame)
    # C (200 prior) has no assigned tier: the scorecard on prior ARR puts it in Standard.
    assert a.retention_by_tier["Strategic"].nrr == pytest.approx(500 / 400)
    assert a.retention_by_tier["Standard"].existing_accounts == 2
    assert "1 account" in a.tier_basis_note


def test_bad_tier_basis_is_a_clear_error():
    with pytest.raises(ValueError, match="tier basis must be one of assigned, scorecard"):
        analyze(FIVE, tier_basis="prior")


def test_current_tiers_prefers_the_assigned_column():
    tiers, source = current_tiers(FIVE)
    assert source == "assigned"
    assert list(tiers.astype(object)) == ["Strategic", "Strategic", "Key", "Standard", "Standard"]
    tiers, source = current_tiers(FIVE.drop(columns="tier"))
    assert source == "scorecard"
    # revenue-only at 95/80 on current ARR: 500 → 100th pct Strategic; C inactive → missing
    assert tiers.iloc[0] == "Strategic" and pd.isna(tiers.iloc[1])


def _cli(capsys, *argv):
    from cli import main

    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_tier_basis_flag_and_json(capsys, tmp_path):
    import json

    path = tmp_path / "five.csv"
    FIVE.to_csv(path, index=False)
    status, out, _ = _cli(capsys, "analyze", str(path), "--json")
    retention = json.loads(out)["retention"]
    assert status == 0 and retention["tier_basis"] == "assigned"
    assert retention["by_tier"]["Strategic"]["nrr"] == pytest.approx(0.8333, abs=5e-5)
    assert retention["by_tier"]["Strategic"]["grr"] == pytest.approx(0.6667, abs=5e-5)
    status, out, _ = _cli(capsys, "analyze", str(path), "--json", "--tier-basis", "scorecard")
    retention = json.loads(out)["retention"]
    assert retention["tier_basis"] == "scorecard"
    assert retention["by_tier"]["Strategic"]["nrr"] == pytest.approx(1.25)
    status, out, _ = _cli(capsys, "analyze", str(path), "--tier-basis", "scorecard")
    assert "Tier: the scorecard on prior ARR." in out


def test_cli_bad_tier_basis_is_rejected_with_the_choices(capsys, tmp_path):
    path = tmp_path / "five.csv"
    FIVE.to_csv(path, index=False)
    with pytest.raises(SystemExit) as exit_info:
        _cli(capsys, "analyze", str(path), "--tier-basis", "prior")
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "invalid choice: 'prior'" in err and "assigned" in err
