"""What nobody delivered is empty and a partial total says so (SPEC §17); internal-trade
warnings one line per pair; `--entity` and `--report` shape the JSON; entity codes
match without regard to case."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import INCOME_HEADER, assert_no_traceback, run_cli, write_region, write_workbook

ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM"),
            ("ANN", "Annan förvaltning", "REG"), ("U3", "Enhet tre", "ANN")]
PERIOD = "2026-04"


def _sheet(unit: str, header: list[str], lines: list[tuple]) -> list[list]:
    return [["Ansvar:", unit], [f"Period: {PERIOD}"], ["Belopp i kr"], [], header, *[list(x) for x in lines]]


def _region(root: Path) -> Path:
    """U1 delivers every measure; U2 has no Prognos column; U3 has neither Prognos nor
    Bokslut fg år."""
    config = write_region(root, ENTITIES)
    full = INCOME_HEADER
    no_forecast = [h for h in INCOME_HEADER if h != "Prognos"]
    neither = [h for h in no_forecast if h != "Bokslut fg år"]
    write_workbook(root / f"in/{PERIOD}/resultat/U1.xlsx",
                   _sheet("U1", full, [(3010, "Intäkter", 100, 90, 80, 1200, 1250, 1100)]))
    write_workbook(root / f"in/{PERIOD}/resultat/U2.xlsx",
                   _sheet("U2", no_forecast, [(3010, "Intäkter", 40, 40, 30, 480, 400)]))
    write_workbook(root / f"in/{PERIOD}/resultat/U3.xlsx",
                   _sheet("U3", neither, [(3010, "Intäkter", 10, 10, 10, 120)]))
    return config


def _run(config: Path, out: Path, *extra: str) -> dict:
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel", "--json", str(out), *extra)
    assert done.returncode == 0, done.stderr
    assert_no_traceback(done)
    return json.loads(out.read_text(encoding="utf-8"))


def test_a_measure_nobody_delivered_is_null_and_a_partial_total_is_the_sum_of_those_delivered(tmp_path):
    config = _region(tmp_path)
    data = _run(config, tmp_path / "out.json")
    income = {(r["entity"], r["row"]): r for r in data["income"]}
    # U2 and U3 lack Prognos: empty, and so is what is derived from it
    assert income[("U2", "Intäkter")]["forecast"] is None and income[("U2", "Intäkter")]["var_forecast"] is None
    assert income[("U3", "Intäkter")]["prior_full_year"] is None
    # ANN: its only unit lacks both: empty, never 0
    assert income[("ANN", "Intäkter")]["forecast"] is None and income[("ANN", "Resultat")]["prior_full_year"] is None
    # ADM: U1 delivered Prognos, U2 did not: the partial total is U1's
    assert income[("ADM", "Intäkter")]["forecast"] == 1250
    assert income[("REG", "Intäkter")]["forecast"] == 1250
    assert income[("REG", "Intäkter")]["prior_full_year"] == 1100 + 400  # U1 and U2; U3 lacks it
    assert income[("REG", "Intäkter")]["actual"] == 150


def test_partial_totals_are_counted_per_entity(tmp_path):
    """`Result.lacking` names, per entity, the measures some of its units lack."""
    from consolidate.commands.session import load
    from consolidate.config.region import load_config

    config = load_config(_region(tmp_path))
    result, _ = load(config, PERIOD)
    assert result.ok
    assert result.lacking("ADM") == {"forecast": (1, 2)}
    assert result.lacking("REG") == {"forecast": (2, 3), "prior_full_year": (1, 3)}
    assert result.lacking("ANN") == {} and result.lacking("U2") == {}  # all or nothing: not partial


def test_a_mismatched_pair_is_one_line_naming_every_measure(tmp_path):
    entities = [("A", "Förvaltning A", "REG", ["11"]), ("B", "Förvaltning B", "REG", ["12"]),
                ("U1", "Enhet ett", "A"), ("U2", "Enhet två", "B")]
    config = write_region(tmp_path, entities, extra='[eliminations]\ndifference_line = "diff"\n')
    header = ["Konto", "Motpart", *INCOME_HEADER[2:]]
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U1.xlsx",
                   [["Belopp i kr"], header, [3010, "12", 1000, 1000, 900, 12000, 12000, 11000]])
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U2.xlsx",
                   [["Belopp i kr"], header, [5010, "11", -900, -800, -900, -12000, -11000, -11000]])
    out = tmp_path / "o.json"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(out), "--no-excel")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "stämmer inte" in line]
    assert len(lines) == 1, done.stderr
    for name in ("Utfall", "Budget", "Prognos"):  # the three measures that differ
        assert name in lines[0]
    for name in ("Fg år", "Årsbudget", "Bokslut"):  # the three on which the sides agree
        assert name not in lines[0], lines[0]
    data = json.loads(out.read_text(encoding="utf-8"))
    checks = [c for c in data["checks"] if c["check"] == "internal_mismatch"]
    assert len(checks) == 1 and checks[0]["party"] == "A" and checks[0]["counterparty"] == "B"
    assert checks[0]["measure"] == "actual" and checks[0]["difference"] == 100


def test_entity_and_report_shape_the_json_and_the_entity_matches_without_case(tmp_path):
    config = _region(tmp_path)
    data = _run(config, tmp_path / "adm.json", "--entity", "adm")
    assert data["scope"] == {"entity": "ADM", "report": None}
    assert [e["code"] for e in data["entities"]] == ["ADM", "U1", "U2"]
    assert {r["entity"] for r in data["income"]} == {"ADM", "U1", "U2"}
    whole = _run(config, tmp_path / "whole.json")
    assert "scope" not in whole and {r["entity"] for r in whole["income"]} == {c for c, *_ in ENTITIES} | {"REG"}
    unknown = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel", "--entity", "XYZ")
    assert unknown.returncode == 2 and "XYZ" in unknown.stderr
    assert_no_traceback(unknown)


def test_trade_of_a_party_with_a_missing_unit_is_one_line_naming_the_unit(tmp_path):
    """SPEC §12: the consequence of a missing unit is said once, not once per pair and measure."""
    entities = [("A", "Förvaltning A", "REG", ["11"]), ("B", "Förvaltning B", "REG", ["12"]),
                ("U1", "Enhet ett", "A"), ("U1B", "Enhet ett b", "A"), ("U2", "Enhet två", "B")]
    config = write_region(tmp_path, entities, extra='[eliminations]\ndifference_line = "diff"\n')
    header = ["Konto", "Motpart", "Utfall", "Budget"]
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U1.xlsx",
                   [["Ansvar:", "U1"], ["Belopp i kr"], header, [3010, "12", 1000, 1000]])
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U2.xlsx",
                   [["Ansvar:", "U2"], ["Belopp i kr"], header, [5010, "11", -700, -800]])
    done = run_cli("validate", "--config", str(config), "--period", PERIOD)
    assert done.returncode == 1, done.stderr
    assert_no_traceback(done)
    text = " ".join(done.stderr.split())
    assert "stämmer inte" not in text  # no mismatch reported pair by pair or measure by measure
    assert text.count("kan inte stämmas av") == 1 and "U1B (Enhet ett b)" in text and "A–B" in text
