"""Shared test fixtures and the headless-Chromium options for dash_duo."""

from __future__ import annotations

import socket
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo_accounts.csv"
REAL_DATA = ROOT.parent / "shared" / "real-data"
BROWSER_TESTS = ROOT / "tests" / "browser"


def pytest_setup_options():
    """Options for dash_duo's Chrome webdriver: Debian's chromium, headless, no network."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--window-size=1400,1000",
    ]:
        options.add_argument(arg)
    return options


@pytest.fixture
def five_accounts() -> pd.DataFrame:
    """The hand-worked portfolio of tests/unit: ARR 500/250/150/75/25 (total 1,000)."""
    return pd.DataFrame(
        {
            "account_id": ["A", "B", "C", "D", "E"],
            "account_name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
            "arr": [500.0, 250.0, 150.0, 75.0, 25.0],
            "arr_prior": [400.0, 300.0, 0.0, 75.0, 50.0],
        }
    )


def free_port() -> int:
    """A loopback port nobody listens on (for servers the tests start)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def real_file(name: str) -> Path:
    path = REAL_DATA / name
    if not path.exists():
        pytest.skip(f"{path} not present (shared/ lies beside the repository)")
    return path


@pytest.fixture(scope="session")
def dash_app(tmp_path_factory):
    """The app, built once per test session (Dash registers callbacks globally)."""
    from dashboard import create_app

    return create_app(
        cache_dir=str(tmp_path_factory.mktemp("session-store")),
        database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'scenarios.db'}",
    )


@pytest.fixture
def request_ctx(dash_app):
    """A request context with a fresh session id, as a browser's first callback would have."""
    with dash_app.server.test_request_context("/"):
        dash_app.server.preprocess_request()
        yield


@pytest.hookimpl(tryfirst=True)  # before ``-m "not browser"`` deselects by marker
def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser/ and every test driving a browser (dash_duo) carries the
    ``browser`` marker, whether its module says so or not (``make test-fast`` leaves them out
    by it). They need Debian's chromium; skip without it, unless CI requires it (then fail)."""
    import os
    import shutil

    for item in items:
        if BROWSER_TESTS in item.path.parents or "dash_duo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    have_browser = shutil.which("chromium") and shutil.which("chromedriver")
    if have_browser or os.environ.get("STRATA_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(
        reason="chromium/chromedriver not installed (apt-get install chromium "
        "chromium-driver); CI sets STRATA_REQUIRE_BROWSER=1"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


REDIS_SECRET_KEY = "test-only-secret-key-0123456789abcdef"


def start_redis(password: str | None):
    """A throw-away ``redis-server`` on a free loopback port, nothing saved to disk, asking for
    ``password`` (none: an open one, as tests of the refusal need): (process, url).

    Skipped where Debian's redis-server is not installed, except in CI: ``.ci/run`` installs it
    and sets STRATA_REQUIRE_REDIS=1, so a missing server fails the run instead.
    """
    import os
    import shutil
    import subprocess

    import redis
    from dash.testing.wait import until

    server = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/usr/bin")
    if server is None:
        if os.environ.get("STRATA_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    args = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        args + (["--requirepass", password] if password else []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://:{password}@127.0.0.1:{port}/0" if password else f"redis://127.0.0.1:{port}/0"

    def answers() -> bool:
        try:
            return redis.Redis.from_url(url).ping()
        except redis.ConnectionError:
            return False

    try:
        until(answers, timeout=20, msg="redis-server did not start")
    except BaseException:
        process.terminate()
        raise
    return process, url


@pytest.fixture
def redis_url(monkeypatch):
    """A password-protected ``redis-server`` (the app refuses one without a password) as a
    deployment would run it; STRATA_SECRET_KEY is set in the environment for the test, since
    a deployment with Redis needs one (child processes the test starts inherit it)."""
    import secrets

    monkeypatch.setenv("STRATA_SECRET_KEY", REDIS_SECRET_KEY)
    process, url = start_redis(secrets.token_hex(16))
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def open_redis_url():
    """A ``redis-server`` without a password (what the app must refuse)."""
    process, url = start_redis(None)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
