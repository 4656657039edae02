"""The board pack as PowerPoint (python-pptx), 16:9.

A centred cover (company name and logo when set), then each slide spec of the pack: titles,
text and tables as native text; bar, line and waterfall charts as native chart objects holding
their data (editable in PowerPoint, tier colours and a currency number format kept); a picture
only for a chart PowerPoint cannot draw (the simulator's fan bands). Every slide has a slide
number, the source footnote, speaker notes, and alt text on every chart.
"""

from __future__ import annotations

import io
import itertools
import math
from dataclasses import dataclass

from pptx import Presentation
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_PATTERN
from pptx.enum.text import PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Inches, Pt

from exports.native import (
    BASE,
    DECREASE,
    INCREASE,
    NO_FILL,
    Band,
    NativeChart,
    Series,
    nice_range,
    signed_format,
)
from exports.pack import BoardPack, BulletSlide, ChartSlide, Slide, TableSlide
from portfolio.formatting import money

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.5)
INK = RGBColor(0x22, 0x22, 0x22)
MUTED = RGBColor(0x55, 0x55, 0x55)
WARNING = RGBColor(0x9A, 0x3D, 0x00)  # dark orange, 7:1 on white
GRID = RGBColor(0xE6, 0xE6, 0xE6)
CHART_PT = 14
"""Every chart text (ticks, labels, legend) on the slide, in points."""
FOOTNOTE_PT = 10
TITLE_PT = 24  # a conclusion of up to ~62 characters on one line …
LONG_TITLE_PT, LONG_TITLE = 20, 62  # … a longer one at 20 pt, so it does not wrap into the text
TAKEAWAY_PT = 16
PICTURE_WIDTH = Inches(9.6)  # see exports.render.SLIDE_PICTURE_SIZE: 20 px type → 14.4 pt
BLANK = 6  # the default template's blank layout


def _rgb(color: str) -> RGBColor:
    """``#RRGGBB``, ``#RGB`` or ``rgba(r, g, b, a)`` (alpha dropped) as an RGBColor."""
    color = color.strip()
    if color.startswith("#"):
        digits = color[1:] if len(color) > 4 else "".join(d * 2 for d in color[1:])
        return RGBColor.from_string(digits[:6].upper())
    parts = color[color.index("(") + 1 : color.index(")")].split(",")
    return RGBColor(*(int(float(p)) for p in parts[:3]))


def _dark(color: str) -> bool:
    """True when white text reads better than black on ``color`` (relative luminance < 0.18)."""
    if color == NO_FILL:
        return False
    r, g, b = (((c / 255) / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.18


def _text(slide, text: str, left, top, width, height, size: float, *, bold=False, color=INK, align=None):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        if align is not None:
            paragraph.alignment = align
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color
    return box


def _slide_number(slide, number: int) -> None:
    """A slide-number field (PowerPoint keeps it right when slides move), bottom right."""
    box = slide.shapes.add_textbox(WIDTH - MARGIN - Inches(1), HEIGHT - Inches(0.45), Inches(1), Inches(0.3))
    paragraph = box.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.RIGHT
    field = _element(paragraph._p, "a:fld", id="{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}", type="slidenum")
    props = _element(field, "a:rPr", lang="en-US", sz=str(FOOTNOTE_PT * 100))
    _element(_element(props, "a:solidFill"), "a:srgbClr", val=str(MUTED))
    _element(field, "a:t").text = str(number)


def _element(parent, tag: str, **attributes: str):
    """A new child element ``tag`` (e.g. ``"a:fld"``) of ``parent`` with ``attributes``."""
    child = OxmlElement(tag)
    for name, value in attributes.items():
        child.set(name, value)
    parent.append(child)
    return child


def _frame(prs, pack: BoardPack, title: str, notes: str, warnings: tuple[str, ...]):
    """A blank slide with its title, warnings, footnote, slide number and speaker notes; the
    top of the space left for content is returned with it."""
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK])
    size = TITLE_PT if len(title) <= LONG_TITLE else LONG_TITLE_PT
    _text(slide, title, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.7), size, bold=True)
    _text(
        slide, pack.footnote, MARGIN, HEIGHT - Inches(0.45), Inches(9), Inches(0.3), FOOTNOTE_PT, color=MUTED
    )
    _slide_number(slide, len(prs.slides))
    if warnings:
        _text(
            slide,
            "\n".join(warnings),
            MARGIN,
            HEIGHT - Inches(0.55) - Inches(0.3) * len(warnings),
            WIDTH - 2 * MARGIN,
            Inches(0.3) * len(warnings),
            12,
            color=WARNING,
        )
    caveats = "\n".join(warnings)
    slide.notes_slide.notes_text_frame.text = "\n".join(t for t in (notes, caveats) if t)
    return slide


def _alt_text(shape, text: str) -> None:
    """Alt text (the ``descr`` of the shape's non-visual properties)."""
    element = shape._element
    props = element.find(".//" + qn("p:cNvPr"))
    props.set("descr", text)


def _cover(prs, pack: BoardPack) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK])
    top = Inches(1.6)
    if pack.branding.logo:
        logo = slide.shapes.add_picture(io.BytesIO(pack.branding.logo), 0, top, height=Inches(1.1))
        if logo.width > Inches(4):  # a wide logo: at most 4 in wide, height to match
            logo.height = int(logo.height * Inches(4) / logo.width)
            logo.width = Inches(4)
        logo.left = (WIDTH - logo.width) // 2
        _alt_text(logo, f"{pack.branding.company or 'Company'} logo")
    top = Inches(2.9)
    if pack.branding.company:
        _text(
            slide,
            pack.branding.company,
            MARGIN,
            top,
            WIDTH - 2 * MARGIN,
            Inches(0.6),
            24,
            color=MUTED,
            align=PP_ALIGN.CENTER,
        )
    _text(
        slide,
        pack.title,
        MARGIN,
        top + Inches(0.7),
        WIDTH - 2 * MARGIN,
        Inches(0.9),
        40,
        bold=True,
        align=PP_ALIGN.CENTER,
    )
    _text(
        slide,
        pack.subtitle,
        MARGIN,
        top + Inches(1.7),
        WIDTH - 2 * MARGIN,
        Inches(0.5),
        18,
        color=MUTED,
        align=PP_ALIGN.CENTER,
    )
    slide.notes_slide.notes_text_frame.text = f"{pack.title}. {pack.subtitle}."


def _bullets(prs, pack: BoardPack, spec: BulletSlide) -> None:
    slide = _frame(prs, pack, spec.title, spec.notes, spec.warnings)
    size = 14 if spec.small else 20
    height = HEIGHT - Inches(2.2) - Inches(0.3) * len(spec.warnings)
    box = _text(slide, "", MARGIN, Inches(1.3), WIDTH - 2 * MARGIN, height, size)
    frame = box.text_frame
    for i, line in enumerate(spec.bullets):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line if spec.small else f"• {line}"
        paragraph.space_after = Pt(4 if spec.small else 14)
        for run in paragraph.runs:
            run.font.size, run.font.color.rgb = Pt(size), INK


def _table(prs, pack: BoardPack, spec: TableSlide) -> None:
    slide = _frame(prs, pack, spec.title, spec.notes, spec.warnings)
    rows = len(spec.rows) + 1
    table = slide.shapes.add_table(
        rows, len(spec.header), MARGIN, Inches(1.2), WIDTH - 2 * MARGIN, Inches(0.45) * rows
    ).table
    widths = (Inches(3.6), Inches(2.4), WIDTH - 2 * MARGIN - Inches(6.0))
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
    for col, heading in enumerate(spec.header):
        table.cell(0, col).text = heading
    for row, values in enumerate(spec.rows, start=1):
        for col, value in enumerate(values):
            table.cell(row, col).text = value
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(16)


def _fill(fmt, color: str, hatched: bool = False) -> None:
    if color == NO_FILL:
        fmt.fill.background()
        fmt.line.fill.background()
        return
    if hatched:
        fmt.fill.patterned()
        fmt.fill.pattern = MSO_PATTERN.WIDE_UPWARD_DIAGONAL
        fmt.fill.fore_color.rgb = _rgb(color)
        fmt.fill.back_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        fmt.line.color.rgb = _rgb(color)
        fmt.line.width = Pt(1.5)
        return
    fmt.fill.solid()
    fmt.fill.fore_color.rgb = _rgb(color)


def _chart_data(spec: NativeChart) -> tuple[XL_CHART_TYPE, CategoryChartData | XyChartData]:
    if spec.kind == "xy":
        data = XyChartData(number_format=spec.value_format)
        for s in spec.series:
            series = data.add_series(s.name, number_format=spec.value_format)
            for x, y in zip(s.x or (), s.values, strict=True):
                if y is not None:
                    series.add_data_point(x, y)
        return XL_CHART_TYPE.XY_SCATTER_LINES_NO_MARKERS, data
    categorical = CategoryChartData(number_format=spec.value_format)
    categorical.categories = spec.categories
    columns = fan_columns(spec) if spec.kind == "band" else [FanColumn(s.name, s.values) for s in spec.series]
    n = len(spec.categories)
    columns += [FanColumn(name, (value,) * n) for name, value, _ in band_columns(spec.bands)]
    for column in columns:
        categorical.add_series(column.name, column.values)
    kind = {
        "bar": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "stacked": XL_CHART_TYPE.COLUMN_STACKED,
        "line": XL_CHART_TYPE.LINE_MARKERS,
        "band": XL_CHART_TYPE.AREA_STACKED,
    }[spec.kind]
    return kind, categorical


def _style_series(chart_series, s: Series, spec: NativeChart) -> None:
    if spec.kind in ("xy", "line"):
        line = chart_series.format.line
        line.color.rgb = _rgb(s.colors[0])
        line.width = Pt(1.5 if s.dash else 3)
        if s.dash:
            line.dash_style = MSO_LINE_DASH_STYLE.DASH
        if s.markers and len(s.values) <= 2 and spec.kind == "xy" and not s.dash:
            chart_series.format.line.fill.background()
        chart_series.marker.style = XL_MARKER_STYLE.CIRCLE if s.markers else XL_MARKER_STYLE.NONE
        if s.markers:
            chart_series.marker.size = 10
            _fill(chart_series.marker.format, s.colors[0])
        chart_series.smooth = False
    else:
        _fill(chart_series.format, s.colors[0], s.hatched)
        if len(s.colors) > 1:
            for i, color in enumerate(s.colors):
                _fill(chart_series.points[i].format, color, s.hatched)
    if s.labels and spec.kind != "xy":  # an XY point is named by its series (the legend)
        labels = chart_series.data_labels
        labels.show_value = True
        labels.number_format = signed_format(spec.label_format, s.label_sign)
        labels.number_format_is_linked = False
        labels.font.size = Pt(CHART_PT)
        if spec.kind == "stacked" and _dark(s.colors[0]):  # labels sit inside the column
            labels.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def _tick_skip(chart, n: int) -> None:
    """Label every k-th category (k dividing n − 1, so the first and last, the tail bins, are
    both labelled) when there are more than 12."""
    if n <= 12:
        return
    skip = next((k for k in range(max(2, (n - 1) // 10), n) if (n - 1) % k == 0), n - 1)
    axis = chart.category_axis._element
    element = OxmlElement("c:tickLblSkip")
    element.set("val", str(skip))
    anchor = axis.find(qn("c:noMultiLvlLbl"))
    if anchor is not None:
        anchor.addprevious(element)
    else:
        axis.append(element)


def add_native_chart(slide, spec: NativeChart, left, top, width, height, alt_text: str, currency: str = "$"):
    """One native chart on the slide; returns its graphic frame."""
    kind, data = _chart_data(spec)
    frame = slide.shapes.add_chart(kind, left, top, width, height, data)
    chart = frame.chart
    chart.font.size = Pt(CHART_PT)
    chart.font.color.rgb = INK
    chart.has_title = bool(spec.title)
    if spec.title:
        chart.chart_title.text_frame.text = spec.title
        for run in chart.chart_title.text_frame.paragraphs[0].runs:
            run.font.size, run.font.bold = Pt(16), True
    chart.has_legend = spec.legend
    if spec.legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(CHART_PT)
    _axes(chart, spec)
    if spec.kind == "band":
        _bands(chart, spec)
        _alt_text(frame, alt_text)
        return frame
    plot = chart.plots[0]
    if spec.kind == "stacked":
        plot.gap_width, plot.overlap = 50, 100
    elif spec.kind == "bar":
        plot.gap_width = 0 if spec.histogram else 60
        plot.vary_by_categories = False
    for chart_series, s in zip(list(plot.series)[: len(spec.series)], spec.series, strict=True):
        _style_series(chart_series, s, spec)
    if spec.kind != "xy":
        _tick_skip(chart, len(spec.categories))
    _extras(chart, spec, currency)
    _alt_text(frame, alt_text)
    return frame


def _rgb_alpha(color: str) -> tuple[str, int]:
    """(``RRGGBB``, alpha in 1/1000 %) of ``#RRGGBB`` or ``rgba(r, g, b, a)``."""
    alpha = 1.0
    if color.strip().startswith("rgba"):
        alpha = float(color[color.index("(") + 1 : color.index(")")].split(",")[3])
    return str(_rgb(color)), round(alpha * 100000)


def _shape_properties(ser, xml: str) -> None:
    """Replace the series' ``c:spPr`` (right after ``c:tx``) with ``xml``."""
    old = ser.find(qn("c:spPr"))
    if old is not None:
        ser.remove(old)
    ser.find(qn("c:tx")).addnext(parse_xml(f"<c:spPr {nsdecls('c', 'a')}>{xml}</c:spPr>"))


@dataclass(frozen=True)
class FanColumn:
    """One column of a fan chart's sheet: ``area`` (stacked on the columns before it; ``color``
    None = invisible) or a line (``dash`` for another variant's band edges)."""

    name: str
    values: tuple[float | None, ...]
    area: bool = False
    color: str | None = None
    dash: bool = False


Values = tuple[float | None, ...]


def _minus(a: Values, b: Values) -> Values:
    return tuple(None if x is None or y is None else x - y for x, y in zip(a, b, strict=True))


def _level(values: Values) -> float:
    """Where a line lies, to order a fan's edges: the sum of its points."""
    return sum(v for v in values if v is not None)


def _edges(band: Series) -> tuple[tuple[str, Values], tuple[str, Values]]:
    """A band "Baseline P5–P95"'s two edges, ("Baseline P5", low) and ("Baseline P95", high)."""
    variant, labels = band.name.split()[0], band.name.split()[-1].split("–")
    return (f"{variant} {labels[0]}", band.low or ()), (f"{variant} {labels[-1]}", band.values)


def fan_columns(spec: NativeChart) -> list[FanColumn]:
    """A band chart as PowerPoint draws a fan: the first variant's nested bands (e.g. P5–P95
    and P25–P75) as one stack of areas — its lowest edge invisible, then each edge's distance
    above the one below, shaded as the bands covering it overlap — and every line on top: the
    medians, and each other variant's widest band as two dashed edges. Areas first, then lines."""
    bands = [s for s in spec.series if s.low is not None]
    variant = bands[0].name.split()[0] if bands else ""
    first = [b for b in bands if b.name.split()[0] == variant]
    edges = sorted((e for b in first for e in _edges(b)), key=lambda edge: _level(edge[1]))
    columns = [FanColumn(edges[0][0], edges[0][1], area=True)] if edges else []
    for (low_name, low), (high_name, high) in itertools.pairwise(edges):
        covering = [
            b for b in first if _level(b.low or ()) <= _level(low) and _level(high) <= _level(b.values)
        ]
        alpha = 1 - math.prod(1 - _rgb_alpha(b.colors[0])[1] / 100000 for b in covering)
        color = f"{_rgb_alpha(first[0].colors[0])[0]}:{round(alpha * 100000)}" if covering else None
        columns.append(
            FanColumn(f"{low_name}–{high_name.split()[-1]}", _minus(high, low), area=True, color=color)
        )
    widest: dict[str, Series] = {}
    for b in bands:
        name = b.name.split()[0]
        if name != variant and (
            name not in widest
            or _level(_minus(b.values, b.low or ()))
            > _level(_minus(widest[name].values, widest[name].low or ()))
        ):
            widest[name] = b
    for s in spec.series:
        if s.low is None:
            columns.append(FanColumn(s.name, s.values, color=s.colors[0]))
        elif s is widest.get(s.name.split()[0]):
            columns += [FanColumn(name, values, color=s.colors[0], dash=True) for name, values in _edges(s)]
    return columns


def _bands(chart, spec: NativeChart) -> None:
    """The fan (see :func:`fan_columns`): one stacked-area group and one line group on the same
    axes, PowerPoint's (and Excel's) own way to draw a fan; each number stays in the sheet."""
    area = chart._chartSpace.find(".//" + qn("c:areaChart"))
    axes = "".join(f'<c:axId val="{a.get("val")}"/>' for a in area.findall(qn("c:axId")))
    lines = parse_xml(
        f'<c:lineChart {nsdecls("c")}><c:grouping val="standard"/><c:varyColors val="0"/>'
        f'<c:marker val="1"/>{axes}</c:lineChart>'
    )
    hidden = []
    for ser, column in zip(area.findall(qn("c:ser")), fan_columns(spec), strict=True):
        if column.area and column.color is None:
            _shape_properties(ser, "<a:noFill/><a:ln><a:noFill/></a:ln>")
            hidden.append(ser.find(qn("c:idx")).get("val"))
        elif column.area:
            color, alpha = str(column.color).split(":")
            _shape_properties(
                ser,
                f'<a:solidFill><a:srgbClr val="{color}"><a:alpha val="{alpha}"/></a:srgbClr></a:solidFill>'
                "<a:ln><a:noFill/></a:ln>",
            )
        else:
            color, _ = _rgb_alpha(str(column.color))
            dash = '<a:prstDash val="dash"/>' if column.dash else ""
            width = 19050 if column.dash else 38100
            _shape_properties(
                ser, f'<a:ln w="{width}"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill>{dash}</a:ln>'
            )
            ser.find(qn("c:spPr")).addnext(
                parse_xml(f'<c:marker {nsdecls("c")}><c:symbol val="none"/></c:marker>')
            )
            ser.append(parse_xml(f'<c:smooth {nsdecls("c")} val="0"/>'))
            lines.find(qn("c:marker")).addprevious(ser)
    area.addnext(lines)
    legend = chart.legend._element  # the invisible lowest edge is not in the legend
    for idx in hidden:
        legend.find(qn("c:legendPos")).addprevious(
            parse_xml(
                f'<c:legendEntry {nsdecls("c")}><c:idx val="{idx}"/><c:delete val="1"/></c:legendEntry>'
            )
        )


def _extras(chart, spec: NativeChart, currency: str) -> None:
    """Benchmark bands behind the bars; labels under a waterfall's hairline steps."""
    if spec.kind == "stacked":
        _label_thin_steps(chart.plots[0], spec, currency)
    if spec.bands:
        _benchmark_bands(chart, spec)


THIN = 0.04
"""A waterfall step thinner than this share of the value axis has its label under it."""


def _label_thin_steps(plot, spec: NativeChart, currency: str) -> None:
    """A waterfall step too thin to hold its label (on an axis from zero, a small change is a
    hairline) is labelled just under it instead, on the invisible base column, so the label is
    not struck through by the step."""
    by_name = {s.name: (i, s) for i, s in enumerate(spec.series)}
    if BASE not in by_name:
        return
    tops = [sum(v or 0.0 for v in column) for column in zip(*(s.values for s in spec.series), strict=True)]
    low, high = spec.axis_range or (0.0, max(tops, default=0.0))
    span = (high - low) or 1.0
    chart_series = list(plot.series)
    base = chart_series[by_name[BASE][0]]
    for name, sign in ((INCREASE, 1), (DECREASE, -1)):
        if name not in by_name:
            continue
        index, s = by_name[name]
        for i, value in enumerate(s.values):
            if value is None or value >= THIN * span:
                continue
            hidden = chart_series[index].points[i].data_label._get_or_add_dLbl()
            hidden.find(qn("c:showVal")).set("val", "0")
            label = base.points[i].data_label
            label.has_text_frame = True
            label.text_frame.text = money(sign * value, currency, signed=True)
            label.position = XL_LABEL_POSITION.INSIDE_END
            for run in label.text_frame.paragraphs[0].runs:
                run.font.size, run.font.color.rgb = Pt(CHART_PT), INK


def band_columns(bands: tuple[Band, ...]) -> list[tuple[str, float, str | None]]:
    """The benchmark bands as stacked columns (name, value, colour; None = invisible): the gap
    up to each band, then the band's height, lowest band first."""
    out: list[tuple[str, float, str | None]] = []
    top = 0.0
    for band in sorted(bands, key=lambda b: b.low):
        out.append((f"Below benchmark {band.low:.0%}", band.low - top, None))
        out.append((f"Benchmark {band.low:.0%}–{band.high:.0%}", band.high - band.low, band.color))
        top = band.high
    return out


SECONDARY_AXES = (91000001, 91000002)
"""Ids of the hidden axes the bars move to when bands are drawn behind them."""


def _benchmark_bands(chart, spec: NativeChart) -> None:
    """Benchmark bands behind the bars, across the whole plot: the band columns (the last
    series, :func:`band_columns`) become a stacked group with no gap on the visible axes, drawn
    first; the bars move to hidden secondary axes on the same scale, drawn over them (PowerPoint
    draws a secondary group in front). Every value stays in the chart's sheet."""
    plot_area = chart._chartSpace.find(".//" + qn("c:plotArea"))
    bars = plot_area.find(qn("c:barChart"))
    columns = band_columns(spec.bands)
    band_series = bars.findall(qn("c:ser"))[-len(columns) :]
    primary = [a.get("val") for a in bars.findall(qn("c:axId"))]
    group = parse_xml(
        f'<c:barChart {nsdecls("c")}><c:barDir val="col"/><c:grouping val="stacked"/>'
        '<c:varyColors val="0"/><c:gapWidth val="0"/><c:overlap val="100"/>'
        + "".join(f'<c:axId val="{a}"/>' for a in primary)
        + "</c:barChart>"
    )
    anchor = group.find(qn("c:gapWidth"))
    for ser, (_, _, color) in zip(band_series, columns, strict=True):
        if color is None:
            _shape_properties(ser, "<a:noFill/><a:ln><a:noFill/></a:ln>")
        else:
            rgb, alpha = _rgb_alpha(color)
            _shape_properties(
                ser,
                f'<a:solidFill><a:srgbClr val="{rgb}"><a:alpha val="{alpha}"/></a:srgbClr></a:solidFill>'
                "<a:ln><a:noFill/></a:ln>",
            )
        anchor.addprevious(ser)
    bars.addprevious(group)
    cat, val = (str(a) for a in SECONDARY_AXES)
    for element, new in zip(bars.findall(qn("c:axId")), (cat, val), strict=True):
        element.set("val", new)
    low, high = spec.axis_range or (0.0, nice_range(0.0, max(b.high for b in spec.bands) * 1.1)[1])
    chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = low, high
    plot_area.find(qn("c:valAx")).addnext(
        parse_xml(
            f'<c:valAx {nsdecls("c")}><c:axId val="{val}"/><c:scaling><c:orientation val="minMax"/>'
            f'<c:max val="{high}"/><c:min val="{low}"/></c:scaling><c:delete val="1"/>'
            '<c:axPos val="r"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
            f'<c:tickLblPos val="nextTo"/><c:crossAx val="{cat}"/><c:crosses val="max"/>'
            '<c:crossBetween val="between"/></c:valAx>'
        )
    )
    plot_area.find(qn("c:valAx")).addnext(
        parse_xml(
            f'<c:catAx {nsdecls("c")}><c:axId val="{cat}"/><c:scaling><c:orientation val="minMax"/>'
            '</c:scaling><c:delete val="1"/><c:axPos val="b"/><c:majorTickMark val="none"/>'
            f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="{val}"/>'
            '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
            '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        )
    )


def _axes(chart, spec: NativeChart) -> None:
    """Number formats, range, titles and light gridlines of the chart's axes."""
    axis = chart.value_axis
    axis.tick_labels.number_format = spec.value_format
    axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = GRID
    if spec.axis_range is not None:
        axis.minimum_scale, axis.maximum_scale = spec.axis_range
    if spec.axis_title:
        axis.has_title = True
        axis.axis_title.text_frame.text = spec.axis_title
    x_axis = chart.category_axis
    if spec.kind == "xy":
        x_axis.tick_labels.number_format = spec.x_format
        x_axis.tick_labels.number_format_is_linked = False
        x_axis.minimum_scale = 0
        if spec.x_format == "0%":
            x_axis.maximum_scale = 1
    if spec.x_title:
        x_axis.has_title = True
        x_axis.axis_title.text_frame.text = spec.x_title


def _chart(prs, pack: BoardPack, spec: ChartSlide, images: dict[str, bytes]) -> None:
    slide = _frame(prs, pack, spec.title, spec.notes, spec.warnings)
    lines = len(spec.takeaway) // 120 + 1  # characters a 12.3 in line holds at 16 pt
    _text(
        slide,
        spec.takeaway,
        MARGIN,
        Inches(0.95),
        WIDTH - 2 * MARGIN,
        Inches(0.3) * lines,
        TAKEAWAY_PT,
        color=MUTED,
    )
    top = Inches(1.1) + Inches(0.3) * lines
    height = HEIGHT - top - Inches(0.6) - Inches(0.3) * len(spec.warnings)
    if spec.native is None and spec.message is not None:
        _text(
            slide,
            spec.message,
            MARGIN,
            top + height // 3,
            WIDTH - 2 * MARGIN,
            Inches(1),
            20,
            color=MUTED,
            align=PP_ALIGN.CENTER,
        )
        return
    if spec.native is None:
        width = min(PICTURE_WIDTH, Emu(int(height * 16 / 9)))
        picture = slide.shapes.add_picture(io.BytesIO(images[spec.key]), (WIDTH - width) // 2, top, width)
        if picture.height > height:  # keep inside the space (aspect kept)
            picture.width = Emu(int(picture.width * height / picture.height))
            picture.height = height
            picture.left = (WIDTH - picture.width) // 2
        _alt_text(picture, spec.alt_text)
        return
    panels = len(spec.native)
    gap = Inches(0.3)
    panel_width = Emu((WIDTH - 2 * MARGIN - gap * (panels - 1)) // panels)
    for i, panel in enumerate(spec.native):
        suffix = f" — {panel.title}" if panel.title and panels > 1 else ""
        add_native_chart(
            slide,
            panel,
            MARGIN + i * (panel_width + gap),
            top,
            panel_width,
            height,
            spec.alt_text + suffix,
            pack.currency,
        )


def _slide(prs, pack: BoardPack, spec: Slide, images: dict[str, bytes]) -> None:
    if isinstance(spec, ChartSlide):
        _chart(prs, pack, spec, images)
    elif isinstance(spec, TableSlide):
        _table(prs, pack, spec)
    else:
        _bullets(prs, pack, spec)


def write_pptx(pack: BoardPack, images: dict[str, bytes]) -> bytes:
    """The .pptx bytes; ``images`` holds the PNG of each chart slide without native charts, by
    its key."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    prs.core_properties.title = pack.title
    _cover(prs, pack)
    for spec in pack.slides:
        _slide(prs, pack, spec, images)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
