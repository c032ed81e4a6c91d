"""Property tests of the roll-up: every entity is the sum of its children, units are
the sum of their rows, and the variance identities hold, over random trees."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from helpers import CHART
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.config.chart import load_chart
from consolidate.config.tree import Entity, Tree
from consolidate.core.rollup import consolidate, report_rows
from consolidate.vocabulary import MEASURES

_DIR = Path(tempfile.mkdtemp())
(_DIR / "chart.toml").write_text(CHART, encoding="utf-8")
CHART_OBJ = load_chart(_DIR / "chart.toml")
LINES = [c for c in CHART_OBJ.line_codes if c != "diff"]

# Whole kronor below 2**53 / 10**4 add exactly in float64, so equality can be exact.
kronor = st.integers(min_value=-(10**11), max_value=10**11).map(float)


@st.composite
def trees(draw) -> Tree:
    size = draw(st.integers(min_value=1, max_value=14))
    entities = [Entity("REG", "Region", None)]
    for i in range(size):
        parent = draw(st.sampled_from([e.code for e in entities]))
        entities.append(Entity(f"E{i}", f"Enhet {i}", parent))
    return Tree.build(entities, "test")


@st.composite
def regions(draw):
    tree = draw(trees())
    units = list(tree.units) or []
    rows = []
    for unit in units:
        for _ in range(draw(st.integers(min_value=0, max_value=5))):
            line = draw(st.sampled_from(LINES))
            rows.append({"unit": unit, "line": line, "counterparty": "", **{m: draw(kronor) for m in MEASURES}})
    table = pd.DataFrame(rows, columns=["unit", "line", "counterparty", *MEASURES])
    table[list(MEASURES)] = table[list(MEASURES)].astype(float)
    return tree, table


def _line_matrix(consolidated, tree: Tree) -> dict[str, np.ndarray]:
    index = pd.MultiIndex.from_product([list(tree.entities), list(CHART_OBJ.line_codes)])
    full = consolidated.lines.reindex(index, fill_value=0.0)
    return {e: full.loc[e].to_numpy() for e in tree.entities}


@settings(max_examples=150, deadline=None)
@given(regions())
def test_every_entity_is_the_sum_of_its_children(region):
    tree, table = region
    consolidated = consolidate(table, tree, None)
    values = _line_matrix(consolidated, tree)
    for code in tree.entities:
        children = tree.children[code]
        if children:
            expected = sum(values[c] for c in children)
            np.testing.assert_array_equal(values[code], expected)
        elif code != tree.root:
            own = table[table["unit"] == code].groupby("line")[list(MEASURES)].sum()
            own = own.reindex(list(CHART_OBJ.line_codes), fill_value=0.0).to_numpy()
            np.testing.assert_array_equal(values[code], own)


@settings(max_examples=100, deadline=None)
@given(regions())
def test_region_total_equals_sum_of_all_rows_and_variances_hold(region):
    tree, table = region
    rows = report_rows(consolidate(table, tree, None), tree, CHART_OBJ)
    region_result = rows[(rows["entity"] == tree.root) & (rows["row"] == "Resultat")].iloc[0]
    for measure in MEASURES:
        if table.empty:  # nobody delivered anything: empty, not 0
            assert np.isnan(region_result[measure])
        else:
            assert region_result[measure] == table[measure].sum()
    for variance, (a, b) in (("var_budget", ("actual", "budget")), ("var_prior", ("actual", "prior")),
                             ("var_forecast", ("forecast", "annual_budget"))):
        np.testing.assert_array_equal(rows[variance].to_numpy(), (rows[a] - rows[b]).to_numpy())
    # A total row is the sum of the rows it names.
    for _entity, group in rows.groupby("entity"):
        by_name = group.set_index("row")
        kosts = by_name.loc["Löner", "actual"] + by_name.loc["Övriga kostnader", "actual"]
        if np.isnan(kosts):  # an entity none of whose units delivered: every figure empty
            assert by_name[list(MEASURES)].isna().all().all()
            continue
        assert by_name.loc["Kostnader", "actual"] == kosts
        assert by_name.loc["Resultat", "actual"] == by_name.loc["Intäkter", "actual"] + kosts


def test_every_entity_gets_every_row_of_every_report():
    tree = Tree.build([Entity("REG", "R", None), Entity("A", "A", "REG"), Entity("U", "U", "A"), Entity("V", "V", "REG")], "t")
    table = pd.DataFrame([{"unit": "U", "line": "lon", "counterparty": "", **{m: -5.0 for m in MEASURES}}])
    rows = report_rows(consolidate(table, tree, None), tree, CHART_OBJ)
    assert len(rows) == len(tree.entities) * sum(len(r.rows) for r in CHART_OBJ.reports)
    v = rows[(rows["entity"] == "V") & (rows["row"] == "Resultat")].iloc[0]
    assert np.isnan(v["actual"])  # V delivered nothing: empty, not 0
    a = rows[(rows["entity"] == "A") & (rows["row"] == "Löner")].iloc[0]
    assert a["actual"] == -5.0 and a["var_budget"] == 0.0


@st.composite
def regions_with_missing_columns(draw):
    """Regions whose units each lack some measure columns (NaN in every row of theirs)."""
    tree, table = draw(regions())
    lacking = {u: draw(st.sets(st.sampled_from(MEASURES), max_size=len(MEASURES) - 1)) for u in tree.units}
    for unit, measures in lacking.items():
        for m in measures:
            table.loc[table["unit"] == unit, m] = np.nan
    return tree, table, lacking


@settings(max_examples=150, deadline=None)
@given(regions_with_missing_columns())
def test_a_measure_nobody_delivered_is_empty_and_a_partial_total_says_how_many_lack_it(region):
    """For every entity and measure: empty (NaN) when no unit at or below it delivered the
    measure's column, else the sum of what was delivered; and `lacking` counts the
    reporting units without it exactly when some but not all delivered it."""
    tree, table, lacking = region
    consolidated = consolidate(table, tree, None)
    rows = report_rows(consolidated, tree, CHART_OBJ)
    result_rows = rows[rows["row"] == "Resultat"].set_index("entity")
    for code in tree.entities:
        below = {u for u in tree.units if code in tree.chains[u]}
        reporting = {u for u in below if (table["unit"] == u).any()}
        mine = table[table["unit"].isin(reporting)]
        partial = consolidated.lacking(code)
        for m in MEASURES:
            delivered = {u for u in reporting if m not in lacking[u]}
            value = result_rows.loc[code, m]
            if not delivered:
                assert np.isnan(value), (code, m)
                assert m not in partial
            else:
                assert value == mine[m].sum(), (code, m)  # NaN rows are left out of the sum
                if delivered != reporting:
                    assert partial[m] == (len(reporting) - len(delivered), len(reporting))
                else:
                    assert m not in partial
