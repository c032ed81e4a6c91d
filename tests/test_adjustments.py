"""Top-side adjustments (SPEC §14): a controller's adjustments at an administration or
at the region count there and above, on their line, and nowhere else; they show in the
JSON, the terminal, the Justeringar sheet and `explain`; a bad row is an error naming
its cell; and the file is an input of the close."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from helpers import copy_samples, flat, income_rows, run_cli, sample_config, write_region, write_workbook

from consolidate.core.explain import explain
from consolidate.core.period import add_staffing, consolidate_income
from consolidate.outputs.excel import justeringar
from consolidate.outputs.excel.book import Book
from consolidate.readers.adjustments import read_period_adjustments
from consolidate.readers.files import read_period
from consolidate.readers.tables import load_config
from consolidate.vocabulary import MEASURES

PERIOD = "2026-04"
SETTING = 'adjustments = "../justeringar/{period}.xlsx"'
HEADER = ["Enhet", "Rad", "Konto", "Utfall", "Budget", "Prognos", "Text", "Signatur"]
# At an administration and at the region, in tkr: (entity, line, account, actual, budget, forecast, text, signature)
ROWS = [
    ["HSF", "lon", None, -1500, None, -4000, "Förvaltningsövergripande prognosjustering", "AB"],
    ["REG", None, "4610", 200.5, None, None, "Pensioner enligt KPA:s prognos i april", None],
    ["reg", "Skatteintäkter", None, 1234.567, 1000, 3000, "Skatteprognos april", "CD"],
]
EXPECTED = [  # the same in kr, as the JSON gives them
    ("HSF", "lon", {"actual": -1_500_000.0, "forecast": -4_000_000.0}),
    ("REG", "soc", {"actual": 200_500.0}),
    ("REG", "skatt", {"actual": 1_234_567.0, "budget": 1_000_000.0, "forecast": 3_000_000.0}),
]


def add_setting(config: Path, setting: str = SETTING) -> None:
    """region.toml with `[inputs] adjustments`."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[inputs]\n", f"[inputs]\n{setting}\n", 1), encoding="utf-8")


def adjustments_file(path: Path, rows: list[list], header: list = HEADER, unit: str = "tkr") -> Path:
    return write_workbook(path, [["Justeringar april"], [f"Period: {PERIOD}"], [f"Belopp i {unit}"], [], header,
                                 *rows], sheet="Justeringar")


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """The samples run with and without the adjustments: the JSON of each, and the
    adjusted run's stdout and region.toml."""
    root = tmp_path_factory.mktemp("adjusted")
    config = copy_samples(root, (PERIOD,))
    add_setting(config)
    adjustments_file(root / "justeringar" / f"{PERIOD}.xlsx", ROWS)
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(root / "with.json"),
                   "--no-excel")
    assert done.returncode == 0, done.stderr
    plain = run_cli("run", "--config", str(sample_config()), "--period", PERIOD, "--json", str(root / "without.json"),
                    "--no-excel", "--quiet")
    assert plain.returncode == 0, plain.stderr
    read = lambda name: json.loads((root / name).read_text(encoding="utf-8"))  # noqa: E731
    return config, done, read("with.json"), read("without.json")


def test_an_adjustment_counts_in_its_entity_and_above_and_nowhere_else(samples):
    config, _, adjusted, plain = samples
    chart = load_config(config, PERIOD).chart
    tree = load_config(config, PERIOD).tree
    before = {(r["entity"], r["report"], r["row"]): r for r in plain["income"]}
    changed = set()
    for row in adjusted["income"]:
        report = chart.report(row["report"])
        position = [r.name for r in report.rows].index(row["row"])
        weights = dict(zip(chart.line_codes, report.weights[position]))
        for measure in MEASURES:
            expected = sum(weights.get(line, 0.0) * amounts.get(measure, 0.0) for entity, line, amounts in EXPECTED
                           if row["entity"] in tree.chains[entity])
            difference = row[measure] - before[(row["entity"], row["report"], row["row"])][measure]
            assert difference == pytest.approx(expected, abs=0.001), (row["entity"], row["row"], measure)
            if difference:
                changed.add(row["entity"])
    assert changed == {"HSF", "REG"}  # the administration and the region; no unit, no other administration


def test_the_json_lists_every_adjustment_in_kr_with_its_cell(samples):
    _, _, adjusted, plain = samples
    assert plain["adjustments"] == []
    found = adjusted["adjustments"]
    assert [(a["entity"], a["line"]) for a in found] == [(e, line) for e, line, _ in EXPECTED]
    for record, (_, _, amounts), row, number in zip(found, EXPECTED, ROWS, (6, 7, 8)):
        assert set(record) == {"entity", "line", *MEASURES, "text", "signature", "file", "cell"}
        assert {m: v for m, v in record.items() if m in MEASURES and v is not None} == amounts
        assert record["text"] == row[6] and record["signature"] == row[7]
        assert record["file"].endswith(f"justeringar/{PERIOD}.xlsx") and record["cell"] == f"A{number}"


def test_the_terminal_shows_them_under_the_report_and_in_the_driftredovisning(samples):
    _, done, _, _ = samples
    out = flat(done.stdout)
    assert "Justeringar som ingår i Hälso- och sjukvårdsförvaltningen (HSF)" in out
    assert "Justeringar som ingår i Region Exempel (REG)" in out
    for row in ROWS:
        assert row[6] in out
    assert out.count("Övergripande justeringar") == 2  # the region's and HSF's own, each once


def test_explain_gives_the_adjustments_and_the_parts_add_up(samples, tmp_path):
    config, _, adjusted, _ = samples
    value = {(r["entity"], r["row"]): r for r in adjusted["income"] if r["report"] == "Resultaträkning"}
    for entity, row, measure, texts in (
        ("HSF", "Personalkostnader", "forecast", [ROWS[0][6]]),
        ("REG", "Personalkostnader", "actual", [ROWS[0][6], ROWS[1][6]]),
        ("REG", "Skatteintäkter", "var_budget", [ROWS[2][6]]),
        ("RK", "Personalkostnader", "actual", []),
    ):
        out = tmp_path / f"{entity}-{measure}.json"
        done = run_cli("explain", "--config", str(config), "--period", PERIOD, "--entity", entity, "--row", row,
                       "--measure", measure, "--json", str(out))
        assert done.returncode == 0, done.stderr
        found = json.loads(out.read_text(encoding="utf-8"))
        assert found["value"] == pytest.approx(value[(entity, row)][measure], abs=0.001)
        parts = (sum(s["amount"] for s in found["sources"]) + sum(e["amount"] for e in found["eliminations"])
                 + sum(a["amount"] for a in found["adjustments"]))
        assert parts == pytest.approx(found["value"], abs=0.005)
        assert sorted(a["text"] for a in found["adjustments"]) == sorted(texts)
        assert ("Justeringar" in done.stdout) == bool(texts)
    # a variance names both cells of the adjustment's row
    found = json.loads((tmp_path / "REG-var_budget.json").read_text(encoding="utf-8"))
    assert found["adjustments"][0]["cell"] == "D8, E8"
    assert found["adjustments"][0]["amount"] == pytest.approx(234_567.0)


def test_the_justeringar_sheet(samples, tmp_path):
    config, _, _, _ = samples
    result = _load(config)
    path = tmp_path / "j.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    justeringar.write(Book(workbook, result, "tkr", "Resultaträkning", dt.datetime(2026, 5, 4)))
    workbook.close()
    ws = openpyxl.load_workbook(path)["Justeringar"]
    rows = [row for row in ws.iter_rows(values_only=True) if any(v is not None for v in row)]
    header = rows.index(next(r for r in rows if r[0] == "Enhet"))
    assert rows[header][:10] == ("Enhet", "Namn", "Rad", "Radens namn", "Utfall", "Budget", "Fg år", "Årsbudget",
                                 "Prognos", "Bokslut fg år")
    shown = rows[header + 1:header + 4]
    assert [r[0] for r in shown] == ["REG", "REG", "HSF"]  # in tree order
    hsf = shown[2]
    assert hsf[2:5] == ("lon", "Löner", -1500) and hsf[8] == -4000 and hsf[5] is None  # Budget: not adjusted
    assert hsf[10:14] == (ROWS[0][6], "AB", f"../justeringar/{PERIOD}.xlsx", "A6")
    assert shown[1][4] == pytest.approx(1234.567)
    assert any("räknas i sin enhet och i varje nivå ovanför" in str(r[0]) for r in rows[header + 4:])


def _load(config: Path, period: str = PERIOD):
    loaded = load_config(config, period)
    income, staffing, found = read_period(loaded, period)
    return add_staffing(consolidate_income(loaded, period, income, found, read_period_adjustments(loaded, period)),
                        staffing)


# --- a small region: bad rows, CSV, units, the close ----------------------------------------

LINES = [("3010", "Intäkter", 1000, 900, 800, 2700, 2800, 2600), ("4010", "Löner", -600, -650, -500, -1800, -1900, -1700)]


def small_region(root: Path, rows: list[list] | None = None, header: list = HEADER, unit: str = "tkr") -> Path:
    config = write_region(root)
    add_setting(config, 'adjustments = "just/{period}.xlsx"')
    for code in ("U1", "U2"):
        write_workbook(root / "in" / PERIOD / "resultat" / f"{code}.xlsx", income_rows(code, LINES))
    if rows is not None:
        adjustments_file(root / "just" / f"{PERIOD}.xlsx", rows, header, unit)
    return config


def test_a_bad_row_is_an_error_naming_its_cell_and_nothing_is_written(tmp_path):
    config = small_region(tmp_path, [
        ["ADM", "lon", None, 10, None, None, "rätt", None],                 # row 6: fine
        ["XX", "lon", None, 10, None, None, "okänd enhet", None],           # 7
        ["ADM", "foo", None, 10, None, None, "okänd rad", None],            # 8
        ["ADM", None, "9999", 10, None, None, "okänt konto", None],         # 9
        ["ADM", "lon", None, 10, None, None, None, None],                   # 10: no text
        ["ADM", "lon", None, "1.234", None, None, "tvetydigt", None],       # 11
        ["ADM", "lon", None, None, None, None, "inget belopp", None],       # 12
        [None, "lon", None, 10, None, None, "ingen enhet", None],           # 13
        ["ADM", None, None, 10, None, None, "ingen rad", None],             # 14
        ["ADM", "lon", "3010", 10, None, None, "olika rader", None],        # 15
        ["ADM", "lon", None, "#N/A", None, None, "felvärde", None],         # 16
        ["ADM", "lon", "K401", 10, None, None, "inget konto", None],        # 17
    ])
    out = tmp_path / "checks.json"
    done = run_cli("validate", "--config", str(config), "--period", PERIOD, "--json", str(out))
    assert done.returncode == 1
    checks = [c for c in json.loads(out.read_text(encoding="utf-8"))["checks"] if c["check"] == "adjustment"]
    cells = {c["cell"]: c["message"] for c in checks}
    assert all(c["severity"] == "error" and c["file"].endswith(f"just/{PERIOD}.xlsx") and c["sheet"] == "Justeringar"
               for c in checks)
    expected = {"A7": "'XX' finns inte i organisationsträdet", "B8": "'foo' finns inte i kontoplanen",
                "C9": "kontot 9999 finns inte i kontoplanen", "G10": "Text saknas", "D11": "tvetydigt",
                "D12": "inget belopp", "A13": "Enhet saknas", "B14": "Rad eller Konto saknas",
                "C15": "anger olika rader", "D16": "#N/A", "C17": "inget konto"}
    for cell, words in expected.items():
        assert words in cells.get(cell, ""), (cell, cells)
    assert set(cells) == set(expected)  # the good row is no problem
    done = run_cli("run", "--config", str(config), "--period", PERIOD)
    assert done.returncode == 1 and "cell A7" in flat(done.stderr)
    assert not (tmp_path / "out").exists()


def test_a_csv_file_in_the_files_unit_and_an_adjustment_at_a_unit(tmp_path):
    config = small_region(tmp_path)
    (tmp_path / "just").mkdir()
    (tmp_path / "just" / f"{PERIOD}.csv").write_bytes(
        'Belopp i tkr\nEnhet;Rad;Utfall;Prognos;Text\nu1;lon;-1 500,5;(200);"Lönerevision; retroaktiv"\n'
        "ADM;int;2 000;;Statsbidrag\n".encode("cp1252"))  # Windows-1252, as Excel's plain CSV
    config.write_text(config.read_text(encoding="utf-8").replace("just/{period}.xlsx", "just/{period}.csv"),
                      encoding="utf-8")
    out = tmp_path / "out.json"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(out), "--no-excel")
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [(a["entity"], a["line"], a["actual"], a["forecast"], a["cell"]) for a in data["adjustments"]] == [
        ("U1", "lon", -1_500_500.0, -200_000.0, "A3"), ("ADM", "int", 2_000_000.0, None, "A4")]
    result = {(r["entity"], r["row"]): r for r in data["income"] if r["report"] == "Resultaträkning"}
    assert result[("U1", "Löner")]["actual"] == -600_000 - 1_500_500  # at the unit, beside its rows
    assert result[("U2", "Löner")]["actual"] == -600_000
    assert result[("ADM", "Intäkter")]["actual"] == 2 * 1_000_000 + 2_000_000
    assert result[("REG", "Resultat")]["actual"] == 2 * 400_000 - 1_500_500 + 2_000_000
    # the unit's own rows are as they were: explain lists them apart from the adjustment
    loaded = _load(config)
    found = explain(loaded, "U1", None, "Löner", "actual")
    assert found.sources["amount"].tolist() == [-600_000.0]
    assert [a["amount"] for a in found.adjustments] == [-1_500_500.0] and found.parts_sum == found.value


def test_a_period_without_the_file_has_no_adjustments(tmp_path):
    config = small_region(tmp_path)
    out = tmp_path / "out.json"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(out), "--no-excel")
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["adjustments"] == []
    assert "Justeringar" not in done.stdout


def test_the_file_is_an_input_of_the_close(tmp_path):
    config = small_region(tmp_path, [["ADM", "lon", None, -10, None, None, "första", None]])
    close = lambda *more: run_cli("close", "--config", str(config), "--period", PERIOD, "--no-excel", "-q", *more)  # noqa: E731
    assert close().returncode == 0
    out = tmp_path / "closed.json"  # explained from the store alone: the adjustment is kept with the close
    done = run_cli("explain", "--config", str(config), "--period", PERIOD, "--entity", "REG", "--row", "Löner",
                   "--closed", "--json", str(out))
    assert done.returncode == 0, done.stderr
    found = json.loads(out.read_text(encoding="utf-8"))
    assert [(a["entity"], a["amount"], a["text"]) for a in found["adjustments"]] == [("ADM", -10_000.0, "första")]
    assert found["value"] == -1_210_000.0 and sum(x["amount"] for x in found["sources"]) == -1_200_000.0
    again = close()
    assert again.returncode == 0 and "redan stängd" in flat(again.stderr)
    adjustments_file(tmp_path / "just" / f"{PERIOD}.xlsx", [["ADM", "lon", None, -20, None, None, "ändrad", None]])
    refused = close()
    assert refused.returncode == 1 and f"just/{PERIOD}.xlsx" in flat(refused.stderr)
    assert close("--reopen", "--reason", "Ny justering").returncode == 0
    history = run_cli("history", "--config", str(config), "--period", PERIOD)
    assert history.returncode == 0
    text = flat(history.stdout)
    assert "Version 2" in text and f"just/{PERIOD}.xlsx" in text and "Löner, Utfall: -1 210 → -1 220" in text
    (tmp_path / "just" / f"{PERIOD}.xlsx").unlink()  # taking the adjustments away is a change too
    assert close().returncode == 1


def test_an_adjustment_of_a_measure_nobody_delivered_is_not_empty(tmp_path):
    config = write_region(tmp_path)
    add_setting(config, 'adjustments = "just/{period}.xlsx"')
    header = ["Konto", "Benämning", "Utfall", "Budget"]  # no Prognos column anywhere
    for code in ("U1", "U2"):
        write_workbook(tmp_path / "in" / PERIOD / "resultat" / f"{code}.xlsx",
                       [["Ansvar:", code], ["Belopp i tkr"], header, ["4010", "Löner", -600, -650]])
    adjustments_file(tmp_path / "just" / f"{PERIOD}.xlsx", [["ADM", "lon", None, None, None, -100, "prognos", None]])
    out = tmp_path / "out.json"
    assert run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(out), "--no-excel").returncode == 0
    rows = {(r["entity"], r["row"]): r for r in json.loads(out.read_text(encoding="utf-8"))["income"]
            if r["report"] == "Resultaträkning"}
    assert rows[("ADM", "Löner")]["forecast"] == -100_000 and rows[("REG", "Löner")]["forecast"] == -100_000
    assert rows[("U1", "Löner")]["forecast"] is None  # the units' own: nobody delivered it
    assert math.isclose(rows[("ADM", "Löner")]["actual"], -1_200_000)


def test_the_workbook_of_a_run_has_the_sheet_only_where_the_region_has_adjustments(tmp_path):
    config = small_region(tmp_path / "with", [["ADM", "lon", None, -10, None, None, "Lönerevision", "AB"]])
    assert run_cli("run", "--config", str(config), "--period", PERIOD, "-q").returncode == 0
    book = openpyxl.load_workbook(next((tmp_path / "with" / "out" / PERIOD).glob("*.xlsx")))
    rows = [r for r in book["Justeringar"].iter_rows(values_only=True) if r[0] == "ADM"]
    assert [(r[0], r[2], r[4], r[10], r[11]) for r in rows] == [("ADM", "lon", -10, "Lönerevision", "AB")]
    drift = list(book["Driftredovisning"].iter_rows(values_only=True))
    head = next(r for r in drift if r[0] == "Kod")
    comment = {r[0]: r[head.index("Kommentar")] for r in drift[drift.index(head) + 1:]}
    assert comment["ADM"] == "Justering Löner: Lönerevision" and comment["U1"] is None
    plain = write_region(tmp_path / "plain")
    for code in ("U1", "U2"):
        write_workbook(tmp_path / "plain" / "in" / PERIOD / "resultat" / f"{code}.xlsx", income_rows(code, LINES))
    assert run_cli("run", "--config", str(plain), "--period", PERIOD, "-q").returncode == 0
    book = openpyxl.load_workbook(next((tmp_path / "plain" / "out" / PERIOD).glob("*.xlsx")))
    assert "Justeringar" not in book.sheetnames
