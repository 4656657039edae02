"""The session store (issue 15): signed values, never unpickled; a private directory; a Redis
with a password; storage caps instead of eviction; the settings that control them."""

import os
import pathlib
import pickle
import stat
import subprocess
import sys

import flask
import numpy as np
import pandas as pd
import pytest

from dashboard import state
from portfolio.fingerprint import dataset_fingerprint
from portfolio.ingest import load_file
from portfolio.resources import demo_accounts_path
from storage.session_store import (
    StoreFull,
    check_redis,
    open_store,
    private_directory,
    seal,
    secret_key,
    unseal,
)
from storage.settings import ConfigurationError, Settings

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY = b"k" * 32


class Plant:
    """A pickle that creates ``marker`` when unpickled."""

    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def test_a_portfolio_round_trips_exactly_and_keeps_its_fingerprint():
    accounts = load_file(demo_accounts_path()).accounts  # floats, text, 'str', datetimes, gaps
    meta = {"source": "demo.csv", "notes": ["a", "b"], "as_of": None}
    frame, back = unseal(KEY, "s:accounts", seal(KEY, "s:accounts", (accounts, meta)))
    pd.testing.assert_frame_equal(frame, accounts)
    assert back == meta and dataset_fingerprint(frame) == dataset_fingerprint(accounts)
    awkward = pd.DataFrame(
        {
            "x": [0.1 + 0.2, -0.0, float("nan"), 1e308],
            "t": ["a", None, "", "é"],
            "n": [1, -(2**63), 2**63 - 1, 0],
            "b": [True, False, True, False],
            "d": pd.to_datetime(
                ["2026-01-01 00:00:00.000000001", None, "1970-01-01 00:00:00.0", "2262-04-11 00:00:00.0"]
            ),
        }
    )
    pd.testing.assert_frame_equal(unseal(KEY, "k", seal(KEY, "k", awkward)), awkward)
    with pytest.raises(ValueError, match="cannot store column 'z'"):
        seal(KEY, "k", pd.DataFrame({"z": pd.date_range("2026-01-01", periods=2, tz="UTC")}))
    assert unseal(KEY, "k", seal(KEY, "k", (b"\x00raw", "f.csv"))) == (b"\x00raw", "f.csv")
    report = {"p": np.float64(0.25), "n": np.int64(3), "fan": np.array([[1.0, 2.0]]), "none": None}
    assert unseal(KEY, "k", seal(KEY, "k", report)) == {"p": 0.25, "n": 3, "fan": [[1.0, 2.0]], "none": None}


def test_a_changed_moved_or_foreign_value_reads_as_no_data():
    sealed = seal(KEY, "s:report", {"arr": 1})
    flipped = bytearray(sealed)
    flipped[-2] ^= 1
    assert unseal(KEY, "s:report", sealed) == {"arr": 1}
    assert unseal(KEY, "s:report", bytes(flipped)) is None  # tampered
    assert unseal(KEY, "t:report", sealed) is None  # copied to another session's key
    assert unseal(b"x" * 32, "s:report", sealed) is None  # sealed with another key
    assert unseal(KEY, "s:report", pickle.dumps({"arr": 1})) is None
    assert unseal(KEY, "s:report", None) is None


def test_a_value_of_the_wrong_shape_reads_as_no_data(tmp_path):
    store = open_store(str(tmp_path / "store"), KEY)
    store.set("s", "accounts", {"not": "a frame"})
    assert store.get("s", "accounts", (pd.DataFrame, dict)) is None
    with pytest.raises(ValueError):
        store.set("s", "accounts", (pd.DataFrame({"x": [object()]}), {}))  # not storable


def test_the_cache_directory_is_created_private_and_a_shared_one_is_refused(tmp_path):
    made = private_directory(tmp_path / "a" / "cache")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # another user created it first, open to all
    with pytest.raises(ConfigurationError, match=r"open to other users \(mode 777\).*chmod 700") as refused:
        private_directory(shared)
    assert "\n" not in str(refused.value)
    readable = tmp_path / "readable"
    readable.mkdir(mode=0o755)
    readable.chmod(0o755)  # others could read every upload
    with pytest.raises(ConfigurationError, match="open to other users"):
        private_directory(readable)
    (tmp_path / "link").symlink_to(made)
    with pytest.raises(ConfigurationError, match="not a directory"):
        private_directory(tmp_path / "link")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a_cache_directory_of_another_user_is_refused(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 65534, 65534)
    with pytest.raises(ConfigurationError, match="belongs to another user"):
        private_directory(theirs)


def test_the_generated_secret_is_kept_once_and_private(tmp_path):
    first = secret_key(None, tmp_path)
    assert len(first) == 64 and secret_key(None, tmp_path) == first
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
    assert secret_key("c" * 40, tmp_path) == b"c" * 40


def test_the_default_cache_directory_is_per_user_not_tmp():
    assert Settings.from_env({"XDG_CACHE_HOME": "/srv/cache"}).cache_dir == "/srv/cache/strata"
    default = Settings.from_env({})
    assert default.cache_dir == str(pathlib.Path.home() / ".cache" / "strata")
    assert not default.cache_dir.startswith("/tmp")


@pytest.mark.parametrize(
    "env, message",
    [
        ({"STRATA_SECRET_KEY": "short"}, "STRATA_SECRET_KEY must be at least 32 characters"),
        ({"STRATA_MAX_RUNS": "1.5"}, "STRATA_MAX_RUNS must be a whole number"),
        ({"STRATA_MAX_RUNS": "0"}, "STRATA_MAX_RUNS must be a positive number"),
        ({"STRATA_SESSION_QUOTA_MB": "x"}, "STRATA_SESSION_QUOTA_MB must be a positive number"),
    ],
)
def test_bad_settings_are_one_line(env, message):
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env(env)


def test_the_app_refuses_to_start_on_a_shared_cache_directory(tmp_path):
    shared = tmp_path / "strata-cache"
    shared.mkdir()
    shared.chmod(0o777)
    env = {**os.environ, "STRATA_CACHE_DIR": str(shared)}
    env["STRATA_DATABASE_URL"] = f"sqlite:///{tmp_path / 'db'}"
    done = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"error: the cache directory {shared} is open to other users (mode 777); "
        f"run `chmod 700 {shared}` or use another directory"
    )


def _server(location: str, **limits) -> flask.Flask:
    server = flask.Flask(__name__)
    state.install(server, location, KEY, Settings(cache_dir=location, **limits))
    return server


def _save(server, frame, source: str, cookie: str | None = None) -> tuple[str, str | None]:
    """Save ``frame`` for the session of ``cookie`` (a new one without); (cookie, error)."""
    headers = {"Cookie": f"{state.COOKIE}={cookie}"} if cookie else {}
    with server.test_request_context("/", headers=headers):
        error = None
        try:
            state.save_data(frame, {"source": source, "notes": []})
        except StoreFull as exc:
            error = str(exc)
        response = server.process_response(server.response_class())
        return cookie or response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1], error


def _source(server, cookie: str) -> str:
    with server.test_request_context("/", headers={"Cookie": f"{state.COOKIE}={cookie}"}):
        return state.current_data()[1]["source"]


def _frame(rows: int, seed: int) -> pd.DataFrame:
    ids = [f"{seed}-{i}" for i in range(rows)]
    return pd.DataFrame({"account_id": ids, "arr": [float(i * seed + 1) for i in range(rows)]})


def test_a_flood_of_uploads_never_evicts_a_live_session(tmp_path):
    """Finding 3: twelve big uploads from fresh sessions evicted a victim's data (diskcache's
    size limit evicts the oldest). Here with a 2 MiB store: the flood is refused once the store
    is full, with a message, and the victim keeps its data."""
    server = _server(str(tmp_path / "store"), store_limit_mb=2, session_quota_mb=1)
    victim, _ = _save(server, _frame(2_000, 1), "victim.csv")
    refusals = [_save(server, _frame(20_000, n), f"flood-{n}.csv")[1] for n in range(2, 14)]
    assert _source(server, victim) == "victim.csv"
    assert refusals[0] is None and refusals[-1] == "The server's storage is full; try again later."


def test_a_session_past_its_quota_is_told_and_keeps_what_it_had(tmp_path):
    server = _server(str(tmp_path / "store"), session_quota_mb=0.2)
    me, error = _save(server, _frame(1_000, 1), "small.csv")
    assert error is None
    _, error = _save(server, _frame(20_000, 2), "big.csv", me)
    assert error is not None and error.startswith("This session would keep") and "limit is 0.2 MB" in error
    assert _source(server, me) == "small.csv"


def test_a_session_cookie_is_secure_when_configured(tmp_path):
    server = _server(str(tmp_path / "store"), cookie_secure=True)
    with server.test_request_context("/"):
        cookie = server.process_response(server.response_class()).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_pickle_planted_in_redis_is_never_run(redis_url, tmp_path):
    import redis

    server = _server(redis_url)
    cookie, _ = _save(server, _frame(3, 1), "mine.csv")
    with server.test_request_context("/", headers={"Cookie": f"{state.COOKIE}={cookie}"}):
        session = state.session_id()
    marker = tmp_path / "planted-pickle-ran"
    planter = redis.Redis.from_url(redis_url)
    for part in ("accounts", "fingerprint", "report", "pending"):
        planter.set(f"strata:session:{session}:{part}", pickle.dumps(Plant(marker)))
    with server.test_request_context("/", headers={"Cookie": f"{state.COOKIE}={cookie}"}):
        assert state.current_data()[1] == state.DEMO_META
        assert state.last_report() is None and state.pending_upload() is None
    assert not marker.exists()


def test_a_redis_without_a_password_is_refused_unless_allowed(open_redis_url, redis_url):
    from dashboard import create_app

    with pytest.raises(ConfigurationError, match="accepts connections without a password") as refused:
        create_app(redis_url=open_redis_url)
    assert "STRATA_ALLOW_INSECURE_REDIS=1" in str(refused.value) and "\n" not in str(refused.value)
    check_redis(open_redis_url, allow_insecure=True)  # allowed: no error
    check_redis(redis_url)  # with a password: no error
    with pytest.raises(ConfigurationError, match="set STRATA_SECRET_KEY too"):
        create_app(redis_url=redis_url, secret_key=None)


def test_idle_data_expires_and_every_use_restarts_the_clock(tmp_path):
    import time

    from storage.session_store import StoreLimits

    store = open_store(str(tmp_path / "store"), KEY, StoreLimits(idle_seconds=3600))
    store.set("s", "fingerprint", "abc")
    cache = store.backend.cache
    cache.touch("s:fingerprint", expire=100)  # as if unused for 58 minutes
    assert store.get("s", "fingerprint", str) == "abc"
    _, expires = cache.get("s:fingerprint", expire_time=True)
    assert expires == pytest.approx(time.time() + 3600, abs=5)  # read: a full hour again
    cache.touch("s:fingerprint", expire=0.01)
    time.sleep(0.05)
    assert store.get("s", "fingerprint", str) is None  # unused past the limit: gone


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:s3cret@127.0.0.1:1/0", "redis://127.0.0.1:1/0"),
        ("redis://app:s3cret@127.0.0.1:1/0", "redis://127.0.0.1:1/0"),
        ("redis://127.0.0.1:1/0?password=s3cret", "redis://127.0.0.1:1/0?password=***"),
        ("rediss://127.0.0.1:1/0?db=0&username=app&password=s3cret", "?db=0&username=***&password=***"),
    ],
)
def test_the_redis_password_is_never_in_a_start_up_message(url, shown):
    """Security re-test N9: a password given as ``?password=`` in REDIS_URL was printed in the
    start-up error (the user:password@ form was already hidden)."""
    from storage.session_store import redact_url

    with pytest.raises(ConfigurationError) as refused:
        check_redis(url)  # nothing listens on port 1
    assert "s3cret" not in str(refused.value) and shown in str(refused.value)
    assert redact_url(f"at {url} and more") == f"at {redact_url(url)} and more"


def test_a_cache_directory_under_a_folder_others_may_write_is_refused(tmp_path):
    """Security re-test N10: only the cache directory itself was checked; whoever can write to
    a folder above it can swap it. Refused: a parent writable by group or others without the
    sticky bit, or a parent of another user (not root). A sticky one (as /tmp) is fine."""
    open_parent = tmp_path / "open"
    open_parent.mkdir()
    open_parent.chmod(0o777)
    with pytest.raises(
        ConfigurationError, match=r"above the cache directory .*mode 777, no sticky bit"
    ) as refused:
        private_directory(open_parent / "cache")
    assert "\n" not in str(refused.value)
    group = tmp_path / "group"
    group.mkdir()
    group.chmod(0o770)
    with pytest.raises(ConfigurationError, match="may be written by other users"):
        private_directory(group / "deeper" / "cache")
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    assert private_directory(sticky / "cache").is_dir()
    (tmp_path / "to-open").symlink_to(open_parent)  # a link to an open folder: refused too
    with pytest.raises(ConfigurationError, match="may be written by other users"):
        private_directory(tmp_path / "to-open" / "cache2")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        theirs = tmp_path / "theirs-parent"
        theirs.mkdir(mode=0o755)
        os.chown(theirs, 65534, 65534)
        (theirs / "cache").mkdir(mode=0o700)
        with pytest.raises(
            ConfigurationError, match=r"theirs-parent, above the cache directory .*\(uid 65534\)"
        ):
            private_directory(theirs / "cache")
