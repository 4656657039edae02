"""Charts as files: PNG/SVG/PDF rendered server-side by kaleido from the dashboard's figures.

kaleido drives a Chrome/Chromium that is already on the machine (Debian's ``chromium``, or
``BROWSER_PATH``); Strata never downloads one at run time. Without one, :func:`render` raises
:class:`ExportUnavailable` with a message that says so, and the charts' camera buttons (which
render in the user's browser) still work.
"""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import psutil

from reporting.figures import plain_text

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
    """The figure restyled for a slide: white background, larger type, a source footnote
    (plain text: markup in it is shown, not interpreted).

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
            text=plain_text(footnote),  # the source is the upload's file name
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


SLIDE_PICTURE_SIZE = (960, 540)
"""CSS pixels of a chart drawn as a picture on a slide (16:9). The PDF pack places it 7.5–9.1 in
wide (less room with a long takeaway or warnings), where one pixel is 0.56–0.68 pt, so
:data:`SLIDE_PICTURE_FONT` px type lands at 14.1–17 pt (18 pt on a 9.6 in PowerPoint picture)."""
SLIDE_PICTURE_FONT = 25


def slide_picture(fig: go.Figure) -> go.Figure:
    """The figure as a picture for a slide whose own title and footnote frame it: no title, no
    footnote, every text at least :data:`SLIDE_PICTURE_FONT` px (≥ 14 pt when placed at
    least 7.5 in wide)."""
    styled = go.Figure(fig)
    scale = SLIDE_PICTURE_FONT / 13  # the template's 13 px base type
    for note in styled.layout.annotations or ():
        size = note.font.size if note.font and note.font.size else 13
        note.update(font_size=max(SLIDE_PICTURE_FONT, round(size * scale)))
    for trace in styled.data:
        if "textfont" in trace and trace.text is not None:
            size = trace.textfont.size if trace.textfont and trace.textfont.size else 13
            trace.update(textfont_size=max(SLIDE_PICTURE_FONT, round(size * scale)))
    styled.update_layout(
        title_text="",
        width=SLIDE_PICTURE_SIZE[0],
        height=SLIDE_PICTURE_SIZE[1],
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=dict(size=SLIDE_PICTURE_FONT),
        legend=dict(font=dict(size=SLIDE_PICTURE_FONT)),
        margin=dict(l=90, r=30, t=50, b=60),
        hoverlabel=None,
    )
    return styled


RENDER_TIMEOUT = 25
"""Seconds one render (browser start and every chart: ~6 s for a board pack) may take; then the
renderer and the browser it started are killed and the export fails with a message to try
again. Under gunicorn's default 30 s worker timeout, so the message arrives before gunicorn
would kill the worker (if it does, the renderer exits with it)."""


class ExportFailed(ExportUnavailable):
    """The renderer failed or did not answer in time: the export may work if tried again."""


def _worker_command() -> list[str]:
    return [sys.executable, str(Path(__file__).with_name("render_worker.py"))]


def render_many(figs: list[go.Figure], fmt: str, *, timeout: float = RENDER_TIMEOUT) -> list[bytes]:
    """Each figure as PNG (×2), SVG or PDF bytes, in one browser session.

    The session runs in its own process (:mod:`exports.render_worker`, about 3 s to start, then
    ~0.3 s a chart) with a hard wall-clock ``timeout`` in seconds: kaleido once waited forever
    on a browser that was gone, holding the request. Raises ExportUnavailable without a
    browser, ExportFailed when the renderer stops or does not answer in time, ValueError for
    an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if browser_path() is None:
        raise ExportUnavailable(NO_BROWSER)
    items = ",".join(
        f'{{"figure": {fig.to_json()}, "options": {json.dumps(_options(fig, fmt))}}}' for fig in figs
    )
    worker = subprocess.Popen(
        _worker_command(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = worker.communicate(f'{{"items": [{items}]}}'.encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(worker.pid)
        worker.communicate(timeout=10)
        raise ExportFailed(
            f"Export failed (the chart renderer did not answer in {timeout:g} s); try again."
        ) from None
    if worker.returncode != 0:
        last = (err.decode(errors="replace").strip().splitlines() or [f"exit status {worker.returncode}"])[-1]
        raise ExportFailed(f"Export failed (the chart renderer stopped: {last}); try again.")
    return [base64.b64decode(image) for image in json.loads(out)]


def _kill_tree(pid: int) -> None:
    """Kill a process and all its descendants (the browser starts in a session of its own, so
    its process group is not enough). Each is stopped before its children are listed, so none
    can start another meanwhile."""
    try:
        found = [psutil.Process(pid)]
    except psutil.NoSuchProcess:
        return
    for process in found:  # grows while it runs: breadth first through the tree
        try:
            process.suspend()
            found += [child for child in process.children() if child not in found]
        except psutil.NoSuchProcess:
            continue
    for process in found:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(found, timeout=5)


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
