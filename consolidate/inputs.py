"""Finding a period's workbooks, reading them (in parallel when there are many),
and telling which unit each row belongs to and whether every unit is covered once."""

from __future__ import annotations

import glob
import itertools
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .config import Config
from .income import INCOME_LABELS, merge_labels, read_income_file
from .problems import WARNING, Problem
from .staffing import STAFF_LABELS, read_staffing_file
from .tree import Tree

_SEPARATORS = "_-. "
PARALLEL_MIN_FILES = 48


@dataclass
class Source:
    """A file as read: its rows (or None), and where it says it belongs."""

    path: Path
    display: str
    rows: object  # SheetRows of income or staffing
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


class Reading:
    """Files being read: in a pool of worker processes when there are enough of them
    to pay for it, else in this process when the results are asked for.

    The pool starts at once, so the caller can do other work (import the modules the
    later steps need) while the workers read; `results` waits for them."""

    def __init__(self, jobs: list[tuple[Callable, Path, tuple]], problems: list[Problem] | None = None,
                 income_files: int | None = None):
        self.jobs = jobs
        self.problems = problems or []  # found while looking for the files
        self.income_files = len(jobs) if income_files is None else income_files  # the first jobs
        self.displays = display_names([path for _, path, _ in jobs])
        self._calls = [(reader, (path, display, *args)) for (reader, path, args), display in zip(jobs, self.displays)]
        self._pool = self._pending = None
        self._done = 0  # results taken so far
        workers = _workers()
        if len(self._calls) >= PARALLEL_MIN_FILES and workers >= 2:
            from concurrent.futures import ProcessPoolExecutor

            chunk = max(1, len(self._calls) // (workers * 32))
            try:
                self._pool = ProcessPoolExecutor(workers, mp_context=_fork_context())
                self._pending = self._pool.map(_star, self._calls, chunksize=chunk)
            except OSError:  # no process can be started here: read in this one
                self._close()
                self._pending = None

    def __len__(self) -> int:
        return len(self.jobs)

    def results(self, progress=None) -> list[Source]:
        """Every file's rows and problems, in job order."""
        return self.take(len(self.jobs) - self._done, progress)

    def take(self, count: int, progress=None) -> list[Source]:
        """The next `count` files' rows and problems, in job order: the income files
        can be worked on while the workers still read the staffing files."""
        from concurrent.futures.process import BrokenProcessPool

        results = self._pending if self._pending is not None else map(_star, self._calls[self._done:])
        self._pending = iter(results)
        found: list = []
        while len(found) < count:
            try:
                for result in itertools.islice(self._pending, count - len(found)):
                    found.append(result)
                    if progress:
                        progress()
                break
            except BrokenProcessPool:  # a worker died: the files not yet back, one at a time
                self._close()
                self._pending = _one_by_one(self._calls[self._done + len(found):])
            except BaseException:
                self._close()
                raise
        start, self._done = self._done, self._done + len(found)
        if self._done >= len(self.jobs):
            self._close()
        return [Source(path, display, rows, problems)
                for (_, path, _), display, (rows, problems)
                in zip(self.jobs[start:], self.displays[start:], found)]

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _one_by_one(calls: list):
    """Read each file in a worker process of its own making, one at a time, so that a
    file which makes the process die (a reader that aborts, memory that runs out) is
    known, reported and passed over, and the others are still read."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = None
    try:
        for reader, args in calls:
            pool = pool or ProcessPoolExecutor(1, mp_context=_fork_context())
            try:
                yield pool.submit(reader, *args).result()
            except BrokenProcessPool:
                pool.shutdown(cancel_futures=True)
                pool = None
                yield None, [Problem(
                    "filen fick processen som läste den att avbrytas (skadad, eller för stor för minnet); "
                    "den läses inte. Öppna den i Excel och spara om den", file=args[1],
                )]
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return min(cores, 8)


def _fork_context():
    """Workers forked from this process start at once with the readers already imported
    (Python 3.14 makes forkserver the default on Linux, which imports them again)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform == "linux" else None)


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


def _star(item):
    function, job = item
    return function(*job)


def unit_from_filename(name: str, codes: dict[str, str]) -> str | None:
    """The entity whose code starts the file name, followed by `_`, `-`, `.` or a space.

    `codes` maps case-folded code to code; the longest matching code wins."""
    folded = name.casefold()
    best = None
    for i, char in enumerate(folded):
        if char in _SEPARATORS and folded[:i] in codes:
            best = codes[folded[:i]]
    return best


def lookup_code(text: str, codes: dict[str, str]) -> str | None:
    """The entity a stated code names: `1110`, or `1110 Akutmottagningen` and
    `1110 - Akutmottagningen` as ledger exports write code and name together."""
    folded = text.strip().casefold()
    for candidate in (folded, folded.split(" - ")[0].strip(), folded.split()[0] if folded.split() else ""):
        if candidate in codes:
            return codes[candidate]
    return None


def assign_units(sources: list[Source], tree: Tree, period: str, kind: str) -> list[Problem]:
    """Fill each sheet's unit column, check stated codes and periods, and check that
    every unit is covered by exactly one file."""
    problems: list[Problem] = []
    codes = {code.casefold(): code for code in tree.entities}
    covered: dict[str, list[str]] = {}
    for source in sources:
        rows = source.rows
        if rows is None:
            # Unreadable: its own problem says so; a unit its name names is not also "missing".
            named = unit_from_filename(source.path.name, codes)
            if named and not tree.children[named]:
                covered.setdefault(named, []).append(source.display)
            continue
        stated = rows.stated
        if stated.period is not None and stated.period != period:
            problems.append(Problem(
                f"filen gäller period {stated.period}, körningen {period}", file=source.display,
                sheet=rows.sheet, cell=stated.period_cell, check="wrong_period",
            ))
        default = _file_unit(source, tree, codes, problems)
        if rows.has_unit_column:
            units = _column_units(source, tree, default, problems)
        else:
            units = {default} if default else set()
            rows.unit = [default] * len(rows.row)
            if default is None:
                problems.append(Problem(
                    "det framgår inte vilken enhet filen gäller: ange 'Ansvar: KOD' överst "
                    "eller låt filnamnet börja med enhetens kod",
                    file=source.display, sheet=rows.sheet, check="unknown_unit",
                ))
        for unit in units:
            covered.setdefault(unit, []).append(source.display)
    problems += _coverage(tree, covered, kind)
    return problems


def _file_unit(source: Source, tree: Tree, codes: dict[str, str], problems: list[Problem]) -> str | None:
    rows = source.rows
    stated = rows.stated
    if stated.unit is not None:
        code = lookup_code(stated.unit, codes)
        if code is None:
            problems.append(Problem(
                f"enheten {stated.unit!r} finns inte i organisationsträdet", file=source.display,
                sheet=rows.sheet, cell=stated.unit_cell, check="unknown_unit",
            ))
            return None
        return _leaf(code, tree, source, stated.unit_cell, problems)
    code = unit_from_filename(source.path.name, codes)
    return _leaf(code, tree, source, None, problems) if code else None


def _leaf(code: str, tree: Tree, source: Source, cell: str | None, problems: list[Problem]) -> str | None:
    if tree.children[code] or code == tree.root:
        problems.append(Problem(
            f"{code} ({tree.entities[code].name}) är ingen enhet: den har enheter under sig, som lämnar egna filer",
            file=source.display, sheet=source.rows.sheet, cell=cell, check="unknown_unit",
        ))
        return None
    return code


def _column_units(source: Source, tree: Tree, default: str | None, problems: list[Problem]) -> set[str]:
    """Units named row by row in an `Ansvar`/`Enhet` column."""
    rows = source.rows
    codes = {code.casefold(): code for code in tree.units}
    resolved, units, bad = [], set(), {}
    for value, row in zip(rows.unit, rows.row):
        code = lookup_code(value, codes) if value else default
        if code is None:
            bad.setdefault(value or "", []).append(row)
        resolved.append(code)
        if code:
            units.add(code)
    rows.unit = resolved
    for value, where in bad.items():
        what = f"enheten {value!r} är ingen enhet i organisationsträdet" if value else "raden saknar enhet (Ansvar)"
        problems.append(Problem(
            f"{what} (rad {', '.join(map(str, where[:10]))}{' …' if len(where) > 10 else ''})",
            file=source.display, sheet=rows.sheet, cell=f"{rows.unit_column}{where[0]}", check="unknown_unit",
        ))
    return units


def _coverage(tree: Tree, covered: dict[str, list[str]], kind: str) -> list[Problem]:
    what = "resultaträkning" if kind == "income" else "personalrapport"
    problems = []
    for unit in tree.units:
        files = covered.get(unit, [])
        name = tree.entities[unit].name
        if not files:
            problems.append(Problem(f"ingen {what} för enheten {unit} ({name})", unit=unit, check="missing_unit"))
        elif len(files) > 1:
            problems.append(Problem(
                f"enheten {unit} ({name}) har {what} i flera filer: {', '.join(files)}",
                unit=unit, file=files[0], check="duplicate_unit",
            ))
    return problems


def attach_units(problems: list[Problem], sources: list[Source], tree: Tree) -> list[Problem]:
    """Name the unit on each problem of a file that belongs to one unit, so problems
    can be listed unit by unit and sent back to whoever delivered the file."""
    from dataclasses import replace

    codes = {code.casefold(): code for code in tree.units}
    unit_of: dict[str, str] = {}
    for source in sources:
        units = {u for u in (source.rows.unit if source.rows is not None else []) if u}
        if not units and source.rows is None:
            found = unit_from_filename(source.path.name, codes)
            units = {found} if found else set()
        if len(units) == 1:
            unit_of[source.display] = units.pop()
    return [replace(p, unit=unit_of[p.file]) if p.unit is None and p.file in unit_of else p for p in problems]


def start_reading(config: Config, period: str) -> Reading:
    """Find the period's income and staffing workbooks and start reading them; the
    income files come first in the results."""
    inputs = config.inputs
    income_files, problems = _files(config, inputs.income, period, "resultatfiler")
    staff_files, staff_problems = _files(config, inputs.staffing, period, "personalfiler")
    income_args = (inputs.income_sheet, inputs.max_workbook_bytes, merge_labels(INCOME_LABELS, inputs.aliases),
                   inputs.amount_unit)
    staff_args = (inputs.staffing_sheet, inputs.max_workbook_bytes, merge_labels(STAFF_LABELS, inputs.aliases))
    jobs = [(read_income_file, p, income_args) for p in income_files]
    jobs += [(read_staffing_file, p, staff_args) for p in staff_files]
    return Reading(jobs, problems + staff_problems, len(income_files))


def _files(config: Config, pattern: str | None, period: str, what: str) -> tuple[list[Path], list[Problem]]:
    if pattern is None:
        return [], []
    files, problems = not_workbooks(find_files(config, pattern, period))
    if not files:
        problems.append(Problem(f"inga {what} hittades: {config.resolve(pattern, period)}", check="no_files"))
    return files, problems
