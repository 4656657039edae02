"""Page load on the demo data: headless Chromium opens each page until all its figures are drawn.

Starts `python app.py` on a free 127.0.0.1 port (``--port N`` to choose) with a cache directory
of its own (a cold first load is reported separately), then loads every page seven times and
reports three medians (ms):

* drawn: from the navigation's start (``performance.now()`` counts from it) until every chart
  shows the figure the server sent (its Plotly element holds at least one trace: an empty
  ``dcc.Graph`` draws blank axes before its callback answers, which must not count), every table
  and grid shows its rows. This is the figure compared with the issue's 300 ms target.
* settled: ``drawn``, or the end of the last long task (> 50 ms) on the page's main thread if
  that came later (the wait ends once the thread has been quiet for 100 ms, which is not
  counted). It includes work after the content is on screen (e.g. Plotly's second layout pass).
* WebDriver: from ``driver.get`` to WebDriver seeing the settled state. It adds the unloading
  of the previous page and WebDriver's own polling, which waits whenever the page's main thread
  is busy drawing, so it is an upper bound.

Where the time goes (Resource Timing, ms from the navigation's start): "scripts" when the last
script had arrived (Dash's renderer, React, Plotly, components), "answered" when the last
callback's answer had arrived, and "callbacks" how many ``/_dash-update-component`` requests
the load made; drawn − answered is the drawing after the last answer.

Then, as a user moves between pages: "in-app navigation", from clicking the page's link in the
sidebar (from the Data page, or from the Overview for the Data page; no reload, the scripts
are loaded) until its charts, tables and grids are drawn (median and range).

Run: .venv/bin/python benchmarks/bench_page_load.py [--port N] [--runs 7]
(needs Debian's chromium and chromium-driver)
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

PAGES = {
    "/": (2, 0, 0),
    "/concentration": (2, 0, 1),
    "/tiers": (2, 0, 1),
    "/retention": (2, 0, 0),
    "/capacity": (2, 0, 1),
    "/data": (0, 1, 0),
}
"""(charts, ag-grids, tables) on each page with the demo data."""
RUNS = 7

# Installed before any page script runs: records long tasks, and polls every animation frame
# until the page's charts, grids and tables (how many: window.__want, set once the page is there)
# are all drawn (window.__content) and no long task has run for 100 ms (window.__drawn).
WATCH = """
window.__drawn = null; window.__content = null; window.__want = null; window.__busyUntil = 0;
new PerformanceObserver(list => list.getEntries().forEach(t => {
  window.__busyUntil = Math.max(window.__busyUntil, t.startTime + t.duration);
})).observe({type: 'longtask', buffered: true});
let contentAt = null;
(function poll() {
  const want = window.__want, now = performance.now();
  const all = (selector, shows, n) => {
    const found = [...document.querySelectorAll(selector)];
    return found.length >= n && found.every(shows);
  };
  const figure = e => {
    const plot = e.querySelector('.js-plotly-plot');
    return plot !== null && plot._fullLayout !== undefined && (plot.data || []).length > 0;
  };
  const has = inner => e => e.querySelector(inner) !== null;
  if (contentAt === null && want !== null && all('.dash-graph', figure, want[0])
      && all('.ag-root-wrapper', has('.ag-row'), want[1])
      && all('.dash-table-container', has('td'), want[2])) {
    contentAt = now; window.__content = now;
  }
  if (contentAt !== null && now - Math.max(contentAt, window.__busyUntil) > 100) {
    window.__drawn = Math.max(contentAt, window.__busyUntil);
  } else requestAnimationFrame(poll);
})();
"""


# In-app navigation: marks what is on screen as old, clicks the page's link in the sidebar and
# polls every animation frame until the new page's charts, grids and tables are drawn.
NAVIGATE = """
const [path, want] = arguments;
document.querySelectorAll('.dash-graph, .ag-root-wrapper, .dash-table-container')
  .forEach(e => { e.__old = true; });
window.__navDrawn = null;
const fresh = selector => [...document.querySelectorAll(selector)].filter(e => !e.__old);
const figure = e => {
  const plot = e.querySelector('.js-plotly-plot');
  return plot !== null && plot._fullLayout !== undefined && (plot.data || []).length > 0;
};
const has = inner => e => e.querySelector(inner) !== null;
const t0 = performance.now();
(function poll() {
  const g = fresh('.dash-graph'), a = fresh('.ag-root-wrapper'), t = fresh('.dash-table-container');
  if (g.length >= want[0] && g.every(figure) && a.length >= want[1] && a.every(has('.ag-row'))
      && t.length >= want[2] && t.every(has('td'))) {
    window.__navDrawn = performance.now() - t0;
  } else requestAnimationFrame(poll);
})();
document.querySelector(`a.nav-link[href='${path}']`).click();
"""


def navigate(driver: webdriver.Chrome, path: str) -> float:
    """ms from clicking ``path``'s link in the sidebar (no reload) to its content drawn."""
    driver.execute_script(NAVIGATE, path, list(PAGES[path]))
    deadline = time.perf_counter() + 20
    while time.perf_counter() < deadline:
        drawn = driver.execute_script("return window.__navDrawn;")
        if drawn is not None:
            return drawn
        time.sleep(0.01)
    raise TimeoutError(f"{path} did not draw its charts and grids within 20 s of its link's click")


def browser(watch: str = WATCH) -> webdriver.Chrome:
    """Headless Chromium (Debian's) at 1400 × 1000 with ``watch`` run before every page's scripts."""
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--window-size=1400,1000",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": watch})
    return driver


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(port: int):
    """``python app.py --port PORT`` from this checkout with a cache directory of its own (so no
    other run's sessions are read); yields its URL once it answers, stops it afterwards."""
    root = Path(__file__).resolve().parents[1]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="strata-bench-") as cache:
        server = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)],
            cwd=root,
            env={**os.environ, "STRATA_CACHE_DIR": cache},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen(url, timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError(f"app.py did not answer on {url} within 60 s")
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


ANSWERED = """
const calls = performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component'));
const scripts = performance.getEntriesByType('resource').filter(e => e.initiatorType === 'script');
return [Math.max(0, ...calls.map(e => e.responseEnd)), calls.length,
        Math.max(0, ...scripts.map(e => e.responseEnd))];
"""
"""When the last callback's answer arrived (ms from navigation), how many callbacks, and when
the last script had arrived."""


def load(driver: webdriver.Chrome, url: str, path: str) -> tuple[float, ...]:
    """(drawn, settled, WebDriver, last answer, callbacks, scripts loaded) in ms for one full
    load of ``path``, after a second of quiet (the previous page's leftover work would
    otherwise land on this one)."""
    time.sleep(1)
    start = time.perf_counter()
    driver.get(url + path)
    driver.execute_script(f"window.__want = {list(PAGES[path])};")
    deadline = start + 20
    while time.perf_counter() < deadline:
        drawn = driver.execute_script("return [window.__content, window.__drawn];")
        if drawn[1] is not None:
            wall = (time.perf_counter() - start) * 1000
            return drawn[0], drawn[1], wall, *driver.execute_script(ANSWERED)
        time.sleep(0.01)
    raise TimeoutError(f"{path} did not draw its charts and grids within 20 s")


def row(path: str, runs: list[tuple[float, ...]]) -> str:
    """One page's medians (and the range of ``drawn``)."""
    drawn = [r[0] for r in runs]
    med = [statistics.median(r[i] for r in runs) for i in range(6)]
    spread = f"{min(drawn):.0f}–{max(drawn):.0f}"
    return (
        f"{path:<15} {med[0]:7.0f} {spread:>12} {med[1]:8.0f} {med[2]:10.0f}"
        f" {med[5]:8.0f} {med[3]:9.0f} {med[4]:10.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="the app's port (default: a free one)")
    parser.add_argument("--runs", type=int, default=RUNS, help="loads per page")
    args = parser.parse_args()
    with running_app(args.port or free_port()) as url:
        driver = browser()
        try:
            content, page, wall, *_ = load(driver, url, "/")
            print(f"cold first load of /: drawn {content:.0f} ms, settled {page:.0f}, WebDriver {wall:.0f}")
            print(
                f"{'page':<15} {'drawn':>7} {'(range)':>12} {'settled':>8} {'WebDriver':>10}"
                f" {'scripts':>8} {'answered':>9} {'callbacks':>10}   (medians of {args.runs}, ms)"
            )
            for path in PAGES:
                runs = [load(driver, url, path) for _ in range(args.runs)]
                print(row(path, runs))
            print("in-app navigation (the sidebar link clicked, from another page): drawn, ms")
            navigate(driver, "/")  # off the Data page the full loads ended on
            for path in PAGES:
                times = []
                for _ in range(args.runs):
                    navigate(driver, "/data" if path != "/data" else "/")
                    time.sleep(1)
                    times.append(navigate(driver, path))
                    time.sleep(1)
                print(
                    f"{path:<15} {statistics.median(times):7.0f} {f'{min(times):.0f}–{max(times):.0f}':>12}"
                )
        finally:
            driver.quit()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
