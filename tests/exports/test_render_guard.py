"""The chart renderer runs under a hard wall-clock limit: a renderer that hangs is killed with
every process it started, and the export fails with a message to try again; a renderer whose web
process dies exits too. No browser needed: a fake renderer, or a fake kaleido module that hangs
like the real one did, stands in."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import plotly.graph_objects as go
import psutil
import pytest

import exports.render
from exports.render import ExportFailed, ExportUnavailable, render_many

# a renderer that starts a child in a session of its own (as kaleido starts Chromium), says
# its pid, and never answers
HANGS = """
import subprocess, sys, time
child = subprocess.Popen(["sleep", "300"], start_new_session=True)
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(300)
"""


@pytest.fixture
def fake_renderer(monkeypatch, tmp_path):
    """Install a fake renderer from Python source; return the file its child's pid goes to."""
    monkeypatch.setattr(exports.render, "browser_path", lambda: "/usr/bin/chromium")
    pid_file = tmp_path / "child.pid"

    def use(source: str):
        script = tmp_path / "renderer.py"
        script.write_text(source)
        command = [sys.executable, str(script), str(pid_file)]
        monkeypatch.setattr(exports.render, "_worker_command", lambda: command)
        return pid_file

    return use


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_hung_renderer_is_killed_with_its_children_and_the_export_says_try_again(fake_renderer):
    pid_file = fake_renderer(HANGS)
    start = time.monotonic()
    with pytest.raises(ExportFailed, match=r"did not answer in 2 s\); try again") as failed:
        render_many([go.Figure()], "png", timeout=2)
    assert time.monotonic() - start < 10  # 2 s limit + killing and reaping
    assert isinstance(failed.value, ExportUnavailable)  # callers show it like "no browser"
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(child), "the renderer's child outlived it"


def test_a_renderer_that_stops_is_a_message_too(fake_renderer):
    fake_renderer("import sys; sys.exit('chromium crashed')")
    with pytest.raises(ExportFailed, match=r"stopped: chromium crashed\); try again"):
        render_many([go.Figure()], "svg", timeout=30)


def test_images_come_back_in_order(fake_renderer):
    fake_renderer(
        "import base64, json, sys\n"
        "items = json.load(sys.stdin)['items']\n"
        "json.dump([base64.b64encode(i['options']['format'].encode() + str(i['figure']['layout']"
        "['title']['text']).encode()).decode() for i in items], sys.stdout)\n"
    )
    figs = [go.Figure(layout_title_text=t) for t in ("one", "two")]
    assert render_many(figs, "pdf", timeout=30) == [b"pdfone", b"pdftwo"]


# kaleido as it behaved: it starts a browser (in a session of its own) and never answers
HANGING_KALEIDO = """
import asyncio, os, subprocess

class Kaleido:
    def __init__(self, **options):
        pass

    async def __aenter__(self):
        browser = subprocess.Popen(["sleep", "300"], start_new_session=True)
        open(os.environ["FAKE_BROWSER_PID"], "w").write(str(browser.pid))
        return self

    async def __aexit__(self, *exc):
        return False

    async def calc_fig(self, figure, opts):
        await asyncio.sleep(300)
"""
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hanging_kaleido(monkeypatch, tmp_path):
    """The real worker with a kaleido that hangs; the file its browser's pid goes to."""
    (tmp_path / "fake" / "kaleido").mkdir(parents=True)
    (tmp_path / "fake" / "kaleido" / "__init__.py").write_text(HANGING_KALEIDO)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "fake"))
    monkeypatch.setenv("FAKE_BROWSER_PID", str(tmp_path / "browser.pid"))
    monkeypatch.setattr(exports.render, "browser_path", lambda: "/usr/bin/chromium")
    return tmp_path / "browser.pid"


def _wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _gone(pid)


def test_the_real_worker_with_a_hanging_kaleido_is_killed_with_its_browser(hanging_kaleido):
    start = time.monotonic()
    with pytest.raises(ExportFailed, match=r"did not answer in 3 s\); try again"):
        render_many([go.Figure()], "png", timeout=3)
    assert time.monotonic() - start < 12
    assert _wait_gone(int(hanging_kaleido.read_text())), "the browser outlived the renderer"


def test_a_renderer_exits_with_its_browser_when_the_web_process_dies(hanging_kaleido):
    """gunicorn kills a worker that overruns its own timeout: the renderer must not linger."""
    web = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import plotly.graph_objects as go, exports.render as r\n"
            "r.browser_path = lambda: 'chromium'\n"
            "r.render_many([go.Figure()], 'png', timeout=300)",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{os.environ['PYTHONPATH']}{os.pathsep}{ROOT}"},
    )
    try:
        deadline = time.monotonic() + 60
        while not hanging_kaleido.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        browser = int(hanging_kaleido.read_text())
        renderer = psutil.Process(web.pid).children()[0].pid
    finally:
        web.send_signal(signal.SIGKILL)
        web.wait()
    assert _wait_gone(renderer) and _wait_gone(browser), (
        "the renderer or its browser outlived the web process"
    )
