"""SAM workload and headcount, worked by hand (capacities 10 / 25 / 75)."""

import re
from pathlib import Path

import pandas as pd
import pytest

from portfolio.capacity import DEFAULT_CAPACITY, validate_capacity, workload


def _book():
    # A: 12 strategic (load 1.2); B: 30 key (1.2); C: 60 standard (0.8);
    # D: 5 strategic + 25 key (0.5 + 1.0 = 1.5); 3 standard accounts with no SAM.
    rows = (
        [("A", "Strategic")] * 12
        + [("B", "Key")] * 30
        + [("C", "Standard")] * 60
        + [("D", "Strategic")] * 5
        + [("D", "Key")] * 25
        + [(None, "Standard")] * 3
    )
    accounts = pd.DataFrame({"sam": [s for s, _ in rows], "arr": 1000.0})
    return accounts, pd.Series([t for _, t in rows])


def test_required_headcount_by_hand():
    w = workload(*_book())
    t = w.by_tier
    assert t["accounts"].tolist() == [17, 55, 63]
    assert t["required_fte"].tolist() == pytest.approx([1.7, 2.2, 0.84])
    assert t["required_headcount"].tolist() == [2, 3, 1]
    assert w.required_headcount == 6
    assert w.required_fte == pytest.approx(4.74)


def test_sam_load_and_overload_by_hand():
    w = workload(*_book())
    load = w.by_sam["load"]
    assert load["A"] == pytest.approx(1.2) and load["B"] == pytest.approx(1.2)
    assert load["C"] == pytest.approx(0.8) and load["D"] == pytest.approx(1.5)
    assert sorted(w.overloaded_sams) == ["A", "B", "D"]
    assert w.by_sam.loc["D", ["Strategic", "Key", "Standard"]].tolist() == [5, 25, 0]
    assert not w.by_sam.loc["(unassigned)", "overloaded"]


def test_available_fte_splits_each_sam_by_load():
    w = workload(*_book())
    # D spends 0.5/1.5 on strategic and 1.0/1.5 on key; A, B, C one tier each
    assert w.available_headcount == 4
    assert w.by_tier["available_fte"].tolist() == pytest.approx([1 + 1 / 3, 1 + 2 / 3, 1.0])
    assert w.by_tier["coverage"].tolist() == pytest.approx([(4 / 3) / 1.7, (5 / 3) / 2.2, 1 / 0.84])


def test_given_headcount_scales_availability():
    w = workload(*_book(), available_headcount=8)
    assert w.available_headcount == 8
    assert w.by_tier["available_fte"].sum() == pytest.approx(8)


def test_capacity_slider_changes_requirement():
    w = workload(*_book(), capacity={"Strategic": 5})
    assert w.by_tier.loc["Strategic", "required_headcount"] == 4  # ⌈17 / 5⌉


def test_without_sam_column_headcount_split_by_requirement():
    accounts = pd.DataFrame({"arr": [1.0] * 4})
    tiers = pd.Series(["Strategic", "Strategic", "Key", "Standard"])
    w = workload(accounts, tiers, available_headcount=2)
    assert w.by_tier["available_fte"].sum() == pytest.approx(2)
    assert w.overloaded_sams == []


@pytest.mark.parametrize("bad", [{"Strategic": 0}, {"Gold": 5}, {"Key": float("nan")}])
def test_invalid_capacity_rejected(bad):
    with pytest.raises(ValueError):
        validate_capacity(bad)


def test_default_capacity_is_the_one_the_readme_states():
    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text().split())
    stated = re.search(r"\(defaults (\d+) strategic, (\d+) key, (\d+) standard\)", readme)
    assert stated, "the README no longer states the default capacities"
    assert (
        dict(zip(["Strategic", "Key", "Standard"], map(int, stated.groups()), strict=True))
        == DEFAULT_CAPACITY
    )


@pytest.mark.parametrize("bad", [0.09, 10_001, 1e-320, 0, -1])
def test_capacity_is_bounded_to_a_sensible_range(bad):
    """Security re-test N6: 1e-320 accounts per SAM passed the positive check, then the
    headcounts overflowed to NaN (IntCastingNaNError on three pages)."""
    with pytest.raises(ValueError, match=r"capacity per SAM must be between 0.1 and 10,000 accounts"):
        validate_capacity({"Strategic": bad})
    assert validate_capacity({"Strategic": 0.1, "Key": 10_000})["Key"] == 10_000


def test_scorecard_tiers_and_plain_tier_names_give_the_same_workload():
    """The scorecard's ordered categorical tiers are counted from their codes (the fast path),
    tier names as text the long way: the same book either way, with and without missing tiers."""
    from portfolio.tiers import TIERS

    accounts, tiers = _book()
    tiers = tiers.where(accounts.index != 0)  # one account without a tier (churned)
    coded = workload(accounts, tiers.astype(pd.CategoricalDtype(TIERS, ordered=True)))
    named = workload(accounts, tiers.astype(object))
    pd.testing.assert_frame_equal(coded.by_tier, named.by_tier)
    pd.testing.assert_frame_equal(coded.by_sam, named.by_sam)
    assert coded.by_tier["accounts"].tolist() == [16, 55, 63]
