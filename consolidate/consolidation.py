"""The core: map accounts onto the chart, roll units up the tree, eliminate internal
trade, and build every report row of every entity. Pure functions over tidy tables.

Input rows are one per (unit, account, counterparty) with the six measures in kr.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .chart import Chart
from .config import MEASURES
from .problems import Problem
from .tree import Tree

VARIANCES = {
    "var_budget": ("actual", "budget"),
    "var_prior": ("actual", "prior"),
    "var_forecast": ("forecast", "annual_budget"),
}


def map_accounts(table: pd.DataFrame, chart: Chart) -> tuple[pd.Series, list[Problem]]:
    """The chart line of every row; each unmapped account is one problem naming its
    units, files and amounts."""
    accounts = table["account"].unique()
    lookup = {a: chart.line_of(a) for a in accounts}
    lines = table["account"].map(lookup)
    problems = []
    missing = table[lines.isna()]
    for account, rows in missing.groupby("account", sort=True):
        problems.append(_unmapped(account, rows))
    return lines, problems


def _unmapped(account: str, rows: pd.DataFrame) -> Problem:
    from .formatting import amount

    parts = []
    for (unit, file, sheet), group in rows.groupby(["unit", "file", "sheet"], sort=True, dropna=False):
        cells = ", ".join(f"rad {r}" for r in group["row"].head(5))
        parts.append(f"{unit} i {file} (blad {sheet}, {cells}): utfall {amount(group['actual'].sum(), 'kr')} kr")
    first = rows.iloc[0]
    return Problem(
        f"kontot {account} finns inte i kontoplanen: " + "; ".join(parts),
        file=first["file"], sheet=first["sheet"], cell=f"rad {first['row']}", unit=first["unit"],
        check="unmapped_account", extra={"account": account},
    )


@dataclass(frozen=True)
class Consolidated:
    """Detail-line totals per entity, and what was eliminated where."""

    lines: pd.DataFrame  # index (entity, line), columns MEASURES
    eliminated: pd.DataFrame  # columns entity, line, MEASURES: amounts removed at that entity


def ancestry(tree: Tree) -> pd.DataFrame:
    """One row per (member, entity) where entity is the member or above it."""
    members, entities, depths = [], [], []
    for code in tree.entities:
        for above in tree.ancestors(code):
            members.append(code)
            entities.append(above)
            depths.append(tree.depth[above])
    return pd.DataFrame({"member": members, "entity": entities, "depth": depths})


def internal_top(table: pd.DataFrame, tree: Tree) -> pd.Series:
    """For each row, the entity where it is eliminated (lowest entity holding both the
    unit and its counterparty), or None for external figures."""
    owner = tree.motpart_owner
    if not owner:
        return pd.Series([None] * len(table), index=table.index, dtype=object)
    pairs = table[["unit", "counterparty"]].drop_duplicates()
    tops = {}
    for unit, counterparty in pairs.itertuples(index=False):
        other = owner.get(counterparty)
        tops[(unit, counterparty)] = tree.lowest_common(unit, other) if other else None
    keys = pd.MultiIndex.from_frame(table[["unit", "counterparty"]])
    return pd.Series([tops[k] for k in keys], index=table.index, dtype=object)


def consolidate(table: pd.DataFrame, tree: Tree, difference_line: str | None) -> Consolidated:
    """Sum mapped rows (columns unit, line, counterparty, MEASURES) up the tree.

    An internal figure counts from its unit up to, not including, the lowest entity
    holding both parties; there it moves to the difference line, so every entity's
    result equals the sum of its children's.
    """
    work = table[["unit", "line", *MEASURES]].copy()
    work["top"] = internal_top(table, tree)
    depth = tree.depth
    work["top_depth"] = work["top"].map(lambda t: -1 if t is None else depth[t]).astype(int)
    grouped = work.groupby(["unit", "line", "top", "top_depth"], dropna=False, sort=False)[list(MEASURES)].sum().reset_index()
    links = ancestry(tree)
    counted = grouped.merge(links, left_on="unit", right_on="member")
    counted = counted[counted["depth"] > counted["top_depth"]]
    parts = [counted[["entity", "line", *MEASURES]]]
    internal = grouped[grouped["top"].notna()]
    eliminated = internal.groupby(["top", "line"], sort=False)[list(MEASURES)].sum().reset_index()
    eliminated = eliminated.rename(columns={"top": "entity"})
    if len(internal) and difference_line is not None:
        residual = internal.groupby("top", sort=False)[list(MEASURES)].sum().reset_index()
        residual = residual.merge(links, left_on="top", right_on="member")
        residual["line"] = difference_line
        parts.append(residual[["entity", "line", *MEASURES]])
    lines = pd.concat(parts, ignore_index=True).groupby(["entity", "line"], sort=False)[list(MEASURES)].sum()
    return Consolidated(lines, eliminated)


def report_rows(consolidated: Consolidated, tree: Tree, chart: Chart) -> pd.DataFrame:
    """Every row of every report for every entity, with variances: one tidy table with
    columns entity, report, row, position, total, MEASURES, var_*."""
    line_index = pd.MultiIndex.from_product([list(tree.entities), list(chart.line_codes)], names=["entity", "line"])
    full = consolidated.lines.reindex(line_index, fill_value=0.0)
    n_entities, n_lines = len(tree.entities), len(chart.line_codes)
    cube = full.to_numpy().reshape(n_entities, n_lines, len(MEASURES))
    frames = []
    for report in chart.reports:
        values = np.einsum("rl,elm->erm", np.asarray(report.weights), cube)  # entities x rows x measures
        n_rows = len(report.rows)
        frame = pd.DataFrame(values.reshape(n_entities * n_rows, len(MEASURES)), columns=list(MEASURES))
        frame.insert(0, "entity", np.repeat(list(tree.entities), n_rows))
        frame.insert(1, "report", report.name)
        frame.insert(2, "row", [r.name for r in report.rows] * n_entities)
        frame.insert(3, "position", list(range(n_rows)) * n_entities)
        frame.insert(4, "total", [r.total for r in report.rows] * n_entities)
        frames.append(frame)
    result = pd.concat(frames, ignore_index=True)
    return add_variances(result)


def add_variances(frame: pd.DataFrame) -> pd.DataFrame:
    for name, (a, b) in VARIANCES.items():
        frame[name] = frame[a] - frame[b]
    return frame


def entity_results(rows: pd.DataFrame, consolidated: Consolidated, chart: Chart, report: str) -> pd.DataFrame:
    """Driftredovisning: per entity the bottom row of the report on every measure and
    variance, its actual revenue, and the result as % of revenue (None when no revenue)."""
    of_report = rows[rows["report"] == report]
    last = of_report["position"].max()
    bottom = of_report[of_report["position"] == last].set_index("entity")
    lines = consolidated.lines.reset_index()
    revenue = lines[lines["line"].isin(chart.revenue_lines)].groupby("entity")["actual"].sum()
    table = bottom[[*MEASURES, *VARIANCES]].copy()
    table["revenue"] = revenue.reindex(table.index, fill_value=0.0)
    base = table["revenue"].abs()
    table["result_pct_revenue"] = (100.0 * table["actual"] / base).where(base != 0)
    return table
