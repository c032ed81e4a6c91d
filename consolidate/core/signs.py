"""Signs that look reversed (SPEC §9): a file whose revenue lines sum below zero while
its other lines sum above zero, on actual, has the ledger's signs where the report's
are wanted (or the other way round), and would be consolidated backwards.

Checked per file (a many-unit export is one file) once its accounts are mapped onto
the chart, since only the chart knows which lines are revenue
(`Chart.revenue_lines`). A sum within `TOLERANCE` of zero counts as zero: a file
with no revenue, or with no other lines, is never flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from consolidate.config.region import Config, InputSource
from consolidate.formatting import amount
from consolidate.problems import Problem
from consolidate.readers.files import Source, input_sources

TOLERANCE = 1.0  # kr: rounding, not a figure


def reversed_signs(table: pd.DataFrame, config: Config, period: str, sources: list[Source]) -> list[Problem]:
    """One error for each file of the mapped income rows (`table`, with its `line`)
    whose signs look reversed, naming the key that turns them round."""
    revenue_lines = config.chart.revenue_lines
    if table.empty or not revenue_lines:
        return []
    totals = _sums_by_file(table, revenue_lines)
    flagged = {file: sums for file, sums in totals.items() if sums[0] < -TOLERANCE and sums[1] > TOLERANCE}
    if not flagged:
        return []
    by_display = {source.display: source for source in sources}
    found = [by_display[file] for file in flagged if file in by_display]
    chosen = input_sources(config, period, [source.path for source in found])
    problems = []
    for file, (revenue, other) in flagged.items():
        source = by_display.get(file)
        units = table["unit"][table["file"] == file].unique()
        problems.append(Problem(
            _message(revenue, other, config, chosen.get(source.path) if source is not None else None),
            file=file, sheet=source.rows.sheet if source is not None and source.rows is not None else None,
            unit=units[0] if len(units) == 1 else None, check="reversed_signs",
        ))
    return problems


def _sums_by_file(table: pd.DataFrame, revenue_lines: tuple[str, ...]) -> dict[str, list[float]]:
    """Each file's actual on revenue lines and on the other lines (unmapped rows in
    neither). A file's rows come together in the table, so this sums runs of equal
    file names rather than hashing every row's name; a file in two runs still adds up."""
    files = table["file"].to_numpy()
    line = table["line"]
    is_revenue = line.isin(revenue_lines).to_numpy()
    is_other = line.notna().to_numpy() & ~is_revenue
    actual = table["actual"].to_numpy()
    starts = np.flatnonzero(np.concatenate(([True], files[1:] != files[:-1])))
    revenue = np.add.reduceat(np.where(is_revenue, actual, 0.0), starts)
    other = np.add.reduceat(np.where(is_other, actual, 0.0), starts)
    totals: dict[str, list[float]] = {}
    for file, r, o in zip(files[starts].tolist(), revenue.tolist(), other.tolist()):
        sums = totals.setdefault(file, [0.0, 0.0])
        sums[0] += r
        sums[1] += o
    return totals


def _message(revenue: float, other: float, config: Config, source: InputSource | None) -> str:
    """What was found, and the key that turns the signs round for this file."""
    inputs = config.inputs
    signs = inputs.signs_of(source)
    wanted = "report" if signs == "ledger" else "ledger"
    sums = (f"intäktsraderna summerar till {amount(revenue, 'kr')} kr och övriga rader till "
            f"{amount(other, 'kr')} kr (utfall)")
    if signs == "report":
        found = f"tecknen ser omvända ut: {sums}, som i bokföringen (intäkter minus, kostnader plus)"
    else:
        found = (f'tecknen ser omvända ut: med signs = "ledger" vänds filens belopp, och då {sums}; filen ser '
                 "redan ut att ha rapportens tecken (intäkter plus, kostnader minus)")
    if source is not None:
        now = "" if source.signs is not None else f' (nu gäller [inputs] signs = "{signs}")'
        fix = f'sätt signs = "{wanted}" i {source.name}{now}'
    elif signs == "report":
        fix = ('sätt [inputs] signs = "ledger" i region.toml om alla filer är som bokförda, annars en '
               '[[inputs.source]] med ett pattern som matchar filen och signs = "ledger"')
    else:
        fix = ('lägg till en [[inputs.source]] med ett pattern som matchar filen och signs = "report", eller sätt '
               '[inputs] signs = "report" i region.toml om alla filer har rapportens tecken')
    return f"{found}; {fix}, så läses filen med rätt tecken"
