"""Roll units up the tree, eliminate internal trade, and build every report row of
every entity. Pure functions over tidy tables.

Input rows are one per (unit, account, counterparty) with the six measures in kr and
the chart line each account maps to (see `mapping`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from consolidate.config.chart import Chart
from consolidate.config.tree import Tree
from consolidate.vocabulary import MEASURES, VARIANCES


@dataclass(frozen=True)
class Consolidated:
    """Detail-line totals per entity, and what was eliminated where."""

    entities: tuple[str, ...]  # every entity of the tree, in tree order
    line_codes: tuple[str, ...]  # the detail lines that have figures (and the difference line)
    cube: np.ndarray  # entities x lines x MEASURES, in kr
    eliminated: pd.DataFrame  # columns entity, line, MEASURES: amounts removed at that entity
    reporting: np.ndarray  # per entity: the units at or below it with figures
    delivered: np.ndarray  # entities x MEASURES: of those, how many delivered the measure's column

    def lacking(self, entity: str) -> dict[str, tuple[int, int]]:
        """The measures only some of the entity's reporting units delivered (a partial
        total): measure -> (units lacking it, units reporting)."""
        e = self.position[entity]
        n = int(self.reporting[e])
        return {m: (n - int(d), n) for m, d in zip(MEASURES, self.delivered[e]) if 0 < d < n}

    @cached_property
    def position(self) -> dict[str, int]:
        return {code: k for k, code in enumerate(self.entities)}

    @cached_property
    def undelivered(self) -> np.ndarray:
        """entities x MEASURES: True where no unit at or below the entity delivered the
        measure; those figures are empty (NaN), not 0."""
        return self.delivered == 0

    @cached_property
    def lines(self) -> pd.DataFrame:
        """The cube as a table: index (entity, line), columns MEASURES."""
        index = pd.MultiIndex.from_product([list(self.entities), list(self.line_codes)], names=["entity", "line"])
        return pd.DataFrame(self.cube.reshape(-1, len(MEASURES)), index=index, columns=list(MEASURES))

    def of_lines(self, codes: tuple[str, ...]) -> np.ndarray:
        """entities x the given lines x MEASURES; zeros for a line without figures."""
        position = {code: k for k, code in enumerate(self.line_codes)}
        out = np.zeros((len(self.entities), len(codes), len(MEASURES)))
        for k, code in enumerate(codes):
            if code in position:
                out[:, k] = self.cube[:, position[code]]
        return out


def internal_top(units: pd.Series, counterparties: pd.Series, tree: Tree) -> pd.Series:
    """For each row, the entity where it is eliminated (lowest entity holding both the
    unit and its counterparty), or None for external figures."""
    owner = tree.motpart_owner
    internal = counterparties.isin(owner.keys()) if owner else pd.Series(False, index=units.index)
    tops = pd.Series(None, index=units.index, dtype=object)
    if internal.any():
        mask = internal.to_numpy()
        pairs = list(zip(units.to_numpy()[mask].tolist(), counterparties.to_numpy()[mask].tolist()))
        top_of = {pair: tree.lowest_common(pair[0], owner[pair[1]]) for pair in set(pairs)}
        tops[internal] = [top_of[pair] for pair in pairs]
    return tops


def consolidate(table: pd.DataFrame, tree: Tree, difference_line: str | None) -> Consolidated:
    """Sum mapped rows (columns unit, line, counterparty, MEASURES) up the tree.

    An internal figure counts from its unit up to, not including, the lowest entity
    holding both parties; there it moves to the difference line, so every entity's
    result equals the sum of its children's.

    Works on integer positions: rows are first summed per (unit, line, top), then
    each sum is added to the entities it counts in, into a dense entities x lines x
    measures cube."""
    entities = tuple(tree.entities)
    position = {code: k for k, code in enumerate(entities)}
    table = table[table["line"].notna() & table["unit"].isin(position)]
    line_codes, line_of_row = _line_axis(table["line"], difference_line)
    index = pd.Index(entities)
    unit_of_row = index.get_indexer(table["unit"]).astype(np.int64)
    top_of_row = index.get_indexer(internal_top(table["unit"], table["counterparty"], tree)).astype(np.int64)
    amounts = table[list(MEASURES)].to_numpy(dtype=np.float64)
    present = ~np.isnan(amounts)  # NaN: the file has no column for the measure
    amounts = np.where(present, amounts, 0.0)

    n_entities, n_lines = len(entities), len(line_codes)
    key = (unit_of_row * n_lines + line_of_row) * (n_entities + 1) + (top_of_row + 1)
    groups, group_of_row = np.unique(key, return_inverse=True)
    sums = sum_by(group_of_row, amounts, len(groups))
    top = groups % (n_entities + 1) - 1
    line = (groups // (n_entities + 1)) % n_lines
    unit = groups // (n_entities + 1) // n_lines

    depth = np.array([tree.depth[e] for e in entities])
    top_depth = np.where(top >= 0, depth[np.maximum(top, 0)], -1)
    chains = ancestor_chains(tree, entities, position)
    reporting, delivered = _delivered(unit_of_row, present, chains, n_entities)
    # every group, once for each entity at or above its unit and below its top
    entity, group = expand_to_ancestors(unit, chains)
    counted = depth[entity] > top_depth[group]
    cube = sum_by(entity[counted] * n_lines + line[group[counted]], sums[group[counted]], n_entities * n_lines)
    cube = cube.reshape(n_entities, n_lines, len(MEASURES))

    internal = top >= 0
    eliminated = _eliminated(entities, line_codes, top[internal], line[internal], sums[internal])
    if internal.any() and difference_line is not None:
        residual = sum_by(top[internal], sums[internal], n_entities)  # per top entity
        d = line_codes.index(difference_line)
        for t in np.flatnonzero(residual.any(axis=1)):
            for above in chain_of(chains, int(t)):
                cube[above, d] += residual[t]
    return Consolidated(entities, line_codes, cube, eliminated, reporting, delivered)


def _delivered(unit_of_row: np.ndarray, present: np.ndarray, chains: tuple[np.ndarray, np.ndarray],
               n_entities: int) -> tuple[np.ndarray, np.ndarray]:
    """Per entity, the units at or below it that have figures, and of those, per
    measure, how many delivered it (had its column)."""
    units = np.unique(unit_of_row)
    has = np.zeros((n_entities, present.shape[1]), dtype=bool)
    for m in range(present.shape[1]):
        has[unit_of_row[present[:, m]], m] = True
    entity, member = expand_to_ancestors(units, chains)
    reporting = np.bincount(entity, minlength=n_entities)
    delivered = np.zeros((n_entities, present.shape[1]), dtype=np.int64)
    for m in range(present.shape[1]):
        delivered[:, m] = np.bincount(entity, weights=has[units[member], m], minlength=n_entities).astype(np.int64)
    return reporting, delivered


def _line_axis(lines: pd.Series, difference_line: str | None) -> tuple[tuple[str, ...], np.ndarray]:
    """The lines that have figures (first seen first), the difference line last, and
    each row's position among them."""
    codes, uniques = pd.factorize(lines)
    line_codes = tuple(uniques.tolist())
    if difference_line is not None and difference_line not in line_codes:
        line_codes += (difference_line,)
    return line_codes, codes.astype(np.int64)


def sum_by(groups: np.ndarray, amounts: np.ndarray, n: int) -> np.ndarray:
    """n x measures: the amounts of each group summed (in row order)."""
    out = np.zeros((n, amounts.shape[1]))
    for m in range(amounts.shape[1]):
        out[:, m] = np.bincount(groups, weights=amounts[:, m], minlength=n)
    return out


def ancestor_chains(tree: Tree, entities: tuple[str, ...], position: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Every entity's chain (itself and all above it) as positions, packed: the chain
    of entity e is chain[offsets[e]:offsets[e + 1]]."""
    chains = [[position[a] for a in tree.chains[e]] for e in entities]
    offsets = np.zeros(len(entities) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(c) for c in chains])
    return np.array([a for c in chains for a in c], dtype=np.int64), offsets


def chain_of(chains: tuple[np.ndarray, np.ndarray], e: int) -> np.ndarray:
    above, offsets = chains
    return above[offsets[e]:offsets[e + 1]]


def expand_to_ancestors(members: np.ndarray, chains: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(entity, index into members) once for each entity at or above each member."""
    above, offsets = chains
    counts = offsets[members + 1] - offsets[members]
    ends = np.cumsum(counts)
    within = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - counts, counts)
    return above[np.repeat(offsets[members], counts) + within], np.repeat(np.arange(len(members)), counts)


def _eliminated(entities, line_codes, top, line, sums) -> pd.DataFrame:
    """What was removed at each entity, per line, in tree and line order."""
    if not len(top):
        return pd.DataFrame(columns=["entity", "line", *MEASURES])
    key = top * len(line_codes) + line
    groups, group_of = np.unique(key, return_inverse=True)
    totals = sum_by(group_of, sums, len(groups))
    frame = pd.DataFrame(totals, columns=list(MEASURES))
    frame.insert(0, "entity", [entities[k] for k in groups // len(line_codes)])
    frame.insert(1, "line", [line_codes[k] for k in groups % len(line_codes)])
    return frame


def report_rows(consolidated: Consolidated, tree: Tree, chart: Chart) -> pd.DataFrame:
    """Every row of every report for every entity, with variances: one tidy table with
    columns entity, report, row, position, total, MEASURES, var_*."""
    cube = consolidated.of_lines(chart.line_codes)
    entities = list(consolidated.entities)
    n_entities = len(entities)
    frames = []
    for report in chart.reports:
        values = np.einsum("rl,elm->erm", np.asarray(report.weights), cube)  # entities x rows x measures
        values[np.broadcast_to(consolidated.undelivered[:, None, :], values.shape)] = np.nan  # nobody delivered
        n_rows = len(report.rows)
        frame = pd.DataFrame(values.reshape(n_entities * n_rows, len(MEASURES)), columns=list(MEASURES))
        frame.insert(0, "entity", np.repeat(entities, n_rows))
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
    actual = consolidated.of_lines(chart.revenue_lines)[:, :, MEASURES.index("actual")].sum(axis=1)
    revenue = pd.Series(actual, index=list(consolidated.entities))
    table = bottom[[*MEASURES, *VARIANCES]].copy()
    table["revenue"] = revenue.reindex(table.index, fill_value=0.0)
    base = table["revenue"].abs()
    table["result_pct_revenue"] = (100.0 * table["actual"] / base).where(base != 0)
    return table
