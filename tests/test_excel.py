"""The Excel workbook for distribution (SPEC §6), read back with openpyxl and checked
against the JSON export of the same run."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import CHART, income_rows, run_cli, sample_config, write_region, write_workbook

CONFIG = sample_config()  # a copy: never the developer's own store or lock beside the config
PERIOD = "2026-04"
MEASURES = ["actual", "budget", "var_budget", "prior", "var_prior", "forecast", "annual_budget",
            "var_forecast", "prior_full_year"]
HEADINGS = ["Utfall", "Budget", "Avvikelse", "Fg år", "Avv. fg år", "Prognos", "Årsbudget",
            "Avv. prognos", "Bokslut fg år"]
FACTOR = {"kr": 1.0, "tkr": 1_000.0, "mkr": 1_000_000.0}
# Values that round to zero show as 0, never -0: a section each for half a shown digit
# and more above and below zero, and one for the rest.
FORMAT = {"tkr": "[>=0.5]#,##0;[<=-0.5]-#,##0;0", "mkr": "[>=0.05]#,##0.0;[<=-0.05]-#,##0.0;0.0"}
FIXED = ["Driftredovisning", "Personal", "Personal per enhet", "Utveckling", "Internhandel", "Kontroller", "Data",
         "Underlag"]


def _run(tmp: Path, *extra: str) -> tuple[Path, dict]:
    out, json_path = tmp / "out", tmp / "run.json"
    done = run_cli("run", "--config", str(CONFIG), "--period", PERIOD, "--json", str(json_path),
                   "--out", str(out), "--quiet", *extra)
    assert done.returncode == 0, done.stderr
    return out, json.loads(json_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out, data = _run(tmp_path_factory.mktemp("excel"))
    path = out / f"REG_{PERIOD}.xlsx"
    return out, path, data, openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def sample_mkr(tmp_path_factory):
    out, data = _run(tmp_path_factory.mktemp("excel_mkr"), "--unit", "mkr")
    return data, openpyxl.load_workbook(out / f"REG_{PERIOD}_mkr.xlsx")  # not the configured unit: named so


@pytest.fixture(scope="module")
def result():
    from consolidate.core.period import consolidate_period
    from consolidate.readers.files import read_period
    from consolidate.readers.tables import load_config  # region.toml and the tables it names

    config = load_config(CONFIG, PERIOD)
    found = consolidate_period(config, PERIOD, *read_period(config, PERIOD))
    assert found.ok
    return found


def _income(data: dict) -> dict[tuple[str, str, str], dict]:
    return {(r["entity"], r["report"], r["row"]): r for r in data["income"]}


def _first_report(data: dict) -> str:
    return data["income"][0]["report"]


def _report_block(ws) -> list[tuple]:
    """The rows of the report table at the top of a report sheet."""
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[1] == "Utfall")
    assert list(rows[header][1:10]) == HEADINGS
    block = []
    for r in rows[header + 1:]:
        if r[0] is None:
            break
        block.append(r)
    return block


def _sheet_of(book, code: str):
    return next(ws for ws in book.worksheets if ws.title.split(" ")[0] == code)


def test_one_workbook_named_by_region_and_period_and_no_temp_files(sample):
    out, path, _, _ = sample
    assert path.is_file()
    assert sorted(p.name for p in out.iterdir()) == [f"REG_{PERIOD}.xlsx"]


def test_sheet_names(sample):
    _, _, data, book = sample
    admins = [e for e in data["entities"] if e["level"] == "administration"]
    expected_admins = [f"{e['code']} {e['name']}"[:31].rstrip() for e in admins]
    assert book.sheetnames == ["Region Exempel", *expected_admins, *FIXED]
    assert "HSF Hälso- och sjukvårdsförvalt" in book.sheetnames
    for name in book.sheetnames:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert len({n.casefold() for n in book.sheetnames}) == len(book.sheetnames)


def test_region_sheet_figures_equal_json(sample):
    _, _, data, book = sample
    income, report = _income(data), _first_report(data)
    block = _report_block(book["Region Exempel"])
    expected_rows = [r["row"] for r in data["income"] if r["entity"] == data["region"] and r["report"] == report]
    assert [r[0] for r in block] == expected_rows
    for row in block:
        record = income[(data["region"], report, row[0])]
        for value, key in zip(row[1:10], MEASURES):
            assert value * FACTOR["tkr"] == pytest.approx(record[key], abs=1e-6, rel=0), (row[0], key)


def test_administration_sheets_equal_json(sample):
    _, _, data, book = sample
    income, report = _income(data), _first_report(data)
    for entity in (e for e in data["entities"] if e["level"] == "administration"):
        block = _report_block(_sheet_of(book, entity["code"]))
        assert block, entity["code"]
        for row in block:
            record = income[(entity["code"], report, row[0])]
            for value, key in zip(row[1:10], MEASURES):
                assert value * 1000 == pytest.approx(record[key], abs=1e-6, rel=0)


def test_administration_sheet_lists_every_entity_below_it(sample):
    _, _, data, book = sample
    parent = {e["code"]: e["parent"] for e in data["entities"]}

    def under(code, admin):
        while code is not None:
            code = parent[code]
            if code == admin:
                return True
        return False

    ws = book["HSF Hälso- och sjukvårdsförvalt"]
    labels = [r[0] for r in ws.iter_rows(values_only=True) if isinstance(r[0], str)]
    below = [e for e in data["entities"] if under(e["code"], "HSF")]
    assert len(below) > 10
    for e in below:
        assert f"{e['code']} {e['name']}" in labels


def test_data_sheet_equals_json_exactly(sample):
    _, _, data, book = sample
    ws = book["Data"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["Period", "Enhet", "Namn", "Nivå", "Rapport", "Rad", "Mått", "Belopp (kr)"]
    names = {e["code"]: e["name"] for e in data["entities"]}
    expected = {}
    data_measures = [(k, h) for k, h in zip(MEASURES, HEADINGS) if not k.startswith("var_")]  # the six of SPEC §0
    for r in data["income"]:
        for key, heading in data_measures:
            expected[(r["entity"], r["report"], r["row"], heading)] = r[key]
    got = {}
    for period, code, name, level, report, row, measure, amount in rows[1:]:
        assert period == PERIOD and name == names[code] and level
        got[(code, report, row, measure)] = amount
    assert len(rows) - 1 == len(expected) == len(data["income"]) * 6
    assert got == expected  # exact: kr, unrounded


def test_driftredovisning_has_one_row_per_entity(sample):
    _, _, data, book = sample
    ws = book["Driftredovisning"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Kod")
    assert list(rows[header]) == ["Kod", "Namn", "Nivå", *HEADINGS, "Resultat i % av intäkter", "Kommentar"]
    body = rows[header + 1:]
    assert [r[0] for r in body] == [e["code"] for e in data["entities"]]
    report = _first_report(data)
    bottom = {}
    for r in data["income"]:
        if r["report"] == report:
            bottom[r["entity"]] = r
    for r in body:
        for value, key in zip(r[3:12], MEASURES):
            assert value * 1000 == pytest.approx(bottom[r[0]][key], abs=1e-6, rel=0)


def test_amount_cells_have_swedish_number_formats(sample, sample_mkr):
    _, _, _, book = sample
    ws = book["Region Exempel"]
    header = next(r for r in ws.iter_rows() if r[1].value == "Utfall")[0].row
    for cell in ws[header + 1][1:10]:
        assert isinstance(cell.value, float | int) and cell.number_format == FORMAT["tkr"]
    assert book["Data"]["H2"].number_format == FORMAT["tkr"]  # kr, whole kronor
    data, mkr = sample_mkr
    block = _report_block(mkr["Region Exempel"])
    region = _income(data)[(data["region"], _first_report(data), block[0][0])]
    assert block[0][1] * 1e6 == pytest.approx(region["actual"], abs=1e-6, rel=0)
    cell = next(r for r in mkr["Region Exempel"].iter_rows() if r[0].value == block[0][0])[1]
    assert cell.number_format == FORMAT["mkr"]
    assert mkr["Region Exempel"]["A3"].value == "Belopp i mkr"


def test_totals_bold_with_border_and_variances_marked(sample):
    _, _, _data, book = sample
    ws = book["Region Exempel"]
    cells = {r[0].value: r for r in ws.iter_rows() if isinstance(r[0].value, str)}
    total = cells["Resultat efter finansiella poster"]
    detail = cells["Skatteintäkter"]
    assert total[0].font.b and total[0].border.top.style == "thin" and total[1].font.b
    assert not detail[0].font.b and detail[0].border.top.style is None
    ranges = " ".join(str(cf.sqref) for cf in ws.conditional_formatting)
    for column in ("D", "F", "I"):  # Avvikelse, Avv. fg år, Avv. prognos
        assert f"{column}6:" in ranges
    rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
    assert rules and all(rule.operator == "lessThan" for rule in rules)


def test_frozen_panes(sample):
    _, _, _, book = sample
    assert book["Region Exempel"].freeze_panes == "B6"
    assert book["HSF Hälso- och sjukvårdsförvalt"].freeze_panes == "B6"
    assert book["Driftredovisning"].freeze_panes == "C6"
    assert book["Data"].freeze_panes == "A2"
    assert book["Data"].auto_filter.ref == f"A1:H{book['Data'].max_row}"


def test_print_setup(sample):
    _, _, _, book = sample
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, ws.title
        assert "Region Exempel" in ws.oddHeader.left.text and PERIOD in ws.oddHeader.right.text
    assert book["Region Exempel"].print_title_rows == "$5:$5"


def test_document_properties_and_chart(sample):
    from consolidate import __version__

    _, path, _, book = sample
    props = book.properties
    assert "Region Exempel" in props.title and PERIOD in props.subject
    assert __version__ in props.description
    assert abs(props.created - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(hours=1)
    with zipfile.ZipFile(path) as package:
        charts = [package.read(n).decode("utf-8") for n in package.namelist() if n.startswith("xl/charts/chart")]
    bars = [c for c in charts if "<c:barDir val=\"bar\"/>" in c]
    assert len(bars) == 1 and "Avvikelse" in bars[0]
    assert "'Region Exempel'!$D$" in bars[0]  # the Avvikelse column of the region sheet


def test_no_cell_is_a_formula(sample):
    _, _, _, book = sample
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


def shortened(message: str, files: list[str]) -> str:
    """A message about internal trade as the Kontroller sheet shows it: its files by
    their names only."""
    for file in sorted(files, key=len, reverse=True):
        message = message.replace(file, Path(file).name)
    return message


def test_checks_and_internal_trade_sheets(sample, result):
    _, _, data, book = sample
    checks = list(book["Kontroller"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(checks) if r[0] == "Allvarlighet")
    messages = [r[6] for r in checks[header + 1:]]
    files = {p.message: p.extra.get("files") or [] for p in result.problems}
    assert messages == [shortened(c["message"], files[c["message"]]) for c in data["checks"]]
    trade = [m for m, c in zip(messages, data["checks"]) if c["check"] == "internal_mismatch"]
    assert trade and all("/" not in m and ".xlsx" in m for m in trade)  # file names, not paths
    # above the problems: every check the run made (by its Swedish name), with its outcome
    from consolidate.problems import CHECKS

    start = next(i for i, r in enumerate(checks) if r[1] == "Kontroll")
    outcome = {r[1]: (r[2], r[3], r[0]) for r in checks[start + 1:header] if r[1]}
    assert outcome[CHECKS["internal_mismatch"]] == (0, 1, "Varning")
    assert outcome[CHECKS["control_total"]] == (0, 0, "OK") and outcome[CHECKS["unmapped_account"]] == (0, 0, "OK")
    mismatch = next(c for c in data["checks"] if c["check"] == "internal_mismatch")
    trade = list(book["Internhandel"].iter_rows(values_only=True))
    row = next(r for r in trade if r[0] == mismatch["party"] and r[2] == mismatch["counterparty"])
    assert row[7] * 1000 == pytest.approx(mismatch["difference"], abs=1e-6)
    eliminated = [r for r in trade if r[0] == "REG" and r[2] == "regers"]
    json_row = next(e for e in data["eliminations"] if e["entity"] == "REG" and e["line"] == "regers")
    assert eliminated and eliminated[0][4] * 1000 == pytest.approx(json_row["actual"], abs=1e-6)


def test_no_excel_writes_no_workbook(tmp_path):
    out = tmp_path / "out"
    done = run_cli("run", "--config", str(CONFIG), "--period", PERIOD, "--out", str(out), "--no-excel", "--quiet")
    assert done.returncode == 0, done.stderr
    assert not out.exists() or not list(out.iterdir())


HOSTILE = {
    "ADM": "=SUM(A1)",
    "U1": "+cmd|' /C calc'!A0",
    "U2": "Enhet\\u001b[2J två",  # TOML escape: an ESC character in the name
    "ADM2": "Vård & omsorg",
    "U3": "@SUM(1)",
}


def test_text_from_config_stays_text(tmp_path):
    entities = [("ADM", HOSTILE["ADM"], "REG"), ("U1", HOSTILE["U1"], "ADM"), ("U2", HOSTILE["U2"], "ADM"),
                ("ADM2", HOSTILE["ADM2"], "REG"), ("U3", HOSTILE["U3"], "ADM2")]
    chart = CHART.replace('"Övriga kostnader"', '"=1+2"')
    config = write_region(tmp_path, entities, chart=chart)
    for i, unit in enumerate(("U1", "U2", "U3")):
        lines = [("3011", "Intäkt", 100 + i, 90, 80, 300, 310, 290), ("4011", "Löner", -60, -50, -40, -150, -160, -140),
                 ("5611", "Övrigt", -20, -30, -25, -90, -80, -85)]
        write_workbook(tmp_path / "in" / PERIOD / "resultat" / f"{unit}_resultat.xlsx", income_rows(unit, lines))
        write_workbook(tmp_path / "in" / PERIOD / "personal" / f"{unit}_personal.xlsx", [
            ["Ansvar:", unit], [f"Period: {PERIOD}"], [],
            ["Personalgrupp", "Anställda", "Arbetad tid", "Ordinarie arbetstid", "Sjukfrånvaro"],
            ["Ssk", 3, 1800, 1900, 80],
        ], sheet="Personal")
    out = tmp_path / "out"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out / f"REG_{PERIOD}.xlsx")
    texts = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.setdefault(cell.value, []).append((ws.title, cell.data_type))
    for code in ("ADM", "U1", "ADM2", "U3"):
        assert HOSTILE[code] in texts, code
        assert all(kind == "s" for _, kind in texts[HOSTILE[code]])
    assert "=1+2" in texts  # a report row name from chart.toml
    assert "Enhet[2J två" in texts and not any("\x1b" in t for t in texts)
    drift = {r[0]: r[1] for r in book["Driftredovisning"].iter_rows(values_only=True)}
    assert drift["ADM"] == "=SUM(A1)" and drift["U1"] == "+cmd|' /C calc'!A0"
    adm2 = _sheet_of(book, "ADM2")
    assert "Vård && omsorg" in adm2.oddHeader.center.text
    assert sorted(p.name for p in out.iterdir()) == [f"REG_{PERIOD}.xlsx"]


def test_failed_write_leaves_previous_workbook_and_no_temp_file(result, tmp_path, monkeypatch):
    from consolidate.outputs.excel import kontroller
    from consolidate.outputs.excel import writer as excel

    first = excel.write_report(result, tmp_path, "tkr", None)
    before = first.read_bytes()

    def broken(book):
        raise RuntimeError("disk full")

    monkeypatch.setattr(kontroller, "write", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        excel.write_report(result, tmp_path, "tkr", None)
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name]
    assert first.read_bytes() == before


def test_creates_missing_directory_and_other_report(result, tmp_path):
    from consolidate.outputs.excel import writer as excel

    path = excel.write_report(result, tmp_path / "a" / "b", "kr", "Förenklad resultaträkning")
    assert path == tmp_path / "a" / "b" / f"REG_{PERIOD}_Förenklad resultaträkning_kr.xlsx"  # not the defaults
    ws = openpyxl.load_workbook(path)["Region Exempel"]
    assert ws["A2"].value.startswith("Förenklad resultaträkning")
    block = _report_block(ws)
    rows = result.rows
    expected = rows[(rows["entity"] == "REG") & (rows["report"] == "Förenklad resultaträkning")]
    assert [r[0] for r in block] == expected["row"].tolist()
    assert [r[1] for r in block] == pytest.approx(expected["actual"].tolist(), abs=1e-6, rel=0)


def test_many_entities_get_their_own_sheet(result, tmp_path, monkeypatch):
    from consolidate.outputs.excel import administrations
    from consolidate.outputs.excel import writer as excel

    monkeypatch.setattr(administrations, "MANY_BELOW", 5)
    book = openpyxl.load_workbook(excel.write_report(result, tmp_path, "tkr", None))
    assert "HSF enheter" in book.sheetnames
    assert book.sheetnames.index("HSF enheter") == book.sheetnames.index("HSF Hälso- och sjukvårdsförvalt") + 1
    own = [r[0] for r in book["HSF enheter"].iter_rows(values_only=True) if isinstance(r[0], str)]
    assert "1110 Akutmottagningen" in own and "Summa Hälso- och sjukvårdsförvaltningen" in own
    hsf = [r[0] for r in book["HSF Hälso- och sjukvårdsförvalt"].iter_rows(values_only=True) if isinstance(r[0], str)]
    assert "1110 Akutmottagningen" not in hsf
    assert any("HSF enheter" in label for label in hsf)


def _staffing() -> pd.DataFrame:
    from consolidate.vocabulary import STAFF_FIGURES

    base = {key: None for key in STAFF_FIGURES}
    base.update(headcount=120, headcount_prior=110, fte=101.5, fte_prior=99.0, sick_pct=5.5, sick_pct_prior=6.0,
                sick_short_pct=2.1, sick_short_pct_prior=2.4, long_sick_share_pct=30.0, long_sick_share_pct_prior=None,
                hired_hours=1500.0, hired_hours_prior=0.0, hours_worked=3000.0, hours_worked_prior=2900.0)
    return pd.DataFrame([
        {"entity": "REG", "by": None, "key": None, **base},
        {"entity": "HSF", "by": None, "key": None, **base, "fte": 80.25},
        {"entity": "HSF", "by": "gender", "key": "K", **base, "headcount": 90},
        {"entity": "RK", "by": None, "key": None, **base, "fte": 12.0},
    ])


def test_staffing_sheet(result, tmp_path, monkeypatch):
    from consolidate.outputs.excel import writer as excel

    monkeypatch.setattr(result, "staffing", _staffing(), raising=False)
    path = excel.write_report(result, tmp_path, "tkr", None)
    book = openpyxl.load_workbook(path)
    rows = list(book["Personal"].iter_rows(values_only=True))
    starts = [i for i, r in enumerate(rows[:-1]) if rows[i + 1][0] == "Arbetad tid (timmar) och årsarbetare"]
    assert [rows[i][0].split()[0] for i in starts] == ["REG", "HSF", "RK"]  # entities without figures: no block
    hsf = {r[0]: r[1:5] for r in rows[starts[1] + 2:starts[1] + 8]}
    assert hsf["Antal årsarbetare utifrån arbetad tid exkl jour/beredskap"] == (
        99.0, 80.25, pytest.approx(-18.75), pytest.approx(-100 * 18.75 / 99))
    assert hsf["Utförd arbetstid externt inhyrd personal"] == (0, 1500, 1500, "–")  # a change of 0: no %
    assert hsf["Utförd arbetstid resurspool"] == ("–",) * 4  # nobody delivered it: "–", not 0
    sick = {r[6]: r[7:9] for r in rows[starts[1] + 2:starts[2]] if r[6]}
    assert sick["Andel långtidssjukfrånvaro, 60 dagar eller mer (% av sjukfrånvaron)"] == ("–", 30.0)
    assert sick["Kvinnor"] == (6.0, 5.5) and sick["Män"] == ("–", "–")
    table = next(i for i, r in enumerate(rows) if r[0] == "Årsarbetare per förvaltning")
    assert [r[0] for r in rows[table + 1:table + 4]] == ["HSF Hälso- och sjukvårdsförvaltningen", "RK Regionkontoret",
                                                         "Totalt"]
    every = list(book["Personal per enhet"].iter_rows(values_only=True))
    assert [r[:5] for r in every[2:]] == [
        ("REG", "Region Exempel", "Region", "Totalt", None), ("HSF", "Hälso- och sjukvårdsförvaltningen",
                                                             "Förvaltning", "Totalt", None),
        ("HSF", "Hälso- och sjukvårdsförvaltningen", "Förvaltning", "Kön", "Kvinnor"),
        ("RK", "Regionkontoret", "Förvaltning", "Totalt", None)]
    with zipfile.ZipFile(path) as package:
        assert sum(n.startswith("xl/charts/chart") for n in package.namelist()) == 3  # and Utveckling's


def test_without_staffing_the_sheet_says_so(result, tmp_path, monkeypatch):
    from consolidate.outputs.excel import writer as excel

    monkeypatch.setattr(result, "staffing", None, raising=False)
    book = openpyxl.load_workbook(excel.write_report(result, tmp_path, "tkr", None))
    rows = list(book["Personal"].iter_rows(values_only=True))
    assert any(r[0] and "Inga personaluppgifter" in r[0] for r in rows)


@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_values_that_round_to_zero_show_as_zero_not_minus_zero(decimals):
    """The zero section covers exactly the values that round (half away from zero,
    as Excel rounds) to zero at the shown decimals; the others keep their sign."""
    import re

    from consolidate.formatting import round_half_away
    from consolidate.outputs.excel.style import shown

    above, below = (float(x) for x in re.match(r"\[>=([\d.]+)\].*;\[<=(-[\d.]+)\]", shown(decimals)).groups())
    step = 10.0 ** -decimals
    for k in range(-3000, 3001):
        value = k * step / 1000
        rounded = round_half_away(value, decimals)
        if value >= above:
            assert rounded >= step * 0.999
        elif value <= below:
            assert rounded <= -step * 0.999
        else:
            assert rounded == 0.0, value
