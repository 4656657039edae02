"""Results a worker computed from a session's data, kept in its memory for that session's next
callbacks: the data as read from the session store, its tiering and its analysis under the
settings in use. Every callback of a page needs them and recomputing them took most of each
request (about 0.1 s to read and 0.2 s to analyse 100,000 accounts).

An entry's key starts with the session id (verified from the signed cookie) and the data's
revision (a random token the session store gets with each new upload), so a session only ever
reads its own entries and never a result of data it has replaced. Entries are dropped when not
used for :data:`IDLE_SECONDS`, least recently used first when the byte budget is full, and all of
a session's when it goes back to the demo. Nothing is shared between worker processes: another
worker computes its own copy. The memo is one object per app (held by the Flask app, not by a
module), so two apps in one process (tests) keep separate entries.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

IDLE_SECONDS = 600.0
"""An entry not used for this long (seconds) is dropped."""


@dataclass
class _Entry:
    value: Any
    size: int
    used: float


def size_of(value: Any, depth: int = 3) -> int:
    """Approximate bytes ``value`` holds: pandas objects by their memory use (shallow: text in
    Arrow strings counts its buffers), NumPy arrays by theirs, containers and objects by their
    parts (``depth`` levels down), anything else 64 bytes. Parts shared between two objects are
    counted twice: the budget errs on the safe side."""
    if isinstance(value, pd.DataFrame):  # as memory_usage(deep=False), a third of its time
        return int(sum(column.nbytes for _, column in value.items()) + value.index.nbytes)
    if isinstance(value, pd.Series):
        return int(value.nbytes + value.index.nbytes)
    if isinstance(value, pd.Index):
        return int(value.nbytes)
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if depth <= 0:
        return 64
    if isinstance(value, dict):
        parts = list(value.values())
    elif isinstance(value, tuple | list):
        parts = list(value)
    else:
        parts = list(vars(value).values()) if hasattr(value, "__dict__") else []
    return 64 + sum(size_of(part, depth - 1) for part in parts)


class SessionMemo:
    """A byte-bounded, least-recently-used map from (session, revision, what, …) to a result,
    computed once per key even when several callbacks ask at the same moment."""

    def __init__(
        self, max_bytes: int, idle_seconds: float = IDLE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_bytes, self.idle_seconds, self._clock = max_bytes, idle_seconds, clock
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._computing: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()
        self.used_bytes = 0

    def get(self, key: tuple[Hashable, ...], compute: Callable[[], Any]) -> Any:
        """The value kept for ``key``, else ``compute()`` (kept when it fits the budget). A
        second caller of the same key waits for the first one's result instead of computing it
        again; an exception in ``compute`` is raised to its caller and nothing is kept."""
        if self.max_bytes <= 0:
            return compute()
        found, value = self._lookup(key)
        if found:
            return value
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            found, value = self._lookup(key)
            if found:
                return value
            try:
                value = compute()
                self._keep(key, value)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return value

    def forget(self, session: str) -> None:
        """Drop every entry of ``session`` (its data was replaced or reset)."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == session]:
                self.used_bytes -= self._entries.pop(key).size

    def __len__(self) -> int:
        return len(self._entries)

    def _lookup(self, key: tuple) -> tuple[bool, Any]:
        with self._lock:
            self._expire()
            entry = self._entries.get(key)
            if entry is None:
                return False, None
            entry.used = self._clock()
            self._entries.move_to_end(key)
            return True, entry.value

    def _keep(self, key: tuple, value: Any) -> None:
        size = size_of(value)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self.used_bytes -= self._entries.pop(key).size
            while self._entries and self.used_bytes + size > self.max_bytes:
                self.used_bytes -= self._entries.popitem(last=False)[1].size
            self._entries[key] = _Entry(value, size, self._clock())
            self.used_bytes += size

    def _expire(self) -> None:
        cutoff = self._clock() - self.idle_seconds
        while self._entries:
            key, entry = next(iter(self._entries.items()))
            if entry.used >= cutoff:
                break
            del self._entries[key]
            self.used_bytes -= entry.size
