"""Bytes → a table of strings: the first step of reading a file.

Recognises XLSX and rejects legacy ``.xls``; decodes text as UTF-8 (with or without BOM),
UTF-16 (BOM or NUL pattern) or, line by line where a line is not UTF-8, Windows-1252; sniffs
the delimiter (``,`` ``;`` tab ``|``) on the first 64 KiB. Every limit of :class:`Limits` is
checked before or while the body is read, so an oversized file costs time and memory linear in
what was read: the column limit and duplicate headers on the header row; the row and cell
limits while CSV is read in chunks and XLSX row by row (openpyxl read-only, after the archive's
unpacked size and the sheet's declared width). Malformed rows, files without data rows and
blank rows are handled too. The table holds every cell as text (``""`` for blanks), with the
apostrophe a download put before formula text removed, and is indexed by the file's own row
numbers (header = row 1, first data row = row 2). Problems go to the :class:`IngestReport`; a
fatal one raises :class:`Rejected`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd

from portfolio.formula_text import restore_formula_text
from portfolio.ingest.report import IngestReport, Limits, Problem, Rejected

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(data: bytes, filename: str, report: IngestReport, limits: Limits) -> pd.DataFrame:
    """Bytes → DataFrame of strings (``""`` for blanks), index = file row number.

    The column limit is checked on the header row and the row and cell limits while the rows
    are read, so an oversized file is refused in time and memory linear in what was read
    (never after building the whole table). A leading apostrophe that a download put before a
    formula character is removed (:func:`portfolio.formula_text.restore_formula_text`).
    """
    if not data.strip():
        report.add(Problem("file is empty"))
        raise Rejected
    if data.startswith(_OLE_MAGIC):
        report.add(Problem("legacy Excel .xls files are not supported: save it as .xlsx or CSV"))
        raise Rejected
    is_xlsx = data.startswith(_XLSX_MAGIC)
    table = _read_xlsx(data, report, limits) if is_xlsx else _read_text(data, report, limits)
    if table.empty:
        report.add(Problem("file has a header but no data rows"))
        raise Rejected
    return table.apply(restore_formula_text) if table.shape[1] else table


def _too_many_columns(columns: int, limits: Limits, report: IngestReport) -> None:
    """Reject a table wider than ``limits.max_columns``."""
    if columns > limits.max_columns:
        report.add(
            Problem(
                f"file has {columns:,} columns; the limit is {limits.max_columns:,} "
                "(keep the account columns, or split the file)"
            )
        )
        raise Rejected


def _too_many_rows(columns: int, limits: Limits, report: IngestReport, kind: str = "") -> None:
    """Reject a file found to hold more data rows than :meth:`Limits.max_data_rows` allows
    (``kind`` "XLSX" when the XLSX cell limit applied)."""
    allowed = limits.max_data_rows(columns)
    if allowed < limits.max_rows:
        advice = (
            "save it as CSV, drop unused columns"
            if kind
            else "drop unused columns, aggregate or split the file"
        )
        text = (
            f"file has more than {allowed:,} data rows of {columns:,} columns; the limit is "
            f"{limits.max_cells:,} cells{' for ' + kind if kind else ''} ({advice})"
        )
    else:
        text = (
            f"file has more than {allowed:,} data rows; the limit is {allowed:,} "
            "(aggregate it to one row per account, or split it)"
        )
    report.add(Problem(text))
    raise Rejected


def _decode_line(line: bytes) -> tuple[str, bool]:
    """One line as UTF-8 if it is valid UTF-8 (True), else as Windows-1252 or Latin-1 (False)."""
    try:
        return line.decode("utf-8"), True
    except UnicodeDecodeError:
        try:
            return line.decode("cp1252"), False
        except UnicodeDecodeError:
            return line.decode("latin-1"), False


def _decode_per_line(data: bytes) -> tuple[str, int]:
    """Each line as UTF-8 if it is valid UTF-8, else by :func:`_decode_line`; and how many lines
    were not. The runs of valid lines between bad ones are decoded whole (no list of lines), so
    time and memory stay linear in the file whatever its number of lines."""
    view = memoryview(data)
    parts, legacy, pos = [], 0, 0
    while pos < len(data):
        try:
            parts.append(codecs.utf_8_decode(view[pos:], "strict", True)[0])
            break
        except UnicodeDecodeError as exc:
            bad = pos + exc.start
            line_start = data.rfind(b"\n", pos, bad) + 1 or pos
            line_end = data.find(b"\n", bad)
            line_end = len(data) if line_end < 0 else line_end
            parts.append(codecs.utf_8_decode(view[pos:line_start], "strict", True)[0])
            parts.append(_decode_line(data[line_start:line_end])[0])
            legacy += 1
            pos = line_end
    return "".join(parts), legacy


def _decode(data: bytes, report: IngestReport) -> tuple[str, bytes]:
    """Decode text: UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern); a file that is not
    valid UTF-8 is read line by line, UTF-8 where a line is, else Windows-1252 (Latin-1).

    Returns the text and its UTF-8 bytes (``data`` itself when it was plain UTF-8)."""
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
        encoding = "per line"
        text, legacy = _decode_per_line(data)
        lines = data.count(b"\n") + 1
        report.notes.append(
            "file is not UTF-8; read as Windows-1252"
            if legacy == lines
            else f"file mixes encodings: {legacy:,} of {lines:,} lines are not UTF-8 and were "
            "read as Windows-1252"
        )
    control = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in text or control > max(8, len(text[:65536]) // 100):
        report.add(Problem("file is not a text table (binary content): upload a CSV or XLSX file"))
        raise Rejected
    return text, data if encoding == "utf-8" else text.encode("utf-8")


def _lines(text: str):
    """The lines of ``text`` with their endings, one at a time (no copy of the whole text)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        yield text[start:end]
        start = end


_SNIFF_CHARS = 65_536
"""Text the delimiter is judged on: a bound on its cost whatever the lines' length."""


def _sniff_delimiter(text: str) -> str:
    """Pick ``,`` ``;`` tab or ``|``: the one that splits the header most, consistently
    (judged on the first 50 non-blank lines of the first 64 KiB, without a cut-off last line)."""
    sample = text[:_SNIFF_CHARS]
    lines = sample.splitlines()
    if len(sample) == _SNIFF_CHARS and len(lines) > 1:
        lines.pop()
    lines = [line for line in lines if line.strip()][:50]
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


_CHUNK_CELLS = 200_000
"""Cells read at a time while streaming a text file (memory per step)."""


def _read_text(data: bytes, report: IngestReport, limits: Limits) -> pd.DataFrame:
    text, utf8 = _decode(data, report)
    delimiter = _sniff_delimiter(text)
    if delimiter != ",":
        report.notes.append(f"delimiter: {'tab' if delimiter == chr(9) else repr(delimiter)}")
    try:
        header = next(csv.reader(_lines(text), delimiter=delimiter))
    except (csv.Error, StopIteration):
        report.add(Problem("cannot read the header row"))
        raise Rejected from None
    if not header:
        report.add(Problem("the first line is blank: it must be the header row", row=1))
        raise Rejected
    _too_many_columns(len(header), limits, report)
    _check_headers(header, report)
    allowed = limits.max_data_rows(len(header))
    chunks, kept = [], 0
    try:
        reader = pd.read_csv(
            io.BytesIO(utf8),  # the upload itself when it is plain UTF-8: no copy
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            header=None,
            names=range(len(header)),
            index_col=False,
            skiprows=1,
            engine="c",
            encoding="utf-8",
            on_bad_lines="error",
            chunksize=max(1, _CHUNK_CELLS // len(header)),
        )
        with reader:
            for chunk in reader:
                chunk.index = chunk.index + 2  # file row numbers: the header is row 1
                chunk = _drop_blank_rows(chunk.fillna(""))  # a short row's missing cells are blank
                kept += len(chunk)
                if kept > allowed:
                    _too_many_rows(len(header), limits, report)
                chunks.append(chunk)
    except pd.errors.EmptyDataError:
        report.add(Problem("file has a header but no data rows"))
        raise Rejected from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        message = str(exc).strip().splitlines()[-1]
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
        if fields:
            expected, line, saw = (int(g) for g in fields.groups())
            report.add(
                Problem(
                    f"malformed row: row has {saw} fields but the header names {expected} columns", row=line
                )
            )
            raise Rejected from None
        match = re.search(r"line (\d+)", message)
        row = int(match.group(1)) if match else None
        report.add(Problem(f"malformed row: {message}", row=row))
        raise Rejected from None
    table = pd.concat(chunks) if chunks else pd.DataFrame(columns=range(len(header)), dtype=object)
    table.columns = header
    return table


def _read_xlsx(data: bytes, report: IngestReport, limits: Limits) -> pd.DataFrame:
    """The first sheet with data, read row by row (openpyxl read-only): the unpacked size, the
    sheet's declared width, its header row and each row's width are checked before the next
    row is read, and reading stops at the row and cell limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            unsized = [info for info in archive.infolist() if _large_sheet_without_dimension(archive, info)]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
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
    if unsized:
        report.add(
            Problem(
                f"worksheet '{unsized[0].filename}' is {unsized[0].file_size / 2**20:.0f} MiB and does not "
                "declare its size (no <dimension>): save it again in Excel or LibreOffice, or upload a CSV"
            )
        )
        raise Rejected
    import openpyxl  # type: ignore[import-untyped]  # here: reading a CSV need not load it (0.1 s)

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        report.add(Problem(f"cannot read the workbook: {type(exc).__name__}: {exc}"[:300]))
        raise Rejected from None
    try:
        for sheet in workbook.worksheets:
            rows = _sheet_rows(
                sheet, report, replace(limits, max_cells=min(limits.max_cells, limits.max_xlsx_cells))
            )
            if rows:
                break
        else:
            report.add(Problem("workbook has no data"))
            raise Rejected
    except Rejected:
        raise
    except Exception as exc:  # a corrupt sheet inside a valid archive
        report.add(Problem(f"cannot read the workbook: {type(exc).__name__}: {exc}"[:300]))
        raise Rejected from None
    finally:
        workbook.close()
    if len(workbook.worksheets) > 1:
        report.notes.append(f"read sheet '{sheet.title}' (the first with data)")
    numbers = [number for number, _ in rows]
    cells = pd.DataFrame([values for _, values in rows], index=numbers, dtype=object).map(_cell_to_text)
    cells = cells.loc[:, cells.ne("").any()]  # columns without header or data
    header = cells.loc[1].tolist() if 1 in cells.index else [""] * cells.shape[1]
    table = cells.drop(index=1, errors="ignore")
    table.columns = header
    return table


_UNSIZED_SHEET_BYTES = 4 * 2**20
"""Largest worksheet XML read without a ``<dimension>``: openpyxl reads such a sheet whole
just to find out that it has none, before the first row is read (a 15 MiB one, 46 KB zipped,
then took 12.5 s to read)."""
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")


def _large_sheet_without_dimension(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether ``info`` is a worksheet over :data:`_UNSIZED_SHEET_BYTES` whose first 64 KiB hold
    no ``<dimension>`` before ``<sheetData>`` (Excel and LibreOffice always write one there)."""
    if not info.filename.startswith("xl/worksheets/") or info.file_size <= _UNSIZED_SHEET_BYTES:
        return False
    with archive.open(info) as member:
        head = member.read(65536)
    data_at = _SHEET_DATA.search(head)
    dimension_at = _DIMENSION.search(head, 0, data_at.start() if data_at else len(head))
    return dimension_at is None


def _sheet_rows(sheet, report: IngestReport, limits: Limits) -> list[tuple[int, tuple]]:
    """``(row number, cell values)`` of the header (row 1) and the non-blank data rows of an
    openpyxl read-only sheet; an empty list when the sheet has no data. Rejects a sheet wider
    than ``limits.max_columns`` (by its declared dimension, then row by row), duplicate
    headers (on row 1, before any data row is read) and more data rows than allowed."""
    _too_many_columns(sheet.max_column or 0, limits, report)
    sheet.reset_dimensions()  # a declared dimension can be wrong: read each row as it is
    rows: list[tuple[int, tuple]] = []
    width = data_rows = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number - 1 > limits.max_data_rows(max(width, 1)):  # blank rows count too: each costs
            _too_many_rows(max(width, 1), limits, report, "XLSX")
        last = max((i for i, v in enumerate(values) if not _blank(v)), default=-1)
        if last < 0:
            continue
        values = values[: last + 1]
        _too_many_columns(len(values), limits, report)
        if number == 1:
            _check_headers([_cell_to_text(v) for v in values], report)
        else:
            data_rows += 1
        width = max(width, len(values))
        rows.append((number, values))
        if data_rows > limits.max_data_rows(width):
            _too_many_rows(width, limits, report, "XLSX")
    return rows


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


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
    """``table`` without the rows whose cells are all blank (one string operation over all cells)."""
    if table.empty:
        return table
    cells = pd.Series(table.to_numpy(dtype=object).ravel())
    blank = cells.str.strip().eq("").to_numpy().reshape(table.shape).all(axis=1)
    return table.loc[~blank]


def _check_headers(header: list[str], report: IngestReport) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        key = name.strip()
        if key and key in seen:
            report.add(
                Problem(
                    f"duplicate column header (columns {seen[key]} and {position})",
                    row=1,
                    column=key,
                    counted_as="duplicate column header",
                )
            )
        seen.setdefault(key, position)
    if not report.ok:
        raise Rejected
