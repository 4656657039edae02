"""Read a JSON file given on a command line or in settings, with errors that name it."""

from __future__ import annotations

import json
from pathlib import Path


def read_json(path: str | Path, what: str) -> object:
    """The parsed file; ValueError says ``cannot read <what> <path>: …`` or ``… is not valid JSON``."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {what} {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{what} {path} is not valid JSON ({exc})") from None
