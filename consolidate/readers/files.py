"""Finding a period's workbooks and reading them: in a pool of worker processes when
there are many, each file's rows and problems coming back as a `Source`."""

from __future__ import annotations

import glob
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import python_calamine

from consolidate.config.region import Config, InputSource
from consolidate.problems import WARNING, ConfigError, Problem, one_line
from consolidate.readers.income import merge_labels, read_income_file
from consolidate.readers.layout import SheetRows, shared_all
from consolidate.readers.staffing import read_staffing_file
from consolidate.readers.workbook import read_bytes
from consolidate.runtime.cache import Cache, default_cache
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
    """A path as short as it can be while still naming the file, as one line of text:
    control characters become spaces, and bytes of the name that are no UTF-8 (which
    Python keeps as surrogates) become U+FFFD, so that every output can write it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return _shown(str(path))
    return _shown(relative if not relative.startswith(".." + os.sep + "..") else str(path))


def display_names(paths: list[Path]) -> list[str]:
    """`display_name` of many paths, working out each directory's relative path once."""
    relative: dict[Path, str] = {}
    names = []
    for path in paths:
        parent = path.parent
        if parent not in relative:
            relative[parent] = display_name(parent / "x")[:-1]
        names.append(relative[parent] + _shown(path.name))
    return names


def _shown(name: str) -> str:
    return name if name.isprintable() else one_line(name)


Job = tuple[Callable[..., Any], Path, tuple[Any, ...]]  # reader, file, the reader's other arguments


class Reading:
    """The files of a period being read in worker processes (see `runtime.pool`), so
    that a file whose reading makes its process die is named (`_died`) and the others
    are still read; their rows and problems come back as `Source`s in job order, the
    income files first. With a `ReadCache`, a file read before with the same settings
    by the same code is taken from the cache by its SHA-256 (see `ReadCache`)."""

    def __init__(self, jobs: list[Job], problems: list[Problem] | None = None,
                 income_files: int | None = None, cache: ReadCache | None = None) -> None:
        self.jobs = jobs
        self.problems = problems or []  # found while looking for the files
        self.income_files = len(jobs) if income_files is None else income_files  # the first jobs
        self.displays = display_names([path for _, path, _ in jobs])
        calls: list[tuple[Callable[..., Any], tuple[Any, ...]]]
        if cache is None:
            calls = [(reader, (path, display, *args)) for (reader, path, args), display in zip(jobs, self.displays)]
        else:
            settings: dict[int, str] = {}  # the digest of each reader's arguments, once for the many files sharing them
            calls = [(cache.read, (path, display, reader, args, _settings(settings, reader, args, cache)))
                     for (reader, path, args), display in zip(jobs, self.displays)]
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
        return [Source(path, display, *(_from_cache(got, reader, path, display, args) if type(got) is Entry else got))
                for (reader, path, args), display, got in zip(self.jobs[start:], self.displays[start:], found)]


@dataclass(frozen=True)
class Entry:
    """A file's entry in the cache of files as read, as a worker found it: unpacked
    where it is used, so that it is not unpacked and packed again to be sent there."""

    data: bytes


def _from_cache(entry: Entry, reader: Callable[..., Any], path: Path, display: str,
                args: tuple[Any, ...]) -> tuple[Any, list[Problem]]:
    """The rows and problems of a cache entry; a damaged or foreign entry is only a
    file to read anew (here: it is rare)."""
    found = _unpacked(entry.data, display)
    return found if found is not None else reader(path, display, *args)


def _settings(known: dict[int, str], reader: Callable[..., Any], args: tuple[Any, ...], cache: ReadCache) -> str:
    found = known.get(id(args))
    if found is None:
        found = known[id(args)] = cache.settings(reader, args)
    return found


# What a cache entry may hold: the rows and problems of a file, nothing else.
_CACHED_CLASSES = frozenset({
    ("consolidate.readers.income", "IncomeRows"), ("consolidate.readers.staffing", "StaffingRows"),
    ("consolidate.readers.layout", "Stated"), ("consolidate.problems", "Problem"),
    ("consolidate.readers.workbook", "CellError"), ("array", "array"), ("array", "_array_reconstructor"),
    ("copyreg", "_reconstructor"), ("builtins", "str"), ("builtins", "object"), ("builtins", "set"),
    ("builtins", "frozenset"),
})
_SHARED_TEXTS = ("account", "name", "counterparty", "unit", "group", "gender", "age_band")


class _Unpickler(pickle.Unpickler):
    """Only the classes of a file's rows and problems: an entry that names anything
    else is no entry of this cache, and is read anew."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _CACHED_CLASSES:
            raise pickle.UnpicklingError(f"{module}.{name}")
        return super().find_class(module, name)


@dataclass(frozen=True)
class ReadCache:
    """Files as read before, by the SHA-256 of their bytes (SPEC §10: the figures and
    the hash come from the same bytes), the settings they were read with (sheet,
    labels, amount unit, signs, size limit) and a digest of the code that read them
    (`code_version`): a file changed in any way, other settings or another version of
    the program read it anew. What is kept is what the reader returned, its rows and
    problems; a file that could not be read is not kept. Nothing else is cached."""

    cache: Cache
    version: str  # `code_version()`
    max_bytes: int  # a file larger than this is read as before, unhashed (the reader refuses it)

    def settings(self, reader: Callable[..., Any], args: tuple[Any, ...]) -> str:
        text = repr((self.version, reader.__module__, reader.__qualname__, args))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def read(self, path: Path, display: str, reader: Callable[..., Any], args: tuple[Any, ...],
             settings: str) -> tuple[Any, list[Problem]] | Entry:
        """`reader(path, display, *args)`, or what it returned for these bytes before:
        the cache's `Entry`, which `Reading.take` unpacks."""
        try:
            data = read_bytes(path, self.max_bytes)
        except OSError:
            return reader(path, display, *args)  # which says why it cannot be read
        if isinstance(data, int):  # over the limit: the reader refuses it
            return reader(path, display, *args)
        sha256 = hashlib.sha256(data).hexdigest()
        # the ending counts too: it decides which checks are made (an .ods's, an .xlsx's)
        key = hashlib.sha256(f"{settings}:{path.suffix.lower()}:{sha256}".encode()).hexdigest()
        entry = self.cache.get(key)
        if entry is not None:
            return Entry(entry)
        rows, problems = reader(path, display, *args, data=data)  # the bytes just hashed: read once
        if rows is not None and getattr(rows, "sha256", None) == sha256:  # else the file changed meanwhile
            self.cache.put(key, pickle.dumps((display, rows, problems), protocol=pickle.HIGHEST_PROTOCOL))
        return rows, problems


def _unpacked(entry: bytes, display: str) -> tuple[Any, list[Problem]] | None:
    """The rows and problems of an entry, named as the file is named now."""
    try:
        was, rows, problems = _Unpickler(io.BytesIO(entry)).load()
    except Exception:  # noqa: BLE001 - a damaged or foreign entry is only a file to read anew
        return None
    if was != display:
        rows.file = display
        problems = [replace(p, file=display) if p.file == was else p for p in problems]
    for name in _SHARED_TEXTS:  # one object for equal texts, as the reader makes them
        texts = getattr(rows, name, None)
        if texts:
            setattr(rows, name, shared_all(texts))
    return rows, problems


_VERSION: list[str] = []


# The code a reading depends on: the readers may import only the foundation, the
# runtime, the configuration and each other (docs/architecture.md; tests/test_layers.py).
_READING_CODE = ("__init__.py", "vocabulary.py", "problems.py", "formatting.py", "sanitize.py", "runtime/*.py",
                 "config/*.py", "readers/*.py")


def code_version() -> str:
    """A digest of the code that reads a file (the modules of the layers the readers
    may import) and of the python-calamine and Python it runs with: what a cached
    reading depends on."""
    if not _VERSION:
        package = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256(sys.version.encode())
        for path in sorted(path for pattern in _READING_CODE for path in package.glob(pattern)):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        calamine = Path(python_calamine.__file__).parent
        for path in sorted(calamine.iterdir()):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
        _VERSION.append(digest.hexdigest())
    return _VERSION[0]


def read_cache(config: Config) -> ReadCache | None:
    """The user's cache of files as read (`runtime.cache.default_cache`, or where
    `CONSOLIDATE_CACHE` says), or None when it is turned off; entries unused for long
    are pruned (at most once a day)."""
    cache = default_cache()
    if cache is None:
        return None
    cache.prune()
    cache.close()  # the worker processes are forked next, and open their own
    return ReadCache(cache, code_version(), config.inputs.max_workbook_bytes)


def _died(args: tuple[Any, ...]) -> tuple[None, list[Problem]]:
    """What stands for a file whose reading made its process die."""
    return None, [Problem(
        "filen fick processen som läste den att avbrytas (skadad, eller för stor för minnet); "
        "den läses inte. Öppna den i Excel och spara om den", file=args[1],
    )]


def start_reading(config: Config, period: str) -> Reading:
    """Find the period's income and staffing workbooks and start reading them, each
    with the settings of the `[[inputs.source]]` that matches it or else of `[inputs]`;
    the income files come first in the results."""
    inputs = config.inputs
    income_files, problems = _files(config, inputs.income, period, "resultatfiler")
    staff_files, staff_problems = _files(config, inputs.staffing, period, "personalfiler")
    chosen, source_problems = _sources(config, period, income_files + staff_files)
    income_labels = merge_labels(INCOME_LABELS, inputs.aliases)
    staff_labels = merge_labels(STAFF_LABELS, inputs.aliases)
    income_args = {source: (inputs.sheet_of(source, "income"), inputs.max_workbook_bytes, income_labels,
                            inputs.amount_unit_of(source), inputs.signs_of(source))
                   for source in (None, *inputs.sources)}
    staff_args = {source: (inputs.sheet_of(source, "staffing"), inputs.max_workbook_bytes, staff_labels)
                  for source in (None, *inputs.sources)}
    jobs: list[Job] = [(read_income_file, p, income_args[chosen.get(p)]) for p in income_files]
    jobs += [(read_staffing_file, p, staff_args[chosen.get(p)]) for p in staff_files]
    return Reading(jobs, problems + staff_problems + source_problems, len(income_files), read_cache(config))


def _files(config: Config, pattern: str | None, period: str, what: str) -> tuple[list[Path], list[Problem]]:
    if pattern is None:
        return [], []
    files, problems = not_workbooks(find_files(config, pattern, period))
    if not files:
        problems.append(Problem(f"inga {what} hittades: {config.resolve(pattern, period)}", check="no_files"))
    return files, problems


def input_sources(config: Config, period: str, files: list[Path]) -> dict[Path, InputSource]:
    """The `[[inputs.source]]` whose pattern matches each of `files` (a file that none
    matches is left out). A pattern is found as `[inputs] income` is (`find_files`), so
    it means the same files. A file matched by two is a configuration error naming both."""
    chosen: dict[Path, InputSource] = {}
    if not config.inputs.sources:
        return chosen
    wanted = set(files)
    for source in config.inputs.sources:
        for path in find_files(config, source.pattern, period):
            if path not in wanted:
                continue
            other = chosen.setdefault(path, source)
            if other is not source:
                raise ConfigError(
                    str(config.path), f"[[inputs.source]] nr {other.number} och nr {source.number}, pattern",
                    f"båda mönstren ({other.pattern!r} och {source.pattern!r}) matchar filen "
                    f"{display_name(path)!r}; en fil läses med en källas inställningar: gör mönstren snävare "
                    "så att varje fil matchas av högst en källa",
                )
    return chosen


def _sources(config: Config, period: str, files: list[Path]) -> tuple[dict[Path, InputSource], list[Problem]]:
    """Each file's `[[inputs.source]]`, and an error for a source that matches none of
    the period's files: its settings would silently apply to nothing."""
    chosen = input_sources(config, period, files)
    used = set(chosen.values())
    problems = [
        Problem(f"{source.name} matchar ingen av de filer som [inputs] income eller staffing hittar "
                f"({config.resolve(source.pattern, period)}), så dess inställningar gäller ingen fil; rätta "
                "mönstret (relativt region.toml, som [inputs] income) eller ta bort källan", check="no_files")
        for source in config.inputs.sources if source not in used
    ]
    return chosen, problems


def read_period(config: Config, period: str) -> tuple[list[Source], list[Source], list[Problem]]:
    """Every file of the period read: the income files, the staffing files, and the
    problems met while looking for them (for callers that need not overlap the
    reading with other work)."""
    reading = start_reading(config, period)
    income = reading.take(reading.income_files)
    return income, reading.results(), reading.problems
