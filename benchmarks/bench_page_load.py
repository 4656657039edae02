"""Page load on the demo data: headless Chromium opens each page until its figures are drawn.

Starts `python app.py` on 127.0.0.1:8059 (a cold first load is reported separately), then loads
every page five times. Run: .venv/bin/python benchmarks/bench_page_load.py
Needs Debian's chromium and chromium-driver.
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
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

URL = "http://127.0.0.1:8059"
PAGES = {"/": ".kpi-card", "/concentration": ".js-plotly-plot .main-svg",
         "/tiers": ".js-plotly-plot .main-svg", "/retention": ".js-plotly-plot .main-svg",
         "/capacity": ".js-plotly-plot .main-svg", "/data": ".ag-row"}


def browser() -> webdriver.Chrome:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def load_seconds(driver: webdriver.Chrome, path: str, selector: str) -> float:
    start = time.perf_counter()
    driver.get(URL + path)
    # poll every 10 ms: the default 0.5 s poll would round every load up by up to half a second
    WebDriverWait(driver, 20, poll_frequency=0.01).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, selector)))
    return time.perf_counter() - start


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    server = subprocess.Popen([sys.executable, "app.py", "--port", "8059"], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(URL, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        driver = browser()
        try:
            print(f"cold first load of /: {load_seconds(driver, '/', '.kpi-card') * 1000:.0f} ms")
            for path, selector in PAGES.items():
                times = [load_seconds(driver, path, selector) for _ in range(5)]
                print(f"{path:<15} {statistics.median(times) * 1000:6.0f} ms (median of 5, full "
                      "page load until its figures are drawn)")
        finally:
            driver.quit()
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
