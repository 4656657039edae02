"""What every response says about the app: security headers, and no software versions.

* ``Content-Security-Policy``: scripts only from the app itself plus the page's two inline
  scripts by hash (Dash's renderer start and the pages' title callback), no plug-ins, no
  framing (``frame-ancestors 'none'``), requests only to the app. Styles allow inline: Plotly
  and React set ``style`` attributes.
* ``X-Frame-Options: DENY`` (framing, for browsers without CSP), ``X-Content-Type-Options:
  nosniff``, ``Referrer-Policy: no-referrer``.
* The page's Dash config leaves out the Python, Dash and Plotly versions (the renderer only
  uses them in its debug tools); ``python app.py`` says ``Server: Strata``, not Werkzeug's and
  Python's versions (gunicorn says ``gunicorn``, without a version).
"""

from __future__ import annotations

import flask
from dash import Dash

VERSION_KEYS = ("dash_version", "python_version", "plotly_version", "ddk_version", "dash_version_url")
"""Keys of Dash's page config that disclose versions (or send the browser to plotly.com)."""


class QuietDash(Dash):
    """Dash whose page config does not name the server's Python, Dash and Plotly versions
    (kept when Dash's debug tools, which show them, are on)."""

    def _config(self):
        config = super()._config()
        if not self._dev_tools.ui:
            for key in VERSION_KEYS:
                config.pop(key, None)
        return config


def content_security_policy(app: Dash) -> str:
    """The CSP for ``app``, with its inline scripts allowed by hash (:meth:`dash.Dash.csp_hashes`;
    hashing a few short scripts costs microseconds)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(app.csp_hashes()),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def install(app: Dash) -> None:
    """Add the security headers to every response (pages, callbacks, assets, errors, 401s)."""
    headers = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }

    @app.server.after_request
    def _security_headers(response: flask.Response) -> flask.Response:
        # computed per response: Dash adds some inline scripts only when it serves its first
        # request (the pages' title callback)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(app))
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
