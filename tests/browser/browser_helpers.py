"""What the browser tests share: reading KPI cards, clicking like a user, and servers started as
real processes (gunicorn, Redis, Celery workers) on free loopback ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def kpi(dash_duo, title: str) -> str:
    """The value on the KPI card with this title (retried while the cards re-render)."""
    dash_duo.wait_for_element(".kpi-card")
    for _ in range(20):
        try:
            for card in dash_duo.find_elements(".kpi-card"):
                if card.find_element(By.CLASS_NAME, "kpi-title").text.lower() == title.lower():
                    return card.find_element(By.CLASS_NAME, "kpi-value").text
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"no KPI card {title!r}")


def wait_for_kpi(dash_duo, title: str, expected: str, timeout: float = 10) -> None:
    until(
        lambda: kpi(dash_duo, title) == expected, timeout=timeout, msg=f"KPI {title} never showed {expected}"
    )


def upload(dash_duo, tmp_path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    open_page(dash_duo, "/data")
    dash_duo.find_element("#data-upload input[type=file]").send_keys(str(path))


def click(dash_duo, selector: str) -> None:
    """Scroll the element to the middle of the window, then click it like a user."""
    element = dash_duo.find_element(selector)
    # instant: Bootstrap makes scrolling smooth, and a click mid-scroll lands elsewhere
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
    )
    element.click()


def open_page(dash_duo, path: str) -> None:
    click(dash_duo, f"a.nav-link[href='{path}']")


def simulator_headline(dash_duo) -> str:
    return dash_duo.find_element("#sim-headline").text


class Service:
    """A server process for a test, in its own process group (so that :meth:`kill` takes its
    children too, as losing a machine would), its output kept in ``log_path``."""

    def __init__(self, command: list[str], env: dict, log_path: Path) -> None:
        self.command, self.env, self.log_path = command, env, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> Service:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean shutdown, nothing reported."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.running():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def responds(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError:
        return False


def gunicorn(tmp_path: Path, env: dict) -> tuple[Service, str]:
    """``gunicorn app:server -w 2`` on a free loopback port, started and answering."""
    port = free_port()
    service = Service(
        [sys.executable, "-m", "gunicorn", "app:server", "-w", "2", "-b", f"127.0.0.1:{port}"],
        env,
        tmp_path / "gunicorn.log",
    ).start()
    url = f"http://127.0.0.1:{port}"
    until(lambda: responds(url) or not service.running(), timeout=60)
    assert service.running(), f"gunicorn stopped:\n{service.log()}"
    return service, url
