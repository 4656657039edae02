"""Session data in Redis, and how a run whose process died is told apart from one still working."""

import subprocess

import diskcache
import flask
import pandas as pd
import pytest

from dashboard import background, state
from storage.session_store import DiskBackend, RedisBackend, StoreLimits, open_store
from storage.settings import Settings


@pytest.mark.parametrize(
    "task_state, started, beating, queued, ended, expected",
    [
        ("STARTED", True, True, 5, False, None),  # working, heartbeat fresh
        ("STARTED", True, False, 5, False, background.LOST_RUN),  # worker killed: heartbeat expired
        ("PENDING", True, False, 5, False, background.LOST_RUN),  # same, without track_started
        ("FAILURE", True, False, 5, False, background.LOST_RUN),  # pool child died (WorkerLostError)
        ("PENDING", False, False, 5, False, None),  # queued behind other runs
        ("PENDING", False, False, background.QUEUE_TIMEOUT + 1, False, background.NO_WORKER),
        ("REVOKED", True, False, 5, False, None),  # cancelled by the user
        ("STARTED", True, False, 5, True, None),  # ended by the app (cancel before revoke landed)
    ],
)
def test_a_celery_run_is_lost_only_when_nobody_can_finish_it(
    task_state, started, beating, queued, ended, expected
):
    assert background.celery_lost_reason(task_state, started, beating, queued, ended) == expected


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_an_embedded_run_whose_process_died_is_reported_but_a_cancelled_one_is_not(tmp_path):
    manager = background.EmbeddedManager(diskcache.Cache(str(tmp_path)))
    died, cancelled = dead_pid(), dead_pid()
    lost = manager.get_result("key-died", died)
    assert lost["background_callback_error"]["msg"] == background.LOST_RUN

    manager.terminate_job(cancelled)  # what Cancel does
    assert manager.get_result("key-cancelled", cancelled) is manager.UNDEFINED

    manager.handle.set("key-done", {"ok": 1})  # finished just before its process exited
    assert manager.get_result("key-done", dead_pid()) == {"ok": 1}


def test_redis_store_round_trips_values_with_expiry_and_delete(redis_url, tmp_path):
    store = open_store(redis_url, b"k" * 32)
    assert isinstance(store.backend, RedisBackend)
    frame = pd.DataFrame({"account_id": ["A"], "arr": [1.5]})
    store.set("s", "accounts", (frame, {"source": "a.csv"}), expire=60)
    got, meta = store.get("s", "accounts", (pd.DataFrame, dict))
    pd.testing.assert_frame_equal(got, frame)
    assert meta == {"source": "a.csv"}
    assert 0 < store.backend.redis.ttl("strata:session:s:accounts") <= StoreLimits().idle_seconds
    store.delete("s", "accounts")
    assert store.get("s", "accounts", (pd.DataFrame, dict)) is None
    assert isinstance(open_store(str(tmp_path / "d"), b"k" * 32).backend, DiskBackend)  # a directory


def test_sessions_in_redis_reach_background_jobs_and_stay_apart(redis_url):
    server = flask.Flask(__name__)
    state.install(server, redis_url, b"k" * 32, Settings(cache_dir="", redis_url=redis_url))
    mine = pd.DataFrame({"account_id": ["Z"], "account_name": ["Zed"], "arr": [5.0]})
    with server.test_request_context("/"):
        server.preprocess_request()
        state.save_data(mine, {"source": "z.csv", "notes": []})
        session = state.session_id()
    with server.test_request_context("/"):
        server.preprocess_request()  # someone else
        assert state.current_data()[1] == state.DEMO_META
    other = flask.Flask(__name__)  # a worker elsewhere: its own app, the same settings
    state.install(other, redis_url, b"k" * 32, Settings(cache_dir="", redis_url=redis_url))
    accounts, meta = state.data_outside_request(other, session)
    assert meta["source"] == "z.csv" and accounts["account_id"].tolist() == ["Z"]


def test_the_app_refuses_to_start_when_redis_does_not_answer_and_hides_the_password():
    from dashboard import ConfigurationError, create_app

    with pytest.raises(ConfigurationError, match="does not answer") as refused:
        create_app(redis_url="redis://:hunter2@127.0.0.1:1/0")
    assert "hunter2" not in str(refused.value) and "127.0.0.1:1" in str(refused.value)


def test_a_celery_worker_without_redis_url_is_told_what_is_missing(tmp_path):
    import os
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(STRATA_CACHE_DIR=str(tmp_path), STRATA_DATABASE_URL=f"sqlite:///{tmp_path / 'db'}")
    worker = subprocess.run(
        [sys.executable, "-c", "import app; app.celery_app"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 1 and "REDIS_URL is not set" in worker.stderr
    assert "Traceback" not in worker.stderr
