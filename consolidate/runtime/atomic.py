"""Files that appear complete or not at all.

`atomic_path` writes beside the target under a hidden temporary name and renames it
into place at once. `Staging` writes the same way but leaves the renaming for later,
so that a close can write all its outputs, record the period in the history store, and
only then put them in place (`Staging.commit`). Either way a run killed with SIGKILL
leaves at most hidden `.tmp` files beside the targets, never half a report.

Temporary names hold the writing process's id, `.~consolidate-{pid}-…tmp`, so the
clearing of leftovers (`clear_leftovers`) removes only what a process that has ended
left, never the files of a run still at work.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_PREFIX = ".~consolidate-"
_OWNER = re.compile(re.escape(_PREFIX) + r"(\d+)-")


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success rename it onto `target`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{_PREFIX}{os.getpid()}-{target.name}-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    _ordinary_mode(Path(tmp))
    try:
        yield Path(tmp)
        _sync(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Staging:
    """Outputs written now and put in place later, all together.

    `path(target)` is used like `atomic_path`, but the finished file stays under its
    temporary name until `commit()` renames every one of them; `discard()` removes them.
    `announce(temporary, target)` is called before each temporary file is made, so the
    caller can note it (in the history store) where a later process finds it if this
    one is killed. The temporary names are fixed by `token`, the target and this
    process's id, so a note made before the file exists names it exactly."""

    def __init__(self, announce: Callable[[Path, Path], None] | None = None, token: str | None = None):
        self.token = token or secrets.token_hex(6)
        self.announce = announce
        self.files: list[tuple[Path, Path]] = []  # (temporary, target), finished

    def temporary(self, target: Path) -> Path:
        return target.parent / f"{_PREFIX}{os.getpid()}-{self.token}-{target.name}.tmp"

    @contextmanager
    def path(self, target: Path) -> Iterator[Path]:
        target = Path(target).absolute()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.temporary(target)
        if self.announce is not None:
            self.announce(tmp, target)
        try:
            with open(tmp, "wb"):
                pass
            _ordinary_mode(tmp)
            yield tmp
            _sync(tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self.files.append((tmp, target))

    def commit(self) -> None:
        """Rename every finished file onto its target."""
        for tmp, target in self.files:
            put_in_place(tmp, target)

    def discard(self) -> None:
        for tmp, _ in self.files:
            tmp.unlink(missing_ok=True)
        self.files.clear()


def put_in_place(tmp: Path, target: Path) -> bool:
    """Rename a finished temporary file onto its target, if it is still there (a
    process that was killed while renaming may have renamed it already)."""
    try:
        os.replace(tmp, target)
    except FileNotFoundError:
        return False
    _sync_directory(target.parent)
    return True


def owner_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:
        return False
    return True


def clear_leftovers(directory: Path) -> int:
    """Remove temporary files that ended processes left in `directory`; those of a
    process still running are its work in progress and stay. Returns how many went."""
    removed = 0
    if directory.is_dir():
        for stale in directory.glob(f"{_PREFIX}*.tmp"):
            owner = _OWNER.match(stale.name)
            if owner is not None and owner_alive(int(owner.group(1))):
                continue
            stale.unlink(missing_ok=True)
            removed += 1
    return removed


def _sync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _sync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable (where the system allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _ordinary_mode(path: Path) -> None:
    os.chmod(path, 0o666 & ~_umask())  # as any file the user writes, not mkstemp's 0600


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
