"""The scale-out deployment for real: Redis, Celery workers and ``gunicorn -w 2`` as separate
processes, driven through the browser.

Needs Debian's ``redis-server`` (see the ``redis_url`` fixture in tests/conftest.py).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field

import pytest
from dash.testing.wait import until
from selenium.webdriver.support.ui import Select

from browser_helpers import Service, click, gunicorn, open_page, simulator_headline, upload

pytestmark = pytest.mark.browser

SMALL_CSV = "account_id,account_name,arr,arr_prior\nA,Acme,1000,900\nB,Beta,500,0\nC,Gamma,250,300\n"


@dataclass
class Deployment:
    """Web processes and Celery workers sharing one Redis, each with its own local disk."""

    tmp_path: object
    env: dict
    url: str = ""
    web: Service | None = None
    workers: list[Service] = field(default_factory=list)

    def start_web(self) -> None:
        self.web, self.url = gunicorn(
            self.tmp_path, {**self.env, "STRATA_CACHE_DIR": str(self.tmp_path / "web-disk")}
        )

    def start_worker(self, name: str) -> Service:
        # another machine: no disk shared with the web processes, only Redis
        env = {**self.env, "STRATA_CACHE_DIR": str(self.tmp_path / f"{name}-disk")}
        worker = Service(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "app:celery_app",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "-n",
                f"{name}@%h",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
            self.tmp_path / f"{name}.log",
        ).start()
        until(lambda: "ready." in worker.log() or not worker.running(), timeout=60)
        assert worker.running(), f"the Celery worker stopped:\n{worker.log()}"
        self.workers.append(worker)
        return worker

    def stop(self) -> None:
        for service in [self.web, *self.workers]:
            if service is not None:
                service.stop()


@pytest.fixture
def deployment(tmp_path, redis_url):
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "STRATA_DATABASE_URL": f"sqlite:///{tmp_path / 'scenarios.db'}",
    }
    deployed = Deployment(tmp_path, env)
    deployed.start_web()
    try:
        yield deployed
    finally:
        deployed.stop()


def run_on_page(dash_duo, paths: int) -> None:
    Select(dash_duo.find_element("#sim-paths")).select_by_value(str(paths))
    until(lambda: dash_duo.find_element("#sim-run").is_enabled(), timeout=10)
    click(dash_duo, "#sim-run")


def test_a_run_goes_through_redis_to_a_celery_worker_and_back(dash_duo, deployment):
    worker = deployment.start_worker("w1")
    dash_duo.driver.get(deployment.url)
    upload(dash_duo, deployment.tmp_path, "small.csv", SMALL_CSV)  # session data into Redis
    dash_duo.wait_for_contains_text("#data-ok", "3 accounts", timeout=10)
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=20)

    run_on_page(dash_duo, 2000)
    dash_duo.wait_for_contains_text("#sim-progress", "done: 2,000 paths", timeout=60)
    dash_duo.wait_for_contains_text("#sim-headline", "Full run: 2,000 paths", timeout=20)
    # the worker, with no disk shared with the web, simulated this session's upload ($1.75k)
    assert re.search(r"Expected ARR by \S+: \$\d\.\d\dk", simulator_headline(dash_duo))
    assert "succeeded" in worker.log()
    assert dash_duo.get_logs() == []


def test_a_killed_worker_means_run_failed_then_retry_and_restart_lose_nothing(dash_duo, deployment):
    worker = deployment.start_worker("w1")
    dash_duo.driver.get(deployment.url)
    open_page(dash_duo, "/simulator")
    dash_duo.wait_for_contains_text("#sim-headline", "Preview: 1,000 paths", timeout=20)

    run_on_page(dash_duo, 50000)
    dash_duo.wait_for_contains_text("#sim-progress", "% of 50,000 paths", timeout=60)
    worker.kill()  # the whole worker, pool children included, with no chance to report
    dash_duo.wait_for_contains_text("#sim-error", "Run failed", timeout=40)
    assert "went away" in dash_duo.find_element("#sim-error").text
    until(lambda: dash_duo.find_element("#sim-progress").text == "failed", timeout=10)
    assert dash_duo.find_element("#sim-run").is_enabled()
    assert "Preview: 1,000 paths" in simulator_headline(dash_duo)  # the old result stays

    deployment.start_worker("w2")  # retry on a new worker
    run_on_page(dash_duo, 2000)
    dash_duo.wait_for_contains_text("#sim-progress", "done: 2,000 paths", timeout=60)
    until(lambda: dash_duo.find_element("#sim-error").text == "", timeout=10)
    dash_duo.find_element("#sim-save-name").send_keys("Kept over a restart")
    click(dash_duo, "#sim-save")
    dash_duo.wait_for_contains_text("#sim-saved-message", "Saved as #", timeout=10)

    deployment.web.stop()  # restart the app: the saved scenario is still there
    deployment.start_web()
    dash_duo.driver.get(deployment.url + "/simulator")
    dash_duo.wait_for_contains_text("#sim-saved-grid", "Kept over a restart", timeout=20)
    assert dash_duo.get_logs() == []
