"""SPEC §9 signs and §3 numbers: `[inputs] signs`, `[[inputs.source]]` settings per
file, the reversed-signs check, and TOML numbers that are nan, inf, zero or negative.

Every test writes real .xlsx files and runs the CLI, except the reader property at the
end, which reads the same workbook both ways.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import pytest
from helpers import (
    ENTITIES,
    INCOME_HEADER,
    assert_no_traceback,
    flat,
    income_rows,
    run_cli,
    write_region,
    write_workbook,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.config.region import load_config
from consolidate.problems import ConfigError
from consolidate.readers.income import merge_labels, read_income_file
from consolidate.vocabulary import INCOME_LABELS, MEASURES

PERIOD = "2026-04"
THREE = [*ENTITIES, ("U3", "Enhet tre", "ADM")]

# Report signs: revenue +, cost -; distinct per measure and unit, a zero among them.
REPORT = {
    "U1": [(3010, "Intäkter", 900, 850, 800, 2600, 2700, 2500),
           (4010, "Löner", -500, -480, -470, -1450, -1500, -1400),
           (5010, "Lokaler", -120, 0, -110, -360, -370, -350)],
    "U2": [(3050, "Försäljning", 400, 410, 390, 1200, 1180, 1150),
           (4010, "Löner", -300, -290, -280, -900, -910, -880),
           (6010, "Material", -75.5, -70, -65, -210, -220, -200)],
    "U3": [(3010, "Intäkter", 50, 60, 40, 150, 140, 130),
           (5010, "Lokaler", -20, -25, -15, -60, -65, -55)],
}


def ledger(lines: list[tuple]) -> list[tuple]:
    """The same lines as booked: every amount turned round."""
    return [(account, name, *(-a if a else 0 for a in amounts)) for account, name, *amounts in lines]


def with_total(rows: list[list], lines: list[tuple]) -> list[list]:
    """A `Summa` control total under the data rows, in the file's own signs."""
    sums = [sum(line[2 + m] for line in lines) for m in range(6)]
    return [*rows, ["Summa", None, *sums]]


def set_inputs(config: Path, text: str) -> Path:
    """Add keys to the [inputs] table that write_region wrote."""
    content = config.read_text(encoding="utf-8")
    config.write_text(content.replace("[inputs]\n", f"[inputs]\n{text}\n", 1), encoding="utf-8")
    return config


def income_dir(root: Path) -> Path:
    return root / "in" / PERIOD / "resultat"


def run(root: Path, config: Path, command: str = "run") -> tuple:
    """Run the CLI; (result, stderr with wrapping undone, the JSON or None)."""
    out = root / "out.json"
    if out.exists():
        out.unlink()
    extra = ["--no-excel"] if command == "run" else []
    result = run_cli(command, "--config", str(config), "--period", PERIOD, "--json", str(out), *extra, cwd=root)
    assert_no_traceback(result)
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return result, flat(result.stderr), data


def figures(data: dict) -> dict:
    """Every amount of every report row of every entity."""
    return {(r["entity"], r["report"], r["row"]): tuple(r[m] for m in MEASURES) for r in data["income"]}


def checks(data: dict, check: str) -> list[dict]:
    return [c for c in data["checks"] if c["check"] == check]


def region(root: Path, files: dict[str, list[tuple]], inputs: str = "", unit_label: str = "tkr",
           entities: list[tuple] | None = None, totals: bool = True) -> Path:
    """region.toml and one income file per unit, with the given lines."""
    config = write_region(root, entities=entities or ENTITIES)
    for unit, lines in files.items():
        rows = income_rows(unit, lines, unit_label=unit_label)
        write_workbook(income_dir(root) / f"{unit}.xlsx", with_total(rows, lines) if totals else rows)
    return set_inputs(config, inputs) if inputs else config


# --- [inputs] signs ----------------------------------------------------------------

def test_ledger_file_read_with_ledger_signs_gives_the_report_figures(tmp_path):
    # the reference: the same units in report signs
    reference = region(tmp_path / "report", {u: REPORT[u] for u in ("U1", "U2")})
    result, err, expected = run(tmp_path / "report", reference)
    assert result.returncode == 0, err
    # as booked (with its control total as booked), read with signs = "ledger"
    config = region(tmp_path / "ledger", {u: ledger(REPORT[u]) for u in ("U1", "U2")}, 'signs = "ledger"')
    result, err, data = run(tmp_path / "ledger", config)
    assert result.returncode == 0, err
    assert figures(data) == figures(expected)
    region_result = figures(data)[("REG", "Resultaträkning", "Resultat")]
    assert region_result[0] == (900 - 500 - 120 + 400 - 300 - 75.5) * 1000  # in kr, revenue +, cost -
    assert not checks(data, "reversed_signs")
    # a zero turned round is 0, never -0
    assert "-0.0" not in (tmp_path / "ledger" / "out.json").read_text(encoding="utf-8")


def test_ledger_file_without_the_setting_is_refused_naming_file_and_key(tmp_path):
    config = region(tmp_path, {"U1": ledger(REPORT["U1"]), "U2": REPORT["U2"]})
    result, err, data = run(tmp_path, config)
    assert result.returncode == 1 and data is None  # nothing consolidated backwards
    assert "tecknen ser omvända ut" in err and "U1.xlsx" in err
    assert 'signs = "ledger"' in err and "[inputs]" in err
    result, err, data = run(tmp_path, config, "validate")
    assert result.returncode == 1 and "tecknen ser omvända ut" in err and "U1.xlsx" in err
    found = checks(data, "reversed_signs")
    assert len(found) == 1
    assert found[0]["file"].endswith("U1.xlsx") and found[0]["unit"] == "U1" and found[0]["severity"] == "error"
    assert found[0]["sheet"] == "Resultat"
    assert "-900 000 kr" in found[0]["message"] and "620 000 kr" in found[0]["message"]


def test_report_file_read_with_ledger_signs_is_refused_naming_the_way_back(tmp_path):
    config = region(tmp_path, {"U1": REPORT["U1"], "U2": ledger(REPORT["U2"])}, 'signs = "ledger"')
    assert run(tmp_path, config)[0].returncode == 1
    data = run(tmp_path, config, "validate")[2]
    found = checks(data, "reversed_signs")
    assert [f["unit"] for f in found] == ["U1"]
    assert 'signs = "report"' in found[0]["message"] and "[[inputs.source]]" in found[0]["message"]


def test_many_unit_export_is_checked_as_one_file(tmp_path):
    # U1's part alone looks reversed, but the file as a whole does not: not flagged
    rows = [["Period: 2026-04"], ["Belopp i tkr"], ["Ansvar", *INCOME_HEADER]]
    rows += [["U1", *line] for line in [(3010, "Intäkter", -10, 0, 0, 0, 0, 0), (4010, "Löner", 5, 0, 0, 0, 0, 0)]]
    rows += [["U2", *line] for line in REPORT["U2"]]
    config = write_region(tmp_path)
    write_workbook(income_dir(tmp_path) / "export.xlsx", rows)
    result, err, data = run(tmp_path, config)
    assert result.returncode == 0 and not checks(data, "reversed_signs"), err
    # the whole export as booked: one error naming the file, no single unit
    rows = rows[:3] + [["U1", *line] for line in ledger(REPORT["U1"])] + [["U2", *line] for line in ledger(REPORT["U2"])]
    write_workbook(income_dir(tmp_path) / "export.xlsx", rows)
    assert run(tmp_path, config)[0].returncode == 1
    data = run(tmp_path, config, "validate")[2]
    found = checks(data, "reversed_signs")
    assert len(found) == 1 and found[0]["file"].endswith("export.xlsx") and found[0]["unit"] is None


CANNOT_TELL = [
    # costs only, booked as costs (+): no revenue at all, so no way to tell
    [(4010, "Löner", 500, 480, 470, 1450, 1500, 1400), (5010, "Lokaler", 120, 0, 110, 360, 370, 350)],
    # a revenue line that sums to zero, costs +
    [(3010, "Intäkter", 100, 0, 0, 0, 0, 0), (3050, "Försäljning", -100, 0, 0, 0, 0, 0), (4010, "Löner", 5, 1, 1, 1, 1, 1)],
    # revenue within rounding of zero (0.0004 tkr = 0.4 kr), costs +
    [(3010, "Intäkter", -0.0004, 0, 0, 0, 0, 0), (4010, "Löner", 5, 1, 1, 1, 1, 1)],
    # revenue below zero (a credit note), costs as reported (-)
    [(3010, "Intäkter", -40, 0, 0, 0, 0, 0), (4010, "Löner", -5, 1, 1, 1, 1, 1)],
    # nothing but revenue, reversed: nothing else to compare with
    [(3010, "Intäkter", -40, -40, -40, -40, -40, -40)],
]


def test_files_that_cannot_tell_are_not_flagged(tmp_path):
    # one unit per case, in one run
    units = [(f"C{i}", f"Fall {i}", "ADM") for i in range(len(CANNOT_TELL))]
    config = region(tmp_path, dict(zip([u for u, *_ in units], CANNOT_TELL)), entities=[ENTITIES[0], *units])
    result, err, data = run(tmp_path, config)
    assert result.returncode == 0, err
    assert not checks(data, "reversed_signs")


def test_only_actual_decides(tmp_path):
    # budget and the rest as booked, actual as reported: not the signs of the file
    lines = [(3010, "Intäkter", 900, -850, -800, -2600, -2700, -2500), (4010, "Löner", -500, 480, 470, 1450, 1500, 1400)]
    config = region(tmp_path, {"U1": lines, "U2": REPORT["U2"]})
    result, err, _ = run(tmp_path, config)
    assert result.returncode == 0, err


# --- [[inputs.source]] ---------------------------------------------------------------

UNIT4 = """
[[inputs.source]]                      # the Unit4 export: as booked, in tkr, on sheet Data
pattern = "in/{period}/resultat/unit4*.xlsx"
signs = "ledger"
amount_unit = "tkr"
sheet = "Data"
"""


def write_export(path: Path, units: list[str], signs_of=ledger) -> Path:
    """A many-unit export as a ledger writes it: a cover sheet first, the rows on
    sheet Data with an Ansvar column, no amount unit stated, a control total."""
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "Info"
    cover["A1"] = "Export från Unit4 ERP"
    data = book.create_sheet("Data")
    data.append(["Period: 2026-04"])
    data.append(["Ansvar", *INCOME_HEADER])
    lines = []
    for unit in units:
        for line in signs_of(REPORT[unit]):
            data.append([unit, *line])
            lines.append(line)
    data.append(["Summa", None, None, *[sum(line[2 + m] for line in lines) for m in range(6)]])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def test_source_applies_its_settings_to_the_files_it_matches_only(tmp_path):
    # reference: every unit in its own report-signed file in tkr
    reference = region(tmp_path / "ref", REPORT, entities=THREE)
    result, err, expected = run(tmp_path / "ref", reference)
    assert result.returncode == 0, err
    # U1 and U2 in one Unit4 export (ledger, tkr unstated, sheet Data); U3 hand-made in
    # report signs, first sheet, no amount unit stated: [inputs] amount_unit = "tkr"
    root = tmp_path / "mixed"
    config = write_region(root, entities=THREE)
    set_inputs(config, 'amount_unit = "tkr"')
    config.write_text(config.read_text(encoding="utf-8") + UNIT4, encoding="utf-8")
    write_export(income_dir(root) / "unit4_2026-04.xlsx", ["U1", "U2"])
    write_workbook(income_dir(root) / "U3.xlsx", [["Ansvar:", "U3"], INCOME_HEADER, *REPORT["U3"]])
    result, err, data = run(root, config)
    assert result.returncode == 0, err
    assert figures(data) == figures(expected)


def test_source_settings_do_not_leak_to_other_files(tmp_path):
    # the hand-made sheet has no sheet Data, is in report signs and states no unit: read
    # with the source's settings it would fail, be refused, or be 1000 times too big
    config = write_region(tmp_path, entities=THREE)
    config.write_text(config.read_text(encoding="utf-8") + UNIT4, encoding="utf-8")
    write_export(income_dir(tmp_path) / "unit4.xlsx", ["U1", "U2"])
    write_workbook(income_dir(tmp_path) / "U3.xlsx", [["Ansvar:", "U3"], INCOME_HEADER, *REPORT["U3"]])
    result, err, data = run(tmp_path, config)
    assert result.returncode == 0, err
    u3 = figures(data)[("U3", "Resultaträkning", "Resultat")]
    assert u3[0] == 50 - 20  # kr: [inputs] amount_unit's default, report signs
    u1 = figures(data)[("U1", "Resultaträkning", "Resultat")]
    assert u1[0] == (900 - 500 - 120) * 1000  # tkr from the source, turned round


def test_source_without_signs_is_named_as_the_key_to_set(tmp_path):
    config = write_region(tmp_path, entities=THREE)
    source = '\n[[inputs.source]]\npattern = "in/{period}/resultat/unit4*.xlsx"\nsheet = "Data"\n'
    config.write_text(config.read_text(encoding="utf-8") + source, encoding="utf-8")
    write_export(income_dir(tmp_path) / "unit4.xlsx", ["U1", "U2"])
    write_workbook(income_dir(tmp_path) / "U3.xlsx", [["Ansvar:", "U3"], INCOME_HEADER, *REPORT["U3"]])
    assert run(tmp_path, config)[0].returncode == 1
    data = run(tmp_path, config, "validate")[2]
    found = checks(data, "reversed_signs")
    assert len(found) == 1 and found[0]["file"].endswith("unit4.xlsx")
    assert "[[inputs.source]] nr 1" in found[0]["message"] and 'signs = "ledger"' in found[0]["message"]
    assert "unit4*.xlsx" in found[0]["message"]


def test_source_sheet_applies_to_staffing_files_it_matches(tmp_path):
    config = write_region(tmp_path, staffing=True)
    source = '\n[[inputs.source]]\npattern = "in/{period}/personal/U1*.xlsx"\nsheet = "HR"\n'
    config.write_text(config.read_text(encoding="utf-8") + source, encoding="utf-8")
    for unit in ("U1", "U2"):
        write_workbook(income_dir(tmp_path) / f"{unit}.xlsx", income_rows(unit, REPORT[unit]))
    book = openpyxl.Workbook()
    book.active.title = "Info"
    book.active["A1"] = "Personalrapport"
    hr = book.create_sheet("HR")
    for row in (["Ansvar:", "U1"], ["Period: 2026-04"], ["Anställda", "Arbetad tid"], [10, 5000]):
        hr.append(row)
    (tmp_path / "in" / PERIOD / "personal").mkdir(parents=True)
    book.save(tmp_path / "in" / PERIOD / "personal" / "U1.xlsx")
    write_workbook(tmp_path / "in" / PERIOD / "personal" / "U2.xlsx",
                   [["Ansvar:", "U2"], ["Period: 2026-04"], ["Anställda", "Arbetad tid"], [4, 2000]], sheet="Personal")
    result, err, data = run(tmp_path, config)
    assert result.returncode == 0, err
    headcount = {r["entity"]: r["headcount"] for r in data["staffing"]
                 if r["entity"] in ("U1", "U2") and r["by"] is None}
    assert headcount == {"U1": 10, "U2": 4}


def test_source_that_matches_no_file_is_an_error(tmp_path):
    config = region(tmp_path, {u: REPORT[u] for u in ("U1", "U2")})
    source = '\n[[inputs.source]]\npattern = "in/{period}/resultat/unit4*.xlsx"\nsigns = "ledger"\n'
    config.write_text(config.read_text(encoding="utf-8") + source, encoding="utf-8")
    result, err, _ = run(tmp_path, config)
    assert result.returncode == 1
    assert "[[inputs.source]] nr 1" in err and "matchar ingen" in err and "unit4*.xlsx" in err


def test_source_that_matches_files_outside_the_inputs_is_an_error(tmp_path):
    config = region(tmp_path, {u: REPORT[u] for u in ("U1", "U2")})
    write_export(tmp_path / "elsewhere" / "unit4.xlsx", ["U1"])
    source = '\n[[inputs.source]]\npattern = "elsewhere/*.xlsx"\nsigns = "ledger"\n'
    config.write_text(config.read_text(encoding="utf-8") + source, encoding="utf-8")
    result, err, _ = run(tmp_path, config)
    assert result.returncode == 1 and "[[inputs.source]] nr 1" in err and "matchar ingen" in err


def test_file_matched_by_two_sources_is_a_configuration_error(tmp_path):
    config = write_region(tmp_path, entities=THREE)
    sources = UNIT4 + '\n[[inputs.source]]\npattern = "in/{period}/resultat/*_2026-04.xlsx"\nsheet = "Data"\n'
    config.write_text(config.read_text(encoding="utf-8") + sources, encoding="utf-8")
    write_export(income_dir(tmp_path) / "unit4_2026-04.xlsx", ["U1", "U2"])
    write_workbook(income_dir(tmp_path) / "U3.xlsx", [["Ansvar:", "U3"], INCOME_HEADER, *REPORT["U3"]])
    for command in ("run", "validate"):
        result, err, _ = run(tmp_path, config, command)
        assert result.returncode == 2, err
        assert "[[inputs.source]] nr 1 och nr 2" in err and "unit4_2026-04.xlsx" in err
        assert "unit4*.xlsx" in err and "*_2026-04.xlsx" in err


# --- configuration errors: exit 2 naming the key -------------------------------------

def config_error(root: Path, config: Path, *named: str, cli: bool = True) -> str:
    """The configuration is refused naming `named`: by the CLI with exit 2, or (for the
    many variations of one mistake, to keep the suite quick) by `load_config`, which
    the CLI turns into exit 2 for every `ConfigError`."""
    if cli:
        result, err, _ = run(root, config)
        assert result.returncode == 2, (result.returncode, err)
    else:
        with pytest.raises(ConfigError) as raised:
            load_config(config)
        err = str(raised.value)
    message = err.replace(str(root.resolve()), "<root>").replace(str(root), "<root>")
    assert "region.toml" in err
    for text in named:
        assert text in message, (text, err)
    return message


@pytest.mark.parametrize(("inputs", "named", "cli"), [
    ('signs = "Ledger"', ["inputs.signs", "'Ledger'", '"report"', '"ledger"'], True),
    ('signs = "booked"', ["inputs.signs", "'booked'"], False),
    ("signs = 1", ["inputs.signs"], False),
    ('sign = "ledger"', ["inputs.sign", "okänd nyckel", "signs"], True),
    ('income_sheet = 3', ["inputs.income_sheet"], False),
    ('source = { pattern = "in/*.xlsx", signs = "ledger" }', ["inputs.source", "[[inputs.source]]"], False),
])
def test_bad_inputs_keys(tmp_path, inputs, named, cli):
    config = region(tmp_path, {u: REPORT[u] for u in ("U1", "U2")}, inputs)
    config_error(tmp_path, config, *named, cli=cli)


@pytest.mark.parametrize(("source", "named", "cli"), [
    ('pattern = "in/*.xlsx"\nsigns = "bokförd"', ["[[inputs.source]] nr 2, signs", "'bokförd'"], True),
    ('pattern = "in/*.xlsx"\nsheets = "Data"', ["[[inputs.source]] nr 2, sheets", "okänd nyckel", "sheet"], True),
    ('pattern = "in/*.xlsx"\nsheets = "Data"\nsign = "ledger"', ["nr 2, sheets, sign", "okända nycklar"], False),
    ('pattern = "in/*.xlsx"\namount_unit = "Tkr"', ["[[inputs.source]] nr 2, amount_unit", "'Tkr'"], False),
    ('pattern = "in/*.xlsx"\namount_unit = 1000', ["[[inputs.source]] nr 2, amount_unit"], False),
    ('pattern = "in/*.xlsx"\nsheet = ""', ["[[inputs.source]] nr 2, sheet"], False),
    ('signs = "ledger"', ["[[inputs.source]] nr 2, pattern", "saknas"], False),
    ("pattern = 7", ["[[inputs.source]] nr 2, pattern"], False),
    ('pattern = "in/{period}/resultat/unit4*.xlsx"', ["[[inputs.source]] nr 1 och nr 2, pattern", "unit4*.xlsx"],
     True),
])
def test_bad_source_tables(tmp_path, source, named, cli):
    config = region(tmp_path, {u: REPORT[u] for u in ("U1", "U2")})
    text = config.read_text(encoding="utf-8") + UNIT4 + f"\n[[inputs.source]]\n{source}\n"
    config.write_text(text, encoding="utf-8")
    config_error(tmp_path, config, *named, cli=cli)


BAD_NUMBERS = ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "-1", "-0.5", "true", "false", '"1725"', "[1]"]
# the TOML literals nan, inf and -inf, and 0, each through the CLI for every key
CLI = {"nan", "inf", "-inf", "0"}


@pytest.mark.parametrize("value", [*BAD_NUMBERS, "0", "0.0", "-0.0"])
def test_fte_hours_per_year_must_be_a_positive_number(tmp_path, value):
    config = region(tmp_path, {u: REPORT[u] for u in ("U1", "U2")})
    text = config.read_text(encoding="utf-8").replace("fte_hours_per_year = 1725", f"fte_hours_per_year = {value}")
    config.write_text(text, encoding="utf-8")
    config_error(tmp_path, config, "region.fte_hours_per_year", "större än 0", cli=value in CLI)


@pytest.mark.parametrize("value", [*BAD_NUMBERS, "0", "0.0"])
def test_max_workbook_mb_must_be_a_positive_number(tmp_path, value):
    config = region(tmp_path, {u: REPORT[u] for u in ("U1", "U2")}, f"max_workbook_mb = {value}")
    config_error(tmp_path, config, "inputs.max_workbook_mb", "större än 0", cli=value in CLI)


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_tolerance_must_be_a_number_not_below_zero(tmp_path, value):
    config = region(tmp_path, {u: REPORT[u] for u in ("U1", "U2")})
    text = config.read_text(encoding="utf-8") + f'\n[eliminations]\ndifference_line = "diff"\ntolerance = {value}\n'
    config.write_text(text, encoding="utf-8")
    config_error(tmp_path, config, "eliminations.tolerance", "0 eller större", cli=value in CLI)


@pytest.mark.parametrize("extra", ["\n[eliminations]\ndifference_line = \"diff\"\ntolerance = 0\n", ""])
def test_good_numbers_run(tmp_path, extra):
    config = region(tmp_path, {u: REPORT[u] for u in ("U1", "U2")}, "max_workbook_mb = 0.5")
    text = config.read_text(encoding="utf-8").replace("fte_hours_per_year = 1725", "fte_hours_per_year = 1700.5")
    config.write_text(text + extra, encoding="utf-8")
    result, err, _ = run(tmp_path, config)
    assert result.returncode == 0, err


def test_motpart_code_written_as_boolean_is_an_error(tmp_path):
    config = region(tmp_path, {u: REPORT[u] for u in ("U1", "U2")},
                    entities=[("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM", [True]),
                              ("U2", "Enhet två", "ADM")])
    assert "motpart = [true]" in config.read_text(encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + '\n[eliminations]\ndifference_line = "diff"\n',
                      encoding="utf-8")
    config_error(tmp_path, config, "entity[1].motpart")


# --- the reader: ledger signs are the report's turned round, exactly --------------------

amounts = st.one_of(
    st.integers(-10**9, 10**9).map(float),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 2)),
    st.just(0.0),
)


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(st.tuples(st.sampled_from([3010, 4010, 5010, 6010]), *[amounts] * 6), min_size=1, max_size=6),
       unit=st.sampled_from(["kr", "tkr", "mkr"]), text=st.booleans())
def test_ledger_reading_is_the_report_reading_turned_round(tmp_path_factory, lines, unit, text):
    folder = tmp_path_factory.mktemp("signs")

    def cell(value: float):
        if not text:
            return value
        written = f"{abs(value):.2f}".replace(".", ",")
        return f"-{written}" if value < 0 else written

    report = [(account, "Namn", *[cell(a) for a in values]) for account, *values in lines]
    booked = [(account, "Namn", *[cell(-a) for a in values]) for account, *values in lines]
    labels = merge_labels(INCOME_LABELS, {})
    read = {}
    for name, rows, signs in (("report", report, "report"), ("ledger", booked, "ledger")):
        path = write_workbook(folder / f"{name}.xlsx", income_rows("U1", rows, unit_label=unit))
        found, problems = read_income_file(path, path.name, None, 200 * 2**20, labels, "kr", signs)
        assert not [p for p in problems if p.is_error], problems
        read[name] = found
    for measure in MEASURES:
        assert list(read["ledger"].amounts[measure]) == list(read["report"].amounts[measure])
        assert not any(math.copysign(1.0, a) < 0 and a == 0 for a in read["ledger"].amounts[measure])
