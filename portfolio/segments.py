"""The segment filter: which accounts the pages, the simulator and the exports look at.

A filter is ``{column: [value, ...]}`` over the attribute columns the data has
(:data:`FILTER_COLUMNS`: segment, industry, region, SAM). An account passes when, for every
column named, its value is one of those listed (values OR-ed within a column, columns AND-ed).
An empty filter (``{}``) keeps every account. Values compare as text, exactly.

Example
-------
>>> import pandas as pd
>>> accounts = pd.DataFrame({"account_id": ["A", "B", "C"], "segment": ["Ent", "SMB", "Ent"],
...                          "region": ["EU", "EU", "US"]})
>>> filter_mask(accounts, {"segment": ["Ent"], "region": ["EU"]}).tolist()
[True, False, False]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FILTER_COLUMNS = ("segment", "industry", "region", "sam")
FILTER_LABELS = {"segment": "Segment", "industry": "Industry", "region": "Region", "sam": "SAM"}
MAX_VALUES = 10_000
"""Most values one column of a filter may list (an altered request cannot send millions)."""


def filter_options(accounts: pd.DataFrame) -> dict[str, list[str]]:
    """The columns of :data:`FILTER_COLUMNS` the data has (with a value somewhere), each with its
    distinct values as text, sorted."""
    options = {}
    for column in FILTER_COLUMNS:
        if column in accounts:
            values = accounts[column].dropna().astype(str)
            values = values[values.str.strip() != ""]
            if len(values):
                options[column] = sorted(values.unique().tolist())
    return options


def read_filter(value: object) -> dict[str, list[str]]:
    """A filter as it comes from the browser, the CLI or storage → ``{column: [values]}`` with
    known columns only, values as text, empty columns dropped. ValueError names the problem."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValueError("the filter must be an object {column: [values]}")
    result = {}
    for column, values in value.items():
        if column not in FILTER_COLUMNS:
            raise ValueError(f"cannot filter by {column!r}: choose from {', '.join(FILTER_COLUMNS)}")
        if values in (None, ""):
            continue
        if not isinstance(values, list | tuple) or len(values) > MAX_VALUES:
            raise ValueError(f"the {FILTER_LABELS[column]} filter must be a list of values")
        if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            raise ValueError(f"the {FILTER_LABELS[column]} filter's values must be text")
        if values:
            result[column] = list(dict.fromkeys(str(v) for v in values))
    return result


def parse_filter_args(items: list[str] | None) -> dict[str, list[str]]:
    """CLI ``--filter COLUMN=VALUE`` items (repeatable) → a filter; the same column given twice
    keeps both values. ValueError for an item without ``=`` or an unknown column."""
    result: dict[str, list[str]] = {}
    for item in items or []:
        column, sep, value = item.partition("=")
        column = column.strip().lower()
        if not sep or not value.strip():
            raise ValueError(f"--filter {item!r}: expected COLUMN=VALUE, e.g. segment=Enterprise")
        result.setdefault(column, []).append(value.strip())
    return read_filter(result)


def filter_mask(accounts: pd.DataFrame, flt: dict[str, list[str]]) -> pd.Series:
    """True for the accounts the filter keeps (see the module docstring). ValueError when the
    filter names a column the data does not have."""
    mask = np.ones(len(accounts), dtype=bool)
    for column, values in flt.items():
        if column not in accounts:
            raise ValueError(f"the data has no {FILTER_LABELS.get(column, column)} column to filter by")
        mask &= accounts[column].astype(str).isin(values).to_numpy() & accounts[column].notna().to_numpy()
    return pd.Series(mask, index=accounts.index)


def checked_mask(accounts: pd.DataFrame, flt: dict[str, list[str]]) -> pd.Series | None:
    """:func:`filter_mask`, or None for an empty filter; ValueError (naming the filter) when it
    leaves no accounts."""
    if not flt:
        return None
    mask = filter_mask(accounts, flt)
    if not mask.any():
        raise ValueError(f"the filter {describe_filter(flt)} leaves no accounts")
    return mask


def describe_filter(flt: dict[str, list[str]] | None) -> str:
    """One readable line: "Segment: Enterprise · Region: EMEA, APAC"; "" for no filter."""
    return " · ".join(f"{FILTER_LABELS[c]}: {', '.join(v)}" for c, v in (flt or {}).items())


def filter_note(flt: dict[str, list[str]] | None, shown: int, total: int) -> str:
    """What the figures cover: "Filtered to Segment: Enterprise (120 of 1,000 accounts)." or
    "All 1,000 accounts (no filter)."."""
    if not flt:
        return f"All {total:,} accounts (no filter)."
    return f"Filtered to {describe_filter(flt)} ({shown:,} of {total:,} accounts)."
