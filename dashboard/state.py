"""Per-browser-session data, kept server-side and keyed by a random session id.

The id lives in an HttpOnly cookie (``strata_sid``) set on the first request; the data lives
in a store shared by every process: a diskcache directory on one machine (so it holds under
``gunicorn -w 2``), or Redis when ``REDIS_URL`` is set (several machines; see
:mod:`storage.session_store`). Nothing a user uploads is held in a module-level variable.
Without an upload a session sees the built-in demo portfolio.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
from collections.abc import Callable
from typing import TypeVar

import flask
import pandas as pd

from portfolio.fingerprint import dataset_fingerprint
from portfolio.ingest import load_file
from portfolio.resources import demo_accounts_path
from reporting.simulation_report import SimulationReport, UnreadableReport
from storage.session_store import open_store
from storage.settings import Settings

COOKIE = "strata_sid"
EXPIRE_SECONDS = 7 * 24 * 3600
T = TypeVar("T")
DEMO_META = {"source": "Demo portfolio (synthetic)", "shape": "snapshot", "demo": True, "notes": []}


def install(server: flask.Flask, location: str) -> None:
    """Attach the session store (a diskcache directory or a Redis URL) and the session-cookie
    hooks to the Flask server."""
    server.config["STRATA_STORE"] = location
    server.extensions["strata_store"] = open_store(location)

    @server.before_request
    def _ensure_session_id() -> None:
        sid = _cookie_session(flask.request.cookies)
        flask.g.strata_new_sid = sid is None
        flask.g.strata_sid = sid or secrets.token_hex(16)

    @server.after_request
    def _set_cookie(response: flask.Response) -> flask.Response:
        if getattr(flask.g, "strata_new_sid", False):
            response.set_cookie(
                COOKIE, flask.g.strata_sid, httponly=True, samesite="Lax", max_age=EXPIRE_SECONDS
            )
        return response


def _cookie_session(cookies: dict) -> str | None:
    """The session id in the cookies, if it is one this app issued (32 hex digits)."""
    sid = cookies.get(COOKIE, "")
    return sid if sid.isalnum() and len(sid) == 32 else None


def settings() -> Settings:
    """The deployment's settings (read once when the app was built)."""
    return flask.current_app.extensions["strata_settings"]


def _store():
    return flask.current_app.extensions["strata_store"]


def session_id() -> str:
    return flask.g.strata_sid


@functools.lru_cache(maxsize=1)
def demo_accounts() -> pd.DataFrame:
    """The shipped demo portfolio (the same for everyone; not user data)."""
    return load_file(demo_accounts_path()).accounts


@functools.lru_cache(maxsize=1)
def demo_fingerprint() -> str:
    return dataset_fingerprint(demo_accounts())


def _data_of(store, sid: str) -> tuple[pd.DataFrame, dict]:
    saved = store.get(f"{sid}:accounts")
    return (demo_accounts(), DEMO_META) if saved is None else saved


def current_data() -> tuple[pd.DataFrame, dict]:
    """This session's accounts and their description (source, notes); the demo by default."""
    return _data_of(_store(), session_id())


def data_outside_request(location: str, cookies: dict) -> tuple[pd.DataFrame, dict]:
    """The same as :func:`current_data` where there is no Flask request (a background job,
    perhaps on another machine): the session comes from the request's cookies, the store from
    its location (``server.config["STRATA_STORE"]``)."""
    sid = _cookie_session(cookies)
    if sid is None:
        return demo_accounts(), DEMO_META
    with contextlib.closing(open_store(location)) as store:
        return _data_of(store, sid)


def data_fingerprint() -> str:
    """Fingerprint of this session's data (see :func:`portfolio.fingerprint.dataset_fingerprint`)."""
    return _store().get(f"{session_id()}:fingerprint") or demo_fingerprint()


def run_scope() -> str:
    """Session and data: what a cached background result must match to be reused."""
    return f"{session_id()}:{data_fingerprint()}"


def owner() -> str:
    """Who owns saved scenarios: the signed-in user, or else the browser session."""
    from dashboard.access import current_user

    user = current_user()
    return f"user:{user}" if user else session_id()


def save_report(report: SimulationReport) -> None:
    """Keep the simulation on screen (for the board pack and chart downloads); the store holds
    its dict form."""
    _store().set(f"{session_id()}:report", report.to_dict(), expire=EXPIRE_SECONDS)


def save_report_outside_request(location: str, cookies: dict, report: SimulationReport) -> None:
    """:func:`save_report` from a background job (no Flask request)."""
    sid = _cookie_session(cookies)
    if sid is not None:
        with contextlib.closing(open_store(location)) as store:
            store.set(f"{sid}:report", report.to_dict(), expire=EXPIRE_SECONDS)


def last_report() -> SimulationReport | None:
    """The last simulation this session ran, if it was run on the data loaded now (and this
    Strata can read it: one kept by an older version that cannot be converted counts as none)."""
    stored = _store().get(f"{session_id()}:report")
    if not stored:
        return None
    try:
        report = SimulationReport.from_dict(stored)
    except UnreadableReport:
        return None
    return report if report.fingerprint == data_fingerprint() else None


def save_data(accounts: pd.DataFrame, meta: dict) -> None:
    store, sid = _store(), session_id()
    store.set(f"{sid}:accounts", (accounts, meta), expire=EXPIRE_SECONDS)
    store.set(f"{sid}:fingerprint", dataset_fingerprint(accounts), expire=EXPIRE_SECONDS)
    store.delete(f"{sid}:computed")


def computed_once(inputs: str, compute: Callable[[], T]) -> T:
    """``compute()`` for this session's data and ``inputs`` (a string naming them): kept in the
    session store, so a page shown again with the same data and inputs reads it back instead of
    computing it again. One result per session; new data or other inputs replace it."""
    store, sid = _store(), session_id()
    key = f"{data_fingerprint()}|{inputs}"
    saved = store.get(f"{sid}:computed")
    if saved is not None and saved[0] == key:
        return saved[1]
    value = compute()
    store.set(f"{sid}:computed", (key, value), expire=EXPIRE_SECONDS)
    return value


def reset_to_demo() -> None:
    for key in ("accounts", "fingerprint", "pending", "report", "computed"):
        _store().delete(f"{session_id()}:{key}")


def save_pending(data: bytes, filename: str) -> None:
    """Keep an upload that needs a column mapping until the user applies one."""
    _store().set(f"{session_id()}:pending", (data, filename), expire=3600)


def pending_upload() -> tuple[bytes, str] | None:
    return _store().get(f"{session_id()}:pending")
