"""Who may use the app: loopback always; anyone else only with a password (HTTP basic auth).

* Users live in a file named by ``STRATA_USERS_FILE``: one ``name:hash`` per line, the hash from
  ``portfolio add-user FILE NAME`` (werkzeug's salted PBKDF2/scrypt; never the password).
* With users, dash-auth's BasicAuth guards every page and callback, and saved scenarios belong
  to the signed-in user.
* Without users, a request from any address but loopback is refused (403, with what to do), so
  binding to 0.0.0.0 by mistake exposes nothing. ``python app.py --host`` checks this at start.
* Uploads are capped at ``STRATA_MAX_UPLOAD_MB`` (default 100) with a clear message.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dash_auth
import flask
from werkzeug.security import check_password_hash, generate_password_hash

from portfolio.ingest import Limits

USERS_ENV = "STRATA_USERS_FILE"
UPLOAD_ENV = "STRATA_MAX_UPLOAD_MB"
DEFAULT_UPLOAD_MB = 100
NEEDS_AUTH = (f"Strata only serves other machines with authentication: create a users file with "
              f"`portfolio add-user FILE NAME` and set {USERS_ENV}=FILE.")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_users(path: str | Path) -> dict[str, str]:
    """``{name: password hash}`` from a users file; ValueError names a bad line."""
    users = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, hashed = line.strip().partition(":")
        if not sep or not name or not hashed:
            raise ValueError(f"{path} line {number}: expected NAME:HASH")
        users[name] = hashed
    return users


def add_user(path: str | Path, name: str, password: str) -> None:
    """Add or replace ``name`` in the users file, storing a salted hash of ``password``."""
    if not name or ":" in name or not name.isprintable():
        raise ValueError("a user name must be printable and must not contain ':'")
    if len(password) < 8:
        raise ValueError("use a password of at least 8 characters")
    path = Path(path)
    users = read_users(path) if path.exists() else {}
    users[name] = generate_password_hash(password)
    path.write_text("".join(f"{n}:{h}\n" for n, h in users.items()), encoding="utf-8")
    path.chmod(0o600)


def configured_users() -> dict[str, str] | None:
    path = os.environ.get(USERS_ENV)
    return read_users(path) if path else None


def upload_limits() -> Limits:
    """The ingest limits with the configured upload cap; ValueError names a bad setting."""
    value = os.environ.get(UPLOAD_ENV, str(DEFAULT_UPLOAD_MB))
    try:
        megabytes = float(value)
    except ValueError:
        megabytes = -1.0
    if not 0 < megabytes < float("inf"):
        raise ValueError(f"{UPLOAD_ENV} must be a positive number of megabytes, got {value!r}")
    return Limits(max_bytes=int(megabytes * 1024 * 1024))


def install(app, users: dict[str, str] | None) -> None:
    """Basic auth when there are users; otherwise refuse every non-loopback request."""
    server: flask.Flask = app.server
    server.config["STRATA_AUTH"] = bool(users)
    # an upload arrives base64-encoded inside a JSON body (4/3 of the file); leave room so the
    # ingest limit, not a bare 413, tells the user the file is too large
    server.config["MAX_CONTENT_LENGTH"] = upload_limits().max_bytes * 2 + 10 * 1024 * 1024
    if users:
        dash_auth.BasicAuth(app, auth_func=lambda name, password: name in users and
                            check_password_hash(users[name], password))
        return

    @server.before_request
    def _loopback_only():
        if not is_loopback(flask.request.remote_addr or ""):
            return flask.Response(NEEDS_AUTH, status=403, mimetype="text/plain")
        return None


def current_user() -> str | None:
    """The signed-in user, when authentication is on."""
    if not flask.current_app.config.get("STRATA_AUTH"):
        return None
    auth = flask.request.authorization
    return auth.username if auth else None
