"""The board pack as PDF (reportlab): the same pages as the PowerPoint, landscape."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from exports.pack import BoardPack
from reporting.figures import plain_text


def write_pdf(pack: BoardPack, images: dict[str, bytes]) -> bytes:
    """The PDF bytes; ``images`` holds each chart slide's PNG by its key."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(letter),
        title=pack.title,
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.4 * inch,
        bottomMargin=0.4 * inch,
    )
    styles = getSampleStyleSheet()

    story = [
        Spacer(1, 2 * inch),
        Paragraph(plain_text(pack.title), styles["Title"]),
        Paragraph(plain_text(pack.subtitle), styles["Heading3"]),
        PageBreak(),
        Paragraph("Key figures", styles["Heading1"]),
    ]
    rows = [["Metric", "Value", "Reading"]] + [[k.title, k.value, k.reading] for k in pack.kpis]
    story += [
        Table(
            rows,
            colWidths=[2.8 * inch, 1.8 * inch, 5.4 * inch],
            style=[
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 12),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ],
        ),
        PageBreak(),
    ]
    for chart in pack.charts:
        width = 9.2 * inch
        story += [
            Paragraph(plain_text(chart.title), styles["Heading1"]),
            Paragraph(plain_text(chart.takeaway), styles["BodyText"]),
            Spacer(1, 6),
            Image(io.BytesIO(images[chart.key]), width=width, height=width * 9 / 16),
            PageBreak(),
        ]
    story.append(Paragraph("Assumptions and method", styles["Heading1"]))
    story += [Paragraph(plain_text(line), styles["BodyText"]) for line in pack.methodology]
    doc.build(story)
    return out.getvalue()
