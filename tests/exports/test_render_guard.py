"""The chart renderer runs under a hard wall-clock limit: a renderer that hangs is killed with
every process it started, and the export fails with a message to try again. No browser needed:
a fake renderer stands in for kaleido."""

import sys
import time

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
