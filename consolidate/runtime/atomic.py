"""Files that appear complete or not at all: written beside the target under a hidden
temporary name, then renamed into place. A run killed with SIGKILL can leave only such
a hidden `.tmp` file, never half a report; the next run clears them away."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

_PREFIX = ".~consolidate-"


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success rename it onto `target`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{_PREFIX}{target.name}-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # as any file the user writes, not mkstemp's 0600
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def clear_leftovers(directory: Path) -> None:
    """Remove temporary files a killed run left behind (call while holding the lock)."""
    if directory.is_dir():
        for stale in directory.glob(f"{_PREFIX}*.tmp"):
            stale.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
