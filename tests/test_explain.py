"""`explain` (SPEC §13): the parts of a figure add up to it, to the krona, for every
entity, report row and measure, over random trees, trades and adjustments (SPEC §14)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_eliminations import CHART_OBJ, trading_regions

from consolidate.config.region import Eliminations
from consolidate.config.tree import Entity, Tree
from consolidate.core.adjustments import COLUMNS, apply
from consolidate.core.explain import explain
from consolidate.core.rollup import consolidate, report_rows
from consolidate.vocabulary import MEASURES, VARIANCES


def _result(tree, table, difference_line, adjustments=None):
    table = table.assign(account="3010", name="", sheet="Resultat", row=range(2, len(table) + 2))
    consolidated = consolidate(table, tree, difference_line)
    if adjustments is not None:
        consolidated = apply(consolidated, adjustments, tree)
    config = SimpleNamespace(tree=tree, chart=CHART_OBJ, eliminations=Eliminations(difference_line))
    return SimpleNamespace(config=config, consolidated=consolidated, rows=report_rows(consolidated, tree, CHART_OBJ),
                           source_rows=table, source_columns={}, adjustments=adjustments)


def adjustment(entity: str, line: str, k: int, **amounts: float) -> dict:
    """A row of an adjustments table (core.adjustments.COLUMNS); a measure not given is NaN."""
    values = {m: amounts.get(m, math.nan) for m in MEASURES}
    return {"entity": entity, "line": line, **values, "text": f"justering {k}", "signature": "", "file": "j.xlsx",
            "sheet": "Justeringar", "row": k + 2, "cell": f"A{k + 2}",
            "cells": {m: f"{'DEFGHI'[i]}{k + 2}" for i, m in enumerate(MEASURES) if not math.isnan(values[m])}}


@st.composite
def adjusted_regions(draw):
    """A trading region and 0 to 4 adjustments at random entities (units, groups, the
    region) on random lines, each adjusting a random set of measures."""
    tree, table, _ = draw(trading_regions())
    amount = st.one_of(st.just(math.nan), st.integers(min_value=-10**7, max_value=10**7).map(float))
    records = []
    for k in range(draw(st.integers(min_value=0, max_value=4))):
        entity = draw(st.sampled_from(list(tree.entities)))
        line = draw(st.sampled_from([line.code for line in CHART_OBJ.lines]))
        records.append(adjustment(entity, line, k, **{m: draw(amount) for m in MEASURES}))
    return tree, table, pd.DataFrame.from_records(records, columns=COLUMNS)


@settings(max_examples=60, deadline=None)
@given(adjusted_regions())
def test_the_parts_of_every_figure_add_up_to_it(region):
    tree, table, adjustments = region
    for difference_line in ("diff", None):
        result = _result(tree, table, difference_line, adjustments)
        plain = _result(tree, table, difference_line).rows.set_index(["entity", "report", "row"])
        for report in CHART_OBJ.reports:
            for row in report.rows:
                for entity in tree.entities:
                    below = set(tree.subtree(entity))
                    for measure in (*MEASURES, *VARIANCES):
                        found = explain(result, entity, report.name, row.name, measure)
                        assert found.value is not None
                        assert found.parts_sum == pytest.approx(found.value, abs=0.005), (entity, row.name, measure)
                        # what is eliminated is said at the entity where it happened, at or below this one
                        assert all(e["entity"] in below for e in found.eliminations)
                        # an adjustment counts in its entity and above: those at or below this one, and
                        # they are what the figure has more than without them
                        assert all(a["entity"] in below for a in found.adjustments)
                        without = plain.at[(entity, report.name, row.name), measure]
                        added = sum(a["amount"] for a in found.adjustments)
                        assert found.value - without == pytest.approx(added, abs=0.005), (entity, row.name, measure)


def test_a_figure_nobody_delivered_has_no_parts():
    tree = Tree.build([Entity("R", "R", None), Entity("U", "U", "R")], "t")
    table = pd.DataFrame([{"unit": "U", "line": "lon", "counterparty": "", "file": "U.xlsx",
                           **{m: (np.nan if m == "forecast" else -5.0) for m in MEASURES}}])
    result = _result(tree, table, None)
    assert explain(result, "R", None, "Löner", "forecast").value is None
    found = explain(result, "R", None, "Löner", "actual")
    assert found.value == -5.0 and found.sources["amount"].tolist() == [-5.0]


def test_an_adjustment_counts_in_its_entity_and_above_and_nowhere_else():
    tree = Tree.build([Entity("R", "R", None), Entity("A", "A", "R"), Entity("B", "B", "R"),
                       Entity("U1", "U1", "A"), Entity("U2", "U2", "B")], "t")
    table = pd.DataFrame([{"unit": u, "line": "lon", "counterparty": "", "file": f"{u}.xlsx",
                           **{m: (np.nan if m == "forecast" else -100.0) for m in MEASURES}} for u in ("U1", "U2")])
    adjustments = pd.DataFrame.from_records([adjustment("A", "lon", 0, actual=-7.0, forecast=-50.0)], columns=COLUMNS)
    result = _result(tree, table, None, adjustments)
    plain = _result(tree, table, None)
    for entity, changed in (("R", True), ("A", True), ("B", False), ("U1", False), ("U2", False)):
        found = explain(result, entity, None, "Löner", "actual")
        assert found.value == explain(plain, entity, None, "Löner", "actual").value + (-7.0 if changed else 0.0)
        assert [a["text"] for a in found.adjustments] == (["justering 0"] if changed else [])
    # nobody delivered Prognos: empty below, but the adjustment gives it at A and the region
    assert explain(result, "U1", None, "Löner", "forecast").value is None
    assert explain(result, "B", None, "Löner", "forecast").value is None
    found = explain(result, "R", None, "Löner", "forecast")
    assert found.value == -50.0 and found.adjustments[0]["cell"] == "H2" and len(found.sources) == 0
    # a variance takes both of the adjustment's cells; a measure it leaves empty counts as 0
    found = explain(result, "A", None, "Löner", "var_budget")
    assert found.value == -7.0 and found.adjustments[0]["amount"] == -7.0
    assert found.adjustments[0]["cell"] == "D2"
    assert found.parts_sum == found.value
