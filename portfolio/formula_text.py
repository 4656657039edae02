"""Text a spreadsheet would run as a formula: neutralised on download, restored on upload.

A CSV cell that starts with one of :data:`FORMULA_PREFIXES` (OWASP's list: ``=`` ``+`` ``-``
``@`` tab, carriage return, ``;`` ``|``) gets a leading apostrophe, which spreadsheets show as
text. A spreadsheet that splits cells on another separator (``;`` in many European locales,
``|`` or tab on import) would start a new cell after that separator, so an apostrophe is also
put after a separator (``,`` ``;`` ``|`` tab, and any double quotes after it) that a formula
character follows. :func:`restore_formula_text` undoes both, so a downloaded list uploads back
to the same account ids. XLSX needs neither: its text cells are typed as text.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", ";", "|")
_STARTS_FORMULA = re.compile(r"^(?=[=+\-@\t\r;|])")
_FORMULA_AFTER_SEPARATOR = re.compile(r'(?<=[,;|\t])(?="*[=+\-@])')
_NEUTRALISED = re.compile(r"""^'(?=[=+\-@\t\r;|])|(?<=[,;|\t])'(?="*[=+\-@])""")


def neutralize_formula_text(text: str) -> str:
    """``text`` with an apostrophe before a leading formula character and after every separator
    that a formula character follows (``=1+2`` → ``'=1+2``; ``a;=1`` → ``a;'=1``)."""
    return _FORMULA_AFTER_SEPARATOR.sub("'", _STARTS_FORMULA.sub("'", text))


def restore_formula_text(cells: pd.Series) -> pd.Series:
    """Text cells with the apostrophes of :func:`neutralize_formula_text` removed."""
    marked = cells.str.contains("'", regex=False)
    if not marked.any():
        return cells
    restored = cells.copy()
    restored[marked] = cells[marked].str.replace(_NEUTRALISED, "", regex=True)
    return restored
