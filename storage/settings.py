"""The deployment's settings, read once from the environment into one typed object.

* ``STRATA_CACHE_DIR`` → ``cache_dir``: session data and runs without Redis (``<tmp>/strata-cache``)
* ``REDIS_URL`` → ``redis_url``: scale-out, session data in Redis and runs on Celery (unset)
* ``STRATA_DATABASE_URL`` → ``database_url``: saved scenarios, a SQLAlchemy URL (default: a
  SQLite file, :func:`storage.scenarios.default_database_path`, which also reads
  ``XDG_DATA_HOME`` or ``LOCALAPPDATA`` from the same environment)
* ``STRATA_USERS_FILE`` → ``users_file``: users for HTTP basic auth (unset: loopback only)
* ``STRATA_MAX_UPLOAD_MB`` → ``max_upload_mb``: the upload cap in MiB (100)
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from portfolio.ingest import Limits
from storage.scenarios import default_database_url

CACHE_ENV = "STRATA_CACHE_DIR"
REDIS_ENV = "REDIS_URL"
DATABASE_ENV = "STRATA_DATABASE_URL"
USERS_ENV = "STRATA_USERS_FILE"
UPLOAD_ENV = "STRATA_MAX_UPLOAD_MB"
DEFAULT_UPLOAD_MB = 100.0


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

    def __post_init__(self) -> None:
        if not (isinstance(self.max_upload_mb, int | float) and 0 < self.max_upload_mb < math.inf):
            raise ConfigurationError(
                f"{UPLOAD_ENV} must be a positive number of megabytes, got {self.max_upload_mb!r}"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        raw_upload = env.get(UPLOAD_ENV, str(DEFAULT_UPLOAD_MB))
        try:
            upload = float(raw_upload)
        except ValueError:
            raise ConfigurationError(
                f"{UPLOAD_ENV} must be a positive number of megabytes, got {raw_upload!r}"
            ) from None
        return cls(
            cache_dir=env.get(CACHE_ENV) or str(Path(tempfile.gettempdir()) / "strata-cache"),
            redis_url=env.get(REDIS_ENV) or None,
            database_url=env.get(DATABASE_ENV) or default_database_url(env),
            users_file=env.get(USERS_ENV) or None,
            max_upload_mb=upload,
        )

    @property
    def upload_limits(self) -> Limits:
        """The ingest limits with this deployment's upload cap (bytes = MiB × 1,048,576)."""
        return Limits(max_bytes=int(self.max_upload_mb * 1024 * 1024))
