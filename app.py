"""Start Strata: `python app.py [--host H] [--port N]`, or `gunicorn app:server -w 2`.

Serving anything but loopback needs users (``STRATA_USERS_FILE``, see dashboard/access.py);
settings come from the environment (storage/settings.py).
With ``REDIS_URL`` set, full simulation runs go to Celery workers: `celery -A app:celery_app
worker` (see the README's deployment section).
"""

import argparse
import sys

from dash import Dash
from werkzeug.serving import WSGIRequestHandler

from dashboard import create_app
from dashboard.access import NEEDS_AUTH, is_loopback
from storage.settings import ConfigurationError

BOOT_ERROR = 3
"""Exit status for settings that cannot work: gunicorn stops instead of restarting workers."""


def build() -> Dash:
    """The app from the environment's settings, or one line on stderr and exit status 3 (a
    missing users file, a bad line in it, a Redis that does not answer…): no traceback."""
    try:
        return create_app()
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(BOOT_ERROR) from None


class _RequestHandler(WSGIRequestHandler):
    """Werkzeug's development server without its and Python's versions in ``Server``."""

    def version_string(self) -> str:
        return "Strata"


app = build()
server = app.server
if "strata_celery" in server.extensions:  # REDIS_URL is set: `celery -A app:celery_app worker`
    celery_app = server.extensions["strata_celery"]


def __getattr__(name: str):
    """Without REDIS_URL there is no Celery app; say so to `celery -A app:celery_app`."""
    if name == "celery_app":
        sys.exit(
            "error: REDIS_URL is not set. Celery workers belong to a scale-out deployment "
            "and need the same REDIS_URL as the app (see the README)."
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Strata portfolio dashboard")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    if not is_loopback(args.host) and not server.config["STRATA_AUTH"]:
        sys.exit(f"error: not binding to {args.host}. {NEEDS_AUTH}")
    app.run(host=args.host, port=args.port, debug=args.debug, request_handler=_RequestHandler)
