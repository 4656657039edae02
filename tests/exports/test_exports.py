"""Exports are what they claim to be: PNG/SVG/PDF files, a PPTX that reopens with the analysis'
numbers, a PDF pack that renders to a non-blank page, and a clear error without a browser."""

import io
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
from pptx import Presentation

import exports.render
from cli import main
from conftest import DEMO
from exports.files import pack_bytes
from exports.pack import ANALYSIS_CHARTS, build_pack
from exports.render import ExportUnavailable, presentation, render
from portfolio.analysis import analyze
from portfolio.ingest import load_file
from reporting.kpis import overview_kpis
from reporting.simulation_report import simulation_report
from simulation import Assumptions, Scenario, SimulationSettings, run_simulation, simulation_accounts

pytestmark = pytest.mark.browser  # kaleido drives the machine's Chromium

SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


@pytest.fixture(scope="module")
def analysis():
    return analyze(load_file(DEMO).accounts)


@pytest.fixture(scope="module")
def report(analysis):
    frame = simulation_accounts(analysis.accounts, analysis.tiers.tier)
    key = frame[frame["tier"] == "Key"]["account_id"].head(3)
    result = run_simulation(
        frame, Assumptions(), SimulationSettings(paths=300, horizon=8), Scenario(promote=tuple(key))
    )
    return simulation_report(result)


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_each_chart_format_is_what_it_claims(analysis, fmt):
    data = render(presentation(ANALYSIS_CHARTS["pareto"](analysis), "Source: demo"), fmt)
    if fmt == "svg":
        assert data.lstrip().startswith(b"<svg") and b"Pareto" in data
    else:
        assert data.startswith(SIGNATURES[fmt])
    if fmt == "png":  # 1600 × 900 at 2×: width and height in the IHDR chunk
        assert int.from_bytes(data[16:20], "big") == 3200 and int.from_bytes(data[20:24], "big") == 1800


def test_pptx_pack_reopens_with_the_expected_slides_and_kpis(analysis, report):
    pack = build_pack(analysis, "Demo portfolio (synthetic)", "2026-11-22", report)
    deck = Presentation(io.BytesIO(pack_bytes(pack, "pptx")))
    slides = list(deck.slides)
    assert len(slides) == 1 + len(pack.slides)  # the cover, then one slide per spec
    texts = [[s.text_frame.text for s in slide.shapes if s.has_text_frame] for slide in slides]
    assert texts[0] == [
        "Strategic-account portfolio review",
        "Demo portfolio (synthetic) · data as of 2026-11-22 · amounts in USD",
    ]
    titles = [t[0] for t in texts[1:]]
    assert titles[:2] == ["Executive summary", "Key figures"] and titles[-1] == "Assumptions and method"
    assert "311 accounts (29%) bring 80% of ARR" in titles  # conclusions, not topics
    assert any(t.startswith(("Median ARR", "Scenario median")) for t in titles)  # the simulator's
    table = next(s.table for s in slides[2].shapes if s.has_table)
    cells = [[table.cell(r, c).text for c in range(3)] for r in range(len(table.rows))]
    expected = [[k.title, k.value, k.reading] for k in overview_kpis(analysis)]
    assert cells[1:] == expected and cells[1][:2] == ["Total ARR", "$52.9M"]
    pictures = [s for slide in slides for s in slide.shapes if s.shape_type == 13]
    assert pictures == []  # every chart, the fan too, is a native chart
    charts = [s for slide in slides for s in slide.shapes if s.has_chart]
    assert len(charts) >= len(pack.charts)
    method = max(texts[-1], key=len)  # the body, beside the title, footnote and slide number
    assert "Strategic ≥ 70, Key ≥ 50" in method and "seed 20261122" in method


def test_pdf_pack_renders_to_a_page_that_is_not_blank(analysis, tmp_path):
    if not shutil.which("pdftoppm"):
        if os.environ.get("STRATA_REQUIRE_BROWSER") == "1":
            pytest.fail("pdftoppm missing (Debian package poppler-utils)")
        pytest.skip("pdftoppm missing (apt-get install poppler-utils)")
    pdf = pack_bytes(build_pack(analysis, "Demo"), "pdf")
    assert pdf.startswith(b"%PDF-")
    (tmp_path / "pack.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "30",
            "-gray",
            "-f",
            "4",
            "-l",
            "4",
            str(tmp_path / "pack.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    page = next(tmp_path.glob("page*.pgm")).read_bytes()
    # binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel
    magic, size, _maxval, pixels = page.split(b"\n", 3)
    width, height = map(int, size.split())
    image = np.frombuffer(pixels[: width * height], dtype=np.uint8)
    assert magic == b"P5" and image.size == width * height
    assert (image < 200).mean() > 0.005  # ink of the chart page (an empty page has none)
    assert (image < 80).sum() > 100  # and dark text and lines, not just a grey wash


def test_without_a_browser_exports_say_so(monkeypatch, analysis, tmp_path, capsys):
    monkeypatch.setattr(exports.render, "browser_path", lambda: None)
    with pytest.raises(ExportUnavailable, match="needs Chrome or Chromium"):
        render(ANALYSIS_CHARTS["pareto"](analysis), "png")
    status = main(["export", str(DEMO), "--out", str(tmp_path), "--format", "png", "--json"])
    assert status == 3
    assert "camera button" in json.loads(capsys.readouterr().out)["error"]["message"]


def test_cli_export_writes_every_chart_and_the_pack(tmp_path, capsys):
    status = main(["export", str(DEMO), "--out", str(tmp_path / "png"), "--format", "png"])
    assert status == 0
    written = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert written == sorted(f"{key}.png" for key in ANALYSIS_CHARTS)
    assert all(p.read_bytes().startswith(SIGNATURES["png"]) for p in (tmp_path / "png").iterdir())
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps({"promote": ["A11162"], "name": "Promote Cedar"}))
    capsys.readouterr()  # the first command's list of files
    status = main(
        [
            "export",
            str(DEMO),
            "--out",
            str(tmp_path / "deck"),
            "--format",
            "pptx",
            "--scenario",
            str(scenario),
            "--paths",
            "300",
            "--json",
        ]
    )
    assert status == 0
    assert json.loads(capsys.readouterr().out)["files"] == [str(tmp_path / "deck" / "board-pack.pptx")]
    deck = Presentation(str(tmp_path / "deck" / "board-pack.pptx"))
    assert any(
        "Promoting 1 account" in shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )


HOSTILE_NAME = '<a href="javascript:alert(1)">x</a>'


def test_a_filename_with_markup_is_shown_literally_in_exported_charts(analysis):
    """The upload's file name is the footnote's source: no live link in the SVG, the text shown."""
    from exports.pack import footnote

    svg = render(presentation(ANALYSIS_CHARTS["pareto"](analysis), footnote(HOSTILE_NAME, None)), "svg")
    assert b"<a" not in svg and b"javascript:alert" in svg
    assert b'Source: &#60;a href="javascript:alert(1)"&#62;x&#60;/a&#62;' in svg  # shown as text
