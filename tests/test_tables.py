"""SPEC §11: the organisation tree and the account mapping as tables (.xlsx or .csv),
with validity periods; every mistake in them a configuration error naming file, row
and column; the sample region's table form giving exactly the figures of its TOML form."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from helpers import CHART, ROOT, assert_no_traceback, copy_samples, flat, income_rows, run_cli, write_workbook

from consolidate.config import region
from consolidate.problems import ConfigError
from consolidate.readers.tables import load_config

TREE_HEADER = ["Kod", "Namn", "Förälder", "Motpart", "Från", "Till"]
TREE_ROWS = [
    ["ADM", "Förvaltningen", "REG", "12", "", ""],
    ["ANN", "Annan förvaltning", "REG", "13, 14", "", ""],
    ["U1", "Enhet ett", "ADM", "", "", "2026-03"],
    ["U1", "Enhet ett", "ANN", "", "2026-04", ""],
    ["U2", "Enhet två", "ADM", "", "", ""],
]
MAPPING_HEADER = ["Konto", "Rad", "Benämning"]
MAPPING_ROWS = [["3", "int", "Intäkter"], ["40", "lon", "Löner"], ["41", "lon", "Löner, jour"],
                ["5", "ovr", ""], ["6-7", "ovr", "Övrigt"], ["3999", "diff", "Differens"]]


def chart_lines_only() -> str:
    """helpers.CHART without its accounts: the mapping table holds them."""
    return "\n".join(line for line in CHART.splitlines() if not line.startswith("accounts ="))


def region_with_tables(root: Path, tree: str | None = "organisation.xlsx", mapping: str | None = "kontoplan.xlsx",
                       extra: str = "", chart: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "chart.toml").write_text(chart if chart is not None else chart_lines_only(), encoding="utf-8")
    text = f"""
[region]
code = "REG"
name = "Testregionen"
chart = "chart.toml"

[inputs]
income = "in/{{period}}/resultat/*.xlsx"

[eliminations]
difference_line = "diff"

{f'[tree]{chr(10)}file = "{tree}"' if tree else ""}

{f'[chart]{chr(10)}mapping = "{mapping}"' if mapping else ""}

{extra}
"""
    path = root / "region.toml"
    path.write_text(text, encoding="utf-8")
    return path


def write_tables(root: Path, tree_rows=TREE_ROWS, mapping_rows=MAPPING_ROWS, above: list[list] | None = None) -> None:
    write_workbook(root / "organisation.xlsx", [*(above or []), TREE_HEADER, *tree_rows], sheet="Organisation")
    write_workbook(root / "kontoplan.xlsx", [MAPPING_HEADER, *mapping_rows], sheet="Kontoplan")


def write_csv(path: Path, rows: list[list], delimiter: str = ";", encoding: str = "utf-8") -> Path:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def config_error(config: Path, period: str = "2026-04") -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(config, period)
    return caught.value


# --- the tree and its periods ------------------------------------------------------

def test_the_tree_valid_in_each_period_is_used(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path)
    march, april = load_config(config, "2026-03"), load_config(config, "2026-04")
    assert march.tree.parent_of["U1"] == "ADM" and april.tree.parent_of["U1"] == "ANN"
    assert march.tree.parent_of["U2"] == april.tree.parent_of["U2"] == "ADM"
    assert april.tree.motpart_owner == {"12": "ADM", "13": "ANN", "14": "ANN"}
    assert march.period == "2026-03" and april.period == "2026-04"
    # the mapping adds to chart.toml's lines, and a line of class 3 only counts as revenue
    chart = april.chart
    assert chart.line_of("4011") == "lon" and chart.line_of("4110") == "lon" and chart.line_of("7010") == "ovr"
    assert chart.line_of("3999") == "diff" and chart.line_of("3010") == "int" and chart.line_of("8010") is None
    assert chart.revenue_lines == ("int", "diff")
    # both tables count as inputs of a close
    assert {p.name for p in april.setup_files} == {"region.toml", "chart.toml", "organisation.xlsx", "kontoplan.xlsx"}
    assert set(april.table_digests) == {tmp_path / "organisation.xlsx", tmp_path / "kontoplan.xlsx"}


def test_without_a_period_the_tree_is_this_months(tmp_path):
    import datetime as dt

    today = dt.date.today()
    this_month = f"{today.year:04d}-{today.month:02d}"
    rows = [["ADM", "Förvaltningen", "REG", "", "", ""], ["U1", "Enhet ett", "ADM", "", "", ""],
            ["NY", "Ny enhet", "ADM", "", this_month, ""]]
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=rows)
    assert "NY" in load_config(config).tree.entities
    assert load_config(config).period == this_month
    assert "NY" not in load_config(config, "2000-01").tree.entities


def test_a_table_with_a_title_above_and_labels_as_deliveries_write_them(tmp_path):
    header = ["KOD ", "namn", "Förälder", "Motpartskod", "Gäller från", "Gäller till"]
    write_workbook(tmp_path / "organisation.xlsx",
                   [["Organisation 2026"], [], header, *TREE_ROWS], sheet="Träd")
    write_workbook(tmp_path / "kontoplan.xlsx", [["Kontointervall", "Rapportrad"], *[r[:2] for r in MAPPING_ROWS]])
    config = region_with_tables(tmp_path)
    assert load_config(config, "2026-04").tree.parent_of["U1"] == "ANN"


def test_codes_and_periods_written_as_numbers_and_dates(tmp_path):
    import datetime as dt

    rows = [[1100, "Förvaltningen", "REG", 12, None, None],
            [1110, "Enhet", 1100, None, None, dt.datetime(2026, 3, 31)],
            [1110, "Enhet", 1200, None, dt.datetime(2026, 4, 1), None],
            [1200, "Annan", "REG", None, None, None]]
    write_workbook(tmp_path / "organisation.xlsx", [TREE_HEADER, *rows])
    write_workbook(tmp_path / "kontoplan.xlsx", [MAPPING_HEADER, [3, "int", None], [4, "lon", None],
                                                  [5, "ovr", None], [3999, "diff", None]])
    config = region_with_tables(tmp_path)
    tree = load_config(config, "2026-04").tree
    assert tree.parent_of["1110"] == "1200" and tree.motpart_owner == {"12": "1100"}
    assert load_config(config, "2026-03").tree.parent_of["1110"] == "1100"


@pytest.mark.parametrize("delimiter, encoding", [(";", "utf-8-sig"), (";", "cp1252"), (",", "utf-8"),
                                                 (",", "cp1252")])
def test_csv_tables_in_either_encoding_and_separator(tmp_path, delimiter, encoding):
    write_csv(tmp_path / "organisation.csv", [["Organisation"], TREE_HEADER, *TREE_ROWS], delimiter, encoding)
    write_csv(tmp_path / "kontoplan.csv", [MAPPING_HEADER, *MAPPING_ROWS], delimiter, encoding)
    config = region_with_tables(tmp_path, "organisation.csv", "kontoplan.csv")
    april = load_config(config, "2026-04")
    assert april.tree.parent_of["U1"] == "ANN" and april.tree.entities["ANN"].name == "Annan förvaltning"
    assert april.tree.motpart_owner == {"12": "ADM", "13": "ANN", "14": "ANN"}  # "13, 14" quoted in a ,-file
    assert april.chart.line_of("4110") == "lon"
    mistake = config_error(region_with_tables(tmp_path / "b", "organisation.csv", "kontoplan.csv"))
    assert mistake.key == "tree.file" and "organisation.csv finns inte" in mistake.message  # not copied to b/


def test_a_csv_file_in_neither_encoding_is_refused(tmp_path):
    (tmp_path / "organisation.csv").write_bytes("Kod;Namn;Förälder\n".encode("utf-16"))
    write_csv(tmp_path / "kontoplan.csv", [MAPPING_HEADER, *MAPPING_ROWS])
    mistake = config_error(region_with_tables(tmp_path, "organisation.csv", "kontoplan.csv"))
    assert mistake.file.endswith("organisation.csv") and "UTF-8" in mistake.message


def test_entity_tables_in_region_toml_add_to_the_file(tmp_path):
    extra = '[[entity]]\ncode = "U3"\nname = "Enhet tre"\nparent = "ADM"\nfrom = "2026-04"\n'
    config = region_with_tables(tmp_path, extra=extra)
    write_tables(tmp_path)
    assert load_config(config, "2026-04").tree.parent_of["U3"] == "ADM"
    assert "U3" not in load_config(config, "2026-03").tree.entities


def test_the_mapping_adds_to_accounts_chart_toml_lists(tmp_path):
    config = region_with_tables(tmp_path, chart=CHART.replace('accounts = ["40", "41"]', 'accounts = ["40"]'))
    write_tables(tmp_path, mapping_rows=[["41", "lon", "Jour"], ["8", "ovr", "Finansiellt"]])
    chart = load_config(config, "2026-04").chart
    assert chart.line_of("4011") == "lon" and chart.line_of("4110") == "lon" and chart.line_of("8410") == "ovr"


def test_config_module_without_a_table_reader_says_where_tables_are_read(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path)
    with pytest.raises(ConfigError) as caught:
        region.load_config(config, "2026-04")
    assert caught.value.key == "tree.file" and "readers.tables.load_config" in caught.value.message


# --- mistakes, each naming file, row and column --------------------------------------

def test_unknown_parent(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=[*TREE_ROWS, ["U9", "Nio", "XYZ", "", "", ""]])
    mistake = config_error(config)
    assert mistake.file.endswith("organisation.xlsx")
    assert mistake.key == "rad 7, kolumn C (Förälder)" and "XYZ" in mistake.message


def test_a_parent_that_is_not_valid_in_the_period(tmp_path):
    rows = [*TREE_ROWS, ["NY", "Ny förvaltning", "REG", "", "2026-05", ""], ["U9", "Nio", "NY", "", "", ""]]
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=rows)
    mistake = config_error(config, "2026-04")
    assert mistake.key == "rad 8, kolumn C (Förälder)" and "'NY'" in mistake.message and "2026-04" in mistake.message
    assert load_config(config, "2026-05").tree.parent_of["U9"] == "NY"


def test_a_cycle(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=[*TREE_ROWS, ["CA", "Cykel A", "CB", "", "", ""],
                                      ["CB", "Cykel B", "CA", "", "", ""]])
    mistake = config_error(config)
    assert mistake.key == "rad 7, kolumn C (Förälder)"
    assert "cykel" in mistake.message and "CA → CB → CA" in mistake.message


@pytest.mark.parametrize("start, end, first", [("", "", ""), ("2026-03", "", "2026-03"), ("", "2026-03", "")])
def test_a_code_defined_twice_for_one_period_names_both_places(tmp_path, start, end, first):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=[*TREE_ROWS, ["U2", "Enhet två igen", "ANN", "", start, end]])
    mistake = config_error(config)
    assert mistake.key == "rad 7, kolumn A (Kod)" and "'U2'" in mistake.message
    assert "organisation.xlsx rad 6" in mistake.message  # the other place
    assert (f"för {first}" in mistake.message) if first else ("för 20" not in mistake.message)


def test_a_code_in_the_file_and_in_region_toml_names_both(tmp_path):
    config = region_with_tables(tmp_path, extra='[[entity]]\ncode = "U2"\nname = "Två"\nparent = "ANN"\n')
    write_tables(tmp_path)
    mistake = config_error(config)
    assert mistake.file.endswith("region.toml") and mistake.key == "entity[0].code"
    assert "organisation.xlsx rad 6" in mistake.message


def test_rows_that_follow_each_other_are_no_overlap(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path)  # U1 until 2026-03, then from 2026-04
    assert load_config(config, "2026-03").tree.parent_of["U1"] == "ADM"


@pytest.mark.parametrize("column, value, cell", [("Från", "april 2026", "E"), ("Till", "2026-13", "F"),
                                                 ("Från", "26-04", "E")])
def test_a_bad_period(tmp_path, column, value, cell):
    row = ["U9", "Nio", "ADM", "", value if column == "Från" else "", value if column == "Till" else ""]
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=[*TREE_ROWS, row])
    mistake = config_error(config)
    assert mistake.key == f"rad 7, kolumn {cell} ({column})" and value in mistake.message and "ÅÅÅÅ-MM" in mistake.message


def test_till_before_fran(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=[*TREE_ROWS, ["U9", "Nio", "ADM", "", "2026-05", "2026-04"]])
    mistake = config_error(config)
    assert mistake.key == "rad 7, kolumn F (Till)" and "före" in mistake.message


def test_rows_without_a_parent_are_named_together(tmp_path):
    rows = [*TREE_ROWS, *[[f"U{n}", f"Enhet {n}", "", "", "", ""] for n in range(3, 10)]]
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=rows)
    mistake = config_error(config)
    assert mistake.key == "rad 7, kolumn C (Förälder)" and "'U3'" in mistake.message
    assert "6 rader till" in mistake.message and "rad 8" in mistake.message


def test_the_region_given_a_row(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=[["REG", "Regionen", "REG", "", "", ""], *TREE_ROWS])
    mistake = config_error(config)
    assert mistake.key == "rad 2, kolumn A (Kod)" and "regionens kod" in mistake.message


def test_a_missing_required_column(tmp_path):
    write_workbook(tmp_path / "organisation.xlsx", [["Kod", "Namn", "Motpart"], ["U1", "Ett", ""]])
    write_workbook(tmp_path / "kontoplan.xlsx", [MAPPING_HEADER, *MAPPING_ROWS])
    mistake = config_error(region_with_tables(tmp_path))
    assert mistake.file.endswith("organisation.xlsx") and "Förälder" in mistake.message and "rad 1" in mistake.message
    write_workbook(tmp_path / "kontoplan.xlsx", [["Konto", "Benämning"], ["3", "Intäkter"]])
    write_tables_tree_only(tmp_path)
    mistake = config_error(region_with_tables(tmp_path))
    assert mistake.file.endswith("kontoplan.xlsx") and "Rad" in mistake.message


def test_two_columns_for_one_label(tmp_path):
    write_workbook(tmp_path / "organisation.xlsx", [["Kod", "Ansvar", "Namn", "Förälder"], ["U1", "U1", "Ett", "REG"]])
    write_workbook(tmp_path / "kontoplan.xlsx", [MAPPING_HEADER, *MAPPING_ROWS])
    mistake = config_error(region_with_tables(tmp_path))
    assert mistake.file.endswith("organisation.xlsx") and "cell B1" in mistake.key
    assert "A1 ('Kod') och B1 ('Ansvar')" in mistake.message and "inputs.aliases" not in mistake.message


def write_tables_tree_only(root: Path) -> None:
    write_workbook(root / "organisation.xlsx", [TREE_HEADER, *TREE_ROWS])


def test_an_excel_error_value_in_a_cell(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=[*TREE_ROWS, ["U9", "Nio", "#N/A", "", "", ""]])
    mistake = config_error(config)
    assert mistake.key == "rad 7, kolumn C (Förälder)" and "#N/A" in mistake.message


def test_a_table_that_is_no_workbook_is_refused_as_a_delivery_would_be(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path)
    (tmp_path / "organisation.xlsx").write_text("Kod;Namn;Förälder\n", encoding="utf-8")
    mistake = config_error(config)
    assert mistake.file.endswith("organisation.xlsx") and "arbetsbok" in mistake.message


def test_a_mapping_row_whose_line_does_not_exist(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, mapping_rows=[*MAPPING_ROWS, ["8", "finans", "Finansiellt"]])
    mistake = config_error(config)
    assert mistake.file.endswith("kontoplan.xlsx") and mistake.key == "rad 8, kolumn B (Rad)"
    assert "'finans'" in mistake.message and "chart.toml" in mistake.message


@pytest.mark.parametrize("row, other", [(["40", "ovr", ""], "kontoplan.xlsx rad 3"),
                                        (["40-41", "ovr", ""], "kontoplan.xlsx rad 3"),
                                        (["41", "int", ""], "kontoplan.xlsx rad 4")])
def test_two_equally_specific_patterns(tmp_path, row, other):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, mapping_rows=[*MAPPING_ROWS, row])
    mistake = config_error(config)
    assert mistake.key == "rad 8, kolumn A (Konto)" and "lika specifika" in mistake.message
    assert other in mistake.message


def test_a_mapping_pattern_as_specific_as_one_of_chart_toml(tmp_path):
    config = region_with_tables(tmp_path, chart=CHART)  # chart.toml maps 40 to lon itself
    write_tables(tmp_path, mapping_rows=[["40", "ovr", ""]])
    mistake = config_error(config)
    assert mistake.file.endswith("kontoplan.xlsx") and mistake.key == "rad 2, kolumn A (Konto)"
    assert "chart.toml line[1].accounts[0]" in mistake.message
    write_tables(tmp_path, mapping_rows=[["40", "lon", "samma rad: ingen konflikt"]])
    assert load_config(config, "2026-04").chart.line_of("4011") == "lon"


def test_a_bad_account_pattern(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, mapping_rows=[*MAPPING_ROWS, ["40-4099", "lon", ""]])
    mistake = config_error(config)
    assert mistake.key == "rad 8, kolumn A (Konto)" and "40-4099" in mistake.message


def test_a_mistake_in_a_table_is_exit_2_on_the_command_line(tmp_path):
    config = region_with_tables(tmp_path)
    write_tables(tmp_path, tree_rows=[*TREE_ROWS, ["U9", "Nio", "XYZ", "", "", ""]])
    write_workbook(tmp_path / "in/2026-04/resultat/U1.xlsx", income_rows("U1", [(3010, "Intäkter", 1, 1, 1, 1, 1, 1)]))
    for command in ("run", "validate"):
        done = run_cli(command, "--config", str(config), "--period", "2026-04", *(["--no-excel"] * (command == "run")))
        assert_no_traceback(done)
        assert done.returncode == 2, done.stderr
        assert "organisation.xlsx: rad 7, kolumn C (Förälder): okänd förälder 'XYZ'" in flat(done.stderr)


# --- the sample region: tables and TOML give the same figures ----------------------------

def _generator():
    spec = importlib.util.spec_from_file_location("sample_generator_tables", ROOT / "samples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_samples_keep_their_tree_and_mapping_as_tables():
    text = (ROOT / "config" / "region.toml").read_text(encoding="utf-8")
    assert "[[entity]]\n" not in text and 'file = "organisation.xlsx"' in text
    assert "\naccounts = " not in (ROOT / "config" / "chart.toml").read_text(encoding="utf-8")
    config = load_config(ROOT / "config" / "region.toml", "2026-04")
    assert [t.path.name for t in config.tables] == ["organisation.xlsx", "kontoplan.xlsx"]
    assert len(config.tree.units) == 30


@pytest.mark.parametrize("period", ["2026-03", "2026-04"])
def test_the_table_form_gives_exactly_the_json_of_the_toml_form(tmp_path, period):
    tables = copy_samples(tmp_path, periods=(period,))
    toml = _generator().toml_form(tmp_path / "toml", tables)
    assert "[[entity]]" in toml.read_text(encoding="utf-8") and "[tree]" not in toml.read_text(encoding="utf-8")
    assert "accounts = " in (toml.parent / "chart.toml").read_text(encoding="utf-8")
    found = {}
    for form, config in (("tables", tables), ("toml", toml)):
        out = tmp_path / f"{form}.json"
        done = run_cli("run", "--config", str(config), "--period", period, "--no-excel", "-q", "--json", str(out),
                       cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        found[form] = json.loads(out.read_text(encoding="utf-8"))
    assert found["tables"]["income"] and found["tables"] == found["toml"]
