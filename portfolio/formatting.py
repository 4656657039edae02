"""Number formatting shared by the CLI, the dashboard and exports."""

from __future__ import annotations

import math


def money(value: float | None, symbol: str = "$", *, precise: bool = False, signed: bool = False) -> str:
    """Compact currency: ``1_234_567`` → ``$1.23M``, ``45_300`` → ``$45.3k``, ``-800`` → ``−$800``.

    ``precise=True`` gives the full amount with thousands separators (``$1,234,567``);
    ``signed=True`` marks positive amounts with ``+`` (``+$45.3k``).
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
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
