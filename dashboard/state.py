"""Per-browser-session data, kept server-side under a session id the server issued.

The id lives in an HttpOnly, SameSite=Lax cookie (``strata_sid``; ``Secure`` with
``STRATA_COOKIE_SECURE=1``) as ``<id>.<HMAC>``, the HMAC over the id and the signed-in user
(none without users). A cookie the server did not issue, or one issued to another user, is
ignored and the request gets a fresh session, so a cookie never carries data across users. No
cookie is set on any 4xx answer (401, 403, 429: a refused sign-in).

The data lives in a store shared by every process (:mod:`storage.session_store`): a private
diskcache directory on one machine, or Redis when ``REDIS_URL`` is set; values are signed and
never unpickled, unused data expires after ``STRATA_SESSION_IDLE_HOURS``, and a session or the
server past its storage cap gets a message instead of evicting anyone's data. Nothing a user
uploads is held in a module-level variable. Without an upload a session sees the built-in demo
portfolio.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Hashable
from typing import TypeVar

import flask
import pandas as pd

from portfolio.datafacts import DataFacts, chosen, facts_of, with_facts
from portfolio.fingerprint import dataset_fingerprint
from portfolio.formatting import set_currency
from portfolio.ingest import load_file
from portfolio.ingest.history import quarters_of, with_quarters
from portfolio.ingest.snapshots import snapshots_of, with_snapshots
from portfolio.quarters import quarters_from_frame, quarters_to_frame
from portfolio.resources import demo_accounts_path
from portfolio.schema import SNAPSHOT_DATE
from portfolio.whatif import default_settings, filtered_accounts, read_settings
from reporting.simulation_report import SimulationReport, UnreadableReport
from storage.memo import SessionMemo
from storage.session_store import PARTS, SessionStore, StoreFull, StoreLimits, derived_key, open_store
from storage.settings import MIB, Settings

COOKIE = "strata_sid"
COOKIE_SECONDS = 7 * 24 * 3600
PENDING_SECONDS = 3600
DEMO_META = {"source": "Demo portfolio (synthetic)", "shape": "snapshot", "demo": True, "notes": []}
ACCOUNTS_SHAPE = (pd.DataFrame, dict)
PENDING_SHAPE = (bytes, str)
logger = logging.getLogger(__name__)
T = TypeVar("T")
__all__ = ["StoreFull"]  # re-exported: what save_data raises when there is no room


def install(server: flask.Flask, location: str, secret: bytes, settings: Settings) -> None:
    """Attach the session store (a diskcache directory or a Redis URL, values signed with a key
    derived from ``secret``) and the session-cookie hooks to the Flask server."""
    limits = store_limits(settings)
    server.config["STRATA_STORE"] = location
    server.extensions["strata_store"] = open_store(location, secret, limits)
    server.extensions["strata_store_limits"] = limits
    server.extensions["strata_memo"] = SessionMemo(int(settings.memo_mb * MIB))
    server.extensions["strata_secret"] = secret
    server.extensions["strata_cookie_key"] = derived_key(secret, "session-cookie")
    server.extensions["strata_currency"] = settings.currency  # STRATA_CURRENCY: where files say none

    @server.before_request
    def _currency() -> None:
        # every callback prints amounts in its session's currency; any other request (and a
        # thread reused from another session's request) in the default
        set_currency("USD")
        if flask.request.path.endswith("_dash-update-component"):
            set_currency(request_currency())

    @server.after_request
    def _set_cookie(response: flask.Response) -> flask.Response:
        if 400 <= response.status_code < 500:
            return response  # refused (401, 403, 429, …): no session for whoever asked
        if "strata_sid" not in flask.g:
            if COOKIE in flask.request.cookies:
                return response  # the request did not use its session (an asset): leave the cookie
            session_id()  # the first page load issues the id (before its callbacks race for one)
        if flask.g.strata_new_sid:
            response.set_cookie(
                COOKIE,
                flask.g.strata_cookie,
                httponly=True,
                samesite="Lax",
                secure=settings.cookie_secure,
                max_age=COOKIE_SECONDS,
            )
        return response


def store_limits(settings: Settings) -> StoreLimits:
    return StoreLimits(
        session_bytes=int(settings.session_quota_mb * MIB),
        total_bytes=int(settings.store_limit_mb * MIB),
        idle_seconds=settings.session_idle_hours * 3600,
    )


def _cookie_mac(key: bytes, sid: str, user: str | None) -> str:
    message = f"{sid}\0{user or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def cookie_value(key: bytes, sid: str, user: str | None) -> str:
    """The cookie for session ``sid`` issued to ``user``: ``<sid>.<HMAC>``."""
    return f"{sid}.{_cookie_mac(key, sid, user)}"


def verified_session(key: bytes, cookie: str | None, user: str | None) -> str | None:
    """The session id in ``cookie`` if this server issued it to ``user``, else None."""
    sid, _, mac = (cookie or "").partition(".")
    if len(sid) != 32 or not sid.isalnum():
        return None
    return sid if hmac.compare_digest(mac, _cookie_mac(key, sid, user)) else None


def session_id() -> str:
    """This request's session: the cookie's if the server issued it to the signed-in user,
    else a fresh one (set as the cookie on the response)."""
    if "strata_sid" not in flask.g:
        from dashboard.access import current_user

        key, user = flask.current_app.extensions["strata_cookie_key"], current_user()
        sid = verified_session(key, flask.request.cookies.get(COOKIE), user)
        flask.g.strata_new_sid = sid is None
        flask.g.strata_sid = sid or secrets.token_hex(16)
        flask.g.strata_cookie = cookie_value(key, flask.g.strata_sid, user)
    return flask.g.strata_sid


def settings() -> Settings:
    """The deployment's settings (read once when the app was built)."""
    return flask.current_app.extensions["strata_settings"]


def _store() -> SessionStore:
    return flask.current_app.extensions["strata_store"]


@functools.lru_cache(maxsize=1)
def demo_accounts() -> pd.DataFrame:
    """The shipped demo portfolio (the same for everyone; not user data)."""
    return load_file(demo_accounts_path()).accounts


@functools.lru_cache(maxsize=1)
def demo_fingerprint() -> str:
    return dataset_fingerprint(demo_accounts())


def _data_of(store: SessionStore, sid: str | None, fallback: str | None) -> tuple[pd.DataFrame, dict]:
    """The session's accounts (the demo without an upload) carrying their
    :class:`~portfolio.datafacts.DataFacts` (kept in ``meta["facts"]``; ``fallback``, the
    deployment's ``STRATA_CURRENCY``, where the file named no currency), and their meta."""
    saved = store.get(sid, "accounts", ACCOUNTS_SHAPE) if sid else None
    if sid is None or saved is None:
        demo = demo_accounts().copy(deep=False)  # the shared demo frame itself is not changed
        return with_facts(demo, chosen(facts_of(demo_accounts()), fallback=fallback)), DEMO_META
    accounts, meta = saved
    history = store.get(sid, "quarters", ACCOUNTS_SHAPE)
    if history is not None:  # a value we signed but not a table of quarters reads as no history
        with contextlib.suppress(ValueError):
            with_quarters(accounts, quarters_from_frame(*history))
    dated = store.get(sid, "snapshots", ACCOUNTS_SHAPE)
    if dated is not None and SNAPSHOT_DATE in dated[0]:  # every snapshot of a dated file
        with_snapshots(accounts, dated[0])
    facts = DataFacts.from_dict(meta.get("facts"))
    return with_facts(accounts, chosen(facts, fallback=fallback)), meta


def current_data() -> tuple[pd.DataFrame, dict]:
    """This session's accounts and their description (source, notes); the demo by default.
    Read from the store once per data revision and worker (:func:`memoized`); the frame is
    shared by this session's callbacks: derive from it, never change it in place."""
    accounts, meta = memoized(
        "data", lambda: _data_of(_store(), session_id(), flask.current_app.extensions.get("strata_currency"))
    )
    return accounts, dict(meta)


def memoized(what: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` for this session's data, kept in this worker's memory
    (:class:`storage.memo.SessionMemo`) under (session, data fingerprint, revision, ``what``)
    for this session's next callbacks; the demo's results are shared by every session on it
    (it is not user data). ``what`` must name everything else the result depends on (the
    settings, as a hashable value)."""
    store, sid = _store(), session_id()
    fingerprint = store.get(sid, "fingerprint", str)
    owner = (sid, fingerprint, store.get(sid, "revision", str)) if fingerprint else ("demo",)
    return flask.current_app.extensions["strata_memo"].get((*owner, what), compute)


def current_facts() -> DataFacts:
    """This session's data facts (currency, as-of date, data kind) as the data says them."""
    return facts_of(current_data()[0])


def request_currency() -> str:
    """The currency this callback's amounts print in: the one chosen in the what-if settings
    the callback was sent (the ``currency`` of the settings store among its inputs or states),
    else the session's data's."""
    from dashboard import ids

    body = flask.request.get_json(silent=True)
    sent = [*body.get("inputs", []), *body.get("state", [])] if isinstance(body, dict) else []
    stored = _stored_facts()
    for item in sent:
        if isinstance(item, dict) and item.get("id") == ids.SETTINGS and isinstance(item.get("value"), dict):
            with contextlib.suppress(ValueError):  # an altered code: the data's currency
                return chosen(stored, currency=item["value"].get("currency")).currency
    return stored.currency


def _stored_facts() -> DataFacts:
    """The session's facts without reading its accounts: from the small "facts" part."""
    stored = _store().get(session_id(), "facts", dict)
    facts = DataFacts.from_dict(stored) if stored else facts_of(demo_accounts())
    return chosen(facts, fallback=flask.current_app.extensions.get("strata_currency"))


def data_outside_request(server: flask.Flask, sid: str | None) -> tuple[pd.DataFrame, dict]:
    """The same as :func:`current_data` for session ``sid`` where there is no Flask request (a
    background job, perhaps on another machine, whose app opened the same store from the same
    settings); ``sid`` is the one the request that started the job had, see
    :func:`dashboard.background.job_session`."""
    fallback = server.extensions.get("strata_currency")
    accounts, meta = _data_of(server.extensions["strata_store"], sid, fallback)
    set_currency(facts_of(accounts).currency)  # the job's amounts print in the data's currency
    return accounts, meta


def data_fingerprint() -> str:
    """Fingerprint of this session's data (see :func:`portfolio.fingerprint.dataset_fingerprint`)."""
    return _store().get(session_id(), "fingerprint", str) or demo_fingerprint()


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
    its dict form. No room (see :class:`StoreFull`) keeps none: downloads say to run again."""
    _keep_report(_store(), session_id(), report)


def save_report_outside_request(server: flask.Flask, sid: str | None, report: SimulationReport) -> None:
    """:func:`save_report` from a background job (no Flask request) for session ``sid``."""
    if sid:
        _keep_report(server.extensions["strata_store"], sid, report)


def _keep_report(store: SessionStore, sid: str, report: SimulationReport) -> None:
    try:
        store.set(sid, "report", report.to_dict())
    except StoreFull:
        store.delete(sid, "report")


def last_report() -> SimulationReport | None:
    """The last simulation this session ran, if it was run on the data loaded now (and this
    Strata can read it: one kept by an older version that cannot be converted counts as none)."""
    stored = _store().get(session_id(), "report", dict)
    if not stored:
        return None
    try:
        report = SimulationReport.from_dict(stored)
    except UnreadableReport:
        return None
    return report if report.fingerprint == data_fingerprint() else None


def save_data(accounts: pd.DataFrame, meta: dict) -> None:
    """Keep ``accounts`` for this session; :class:`StoreFull` (nothing changed) when the session
    or the server has no room for them. The fingerprint is that of the frame as stored and read
    back, so it matches what every later read sees."""
    store, sid = _store(), session_id()
    try:
        quarters = quarters_of(accounts)
        store.delete(sid, "quarters")
        if quarters is not None:  # the history behind the accounts (trends, back-test), kept apart
            store.set(sid, "quarters", quarters_to_frame(quarters))
        store.delete(sid, "snapshots")
        if (snapshots := snapshots_of(accounts)) is not None:  # all dates, for "what changed"
            store.set(sid, "snapshots", (snapshots, {}))
        facts = facts_of(accounts).to_dict()  # the frame's attrs do not survive the store: meta does
        store.set(sid, "accounts", (accounts, {**meta, "facts": facts, "as_of": facts["as_of"]}))
        store.set(sid, "facts", facts)
        stored = store.get(sid, "accounts", ACCOUNTS_SHAPE)
        store.set(sid, "fingerprint", dataset_fingerprint(stored[0] if stored else accounts))
        store.set(sid, "revision", secrets.token_hex(8))
        store.delete(sid, "pending")
        store.delete(sid, "settings")  # new data starts from its own defaults (revenue-only cut-offs…)
        store.delete(sid, "simulator")
    finally:  # this worker's results of the old data go (others' expire: new revision)
        flask.current_app.extensions["strata_memo"].forget(sid)


def reset_to_demo() -> None:
    for part in PARTS:
        _store().delete(session_id(), part)
    flask.current_app.extensions["strata_memo"].forget(session_id())


def save_pending(data: bytes, filename: str) -> None:
    """Keep an upload that needs a column mapping until the user applies one; StoreFull when
    there is no room."""
    _store().set(session_id(), "pending", (data, filename or "upload"), expire=PENDING_SECONDS)


def pending_upload() -> tuple[bytes, str] | None:
    return _store().get(session_id(), "pending", PENDING_SHAPE)


def current_settings() -> dict:
    """The what-if settings of this session's data: those last applied to it (kept server-side
    beside the data, so a reload, a second tab and every page show the same tiers), else the
    data's defaults (:func:`portfolio.whatif.default_settings`: revenue-only cut-offs for a
    revenue-only file). Stored settings this Strata cannot read count as none."""
    accounts, _ = current_data()
    stored = _store().get(session_id(), "settings", dict)
    if stored:
        try:
            settings = read_settings(stored)
            filtered_accounts(accounts, settings)  # a filter that still leaves accounts
            return settings
        except ValueError:
            pass
    return default_settings(accounts)


def save_settings(settings: dict) -> None:
    """Keep ``settings`` (checked by :func:`portfolio.whatif.read_settings`) with this session's
    data. No room (a few hundred bytes; only a session at its cap) keeps the last ones."""
    try:
        _store().set(session_id(), "settings", settings)
    except StoreFull:
        logger.warning("session store full: what-if settings not kept")


def simulator_state() -> dict:
    """The Simulator page as this session left it on the data loaded now: ``form`` (see
    :mod:`reporting.simulator`), ``selected`` (ticked account ids) and ``settings`` (the what-if
    settings of its last preview); ``{}`` when there is none."""
    kept = _store().get(session_id(), "simulator", dict)
    if not kept or kept.get("fingerprint") != data_fingerprint():
        return {}
    return kept


def save_simulator_state(form: dict, selected: list[str], settings: dict | None) -> None:
    """Keep the Simulator page's form and ticked accounts with this session's data, so the page
    shows them again after a page change or a reload (no room: not kept)."""
    kept = {"form": form, "selected": selected, "settings": settings, "fingerprint": data_fingerprint()}
    try:
        _store().set(session_id(), "simulator", kept)
    except StoreFull:
        logger.warning("session store full: simulator state not kept")
