"""A fingerprint of an account frame: the same data gives the same 64-hex-digit string.

Results computed from data (a simulation, a saved scenario) carry the fingerprint of that data,
so a consumer can tell whether they still belong to the data loaded now.
"""

from __future__ import annotations

import hashlib

import pandas as pd


def dataset_fingerprint(accounts: pd.DataFrame) -> str:
    """SHA-256 over the column names and the rows of an account frame."""
    digest = hashlib.sha256()
    digest.update(",".join(map(str, accounts.columns)).encode())
    digest.update(pd.util.hash_pandas_object(accounts, index=False).to_numpy().tobytes())
    return digest.hexdigest()
