"""The CFO review's leftovers on the board pack (issue 17, item 4): the scenario waterfall's axis
from zero, the fan's title about the scenario it draws, end bins named by what they hold, ingest
notes off the key-figures slide, the retention benchmark bands on the native charts."""

from __future__ import annotations

import io

import numpy as np
import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from conftest import DEMO
from exports.native import native_charts, tail_bin_labels
from exports.pack import NOTE, build_pack
from exports.pptx_pack import write_pptx
from portfolio.analysis import analyze
from portfolio.datafacts import DataFacts
from portfolio.formatting import money
from portfolio.ingest import load_file
from reporting import figures
from reporting.simulation_report import DELTA, histogram, simulation_report
from reporting.takeaways import conclusion_titles
from simulation import Assumptions, Scenario, SimulationSettings, run_simulation, simulation_accounts


@pytest.fixture(scope="module")
def demo():
    return analyze(load_file(DEMO).accounts)


@pytest.fixture(scope="module")
def report(demo):
    frame = simulation_accounts(demo.accounts, demo.tiers.tier)
    key = frame[frame["tier"] == "Key"]["account_id"].head(3)
    result = run_simulation(
        frame, Assumptions(), SimulationSettings(paths=200, horizon=4), Scenario(promote=tuple(key))
    )
    return simulation_report(result)


def deck(pack) -> Presentation:
    return Presentation(io.BytesIO(write_pptx(pack, {})))


def test_scenario_waterfall_value_axis_starts_at_zero(report):
    """A $0.3M change on $53M must not look huge: the axis starts at 0 on screen, in the PDF
    (the same figure) and on the native chart, and reaches above the larger total."""
    fig = figures.decomposition_figure(report)
    low, high = fig.layout.yaxis.range
    totals = [report.baseline.ending_arr.mean, report.target.ending_arr.mean]
    assert low == 0 and high > max(totals)
    (chart,) = native_charts(fig)
    assert chart.axis_range == (0.0, float(high))


def test_fan_slide_title_quotes_the_scenario_it_draws(demo, report):
    """With a scenario the fan slide is about the scenario (its median and its P5/P95 lines);
    the title quoted the baseline's median before."""
    pack = build_pack(demo, "Demo", report=report)
    (fan_slide,) = [s for s in pack.charts if s.key == "simulation-fan"]
    scenario = report.fan[report.target.name]
    baseline = report.fan["Baseline"]
    assert scenario.p50[-1] != baseline.p50[-1]
    assert fan_slide.title == (
        f"Scenario median {money(scenario.p50[-1], '$')} in 4 quarters "
        f"(P5 {money(scenario.p5[-1], '$')} – P95 {money(scenario.p95[-1], '$')})"
    )
    assert money(baseline.p50[-1], "$") in fan_slide.takeaway  # the baseline is named beside it


def test_fan_slide_without_a_scenario_quotes_the_baseline(demo):
    frame = simulation_accounts(demo.accounts, demo.tiers.tier)
    base_only = simulation_report(
        run_simulation(frame, Assumptions(), SimulationSettings(paths=100, horizon=4))
    )
    (fan_slide,) = [s for s in build_pack(demo, "Demo", report=base_only).charts if s.key == "simulation-fan"]
    fan = base_only.fan["Baseline"]
    assert fan_slide.title.startswith(f"Median ARR {money(fan.p50[-1], '$')} in 4 quarters")


def test_end_bins_are_named_by_the_amounts_they_hold():
    """Hand-worked: 100 paths 0, 1, …, 99; P1 = 0.99, P99 = 98.01, 50 bins of 1.9404. The first
    bin [0.99, 2.9304) also holds the clipped 0: paths 0, 1, 2 = 3% — not the 1% a "≤ P1" label
    claims. It is named "< $3" (its upper edge), the last "≥ $96" (its lower edge, 96.0696)."""
    hist = histogram({DELTA: np.arange(100, dtype=float)})
    counts = hist.counts[DELTA]
    assert hist.edges[1] == pytest.approx(2.9304) and counts[0] == 3
    assert hist.edges[-2] == pytest.approx(96.0696) and counts[-1] == 3  # 97, 98, 99 (clipped)
    assert tail_bin_labels(hist.edges, "$") == ("< $3", "≥ $96")


def test_histogram_charts_carry_the_end_bin_amounts(report):
    fig = figures.delta_figure(report)
    edges = report.delta_histogram.edges
    low, high = tail_bin_labels(edges, "$")
    (chart,) = native_charts(fig, "$")
    assert (chart.categories[0], chart.categories[-1]) == (low, high)
    assert [a.text for a in fig.layout.annotations] == [low, high]


def test_ingest_notes_go_to_the_appendix_not_the_key_figures(demo):
    notes = ["'renewal_date' read with date format(s) %Y-%m-%d", "delimiter: ';'"]
    pack = build_pack(demo, "Demo", data_notes=notes)
    (kpis,) = [s for s in pack.slides if s.key == "kpis"]
    assert kpis.warnings == ()
    (appendix,) = [s for s in pack.slides if s.key == "data-reading"]
    assert appendix.bullets == tuple(f"{NOTE} {n}" for n in notes)
    assert pack.slides[-1] is appendix  # after the method
    assert not [s for s in build_pack(demo, "Demo").slides if s.key == "data-reading"]


def test_notes_that_changed_the_figures_stay_on_the_key_figures(demo):
    """Rows left out or amounts set to 0 change the totals a board reads: those notes stay beside
    the key figures (and in the appendix); reading details do not."""
    notes = ["12 account(s) with no revenue in the 24 months were left out", "delimiter: ';'"]
    pack = build_pack(demo, "Demo", data_notes=notes)
    (kpis,) = [s for s in pack.slides if s.key == "kpis"]
    assert kpis.warnings == (f"{NOTE} {notes[0]}",)
    assert pack.slides[-1].bullets == tuple(f"{NOTE} {n}" for n in notes)


def _band_groups(chart) -> list:
    """The chart's benchmark-band column groups (series named "Below benchmark …", "Benchmark …")."""
    plot_area = chart._chartSpace.find(".//" + qn("c:plotArea"))
    return [
        g
        for g in plot_area.findall(qn("c:barChart"))
        if any("enchmark" in "".join(ser.xpath("./c:tx//c:v/text()")) for ser in g.findall(qn("c:ser")))
    ]


def test_pptx_retention_charts_carry_the_benchmark_bands(demo):
    """Subscription data: NRR 120–160% and GRR 92–98% behind the bars, as on the page and PDF."""
    prs = deck(build_pack(demo, "Demo"))
    title = conclusion_titles(demo)["retention-by-tier"]
    slide = next(
        s for s in prs.slides if any(sh.has_text_frame and sh.text_frame.text == title for sh in s.shapes)
    )
    nrr, grr = [s.chart for s in slide.shapes if s.has_chart]
    for chart, (low, high) in ((nrr, (1.2, 1.6)), (grr, (0.92, 0.98))):
        (group,) = _band_groups(chart)
        base, band = group.findall(qn("c:ser"))
        values = lambda ser: [float(v) for v in ser.xpath(".//c:val//c:v/text()")]  # noqa: E731
        assert values(base) == pytest.approx([low] * 3)
        assert values(band) == pytest.approx([high - low] * 3)
        assert chart.plots[-1].series[0].values[0] is not None  # the tier bars are still there


def test_no_benchmark_bands_for_transactional_data(demo):
    orders = analyze(load_file(DEMO).accounts, facts=DataFacts(data_kind="transactional"))
    prs = deck(build_pack(orders, "Orders"))
    charts = [sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart]
    assert charts and not any(_band_groups(c) for c in charts)


def test_thin_waterfall_steps_are_labelled_under_the_step(demo, report):
    """On an axis from zero the move (a few $k on ~$50M) is a hairline: its label goes under it,
    on the invisible base, rather than through it."""
    pack = build_pack(demo, "Demo", report=report)
    (spec,) = [s for s in pack.charts if s.key == "simulation-decomposition"]
    prs = deck(pack)
    slide = next(
        s
        for s in prs.slides
        if any(sh.has_text_frame and sh.text_frame.text == spec.title for sh in s.shapes)
    )
    (chart,) = [sh.chart for sh in slide.shapes if sh.has_chart]
    base = chart.plots[0].series[0]
    labels = base._element.xpath("./c:dLbls/c:dLbl//a:t/text()")
    move = report.comparison.move.mean
    assert money(move, "$", signed=True) in labels
