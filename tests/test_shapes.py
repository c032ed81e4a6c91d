"""Regions of other shapes: a deep tree, a unit straight under the region, one ledger
export and one HR export for every unit, no internal trade at all."""

from __future__ import annotations

import json

import pytest
from helpers import run_cli, write_region, write_workbook

DEEP = [
    ("A", "Förvaltning A", "REG"), ("A1", "Nivå 1", "A"), ("A2", "Nivå 2", "A1"), ("A3", "Nivå 3", "A2"),
    ("A4", "Nivå 4", "A3"), ("U1", "Djup enhet", "A4"), ("U2", "Grund enhet", "A1"),
    ("U3", "Enhet direkt under regionen", "REG"),
]


def test_deep_tree_and_ledger_exports_for_every_unit(tmp_path):
    config = write_region(tmp_path, DEEP, staffing=True, amount_unit="kr")
    ledger = [["Ansvar", "Konto", "Utfall", "Budget"]]
    figures = {"U1": (1_000, -400), "U2": (500, -700), "U3": (250, -50)}
    for unit, (revenue, cost) in figures.items():
        ledger += [[f"{unit} namn", 3010, revenue, revenue], [unit, 4010, cost, cost]]
    ledger.append(["Summa", None, sum(r + c for r, c in figures.values()), sum(r + c for r, c in figures.values())])
    write_workbook(tmp_path / "in/2026-04/resultat/huvudbok.xlsx", [["Period: 2026-04"], ["Belopp i kr"], *ledger])
    hr = [["Enhet", "Kön", "Arbetad tid", "Ordinarie arbetstid", "Sjukfrånvaro"],
          ["U1", "K", 575, 600, 30], ["U2", "M", 1150, 1200, 12], ["U3", "K", 0, 0, 0]]
    write_workbook(tmp_path / "in/2026-04/personal/hr.xlsx", hr, sheet="Personal")
    out = tmp_path / "out.json"
    done = run_cli("run", "--config", str(config), "--period", "2026-04", "--no-excel", "--json", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    levels = {e["code"]: e["level"] for e in data["entities"]}
    assert levels["A3"] == "group" and levels["U1"] == "unit" and levels["U3"] == "administration"
    result = {r["entity"]: r["actual"] for r in data["income"] if r["row"] == "Resultat"}
    assert result["A4"] == result["A3"] == result["A2"] == result["U1"] == 600
    assert result["A1"] == result["A"] == 600 - 200
    assert result["REG"] == 600 - 200 + 200
    staff = {(r["entity"], r["by"], r["key"]): r for r in data["staffing"]}
    assert staff[("A", None, None)]["fte"] == pytest.approx((575 + 1150) / 575)
    assert staff[("REG", None, None)]["sick_pct"] == pytest.approx(100 * 42 / 1800)
    assert staff[("U3", None, None)]["sick_pct"] is None
    assert staff[("A", "gender", "K")]["fte"] == pytest.approx(1.0)
    assert data["eliminations"] == [] and not [c for c in data["checks"] if c["severity"] == "error"]
    assert "Nivå 4" not in done.stdout  # by default: the region and its administrations
    subtree = run_cli("run", "--config", str(config), "--period", "2026-04", "--no-excel", "--entity", "A")
    assert subtree.returncode == 0 and "Nivå 4 (A4)" in subtree.stdout and "Djup enhet" in subtree.stdout
