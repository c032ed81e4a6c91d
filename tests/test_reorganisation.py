"""A reorganisation (SPEC §11): the samples' Kommunikation (RK500) moves from
Regionkontoret to Regional utveckling from 2026-04. Each period rolls up with its own
tree, prior-year columns included; the history store records the tree of each close,
and the change since the previous close is left out (null) for the administrations whose
units differ, and said once, while every other entity is compared as before."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

import pytest
from helpers import assert_no_traceback, copy_samples, run_cli, sample_config

from consolidate.outputs.history import SCHEMA_VERSION

MEASURES = ("actual", "budget", "prior", "annual_budget", "forecast", "prior_full_year")
UNIT, BEFORE, AFTER = "RK500", "RK", "RU"  # as samples/generate.py's MOVED says
STORE = "region.history.sqlite"


def _generator_moved() -> dict:
    import importlib.util
    import sys

    from helpers import ROOT

    spec = importlib.util.spec_from_file_location("sample_generator_moved", ROOT / "samples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.MOVED


def test_the_sample_reorganisation_is_the_one_these_tests_expect():
    assert _generator_moved() == {"unit": UNIT, "before": BEFORE, "after": AFTER, "from": "2026-04"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    found = {}
    for period in ("2026-03", "2026-04"):
        out = tmp_path_factory.mktemp("reorg") / f"{period}.json"
        done = run_cli("run", "--config", str(sample_config()), "--period", period, "--no-excel", "-q",
                       "--json", str(out))
        assert done.returncode == 0, done.stderr
        found[period] = json.loads(out.read_text(encoding="utf-8"))
    return found


def _parents(data: dict) -> dict[str, str | None]:
    return {e["code"]: e["parent"] for e in data["entities"]}


def test_the_unit_is_under_one_administration_in_march_and_another_in_april(runs):
    assert _parents(runs["2026-03"])[UNIT] == BEFORE
    assert _parents(runs["2026-04"])[UNIT] == AFTER


@pytest.mark.parametrize("period", ["2026-03", "2026-04"])
def test_each_administration_is_the_sum_of_its_units_in_that_periods_tree(runs, period):
    """The result row (every line, the difference line too) and the staff of an
    administration are those of the units the period's tree puts under it, prior-year
    columns included."""
    data = runs[period]
    parent = _parents(data)
    region = data["region"]

    def administration(code: str) -> str:
        while parent[code] != region:
            code = parent[code]
        return code

    children = {p for p in parent.values() if p}
    units = [code for code in parent if code not in children and code != region]
    report = data["income"][0]["report"]
    result = {}
    for row in data["income"]:
        if row["report"] == report:
            result[row["entity"]] = row  # the last row of the report: the result
    expected: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0.0))
    staff: dict[str, float] = defaultdict(float)
    headcount = {r["entity"]: r["headcount"] for r in data["staffing"] if r["by"] is None}
    for unit in units:
        for m in MEASURES:
            expected[administration(unit)][m] += result[unit][m] or 0.0
        staff[administration(unit)] += headcount.get(unit) or 0
    administrations = [code for code, p in parent.items() if p == region]
    assert AFTER in administrations and BEFORE in administrations
    for code in administrations:
        for m in MEASURES:
            assert result[code][m] == pytest.approx(expected[code][m], abs=0.01), (period, code, m)
        assert headcount[code] == pytest.approx(staff[code]), (period, code)
    # the unit's own figures, prior year included, are in its new administration's in April
    moved = result[UNIT]
    assert moved["prior"] and moved["actual"]
    if period == "2026-04":
        assert expected[AFTER]["prior"] == pytest.approx(
            sum(result[u]["prior"] for u in units if administration(u) == AFTER), abs=0.01)
        assert UNIT in [u for u in units if administration(u) == AFTER]


@pytest.mark.parametrize("period", ["2026-03", "2026-04"])
def test_the_region_is_the_sum_of_its_administrations_in_either_tree(runs, period):
    data = runs[period]
    parent = _parents(data)
    report = data["income"][0]["report"]
    result = {r["entity"]: r for r in data["income"] if r["report"] == report}  # the last row of each
    administrations = [code for code, p in parent.items() if p == data["region"]]
    for m in MEASURES:
        total = sum(result[code][m] or 0.0 for code in administrations)
        assert result[data["region"]][m] == pytest.approx(total, abs=0.01), (period, m)


def test_closing_across_the_reorganisation(tmp_path):
    config = copy_samples(tmp_path)
    march = run_cli("close", "--config", str(config), "--period", "2026-03", "--no-excel", "-q")
    assert march.returncode == 0, march.stderr
    assert "organisationen har ändrats" not in march.stderr
    out = tmp_path / "april.json"
    april = run_cli("close", "--config", str(config), "--period", "2026-04", "--no-excel", "-q", "--json", str(out))
    assert april.returncode == 0, april.stderr
    assert_no_traceback(april)
    # said once, naming the two administrations
    assert april.stderr.count("organisationen har ändrats sedan den stängda 2026-03") == 1, april.stderr
    note = next(line for line in april.stderr.splitlines() if "organisationen har ändrats" in line)
    assert BEFORE in note and AFTER in note
    data = json.loads(out.read_text(encoding="utf-8"))
    regrouped = {BEFORE, AFTER}
    for row in data["income"]:
        if row["entity"] in regrouped:
            assert row["previous_close"] is None, row
        else:  # the region, the other administrations, the groups and every unit, the moved one too
            assert row["previous_close"] and row["previous_close"]["period"] == "2026-03", row
    # the comparison is March's own figures
    with sqlite3.connect(tmp_path / "config" / STORE) as conn:
        march_actual = dict(conn.execute(
            "SELECT i.entity, i.actual FROM income i JOIN closes c ON c.id = i.close_id WHERE c.period = '2026-03' "
            "AND i.row = 'Personalkostnader' AND i.report = 'Resultaträkning'").fetchall())
        trees = conn.execute("SELECT c.period, t.parent FROM close_tree t JOIN closes c ON c.id = t.close_id "
                             "WHERE t.code = ?", (UNIT,)).fetchall()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert sorted(trees) == [("2026-03", BEFORE), ("2026-04", AFTER)]
    rows = {r["entity"]: r for r in data["income"] if r["row"] == "Personalkostnader" and r["report"] == "Resultaträkning"}
    for entity in ("REG", "HSF", UNIT):
        assert rows[entity]["previous_close"]["actual"] == pytest.approx(march_actual[entity])
    # a run of April afterwards says it too, and the history lists both closes
    again = run_cli("run", "--config", str(config), "--period", "2026-04", "--no-excel", "-q")
    assert again.returncode == 0 and again.stderr.count("organisationen har ändrats") == 1, again.stderr
    history = run_cli("history", "--config", str(config))
    assert history.returncode == 0 and "2026-03" in history.stdout and "2026-04" in history.stdout
    assert run_cli("history", "--config", str(config), "--period", "2026-04").returncode == 0


def test_a_close_of_a_store_without_trees_is_compared_as_before(tmp_path):
    """A store of schema 2 (no trees recorded): brought up to date, and its closes
    compared with every entity, as before trees were recorded."""
    config = copy_samples(tmp_path)
    march = run_cli("close", "--config", str(config), "--period", "2026-03", "--no-excel", "-q")
    assert march.returncode == 0, march.stderr
    with sqlite3.connect(tmp_path / "config" / STORE) as conn:  # as a store of schema 2 is
        conn.execute("DROP TABLE close_tree")
        conn.execute("PRAGMA user_version = 2")
    out = tmp_path / "april.json"
    april = run_cli("run", "--config", str(config), "--period", "2026-04", "--no-excel", "-q", "--json", str(out))
    assert april.returncode == 0, april.stderr
    assert "organisationen har ändrats" not in april.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert all(r["previous_close"] and r["previous_close"]["period"] == "2026-03" for r in data["income"])
    with sqlite3.connect(tmp_path / "config" / STORE) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT COUNT(*) FROM close_tree").fetchone()[0] == 0


def test_a_changed_organisation_table_is_a_changed_input_of_a_closed_period(tmp_path):
    import openpyxl

    config = copy_samples(tmp_path, periods=("2026-03",))
    assert run_cli("close", "--config", str(config), "--period", "2026-03", "--no-excel", "-q").returncode == 0
    with sqlite3.connect(tmp_path / "config" / STORE) as conn:
        names = {name for (name,) in conn.execute("SELECT name FROM input_files")}
    assert {"organisation.xlsx", "kontoplan.xlsx", "region.toml", "chart.toml"} <= names
    table = tmp_path / "config" / "organisation.xlsx"
    book = openpyxl.load_workbook(table)
    book.active["B2"] = "Hälso- och sjukvården"
    book.save(table)
    again = run_cli("close", "--config", str(config), "--period", "2026-03", "--no-excel", "-q")
    assert again.returncode == 1 and "organisation.xlsx (ändrad)" in again.stderr, again.stderr
