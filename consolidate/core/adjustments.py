"""Top-side adjustments (SPEC §14): amounts a controller books at any entity of the
tree (a unit, an administration, the region) on a detail line, without a dummy unit.

An adjustment counts in its entity and every entity above it, on its line: an
entity's figure is the sum of its children's plus its own adjustments. Adjustments
change no unit's source rows (an adjustment at a unit counts at that unit and above,
beside its rows). They are applied to the consolidated cube after the roll-up and
the eliminations (`apply`), so every report row, the driftredovisning, the history
and the trend see them; `explained` gives an entity's share for `explain`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial

import numpy as np
import pandas as pd

from consolidate.config.chart import Chart
from consolidate.config.tree import Tree
from consolidate.core.rollup import Consolidated
from consolidate.problems import Problem
from consolidate.readers.adjustments import Adjustment, AdjustmentFile
from consolidate.vocabulary import MEASURES, VARIANCES

# One row per adjustment: the entity and line it is booked on, the six measures in kr
# (NaN: the row does not adjust that measure), its text and signature ("" when none),
# and where it comes from (`cell`: the row's Enhet cell; `cells`: measure -> the A1
# cell of its amount).
COLUMNS = ["entity", "line", *MEASURES, "text", "signature", "file", "sheet", "row", "cell", "cells"]


@dataclass(frozen=True)
class AdjustedConsolidated(Consolidated):
    """The cube with the adjustments in it. A measure an adjustment gives at an entity
    is not empty there and above, even where no unit delivered it (`adjusted`); which
    units lacked a measure (`lacking`) is still said of the units alone."""

    adjusted: np.ndarray | None = None  # entities x MEASURES: an adjustment at or below gives the measure

    @cached_property
    def undelivered(self) -> np.ndarray:
        undelivered = self.delivered == 0
        return undelivered if self.adjusted is None else undelivered & ~self.adjusted


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c in MEASURES else object) for c in COLUMNS})


def resolve(found: AdjustmentFile | None, tree: Tree, chart: Chart) -> tuple[pd.DataFrame, list[Problem]]:
    """The file's adjustments as a table (`COLUMNS`), each on an entity of the tree and
    a detail line of the chart, and the problems of the file and of every row whose
    entity or line is not known (each naming its cell)."""
    if found is None:
        return empty(), []
    problems = list(found.problems)
    if found.rows is None:
        return empty(), problems
    records = []
    codes = _folded(tree.entities)
    lines = _folded(chart.line_codes)
    names = _folded_names(chart)
    for entry in found.rows.entries:
        entity = entry.entity if entry.entity in tree.entities else codes.get(entry.entity.casefold())
        where = partial(Problem, file=found.display, sheet=found.rows.sheet or None, check="adjustment")
        if entity is None:
            problems.append(where(f"enheten {entry.entity!r} finns inte i organisationsträdet", cell=entry.entity_cell))
        line = _line(entry, lines, names, chart, problems, where)
        if entity is None or line is None:
            continue
        records.append({
            "entity": entity, "line": line,
            **{m: entry.amounts.get(m, math.nan) for m in MEASURES},
            "text": entry.text, "signature": entry.signature, "file": found.display,
            "sheet": found.rows.sheet, "row": entry.row, "cell": entry.entity_cell, "cells": dict(entry.cells),
        })
    if not records:
        return empty(), problems
    return pd.DataFrame.from_records(records, columns=COLUMNS), problems


def _folded(codes) -> dict[str, str]:
    """Code case folded -> code, for the codes that are alone in their folded form."""
    found: dict[str, list[str]] = {}
    for code in codes:
        found.setdefault(code.casefold(), []).append(code)
    return {key: same[0] for key, same in found.items() if len(same) == 1}


def _folded_names(chart: Chart) -> dict[str, str]:
    """A line's name case folded -> its code, for names no other line has."""
    found: dict[str, list[str]] = {}
    for line in chart.lines:
        found.setdefault(" ".join(line.name.split()).casefold(), []).append(line.code)
    return {key: same[0] for key, same in found.items() if len(same) == 1}


def _line(entry: Adjustment, lines: dict[str, str], names: dict[str, str], chart: Chart, problems: list[Problem],
          where: Callable[..., Problem]) -> str | None:
    """The detail line an adjustment is booked on: its Rad (a line's code, or its name),
    or the line its Konto maps to; both given, they must agree."""
    line = None
    if entry.line:
        line = (entry.line if entry.line in chart.line_names else lines.get(entry.line.casefold())
                or names.get(" ".join(entry.line.split()).casefold()))
        if line is None:
            shown = ", ".join(chart.line_codes[:12]) + (" …" if len(chart.line_codes) > 12 else "")
            problems.append(where(f"raden {entry.line!r} finns inte i kontoplanen; ange en rads kod ({shown})",
                                  cell=entry.line_cell))
            return None
    if entry.account:
        mapped = chart.line_of(entry.account)
        if mapped is None:
            problems.append(where(f"kontot {entry.account} finns inte i kontoplanen", cell=entry.account_cell))
            return None
        if line is not None and mapped != line:
            problems.append(where(f"Rad {entry.line!r} och Konto {entry.account} (rad {mapped}) anger olika rader; "
                                  "ange den ena", cell=entry.account_cell))
            return None
        line = mapped
    return line


def apply(consolidated: Consolidated, adjustments: pd.DataFrame, tree: Tree) -> Consolidated:
    """The cube with each adjustment added to its entity and every entity above it, on
    its line (a line without figures so far is added to the cube's lines)."""
    if adjustments.empty:
        return consolidated
    line_codes = consolidated.line_codes + tuple(
        dict.fromkeys(line for line in adjustments["line"] if line not in consolidated.line_codes))
    n_entities, n_lines = len(consolidated.entities), len(line_codes)
    cube = np.zeros((n_entities, n_lines, len(MEASURES)))
    cube[:, :len(consolidated.line_codes)] = consolidated.cube
    adjusted = np.zeros((n_entities, len(MEASURES)), dtype=bool)
    position = consolidated.position
    line_at = {code: k for k, code in enumerate(line_codes)}
    values = adjustments[list(MEASURES)].to_numpy(dtype=np.float64)
    given = ~np.isnan(values)
    amounts = np.where(given, values, 0.0)
    for k, (entity, line) in enumerate(zip(adjustments["entity"].tolist(), adjustments["line"].tolist())):
        for above in tree.chains[entity]:
            e = position[above]
            cube[e, line_at[line]] += amounts[k]
            adjusted[e] |= given[k]
    return AdjustedConsolidated(consolidated.entities, line_codes, cube, consolidated.eliminated,
                                consolidated.reporting, consolidated.delivered, adjusted)


def explained(adjustments: pd.DataFrame | None, below: set[str], weights: dict[str, float], a: str,
              b: str | None) -> list[dict]:
    """The adjustments that count in an entity (those at it or below it, `below`) on a
    report row (its lines' `weights`), each with its amount on the measure `a` (less
    `b`, for a variance) and its row weight: entity, line, amount, text, signature,
    file, cell (the cell of the amount: both cells for a variance)."""
    if adjustments is None or adjustments.empty:
        return []
    found = []
    for record in adjustments.to_dict("records"):
        weight = weights.get(record["line"], 0.0)
        if record["entity"] not in below or not weight:
            continue
        first, second = record[a], (math.nan if b is None else record[b])
        if math.isnan(first) and math.isnan(second):
            continue
        amount = weight * ((0.0 if math.isnan(first) else first) - (0.0 if math.isnan(second) else second))
        cells = [record["cells"][m] for m in (a, b) if m is not None and m in record["cells"]]
        found.append({"entity": record["entity"], "line": record["line"], "amount": amount, "text": record["text"],
                      "signature": record["signature"] or None, "file": record["file"],
                      "cell": ", ".join(cells) or None})
    return found


def own_bottom_line(adjustments: pd.DataFrame | None, entity: str, chart: Chart, report: str) -> dict[str, float]:
    """What the adjustments booked at `entity` itself add to the report's last row (its
    result), per measure and variance; NaN for a measure none of them gives. Empty when
    the entity has none: then its total is the sum of its children's."""
    if adjustments is None or adjustments.empty:
        return {}
    mine = adjustments[adjustments["entity"] == entity]
    layout = chart.report(report)
    if mine.empty or layout is None:
        return {}
    weight = dict(zip(chart.line_codes, layout.weights[-1]))
    weights = mine["line"].map(weight).fillna(0.0).to_numpy(dtype=float)
    values = mine[list(MEASURES)].to_numpy(dtype=float)
    given = ~np.isnan(values).all(axis=0)
    sums = np.where(given, (weights[:, None] * np.nan_to_num(values)).sum(axis=0), np.nan)
    found = dict(zip(MEASURES, sums.tolist()))
    for name, (a, b) in VARIANCES.items():
        both = [found[a], found[b]]
        found[name] = math.nan if all(math.isnan(v) for v in both) else float(np.nansum([both[0], -both[1]]))
    return found


def to_records(adjustments: pd.DataFrame | None) -> list[dict]:
    """The table as plain records (a measure not adjusted: None), e.g. to keep with a
    close; `from_records` gives the table back."""
    if adjustments is None or adjustments.empty:
        return []
    return [{**record, **{m: None if math.isnan(record[m]) else float(record[m]) for m in MEASURES},
             "row": int(record["row"])} for record in adjustments.to_dict("records")]


def from_records(records: list[dict] | None) -> pd.DataFrame:
    """The table of `to_records`' records."""
    if not records:
        return empty()
    rows = [{**record, **{m: math.nan if record.get(m) is None else record[m] for m in MEASURES}}
            for record in records]
    return pd.DataFrame.from_records(rows, columns=COLUMNS)
