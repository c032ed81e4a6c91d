"""The benchmark's generated region is consolidated correctly (issue 8).

A small region from benchmarks/generate_region.py: its result per entity (the last
row of the first report) equals the generator's own sums, and every planted internal
disagreement is reported as an `internal_mismatch` with the planted difference.
The timing itself (benchmarks/bench.py) is not part of the test run.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("generate_region", ROOT / "benchmarks" / "generate_region.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_region", module)
    spec.loader.exec_module(module)
    return module


gen = _generator()


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    out = tmp_path_factory.mktemp("region")
    truth = gen.write(12, out, seed="test", processes=1)
    result = subprocess.run(
        [sys.executable, "-m", "consolidate", "run", "--config", str(out / "region.toml"), "--period", gen.PERIOD,
         "--no-excel", "--json", str(out / "out.json"), "-q"],
        capture_output=True, text=True, cwd=out, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return truth, json.loads((out / "out.json").read_text(encoding="utf-8"))


def test_generator_is_deterministic_and_varied():
    a, b = gen.build(12, "test"), gen.build(12, "test")
    assert a == b
    assert gen.build(12, "other") != a
    administrations = [e for e in a["entities"] if e["parent"] == "REG"]
    assert len(administrations) >= 3
    assert any(e["motpart"] for e in administrations)
    rows = [len(r) for r in a["income"].values()]
    assert min(rows) >= 20 and max(rows) <= 45
    assert a["mismatches"]


def test_results_equal_generator_sums(region):
    truth, doc = region
    expected = gen.entity_results(truth)
    first = doc["income"][0]["report"]
    last_row: dict[str, dict] = {}
    for row in doc["income"]:
        if row["report"] == first:
            last_row[row["entity"]] = row  # rows come in report order: the last one wins
    checked = [truth["region"]] + [e["code"] for e in truth["entities"] if e["parent"] == truth["region"]]
    for entity in checked:
        for measure in gen.MEASURES:
            assert last_row[entity][measure] == pytest.approx(expected[entity][measure], abs=0.01), (entity, measure)


def test_planted_mismatches_are_reported(region):
    truth, doc = region
    found = {(c["party"], c["counterparty"], c["measure"]): c["difference"]
             for c in doc["checks"] if c["check"] == "internal_mismatch"}
    planted = {(*m["parties"], m["measure"]): m["difference"] for m in truth["mismatches"]}
    assert found.keys() == planted.keys()
    for key, difference in planted.items():
        assert found[key] == pytest.approx(difference, abs=0.01), key


def test_staffing_totals_equal_generator_sums(region):
    truth, doc = region
    total = {r["entity"]: r for r in doc["staffing"] if r["by"] is None}
    for measure in ("headcount", "headcount_prior", "hired_hours", "hired_hours_prior"):
        expected = sum(t[measure] for t in truth["staff_totals"].values())
        assert total[truth["region"]][measure] == pytest.approx(expected, abs=0.01), measure
