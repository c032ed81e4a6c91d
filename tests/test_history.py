"""Monthly close (SPEC §7): history store, reopen, lock, kill safety, previous close."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_samples, income_rows, run_cli, write_region, write_workbook

ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM")]


def _region(root: Path, u1_actual: float = 100.0, periods=("2026-03", "2026-04")) -> Path:
    config = write_region(root, ENTITIES)
    for period in periods:
        scale = int(period[5:7])
        write_workbook(root / f"in/{period}/resultat/U1_r.xlsx", income_rows(
            "U1", [(3010, "Intäkter", u1_actual * scale, 90 * scale, 80, 1200, 1250, 1100),
                   (4010, "Löner", -60 * scale, -55 * scale, -50, -700, -720, -650)], period=period))
        write_workbook(root / f"in/{period}/resultat/U2_r.xlsx", income_rows(
            "U2", [(3010, "Intäkter", 40 * scale, 40 * scale, 30, 480, 480, 400)], period=period))
    return config


def _close(config: Path, period: str, *extra: str) -> subprocess.CompletedProcess:
    return run_cli("close", "--config", str(config), "--period", period, "--no-excel", *extra)


def _store(config: Path) -> sqlite3.Connection:
    return sqlite3.connect(config.parent / "region.history.sqlite")


def _counts(config: Path) -> tuple:
    with _store(config) as conn:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("closes", "input_files", "income", "staffing"))


def test_close_twice_with_same_inputs_changes_nothing(tmp_path):
    config = _region(tmp_path)
    first = _close(config, "2026-04")
    assert first.returncode == 0, first.stderr
    before = _counts(config)
    assert before[0] == 1 and before[1] == 4 and before[2] > 0  # two workbooks, region.toml, chart.toml
    again = _close(config, "2026-04")
    assert again.returncode == 0, again.stderr
    assert _counts(config) == before
    assert "oförändrad" in again.stderr


def test_changed_input_is_refused_then_reopen_keeps_both_versions(tmp_path):
    config = _region(tmp_path)
    assert _close(config, "2026-04").returncode == 0
    _region(tmp_path, u1_actual=111.0, periods=("2026-04",))  # a unit's late correction
    refused = _close(config, "2026-04")
    assert refused.returncode == 1
    assert "U1_r.xlsx (ändrad)" in refused.stderr and "--reopen" in refused.stderr
    assert _counts(config)[0] == 1
    reopened = _close(config, "2026-04", "--reopen")
    assert reopened.returncode == 0, reopened.stderr
    with _store(config) as conn:
        versions = conn.execute("SELECT version FROM closes WHERE period = '2026-04' ORDER BY version").fetchall()
        actuals = conn.execute(
            "SELECT c.version, i.actual FROM income i JOIN closes c ON c.id = i.close_id "
            "WHERE i.entity = 'U1' AND i.row = 'Intäkter' ORDER BY c.version").fetchall()
    assert versions == [(1,), (2,)]
    assert actuals == [(1, 400_000.0), (2, 444_000.0)]  # tkr files, stored in kr
    listing = run_cli("history", "--config", str(config))
    assert listing.returncode == 0 and listing.stdout.count("2026-04") == 2


def test_previous_close_of_the_same_year_in_json_and_terminal(tmp_path):
    config = _region(tmp_path)
    out = tmp_path / "april.json"
    assert _close(config, "2026-03").returncode == 0
    done = run_cli("run", "--config", str(config), "--period", "2026-04", "--no-excel", "--json", str(out))
    assert done.returncode == 0, done.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))["income"]
    u1 = next(r for r in rows if r["entity"] == "U1" and r["row"] == "Intäkter")
    assert u1["previous_close"] == {"period": "2026-03", "actual": 300_000.0, "var_budget": 30_000.0}
    assert "sedan 2026-03" in done.stdout and "Δ" not in done.stdout  # "Förändring sedan 2026-03", maybe wrapped
    # a period with no earlier close in its year has previous_close null
    early = tmp_path / "march.json"
    run_cli("run", "--config", str(config), "--period", "2026-03", "--no-excel", "--json", str(early))
    assert all(r["previous_close"] is None for r in json.loads(early.read_text(encoding="utf-8"))["income"])


def test_second_concurrent_run_gets_exit_3(tmp_path):
    config = _region(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from filelock import FileLock; l = FileLock(sys.argv[1]); l.acquire(); "
         "print('held', flush=True); sys.stdin.read()", str(config.parent / "region.lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        for command in ("run", "close"):
            blocked = run_cli(command, "--config", str(config), "--period", "2026-04", "--no-excel")
            assert blocked.returncode == 3, blocked.stderr
            assert "annan körning" in blocked.stderr and "Traceback" not in blocked.stderr
        # validate writes nothing and needs no lock
        assert run_cli("validate", "--config", str(config), "--period", "2026-04").returncode == 0
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert run_cli("run", "--config", str(config), "--period", "2026-04", "--no-excel").returncode == 0


@pytest.mark.parametrize("period", ["2026-04"])
def test_samples_close_march_then_april_shows_change_since_march(tmp_path, period):
    config = copy_samples(tmp_path)
    march = run_cli("close", "--config", str(config), "--period", "2026-03", "--no-excel", "-q")
    assert march.returncode == 0, march.stderr
    out = tmp_path / "april.json"
    april = run_cli("close", "--config", str(config), "--period", period, "--no-excel", "--json", str(out))
    assert april.returncode == 0, april.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    regrouped = {"RK", "RU"}  # their units differ between the trees of March and April (SPEC §11)
    assert all(r["previous_close"] is None if r["entity"] in regrouped
               else r["previous_close"] and r["previous_close"]["period"] == "2026-03" for r in data["income"])
    assert "sedan 2026-03" in april.stdout and "Δ" not in april.stdout  # "Förändring sedan 2026-03", maybe wrapped
    history = run_cli("history", "--config", str(config))
    assert "2026-03" in history.stdout and "2026-04" in history.stdout


def test_a_changed_chart_counts_as_changed_input(tmp_path):
    config = _region(tmp_path)
    assert _close(config, "2026-04").returncode == 0
    with _store(config) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM input_files")}
    assert {"region.toml", "chart.toml"} <= names
    chart = tmp_path / "chart.toml"
    chart.write_text(chart.read_text(encoding="utf-8").replace('accounts = ["40", "41"]', 'accounts = ["40", "41", "42"]'), encoding="utf-8")
    refused = _close(config, "2026-04")
    assert refused.returncode == 1 and "chart.toml (ändrad)" in refused.stderr


def test_a_damaged_store_stops_close_but_not_run(tmp_path):
    config = _region(tmp_path)
    (tmp_path / "region.history.sqlite").write_bytes(b"not a database at all")
    run = run_cli("run", "--config", str(config), "--period", "2026-04", "--no-excel")
    assert run.returncode == 0 and "är skadad" in run.stderr and "jämförelsen med förra stängda" in run.stderr
    assert run.stderr.count("skadad") == 1, run.stderr  # said once
    close = _close(config, "2026-04")
    assert close.returncode == 2 and "historikfel" in close.stderr and "Traceback" not in close.stderr


def test_a_file_replaced_during_a_close_is_recorded_as_it_was_read(tmp_path, monkeypatch):
    """The figures and the SHA-256 recorded come from the same bytes: a workbook replaced
    after it was read (and before the close is recorded) is recorded with the hash of
    what was read, so the next close sees that the inputs have changed."""
    import hashlib

    from click.testing import CliRunner

    from consolidate.cli import main
    from consolidate.core import period as period_module

    config = _region(tmp_path)
    u1 = tmp_path / "in/2026-04/resultat/U1_r.xlsx"
    read_bytes = u1.read_bytes()
    json_path = tmp_path / "before.json"
    done = run_cli("run", "--config", str(config), "--period", "2026-04", "--no-excel", "--json", str(json_path))
    assert done.returncode == 0, done.stderr
    expected = {(r["entity"], r["row"]): r["actual"] for r in json.loads(json_path.read_text())["income"]}
    _region(tmp_path / "other", u1_actual=555.0)
    replacement = tmp_path / "other/in/2026-04/resultat/U1_r.xlsx"
    original = period_module.add_staffing

    def add_staffing_then_replace(step, staff_sources):
        result = original(step, staff_sources)
        shutil.copyfile(replacement, u1)  # every file is already read
        return result

    monkeypatch.setattr(period_module, "add_staffing", add_staffing_then_replace)
    closed = CliRunner().invoke(main, ["close", "--config", str(config), "--period", "2026-04", "--no-excel", "-q"])
    assert closed.exit_code == 0, closed.output
    assert u1.read_bytes() == replacement.read_bytes() != read_bytes  # the file was replaced meanwhile
    with _store(config) as conn:
        sha = conn.execute("SELECT sha256 FROM input_files WHERE name LIKE '%U1_r.xlsx'").fetchone()[0]
        recorded = dict(((e, r), a) for e, r, a in conn.execute("SELECT entity, row, actual FROM income"))
    assert sha == hashlib.sha256(read_bytes).hexdigest()
    assert all(recorded[key] == value for key, value in expected.items() if key in recorded) and recorded
    monkeypatch.undo()
    again = _close(config, "2026-04")
    assert again.returncode == 1 and "U1_r.xlsx (ändrad)" in again.stderr, again.stderr


def test_a_region_folder_copied_whole_is_not_changed_inputs(tmp_path):
    """Files are matched by their path relative to the config (`../samples/...` too) and
    by their SHA-256: the same region closed again from a copied folder changes nothing,
    while a changed workbook there is still a change."""
    config = copy_samples(tmp_path / "a", periods=("2026-03",))
    first = run_cli("close", "--config", str(config), "--period", "2026-03", "--no-excel", "-q")
    assert first.returncode == 0, first.stderr
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    copied = tmp_path / "b" / "config" / "region.toml"
    again = run_cli("close", "--config", str(copied), "--period", "2026-03", "--no-excel", "-q")
    assert again.returncode == 0 and "samma indata" in again.stderr, again.stderr
    with sqlite3.connect(copied.parent / "region.history.sqlite") as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM input_files")]
        assert conn.execute("SELECT COUNT(*) FROM closes").fetchone()[0] == 1
    assert names and all(not os.path.isabs(n) for n in names)
    workbook = next((tmp_path / "b" / "samples" / "2026-03" / "resultat").glob("*.xlsx"))
    workbook.write_bytes(next(p for p in workbook.parent.glob("*.xlsx") if p != workbook).read_bytes())
    changed = run_cli("close", "--config", str(copied), "--period", "2026-03", "--no-excel", "-q")
    assert changed.returncode == 1 and f"{workbook.name} (ändrad)" in changed.stderr, changed.stderr


def test_same_inputs_matches_by_name_then_by_contents():
    from consolidate.outputs.history import InputFile, same_inputs

    a, b = InputFile("x/a.xlsx", "1" * 64, 1), InputFile("x/b.xlsx", "2" * 64, 1)
    moved = [InputFile("/old/x/a.xlsx", "1" * 64, 1), InputFile("/old/x/b.xlsx", "2" * 64, 1)]
    assert same_inputs(moved, [a, b]) and same_inputs([a, b], [a, b])
    swapped = [InputFile("x/a.xlsx", "2" * 64, 1), InputFile("x/b.xlsx", "1" * 64, 1)]
    assert not same_inputs([a, b], swapped)  # contents swapped under the names: a change
    assert not same_inputs([a, b], [a]) and not same_inputs([a], [a, b])
