"""Who may use the app: loopback always; anyone else only with a password (HTTP basic auth).

* Users live in a file named by ``STRATA_USERS_FILE``: one ``name:hash`` per line, the hash from
  ``portfolio add-user FILE NAME`` (:mod:`storage.users`; never the password).
* With users, a check before every request (:class:`SignIn`) guards every page, asset and
  callback, and saved scenarios belong to the signed-in user (:func:`current_user`). One parser
  reads the credentials for both (:func:`parse_basic`); a header it cannot read is a 401.
* A verified header is remembered (the browser resends it on every request; the hash costs
  ~90 ms of CPU): each use renews it for :data:`VERIFIED_SECONDS`, up to
  :data:`VERIFIED_LIFETIME_SECONDS` after its check, and a remembered header is accepted before
  any rate limit is looked at. An unknown name costs the same hash as a known one, so timing
  does not tell which names exist.
* After :data:`FAILURES_ALLOWED` failed sign-ins within :data:`FAILURE_WINDOW_SECONDS` from one
  address, further attempts from it get 429 with ``Retry-After`` and no hashing. For one name
  (from any addresses), further wrong passwords get 429 too, but a password is still checked
  and a correct one accepted: knowing a user's name must not let anyone lock that user out
  (the limit stops guessing; a correct password is not a guess). The hashing a locked name
  costs stays bounded by the per-address limit. These counts live in each process's memory
  (not user data): under ``gunicorn -w 2`` an attacker gets at most twice the allowance.
* Without users, a request from any address but loopback is refused (403, with what to do), so
  binding to 0.0.0.0 by mistake exposes nothing. ``python app.py --host`` checks this at start.
* Uploads are capped at ``STRATA_MAX_UPLOAD_MB`` (default 100) with a clear message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import flask
from werkzeug.security import check_password_hash, generate_password_hash

from storage.settings import USERS_ENV, Settings
from storage.users import read_users

NEEDS_AUTH = (
    f"Strata only serves other machines with authentication: create a users file with "
    f"`portfolio add-user FILE NAME` and set {USERS_ENV}=FILE."
)
VERIFIED_SECONDS = 300
"""A successful password check is reused for the same ``Authorization`` header while it is
used at least this often (each use renews it)..."""
VERIFIED_LIFETIME_SECONDS = 8 * 3600
"""...but for at most this long after the check (then the password is hashed again)."""
VERIFIED_MAX = 1024
"""At most this many verified headers are remembered (the oldest is forgotten first)."""
FAILURES_ALLOWED = 10
FAILURE_WINDOW_SECONDS = 60
"""More than :data:`FAILURES_ALLOWED` failures within this window, per address or per name,
answer 429 until the oldest failure leaves the window."""
TRACKED_MAX = 10_000
"""At most this many addresses and names are counted (the oldest is forgotten first)."""
SIGN_IN = 'Basic realm="Strata", charset="UTF-8"'


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Credentials:
    name: str
    password: str


def parse_basic(header: str | None) -> Credentials | None:
    """The name and password of an HTTP ``Authorization: Basic`` header (RFC 7617), or None.

    The scheme is case-insensitive; the token must be strict base64 of UTF-8 ``name:password``
    with a non-empty name (the password is everything after the first colon). Anything else,
    including no header, is None: never an exception.
    """
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # not base64 (ValueError: non-ASCII), or not UTF-8
        return None
    name, colon, password = decoded.partition(":")
    return Credentials(name, password) if colon and name else None


@dataclass(frozen=True)
class Decision:
    """Who signed in (None: refused); ``retry_after`` seconds when refused for too many failures."""

    user: str | None
    retry_after: int = 0


class SignIn:
    """Checks Basic credentials against the users' password hashes (see the module docstring).

    ``check`` compares a hash and a password (werkzeug's, injectable for tests); ``clock``
    gives seconds (monotonic). Thread-safe; one instance per process.
    """

    def __init__(
        self,
        users: Mapping[str, str],
        *,
        check: Callable[[str, str], bool] = check_password_hash,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._users = dict(users)
        self._check = check
        self._clock = clock
        # a hash of a random password, made like the users' (same method, same cost)
        method = next(iter(self._users.values()), "scrypt").split("$", 1)[0]
        self._dummy = generate_password_hash(secrets.token_urlsafe(16), method=method)
        self._key = secrets.token_bytes(32)  # headers are remembered as keyed digests only
        self._verified: OrderedDict[bytes, tuple[float, float, str]] = OrderedDict()  # checked, expires
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def decide(self, header: str | None, address: str) -> Decision:
        """Sign in with the request's ``Authorization`` header, from client ``address``."""
        credentials = parse_basic(header)
        if credentials is None:
            return Decision(None)
        digest = hmac.new(self._key, (header or "").encode(), hashlib.sha256).digest()
        now = self._clock()
        name_key = hashlib.sha256(credentials.name.encode()).hexdigest()[:32]  # bounded size
        address_key, name_key = f"address:{address}", f"name:{name_key}"
        with self._lock:
            checked, expires, user = self._verified.get(digest, (0.0, 0.0, ""))
            if now < expires:  # remembered: renewed, and never refused by a rate limit
                renewed = min(now + VERIFIED_SECONDS, checked + VERIFIED_LIFETIME_SECONDS)
                self._verified[digest] = (checked, renewed, user)
                return Decision(user)
            address_wait = self._wait(address_key, now)
            name_wait = self._wait(name_key, now)
        if address_wait:
            return Decision(None, address_wait)
        stored = self._users.get(credentials.name)
        matches = self._check(stored or self._dummy, credentials.password)
        with self._lock:
            if matches and stored is not None:
                self._verified[digest] = (now, now + VERIFIED_SECONDS, credentials.name)
                self._verified.move_to_end(digest)
                while len(self._verified) > VERIFIED_MAX:
                    self._verified.popitem(last=False)
                return Decision(credentials.name)
            for key in (address_key, name_key):
                self._failures.setdefault(key, deque()).append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > TRACKED_MAX:
                self._failures.popitem(last=False)
        return Decision(None, name_wait)

    def _wait(self, key: str, now: float) -> int:
        """Whole seconds until ``key`` may try again (0: now); drops failures out of the window."""
        times = self._failures.get(key)
        if not times:
            return 0
        while times and times[0] <= now - FAILURE_WINDOW_SECONDS:
            times.popleft()
        if len(times) < FAILURES_ALLOWED:
            return 0
        return max(1, math.ceil(times[-FAILURES_ALLOWED] + FAILURE_WINDOW_SECONDS - now))


def configured_users(settings: Settings) -> dict[str, str] | None:
    """The users of ``settings.users_file``; None without one. ValueError names a bad line, or
    says the file has no users (it would leave only loopback served, not what was meant)."""
    if not settings.users_file:
        return None
    users = read_users(settings.users_file)
    if not users:
        raise ValueError(f"{settings.users_file} has no users: add one with `portfolio add-user FILE NAME`")
    return users


def _first(server: flask.Flask, hook: Callable[[], flask.Response | None]) -> None:
    """Run ``hook`` before every other before-request hook: a refused request does no work, and
    later hooks (the session's) only ever see a verified user."""
    server.before_request_funcs.setdefault(None, []).insert(0, hook)


def install(app, users: dict[str, str] | None, settings: Settings) -> None:
    """Basic auth when there are users; otherwise refuse every non-loopback request."""
    server: flask.Flask = app.server
    server.config["STRATA_AUTH"] = bool(users)
    # an upload arrives base64-encoded inside a JSON body (4/3 of the file); leave room so the
    # ingest limit, not a bare 413, tells the user the file is too large
    server.config["MAX_CONTENT_LENGTH"] = settings.upload_limits.max_bytes * 2 + 10 * 1024 * 1024
    if users:
        sign_in = SignIn(users)
        server.extensions["strata_sign_in"] = sign_in

        def _signed_in() -> flask.Response | None:
            request = flask.request
            decision = sign_in.decide(request.headers.get("Authorization"), request.remote_addr or "")
            if decision.user is not None:
                return None
            if decision.retry_after:
                return flask.Response(
                    f"Too many failed sign-ins: try again in {decision.retry_after} s.",
                    status=429,
                    headers={"Retry-After": str(decision.retry_after)},
                    mimetype="text/plain",
                )
            return flask.Response(
                "Sign in to use Strata.",
                status=401,
                headers={"WWW-Authenticate": SIGN_IN},
                mimetype="text/plain",
            )

        _first(server, _signed_in)
        return

    @server.before_request
    def _loopback_only() -> flask.Response | None:
        if not is_loopback(flask.request.remote_addr or ""):
            return flask.Response(NEEDS_AUTH, status=403, mimetype="text/plain")
        return None


def current_user() -> str | None:
    """The signed-in user, when authentication is on: the name in the request's Basic
    credentials, which :class:`SignIn` verified before any page or callback ran."""
    if not flask.current_app.config.get("STRATA_AUTH"):
        return None
    credentials = parse_basic(flask.request.headers.get("Authorization"))
    return credentials.name if credentials else None
