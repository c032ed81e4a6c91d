"""One run at a time: an exclusive lock across processes, beside the config."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class Locked(Exception):
    """Another run holds the lock: exit status 3."""


@contextmanager
def exclusive(path: Path):
    """Hold the lock at `path` for the block, or raise `Locked` at once (never wait:
    a cron job must not pile up behind a stuck run)."""
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise Locked(f"en annan körning pågår (låset {path} är taget); försök igen när den är klar") from None
    try:
        yield
    finally:
        lock.release()
