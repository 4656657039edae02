"""Sessions (issue 15): ids the server issued, bound to the signed-in user; nothing unpickled
from the store; background results and run slots bound to the session that started the run.

Each test reproduces a finding of the penetration test; run on the code before the fix, each
fails (the planted pickle ran, the forged cookie was accepted, user B read user A's upload, a
401/403 set a cookie, another cookie read a run's result)."""

import base64
import pathlib
import time

import diskcache
import pandas as pd
import pytest
from dash.testing.wait import until

from dashboard import background, state
from portfolio.whatif import DEFAULT_SETTINGS

MINE = pd.DataFrame({"account_id": ["Z"], "account_name": ["Zed"], "arr": [5.0], "arr_prior": [4.0]})


class Plant:
    """A pickle that creates ``marker`` when unpickled (the finding ran `id`)."""

    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def cookie_of(response) -> str | None:
    """The value of the ``strata_sid`` cookie a response sets, if it sets one."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{state.COOKIE}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


def basic(user: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:pw".encode()).decode()}


def session_of(server, cookie: str | None, headers: dict | None = None) -> str:
    """The session id a request with this cookie gets."""
    with server.test_request_context("/", headers={**(headers or {}), "Cookie": f"{state.COOKIE}={cookie}"}):
        server.preprocess_request()
        return state.session_id()


def test_a_forged_cookie_gets_a_fresh_session(dash_app):
    server, forged = dash_app.server, "A" * 32
    with server.test_request_context("/", headers={"Cookie": f"{state.COOKIE}={forged}"}):
        server.preprocess_request()
        session = state.session_id()
        response = server.process_response(server.response_class())
    issued = cookie_of(response)
    assert session != forged and issued is not None and issued.startswith(session)  # a new id
    assert session_of(server, issued) == session  # kept on the next request
    assert "HttpOnly" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]
    first_visit = server.test_client().get("/")  # no cookie yet: the page load issues one
    assert cookie_of(first_visit) is not None


def test_a_cookie_never_carries_data_across_users(dash_app, monkeypatch):
    monkeypatch.setitem(dash_app.server.config, "STRATA_AUTH", True)
    server = dash_app.server
    with server.test_request_context("/", headers=basic("alice")):
        server.preprocess_request()
        state.save_data(MINE, {"source": "alice.csv", "notes": []})
        response = server.process_response(server.response_class())
    cookie = cookie_of(response)
    with server.test_request_context("/", headers={**basic("bob"), "Cookie": f"{state.COOKIE}={cookie}"}):
        server.preprocess_request()  # bob signs in with his own password and alice's cookie
        assert state.current_data()[1] == state.DEMO_META
    with server.test_request_context("/", headers={**basic("alice"), "Cookie": f"{state.COOKIE}={cookie}"}):
        server.preprocess_request()
        assert state.current_data()[1]["source"] == "alice.csv"  # still alice's


def test_no_session_cookie_on_a_refusal(dash_app):
    refused = dash_app.server.test_client().get("/", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert refused.status_code == 403 and cookie_of(refused) is None


def test_a_pickle_planted_in_the_cache_directory_is_never_run(dash_app, tmp_path):
    server = dash_app.server
    cookie = cookie_of(server.test_client().get("/"))
    session = session_of(server, cookie)
    marker = tmp_path / "planted-pickle-ran"
    with diskcache.Cache(server.config["STRATA_STORE"]) as planted:  # the attacker's own writer
        planted.set(f"{session}:accounts", Plant(marker))
        planted.set(f"{session}:fingerprint", Plant(marker))
    with server.test_request_context("/", headers={"Cookie": f"{state.COOKIE}={cookie}"}):
        server.preprocess_request()
        assert state.current_data()[1] == state.DEMO_META  # read as no data
        assert state.data_fingerprint() == state.demo_fingerprint()
    assert not marker.exists()


def _result(value):
    return value


def _slow(seconds):
    time.sleep(seconds)
    return "done"


def _start(manager, server, cookie, key, fn, *args):
    with server.test_request_context("/", headers={"Cookie": f"{state.COOKIE}={cookie}"}):
        server.preprocess_request()
        return manager.call_job_fn(key, manager.make_job_fn(fn, False, f"test-{key}"), list(args), {})


def _ask(manager, server, cookie, what, *args):
    with server.test_request_context("/", headers={"Cookie": f"{state.COOKIE}={cookie}"}):
        server.preprocess_request()
        return getattr(manager, what)(*args)


def _two_sessions(server) -> tuple[str, str]:
    client = server.test_client
    return cookie_of(client().get("/")), cookie_of(client().get("/"))


def test_a_run_result_is_served_only_to_the_session_that_started_it(dash_app, tmp_path):
    """The handles (cache key, job) travel in the query string; replayed from another cookie
    they give nothing: no result, no progress, no cancel."""
    server = dash_app.server
    manager = background.manager(str(tmp_path), None)
    mine, theirs = _two_sessions(server)
    job = _start(manager, server, mine, "key-1", _result, {"report": "mine"})
    until(lambda: manager.result_ready("key-1"), timeout=30)
    manager.handle.set("key-1-progress", [50, "half"])
    assert _ask(manager, server, theirs, "get_result", "key-1", job) is manager.UNDEFINED
    assert _ask(manager, server, theirs, "get_progress", "key-1") is None
    assert _ask(manager, server, mine, "get_progress", "key-1") == [50, "half"]
    assert _ask(manager, server, mine, "get_result", "key-1", job) == {"report": "mine"}

    slow = _start(manager, server, mine, "key-2", _slow, 30)
    _ask(manager, server, theirs, "terminate_job", slow)  # a replayed cancel
    assert manager.job_running(slow)
    _ask(manager, server, mine, "terminate_job", slow)
    until(lambda: not manager.job_running(slow), timeout=10)


def test_one_run_per_session_and_a_global_limit_with_a_clear_message(dash_app, tmp_path):
    server = dash_app.server
    manager = background.manager(str(tmp_path), None, max_runs=1)
    mine, theirs = _two_sessions(server)
    first = _start(manager, server, mine, "key-a", _slow, 30)
    again = _start(manager, server, mine, "key-b", _result, 1)
    other = _start(manager, server, theirs, "key-c", _result, 1)
    refused = _ask(manager, server, mine, "get_result", "key-b", again)["background_callback_error"]["msg"]
    busy = _ask(manager, server, theirs, "get_result", "key-c", other)["background_callback_error"]["msg"]
    assert background.refusal_of(Exception(refused)) == (
        "A full run of yours is still in progress; wait for it or cancel it."
    )
    assert background.refusal_of(Exception(busy)) == "Busy: 1 run in progress; try again shortly."
    assert not manager.job_running(again) and not manager.job_running(other)  # never started
    assert _ask(manager, server, mine, "get_result", "key-b", other) is manager.UNDEFINED  # not mine
    _ask(manager, server, mine, "terminate_job", first)
    until(lambda: not manager.job_running(first), timeout=10)
    later = _start(manager, server, theirs, "key-d", _result, 2)  # a slot is free again
    until(lambda: manager.result_ready("key-d"), timeout=30)
    assert _ask(manager, server, theirs, "get_result", "key-d", later) == 2


@pytest.mark.parametrize(
    "running, session, limit, expected",
    [
        ([], "a", 1, None),
        (["b"], "a", 2, None),
        (["a"], "a", 5, "A full run of yours is still in progress; wait for it or cancel it."),
        (["b", "c"], "a", 2, "Busy: 2 runs in progress; try again shortly."),
    ],
)
def test_run_refusal(running, session, limit, expected):
    refusal = background.run_refusal(running, session, limit)
    assert (None if refusal is None else background.refusal_of(Exception(refusal))) == expected


def test_the_page_shows_a_refusal_without_run_failed():
    from importlib import import_module

    page = import_module("dashboard.pages.simulator")
    refusal = background.run_refusal(["b"], "a", 1)
    exc = Exception(f"An error occurred inside a background callback: {refusal}\n")
    assert page.run_failed(exc) == (page.no_update, "Busy: 1 run in progress; try again shortly.")


def _run_full_request(dash_app, page) -> tuple[str, dict]:
    """The request a browser sends for "Run full simulation" (2,000 paths), as
    (output spec, JSON body), built from Dash's own dependency list."""
    from dash import _callback_signing

    client = dash_app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if "sim-error.children" in d["output"] and d.get("background"))
    with dash_app.server.test_request_context("/"):
        dash_app.server.preprocess_request()
        rows = page.fill_controls(data_version=0, settings=DEFAULT_SETTINGS, nrr_volatility=5)[1]
    values = {
        "sim-accounts-grid.selectedRows": [],
        "sim-horizon.value": 8,
        "sim-period.value": "quarter",
        "sim-nrr-volatility.value": 5,
        "sim-staffing.value": "hire",
        "sim-cost-per-sam.value": 180000,
        "sim-margin.value": 80,
        "sim-discount-rate.value": 10,
        "sim-assumptions-grid.rowData": rows,
        "app-settings.data": DEFAULT_SETTINGS,
        "sim-paths.value": "2000",
    }
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in dep["output"].strip(".").split("...")
    ]
    body = {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [{"id": "sim-run", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["sim-run.n_clicks"],
        "state": [{**s, "value": values.get(f"{s['id']}.{s['property']}")} for s in dep["state"]],
    }
    end_id = _callback_signing.sign(dash_app._get_signing_secret(), _callback_signing.END_SCOPE, "page-1")
    return end_id, body


def test_a_replayed_run_handle_from_another_cookie_gets_nothing(dash_app):
    """Finding 7 over HTTP: start a full run with one cookie, let it finish, then send the
    poll (cache key and job as they appear in the access log) with another cookie."""
    from importlib import import_module

    page = import_module("dashboard.pages.simulator")
    end_id, body = _run_full_request(dash_app, page)
    mine, theirs = dash_app.server.test_client(), dash_app.server.test_client()
    mine.get("/")
    theirs.get("/")
    started = mine.post(f"/_dash-update-component?endId={end_id}", json=body).get_json()
    query = f"/_dash-update-component?cacheKey={started['cacheKey']}&job={started['job']}&endId={end_id}"

    manager, key = dash_app._background_manager, started["cacheKey"].rpartition("~")[0]
    until(lambda: manager.result_ready(key), timeout=120, msg="the run did not finish")
    replayed = theirs.post(query, json=body)
    # nothing: 204, or (while the finished run's process is still exiting) an empty poll answer
    assert replayed.status_code in (200, 204)
    assert b"sim-report" not in replayed.data and b"progress" not in replayed.data
    result = mine.post(query, json=body).get_json()
    assert result["response"]["sim-report"]["data"]["settings"]["paths"] == 2000


def test_an_upload_past_the_storage_caps_gets_a_message_and_changes_nothing(
    dash_app, request_ctx, monkeypatch
):
    from importlib import import_module

    from storage.session_store import StoreLimits

    data_page = import_module("dashboard.pages.data")
    store = dash_app.server.extensions["strata_store"]
    text = "account_id,arr\n" + "".join(f"A{i},{i + 1}\n" for i in range(500))
    contents = "data:text/csv;base64," + base64.b64encode(text.encode()).decode()
    monkeypatch.setattr(store, "limits", StoreLimits(session_bytes=4_000))
    out = data_page.on_upload(contents, "big.csv", 0)
    assert "big.csv was not loaded: This session would keep" in str(out["report"])
    assert out["version"] is data_page.no_update and state.current_data()[1] == state.DEMO_META
    monkeypatch.setattr(store, "limits", StoreLimits(total_bytes=1))
    out = data_page.on_upload(contents, "big.csv", 0)
    assert "The server's storage is full; try again later." in str(out["report"])


def test_scale_out_runs_are_limited_too(dash_app, redis_url, tmp_path):
    """The Celery manager keeps the same limits in Redis (no worker needed: a queued run counts)."""
    server = dash_app.server
    manager = background.manager(str(tmp_path), redis_url, max_runs=1)
    mine, theirs = _two_sessions(server)
    first = _start(manager, server, mine, "key-q", _result, 1)  # queued: no worker runs it
    busy = _start(manager, server, theirs, "key-r", _result, 1)
    message = _ask(manager, server, theirs, "get_result", "key-r", busy)["background_callback_error"]["msg"]
    assert background.refusal_of(Exception(message)) == "Busy: 1 run in progress; try again shortly."
    assert _ask(manager, server, theirs, "get_result", "key-q", first) is manager.UNDEFINED  # not theirs
    _ask(manager, server, mine, "terminate_job", first)  # cancelled: its slot is free
    assert not _start(manager, server, theirs, "key-s", _result, 1).startswith("refused-")


def _what_the_job_saw():
    import dash

    return {
        "headers": dict(dash.ctx.headers),
        "cookies": dict(dash.ctx.cookies),
        "session": background.job_session(),
    }


def test_a_job_gets_its_session_from_the_server_and_no_credentials(dash_app, tmp_path):
    server = dash_app.server
    manager = background.manager(str(tmp_path), None)
    mine, _ = _two_sessions(server)
    request = {
        "headers": {
            "Authorization": "Basic YWxpY2U6c2VjcmV0",
            "Cookie": f"{state.COOKIE}={mine}",
            "Accept": "*/*",
        },
        "cookies": {state.COOKIE: mine},
    }
    with server.test_request_context("/", headers={"Cookie": f"{state.COOKIE}={mine}"}):
        server.preprocess_request()
        job = manager.call_job_fn(
            "key-ctx", manager.make_job_fn(_what_the_job_saw, False, "ctx"), [], request
        )
        session = state.session_id()
    until(lambda: manager.result_ready("key-ctx"), timeout=30)
    seen = manager.get_result("key-ctx", job)
    assert seen == {"headers": {"Accept": "*/*"}, "cookies": {}, "session": session}


def test_no_session_cookie_on_any_refusal_of_the_sign_in(tmp_path):
    """Security re-test N5: a 429 (too many failed sign-ins) set a cookie signed for the
    unverified name in its header (session fixation). No 4xx sets one: 401, 429, 404."""
    from types import SimpleNamespace

    import flask
    from werkzeug.security import generate_password_hash

    from dashboard import access
    from storage.settings import Settings

    server = flask.Flask("guarded-sessions")
    server.route("/")(lambda: (state.session_id(), "the page")[1])
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    state.install(server, str(tmp_path / "cache"), b"k" * 32, settings)
    users = {"alice": generate_password_hash("pw", method="pbkdf2:sha256:1000")}
    access.install(SimpleNamespace(server=server), users, settings)
    client = server.test_client()
    wrong = {"Authorization": "Basic " + base64.b64encode(b"alice:wrong").decode()}
    for _ in range(10):
        refused = client.get("/", headers=wrong)
        assert refused.status_code == 401 and cookie_of(refused) is None
    limited = client.get("/", headers=wrong)
    assert limited.status_code == 429 and cookie_of(limited) is None
    other = {"REMOTE_ADDR": "10.0.0.9"}  # the guesses' address is at its limit
    assert cookie_of(client.get("/", headers=basic("alice"), environ_base=other)) is not None
    missing = server.test_client().get("/no-such-page", headers=basic("alice"), environ_base=other)
    assert missing.status_code == 404 and cookie_of(missing) is None
