"""What reading a file produces, and the limits it is read under.

:class:`Limits` (size limits for one upload, in bytes and rows), :class:`Problem` (one
rejected cell, row or file: row, column, value, reason), :class:`IngestReport` (shape,
column mapping, problems with counts per reason, notes), :class:`LoadResult` (the accounts
or ``None``, the report, the as-of date) and :class:`Rejected`, the exception the other
modules of this package raise to stop reading once the report says why; it never leaves
:func:`portfolio.ingest.load_bytes`. Every class here is a plain dataclass without I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Shape = Literal["snapshot", "history"]


@dataclass(frozen=True)
class Limits:
    """Size limits for one upload.

    Attributes
    ----------
    max_bytes : largest file accepted (default 100 MiB).
    max_rows : most data rows accepted (default 1,000,000).
    max_xlsx_unpacked_bytes : largest total unpacked size of an XLSX archive (default 500 MiB),
        which stops zip bombs before they are expanded.
    max_columns : most columns accepted (default 500), checked on the header row (for XLSX
        also on the sheet's declared dimension and on every row) before the body is read.
    max_cells : most cells (data rows × columns) accepted (default 10,000,000), checked while
        the rows are read, so a file over the limit is refused without being held in memory.
    max_xlsx_cells : most cells accepted from an XLSX sheet (default 200,000): reading one
        took about 35 thousand cells a second here (load 4 on 2 cores), so this bounds one
        upload's CPU to about 5 s (1,000,000 let a 0.9 MiB file hold a worker 13 s); the rows
        are counted as they are read, blank ones included, whatever the sheet declares.
        Larger tables read much faster as CSV.
    """

    max_bytes: int = 100 * 1024 * 1024
    max_rows: int = 1_000_000
    max_xlsx_unpacked_bytes: int = 500 * 1024 * 1024
    max_columns: int = 500
    max_cells: int = 10_000_000
    max_xlsx_cells: int = 200_000

    def max_data_rows(self, columns: int) -> int:
        """Most data rows a file of ``columns`` columns may have: min(max_rows, max_cells ÷ columns)."""
        return min(self.max_rows, self.max_cells // max(1, columns))


DEFAULT_LIMITS = Limits()
MAX_LISTED_PROBLEMS = 200
"""Problems listed one by one in a report; counts per reason are always complete."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is and why it is rejected.

    ``counted_as`` is the reason without this problem's detail (``duplicate account id`` for
    ``duplicate account id (first on row 2)``), so the counts per reason stay a short list
    however many rows a file repeats; ``None`` counts it under ``reason``."""

    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    counted_as: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        value = f" (value: {self.value!r})" if self.value is not None else ""
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}{value}" if prefix else f"{self.reason}{value}"


@dataclass
class IngestReport:
    """What the reader found: shape, column mapping, problems and notes.

    Attributes
    ----------
    source : file name as given.
    shape : ``"snapshot"`` or ``"history"``, once detected.
    column_map : ``{canonical column: source header}`` actually used.
    unmatched_headers : source headers that were not used.
    missing_required : canonical columns that are required but were not found.
    problems : the first :data:`MAX_LISTED_PROBLEMS` problems.
    problem_counts : ``{reason: count}`` over all problems.
    notes : informational lines (how dates were read, rows left out on purpose, …).
    """

    source: str
    shape: Shape | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    unmatched_headers: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem_counts

    def add(self, problem: Problem) -> None:
        key = problem.counted_as or problem.reason
        self.problem_counts[key] = self.problem_counts.get(key, 0) + 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)

    def summary(self, max_lines: int = 20) -> str:
        """Readable multi-line text: headline, counts per reason, then the first problems."""
        if self.ok:
            return f"{self.source}: read as {self.shape}; no problems."
        total = sum(self.problem_counts.values())
        lines = [f"{self.source} was rejected: {total} problem{'s' if total != 1 else ''}."]
        lines += [f"  {n} × {reason}" for reason, n in self.problem_counts.items()]
        lines += [f"  - {p}" for p in self.problems[:max_lines]]
        if total > max_lines:
            lines.append(f"  … and {total - max_lines} more")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "shape": self.shape,
            "ok": self.ok,
            "column_map": self.column_map,
            "unmatched_headers": self.unmatched_headers,
            "missing_required": self.missing_required,
            "problem_counts": self.problem_counts,
            "problems": [
                {"row": p.row, "column": p.column, "value": p.value, "reason": p.reason}
                for p in self.problems
            ],
            "notes": self.notes,
        }


@dataclass
class LoadResult:
    """The outcome of reading one file: ``accounts`` is ``None`` exactly when rejected."""

    accounts: pd.DataFrame | None
    report: IngestReport
    as_of: pd.Timestamp | None = None

    @property
    def ok(self) -> bool:
        return self.accounts is not None and self.report.ok


class Rejected(Exception):
    """Internal: stop reading; the report already says why."""
