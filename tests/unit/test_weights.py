"""Issue 14 item 10: weights as points, the strategic-size warning, revenue-only stated."""

import pandas as pd
import pytest

from portfolio.tiers import normalised_weights, strategic_size_warning, tier_accounts


def _revenue_only(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(n)],
            "account_name": [f"A{i}" for i in range(n)],
            "arr": [float(i + 1) for i in range(n)],
            "arr_prior": [float(i + 1) for i in range(n)],
        }
    )


def test_warning_names_only_the_limit_it_exceeds():
    """Measured before: "214 accounts (5% of active accounts): more than ~10% or 50 accounts",
    which reads as if 5% were more than 10%."""
    text = strategic_size_warning(214, 4280)
    assert text.startswith("The strategic tier has 214 accounts (5% of active accounts)")
    assert "more than 50 accounts" in text and "10%" not in text
    share = strategic_size_warning(30, 200)  # 15% of 200, fewer than 50
    assert "more than 10% of active accounts" in share and "50 accounts" not in share
    both = strategic_size_warning(60, 300)  # 20% and 60 accounts
    assert "more than 10% of active accounts and more than 50 accounts" in both
    assert strategic_size_warning(50, 500) is None  # exactly 50 and 10%: within both limits


def test_revenue_only_portfolio_of_4280_with_214_strategic():
    # top 5% of 4,280 by ARR at 95/80: percentile ≥ 0.95 → ranks 4066..4280 = 215 accounts
    result = tier_accounts(_revenue_only(4280))
    n = int((result.tier == "Strategic").sum())
    warning = next(w for w in result.warnings if w.startswith("The strategic tier"))
    assert warning.startswith(f"The strategic tier has {n} accounts (5% of active accounts): more than 50")


def test_weights_normalised_to_100_points():
    given = {"revenue": 50, "expansion_potential": 50, "strategic_fit": 35}  # total 135
    shown = normalised_weights(given)
    assert shown == pytest.approx(
        {"revenue": 100 * 50 / 135, "expansion_potential": 100 * 50 / 135, "strategic_fit": 100 * 35 / 135}
    )
    assert sum(shown.values()) == pytest.approx(100)
    with pytest.raises(ValueError, match="must not all be zero"):
        normalised_weights(dict.fromkeys(given, 0))


def test_scaled_weights_give_the_same_scores():
    accounts = _revenue_only(10).assign(strategic_fit=[float(i) for i in range(10)])
    a = tier_accounts(accounts, {"revenue": 50, "strategic_fit": 85})
    b = tier_accounts(accounts, normalised_weights({"revenue": 50, "strategic_fit": 85}))
    assert a.score.tolist() == pytest.approx(b.score.tolist(), abs=1e-9)


def test_tiers_page_statement_says_revenue_only_and_why():
    from portfolio.analysis import analyze
    from portfolio.tiers import parse_revenue_bands
    from reporting.takeaways import scorecard_statement

    text = scorecard_statement(analyze(_revenue_only(20)))
    assert text.startswith("Revenue-only selection: the file has no scorecard column")
    assert "Thresholds now: Strategic ≥ 95, Key ≥ 80." in text and "top 5%" in text
    scored = _revenue_only(20).assign(strategic_fit=5.0)
    bands = parse_revenue_bands("10:10,1:2")
    assert scorecard_statement(analyze(scored, revenue_bands=bands)) == (
        "Weighted scorecard; revenue is scored from points from ARR bands (10:10,1:2). "
        "Thresholds now: Strategic ≥ 70, Key ≥ 50."
    )


def test_revenue_only_histogram_shows_arr_with_the_tier_cut_offs(five_accounts):
    """A histogram of ARR percentiles is flat by construction (measured on the retail file: 106–108
    accounts in each of 40 bins); revenue-only tiers show ARR on a log scale instead. Five
    accounts 500/250/150/75/25, percentiles 100/80/60/40/20, cut-offs 95/80: Alpha Strategic,
    Beta Key, the rest Standard."""
    import math

    from portfolio.analysis import analyze
    from reporting import figures
    from reporting.takeaways import takeaways

    a = analyze(five_accounts)
    fig = figures.score_histogram(a)
    assert fig.layout.title.text == "ARR and revenue-only tier cut-offs"
    assert [int(sum(trace.y)) for trace in fig.data] == [1, 1, 3]
    assert [shape.x0 for shape in fig.layout.shapes] == pytest.approx([math.log10(500), math.log10(250)])
    assert [a.text for a in fig.layout.annotations] == ["Strategic from $500", "Key from $250"]
    # the UK file's cut-offs (£5.55k and £1.93k) printed their labels over each other: Key's now
    # sits left of its line and Strategic's right of its own, in both histograms
    assert [a.xanchor for a in fig.layout.annotations] == ["left", "right"]
    from conftest import DEMO
    from portfolio.ingest import load_file
    from portfolio.tiers import Thresholds

    scores = figures.score_histogram(analyze(load_file(DEMO).accounts, thresholds=Thresholds(70, 69)))
    assert {a.text: a.xanchor for a in scores.layout.annotations} == {
        "Strategic ≥ 70": "left",
        "Key ≥ 69": "right",
    }
    assert takeaways(a)["scores"] == (
        "Revenue-only tiers cut the ARR percentile at 95 and 80: "
        "Strategic from $500 and Key from $250 of ARR."
    )


def test_unknown_dimensions_are_named_briefly():
    """Security re-test N7: 100,000 unknown names made a megabyte message. Five are named,
    each cut to 40 characters, with the count."""
    from portfolio.tiers import validate_weights

    with pytest.raises(ValueError) as error:
        validate_weights({f"{'y' * 60}{i:06d}": 1.0 for i in range(100_000)})
    message = str(error.value)
    assert len(message) < 500 and "… (100,000 in all)" in message
    assert message.startswith("unknown scorecard dimension(s): " + "y" * 39 + "…, ")
