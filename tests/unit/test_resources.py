"""The shipped files (demo data, Dash assets) are found through portfolio.resources, in the
checkout and installed; the default database's place; and, with STRATA_CHECK_WHEEL=1 (CI sets
it), that a wheel carries them and runs outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from portfolio.ingest import load_file
from portfolio.resources import assets_dir, data_dir, demo_accounts_path
from storage.scenarios import default_database_path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
SHIPPED = SETUPTOOLS["package-dir"]  # {"strata_data": "data", "strata_assets": "assets"}


def test_the_demo_file_is_found_and_loads():
    path = demo_accounts_path()
    assert path.parent == data_dir() and path.is_file()
    assert path.read_bytes() == (ROOT / "data" / "demo_accounts.csv").read_bytes()
    result = load_file(path)
    assert result.ok and len(result.accounts) > 0


def test_the_assets_folder_holds_what_dash_serves():
    folder = assets_dir()
    assert folder.is_dir()
    for name in ("00-bootstrap.min.css", "style.css"):
        assert (folder / name).read_bytes() == (ROOT / "assets" / name).read_bytes()


def test_every_package_in_the_repo_is_listed_for_the_wheel():
    """pyproject.toml lists the packages by hand (automatic discovery cannot also ship data/
    and assets/ under other names), so a new package or subpackage must be added there."""
    listed = set(SETUPTOOLS["packages"]) - set(SHIPPED)
    top = set(PYPROJECT["tool"]["importlinter"]["root_packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for package in top
        for init in (ROOT / package).rglob("__init__.py")
    }
    assert listed == found
    assert set(SETUPTOOLS["packages"]) >= set(SHIPPED)


def test_in_a_checkout_the_default_database_is_its_instance_folder():
    assert default_database_path({}, ROOT) == ROOT / "instance" / "strata.db"


def test_installed_the_default_database_is_in_the_users_data_directory(tmp_path, monkeypatch):
    site = tmp_path / "site-packages"  # not a checkout, even with another package's pyproject
    site.mkdir()
    (site / "pyproject.toml").write_text('[project]\nname = "dash-bootstrap-components"\n')
    xdg = tmp_path / "xdg"
    assert default_database_path({"XDG_DATA_HOME": str(xdg)}, site) == xdg / "strata" / "strata.db"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".local" / "share" / "strata" / "strata.db"
    assert default_database_path({}, site) == expected
    assert default_database_path({"XDG_DATA_HOME": "relative/dir"}, site) == expected


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel of this checkout, built with the locked setuptools (a few seconds) from a copy
    without build/ and *.egg-info/, whose leftovers from earlier builds would end up in it."""
    if not os.environ.get("STRATA_CHECK_WHEEL"):
        pytest.skip("set STRATA_CHECK_WHEEL=1 to build the wheel and check it (CI does)")
    source, out = tmp_path_factory.mktemp("source") / "strata", tmp_path_factory.mktemp("wheel")
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "*.egg-info", "__pycache__", "instance", "tests", "benchmarks", "docs"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(source),
        ],
        check=True,
        timeout=300,
    )
    (built,) = out.glob("strata-*.whl")
    return built


def test_the_wheel_carries_the_code_the_demo_data_and_the_assets(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    for package, folder in SHIPPED.items():
        files = [f.name for f in (ROOT / folder).iterdir() if f.is_file() and not f.name.startswith(".")]
        assert files and {f"{package}/{name}" for name in files} <= names
    for package in set(SETUPTOOLS["packages"]) - set(SHIPPED):
        folder = ROOT.joinpath(*package.split("."))
        assert {f"{package.replace('.', '/')}/{f.name}" for f in folder.glob("*.py")} <= names
    assert "License-Expression: MIT" in metadata


INSTALLED_CHECK = """
import json, os, sys
from pathlib import Path

site = Path(sys.argv[1])
import cli, dashboard
from dashboard import create_app, state
from portfolio import resources
from storage.scenarios import default_database_path

places = [Path(m.__file__) for m in (cli, dashboard, resources)]
places += [resources.demo_accounts_path(), resources.assets_dir()]
assert all(p.is_relative_to(site) for p in places), places
client = create_app().server.test_client()
served = {}
for name in ("00-bootstrap.min.css", "style.css"):
    response = client.get("/assets/" + name)
    shipped = (resources.assets_dir() / name).read_bytes()
    served[name] = response.status_code == 200 and response.data == shipped
page = client.get("/").get_data(as_text=True)
print(json.dumps({"served": served, "linked": "/assets/style.css" in page,
                  "demo_accounts": len(state.demo_accounts()),
                  "database": str(default_database_path(os.environ))}))
sys.stdout.flush()
sys.exit(cli.main(["analyze", str(resources.demo_accounts_path()), "--json"]))
"""


def test_the_installed_wheel_runs_outside_the_checkout(wheel, tmp_path):
    """The wheel unpacked (as pip installs it) into a folder that comes first on the path, run
    from another directory: the app, the demo data, /assets/ and the CLI all work from it."""
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "STRATA_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    env.pop("STRATA_DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", INSTALLED_CHECK, str(site)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    first, analysis = done.stdout.split("\n", 1)
    app = json.loads(first)
    assert app["served"] == {"00-bootstrap.min.css": True, "style.css": True} and app["linked"]
    assert app["demo_accounts"] > 0
    assert app["database"] == str(tmp_path / "xdg" / "strata" / "strata.db")
    assert json.loads(analysis)["accounts"] == app["demo_accounts"]
