"""The CLI as a user runs it, on the bundled samples, checked against sums computed
independently from the sample generator's own data (not from the workbooks)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import defaultdict

import pytest
from helpers import ROOT, run_cli, sample_config

MEASURES = ["actual", "budget", "prior", "annual_budget", "forecast", "prior_full_year"]
SPEC_INCOME_KEYS = {"entity", "report", "row", *MEASURES, "var_budget", "var_prior", "var_forecast", "previous_close"}
SPEC_ENTITY_KEYS = {"code", "name", "parent", "level"}
# SPEC §5's keys, §14's adjustments and comments, and §15's trend and years
SPEC_TOP_KEYS = {"period", "region", "entities", "income", "staffing", "eliminations", "adjustments", "comments",
                 "checks", "trend", "years"}
# SPEC §5's check keys, plus where in which file a problem sits (null for internal trade)
CHECK_KEYS = {"check", "severity", "message", "party", "counterparty", "measure", "difference",
              "file", "sheet", "cell", "unit"}
STAFFING_KEYS = {"entity", "by", "key", "headcount", "headcount_prior", "fte", "fte_prior",
                 "sick_pct", "sick_pct_prior", "sick_short_pct", "sick_short_pct_prior",
                 "long_sick_share_pct", "long_sick_share_pct_prior", "hired_hours", "hired_hours_prior",
                 # SPEC §16
                 "sick_15_90_pct", "sick_15_90_pct_prior", "sick_91_365_pct", "sick_91_365_pct_prior",
                 "sick_366_pct", "sick_366_pct_prior", "hours_worked", "hours_worked_prior",
                 "hours_worked_incl_on_call", "hours_worked_incl_on_call_prior", "pool_hours", "pool_hours_prior",
                 "fte_change", "fte_change_pct"}
ELIMINATION_KEYS = {"entity", "line", *MEASURES}


def _generator():
    spec = importlib.util.spec_from_file_location("sample_generator", ROOT / "samples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=["2026-03", "2026-04"])
def sample_run(request, tmp_path_factory):
    period = request.param
    out = tmp_path_factory.mktemp("e2e") / "out.json"
    done = run_cli("run", "--config", str(sample_config()), "--period", period,
                   "--json", str(out), "--no-excel")
    assert done.returncode == 0, done.stderr
    return period, done, json.loads(out.read_text(encoding="utf-8")), _generator().build(period)


def _ancestors(entities: list[dict]) -> dict[str, list[str]]:
    parent = {e["code"]: e["parent"] for e in entities}
    chains = {}
    for code in parent:
        chain, current = [], code
        while current is not None:
            chain.append(current)
            current = parent[current]
        chains[code] = chain
    return chains


def test_json_keys_are_exactly_the_spec(sample_run):
    _, _, data, _ = sample_run
    assert set(data) == SPEC_TOP_KEYS
    assert all(set(e) == SPEC_ENTITY_KEYS for e in data["entities"])
    assert all(set(r) == SPEC_INCOME_KEYS for r in data["income"])
    assert {e["level"] for e in data["entities"]} == {"region", "administration", "group", "unit"}
    assert data["checks"] and all(set(c) == CHECK_KEYS for c in data["checks"])
    assert data["staffing"] and all(set(r) == STAFFING_KEYS for r in data["staffing"])
    assert data["eliminations"] and all(set(r) == ELIMINATION_KEYS for r in data["eliminations"])


def test_every_entity_result_equals_generator_sums(sample_run):
    """Without internal trade crossing it, an entity's result is the plain sum of its
    units' rows; the result row includes the difference line, so it always is."""
    _, _, data, truth = sample_run
    chains = _ancestors(data["entities"])
    expected = defaultdict(lambda: defaultdict(float))
    for row in truth["income"]:
        for entity in chains[row["unit"]]:
            for m in MEASURES:
                expected[entity][m] += row[m]
    report = data["income"][0]["report"]
    bottom = {}
    for row in data["income"]:
        if row["report"] == report:
            bottom[row["entity"]] = row  # rows come in report order: the last is the result
    assert set(bottom) == set(chains)
    for entity, row in bottom.items():
        for m in MEASURES:
            assert row[m] == pytest.approx(expected[entity][m], abs=0.01), (entity, m)


def test_region_revenue_excludes_internal_trade(sample_run):
    _, _, data, truth = sample_run
    internal = {c for e in _internal_codes() for c in e}
    lines_revenue = defaultdict(float)
    for row in truth["income"]:
        if row["account"].startswith("3") and row["counterparty"] not in internal:
            lines_revenue["external"] += row["actual"]
    region = data["region"]
    first_row = next(r for r in data["income"] if r["entity"] == region)
    assert first_row["row"] == "Verksamhetens intäkter"
    # The difference line sits among costs in this chart; revenue is external only.
    assert first_row["actual"] == pytest.approx(lines_revenue["external"], abs=0.01)


def _internal_codes():
    return [e["motpart"] for e in _generator().load_region().entities.values()]


def test_disagreeing_pair_is_reported(sample_run):
    _, done, data, truth = sample_run
    mismatch = truth["mismatch"]
    checks = [c for c in data["checks"] if c["check"] == "internal_mismatch"]
    assert len(checks) == 1
    assert abs(checks[0]["difference"]) == pytest.approx(mismatch["kr"], abs=0.01)
    assert "internhandel" in done.stderr


def test_terminal_shows_region_and_administrations(sample_run):
    _, done, data, _ = sample_run
    administrations = [e for e in data["entities"] if e["level"] == "administration"]
    for entity in [next(e for e in data["entities"] if e["level"] == "region"), *administrations]:
        assert entity["name"] in done.stdout
    for heading in ("Utfall", "Budget", "Avvikelse", "Fg år", "Prognos", "Driftredovisning"):
        assert heading in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_staffing_bands_and_hours_by_kind_equal_the_generators_sums(sample_run):
    """SPEC §16's columns, which the sample units of some administrations deliver: an
    entity all of whose units deliver them has the ratios of the summed hours; one with
    a unit that does not has them empty, never 0."""
    _, _, data, truth = sample_run
    chains = _ancestors(data["entities"])
    bands = ("sick_15_90_hours", "sick_91_365_hours", "sick_366_hours", "hours_worked_incl_on_call", "pool_hours")
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lacking = set()
    for row in truth["staffing"]:
        for entity in chains[row["unit"]]:
            if bands[0] not in row:
                lacking.add(entity)
            for key, value in row.items():
                if isinstance(value, (int, float)):
                    sums[entity][key] += value
    totals = {r["entity"]: r for r in data["staffing"] if r["by"] is None}
    delivering = [e for e in totals if e not in lacking]
    assert "HSF" in delivering and "REG" in lacking and "RK" in lacking  # and RU from April, when RK500 joins it
    for entity in totals:
        got, want = totals[entity], sums[entity]
        for suffix in ("", "_prior"):
            for key, band in (("sick_15_90_pct", "sick_15_90_hours"), ("sick_91_365_pct", "sick_91_365_hours"),
                              ("sick_366_pct", "sick_366_hours")):
                expected = 100 * want[band + suffix] / want["hours_scheduled" + suffix] if entity in delivering else None
                assert got[key + suffix] == (None if expected is None else pytest.approx(expected)), (entity, key)
            for key in ("hours_worked_incl_on_call", "pool_hours"):
                expected = want[key + suffix] if entity in delivering else None
                assert got[key + suffix] == (None if expected is None else pytest.approx(expected)), (entity, key)
