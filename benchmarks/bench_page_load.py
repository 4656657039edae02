"""Page load on the demo data: headless Chromium opens each page until all its figures are drawn.

Starts `python app.py` on 127.0.0.1:8059 (a cold first load is reported separately), then loads
every page seven times and reports two medians:

* in the page: from the navigation's start (``performance.now()`` counts from it) until every
  chart has drawn, every table and grid shows its rows, and the page's main thread has been
  free of long tasks (> 50 ms) for 100 ms; the time is the end of the last long task, or when
  the content was there if that came later. This is what the person at the screen waits for.
* WebDriver: from ``driver.get`` to WebDriver seeing the same state. It adds the unloading of
  the previous page and WebDriver's own polling, which waits whenever the page's main thread is
  busy drawing, so it is an upper bound.

Run: .venv/bin/python benchmarks/bench_page_load.py   (needs Debian's chromium and chromium-driver)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

URL = "http://127.0.0.1:8059"
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
# are all drawn and no long task has run for 100 ms; then stamps the time.
WATCH = """
window.__drawn = null; window.__want = null; window.__busyUntil = 0;
new PerformanceObserver(list => list.getEntries().forEach(t => {
  window.__busyUntil = Math.max(window.__busyUntil, t.startTime + t.duration);
})).observe({type: 'longtask', buffered: true});
let contentAt = null;
(function poll() {
  const want = window.__want, now = performance.now();
  const all = (selector, inner, n) => {
    const found = [...document.querySelectorAll(selector)];
    return found.length >= n && found.every(e => e.querySelector(inner));
  };
  if (contentAt === null && want !== null && all('.dash-graph', '.main-svg', want[0])
      && all('.ag-root-wrapper', '.ag-row', want[1]) && all('.dash-table-container', 'td', want[2])) {
    contentAt = now;
  }
  if (contentAt !== null && now - Math.max(contentAt, window.__busyUntil) > 100) {
    window.__drawn = Math.max(contentAt, window.__busyUntil);
  } else requestAnimationFrame(poll);
})();
"""


def browser() -> webdriver.Chrome:
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
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    return driver


def load(driver: webdriver.Chrome, path: str) -> tuple[float, float]:
    """(in-page ms, WebDriver ms) for one full load of ``path``, after a second of quiet (the
    previous page's leftover work would otherwise land on this one)."""
    time.sleep(1)
    start = time.perf_counter()
    driver.get(URL + path)
    driver.execute_script(f"window.__want = {list(PAGES[path])};")
    deadline = start + 20
    while time.perf_counter() < deadline:
        drawn = driver.execute_script("return window.__drawn;")
        if drawn is not None:
            return drawn, (time.perf_counter() - start) * 1000
        time.sleep(0.01)
    raise TimeoutError(f"{path} did not draw its charts and grids within 20 s")


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    server = subprocess.Popen(
        [sys.executable, "app.py", "--port", "8059"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(URL, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        driver = browser()
        try:
            page, wall = load(driver, "/")
            print(f"cold first load of /: in the page {page:.0f} ms, WebDriver {wall:.0f} ms")
            print(f"{'page':<15} {'in the page':>12} {'WebDriver':>10}   (medians of {RUNS}, ms)")
            for path in PAGES:
                runs = [load(driver, path) for _ in range(RUNS)]
                print(
                    f"{path:<15} {statistics.median(r[0] for r in runs):12.0f} "
                    f"{statistics.median(r[1] for r in runs):10.0f}"
                )
        finally:
            driver.quit()
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
