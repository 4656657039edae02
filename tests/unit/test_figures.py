"""Figure builders: data in, figure out; names shown as text; curves thinned without loss of shape."""

import pandas as pd
import pytest

from portfolio.analysis import analyze
from reporting import figures


def test_thin_keeps_head_every_kth_and_last():
    points = pd.DataFrame({"x": range(10)})
    assert figures._thin(points, max_points=3, keep_head=2)["x"].tolist() == [0, 1, 2, 4, 6, 8, 9]
    assert figures._thin(points)["x"].tolist() == list(range(10))  # small curves untouched


def test_pareto_hover_names_accounts_as_text(five_accounts):
    hostile = five_accounts.assign(account_name=["<b>Alpha</b>", "B&B", "C", "D", "E"])
    fig = figures.pareto_figure(analyze(hostile))
    curve = fig.data[0]
    assert list(curve.text) == ["", "&lt;b&gt;Alpha&lt;/b&gt;", "B&amp;B", "C", "D", "E"]
    assert list(curve.y) == [0, 0.5, 0.75, 0.9, 0.975, 1.0]
    assert list(curve.customdata) == [0, 500, 250, 150, 75, 25]


def test_every_figure_builds_for_a_small_portfolio(five_accounts):
    a = analyze(five_accounts)
    for build in (
        figures.lorenz_figure,
        figures.tier_distribution_figure,
        figures.score_histogram,
        figures.retention_by_tier_figure,
        figures.sam_load_figure,
        figures.headcount_figure,
    ):
        assert build(a).layout.title.text
    assert figures.bridge_figure(a.retention.bridge).data[0].y[-1] == 1000


def test_tier_movers_against_the_default_scorecard(five_accounts):
    # revenue-only: scores are ARR percentiles 100/80/60/40/20, default cut-offs 95/80.
    # Lowering the key cut-off to 60 moves Gamma (score 60) from Standard to Key, nobody else.
    from portfolio.tiers import Thresholds
    from reporting.tables import tier_movers

    moved = tier_movers(analyze(five_accounts, thresholds=Thresholds(95, 60)), five_accounts)
    assert moved[["account_name", "default_tier", "tier"]].values.tolist() == [["Gamma", "Standard", "Key"]]
    assert tier_movers(analyze(five_accounts), five_accounts).empty


def test_figures_use_only_trace_types_of_the_shipped_plotly_bundle():
    from conftest import DEMO
    from portfolio.ingest import load_file

    a = analyze(load_file(DEMO).accounts)
    built = [
        figures.pareto_figure(a),
        figures.lorenz_figure(a),
        figures.tier_distribution_figure(a),
        figures.score_histogram(a),
        figures.retention_by_tier_figure(a),
        figures.bridge_figure(a.retention.bridge),
        figures.sam_load_figure(a),
        figures.headcount_figure(a),
        figures.bridge_figure_unavailable(),
    ]
    used = {trace.type for fig in built for trace in fig.data}
    assert used <= figures.BROWSER_TRACE_TYPES, used - figures.BROWSER_TRACE_TYPES


def test_bridge_and_retention_figures_follow_the_tier_and_say_when_there_is_no_prior_arr(five_accounts):
    a = analyze(five_accounts)
    assert figures.arr_bridge_figure(a).layout.title.text == "ARR bridge — All tiers"
    tier = next(iter(a.retention_by_tier))
    chosen = figures.arr_bridge_figure(a, tier)
    assert chosen.layout.title.text == f"ARR bridge — {tier}"
    assert chosen.data[0].y[0] == a.retention_by_tier[tier].bridge.starting
    assert figures.arr_bridge_figure(a, "No such tier").layout.title.text == "ARR bridge — All tiers"

    without_prior = analyze(five_accounts.drop(columns="arr_prior").assign(arr_prior=float("nan")))
    assert without_prior.retention is None
    for fig in (
        figures.arr_bridge_figure(without_prior, tier),
        figures.retention_by_tier_figure(without_prior),
    ):
        assert "needs prior-year ARR" in fig.layout.title.text and not fig.data
        assert fig.layout.annotations[0].text == figures.NO_PRIOR_ARR


def test_export_footnote_names_the_source_the_data_date_and_the_currency():
    from exports.pack import footnote

    assert footnote("SaaS-Sales.csv", "2023-12-31") == (
        "Source: SaaS-Sales.csv · data as of 2023-12-31 · Strata"
    )
    assert footnote("retail.csv", "2011-11-30", "GBP") == (
        "Source: retail.csv · data as of 2011-11-30 · amounts in GBP · Strata"
    )
    # no date in the data: said so, never today's date standing in (issue 14)
    assert footnote("Demo", None) == "Source: Demo · as-of date not given · Strata"


def test_user_text_enters_figures_as_plain_text(five_accounts):
    """File names (the export footnote) and scenario names (legend, hover) are escaped for
    Plotly, which would otherwise render <a href>, <b>, <br> as markup."""
    from types import SimpleNamespace

    from exports.render import presentation
    from reporting.figures import ending_distribution_figure, fan_figure, plain_text

    hostile = '<a href="javascript:alert(1)">x</a> & <br>'
    assert plain_text(hostile) == '&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt; &amp; &lt;br&gt;'
    styled = presentation(figures.lorenz_figure(analyze(five_accounts)), f"Source: {hostile}")
    assert styled.layout.annotations[-1].text == f"Source: {plain_text(hostile)}"

    fan = SimpleNamespace(**{p: [1.0, 2.0] for p in ("p5", "p25", "p50", "p75", "p95")})
    report = SimpleNamespace(
        fan={"Baseline": fan, hostile: fan},
        settings=SimpleNamespace(period="quarter"),
        ending_histogram=SimpleNamespace(edges=(0.0, 1.0, 2.0), counts={"Baseline": [1, 2], hostile: [2, 1]}),
        variant=lambda name: SimpleNamespace(ending_arr=SimpleNamespace(mean=1.5)),
    )
    for fig in (fan_figure(report), ending_distribution_figure(report)):
        texts = [str(t.name) + str(t.hovertemplate) for t in fig.data]
        assert not any("<a" in t or "<br>x" in t for t in texts)
        assert any(plain_text(hostile) in t for t in texts)


def test_headcount_figure_without_sams_draws_no_zero_available_bars(five_accounts):
    """Issue 14 item 5: without a SAM column the Capacity page drew "Available 0.0" bars beside
    each tier (Superstore: 3.5 / 4.2 / 7.4 required against 0.0), which reads as nobody staffed.
    It draws the required SAMs and says that the available ones are not known; with a headcount
    both are drawn (here 2 SAMs split like the required FTE 0.1 / 0.04 / 0.04 of 0.18)."""
    unknown = figures.headcount_figure(analyze(five_accounts))
    assert [trace.name for trace in unknown.data] == ["Required"]
    assert "no SAM column" in unknown.layout.annotations[0].text
    from reporting.chart_tables import headcount_table

    assert set(headcount_table(analyze(five_accounts)).frame["Available SAMs (FTE)"]) == {"not known"}
    given = figures.headcount_figure(analyze(five_accounts, available_headcount=2))
    assert [trace.name for trace in given.data] == ["Required", "Available"]
    assert sum(given.data[1].y) == pytest.approx(2.0)
