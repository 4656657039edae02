"""A command imports only what it uses (issue 13, item 6: start-up was most of `simulate`).

Each case runs in a fresh interpreter and lists which heavy modules ended up in
``sys.modules``. On the code before this change every import case failed (the XLSX one guards
that the deferred import still reads a workbook): the parser's defaults imported the simulator
(SciPy); reading any file imported openpyxl and pyarrow.parquet; the size model's fit imported
statsmodels and with it ``scipy.stats`` (about 1 s of a 4 s `simulate`); and solving the market
loading imported ``scipy.optimize`` for one root (0.3 s).
"""

import json
import subprocess
import sys

import pytest

from conftest import DEMO, ROOT

HEAVY = (
    "statsmodels",
    "scipy",
    "scipy.stats",
    "scipy.optimize",
    "scipy.special",
    "openpyxl",
    "pyarrow.parquet",
    "simulation.engine",
    "pandas",
)


def loaded_after(code: str) -> set[str]:
    """The modules of HEAVY that ``code`` leaves imported, in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def command(*argv: str) -> str:
    """Python that runs ``portfolio argv…`` with its output silenced."""
    return (
        "import contextlib, io\nfrom cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    assert main({list(argv)!r}) == 0"
    )


def test_the_parser_imports_neither_the_simulator_nor_openpyxl():
    # pandas comes with the options' constants (portfolio.datafacts, .tiers); every file
    # command needs it anyway
    assert loaded_after("import cli.parser; cli.parser.build_parser()") == {"pandas"}


def test_analyze_imports_neither_the_simulator_nor_openpyxl_for_a_csv():
    assert loaded_after(command("analyze", str(DEMO), "--json")) == {"pandas"}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_simulate_imports_neither_statsmodels_nor_scipy_stats_nor_optimize(workers):
    loaded = loaded_after(
        command("simulate", str(DEMO), "--paths", "200", "--workers", workers, "--promote", "A11162")
    )
    # scipy.special (Φ⁻¹ and log Φ in the engine) is the one part of SciPy it needs
    assert loaded == {"pandas", "scipy", "scipy.special", "simulation.engine"}


def test_reading_an_xlsx_still_works(tmp_path):
    import pandas as pd

    path = tmp_path / "accounts.xlsx"
    pd.read_csv(DEMO).head(50).to_excel(path, index=False)
    out = subprocess.run(
        [sys.executable, "-m", "cli", "analyze", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out)["accounts"] == 50
