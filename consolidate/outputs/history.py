"""The history store (SPEC §7): closed periods in SQLite beside the config.

Each close is one transaction: the consolidated figures of every entity and report
row, its staffing key figures, and every input file's name and SHA-256. A period closed
again with the same inputs changes nothing; with changed inputs it is refused unless
reopened, and then kept as a new version beside the old.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from consolidate import __version__
from consolidate.vocabulary import MEASURES

if TYPE_CHECKING:  # pandas is imported where it is used: not before the reading starts
    import pandas as pd  # start-up: the store is opened before the files are read

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS closes (
    id INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    version INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    inputs_digest TEXT NOT NULL,
    UNIQUE (period, version)
);
CREATE TABLE IF NOT EXISTS input_files (
    close_id INTEGER NOT NULL REFERENCES closes(id),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS income (
    close_id INTEGER NOT NULL REFERENCES closes(id),
    entity TEXT NOT NULL, report TEXT NOT NULL, row TEXT NOT NULL, position INTEGER NOT NULL,
    actual REAL, budget REAL, prior REAL, annual_budget REAL, forecast REAL, prior_full_year REAL
);
CREATE TABLE IF NOT EXISTS staffing (
    close_id INTEGER NOT NULL REFERENCES closes(id),
    entity TEXT NOT NULL, by TEXT, key TEXT, figures TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS income_close ON income (close_id);
"""


class StoreError(Exception):
    """The history store cannot be used (damaged, newer schema, unwritable)."""


@dataclass(frozen=True)
class InputFile:
    name: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Close:
    id: int
    period: str
    version: int
    closed_at: str
    tool_version: str
    inputs_digest: str


def fingerprint(paths: list[Path], base: Path, read: dict[Path, tuple[str, int]] | None = None) -> list[InputFile]:
    """Name (relative to the config's folder where possible) and SHA-256 of each file.

    `read` gives the SHA-256 and size of files as they were read for the figures: those
    are recorded, not the file as it is now (it may have been replaced meanwhile)."""
    files = []
    for path in paths:
        if read is not None and path in read:
            sha256, size = read[path]
            files.append(InputFile(_stored_name(path, base), sha256, size))
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        files.append(InputFile(_stored_name(path, base), digest.hexdigest(), path.stat().st_size))
    return sorted(files, key=lambda f: f.name)


def _stored_name(path: Path, base: Path) -> str:
    """A file's name as the store keeps it: relative to the config's folder (also with
    `..`), so a region folder moved or copied whole keeps its names. A name that is not
    valid UTF-8 is kept with its bytes escaped (\\xe5): SQLite stores only valid text,
    and the escaped name stays the same from close to close."""
    name = os.path.relpath(path.resolve(), base.resolve())
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def same_inputs(old: list[InputFile], new: list[InputFile]) -> bool:
    """Whether two sets of inputs are the same files: a name in both has the same
    SHA-256 in both, and the files whose names are in only one of them have the same
    contents as the other's (a folder moved, or a store of a close that recorded
    absolute names). Two files that swap contents under their names are a change."""
    before = {f.name: f.sha256 for f in old}
    after = {f.name: f.sha256 for f in new}
    if any(before[name] != after[name] for name in before.keys() & after.keys()):
        return False
    only_before = sorted(before[n] for n in before.keys() - after.keys())
    return only_before == sorted(after[n] for n in after.keys() - before.keys())


def inputs_digest(files: list[InputFile]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f.name}\0{f.sha256}\n".encode())
    return digest.hexdigest()


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the store, checking its schema version."""
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(f"{path}: historiken har schemaversion {version}, nyare än verktygets {SCHEMA_VERSION}")
        if version < SCHEMA_VERSION:
            conn.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}PRAGMA user_version = {SCHEMA_VERSION};COMMIT;")
        return conn
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: historiken kan inte öppnas: {exc}") from None


def latest(conn: sqlite3.Connection, period: str) -> Close | None:
    row = conn.execute(
        "SELECT id, period, version, closed_at, tool_version, inputs_digest FROM closes "
        "WHERE period = ? ORDER BY version DESC LIMIT 1", (period,),
    ).fetchone()
    return Close(*row) if row else None


def files_of(conn: sqlite3.Connection, close_id: int) -> list[InputFile]:
    rows = conn.execute("SELECT name, sha256, bytes FROM input_files WHERE close_id = ? ORDER BY name", (close_id,))
    return [InputFile(*r) for r in rows]


def differences(old: list[InputFile], new: list[InputFile]) -> list[str]:
    """What changed between two sets of inputs, one phrase per file."""
    before = {f.name: f.sha256 for f in old}
    after = {f.name: f.sha256 for f in new}
    changes = [f"{n} (ändrad)" for n in sorted(before.keys() & after.keys()) if before[n] != after[n]]
    changes += [f"{n} (ny)" for n in sorted(after.keys() - before.keys())]
    changes += [f"{n} (borttagen)" for n in sorted(before.keys() - after.keys())]
    return changes


def record(conn: sqlite3.Connection, period: str, files: list[InputFile], rows: pd.DataFrame,
           staffing: pd.DataFrame | None, version: int) -> Close:
    """Write one close in a single transaction: all of it, or none of it."""
    closed_at = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    digest = inputs_digest(files)
    conn.execute("BEGIN IMMEDIATE")
    try:
        cursor = conn.execute(
            "INSERT INTO closes (period, version, closed_at, tool_version, inputs_digest) VALUES (?, ?, ?, ?, ?)",
            (period, version, closed_at, __version__, digest),
        )
        close_id = cursor.lastrowid
        assert close_id is not None  # an INSERT gives its row id
        conn.executemany("INSERT INTO input_files VALUES (?, ?, ?, ?)",
                         [(close_id, f.name, f.sha256, f.bytes) for f in files])
        income = rows[["entity", "report", "row", "position", *MEASURES]]
        conn.executemany(
            "INSERT INTO income VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(close_id, *values) for values in income.itertuples(index=False, name=None)],
        )
        if staffing is not None:
            conn.executemany("INSERT INTO staffing VALUES (?, ?, ?, ?, ?)", _staffing_rows(close_id, staffing))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return Close(close_id, period, version, closed_at, __version__, digest)


def _staffing_rows(close_id: int, staffing: pd.DataFrame):
    for record_ in staffing.to_dict("records"):
        figures = {k: v for k, v in record_.items() if k not in ("entity", "by", "key")}
        yield close_id, record_["entity"], record_["by"], record_["key"], json.dumps(figures)


def previous_close(conn: sqlite3.Connection, period: str) -> tuple[str, pd.DataFrame] | None:
    """The latest version of the latest closed period before `period` in the same year:
    its period and income rows (entity, report, row, actual, var_budget)."""
    row = conn.execute(
        "SELECT period FROM closes WHERE period < ? AND substr(period, 1, 4) = ? ORDER BY period DESC LIMIT 1",
        (period, period[:4]),
    ).fetchone()
    if row is None:
        return None
    close = latest(conn, row[0])
    if close is None:
        return None
    import pandas as pd  # start-up: the store is opened before the files are read

    frame = pd.read_sql_query(
        "SELECT entity, report, row, actual, actual - budget AS var_budget FROM income WHERE close_id = ?",
        conn, params=(close.id,),
    )
    return close.period, frame


def listing(conn: sqlite3.Connection, region: str) -> pd.DataFrame:
    """Every close: period, version, time, tool version, files, region result."""
    import pandas as pd  # start-up: the store is opened before the files are read

    return pd.read_sql_query(
        """
        SELECT c.period, c.version, c.closed_at, c.tool_version,
               (SELECT COUNT(*) FROM input_files f WHERE f.close_id = c.id) AS files,
               (SELECT i.actual FROM income i
                 WHERE i.close_id = c.id AND i.entity = ?
                   AND i.report = (SELECT report FROM income WHERE close_id = c.id ORDER BY rowid LIMIT 1)
                 ORDER BY i.position DESC LIMIT 1) AS result
        FROM closes c ORDER BY c.period, c.version
        """,
        conn, params=(region,),
    )


def open_store(path: Path):
    return closing(connect(path))
