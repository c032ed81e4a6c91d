"""A cache of bytes on disk under keys the caller makes from the SHA-256 of what the
bytes were made from: an entry is only ever found again for the same input, so it
never needs to be invalidated, only pruned.

Where it lives: by default in the user's cache folder, `$XDG_CACHE_HOME/consolidate` or
`~/.cache/consolidate` (made readable by the user alone: the entries hold figures), so
that no command writes into the region's folder what it did not write before (`validate`
writes nothing there). `CONSOLIDATE_CACHE` names another directory, or turns the cache
off (`off`, `0`, `no`, `false`, empty): then there is none.
The entries are rows of one SQLite file there (`cache.sqlite`), which many processes
read and write at once: thousands of small files cost far more to create than rows.
The cache need not survive a crash of the machine (a lost or damaged entry is only
work to do again), so writes are not synced to disk. A cache that cannot be read or
written (no room, no permission, a damaged file) is passed over: it never stops the
work, which is then done as without it.

Entries not used for `MAX_AGE_DAYS` are removed, looked for at most once a day.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

MAX_AGE_DAYS = 45
_OFF = ("", "0", "off", "no", "false")
_NAME = "cache.sqlite"


def _today() -> int:
    return int(time.time() // 86_400)


_CONNECTIONS: dict[tuple[int, Path], sqlite3.Connection | None] = {}  # (process, file): None when unusable


class Cache:
    """Entries in the SQLite file `path` (made when first used). Each process opens its
    own connection, once (a forked worker never uses its parent's)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def _db(self) -> sqlite3.Connection | None:
        key = (os.getpid(), self.path)
        if key not in _CONNECTIONS:
            db = None
            try:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                # the user's alone: made so before SQLite makes it with the umask's rights
                os.close(os.open(self.path, os.O_CREAT | os.O_RDONLY, 0o600))
                db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=OFF")
                db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, data BLOB NOT NULL, "
                           "used INTEGER NOT NULL)")
                db.execute("CREATE TABLE IF NOT EXISTS pruned (day INTEGER NOT NULL)")
            except (OSError, sqlite3.Error):
                if db is not None:
                    db.close()
                db = None
            _CONNECTIONS[key] = db
        return _CONNECTIONS[key]

    def get(self, key: str) -> bytes | None:
        """The entry's bytes, or None. An entry in use is kept from being pruned."""
        db = self._db()
        if db is None:
            return None
        try:
            found = db.execute("SELECT data, used FROM entries WHERE key = ?", (key,)).fetchone()
            if found is not None and found[1] < _today() - 7:
                db.execute("UPDATE entries SET used = ? WHERE key = ?", (_today(), key))
        except sqlite3.Error:
            return None
        return None if found is None else found[0]

    def put(self, key: str, data: bytes) -> None:
        db = self._db()
        if db is None:
            return
        try:
            db.execute("INSERT OR REPLACE INTO entries (key, data, used) VALUES (?, ?, ?)", (key, data, _today()))
        except sqlite3.Error:
            pass

    def prune(self, max_age_days: int = MAX_AGE_DAYS) -> int:
        """Remove entries not used for `max_age_days`, at most once a day; returns how
        many were removed."""
        db = self._db()
        if db is None:
            return 0
        today = _today()
        try:
            last = db.execute("SELECT MAX(day) FROM pruned").fetchone()[0]
            if last is not None and last >= today:
                return 0
            removed = db.execute("DELETE FROM entries WHERE used < ?", (today - max_age_days,)).rowcount
            db.execute("DELETE FROM pruned")
            db.execute("INSERT INTO pruned (day) VALUES (?)", (today,))
        except sqlite3.Error:
            return 0
        return removed

    def close(self) -> None:
        """Close this process's connection: before processes are forked, which open their own."""
        db = _CONNECTIONS.pop((os.getpid(), self.path), None)
        if db is not None:
            db.close()


def default_cache() -> Cache | None:
    """The cache: in the user's cache folder (`$XDG_CACHE_HOME/consolidate` or
    `~/.cache/consolidate`) unless `CONSOLIDATE_CACHE` names another directory or turns
    it off (`off`)."""
    named = os.environ.get("CONSOLIDATE_CACHE")
    if named is not None and named.strip().lower() in _OFF:
        return None
    if named is None or named.strip().lower() == "user":
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return Cache(os.path.join(base, "consolidate", _NAME))
    return Cache(os.path.join(named, _NAME))
