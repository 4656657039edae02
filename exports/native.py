"""What an editable PowerPoint chart holds, read from the dashboard's own Plotly figure.

:func:`native_charts` turns a figure's bar, waterfall and line traces into :class:`NativeChart`
specs (categories, series, colours, Excel number formats), one per panel, so the chart on the
slide holds the very numbers of the chart on screen and can be restyled or corrected in
PowerPoint. A figure it cannot express (filled bands such as the simulator's fan, heatmaps, a
message instead of a chart) gives ``None`` and stays a picture.

A waterfall becomes a stacked column chart (PowerPoint's own waterfall type cannot be written by
python-pptx): an invisible ``Base`` series, then ``Increase``, ``Decrease`` and ``Total``; step
``i``'s amount is ``Total[i]`` for a total, ``Increase[i] − Decrease[i]`` for a change.
A histogram (bars with a width on a numeric axis) becomes one category per bin, named by its
centre; the end bins, which also count every path beyond the 1st and 99th percentiles
(:data:`reporting.simulation_report.TAIL`), are named by the amounts they hold, "< $X" and
"≥ $Y" (:func:`reporting.figures.tail_bin_labels`).
A benchmark band drawn behind a panel (a rectangle across it, e.g. GRR 92–98%) travels as a
:class:`Band`; the PowerPoint writer draws it behind the bars.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from portfolio.formatting import money
from reporting.figures import tail_bin_labels
from reporting.theme import TIER_COLORS

BASE, INCREASE, DECREASE, TOTAL = "Base", "Increase", "Decrease", "Total"
NO_FILL = ""
"""A series colour meaning "not drawn" (a waterfall's base)."""


@dataclass(frozen=True)
class Series:
    """One series: ``values`` (None = no point); ``colors`` one per point or one for all
    (:data:`NO_FILL` = invisible); ``hatched`` draws the bars as outline-coloured hatching on white;
    ``x`` the x values of an XY (scatter) series; ``dash``/``markers``/``labels`` as named."""

    name: str
    values: tuple[float | None, ...]
    colors: tuple[str, ...]
    hatched: bool = False
    x: tuple[float, ...] | None = None
    dash: bool = False
    markers: bool = False
    labels: bool = False
    label_sign: str = ""  # put before each data label: "−" on a waterfall's decreases
    low: tuple[float | None, ...] | None = None  # a band's lower edge (``values`` the upper)


@dataclass(frozen=True)
class Band:
    """A horizontal band across a panel, from ``low`` to ``high`` on its value axis (a
    benchmark range), in ``color``."""

    low: float
    high: float
    color: str


@dataclass(frozen=True)
class NativeChart:
    """One chart (one panel of a figure): ``kind`` "bar" (clustered columns), "stacked"
    (a waterfall's columns), "line" (lines over categories), "band" (lines and shaded bands
    over categories: the simulator's fan) or "xy" (lines over numbers)."""

    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_format: str
    label_format: str
    axis_title: str = ""
    axis_range: tuple[float, float] | None = None
    x_format: str = "General"
    x_title: str = ""
    legend: bool = False
    histogram: bool = False  # bins side by side, no gap
    bands: tuple[Band, ...] = ()


def money_format(currency: str = "$") -> str:
    """Excel number format showing ``currency`` amounts as $1.2M / $450k / $800 (negative
    amounts with a minus sign)."""
    c = '"' + currency.replace('"', "") + '"'
    return f'[>=1000000]{c}#,##0.0,,"M";[>=1000]{c}#,##0,"k";{c}#,##0'


def signed_format(number_format: str, sign: str) -> str:
    """``number_format`` with ``sign`` (a literal, e.g. "−") before every section."""
    if not sign:
        return number_format
    out = []
    for section in number_format.split(";"):
        condition = section[: section.index("]") + 1] if section.startswith("[") else ""
        out.append(f'{condition}"{sign}"{section[len(condition) :]}')
    return ";".join(out)


def _formats(axis, values: list[float | None], currency: str) -> tuple[str, str]:
    """(axis format, data-label format) for a Plotly axis."""
    tickformat = (axis.tickformat or "") if axis is not None else ""
    if axis is not None and axis.tickprefix:
        return money_format(currency), money_format(currency)
    if tickformat.endswith("%"):
        return "0%", "0.0%"
    whole = all(v is None or float(v).is_integer() for v in values)
    return ("#,##0", "#,##0") if whole else ("#,##0.0", "#,##0.0")


def _axis(fig: go.Figure, name: str):
    """``fig.layout.xaxis2`` for ``"x2"``, ``fig.layout.yaxis`` for ``"y"``."""
    return fig.layout[name[0] + "axis" + name[1:]]


def _text(value: object) -> str:
    """Plotly markup as plain text: line breaks as spaces, tags dropped, entities read (a name
    escaped for Plotly, ``&lt;b&gt;``, is shown as typed: PowerPoint reads no markup)."""
    return html.unescape(re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/?>", " ", str(value or ""))))


def _colors(color: Any, n: int) -> tuple[str, ...]:
    """A trace's colour(s): one for all points, or one per point (at most ``n``)."""
    if color is None:
        return (TIER_COLORS["Strategic"],)  # the template's first colour
    if isinstance(color, str):
        return (color,)
    return tuple(str(c) for c in color)[:n]


def _values(values: Any) -> list[float | None]:
    """Plain floats; None for a missing point (None or NaN: a workbook cell cannot hold NaN)."""
    return [None if v is None or not math.isfinite(float(v)) else float(v) for v in list(values)]


def _bin_labels(centres: list[float], width: float, currency: str) -> tuple[str, ...]:
    """Each (equal) bin named by its centre; the end bins, which hold the tails, by the amounts
    they hold (:func:`reporting.figures.tail_bin_labels`)."""
    labels = [money(c, currency) for c in centres]
    if len(labels) >= 2:
        edges = [c - width / 2 for c in centres] + [centres[-1] + width / 2]
        labels[0], labels[-1] = tail_bin_labels(edges, currency)
    return tuple(labels)


def _bar_series(trace, n: int) -> Series:
    marker = trace.marker
    hatched = (
        isinstance(marker.color, str)
        and marker.color == "white"
        and marker.line is not None
        and marker.line.color is not None
    )
    colors = _colors(marker.line.color if hatched else marker.color, n)
    return Series(
        _text(trace.name), tuple(_values(trace.y)), colors, hatched=hatched, labels=trace.text is not None
    )


def _waterfall(trace) -> tuple[Series, ...]:
    """Base/Increase/Decrease/Total columns of a waterfall trace (see the module docstring)."""
    base: list[float | None] = []
    up: list[float | None] = []
    down: list[float | None] = []
    total: list[float | None] = []
    running = 0.0
    for value, measure in zip(_values(trace.y), trace.measure, strict=True):
        amount = value or 0.0
        if measure == "relative":
            start, running = running, running + amount
            base.append(min(start, running))
            up.append(amount if amount > 0 else None)
            down.append(-amount if amount < 0 else None)
            total.append(None)
        else:
            running = amount
            base.append(None)
            up.append(None)
            down.append(None)
            total.append(amount)
    colors = {
        INCREASE: trace.increasing.marker.color,
        DECREASE: trace.decreasing.marker.color,
        TOTAL: trace.totals.marker.color,
    }
    return (
        Series(BASE, tuple(base), (NO_FILL,)),
        *(
            Series(name, tuple(values), (str(colors[name]),), labels=True, label_sign=sign)
            for name, values, sign in ((INCREASE, up, "+"), (DECREASE, down, "−"), (TOTAL, total, ""))
        ),
    )


def _panel_titles(fig: go.Figure, axes: list[str]) -> dict[str, str]:
    """Each x axis's panel title (the bold annotation above its domain) and the labels drawn
    inside it (benchmarks), joined with " · "."""
    titles: dict[str, list[str]] = {a: [] for a in axes}
    for note in fig.layout.annotations or ():
        if note.xref and note.xref.endswith(" domain") and note.xref.split()[0] in titles:
            if len(axes) > 1:  # a label inside one of several panels (a benchmark)
                titles[note.xref.split()[0]].append(_text(note.text))
        elif note.xref == "paper" and note.yref == "paper" and note.y == 1.0 and len(axes) > 1:
            for a in axes:
                lo, hi = _axis(fig, a).domain or (0, 1)
                if lo <= note.x <= hi:
                    titles[a].insert(0, _text(note.text))
    return {a: " · ".join(t) for a, t in titles.items()}


def native_charts(fig: go.Figure, currency: str = "$") -> list[NativeChart] | None:
    """The figure as editable charts, one per panel (left to right), or None when it has a
    trace PowerPoint has no chart for (heatmaps, horizontal bars, fills other than a band
    between two lines over categories) or no trace at all.

    ``currency`` is the symbol of money axes and labels (the figure's own ``$`` is not read).
    """
    if not fig.data:
        return None
    panels: dict[str, list] = {}
    for trace in fig.data:
        if trace.type not in ("bar", "waterfall", "scatter"):
            return None
        fill = getattr(trace, "fill", None)
        if fill not in (None, "none", "tonexty") or (
            fill == "tonexty" and not isinstance(next(iter(trace.x)), str)
        ):
            return None  # a band is drawn over categories only
        if trace.type == "bar" and trace.orientation == "h":
            return None
        panels.setdefault(trace.xaxis or "x", []).append(trace)
    titles = _panel_titles(fig, list(panels))
    charts = [_panel(fig, traces, titles[axis], currency) for axis, traces in panels.items()]
    return charts if all(c is not None for c in charts) else None  # type: ignore[return-value]


def _panel(fig: go.Figure, traces: list, title: str, currency: str) -> NativeChart | None:
    first = traces[0]
    yaxis = _axis(fig, first.yaxis or "y")
    xaxis = _axis(fig, first.xaxis or "x")
    axis_range = tuple(float(v) for v in yaxis.range) if yaxis.range else None
    common: dict[str, Any] = dict(
        title=title,
        axis_title=_text(yaxis.title.text) if yaxis.title else "",
        axis_range=axis_range,
        x_title=_text(xaxis.title.text) if xaxis.title else "",
        legend=bool(fig.layout.showlegend is not False and len(traces) > 1),
    )
    if first.type == "waterfall":
        series = _waterfall(first)
        fmt = _formats(yaxis, [], currency)
        return NativeChart(
            "stacked",
            categories=tuple(_text(x) for x in first.x),
            series=series,
            value_format=fmt[0],
            label_format=fmt[1],
            **common | dict(legend=False),
        )
    if first.type == "bar":
        x = list(first.x)
        histogram = first.width is not None and not isinstance(x[0], str)
        if histogram:
            categories = _bin_labels([float(v) for v in x], float(first.width), currency)
        else:
            categories = tuple(_text(v) for v in x)
        series = tuple(_bar_series(t, len(x)) for t in traces)
        fmt = _formats(yaxis, [v for s in series for v in s.values], currency)
        return NativeChart(
            "bar",
            categories=categories,
            series=series,
            value_format=fmt[0],
            label_format=fmt[1],
            histogram=histogram,
            bands=_bands(fig, first.xaxis or "x", first.yaxis or "y"),
            **common,
        )
    if isinstance(next(iter(first.x)), str):  # lines (and bands) over categories
        return _lines(traces, yaxis, currency, common)
    series_list = [
        Series(
            _text(t.name) or (_text(t.text[0]) if t.text is not None and len(t.text) == 1 else "Series"),
            tuple(_values(t.y)),
            _colors(t.line.color if "lines" in (t.mode or "") else t.marker.color, 1),
            x=tuple(float(v) for v in t.x),
            markers="lines" not in (t.mode or ""),
            labels="text" in (t.mode or ""),
        )
        for t in traces
    ]
    series_list += _reference_lines(fig, xaxis)
    fmt = _formats(yaxis, [], currency)
    x_fmt = _formats(xaxis, [], currency)[0]
    return NativeChart(
        "xy",
        categories=(),
        series=tuple(series_list),
        value_format=fmt[0],
        label_format=fmt[1],
        x_format=x_fmt,
        **common,
    )


def _bands(fig: go.Figure, xaxis: str, yaxis: str) -> tuple[Band, ...]:
    """The rectangles drawn across this panel's width (``xref`` "<xaxis> domain", from 0 to 1)
    between two values of its ``yaxis``: its benchmark bands."""
    return tuple(
        Band(float(min(r.y0, r.y1)), float(max(r.y0, r.y1)), str(r.fillcolor))
        for r in fig.layout.shapes or ()
        if r.type == "rect"
        and r.xref == f"{xaxis} domain"
        and (r.yref or "y") == yaxis
        and (r.x0, r.x1) == (0, 1)
        and r.fillcolor is not None
    )


def nice_range(low: float, high: float, ticks: int = 5) -> tuple[float, float]:
    """``[low, high]`` widened to multiples of a round step (1, 2, 2.5 or 5 × 10^k) giving about
    ``ticks`` intervals, so the axis reads $50M, $55M, … rather than $49.4M, $54.4M."""
    span = (high - low) or abs(high) or 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def _lines(traces: list, yaxis, currency: str, common: dict[str, Any]) -> NativeChart:
    """Lines over categories; a trace filled to the one before it ("tonexty") is a band between
    the two (the earlier trace its lower edge, not drawn as a line)."""
    series = []
    for i, t in enumerate(traces):
        if i + 1 < len(traces) and traces[i + 1].fill == "tonexty":
            continue  # the next band's lower edge
        if t.fill == "tonexty":
            low = tuple(_values(traces[i - 1].y))
            series.append(Series(_text(t.name), tuple(_values(t.y)), (str(t.fillcolor),), low=low))
        else:
            series.append(
                Series(
                    _text(t.name),
                    tuple(_values(t.y)),
                    _colors(t.line.color, 1),
                    markers="markers" in (t.mode or "") and not any(x.fill == "tonexty" for x in traces),
                )
            )
    fmt = _formats(yaxis, [], currency)
    bands = [s for s in series if s.low is not None]
    if bands and common["axis_range"] is None:  # around the bands, not from zero
        lows = [v for s in bands for v in s.low or () if v is not None]
        highs = [v for s in series for v in s.values if v is not None]
        common = common | dict(axis_range=nice_range(min(lows), max(highs)))
    return NativeChart(
        "band" if bands else "line",
        categories=tuple(_text(v) for v in traces[0].x),
        series=tuple(series),
        value_format=fmt[0],
        label_format=fmt[1],
        **common | dict(legend=True),
    )


def _reference_lines(fig: go.Figure, xaxis) -> list[Series]:
    """Horizontal lines across the plot (e.g. Pareto's 80%) as two-point dashed series over the
    x axis's range, named by the label drawn at the same height."""
    lo, hi = (float(v) for v in (xaxis.range or (0, 1)))
    lines = []
    for shape in fig.layout.shapes or ():
        if shape.type == "line" and shape.y0 == shape.y1 and (shape.xref or "").endswith("domain"):
            name = next(
                (
                    _text(a.text)
                    for a in fig.layout.annotations or ()
                    if a.y == shape.y0 and a.yref == shape.yref
                ),
                f"{shape.y0:g}",
            )
            color = shape.line.color if shape.line and shape.line.color else "#666666"
            lines.append(Series(name, (float(shape.y0), float(shape.y0)), (color,), x=(lo, hi), dash=True))
    return lines
