"""Several snapshots in one file and what changed between two of them (portfolio/changes.py).

The hand-worked six accounts (tests/unit/test_reactivation.py) as two snapshots, ARR = the
year's revenue, tiers assigned:

    account  2022-12-31         2023-12-31
    A        400 Strategic      400 Strategic
    B        200 Key            320 Key
    C         60 Key              0 (churned)
    D         80 Standard        80 Standard
    E        (absent)           100 Standard (reactivated)
    F        240 Key            240 Strategic  (tier change)
    G        150 Strategic      150 Key        (demoted)

Migration (accounts): Strategic→Strategic A, Strategic→Key G, Key→Key B, Key→No ARR C,
Key→Strategic F, Standard→Standard D, No ARR→Standard E.
Strategic ARR 550 + entered 240 (F) − left 150 (G) + stayed change 0 = 640.
"""

from __future__ import annotations

import json

import pytest

from cli import main
from portfolio.changes import NO_ARR, changes
from portfolio.ingest import load_bytes
from portfolio.ingest.snapshots import snapshots_of

FILE = """account_id,account_name,arr,tier,snapshot_date
A,Alpha,400,Strategic,2022-12-31
B,Beta,200,Key,2022-12-31
C,Gamma,60,Key,2022-12-31
D,Delta,80,Standard,2022-12-31
F,Foxtrot,240,Key,2022-12-31
G,Golf,150,Strategic,2022-12-31
A,Alpha,400,Strategic,2023-12-31
B,Beta,320,Key,2023-12-31
C,Gamma,0,Key,2023-12-31
D,Delta,80,Standard,2023-12-31
E,Echo,100,Standard,2023-12-31
F,Foxtrot,240,Strategic,2023-12-31
G,Golf,150,Key,2023-12-31
"""


@pytest.fixture(scope="module")
def found():
    result = load_bytes(FILE.encode(), "snaps.csv")
    assert result.ok, result.report.summary()
    return changes(snapshots_of(result.accounts))


def test_latest_snapshot_is_the_accounts():
    result = load_bytes(FILE.encode(), "snaps.csv")
    assert f"{result.as_of:%Y-%m-%d}" == "2023-12-31"
    assert result.accounts["arr"].sum() == 1290 and len(result.accounts) == 7


def test_migration_matrix_by_hand(found):
    cells = {(b, a): int(n) for b, row in found.accounts.iterrows() for a, n in row.items() if n}
    assert cells == {
        ("Strategic", "Strategic"): 1,
        ("Strategic", "Key"): 1,
        ("Key", "Key"): 1,
        ("Key", NO_ARR): 1,
        ("Key", "Strategic"): 1,
        ("Standard", "Standard"): 1,
        (NO_ARR, "Standard"): 1,
    }
    assert found.arr_from.loc["Key", NO_ARR] == 60 and found.arr_to.loc[NO_ARR, "Standard"] == 100
    assert found.arr_from.loc["Key", "Key"] == 200 and found.arr_to.loc["Key", "Key"] == 320


def test_strategic_walk_by_hand(found):
    assert (found.strategic_from, found.entered, found.left, found.stayed_change, found.strategic_to) == (
        550,
        240,
        150,
        0,
        640,
    )
    assert found.strategic_from + found.entered - found.left + found.stayed_change == found.strategic_to


def test_new_lost_and_movers(found):
    assert found.new_strategic["account_id"].tolist() == ["F"]
    lost = found.lost_strategic
    assert lost[["account_id", "reason"]].values.tolist() == [["G", "demoted"]]
    movers = found.movers(3)
    assert movers["account_id"].tolist() == ["B", "E", "C"]  # +120, +100, −60
    assert movers["change"].tolist() == [120, 100, -60]


@pytest.mark.parametrize(
    "edit, reason",
    [
        (
            lambda f: f + "B,Beta,1,Key,2023-12-31\n",
            "row 15, column 'account_id': account listed twice on snapshot date 2023-12-31 (first on row 9)",
        ),
        (
            lambda f: f.replace("A,Alpha,400,Strategic,2022-12-31", "A,Alpha,400,Strategic,31/31/2022"),
            "row 2",
        ),
        (lambda f: f.replace(",2022-12-31", ",2023-12-31").replace("C,Gamma,60", "X,Gamma,60"), "only one"),
    ],
)
def test_bad_snapshots_name_the_rows(edit, reason):
    result = load_bytes(edit(FILE).encode(), "snaps.csv")
    assert not result.ok and result.accounts is None
    assert reason in result.report.summary()


def test_pick_dates_must_be_snapshot_dates():
    snapshots = snapshots_of(load_bytes(FILE.encode(), "snaps.csv").accounts)
    with pytest.raises(ValueError, match="2022-12-31, 2023-12-31"):
        changes(snapshots, "2023-06-30")
    with pytest.raises(ValueError, match="before"):
        changes(snapshots, "2023-12-31", "2022-12-31")


def test_cli_changes_json(tmp_path, capsys):
    path = tmp_path / "snaps.csv"
    path.write_text(FILE)
    assert main(["analyze", str(path), "--changes", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)["changes"]
    assert (data["from"], data["to"]) == ("2022-12-31", "2023-12-31")
    assert data["strategic_arr"] == {"from": 550, "entered": 240, "left": 150, "stayed_change": 0, "to": 640}
    assert data["migration"]["accounts"]["Key"]["Strategic"] == 1


def test_cli_changes_needs_snapshots(tmp_path, capsys):
    path = tmp_path / "one.csv"
    path.write_text("account_id,arr\nA,1\n")
    assert main(["analyze", str(path), "--changes"]) != 0
    assert "snapshot_date" in capsys.readouterr().err


def test_board_pack_has_a_what_changed_slide_only_for_snapshots():
    from exports.pack import build_pack
    from portfolio.analysis import analyze

    with_snapshots = build_pack(analyze(load_bytes(FILE.encode(), "snaps.csv").accounts), "snaps.csv")
    slide = next(s for s in with_snapshots.charts if s.key == "changes-strategic-walk")
    assert slide.title == "What changed since the last review (2022-12-31)"
    assert slide.takeaway.startswith("Strategic ARR went from $550 to $640 between 2022-12-31 and 2023-12-31")
    single = build_pack(analyze(load_bytes(b"account_id,arr\nA,1\n", "one.csv").accounts), "one.csv")
    assert all(s.key != "changes-strategic-walk" for s in single.charts)


def test_chart_tables_say_what_the_charts_show(found):
    from reporting.changes import migration_table, strategic_walk_table

    walk = strategic_walk_table(found).frame
    assert walk["ARR"].tolist() == ["$550", "+$240", "−$150", "$0", "$640"]
    grid = migration_table(found).frame
    key_to_strategic = grid[(grid["Tier then"] == "Key") & (grid["Tier now"] == "Strategic")]
    assert key_to_strategic[["Accounts", "ARR then", "ARR now"]].values.tolist() == [["1", "$240", "$240"]]
    assert len(grid) == 7  # one row per non-empty cell
    assert strategic_walk_table(None, "why").note == "why"


def test_prior_arr_comes_from_the_snapshot_a_year_before():
    """FILE has no prior ARR column; its snapshots are a year apart, so the latest snapshot's
    prior ARR is the 2022-12-31 ARR: retention by hand over A, B, C, D, F, G (E is new):
    opening 400 + 200 + 60 + 80 + 240 + 150 = 1130, now 400 + 320 + 0 + 80 + 240 + 150 = 1190."""
    from portfolio.analysis import analyze

    result = load_bytes(FILE.encode(), "snaps.csv")
    assert result.accounts.set_index("account_id")["arr_prior"].to_dict() == {
        "A": 400,
        "B": 200,
        "C": 60,
        "D": 80,
        "E": 0,
        "F": 240,
        "G": 150,
    }
    assert any("taken from the 2022-12-31 snapshot" in n for n in result.report.notes)
    assert not any("retention (NRR, GRR, bridge) is not available" in n for n in result.report.notes)
    r = analyze(result.accounts).retention
    assert (r.nrr, r.bridge.new) == (1190 / 1130, 100)


def test_no_snapshot_a_year_before_leaves_prior_arr_out():
    quarter = FILE.replace("2022-12-31", "2023-09-30")
    assert load_bytes(quarter.encode(), "q.csv").accounts["arr_prior"].isna().all()
