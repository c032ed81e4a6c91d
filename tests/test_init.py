"""`consolidate init` (SPEC §11): a new region from a month's deliveries. On the samples:
init, the parents filled in as a user would in Excel, and the run gives the sample
config's figures. What init cannot decide is left empty and listed; it never writes
over a region."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from helpers import ROOT, assert_no_traceback, copy_samples, income_rows, run_cli, write_workbook

from consolidate.commands.init import init_command

PERIOD = "2026-04"
MEASURES = ("actual", "budget", "prior", "annual_budget", "forecast", "prior_full_year")


def init(income: str, staffing: str | None, directory: Path, cwd: Path) -> subprocess.CompletedProcess:
    """init as a process of its own, as the command line runs it."""
    code = ("import sys; from pathlib import Path; from consolidate.commands.init import init_command; "
            f"sys.exit(init_command({income!r}, {staffing!r}, Path({str(directory)!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert_no_traceback(done)
    return done


def rows_of(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))


def sample_tree(period: str) -> dict[str, tuple]:
    """The sample organisation table's rows valid in the period: code -> (name, parent, motpart)."""
    found = {}
    header, *rows = rows_of(ROOT / "config" / "organisation.xlsx")
    assert header[:6] == ("Kod", "Namn", "Förälder", "Motpart", "Från", "Till")
    for code, name, parent, motpart, start, end in rows:
        if (start is None or start <= period) and (end is None or period <= end):
            found[code] = (name, parent, motpart)
    return found


def fill_in_parents(organisation: Path, period: str) -> None:
    """What a user does in Excel: the parent of every unit init found, and a row for
    each administration and group above them."""
    tree = sample_tree(period)
    book = openpyxl.load_workbook(organisation)
    sheet = book.active
    listed = set()
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        listed.add(code)
        row[2].value = tree[code][1]
    for code, (name, parent, motpart) in tree.items():
        if code not in listed:
            sheet.append([code, name, parent, motpart])
    book.save(organisation)


def run_json(config: Path, out: Path, cwd: Path) -> dict:
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel", "-q", "--json", str(out), cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_init_on_the_samples_then_the_parents_gives_the_sample_figures(tmp_path):
    config = copy_samples(tmp_path, periods=(PERIOD,))
    done = init(f"samples/{PERIOD}/resultat/*.xlsx", f"samples/{PERIOD}/personal/*.xlsx", tmp_path / "ny", tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "30 enheter" in out and "Förälder" in out and f"--period {PERIOD}" in out
    new = tmp_path / "ny"
    assert sorted(p.name for p in new.iterdir()) == ["chart.toml", "kontoplan.xlsx", "organisation.xlsx", "region.toml"]
    region = new / "region.toml"
    assert 'income = "../samples/{period}/resultat/*.xlsx"' in region.read_text(encoding="utf-8")
    header, *units = rows_of(new / "organisation.xlsx")
    assert header == ("Kod", "Namn", "Förälder", "Motpart", "Från", "Till")
    sample = sample_tree(PERIOD)
    parents = {parent for _, parent, _ in sample.values()}
    assert sorted(row[0] for row in units) == sorted(code for code in sample if code not in parents)
    assert all(row[2] is None for row in units)  # Förälder: empty, to be filled in
    named = {row[0]: row[1] for row in units if row[1]}
    assert named["1211"] == "Hälsocentralen Söder" and named["RK200"] == "Regional IT"  # from file names
    _, *accounts = rows_of(new / "kontoplan.xlsx")
    assert {row[0]: row[1] for row in accounts}["4011"] == "personal"
    assert all(row[1] for row in accounts)  # every sample account has a class that suggests a line

    # before the parents are filled in: a configuration error naming the table
    first = run_cli("run", "--config", str(region), "--period", PERIOD, "--no-excel", cwd=tmp_path)
    assert first.returncode == 2 and "organisation.xlsx: rad 2, kolumn C (Förälder)" in first.stderr

    fill_in_parents(new / "organisation.xlsx", PERIOD)
    ours = run_json(region, tmp_path / "ny.json", tmp_path)
    theirs = run_json(config, tmp_path / "sample.json", tmp_path)
    assert {e["code"]: e["parent"] for e in ours["entities"]} == {e["code"]: e["parent"] for e in theirs["entities"]}

    def results(data: dict) -> dict[str, dict]:
        report = data["income"][0]["report"]
        return {r["entity"]: r for r in data["income"] if r["report"] == report}  # the last row: the result

    mine, sample_results = results(ours), results(theirs)
    assert mine.keys() == sample_results.keys()
    for entity, row in sample_results.items():
        for m in MEASURES:
            assert mine[entity][m] == pytest.approx(row[m], abs=0.005), (entity, m)

    def staffing(data: dict) -> dict[tuple, dict]:  # the tree's order differs: rows by entity, not by place
        return {(r["entity"], r["by"], r["key"]): r for r in data["staffing"]}

    assert staffing(ours) and staffing(ours) == staffing(theirs)


def test_what_init_cannot_decide_is_left_empty_and_listed(tmp_path):
    rows = income_rows("U1 Enhet ett", [(3010, "Intäkter", 5, 5, 5, 5, 5, 5), (1930, "Bank", 1, 1, 1, 1, 1, 1),
                                        (8910, "Skatt på årets resultat", 1, 1, 1, 1, 1, 1)])
    write_workbook(tmp_path / "in/2026-04/U1_resultat.xlsx", rows)
    write_workbook(tmp_path / "in/2026-04/export.xlsx", income_rows(None, [(4011, "Löner", 1, 1, 1, 1, 1, 1)]))
    (tmp_path / "in/2026-04/trasig.xlsx").write_text("ingen arbetsbok", encoding="utf-8")
    code = init_command(str(tmp_path / "in/2026-04/*.xlsx"), None, tmp_path / "ny")
    assert code == 0
    _, *units = rows_of(tmp_path / "ny" / "organisation.xlsx")
    assert units == [("U1", "Enhet ett", None, None, None, None)]
    lines = {row[0]: row[1] for row in rows_of(tmp_path / "ny" / "kontoplan.xlsx")[1:]}
    assert lines == {"1930": None, "3010": "intakter", "4011": "personal", "8910": None}
    text = (tmp_path / "ny" / "region.toml").read_text(encoding="utf-8")
    assert 'income = "../in/{period}/*.xlsx"' in text


def test_the_list_of_what_to_fill_in(tmp_path):
    write_workbook(tmp_path / "in/2026-04/U1_resultat.xlsx",
                   income_rows("U1", [(3010, "Intäkter", 5, 5, 5, 5, 5, 5), (1930, "Bank", 1, 1, 1, 1, 1, 1)]))
    write_workbook(tmp_path / "in/2026-04/export.xlsx", income_rows(None, [(4011, "Löner", 1, 1, 1, 1, 1, 1)]))
    (tmp_path / "in/2026-04/trasig.xlsx").write_text("ingen arbetsbok", encoding="utf-8")
    done = init("in/2026-04/*.xlsx", None, tmp_path / "ny", tmp_path)
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "Rad saknas för 1 konto: 1930" in out
    assert "Namn saknas för 1 enhet: U1" in out
    assert "inte anger någon enhet: in/2026-04/export.xlsx" in out
    assert "Lästes inte: in/2026-04/trasig.xlsx" in out
    assert "--period 2026-04" in out


def test_init_never_writes_over_a_region(tmp_path):
    write_workbook(tmp_path / "in/2026-04/U1_resultat.xlsx", income_rows("U1", [(3010, "Intäkter", 1, 1, 1, 1, 1, 1)]))
    new = tmp_path / "ny"
    new.mkdir()
    (new / "region.toml").write_text("# min egen\n", encoding="utf-8")
    done = init("in/2026-04/*.xlsx", None, new, tmp_path)
    assert done.returncode == 2 and "region.toml finns redan" in done.stderr
    assert (new / "region.toml").read_text(encoding="utf-8") == "# min egen\n"
    assert sorted(p.name for p in new.iterdir()) == ["region.toml"]


def test_init_without_income_statements(tmp_path):
    done = init("in/*.xlsx", None, tmp_path / "ny", tmp_path)
    assert done.returncode == 2 and "inga resultatfiler" in done.stderr
    assert not (tmp_path / "ny").exists()
