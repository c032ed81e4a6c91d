"""The Underlag sheet (SPEC §13): every source row of the run, as read (unit, account,
name, Motpart, line, the six measures in kr, file, sheet, row), filterable, not
printed, beside the Data sheets; text from the files stays text; a measure a file did
not deliver is an empty cell; an entity's workbook holds its units' rows only; more
rows than a sheet holds go on to "Underlag (2)"."""

from __future__ import annotations

import csv
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from helpers import INCOME_HEADER, run_cli, sample_config, write_region

PERIOD = "2026-04"
MEASURES = ["actual", "budget", "prior", "annual_budget", "forecast", "prior_full_year"]
HEADINGS = ["Enhet", "Enhetens namn", "Konto", "Benämning", "Motpart", "Rad", "Radens namn", "Utfall (kr)",
            "Budget (kr)", "Fg år (kr)", "Årsbudget (kr)", "Prognos (kr)", "Bokslut fg år (kr)", "Fil", "Blad",
            "Rad i filen"]
ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM"),
            ("ANN", "Annan förvaltning", "REG"), ("U3", "Enhet tre", "ANN")]
HOSTILE = ["=SUM(A1)", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]
# The files, in tkr: account, name, and the six measures (None: the file has no such column).
FILES = {
    "U1": (INCOME_HEADER, [("3011", HOSTILE[0], 100, 90, 80, 1200, 1250, 1100),
                           ("4011", HOSTILE[1], -60.5, -50, -40, -150, -160, -140),
                           ("5611", "Förbrukningsmaterial", -20.25, -30, -25, -90, -80, -85)]),
    "U2": ([h for h in INCOME_HEADER if h != "Prognos"], [("3011", HOSTILE[2], 40, 40, 30, 480, None, 400)]),
    "U3": (INCOME_HEADER, [("3011", HOSTILE[3], 10, 10, 10, 120, 130, 110),
                           ("4011", "Löner", -7, -8, -6, -24, -25, -23)]),
}


def _write(path: Path, unit: str, header: list[str], lines: list[tuple]) -> None:
    """An income workbook whose account names are text cells, also those starting with
    "=" or "+" (openpyxl would make such a value a formula)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Resultat"
    rows = [["Ansvar:", unit], [f"Period: {PERIOD}"], ["Belopp i tkr"], [], header]
    for account, name, *measures in lines:
        rows.append([account, name, *(m for m, h in zip(measures, INCOME_HEADER[2:]) if h in header)])
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    root = tmp_path_factory.mktemp("underlag")
    config = write_region(root, ENTITIES)
    for unit, (header, lines) in FILES.items():
        _write(root / "in" / PERIOD / "resultat" / f"{unit} resultat.xlsx", unit, header, lines)
    out = root / "out"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    return config, out / f"REG_{PERIOD}.xlsx"


def _underlag(path: Path, sheet: str = "Underlag") -> list[tuple]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    assert list(rows[0]) == HEADINGS
    return rows[1:]


def _expected_from_files() -> list[tuple]:
    """The rows as written into the files, worked out here: amounts in kr."""
    names = dict((code, name) for code, name, _ in ENTITIES)
    expected = []
    for unit, (_, lines) in FILES.items():
        for i, (account, name, *measures) in enumerate(lines):
            kr = [None if m is None else m * 1000 for m in measures]
            expected.append((unit, names[unit], account, name, *kr, f"in/{PERIOD}/resultat/{unit} resultat.xlsx",
                             "Resultat", 6 + i))
    return expected


def test_every_source_row_as_read_amounts_in_kr_and_text_stays_text(region):
    _, path = region
    rows = _underlag(path)
    got = [(r[0], r[1], r[2], r[3], *r[7:13], r[13], r[14], r[15]) for r in rows]
    assert got == _expected_from_files()  # exact: kr, unrounded; a measure not delivered is empty
    lines = {r[2]: (r[5], r[6]) for r in rows}
    assert lines["3011"] == ("int", "Intäkter") and lines["4011"] == ("lon", "Löner")
    assert lines["5611"] == ("ovr", "Övriga kostnader")
    book = openpyxl.load_workbook(path)
    ws = book["Underlag"]
    for row in ws.iter_rows(min_row=2):
        name = row[3]
        assert name.data_type == "s", (name.coordinate, name.value)  # never a formula
        assert all(cell.data_type != "f" for cell in row)
    assert {r[3] for r in rows} >= set(HOSTILE)


def test_underlag_equals_the_runs_source_rows_exactly(region):
    from consolidate.commands.session import load
    from consolidate.readers.tables import load_config

    config, path = region
    result, _ = load(load_config(config, PERIOD), PERIOD)
    source = result.source_rows
    rows = _underlag(path)
    assert len(rows) == len(source)
    for row, record in zip(rows, source.to_dict("records")):
        unit, _, account, name, counterparty, line, _, *rest = row
        amounts, (file, sheet, number) = rest[:6], rest[6:]
        assert (unit, account, name, counterparty or "", line) == (
            record["unit"], record["account"], record["name"], record["counterparty"] or "", record["line"])
        for got, key in zip(amounts, MEASURES):
            want = record[key]
            assert (got is None and math.isnan(want)) or got == want, (key, got, want)
        assert (sheet, number) == (record["sheet"], record["row"])
        assert file == Path(os.path.relpath(Path(record["file"]).resolve(), config.parent)).as_posix()


def test_filterable_frozen_not_printed_and_beside_the_data_sheets(region):
    _, path = region
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-2:] == ["Data", "Underlag"]
    ws = book["Underlag"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:P{ws.max_row}"
    area = ws.print_area.split("!")[1].replace("$", "")
    assert re.fullmatch(r"[A-Z]+1", area) and ws[area].value is None  # one empty cell: nothing prints
    assert openpyxl.utils.column_index_from_string(area[:-1]) > len(HEADINGS)
    assert "belopp i kr" in ws.oddFooter.left.text
    assert ws["H2"].number_format == book["Data"]["H2"].number_format  # kr, as on Data


def test_an_entity_workbook_holds_the_rows_of_its_units_only(region, tmp_path):
    config, _ = region
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--out", str(tmp_path), "--entity", "adm",
                   "--quiet")
    assert done.returncode == 0, done.stderr
    rows = _underlag(tmp_path / f"REG_ADM_{PERIOD}.xlsx")
    assert [r[:4] for r in rows] == [r[:4] for r in _expected_from_files() if r[0] in ("U1", "U2")]


def test_more_rows_than_a_sheet_holds_go_on_to_the_next(region, tmp_path, monkeypatch):
    from consolidate.commands.session import load
    from consolidate.outputs.excel import underlag, write_report
    from consolidate.readers.tables import load_config

    config, path = region
    result, _ = load(load_config(config, PERIOD), PERIOD)
    monkeypatch.setattr(underlag, "MAX_ROWS", 3)  # two source rows a sheet under the header
    split = write_report(result, tmp_path, "tkr")
    book = openpyxl.load_workbook(split)
    assert book.sheetnames[-3:] == ["Underlag", "Underlag (2)", "Underlag (3)"]
    rows = [r for name in book.sheetnames[-3:] for r in _underlag(split, name)]
    assert rows == _underlag(path)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_reads_every_row_in_its_columns(region, tmp_path):
    """The streamed rows carry no cell references: an empty cell (the Prognos U2 did
    not deliver) must not move the cells after it."""
    _, path = region
    done = subprocess.run(
        ["soffice", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", str(tmp_path),
         str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with open(tmp_path / f"REG_{PERIOD}-Underlag.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == HEADINGS
    u2 = next(r for r in rows if r[0] == "U2")
    assert u2[11] == "" and u2[12] == "400000" and u2[14:] == ["Resultat", "6"]
    assert {r[3] for r in rows[1:]} >= set(HOSTILE)


def test_the_samples_underlag_names_files_from_the_region_folder(tmp_path):
    config = sample_config()
    out = tmp_path / "out"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    rows = _underlag(out / f"REG_{PERIOD}.xlsx")
    assert len(rows) > 400
    assert all(re.fullmatch(rf"\.\./samples/{PERIOD}/resultat/[^/]+\.xlsx", r[13]) for r in rows), rows[0][13]
    assert all(isinstance(r[15], int | float) and r[15] >= 1 for r in rows)
