"""The board pack as PDF (reportlab): the PowerPoint's slides as 16:9 pages (13.333 × 7.5 in),
each with its page number and the source footnote; charts as pictures."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from exports.pack import BoardPack, BulletSlide, ChartSlide, Slide, TableSlide
from reporting.figures import plain_text

PAGE = (13.333 * inch, 7.5 * inch)
"""A 16:9 page, the PowerPoint slide's size."""
MARGIN = 0.5 * inch
FOOTNOTE_PT = 10
WARNING = colors.HexColor("#9A3D00")


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", base["Heading1"], fontSize=26, leading=31, spaceAfter=6),
        "takeaway": ParagraphStyle(
            "takeaway", base["BodyText"], fontSize=16, leading=20, textColor=colors.HexColor("#555555")
        ),
        "bullet": ParagraphStyle(
            "bullet", base["BodyText"], fontSize=18, leading=24, spaceAfter=10, leftIndent=18, bulletIndent=0
        ),
        "cell": ParagraphStyle("cell", base["BodyText"], fontSize=14, leading=17),
        "small": ParagraphStyle("small", base["BodyText"], fontSize=12, leading=15, spaceAfter=3),
        "warning": ParagraphStyle("warning", base["BodyText"], fontSize=12, leading=15, textColor=WARNING),
        "company": ParagraphStyle(
            "company",
            base["Heading2"],
            alignment=TA_CENTER,
            fontSize=24,
            leading=30,
            textColor=colors.HexColor("#555555"),
        ),
        "cover": ParagraphStyle("cover", base["Title"], alignment=TA_CENTER, fontSize=40, leading=48),
        "subtitle": ParagraphStyle(
            "subtitle",
            base["Heading3"],
            alignment=TA_CENTER,
            fontSize=18,
            leading=22,
            textColor=colors.HexColor("#555555"),
        ),
    }


def _cover(pack: BoardPack, styles) -> list:
    story: list = [Spacer(1, 1.1 * inch)]
    if pack.branding.logo:
        logo = Image(io.BytesIO(pack.branding.logo))
        scale = min(1.1 * inch / logo.imageHeight, 4 * inch / logo.imageWidth)
        logo.drawWidth, logo.drawHeight = logo.imageWidth * scale, logo.imageHeight * scale
        logo.hAlign = "CENTER"
        story += [logo, Spacer(1, 0.3 * inch)]
    else:
        story.append(Spacer(1, 1.4 * inch))
    if pack.branding.company:
        story.append(Paragraph(plain_text(pack.branding.company), styles["company"]))
    story += [
        Paragraph(plain_text(pack.title), styles["cover"]),
        Paragraph(plain_text(pack.subtitle), styles["subtitle"]),
    ]
    return story


def _warnings(spec: Slide, styles) -> list:
    return [Paragraph(plain_text(w), styles["warning"]) for w in spec.warnings]


def _page(spec: Slide, images: dict[str, bytes], styles) -> list:
    story: list = [Paragraph(plain_text(spec.title), styles["title"])]
    if isinstance(spec, ChartSlide):
        lines = len(spec.takeaway) // 120 + 1  # the takeaway's lines at 16 pt across the page
        height = 5.1 * inch - 0.22 * inch * (len(spec.warnings) + lines)
        story += [
            Paragraph(plain_text(spec.takeaway), styles["takeaway"]),
            Spacer(1, 6),
            Image(io.BytesIO(images[spec.key]), width=height * 16 / 9, height=height),
        ]
    elif isinstance(spec, TableSlide):
        cell = styles["cell"]
        rows = [list(spec.header)] + [[Paragraph(plain_text(v), cell) for v in r] for r in spec.rows]
        story.append(
            Table(
                rows,
                colWidths=[3.4 * inch, 2.2 * inch, PAGE[0] - 2 * MARGIN - 5.6 * inch],
                style=[
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 14),
                    ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ],
            )
        )
    else:
        assert isinstance(spec, BulletSlide)
        style = styles["small" if spec.small else "bullet"]
        bullet = None if spec.small else "•"
        story += [Paragraph(plain_text(line), style, bulletText=bullet) for line in spec.bullets]
    return [*story, Spacer(1, 6), *_warnings(spec, styles), PageBreak()]


def write_pdf(pack: BoardPack, images: dict[str, bytes]) -> bytes:
    """The PDF bytes; ``images`` holds each chart slide's PNG by its key."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        title=pack.title,
        author=pack.branding.company,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=0.35 * inch,
        bottomMargin=0.6 * inch,
    )
    styles = _styles()

    def furniture(canvas, document) -> None:
        """Footnote and page number on every page after the cover."""
        if document.page == 1:
            return
        canvas.saveState()
        canvas.setFont("Helvetica", FOOTNOTE_PT)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, 0.3 * inch, pack.footnote)
        canvas.drawRightString(PAGE[0] - MARGIN, 0.3 * inch, str(document.page))
        canvas.restoreState()

    story = [*_cover(pack, styles), PageBreak()]
    for spec in pack.slides:
        story += _page(spec, images, styles)
    story.pop()  # no blank page after the last
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return out.getvalue()
