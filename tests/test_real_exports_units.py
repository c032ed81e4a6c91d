"""Real exports (SPEC §9): many-unit workbooks whose Ansvar column leaves repeats blank,
Motpart values as ledgers write them, and staffing sheets with total rows, footnotes
and rows with and without a breakdown. Read right, or refused with the cell named.

Every test writes its workbooks and runs the real command line as a subprocess,
except the property tests, which read sheets built in memory."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import assert_no_traceback, run_cli, write_region, write_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.config.region import Eliminations
from consolidate.core.mapping import counterparty_codes
from consolidate.readers.staffing import read_staffing_sheet
from consolidate.readers.workbook import CellError, Sheet
from consolidate.vocabulary import STAFF_LABELS

PERIOD = "2026-04"
INCOME = ["Konto", "Benämning", "Utfall", "Budget"]
STAFF = ["Anställda", "Arbetad tid", "Ordinarie arbetstid", "Sjukfrånvaro"]
THREE = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM"),
         ("U3", "Enhet tre", "ADM")]
# two administrations with motpart codes, one unit under each
TRADING = [("A", "Förvaltning A", "REG", ["11"]), ("B", "Förvaltning B", "REG", ["12"]),
           ("U1", "Enhet ett", "A"), ("U2", "Enhet två", "B")]
ELIMINATIONS = '[eliminations]\ndifference_line = "diff"\n'


def income_dir(root: Path) -> Path:
    return root / "in" / PERIOD / "resultat"


def staff_dir(root: Path) -> Path:
    return root / "in" / PERIOD / "personal"


def run(root: Path, config: Path, command: str = "run") -> tuple:
    """The command's result and, for `run`, its JSON (None when none was written)."""
    out = root / "out.json"
    args = ["--no-excel"] if command == "run" else []
    done = run_cli(command, "--config", str(config), "--period", PERIOD, "--json", str(out), *args)
    assert_no_traceback(done)
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return done, data


def result_of(data: dict, entity: str, row: str = "Resultat") -> float:
    return next(r["actual"] for r in data["income"] if r["entity"] == entity and r["row"] == row)


def staffing_of(data: dict, entity: str) -> dict:
    return next(r for r in data["staffing"] if r["entity"] == entity and r["by"] is None)


def lines(done, text: str) -> list[str]:
    return [line for line in done.stderr.splitlines() if text in line]


def plain_income(root: Path, unit: str, amount: float = 1.0) -> None:
    write_workbook(income_dir(root) / f"{unit}.xlsx",
                   [["Ansvar:", unit], ["Belopp i kr"], INCOME, [3010, "Intäkter", amount, 0]])


def plain_staff(root: Path, unit: str) -> None:
    write_workbook(staff_dir(root) / f"{unit}_p.xlsx",
                   [["Ansvar:", unit], ["Kön", *STAFF], ["K", 1, 575, 600, 6]], sheet="Personal")


# --- many-unit workbooks: a blank Ansvar cell repeats the unit above ---------------

def test_pivot_exports_give_each_unit_exactly_its_own_figures(tmp_path):
    config = write_region(tmp_path, THREE, staffing=True, amount_unit="kr")
    # named "U3_…": today's default unit for a blank cell would be U3, from the file name
    ledger = [["Huvudbok per ansvar"], ["Period: 2026-04"], ["Belopp i kr"], ["Ansvar", *INCOME],
              ["U1", 3010, "Intäkter", 1_000, 900],
              [None, 4010, "Löner", -300, -250],
              [None, 5010, "Material", -50, -40],
              ["U1 Summa", None, None, 650, 610],  # a pivot's subtotal: no account, not data
              ["U2 Enhet två", 3010, "Intäkter", 400, 400],
              [None, 4010, "Löner", -120, -100],
              ["U2 Summa", None, None, 280, 300],
              ["Totalsumma", None, None, 930, 910]]
    write_workbook(income_dir(tmp_path) / "U3_huvudbok.xlsx", ledger)
    plain_income(tmp_path, "U3", 7)
    hr = [["Personal per enhet"], ["Enhet", "Kön", *STAFF],
          ["U1", "K", 3, 1_725, 1_800, 36],
          [None, "M", 1, 575, 600, 0],
          ["U1 Summa", None, 4, 2_300, 2_400, 36],  # a pivot's subtotal: a control total of U1
          ["U2", None, None, None, None, None],  # outline form: the unit on its own row
          [None, "K", 2, 1_150, 1_200, 60],
          [None, "M", 2, 1_150, 1_200, 12],
          ["U3", "K", 1, 575, 600, 0],
          ["Totalsumma", None, 9, 5_175, 5_400, 108],
          ["Källa: HR-systemet, uttag 2026-05-03"]]  # a footnote
    write_workbook(staff_dir(tmp_path) / "U2_hr.xlsx", hr, sheet="Personal")
    done, data = run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    assert result_of(data, "U1") == 1_000 - 300 - 50
    assert result_of(data, "U2") == 400 - 120
    assert result_of(data, "U3") == 7
    assert result_of(data, "U1", "Intäkter") == 1_000 and result_of(data, "U2", "Löner") == -120
    assert result_of(data, "ADM") == 650 + 280 + 7
    fte = {u: staffing_of(data, u)["fte"] for u in ("U1", "U2", "U3")}
    assert fte == pytest.approx({"U1": 2_300 / 575, "U2": 2_300 / 575, "U3": 1.0})
    assert staffing_of(data, "U2")["headcount"] == 4 and staffing_of(data, "U1")["headcount"] == 4
    assert staffing_of(data, "U2")["sick_pct"] == pytest.approx(100 * 72 / 2_400)
    assert not [c for c in data["checks"] if c["severity"] == "error"]


def test_a_blank_ansvar_before_any_named_one_is_an_error_naming_the_cell(tmp_path):
    config = write_region(tmp_path, THREE, staffing=True, amount_unit="kr")
    ledger = [["Belopp i kr"], ["Ansvar", *INCOME],
              [None, 3010, "Intäkter", 100, 0],  # row 3: whose?
              [None, 4010, "Löner", -10, 0],
              ["U1", 3010, "Intäkter", 50, 0],
              ["U2", 3010, "Intäkter", 60, 0]]
    write_workbook(income_dir(tmp_path) / "U3_huvudbok.xlsx", ledger)
    plain_income(tmp_path, "U3")
    hr = [["Enhet", "Kön", *STAFF], [None, "K", 1, 575, 600, 0], ["U1", "K", 1, 575, 600, 0],
          ["U2", "M", 1, 575, 600, 0], ["U3", "M", 1, 575, 600, 0]]
    write_workbook(staff_dir(tmp_path) / "hr.xlsx", hr, sheet="Personal")
    for command in ("validate", "run"):
        done, data = run(tmp_path, config, command)
        assert done.returncode == 1, done.stderr
        found = lines(done, "ingen rad ovanför")
        assert any("U3_huvudbok.xlsx" in line and "cell A3" in line and "rader 3, 4" in line for line in found), found
        assert any("hr.xlsx" in line and "blad Personal" in line and "cell A2" in line for line in found), found
        if command == "run":
            assert data is None or not data.get("income")


def test_the_title_blocks_ansvar_stands_above_the_first_rows(tmp_path):
    # chosen: `Ansvar: U1` over the header is what the sheet says of rows that name no unit
    config = write_region(tmp_path, THREE, amount_unit="kr")
    ledger = [["Ansvar:", "U1"], ["Belopp i kr"], ["Ansvar", *INCOME],
              [None, 3010, "Intäkter", 100, 0],
              ["U2", 3010, "Intäkter", 60, 0],
              [None, 4010, "Löner", -20, 0]]
    write_workbook(income_dir(tmp_path) / "U3_export.xlsx", ledger)
    plain_income(tmp_path, "U3")
    done, data = run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    assert result_of(data, "U1") == 100 and result_of(data, "U2") == 60 - 20 and result_of(data, "U3") == 1


def test_rows_under_an_unknown_unit_are_not_given_to_the_unit_above_it(tmp_path):
    config = write_region(tmp_path, THREE, amount_unit="kr")
    ledger = [["Belopp i kr"], ["Ansvar", *INCOME], ["U1", 3010, "Intäkter", 100, 0],
              ["U9", 3010, "Intäkter", 60, 0], [None, 4010, "Löner", -20, 0],
              ["U2", 3010, "Intäkter", 1, 0], ["U3", 3010, "Intäkter", 1, 0]]
    write_workbook(income_dir(tmp_path) / "huvudbok.xlsx", ledger)
    done, _ = run(tmp_path, config, "validate")
    assert done.returncode == 1
    found = lines(done, "'U9'")
    assert len(found) == 1 and "cell A4" in found[0] and "rad 4" in found[0], done.stderr


# --- Motpart: codes as ledgers write them --------------------------------------------

SPELLINGS = ["12", "012", 12, 12.0, "12.0", "12 Hälso- och sjukvård", "12-Namn", "12 - Namn", " 12 ", "0012: HS"]


@pytest.mark.parametrize("config_code", ["12", "012"])
def test_every_spelling_of_a_motpart_code_is_eliminated_as_that_code(tmp_path, config_code):
    entities = [TRADING[0], ("B", "Förvaltning B", "REG", [config_code]), *TRADING[2:]]
    header = ["Konto", "Motpart", "Utfall", "Budget"]
    sold = [[3010, spelling, 100, 100] for spelling in SPELLINGS]
    bought = [5010, "11", -100 * len(SPELLINGS), -100 * len(SPELLINGS)]
    external = f'{ELIMINATIONS}external = ["87"]\n'
    for extra in (ELIMINATIONS, external):
        root = tmp_path / str(len(extra))
        config = write_region(root, entities, extra=extra, amount_unit="kr")
        write_workbook(income_dir(root) / "U1.xlsx", [["Belopp i kr"], header, *sold, [3020, "87", 5, 5]])
        write_workbook(income_dir(root) / "U2.xlsx", [["Belopp i kr"], header, bought])
        done, data = run(root, config)
        assert done.returncode == 0, done.stderr
        assert result_of(data, "REG", "Intäkter") == 5  # only the external sale
        assert result_of(data, "REG", "Övriga kostnader") == 0
        assert result_of(data, "U1", "Intäkter") == 100 * len(SPELLINGS) + 5  # counted below the top
        removed = {(e["entity"], e["line"]): e["actual"] for e in data["eliminations"]}
        assert removed == {("REG", "int"): 100 * len(SPELLINGS), ("REG", "ovr"): -100 * len(SPELLINGS)}
        assert not [c for c in data["checks"] if c["check"] == "internal_mismatch"]
        unknown = [c for c in data["checks"] if c["check"] == "unknown_counterparty"]
        assert [c["message"][:12] for c in unknown] == ([] if extra == external else ["Motpart '87'"])


def test_each_distinct_unknown_motpart_is_one_warning_naming_it_and_its_files(tmp_path):
    config = write_region(tmp_path, TRADING, extra=ELIMINATIONS, amount_unit="kr")
    header = ["Konto", "Motpart", "Utfall"]
    write_workbook(income_dir(tmp_path) / "U1.xlsx", [["Belopp i kr"], header, [3010, "81", 10], [3010, "81", 11],
                                                      [3020, "81 Staten", 12], [3030, None, 13], [3040, "87", 14]])
    write_workbook(income_dir(tmp_path) / "U2.xlsx", [["Belopp i kr"], header, [3010, "081", 20],
                                                      [3010, "Kommunen", 21]])
    done, data = run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    unknown = [c for c in data["checks"] if c["check"] == "unknown_counterparty"]
    assert len(unknown) == 3 and {c["severity"] for c in unknown} == {"warning"}
    by_start = {c["message"].split(" är ")[0]: c for c in unknown}
    assert set(by_start) == {"Motpart '81' (även skriven '081', '81 Staten')", "Motpart '87'", "Motpart 'Kommunen'"}
    eighty_one = by_start["Motpart '81' (även skriven '081', '81 Staten')"]
    assert "U1.xlsx" in eighty_one["message"] and "U2.xlsx" in eighty_one["message"]
    assert "[eliminations] external" in eighty_one["message"]
    assert "U2.xlsx" not in by_start["Motpart '87'"]["message"]
    assert result_of(data, "REG", "Intäkter") == 10 + 11 + 12 + 13 + 14 + 20 + 21  # external: counted
    warned = lines(done, "är ingen enhets motpartskod")
    assert len(warned) == 3 and all(line.startswith("varning:") for line in warned), done.stderr
    validated, _ = run(tmp_path, config, "validate")
    assert validated.returncode == 0 and len(lines(validated, "är ingen enhets motpartskod")) == 3


def test_an_unknown_motpart_in_many_files_names_three_and_how_many_more(tmp_path):
    units = [f"E{n}" for n in range(6)]
    entities = [("A", "Förvaltning A", "REG", ["11"]), *[(u, f"Enhet {u}", "A") for u in units]]
    config = write_region(tmp_path, entities, extra=ELIMINATIONS, amount_unit="kr")
    for unit in units:
        write_workbook(income_dir(tmp_path) / f"{unit}.xlsx",
                       [["Belopp i kr"], ["Konto", "Motpart", "Utfall"], [3010, "87 Privata företag", 1]])
    done, _ = run(tmp_path, config, "validate")
    assert done.returncode == 0, done.stderr
    warned = lines(done, "Motpart '87 Privata företag'")
    assert len(warned) == 1 and "och 3 till" in warned[0], done.stderr
    assert sum(f"E{n}.xlsx" in warned[0] for n in range(6)) == 3


def test_with_external_codes_listed_an_unlisted_motpart_is_an_error_and_a_listed_one_passes(tmp_path):
    extra = f'{ELIMINATIONS}external = ["081", 87]\n'
    config = write_region(tmp_path, TRADING, extra=extra, amount_unit="kr")
    header = ["Konto", "Motpart", "Utfall"]
    write_workbook(income_dir(tmp_path) / "U1.xlsx", [["Belopp i kr"], header, [3010, "81 Staten", 10],
                                                      [3020, 87, 5], [3030, "", 1]])
    write_workbook(income_dir(tmp_path) / "U2.xlsx", [["Belopp i kr"], header, [3010, "99 Okänd", 20]])
    done, data = run(tmp_path, config)
    assert done.returncode == 1
    errors = lines(done, "Motpart")
    assert len(errors) == 1 and errors[0].startswith("fel:") and "'99 Okänd'" in errors[0], done.stderr
    assert "U2.xlsx" in errors[0] and "[eliminations] external" in errors[0]
    assert data is None or not data.get("income")
    write_workbook(income_dir(tmp_path) / "U2.xlsx", [["Belopp i kr"], header, [3010, "87", 20]])
    done, data = run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    assert "Motpart" not in done.stderr
    assert not [c for c in data["checks"] if c["check"] == "unknown_counterparty"]


@pytest.mark.parametrize(("extra", "entities", "words"), [
    (f'{ELIMINATIONS}external = ["12"]\n', TRADING, ["eliminations.external", "'12'", "B"]),
    (f'{ELIMINATIONS}external = ["81", ""]\n', TRADING, ["eliminations.external"]),
    (f'{ELIMINATIONS}external = {{ a = "81" }}\n', TRADING, ["eliminations.external"]),
    (ELIMINATIONS, [TRADING[0], ("B", "Förvaltning B", "REG", ["011"]), *TRADING[2:]],
     ["entity.motpart", "'11'", "'011'", "A", "B"]),
])
def test_motpart_codes_that_clash_are_configuration_errors(tmp_path, extra, entities, words):
    config = write_region(tmp_path, entities, extra=extra)
    plain_income(tmp_path, "U1")
    plain_income(tmp_path, "U2")
    done, _ = run(tmp_path, config, "validate")
    assert done.returncode == 2, done.stderr
    assert all(word in done.stderr for word in words), done.stderr


# --- staffing: total rows, footnotes, rows with and without a breakdown ------------

LABELS = ["Total", "Totalt", "Summa", "Totalsumma", "Samtliga", "Alla", "Hela enheten", " TOTALT: ", "summa:"]
COLUMNS = {"gender": ("Kön", ["K", "M"]), "age_band": ("Åldersgrupp", ["-29", "50-"]),
           "group": ("Personalgrupp", ["Läkare", "Sjuksköterskor"])}
FIGURES = [[3, 1_725, 1_800, 36], [1, 575, 600, 12]]


@pytest.mark.parametrize("column", list(COLUMNS))
def test_total_rows_in_each_breakdown_column_are_not_counted(tmp_path, column):
    label, values = COLUMNS[column]
    units = [f"T{k}" for k in range(len(LABELS))]
    entities = [("ADM", "Förvaltningen", "REG"), ("REF", "Utan summarader", "ADM"),
                *[(u, f"Enhet {u}", "ADM") for u in units]]
    config = write_region(tmp_path, entities, staffing=True, amount_unit="kr")
    rows = [[value, *figures] for value, figures in zip(values, FIGURES)]
    total = [sum(f[k] for f in FIGURES) for k in range(len(STAFF))]
    for unit in ("REF", *units):
        plain_income(tmp_path, unit)
    write_workbook(staff_dir(tmp_path) / "REF_p.xlsx", [["Ansvar:", "REF"], [label, *STAFF], *rows], sheet="P")
    for unit, word in zip(units, LABELS):
        sheet = [["Ansvar:", unit], [label, *STAFF], [word, *total], *rows, [word, *total]]
        write_workbook(staff_dir(tmp_path) / f"{unit}_p.xlsx", sheet, sheet="P")
    done, data = run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    reference = {k: v for k, v in staffing_of(data, "REF").items() if k != "entity"}
    assert reference["headcount"] == 4 and reference["fte"] == pytest.approx(4.0)
    for unit in units:
        assert {k: v for k, v in staffing_of(data, unit).items() if k != "entity"} == reference, unit
        mine = {(r["by"], r["key"]) for r in data["staffing"] if r["entity"] == unit}
        assert mine == {(r["by"], r["key"]) for r in data["staffing"] if r["entity"] == "REF"}


def test_a_total_row_that_disagrees_with_its_rows_is_an_error(tmp_path):
    config = write_region(tmp_path, THREE[:3], staffing=True, amount_unit="kr")
    plain_income(tmp_path, "U1")
    plain_income(tmp_path, "U2")
    sheet = [["Ansvar:", "U1"], ["Kön", "Åldersgrupp", *STAFF],
             ["K", "-29", 1, 500, 600, 0], ["K", "50-", 1, 500, 600, 0],
             ["K", "Totalt", 2, 1_000, 1_200, 0],
             ["M", "-29", 1, 400, 600, 0],
             ["M", "Totalt", 1, 450, 600, 0],  # row 7: 450 hours, its row says 400
             ["Totalt", "Totalt", 3, 1_400, 1_800, 0]]
    write_workbook(staff_dir(tmp_path) / "U1_p.xlsx", sheet, sheet="Personal")
    plain_staff(tmp_path, "U2")
    done, _ = run(tmp_path, config, "validate")
    assert done.returncode == 1
    found = lines(done, "summaraden")
    assert len(found) == 1 and "U1_p.xlsx" in found[0] and "cell D7" in found[0], done.stderr
    assert "Arbetad tid" in found[0] and "450" in found[0] and "400" in found[0]


def test_section_sums_and_grand_totals_pass_as_the_rows_they_add_up(tmp_path):
    config = write_region(tmp_path, THREE, staffing=True, amount_unit="kr")
    for unit in ("U1", "U2", "U3"):
        plain_income(tmp_path, unit)
    # U1: each Personalgrupp ends with its own `Summa`, the sheet with `Totalt`
    sections = [["Ansvar:", "U1"], ["Personalgrupp", "Kön", *STAFF],
                ["Läkare", "K", 1, 575, 600, 6], ["Läkare", "M", 1, 575, 600, 0], ["Summa", None, 2, 1_150, 1_200, 6],
                ["Sjuksköterskor", "K", 2, 1_150, 1_200, 12], ["Summa:", None, 2, 1_150, 1_200, 12],
                ["Totalt", None, 4, 2_300, 2_400, 18]]
    write_workbook(staff_dir(tmp_path) / "U1_p.xlsx", sections, sheet="Personal")
    # U2 and U3 in one export, each unit's Kön rows with a blank Ansvar, then the whole export's total
    hr = [["Enhet", "Kön", *STAFF], ["U2", "K", 1, 575, 600, 0], [None, "M", 1, 575, 600, 0],
          [None, "Totalt", 2, 1_150, 1_200, 0],
          ["U3", "K", 3, 1_725, 1_800, 0], [None, "Totalt", 3, 1_725, 1_800, 0],
          [None, "Samtliga", 5, 2_875, 3_000, 0]]
    write_workbook(staff_dir(tmp_path) / "hr.xlsx", hr, sheet="Personal")
    done, data = run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    assert {u: staffing_of(data, u)["headcount"] for u in ("U1", "U2", "U3")} == {"U1": 4, "U2": 2, "U3": 3}
    assert staffing_of(data, "ADM")["fte"] == pytest.approx((2_300 + 1_150 + 1_725) / 575)
    # a section sum that is no reading of its rows is still an error
    sections[6][3] = 1_200
    write_workbook(staff_dir(tmp_path) / "U1_p.xlsx", sections, sheet="Personal")
    done, _ = run(tmp_path, config, "validate")
    assert done.returncode == 1
    found = lines(done, "summaraden")
    assert len(found) == 1 and "U1_p.xlsx" in found[0] and "cell D7" in found[0], done.stderr


def test_footnotes_are_not_read(tmp_path):
    config = write_region(tmp_path, THREE[:3], staffing=True, amount_unit="kr")
    plain_income(tmp_path, "U1")
    plain_income(tmp_path, "U2")
    with_notes = [["Ansvar:", "U1"], ["Kön", *STAFF], ["K", *FIGURES[0]],
                  ["* exklusive jour och beredskap"], ["M", *FIGURES[1]], [],
                  ["Källa: HR-systemet, uttag 2026-05-03"], ["Not: uppgifterna är preliminära"]]
    write_workbook(staff_dir(tmp_path) / "U1_p.xlsx", with_notes, sheet="Personal")
    write_workbook(staff_dir(tmp_path) / "U2_p.xlsx",
                   [["Ansvar:", "U2"], ["Kön", *STAFF], ["K", *FIGURES[0]], ["M", *FIGURES[1]]], sheet="Personal")
    done, data = run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    assert not [line for line in lines(done, "U1_p.xlsx") if "kolumnen" not in line], done.stderr  # but missing ones
    first, second = staffing_of(data, "U1"), staffing_of(data, "U2")
    assert {k: v for k, v in first.items() if k != "entity"} == {k: v for k, v in second.items() if k != "entity"}


def test_a_sheet_with_rows_with_and_without_a_breakdown_is_an_error_naming_both(tmp_path):
    config = write_region(tmp_path, THREE[:3], staffing=True, amount_unit="kr")
    plain_income(tmp_path, "U1")
    plain_income(tmp_path, "U2")
    mixed = [["Ansvar:", "U1"], ["Kön", *STAFF], ["K", *FIGURES[0]], ["M", *FIGURES[1]],
             [None, 4, 2_300, 2_400, 48]]  # row 5: the unit's whole figures, or more staff?
    write_workbook(staff_dir(tmp_path) / "U1_p.xlsx", mixed, sheet="Personal")
    plain_staff(tmp_path, "U2")
    for command in ("validate", "run"):
        done, _ = run(tmp_path, config, command)
        assert done.returncode == 1
        found = lines(done, "med och utan Kön")
        assert len(found) == 1 and "cell A5" in found[0] and "cell A3" in found[0] and "'K'" in found[0], done.stderr
        assert "Totalt" in found[0]  # how to mark a total


def test_a_breakdown_column_left_empty_on_every_row_is_no_breakdown(tmp_path):
    config = write_region(tmp_path, THREE[:3], staffing=True, amount_unit="kr")
    plain_income(tmp_path, "U1")
    plain_income(tmp_path, "U2")
    write_workbook(staff_dir(tmp_path) / "U1_p.xlsx", [["Ansvar:", "U1"], ["Kön", "Åldersgrupp", *STAFF],
                                                       [None, None, *FIGURES[0]]], sheet="Personal")
    plain_staff(tmp_path, "U2")
    done, data = run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    assert staffing_of(data, "U1")["fte"] == pytest.approx(3.0)


def test_excel_error_values_in_a_staffing_sheet_are_errors_naming_the_cell(tmp_path):
    config = write_region(tmp_path, THREE[:3], staffing=True, amount_unit="kr")
    plain_income(tmp_path, "U1")
    plain_income(tmp_path, "U2")
    hr = [["Enhet", "Kön", "Åldersgrupp", "Personalgrupp", *STAFF],
          ["U1", "#N/A", "-29", "Läkare", 1, 575, 600, 0],  # openpyxl writes these as error cells
          ["U1", "K", "#DIV/0!", "Läkare", 1, 575, 600, 0],
          ["U1", "K", "-29", "#VALUE!", 1, 575, 600, 0],
          ["#REF!", "M", "50-", "Läkare", 1, 575, 600, 0],
          ["U2", "M", "50-", "Läkare", 1, 575, 600, 0]]
    write_workbook(staff_dir(tmp_path) / "hr.xlsx", hr, sheet="Personal")
    done, _ = run(tmp_path, config, "validate")
    assert done.returncode == 1
    found = lines(done, "Excel-felet")
    cells = {cell for line in found for cell in ("B2", "C3", "D4", "A5") if f"cell {cell}:" in line}
    assert len(found) == 4 and cells == {"B2", "C3", "D4", "A5"}, done.stderr
    assert any("#REF!" in line and "enheten" in line for line in found)


# --- readers on sheets built in memory: Excel error values, spellings ----------------

def sheet_of(rows: list[list]) -> Sheet:
    width = max(len(r) for r in rows)
    return Sheet("p.xlsx", "Personal", [[*r, *[""] * (width - len(r))] for r in rows])


def test_excel_error_values_in_breakdown_and_ansvar_cells_are_errors_naming_the_cell():
    rows = [["Enhet", "Kön", "Åldersgrupp", "Personalgrupp", "Arbetad tid"],
            ["U1", CellError("#N/A"), "-29", "Läkare", 100.0],
            ["U1", "K", CellError("#REF!"), "Läkare", 100.0],
            ["U1", "K", "-29", CellError("#VALUE!"), 100.0],
            [CellError("#N/A"), "K", "-29", "Läkare", 100.0],
            ["", "M", "-29", "Läkare", 100.0]]  # under the error: no unit of its own
    found, problems = read_staffing_sheet(sheet_of(rows), STAFF_LABELS)
    errors = {p.cell: p.message for p in problems if p.is_error}
    assert set(errors) == {"B2", "C3", "D4", "A5"}, errors
    assert "#N/A" in errors["B2"] and "kön" in errors["B2"]
    assert "#REF!" in errors["C3"] and "#VALUE!" in errors["D4"] and "enheten" in errors["A5"]
    assert found is not None and found.unit[:3] == ["U1"] * 3
    assert isinstance(found.unit[3], CellError) and found.unit[4] is found.unit[3]


def spelled(word: str, draw) -> str:
    cased = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in word)
    return draw(st.sampled_from(["", " ", "  ", "\u00a0"])) + cased + draw(st.sampled_from(["", ":", " :", ": "]))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_spelling_of_a_total_label_makes_a_control_total_not_data(data):
    word = spelled(data.draw(st.sampled_from(["Total", "Totalt", "Summa", "Totalsumma", "Samtliga", "Alla",
                                              "Hela enheten"])), data.draw)
    column = data.draw(st.sampled_from([0, 1, 2]))
    header = ["Kön", "Åldersgrupp", "Personalgrupp", "Arbetad tid", "Ordinarie arbetstid"]
    rows = [["K", "-29", "Läkare", 100.0, 120.0], ["M", "50-", "Läkare", 50.0, 60.0]]
    total = ["", "", ""]
    total[column] = word
    at = data.draw(st.sampled_from([1, 3]))
    sheet = [header, *rows]
    sheet.insert(at, [*total, 150.0, 180.0])
    found, problems = read_staffing_sheet(sheet_of(sheet), STAFF_LABELS)
    assert found is not None and not [p for p in problems if p.is_error], problems
    assert list(found.values["hours_worked"]) == [100.0, 50.0]
    assert found.gender == ["K", "M"]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=3),
       st.sampled_from(["", " Hälso- och sjukvård", "-Namn", " - Namn", ": Namn", "\u2013Namn", ".0", ",00"]),
       st.integers(min_value=0, max_value=2))
def test_any_spelling_of_a_motpart_code_means_that_code(code, zeros, tail, config_zeros):
    written = "0" * zeros + str(code) + tail
    config_code = "0" * config_zeros + str(code)
    owners = {config_code: "B", "9999": "C"}
    other = "1087 Privata företag"  # no code of the tree (codes here are 1 to 999)
    mapped = counterparty_codes(pd.Series([written, f" {written} ", "", other]), owners)
    assert mapped.tolist() == [config_code, config_code, "", other]
    assert Eliminations.code_key(written) == str(code)


@pytest.mark.parametrize("text", ["12a", "12.5", "12-34", "12 34", "1 2", "K12", "12/13"])
def test_what_only_looks_like_a_motpart_code_is_no_code(text):
    assert Eliminations.code_key(text) != "12"
    assert counterparty_codes(pd.Series([text]), {"12": "B"}).tolist() == [text]
