"""Issue 14 item 9: revenue points from a ``revenue_score`` column or from ARR bands.

The scorecard model's worked example, by hand with the default weights (25, 20, 15, 15, 10, 10,
5; they sum to 100, so score = Σ w·s / 10):

* Strategic: 10·25 + 9·20 + 10·15 + 9·15 + 8·10 + 7·10 + 8·5 = 250+180+150+135+80+70+40 = 905
  → 90.5 (the published table prints 87.5: its arithmetic is off)
* Standard:  2·25 + 3·20 + 5·15 + 3·15 + 4·10 + 3·10 + 2·5 = 50+60+75+45+40+30+10 = 310 → 31.0
"""

import pandas as pd
import pytest

from portfolio.analysis import analyze
from portfolio.ingest import load_bytes
from portfolio.tiers import RevenueBands, parse_revenue_bands, revenue_points, scorecard, tier_accounts

EXAMPLE = pd.DataFrame(
    {
        "account_id": ["S", "T"],
        "account_name": ["Strategic example", "Standard example"],
        "arr": [850_000.0, 45_000.0],
        "arr_prior": [800_000.0, 45_000.0],
        "expansion_potential": [9.0, 3.0],
        "strategic_fit": [10.0, 5.0],
        "market_influence": [9.0, 3.0],
        "relationship_strength": [8.0, 4.0],
        "product_adoption": [7.0, 3.0],
        "partnership_potential": [8.0, 2.0],
    }
)


def test_worked_example_with_a_revenue_score_column():
    frame = EXAMPLE.assign(revenue_score=[10.0, 2.0])
    assert scorecard(frame).tolist() == pytest.approx([90.5, 31.0], abs=1e-9)
    assert tier_accounts(frame).revenue_method == "column"


def test_an_uploaded_revenue_points_column_is_read_and_used():
    """The worked example as a file with a 'Revenue Points' column: read (not dropped) and
    scored as the scorecard model says, 90.5 and 31.0."""
    csv = EXAMPLE.assign(revenue_points=[10, 2]).rename(columns={"revenue_points": "Revenue Points"})
    result = load_bytes(csv.to_csv(index=False).encode(), "scorecard.csv")
    assert result.ok, result.report.summary()
    assert result.accounts["revenue_score"].tolist() == [10.0, 2.0]
    analysis = analyze(result.accounts)
    assert analysis.tiers.revenue_method == "column"
    assert analysis.accounts.set_index("account_id")["score"].tolist() == pytest.approx([90.5, 31.0])


def test_worked_example_with_arr_bands():
    bands = parse_revenue_bands("850000:10,45000:2")
    assert scorecard(EXAMPLE, revenue_bands=bands).tolist() == pytest.approx([90.5, 31.0], abs=1e-9)
    a = analyze(EXAMPLE, revenue_bands=bands)
    assert a.tiers.revenue_method == "bands"
    assert a.to_dict()["scorecard"]["revenue_method"] == "bands"
    assert list(a.accounts["tier"].astype(str)) == ["Strategic", "Standard"]


def test_percentile_is_the_default_and_says_so():
    # two accounts: percentiles 1.0 and 0.5 → revenue 10 and 5; Standard then scores
    # (5·25 + 260)/100·10 = 38.5
    assert scorecard(EXAMPLE).tolist() == pytest.approx([90.5, 38.5], abs=1e-9)
    assert analyze(EXAMPLE).to_dict()["scorecard"]["revenue_method"] == "percentile"


def test_band_points_by_hand():
    bands = parse_revenue_bands("1000000:10, 250000:6, 50000:3, 0:1")
    arr = pd.Series([2_000_000.0, 1_000_000.0, 999_999.0, 250_000.0, 50_000.0, 10.0, 0.0])
    # ARR at or above a band's floor takes its points; no ARR scores 0
    assert revenue_points(arr, bands).tolist() == [10, 10, 6, 6, 3, 1, 0]
    assert bands == RevenueBands(floors=(0.0, 50_000.0, 250_000.0, 1_000_000.0), points=(1, 3, 6, 10))
    assert str(bands) == "1000000:10,250000:6,50000:3,0:1"


def test_below_the_lowest_band_scores_zero():
    assert revenue_points(pd.Series([10_000.0]), parse_revenue_bands("45000:2")).tolist() == [0.0]


def test_blank_revenue_score_cells_take_the_percentile():
    frame = EXAMPLE.assign(revenue_score=[10.0, None])
    assert scorecard(frame).tolist() == pytest.approx([90.5, 38.5], abs=1e-9)


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("850000=10", "expected MIN_ARR:POINTS"),
        ("850000:11", "points must be between 0 and 10"),
        ("-5:1", "ARR floors must be ≥ 0"),
        ("1000:5,1000:6", "each ARR floor once"),
        ("1000:5,5000:2", "points must not fall as ARR rises"),
        ("", "at least one band"),
    ],
)
def test_bad_bands_are_clear_errors(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_revenue_bands(text)


def test_bad_revenue_score_column_is_a_clear_error():
    with pytest.raises(ValueError, match="revenue_score must be between 0 and 10"):
        scorecard(EXAMPLE.assign(revenue_score=[12.0, 2.0]))


def test_cli_revenue_bands(capsys, tmp_path):
    import json

    from cli import main

    path = tmp_path / "example.csv"
    EXAMPLE.to_csv(path, index=False)
    assert main(["analyze", str(path), "--json", "--revenue-bands", "850000:10,45000:2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scorecard"]["revenue_method"] == "bands"
    assert data["scorecard"]["revenue_bands"] == "850000:10,45000:2"
    assert main(["analyze", str(path), "--revenue-bands", "850000:12"]) == 2
    assert "--revenue-bands: points must be between 0 and 10" in capsys.readouterr().err


def test_a_simulation_under_other_revenue_bands_is_flagged_beside_the_slides():
    """Revenue bands change the tiers, so a simulation run under other bands does not belong
    beside figures made under these (the tier basis only relabels retention: not compared)."""
    from types import SimpleNamespace

    from portfolio.whatif import DEFAULT_SETTINGS
    from reporting.simulation_report import ReportInputs
    from reporting.simulator import settings_mismatch

    report = SimpleNamespace(inputs=ReportInputs({}, (), dict(DEFAULT_SETTINGS), 1000))
    assert settings_mismatch(report, {**DEFAULT_SETTINGS, "tier_basis": "scorecard"}) is None
    text = settings_mismatch(report, {**DEFAULT_SETTINGS, "revenue_bands": "850000:10"})
    assert text is not None and "(revenue_bands)" in text
