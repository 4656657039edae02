"""Book balancing (issue 17 item 2): capacity is never exceeded, balanced books stay as they are."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portfolio.books import assign_books


def book(owners: list[str | None], tiers: list[str], arr: list[float] | None = None, **extra) -> tuple:
    n = len(owners)
    frame = pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(n)],
            "arr": arr or [100_000.0] * n,
            "sam": owners,
            **extra,
        }
    )
    return frame, pd.Series(tiers)


def test_balanced_books_make_no_move():
    """Two SAMs with 3 strategic accounts of equal ARR each: already balanced, nothing moves."""
    accounts, tiers = book(["Ann"] * 3 + ["Bob"] * 3, ["Strategic"] * 6)
    result = assign_books(accounts, tiers)
    assert result.moves == ()
    assert [b.load for b in result.after] == pytest.approx([0.3, 0.3])


def test_unbalanced_books_move_to_the_lighter_sam():
    """Ann has 6 strategic accounts, Bob none (he carries strategic ones elsewhere: 1 today):
    by hand, the balance is 3.5/3.5 → 3 accounts move (ARR equal: 50k each)."""
    owners = ["Ann"] * 6 + ["Bob"]
    accounts, tiers = book(owners, ["Strategic"] * 7, [50_000.0] * 7)
    result = assign_books(accounts, tiers, change_weight=0.1)
    after = {b.sam: b for b in result.after}
    assert sorted([after["Ann"].strategic, after["Bob"].strategic]) == [3, 4]
    assert len(result.moves) == 2
    assert all(m.from_sam == "Ann" and m.to_sam == "Bob" for m in result.moves)


def test_never_exceeds_capacity():
    """30 random books on 5 SAMs (capacity 10 strategic or 25 key per SAM): after balancing no
    SAM's load is over 1 (one full SAM)."""
    rng = np.random.default_rng(7)
    n = 60
    owners = [f"S{k}" for k in rng.integers(0, 5, n)]
    tiers = ["Strategic" if r < 0.35 else "Key" for r in rng.random(n)]
    accounts, tiers_s = book(owners, tiers, list(rng.lognormal(12, 1, n)))
    # every SAM carries both tiers today, so any may take any account
    result = assign_books(accounts, tiers_s)
    assert max(b.load for b in result.after) <= 1 + 1e-9
    assert len(result.owners) == n


def test_an_overloaded_sam_never_carries_more_than_today():
    owners = ["Ann"] * 12 + ["Bob"] * 8
    accounts, tiers = book(owners, ["Strategic"] * 20)
    result = assign_books(accounts, tiers)
    after = {b.sam: b.load for b in result.after}
    assert after["Ann"] <= 1.2 + 1e-9 and after["Bob"] <= 1.0 + 1e-9


def test_region_is_respected():
    owners = ["Ann"] * 6 + ["Bob"] * 2
    region = ["EMEA"] * 6 + ["AMER"] * 2
    accounts, tiers = book(owners, ["Strategic"] * 8, region=region)
    free = assign_books(accounts, tiers, change_weight=0.0)
    kept = assign_books(accounts, tiers, change_weight=0.0, respect="region")
    assert free.moves and not kept.moves


def test_no_sam_column_uses_the_headcount():
    accounts, tiers = book([None] * 4, ["Strategic"] * 4)
    accounts = accounts.drop(columns="sam")
    result = assign_books(accounts, tiers, headcount=2)
    assert [b.strategic for b in result.after] == [2, 2]
    assert "names no SAMs" in result.notes[0]
    with pytest.raises(ValueError, match="give the headcount"):
        assign_books(accounts, tiers)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"respect": "industry"}, "respect must be one of"),
        ({"respect": "region"}, "no region column"),
        ({"change_weight": -1}, "zero or more"),
    ],
)
def test_bad_options(options, message):
    accounts, tiers = book(["Ann"], ["Strategic"])
    with pytest.raises(ValueError, match=message):
        assign_books(accounts, tiers, **options)


def test_books_too_big_for_the_sams():
    """Ann and Bob carry 5 strategic accounts each at 4 a SAM (1.25 each, kept), and 3 new
    strategic accounts have no owner: 3.25 SAMs of work for 2.5 of capacity."""
    accounts, tiers = book(["Ann"] * 5 + ["Bob"] * 5 + [None] * 3, ["Strategic"] * 13)
    with pytest.raises(ValueError, match=r"need 3\.2 SAMs of capacity"):
        assign_books(accounts, tiers, capacity={"Strategic": 4})
