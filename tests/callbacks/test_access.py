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

    def status(credentials: str | None, header: str | None = None) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/")
        if credentials:
            header = "Basic " + base64.b64encode(credentials.encode()).decode()
        if header:
            request.add_header("Authorization", header)
        try:
            return urllib.request.urlopen(request, timeout=5).status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    try:
        until(lambda: status(None) != 0, timeout=30, msg="the app did not start")
        assert status(None) == 401
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
        assert refused.value.headers["X-Frame-Options"] == "DENY"  # the security headers, on a 401 too
        assert "frame-ancestors 'none'" in refused.value.headers["Content-Security-Policy"]
        assert refused.value.headers["Server"] == "Strata"  # not Werkzeug's and Python's versions
        assert status("alice:wrong password") == 401
        assert status("alice:correct horse") == 200
        assert status(None, "basic " + base64.b64encode(b"alice:correct horse").decode()) == 200
        for malformed in ("Basic !!!", "basic " + base64.b64encode(b"no colon").decode(), "Basic"):
            assert status(None, malformed) == 401, malformed
    finally:
        server.terminate()
        server.wait(timeout=10)


# ---- Sign-in: one parser, a hash at most once per header, no timing tell, a failure limit ----


def _basic(raw: bytes, scheme: str = "Basic") -> str:
    return f"{scheme} " + base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    "header, expected",
    [
        (_basic(b"alice:pw"), access.Credentials("alice", "pw")),
        (_basic(b"alice:pw", "basic"), access.Credentials("alice", "pw")),  # RFC 7617: any case
        (_basic(b"alice:pw", "BASIC"), access.Credentials("alice", "pw")),
        (_basic(b"alice:a:b:c"), access.Credentials("alice", "a:b:c")),  # the first colon splits
        (_basic("zoë:pässword".encode()), access.Credentials("zoë", "pässword")),
        (None, None),
        ("", None),
        ("Basic", None),
        ("Basic !!!not-base64!!!", None),
        ("Basic YWxpY2U6cHc", None),  # padding missing: not strict base64
        ("Basic é", None),  # not ASCII
        (_basic(b"alice-no-colon"), None),
        (_basic(b":pw"), None),  # no name
        (_basic(b"\xff\xfe:pw"), None),  # not UTF-8
        (_basic(b"alice:pw", "Bearer"), None),
        ("Basicx " + base64.b64encode(b"alice:pw").decode(), None),
    ],
)
def test_basic_credentials_are_read_strictly_and_never_raise(header, expected):
    assert access.parse_basic(header) == expected


class CountingCheck:
    """A cheap stand-in for werkzeug's check (password "right" matches every hash); counts calls
    and remembers the hashes it was given."""

    def __init__(self):
        self.hashes: list[str] = []

    def __call__(self, hashed: str, password: str) -> bool:
        self.hashes.append(hashed)
        return password == "right"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


USERS = {"alice": "scrypt:32768:8:1$salt$0123abcd"}


def _sign_in():
    check, clock = CountingCheck(), Clock()
    return access.SignIn(USERS, check=check, clock=clock), check, clock


def test_a_correct_password_is_hashed_once_per_header_for_many_requests():
    sign_in, check, clock = _sign_in()
    for _ in range(50):
        assert sign_in.decide(_basic(b"alice:right"), "10.0.0.1") == access.Decision("alice")
        clock.now += 1
    assert len(check.hashes) == 1
    clock.now += access.VERIFIED_SECONDS  # the check is reused only for a while
    assert sign_in.decide(_basic(b"alice:right"), "10.0.0.1").user == "alice" and len(check.hashes) == 2
    # the cache holds what was checked: the same name with another password is checked again
    assert sign_in.decide(_basic(b"alice:wrong"), "10.0.0.1").user is None and len(check.hashes) == 3


def test_an_unknown_name_costs_the_same_hash_as_a_known_one():
    """Timing cannot tell real names: each wrong attempt hashes exactly once, and an unknown
    name is checked against a hash made by the users' method (same parameters, same cost)."""
    sign_in, check, _ = _sign_in()
    assert sign_in.decide(_basic(b"alice:wrong"), "10.0.0.1").user is None
    assert sign_in.decide(_basic(b"mallory:wrong"), "10.0.0.2").user is None
    assert sign_in.decide(_basic(b"mallory:right"), "10.0.0.3").user is None  # no user, no entry
    known, unknown, unknown_right = check.hashes
    assert known == USERS["alice"]
    assert unknown.split("$")[0] == unknown_right.split("$")[0] == "scrypt:32768:8:1"
    assert unknown != known


def test_real_hashes_of_known_and_unknown_names_take_the_same_time():
    """With werkzeug's own check: an unknown name's attempt takes as long as a known name's
    (medians of 15 tries each within 30%; a cheap pbkdf2 hash keeps the test fast)."""
    import statistics
    import time

    from werkzeug.security import generate_password_hash

    sign_in = access.SignIn({"alice": generate_password_hash("right", method="pbkdf2:sha256:50000")})
    times: dict[str, list[float]] = {"alice": [], "mallory": []}
    for i in range(15):
        for name in times:  # interleaved, so a busy machine slows both alike
            start = time.perf_counter()
            sign_in.decide(_basic(f"{name}:wrong{i}".encode()), f"10.0.{len(name)}.{i}")
            times[name].append(time.perf_counter() - start)
    spent = {name: statistics.median(t) for name, t in times.items()}
    assert spent["alice"] > 0.005  # a real hash ran
    assert abs(spent["alice"] - spent["mallory"]) <= 0.3 * spent["alice"], spent


def test_failed_sign_ins_are_limited_per_address_and_per_name():
    sign_in, check, clock = _sign_in()
    for i in range(access.FAILURES_ALLOWED):
        assert sign_in.decide(_basic(f"user{i}:wrong".encode()), "10.0.0.1") == access.Decision(None)
        clock.now += 1
    blocked = sign_in.decide(_basic(b"alice:right"), "10.0.0.1")  # even a right password: not hashed
    assert blocked == access.Decision(None, access.FAILURE_WINDOW_SECONDS - access.FAILURES_ALLOWED)
    assert len(check.hashes) == access.FAILURES_ALLOWED
    assert sign_in.decide(_basic(b"alice:right"), "10.0.0.2").user == "alice"  # another address
    clock.now += blocked.retry_after
    assert sign_in.decide(_basic(b"bob:wrong"), "10.0.0.1").retry_after == 0  # the window moved on

    # one name from many addresses (a distributed guess) is limited too; a browser that
    # signed in before keeps working meanwhile
    for i in range(access.FAILURES_ALLOWED):
        sign_in.decide(_basic(b"alice:guess"), f"10.1.0.{i}")
    assert sign_in.decide(_basic(b"alice:guess"), "10.2.0.1").retry_after > 0
    assert sign_in.decide(_basic(b"alice:right"), "10.0.0.2").user == "alice"


def test_knowing_a_name_does_not_lock_its_user_out():
    """Security re-test N4: 10 wrong guesses a minute for "alice" kept her at 429 once her
    5-minute check lapsed, signed-in browsers included. Now a remembered header is renewed on
    use and accepted before any limit; a correct password is checked and accepted while the
    name is locked; wrong ones still get 429 (and count against their address)."""
    sign_in, check, clock = _sign_in()
    assert sign_in.decide(_basic(b"alice:right"), "10.0.0.1") == access.Decision("alice")
    for minute in range(30):  # half an hour of guessing from ever new addresses
        clock.now += 60
        for i in range(access.FAILURES_ALLOWED + 2):
            sign_in.decide(_basic(f"alice:guess{minute}-{i}".encode()), f"10.9.{minute}.{i}")
        assert sign_in.decide(_basic(b"alice:right"), "10.0.0.1") == access.Decision("alice")
    assert check.hashes.count(USERS["alice"]) == 1 + 30 * (access.FAILURES_ALLOWED + 2)  # one for her
    # a new browser (another address) with the right password: checked and let in
    assert sign_in.decide(_basic(b"alice:right"), "10.0.0.2") == access.Decision("alice")
    # a wrong one while the name is locked: 429, and counted against the address
    locked = sign_in.decide(_basic(b"alice:wrong"), "10.0.0.3")
    assert locked.user is None and 0 < locked.retry_after <= access.FAILURE_WINDOW_SECONDS
    for i in range(access.FAILURES_ALLOWED):
        sign_in.decide(_basic(f"alice:wrong{i}".encode()), "10.0.0.4")
    hashes = len(check.hashes)
    assert sign_in.decide(_basic(b"alice:another"), "10.0.0.4").retry_after > 0  # that address:
    assert len(check.hashes) == hashes  # refused without hashing
    assert sign_in.decide(_basic(b"alice:right"), "10.0.0.4").user == "alice"  # remembered header
    assert len(check.hashes) == hashes


def test_a_remembered_check_slides_but_only_up_to_its_lifetime():
    """Each use renews a verified header for VERIFIED_SECONDS, up to VERIFIED_LIFETIME_SECONDS
    after its check; then the password is hashed again (and, being right, accepted)."""
    sign_in, check, clock = _sign_in()
    step = access.VERIFIED_SECONDS - 1
    for _ in range(access.VERIFIED_LIFETIME_SECONDS // step + 2):
        assert sign_in.decide(_basic(b"alice:right"), "10.0.0.1").user == "alice"
        clock.now += step
    assert len(check.hashes) == 2  # the first check, and once more after the lifetime
    clock.now += access.VERIFIED_SECONDS  # unused for VERIFIED_SECONDS: forgotten
    assert sign_in.decide(_basic(b"alice:right"), "10.0.0.1").user == "alice"
    assert len(check.hashes) == 3


def test_sign_in_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(access, "VERIFIED_MAX", 3)
    monkeypatch.setattr(access, "TRACKED_MAX", 4)
    sign_in, _, _ = _sign_in()
    for i in range(10):
        sign_in.decide(_basic(f"n{i}:wrong".encode()), "10.0.0.1")  # each name counted
    assert len(sign_in._failures) <= 4
    users = {f"u{i}": "pbkdf2:sha256:1000$s$h" for i in range(10)}
    sign_in = access.SignIn(users, check=CountingCheck(), clock=Clock())
    for i in range(10):
        sign_in.decide(_basic(f"u{i}:right".encode()), f"10.0.1.{i}")
    assert len(sign_in._verified) == 3


@pytest.fixture
def guarded(tmp_path):
    """A Flask server behind the sign-in check, with one user (alice, "correct horse")."""
    from types import SimpleNamespace

    import flask
    from werkzeug.security import generate_password_hash

    server = flask.Flask("guarded")
    server.route("/")(lambda: "the page")
    users = {"alice": generate_password_hash("correct horse", method="pbkdf2:sha256:1000")}
    access.install(SimpleNamespace(server=server), users, Settings(cache_dir=str(tmp_path)))
    return server.test_client()


@pytest.mark.parametrize(
    "header",
    [
        "Basic !!!",
        "Basic " + base64.b64encode(b"no colon").decode(),
        "Basic " + base64.b64encode(b"\xff:\xfe").decode(),
        "Basic",
        "Digest username=alice",
        "basic " + base64.b64encode(b"alice:wrong").decode(),
    ],
)
def test_a_malformed_or_wrong_authorization_is_401_not_500(guarded, header):
    response = guarded.get("/", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="Strata"')


def test_the_basic_scheme_is_case_insensitive_and_failures_end_in_429(guarded):
    for scheme in ("Basic", "basic", "BASIC"):
        ok = guarded.get("/", headers={"Authorization": _basic(b"alice:correct horse", scheme)})
        assert ok.status_code == 200 and ok.data == b"the page"
    for _ in range(access.FAILURES_ALLOWED):
        assert guarded.get("/", headers={"Authorization": _basic(b"alice:wrong")}).status_code == 401
    limited = guarded.get("/", headers={"Authorization": _basic(b"bob:wrong")})
    assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 60
    assert b"Too many failed sign-ins" in limited.data


def test_an_empty_users_file_is_a_configuration_error(tmp_path):
    from dashboard import create_app

    (tmp_path / "users").write_text("# nobody yet\n")
    with pytest.raises(ConfigurationError, match="has no users: add one with `portfolio add-user"):
        create_app(Settings(cache_dir=str(tmp_path), users_file=str(tmp_path / "users")))


@pytest.mark.parametrize("command", [["app.py"], ["-m", "gunicorn", "-w", "2", "app:server"]])
def test_a_users_file_problem_stops_the_server_with_one_line(tmp_path, command):
    """``python app.py`` and gunicorn (which would otherwise restart its workers forever) stop
    with one line saying what is wrong: no traceback."""
    (tmp_path / "users").write_text("alice\n")
    env = {**os.environ, "STRATA_CACHE_DIR": str(tmp_path / "cache"), USERS_ENV: str(tmp_path / "users")}
    if command[0] == "-m":
        command = [*command, "--bind", f"127.0.0.1:{free_port()}"]
    done = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "Booting worker" not in done.stderr  # gunicorn's master checks first (gunicorn.conf.py)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert set(errors) == {
        f"error: cannot read the users file: {tmp_path / 'users'} line 1: expected NAME:HASH"
    }
