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
from consolidate.config.tree import Tree
from consolidate.core import adjustments as adjusting
from consolidate.core.comments import Comment, collect, missing, unit_comments
from consolidate.core.coverage import assign_units, attach_units, unit_from_filename
from consolidate.core.internal import mismatches
from consolidate.core.mapping import counterparty_codes, map_accounts, unknown_counterparties
from consolidate.core.rollup import Consolidated, consolidate, report_rows
from consolidate.core.signs import reversed_signs
from consolidate.core.staffing import staffing_table
from consolidate.problems import Problem, has_errors
from consolidate.readers.adjustments import AdjustmentFile
from consolidate.readers.files import Source
from consolidate.vocabulary import BY_NAMES, DIMENSIONS, MEASURES, STAFF_MEASURES

INFO = "info"  # a fact the reader should know; neither error nor warning
INCOME_COLUMNS = ["unit", "account", "name", "counterparty", "file", "sheet", "row", *MEASURES]
STAFFING_COLUMNS = ["unit", "group", "gender", "age_band", "file", "sheet", "row", *STAFF_MEASURES]


@dataclass(frozen=True)
class Delivery:
    """A file as delivered: its kind (`income`, `staffing`), name, path, and the units
    whose figures it holds (from its title block, Ansvar column or, unread, its name)."""

    kind: str
    display: str
    path: Path
    units: tuple[str, ...]


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
    deliveries: list[Delivery] = field(default_factory=list)  # every file of the period, income first
    trend: pd.DataFrame | None = field(default=None, repr=False)  # SPEC §15: core.trend.series
    years: pd.DataFrame | None = field(default=None, repr=False)  # SPEC §15: closed Decembers (entity, year, actual)
    source_rows: pd.DataFrame | None = field(default=None, repr=False)  # income rows as read: INCOME_COLUMNS + line
    source_columns: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict, repr=False)  # (file, sheet)
    kind_problems: dict[str, list[Problem]] = field(default_factory=dict)  # the problems of each kind's files
    adjustments: pd.DataFrame | None = field(default=None, repr=False)  # SPEC §14: core.adjustments.COLUMNS
    adjustment_file: AdjustmentFile | None = field(default=None, repr=False)  # the period's file as read, if any
    comments: list[Comment] = field(default_factory=list, repr=False)  # SPEC §14: the units' comments

    def unit_comments(self) -> dict[str, str]:
        """Entity -> its comment on its figures as a whole (the title block's `Kommentar:`)."""
        return unit_comments(self.comments)

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

    def lacking(self, entity: str) -> dict[str, tuple[int, int]]:
        """The measures only some of the entity's reporting units delivered (its totals
        of them are partial): measure -> (units lacking it, units reporting)."""
        if self.consolidated is None or entity not in self.consolidated.position:
            return {}
        return self.consolidated.lacking(entity)

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


def _deliveries(sources: list[Source], tree, kind: str) -> list[Delivery]:
    codes = {code.casefold(): code for code in tree.units}
    found = []
    for source in sources:
        if source.rows is not None:
            units = tuple(sorted({u for u in source.rows.unit if u}))
        else:
            named = unit_from_filename(source.path.name, codes)
            units = (named,) if named else ()
        found.append(Delivery(kind, source.display, source.path, units))
    return found


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


def consolidate_income(config: Config, period: str, sources: list[Source], found: list[Problem],
                       adjustments: AdjustmentFile | None = None) -> IncomeStep:
    """Match the income files to units, map their accounts, match internal trade and,
    when nothing stops it, consolidate, add the adjustments (SPEC §14) and lay out every
    report row. `found` are the problems met while looking for the files;
    `adjustments`, the period's adjustments file as read (None: there is none)."""
    income_problems = _checked(sources, config, period, "income")
    table = _table(sources, INCOME_COLUMNS, MEASURES)
    result = Result(config, period, [*found, *income_problems])
    result.deliveries = _deliveries(sources, config.tree, "income")
    table = table[table["unit"].notna()]
    table = table.assign(counterparty=counterparty_codes(table["counterparty"], config.tree.motpart_owner))
    motpart = unknown_counterparties(table, config.tree.motpart_owner, config.eliminations.external)
    lines, unmapped = map_accounts(table, config.chart)
    table = table.assign(line=lines)
    result.source_rows = table
    result.source_columns = {(s.display, s.rows.sheet): s.rows.measure_columns for s in sources
                             if s.rows is not None and hasattr(s.rows, "measure_columns")}
    signs = reversed_signs(table, config, period, sources)
    result.adjustment_file = adjustments
    result.adjustments, adjusted = adjusting.resolve(adjustments, config.tree, config.chart)
    result.comments = collect(sources, config.tree, config.chart)
    trade: list[Problem] = []
    if config.tree.motpart_owner:
        incomplete = frozenset(p.unit for p in income_problems
                               if p.unit is not None and (p.is_error or p.check == "missing_unit"))
        result.mismatches, trade = mismatches(table[table["line"].notna()], config.tree, config.eliminations,
                                              incomplete)
    uncommented: list[Problem] = []
    if not has_errors([*result.problems, *motpart, *unmapped, *signs, *trade, *adjusted]):
        consolidated = consolidate(table, config.tree, config.eliminations.difference_line)
        result.consolidated = adjusting.apply(consolidated, result.adjustments, config.tree)
        result.rows = report_rows(result.consolidated, config.tree, config.chart)
        files = {unit: d.display for d in reversed(result.deliveries) for unit in d.units}
        uncommented = missing(result.rows, result.comments, config.tree, config.chart,
                              config.comments_required_above, files)
    result.kind_problems["income"] = [*income_problems, *motpart, *unmapped, *signs, *trade, *uncommented]
    return IncomeStep(result, sources, [*motpart, *unmapped, *signs, *trade, *adjusted, *uncommented])


def add_staffing(step: IncomeStep, staff_sources: list[Source]) -> Result:
    """The staffing sheets' problems and coverage; the result, or the problems that
    stop it (then nothing consolidated is kept)."""
    result = step.result
    staffing_problems = _checked(staff_sources, result.config, result.period, "staffing")
    result.problems += [*staffing_problems, *step.checks]
    result.kind_problems["staffing"] = staffing_problems
    result.deliveries += _deliveries(staff_sources, result.config.tree, "staffing")
    result.files = [s.path for s in step.sources + staff_sources]
    result.digests = {s.path: (s.rows.sha256, s.rows.size) for s in step.sources + staff_sources
                      if s.rows is not None and s.rows.sha256}
    if not result.ok:
        result.consolidated = result.rows = None
        return result
    result.staff_sources = staff_sources
    result.problems += blocked_breakdowns(staff_sources, result.config.tree)
    return result


def blocked_breakdowns(sources: list[Source], tree: Tree) -> list[Problem]:
    """SPEC §16: where a breakdown (Kön, Åldersgrupp, Personalgrupp) cannot be given for
    an entity because some units below it do not give it on every row, one `info` per
    breakdown names those units and the entities that lack it. Nothing is said of a
    breakdown no unit gives."""
    given: dict[str, dict[str, bool]] = {d: {} for d in DIMENSIONS}
    for source in sources:
        rows = source.rows
        if rows is None:
            continue
        file_units = set(rows.unit)
        for dimension in DIMENSIONS:
            values = getattr(rows, dimension, None) or []
            seen = given[dimension]
            if len(file_units) == 1 or None not in values:  # the common case: one verdict for the file
                ok = None not in values
                for unit in file_units:
                    if unit is not None:
                        seen[unit] = seen.get(unit, True) and ok
                continue
            for unit, value in zip(rows.unit, values):
                if unit is not None:
                    seen[unit] = seen.get(unit, True) and value is not None
    found = []
    for dimension, verdicts in given.items():
        lacking = sorted(u for u, ok in verdicts.items() if not ok)
        if not lacking or len(lacking) == len(verdicts):
            continue
        entities = sorted({a for u in lacking if u in tree.chains for a in tree.chains[u][1:]},
                          key=list(tree.entities).index)
        shown = ", ".join(lacking[:10]) + (f" och {len(lacking) - 10} till" if len(lacking) > 10 else "")
        which = "enheten" if len(lacking) == 1 else "enheterna"
        found.append(Problem(
            f"uppdelningen på {BY_NAMES[dimension].lower()} saknas för {', '.join(entities[:10])}"
            f"{' m.fl.' if len(entities) > 10 else ''} eftersom {which} {shown} inte anger "
            f"{BY_NAMES[dimension].lower()} på varje rad",
            severity=INFO, check="staffing_breakdown", extra={"by": dimension, "units": lacking, "entities": entities},
        ))
    return found


def consolidate_period(config: Config, period: str, income: list[Source], staffing: list[Source],
                       found: list[Problem] | None = None) -> Result:
    """Everything `run` needs, or the problems that stop it, from the files as read.

    A command that reads in worker processes calls `consolidate_income` while the
    staffing sheets are still being read, then `add_staffing`."""
    return add_staffing(consolidate_income(config, period, income, found or []), staffing)
