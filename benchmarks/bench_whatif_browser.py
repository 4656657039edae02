"""A what-if change in the browser at 10,000 accounts: from the key press to the last figure drawn.

Starts `python app.py` on a free 127.0.0.1 port (``--port N`` to choose) with a cache directory
of its own, and in headless Chromium uploads ``generate_demo(10_000, seed=7)`` as a CSV through
the Data page's upload input, as a user would. Then, on each page measured (Overview, Tiers,
Retention by default), it focuses the Key-threshold handle of the what-if slider and presses an
arrow key (right, then left, alternately), seven times, and reports per page (ms):

* redrawn: in the page, from the ``keydown`` (``performance.now()`` in a capturing listener) to
  the last ``plotly_afterplot`` of any chart or the last change of the page's content (tables,
  KPI cards, text) after it; the wait ends once no callback request is open and nothing has
  changed for 200 ms (not counted). Median and range. Target: 250 ms.
* server: the callbacks' part, from the Resource Timing of each ``/_dash-update-component``
  request the key press set off (request sent → first byte of the answer, which on loopback is
  the server's time for that callback, queueing on its threads included): the first callback
  (the slider into the settings store), the longest of the page's callbacks that follow, and the
  number of requests, and when the last answer had arrived ("answered", ms after the keydown;
  redrawn − answered is the browser's drawing), and "busy": the page's long tasks (> 50 ms) on
  the main thread after the keydown, summed; "main": the main thread's whole time in tasks from
  the key press to the quiet end (Chrome's TaskDuration metric; the steadiest figure for
  comparing code on a shared machine). For the run with the median redraw, each
  request is listed: sent → received (its last byte; "read": when the page had read it),
  server time, its outputs; then the long tasks.

Run: .venv/bin/python benchmarks/bench_whatif_browser.py [--port N] [--runs 7] [--pages / /tiers]
(needs Debian's chromium and chromium-driver)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_page_load import browser, free_port, running_app

from portfolio.demo import generate_demo

ACCOUNTS, SEED, RUNS = 10_000, 7, 7
PAGES = ("/", "/tiers", "/retention")
HANDLE = "#whatif-thresholds [role=slider]"
QUIET_MS = 200

# Installed before any page script runs. Records the time of a key press on the threshold slider,
# every Dash callback request after it (output, start, answer; Resource Timing for the server's
# part), every plotly_afterplot of a chart, and every change to the page's content.
WATCH = """
window.__t0 = null; window.__open = 0; window.__calls = []; window.__drawn = []; window.__changed = [];
window.__activity = 0;
const note = list => { const t = performance.now(); list.push(t); window.__activity = t; };
window.addEventListener('keydown', e => {
  if (e.target.closest && e.target.closest('#whatif-thresholds')) {
    window.__t0 = performance.now(); window.__activity = window.__t0;
    window.__calls = []; window.__drawn = []; window.__changed = [];
  }
}, true);
const fetchBefore = window.fetch;
window.fetch = function (input, init) {
  const url = typeof input === 'string' ? input : input.url;
  if (!url.includes('_dash-update-component') || window.__t0 === null) {
    return fetchBefore.apply(this, arguments);
  }
  let output = '?';
  try { output = JSON.parse(init.body).output; } catch (err) {}
  const call = {output: output, start: performance.now(), end: null};
  window.__calls.push(call); window.__open++;
  const done = () => { call.end = performance.now(); window.__activity = call.end; window.__open--; };
  return fetchBefore.apply(this, arguments).then(
    response => response.clone().text().then(() => { done(); return response; }),
    err => { done(); throw err; });
};
window.__resources = []; window.__long = [];
new PerformanceObserver(list => list.getEntries().forEach(t => {
  window.__long.push({start: t.startTime, duration: t.duration});
})).observe({type: 'longtask'});
new PerformanceObserver(list => list.getEntries().forEach(e => {
  if (e.name.includes('_dash-update-component')) {
    window.__resources.push({start: e.startTime, server: e.responseStart - e.requestStart,
                             received: e.responseEnd});
  }
})).observe({type: 'resource'});
window.__hook = () => document.querySelectorAll('.js-plotly-plot').forEach(plot => {
  if (!plot.__benchHooked && plot.on) {
    plot.__benchHooked = true; plot.on('plotly_afterplot', () => note(window.__drawn));
  }
});
document.addEventListener('DOMContentLoaded', () => {
  new MutationObserver(() => {
    window.__hook();
    if (window.__t0 !== null) note(window.__changed);
  }).observe(document.getElementById('_pages_content') || document.body,
             {childList: true, subtree: true, characterData: true});
});
"""

STATE = """
window.__hook();
const now = performance.now(), t0 = window.__t0;
return {t0: t0, open: window.__open, quietFor: now - window.__activity,
        drawn: window.__drawn, changed: window.__changed, calls: window.__calls,
        resources: window.__resources.filter(r => t0 !== null && r.start >= t0 - 1),
        long: window.__long.filter(t => t0 !== null && t.start + t.duration >= t0)};
"""


def upload(driver, url: str, folder: Path) -> None:
    """The 10,000-account file through the Data page's upload input; waits for "Loaded …"."""
    path = folder / "accounts_10000.csv"
    generate_demo(ACCOUNTS, seed=SEED).to_csv(path, index=False)
    driver.get(url + "/data")
    wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#data-upload input[type=file]"), 20, "upload input")
    driver.find_element(By.CSS_SELECTOR, "#data-upload input[type=file]").send_keys(str(path))
    wait(lambda: f"{ACCOUNTS:,} accounts" in text(driver, "#data-ok"), 60, "the upload's Loaded message")


def text(driver, selector: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0].text if found else ""


def wait(ready, timeout: float, what: str):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        result = ready()
        if result:
            return result
        time.sleep(0.02)
    raise TimeoutError(f"no {what} within {timeout:.0f} s")


def open_page(driver, path: str) -> None:
    """Click the page's link in the navigation (no reload), then wait until its charts show
    figures and a second has passed quietly."""
    link = driver.find_element(By.CSS_SELECTOR, f"a.nav-link[href='{path}']")
    driver.execute_script("arguments[0].click();", link)
    wait(
        lambda: driver.execute_script(
            "const p = [...document.querySelectorAll('#_pages_content .js-plotly-plot')];"
            "return p.length > 0 && p.every(g => (g.data || []).length > 0);"
        ),
        30,
        f"figures on {path}",
    )
    time.sleep(2)


def press(driver, key: str) -> dict:
    """One arrow key on the focused handle; the page's record once it is quiet again."""
    handle = driver.find_element(By.CSS_SELECTOR, HANDLE)
    driver.execute_script("arguments[0].focus();", handle)
    before = main_thread_ms(driver)
    ActionChains(driver).send_keys(key).perform()

    def quiet():
        state = driver.execute_script(STATE)
        return (
            state if state["t0"] is not None and state["open"] == 0 and state["quietFor"] > QUIET_MS else None
        )

    record = wait(quiet, 30, "quiet page after the key press")
    return {**record, "main": main_thread_ms(driver) - before}


def main_thread_ms(driver) -> float:
    """The page's main thread's time in tasks so far (Chrome's ``TaskDuration`` metric, ms): less
    noisy than a wall time on a shared machine, as waiting for the server is not in it."""
    metrics = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return 1000 * next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def measure(record: dict) -> dict:
    """Redraw time and the server's part from one key press's record (ms after the keydown)."""
    t0 = record["t0"]
    events = record["drawn"] + record["changed"]
    calls = sorted(record["calls"], key=lambda c: c["start"])
    servers = sorted(record["resources"], key=lambda r: r["start"])
    for call in calls:  # the resource entry that started with this request
        match = min(servers, key=lambda r: abs(r["start"] - call["start"]), default=None)
        call["server"] = match["server"] if match else float("nan")
        call["received"] = match["received"] if match else float("nan")
    return {
        "redrawn": max(events) - t0 if events else float("nan"),
        "answered": max(((c["end"] or t0) - t0 for c in calls), default=0.0),
        "charts": len(record["drawn"]),
        "busy": sum(t["duration"] for t in record["long"]),
        "main": record["main"],
        "long": [(t["start"] - t0, t["duration"]) for t in record["long"]],
        "first": calls[0]["server"] if calls else float("nan"),
        "longest_after": max((c["server"] for c in calls[1:]), default=0.0),
        "requests": len(calls),
        "calls": [
            (str(c["output"])[:60], c["start"] - t0, c["server"], c["received"] - t0, (c["end"] or t0) - t0)
            for c in calls
        ],
    }


def summary(path: str, runs: list[dict]) -> str:
    """One line per page: medians of the key presses, and the redraw's range."""
    redrawn = [r["redrawn"] for r in runs]

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    spread = f"{min(redrawn):.0f}–{max(redrawn):.0f}"
    return (
        f"{path:<12} {statistics.median(redrawn):8.0f} {spread:>12} {med('first'):14.0f}"
        f" {med('longest_after'):14.0f} {med('answered'):9.0f} {med('busy'):6.0f} {med('main'):6.0f}"
        f" {med('requests'):9.0f}"
        f" {med('charts'):7.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="the app's port (default: a free one)")
    parser.add_argument("--runs", type=int, default=RUNS, help="key presses per page")
    parser.add_argument("--pages", nargs="+", default=list(PAGES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, running_app(args.port or free_port()) as url:
        driver = browser(WATCH)
        try:
            driver.execute_cdp_cmd("Performance.enable", {})
            upload(driver, url, Path(folder))
            print(f"{ACCOUNTS:,} accounts uploaded; medians of {args.runs} key presses, ms")
            print(
                f"{'page':<12} {'redrawn':>8} {'(range)':>12} {'server: first':>14} {'longest after':>14}"
                f" {'answered':>9} {'busy':>6} {'main':>6} {'requests':>9} {'charts':>7}"
            )
            for path in args.pages:
                open_page(driver, path)
                runs = []
                for i in range(args.runs):
                    runs.append(measure(press(driver, Keys.ARROW_RIGHT if i % 2 == 0 else Keys.ARROW_LEFT)))
                    time.sleep(1)
                print(summary(path, runs))
                typical = sorted(runs, key=lambda r: r["redrawn"])[len(runs) // 2]
                for output, start, server, received, end in typical["calls"]:
                    print(
                        f"    {start:6.0f} → {received:6.0f} (read {end:4.0f})"
                        f"  server {server:4.0f}  {output[:50]}"
                    )
                print(
                    "    long tasks (start, ms): " + ", ".join(f"{a:.0f}+{d:.0f}" for a, d in typical["long"])
                )
        finally:
            driver.quit()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
