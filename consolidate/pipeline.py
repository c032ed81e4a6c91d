"""read -> validate -> map -> consolidate: one period of one region, as data.

The command line and the writers only render what `consolidate_period` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import MEASURES, Config
from .consolidation import Consolidated, consolidate, map_accounts, report_rows
from .income import INCOME_LABELS, merge_labels, read_income_file
from .internal import mismatches
from .inputs import Source, assign_units, attach_units, find_files, not_workbooks, read_all
from .problems import Problem, has_errors
from .staffing import STAFF_LABELS, STAFF_MEASURES, read_staffing_file
from .staffing_ratios import staffing_table

INCOME_COLUMNS = ["unit", "account", "name", "counterparty", "file", "sheet", "row", *MEASURES]


@dataclass
class Result:
    config: Config
    period: str
    problems: list[Problem]
    files: list[Path] = field(default_factory=list)
    income: pd.DataFrame | None = None  # tidy input rows with their chart line
    consolidated: Consolidated | None = None
    rows: pd.DataFrame | None = None  # every report row of every entity
    mismatches: pd.DataFrame | None = None  # internal trade whose two sides disagree
    staffing: pd.DataFrame | None = None  # SPEC §5 staffing key figures per entity
    previous: tuple[str, pd.DataFrame] | None = None  # the previous closed month's figures

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    def rows_with_previous(self) -> pd.DataFrame:
        """Report rows with the previous closed month's actual and var_budget beside
        them (`prev_actual`, `prev_var_budget`; NaN where there is none)."""
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


def read_income(config: Config, period: str, progress=None) -> tuple[pd.DataFrame, list[Source], list[Problem]]:
    files, problems = not_workbooks(find_files(config, config.inputs.income, period))
    if not files:
        pattern = config.resolve(config.inputs.income, period)
        return _empty_income(), [], problems + [Problem(f"inga resultatfiler hittades: {pattern}", check="no_files")]
    labels = merge_labels(INCOME_LABELS, config.inputs.aliases)
    args = (config.inputs.income_sheet, config.inputs.max_workbook_bytes, labels, config.inputs.amount_unit)
    sources = read_all(files, read_income_file, args, progress)
    for source in sources:
        problems += source.problems
    problems += assign_units(sources, config.tree, period, "income")
    return _income_table(sources), sources, attach_units(problems, sources, config.tree)


def _empty_income() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in INCOME_COLUMNS})
    for measure in MEASURES:
        frame[measure] = frame[measure].astype(float)
    return frame


def _income_table(sources: list[Source]) -> pd.DataFrame:
    """All data rows of all files as one table, built column by column."""
    columns: dict[str, list] = {c: [] for c in INCOME_COLUMNS}
    for source in sources:
        rows = source.rows
        if rows is None:
            continue
        n = len(rows.account)
        columns["unit"] += rows.unit
        columns["account"] += rows.account
        columns["name"] += rows.name
        columns["counterparty"] += rows.counterparty
        columns["file"] += [source.display] * n
        columns["sheet"] += [rows.sheet] * n
        columns["row"] += rows.row
        for measure in MEASURES:
            columns[measure] += rows.amounts[measure]
    if not columns["account"]:
        return _empty_income()
    frame = pd.DataFrame(columns)
    return frame


STAFFING_COLUMNS = ["unit", "group", "gender", "age_band", "file", "sheet", "row", *STAFF_MEASURES]


def read_staffing(config: Config, period: str, progress=None) -> tuple[pd.DataFrame, list[Source], list[Problem]]:
    if config.inputs.staffing is None:
        return pd.DataFrame(columns=STAFFING_COLUMNS), [], []
    files, problems = not_workbooks(find_files(config, config.inputs.staffing, period))
    if not files:
        pattern = config.resolve(config.inputs.staffing, period)
        return pd.DataFrame(columns=STAFFING_COLUMNS), [], problems + [Problem(f"inga personalfiler hittades: {pattern}", check="no_files")]
    labels = merge_labels(STAFF_LABELS, config.inputs.aliases)
    args = (config.inputs.staffing_sheet, config.inputs.max_workbook_bytes, labels)
    sources = read_all(files, read_staffing_file, args, progress)
    problems += [p for s in sources for p in s.problems]
    problems += assign_units(sources, config.tree, period, "staffing")
    problems = attach_units(problems, sources, config.tree)
    columns: dict[str, list] = {c: [] for c in STAFFING_COLUMNS}
    for source in sources:
        rows = source.rows
        if rows is None:
            continue
        n = len(rows.row)
        for key in ("unit", "group", "gender", "age_band", "row"):
            columns[key] += getattr(rows, key)
        columns["file"] += [source.display] * n
        columns["sheet"] += [rows.sheet] * n
        for measure in STAFF_MEASURES:
            columns[measure] += rows.values.get(measure, [float("nan")] * n)
    frame = pd.DataFrame(columns)
    frame[list(STAFF_MEASURES)] = frame[list(STAFF_MEASURES)].astype(float)
    return frame, sources, problems


def consolidate_period(config: Config, period: str, progress=None) -> Result:
    """Everything `run` needs, or the problems that stop it."""
    table, sources, problems = read_income(config, period, progress)
    staff, staff_sources, staff_problems = read_staffing(config, period, progress)
    result = Result(config, period, problems + staff_problems, files=[s.path for s in sources + staff_sources])
    table = table[table["unit"].notna()]
    lines, unmapped = map_accounts(table, config.chart)
    result.problems += unmapped
    table = table.assign(line=lines)
    result.income = table
    if config.tree.motpart_owner:
        result.mismatches, found = mismatches(table[table["line"].notna()], config.tree, config.eliminations)
        result.problems += found
    if not result.ok:
        return result
    result.consolidated = consolidate(table, config.tree, config.eliminations.difference_line)
    result.rows = report_rows(result.consolidated, config.tree, config.chart)
    staff = staff[staff["unit"].notna()]
    result.staffing = staffing_table(staff, config.tree, config.fte_hours_per_year, int(period[5:7]))
    return result
