"""The ``portfolio`` command: analyze, simulate, back-test or export an account file; users; the demo.

One module per command, each with ``run(args) -> exit status``. Every failure is a
:class:`cli.errors.CliError`: exit status 0 on success, 1 when the input file is rejected, 2 for
a wrong command line or value, 3 when an export needs Chrome/Chromium and none is installed.
With ``--json`` every outcome, errors included, is one JSON object on stdout.
"""

from __future__ import annotations

import contextvars
import importlib
import sys

from cli.errors import CliError
from cli.parser import build_parser

COMMANDS = {
    "analyze": "cli.analyze",
    "simulate": "cli.simulate",
    "export": "cli.export",
    "backtest": "cli.backtest",
    "recommend": "cli.recommend",
    "assign": "cli.assign",
    "add-user": "cli.add_user",
    "demo": "cli.demo",
}
"""The module of each command; only the chosen one is imported (``portfolio simulate`` need not
load the export stack: a second and more of start-up)."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        # in a context of its own: what a command sets (the currency amounts print in) ends with it
        return contextvars.copy_context().run(importlib.import_module(COMMANDS[args.command]).run, args)
    except CliError as exc:
        return exc.emit(getattr(args, "json", False))


if __name__ == "__main__":
    sys.exit(main())
