"""gunicorn's settings, read when gunicorn starts in this directory (`gunicorn app:server -w 2`).

The deployment's settings are checked once, in gunicorn's master, before any worker starts: a
configuration that cannot work (a bad users file, a Redis that does not answer…) stops gunicorn
with one line on stderr and exit status 3, as ``python app.py`` does. Checked only in the
workers, two workers failing at the same moment raced gunicorn's own shutdown, which then
printed a traceback of its own.
"""

import sys


def on_starting(server) -> None:
    from dashboard import checked_configuration
    from storage.settings import ConfigurationError

    try:
        checked_configuration()
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(3) from None
