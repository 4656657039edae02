"""Who may use the app: loopback always; anyone else only with a password (HTTP basic auth).

* Users live in a file named by ``STRATA_USERS_FILE``: one ``name:hash`` per line, the hash from
  ``portfolio add-user FILE NAME`` (:mod:`storage.users`; never the password).
* With users, dash-auth's BasicAuth guards every page and callback, and saved scenarios belong
  to the signed-in user.
* Without users, a request from any address but loopback is refused (403, with what to do), so
  binding to 0.0.0.0 by mistake exposes nothing. ``python app.py --host`` checks this at start.
* Uploads are capped at ``STRATA_MAX_UPLOAD_MB`` (default 100) with a clear message.
"""

from __future__ import annotations

import ipaddress

import dash_auth
import flask
from werkzeug.security import check_password_hash

from storage.settings import USERS_ENV, Settings
from storage.users import read_users

NEEDS_AUTH = (
    f"Strata only serves other machines with authentication: create a users file with "
    f"`portfolio add-user FILE NAME` and set {USERS_ENV}=FILE."
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def configured_users(settings: Settings) -> dict[str, str] | None:
    """The users of ``settings.users_file``; None without one. ValueError names a bad line."""
    return read_users(settings.users_file) if settings.users_file else None


def install(app, users: dict[str, str] | None, settings: Settings) -> None:
    """Basic auth when there are users; otherwise refuse every non-loopback request."""
    server: flask.Flask = app.server
    server.config["STRATA_AUTH"] = bool(users)
    # an upload arrives base64-encoded inside a JSON body (4/3 of the file); leave room so the
    # ingest limit, not a bare 413, tells the user the file is too large
    server.config["MAX_CONTENT_LENGTH"] = settings.upload_limits.max_bytes * 2 + 10 * 1024 * 1024
    if users:
        dash_auth.BasicAuth(
            app, auth_func=lambda name, password: name in users and check_password_hash(users[name], password)
        )
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
