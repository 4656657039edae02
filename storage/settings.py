"""The deployment's settings, read once from the environment into one typed object.

* ``STRATA_CACHE_DIR`` → ``cache_dir``: session data and runs without Redis, a directory only
  this user may enter (default ``$XDG_CACHE_HOME/strata``, else ``~/.cache/strata``; see
  :func:`default_cache_dir` and :func:`storage.session_store.private_directory`)
* ``REDIS_URL`` → ``redis_url``: scale-out, session data in Redis and runs on Celery (unset);
  Redis must ask for a password unless ``STRATA_ALLOW_INSECURE_REDIS=1`` → ``allow_insecure_redis``
* ``STRATA_SECRET_KEY`` → ``secret_key``: signs session cookies and stored session data (unset:
  a random key kept in ``<cache_dir>/secret.key``, mode 0600; required with ``REDIS_URL``, the
  same on every machine)
* ``STRATA_COOKIE_SECURE=1`` → ``cookie_secure``: the session cookie is only sent over HTTPS
* ``STRATA_SESSION_QUOTA_MB`` → ``session_quota_mb``: what one session may keep (300 MiB)
* ``STRATA_STORE_LIMIT_MB`` → ``store_limit_mb``: what all sessions together may keep (4096 MiB);
  a new upload past it is refused ("try later"), nothing is evicted
* ``STRATA_SESSION_IDLE_HOURS`` → ``session_idle_hours``: session data unused this long expires (24)
* ``STRATA_MEMO_MB`` → ``memo_mb``: what each worker process may keep in memory of the results
  it computed from sessions' data, for their next callbacks (512 MiB; 0 keeps none;
  :mod:`storage.memo`)
* ``STRATA_MAX_RUNS`` → ``max_runs``: full simulation runs at once, all sessions (CPU count);
  one per session
* ``STRATA_DATABASE_URL`` → ``database_url``: saved scenarios, a SQLAlchemy URL (default: a
  SQLite file, :func:`storage.scenarios.default_database_path`, which also reads
  ``XDG_DATA_HOME`` or ``LOCALAPPDATA`` from the same environment)
* ``STRATA_USERS_FILE`` → ``users_file``: users for HTTP basic auth (unset: loopback only)
* ``STRATA_MAX_UPLOAD_MB`` → ``max_upload_mb``: the upload cap in MiB (100)
* ``STRATA_CURRENCY`` → ``currency``: ISO code of amounts in files that do not say (no currency
  marks in the amount cells, no Country column with a majority), e.g. ``EUR``; default USD
* ``STRATA_COMPANY_NAME`` → ``company_name``: the board pack cover's company name (unset: none)
* ``STRATA_LOGO_PATH`` → ``logo_path``: the board pack cover's logo, a PNG or JPEG file of at most
  2 MiB, checked when the settings are read (unset: no logo); see :meth:`Settings.branding`
* ``STRATA_DATA_DIR`` → ``data_dir``: a directory of account files on the server that the Data
  page lists and loads by name, revenue histories of any size (unset: none;
  :mod:`portfolio.ingest.datadir`)
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from exports.pack import Branding
from portfolio.currency import CURRENCY_ENV, validate_currency
from portfolio.ingest import Limits
from storage.scenarios import default_database_url

CACHE_ENV = "STRATA_CACHE_DIR"
REDIS_ENV = "REDIS_URL"
DATABASE_ENV = "STRATA_DATABASE_URL"
USERS_ENV = "STRATA_USERS_FILE"
UPLOAD_ENV = "STRATA_MAX_UPLOAD_MB"
SECRET_ENV = "STRATA_SECRET_KEY"
COOKIE_SECURE_ENV = "STRATA_COOKIE_SECURE"
INSECURE_REDIS_ENV = "STRATA_ALLOW_INSECURE_REDIS"
SESSION_QUOTA_ENV = "STRATA_SESSION_QUOTA_MB"
STORE_LIMIT_ENV = "STRATA_STORE_LIMIT_MB"
IDLE_ENV = "STRATA_SESSION_IDLE_HOURS"
MEMO_ENV = "STRATA_MEMO_MB"
MAX_RUNS_ENV = "STRATA_MAX_RUNS"
COMPANY_ENV = "STRATA_COMPANY_NAME"
LOGO_ENV = "STRATA_LOGO_PATH"
MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
DATA_DIR_ENV = "STRATA_DATA_DIR"
DEFAULT_UPLOAD_MB = 100.0
MIB = 1024 * 1024


class ConfigurationError(RuntimeError):
    """The deployment's settings cannot work (said in one sentence, no traceback)."""


@dataclass(frozen=True)
class Settings:
    """Where Strata keeps things and what it allows; see the module docstring for the variables."""

    cache_dir: str
    redis_url: str | None = None
    database_url: str | None = None
    users_file: str | None = None
    max_upload_mb: float = DEFAULT_UPLOAD_MB
    secret_key: str | None = None
    cookie_secure: bool = False
    allow_insecure_redis: bool = False
    session_quota_mb: float = 300.0
    store_limit_mb: float = 4096.0
    session_idle_hours: float = 24.0
    memo_mb: float = 512.0
    max_runs: int = os.cpu_count() or 1
    currency: str | None = None
    company_name: str = ""
    logo_path: str | None = None
    data_dir: str | None = None

    def __post_init__(self) -> None:
        if self.logo_path is not None:
            read_logo(self.logo_path)
        for env, value, what in (
            (UPLOAD_ENV, self.max_upload_mb, "megabytes"),
            (SESSION_QUOTA_ENV, self.session_quota_mb, "megabytes"),
            (STORE_LIMIT_ENV, self.store_limit_mb, "megabytes"),
            (IDLE_ENV, self.session_idle_hours, "hours"),
            (MAX_RUNS_ENV, self.max_runs, "runs"),
        ):
            _check_positive(env, value, what)
        if self.memo_mb != 0:
            _check_positive(MEMO_ENV, self.memo_mb, "megabytes")
        if self.currency is not None:
            try:
                validate_currency(self.currency)
            except ValueError as exc:
                raise ConfigurationError(f"{CURRENCY_ENV}: {exc}") from None
        if self.secret_key is not None and len(self.secret_key) < 32:
            raise ConfigurationError(
                f"{SECRET_ENV} must be at least 32 characters (e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        defaults = cls(cache_dir="")
        return cls(
            cache_dir=env.get(CACHE_ENV) or str(default_cache_dir(env)),
            redis_url=env.get(REDIS_ENV) or None,
            database_url=env.get(DATABASE_ENV) or default_database_url(env),
            users_file=env.get(USERS_ENV) or None,
            max_upload_mb=_number(env, UPLOAD_ENV, defaults.max_upload_mb, "megabytes"),
            secret_key=env.get(SECRET_ENV) or None,
            cookie_secure=env.get(COOKIE_SECURE_ENV) == "1",
            allow_insecure_redis=env.get(INSECURE_REDIS_ENV) == "1",
            session_quota_mb=_number(env, SESSION_QUOTA_ENV, defaults.session_quota_mb, "megabytes"),
            store_limit_mb=_number(env, STORE_LIMIT_ENV, defaults.store_limit_mb, "megabytes"),
            session_idle_hours=_number(env, IDLE_ENV, defaults.session_idle_hours, "hours"),
            memo_mb=_number(env, MEMO_ENV, defaults.memo_mb, "megabytes", allow_zero=True),
            max_runs=int(_number(env, MAX_RUNS_ENV, defaults.max_runs, "runs")),
            currency=env.get(CURRENCY_ENV, "").strip().upper() or None,
            company_name=env.get(COMPANY_ENV, "").strip()[:120],
            logo_path=env.get(LOGO_ENV) or None,
            data_dir=env.get(DATA_DIR_ENV) or None,
        )

    def branding(self) -> Branding:
        """The board pack cover's company name and logo, the logo read now (one snapshot per
        pack). A logo that went missing since start-up is left out rather than failing the pack."""
        try:
            logo = read_logo(self.logo_path) if self.logo_path else None
        except ConfigurationError:
            logo = None
        return Branding(company=self.company_name, logo=logo)

    @property
    def upload_limits(self) -> Limits:
        """The ingest limits with this deployment's upload cap (bytes = MiB × 1,048,576)."""
        return Limits(max_bytes=int(self.max_upload_mb * 1024 * 1024))


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """The per-user cache directory: ``$XDG_CACHE_HOME/strata`` (an absolute XDG_CACHE_HOME),
    ``%LOCALAPPDATA%\\strata\\cache`` on Windows, else ``~/.cache/strata``. Never a shared
    path such as /tmp, where another local user could create it first."""
    xdg = environ.get("XDG_CACHE_HOME", "")
    if sys.platform == "win32" and environ.get("LOCALAPPDATA"):
        return Path(environ["LOCALAPPDATA"]) / "strata" / "cache"
    if xdg and Path(xdg).is_absolute():  # the XDG spec says a relative one is ignored
        return Path(xdg) / "strata"
    return Path.home() / ".cache" / "strata"


def read_logo(path: str) -> bytes:
    """The logo file's bytes; ConfigurationError unless it is a readable PNG or JPEG of at most
    :data:`MAX_LOGO_BYTES`."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_LOGO_BYTES + 1)
    except OSError as exc:
        raise ConfigurationError(f"{LOGO_ENV}: cannot read {path!r} ({exc.strerror})") from None
    if len(data) > MAX_LOGO_BYTES:
        raise ConfigurationError(f"{LOGO_ENV}: {path!r} is larger than 2 MiB; use a smaller PNG or JPEG")
    if not any(data.startswith(magic) for magic in LOGO_SIGNATURES):
        raise ConfigurationError(f"{LOGO_ENV}: {path!r} is not a PNG or JPEG image")
    return data


def _check_positive(env: str, value: object, what: str) -> None:
    if not (isinstance(value, int | float) and 0 < value < math.inf):
        raise ConfigurationError(f"{env} must be a positive number of {what}, got {value!r}")


def _number(env: Mapping[str, str], name: str, default: float, what: str, allow_zero: bool = False) -> float:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a positive number of {what}, got {raw!r}") from None
    if not (allow_zero and value == 0):
        _check_positive(name, value, what)
    if what == "runs" and value != int(value):
        raise ConfigurationError(f"{name} must be a whole number of runs, got {raw!r}")
    return value
