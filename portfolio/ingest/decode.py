"""Bytes → a table of strings: the first step of reading a file.

Recognises XLSX (checking the archive's unpacked size before expanding it, against zip
bombs) and rejects legacy ``.xls``; decodes text as UTF-8 (with or without BOM), UTF-16
(BOM or NUL pattern) or, line by line where a line is not UTF-8, Windows-1252; sniffs the
delimiter (``,`` ``;`` tab ``|``); rejects binary content, malformed rows, duplicate headers,
files over the row limit and files without data rows; drops blank rows. The table holds
every cell as text (``""`` for blanks) and is indexed by the file's own row numbers (header
= row 1, first data row = row 2). Problems go to the :class:`IngestReport`; a fatal one
raises :class:`Rejected`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import numpy as np
import pandas as pd

from portfolio.ingest.report import IngestReport, Limits, Problem, Rejected

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(data: bytes, filename: str, report: IngestReport, limits: Limits) -> pd.DataFrame:
    """Bytes → DataFrame of strings (``""`` for blanks), index = file row number."""
    if not data.strip():
        report.add(Problem("file is empty"))
        raise Rejected
    if data.startswith(_OLE_MAGIC):
        report.add(Problem("legacy Excel .xls files are not supported: save it as .xlsx or CSV"))
        raise Rejected
    is_xlsx = data.startswith(_XLSX_MAGIC)
    table = _read_xlsx(data, report, limits) if is_xlsx else _read_text(data, report)
    if len(table) > limits.max_rows:
        report.add(
            Problem(
                f"file has {len(table):,} data rows; the limit is {limits.max_rows:,} "
                "(aggregate it to one row per account, or split it)"
            )
        )
        raise Rejected
    if table.empty:
        report.add(Problem("file has a header but no data rows"))
        raise Rejected
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
            raise Rejected from None
        lines = data.split(b"\n")
        decoded = [_decode_line(line) for line in lines]
        text = "\n".join(line for line, _ in decoded)
        legacy = sum(1 for _, utf8 in decoded if not utf8)
        report.notes.append(
            "file is not UTF-8; read as Windows-1252"
            if legacy == len(lines)
            else f"file mixes encodings: {legacy:,} of {len(lines):,} lines are not UTF-8 and were "
            "read as Windows-1252"
        )
    control = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in text or control > max(8, len(text[:65536]) // 100):
        report.add(Problem("file is not a text table (binary content): upload a CSV or XLSX file"))
        raise Rejected
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
        raise Rejected from None
    _check_headers(header, report)
    try:
        table = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            header=None,
            skiprows=1,
            engine="c",
            on_bad_lines="error",
        )
    except pd.errors.EmptyDataError:
        report.add(Problem("file has a header but no data rows"))
        raise Rejected from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        message = str(exc).strip().splitlines()[-1]
        match = re.search(r"line (\d+)", message)
        row = int(match.group(1)) if match else None
        report.add(Problem(f"malformed row: {message}", row=row))
        raise Rejected from None
    if table.shape[1] != len(header):
        report.add(Problem(f"rows have {table.shape[1]} fields but the header names {len(header)} columns"))
        raise Rejected
    table.columns = header
    table.index = pd.RangeIndex(2, len(table) + 2)
    return _drop_blank_rows(table)


def _read_xlsx(data: bytes, report: IngestReport, limits: Limits) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        report.add(Problem("file looks like XLSX but is not a valid (zip) workbook: is it truncated?"))
        raise Rejected from None
    if unpacked > limits.max_xlsx_unpacked_bytes:
        report.add(
            Problem(
                f"workbook unpacks to {unpacked / 2**20:.0f} MiB; the limit is "
                f"{limits.max_xlsx_unpacked_bytes / 2**20:.0f} MiB"
            )
        )
        raise Rejected
    try:
        sheets = pd.read_excel(
            io.BytesIO(data), sheet_name=None, header=None, dtype=object, engine="openpyxl"
        )
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        report.add(Problem(f"cannot read the workbook: {type(exc).__name__}: {exc}"[:300]))
        raise Rejected from None
    sheet_name, raw = next(((n, s) for n, s in sheets.items() if not s.dropna(how="all").empty), (None, None))
    if raw is None:
        report.add(Problem("workbook has no data"))
        raise Rejected
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
            report.add(
                Problem(f"duplicate column header (columns {seen[key]} and {position})", row=1, column=key)
            )
        seen.setdefault(key, position)
    if not report.ok:
        raise Rejected
