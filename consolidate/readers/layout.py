"""What income and staffing sheets share (SPEC §1–2): the header row found by its
labels, the title block above it (unit, period, amount unit), and control totals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from consolidate.formatting import swedish
from consolidate.problems import Problem, cell_name
from consolidate.readers.numbers import is_blank, parse_amount
from consolidate.readers.workbook import Sheet

HEADER_SEARCH_ROWS = 30


_TRAILING_UNIT = re.compile(r"\s*[\(\[]\s*(kr|tkr|mkr|tim|h|st|%)\s*[\)\]]\s*$|\s+(kr|tkr|mkr)$")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def label_key(text: object) -> str:
    """A header label as compared: case folded, spaces collapsed, a trailing unit such
    as "(tkr)" removed."""
    if not isinstance(text, str):
        return ""
    text = _SPACE.sub(" ", text.replace("\u00a0", " ")).strip().casefold()
    return _TRAILING_UNIT.sub("", text).strip()


@lru_cache(maxsize=8192)
def label_unit(text: object) -> str | None:
    """The amount unit stated at the end of a header label, if any."""
    if not isinstance(text, str):
        return None
    match = _TRAILING_UNIT.search(_SPACE.sub(" ", text).strip().casefold())
    if not match:
        return None
    unit = match.group(1) or match.group(2)
    return unit if unit in ("kr", "tkr", "mkr") else None


@dataclass
class Header:
    row: int
    columns: dict[str, int]  # key -> column index
    units: set[str]  # amount units stated in the labels


def find_header(sheet: Sheet, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Header | None:
    """The first row within the first 30 that holds every required label."""
    lookup = _lookup(aliases)
    for r, cells in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        units = set()
        for c, value in enumerate(cells):
            key = lookup.get(label_key(value))
            if key is not None and key not in columns:
                columns[key] = c
                unit = label_unit(value)
                if unit:
                    units.add(unit)
        if all(k in columns for k in required):
            return Header(r, columns, units)
    return None


_LOOKUP: list = [None, {}]  # the aliases last asked for, and their lookup


def _lookup(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Compared label -> key; the same aliases come with every file of a run."""
    if _LOOKUP[0] is not aliases:
        _LOOKUP[:] = [aliases, {label_key(a): key for key, names in aliases.items() for a in names}]
    return _LOOKUP[1]


@dataclass
class TitleBlock:
    unit: str | None = None
    unit_cell: tuple[int, int] | None = None
    period: str | None = None
    period_cell: tuple[int, int] | None = None
    amount_unit: str | None = None
    problems: list[Problem] = field(default_factory=list)


_TITLE = re.compile(r"^\s*(ansvar|enhet|period|belopp i|belopp)\b\s*:?\s*(.*?)\s*$", re.I | re.S)
_PERIOD = re.compile(r"^(\d{4})\s*-?\s*(\d{1,2})$")
_PERIOD_END = re.compile(r"(?:^|[\s–-])(\d{4})\s*-?\s*(\d{2})$")
_MONTHS = {name: i for i, names in enumerate(
    [("jan", "januari"), ("feb", "februari"), ("mar", "mars"), ("apr", "april"), ("maj",), ("jun", "juni"),
     ("jul", "juli"), ("aug", "augusti"), ("sep", "sept", "september"), ("okt", "oktober"),
     ("nov", "november"), ("dec", "december")], start=1) for name in names}
_MONTH_YEAR = re.compile(r"(?:^|\W)([a-zåäö]+)\.?\s+(\d{4})$", re.I)


def read_title_block(sheet: Sheet, header_row: int) -> TitleBlock:
    """`Ansvar: CODE` / `Enhet: CODE`, `Period: YYYY-MM`, `Belopp i tkr` above the header,
    label and value in one cell after a colon, or the value in the next cell."""
    block = TitleBlock()
    for r in range(header_row):
        cells = sheet.rows[r]
        for c, value in enumerate(cells):
            if not isinstance(value, str):
                continue
            match = _TITLE.match(value)
            if not match:
                continue
            label, rest = match.group(1).lower(), match.group(2)
            where = (r, c)
            if not rest:
                rest, where = _next_value(cells, c, r)
            if rest is None or rest == "":
                continue
            _title_entry(block, sheet, label, rest, where)
    return block


def _next_value(cells: list, c: int, r: int) -> tuple[object, tuple[int, int]]:
    for k in range(c + 1, len(cells)):
        if not is_blank(cells[k]):
            return cells[k], (r, k)
    return None, (r, c)


def _title_entry(block: TitleBlock, sheet: Sheet, label: str, value: object, where: tuple[int, int]) -> None:
    if label in ("ansvar", "enhet"):
        block.unit, block.unit_cell = code_text(value), where
    elif label == "period":
        period = period_text(value)
        if period is None:
            block.problems.append(sheet.problem(*where, f"perioden {str(value)!r} är inte ÅÅÅÅ-MM"))
        block.period, block.period_cell = period, where
    else:
        unit = str(value).strip().casefold().rstrip(".")
        if unit in ("kr", "tkr", "mkr", "kronor"):
            block.amount_unit = "kr" if unit == "kronor" else unit
        else:
            block.problems.append(sheet.problem(*where, f"beloppsenheten {str(value)!r} är inte kr, tkr eller mkr"))


def code_text(value: object) -> str:
    """A code as text: 1110.0 -> "1110"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def period_text(value: object) -> str | None:
    """`2026-04`, `202604`, a date; also the end of a range as exports write it
    (`2026-01 – 2026-04`, `jan-apr 2026`, `april 2026`): figures are year to date."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    text = code_text(value).strip()
    match = _PERIOD.match(text) or _PERIOD_END.search(text)
    if match:
        year, month = match.group(1), int(match.group(2))
    else:
        named = _MONTH_YEAR.search(text)
        month = _MONTHS.get(named.group(1).casefold(), 0) if named else 0
        year = named.group(2) if named else ""
    if not 1 <= month <= 12:
        return None
    return f"{year}-{month:02d}"


@dataclass
class Stated:
    """What a sheet says about itself: unit, period, amount unit, with their cells."""

    unit: str | None = None
    unit_cell: str | None = None
    period: str | None = None
    period_cell: str | None = None
    amount_unit: str = "kr"


_SHARED: dict[str, str] = {}


def shared(text: str) -> str:
    """One object for equal texts (account codes and names, groups) across the files a
    process reads: the results sent back from worker processes are then smaller."""
    if len(_SHARED) < 100_000:
        return _SHARED.setdefault(text, text)
    return _SHARED.get(text, text)


def shared_all(texts: list[str]) -> list[str]:
    """`shared` of each text."""
    if len(_SHARED) + len(texts) > 100_000:
        return [shared(text) for text in texts]
    keep = _SHARED.setdefault
    return [keep(text, text) for text in texts]


@dataclass
class SheetRows:
    """What income and staffing sheets share: where they come from, what they state,
    and per data row its unit (from an Ansvar/Enhet column, else filled in later) and
    its row number."""

    file: str
    sheet: str
    stated: Stated = field(default_factory=Stated)
    has_unit_column: bool = False
    unit_column: str = ""
    unit: list[str | None] = field(default_factory=list)
    row: list[int] = field(default_factory=list)  # row number in the sheet, from 1

    def columns(self) -> dict[str, Sequence[Any]]:
        """The rows as columns of the table of their kind (see the subclasses)."""
        raise NotImplementedError


def describe(rows: SheetRows, sheet: Sheet, header: Header, default_unit: str) -> list[Problem]:
    """Fill in what the title block and header state; return the title block's problems."""
    title = read_title_block(sheet, header.row)
    units = header.units
    label_unit = next(iter(units)) if len(units) == 1 else None
    rows.stated = Stated(amount_unit=title.amount_unit or label_unit or default_unit)
    if title.unit and title.unit_cell:
        rows.stated.unit, rows.stated.unit_cell = title.unit, cell_name(*title.unit_cell)
    if title.period and title.period_cell:
        rows.stated.period, rows.stated.period_cell = title.period, cell_name(*title.period_cell)
    rows.has_unit_column = "unit" in header.columns
    if rows.has_unit_column:
        rows.unit_column = cell_name(0, header.columns["unit"])[:-1]
    return list(title.problems)


# --- control totals ---------------------------------------------------------------

_TOTAL = re.compile(r"^\s*(summa|totalt|resultat)", re.I)


def is_total_row(sheet: Sheet, r: int) -> bool:
    """A row whose first text cell begins with Summa, Totalt or Resultat."""
    for value in sheet.rows[r]:
        if isinstance(value, str) and value and not value.isspace():
            return _TOTAL.match(value) is not None
    return False


def control_total(sheet: Sheet, r: int, measure_cols: list, problems: list[Problem]) -> dict[str, float] | None:
    """Amounts of a `Summa`/`Totalt`/`Resultat` row that has at least one amount."""
    if not is_total_row(sheet, r):
        return None
    amounts: dict[str, float] = {}
    for measure, c in measure_cols:
        value = sheet.value(r, c)
        if is_blank(value):
            if (r, c) in sheet.uncached:
                problems.append(sheet.problem(r, c, "formel utan sparat värde i summaraden"))
            continue
        amount = parse_amount(value)
        if amount is not None:
            amounts[measure] = amount
    return amounts or None


def check_control(sheet: Sheet, control: tuple[int, dict[str, float]], sums: dict[str, float],
                  measure_cols: list, labels: dict[str, str], unit: str) -> list[Problem]:
    """The control total must equal the sum of the data rows, per measure, within half
    of the stated unit (`sums` and the total are both in that unit)."""
    def shown(value: float) -> str:
        return swedish(value, decimals=3 if not float(value).is_integer() else 0)

    r, totals = control
    problems = []
    columns = dict(measure_cols)
    for measure, stated in totals.items():
        if abs(stated - sums[measure]) > 0.5:
            problems.append(sheet.problem(
                r, columns[measure],
                f"summaraden anger {shown(stated)} {unit} för {labels[measure]}, men raderna summerar till "
                f"{shown(sums[measure])} {unit} (skillnad {shown(stated - sums[measure])})",
                check="control_total",
            ))
    return problems
