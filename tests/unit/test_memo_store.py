"""storage.memo: a worker's results kept per session, bounded in bytes and idle time."""

import threading
import time

import numpy as np
import pandas as pd
import pytest

from storage.memo import SessionMemo, size_of


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_computes_once_per_key_and_again_for_another_key():
    memo = SessionMemo(10_000)
    compute, calls = counting("x")
    assert memo.get(("s1", "r1", "a"), compute) == "x"
    assert memo.get(("s1", "r1", "a"), compute) == "x"
    assert len(calls) == 1
    memo.get(("s2", "r1", "a"), compute)  # another session: its own entry
    memo.get(("s1", "r2", "a"), compute)  # new data (revision): computed again
    assert len(calls) == 3


def test_size_of_counts_frames_arrays_and_their_containers():
    frame = pd.DataFrame({"a": np.zeros(1000), "b": np.zeros(1000)})
    assert size_of(frame) == frame.memory_usage(index=True).sum()  # 16,000 bytes of floats + index
    assert size_of(np.zeros(100)) == 800
    # text columns, another index: still pandas' shallow memory use, counted from the arrays
    named = pd.DataFrame({"id": [f"A{i}" for i in range(500)], "arr": np.ones(500)}).set_index(
        "id", drop=False
    )
    assert size_of(named) == named.memory_usage(index=True, deep=False).sum()
    assert size_of(named["arr"]) == named["arr"].memory_usage(index=True, deep=False)
    assert size_of((np.zeros(100), np.zeros(50))) == 64 + 800 + 400
    assert size_of("text") == 64


def test_least_recently_used_goes_first_when_the_budget_is_full():
    memo = SessionMemo(2 * 800 + 100)  # room for two 800-byte arrays
    for name in "abc":
        memo.get(("s", "r", name), lambda: np.zeros(100))
        if name == "b":
            memo.get(("s", "r", "a"), lambda: pytest.fail("a is kept"))  # a used again: b is oldest
    assert len(memo) == 2 and memo.used_bytes == 1600
    compute, calls = counting(np.zeros(100))
    memo.get(("s", "r", "b"), compute)
    assert calls == [1]  # b was dropped


def test_a_value_larger_than_the_budget_is_returned_not_kept():
    memo = SessionMemo(100)
    assert memo.get(("s", "r", "big"), lambda: np.zeros(100)).shape == (100,)
    assert len(memo) == 0 and memo.used_bytes == 0


def test_idle_entries_expire():
    clock = Clock()
    memo = SessionMemo(10_000, idle_seconds=600, clock=clock)
    compute, calls = counting(1)
    memo.get(("s", "r", "a"), compute)
    clock.now = 599
    memo.get(("s", "r", "a"), compute)  # used at 599: idle again from then
    clock.now = 1198
    memo.get(("s", "r", "a"), compute)
    assert len(calls) == 1
    clock.now = 1799
    memo.get(("s", "r", "a"), compute)
    assert len(calls) == 2 and memo.used_bytes == 64


def test_forget_drops_only_that_sessions_entries():
    memo = SessionMemo(10_000)
    for key in (("s1", "r", "a"), ("s1", "r", "b"), ("s2", "r", "a")):
        memo.get(key, lambda: 1)
    memo.forget("s1")
    assert len(memo) == 1 and memo.used_bytes == 64


def test_an_exception_is_raised_and_nothing_kept():
    memo = SessionMemo(10_000)

    def fail():
        raise ValueError("bad settings")

    with pytest.raises(ValueError, match="bad settings"):
        memo.get(("s", "r", "a"), fail)
    assert memo.get(("s", "r", "a"), lambda: 2) == 2


def test_no_budget_keeps_nothing():
    memo = SessionMemo(0)
    compute, calls = counting(1)
    memo.get(("s", "r", "a"), compute)
    memo.get(("s", "r", "a"), compute)
    assert len(calls) == 2 and len(memo) == 0


def test_callers_of_one_key_at_the_same_moment_share_one_computation():
    memo = SessionMemo(10_000)
    calls, results = [], []
    started = threading.Barrier(4)

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return object()

    def ask():
        started.wait()
        results.append(memo.get(("s", "r", "a"), slow))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len({id(r) for r in results}) == 1
