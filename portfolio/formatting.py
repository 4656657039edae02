"""Number formatting shared by the CLI, the dashboard and exports.

Amounts print with the currency of the data being shown: :func:`using_currency` sets it for a
block (a CLI command, an export, a background job) and :func:`set_currency` for the rest of a
web request (the dashboard sets it from the session's data at the start of every request), in a
:class:`contextvars.ContextVar` — one value per thread or task, never shared between users.
:func:`currency_symbol` reads it; outside any of these it is the dollar.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator

from portfolio.currency import CURRENCY_SYMBOLS, DEFAULT_CURRENCY, validate_currency

_CURRENCY: contextvars.ContextVar[str] = contextvars.ContextVar("strata_currency", default=DEFAULT_CURRENCY)


def set_currency(code: str) -> contextvars.Token[str]:
    """Print amounts in ``code`` (ISO 4217, see :data:`portfolio.currency.CURRENCY_SYMBOLS`)
    in this context from now on; ValueError for a code that is not offered."""
    return _CURRENCY.set(validate_currency(code))


@contextlib.contextmanager
def using_currency(code: str) -> Iterator[None]:
    """Print amounts in ``code`` inside the ``with`` block."""
    token = set_currency(code)
    try:
        yield
    finally:
        _CURRENCY.reset(token)


def current_currency() -> str:
    """The ISO code amounts print in here (USD unless set)."""
    return _CURRENCY.get()


def currency_symbol() -> str:
    """The prefix amounts print with here: ``$``, ``£``, ``CHF ``."""
    return CURRENCY_SYMBOLS[_CURRENCY.get()]


def money(
    value: float | None, symbol: str | None = None, *, precise: bool = False, signed: bool = False
) -> str:
    """Compact currency: ``1_234_567`` → ``$1.23M``, ``45_300`` → ``$45.3k``, ``-800`` → ``−$800``,
    ``1.6e9`` → ``$1.60B``.

    ``symbol`` defaults to the current currency's (:func:`currency_symbol`);
    ``precise=True`` gives the full amount with thousands separators (``$1,234,567``);
    ``signed=True`` marks positive amounts with ``+`` (``+$45.3k``).
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    symbol = currency_symbol() if symbol is None else symbol
    sign = "−" if value < 0 else ("+" if signed and value > 0 else "")
    amount = abs(value)
    if precise:
        return f"{sign}{symbol}{amount:,.0f}"
    for factor, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if amount >= factor:
            scaled = amount / factor
            digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
            return f"{sign}{symbol}{scaled:.{digits}f}{suffix}"
    return f"{sign}{symbol}{amount:,.0f}"


def percent(value: float | None, digits: int = 1) -> str:
    """Fraction → percent text: ``0.8123`` → ``81.2%``; NaN/None → ``–``."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{100 * value:.{digits}f}%"


def bounded_list(names, shown: int = 5, width: int = 40) -> str:
    """Names for a message, bounded whatever arrives: the first ``shown`` (sorted), each cut to
    ``width`` characters, then "… (N in all)". A request with 100,000 unknown names gives a
    short message (and log line), not megabytes."""
    ordered = sorted(str(n) for n in names)
    cut = [n if len(n) <= width else n[: width - 1] + "…" for n in ordered[:shown]]
    more = f", … ({len(ordered):,} in all)" if len(ordered) > shown else ""
    return ", ".join(cut) + more
