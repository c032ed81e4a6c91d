"""Reading one staffing workbook (SPEC §2): hours worked, scheduled, sick and hired,
this year and last, per row (one row, or rows per group / gender / age band).

Shares the header search, title block and number rules with income statements.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from consolidate.problems import WARNING, Problem, cell_name
from consolidate.readers.cells import count_cell, error_value
from consolidate.readers.layout import (
    SheetRows,
    check_control,
    code_text,
    control_total,
    describe,
    find_header,
    is_total_row,
    shared,
)
from consolidate.readers.numbers import MAX_AMOUNT, is_blank, parse_amount
from consolidate.readers.workbook import CellError, Sheet, open_sheet
from consolidate.vocabulary import DIMENSIONS, GENDERS, STAFF_LABELS, STAFF_MEASURES, STAFF_OPTIONAL

_AGE = re.compile(r"^\s*(?:(\d+)?\s*[-–]\s*(\d+)?)\s*(?:år)?\s*$", re.I)


def label_of(key: str) -> str:
    return STAFF_LABELS[key][0]


@dataclass
class StaffingRows(SheetRows):
    """Data rows of one staffing sheet; a measure whose column is missing is absent
    from `values` (its totals are then unknown, not zero)."""

    group: list[str | None] = field(default_factory=list)
    gender: list[str | None] = field(default_factory=list)
    age_band: list[str | None] = field(default_factory=list)
    values: dict[str, array] = field(default_factory=dict)

    def columns(self) -> dict[str, Sequence[Any]]:
        """The rows as columns of the staffing table; a missing measure is NaN."""
        n = len(self.row)
        values = self.values
        measures = {m: values[m] if m in values else array("d", [float("nan")]) * n for m in STAFF_MEASURES}
        return {"unit": self.unit, "group": self.group, "gender": self.gender,
                "age_band": self.age_band, "row": self.row, **measures}


def age_band(value: object) -> str | None:
    """`-29`, `30-49`, `50-` (also `0-29`, `50 år-`, with en dash)."""
    text = code_text(value).replace("år", "").strip()
    match = _AGE.match(text)
    if not match:
        return None
    low, high = match.groups()
    if high and int(high) <= 29 and (not low or int(low) < 30):
        return "-29"
    if low and high and int(low) == 30 and int(high) == 49:
        return "30-49"
    if low and int(low) == 50 and not high:
        return "50-"
    return None


def read_staffing_sheet(sheet: Sheet, labels: dict[str, tuple[str, ...]]) -> tuple[StaffingRows | None, list[Problem]]:
    header = find_header(sheet, labels, ("hours_worked",))
    if header is None:
        empty = not any(any(not is_blank(v) for v in r) for r in sheet.rows)
        what = "bladet är tomt" if empty else "ingen rubrikrad med Arbetad tid bland de 30 första raderna"
        return None, [sheet.problem(None, None, what)]
    rows = StaffingRows(sheet.file, sheet.name)
    problems = describe(rows, sheet, header, "kr")
    columns = header.columns
    measures = [m for m in STAFF_MEASURES if m in columns]
    for m in STAFF_MEASURES:
        if m not in columns and not m.endswith("_prior") and m not in STAFF_OPTIONAL:
            problems.append(sheet.problem(
                header.row, None, f"kolumnen {label_of(m)} saknas; nyckeltal som bygger på den blir tomma",
                severity=WARNING, check="missing_measure",
            ))
    measure_cols = [(m, columns[m]) for m in measures]
    found = _rows(sheet, header.row, columns, measure_cols, problems)
    data = found.data
    rows.row = [r + 1 for r in data]
    for measure, c in measure_cols:
        column = sheet.column(data, c)
        if not all(type(v) is float and 0 <= v < MAX_AMOUNT for v in column):  # else: all plain numbers
            column = [v if type(v) is float and 0 <= v < MAX_AMOUNT else count_cell(sheet, r, c, problems)
                      for r, v in zip(data, column)]
        rows.values[measure] = array("d", column)
    for key in DIMENSIONS:
        if key in columns:
            setattr(rows, key, _breakdown(sheet, data, columns[key], key, problems))
        else:
            setattr(rows, key, [None] * len(data))
    if "unit" in columns:
        rows.unit = found.units
    if found.control is not None:
        sums = {m: sum(rows.values[m]) for m in measures}
        names = {m: label_of(m) for m in measures}
        problems += check_control(sheet, found.control, sums, measure_cols, names, "timmar/personer")
    if found.totals:
        problems += _check_totals(sheet, found, rows, columns, measure_cols)
    return rows, problems


# --- which rows are data ----------------------------------------------------------

_TOTAL_LABELS = frozenset({"total", "totalt", "summa", "totalsumma", "samtliga", "alla", "hela enheten"})
_SUBTOTAL_SUFFIXES = (" summa", " total", " totalt")  # "U1 Summa": a pivot table's subtotal of U1
_ALL = object()  # a total row's scope in a column where it covers every row
_LABELS: dict[str, object] = {}  # cell text -> _ALL, the value it is a subtotal of, or None (no total)


def total_label(value: object) -> object:
    """What a cell says about a row when it marks a control total: `_ALL` for `Total`,
    `Totalt`, `Summa`, `Totalsumma`, `Samtliga`, `Alla` or `Hela enheten` (any case,
    surrounding space, a trailing colon); the value a pivot table's subtotal is of
    for `K Summa`; None when the cell marks no total."""
    if type(value) is not str:  # an Excel error value is no label either
        return None
    if value in _LABELS:
        return _LABELS[value]
    text = " ".join(value.split()).rstrip(":").rstrip().casefold()
    found: object = None
    if text in _TOTAL_LABELS:
        found = _ALL
    else:
        for suffix in _SUBTOTAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                found = " ".join(value.split()).rstrip(":").rstrip()[:-len(suffix)].strip()
                break
    if len(_LABELS) < 10_000:
        _LABELS[value] = found
    return found


@dataclass
class _Found:
    data: list[int] = field(default_factory=list)  # zero-based rows that are data
    units: list[str | None] = field(default_factory=list)  # their Ansvar cell, or the nearest one above
    control: tuple[int, dict[str, float]] | None = None  # the last Summa/Totalt row, for all rows
    # rows marked total in a column: the row, its mark in each such column, the unit it is under
    totals: list[tuple[int, dict[int, object], str | None]] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)  # every total row, of either kind


def _rows(sheet: Sheet, header_row: int, columns: dict[str, int], measure_cols: list,
          problems: list[Problem]) -> _Found:
    """Sort the rows under the header: data; control totals (a `Totalt`, `Summa`, …
    in a breakdown or Ansvar cell, or a first text cell that starts with Summa or
    Totalt); footnotes (one cell of text and no hours), which are not read. Each data
    row's unit is its Ansvar cell, or the nearest one above it on any row, as pivot
    exports name a unit once."""
    found = _Found()
    marked = [columns[k] for k in (*DIMENSIONS, "unit") if k in columns]
    used = list(columns.values())
    hours = [c for _, c in measure_cols]
    first = hours[0]  # Arbetad tid at least
    unit_col = columns.get("unit")
    unit: str | None = None
    labels = _LABELS
    grid = sheet.rows
    below = grid[header_row + 1:]
    # the columns where some cell marks a total, found from their few distinct texts
    marked = [c for c in marked if any(total_label(v) is not None for v in {row[c] for row in below if c < len(row)})]
    is_data, of_unit = found.data.append, found.units.append
    for r in range(header_row + 1, len(grid)):
        cells = grid[r]
        width = len(cells)
        if all(is_blank(cells[c]) for c in used if c < width):
            continue
        scope: dict[int, object] | None = None  # column -> what its total label covers
        for c in marked:
            if c < width and type(value := cells[c]) is str:
                mark = labels[value] if value in labels else total_label(value)
                if mark is not None:
                    scope = {**(scope or {}), c: mark}
        if scope is None and is_total_row(sheet, r):  # repeats the data: a control total when it has figures
            total = control_total(sheet, r, measure_cols, problems)
            found.control = (r, total) if total is not None else found.control
            found.marks.append(r)
            continue
        if unit_col is not None and unit_col < width and not is_blank(own := cells[unit_col]) and (
                scope is None or unit_col not in scope):  # this row names its unit
            if isinstance(own, CellError):
                problems.append(error_value(sheet, r, unit_col, own, "enheten (Ansvar)"))
                unit = own
            else:
                unit = shared(code_text(own))
        if scope is not None:
            found.totals.append((r, scope, unit))
            found.marks.append(r)
            continue
        if not (first < width and type(cells[first]) is float) and _footnote(sheet, r, cells, used, hours):
            continue
        is_data(r)
        if unit_col is not None:
            of_unit(unit)
    return found


def _footnote(sheet: Sheet, r: int, cells: list, used: list[int], hours: list[int]) -> bool:
    """A row with text in one cell and no figures: a note, not data."""
    width = len(cells)
    for c in hours:  # the common case: a row with figures
        if c < width and (type(cells[c]) is float or not is_blank(cells[c])):
            return False
    filled = [cells[c] for c in used if c < width and not is_blank(cells[c])]
    if len(filled) != 1 or isinstance(filled[0], CellError):
        return False
    return not any((r, c) in sheet.uncached for c in hours)  # a formula without its value is no blank


def _breakdown(sheet: Sheet, data: list[int], c: int, key: str, problems: list[Problem]) -> list[str | None]:
    """Kön, Åldersgrupp or Personalgrupp of each data row (None where it is empty or
    not known, with a problem). The few distinct texts of a column are worked out once."""
    cells = sheet.column(data, c)
    distinct = set(cells)
    if all(type(v) is str for v in distinct):  # the common case: text on every row
        known = {v: _known(key, v) for v in distinct}
        if None not in known.values():
            return [known[v] for v in cells]
    problems += _mixed(sheet, data, c, key, cells)
    return [None if is_blank(v) else _dimension(sheet, r, c, key, v, problems) for r, v in zip(data, cells)]


def _mixed(sheet: Sheet, data: list[int], c: int, key: str, cells: list) -> list[Problem]:
    """Rows with a value in a breakdown column beside rows without one: the rows
    without one hold the others' figures again, or figures of their own; either way
    the sheet cannot be summed."""
    given = next((r for r, v in zip(data, cells) if not is_blank(v)), None)
    missing = next((r for r, v in zip(data, cells) if is_blank(v)), None)
    if given is None or missing is None:
        return []
    label = label_of(key)
    return [sheet.problem(
        missing, c,
        f"bladet har rader med och utan {label}: cell {cell_name(given, c)} har "
        f"{str(sheet.value(given, c))[:20]!r}, cell {cell_name(missing, c)} är tom, och raderna skulle räknas "
        f"två gånger; ange {label} på varje rad, eller skriv Totalt i cellen om raden är en summa",
    )]


def _check_totals(sheet: Sheet, found: _Found, rows: StaffingRows, columns: dict[str, int],
                  measure_cols: list) -> list[Problem]:
    """Each row marked total must equal the sum of the data rows it covers: in each
    breakdown column, all rows where it says `Totalt` or is empty, those with its value
    where it names one (`K` beside `Totalt`; `K Summa`); in the Ansvar column the unit
    it names (`U1 Summa`), or, where it is empty, the unit above or every unit. A total
    may be of the whole sheet, of the rows above it, or of those since the total row
    before it (a section's sum): it is an error when it is none of these."""
    problems: list[Problem] = []
    keyed = [(k, columns[k]) for k in (*DIMENSIONS, "unit") if k in columns]
    own: dict[str, list] = {k: getattr(rows, k) for k, _ in keyed if k != "unit"}
    if "unit" in columns:
        own["unit"] = [_folded(u) for u in rows.unit]
    measures = [m for m, _ in measure_cols]
    values = [rows.values[m] for m in measures]
    data, n = found.data, len(found.data)
    groups: dict[tuple[str, ...], dict[tuple, tuple[list[int], list[list[float]]]]] = {}

    def covered(keys: tuple[str, ...], key: tuple, lo: int, hi: int) -> list[float]:
        """Sums of data rows lo to hi (positions in `data`) whose `keys` have the values `key`."""
        if keys not in groups:  # each group's rows and running sums, once per set of keys
            table: dict[tuple, tuple[list[int], list[list[float]]]] = {}
            for i in range(n):
                at, running = table.setdefault(tuple(own[k][i] for k in keys), ([], [[0.0] * len(measures)]))
                at.append(i)
                running.append([total + column[i] for total, column in zip(running[-1], values)])
            groups[keys] = table
        if key not in groups[keys]:
            return [0.0] * len(measures)
        at, running = groups[keys][key]
        a, b = bisect_left(at, lo), bisect_left(at, hi)
        return [after - before for before, after in zip(running[a], running[b])]

    names = {m: label_of(m) for m in measures}
    for r, scope, unit in found.totals:
        stated = _stated(sheet, r, measure_cols, problems)
        patterns: list[dict[str, object]] | None = [{}]
        for key, c in keyed:
            mark = scope.get(c)
            value = sheet.value(r, c) if mark is None else mark
            if mark is _ALL or (is_blank(value) and key != "unit"):
                continue
            if key == "unit":  # named on the row, else the unit above it or every unit
                found_unit = _folded(value) if not is_blank(value) else _folded(unit)
                extra = [] if not is_blank(value) else [dict(p) for p in patterns or []]
                patterns = [*({**p, key: found_unit} for p in patterns or []), *extra]
            elif (known := _dimension(sheet, r, c, key, value, problems)) is None:
                patterns = None  # an unknown Kön or Åldersgrupp, named
                break
            else:
                patterns = [{**p, key: known} for p in patterns or []]
        if not stated or not patterns:
            continue
        here = bisect_left(data, r)
        previous = bisect_left(found.marks, r) - 1  # the total row before this one, if any
        since = bisect_left(data, found.marks[previous]) if previous >= 0 else 0
        readings = [covered(keys, tuple(pattern[k] for k in keys), lo, hi)
                    for pattern in patterns for keys in [tuple(sorted(pattern))]
                    for lo, hi in ((0, n), (0, here), (since, here))]
        best = min(readings, key=lambda sums: max(abs(stated[m] - sums[j]) for j, m in enumerate(measures)
                                                  if m in stated))
        problems += check_control(sheet, (r, stated), dict(zip(measures, best)), measure_cols, names,
                                  "timmar/personer")
    return problems


def _stated(sheet: Sheet, r: int, measure_cols: list, problems: list[Problem]) -> dict[str, float]:
    """The figures of a total row (cells that hold none are passed over)."""
    stated: dict[str, float] = {}
    for measure, c in measure_cols:
        value = sheet.value(r, c)
        if is_blank(value):
            if (r, c) in sheet.uncached:
                problems.append(sheet.problem(r, c, "formel utan sparat värde i summaraden"))
            continue
        number = parse_amount(value)
        if number is not None and not isinstance(value, CellError):
            stated[measure] = number
    return stated


def _folded(value: object) -> str | None:
    if value is None or isinstance(value, CellError):
        return None
    return " ".join(code_text(value).split()).casefold()


_KNOWN: dict[tuple, str | None] = {}  # (dimension, type, cell value) -> its value, None if it is none


def _dimension(sheet: Sheet, r: int, c: int, key: str, value: object, problems: list[Problem]) -> str | None:
    """Kön, Åldersgrupp or Personalgrupp of a row as a known value, or None with a
    problem. The few distinct values of a column are worked out once."""
    if isinstance(value, CellError):
        problems.append(error_value(sheet, r, c, value, _WHAT[key]))
        return None
    seen = (key, type(value), value) if isinstance(value, (str, float, int)) else None
    if seen is not None and seen in _KNOWN:
        found = _KNOWN[seen]
    else:
        found = _normalised(key, value)
        if seen and len(_KNOWN) < 10_000:
            _KNOWN[seen] = found
    if found is None:
        if key == "gender":
            problems.append(sheet.problem(r, c, f"kön {str(value)[:20]!r} är varken K eller M"))
        else:
            problems.append(sheet.problem(r, c, f"åldersgruppen {str(value)[:20]!r} är inte -29, 30-49 eller 50-"))
    return found


_WHAT = {"gender": "kön", "age_band": "åldersgruppen", "group": "personalgruppen"}


def _known(key: str, text: str) -> str | None:
    """`_normalised` of a text, worked out once per process."""
    seen = (key, str, text)
    if seen in _KNOWN:
        return _KNOWN[seen]
    found = _normalised(key, text)
    if len(_KNOWN) < 10_000:
        _KNOWN[seen] = found
    return found


def _normalised(key: str, value: object) -> str | None:
    if is_blank(value):
        return None
    if key == "gender":
        return GENDERS.get(str(value).strip().casefold())
    if key == "age_band":
        return age_band(value)
    return shared(code_text(value))


def read_staffing_file(path, display: str, sheet_name: str | None, max_bytes: int,
                       labels: dict[str, tuple[str, ...]], data: bytes | None = None
                       ) -> tuple[StaffingRows | None, list[Problem]]:
    """Open and read one staffing workbook (from `data`, its bytes, when they have been
    read already); top level so processes can run it."""
    sheet, problems = open_sheet(path, display, sheet_name, max_bytes, data)
    if sheet is None:
        return None, problems
    rows, more = read_staffing_sheet(sheet, labels)
    if rows is not None:
        rows.sha256, rows.size = sheet.sha256, sheet.size
    return rows, problems + more
