"""The board pack as a CFO's office receives it (issue 17 item 4), without a browser: native
charts holding the figures' data, conclusion titles and so-whats worked by hand, warnings on the
slides they qualify, slide numbers, notes, alt text, a centred branded cover, 16:9 PDF pages.

The five hand-worked accounts (tests/conftest.py ``five_accounts``: ARR 500/250/150/75/25, prior
400/300/0/75/50, no scorecard and no SAM column) give revenue-only tiers A Strategic, B Key,
C–E Standard; a year ago A Strategic and B, D, E Standard (C is new).

* Concentration: top-1 500/1,000 = 50.0%; 80% of ARR needs A+B+C = 900 → 3 accounts (60%);
  Gini = Σ(2i−n−1)x(i)/(nΣx) over 25, 75, 150, 250, 500 = (−100 − 150 + 0 + 500 + 2,000)/5,000
  = 0.45.
* Standard a year ago (B, D, E): prior 300 + 75 + 50 = 425; GRR = (250 + 75 + 25)/425 = 82.35%,
  so it leaks 17.6% → "Standard tier leaks 18% of ARR a year"; NRR the same (no expansion).
* Bridge: 825 → 1,000 (+21.2%); contraction 50 (B) + 25 (E) = $75, no churn.
* Strategic SAMs needed: 1 account / capacity 10 = 0.1; no SAM column, no headcount.
"""

from __future__ import annotations

import dataclasses
import io
import re
import struct
import zlib

import pytest
from pptx import Presentation
from pptx.util import Emu

from conftest import DEMO
from exports.native import DECREASE, INCREASE, TOTAL, native_charts
from exports.pack import Branding, build_pack
from exports.pdf_pack import write_pdf
from exports.pptx_pack import HEIGHT, WIDTH, write_pptx
from portfolio.analysis import analyze
from portfolio.ingest import load_file
from reporting import figures
from reporting.simulation_report import simulation_report
from reporting.takeaways import conclusion_titles, executive_summary
from reporting.theme import TIER_COLORS
from simulation import Assumptions, Scenario, SimulationSettings, run_simulation, simulation_accounts
from storage.settings import ConfigurationError, Settings, read_logo

GRAPHIC_FRAME, PICTURE = 3, 13  # MSO_SHAPE_TYPE.CHART is a graphic frame; pictures are 13


def png(width: int = 4, height: int = 2) -> bytes:
    """A tiny valid grey PNG (for logos and stand-in chart pictures)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


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


@pytest.fixture
def small(five_accounts):
    return analyze(five_accounts)


def deck(pack, images=None) -> Presentation:
    return Presentation(io.BytesIO(write_pptx(pack, images or {})))


def charts_of(slide) -> list:
    return [s.chart for s in slide.shapes if s.has_chart]


def slide_titled(prs, title: str):
    return next(
        s for s in prs.slides if any(sh.has_text_frame and sh.text_frame.text == title for sh in s.shapes)
    )


# ---- computed so-whats and titles, by hand ----


def test_conclusion_titles_by_hand(small):
    assert conclusion_titles(small) == {
        "pareto": "3 accounts (60%) bring 80% of ARR",
        "tier-distribution": "1 strategic account holds 50% of ARR",
        "retention-by-tier": "Standard tier leaks 18% of ARR a year",
        "sam-headcount": "Strategic accounts need 0.1 SAMs; none is available to compare",
        "arr-bridge": "ARR grew 21% in the year; churn and contraction took $75",
    }


class Recommendation:
    """The shape simulation's ``recommend()`` will hand over (issue 17 item 1)."""

    def to_dict(self) -> dict:
        return {
            "add": ["A", "B"],
            "remove": ["C"],
            "expected_npv": {"mean": 1.25e6, "p5": -2e5, "p95": 2.6e6},
        }


def test_executive_summary_by_hand(small):
    lines = executive_summary(small, Recommendation(), currency="€")
    assert lines == [
        "Concentration: the top 10 accounts hold 100% of ARR and the largest 50.0%; 3 accounts (60%) "
        "bring 80% (Gini 0.45).",
        "Retention: the Standard tier keeps 82% of last year's ARR (GRR, below the 92–98% benchmark); "
        "its NRR is 82% (strong ≥ 120%).",
        "SAM coverage: strategic accounts need 0.1 SAMs at the set capacity; the data names no SAM and "
        "no headcount was entered to compare.",
        "Recommended move: make 2 accounts strategic and take 1 out of the strategic tier; expected NPV "
        "+€1.25M (P5 −€200k to P95 €2.60M), resting on the treatment effect and economics on the "
        "method slide.",
    ]
    assert len(executive_summary(small)) == 3  # without a recommendation


def test_summary_is_the_first_slide_after_the_cover(small):
    pack = build_pack(small, "five.csv", "2026-11-22", recommendation=Recommendation())
    prs = deck(pack)
    texts = [sh.text_frame.text for sh in prs.slides[1].shapes if sh.has_text_frame]
    assert texts[0] == "Executive summary"
    assert any("Standard tier keeps 82%" in t and "expected NPV +$1.25M" in t for t in texts)
    titles = [t.title for t in pack.slides]
    assert "Standard tier leaks 18% of ARR a year" in titles and "3 accounts (60%) bring 80% of ARR" in titles


# ---- native charts ----


def test_every_analysis_chart_is_native_and_holds_the_figures_data(demo):
    pack = build_pack(demo, "Demo", "2026-11-22")
    prs = deck(pack)  # no pictures given: none is needed
    assert all(c.native is not None for c in pack.charts)
    chart_slides = [s for s in prs.slides if charts_of(s)]
    assert len(chart_slides) == len(pack.charts)
    assert not [sh for s in prs.slides for sh in s.shapes if sh.shape_type == PICTURE]
    for spec, slide in zip(pack.charts, chart_slides, strict=True):
        bars = [t for t in spec.figure.data if t.type == "bar"]
        if bars:
            # the figure's bars are the last group (benchmark bands, when drawn, come first)
            values = [v for c in charts_of(slide) for s in c.plots[-1].series for v in s.values]
            assert values == pytest.approx([float(v) for t in bars for v in t.y], rel=1e-12), spec.key


def test_tier_distribution_keeps_tier_colours_and_categories(demo):
    prs = deck(build_pack(demo, "Demo"))
    chart = charts_of(slide_titled(prs, conclusion_titles(demo)["tier-distribution"]))[0]
    assert list(chart.plots[0].categories) == ["Strategic", "Key", "Standard"]
    series = chart.plots[0].series[0]
    assert list(series.values) == demo.distribution["accounts"].tolist()
    colours = [str(series.points[i].format.fill.fore_color.rgb) for i in range(3)]
    assert colours == [TIER_COLORS[t].lstrip("#").upper() for t in ("Strategic", "Key", "Standard")]


def test_waterfall_steps_read_back_as_the_bridge(demo):
    prs = deck(build_pack(demo, "Demo", currency="€"))
    chart = charts_of(slide_titled(prs, conclusion_titles(demo, "€")["arr-bridge"]))[0]
    by_name = {s.name: list(s.values) for s in chart.plots[0].series}
    steps = figures.bridge_steps(demo.retention.bridge)
    read = [
        by_name[TOTAL][i]
        if measure != "relative"
        else (by_name[INCREASE][i] or 0) - (by_name[DECREASE][i] or 0)
        for i, (_, _, measure) in enumerate(steps)
    ]
    assert read == pytest.approx([amount for _, amount, _ in steps], abs=1e-6)
    assert '"€"' in chart.value_axis.tick_labels.number_format  # the currency given, not "$"


def test_pareto_is_an_xy_chart_with_the_curve_points(demo):
    fig = figures.pareto_figure(demo)
    prs = deck(build_pack(demo, "Demo"))
    chart = charts_of(slide_titled(prs, conclusion_titles(demo)["pareto"]))[0]
    curve = chart.plots[0].series[0]
    xs = [float(v) for v in curve._element.xpath("./c:xVal//c:v/text()")]
    assert xs == pytest.approx(list(fig.data[0].x)) and list(curve.values) == pytest.approx(
        list(fig.data[0].y)
    )


def test_histogram_tail_bins_are_labelled(report):
    fig = figures.delta_figure(report)
    (chart,) = native_charts(fig)
    low, high = figures.tail_bin_labels(report.delta_histogram.edges)  # "< $X", "≥ $Y"
    assert (chart.categories[0], chart.categories[-1]) == (low, high)
    assert low.startswith("< ") and high.startswith("≥ ")
    centres = fig.data[0].x
    assert [(a.text, a.x) for a in fig.layout.annotations] == [(low, centres[0]), (high, centres[-1])]
    assert list(chart.series[0].values) == [float(v) for v in report.delta_histogram.counts["delta"]]


def test_every_simulator_chart_is_native_and_no_picture_is_needed(demo, report):
    pack = build_pack(demo, "Demo", report=report)
    assert [c.key for c in pack.charts if c.native is None] == []
    prs = deck(pack)  # no pictures given
    assert not [sh for s in prs.slides for sh in s.shapes if sh.shape_type == PICTURE]


def test_fan_reads_back_as_the_reports_percentiles(demo, report):
    """The fan's sheet: the baseline's P5, then P25 − P5, P75 − P25, P95 − P75 stacked as areas;
    the medians and the scenario's P5/P95 as lines."""
    pack = build_pack(demo, "Demo", report=report)
    fan = next(c for c in pack.charts if c.key == "simulation-fan")
    (chart,) = charts_of(slide_titled(deck(pack), fan.title))
    areas, lines = chart.plots[0], chart.plots[1]
    assert [p.__class__.__name__ for p in chart.plots] == ["AreaPlot", "LinePlot"]
    stacked = [list(s.values) for s in areas.series]
    running = [0.0] * len(stacked[0])
    edges = []
    for column in stacked:
        running = [a + b for a, b in zip(running, column, strict=True)]
        edges.append(running)
    base = report.fan["Baseline"]
    for got, expected in zip(edges, (base.p5, base.p25, base.p75, base.p95), strict=True):
        assert got == pytest.approx(list(expected), rel=1e-9)
    by_name = {s.name: list(s.values) for s in lines.series}
    assert by_name["Baseline"] == pytest.approx(list(base.p50)) and by_name["Scenario"] == pytest.approx(
        list(report.fan["Scenario"].p50)
    )
    assert by_name["Scenario P95"] == pytest.approx(list(report.fan["Scenario"].p95))
    assert [s.name for s in areas.series] == [
        "Baseline P5",
        "Baseline P5–P25",
        "Baseline P25–P75",
        "Baseline P75–P95",
    ]


def test_chart_text_is_at_least_14_pt_and_footnotes_10_pt(demo):
    prs = deck(build_pack(demo, "Demo"))
    for slide in prs.slides:
        for chart in charts_of(slide):
            assert chart.font.size.pt >= 14
        sizes = [
            r.font.size.pt
            for sh in slide.shapes
            if sh.has_text_frame
            for p in sh.text_frame.paragraphs
            for r in p.runs
            if r.font.size is not None
        ]
        assert min(sizes) >= 10


# ---- slide furniture ----


def test_every_slide_has_a_number_notes_and_every_chart_alt_text(demo, report):
    pack = build_pack(demo, "Demo", report=report)
    prs = deck(pack)
    slides = list(prs.slides)
    assert len(slides) == 1 + len(pack.slides)  # the cover, then one slide per spec
    for number, slide in enumerate(slides[1:], start=2):
        fields = slide._element.xpath(".//a:fld[@type='slidenum']")
        assert len(fields) == 1 and fields[0].xpath("string(a:t)") == str(number)
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip()
        for shape in slide.shapes:
            if shape.has_chart or shape.shape_type == PICTURE:
                descr = shape._element.xpath("string(.//p:cNvPr/@descr)")
                assert descr.startswith("Chart: ") and len(descr) > 20
    method = slide_titled(prs, "Assumptions and method").notes_slide.notes_text_frame.text
    assert "one snapshot of the settings" in method


def test_warnings_are_on_the_slides_they_qualify(small):
    pack = build_pack(small, "five.csv")
    prs = deck(pack)
    titles = conclusion_titles(small)

    def text(title: str) -> str:
        return "\n".join(sh.text_frame.text for sh in slide_titled(prs, title).shapes if sh.has_text_frame)

    tiers = text(titles["tier-distribution"])
    assert "Data warning: No scorecard columns" in tiers and "strategic tier has 1 accounts" in tiers
    assert "Data warning: No SAM column" in text(titles["sam-headcount"])
    assert "Data warning" not in text(titles["pareto"]) and "Data warning" not in text(titles["arr-bridge"])
    many = build_pack(small, "five.csv", data_notes=[f"{i} row(s) left out" for i in range(5)])
    assert many.slides[1].warnings == (
        "Data note: 0 row(s) left out",
        "Data note: 1 row(s) left out",
        "Data note: 2 row(s) left out",
        "Data note: … and 2 more from reading the file.",
    )
    quality = build_pack(small, "five.csv", data_notes=["3 rows without ARR left out"])
    assert "Data note: 3 rows without ARR left out" in "\n".join(
        sh.text_frame.text for sh in slide_titled(deck(quality), "Key figures").shapes if sh.has_text_frame
    )


def test_cover_is_centred_with_company_and_logo(small):
    pack = build_pack(small, "five.csv", "2026-11-22", branding=Branding("Acme Corp", png(40, 20)))
    prs = deck(pack)
    assert (prs.slide_width, prs.slide_height) == (WIDTH, HEIGHT) and abs(WIDTH / HEIGHT - 16 / 9) < 1e-3
    cover = prs.slides[0]
    texts = {sh.text_frame.text: sh for sh in cover.shapes if sh.has_text_frame}
    assert {
        "Acme Corp",
        "Strategic-account portfolio review",
        "five.csv · data as of 2026-11-22 · amounts in USD",
    } <= set(texts)
    for shape in cover.shapes:  # every box and the logo centred on the slide (within 1 EMU)
        assert abs((shape.left + shape.width / 2) - WIDTH / 2) <= Emu(1)
    (logo,) = [sh for sh in cover.shapes if sh.shape_type == PICTURE]
    assert logo.width == 2 * logo.height  # aspect kept


def test_pdf_pages_are_16_by_9(demo):
    pack = build_pack(demo, "Demo")
    pdf = write_pdf(pack, {c.key: png(16, 9) for c in pack.charts})
    boxes = {tuple(map(float, m)) for m in re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)}
    assert len(boxes) == 1
    ((width, height),) = boxes
    assert width / height == pytest.approx(16 / 9, rel=1e-3) and width == pytest.approx(13.333 * 72, abs=0.1)


# ---- the logo setting ----


def test_logo_setting_is_checked(tmp_path):
    good = tmp_path / "logo.png"
    good.write_bytes(png())
    settings = Settings.from_env({"STRATA_COMPANY_NAME": " Acme ", "STRATA_LOGO_PATH": str(good)})
    assert settings.branding() == Branding("Acme", png())
    text = tmp_path / "logo.txt"
    text.write_text("not an image")
    with pytest.raises(ConfigurationError, match=r"STRATA_LOGO_PATH: .* is not a PNG or JPEG image"):
        Settings.from_env({"STRATA_LOGO_PATH": str(text)})
    with pytest.raises(ConfigurationError, match="cannot read"):
        read_logo(str(tmp_path / "missing.png"))
    big = tmp_path / "big.png"
    big.write_bytes(png() + b"\0" * (2 * 1024 * 1024))
    with pytest.raises(ConfigurationError, match="larger than 2 MiB"):
        read_logo(str(big))


def test_cli_pack_has_the_company_cover_and_refuses_a_bad_logo(tmp_path, monkeypatch, capsys):
    from cli import main

    logo = tmp_path / "logo.png"
    logo.write_bytes(png(30, 10))
    monkeypatch.setenv("STRATA_COMPANY_NAME", "Acme Corp")
    monkeypatch.setenv("STRATA_LOGO_PATH", str(logo))
    assert main(["export", str(DEMO), "--out", str(tmp_path / "deck"), "--format", "pptx"]) == 0
    cover = Presentation(str(tmp_path / "deck" / "board-pack.pptx")).slides[0]
    assert "Acme Corp" in [sh.text_frame.text for sh in cover.shapes if sh.has_text_frame]
    assert [sh.shape_type for sh in cover.shapes].count(PICTURE) == 1
    capsys.readouterr()
    monkeypatch.setenv("STRATA_LOGO_PATH", str(tmp_path / "nope.png"))
    status = main(["export", str(DEMO), "--out", str(tmp_path / "other"), "--format", "pptx", "--json"])
    out = capsys.readouterr().out
    assert status != 0 and "STRATA_LOGO_PATH: cannot read" in out and "Traceback" not in out
    assert not (tmp_path / "other" / "board-pack.pptx").exists()


def test_axis_bounds_and_number_formats_by_hand():
    from exports.native import money_format, nice_range, signed_format

    # span 21.4M / 5 ticks = 4.28M → the round step 5M → 45M … 75M
    assert nice_range(49.4e6, 70.8e6) == (45e6, 75e6)
    # span 0.85 / 5 = 0.17 → step 0.2 → 0 … 1
    assert nice_range(0.1, 0.95) == pytest.approx((0.0, 1.0))
    assert money_format("€") == '[>=1000000]"€"#,##0.0,,"M";[>=1000]"€"#,##0,"k";"€"#,##0'
    assert signed_format('[>=1000]"$"#,##0,"k";"$"#,##0', "−") == '[>=1000]"−""$"#,##0,"k";"−""$"#,##0'
    assert signed_format("0%", "") == "0%"


def test_a_chart_with_nothing_to_draw_says_why_without_a_browser(five_accounts):
    """No prior-year ARR: the retention and bridge slides carry the figure's message as text."""
    analysis = analyze(five_accounts.assign(arr_prior=float("nan")))  # as ingest reads no column
    pack = build_pack(analysis, "five.csv")
    retention = next(c for c in pack.charts if c.key == "retention-by-tier")
    assert retention.native is None and retention.message == figures.NO_PRIOR_ARR
    slide = slide_titled(deck(pack), retention.title)  # no picture given: none needed
    assert figures.NO_PRIOR_ARR in [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    assert "Data warning: No prior-year ARR column" in "\n".join(
        sh.text_frame.text for sh in slide.shapes if sh.has_text_frame
    )


def test_order_data_is_not_judged_against_subscription_benchmarks(small):
    """Order (transactional) data: the summary and the retention title speak of repeat revenue
    and name no SaaS benchmark (the reviewers found "below the 92–98% benchmark" on Superstore)."""
    orders = dataclasses.replace(small, facts=dataclasses.replace(small.facts, data_kind="transactional"))
    line = executive_summary(orders)[1]
    assert line == (
        "Repeat revenue: last year's Standard customers kept 82% of their spend (gross) and 82% net; "
        "order data, so no subscription benchmark applies, and tiers by last year's spend regress "
        "towards the mean."
    )
    assert conclusion_titles(orders)["retention-by-tier"] == (
        "Standard customers spent 18% less than last year (repeat revenue)"
    )
    assert "benchmark" in executive_summary(small)[1]  # subscriptions keep theirs
