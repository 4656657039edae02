"""The users file for HTTP basic auth: one ``name:hash`` per line, never a password.

The hash is werkzeug's salted one (``generate_password_hash``); ``portfolio add-user`` writes
the file, the app reads it once at start (``STRATA_USERS_FILE``).
"""

from __future__ import annotations

from pathlib import Path

from werkzeug.security import generate_password_hash

HASH_METHODS = ("scrypt", "pbkdf2")
"""werkzeug's hash methods (``method[:params]$salt$hash``); anything else, e.g. a password
written in by hand, would let nobody sign in, so it is refused at start."""


def read_users(path: str | Path) -> dict[str, str]:
    """``{name: password hash}`` from a users file; ValueError names a bad line (without
    repeating what is on it)."""
    users = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, hashed = line.strip().partition(":")
        if not sep or not name or not hashed:
            raise ValueError(f"{path} line {number}: expected NAME:HASH")
        if hashed.count("$") != 2 or hashed.split("$")[0].split(":")[0] not in HASH_METHODS:
            raise ValueError(
                f"{path} line {number}: the entry for {name!r} is not a password hash "
                "(write it with `portfolio add-user FILE NAME`)"
            )
        users[name] = hashed
    return users


def add_user(path: str | Path, name: str, password: str) -> None:
    """Add or replace ``name`` in the users file, storing a salted hash of ``password``."""
    if not name or ":" in name or not name.isprintable():
        raise ValueError("a user name must be printable and must not contain ':'")
    if len(password) < 8:
        raise ValueError("use a password of at least 8 characters")
    path = Path(path)
    users = read_users(path) if path.exists() else {}
    users[name] = generate_password_hash(password)
    path.write_text("".join(f"{n}:{h}\n" for n, h in users.items()), encoding="utf-8")
    path.chmod(0o600)
