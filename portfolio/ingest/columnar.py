"""Read a large revenue history (CSV or Parquet on the server's disk) with pyarrow, in batches.

:func:`load_large_file` is the reader of the CLI and of the server-side data directory. A CSV
or Parquet revenue history is read a batch at a time (``pyarrow.csv.open_csv`` /
``ParquetFile.iter_batches``, about :data:`BATCH_BYTES` of text per batch), its two halves (cut
at a line break; Parquet: at a row group) in two threads; each batch is
reduced at once to small codes per line — the account, the date cell and each text attribute
as an index into its batch's distinct values, the amount as a float — so the raw text is never
held (20 million lines: 2.3–2.5 GiB at the peak). The distinct values
are then read once by the same cell parsers as an upload
(:mod:`portfolio.ingest.cells`: dates, money, formula apostrophes), and the lines are
aggregated by :func:`portfolio.ingest.history.aggregate_lines`, the code every history goes
through, so the accounts, quarters and notes are those of :func:`portfolio.ingest.load_file`.

Plain amounts (``-1234.5``, ``1e3``) are converted by pyarrow (a batch of them in one cast, no
regular expression); any other amount (``$1,234``, ``(500)``) by
:func:`~portfolio.ingest.cells.parse_money`. When any line is unreadable (blank
id, date or amount, a date or amount that does not parse) the rejected lines are read again as
text by the upload's own line check, so the problems and their messages are the upload's; a row
number counts data lines (header = row 1; pyarrow skips blank lines, which an upload counts).

Everything else — an account snapshot, XLSX, text that is not UTF-8 or that pyarrow cannot
split — is read by :func:`portfolio.ingest.load_file` under its size limits (``limits``).
"""

from __future__ import annotations

import codecs
import csv
import io
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]

from portfolio.datafacts import with_facts
from portfolio.formula_text import restore_formula_text
from portfolio.ingest.cells import parse_dates, parse_numbers
from portfolio.ingest.decode import _check_headers, _sniff_delimiter, _too_many_columns
from portfolio.ingest.history import _ATTRIBUTES, _read_lines, aggregate_lines
from portfolio.ingest.report import DEFAULT_LIMITS, IngestReport, Limits, LoadResult, Problem, Rejected

BATCH_BYTES = 32 * 2**20
"""CSV text parsed per batch (pyarrow's block size); Parquet batches hold :data:`BATCH_ROWS`."""
BATCH_ROWS = 1_000_000
MAX_LINES = 30_000_000
"""Most lines read from one file. Peak memory grows about 125 bytes a line (20 million lines:
2.3–2.5 GiB measured, ``benchmarks/bench_large_history.py``): about 3.8 GB at this limit."""
_SAMPLE_BYTES = 65_536
"""The head of a text file its delimiter, header and shape are judged on."""
_PLAIN_NUMBER = r"^-?[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?$"
"""Amounts pyarrow converts exactly as :func:`~portfolio.ingest.cells.parse_money` reads them."""
_PARQUET_MAGIC = b"PAR1"
_NOT_TEXT_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
"""XLSX and legacy Excel: read by :func:`portfolio.ingest.load_file`."""


def load_large_file(
    path: str | Path,
    *,
    mapping: dict[str, str] | None = None,
    as_of: str | pd.Timestamp | None = None,
    limits: Limits = DEFAULT_LIMITS,
    max_lines: int = MAX_LINES,
) -> LoadResult:
    """Read an account file from disk: a CSV or Parquet revenue history of up to ``max_lines``
    lines in batches, anything else by :func:`portfolio.ingest.load_file` within ``limits``.

    Parameters
    ----------
    path : CSV/TSV/TXT, Parquet or XLSX file.
    mapping : ``{source header: canonical column}`` for headers that cannot be guessed.
    as_of : a revenue history's last day of the trailing twelve months (default: its last date).
    limits : the size limits of a file that is not read in batches.
    max_lines : most lines of a history read in batches (default :data:`MAX_LINES`).

    Never raises for what a file holds: the result carries the accounts (with their quarterly
    revenue, see :func:`portfolio.ingest.history.quarters_of`) or a report of why not.
    """
    from portfolio.ingest import load_file  # the package imports this module's siblings

    path = Path(path)
    report = IngestReport(source=path.name)
    try:
        with path.open("rb") as handle:
            head = handle.read(_SAMPLE_BYTES)
        size = path.stat().st_size
    except OSError as exc:
        report.add(Problem(f"cannot open file: {exc.strerror or exc}"))
        return LoadResult(None, report)
    try:
        if head.startswith(_PARQUET_MAGIC):
            source = _parquet_source(path, report)
        elif head.startswith(_NOT_TEXT_MAGIC) or _text_head(head) is None:
            return load_file(path, mapping=mapping, as_of=as_of, limits=limits)
        else:
            source = _csv_source(path, _text_head(head) or "", report, limits)
        accounts, as_of_ts = _read_history(source, report, mapping or {}, as_of, max_lines)
    except _Snapshot:
        return load_file(path, mapping=mapping, as_of=as_of, limits=limits)
    except _Unsplittable as exc:
        if size <= limits.max_bytes:
            return load_file(path, mapping=mapping, as_of=as_of, limits=limits)
        report.add(Problem(f"cannot read the file as a table: {exc}"))
        return LoadResult(None, report)
    except Rejected:
        return LoadResult(None, report)
    if not report.ok:
        return LoadResult(None, report)
    return LoadResult(accounts, report, as_of_ts)


class _Unsplittable(Exception):
    """pyarrow could not read the text (a malformed row, bytes that are not UTF-8)."""


@dataclass
class _Source:
    """A file to stream: its headers, a sample of its first rows (text) and its parts."""

    headers: list[str]
    sample: pd.DataFrame
    parts: Callable[[list[str]], list[Iterator[pa.RecordBatch]]] = field(repr=False)
    """The file's consecutive parts (each read in a thread of its own), as batches of the
    named columns."""


def _text_head(head: bytes) -> str | None:
    """The head of a UTF-8 file (BOM dropped) as text, or None when it is not UTF-8 (a cut
    last character is allowed)."""
    try:
        text, _ = codecs.utf_8_decode(head, "strict", False)
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff")


def _csv_source(path: Path, head: str, report: IngestReport, limits: Limits) -> _Source:
    """The CSV's delimiter, header (checked as an upload's) and first rows."""
    delimiter = _sniff_delimiter(head)
    lines = head.splitlines(keepends=True)
    complete = lines[:-1] if len(head.encode()) >= _SAMPLE_BYTES and len(lines) > 1 else lines
    try:
        header = next(csv.reader(complete[:1], delimiter=delimiter))
    except (csv.Error, StopIteration):
        report.add(Problem("cannot read the header row"))
        raise Rejected from None
    _too_many_columns(len(header), limits, report)
    _check_headers(header, report)
    if delimiter != ",":
        report.notes.append(f"delimiter: {'tab' if delimiter == chr(9) else repr(delimiter)}")
    try:
        sample = pd.read_csv(
            io.StringIO("".join(complete)), sep=delimiter, dtype=str, keep_default_na=False, header=0
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise _Unsplittable(str(exc).strip().splitlines()[-1]) from None
    sample.columns = header

    def batches(text: pa.NativeFile, skip: int, columns: list[str]) -> Iterator[pa.RecordBatch]:
        names = [str(i) for i in range(len(header))]
        reader = pa_csv.open_csv(
            text,
            read_options=pa_csv.ReadOptions(skip_rows=skip, column_names=names, block_size=BATCH_BYTES),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter),
            convert_options=pa_csv.ConvertOptions(
                include_columns=[names[header.index(c)] for c in columns],
                column_types={names[header.index(c)]: pa.string() for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            yield batch.rename_columns(columns)

    def parts(columns: list[str]) -> list[Iterator[pa.RecordBatch]]:
        whole = pa.memory_map(str(path)).read_buffer()  # mapped, not copied
        cut = _halfway_line(whole)
        if cut is None:
            return [batches(pa.BufferReader(whole), 1, columns)]
        return [
            batches(pa.BufferReader(whole.slice(0, cut)), 1, columns),
            batches(pa.BufferReader(whole.slice(cut)), 0, columns),
        ]

    return _Source(header, sample, parts)


def _halfway_line(text: pa.Buffer) -> int | None:
    """Where the first line that starts after the middle of ``text`` starts, for two threads
    to parse a half each (a file of more than two batches); None otherwise. pyarrow cuts its
    blocks at line breaks the same way (a line break inside quotes is refused either way)."""
    if text.size <= 2 * BATCH_BYTES:
        return None
    middle = memoryview(text)[text.size // 2 :]
    newline = bytes(middle[: 1 << 20]).find(b"\n")  # lines are far shorter than a MiB
    if newline < 0 or text.size // 2 + newline + 1 >= text.size:
        return None
    return text.size // 2 + newline + 1


def _parquet_source(path: Path, report: IngestReport) -> _Source:
    """A Parquet file's columns, first rows (as text) and batches."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]  # here: a CSV need not load it

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        report.add(Problem(f"cannot read the Parquet file: {exc}"))
        raise Rejected from None
    header = list(parquet.schema_arrow.names)
    _check_headers(header, report)
    first = next(parquet.iter_batches(batch_size=1000), None)
    if first is None:
        report.add(Problem("file has a header but no data rows"))
        raise Rejected
    sample = pd.DataFrame({name: _as_text(first.column(i)).to_pylist() for i, name in enumerate(header)})

    def parts(columns: list[str]) -> list[Iterator[pa.RecordBatch]]:
        groups = list(range(parquet.num_row_groups))
        halves = [groups[: len(groups) // 2], groups[len(groups) // 2 :]] if len(groups) > 1 else [groups]
        return [
            pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS, columns=columns, row_groups=half)
            for half in halves
        ]

    return _Source(header, sample, parts)


def _as_text(column: pa.Array) -> pa.Array:
    """A column as text, nulls blank (typed Parquet columns: numbers, dates; a timestamp as
    ``YYYY-MM-DD HH:MM:SS``, a layout :func:`~portfolio.ingest.cells.parse_dates` reads)."""
    if pa.types.is_timestamp(column.type):
        seconds = pc.cast(column, pa.timestamp("s", tz=column.type.tz), safe=False)  # %S: no fraction
        column = pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
    elif not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    return pc.fill_null(column, "")


class _Distinct:
    """One text column across batches: each batch dictionary-encoded as it is read (4 bytes a
    line), the dictionaries unified once at the end (all in pyarrow)."""

    def __init__(self) -> None:
        self.chunks: list[pa.DictionaryArray] = []

    def add(self, column: pa.Array) -> None:
        self.chunks.append(pc.dictionary_encode(_as_text(column)))

    def lines(
        self, *, strip: bool = False, sort: bool = False, release: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each line's code and the distinct values (object array) it indexes: the text an
        upload would hold (:func:`restore_formula_text`; stripped if ``strip``), equal values
        sharing one code, sorted if ``sort``; the batches are let go if ``release``."""
        unified = pa.chunked_array(self.chunks).unify_dictionaries()
        self.chunks = [] if release else unified.chunks
        text = pd.Series(unified.chunk(0).dictionary.to_pylist(), dtype=object)
        text = restore_formula_text(text)
        merged, values = pd.factorize(text.str.strip() if strip else text, sort=sort)
        lookup = merged.astype(np.int32)
        codes = np.concatenate([lookup[c.indices.to_numpy(zero_copy_only=False)] for c in unified.chunks])
        return codes, np.asarray(values, dtype=object)


class _Part:
    """What the batches of one part of a file are reduced to: each text column's codes
    (:class:`_Distinct`), the amounts and the text of the odd ones (rows counted from the
    part's first line), and how many lines."""

    def __init__(self, text_columns: list[str]) -> None:
        self.distinct = {name: _Distinct() for name in text_columns}
        self.amounts: list[np.ndarray] = []
        self.odd: list[pd.Series] = []
        self.lines = 0

    def code(self, batch: pa.RecordBatch, amount: str) -> None:
        """Reduce the part's next batch (``amount``: the name of its amount column)."""
        for name, values in self.distinct.items():
            values.add(batch.column(name))
        numbers, odd = _amounts(batch.column(amount), first_row=self.lines + 2)
        self.amounts.append(numbers)
        self.odd.append(odd)
        self.lines += batch.num_rows


def _read_parts(
    streams: list[Iterator[pa.RecordBatch]], text_columns: list[str], amount: str, max_lines: int
) -> _Part:
    """Reduce each part of a file in a thread of its own (pyarrow parses and encodes without
    holding the GIL, so two parts use two cores), then join them in file order. Stops early,
    with more than ``max_lines`` lines counted, once the parts together hold that many."""
    parts = [_Part(text_columns) for _ in streams]
    stop = threading.Event()  # too many lines, or a part failed

    def read(stream: Iterator[pa.RecordBatch], part: _Part) -> None:
        try:
            for batch in stream:
                part.code(batch, amount)
                if sum(p.lines for p in parts) > max_lines:
                    stop.set()
                if stop.is_set():
                    return
        except BaseException:
            stop.set()
            raise

    with ThreadPoolExecutor(max_workers=len(streams)) as pool:
        for done in [pool.submit(read, *pair) for pair in zip(streams, parts, strict=True)]:
            done.result()
    whole = _Part(text_columns)
    for part in parts:
        for name, values in part.distinct.items():
            whole.distinct[name].chunks += values.chunks
        whole.amounts += part.amounts
        whole.odd += [odd.set_axis(odd.index + whole.lines) for odd in part.odd]
        whole.lines += part.lines
    return whole


def _read_history(
    source: _Source,
    report: IngestReport,
    mapping: dict[str, str],
    as_of: str | pd.Timestamp | None,
    max_lines: int,
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Stream the history's columns into codes, check the lines, aggregate (see the module)."""
    from portfolio.ingest.facts import read_facts
    from portfolio.ingest.shape import map_columns

    shape, columns, key = map_columns(source.sample, report, mapping)
    if shape == "snapshot":
        raise _Snapshot
    if not report.ok:
        raise Rejected
    attributes = [c for c in _ATTRIBUTES if c in columns]
    sources = list(
        dict.fromkeys([columns[key], columns["date"], columns["amount"], *(columns[c] for c in attributes)])
    )
    text_columns = [name for name in sources if name != columns["amount"]]
    try:
        read = _read_parts(source.parts(sources), text_columns, columns["amount"], max_lines)
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:
        raise _Unsplittable(str(exc).strip().splitlines()[0]) from None
    if read.lines > max_lines:
        report.add(
            Problem(
                f"file has more than {max_lines:,} lines; the limit is {max_lines:,} "
                "(aggregate it to accounts × months, or split it by year)"
            )
        )
        raise Rejected
    if read.lines == 0:
        report.add(Problem("file has a header but no data rows"))
        raise Rejected
    lines, distinct, amounts, odd_amounts = read.lines, read.distinct, read.amounts, read.odd
    id_again = key == "account_name" and "account_name" in attributes  # the names are the ids
    id_codes, ids = distinct[columns[key]].lines(strip=True, sort=True, release=not id_again)
    date_codes, date_text = distinct[columns["date"]].lines()
    amount = np.concatenate(amounts)
    parsed, note = _parse_distinct_dates(pd.Series(date_text, dtype=object), columns["date"])
    day_of_text, distinct_dates = pd.factorize(parsed)  # equal dates written two ways: one code
    day_codes = day_of_text.astype(np.int32)[date_codes]  # −1: blank or unreadable
    bad = (ids == "")[id_codes] | (day_codes < 0) | np.isnan(amount)
    if bad.any():
        _reject_lines(np.flatnonzero(bad), ids, id_codes, date_text, date_codes, odd_amounts, report)
    report.notes.extend(note)
    attribute_cells = {}
    for column in attributes:
        attribute_cells[column] = _categorical(*distinct[columns[column]].lines())
    report.notes.append(f"read with pyarrow in batches: {lines:,} lines")
    accounts, end = aggregate_lines(
        _categorical(id_codes, ids),
        _categorical(day_codes, np.asarray(distinct_dates)),
        pd.Series(amount),
        attribute_cells,
        report,
        as_of,
    )
    facts = read_facts(source.sample, columns, accounts, end, as_of, report)  # currency from the sample
    return with_facts(accounts, facts), end


class _Snapshot(Exception):
    """The file is an account snapshot: read by :func:`portfolio.ingest.load_file`."""


def _amounts(column: pa.Array, *, first_row: int) -> tuple[np.ndarray, pd.Series]:
    """A batch's amounts as floats, NaN where blank or unreadable; and the text of the cells
    that were not plain numbers, indexed by file row (``first_row`` is the batch's first)."""
    if (
        pa.types.is_floating(column.type)
        or pa.types.is_integer(column.type)
        or pa.types.is_decimal(column.type)
    ):
        numbers = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        numbers = np.where(np.isfinite(numbers), numbers, np.nan)
        return numbers, pd.Series([], dtype=object)
    column = _as_text(column)
    try:  # every cell a number pyarrow reads: those are parse_money's, but for a leading "+"
        numbers = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        if pc.any(pc.starts_with(column, "+")).as_py():
            raise pa.ArrowInvalid("a leading plus, which parse_money refuses")
    except pa.ArrowInvalid:  # some other cell: the plain numbers by pyarrow, the rest below
        plain = pc.match_substring_regex(column, _PLAIN_NUMBER).to_numpy(zero_copy_only=False)
        numbers = np.full(len(column), np.nan)
        try:
            numbers[plain] = pc.cast(column.filter(pa.array(plain)), pa.float64()).to_numpy(
                zero_copy_only=False
            )
        except pa.ArrowInvalid:  # not expected for plain numbers; then every cell by parse_money
            numbers[:] = np.nan
    odd_rows = np.flatnonzero(~np.isfinite(numbers))  # not plain, or too large (1e999)
    if not len(odd_rows):
        return numbers, pd.Series([], dtype=object)
    numbers = numbers if numbers.flags.writeable else numbers.copy()  # pyarrow's, read-only
    text = pd.Series(column.take(pa.array(odd_rows)).to_pylist(), index=odd_rows + first_row, dtype=object)
    text = restore_formula_text(text)
    scratch = IngestReport(source="")
    numbers[odd_rows] = parse_numbers(text, "", scratch, reason="").to_numpy()
    return numbers, text


def _parse_distinct_dates(text: pd.Series, name: str) -> tuple[np.ndarray, list[str]]:
    """Each distinct date cell as datetime64 (NaT when blank or unreadable), read by
    :func:`~portfolio.ingest.cells.parse_dates` as an upload's whole column would be (the
    formats are chosen on the distinct cells); and its note on the formats used."""
    scratch = IngestReport(source="")
    parsed = parse_dates(text, name, scratch)
    return parsed.to_numpy(dtype="datetime64[ns]"), scratch.notes


def _reject_lines(
    rows: np.ndarray,
    ids: np.ndarray,
    id_codes: np.ndarray,
    date_text: np.ndarray,
    date_codes: np.ndarray,
    odd_amounts: list[pd.Series],
    report: IngestReport,
) -> None:
    """Report the unreadable lines (positions ``rows``) by the upload's line check, as text:
    the same problems and messages as :func:`portfolio.ingest.load_file`; raises Rejected."""
    numbers = pd.RangeIndex(2, 2 + len(id_codes))[rows]
    odd = pd.concat(odd_amounts) if odd_amounts else pd.Series([], dtype=object)
    frame = pd.DataFrame(
        {
            "account_id": ids[id_codes[rows]],
            "date": date_text[date_codes[rows]],
            "amount": odd.reindex(numbers).fillna("0").to_numpy(),
        },
        index=numbers,
    ).astype(str)
    _read_lines(frame, report, date_values=pd.Series(date_text, dtype=object))
    report.add(Problem("unreadable lines"))  # not reached: the line check rejects them
    raise Rejected


def _categorical(codes: np.ndarray, values: np.ndarray) -> pd.Series:
    """Lines as a categorical Series: ``codes`` index the distinct ``values`` (text or dates)."""
    categories = pd.Index(values, dtype=values.dtype)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories, validate=False))
