"""What makes a figure (SPEC §13): the source rows behind one entity's report row and
measure, what was eliminated at or below the entity, and (SPEC §14) its adjustments,
which together add up to the figure.

A source row counts in an entity when its unit is at or below it, its line is in the
report row, and it is not internal trade eliminated at or below the entity. Internal
trade is listed among the sources like any row; what was removed of it at an entity at
or below this one is listed among the eliminations with the sign it has on the figure
(removing revenue of 1 000 is -1 000), and the difference it leaves on the difference
line likewise. So: sum(sources) + sum(eliminations) + sum(adjustments) = value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from consolidate.core.adjustments import explained
from consolidate.core.period import Result
from consolidate.core.rollup import internal_top
from consolidate.problems import cell_name
from consolidate.vocabulary import MEASURES, VARIANCES


class ExplainError(ValueError):
    """The figure asked for does not exist (entity, report, row or measure)."""


@dataclass
class Explanation:
    entity: str
    report: str
    row: str
    measure: str
    value: float | None
    sources: pd.DataFrame  # unit, account, name, counterparty, line, amount, file, sheet, cell (row order of the files)
    eliminations: list[dict] = field(default_factory=list)  # entity, line, amount
    adjustments: list[dict] = field(default_factory=list)  # entity, line, amount, text, signature, file, cell

    @property
    def parts_sum(self) -> float:
        return (float(self.sources["amount"].sum()) + sum(e["amount"] for e in self.eliminations)
                + sum(a["amount"] for a in self.adjustments))


def measure_parts(measure: str) -> tuple[str, str | None]:
    """A measure, or a variance as (minuend, subtrahend)."""
    if measure in MEASURES:
        return measure, None
    if measure in VARIANCES:
        a, b = VARIANCES[measure]
        return a, b
    raise ExplainError(f"okänt mått {measure!r}; välj ett av {', '.join([*MEASURES, *VARIANCES])}")


def explain(result: Result, entity: str, report_name: str | None, row: str, measure: str = "actual") -> Explanation:
    config = result.config
    tree = config.tree
    if result.rows is None or result.source_rows is None:
        raise ExplainError("perioden kunde inte konsolideras; kör 'consolidate validate'")
    if entity not in tree.entities:
        raise ExplainError(f"{entity!r} finns inte i organisationsträdet")
    report = config.chart.report(report_name)
    if report is None:
        raise ExplainError(f"rapporten {report_name!r} finns inte")
    names = [r.name for r in report.rows]
    matches = [k for k, name in enumerate(names) if name.casefold() == row.strip().casefold()]
    if not matches:
        raise ExplainError(f"raden {row!r} finns inte i {report.name}; raderna är: {', '.join(names)}")
    k = matches[0]
    a, b = measure_parts(measure)
    figures = result.rows
    found = figures[(figures["entity"] == entity) & (figures["report"] == report.name) & (figures["row"] == names[k])]
    value = float(found.iloc[0][measure]) if len(found) else math.nan
    weights = {line: w for line, w in zip(config.chart.line_codes, report.weights[k]) if w}
    below = set(tree.subtree(entity))
    table = result.source_rows
    mine = table[table["unit"].isin(below)]
    tops = internal_top(mine["unit"], mine["counterparty"], tree)
    eliminated_here = tops.isin(below).to_numpy()  # removed at or below the entity
    amounts = _amounts(mine, a, b)
    on_row = mine["line"].isin(weights.keys()).to_numpy()
    weight = mine["line"].map(weights).fillna(0.0).to_numpy(dtype=float)
    contribution = weight * amounts
    delivered = ~np.isnan(contribution)
    keep = on_row & delivered
    sources = pd.DataFrame({
        "unit": mine["unit"].to_numpy()[keep],
        "account": mine["account"].to_numpy()[keep],
        "name": mine["name"].to_numpy()[keep],
        "counterparty": mine["counterparty"].to_numpy()[keep],
        "line": mine["line"].to_numpy()[keep],
        "amount": contribution[keep],
        "file": mine["file"].to_numpy()[keep],
        "sheet": mine["sheet"].to_numpy()[keep],
        "cell": _cells(result, mine[keep], a, b),
    })
    eliminations = _eliminations(mine, tops, eliminated_here, keep, contribution, amounts, weights,
                                 config.eliminations.difference_line)
    # SPEC §14: the adjustments at the entity or below it, on the row's lines
    adjustments = explained(getattr(result, "adjustments", None), below, weights, a, b)
    if math.isnan(value):
        return Explanation(entity, report.name, names[k], measure, None, sources.iloc[0:0], [], [])
    return Explanation(entity, report.name, names[k], measure, value, sources, eliminations, adjustments)


def _amounts(rows: pd.DataFrame, a: str, b: str | None) -> np.ndarray:
    values = rows[a].to_numpy(dtype=float)
    return values if b is None else values - rows[b].to_numpy(dtype=float)


def _cells(result: Result, rows: pd.DataFrame, a: str, b: str | None) -> list[str | None]:
    """The A1 reference of each source row's cell for the measure (both cells, "D12, E12",
    for a variance)."""
    out: list[str | None] = []
    columns = result.source_columns
    for file, sheet, row in zip(rows["file"].tolist(), rows["sheet"].tolist(), rows["row"].tolist()):
        found = columns.get((file, sheet), {})
        cells = [cell_name(int(row) - 1, found[m]) for m in (a, b) if m is not None and m in found]
        out.append(", ".join(cells) if cells else None)
    return out


def _eliminations(rows: pd.DataFrame, tops: pd.Series, eliminated: np.ndarray, on_row: np.ndarray,
                  contribution: np.ndarray, amounts: np.ndarray, weights: dict[str, float],
                  difference_line: str | None) -> list[dict]:
    """What was removed at each entity at or below the one explained, per line, with its
    sign on the figure; and what that left on the difference line (at the same entities:
    the sum of everything eliminated there, on every line)."""
    found: dict[tuple[str, str], float] = {}
    top_values = tops.to_numpy()
    lines = rows["line"].to_numpy()
    removed = eliminated & on_row
    for t, line, amount in zip(top_values[removed], lines[removed], contribution[removed]):
        found[(t, line)] = found.get((t, line), 0.0) - float(amount)
    if difference_line is not None and difference_line in weights:
        left = eliminated & pd.notna(lines) & ~np.isnan(amounts)
        for t, amount in zip(top_values[left], amounts[left]):
            key = (t, difference_line)
            found[key] = found.get(key, 0.0) + weights[difference_line] * float(amount)
    return [{"entity": e, "line": line, "amount": amount} for (e, line), amount in sorted(found.items())
            if amount != 0.0]
