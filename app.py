"""Start Strata: `python app.py [--host H] [--port N]`, or `gunicorn app:server -w 2`."""

import argparse

from dashboard import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Strata portfolio dashboard")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    app.run(host=args.host, port=args.port, debug=args.debug)
