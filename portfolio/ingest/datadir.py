"""Account files on the server's disk: the data directory an operator sets (``STRATA_DATA_DIR``).

The dashboard lists the files of one directory and loads one by its name; a name is never a
path. :func:`data_files` lists the regular files directly in the directory whose extension
Strata reads (:data:`EXTENSIONS`); :func:`resolve_data_file` turns a name into a path only if
it is one of them: a bare name (no separator, not ``.``/``..``), whose target — after
symbolic links — is a regular file directly in the directory (a link to a file elsewhere, a
FIFO, a device or a subdirectory is refused). :func:`load_data_file` reads it with the
columnar reader (:func:`portfolio.ingest.columnar.load_large_file`), so a revenue history of
tens of millions of lines loads as its accounts and quarters; anything else keeps the upload
limits.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pandas as pd

from portfolio.ingest.columnar import load_large_file
from portfolio.ingest.report import DEFAULT_LIMITS, IngestReport, Limits, LoadResult, Problem

EXTENSIONS = (".csv", ".tsv", ".txt", ".parquet", ".xlsx")
"""File name endings listed and loaded (lower case)."""


class DataFileRefused(ValueError):
    """A name that is not a readable file of the data directory (the message says why)."""


def data_files(directory: str | Path) -> list[str]:
    """The names of the files :func:`resolve_data_file` accepts, sorted; ``[]`` when the
    directory cannot be read."""
    try:
        entries = list(Path(directory).iterdir())
    except OSError:
        return []
    names = []
    for entry in entries:
        try:
            resolve_data_file(directory, entry.name)
        except DataFileRefused:
            continue
        names.append(entry.name)
    return sorted(names, key=str.lower)


def resolve_data_file(directory: str | Path, name: str) -> Path:
    """The real path of the file ``name`` of ``directory``; :class:`DataFileRefused` when
    ``name`` is not a bare file name, does not exist, is not a regular file, leads (by a
    symbolic link) outside the directory, or has an extension Strata does not read."""
    if not isinstance(name, str) or not name or name in (".", "..") or any(c in name for c in "/\\\0"):
        raise DataFileRefused(f"{name!r} is not a file name of the data directory")
    if not name.lower().endswith(EXTENSIONS):
        raise DataFileRefused(f"{name}: not a file Strata reads ({', '.join(EXTENSIONS)})")
    try:
        root = Path(directory).resolve(strict=True)
        target = (root / name).resolve(strict=True)
        mode = target.stat().st_mode
    except (OSError, RuntimeError):  # missing, unreadable, a symbolic link loop
        raise DataFileRefused(f"{name}: no such file in the data directory") from None
    if target.parent != root:
        raise DataFileRefused(f"{name}: leads outside the data directory")
    if not stat.S_ISREG(mode):
        raise DataFileRefused(f"{name}: not a regular file")
    return target


def load_data_file(
    directory: str | Path,
    name: str,
    *,
    mapping: dict[str, str] | None = None,
    as_of: str | pd.Timestamp | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> LoadResult:
    """Read the file ``name`` of ``directory`` (see the module); a refused name is a rejected
    result whose report says why (never an exception)."""
    try:
        path = resolve_data_file(directory, name)
    except DataFileRefused as exc:
        report = IngestReport(source=str(name))
        report.add(Problem(str(exc)))
        return LoadResult(None, report)
    result = load_large_file(path, mapping=mapping, as_of=as_of, limits=limits)
    result.report.source = name  # the name chosen, not the link's target
    return result
