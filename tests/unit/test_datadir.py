"""The server-side data directory (portfolio/ingest/datadir.py, issue 16 item 4): only regular
files directly in it are listed and loaded, by name; traversal, links out and special files are
refused with a message."""

from __future__ import annotations

import os

import pytest

from conftest import real_file
from portfolio.ingest import load_file
from portfolio.ingest.datadir import DataFileRefused, data_files, load_data_file, resolve_data_file

HISTORY = "Customer ID,Order Date,Sales\nC1,2023-06-30,100\nC1,2022-06-30,70\nC2,2023-01-02,5\n"


@pytest.fixture
def data_dir(tmp_path):
    """``data/`` with a history, a subdirectory, a FIFO, links in and out, a file Strata does
    not read; and ``secret.csv`` beside it (outside)."""
    root = tmp_path / "data"
    root.mkdir()
    (root / "orders.csv").write_text(HISTORY)
    (root / "notes.pdf").write_text("not a table")
    (root / "sub.csv").mkdir()
    os.mkfifo(root / "pipe.csv")
    (tmp_path / "secret.csv").write_text(HISTORY)
    (root / "out.csv").symlink_to(tmp_path / "secret.csv")
    (root / "in.csv").symlink_to(root / "orders.csv")
    (root / "up.csv").symlink_to("../secret.csv")
    return root


def test_lists_only_the_regular_files_in_it(data_dir):
    assert data_files(data_dir) == ["in.csv", "orders.csv"]
    assert data_files(data_dir / "missing") == []


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../secret.csv", "is not a file name of the data directory"),
        ("/etc/passwd", "is not a file name of the data directory"),
        ("sub.csv/../../secret.csv", "is not a file name of the data directory"),
        ("..", "is not a file name of the data directory"),
        ("", "is not a file name of the data directory"),
        ("a\\..\\b.csv", "is not a file name of the data directory"),
        ("out.csv", "leads outside the data directory"),
        ("up.csv", "leads outside the data directory"),
        ("pipe.csv", "not a regular file"),
        ("sub.csv", "not a regular file"),
        ("nope.csv", "no such file in the data directory"),
        ("notes.pdf", "not a file Strata reads"),
    ],
)
def test_refused_names(data_dir, name, why):
    with pytest.raises(DataFileRefused, match=why):
        resolve_data_file(data_dir, name)
    result = load_data_file(data_dir, name)
    assert not result.ok and why in result.report.summary()


def test_loads_by_name_as_the_columnar_reader(data_dir):
    result = load_data_file(data_dir, "in.csv")  # a link to a file inside is that file
    assert result.ok and result.report.source == "in.csv"
    a = result.accounts.set_index("account_id")
    assert a.loc["C1", ["arr", "arr_prior"]].tolist() == [100, 70]


def test_real_export_from_the_data_directory(tmp_path):
    path = real_file("SaaS-Sales.csv")
    (tmp_path / path.name).symlink_to(path)  # a link out of the directory is refused…
    assert not load_data_file(tmp_path, path.name).ok
    (tmp_path / path.name).unlink()
    (tmp_path / path.name).write_bytes(path.read_bytes())  # …a copy in it is read
    result = load_data_file(tmp_path, path.name)
    assert result.ok
    assert result.accounts.equals(load_file(path).accounts)
