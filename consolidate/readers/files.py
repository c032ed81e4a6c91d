"""Finding a period's workbooks and reading them: in a pool of worker processes when
there are many, each file's rows and problems coming back as a `Source`."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consolidate.config.region import Config
from consolidate.problems import WARNING, Problem
from consolidate.readers.income import merge_labels, read_income_file
from consolidate.readers.layout import SheetRows
from consolidate.readers.staffing import read_staffing_file
from consolidate.runtime.pool import Pool
from consolidate.vocabulary import INCOME_LABELS, STAFF_LABELS


@dataclass
class Source:
    """A file as read: its rows (or None), and where it says it belongs."""

    path: Path
    display: str
    rows: SheetRows | None  # IncomeRows or StaffingRows; None when the file could not be read
    problems: list[Problem]


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def find_files(config: Config, pattern: str, period: str) -> list[Path]:
    """Files matching the pattern; a pattern ending in `.xlsx` also finds the same names
    with other endings, so an `.xls` or a `.csv` sent instead is read or reported,
    not silently passed over. Excel's lock files and hidden files are left out."""
    resolved = str(config.resolve(pattern, period))
    if resolved.lower().endswith(".xlsx"):
        found = set(glob.glob(resolved[:-5] + ".*", recursive=True))  # the .xlsx files among them
    else:
        found = set(glob.glob(resolved, recursive=True))
    keep = (p for p in found if not os.path.basename(p).startswith(("~$", ".")) and os.path.isfile(p))
    return [Path(p) for p in sorted(keep)]


def not_workbooks(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Split off files whose ending says they are no workbook, with a warning each."""
    keep, problems = [], []
    for path in paths:
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            keep.append(path)
        else:
            problems.append(Problem(
                "filen är ingen arbetsbok (.xlsx, .xlsm, .xls eller .ods) och lästes inte; spara den som .xlsx",
                file=display_name(path), severity=WARNING, check="not_a_workbook",
            ))
    return keep, problems


def display_name(path: Path) -> str:
    """A path as short as it can be while still naming the file."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith(".." + os.sep + "..") else str(path)


def display_names(paths: list[Path]) -> list[str]:
    """`display_name` of many paths, working out each directory's relative path once."""
    relative: dict[Path, str] = {}
    names = []
    for path in paths:
        parent = path.parent
        if parent not in relative:
            relative[parent] = display_name(parent / "x")[:-1]
        names.append(relative[parent] + path.name)
    return names


Job = tuple[Callable[..., Any], Path, tuple[Any, ...]]  # reader, file, the reader's other arguments


class Reading:
    """The files of a period being read, in a pool of worker processes when there
    are many (see `runtime.pool`); their rows and problems come back as `Source`s in
    job order, the income files first."""

    def __init__(self, jobs: list[Job], problems: list[Problem] | None = None,
                 income_files: int | None = None) -> None:
        self.jobs = jobs
        self.problems = problems or []  # found while looking for the files
        self.income_files = len(jobs) if income_files is None else income_files  # the first jobs
        self.displays = display_names([path for _, path, _ in jobs])
        calls = [(reader, (path, display, *args)) for (reader, path, args), display in zip(jobs, self.displays)]
        self._pool = Pool(calls, on_death=_died)

    def __len__(self) -> int:
        return len(self.jobs)

    def results(self, progress: Callable[[], None] | None = None) -> list[Source]:
        """Every file's rows and problems not yet taken, in job order."""
        return self.take(len(self.jobs) - self._pool.done, progress)

    def take(self, count: int, progress: Callable[[], None] | None = None) -> list[Source]:
        """The next `count` files' rows and problems, in job order: the income files
        can be worked on while the workers still read the staffing files."""
        start = self._pool.done
        found = self._pool.take(count, progress)
        return [Source(path, display, rows, problems)
                for (_, path, _), display, (rows, problems)
                in zip(self.jobs[start:], self.displays[start:], found)]


def _died(args: tuple[Any, ...]) -> tuple[None, list[Problem]]:
    """What stands for a file whose reading made its process die."""
    return None, [Problem(
        "filen fick processen som läste den att avbrytas (skadad, eller för stor för minnet); "
        "den läses inte. Öppna den i Excel och spara om den", file=args[1],
    )]


def start_reading(config: Config, period: str) -> Reading:
    """Find the period's income and staffing workbooks and start reading them; the
    income files come first in the results."""
    inputs = config.inputs
    income_files, problems = _files(config, inputs.income, period, "resultatfiler")
    staff_files, staff_problems = _files(config, inputs.staffing, period, "personalfiler")
    income_args = (inputs.income_sheet, inputs.max_workbook_bytes, merge_labels(INCOME_LABELS, inputs.aliases),
                   inputs.amount_unit)
    staff_args = (inputs.staffing_sheet, inputs.max_workbook_bytes, merge_labels(STAFF_LABELS, inputs.aliases))
    jobs: list[Job] = [(read_income_file, p, income_args) for p in income_files]
    jobs += [(read_staffing_file, p, staff_args) for p in staff_files]
    return Reading(jobs, problems + staff_problems, len(income_files))


def _files(config: Config, pattern: str | None, period: str, what: str) -> tuple[list[Path], list[Problem]]:
    if pattern is None:
        return [], []
    files, problems = not_workbooks(find_files(config, pattern, period))
    if not files:
        problems.append(Problem(f"inga {what} hittades: {config.resolve(pattern, period)}", check="no_files"))
    return files, problems


def read_period(config: Config, period: str) -> tuple[list[Source], list[Source], list[Problem]]:
    """Every file of the period read: the income files, the staffing files, and the
    problems met while looking for them (for callers that need not overlap the
    reading with other work)."""
    reading = start_reading(config, period)
    income = reading.take(reading.income_files)
    return income, reading.results(), reading.problems
