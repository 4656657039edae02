"""Exports as files in a directory (the ``portfolio export`` command)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from exports.pack import ANALYSIS_CHARTS, NO_BRANDING, BoardPack, Branding, build_pack, simulation_charts
from exports.pdf_pack import write_pdf
from exports.pptx_pack import write_pptx
from exports.render import FORMATS, presentation, render_many, slide_picture
from portfolio.analysis import PortfolioAnalysis
from reporting.simulation_report import SimulationReport

PACK_NAME = "board-pack"
PACK_FORMATS = ("pptx", "pdf")


def pack_bytes(pack: BoardPack, fmt: str) -> bytes:
    """The pack as ``pptx`` or ``pdf`` bytes.

    PowerPoint draws every pack chart as a native chart (and a chart with nothing to draw as its
    message), so no browser is started unless a chart has neither. The PDF
    has every chart as a PNG. Pictures carry no title or footnote (the slide has them)."""
    if fmt not in PACK_FORMATS:
        raise ValueError(f"a board pack is pptx or pdf, not {fmt!r}")
    pictured = [c for c in pack.charts if fmt == "pdf" or (c.native is None and c.message is None)]
    pngs = render_many([slide_picture(c.figure) for c in pictured], "png") if pictured else []
    images = {c.key: png for c, png in zip(pictured, pngs, strict=True)}
    return (write_pptx if fmt == "pptx" else write_pdf)(pack, images)


def export_files(
    analysis: PortfolioAnalysis,
    source: str,
    as_of: str | None,
    report: SimulationReport | None,
    fmt: str,
    out: Path,
    *,
    branding: Branding = NO_BRANDING,
    data_notes: Sequence[str] = (),
    recommendation: object | None = None,
) -> list[Path]:
    """Write ``fmt`` files to ``out``: every chart for png/svg/pdf (and board-pack.pdf with
    pdf), or board-pack.pptx for pptx. Returns the paths written. ``branding`` and
    ``data_notes``: the pack's cover and data-quality lines; ``recommendation``: the executive
    summary's recommended move (see :func:`exports.pack.build_pack`)."""
    out.mkdir(parents=True, exist_ok=True)
    pack = build_pack(
        analysis,
        source,
        as_of,
        report,
        branding=branding,
        data_notes=data_notes,
        recommendation=recommendation,
    )
    written = []
    if fmt in FORMATS:
        figs = {key: build(analysis) for key, build in ANALYSIS_CHARTS.items()}
        if report is not None:
            figs |= {key: build(report) for key, build in simulation_charts(report).items()}
        rendered = render_many([presentation(fig, pack.footnote) for fig in figs.values()], fmt)
        for key, data in zip(figs, rendered, strict=True):
            path = out / f"{key}.{fmt}"
            path.write_bytes(data)
            written.append(path)
    if fmt in ("pdf", "pptx"):
        path = out / f"{PACK_NAME}.{fmt}"
        path.write_bytes(pack_bytes(pack, fmt))
        written.append(path)
    return written
