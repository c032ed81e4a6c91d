"""Work done beside the main line of a run, in a forked process, on the core the
main line would otherwise leave idle once the files are read."""

from __future__ import annotations

import gc
import mmap
import multiprocessing
import os
import sys
from collections.abc import Callable

from consolidate.runtime.pool import die_with_parent

_LENGTH = 8  # bytes before the result in the shared memory: its length


def beside(work: Callable[[], bytes], capacity: int) -> Callable[[], memoryview | bytes]:
    """Start `work()` in a forked copy of this process and return a function that
    waits for its bytes.

    The copy shares what is already in memory, so nothing is sent to it; its bytes
    come back through memory shared with it, at most `capacity` of them (untouched
    pages of that memory cost nothing). Where processes cannot be forked, or the
    copy fails or has more to give, the work is done here when asked for."""
    return beside_each([work], capacity)[0]


def beside_each(works: list[Callable[[], bytes]], capacity: int) -> list[Callable[[], memoryview | bytes]]:
    """`beside` for several pieces of work, done one after the other in one forked
    copy (one copy's memory for all of them); returns for each a function that waits
    for its bytes. `capacity`: room for all of them together. Each piece's bytes go
    into the shared memory as soon as they are made and are let go there, so the copy
    never holds more than one piece besides what it has given back."""
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return list(works)
    try:
        shared = mmap.mmap(-1, capacity + _LENGTH * len(works))  # anonymous and shared with children
        gc.freeze()  # what exists now is never collected here either: its pages stay shared with the copy
        child = multiprocessing.get_context("fork").Process(target=_put, args=(works, shared, os.getpid()),
                                                            daemon=True)
        child.start()
    except OSError:  # no memory (a strict overcommit policy) or no process left for a copy
        return list(works)
    found: list[memoryview | Callable[[], bytes]] = []  # a piece's bytes, or what makes it here

    def part(k: int) -> memoryview | bytes:
        if not found:
            child.join()
            if child.exitcode != 0:
                found.extend(works)  # done here, each when asked for
            else:
                data, start = memoryview(shared), 0
                for _ in works:
                    length = int.from_bytes(data[start:start + _LENGTH], "little")
                    found.append(data[start + _LENGTH:start + _LENGTH + length])
                    start += _LENGTH + length
        got = found[k]
        return got() if callable(got) else got

    return [lambda k=k: part(k) for k in range(len(works))]  # type: ignore[misc]


def _put(works: list[Callable[[], bytes]], shared: mmap.mmap, parent: int) -> None:
    die_with_parent(parent)
    gc.disable()  # the copy lives briefly: a collection would visit, and so copy, every page it shares
    start = 0
    for work in works:
        try:
            data = work()
        except BaseException:  # noqa: BLE001 - the caller does the work again and reports what fails
            sys.exit(4)
        if start + _LENGTH + len(data) > len(shared):
            sys.exit(3)  # more than there is room for: the caller does the work itself
        shared[start + _LENGTH:start + _LENGTH + len(data)] = data
        shared[start:start + _LENGTH] = len(data).to_bytes(_LENGTH, "little")
        start += _LENGTH + len(data)
        del data  # this piece is given back: its memory serves the next
