"""Which unit each row of a file belongs to, and whether every unit of the tree is
covered by exactly one file of each kind (SPEC §3–4)."""

from __future__ import annotations

from dataclasses import replace

from consolidate.config.tree import Tree
from consolidate.problems import Problem
from consolidate.readers.files import Source
from consolidate.readers.workbook import CellError

_SEPARATORS = "_-. "


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
    unit_codes: dict[str, str] | None = None  # of the units only, for the Ansvar columns: made once
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
            if unit_codes is None:
                unit_codes = {code.casefold(): code for code in tree.units}
            units = _column_units(source, unit_codes, default if stated.unit is not None else None, problems)
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
    assert rows is not None  # only files that were read have a unit
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
            file=source.display, sheet=source.rows.sheet if source.rows else None, cell=cell, check="unknown_unit",
        ))
        return None
    return code


def _column_units(source: Source, codes: dict[str, str], title_unit: str | None, problems: list[Problem]) -> set[str]:
    """Units named row by row in an `Ansvar`/`Enhet` column. A row whose cell is empty
    belongs to the unit of the nearest row above that names one, as pivot exports leave
    repeats blank; before any such row, to the unit the title block states
    (`Ansvar: KOD` stands above every row), and without one it is an error. `codes`:
    the tree's units by their case-folded code."""
    rows = source.rows
    assert rows is not None  # only files that were read have a unit column
    known: dict[str, str | None] = {}  # cell text -> unit: a pivot export repeats few texts
    resolved: list[str | None] = []
    units: set[str] = set()
    bad: dict[str, list[int]] = {}
    orphans: list[int] = []  # empty cells with no unit named above them
    current, named = title_unit, rows.stated.unit is not None  # the title's problem names a bad one
    for value, row in zip(rows.unit, rows.row):
        if isinstance(value, CellError):  # the reader named the cell; nor do rows under it take a unit
            current, named = None, True
        elif value:
            if value not in known:
                known[value] = lookup_code(value, codes)
            current, named = known[value], True
            if current is None:
                bad.setdefault(value, []).append(row)
        elif not named:
            orphans.append(row)
        resolved.append(current)
        if current:
            units.add(current)
    rows.unit = resolved
    for value, where in bad.items():
        problems.append(Problem(
            f"enheten {value!r} är ingen enhet i organisationsträdet ({_rows(where)})",
            file=source.display, sheet=rows.sheet, cell=f"{rows.unit_column}{where[0]}", check="unknown_unit",
        ))
    if orphans:
        column = rows.unit_column
        problems.append(Problem(
            f"{'raden' if len(orphans) == 1 else 'raderna'} saknar enhet i kolumn {column} och ingen rad ovanför "
            f"anger någon ({_rows(orphans)}); skriv enhetens kod i cell {column}{orphans[0]}, eller "
            "'Ansvar: KOD' överst om bladet gäller en enda enhet",
            file=source.display, sheet=rows.sheet, cell=f"{column}{orphans[0]}", check="unknown_unit",
        ))
    return units


def _rows(numbers: list[int]) -> str:
    """`rad 5` or `rader 5, 6, 9 …`: at most ten row numbers."""
    word = "rad" if len(numbers) == 1 else "rader"
    return f"{word} {', '.join(map(str, numbers[:10]))}{' …' if len(numbers) > 10 else ''}"


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
