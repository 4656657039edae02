"""Start Strata: `python app.py [--host H] [--port N]`, or `gunicorn app:server -w 2`.

Serving anything but loopback needs users (``STRATA_USERS_FILE``, see dashboard/access.py).
"""

import argparse
import sys

from dashboard import create_app
from dashboard.access import NEEDS_AUTH, configured_users, is_loopback

app = create_app()
server = app.server

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Strata portfolio dashboard")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    if not is_loopback(args.host) and not configured_users():
        sys.exit(f"error: not binding to {args.host}. {NEEDS_AUTH}")
    app.run(host=args.host, port=args.port, debug=args.debug)
