"""Trends (SPEC §15): a region closed January to March and run for April has a trend
of four months in the JSON, on the Utveckling sheet and in the PDF's chart; closed
Decembers give `years`."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from helpers import income_rows, run_cli, write_region, write_workbook

ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM")]


def _month(root: Path, period: str, scale: int) -> None:
    for unit, revenue in (("U1", 100), ("U2", 40)):
        write_workbook(root / f"in/{period}/resultat/{unit}.xlsx", income_rows(unit, [
            (3010, "Intäkter", revenue * scale, 90 * scale, 80 * scale, 1200, 1250, 1100),
            (4010, "Löner", -60 * scale, -55 * scale, -50 * scale, -700, -720, -650)], period=period))


def test_four_months_in_the_json_the_sheet_and_the_pdf(tmp_path):
    config = write_region(tmp_path, ENTITIES)
    for month in range(1, 5):
        _month(tmp_path, f"2026-{month:02d}", month)
    for month in range(1, 4):
        closed = run_cli("close", "--config", str(config), "--period", f"2026-{month:02d}", "--no-excel", "-q")
        assert closed.returncode == 0, closed.stderr
    out = tmp_path / "april.json"
    done = run_cli("run", "--config", str(config), "--period", "2026-04", "--json", str(out), "--pdf", "-q")
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    result_row = [r for r in data["trend"] if r["entity"] == "REG" and r["row"] == "Resultat"]
    assert [r["period"] for r in result_row] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    for k, r in enumerate(result_row, start=1):  # (100 + 40 - 60 - 60) tkr times the month, in kr
        assert r["actual"] == 20_000 * k and r["var_budget"] == r["actual"] - r["budget"]
    assert {r["entity"] for r in data["trend"]} == {"REG", "ADM"}
    book = openpyxl.load_workbook(tmp_path / "out" / "2026-04" / "REG_2026-04.xlsx")
    sheet = book["Utveckling"]
    periods = [row[1] for row in sheet.iter_rows(values_only=True) if row[1] and str(row[1]).startswith("2026-")]
    assert periods[:4] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    from pypdf import PdfReader

    text = PdfReader(tmp_path / "out" / "2026-04" / "REG_2026-04.pdf").pages[0].extract_text()
    for month in ("jan", "feb", "mar", "apr"):
        assert month in text


def test_closed_decembers_give_years(tmp_path):
    config = write_region(tmp_path, ENTITIES)
    for period, scale in (("2024-12", 12), ("2025-12", 12), ("2026-01", 1)):
        _month(tmp_path, period, scale)
    for period in ("2024-12", "2025-12"):
        assert run_cli("close", "--config", str(config), "--period", period, "--no-excel", "-q").returncode == 0
    out = tmp_path / "jan.json"
    assert run_cli("run", "--config", str(config), "--period", "2026-01", "--no-excel", "--json", str(out)).returncode == 0
    years = json.loads(out.read_text(encoding="utf-8"))["years"]
    assert {(y["entity"], y["year"]) for y in years} == {(e, y) for e in ("REG", "ADM") for y in (2024, 2025)}
    assert all(y["actual"] == 240_000 for y in years)
