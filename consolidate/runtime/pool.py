"""Calls run in a pool of worker processes: one worker for a handful of calls, one
per core (at most 8) for many. Only where no process can be started here (or when
profiling asks for it) are they run in this process, when their results are asked for.

Worker processes also for a few calls, so that a call which makes its process die (a
reader that aborts, memory that runs out) is known and named (`on_death`) instead of
ending the command: a forked worker costs a few milliseconds.

Knows nothing of what the calls do: a caller hands over `(function, args)` pairs and
says what stands for the result of a call whose process died (`on_death`).
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

PARALLEL_MIN_CALLS = 48  # from this many calls on, a worker for each core; fewer share one worker
IN_THIS_PROCESS = False  # run every call in this process, to profile it (a call that dies then ends the command)

Call = tuple[Callable[..., Any], tuple[Any, ...]]


class Pool:
    """Calls being run. The worker processes start at once, so the caller can do
    other work (import the modules the later steps need) while they run; `take` and
    `results` wait for them, in call order."""

    def __init__(self, calls: list[Call], on_death: Callable[[tuple[Any, ...]], Any]) -> None:
        self.calls = calls
        self.on_death = on_death
        self.done = 0  # results taken so far
        self._pool: ProcessPoolExecutor | None = None
        self._pending: Iterator[Any] | None = None
        if calls and not IN_THIS_PROCESS:
            workers = _workers() if len(calls) >= PARALLEL_MIN_CALLS else 1
            chunk = max(1, len(calls) // (workers * 32))
            try:
                self._pool = ProcessPoolExecutor(workers, mp_context=_fork_context(), initializer=die_with_parent,
                                                 initargs=(os.getpid(),))
                self._pending = self._pool.map(_star, calls, chunksize=chunk)
            except (OSError, NotImplementedError):  # no process can be started here: run in this one
                self._close()
                self._pending = None

    def __len__(self) -> int:
        return len(self.calls)

    def results(self, progress: Callable[[], None] | None = None) -> list[Any]:
        """The results of every call not yet taken, in call order."""
        return self.take(len(self.calls) - self.done, progress)

    def take(self, count: int, progress: Callable[[], None] | None = None) -> list[Any]:
        """The next `count` results, in call order: the first ones can be worked on
        while the workers still run the later calls."""
        if self._pending is None:
            self._pending = map(_star, self.calls[self.done:])
        found: list[Any] = []
        while len(found) < count:
            try:
                for result in itertools.islice(self._pending, count - len(found)):
                    found.append(result)
                    if progress:
                        progress()
                break
            except BrokenProcessPool:  # a worker died: the calls not yet back, one at a time
                self._close()
                self._pending = _one_by_one(self.calls[self.done + len(found):], self.on_death)
            except BaseException:
                self._close()
                raise
        self.done += len(found)
        if self.done >= len(self.calls):
            self._close()
        return found

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _one_by_one(calls: list[Call], on_death: Callable[[tuple[Any, ...]], Any]) -> Iterator[Any]:
    """Run each call in a worker process of its own making, one at a time, so that a
    call which makes its process die (a reader that aborts, memory that runs out) is
    known and passed over with `on_death(args)`, and the others still run."""
    pool = None
    try:
        for function, args in calls:
            pool = pool or ProcessPoolExecutor(1, mp_context=_fork_context(), initializer=die_with_parent,
                                               initargs=(os.getpid(),))
            try:
                yield pool.submit(function, *args).result()
            except BrokenProcessPool:
                pool.shutdown(cancel_futures=True)
                pool = None
                yield on_death(args)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return min(cores, 8)


def _fork_context() -> Any:
    """Workers forked from this process start at once with the callers' modules
    already imported (Python 3.14 makes forkserver the default on Linux, which imports
    them again)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform == "linux" else None)


def _star(call: Call) -> Any:
    function, args = call
    return function(*args)


def die_with_parent(parent: int) -> None:
    """Make this forked process end when the one that started it dies: a run killed
    with SIGKILL leaves no worker behind, blocked for ever and holding the lock file it
    inherited (the next run would find the region locked). Linux's PR_SET_PDEATHSIG;
    elsewhere, and should the parent be gone already, the check of the parent's id."""
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1
