"""Cell parsers: text cells → money, numbers, dates and tiers.

:func:`parse_money` reads one cell (currency symbols and codes, thousands separators,
decimal commas, accounting negatives) and is pure. The column parsers
(:func:`parse_numbers`, :func:`parse_dates`, :func:`parse_tiers`) take a Series of text
cells indexed by file row number and return the parsed Series on the same index; every cell
they cannot read becomes a :class:`Problem` (row, column, value, reason) in the report, and
they note which date formats they used. They never raise for bad cells.
"""

from __future__ import annotations

import math
import re
from types import MappingProxyType

import numpy as np
import pandas as pd

from portfolio.currency import CURRENCY_MARK
from portfolio.ingest.report import IngestReport, Problem
from portfolio.schema import TIERS

_CURRENCY = re.compile(rf"(?i)^(?:{CURRENCY_MARK})|(?:{CURRENCY_MARK})$")
_NUMBER = re.compile(r"[0-9.,']+(?:[eE][+-]?\d+)?")
"""What is left of a money cell after sign and currency: digits, separators, an exponent."""


def parse_money(text: str) -> float | None:
    """Parse a money cell; ``None`` if it is not a finite number (``1e999`` overflows to
    infinity and is ``None``). Blank → ``nan``.

    Handles currency symbols/codes, thousands separators (``1,234.50``, ``1 234``,
    ``1.234,50``), accounting negatives ``(500)`` and a trailing minus ``500-``.
    A single comma followed by exactly three digits is a thousands separator
    (``1,234`` = 1234); followed by one or two digits it is a decimal comma (``1,5`` = 1.5).
    """
    s = str(text).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not s:
        return float("nan")
    negative, s = _strip_sign_and_currency(s)
    if not s or not _NUMBER.fullmatch(s) or not re.search(r"\d", s):
        return None
    plain = _without_separators(s.replace("'", ""))
    if plain is None:
        return None
    try:
        value = float(plain)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return -value if negative else value


def _strip_sign_and_currency(s: str) -> tuple[bool, str]:
    """``(negative, rest)``: strip accounting parentheses ``(500)``, a trailing minus ``500-``,
    a leading minus and a currency symbol or code (a minus may stand on either side of it)."""
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
    return negative, s


def _without_separators(s: str) -> str | None:
    """Digits and separators → text :func:`float` reads (``1.234,50`` → ``1234.50``);
    ``None`` where commas or several dots are not thousands separators (``1,23,4``, ``1.23.4``).

    With both ``,`` and ``.`` the later one is the decimal point; a lone ``,`` is read by
    :func:`_without_commas`; several ``.`` are thousands separators.
    """
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return s.replace(thousands, "").replace(decimal, ".")
    if "," in s:
        return _without_commas(s)
    if s.count(".") > 1:
        return s.replace(".", "") if _groups_of_three(s.split(".")[1:]) else None
    return s


def _without_commas(s: str) -> str | None:
    """Commas only: one comma not followed by exactly three digits is a decimal comma (``1,5``,
    ``1,50``); commas each followed by three digits are thousands separators (``1,234``,
    ``1,234,567``); anything else (``1,23,4``) is ``None``."""
    parts = s.split(",")
    if len(parts) == 2 and len(parts[1]) != 3:
        return s.replace(",", ".")
    if _groups_of_three(parts[1:]):
        return s.replace(",", "")
    return None


def _groups_of_three(groups: list[str]) -> bool:
    """Whether every digit group after a thousands separator has exactly three digits."""
    return all(len(group) == 3 for group in groups)


def parse_numbers(column: pd.Series, name: str, report: IngestReport, *, reason: str) -> pd.Series:
    """Parse a text column with :func:`parse_money`; unparseable cells become problems (``reason``,
    or "number too large" for one that overflows to infinity, such as ``1e999``)."""
    uniques = {v: parse_money(v) for v in column.unique()}
    unreadable = [v for v, parsed in uniques.items() if parsed is None]
    bad = column.isin(unreadable)
    for row, value in column[bad].items():
        why = "number too large (not finite)" if _overflows(value) else reason
        report.add(Problem(why, row=row, column=name, value=value))
    numbers = {v: (np.nan if parsed is None else parsed) for v, parsed in uniques.items()}
    return column.map(numbers).astype(float)


def _overflows(text: str) -> bool:
    """Whether ``text`` has the form of a number but its value is infinite (``1e999``)."""
    s = str(text).strip().replace(" ", "")
    _, s = _strip_sign_and_currency(s)
    plain = _without_separators(s.replace("'", "")) if _NUMBER.fullmatch(s) else None
    try:
        return plain is not None and math.isinf(float(plain))
    except ValueError:
        return False


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m-%d-%Y",
    "%d-%m-%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%m-%d-%y",
    "%d-%m-%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d %b %Y",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%Y-%m",
    "%b %Y",
    "%B %Y",
)
"""Tried in order; month-first before day-first where both would read a value."""


def parse_dates(
    column: pd.Series, name: str, report: IngestReport, *, formats_from: pd.Series | None = None
) -> pd.Series:
    """Parse a date column; bad cells become problems.

    Values are grouped by their layout (``11/8/2016`` and ``11-08-16`` are two layouts,
    as in exports that Excel touched); each layout is read with the first format in
    :data:`_DATE_FORMATS` that reads all of its values, so ``11/8/2016`` is never read
    as 11/8 in one row and 8/11 in the next. ``formats_from`` (default: ``column``) is the
    column the formats are chosen on, when ``column`` holds only some of a file's rows (the
    columnar reader's rejected lines, :mod:`portfolio.ingest.columnar`).
    """
    text = column.str.strip()
    every = text if formats_from is None else pd.concat([text, formats_from.str.strip()])
    uniques = pd.Series(every[every != ""].unique())
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
        assert best_format is not None and best_parsed is not None  # _DATE_FORMATS is not empty
        if best_parsed.notna().any():
            used.append(best_format)
        lookup.update(zip(group, best_parsed, strict=True))
    dates = pd.to_datetime(text.map(lookup), errors="coerce")
    for row, value in column[dates.isna() & (text != "")].items():
        report.add(Problem("not a date", row=row, column=name, value=value))
    if used:
        report.notes.append(f"'{name}' read with date format(s) {', '.join(sorted(set(used)))}")
    return dates


_TIER_ALIASES = MappingProxyType(
    {
        "strategic": "Strategic",
        "tier_1": "Strategic",
        "tier1": "Strategic",
        "t1": "Strategic",
        "1": "Strategic",
        "key": "Key",
        "tier_2": "Key",
        "tier2": "Key",
        "t2": "Key",
        "2": "Key",
        "standard": "Standard",
        "tier_3": "Standard",
        "tier3": "Standard",
        "t3": "Standard",
        "3": "Standard",
    }
)
"""Tier cell, lower-cased with spaces and hyphens as ``_`` → canonical tier (read-only)."""


def parse_tiers(column: pd.Series, name: str, report: IngestReport) -> pd.Series:
    """Parse a tier column into ``Strategic`` / ``Key`` / ``Standard`` (``None`` where blank or unknown).

    Case, spaces and hyphens do not matter; ``Tier 1``, ``T1`` and ``1`` are ``Strategic``
    (likewise 2 = ``Key``, 3 = ``Standard``). Any other value is a problem.
    """
    key = column.str.strip().str.lower().str.replace(r"[\s-]+", "_", regex=True)
    tiers = key.map(_TIER_ALIASES)
    for row, value in column[tiers.isna() & (key != "")].items():
        report.add(Problem(f"unknown tier (expected {', '.join(TIERS)})", row=row, column=name, value=value))
    return tiers.astype(object).where(tiers.notna(), None)
