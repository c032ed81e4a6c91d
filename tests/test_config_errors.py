"""SPEC §3 and §4: every configuration or usage mistake is exit 2, naming the file and
the key, with no traceback; and the chart's longest-pattern rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    CHART,
    ENTITIES,
    assert_no_traceback,
    flat,
    income_rows,
    run_cli,
    write_region,
    write_workbook,
)

from consolidate.config.chart import load_chart
from consolidate.config.region import load_config
from consolidate.problems import ConfigError

PERIOD = "2026-04"


def inputs(root: Path) -> None:
    """A valid period of input, so only the configuration can be wrong."""
    folder = root / "in" / PERIOD / "resultat"
    for unit in ("U1", "U2"):
        write_workbook(folder / f"{unit}.xlsx", income_rows(unit, [(3010, "Intäkter", 1, 1, 1, 1, 1, 1)]))


def run(root: Path, config: Path, *extra: str, period: str = PERIOD):
    result = run_cli("run", "--config", str(config), "--period", period, "--no-excel", *extra, cwd=root)
    assert_no_traceback(result)
    return result


def assert_config_error(root: Path, config: Path, file: str, *named: str, extra: tuple = ()) -> str:
    """exit 2; stderr names the file and everything in `named`."""
    result = run(root, config, *extra)
    err = flat(result.stderr)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert file in err, err
    # keys must be named in the message itself, not found by chance in the test's path
    message = err.replace(str(root.resolve()), "<root>").replace(str(root), "<root>")
    for text in named:
        assert text in message, (text, err)
    return message


def test_valid_config_runs(tmp_path):
    # the baseline every other test breaks in one place
    config = write_region(tmp_path)
    inputs(tmp_path)
    assert run(tmp_path, config).returncode == 0


def test_bad_toml_syntax(tmp_path):
    config = write_region(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace('code = "REG"', 'code = "REG', 1), encoding="utf-8")
    err = assert_config_error(tmp_path, config, "region.toml")
    assert "line" in err.lower() or "rad" in err.lower()
    with pytest.raises(ConfigError) as exc:
        load_config(config)
    assert exc.value.file.endswith("region.toml")


def test_missing_region_table(tmp_path):
    config = write_region(tmp_path)
    text = config.read_text(encoding="utf-8").replace("[region]", "[regionen]")
    config.write_text(text, encoding="utf-8")
    assert_config_error(tmp_path, config, "region.toml", "region")
    with pytest.raises(ConfigError) as exc:
        load_config(config)
    assert "region" in (exc.value.key or "")


def test_unknown_parent_names_entity_key(tmp_path):
    entities = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "XYZ"), ("U2", "Enhet två", "ADM")]
    config = write_region(tmp_path, entities=entities)
    assert_config_error(tmp_path, config, "region.toml", "entity[1].parent", "XYZ")


def test_cycle_in_tree(tmp_path):
    entities = [*ENTITIES, ("CYA", "Cykel A", "CYB"), ("CYB", "Cykel B", "CYA")]
    config = write_region(tmp_path, entities=entities)
    err = assert_config_error(tmp_path, config, "region.toml", "entity", "CYA", "CYB")
    assert "cykel" in err.lower() or "cycle" in err.lower()


def test_duplicate_entity_code(tmp_path):
    entities = [*ENTITIES, ("U1", "Enhet ett igen", "ADM")]
    config = write_region(tmp_path, entities=entities)
    assert_config_error(tmp_path, config, "region.toml", "entity[3].code", "U1")


def test_duplicate_motpart_code(tmp_path):
    entities = [("ADM", "Förvaltningen", "REG", ["12"]), ("U1", "Enhet ett", "ADM", ["12"]),
                ("U2", "Enhet två", "ADM")]
    config = write_region(tmp_path, entities=entities, extra='[eliminations]\ndifference_line = "diff"\n')
    assert_config_error(tmp_path, config, "region.toml", "motpart", "12", "ADM", "U1")


@pytest.mark.parametrize("first, second", [
    ('"401"', '"401"'), ('"4010-4019"', '"4015"'), ('"4015"', '"4010-4019"'), ('"4015"', '"4015-4016"'),
])
def test_equally_specific_patterns_are_error(tmp_path, first, second):
    chart = CHART.replace('accounts = ["40", "41"]', f'accounts = ["41", {first}]').replace(
        'accounts = ["5", "6", "7"]', f'accounts = ["5", "6", "7", {second}]')
    config = write_region(tmp_path, chart=chart)
    # "ovr" is line[2]; its fourth pattern clashes with "lon"'s
    assert_config_error(tmp_path, config, "chart.toml", "line[2].accounts[3]")


def test_range_with_unequal_lengths(tmp_path):
    chart = CHART.replace('accounts = ["40", "41"]', 'accounts = ["400-4099"]')
    config = write_region(tmp_path, chart=chart)
    assert_config_error(tmp_path, config, "chart.toml", "line[1].accounts[0]", "400-4099")


def test_report_row_naming_unknown_line(tmp_path):
    chart = CHART.replace('{ name = "Löner", lines = ["lon"] }', '{ name = "Löner", lines = ["loner"] }')
    config = write_region(tmp_path, chart=chart)
    assert_config_error(tmp_path, config, "chart.toml", "report[0].rows[1]", "loner")


@pytest.mark.parametrize("rows", [
    # a later row, then a row that is nowhere
    '{ name = "Tidig summa", rows = ["Löner"], total = true },\n  { name = "Löner", lines = ["lon"] },',
    '{ name = "Löner", lines = ["lon"] },\n  { name = "Tidig summa", rows = ["Lönerna"], total = true },',
])
def test_report_row_naming_later_or_unknown_row(tmp_path, rows):
    chart = CHART.split("[[report]]")[0] + f'[[report]]\nname = "Kort"\nrows = [\n  {rows}\n]\n'
    config = write_region(tmp_path, chart=chart)
    named = "Löner" if "Lönerna" not in rows else "Lönerna"
    index = 0 if rows.startswith('{ name = "Tidig') else 1
    assert_config_error(tmp_path, config, "chart.toml", f"report[0].rows[{index}]", named)


def test_missing_chart_file_names_file_and_key(tmp_path):
    config = write_region(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace('chart = "chart.toml"', 'chart = "kontoplan.toml"'),
                      encoding="utf-8")
    inputs(tmp_path)
    # the missing file, and the key in region.toml that names it
    assert_config_error(tmp_path, config, "kontoplan.toml", "chart")


def test_difference_line_required_with_motpart_codes(tmp_path):
    entities = [("ADM", "Förvaltningen", "REG", ["12"]), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM")]
    config = write_region(tmp_path, entities=entities)
    inputs(tmp_path)
    assert_config_error(tmp_path, config, "region.toml", "eliminations.difference_line")


def test_unknown_report_name(tmp_path):
    config = write_region(tmp_path)
    inputs(tmp_path)
    assert_config_error(tmp_path, config, "region.toml", "--report", "Balansräkning",
                        extra=("--report", "Balansräkning"))


def test_unknown_entity(tmp_path):
    config = write_region(tmp_path)
    inputs(tmp_path)
    assert_config_error(tmp_path, config, "region.toml", "--entity", "ZZ9", extra=("--entity", "ZZ9"))


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "april"])
def test_bad_period(tmp_path, period):
    config = write_region(tmp_path)
    inputs(tmp_path)
    result = run(tmp_path, config, period=period)
    assert result.returncode == 2
    assert "--period" in result.stderr and period in result.stderr


def test_longest_pattern_wins(tmp_path):
    path = tmp_path / "chart.toml"
    path.write_text("""
[[line]]
code = "kost"
name = "Kostnader"
accounts = ["4"]

[[line]]
code = "lon"
name = "Löner"
accounts = ["401"]

[[line]]
code = "ovr"
name = "Övrigt"
accounts = ["4020-4029"]

[[line]]
code = "spec"
name = "Speciell"
accounts = ["40255"]
""", encoding="utf-8")
    chart = load_chart(path)
    assert chart.line_of("4011") == "lon"
    assert chart.line_of("401") == "lon"
    assert chart.line_of("4031") == "kost"
    assert chart.line_of("4025") == "ovr"
    assert chart.line_of("402550") == "spec"
    assert chart.line_of("402560") == "ovr"
    assert chart.line_of("5011") is None


def test_alias_for_unknown_measure_key(tmp_path):
    # a misspelt key would silently leave the alias unused, and every file "without header"
    config = write_region(tmp_path, extra='[inputs.aliases]\nactuall = ["Utfall hittills"]\n')
    inputs(tmp_path)
    assert_config_error(tmp_path, config, "region.toml", "inputs.aliases.actuall")


def test_bad_display_unit_option(tmp_path):
    config = write_region(tmp_path)
    inputs(tmp_path)
    result = run(tmp_path, config, "--unit", "Mkr")
    assert result.returncode == 2
    assert "--unit" in result.stderr


def test_entity_codes_written_as_numbers_are_codes(tmp_path):
    from helpers import write_region

    from consolidate.config.region import load_config

    config = write_region(tmp_path, [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet", "ADM")])
    text = config.read_text(encoding="utf-8").replace('code = "U1"', "code = 1110")
    config.write_text(text + '\n[[entity]]\ncode = 1111\nname = "Under"\nparent = 1110\n', encoding="utf-8")
    tree = load_config(config).tree
    assert tree.parent_of["1111"] == "1110" and tree.units == ("1111",)
