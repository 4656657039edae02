"""The ``portfolio`` command: analyze, simulate, back-test or export an account file; users; the demo.

One module per command, each with ``run(args) -> exit status``. Every failure is a
:class:`cli.errors.CliError`: exit status 0 on success, 1 when the input file is rejected, 2 for
a wrong command line or value, 3 when an export needs Chrome/Chromium and none is installed.
With ``--json`` every outcome, errors included, is one JSON object on stdout.
"""

from __future__ import annotations

import sys

from cli import add_user, analyze, backtest, demo, export, simulate
from cli.errors import CliError
from cli.parser import build_parser

COMMANDS = {
    "analyze": analyze.run,
    "simulate": simulate.run,
    "export": export.run,
    "backtest": backtest.run,
    "add-user": add_user.run,
    "demo": demo.run,
}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CliError as exc:
        return exc.emit(getattr(args, "json", False))


if __name__ == "__main__":
    sys.exit(main())
