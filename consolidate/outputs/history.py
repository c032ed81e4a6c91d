"""The history store (SPEC §7): closed periods in SQLite beside the config.

Each close is one transaction: the consolidated figures of every entity and report
row, its staffing key figures, and every input file's name and SHA-256. A period closed
again with the same inputs changes nothing; with changed inputs it is refused unless
reopened, and then kept as a new version beside the old.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from consolidate import __version__
from consolidate.config.tree import Tree
from consolidate.runtime.atomic import owner_alive, put_in_place
from consolidate.vocabulary import MEASURES

if TYPE_CHECKING:  # pandas is imported where it is used: not before the reading starts
    import pandas as pd  # start-up: the store is opened before the files are read

SCHEMA_VERSION = 4
BUSY_SECONDS = 3.0  # how long to wait for a store another program holds, then exit 3

_TABLES = """
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
# Version 2: who closed and why (a reopen's --reason), and the outputs of a close in
# progress: written under temporary names (close_id NULL), then, in the transaction
# that records the close, tied to it; renamed into place after the commit.
_VERSION_2 = """
ALTER TABLE closes ADD COLUMN closed_by TEXT;
ALTER TABLE closes ADD COLUMN reason TEXT;
CREATE TABLE IF NOT EXISTS pending_outputs (
    token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
    temporary BLOB NOT NULL, target BLOB NOT NULL, close_id INTEGER REFERENCES closes(id)
);
"""
# Version 3: the organisation tree each close was made with (SPEC §11), so that the
# change since the previous close is not shown for an entity whose units differ.
_VERSION_3 = """
CREATE TABLE IF NOT EXISTS close_tree (
    close_id INTEGER NOT NULL REFERENCES closes(id),
    code TEXT NOT NULL, name TEXT NOT NULL, parent TEXT, position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS close_tree_close ON close_tree (close_id);
"""
# Version 4: the source rows of each close (SPEC §13), so that a closed period can be
# explained from the store alone: one compressed blob per close (`outputs.closed`).
_VERSION_4 = """
CREATE TABLE IF NOT EXISTS close_sources (
    close_id INTEGER PRIMARY KEY REFERENCES closes(id),
    data BLOB NOT NULL
);
"""


class StoreError(Exception):
    """The history store cannot be used. `busy`: another program holds it, or another
    close recorded the period meanwhile (exit 3); otherwise it is damaged, full,
    unwritable or of a newer schema (exit 2)."""

    def __init__(self, message: str, busy: bool = False):
        super().__init__(message)
        self.busy = busy


# SQLite's primary result codes, and what each means to the user (no SQL text).
_BUSY, _LOCKED, _FULL, _CORRUPT, _NOTADB = 5, 6, 13, 11, 26
_UNWRITABLE = {3: "behörighet saknas", 8: "den är skrivskyddad", 14: "filen kan inte öppnas", 23: "behörighet saknas"}


def store_failure(path: Path, exc: sqlite3.Error) -> StoreError:
    """The user's message for a failure of the store at `path`."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if isinstance(exc, sqlite3.IntegrityError):
        return StoreError(f"historiken {path}: en annan stängning av perioden sparades samtidigt; kör igen", busy=True)
    if code in (_BUSY, _LOCKED):
        return StoreError(f"historiken {path} används av ett annat program och är låst; försök igen när det är klart",
                          busy=True)
    if code == _FULL:
        return StoreError(f"historiken {path} kan inte sparas: disken är full")
    if code in (_CORRUPT, _NOTADB):
        return StoreError(f"historiken {path} är skadad eller ingen historikdatabas; återställ den från en "
                          "säkerhetskopia eller flytta undan den")
    if code in _UNWRITABLE:
        return StoreError(f"historiken {path} kan inte skrivas: {_UNWRITABLE[code]}")
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    return StoreError(f"historiken {path} kan inte användas (SQLite: {name})")


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
    base = base.resolve()
    folders: dict[Path, str] = {}  # each folder resolved once: thousands of files share a few
    for path in paths:
        if read is not None and path in read:
            sha256, size = read[path]
            files.append(InputFile(_stored_name(path, base, folders), sha256, size))
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        files.append(InputFile(_stored_name(path, base, folders), digest.hexdigest(), path.stat().st_size))
    return sorted(files, key=lambda f: f.name)


def _stored_name(path: Path, base: Path, folders: dict[Path, str]) -> str:
    """A file's name as the store keeps it: relative to the config's folder (also with
    `..`), so a region folder moved or copied whole keeps its names. A name that is not
    valid UTF-8 is kept with its bytes escaped (\\xe5): SQLite stores only valid text,
    and the escaped name stays the same from close to close. `base` is resolved; each
    folder's name relative to it is worked out once (`folders`), and a file that is
    itself a link is resolved whole."""
    if os.path.islink(path):
        name = os.path.relpath(path.resolve(), base)
    else:
        folder = folders.get(path.parent)
        if folder is None:
            folder = folders[path.parent] = os.path.relpath(path.parent.resolve(), base)
        name = path.name if folder == os.curdir else os.path.join(folder, path.name)
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
    """Open (creating if needed) the store, bringing an older schema up to date."""
    conn = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"historiken {path} har schemaversion {version}, nyare än verktygets "
                             f"{SCHEMA_VERSION}; uppdatera consolidate")
        if version < SCHEMA_VERSION:
            _upgrade(conn, version)
        return conn
    except BaseException:
        conn.close()
        raise


def _upgrade(conn: sqlite3.Connection, version: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have done it
        for step, script in enumerate((_TABLES, _VERSION_2, _VERSION_3, _VERSION_4), start=1):
            if version < step:
                for statement in _statements(script):
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    """Undo the open transaction, if SQLite has not already (a full disk ends it)."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


@contextmanager
def open_store(path: Path) -> Iterator[sqlite3.Connection]:
    """The store, for the block; any failure of SQLite in it becomes a `StoreError`
    naming the store."""
    try:
        with closing(connect(path)) as conn:
            yield conn
    except sqlite3.Error as exc:
        raise store_failure(path, exc) from None


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


@dataclass(frozen=True)
class Recording:
    """What a close will record, decided before its outputs are written."""

    period: str
    files: list[InputFile]
    version: int | None  # None: closed before with the same inputs, nothing new to record
    seen: int | None  # id of the period's latest close when the close began (None: none)
    closed_by: str
    reason: str | None


def record(conn: sqlite3.Connection, recording: Recording, rows: pd.DataFrame, staffing: pd.DataFrame | None,
           token: str | None = None, tree: Tree | None = None, sources: bytes | None = None) -> Close | None:
    """Write one close in a single transaction: all of it, or none of it; with it, tie
    the outputs staged under `token` to the close, so they are put in place even if
    this process dies right after the commit, and the tree it was made with. Returns
    the new close (None when the period was closed before with the same inputs).

    SQLite's own write lock and a look at the period's latest version are the second
    guard behind the lock file: if another close recorded the period since this one
    began (a lock file removed during the run), nothing is written and the close
    fails as busy."""
    closed_at = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    digest = inputs_digest(recording.files)
    conn.execute("BEGIN IMMEDIATE")
    try:
        now = latest(conn, recording.period)
        if (now.id if now else None) != recording.seen:
            raise StoreError(f"en annan stängning av {recording.period} sparades under tiden (version "
                             f"{now.version if now else '?'}); kör igen", busy=True)
        close = now
        if recording.version is not None:
            cursor = conn.execute(
                "INSERT INTO closes (period, version, closed_at, tool_version, inputs_digest, closed_by, reason) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (recording.period, recording.version, closed_at, __version__, digest, recording.closed_by,
                 recording.reason),
            )
            close_id = cursor.lastrowid
            assert close_id is not None  # an INSERT gives its row id
            conn.executemany("INSERT INTO input_files VALUES (?, ?, ?, ?)",
                             [(close_id, f.name, f.sha256, f.bytes) for f in recording.files])
            income = rows[["entity", "report", "row", "position", *MEASURES]]
            conn.executemany(
                "INSERT INTO income VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(close_id, *values) for values in income.itertuples(index=False, name=None)],
            )
            if staffing is not None:
                conn.executemany("INSERT INTO staffing VALUES (?, ?, ?, ?, ?)", _staffing_rows(close_id, staffing))
            if tree is not None:
                entities = enumerate(tree.entities.values())
                conn.executemany("INSERT INTO close_tree VALUES (?, ?, ?, ?, ?)",
                                 [(close_id, e.code, e.name, e.parent, k) for k, e in entities])
            if sources is not None:
                conn.execute("INSERT INTO close_sources VALUES (?, ?)", (close_id, sources))
            close = Close(close_id, recording.period, recording.version, closed_at, __version__, digest)
        if token is not None and close is not None:
            conn.execute("UPDATE pending_outputs SET close_id = ? WHERE token = ?", (close.id, token))
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    return close if recording.version is not None else None


def announce(conn: sqlite3.Connection, token: str, temporary: Path, target: Path) -> None:
    """Note an output about to be written under a temporary name, before it exists: a
    process that finds the note later removes the file, or renames it into place once
    the close it belongs to is recorded."""
    conn.execute("INSERT INTO pending_outputs (token, pid, host, temporary, target) VALUES (?, ?, ?, ?, ?)",
                 (token, os.getpid(), socket.gethostname(), _path_bytes(temporary), _path_bytes(target)))


def has_pending(path: Path) -> bool:
    """Whether the store notes outputs of a close that did not finish; read only, so
    a command that writes nothing (validate) changes nothing when there are none."""
    try:
        with closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)) as conn:
            if conn.execute("PRAGMA user_version").fetchone()[0] < 2:
                return False
            return conn.execute("SELECT EXISTS (SELECT 1 FROM pending_outputs)").fetchone()[0] == 1
    except sqlite3.Error:
        return False  # a store that cannot be read is reported by the commands that need it


def settled(conn: sqlite3.Connection, token: str) -> None:
    """The outputs staged under `token` are in place (or removed): forget them."""
    conn.execute("DELETE FROM pending_outputs WHERE token = ?", (token,))


@dataclass
class Recovered:
    completed: int = 0  # outputs of a recorded close put in place
    removed: int = 0  # outputs of a close that was never recorded, removed


def recover(conn: sqlite3.Connection) -> Recovered:
    """Finish what interrupted closes left (call while holding the lock): the outputs of
    a close that was recorded are renamed into place, those of a close that was not are
    removed. A close whose process still runs on this machine is left alone."""
    done = Recovered()
    rows = conn.execute("SELECT token, pid, host, temporary, target, close_id FROM pending_outputs").fetchall()
    host = socket.gethostname()
    tokens: dict[str, list[tuple]] = {}
    for row in rows:
        tokens.setdefault(row[0], []).append(row)
    for token, outputs in tokens.items():
        _, pid, where, *_ = outputs[0]
        if where == host and owner_alive(pid) and pid != os.getpid():
            continue
        for _, _, _, temporary, target, close_id in outputs:
            tmp = Path(os.fsdecode(temporary))
            if close_id is None:
                if tmp.exists():
                    tmp.unlink(missing_ok=True)
                    done.removed += 1
            elif put_in_place(tmp, Path(os.fsdecode(target))):
                done.completed += 1
        settled(conn, token)
    return done


def _path_bytes(path: Path) -> bytes:
    """A path as SQLite keeps it exactly (a blob), also where its bytes are not UTF-8."""
    return os.fsencode(path)


def _staffing_rows(close_id: int, staffing: pd.DataFrame):
    for record_ in staffing.to_dict("records"):
        figures = {k: v for k, v in record_.items() if k not in ("entity", "by", "key")}
        yield close_id, record_["entity"], record_["by"], record_["key"], json.dumps(figures)


def previous_close(conn: sqlite3.Connection, period: str, tree: Tree | None = None) -> tuple[str, pd.DataFrame] | None:
    """The latest version of the latest closed period before `period` in the same year:
    its period and income rows (entity, report, row, actual, var_budget).

    With `tree` (this period's), an entity whose units differ from those it had in the
    tree that close was made with has no rows: its figures then and now are not
    comparable (see `regrouped`). A close made before trees were recorded is compared
    as it is."""
    return previous_with_note(conn, period, tree)[0]


def previous_with_note(conn: sqlite3.Connection, period: str, tree: Tree | None = None
                       ) -> tuple[tuple[str, pd.DataFrame] | None, str | None]:
    """`previous_close`, and `regrouping_note` for it, the tree compared once."""
    close = _previous(conn, period)
    if close is None:
        return None, None
    import pandas as pd  # start-up: the store is opened before the files are read

    frame = pd.read_sql_query(
        "SELECT entity, report, row, actual, actual - budget AS var_budget FROM income WHERE close_id = ?",
        conn, params=(close.id,),
    )
    changed = regrouped(conn, close.id, tree) if tree is not None else []
    if changed:
        frame = frame[~frame["entity"].isin(changed)].reset_index(drop=True)
    return (close.period, frame), _regrouping_text(close.period, changed)


def _previous(conn: sqlite3.Connection, period: str) -> Close | None:
    row = conn.execute(
        "SELECT period FROM closes WHERE period < ? AND substr(period, 1, 4) = ? ORDER BY period DESC LIMIT 1",
        (period, period[:4]),
    ).fetchone()
    return latest(conn, row[0]) if row is not None else None


def tree_of_close(conn: sqlite3.Connection, close_id: int) -> dict[str, tuple[str, str | None]]:
    """The tree a close was made with: code -> (name, parent), in the tree's order;
    empty for a close made before trees were recorded."""
    rows = conn.execute("SELECT code, name, parent FROM close_tree WHERE close_id = ? ORDER BY position", (close_id,))
    return {code: (name, parent) for code, name, parent in rows}


def regrouped(conn: sqlite3.Connection, close_id: int, tree: Tree) -> list[str]:
    """The entities of `tree` whose units (the entities without children at or below
    them) differ from those they had in the tree close `close_id` was made with, in
    `tree`'s order; none when that close recorded no tree."""
    before = tree_of_close(conn, close_id)
    if not before:
        return []
    then = _units_below({code: parent for code, (_, parent) in before.items()})
    now = _units_below(tree.parent_of)
    return [code for code in tree.entities if code in then and then[code] != now[code]]


def _units_below(parent_of: dict[str, str | None]) -> dict[str, frozenset[str]]:
    """Each entity's units: the entities without children at or below it."""
    parents = set(parent_of.values())
    below: dict[str, set[str]] = {code: set() for code in parent_of}
    for code in parent_of:
        if code in parents:
            continue
        seen: set[str] = set()
        current: str | None = code
        while current is not None and current in below and current not in seen:
            seen.add(current)
            below[current].add(code)
            current = parent_of[current]
    return {code: frozenset(units) for code, units in below.items()}


def _regrouping_text(period: str, changed: list[str]) -> str | None:
    if not changed:
        return None
    shown = ", ".join(changed[:8]) + (f" och {len(changed) - 8} till" if len(changed) > 8 else "")
    return (f"info: organisationen har ändrats sedan den stängda {period}: enheter har flyttats till eller "
            f"från {shown}, så förändringen sedan {period} visas inte för dem (övriga jämförs som vanligt)")


def listing(conn: sqlite3.Connection, region: str, period: str | None = None) -> pd.DataFrame:
    """Every close (or every version of one period): period, version, time, tool
    version, who, why, files, and the region's result on the last row of its first report."""
    import pandas as pd  # start-up: the store is opened before the files are read

    return pd.read_sql_query(
        f"""
        SELECT c.id, c.period, c.version, c.closed_at, c.tool_version, c.closed_by, c.reason,
               (SELECT COUNT(*) FROM input_files f WHERE f.close_id = c.id) AS files,
               (SELECT i.actual FROM income i
                 WHERE i.close_id = c.id AND i.entity = ?
                   AND i.report = (SELECT report FROM income WHERE close_id = c.id ORDER BY rowid LIMIT 1)
                 ORDER BY i.position DESC LIMIT 1) AS result
        FROM closes c {"WHERE c.period = ?" if period is not None else ""} ORDER BY c.period, c.version
        """,
        conn, params=(region,) if period is None else (region, period),
    )


@dataclass(frozen=True)
class Change:
    """What changed in a version of a period against the version before it."""

    version: int
    files: list[str]  # one phrase per file: "x.xlsx (ändrad)", "(ny)", "(borttagen)"
    rows: list[tuple[str, str, float | None, float | None]]  # the region's rows: row, measure, before, after


def changes(conn: sqlite3.Connection, region: str, period: str) -> list[Change]:
    """For each version after the first: the files that changed, and the region's
    report rows (of its first report) whose figures changed, measure by measure."""
    ids = conn.execute("SELECT id, version FROM closes WHERE period = ? ORDER BY version", (period,)).fetchall()
    found = []
    for (before_id, _), (after_id, version) in itertools.pairwise(ids):
        old, new = _region_rows(conn, before_id, region), _region_rows(conn, after_id, region)
        rows = []
        for key in new:
            for k, measure in enumerate(MEASURES):
                was = old[key][k] if key in old else None
                now = new[key][k]
                if was != now and not (was is not None and now is not None and abs(was - now) < 0.005):
                    rows.append((key, measure, was, now))
        found.append(Change(version, differences(files_of(conn, before_id), files_of(conn, after_id)), rows))
    return found


def _region_rows(conn: sqlite3.Connection, close_id: int, region: str) -> dict[str, tuple]:
    rows = conn.execute(
        f"SELECT row, {', '.join(MEASURES)} FROM income WHERE close_id = ? AND entity = ? "
        "AND report = (SELECT report FROM income WHERE close_id = ? ORDER BY rowid LIMIT 1) ORDER BY position",
        (close_id, region, close_id),
    )
    return {r[0]: tuple(r[1:]) for r in rows}


def sources_blob(conn: sqlite3.Connection, close_id: int) -> bytes | None:
    """The packed source rows of a close (None for a close made before they were kept)."""
    row = conn.execute("SELECT data FROM close_sources WHERE close_id = ?", (close_id,)).fetchone()
    return None if row is None else bytes(row[0])


def closed_before(conn: sqlite3.Connection, period: str) -> Close | None:
    """The latest version of the latest period closed before `period` that kept its
    source rows."""
    row = conn.execute(
        "SELECT c.period FROM closes c JOIN close_sources s ON s.close_id = c.id WHERE c.period < ? "
        "ORDER BY c.period DESC LIMIT 1", (period,),
    ).fetchone()
    return None if row is None else latest(conn, row[0])


def version_of(conn: sqlite3.Connection, period: str, version: int | None) -> Close | None:
    """A given version of a closed period, or its latest."""
    if version is None:
        return latest(conn, period)
    row = conn.execute(
        "SELECT id, period, version, closed_at, tool_version, inputs_digest FROM closes "
        "WHERE period = ? AND version = ?", (period, version),
    ).fetchone()
    return Close(*row) if row else None


def closed_months(conn: sqlite3.Connection, period: str, entities: list[str], report: str) -> pd.DataFrame:
    """SPEC §15: the closed months of `period`'s year before it (the latest version of
    each), the rows of `report` for the given entities: entity, row, position, period
    and the measures (in kr)."""
    import pandas as pd  # start-up: the store is opened before the files are read

    ids = conn.execute(
        "SELECT c.id FROM closes c WHERE c.period < ? AND substr(c.period, 1, 4) = ? "
        "AND c.version = (SELECT MAX(version) FROM closes d WHERE d.period = c.period) ORDER BY c.period",
        (period, period[:4]),
    ).fetchall()
    if not ids or not entities:
        return pd.DataFrame(columns=["entity", "row", "position", "period", *MEASURES])
    marks = ",".join("?" * len(entities))
    frames = [
        pd.read_sql_query(
            f"SELECT i.entity, i.row, i.position, c.period, {', '.join('i.' + m for m in MEASURES)} "
            f"FROM income i JOIN closes c ON c.id = i.close_id WHERE i.close_id = ? AND i.report = ? "
            f"AND i.entity IN ({marks}) ORDER BY i.rowid",
            conn, params=(close_id, report, *entities))
        for (close_id,) in ids
    ]
    return pd.concat(frames, ignore_index=True)


def closed_years(conn: sqlite3.Connection, period: str, entities: list[str], report: str) -> pd.DataFrame:
    """SPEC §15: the closed Decembers of the years before `period`'s (latest version
    each): entity, year and the actual of the report's last row."""
    import pandas as pd  # start-up: the store is opened before the files are read

    if not entities:
        return pd.DataFrame(columns=["entity", "year", "actual"])
    marks = ",".join("?" * len(entities))
    return pd.read_sql_query(
        f"""
        SELECT i.entity, CAST(substr(c.period, 1, 4) AS INTEGER) AS year, i.actual
        FROM closes c JOIN income i ON i.close_id = c.id
        WHERE substr(c.period, 6, 2) = '12' AND c.period < ? AND i.report = ? AND i.entity IN ({marks})
          AND c.version = (SELECT MAX(version) FROM closes d WHERE d.period = c.period)
          AND i.position = (SELECT MAX(position) FROM income j WHERE j.close_id = c.id AND j.report = i.report)
        ORDER BY i.entity, year
        """,
        conn, params=(period, report, *entities),
    )
