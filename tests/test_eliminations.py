"""Eliminations of internal trade (SPEC §8), as properties over random trees and trades."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from helpers import CHART, run_cli, write_region, write_workbook
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from consolidate.config.chart import load_chart
from consolidate.config.region import Eliminations
from consolidate.config.tree import Entity, Tree
from consolidate.core.internal import mismatches
from consolidate.core.rollup import consolidate
from consolidate.vocabulary import MEASURES

_DIR = Path(tempfile.mkdtemp())
(_DIR / "chart.toml").write_text(CHART, encoding="utf-8")
CHART_OBJ = load_chart(_DIR / "chart.toml")
kronor = st.integers(min_value=1, max_value=10**9).map(float)


@st.composite
def trading_regions(draw):
    """A random tree where some entities have motpart codes, and trades between units
    that belong to a party: the seller books revenue against the buyer's party, the
    buyer books cost against the seller's party, off by `gap` on actual."""
    size = draw(st.integers(min_value=2, max_value=12))
    codes = ["R"]
    parents = {}
    for i in range(size):
        parents[f"E{i}"] = draw(st.sampled_from(codes))
        codes.append(f"E{i}")
    with_codes = draw(st.sets(st.sampled_from(codes), min_size=1))
    entities = [Entity("R", "R", None, ("00",) if "R" in with_codes else ())]
    entities += [Entity(c, c, parents[c], (f"m{c}",) if c in with_codes else ()) for c in codes[1:]]
    tree = Tree.build(entities, "t")
    traders = [u for u in tree.units if tree.party(u)]
    assume(traders)
    trades, rows = [], []
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        seller, buyer = draw(st.sampled_from(traders)), draw(st.sampled_from(traders))
        amount, gap = draw(kronor), draw(st.integers(min_value=-1000, max_value=1000).map(float))
        sp, bp = tree.party(seller), tree.party(buyer)
        code_of = lambda e: tree.entities[e].motpart[0]  # noqa: E731
        rows.append({"unit": seller, "line": "int", "counterparty": code_of(bp), **{m: amount for m in MEASURES}})
        rows.append({"unit": buyer, "line": "ovr", "counterparty": code_of(sp),
                     **{m: -amount for m in MEASURES}, "actual": -amount + gap})
        trades.append((seller, buyer, amount, gap))
    for unit in tree.units:  # ordinary external figures too
        rows.append({"unit": unit, "line": "lon", "counterparty": "87", **{m: -draw(kronor) for m in MEASURES}})
    frame = pd.DataFrame(rows)
    frame["file"] = frame["unit"] + ".xlsx"
    return tree, frame, trades


def _results(consolidated) -> pd.Series:
    return consolidated.lines.groupby(level="entity")["actual"].sum()


@settings(max_examples=120, deadline=None)
@given(trading_regions())
def test_elimination_never_changes_a_result(region):
    tree, table, _ = region
    eliminated = _results(consolidate(table, tree, "diff"))
    plain = _results(consolidate(table.assign(counterparty=""), tree, None))
    for entity in tree.entities:
        assert eliminated.get(entity, 0.0) == pytest.approx(plain.get(entity, 0.0), rel=1e-12, abs=1e-6)
    # and every entity is still the sum of its children
    for entity in tree.entities:
        if tree.children[entity]:
            kids = sum(eliminated.get(c, 0.0) for c in tree.children[entity])
            assert eliminated.get(entity, 0.0) == pytest.approx(kids, rel=1e-12, abs=1e-6)


@settings(max_examples=120, deadline=None)
@given(trading_regions())
def test_internal_amounts_vanish_exactly_at_the_lowest_common_entity(region):
    tree, table, trades = region
    seller, buyer, amount, _gap = trades[0]
    single = table.iloc[:2]  # the first trade only
    lines = consolidate(single, tree, "diff").lines
    top = tree.lowest_common(seller, tree.party(buyer))
    depth = tree.depth[top]
    for entity in tree.ancestors(seller):
        revenue = lines["actual"].get((entity, "int"), 0.0)
        assert revenue == (amount if tree.depth[entity] > depth else 0.0)
    top_buyer = tree.lowest_common(buyer, tree.party(seller))
    for entity in tree.ancestors(buyer):
        cost = lines["budget"].get((entity, "ovr"), 0.0)
        assert cost == (-amount if tree.depth[entity] > tree.depth[top_buyer] else 0.0)


@settings(max_examples=120, deadline=None)
@given(trading_regions())
def test_a_disagreement_of_d_shows_as_d_on_the_difference_line_and_in_the_check(region):
    tree, table, trades = region
    seller, buyer, _amount, gap = trades[0]
    single = table.iloc[:2]
    sp, bp = tree.party(seller), tree.party(buyer)
    top = tree.lowest_common(seller, bp)
    assume(top == tree.lowest_common(buyer, sp))  # both sides meet at one entity
    lines = consolidate(single, tree, "diff").lines
    assert lines["actual"].get((top, "diff"), 0.0) == pytest.approx(gap, abs=1e-6)
    assert lines["budget"].get((top, "diff"), 0.0) == pytest.approx(0.0, abs=1e-6)
    _found, problems = mismatches(single, tree, Eliminations("diff", tolerance=1.0))
    if abs(gap) > 1.0:
        assert len(problems) == 1
        assert problems[0].extra["difference"] == pytest.approx(gap)
        assert problems[0].extra["measure"] == "actual"
        assert {problems[0].extra["party"], problems[0].extra["counterparty"]} == {sp, bp}
    else:
        assert problems == []


def test_strict_matching_makes_a_mismatch_an_error_with_both_sides_named(tmp_path):
    entities = [("A", "Förvaltning A", "REG", ["11"]), ("B", "Förvaltning B", "REG", ["12"]),
                ("U1", "Enhet ett", "A"), ("U2", "Enhet två", "B")]
    for strict, status in ((False, 0), (True, 1)):
        root = tmp_path / str(strict)
        extra = f'[eliminations]\ndifference_line = "diff"\ntolerance = 1\nstrict = {str(strict).lower()}\n'
        config = write_region(root, entities, extra=extra)
        header = ["Konto", "Motpart", "Utfall", "Budget"]
        write_workbook(root / "in/2026-04/resultat/U1.xlsx",
                       [["Belopp i kr"], header, [3010, "12", 1000, 1000], [4010, "87", -300, -300]])
        write_workbook(root / "in/2026-04/resultat/U2.xlsx",
                       [["Belopp i kr"], header, [5010, "11", -900, -1000], [3010, "81", 500, 500]])
        out = root / "o.json"
        done = run_cli("run", "--config", str(config), "--period", "2026-04", "--json", str(out), "--no-excel")
        assert done.returncode == status, done.stderr
        assert "U1.xlsx" in done.stderr and "U2.xlsx" in done.stderr and "100 kr" in done.stderr
        if not strict:
            data = json.loads(out.read_text(encoding="utf-8"))
            region = {r["row"]: r for r in data["income"] if r["entity"] == "REG"}
            assert region["Intäkter"]["actual"] == 500 + 100  # external revenue plus the difference
            assert region["Resultat"]["actual"] == 1000 - 300 - 900 + 500
            check = next(c for c in data["checks"] if c["check"] == "internal_mismatch")
            assert check["difference"] == 100 and check["severity"] == "warning"
            removed = {(e["entity"], e["line"]): e["actual"] for e in data["eliminations"]}
            assert removed == {("REG", "int"): 1000, ("REG", "ovr"): -900}


def test_motpart_written_with_its_name_is_the_code(tmp_path):
    entities = [("A", "Förvaltning A", "REG", ["11"]), ("B", "Förvaltning B", "REG", ["12"]),
                ("U1", "Enhet ett", "A"), ("U2", "Enhet två", "B")]
    config = write_region(tmp_path, entities, extra='[eliminations]\ndifference_line = "diff"\n')
    header = ["Konto", "Motpart", "Utfall"]
    write_workbook(tmp_path / "in/2026-04/resultat/U1.xlsx", [["Belopp i kr"], header, [3010, "12 Förvaltning B", 1000]])
    write_workbook(tmp_path / "in/2026-04/resultat/U2.xlsx", [["Belopp i kr"], header, [5010, 11, -1000]])
    out = tmp_path / "o.json"
    done = run_cli("run", "--config", str(config), "--period", "2026-04", "--json", str(out), "--no-excel")
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    region = {r["row"]: r["actual"] for r in data["income"] if r["entity"] == "REG"}
    assert region["Intäkter"] == 0 and region["Övriga kostnader"] == 0
    assert not [c for c in data["checks"] if c["check"] == "internal_mismatch"]
