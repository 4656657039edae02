"""Currencies Strata prints: ISO 4217 codes, their symbols, and reading them from a file
(currency marks in amount cells, the home currency of a ``Country`` column)."""

from __future__ import annotations

import re
from types import MappingProxyType

import pandas as pd

DEFAULT_CURRENCY = "USD"
CURRENCY_ENV = "STRATA_CURRENCY"
"""The environment variable naming the currency of files that do not say theirs."""
CURRENCY_SYMBOLS = MappingProxyType(
    {
        "USD": "$",
        "EUR": "€",
        "GBP": "£",
        "JPY": "¥",
        "CNY": "CN¥",
        "INR": "₹",
        "KRW": "₩",
        "ILS": "₪",
        "CAD": "CA$",
        "AUD": "A$",
        "NZD": "NZ$",
        "HKD": "HK$",
        "SGD": "S$",
        "BRL": "R$",
        "MXN": "MX$",
        "CHF": "CHF ",
        "SEK": "SEK ",
        "NOK": "NOK ",
        "DKK": "DKK ",
        "PLN": "PLN ",
        "ZAR": "ZAR ",
    }
)
"""ISO 4217 code → the prefix printed before amounts (``£1.2M``, ``CHF 1.2M``)."""

_MARKS = MappingProxyType(
    {
        "$": "USD",
        "US$": "USD",
        "£": "GBP",
        "€": "EUR",
        "¥": "JPY",
        "₹": "INR",
        "₩": "KRW",
        "₪": "ILS",
        "C$": "CAD",
        "CA$": "CAD",
        "A$": "AUD",
        "AU$": "AUD",
        "NZ$": "NZD",
        "HK$": "HKD",
        "S$": "SGD",
        "R$": "BRL",
        "MX$": "MXN",
        "CN¥": "CNY",
        **{code: code for code in CURRENCY_SYMBOLS},
    }
)
"""A currency mark as written in an amount cell (upper case) → ISO code."""
CURRENCY_MARK = "|".join(re.escape(m) for m in sorted(_MARKS, key=len, reverse=True))
"""Regular expression (alternatives, longest first) of every mark :data:`_MARKS` knows."""
_NUMBER_PARTS = re.compile(r"\d+(?:[.,'\u00a0\u202f ]\d+)*(?:[eE][+-]?\d+)?|[\s().,'+\-−]")
"""Everything in an amount cell that is not its currency mark."""

_EURO = [
    "austria",
    "belgium",
    "croatia",
    "cyprus",
    "estonia",
    "finland",
    "france",
    "germany",
    "greece",
    "ireland",
    "italy",
    "latvia",
    "lithuania",
    "luxembourg",
    "malta",
    "netherlands",
    "portugal",
    "slovakia",
    "slovenia",
    "spain",
    "eire",
]
_COUNTRIES = MappingProxyType(
    {
        **dict.fromkeys(["united kingdom", "uk", "great britain", "england", "scotland", "wales"], "GBP"),
        **dict.fromkeys(["united states", "united states of america", "usa", "us"], "USD"),
        **dict.fromkeys(_EURO, "EUR"),
        "japan": "JPY",
        "china": "CNY",
        "india": "INR",
        "south korea": "KRW",
        "korea": "KRW",
        "israel": "ILS",
        "canada": "CAD",
        "australia": "AUD",
        "new zealand": "NZD",
        "hong kong": "HKD",
        "singapore": "SGD",
        "brazil": "BRL",
        "mexico": "MXN",
        "switzerland": "CHF",
        "sweden": "SEK",
        "norway": "NOK",
        "denmark": "DKK",
        "poland": "PLN",
        "south africa": "ZAR",
    }
)
"""Country name (lower case) → its currency, for :func:`currency_of_countries`."""
COUNTRY_MAJORITY = 0.5
"""Share of rows one country must hold for its currency to stand for the file's."""


def validate_currency(code: object) -> str:
    """An ISO 4217 code Strata can print (any case, surrounding blanks ignored) → upper case;
    ValueError naming the codes it knows otherwise."""
    text = str(code).strip().upper() if code is not None else ""
    if text not in CURRENCY_SYMBOLS:
        raise ValueError(
            f"unknown currency code {str(code)[:20]!r}: use one of {', '.join(CURRENCY_SYMBOLS)}"
        )
    return text


def currency_in_cells(cells: pd.Series, column: str) -> tuple[str | None, str]:
    """The currency marked in amount cells (text): ``(ISO code or None, phrase saying so)``.

    A cell's mark is what is left once the number, its separators, sign and parentheses are
    removed (``£1,234.50`` → ``£``; ``1.234,50 EUR`` → ``EUR``), read by :data:`_MARKS` (``$``
    alone is USD; ``A$``, ``C$``… name their dollar). Several currencies in one column give the
    most frequent, and the phrase counts them (amounts are never converted).
    """
    counts: dict[str, int] = {}
    for text, n in cells.astype(str).value_counts().items():
        code = _MARKS.get(_NUMBER_PARTS.sub("", str(text)).upper())
        if code:
            counts[code] = counts.get(code, 0) + int(n)
    if not counts:
        return None, ""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    code = ranked[0][0]
    phrase = f"{CURRENCY_SYMBOLS[code].strip()} in the {column} column"
    if len(ranked) > 1:
        others = ", ".join(f"{c} in {n:,} cells" for c, n in ranked[1:])
        phrase += f" ({ranked[0][1]:,} cells; also {others}: amounts are not converted)"
    return code, phrase


def currency_of_countries(countries: pd.Series, column: str) -> tuple[str | None, str]:
    """The home currency of the country on at least :data:`COUNTRY_MAJORITY` of the rows:
    ``(ISO code or None, phrase)``, e.g. ``("GBP", "the Country column: 91% of rows United
    Kingdom")``. Blank cells count as rows of no country."""
    names = countries.astype(str).str.strip()
    if names.empty:
        return None, ""
    shares = names.str.lower().value_counts(normalize=True)
    top, share = str(shares.index[0]), float(shares.iloc[0])
    code = _COUNTRIES.get(top)
    if code is None or share < COUNTRY_MAJORITY:
        return None, ""
    shown = names[names.str.lower() == top].iloc[0]
    return code, f"the {column} column: {share:.0%} of rows {shown}"


def currency_in_header(header: str) -> tuple[str | None, str]:
    """The currency a column header names: ``ARR (GBP)``, ``Sales €``, ``arr_prior (EUR)`` →
    ``(ISO code or None, phrase)``; only a mark in parentheses or as the header's last word
    counts (``Gross margin`` names none)."""
    text = str(header).strip()
    found = re.search(r"\(([^()]+)\)\s*$", text) or re.search(r"[\s_]([^\s_]+)$", text)
    code = _MARKS.get(found.group(1).strip().upper()) if found else None
    return (code, f"{code} in the {text} header") if code else (None, "")
