"""The configuration's tables (SPEC §11): the organisation tree (`[tree] file`) and the
account mapping (`[chart] mapping`) as a ledger or a controller's Excel file holds them.

This module says what the tables are: their columns and labels, and the plain rows
a reader hands over (`Table`). Reading a file is the readers' work
(`consolidate.readers.tables`, with the deliveries' header matching and safe opening):
`load_config` is given the reader, so that the configuration never imports the readers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

# The tree table: one row per entity below the region. Labels are matched like a
# delivery's (case, surrounding space and a trailing unit do not matter).
TREE_LABELS: dict[str, tuple[str, ...]] = {
    "code": ("Kod", "Ansvar", "Ansvarskod", "Enhetskod"),
    "name": ("Namn", "Benämning", "Ansvarsnamn"),
    "parent": ("Förälder", "Överordnad", "Överordnat ansvar"),
    "motpart": ("Motpart", "Motpartskod", "Motpartskoder"),
    "from": ("Från", "Gäller från", "Fr.o.m."),
    "to": ("Till", "Gäller till", "T.o.m."),
}
TREE_REQUIRED = ("code", "name", "parent")

# The mapping table: account patterns onto the detail lines of chart.toml.
MAPPING_LABELS: dict[str, tuple[str, ...]] = {
    "account": ("Konto", "Kontointervall"),
    "line": ("Rad", "Rapportrad", "Kontoplansrad"),
    "name": ("Benämning", "Kontonamn"),
}
MAPPING_REQUIRED = ("account", "line")

TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


@dataclass(frozen=True)
class Table:
    """A table as read: per data row its number in the file (from 1) and the text of
    each column read ("" where the cell is empty; a whole number as digits, a date as
    `YYYY-MM-DD`)."""

    file: str  # as messages name it
    path: Path
    columns: dict[str, str]  # key -> its column as messages name it: "C (Förälder)"
    rows: list[tuple[int, dict[str, str]]]
    sha256: str = ""  # of the bytes read
    size: int = 0

    def place(self, row: int, key: str | None = None) -> str:
        """`rad 5, kolumn C (Förälder)`: where a value stands, for a message."""
        column = self.columns.get(key) if key is not None else None
        return f"rad {row}, kolumn {column}" if column else f"rad {row}"


class TableReader(Protocol):
    """Reads one table: `labels` (key -> labels) and `required` keys as above; the first
    visible sheet unless `sheet` names one. Every failure is a `ConfigError` naming
    file, row and column."""

    def __call__(self, path: Path, display: str, labels: dict[str, tuple[str, ...]], required: tuple[str, ...],
                 sheet: str | None, max_bytes: int) -> Table: ...


class Origin(NamedTuple):  # a named tuple: one is made for each of thousands of rows
    """Where a definition stands, for messages: a row of a table, or the n:th
    `[[entity]]` (`[[line]]`) of a TOML file (`row` counted from 0)."""

    file: str
    row: int
    table: Table | None = None
    array: str = "entity"

    def key(self, field: str) -> str:
        """`rad 5, kolumn C (Förälder)` or `entity[3].parent`."""
        if self.table is not None:
            return self.table.place(self.row, field)
        return f"{self.array}[{self.row}].{field}"

    def named(self) -> str:
        """`organisation.xlsx rad 5` or `region.toml entity[3]`, for a message naming another place."""
        where = f"rad {self.row}" if self.table is not None else f"{self.array}[{self.row}]"
        return f"{self.file} {where}"


_PERIOD = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def period_of(text: str) -> str | None:
    """A validity period: `YYYY-MM`, or a date (`YYYY-MM-DD`, as a date cell reads),
    which means its month; None when the text is neither."""
    match = _PERIOD.match(text.strip())
    if match is None:
        return None
    year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
    if not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            dt.date(year, month, int(day))
        except ValueError:
            return None
    return f"{year:04d}-{month:02d}"


def this_month() -> str:
    """The period of today (local time): the tree a command without a period uses."""
    today = dt.date.today()
    return f"{today.year:04d}-{today.month:02d}"
