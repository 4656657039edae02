"""Read account files (CSV, TSV, XLSX; snapshot or revenue history) into a validated frame.

Entry points are :func:`load_file` and :func:`load_bytes`. Neither raises for anything a
user can put in a file: the result carries either the accounts or an :class:`IngestReport`
listing every problem (row, column, value, reason) with counts per reason.

Row numbers in reports are the file's own: the header is row 1, the first data row is row 2
(for XLSX, the spreadsheet's row numbers).

The validated frame has one row per account and the canonical columns of
:data:`portfolio.schema.SNAPSHOT_COLUMNS` that the file provided, plus always
``account_id`` (str), ``account_name`` (str), ``arr`` and ``arr_prior`` (float, ≥ 0).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from portfolio.schema import (
    HISTORY_COLUMNS,
    SCORE_DIMENSIONS,
    SNAPSHOT_COLUMNS,
    TEXT_COLUMNS,
    TIERS,
    match_columns,
)

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
    """

    max_bytes: int = 100 * 1024 * 1024
    max_rows: int = 1_000_000
    max_xlsx_unpacked_bytes: int = 500 * 1024 * 1024


DEFAULT_LIMITS = Limits()
MAX_LISTED_PROBLEMS = 200
"""Problems listed one by one in a report; counts per reason are always complete."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is and why it is rejected."""

    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

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
        self.problem_counts[problem.reason] = self.problem_counts.get(problem.reason, 0) + 1
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


class _Rejected(Exception):
    """Internal: stop reading; the report already says why."""


# --------------------------------------------------------------------------- public API


def load_file(
    path: str | Path,
    *,
    mapping: dict[str, str] | None = None,
    as_of: str | pd.Timestamp | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> LoadResult:
    """Read an account snapshot or revenue history from ``path``.

    Parameters
    ----------
    path : CSV/TSV/TXT or XLSX file.
    mapping : ``{source header: canonical column}`` for headers that cannot be guessed.
    as_of : for a revenue history, the last day of the trailing twelve months
        (default: the last date in the file).
    limits : size limits.
    """
    path = Path(path)
    report = IngestReport(source=path.name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        report.add(Problem(f"cannot open file: {exc.strerror or exc}"))
        return LoadResult(None, report)
    if size > limits.max_bytes:
        report.add(Problem(_too_big_message(size, limits)))
        return LoadResult(None, report)
    return load_bytes(path.read_bytes(), path.name, mapping=mapping, as_of=as_of, limits=limits)


def load_bytes(
    data: bytes,
    filename: str,
    *,
    mapping: dict[str, str] | None = None,
    as_of: str | pd.Timestamp | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> LoadResult:
    """Read an account file given as bytes (an upload). See :func:`load_file`."""
    report = IngestReport(source=filename)
    try:
        if len(data) > limits.max_bytes:
            report.add(Problem(_too_big_message(len(data), limits)))
            raise _Rejected
        table = _read_table(data, filename, report, limits)
        accounts, as_of_ts = _to_accounts(table, report, mapping or {}, as_of)
    except _Rejected:
        return LoadResult(None, report)
    if not report.ok:
        return LoadResult(None, report)
    return LoadResult(accounts, report, as_of_ts)


def _file_size(size: float) -> str:
    """Bytes as ``12.3 MiB`` / ``4.0 kB`` / ``512 bytes``."""
    if size >= 2**20:
        return f"{size / 2**20:.1f} MiB"
    return f"{size / 1024:.1f} kB" if size >= 1024 else f"{size:.0f} bytes"


def _too_big_message(size: int, limits: Limits) -> str:
    return (
        f"file is {_file_size(size)}; the limit is {_file_size(limits.max_bytes)} "
        "(split the file or aggregate it to one row per account)"
    )


# --------------------------------------------------------------------------- bytes → table

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _read_table(data: bytes, filename: str, report: IngestReport, limits: Limits) -> pd.DataFrame:
    """Bytes → DataFrame of strings (``""`` for blanks), index = file row number."""
    if not data.strip():
        report.add(Problem("file is empty"))
        raise _Rejected
    if data.startswith(_OLE_MAGIC):
        report.add(Problem("legacy Excel .xls files are not supported: save it as .xlsx or CSV"))
        raise _Rejected
    if data.startswith(_XLSX_MAGIC):
        table = _read_xlsx(data, report, limits)
    else:
        table = _read_text(data, report)
    if len(table) > limits.max_rows:
        report.add(Problem(
            f"file has {len(table):,} data rows; the limit is {limits.max_rows:,} "
            "(aggregate it to one row per account, or split it)"
        ))
        raise _Rejected
    if table.empty:
        report.add(Problem("file has a header but no data rows"))
        raise _Rejected
    return table


def _decode_line(line: bytes) -> tuple[str, bool]:
    """One line as UTF-8 if it is valid UTF-8 (True), else as Windows-1252 or Latin-1 (False)."""
    try:
        return line.decode("utf-8"), True
    except UnicodeDecodeError:
        try:
            return line.decode("cp1252"), False
        except UnicodeDecodeError:
            return line.decode("latin-1"), False


def _decode(data: bytes, report: IngestReport) -> str:
    """Decode text: UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern); a file that is not
    valid UTF-8 is read line by line, UTF-8 where a line is, else Windows-1252 (Latin-1)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        encoding = "utf-16-le"
    elif len(data) >= 4 and data[0:1] == b"\x00" and data[2:3] == b"\x00":
        encoding = "utf-16-be"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        if encoding.startswith("utf-16"):
            report.add(Problem("file looks like UTF-16 text but its bytes are not valid UTF-16"))
            raise _Rejected from None
        lines = data.split(b"\n")
        decoded = [_decode_line(line) for line in lines]
        text = "\n".join(line for line, _ in decoded)
        legacy = sum(1 for _, utf8 in decoded if not utf8)
        report.notes.append(
            "file is not UTF-8; read as Windows-1252" if legacy == len(lines) else
            f"file mixes encodings: {legacy:,} of {len(lines):,} lines are not UTF-8 and were "
            "read as Windows-1252")
    control = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in text or control > max(8, len(text[:65536]) // 100):
        report.add(Problem("file is not a text table (binary content): upload a CSV or XLSX file"))
        raise _Rejected
    return text


def _sniff_delimiter(text: str) -> str:
    """Pick ``,`` ``;`` tab or ``|``: the one that splits the header most, consistently."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in (",", ";", "\t", "|"):
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        agreeing = sum(1 for n in counts if n == counts[0]) / len(counts)
        score = counts[0] * agreeing
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_text(data: bytes, report: IngestReport) -> pd.DataFrame:
    text = _decode(data, report)
    delimiter = _sniff_delimiter(text)
    if delimiter != ",":
        report.notes.append(f"delimiter: {'tab' if delimiter == chr(9) else repr(delimiter)}")
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (csv.Error, StopIteration):
        report.add(Problem("cannot read the header row"))
        raise _Rejected from None
    _check_headers(header, report)
    try:
        table = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
            na_filter=False, skip_blank_lines=False, header=None, skiprows=1,
            engine="c", on_bad_lines="error",
        )
    except pd.errors.EmptyDataError:
        report.add(Problem("file has a header but no data rows"))
        raise _Rejected from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        message = str(exc).strip().splitlines()[-1]
        match = re.search(r"line (\d+)", message)
        row = int(match.group(1)) if match else None
        report.add(Problem(f"malformed row: {message}", row=row))
        raise _Rejected from None
    if table.shape[1] != len(header):
        report.add(Problem(
            f"rows have {table.shape[1]} fields but the header names {len(header)} columns"
        ))
        raise _Rejected
    table.columns = header
    table.index = pd.RangeIndex(2, len(table) + 2)
    return _drop_blank_rows(table)


def _read_xlsx(data: bytes, report: IngestReport, limits: Limits) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        report.add(Problem("file looks like XLSX but is not a valid (zip) workbook: is it truncated?"))
        raise _Rejected from None
    if unpacked > limits.max_xlsx_unpacked_bytes:
        report.add(Problem(
            f"workbook unpacks to {unpacked / 2**20:.0f} MiB; the limit is "
            f"{limits.max_xlsx_unpacked_bytes / 2**20:.0f} MiB"
        ))
        raise _Rejected
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, dtype=object,
                               engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        report.add(Problem(f"cannot read the workbook: {type(exc).__name__}: {exc}"[:300]))
        raise _Rejected from None
    sheet_name, raw = next(((n, s) for n, s in sheets.items() if not s.dropna(how="all").empty),
                           (None, None))
    if raw is None:
        report.add(Problem("workbook has no data"))
        raise _Rejected
    if len(sheets) > 1:
        report.notes.append(f"read sheet '{sheet_name}' (the first with data)")
    raw = raw.dropna(how="all", axis=1)
    header = ["" if pd.isna(v) else str(v) for v in raw.iloc[0]]
    _check_headers(header, report)
    table = raw.iloc[1:].map(_cell_to_text)
    table.columns = header
    table.index = pd.RangeIndex(2, len(table) + 2)
    return _drop_blank_rows(table)


def _cell_to_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "isoformat"):
        try:
            return pd.Timestamp(value).strftime("%Y-%m-%d")
        except (TypeError, ValueError):  # a time of day, or an out-of-range date
            return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _drop_blank_rows(table: pd.DataFrame) -> pd.DataFrame:
    blank = (table.apply(lambda col: col.str.strip()) == "").all(axis=1)
    return table.loc[~blank]


def _check_headers(header: list[str], report: IngestReport) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        key = name.strip()
        if key and key in seen:
            report.add(Problem(
                f"duplicate column header (columns {seen[key]} and {position})", row=1, column=key
            ))
        seen.setdefault(key, position)
    if not report.ok:
        raise _Rejected


# --------------------------------------------------------------------------- cell parsers

_CURRENCY = re.compile(r"(?i)^(?:usd|eur|gbp|chf|cad|aud|us\$|[$€£¥])|(?:usd|eur|gbp|chf|cad|aud|[$€£¥])$")


def parse_money(text: str) -> float | None:
    """Parse a money cell; ``None`` if it is not a number. Blank → ``nan``.

    Handles currency symbols/codes, thousands separators (``1,234.50``, ``1 234``,
    ``1.234,50``), accounting negatives ``(500)`` and a trailing minus ``500-``.
    A single comma followed by exactly three digits is a thousands separator
    (``1,234`` = 1234); followed by one or two digits it is a decimal comma (``1,5`` = 1.5).
    """
    s = str(text).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not s:
        return float("nan")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.endswith("-"):
        negative, s = True, s[:-1]
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    s = _CURRENCY.sub("", s).strip()
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    if not s or not re.fullmatch(r"[0-9.,']+(?:[eE][+-]?\d+)?", s) or not re.search(r"\d", s):
        return None
    s = s.replace("'", "")
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        s = s.replace(thousands, "").replace(decimal, ".")
    elif "," in s:
        parts = s.split(",")
        if len(parts) == 2 and len(parts[1]) != 3:
            s = s.replace(",", ".")
        elif all(len(p) == 3 for p in parts[1:]):
            s = s.replace(",", "")
        else:
            return None
    elif s.count(".") > 1:
        if not all(len(p) == 3 for p in s.split(".")[1:]):
            return None
        s = s.replace(".", "")
    try:
        value = float(s)
    except ValueError:
        return None
    return -value if negative else value


def _parse_numbers(
    column: pd.Series, name: str, report: IngestReport, *, reason: str
) -> pd.Series:
    """Parse a text column with :func:`parse_money`; unparseable cells become problems."""
    uniques = {v: parse_money(v) for v in column.unique()}
    unreadable = [v for v, parsed in uniques.items() if parsed is None]
    bad = column.isin(unreadable)
    for row, value in column[bad].items():
        report.add(Problem(reason, row=row, column=name, value=value))
    numbers = {v: (np.nan if parsed is None else parsed) for v, parsed in uniques.items()}
    return column.map(numbers).astype(float)


_DATE_FORMATS = (
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
    "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S",
    "%m-%d-%Y", "%d-%m-%Y", "%m/%d/%y", "%d/%m/%y", "%m-%d-%y", "%d-%m-%y",
    "%d.%m.%Y", "%d.%m.%y", "%Y/%m/%d", "%Y%m%d", "%d %b %Y", "%b %d, %Y", "%d-%b-%Y",
    "%Y-%m", "%b %Y", "%B %Y",
)
"""Tried in order; month-first before day-first where both would read a value."""


def _parse_dates(column: pd.Series, name: str, report: IngestReport) -> pd.Series:
    """Parse a date column; bad cells become problems.

    Values are grouped by their layout (``11/8/2016`` and ``11-08-16`` are two layouts,
    as in exports that Excel touched); each layout is read with the first format in
    :data:`_DATE_FORMATS` that reads all of its values, so ``11/8/2016`` is never read
    as 11/8 in one row and 8/11 in the next.
    """
    text = column.str.strip()
    uniques = pd.Series(text[text != ""].unique())
    lookup: dict[str, pd.Timestamp] = {}
    used: list[str] = []
    for _, group in uniques.groupby(uniques.str.replace(r"\d+", "N", regex=True)):
        best_format, best_parsed = None, None
        for fmt in _DATE_FORMATS:
            parsed = pd.to_datetime(group, format=fmt, errors="coerce")
            if best_parsed is None or parsed.notna().sum() > best_parsed.notna().sum():
                best_format, best_parsed = fmt, parsed
            if parsed.notna().all():
                break
        if best_parsed.notna().any():
            used.append(best_format)
        lookup.update(zip(group, best_parsed, strict=True))
    dates = pd.to_datetime(text.map(lookup), errors="coerce")
    for row, value in column[dates.isna() & (text != "")].items():
        report.add(Problem("not a date", row=row, column=name, value=value))
    if used:
        report.notes.append(f"'{name}' read with date format(s) {', '.join(sorted(set(used)))}")
    return dates


_TIER_ALIASES = {
    "strategic": "Strategic", "tier_1": "Strategic", "tier1": "Strategic", "t1": "Strategic",
    "1": "Strategic", "key": "Key", "tier_2": "Key", "tier2": "Key", "t2": "Key", "2": "Key",
    "standard": "Standard", "tier_3": "Standard", "tier3": "Standard", "t3": "Standard",
    "3": "Standard",
}


def _parse_tiers(column: pd.Series, name: str, report: IngestReport) -> pd.Series:
    key = column.str.strip().str.lower().str.replace(r"[\s-]+", "_", regex=True)
    tiers = key.map(_TIER_ALIASES)
    for row, value in column[tiers.isna() & (key != "")].items():
        report.add(Problem(f"unknown tier (expected {', '.join(TIERS)})", row=row, column=name,
                           value=value))
    return tiers.astype(object).where(tiers.notna(), None)


# --------------------------------------------------------------------------- table → accounts


def detect_shape(table: pd.DataFrame, mapping: dict[str, str]) -> tuple[Shape, dict[str, str]]:
    """Decide whether a table is a snapshot or a revenue history; return its column map.

    A file is a revenue history when it has a date column and an amount column and
    its account ids repeat; it is a snapshot when it has an ARR column (or an explicit
    mapping to ``arr``).
    """
    headers = list(table.columns)
    snapshot = match_columns(headers, SNAPSHOT_COLUMNS, mapping)
    history = match_columns(headers, HISTORY_COLUMNS, mapping)
    explicit = set((mapping or {}).values())
    if "arr" in explicit or "arr_prior" in snapshot:
        return "snapshot", snapshot
    if "date" in history and "amount" in history:
        key = history.get("account_id") or history.get("account_name")
        if "arr" not in snapshot or (key and table[key].duplicated().any()):
            return "history", history
    return "snapshot", snapshot


def _to_accounts(
    table: pd.DataFrame, report: IngestReport, mapping: dict[str, str],
    as_of: str | pd.Timestamp | None,
) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    shape, columns = detect_shape(table, mapping)
    report.shape = shape
    unknown = [source for source in mapping if source not in table.columns]
    for source in unknown:
        report.add(Problem("mapping names a column that is not in the file", column=source))
    key = "account_id" if "account_id" in columns else "account_name"
    required = ["arr"] if shape == "snapshot" else ["date", "amount"]
    report.missing_required = [c for c in required if c not in columns]
    if key not in columns:
        report.missing_required.insert(0, "account_id")
    report.column_map = columns
    report.unmatched_headers = [h for h in table.columns if h not in columns.values()]
    if report.missing_required:
        report.add(Problem(
            "missing required column(s): " + ", ".join(report.missing_required)
            + f"; the file has: {', '.join(map(str, table.columns))}. "
            "Rename the header or pass a mapping (e.g. --mapping 'Client Ref=account_id')."
        ))
        raise _Rejected
    if key == "account_name":
        report.notes.append(
            f"no account id column; account names ('{columns['account_name']}') are used as ids"
        )
    frame = pd.DataFrame({canon: table[source] for canon, source in columns.items()})
    frame["account_id"] = frame[key].str.strip()
    if shape == "snapshot":
        return _validate_snapshot(frame, report), None
    return _aggregate_history(frame, report, as_of)


def _validate_snapshot(frame: pd.DataFrame, report: IngestReport) -> pd.DataFrame:
    cols = report.column_map
    ids = frame["account_id"]
    for row in ids.index[ids == ""]:
        report.add(Problem("missing account id", row=row, column=cols.get("account_id")))
    present = ids[ids != ""]
    first_row = present.reset_index().drop_duplicates("account_id").set_index("account_id")
    for row, value in present[present.duplicated()].items():
        report.add(Problem(
            f"duplicate account id (first on row {first_row.loc[value].iloc[0]})",
            row=row, column=cols.get("account_id"), value=value,
        ))
    out = pd.DataFrame(index=frame.index)
    out["account_id"] = ids
    arr = _parse_numbers(frame["arr"], cols["arr"], report, reason="ARR is not a number")
    for row in arr.index[frame["arr"].str.strip() == ""]:
        report.add(Problem("missing ARR", row=row, column=cols["arr"]))
    for row, value in frame["arr"][arr < 0].items():
        report.add(Problem("negative ARR", row=row, column=cols["arr"], value=value))
    out["arr"] = arr
    if "arr_prior" in frame:
        prior = _parse_numbers(frame["arr_prior"], cols["arr_prior"], report,
                               reason="prior ARR is not a number")
        for row, value in frame["arr_prior"][prior < 0].items():
            report.add(Problem("negative prior ARR", row=row, column=cols["arr_prior"],
                               value=value))
        blank = int((frame["arr_prior"].str.strip() == "").sum())
        if blank:
            report.notes.append(f"{blank} blank prior ARR cell(s) read as 0 (new accounts)")
        out["arr_prior"] = prior.fillna(0.0)
    else:
        out["arr_prior"] = np.nan
        report.notes.append("no prior ARR column: retention (NRR, GRR, bridge) is not available")
    for column in TEXT_COLUMNS:
        if column in frame and column != "tier":
            values = frame[column].str.strip()
            out[column] = values.where(values != "", None)
    if "tier" in frame:
        out["tier"] = _parse_tiers(frame["tier"], cols["tier"], report)
    if "renewal_date" in frame:
        out["renewal_date"] = _parse_dates(frame["renewal_date"], cols["renewal_date"], report)
    for column in SCORE_DIMENSIONS:
        if column in frame:
            scores = _parse_numbers(frame[column], cols[column], report,
                                    reason="score is not a number")
            for row, value in frame[column][(scores < 0) | (scores > 10)].items():
                report.add(Problem("score outside 0–10", row=row, column=cols[column],
                                   value=value))
            out[column] = scores
    return finalize_accounts(out)


def finalize_accounts(out: pd.DataFrame) -> pd.DataFrame:
    """Canonical column order, names defaulting to ids, a fresh 0-based index."""
    if "account_name" not in out or out["account_name"].isna().all():
        out["account_name"] = out["account_id"]
    else:
        out["account_name"] = out["account_name"].fillna(out["account_id"])
    ordered = [c for c in SNAPSHOT_COLUMNS if c in out.columns]
    result = out[ordered].reset_index(drop=True)
    for column in ("account_id", "account_name"):
        result[column] = result[column].astype(object)
    return result


def _aggregate_history(
    frame: pd.DataFrame, report: IngestReport, as_of: str | pd.Timestamp | None
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Revenue lines → one row per account with trailing-twelve-month revenue.

    ``arr`` = Σ amount over (as_of − 12 months, as_of];
    ``arr_prior`` = Σ amount over (as_of − 24 months, as_of − 12 months].
    Text attributes take each account's most frequent value; the name its latest one.
    """
    cols = report.column_map
    for row in frame.index[frame["account_id"] == ""]:
        report.add(Problem("missing account id", row=row, column=cols.get("account_id")))
    dates = _parse_dates(frame["date"], cols["date"], report)
    for row in frame.index[frame["date"].str.strip() == ""]:
        report.add(Problem("missing date", row=row, column=cols["date"]))
    amounts = _parse_numbers(frame["amount"], cols["amount"], report,
                             reason="amount is not a number")
    for row in frame.index[frame["amount"].str.strip() == ""]:
        report.add(Problem("missing amount", row=row, column=cols["amount"]))
    if not report.ok:
        raise _Rejected
    if as_of is None:
        end = dates.max().normalize()
    else:
        end = pd.to_datetime(as_of, errors="coerce")
        if pd.isna(end):
            report.add(Problem("as-of date is not a date", value=str(as_of)))
            raise _Rejected
        end = end.normalize()
    year_ago = end - pd.DateOffset(months=12)
    two_years_ago = end - pd.DateOffset(months=24)
    days = dates.dt.normalize()
    lines = pd.DataFrame({"account_id": frame["account_id"], "date": days, "amount": amounts})
    current = (lines["date"] > year_ago) & (lines["date"] <= end)
    prior = (lines["date"] > two_years_ago) & (lines["date"] <= year_ago)
    later = int((lines["date"] > end).sum())
    if later:
        report.notes.append(f"{later} line(s) dated after the as-of date were left out")
    grouped = pd.DataFrame({
        "arr": lines["amount"].where(current, 0.0).groupby(lines["account_id"]).sum(),
        "arr_prior": lines["amount"].where(prior, 0.0).groupby(lines["account_id"]).sum(),
    })
    for column in ("arr", "arr_prior"):
        negative = grouped[column] < 0
        if negative.any():
            report.notes.append(
                f"{int(negative.sum())} account(s) with net negative {column} (refunds) set to 0"
            )
            grouped.loc[negative, column] = 0.0
    dormant = (grouped["arr"] == 0) & (grouped["arr_prior"] == 0)
    if dormant.any():
        report.notes.append(
            f"{int(dormant.sum())} account(s) with no revenue in the 24 months to "
            f"{end:%Y-%m-%d} were left out"
        )
    grouped = grouped.loc[~dormant]
    if grouped.empty:
        report.add(Problem(f"no revenue in the 24 months to {end:%Y-%m-%d}: check --as-of"))
        raise _Rejected
    order = dates.sort_values(kind="stable").index
    for column in ("account_name", "sam", "segment", "industry", "region"):
        if column not in frame:
            continue
        values = pd.DataFrame({"account_id": frame["account_id"],
                               "value": frame[column].str.strip()}).loc[order]
        values = values[values["value"] != ""]
        if column == "account_name":
            chosen = values.groupby("account_id")["value"].last()
        else:
            counts = values.groupby(["account_id", "value"]).size().rename("n").reset_index()
            counts = counts.sort_values(["account_id", "n", "value"], ascending=[True, False, True])
            chosen = counts.drop_duplicates("account_id").set_index("account_id")["value"]
        grouped[column] = chosen.reindex(grouped.index)
    report.notes.append(
        f"revenue history of {len(frame):,} lines aggregated to {len(grouped):,} accounts: "
        f"ARR = revenue {year_ago:%Y-%m-%d} – {end:%Y-%m-%d} (exclusive–inclusive), "
        f"prior ARR = the twelve months before"
    )
    out = grouped.rename_axis("account_id").reset_index()
    return finalize_accounts(out), end
