"""The CLI's one error type: a message, an exit status and, for a rejected file, its report."""

from __future__ import annotations

import json
import sys

EXIT_REJECTED = 1
"""The input file was rejected (the report says why)."""
EXIT_USAGE = 2
"""A wrong command line or a value that cannot be used."""
EXIT_NO_BROWSER = 3
"""An export needs Chrome/Chromium and none is installed."""


class CliError(Exception):
    """A command that cannot go on: message, exit status and (for rejected files) the report."""

    def __init__(self, message: str, status: int = EXIT_USAGE, report: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.report = status, report

    def emit(self, as_json: bool) -> int:
        """Print the error (one JSON object with ``as_json``, else a line on stderr); returns the
        exit status."""
        if as_json:
            print(json.dumps({"error": {"message": str(self), "report": self.report}}, indent=2))
        else:
            print(f"error: {self}", file=sys.stderr)
        return self.status
