"""Charts as files: PNG/SVG/PDF rendered server-side by kaleido from the dashboard's figures.

kaleido drives a Chrome/Chromium that is already on the machine (Debian's ``chromium``, or
``BROWSER_PATH``); Strata never downloads one at run time. Without one, :func:`render` raises
:class:`ExportUnavailable` with a message that says so, and the charts' camera buttons (which
render in the user's browser) still work.
"""

from __future__ import annotations

import asyncio

import plotly.graph_objects as go

FORMATS = ("png", "svg", "pdf")
SLIDE_SIZE = (1600, 900)
"""Rendered size in CSS pixels (16:9); PNGs are scaled ×2 on top (3200 × 1800)."""
PNG_SCALE = 2


class ExportUnavailable(RuntimeError):
    """No Chrome/Chromium for kaleido: server-side export is off on this machine."""


NO_BROWSER = (
    "Server-side export needs Chrome or Chromium on the server, and none was found "
    "(install Debian's chromium, or set BROWSER_PATH). The camera button on each "
    "chart still downloads a PNG from your browser."
)


def browser_path() -> str | None:
    """The Chrome/Chromium kaleido would use, or None. Looks only at installed browsers."""
    from choreographer.browsers.chromium import Chromium

    return Chromium.find_browser(skip_local=True)


TEXT_SCALE = 1.5
"""How much larger than on screen labels with a set size (panel titles, bar labels) become."""


def presentation(fig: go.Figure, footnote: str, *, with_title: bool = True) -> go.Figure:
    """The figure restyled for a slide: white background, larger type, a source footnote.

    ``with_title=False`` drops the chart's own title (a slide shows it as its heading).
    """
    styled = go.Figure(fig)
    if not with_title:
        styled.update_layout(title_text="")
    annotations = []
    for note in styled.layout.annotations or ():
        size = note.font.size if note.font and note.font.size else 13
        annotations.append(note.update(font_size=round(size * TEXT_SCALE)))
    for trace in styled.data:
        if "textfont" in trace and trace.text is not None:
            size = trace.textfont.size if trace.textfont and trace.textfont.size else 13
            trace.update(textfont_size=round(size * TEXT_SCALE))
    annotations.append(
        dict(
            text=footnote,
            x=0,
            y=-0.13,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font=dict(size=16, color="#666"),
        )
    )
    styled.update_layout(
        width=SLIDE_SIZE[0],
        height=SLIDE_SIZE[1],
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=dict(size=20),
        title=dict(font=dict(size=30)),
        annotations=annotations,
        margin=dict(l=110, r=50, t=110 if with_title else 70, b=140),
        hoverlabel=None,
    )
    return styled


RENDER_TIMEOUT = 90
"""Seconds kaleido may take per chart before giving up (a hung browser must not hang a request)."""


def render_many(figs: list[go.Figure], fmt: str) -> list[bytes]:
    """Each figure as PNG (×2), SVG or PDF bytes, in one browser session.

    A session per call (about 3 s to start, then ~0.3 s a chart) rather than a browser kept
    alive across requests: a long-lived browser shared with forked background jobs can hang.
    Raises ExportUnavailable without a browser, ValueError for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if browser_path() is None:
        raise ExportUnavailable(NO_BROWSER)
    import kaleido

    async def session() -> list[bytes]:
        async with kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT, mathjax=False) as k:
            return [await k.calc_fig(fig.to_dict(), opts=_options(fig, fmt)) for fig in figs]

    return asyncio.run(session())


def _options(fig: go.Figure, fmt: str) -> dict:
    return dict(
        format=fmt,
        width=fig.layout.width or SLIDE_SIZE[0],
        height=fig.layout.height or SLIDE_SIZE[1],
        scale=PNG_SCALE if fmt == "png" else 1,
    )


def render(fig: go.Figure, fmt: str) -> bytes:
    """One figure as PNG (×2), SVG or PDF bytes (see :func:`render_many`)."""
    return render_many([fig], fmt)[0]
