"""A close's store and outputs always agree (SPEC §10): kills at many moments, a busy,
full or damaged store, a removed lock file, a closed stdout, and the history of
versions with who reopened and why (SPEC §17)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import assert_no_traceback, income_rows, run_cli, write_region, write_workbook
from python_calamine import CalamineWorkbook

from consolidate.outputs.history import SCHEMA_VERSION

ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM")]
PERIOD = "2026-04"
STORE = "region.history.sqlite"
KILLS = 40  # at seeded random moments, besides the four named ones


def _inputs(root: Path, u1_actual: float) -> None:
    write_workbook(root / f"in/{PERIOD}/resultat/U1_r.xlsx", income_rows(
        "U1", [(3010, "Intäkter", u1_actual, 360, 80, 1200, 1250, 1100),
               (4010, "Löner", -240, -220, -50, -700, -720, -650)], period=PERIOD))
    write_workbook(root / f"in/{PERIOD}/resultat/U2_r.xlsx", income_rows(
        "U2", [(3010, "Intäkter", 160, 160, 30, 480, 480, 400)], period=PERIOD))


def _region(root: Path, u1_actual: float = 400.0) -> Path:
    config = write_region(root, ENTITIES)
    _inputs(root, u1_actual)
    return config


def _close_args(config: Path, *extra: str) -> list[str]:
    out = config.parent / "out" / PERIOD
    return ["close", "--config", str(config), "--period", PERIOD, "--json", str(out / "REG.json"), "-q", *extra]


def _outputs(root: Path) -> dict[str, bytes]:
    """Every file of the output folder, by name (temporary files included)."""
    folder = root / "out" / PERIOD
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def _store_ok(root: Path) -> list[int]:
    """The store passes integrity_check; returns the period's versions."""
    with sqlite3.connect(root / STORE) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [v for (v,) in conn.execute("SELECT version FROM closes WHERE period = ? ORDER BY version", (PERIOD,))]


def _recorded(root: Path, version: int) -> dict[tuple[str, str], float]:
    with sqlite3.connect(root / STORE) as conn:
        rows = conn.execute(
            "SELECT i.entity, i.row, i.actual FROM income i JOIN closes c ON c.id = i.close_id "
            "WHERE c.period = ? AND c.version = ?", (PERIOD, version))
        return {(e, r): a for e, r, a in rows}


def _workbook_actuals(path: Path) -> dict[tuple[str, str], float]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Data").to_python()
    return {(r[1], r[5]): r[7] for r in sheet[1:] if r[6] == "Utfall"}


def _assert_outputs_of_version(root: Path, version: int) -> None:
    """The output folder holds the workbook and JSON of the recorded `version`, and
    nothing else (no temporary file)."""
    files = _outputs(root)
    assert sorted(files) == ["REG.json", f"REG_{PERIOD}.xlsx"], sorted(files)
    recorded = _recorded(root, version)
    data = json.loads(files["REG.json"])
    assert {(r["entity"], r["row"]): r["actual"] for r in data["income"]} == recorded
    assert _workbook_actuals(root / "out" / PERIOD / f"REG_{PERIOD}.xlsx") == recorded


@pytest.fixture(scope="module")
def closed_once(tmp_path_factory):
    """A region closed once (version 1, with its outputs), and then a unit's late
    correction in its files: the next close is a reopen that changes the figures."""
    root = tmp_path_factory.mktemp("closed")
    config = _region(root)
    first = run_cli(*_close_args(config))
    assert first.returncode == 0, first.stderr
    _inputs(root, u1_actual=444.0)
    return root


def _copy(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest)
    return dest / "region.toml"


def _next_command_then_check(root: Path, before: dict[str, bytes]) -> int:
    """Run the next command (history); then the store is whole and the output folder
    holds the previous outputs or those of the version recorded. Returns the latest version."""
    after = run_cli("history", "--config", str(root / "region.toml"))
    assert after.returncode == 0, after.stderr
    assert_no_traceback(after)
    versions = _store_ok(root)
    assert versions in ([1], [1, 2]), versions
    if versions == [1]:
        assert _outputs(root) == before  # byte for byte the previous outputs
    else:
        _assert_outputs_of_version(root, 2)
    return versions[-1]


# A close run with one of its steps replaced by SIGKILL of itself: the moments in
# between the outputs and the commit, and in between the commit and the renames.
_KILL_AT = r"""
import os, signal, sys
import consolidate.commands.run as run
import consolidate.runtime.atomic as atomic
point = sys.argv[1]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if point == "before-commit":
    run.record = die
elif point == "before-rename":
    atomic.Staging.commit = die
elif point == "between-renames":
    done = []
    real = atomic.put_in_place
    def once(tmp, target):
        if done:
            die()
        done.append(real(tmp, target))
        return done[-1]
    atomic.put_in_place = once
elif point == "before-forget":
    run.settled = die
sys.argv = ["consolidate", *sys.argv[2:]]
from consolidate.cli import entry
entry()
"""


@pytest.mark.parametrize("point", ["before-commit", "before-rename", "between-renames", "before-forget"])
def test_close_killed_between_outputs_commit_and_renames(closed_once, tmp_path, point):
    config = _copy(closed_once, tmp_path / "r")
    before = _outputs(tmp_path / "r")
    killed = subprocess.run([sys.executable, "-c", _KILL_AT, point, *_close_args(config, "--reopen")],
                            capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _no_process_left(str(config)), "a worker outlived the killed close"  # it would hold the lock
    version = _next_command_then_check(tmp_path / "r", before)
    assert version == (1 if point == "before-commit" else 2)
    again = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel", "-q")
    assert again.returncode != 3, again.stderr  # the lock is free


def _no_process_left(marker: str, seconds: float = 20.0) -> bool:
    """Whether, within `seconds`, no process runs whose command line names `marker`
    (the workers a killed run forked die with it)."""
    deadline = time.monotonic() + seconds
    while True:
        alive = []
        for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as handle:
                        if marker.encode() in handle.read():
                            alive.append(pid)
                except OSError:
                    pass
        if not alive or time.monotonic() > deadline:
            return not alive
        time.sleep(0.1)


def test_close_killed_at_seeded_random_moments(closed_once, tmp_path):
    """SIGKILL a reopening close at 40 moments drawn (seeded) over its whole run; after
    the next command the store is whole and agrees with the output folder, each time."""
    config = _copy(closed_once, tmp_path / "timing")
    env = {**os.environ, "COLUMNS": "200"}
    command = [sys.executable, "-m", "consolidate", *_close_args(config, "--reopen")]
    start = time.monotonic()
    subprocess.run(command, env=env, capture_output=True, check=True)
    full_run = time.monotonic() - start
    draw = random.Random(20261207)
    seen = []
    for k in range(KILLS):
        root = tmp_path / f"k{k}"
        shutil.copytree(closed_once, root)
        before = _outputs(root)
        cmd = [*command]
        cmd[cmd.index(str(config))] = str(root / "region.toml")
        cmd[cmd.index(str(config.parent / "out" / PERIOD / "REG.json"))] = str(root / "out" / PERIOD / "REG.json")
        process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(draw.uniform(0.0, full_run * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert _no_process_left(str(root / "region.toml")), k  # no worker outlives it, holding the lock
        seen.append(_next_command_then_check(root, before))
        shutil.rmtree(root)
    assert len(seen) == KILLS


def _hold_store(store: Path) -> subprocess.Popen:
    """Another program holding the store with an exclusive transaction until stdin closes."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
         "c.execute('BEGIN EXCLUSIVE'); print('held', flush=True); sys.stdin.read()", str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_busy_store_gives_exit_3_and_changes_no_output(closed_once, tmp_path):
    config = _copy(closed_once, tmp_path / "r")
    before = _outputs(tmp_path / "r")
    holder = _hold_store(tmp_path / "r" / STORE)
    try:
        busy = run_cli(*_close_args(config, "--reopen"))
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert busy.returncode == 3, busy.stderr
    assert_no_traceback(busy)
    assert "används av ett annat program" in busy.stderr and str(tmp_path / "r" / STORE) in " ".join(busy.stderr.split())
    assert "SELECT" not in busy.stderr and "INSERT" not in busy.stderr
    assert _outputs(tmp_path / "r") == before and _store_ok(tmp_path / "r") == [1]


_TAKEN_BEFORE_COMMIT = r"""
import sqlite3, sys
import consolidate.commands.run as run
real, store, held = run.record, sys.argv[1], []
def taken_then_record(*args, **kwargs):
    other = sqlite3.connect(store, isolation_level=None)  # another holder of the store
    other.execute("BEGIN EXCLUSIVE")
    held.append(other)
    return real(*args, **kwargs)
run.record = taken_then_record
sys.argv = ["consolidate", *sys.argv[2:]]
from consolidate.cli import entry
entry()
"""


def test_a_store_taken_between_the_outputs_and_the_commit(closed_once, tmp_path):
    """The store is taken by another program after the outputs are written: exit 3, the
    written outputs are removed, the old ones stay, and the next command leaves no trace."""
    config = _copy(closed_once, tmp_path / "r")
    before = _outputs(tmp_path / "r")
    busy = subprocess.run([sys.executable, "-c", _TAKEN_BEFORE_COMMIT, str(tmp_path / "r" / STORE),
                           *_close_args(config, "--reopen")],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert busy.returncode == 3, busy.stderr
    assert_no_traceback(busy)
    assert "används av ett annat program" in busy.stderr
    assert _outputs(tmp_path / "r") == before
    assert _next_command_then_check(tmp_path / "r", before) == 1
    with sqlite3.connect(tmp_path / "r" / STORE) as conn:
        assert conn.execute("SELECT COUNT(*) FROM pending_outputs").fetchone()[0] == 0


def test_a_damaged_store_gives_exit_2_and_changes_no_output(closed_once, tmp_path):
    for how in ("not a database", "malformed"):
        root = tmp_path / how.replace(" ", "_")
        config = _copy(closed_once, root)
        before = _outputs(root)
        store = root / STORE
        data = bytearray(store.read_bytes())
        if how == "not a database":
            data[:16] = b"garbage garbage!"
        else:  # a valid header, the pages after it overwritten
            data[100:] = bytes(random.Random(7).randrange(256) for _ in range(len(data) - 100))
        store.write_bytes(bytes(data))
        damaged = run_cli(*_close_args(config, "--reopen"))
        assert damaged.returncode == 2, (how, damaged.stderr)
        assert_no_traceback(damaged)
        assert "skadad" in damaged.stderr and STORE in damaged.stderr, damaged.stderr
        assert _outputs(root) == before


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True)
    if sys.platform != "linux" or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    return done.returncode == 0


def test_a_full_disk_under_the_store_gives_exit_2_and_changes_no_output(tmp_path):
    """The region's folder (config and store) on a small tmpfs that is then filled; the
    outputs go elsewhere. Skipped where a tmpfs cannot be mounted."""
    small = tmp_path / "small"
    if not _mount_tmpfs(small, "1m"):
        pytest.skip("a tmpfs cannot be mounted here (needs root on Linux)")
    try:
        config = _region(small)
        out = tmp_path / "out"
        args = ["close", "--config", str(config), "--period", PERIOD, "--out", str(out),
                "--json", str(out / "REG.json"), "-q"]
        assert run_cli(*args).returncode == 0
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        _inputs(small, u1_actual=444.0)
        filler = small / "filler"
        with open(filler, "wb", buffering=0) as handle:  # fill the disk to the last byte
            try:
                while True:
                    handle.write(b"\0" * 512)
            except OSError:
                pass
        full = run_cli(*args, "--reopen")
        assert full.returncode == 2, full.stderr
        assert_no_traceback(full)
        assert "disken är full" in full.stderr and STORE in full.stderr, full.stderr
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        filler.unlink()
        assert _store_ok(small) == [1]
    finally:
        subprocess.run(["umount", "-l", str(small)], capture_output=True)


_PAUSE_BEFORE_COMMIT = r"""
import sys
import consolidate.commands.run as run
real = run.record
def pause(*args, **kwargs):
    print("paused", flush=True)
    sys.stdin.readline()
    return real(*args, **kwargs)
run.record = pause
sys.argv = ["consolidate", *sys.argv[1:]]
from consolidate.cli import entry
entry()
"""


def test_a_removed_lock_file_never_lets_two_closes_record_conflicting_versions(closed_once, tmp_path):
    """Close A has written its outputs and waits before recording; its lock file is
    removed, and close B runs whole. A then finds that the period was recorded meanwhile:
    it records nothing, exits 3 and leaves B's outputs in place."""
    config = _copy(closed_once, tmp_path / "r")
    a = subprocess.Popen([sys.executable, "-c", _PAUSE_BEFORE_COMMIT, *_close_args(config, "--reopen")],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "COLUMNS": "200"})
    try:
        assert a.stdout.readline().strip() == "paused"
        (tmp_path / "r" / "region.lock").unlink()
        b = run_cli(*_close_args(config, "--reopen"))
        assert b.returncode == 0, b.stderr
        b_outputs = {n: b for n, b in _outputs(tmp_path / "r").items() if not n.startswith(".~")}  # A's are staged
        a.stdin.write("\n")
        a.stdin.flush()
        _, a_err = a.communicate(timeout=120)
    finally:
        a.kill()
    assert a.returncode == 3, a_err
    assert "sparades under tiden" in a_err
    assert _store_ok(tmp_path / "r") == [1, 2]
    assert _outputs(tmp_path / "r") == b_outputs
    _assert_outputs_of_version(tmp_path / "r", 2)


def test_a_closed_stdout_does_not_stop_a_close(closed_once, tmp_path):
    """`close … | head -1`: the reader goes away before the tables are printed; the
    close still records the period and puts its outputs in place."""
    config = _copy(closed_once, tmp_path / "r")
    args = [a for a in _close_args(config, "--reopen") if a != "-q"]
    process = subprocess.Popen([sys.executable, "-m", "consolidate", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "200"})
    process.stdout.close()  # nobody reads stdout any more
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "Traceback" not in err.decode()
    assert _store_ok(tmp_path / "r") == [1, 2]
    _assert_outputs_of_version(tmp_path / "r", 2)


def test_reopen_records_user_and_reason_and_history_of_a_period_says_what_changed(closed_once, tmp_path):
    config = _copy(closed_once, tmp_path / "r")
    env_user = {"USER": "kontroller1", "LOGNAME": "kontroller1"}
    reopened = subprocess.run(
        [sys.executable, "-m", "consolidate", *_close_args(config, "--reopen", "--reason", "Sen rättelse från U1")],
        capture_output=True, text=True, env={**os.environ, **env_user, "COLUMNS": "200"})
    assert reopened.returncode == 0, reopened.stderr
    with sqlite3.connect(tmp_path / "r" / STORE) as conn:
        who = conn.execute("SELECT version, closed_by, reason FROM closes ORDER BY version").fetchall()
    assert who[1] == (2, "kontroller1", "Sen rättelse från U1")
    listing = run_cli("history", "--config", str(config), "--period", PERIOD)
    assert listing.returncode == 0, listing.stderr
    text = listing.stdout
    assert "Versioner av 2026-04" in text and "kontroller1" in text and "Sen rättelse från U1" in text
    assert "Version 2 jämfört med version 1" in text
    assert "U1_r.xlsx (ändrad)" in text
    # U1's Utfall went from 400 to 444 tkr: the region's Intäkter and Resultat follow
    assert "Intäkter, Utfall: 560 → 604 (+44 tkr)" in text, text
    assert "Resultat, Utfall: 320 → 364 (+44 tkr)" in text, text
    other = run_cli("history", "--config", str(config), "--period", "2026-01")
    assert other.returncode == 0 and "2026-01 är inte stängd" in other.stdout


def test_history_shows_local_time(tmp_path):
    config = _region(tmp_path)
    closed = subprocess.run([sys.executable, "-m", "consolidate", *_close_args(config)], capture_output=True,
                            text=True, env={**os.environ, "TZ": "UTC", "COLUMNS": "200"})
    assert closed.returncode == 0, closed.stderr
    with sqlite3.connect(tmp_path / STORE) as conn:
        stamp = conn.execute("SELECT closed_at FROM closes").fetchone()[0]
    assert stamp.endswith("+00:00")
    import datetime as dt

    utc = dt.datetime.fromisoformat(stamp)
    stockholm = (utc + dt.timedelta(hours=1 if utc.month in (1, 2, 3, 11, 12) else 2)).strftime("%Y-%m-%d %H:%M")
    listing = subprocess.run([sys.executable, "-m", "consolidate", "history", "--config", str(config)],
                             capture_output=True, text=True,
                             env={**os.environ, "TZ": "Europe/Stockholm", "COLUMNS": "200"})
    assert listing.returncode == 0, listing.stderr
    if utc.month in (3, 10):  # the change of summer time may fall within the month: either hour
        return
    assert stockholm in listing.stdout, listing.stdout


_VERSION_1_SCHEMA = """
CREATE TABLE closes (id INTEGER PRIMARY KEY, period TEXT NOT NULL, version INTEGER NOT NULL,
    closed_at TEXT NOT NULL, tool_version TEXT NOT NULL, inputs_digest TEXT NOT NULL, UNIQUE (period, version));
CREATE TABLE input_files (close_id INTEGER NOT NULL REFERENCES closes(id), name TEXT NOT NULL,
    sha256 TEXT NOT NULL, bytes INTEGER NOT NULL);
CREATE TABLE income (close_id INTEGER NOT NULL REFERENCES closes(id), entity TEXT NOT NULL, report TEXT NOT NULL,
    row TEXT NOT NULL, position INTEGER NOT NULL, actual REAL, budget REAL, prior REAL, annual_budget REAL,
    forecast REAL, prior_full_year REAL);
CREATE TABLE staffing (close_id INTEGER NOT NULL REFERENCES closes(id), entity TEXT NOT NULL, by TEXT, key TEXT,
    figures TEXT NOT NULL);
CREATE INDEX income_close ON income (close_id);
INSERT INTO closes VALUES (1, '2026-03', 1, '2026-04-05T06:00:00+02:00', '0.1.0', 'x');
INSERT INTO income VALUES (1, 'REG', 'Resultaträkning', 'Resultat', 4, 1000, 900, 800, NULL, NULL, NULL);
PRAGMA user_version = 1;
"""


def test_a_store_of_the_previous_schema_is_brought_up_to_date(tmp_path):
    config = _region(tmp_path)
    with sqlite3.connect(tmp_path / STORE) as conn:
        conn.executescript(_VERSION_1_SCHEMA)
    closed = run_cli(*_close_args(config))
    assert closed.returncode == 0, closed.stderr
    with sqlite3.connect(tmp_path / STORE) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        rows = conn.execute("SELECT period, version, closed_by FROM closes ORDER BY period").fetchall()
    assert rows[0] == ("2026-03", 1, None) and rows[1][:2] == (PERIOD, 1) and rows[1][2]
    listing = run_cli("history", "--config", str(config))
    assert listing.returncode == 0 and "2026-03" in listing.stdout and PERIOD in listing.stdout


def test_recovery_renames_recorded_outputs_removes_unrecorded_and_spares_a_live_close(tmp_path):
    from consolidate.outputs.history import announce, open_store, recover

    store = tmp_path / STORE
    targets = {name: tmp_path / f"{name}.json" for name in ("recorded", "unrecorded", "live")}
    temporaries = {name: tmp_path / f".~consolidate-1-{name}.tmp" for name in targets}
    for name, tmp in temporaries.items():
        tmp.write_text(name)
    with open_store(store) as conn:
        conn.execute("INSERT INTO closes (period, version, closed_at, tool_version, inputs_digest) "
                     "VALUES ('2026-04', 1, 'x', 'x', 'x')")
        for name in targets:
            announce(conn, name, temporaries[name], targets[name])
        conn.execute("UPDATE pending_outputs SET close_id = 1 WHERE token = 'recorded'")
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        live = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
        try:
            conn.execute("UPDATE pending_outputs SET pid = ? WHERE token != 'live'", (dead.pid,))
            conn.execute("UPDATE pending_outputs SET pid = ? WHERE token = 'live'", (live.pid,))
            done = recover(conn)
        finally:
            live.stdin.close()
            live.wait()
        left = [t for (t,) in conn.execute("SELECT token FROM pending_outputs")]
    assert (done.completed, done.removed) == (1, 1)
    assert targets["recorded"].read_text() == "recorded" and not temporaries["recorded"].exists()
    assert not targets["unrecorded"].exists() and not temporaries["unrecorded"].exists()
    assert temporaries["live"].exists() and left == ["live"]  # that process is alive: its close is at work


def test_a_run_with_changed_inputs_leaves_the_closed_workbook_alone(closed_once, tmp_path):
    """The output folder holds the closed version's workbook: a `run` on the closed
    period with other inputs says so and writes its workbook only where --out says."""
    config = _copy(closed_once, tmp_path / "r")
    before = _outputs(tmp_path / "r")
    draft = run_cli("run", "--config", str(config), "--period", PERIOD)
    assert draft.returncode == 0, draft.stderr
    assert "är stängd (version 1)" in draft.stderr and "U1_r.xlsx (ändrad)" in draft.stderr
    assert _outputs(tmp_path / "r") == before
    elsewhere = run_cli("run", "--config", str(config), "--period", PERIOD, "--out", str(tmp_path / "utkast"))
    assert elsewhere.returncode == 0 and (tmp_path / "utkast" / f"REG_{PERIOD}.xlsx").exists()
    assert _workbook_actuals(tmp_path / "utkast" / f"REG_{PERIOD}.xlsx")[("U1", "Intäkter")] == 444_000
