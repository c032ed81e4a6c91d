"""The cache of files as read (issue 21): a workbook read before, with the same bytes,
settings and program, is taken from the cache; a changed one is read anew; an entry
that holds anything but rows and problems is never loaded; a cached file's problems
name it as it is named now; CONSOLIDATE_CACHE=off reads every file."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
from pathlib import Path

from helpers import income_rows, run_cli, write_region, write_workbook

PERIOD = "2026-04"
RESULTAT = "in/2026-04/resultat"


def _u1(root: Path, actual: float = 1_000.0) -> None:
    write_workbook(root / RESULTAT / "U1.xlsx", income_rows("U1", [(3010, "Intäkter", actual, 900, 800, 2_700, 2_700,
                                                                    2_500)]))


def _region(root: Path) -> Path:
    config = write_region(root)
    _u1(root)
    # U2 has no Prognos column: a warning naming its file
    rows = income_rows("U2", [(3010, "Intäkter", 500, 450, 400, 1_350, 1_300)])
    rows[4] = rows[4][:6] + rows[4][7:]
    write_workbook(root / RESULTAT / "U2.xlsx", rows)
    return config


def _run(config: Path, out: Path, cwd: Path | None = None) -> dict:
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel", "--json", str(out), "-q",
                   cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _actual(document: dict, entity: str) -> float:
    return next(r["actual"] for r in document["income"] if r["entity"] == entity and r["row"] == "Intäkter")


def _entries(cache: Path) -> dict[str, bytes]:
    with sqlite3.connect(cache / "cache.sqlite") as db:
        return dict(db.execute("SELECT key, data FROM entries"))


def _put(cache: Path, key: str, data: bytes) -> None:
    with sqlite3.connect(cache / "cache.sqlite") as db:
        db.execute("UPDATE entries SET data = ? WHERE key = ?", (data, key))


def test_a_file_read_before_comes_from_the_cache_and_a_changed_one_is_read_anew(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("CONSOLIDATE_CACHE", str(cache))
    config = _region(tmp_path / "r")
    first = _run(config, tmp_path / "1.json")
    assert _actual(first, "U1") == 1_000_000
    entries = _entries(cache)
    assert len(entries) == 2  # one for each file read
    # An entry changed behind the program's back shows in the next run: what is in the
    # cache is what a run takes for a file with the same bytes.
    for key, entry in entries.items():
        display, rows, problems = pickle.loads(entry)
        rows.amounts["actual"][0] *= 2
        _put(cache, key, pickle.dumps((display, rows, problems)))
    assert _actual(_run(config, tmp_path / "2.json"), "U1") == 2_000_000
    # without the cache every file is read
    monkeypatch.setenv("CONSOLIDATE_CACHE", "off")
    assert _actual(_run(config, tmp_path / "3.json"), "U1") == 1_000_000
    # a file whose bytes changed is read anew: the entry of its old bytes is not used
    monkeypatch.setenv("CONSOLIDATE_CACHE", str(cache))
    _u1(tmp_path / "r", actual=1_234.0)
    changed = _run(config, tmp_path / "4.json")
    assert _actual(changed, "U1") == 1_234_000
    assert _actual(changed, "U2") == 1_000_000  # U2's file is unchanged: its (doubled) entry is used
    assert len(_entries(cache)) == 3


def test_an_entry_that_holds_anything_else_is_never_loaded(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("CONSOLIDATE_CACHE", str(cache))
    config = _region(tmp_path / "r")
    _run(config, tmp_path / "1.json")
    marker = tmp_path / "loaded"

    class Foreign:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    for key in _entries(cache):
        _put(cache, key, pickle.dumps(("x", Foreign(), [])))
    again = _run(config, tmp_path / "2.json")
    assert not marker.exists()
    assert _actual(again, "U1") == 1_000_000
    for key in _entries(cache):
        _put(cache, key, b"not a pickle")
    assert _actual(_run(config, tmp_path / "3.json"), "U1") == 1_000_000


def test_a_cached_file_is_named_as_it_is_named_now(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLIDATE_CACHE", str(tmp_path / "cache"))
    first = _run(_region(tmp_path / "a"), tmp_path / "a.json", cwd=tmp_path)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    second = _run(tmp_path / "b" / "region.toml", tmp_path / "b.json", cwd=tmp_path)
    warned = [c for c in first["checks"] if c["check"] == "missing_measure"]
    again = [c for c in second["checks"] if c["check"] == "missing_measure"]
    assert [c["file"] for c in warned] == [f"a/{RESULTAT}/U2.xlsx"]
    assert [c["file"] for c in again] == [f"b/{RESULTAT}/U2.xlsx"]
    assert [c["message"] for c in again] == [c["message"] for c in warned]


def test_off_writes_no_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLIDATE_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    _run(_region(tmp_path / "r"), tmp_path / "1.json")
    assert not (tmp_path / "home-cache").exists()


def test_by_default_the_cache_is_the_users_own_and_validate_writes_nothing_in_the_region(tmp_path, monkeypatch):
    monkeypatch.delenv("CONSOLIDATE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    region = tmp_path / "r"
    config = _region(region)
    before = sorted(p.relative_to(region) for p in region.rglob("*"))
    done = run_cli("validate", "--config", str(config), "--period", PERIOD)
    assert done.returncode == 0, done.stderr
    assert sorted(p.relative_to(region) for p in region.rglob("*")) == before
    cache = tmp_path / "home-cache" / "consolidate"
    assert len(_entries(cache)) == 2
    assert (cache / "cache.sqlite").stat().st_mode & 0o077 == 0  # the figures are the user's alone
    assert _actual(_run(config, tmp_path / "1.json"), "U1") == 1_000_000
