"""Where the files Strata ships with are: the demo portfolio and the dashboard's assets.

The repo keeps them in the top-level folders ``data/`` and ``assets/``; setuptools installs
those folders as the packages ``strata_data`` and ``strata_assets`` (``package-dir`` in
pyproject.toml), so the same lookup works in the checkout (an editable install maps the
packages onto the folders) and in an installed wheel, wherever the current directory is.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DATA_PACKAGE = "strata_data"
ASSETS_PACKAGE = "strata_assets"
DEMO_FILE = "demo_accounts.csv"


def _folder(package: str) -> Path:
    # Both are regular packages installed as files, so files() is a real directory (not a
    # zip entry): Dash and the file readers need a filesystem path.
    return Path(str(files(package)))


def data_dir() -> Path:
    """The folder of shipped data files (``data/`` in the repo)."""
    return _folder(DATA_PACKAGE)


def demo_accounts_path() -> Path:
    """The synthetic demo portfolio, ``demo_accounts.csv`` (see :mod:`portfolio.demo`)."""
    return data_dir() / DEMO_FILE


def assets_dir() -> Path:
    """The folder Dash serves at ``/assets/`` (CSS and JS; ``assets/`` in the repo)."""
    return _folder(ASSETS_PACKAGE)
