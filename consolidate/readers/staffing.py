"""Reading one staffing workbook (SPEC §2): hours worked, scheduled, sick and hired,
this year and last, per row (one row, or rows per group / gender / age band).

Shares the header search, title block and number rules with income statements.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from consolidate.problems import WARNING, Problem
from consolidate.readers.cells import count_cell
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
from consolidate.readers.numbers import MAX_AMOUNT, is_blank
from consolidate.readers.workbook import Sheet, open_sheet
from consolidate.vocabulary import DIMENSIONS, GENDERS, STAFF_LABELS, STAFF_MEASURES

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
        measures = {m: self.values.get(m, array("d", [float("nan")]) * n) for m in STAFF_MEASURES}
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
        if m not in columns and not m.endswith("_prior"):
            problems.append(sheet.problem(
                header.row, None, f"kolumnen {label_of(m)} saknas; nyckeltal som bygger på den blir tomma",
                severity=WARNING, check="missing_measure",
            ))
    measure_cols = [(m, columns[m]) for m in measures]
    control = None
    data = []
    for r in range(header.row + 1, len(sheet.rows)):
        cells = sheet.rows[r]
        if all(is_blank(cells[c]) for c in columns.values() if c < len(cells)):
            continue
        if is_total_row(sheet, r):  # repeats the data: a control total when it has figures
            total = control_total(sheet, r, measure_cols, problems)
            control = (r, total) if total is not None else control
            continue
        data.append(r)
    rows.row = [r + 1 for r in data]
    for measure, c in measure_cols:
        column = sheet.column(data, c)
        if not all(type(v) is float and 0 <= v < MAX_AMOUNT for v in column):  # else: all plain numbers
            column = [v if type(v) is float and 0 <= v < MAX_AMOUNT else count_cell(sheet, r, c, problems)
                      for r, v in zip(data, column)]
        rows.values[measure] = array("d", column)
    for key in DIMENSIONS:
        if key in columns:
            c = columns[key]
            setattr(rows, key, [_dimension(sheet, r, c, key, v, problems) for r, v in zip(data, sheet.column(data, c))])
        else:
            setattr(rows, key, [None] * len(data))
    if "unit" in columns:
        rows.unit = [None if is_blank(v) else shared(code_text(v)) for v in sheet.column(data, columns["unit"])]
    if control is not None:
        sums = {m: sum(rows.values[m]) for m in measures}
        names = {m: label_of(m) for m in measures}
        problems += check_control(sheet, control, sums, measure_cols, names, "timmar/personer")
    return rows, problems


_KNOWN: dict[tuple, str | None] = {}  # (dimension, type, cell value) -> its value, None if it is none


def _dimension(sheet: Sheet, r: int, c: int, key: str, value: object, problems: list[Problem]) -> str | None:
    """Kön, Åldersgrupp or Personalgrupp of a row as a known value, or None with a
    problem. The few distinct values of a column are worked out once."""
    seen = (key, type(value), value) if isinstance(value, (str, float, int)) else None
    if seen is not None and seen in _KNOWN:
        found = _KNOWN[seen]
    else:
        found = _normalised(key, value)
        if seen and len(_KNOWN) < 10_000:
            _KNOWN[seen] = found
    if found is None:
        if is_blank(value):
            problems.append(sheet.problem(r, c, f"{label_of(key)} saknas på raden"))
        elif key == "gender":
            problems.append(sheet.problem(r, c, f"kön {str(value)[:20]!r} är varken K eller M"))
        else:
            problems.append(sheet.problem(r, c, f"åldersgruppen {str(value)[:20]!r} är inte -29, 30-49 eller 50-"))
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
                       labels: dict[str, tuple[str, ...]]) -> tuple[StaffingRows | None, list[Problem]]:
    """Open and read one staffing workbook; top level so processes can run it."""
    sheet, problems = open_sheet(path, display, sheet_name, max_bytes)
    if sheet is None:
        return None, problems
    rows, more = read_staffing_sheet(sheet, labels)
    return rows, problems + more
