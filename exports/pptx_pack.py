"""The board pack as PowerPoint (python-pptx): native title, KPI table and text; charts as PNG."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.presentation import Presentation as PresentationType
from pptx.util import Emu, Inches, Pt

from exports.pack import BoardPack

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
INK = RGBColor(0x22, 0x22, 0x22)
MUTED = RGBColor(0x55, 0x55, 0x55)


def _text(
    slide, text: str, left, top, width, height, size: int, bold: bool = False, color: RGBColor = INK
) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    frame.text = text
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color


def _titled(prs: PresentationType, title: str):
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    _text(slide, title, Inches(0.5), Inches(0.3), WIDTH - Inches(1), Inches(0.8), 28, bold=True)
    return slide


def write_pptx(pack: BoardPack, images: dict[str, bytes]) -> bytes:
    """The .pptx bytes; ``images`` holds each chart slide's PNG by its key."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT

    cover = prs.slides.add_slide(prs.slide_layouts[0])
    cover.shapes.title.text = pack.title
    cover.placeholders[1].text = pack.subtitle

    kpi_slide = _titled(prs, "Key figures")
    rows = len(pack.kpis) + 1
    table = kpi_slide.shapes.add_table(
        rows, 3, Inches(0.5), Inches(1.2), WIDTH - Inches(1), Inches(0.5) * rows
    ).table
    table.columns[0].width, table.columns[1].width = Inches(3.6), Inches(2.4)
    table.columns[2].width = WIDTH - Inches(1) - Inches(6.0)
    for col, heading in enumerate(("Metric", "Value", "Reading")):
        table.cell(0, col).text = heading
    for row, kpi in enumerate(pack.kpis, start=1):
        for col, value in enumerate((kpi.title, kpi.value, kpi.reading)):
            table.cell(row, col).text = value
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(16)

    for chart in pack.charts:
        slide = _titled(prs, chart.title)
        _text(
            slide, chart.takeaway, Inches(0.5), Inches(1.0), WIDTH - Inches(1), Inches(0.6), 18, color=MUTED
        )
        height = Inches(5.6)
        width = Emu(int(height * 16 / 9))
        slide.shapes.add_picture(
            io.BytesIO(images[chart.key]), (WIDTH - width) // 2, Inches(1.7), width, height
        )

    method = _titled(prs, "Assumptions and method")
    _text(
        method,
        "\n".join(pack.methodology),
        Inches(0.5),
        Inches(1.2),
        WIDTH - Inches(1),
        HEIGHT - Inches(1.6),
        14,
    )
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
