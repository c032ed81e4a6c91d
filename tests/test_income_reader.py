"""SPEC §1 (income statement workbook) and the input rules of §4, one test per rule.

Each test writes its own tiny workbook. Unit-level checks call the reader directly;
end-to-end checks run the CLI and look at the exit status, stderr and the JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pytest
import xlsxwriter
from helpers import INCOME_HEADER, assert_no_traceback, flat, income_rows, run_cli, write_region, write_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.core.coverage import unit_from_filename
from consolidate.formatting import swedish
from consolidate.readers.income import merge_labels, read_income_file
from consolidate.readers.numbers import parse_amount
from consolidate.vocabulary import INCOME_LABELS

PERIOD = "2026-04"
MAX_BYTES = 200 * 1024 * 1024
LABELS = merge_labels(INCOME_LABELS, {})
MEASURES = ("actual", "budget", "prior", "annual_budget", "forecast", "prior_full_year")

# Distinct amounts per measure, so a column read into the wrong measure shows.
SIX = (100, 90, 80, 300, 310, 290)


# --- helpers -----------------------------------------------------------------------

def income_dir(root: Path) -> Path:
    return root / "in" / PERIOD / "resultat"


def read(path: Path, labels=LABELS, default_unit: str = "kr"):
    """Read one workbook directly; (rows, errors, warnings)."""
    rows, problems = read_income_file(path, path.name, None, MAX_BYTES, labels, default_unit)
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    return rows, errors, warnings


def run(tmp_path: Path, config: Path, *extra: str):
    """Run the CLI; check that no traceback or internal error reached the user."""
    out = tmp_path / "out.json"
    if out.exists():
        out.unlink()
    result = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(out),
                     "--no-excel", *extra, cwd=tmp_path)
    assert_no_traceback(result)
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return result, data


def failed_run(tmp_path: Path, config: Path) -> tuple[str, dict | None]:
    """Run the CLI, which must exit 1; (stderr with wrapping undone, the JSON or None)."""
    result, data = run(tmp_path, config)
    assert result.returncode == 1
    return flat(result.stderr), data


def record(data: dict, entity: str, row: str) -> dict:
    found = [r for r in data["income"] if r["entity"] == entity and r["row"] == row]
    assert len(found) == 1, (entity, row, found)
    return found[0]


def region_with(tmp_path: Path, u1_rows: list[list] | None = None, u1_name: str = "U1.xlsx",
                u2: bool = True, **region_kw) -> Path:
    """region.toml with U1 (given rows, or a plain file) and a plain U2 file."""
    config = write_region(tmp_path, **region_kw)
    folder = income_dir(tmp_path)
    if u1_rows is None:
        u1_rows = income_rows("U1", [(3010, "Intäkter", *SIX)])
    write_workbook(folder / u1_name, u1_rows)
    if u2:
        write_workbook(folder / "U2.xlsx", income_rows("U2", [(3010, "Intäkter", 1, 1, 1, 1, 1, 1)]))
    return config


def plain_rows(lines: list[tuple], header: list = INCOME_HEADER, title: list[list] | None = None) -> list[list]:
    rows = [list(r) for r in (title or [])]
    rows.append(list(header))
    rows += [list(line) for line in lines]
    return rows


# --- header ------------------------------------------------------------------------

def test_header_found_at_row_12(tmp_path):
    rows = [["Ansvar:", "U1"], ["Period: 2026-04"]] + [[] for _ in range(9)]
    rows[5] = ["Resultatrapport, preliminär"]
    rows.append(INCOME_HEADER)  # row 12
    rows.append([4011, "Löner", *SIX])
    path = write_workbook(tmp_path / "U1.xlsx", rows)
    sheet_rows, errors, warnings = read(path)
    assert errors == [] and warnings == []
    assert sheet_rows.account == ["4011"]
    assert sheet_rows.row == [13]
    assert [sheet_rows.amounts[m][0] for m in MEASURES] == list(SIX)


@pytest.mark.parametrize("header_row, found", [(30, True), (31, False)])
def test_header_searched_in_first_30_rows_only(tmp_path, header_row, found):
    rows = [[] for _ in range(header_row - 1)] + [INCOME_HEADER, [4011, "Löner", *SIX]]
    path = write_workbook(tmp_path / "U1_sen.xlsx", rows, sheet="Blad1")
    sheet_rows, errors, _ = read(path)
    if found:
        assert errors == []
        assert sheet_rows.account == ["4011"]
    else:
        assert sheet_rows is None
        assert len(errors) == 1
        assert errors[0].file == "U1_sen.xlsx" and errors[0].sheet == "Blad1"
        assert "Konto" in errors[0].message and "Utfall" in errors[0].message


def test_no_header_in_run_names_file_and_sheet(tmp_path):
    late = [[] for _ in range(30)] + [INCOME_HEADER, [3010, "Intäkter", *SIX]]
    config = region_with(tmp_path, late, u1_name="U1_sen.xlsx")
    err, _ = failed_run(tmp_path, config)
    assert "U1_sen.xlsx" in err and "Resultat" in err
    assert "rubrik" in err.lower() or "header" in err.lower()


def test_labels_ignore_case_space_and_trailing_unit(tmp_path):
    header = ["  KONTO ", "benämning", "utfall (tkr)", " BUDGET(tkr) ", "Utfall FG ÅR  (tkr)",
              "årsbudget", "PROGNOS (tkr)", " bokslut fg år "]
    title = [["Belopp i tkr"]]
    path = write_workbook(tmp_path / "U1.xlsx", plain_rows([(4011, "Löner", *SIX)], header, title))
    sheet_rows, errors, warnings = read(path)
    assert errors == [] and warnings == []  # no measure reported missing
    assert [sheet_rows.amounts[m][0] for m in MEASURES] == [v * 1000 for v in SIX]


def test_alias_labels(tmp_path):
    header = ["Konto", "Kontonamn", "Ack utfall", "Ack budget", "Ack utfall fg år",
              "Helårsbudget", "Helårsprognos", "Bokslut fg år"]
    path = write_workbook(tmp_path / "U1.xlsx", plain_rows([(4011, "Löner", *SIX)], header))
    sheet_rows, errors, warnings = read(path)
    assert errors == [] and warnings == []
    assert sheet_rows.name == ["Löner"]
    assert {m: sheet_rows.amounts[m][0] for m in MEASURES} == dict(zip(MEASURES, SIX))


def test_config_aliases_add_labels(tmp_path):
    header = ["Konto", "Benämning", "Utfall hittills", "Budget", "Utfall fg år", "Årsbudget", "Prognos",
              "Bokslut fg år"]
    rows = [["Ansvar:", "U1"], ["Belopp i tkr"], [], *plain_rows([(3010, "Intäkter", *SIX)], header)]
    config = region_with(tmp_path, rows, extra='[inputs.aliases]\nactual = ["Utfall hittills"]\n')
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    assert record(data, "U1", "Intäkter")["actual"] == 100_000.0
    # without the alias the same file has no header
    plain = write_workbook(tmp_path / "direct.xlsx", rows)
    assert read(plain)[0] is None
    merged = merge_labels(INCOME_LABELS, {"actual": ("Utfall hittills",)})
    assert list(read(plain, merged)[0].amounts["actual"]) == [100_000.0]


def test_columns_in_any_order(tmp_path):
    header = list(reversed(INCOME_HEADER))
    line = list(reversed([4011, "Löner", *SIX]))
    path = write_workbook(tmp_path / "U1.xlsx", [header, line])
    sheet_rows, errors, warnings = read(path)
    assert errors == [] and warnings == []
    assert sheet_rows.account == ["4011"] and sheet_rows.name == ["Löner"]
    assert {m: sheet_rows.amounts[m][0] for m in MEASURES} == dict(zip(MEASURES, SIX))


def test_missing_measure_column_is_empty_with_warning(tmp_path):
    header = [h for h in INCOME_HEADER if h != "Prognos"]
    values = (100, 90, 80, 300, 290)  # no forecast
    rows = [["Ansvar:", "U1"], ["Belopp i tkr"], [], *plain_rows([(3010, "Intäkter", *values)], header)]
    config = region_with(tmp_path, rows)
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    assert "Prognos" in result.stderr
    u1 = record(data, "U1", "Intäkter")
    assert u1["forecast"] is None  # not delivered: empty, never 0 (SPEC §17)
    assert u1["annual_budget"] == 300_000.0 and u1["prior_full_year"] == 290_000.0
    assert u1["var_forecast"] is None


@pytest.mark.parametrize("missing", ["Utfall", "Konto"])
def test_missing_required_column_means_no_header(tmp_path, missing):
    header = [h for h in INCOME_HEADER if h != missing]
    line = [4011, "Löner", *SIX]
    del line[INCOME_HEADER.index(missing)]
    path = write_workbook(tmp_path / "U1.xlsx", [header, line])
    sheet_rows, errors, _ = read(path)
    assert sheet_rows is None
    assert len(errors) == 1 and errors[0].file == "U1.xlsx"

    config = region_with(tmp_path / "run", [["Ansvar:", "U1"], header, line])
    err, _ = failed_run(tmp_path / "run", config)
    assert "U1.xlsx" in err


# --- title block -------------------------------------------------------------------

def test_title_block_label_and_value_in_next_cell(tmp_path):
    rows = income_rows("U1", [(4011, "Löner", *SIX)])
    path = write_workbook(tmp_path / "x.xlsx", rows)
    sheet_rows, errors, _ = read(path)
    assert errors == []
    assert sheet_rows.stated.unit == "U1" and sheet_rows.stated.unit_cell == "B1"
    assert sheet_rows.stated.period == "2026-04" and sheet_rows.stated.period_cell == "A2"
    assert sheet_rows.stated.amount_unit == "tkr"


def test_title_block_enhet_in_one_cell_assigns_unit(tmp_path):
    rows = [["Enhet: U2"], ["Period: 2026-04"], [], INCOME_HEADER, [3010, "Intäkter", *SIX]]
    config = region_with(tmp_path, u2=False)
    write_workbook(income_dir(tmp_path) / "rapport.xlsx", rows)
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    assert record(data, "U2", "Intäkter")["actual"] == 100.0  # kr: no unit stated


def test_title_block_period_as_date_cell(tmp_path):
    rows = [["Ansvar: U1"], ["Period:", dt.date(2026, 4, 30)], INCOME_HEADER, [4011, "Löner", *SIX]]
    sheet_rows, errors, _ = read(write_workbook(tmp_path / "U1.xlsx", rows))
    assert errors == []
    assert sheet_rows.stated.unit == "U1" and sheet_rows.stated.unit_cell == "A1"
    assert sheet_rows.stated.period == "2026-04" and sheet_rows.stated.period_cell == "B2"


@pytest.mark.parametrize("title", ["Ansvarig: Anna Svensson", "Enhetsrapport april", "Periodens resultat"])
def test_words_that_only_begin_with_a_title_label_are_not_title_entries(tmp_path, title):
    # `Ansvar:`/`Enhet:`/`Period:` are labels; "Ansvarig", "Enhetsrapport", "Periodens" are not
    rows = [["Ansvar:", "U1"], [title], [], INCOME_HEADER, [3010, "Intäkter", *SIX]]
    sheet_rows, errors, _ = read(write_workbook(tmp_path / "direct" / "U1.xlsx", rows))
    assert errors == []
    assert sheet_rows.stated.unit == "U1" and sheet_rows.stated.period is None
    config = region_with(tmp_path / "run", rows)
    result, data = run(tmp_path / "run", config)
    assert result.returncode == 0, result.stderr
    assert record(data, "U1", "Intäkter")["actual"] == 100.0


def test_period_other_than_run_is_error_naming_cell(tmp_path):
    rows = income_rows("U1", [(3010, "Intäkter", *SIX)], period="2026-03")
    config = region_with(tmp_path, rows)
    err, data = failed_run(tmp_path, config)
    assert "2026-03" in err and "A2" in err and "U1.xlsx" in err
    assert data is None


@pytest.mark.parametrize("stated, cell, expected_kr", [
    ("tkr", "1,5", 1_500.0),
    ("mkr", 2, 2_000_000.0),
    ("kr", "1 234", 1_234.0),
    (None, 1234, 1_234.0),  # nothing stated: kr
])
def test_amount_unit_converts_to_kr(tmp_path, stated, cell, expected_kr):
    title = [["Ansvar:", "U1"]] + ([[f"Belopp i {stated}"]] if stated else []) + [[]]
    rows = plain_rows([(3010, "Intäkter", cell, 0, 0, 0, 0, 0)], title=title)
    # region amount_unit is tkr (display); it must not be taken as the files' unit
    config = region_with(tmp_path, rows)
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    assert record(data, "U1", "Intäkter")["actual"] == pytest.approx(expected_kr, abs=1e-6)


def test_unit_code_not_in_tree_is_error_naming_code_and_cell(tmp_path):
    rows = income_rows("X9", [(3010, "Intäkter", *SIX)])
    config = region_with(tmp_path, rows)
    err, _ = failed_run(tmp_path, config)
    assert "X9" in err and "B1" in err and "U1.xlsx" in err


def test_unit_code_of_an_administration_is_error(tmp_path):
    rows = income_rows("ADM", [(3010, "Intäkter", *SIX)])
    config = region_with(tmp_path, rows, u1_name="adm.xlsx")
    write_workbook(income_dir(tmp_path) / "U1.xlsx", income_rows("U1", [(3010, "Intäkter", *SIX)]))
    err, _ = failed_run(tmp_path, config)
    assert "ADM" in err and "adm.xlsx" in err


# --- data rows ---------------------------------------------------------------------

def test_account_code_forms(tmp_path):
    lines = [
        (4011, "Löner", 1, 0, 0, 0, 0, 0),  # number
        ("4012", "Löner", 2, 0, 0, 0, 0, 0),  # text
        ("4013 Löner extra", None, 4, 0, 0, 0, 0, 0),  # code and name in one cell
        (401, "Tre siffror", 8, 0, 0, 0, 0, 0),
        ("401100", "Sex siffror", 16, 0, 0, 0, 0, 0),
        (40, "Två siffror: inget konto", 32, 0, 0, 0, 0, 0),  # with an amount: an error (SPEC §9)
    ]
    path = write_workbook(tmp_path / "U1.xlsx", plain_rows(lines))
    sheet_rows, errors, _ = read(path)
    assert [e.cell for e in errors] == ["A7"] and "40" in errors[0].message
    assert sheet_rows.account == ["4011", "4012", "4013", "401", "401100"]
    assert sheet_rows.name[2] == "Löner extra"
    assert list(sheet_rows.amounts["actual"]) == [1, 2, 4, 8, 16]


def test_rows_without_account_are_not_data(tmp_path):
    lines = [
        ("Intäkter",),
        (3010, "Försäljning", 100, 0, 0, 0, 0, 0),
        ("Summa intäkter", None, 100, 0, 0, 0, 0, 0),  # subtotal, not the last: not control
        (),
        ("Kostnader",),
        (4011, "Löner", -40, 0, 0, 0, 0, 0),
        ("Summa kostnader", None, -40, 0, 0, 0, 0, 0),
        ("Resultat", None, 60, 0, 0, 0, 0, 0),  # the control total
    ]
    path = write_workbook(tmp_path / "U1.xlsx", plain_rows(lines))
    sheet_rows, errors, _ = read(path)
    assert errors == []
    assert sheet_rows.account == ["3010", "4011"]
    assert sum(sheet_rows.amounts["actual"]) == 60


def test_same_account_on_several_rows_adds(tmp_path):
    rows = income_rows("U1", [
        (3010, "Intäkter", 100, 0, 0, 0, 0, 0),
        (4011, "Löner motpart A", -30, -1, 0, 0, 0, 0),
        (4011, "Löner motpart B", -20, -2, 0, 0, 0, 0),
        (4011, "Löner motpart C", -5, 0, 0, 0, 0, 0),
    ])
    config = region_with(tmp_path, rows)
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    lon = record(data, "U1", "Löner")
    assert lon["actual"] == -55_000.0 and lon["budget"] == -3_000.0
    assert record(data, "U1", "Resultat")["actual"] == 45_000.0


# --- control total -----------------------------------------------------------------

def control_rows(off: float) -> list[list]:
    """Header at row 5, data rows 6-11, the control total at row 12 (Utfall in column C)."""
    lines = [(3010 + i, "Rad", 10 * (i + 1), 1, 1, 1, 1, 1) for i in range(6)]
    total = ("Summa", None, 210 + off, 6, 6, 6, 6, 6)
    return income_rows("U1", [*lines, total], unit_label="tkr")


@pytest.mark.parametrize("off, ok", [(0.4, True), (-0.4, True), (1, False), (-1, False)])
def test_control_total_within_half_stated_unit(tmp_path, off, ok):
    path = write_workbook(tmp_path / "U1.xlsx", control_rows(off))
    _, errors, _ = read(path)
    if ok:
        assert errors == []
    else:
        assert len(errors) == 1
        assert errors[0].file == "U1.xlsx" and errors[0].sheet == "Resultat" and errors[0].cell == "C12"


def test_control_total_failure_in_run_names_file_sheet_cell(tmp_path):
    config = region_with(tmp_path, control_rows(1))
    err, data = failed_run(tmp_path, config)
    assert "U1.xlsx" in err and "Resultat" in err and "C12" in err
    assert data is None


def test_summa_row_without_amounts_is_not_control_total(tmp_path):
    lines = [
        (3010, "Intäkter", 100, 10, 0, 0, 0, 0),
        (4011, "Löner", -40, -4, 0, 0, 0, 0),
        ("Summa intäkter", None, 999, 999, 0, 0, 0, 0),  # wrong, but not the last total
        ("Totalt", None, 60, 6, 0, 0, 0, 0),  # the control total
        ("Summa", None, None, None, None, None, None, None),  # no amounts: not a control
        ("Summa enligt bilaga",),
    ]
    path = write_workbook(tmp_path / "U1.xlsx", plain_rows(lines))
    sheet_rows, errors, _ = read(path)
    assert errors == []
    assert sheet_rows.account == ["3010", "4011"]
    # and the same with only an amountless Summa row: no control at all
    path = write_workbook(tmp_path / "U1b.xlsx", plain_rows([*lines[:2], ("Summa",)]))
    assert read(path)[1] == []


# --- numbers -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1 234,5", 1234.5),
    ("-1 234", -1234.0),
    ("\u22121 234", -1234.0),
    ("(1 234)", -1234.0),
    ("1\u2009234\u2009567", 1234567.0),
    ("1\u00a0234,25", 1234.25),
    ("  12 ", 12.0),
    ("", 0.0),
    ("   ", 0.0),
    (1234, 1234.0),
    (-12.5, -12.5),
])
def test_parse_amount_swedish_text(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("value", ["se bilaga", "12 34", "1,2,3", True, False, "--5"])
def test_parse_amount_rejects_non_amounts(value):
    assert parse_amount(value) is None


@settings(max_examples=300, deadline=None)
@given(
    units=st.integers(min_value=-10**12, max_value=10**12),
    decimals=st.integers(min_value=0, max_value=2),
    style=st.sampled_from(["plain", "parentheses", "u2212", "nbsp", "thin"]),
)
def test_parse_amount_reads_swedish_formatting(units, decimals, style):
    value = units / 10**decimals
    if style == "parentheses":
        text = f"({swedish(abs(value), decimals)})" if value < 0 else swedish(value, decimals)
    else:
        text = swedish(value, decimals)
        if style == "u2212":
            text = text.replace("-", "\u2212")
        elif style == "nbsp":
            text = text.replace(" ", "\u00a0")
        elif style == "thin":
            text = text.replace(" ", "\u2009")
    parsed = parse_amount(text)
    assert parsed is not None, text
    assert math.isclose(parsed, value, rel_tol=1e-12, abs_tol=1e-9), (text, parsed, value)


def test_swedish_text_cells_in_a_workbook(tmp_path):
    rows = income_rows("U1", [
        (3010, "Intäkter", "1 234,5", "1\u00a0000", "1\u2009000", "", None, "(1 000)"),
        (4011, "Löner", "\u2212234,5", "-1 000", "(500)", "0", "0", "0"),
    ], unit_label="kr")
    config = region_with(tmp_path, rows)
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    intakter = record(data, "U1", "Intäkter")
    assert intakter["actual"] == 1234.5 and intakter["budget"] == 1000.0 and intakter["prior"] == 1000.0
    assert intakter["annual_budget"] == 0.0 and intakter["forecast"] == 0.0
    assert intakter["prior_full_year"] == -1000.0
    lon = record(data, "U1", "Löner")
    assert lon["actual"] == -234.5 and lon["budget"] == -1000.0 and lon["prior"] == -500.0
    assert record(data, "U1", "Resultat")["actual"] == 1000.0


def test_text_that_is_no_amount_is_error_naming_cell(tmp_path):
    rows = income_rows("U1", [(3010, "Intäkter", 100, "se bilaga", 0, 0, 0, 0)])  # D6
    config = region_with(tmp_path, rows)
    err, data = failed_run(tmp_path, config)
    assert "D6" in err and "se bilaga" in err and "U1.xlsx" in err
    assert data is None


def test_boolean_cell_is_not_an_amount(tmp_path):
    path = write_workbook(tmp_path / "U1.xlsx", plain_rows([(4011, "Löner", True, 0, 0, 0, 0, 0)]))
    _, errors, _ = read(path)
    assert [e.cell for e in errors] == ["C2"]


# --- formulas ----------------------------------------------------------------------

def xlsxwriter_book(path: Path, rows: list[list], formulas: dict[str, tuple[str, float]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Resultat")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    for cell, (formula, cached) in formulas.items():
        ws.write_formula(cell, formula, None, cached)
    book.close()
    return path


def test_formula_with_cached_value_uses_that_value(tmp_path):
    rows = income_rows("U1", [(3010, "Intäkter", None, 0, 0, 0, 0, 0), (3011, "Övrigt", 5, 0, 0, 0, 0, 0)],
                       unit_label="kr")
    # C6 computes 1+2 but holds 7 as its cached value; C8 a control total over both rows
    rows.append(["Summa", None])
    formulas = {"C6": ("=1+2", 7), "C8": ("=SUM(C6:C7)", 12)}
    path = xlsxwriter_book(income_dir(tmp_path) / "U1.xlsx", rows, formulas)
    sheet_rows, errors, _ = read(path)
    assert errors == []
    assert list(sheet_rows.amounts["actual"]) == [7.0, 5.0]  # cached, never evaluated

    config = write_region(tmp_path)
    write_workbook(income_dir(tmp_path) / "U2.xlsx", income_rows("U2", [(3010, "Intäkter", 1, 1, 1, 1, 1, 1)]))
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    assert record(data, "U1", "Intäkter")["actual"] == 12.0


def test_formula_without_cached_value_is_error_naming_cell(tmp_path):
    rows = income_rows("U1", [(3010, "Intäkter", "=1+2", 0, 0, 0, 0, 0)])  # C6, openpyxl: no value
    config = region_with(tmp_path, rows)
    _sheet_rows, errors, _ = read(income_dir(tmp_path) / "U1.xlsx")
    assert [e.cell for e in errors] == ["C6"]
    err, data = failed_run(tmp_path, config)
    assert "C6" in err and "U1.xlsx" in err
    assert data is None


# --- which unit a file belongs to, coverage ---------------------------------------

@pytest.mark.parametrize("name", ["U1_x.xlsx", "U1-x.xlsx", "U1.xlsx", "U1 resultat.xlsx", "u1_gemener.xlsx"])
def test_unit_from_file_name(tmp_path, name):
    rows = income_rows(None, [(3010, "Intäkter", *SIX)], unit_label="kr")
    config = region_with(tmp_path, rows, u1_name=name)
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    assert record(data, "U1", "Intäkter")["actual"] == 100.0


def test_file_name_must_have_separator_after_code():
    codes = {"adm": "ADM", "u1": "U1", "u2": "U2", "u10": "U10"}
    assert unit_from_filename("U10_x.xlsx", codes) == "U10"
    assert unit_from_filename("U1x.xlsx", codes) is None
    assert unit_from_filename("XU1_x.xlsx", codes) is None


def test_title_block_unit_wins_over_file_name(tmp_path):
    config = write_region(tmp_path)
    folder = income_dir(tmp_path)
    write_workbook(folder / "U2_fel_namn.xlsx", income_rows("U1", [(3010, "Intäkter", 5, 0, 0, 0, 0, 0)], unit_label="kr"))
    write_workbook(folder / "annan.xlsx", income_rows("U2", [(3010, "Intäkter", 7, 0, 0, 0, 0, 0)], unit_label="kr"))
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    assert record(data, "U1", "Intäkter")["actual"] == 5.0
    assert record(data, "U2", "Intäkter")["actual"] == 7.0


def test_file_without_unit_is_error(tmp_path):
    config = region_with(tmp_path)
    write_workbook(income_dir(tmp_path) / "rapport april.xlsx",
                   income_rows(None, [(3010, "Intäkter", *SIX)]))
    err, _ = failed_run(tmp_path, config)
    assert "rapport april.xlsx" in err


def test_many_unit_workbook_with_ansvar_column(tmp_path):
    config = write_region(tmp_path)
    header = ["Ansvar", *INCOME_HEADER]
    rows = [["Period: 2026-04"], ["Belopp i tkr"], header,
            ["U1", 3010, "Intäkter", 10, 0, 0, 0, 0, 0],
            ["U2", 3010, "Intäkter", 20, 0, 0, 0, 0, 0],
            ["U1", 4011, "Löner", -4, 0, 0, 0, 0, 0],
            ["u2", 4011, "Löner", -8, 0, 0, 0, 0, 0]]
    write_workbook(income_dir(tmp_path) / "huvudbok.xlsx", rows)
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    assert record(data, "U1", "Resultat")["actual"] == 6_000.0
    assert record(data, "U2", "Resultat")["actual"] == 12_000.0
    assert record(data, "ADM", "Resultat")["actual"] == 18_000.0


def test_unit_covered_by_two_files_names_unit_and_files(tmp_path):
    config = region_with(tmp_path)
    write_workbook(income_dir(tmp_path) / "U1_igen.xlsx", income_rows("U1", [(3010, "Intäkter", *SIX)]))
    err, _ = failed_run(tmp_path, config)
    assert "U1" in err and "U1.xlsx" in err and "U1_igen.xlsx" in err


def test_unit_without_file_is_error_naming_it(tmp_path):
    config = region_with(tmp_path, u2=False)
    err, _ = failed_run(tmp_path, config)
    assert "U2" in err


def test_unmapped_accounts_all_named_with_units_files_and_amounts(tmp_path):
    config = write_region(tmp_path)
    folder = income_dir(tmp_path)
    write_workbook(folder / "U1.xlsx", income_rows("U1", [
        (3010, "Intäkter", 100, 0, 0, 0, 0, 0), (8123, "Finansiellt", "12,5", 0, 0, 0, 0, 0)]))
    write_workbook(folder / "U2.xlsx", income_rows("U2", [
        (3010, "Intäkter", 100, 0, 0, 0, 0, 0), (9876, "Bokslutsdisp", -7, 0, 0, 0, 0, 0)]))
    err, data = failed_run(tmp_path, config)
    # both accounts, not just the first; each with its unit, file and amount
    first, second = err.find("8123"), err.find("9876")
    assert first >= 0 and second >= 0, err
    about_8123 = err[first:second] if first < second else err[first:]
    about_9876 = err[second:first] if second < first else err[second:]
    assert "U1" in about_8123 and "U1.xlsx" in about_8123
    assert "(Finansiellt)" in about_8123 and "(Bokslutsdisp)" in about_9876  # the account's own name
    assert "12 500" in about_8123 or "12,5" in about_8123
    assert "U2" in about_9876 and "U2.xlsx" in about_9876
    assert re.search(r"7 000|[-\u2212]\s?7(?![\d ])", about_9876), about_9876
    assert data is None


def test_trailing_minus_as_ledger_systems_export_it():
    from consolidate.readers.numbers import parse_amount

    assert parse_amount("1 234,50-") == -1234.5
    assert parse_amount("12\u2212") == -12.0
    assert parse_amount("-5-") is None


_CELL_TEXTS = st.one_of(
    st.integers(-10**9, 10**9).map(lambda n: swedish(n)),
    st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: swedish(x, 2)),
    st.integers(0, 10**6).map(lambda n: f"({swedish(n)})"),
    st.integers(-10**6, 10**6).map(lambda n: swedish(n).replace("-", "\u2212").replace(" ", "\u00a0")),
    st.sampled_from(["", " ", "se bilaga", "1 23", "(−5)", "12\n3", "1 234-", "1.234,5", "١٢"]),
    # refused since SPEC §9: a point (ambiguous) and two signs
    st.sampled_from(["1.234", "1,234.5", "1234.50", "(\u22121 000)", "--5", "-(5)", "(5)-", "(+5)", "+-5"]),
    st.integers(0, 10**6).map(lambda n: f"({swedish(n)})".replace(" ", "\u202f")),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CELL_TEXTS, min_size=1, max_size=12))
def test_a_column_of_text_amounts_read_at_once_reads_as_cell_by_cell(cells):
    from consolidate.readers.numbers import parse_text, plain_texts

    at_once = plain_texts(cells)
    if at_once is not None:
        assert at_once == [parse_text(cell) for cell in cells]
    for cell in cells:  # neither reads a point or two signs
        if "." in cell or any(pair in cell for pair in ("(\u2212", "--", "-(", ")-", "(+", "+-")):
            assert parse_text(cell) is None and at_once is None, cell
