"""validate -> map -> consolidate: one period of one region, as data, from its files
as read.

Starts no process and reads no file: the commands hand it the `Source`s. The outputs
only render the `Result` it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from consolidate.config.region import Config
from consolidate.core.coverage import assign_units, attach_units
from consolidate.core.internal import mismatches
from consolidate.core.mapping import counterparty_codes, map_accounts, unknown_counterparties
from consolidate.core.rollup import Consolidated, consolidate, report_rows
from consolidate.core.signs import reversed_signs
from consolidate.core.staffing import staffing_table
from consolidate.problems import Problem, has_errors
from consolidate.readers.files import Source
from consolidate.vocabulary import MEASURES, STAFF_MEASURES

INCOME_COLUMNS = ["unit", "account", "name", "counterparty", "file", "sheet", "row", *MEASURES]
STAFFING_COLUMNS = ["unit", "group", "gender", "age_band", "file", "sheet", "row", *STAFF_MEASURES]


@dataclass
class Result:
    config: Config
    period: str
    problems: list[Problem]
    files: list[Path] = field(default_factory=list)
    digests: dict[Path, tuple[str, int]] = field(default_factory=dict)  # SHA-256 and size of each file as read
    consolidated: Consolidated | None = None
    rows: pd.DataFrame | None = None  # every report row of every entity
    mismatches: pd.DataFrame | None = None  # internal trade whose two sides disagree
    previous: tuple[str, pd.DataFrame] | None = None  # the previous closed month's figures
    staff_sources: list[Source] | None = field(default=None, repr=False)  # the staffing files as read
    _staffing: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def staffing_rows(self) -> pd.DataFrame | None:
        """Tidy staffing input rows of the units (from `staff_sources`)."""
        if self.staff_sources is None:
            return None
        table = _table(self.staff_sources, STAFFING_COLUMNS, STAFF_MEASURES)
        return table[table["unit"].notna()]

    @property
    def staffing(self) -> pd.DataFrame | None:
        """SPEC §5 staffing key figures per entity. Worked out when first asked for,
        so that writing the JSON can do it beside the income part (see export)."""
        if self._staffing is None and self.staff_sources is not None:
            config = self.config
            self._staffing = staffing_table(
                self.staffing_rows, config.tree, config.fte_hours_per_year, int(self.period[5:7]))
        return self._staffing

    @staffing.setter
    def staffing(self, frame: pd.DataFrame | None) -> None:
        """Set the figures (None: there are none), instead of working them out."""
        self._staffing = frame
        self.staff_sources = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    def rows_with_previous(self) -> pd.DataFrame:
        """Report rows with the previous closed month's actual and var_budget beside
        them (`prev_actual`, `prev_var_budget`; NaN where there is none)."""
        if self.rows is None:
            raise ValueError("nothing was consolidated: the run had errors")
        if self.previous is None:
            return self.rows.assign(prev_actual=float("nan"), prev_var_budget=float("nan"))
        previous = self.previous[1].rename(columns={"actual": "prev_actual", "var_budget": "prev_var_budget"})
        return self.rows.merge(previous, on=["entity", "report", "row"], how="left")

    def report_frame(self) -> pd.DataFrame:
        """Report rows with the change of actual and of var_budget since the previous
        closed month (`change_actual`, `change_var_budget`; NaN without one)."""
        frame = self.rows_with_previous()
        return frame.assign(
            change_actual=frame["actual"] - frame["prev_actual"],
            change_var_budget=frame["var_budget"] - frame["prev_var_budget"],
        )


def _checked(sources: list[Source], config: Config, period: str, kind: str) -> list[Problem]:
    """The problems of the files of one kind, their units and their coverage, each
    with its unit where a file belongs to one."""
    if not sources:
        return []
    found = [p for s in sources for p in s.problems] + assign_units(sources, config.tree, period, kind)
    return attach_units(found, sources, config.tree)


def _table(sources: list[Source], names: list[str], money: tuple[str, ...]) -> pd.DataFrame:
    """All data rows of all files of one kind as one table, built column by column
    from each sheet's `columns()`, with the file and sheet of every row. Amounts come
    as arrays of float and are joined without making a Python float of each."""
    text: dict[str, list] = {c: [] for c in names if c not in money}
    numbers: dict[str, list] = {c: [] for c in money}
    for source in sources:
        if source.rows is None:
            continue
        for key, values in source.rows.columns().items():
            (numbers if key in numbers else text)[key].append(values)
        n = len(source.rows.row)
        text["file"].append([source.display] * n)
        text["sheet"].append([source.rows.sheet] * n)
    columns: dict[str, Any] = {key: list(chain.from_iterable(parts)) for key, parts in text.items()}
    columns.update({key: np.frombuffer(bytearray().join(parts), dtype=np.float64) for key, parts in numbers.items()})
    return pd.DataFrame({c: columns[c] for c in names})


@dataclass
class IncomeStep:
    """The income statements consolidated, before the staffing sheets are in: the
    result so far, and the chart's and internal trade's problems, which are listed
    after the staffing files' own."""

    result: Result
    sources: list[Source]
    checks: list[Problem]


def consolidate_income(config: Config, period: str, sources: list[Source], found: list[Problem]) -> IncomeStep:
    """Match the income files to units, map their accounts, match internal trade and,
    when nothing stops it, consolidate and lay out every report row. `found` are the
    problems met while looking for the files."""
    income_problems = _checked(sources, config, period, "income")
    table = _table(sources, INCOME_COLUMNS, MEASURES)
    result = Result(config, period, [*found, *income_problems])
    table = table[table["unit"].notna()]
    table = table.assign(counterparty=counterparty_codes(table["counterparty"], config.tree.motpart_owner))
    motpart = unknown_counterparties(table, config.tree.motpart_owner, config.eliminations.external)
    lines, unmapped = map_accounts(table, config.chart)
    table = table.assign(line=lines)
    signs = reversed_signs(table, config, period, sources)
    trade: list[Problem] = []
    if config.tree.motpart_owner:
        result.mismatches, trade = mismatches(table[table["line"].notna()], config.tree, config.eliminations)
    if not has_errors([*result.problems, *motpart, *unmapped, *signs, *trade]):
        result.consolidated = consolidate(table, config.tree, config.eliminations.difference_line)
        result.rows = report_rows(result.consolidated, config.tree, config.chart)
    return IncomeStep(result, sources, [*motpart, *unmapped, *signs, *trade])


def add_staffing(step: IncomeStep, staff_sources: list[Source]) -> Result:
    """The staffing sheets' problems and coverage; the result, or the problems that
    stop it (then nothing consolidated is kept)."""
    result = step.result
    result.problems += [*_checked(staff_sources, result.config, result.period, "staffing"), *step.checks]
    result.files = [s.path for s in step.sources + staff_sources]
    result.digests = {s.path: (s.rows.sha256, s.rows.size) for s in step.sources + staff_sources
                      if s.rows is not None and s.rows.sha256}
    if not result.ok:
        result.consolidated = result.rows = None
        return result
    result.staff_sources = staff_sources
    return result


def consolidate_period(config: Config, period: str, income: list[Source], staffing: list[Source],
                       found: list[Problem] | None = None) -> Result:
    """Everything `run` needs, or the problems that stop it, from the files as read.

    A command that reads in worker processes calls `consolidate_income` while the
    staffing sheets are still being read, then `add_staffing`."""
    return add_staffing(consolidate_income(config, period, income, found or []), staffing)
