"""What changed for a revenue history: one snapshot per quarter end (portfolio/changes.py
:func:`review_snapshots`), ARR = trailing-twelve-month revenue as on the Trends page.

The hand-worked history: four accounts billed on the 15th of each quarter's first month,
Q1 2022 … Q4 2023, as of 2023-12-31. Per quarter:

    A 100 every quarter
    B  50 in 2022, then 150
    C 300 in 2022, then nothing   (churns)
    D  25 in 2022, then 75

The first line is 2022-01-15, so the first quarter end with a full year before it is
2022-12-31 (2021-12-31 + 31 days ≥ 2022-01-15): snapshots at 2022-12-31 … 2023-12-31.

ARR (the four quarters to the date):

    account  2022-12-31  2023-09-30             2023-12-31
    A        400         400                    400
    B        200         50 + 3·150 = 500       600
    C        1200        300                    0
    D        100         25 + 3·75 = 250        300

Tiers, revenue-only default scorecard (score = 100 · percentile rank of ARR among accounts with
ARR; Strategic ≥ 95, Key ≥ 80): with 3 or 4 accounts only the largest scores ≥ 80 (the second
scores 75 or 66.7), so the largest is Strategic and the others Standard.

* Default (the last two quarter ends, 2023-09-30 → 2023-12-31): B Strategic at both; C
  Standard → No ARR; A, D Standard → Standard. Strategic walk 500 + 0 − 0 + 100 = 600.
* A year apart (2022-12-31 → 2023-12-31): C Strategic → No ARR (churned), B Standard →
  Strategic. Strategic walk 1200 + 600 − 1200 + 0 = 600.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cli import main
from conftest import real_file
from portfolio.changes import NO_ARR, changes, changes_or_note, review_snapshots
from portfolio.ingest import load_bytes, load_file
from portfolio.ingest.history import quarters_of
from portfolio.trends import quarterly_trend

QUARTERLY = {
    "A": [100] * 8,
    "B": [50] * 4 + [150] * 4,
    "C": [300] * 4 + [0] * 4,
    "D": [25] * 4 + [75] * 4,
}


def _history_csv() -> bytes:
    lines = ["customer_id,order_date,sales"]
    for account, amounts in QUARTERLY.items():
        for j, amount in enumerate(amounts):
            if amount:
                lines.append(f"{account},{2022 + j // 4}-{3 * (j % 4) + 1:02d}-15,{amount}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def history():
    result = load_bytes(_history_csv(), "four.csv", as_of="2023-12-31")
    assert result.ok, result.report.summary()
    return result.accounts


def _arr(snapshots: pd.DataFrame, date: str) -> dict[str, float]:
    rows = snapshots[snapshots["snapshot_date"] == pd.Timestamp(date)]
    return dict(zip(rows["account_id"], rows["arr"], strict=True))


def test_snapshots_are_the_quarter_ends_with_a_year_before(history):
    snapshots = review_snapshots(history)
    dates = [f"{d:%Y-%m-%d}" for d in sorted(snapshots["snapshot_date"].unique())]
    assert dates == ["2022-12-31", "2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"]
    assert _arr(snapshots, "2022-12-31") == {"A": 400, "B": 200, "C": 1200, "D": 100}
    assert _arr(snapshots, "2023-09-30") == {"A": 400, "B": 500, "C": 300, "D": 250}
    assert _arr(snapshots, "2023-12-31") == {"A": 400, "B": 600, "D": 300}  # C: no ARR, no row


def test_default_compares_the_last_two_quarter_ends(history):
    found, note = changes_or_note(history)
    assert note == "" and (found.start, found.end) == (pd.Timestamp("2023-09-30"), pd.Timestamp("2023-12-31"))
    tiers = found.accounts_table.set_index("account_id")[["tier_from", "tier_to"]]
    assert tiers.to_dict("index") == {
        "A": {"tier_from": "Standard", "tier_to": "Standard"},
        "B": {"tier_from": "Strategic", "tier_to": "Strategic"},
        "C": {"tier_from": "Standard", "tier_to": NO_ARR},
        "D": {"tier_from": "Standard", "tier_to": "Standard"},
    }
    walk = (found.strategic_from, found.entered, found.left, found.stayed_change, found.strategic_to)
    assert walk == (500, 0, 0, 100, 600)
    assert found.current_source == "scorecard"


def test_a_year_apart_walk_by_hand(history):
    found = changes(review_snapshots(history), "2022-12-31", "2023-12-31")
    cells = {(b, a): int(n) for b, row in found.accounts.iterrows() for a, n in row.items() if n}
    assert cells == {("Strategic", NO_ARR): 1, ("Standard", "Strategic"): 1, ("Standard", "Standard"): 2}
    walk = (found.strategic_from, found.entered, found.left, found.stayed_change, found.strategic_to)
    assert walk == (1200, 600, 1200, 0, 600)
    assert found.lost_strategic[["account_id", "reason"]].values.tolist() == [["C", "churned"]]
    assert found.new_strategic["account_id"].tolist() == ["B"]


def test_a_date_that_is_not_a_quarter_end_is_named(history):
    found, note = changes_or_note(history, "2023-08-31|")
    assert found is None and "2022-12-31, 2023-03-31, 2023-06-30, 2023-09-30, 2023-12-31" in note


def test_a_history_shorter_than_fifteen_months_says_so():
    short = b"customer_id,order_date,sales\nA,2023-06-15,10\nB,2023-09-15,20\n"
    found, note = changes_or_note(load_bytes(short, "short.csv", as_of="2023-12-31").accounts)
    assert found is None and "revenue history" in note


@pytest.mark.parametrize("name", ["SaaS-Sales.csv", "Sample - Superstore.csv"])
def test_real_exports_walk_ends_at_the_trends_strategic_arr(name):
    accounts = load_file(real_file(name)).accounts
    trend = {p.as_of: p.tier_arr["Strategic"] for p in quarterly_trend(quarters_of(accounts)).points}
    snapshots = review_snapshots(accounts)
    dates = sorted(snapshots["snapshot_date"].unique())
    for start, end in [(None, None), (dates[-5], dates[-1]), (dates[-9], dates[-5])]:
        found = changes(snapshots, start, end)
        walked = found.strategic_from + found.entered - found.left + found.stayed_change
        assert walked == pytest.approx(found.strategic_to, abs=1e-6)
        assert found.strategic_to == pytest.approx(trend[found.end], rel=1e-12)
        assert found.strategic_from == pytest.approx(trend[found.start], rel=1e-12)


def test_cli_changes_of_a_history(tmp_path, capsys):
    path = tmp_path / "four.csv"
    path.write_bytes(_history_csv())
    args = ["analyze", str(path), "--as-of", "2023-12-31", "--changes", "--from", "2022-12-31", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)["changes"]
    assert (data["from"], data["to"]) == ("2022-12-31", "2023-12-31")
    walk = {"from": 1200, "entered": 600, "left": 1200, "stayed_change": 0, "to": 600}
    assert data["strategic_arr"] == walk


def test_board_pack_of_saas_sales_has_the_what_changed_slide():
    from exports.pack import build_pack
    from portfolio.analysis import analyze

    accounts = load_file(real_file("SaaS-Sales.csv")).accounts
    pack = build_pack(analyze(accounts), "SaaS-Sales.csv")
    slide = next(s for s in pack.charts if s.key == "changes-strategic-walk")
    assert slide.title == "What changed since the last review (2023-09-30)"
    assert "between 2023-09-30 and 2023-12-31" in slide.takeaway
