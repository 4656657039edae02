"""Access: loopback only without users; basic auth with users; scenarios owned by the user;
the upload cap from the configuration."""

import base64
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import free_port
from dashboard import access, state
from storage.settings import UPLOAD_ENV, USERS_ENV, ConfigurationError, Settings
from storage.users import add_user

ROOT = Path(__file__).resolve().parents[2]


def test_without_users_only_loopback_clients_are_served(dash_app):
    client = dash_app.server.test_client()
    assert client.get("/").status_code == 200
    refused = client.get("/", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert refused.status_code == 403 and b"STRATA_USERS_FILE" in refused.data
    assert (
        client.post(
            "/_dash-update-component", json={}, environ_base={"REMOTE_ADDR": "192.168.0.9"}
        ).status_code
        == 403
    )
    assert access.is_loopback("::1") and access.is_loopback("localhost")
    assert not access.is_loopback("0.0.0.0") and not access.is_loopback("example.com")


def test_scenarios_belong_to_the_signed_in_user_across_browsers(dash_app, monkeypatch):
    monkeypatch.setitem(dash_app.server.config, "STRATA_AUTH", True)
    auth = {"Authorization": "Basic " + base64.b64encode(b"alice:whatever").decode()}
    owners = []
    for _browser in range(2):  # two browsers: two session cookies, one user
        with dash_app.server.test_request_context("/", headers=auth):
            dash_app.server.preprocess_request()
            owners.append((state.owner(), state.session_id()))
    assert owners[0][0] == owners[1][0] == "user:alice" and owners[0][1] != owners[1][1]


def test_upload_cap_comes_from_the_configuration(dash_app, request_ctx, monkeypatch):
    from importlib import import_module

    data_page = import_module("dashboard.pages.data")
    small = replace(dash_app.server.extensions["strata_settings"], max_upload_mb=0.001)  # ≈ 1 kB
    monkeypatch.setitem(dash_app.server.extensions, "strata_settings", small)
    text = "account_id,arr\n" + "".join(f"A{i},{i}\n" for i in range(200))
    contents = "data:text/csv;base64," + base64.b64encode(text.encode()).decode()
    _, result = data_page.read_upload(contents, "big.csv")
    assert not result.ok and "file is 1.6 kB; the limit is 1.0 kB" in result.report.summary()


@pytest.mark.parametrize("bad", ["lots", "-5", "0", "inf"])
def test_a_bad_upload_cap_is_a_configuration_error(bad):
    with pytest.raises(ConfigurationError, match="STRATA_MAX_UPLOAD_MB must be a positive number"):
        Settings.from_env({UPLOAD_ENV: bad})


def test_an_unreadable_users_file_is_one_line_at_start(tmp_path):
    from dashboard import create_app

    with pytest.raises(ConfigurationError, match="cannot read the users file"):
        create_app(Settings(cache_dir=str(tmp_path), users_file=str(tmp_path / "missing")))
    (tmp_path / "bad").write_text("alice\n")
    with pytest.raises(ConfigurationError, match="line 1: expected NAME:HASH"):
        create_app(Settings(cache_dir=str(tmp_path), users_file=str(tmp_path / "bad")))


def test_app_py_refuses_a_public_address_without_users(tmp_path):
    env = {**os.environ, "STRATA_CACHE_DIR": str(tmp_path)}
    env.pop(USERS_ENV, None)
    done = subprocess.run(
        [sys.executable, "app.py", "--host", "0.0.0.0", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "not binding to 0.0.0.0" in done.stderr


def test_basic_auth_guards_the_app_when_users_exist(tmp_path):
    import urllib.error
    import urllib.request

    from dash.testing.wait import until

    users = tmp_path / "users"
    add_user(users, "alice", "correct horse")
    port = free_port()
    env = {
        **os.environ,
        "STRATA_CACHE_DIR": str(tmp_path / "cache"),
        USERS_ENV: str(users),
        "STRATA_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
    }
    server = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def status(credentials: str | None) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/")
        if credentials:
            request.add_header("Authorization", "Basic " + base64.b64encode(credentials.encode()).decode())
        try:
            return urllib.request.urlopen(request, timeout=5).status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    try:
        until(lambda: status(None) != 0, timeout=30, msg="the app did not start")
        assert status(None) == 401
        assert status("alice:wrong password") == 401
        assert status("alice:correct horse") == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
