"""What a month's deliveries say about the region they come from, for `consolidate
init` (SPEC §11): the units (code and name, from title blocks, Ansvar columns or file
names), every account with the names the units gave it and the statutory line its class
suggests, the Motpart values, and the period. Nothing here is decided that the files do
not say: what cannot be told is left empty, and listed by the command.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from consolidate.config.statutory import suggested_line
from consolidate.problems import Problem
from consolidate.readers.files import Source
from consolidate.readers.income import IncomeRows

# Words of a file name that name its kind or month, not its unit.
_GENERIC = frozenset("""
resultat resultaträkning resultatrapport resultatrakning rr personal personalrapport personalstatistik
personalredovisning bemanning månadsrapport manadsrapport månadsuppföljning rapport uppföljning export utdrag
ekonomi ekonomisystemet bokslut prognos budget ack utfall underlag tertial delår delårsrapport
januari februari mars april maj juni juli augusti september oktober november december
jan feb mar apr jun jul aug sep sept okt nov dec
""".split())
_TOKEN = re.compile(r"[^\s_\-.–]+")
_WORDS = re.compile(r"[\s_]+")  # "export_006" is two words; "Barn- och" keeps its dash
_PARTS = re.compile(r"[-.–,()]+")
_SEPARATORS = "_-. "


@dataclass
class FoundUnit:
    code: str
    name: str = ""  # "" when no file says it
    files: list[str] = field(default_factory=list)


@dataclass
class FoundAccount:
    code: str
    names: Counter = field(default_factory=Counter)  # name -> how many rows gave it
    units: set[str] = field(default_factory=set)

    @property
    def line(self) -> str | None:
        """The statutory line its class suggests (None: undecided)."""
        return suggested_line(self.code)

    def name_list(self) -> list[str]:
        """The names the units gave it, the most common first."""
        return [name for name, _ in sorted(self.names.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass
class Discovery:
    units: dict[str, FoundUnit] = field(default_factory=dict)  # by code (see `discover`)
    accounts: dict[str, FoundAccount] = field(default_factory=dict)
    counterparties: Counter = field(default_factory=Counter)  # Motpart value -> rows
    periods: Counter = field(default_factory=Counter)  # period a title block states -> files
    unread: list[Problem] = field(default_factory=list)  # why a file could not be read
    without_unit: list[str] = field(default_factory=list)  # files that say no unit

    @property
    def period(self) -> str | None:
        """The period most title blocks state."""
        return self.periods.most_common(1)[0][0] if self.periods else None

    def sorted_accounts(self) -> list[FoundAccount]:
        return [self.accounts[code] for code in sorted(self.accounts, key=lambda c: (len(c), c))]


def discover(income: list[Source], staffing: list[Source]) -> Discovery:
    """Units, accounts, Motpart values and period of a month's deliveries as read."""
    found = Discovery()
    for source in [*income, *staffing]:
        rows = source.rows
        if rows is None:
            found.unread.append(next((p for p in source.problems if p.is_error), None)
                                or Problem("filen kunde inte läsas", file=source.display))
            continue
        if rows.stated.period:
            found.periods[rows.stated.period] += 1
        units = _units_of(source, found)
        if isinstance(rows, IncomeRows):
            _accounts(rows, units, found)
    found.units = {code: found.units[code] for code in sorted(found.units)}
    return found


def split_code(text: str) -> tuple[str, str]:
    """`1110 Akutmottagningen`, `1110 - Akutmottagningen` -> ("1110", "Akutmottagningen");
    `1110` -> ("1110", "")."""
    parts = text.strip().split(None, 1)
    if not parts:
        return "", ""
    code = parts[0].rstrip(":")
    name = parts[1].strip().lstrip("-–—:").strip() if len(parts) > 1 else ""
    return code, name


def _units_of(source: Source, found: Discovery) -> list[str]:
    """The units a file holds, entered in `found` with what the file says of their
    names: an Ansvar column's codes, else the title block's, else the code that starts
    the file name."""
    rows = source.rows
    assert rows is not None
    stem = source.path.stem
    if rows.has_unit_column:
        stated = sorted({u for u in rows.unit if u})
        codes = [_add(found, *split_code(text), source.display) for text in stated]
        return [code for code in codes if code]
    if rows.stated.unit:
        code, name = split_code(rows.stated.unit)
        return [_add(found, code, name or _name_in(stem, code), source.display)]
    named = _code_in(stem)
    if named is None:
        found.without_unit.append(source.display)
        return []
    return [_add(found, named, _name_in(stem, named), source.display)]


def _add(found: Discovery, code: str, name: str, file: str) -> str:
    unit = found.units.setdefault(code, FoundUnit(code))
    if name and not unit.name:
        unit.name = name
    unit.files.append(file)
    return code


def _code_in(stem: str) -> str | None:
    """The code a file name starts with (before `_`, `-`, `.` or a space), when it has a digit."""
    first = _TOKEN.match(stem)
    if first is None or not any(ch.isdigit() for ch in first.group()):
        return None
    return first.group()


def _name_in(stem: str, code: str) -> str:
    """A unit's name in a file name: what is left without the code, the kind of
    report, months, periods and numbers ("1211-Hälsocentralen Söder" -> "Hälsocentralen
    Söder"; "1112 Resultat april" -> "")."""
    text = stem[len(code):] if stem.casefold().startswith(code.casefold()) else stem
    kept = [word for word in _WORDS.split(text) if any(
        part.isalpha() and part.casefold() not in _GENERIC and part.casefold() != code.casefold()
        for part in _PARTS.split(word))]
    return " ".join(kept).strip(_SEPARATORS)


def _accounts(rows: IncomeRows, units: list[str], found: Discovery) -> None:
    unit_of_row = rows.unit if rows.has_unit_column else [units[0] if units else None] * len(rows.account)
    for account, name, unit, counterparty in zip(rows.account, rows.name, unit_of_row, rows.counterparty):
        entry = found.accounts.get(account)
        if entry is None:
            entry = found.accounts[account] = FoundAccount(account)
        if name:
            entry.names[name] += 1
        if unit:
            entry.units.add(split_code(unit)[0])
        if counterparty:
            found.counterparties[counterparty] += 1
