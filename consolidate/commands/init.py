"""`consolidate init`: a new region's setup from a month's deliveries (SPEC §11).

Reads the income statements (and staffing sheets) the patterns find, as `run` would,
and writes region.toml, chart.toml with the statutory layout, organisation.xlsx with
every unit found and kontoplan.xlsx with every account found. What the files do not
say (a unit's parent, a name, an account's line) is left empty and listed on stdout,
with what to do next. Never writes over an existing region's files.
"""

from __future__ import annotations

import glob
import os
import re
import sys
from pathlib import Path

from consolidate.commands import EXIT_OK, EXIT_USAGE
from consolidate.commands.session import show
from consolidate.formatting import plural
from consolidate.readers.files import Job, Reading, display_name, not_workbooks
from consolidate.readers.income import read_income_file
from consolidate.readers.staffing import read_staffing_file
from consolidate.sanitize import plain
from consolidate.vocabulary import INCOME_LABELS, STAFF_LABELS

MAX_BYTES = 200 * 1024 * 1024  # as [inputs] max_workbook_mb's default
REGION_CODE, REGION_NAME = "REG", "Regionen"  # until the user writes the region's own
_PERIOD = re.compile(r"(?<![0-9])(19|20)[0-9]{2}-(0[1-9]|1[0-2])(?![0-9])")


def init_command(income: str, staffing: str | None, directory: Path) -> int:
    """Write a new region into `directory` from the files `income` and `staffing`
    (glob patterns, relative to the current folder) find. Exit 2 when a file it would
    write exists, or when the patterns find no income statement."""
    from consolidate.core.discovery import discover  # start-up: the workers read first
    from consolidate.outputs.setup import FILES, Inputs, write_setup  # start-up: xlsxwriter

    existing = [directory / name for name in FILES if (directory / name).exists()]
    if existing:
        names = ", ".join(display_name(path) for path in existing)
        return _refuse(f"{names} finns redan; init skriver aldrig över en befintlig region. Välj en ny katalog, "
                       "eller flytta undan filerna först")
    income_files, skipped = not_workbooks(_found(income))
    staff_files, staff_skipped = not_workbooks(_found(staffing)) if staffing else ([], [])
    if not income_files:
        return _refuse(f"inga resultatfiler (.xlsx) hittades med mönstret {income!r}")
    jobs: list[Job] = [(read_income_file, p, (None, MAX_BYTES, INCOME_LABELS, "kr", "report")) for p in income_files]
    jobs += [(read_staffing_file, p, (None, MAX_BYTES, STAFF_LABELS)) for p in staff_files]
    reading = Reading(jobs, income_files=len(income_files))
    income_sources = reading.take(len(income_files))
    found = discover(income_sources, reading.results())
    period = found.period or _period_in(income)
    inputs = Inputs(_pattern(income, directory, period), _pattern(staffing, directory, period) if staffing else None)
    write_setup(directory, found, inputs, REGION_CODE, REGION_NAME)
    lines = _summary(directory, found, inputs, period, len(income_files), len(staff_files))
    lines += _to_do(directory, found, inputs, [*skipped, *staff_skipped])

    def render(out) -> None:
        for line in lines:
            out.print(plain(line), soft_wrap=True)

    show(render)
    return EXIT_OK


def _refuse(message: str) -> int:
    print(plain(f"fel: {message}"), file=sys.stderr, flush=True)
    return EXIT_USAGE


def _found(pattern: str | None) -> list[Path]:
    """The files a pattern finds (Excel's lock files and hidden files left out)."""
    if not pattern:
        return []
    paths = glob.glob(os.path.expanduser(pattern), recursive=True)
    keep = [p for p in paths if os.path.isfile(p) and not os.path.basename(p).startswith(("~$", "."))]
    return [Path(p) for p in sorted(keep)]


def _period_in(pattern: str) -> str | None:
    match = _PERIOD.search(pattern)
    return match.group() if match else None


def _pattern(pattern: str, directory: Path, period: str | None) -> str:
    """The pattern as region.toml writes it: relative to the new region's folder, with
    `{period}` where the month stands."""
    absolute = os.path.abspath(os.path.expanduser(pattern))
    relative = os.path.relpath(absolute, os.path.abspath(directory)).replace(os.sep, "/")
    return relative.replace(period, "{period}") if period else relative


def _summary(directory: Path, found, inputs, period: str | None, incomes: int, staffs: int) -> list[str]:
    accounts = len(found.accounts)
    return [
        f"Skrev en ny region i {display_name(directory)}:",
        f"  region.toml        regionen, indata ({inputs.income}) och utdata",
        "  chart.toml         resultaträkningens uppställning enligt lagen om kommunal bokföring och redovisning",
        f"  organisation.xlsx  {plural(len(found.units), 'enhet', 'enheter')}",
        f"  kontoplan.xlsx     {plural(accounts, 'konto', 'konton')}, med föreslagen rad efter kontoklass",
        f"Lästa filer: {incomes} resultaträkningar, {staffs} personalrapporter"
        + (f"; perioden {period}." if period else "."),
    ]


def _to_do(directory: Path, found, inputs, skipped) -> list[str]:
    """What init could not decide, and what to do next."""
    lines = ["", "Att fylla i före första körningen:"]
    lines.append(f"  - organisation.xlsx, kolumnen Förälder: för varje enhet koden för den förvaltning eller grupp "
                 f"den hör till. Lägg till en rad för varje förvaltning (Förälder {REGION_CODE}) och varje nivå "
                 "däremellan.")
    unnamed = [u.code for u in found.units.values() if not u.name]
    if unnamed:
        lines.append(f"  - organisation.xlsx, kolumnen Namn saknas för {plural(len(unnamed), 'enhet', 'enheter')}: "
                     f"{_some(unnamed)} (utan namn visas koden).")
    no_line = [a.code for a in found.sorted_accounts() if a.line is None]
    if no_line:
        lines.append(f"  - kontoplan.xlsx, kolumnen Rad saknas för {plural(len(no_line), 'konto', 'konton')}: "
                     f"{_some(no_line)} (kontoklassen ger inget förslag; ange en rad i chart.toml).")
    lines.append("  - kontoplan.xlsx, kolumnen Rad: se över förslagen; en rad kan också vara ett intervall "
                 "(4020-4029) eller ett prefix (40).")
    if found.counterparties:
        codes = sorted(found.counterparties, key=lambda c: (len(c), c))
        lines.append(f"  - Motpart: filerna anger {_some(codes)}. Skriv i organisation.xlsx, kolumnen Motpart, "
                     "vilken förvaltning eller enhet en kod betyder; parter utanför regionen i region.toml: "
                     "[eliminations] external.")
    lines.append(f"  - region.toml: regionens kod och namn ([region] code och name, nu {REGION_CODE} och "
                 f"{REGION_NAME}).")
    if inputs.income.find("{period}") < 0:
        lines.append("  - region.toml: [inputs] income saknar {period}; skriv mönstret så att det gäller varje månad.")
    if found.without_unit:
        lines.append(f"  - Filer som inte anger någon enhet: {_some(found.without_unit)}. Skriv 'Ansvar: KOD' "
                     "överst i filen, eller låt filnamnet börja med koden.")
    for problem in found.unread:
        lines.append(f"  - Lästes inte: {problem.location()}: {problem.message}")
    for problem in skipped:
        lines.append(f"  - Lästes inte: {problem.location()}: {problem.message}")
    lines += ["", "Sedan:", f"  consolidate validate --config {display_name(directory / 'region.toml')} --period "
              f"{found.period or 'ÅÅÅÅ-MM'}"]
    return lines


def _some(items: list[str], limit: int = 12) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" och {len(items) - limit} till" if len(items) > limit else "")

