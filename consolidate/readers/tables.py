"""Reading the configuration's tables (SPEC §11): the organisation tree and the account
mapping, as a workbook (opened as safely as a delivery, `workbook.open_sheet`) or as a
CSV file (`;` or `,` between fields, UTF-8 with or without BOM, else Windows-1252),
with the header found by its labels as in a delivery (`layout.find_header`).

The configuration layer says which columns a table has (`config.tables`) and checks
what the rows mean; this module only reads them. `load_config` is the configuration
with its tables: what the commands load.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

from consolidate.config import region
from consolidate.config.tables import Table
from consolidate.problems import ConfigError, Problem, cell_name, os_error_text
from consolidate.readers.layout import HEADER_SEARCH_ROWS, Header, code_text, find_header, label_key
from consolidate.readers.workbook import CellError, Sheet, open_sheet

_DELIMITERS = (";", ",", "\t")
_SAVE_AS = "spara den som .xlsx, eller som CSV UTF-8 (kommaavgränsad) i Excel"


def load_config(path: str | Path, period: str | None = None) -> region.Config:
    """region.toml, its chart and the tables they name, with the tree valid in
    `period` (None: this month's); every mistake a `ConfigError` (exit status 2)."""
    return region.load_config(path, period, read_table)


def read_table(path: Path, display: str, labels: dict[str, tuple[str, ...]], required: tuple[str, ...],
               sheet: str | None, max_bytes: int) -> Table:
    """The rows of one table: for each row that is not empty in the columns read, its
    number and the text of each column found. Every failure is a `ConfigError` naming
    the file and, where it is known, row and column."""
    if path.suffix.lower() == ".csv":
        grid = _csv_sheet(path, display, labels, required, max_bytes)
    else:
        opened, problems = open_sheet(path, display, sheet, max_bytes)
        errors = [p for p in problems if p.is_error]
        if opened is None or errors:
            raise _config_error(errors[0] if errors else problems[0])
        grid = opened
    header = find_header(grid, labels, required)
    if header is None or not all(key in header.columns for key in required):
        raise ConfigError(display, _sheet_key(grid), _no_header(grid, header, labels, required))
    if header.problems:  # two columns fit one label, or an error value among the labels
        problem = header.problems[0]
        what = problem.message.split("; ")[0]  # without the deliveries' remedy ([inputs.aliases])
        raise ConfigError(display, _config_error(problem).key, f"{what}; byt rubrik på den kolumn som inte ska läsas")
    columns = {key: f"{cell_name(0, c)[:-1]} ({_label(grid, header, c)})" for key, c in header.columns.items()}
    table = Table(display, path, columns, _rows(grid, header, columns), grid.sha256, grid.size)
    return table


def _rows(sheet: Sheet, header: Header, columns: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    """The data rows below the header, column by column (a table of thousands of rows
    is read in a few milliseconds): each row not empty in the columns read."""
    keys = list(header.columns)
    numbers = range(header.row + 1, len(sheet.rows))
    texts = []
    for key in keys:
        cells = sheet.column(list(numbers), header.columns[key])
        for r, value in zip(numbers, cells) if CellError in set(map(type, cells)) else ():
            if isinstance(value, CellError):
                raise ConfigError(sheet.file, f"rad {r + 1}, kolumn {columns[key]}",
                                  f"cellen har Excel-felet {value}; rätta formeln och spara om")
        texts.append([value.strip() if type(value) is str else _text(value) for value in cells])
    rows = []
    doubt = bool(sheet.uncached)  # formula cells without a saved value read as empty
    for r, values in zip(numbers, zip(*texts)):
        if any(values):
            for key, text in zip(keys, values) if doubt else ():
                if not text and (problem := sheet.unsaved_formula(r, header.columns[key], "")) is not None:
                    raise ConfigError(sheet.file, f"rad {r + 1}, kolumn {columns[key]}", problem.message)
            rows.append((r + 1, dict(zip(keys, values))))
    return rows


def _text(value: object) -> str:
    """A cell's value as text: a whole number as its digits, a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return code_text(value)


def _label(sheet: Sheet, header: Header, c: int) -> str:
    """A column's label as messages show it (the lowest header row's text at it)."""
    for r in range(header.row, header.first_row - 1, -1):
        value = sheet.value(r, c)
        if type(value) is str and value.strip():
            return " ".join(value.split())[:40]
    return "?"


def _no_header(sheet: Sheet, header: Header | None, labels: dict[str, tuple[str, ...]],
               required: tuple[str, ...]) -> str:
    wanted = ", ".join(labels[key][0] for key in required)
    if not any(any(v not in (None, "") for v in row) for row in sheet.rows):
        return "tabellen är tom"
    if header is None:  # the row with the most of the labels, if any has two
        known = {label_key(label): key for key, names in labels.items() for label in names}
        best: set[str] = set()
        row = -1
        for r, cells in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            keys = {known[label_key(v)] for v in cells if label_key(v) in known}
            if len(keys) > len(best):
                best, row = keys, r
        if len(best) < 2:
            return f"ingen rubrikrad med {wanted} bland de {HEADER_SEARCH_ROWS} första raderna"
        missing = [labels[key][0] for key in required if key not in best]
    else:
        missing, row = [labels[key][0] for key in required if key not in header.columns], header.row
    return f"rubrikraden (rad {row + 1}) saknar kolumnen {' och '.join(missing)}; kolumnerna som krävs är {wanted}"


def _sheet_key(sheet: Sheet) -> str | None:
    return f"blad {sheet.name}" if sheet.name else None


def _config_error(problem: Problem) -> ConfigError:
    where = ", ".join(part for part in (problem.sheet and f"blad {problem.sheet}",
                                        problem.cell and f"cell {problem.cell}") if part)
    return ConfigError(problem.file or "", where or None, problem.message)


def _csv_sheet(path: Path, display: str, labels: dict[str, tuple[str, ...]], required: tuple[str, ...],
               max_bytes: int) -> Sheet:
    """A CSV file as a sheet of text cells. The encoding is UTF-8 (with or without
    BOM) if the bytes are UTF-8, else Windows-1252; the separator is the one of `;`,
    `,` and tab with which the header is found."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ConfigError(display, None, f"filen är {size / 1e6:.0f} MB, över gränsen {max_bytes / 1e6:.0f} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(display, None, f"kan inte läsas: {os_error_text(exc)}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ConfigError(display, None, f"filen är varken UTF-8 eller Windows-1252; {_SAVE_AS}") from None
    if "\x00" in text:
        raise ConfigError(display, None, f"filen är ingen textfil som går att läsa (UTF-16?); {_SAVE_AS}")
    head = "\n".join(text.splitlines()[:30])
    delimiter = _delimiter(head, display, labels, required)
    try:
        rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:  # a quote left open, a field too long
        raise ConfigError(display, None, f"CSV-filen kan inte läsas ({exc}); {_SAVE_AS}") from None
    sheet = Sheet(display, "", rows)
    sheet.sha256, sheet.size = hashlib.sha256(data).hexdigest(), len(data)
    return sheet


def _delimiter(head: str, display: str, labels: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> str:
    """The separator with which the header row is found (else the one that splits the
    first lines into the most fields)."""
    widest, most = _DELIMITERS[0], 0
    for delimiter in _DELIMITERS:
        try:
            rows = [list(row) for row in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)]
        except csv.Error:
            continue
        header = find_header(Sheet(display, "", rows), labels, required)
        if header is not None and all(key in header.columns for key in required):
            return delimiter
        fields = max((len(row) for row in rows), default=0)
        if fields > most:
            widest, most = delimiter, fields
    return widest
