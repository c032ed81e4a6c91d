"""`explain` (SPEC §13): the parts of a figure add up to it, to the krona, for every
entity, report row and measure, over random trees and trades."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from test_eliminations import CHART_OBJ, trading_regions

from consolidate.config.region import Eliminations
from consolidate.config.tree import Entity, Tree
from consolidate.core.explain import explain
from consolidate.core.rollup import consolidate, report_rows
from consolidate.vocabulary import MEASURES, VARIANCES


def _result(tree, table, difference_line):
    table = table.assign(account="3010", name="", sheet="Resultat", row=range(2, len(table) + 2))
    consolidated = consolidate(table, tree, difference_line)
    config = SimpleNamespace(tree=tree, chart=CHART_OBJ, eliminations=Eliminations(difference_line))
    return SimpleNamespace(config=config, consolidated=consolidated, rows=report_rows(consolidated, tree, CHART_OBJ),
                           source_rows=table, source_columns={})


@settings(max_examples=60, deadline=None)
@given(trading_regions())
def test_the_parts_of_every_figure_add_up_to_it(region):
    tree, table, _ = region
    for difference_line in ("diff", None):
        result = _result(tree, table, difference_line)
        for report in CHART_OBJ.reports:
            for row in report.rows:
                for entity in tree.entities:
                    for measure in (*MEASURES, *VARIANCES):
                        found = explain(result, entity, report.name, row.name, measure)
                        assert found.value is not None
                        assert found.parts_sum == pytest.approx(found.value, abs=0.005), (entity, row.name, measure)
                        # what is eliminated is said at the entity where it happened, at or below this one
                        below = set(tree.subtree(entity))
                        assert all(e["entity"] in below for e in found.eliminations)


def test_a_figure_nobody_delivered_has_no_parts():
    tree = Tree.build([Entity("R", "R", None), Entity("U", "U", "R")], "t")
    table = pd.DataFrame([{"unit": "U", "line": "lon", "counterparty": "", "file": "U.xlsx",
                           **{m: (np.nan if m == "forecast" else -5.0) for m in MEASURES}}])
    result = _result(tree, table, None)
    assert explain(result, "R", None, "Löner", "forecast").value is None
    found = explain(result, "R", None, "Löner", "actual")
    assert found.value == -5.0 and found.sources["amount"].tolist() == [-5.0]
