"""Where per-session data lives: a private diskcache directory (one machine) or Redis (several).

Nothing here unpickles. A value is stored as bytes the app wrote itself: a small JSON header,
then each part as JSON, raw bytes, or a DataFrame column by column (a JSON header with the
dtypes; numbers and dates as their machine values, text as JSON lists), all behind
an HMAC-SHA256 over the store key and the payload (:func:`seal`). A value that does not verify
(planted or changed by someone who could write to the directory or to Redis), or whose parts
are not of the shape asked for, reads as *no data* (:func:`unseal`): the session falls back to
the demo, and nothing from the store is ever executed.

:class:`SessionStore` keeps a session's parts (``accounts``, ``fingerprint``, ``pending``,
``report``) under ``<session>:<part>`` with an idle expiry refreshed on every read, and
enforces two caps instead of evicting anyone's data: what one session may keep, and what all
sessions together may keep (a write past either raises :class:`StoreFull` with a message for
the user). :func:`private_directory` creates the cache directory 0700 and refuses one another
user could read or write; :func:`check_redis` refuses a Redis without a password.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import struct
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import diskcache
import numpy as np
import pandas as pd

from storage.settings import INSECURE_REDIS_ENV, MIB, ConfigurationError

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
PARTS = (
    "accounts",
    "quarters",
    "snapshots",
    "facts",
    "fingerprint",
    "revision",
    "pending",
    "report",
    "settings",
    "simulator",
)
"""What a session keeps; its storage use is the sum of these values' sizes. ``snapshots``: every
snapshot of a dated file (for "what changed"); ``facts``: the data's currency, as-of date and
kind (:class:`portfolio.datafacts.DataFacts` as a dict), read on every callback without reading
the accounts; ``revision``: a random token each new upload gets (with the fingerprint, the key
of the results a worker keeps in memory, :mod:`storage.memo`); ``settings``: the what-if
settings kept with the data; ``simulator``: the Simulator page's form, ticked accounts and last
result."""
MAGIC = b"strata-sealed-1\n"
SECRET_FILE = "secret.key"
_DATETIME = "datetime64"
_BINARY_DTYPES = ("float64", "int64", "bool")
_TEXT_DTYPES = ("object", "str")


class StoreFull(Exception):
    """A write that would take the session or the server past its storage cap; ``str(exc)``
    is the message for the user."""


# ---------------------------------------------------------------- sealing (no pickle, signed)


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    """A DataFrame as bytes: a JSON header naming each column and its dtype, then the columns.
    Numbers, booleans and datetimes go as their little-endian machine values (exact, and read
    back with ``numpy.frombuffer``, which runs nothing); text columns as JSON lists. ValueError
    for a dtype, a value or an index it cannot carry exactly."""
    columns, buffers = [], []
    for name, column in frame.items():
        dtype = str(column.dtype)
        if not isinstance(name, str):
            raise ValueError(f"column names must be text, got {name!r}")
        if dtype in _BINARY_DTYPES or dtype.startswith(_DATETIME):
            values = column.to_numpy()
            if values.dtype.kind not in "fibM":  # e.g. a timezone-aware column: objects
                raise ValueError(f"cannot store column {name!r} of type {dtype}")
            buffers.append(values.astype(values.dtype.newbyteorder("<"), copy=False).tobytes())
            columns.append({"name": name, "dtype": dtype, "bytes": len(buffers[-1])})
        elif dtype in _TEXT_DTYPES:
            columns.append({"name": name, "dtype": dtype, "values": column.tolist()})
        else:
            raise ValueError(f"cannot store column {name!r} of type {dtype}")
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        raise ValueError("only a frame with the default index (0, 1, 2, …) can be stored")
    try:
        header = json.dumps({"rows": len(frame), "columns": columns}).encode()
    except TypeError as exc:
        raise ValueError(f"cannot store a value in a text column: {exc}") from None
    return struct.pack(">I", len(header)) + header + b"".join(buffers)


def _frame_from_bytes(body: bytes) -> pd.DataFrame:
    """The DataFrame of :func:`_frame_bytes`; ValueError when ``body`` is not of that shape."""
    (size,) = struct.unpack(">I", body[:4])
    header = json.loads(body[4 : 4 + size])
    rows, offset, series = header["rows"], 4 + size, {}
    if not isinstance(rows, int) or rows < 0:
        raise ValueError("not a stored frame")
    for column in header["columns"]:
        name, dtype = column["name"], column["dtype"]
        if not (isinstance(name, str) and isinstance(dtype, str)):
            raise ValueError("not a stored column")
        if dtype in _BINARY_DTYPES or dtype.startswith(_DATETIME):
            kind = np.dtype(dtype).newbyteorder("<")
            if kind.kind not in "fibM" or column["bytes"] != rows * kind.itemsize:
                raise ValueError(f"column {name!r} does not hold {rows} values of {dtype}")
            values = np.frombuffer(body, dtype=kind, count=rows, offset=offset)
            series[name] = pd.Series(values.astype(kind.newbyteorder("="), copy=True))
            offset += column["bytes"]
        elif dtype in _TEXT_DTYPES and isinstance(column.get("values"), list):
            if len(column["values"]) != rows:
                raise ValueError(f"column {name!r} does not hold {rows} values")
            series[name] = pd.Series(column["values"], dtype=dtype)
        else:
            raise ValueError(f"column {name!r} has an unknown type {dtype!r}")
    return pd.DataFrame(series, index=pd.RangeIndex(rows))


def _encode_part(part: Any) -> tuple[str, bytes]:
    if isinstance(part, pd.DataFrame):
        return "frame", _frame_bytes(part)
    if isinstance(part, bytes):
        return "bytes", part
    return "json", json.dumps(part, default=_plain).encode()


def _plain(value: Any) -> Any:
    """NumPy numbers and arrays as the Python numbers and lists JSON carries (as Dash's own
    JSON encoder does for the same dicts on their way to the browser)."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _decode_part(kind: str, body: bytes) -> Any:
    if kind == "bytes":
        return body
    if kind == "json":
        return json.loads(body)
    if kind == "frame":
        return _frame_from_bytes(body)
    raise ValueError(f"unknown part kind {kind!r}")


def _mac(secret: bytes, key: str, payload: bytes) -> bytes:
    """HMAC-SHA256 over ``key``, a zero byte and ``payload`` (fed in turn: no copy of a large
    payload)."""
    mac = hmac.new(secret, key.encode() + b"\0", hashlib.sha256)
    mac.update(payload)
    return mac.digest()


def seal(secret: bytes, key: str, value: Any) -> bytes:
    """``value`` as signed bytes bound to ``key``: a DataFrame, bytes, anything JSON can carry,
    or a tuple of those. Layout: MAGIC, 32-byte HMAC-SHA256, 4-byte header length, the JSON
    header ``{"tuple": bool, "parts": [[kind, length], …]}``, the parts. ValueError for a
    value it cannot carry."""
    parts = list(value) if isinstance(value, tuple) else [value]
    try:
        encoded = [_encode_part(part) for part in parts]
    except TypeError as exc:  # json.dumps of something JSON cannot carry
        raise ValueError(f"cannot store this value: {exc}") from None
    header = json.dumps(
        {"tuple": isinstance(value, tuple), "parts": [[kind, len(body)] for kind, body in encoded]}
    ).encode()
    payload = struct.pack(">I", len(header)) + header + b"".join(body for _, body in encoded)
    return MAGIC + _mac(secret, key, payload) + payload


def unseal(secret: bytes, key: str, blob: Any) -> Any | None:
    """The value :func:`seal` stored under ``key``, or None when ``blob`` is not bytes this app
    sealed for this key with this secret (planted, changed, moved from another key) or does
    not decode."""
    if not isinstance(blob, bytes) or not blob.startswith(MAGIC):
        return None
    signature, payload = blob[len(MAGIC) : len(MAGIC) + 32], blob[len(MAGIC) + 32 :]
    if not hmac.compare_digest(signature, _mac(secret, key, payload)):
        return None
    try:
        (size,) = struct.unpack(">I", payload[:4])
        header = json.loads(payload[4 : 4 + size])
        parts, offset = [], 4 + size
        for kind, length in header["parts"]:
            parts.append(_decode_part(kind, payload[offset : offset + length]))
            offset += length
        return tuple(parts) if header["tuple"] else parts[0]
    except (ValueError, KeyError, TypeError, IndexError, struct.error):
        return None


def has_shape(value: Any, shape: Sequence[type] | type) -> bool:
    """True when ``value`` is of ``shape``: a type, or a sequence of types for a tuple."""
    if isinstance(shape, type):
        return isinstance(value, shape)
    return (
        isinstance(value, tuple)
        and len(value) == len(shape)
        and all(isinstance(v, t) for v, t in zip(value, shape, strict=True))
    )


# ---------------------------------------------------------------- the private directory and key


def private_directory(path: str | Path) -> Path:
    """Create ``path`` (mode 0700) if missing, and refuse (ConfigurationError, one line) a
    directory that is not this user's or that group or others may enter, read or write: they
    could read every upload, or plant a value there before the app starts."""
    path = Path(path)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError as exc:
        raise ConfigurationError(f"cannot create the cache directory {path}: {exc}") from None
    if not hasattr(os, "getuid"):  # Windows: the per-user profile directory protects it
        return path
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise ConfigurationError(f"the cache directory {path} is not a directory (a link?); use another")
    if info.st_uid != os.getuid():
        raise ConfigurationError(
            f"the cache directory {path} belongs to another user (uid {info.st_uid}); "
            "use a directory of your own (STRATA_CACHE_DIR)"
        )
    if info.st_mode & 0o077:
        raise ConfigurationError(
            f"the cache directory {path} is open to other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run `chmod 700 {path}` or use another directory"
        )
    _check_parents(path)
    return path


def _check_parents(path: Path) -> None:
    """ConfigurationError (one line) when a folder above ``path`` (as given, or with links
    resolved) belongs to a user other than this one or root, or may be written by group or
    others without the sticky bit (as /tmp has): whoever can write there can swap the cache
    directory for one of their own."""
    parents = dict.fromkeys([*path.absolute().parents, *path.resolve().parents])
    for parent in parents:
        try:
            info = parent.stat()
        except OSError as exc:
            raise ConfigurationError(f"cannot check {parent}, above the cache directory: {exc}") from None
        if info.st_uid not in (0, os.getuid()):
            raise ConfigurationError(
                f"{parent}, above the cache directory {path}, belongs to another user (uid {info.st_uid}); "
                "use a directory of your own (STRATA_CACHE_DIR)"
            )
        if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
            raise ConfigurationError(
                f"{parent}, above the cache directory {path}, may be written by other users "
                f"(mode {stat.S_IMODE(info.st_mode):o}, no sticky bit); run `chmod go-w {parent}` "
                "or use another directory"
            )


def secret_key(configured: str | None, directory: str | Path) -> bytes:
    """The key that signs cookies and stored values: ``STRATA_SECRET_KEY`` if set, else a random
    key created once in ``<directory>/secret.key`` (0600; ``directory`` is private)."""
    if configured:
        return configured.encode()
    path = Path(directory) / SECRET_FILE
    if not path.exists():
        # written whole to a private temporary file, then linked into place: processes starting
        # together (gunicorn -w 2) all end up with the first one's key, never a half-written one
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".secret-")
        try:
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_hex(32))
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigurationError(f"{path} holds no usable key; delete it and start again")
    return key.encode()


def derived_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose (cookies, stored values, Dash's handles), so none is reused."""
    return hmac.new(secret, purpose.encode(), hashlib.sha256).digest()


# ---------------------------------------------------------------- back ends: bytes only


class RefusingDisk(diskcache.Disk):
    """diskcache's Disk that never unpickles: the store only writes bytes, so a pickled row is
    one someone else put there. Reading it raises ValueError (read as no data)."""

    def fetch(self, mode, filename, value, read):
        if mode == diskcache.core.MODE_PICKLE:
            raise ValueError("refusing to unpickle a value in the session store")
        return super().fetch(mode, filename, value, read)


class DiskBackend:
    """Bytes in a diskcache directory; nothing evicted (``eviction_policy='none'``), only
    expired."""

    def __init__(self, directory: str | Path) -> None:
        self.cache = diskcache.Cache(str(directory), disk=RefusingDisk, eviction_policy="none")

    def get(self, key: str, refresh: float) -> bytes | None:
        """The bytes under ``key``; its expiry is pushed to ``refresh`` s from now (at most
        once a minute: a write per read would make every request write)."""
        try:
            raw, expires = self.cache.get(key, expire_time=True)
        except ValueError:
            return None
        if not isinstance(raw, bytes):
            return None
        if expires is not None and expires < time.time() + refresh - 60:
            self.cache.touch(key, expire=refresh)
        return raw

    def set(self, key: str, raw: bytes, expire: float | None) -> None:
        self.cache.set(key, raw, expire=expire)

    def delete(self, key: str) -> None:
        self.cache.delete(key)

    def size(self, key: str) -> int:
        try:
            raw = self.cache.get(key, read=True)
        except ValueError:
            return 0
        if raw is None:
            return 0
        if isinstance(raw, bytes | str):
            return len(raw)
        with raw:  # a file handle: a large value kept in its own file
            return os.fstat(raw.fileno()).st_size

    def used(self) -> int:
        self.cache.expire()
        return int(self.cache.volume())

    def close(self) -> None:
        self.cache.close()


class RedisBackend:
    """Bytes in Redis under ``strata:session:``."""

    PREFIX = "strata:session:"

    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url)

    def get(self, key: str, refresh: float) -> bytes | None:
        """The bytes under ``key``, its expiry pushed to ``refresh`` s from now (one GETEX)."""
        raw = self.redis.getex(self.PREFIX + key, ex=max(1, int(refresh)))
        return raw if isinstance(raw, bytes) else None

    def set(self, key: str, raw: bytes, expire: float | None) -> None:
        self.redis.set(self.PREFIX + key, raw, ex=None if expire is None else max(1, int(expire)))

    def delete(self, key: str) -> None:
        self.redis.delete(self.PREFIX + key)

    def size(self, key: str) -> int:
        return int(self.redis.strlen(self.PREFIX + key))

    def used(self) -> int:
        return int(self.redis.info("memory")["used_memory"])

    def ping(self) -> None:
        """Raise ``redis.ConnectionError`` when the server does not answer."""
        self.redis.ping()

    def close(self) -> None:
        self.redis.close()


# ---------------------------------------------------------------- the session store


@dataclass(frozen=True)
class StoreLimits:
    """What a session and all sessions may keep (bytes), and how long unused data lives (s)."""

    session_bytes: int = 300 * MIB
    total_bytes: int = 4096 * MIB
    idle_seconds: float = 24 * 3600


class SessionStore:
    """A session's parts (:data:`PARTS`), sealed with ``secret``, in a back end.

    ``get`` refreshes the part's idle expiry; ``set`` refuses (:class:`StoreFull`) a value that
    would take the session past ``limits.session_bytes`` or the store past
    ``limits.total_bytes`` (only growth counts: replacing a value by a smaller one is always
    allowed).
    """

    def __init__(self, backend: DiskBackend | RedisBackend, secret: bytes, limits: StoreLimits) -> None:
        self.backend, self.limits = backend, limits
        self._secret = derived_key(secret, "session-store")

    @staticmethod
    def key(session: str, part: str) -> str:
        if part not in PARTS:
            raise ValueError(f"unknown session part {part!r}")
        return f"{session}:{part}"

    def get(self, session: str, part: str, shape: Sequence[type] | type) -> Any | None:
        """The part's value if it verifies and is of ``shape`` (see :func:`has_shape`), else None."""
        key = self.key(session, part)
        value = unseal(self._secret, key, self.backend.get(key, self.limits.idle_seconds))
        return value if value is not None and has_shape(value, shape) else None

    def set(self, session: str, part: str, value: Any, expire: float | None = None) -> None:
        """Keep ``value`` (idle expiry ``expire`` s, default the store's); StoreFull if no room."""
        key = self.key(session, part)
        sealed = seal(self._secret, key, value)
        growth = len(sealed) - self.backend.size(key)
        if growth > 0:
            used = sum(self.backend.size(self.key(session, p)) for p in PARTS)
            if used + growth > self.limits.session_bytes:
                raise StoreFull(
                    f"This session would keep {(used + growth) / MIB:.1f} MB; the limit is "
                    f"{self.limits.session_bytes / MIB:.1f} MB. Use a smaller file, or go back to "
                    "the demo to free this session's space."
                )
            if self.backend.used() + growth > self.limits.total_bytes:
                raise StoreFull("The server's storage is full; try again later.")
        self.backend.set(key, sealed, self.limits.idle_seconds if expire is None else expire)

    def delete(self, session: str, part: str) -> None:
        self.backend.delete(self.key(session, part))

    def close(self) -> None:
        self.backend.close()


def is_redis(location: str) -> bool:
    return location.startswith(REDIS_SCHEMES)


def open_store(location: str, secret: bytes, limits: StoreLimits | None = None) -> SessionStore:
    """A Redis URL gives a store in Redis; anything else is a (private) diskcache directory."""
    limits = limits or StoreLimits()
    if is_redis(location):
        return SessionStore(RedisBackend(location), secret, limits)
    return SessionStore(DiskBackend(private_directory(location)), secret, limits)


_URL_CREDENTIALS = re.compile(r"//[^/?#\s@]*@")
_QUERY_SECRETS = re.compile(r"((?:password|passwd|pwd|username|user)=)[^&#\s]*", re.IGNORECASE)


def redact_url(text: str) -> str:
    """``text`` with any URL's credentials hidden: ``redis://user:pw@host`` → ``redis://host``
    and ``?password=pw`` → ``?password=***`` (for every message that shows REDIS_URL)."""
    return _QUERY_SECRETS.sub(r"\1***", _URL_CREDENTIALS.sub("//", text))


def check_redis(url: str, allow_insecure: bool = False) -> None:
    """ConfigurationError (one line, no password in it) when Redis does not answer, or when it
    answers without a password and ``allow_insecure`` is not set: whoever can reach a
    password-less Redis can read every upload and plant values."""
    import redis

    where = redact_url(url)
    try:
        redis.Redis.from_url(url).ping()
    except (redis.RedisError, ValueError) as exc:
        raise ConfigurationError(
            f"REDIS_URL is set, but Redis at {where} does not answer ({redact_url(str(exc))}). "
            "Start Redis, or unset REDIS_URL."
        ) from None
    if allow_insecure:
        return
    anonymous = redis.Redis.from_url(url)  # the same server, without the credentials
    anonymous.connection_pool.connection_kwargs.pop("password", None)
    anonymous.connection_pool.connection_kwargs.pop("username", None)
    try:
        anonymous.ping()
    except redis.RedisError:
        return  # it asks for a password
    finally:
        anonymous.close()
    raise ConfigurationError(
        f"Redis at {where} accepts connections without a password; set `requirepass` (or an ACL "
        f"user) and put the password in REDIS_URL, or set {INSECURE_REDIS_ENV}=1 for a Redis "
        "only this app can reach."
    )
