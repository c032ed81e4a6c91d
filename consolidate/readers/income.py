"""Reading one income statement workbook (SPEC §1) into tidy rows in kr."""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from consolidate.problems import WARNING, Problem
from consolidate.readers.cells import amount_cell
from consolidate.readers.layout import (
    SheetRows,
    check_control,
    code_text,
    control_total,
    describe,
    find_header,
    shared,
    shared_all,
)
from consolidate.readers.numbers import MAX_AMOUNT, is_blank, parse_text, plain_texts
from consolidate.readers.workbook import Sheet, open_sheet
from consolidate.vocabulary import AMOUNT_UNITS, MEASURE_NAMES, MEASURES

_ACCOUNT = re.compile(r"^\s*(\d{3,6})(?:\s+(.*?))?\s*$", re.S)


@dataclass
class IncomeRows(SheetRows):
    """Data rows of one income sheet: one list per column, amounts in kr."""

    account: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    counterparty: list[str] = field(default_factory=list)
    amounts: dict[str, array] = field(default_factory=lambda: {m: array("d") for m in MEASURES})

    def columns(self) -> dict[str, Sequence[Any]]:
        """The rows as columns of the income table."""
        return {"unit": self.unit, "account": self.account, "name": self.name,
                "counterparty": self.counterparty, "row": self.row, **self.amounts}


def merge_labels(base: dict[str, tuple[str, ...]], extra: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Default labels plus the aliases region.toml adds for known keys."""
    return {key: names + tuple(extra.get(key, ())) for key, names in base.items()}


def account_code(value: object) -> tuple[str, str] | None:
    """(code, name) when a cell holds an account code of 3 to 6 digits."""
    if isinstance(value, float):
        if value.is_integer() and 100 <= value <= 999_999:
            return str(int(value)), ""
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 999_999:
        return str(value), ""
    if isinstance(value, str):
        match = _ACCOUNT.match(value)
        if match:
            return match.group(1), match.group(2) or ""
    return None


def read_income_sheet(sheet: Sheet, labels: dict[str, tuple[str, ...]],
                      default_unit: str) -> tuple[IncomeRows | None, list[Problem]]:
    header = find_header(sheet, labels, ("account", "actual"))
    if header is None:
        what = "bladet är tomt" if not any(any(not is_blank(v) for v in r) for r in sheet.rows) else (
            "ingen rubrikrad med Konto och Utfall bland de 30 första raderna"
        )
        return None, [sheet.problem(None, None, what)]
    rows = IncomeRows(sheet.file, sheet.name)
    problems = describe(rows, sheet, header, default_unit)
    for measure in MEASURES:
        if measure not in header.columns:
            problems.append(sheet.problem(
                header.row, None, f"kolumnen {MEASURE_NAMES[measure]} saknas; räknas som 0",
                severity=WARNING, check="missing_measure",
            ))
    problems += _read_rows(sheet, header.row, header.columns, rows)
    return rows, problems


def _read_rows(sheet: Sheet, header_row: int, columns: dict[str, int], out: IncomeRows) -> list[Problem]:
    """Find the data rows (those with an account code) and the control total, then
    take each column of the data rows as a whole."""
    problems: list[Problem] = []
    measure_cols = [(m, columns[m]) for m in MEASURES if m in columns]
    account_col = columns["account"]
    data: list[int] = []
    codes: list[tuple[str, str]] = []
    control: tuple[int, dict[str, float]] | None = None
    grid = sheet.rows
    for r in range(header_row + 1, len(grid)):
        cells = grid[r]
        value = cells[account_col] if account_col < len(cells) else ""
        code: tuple[str, str] | None
        if type(value) is float and value.is_integer() and 100 <= value <= 999_999:  # the common case
            code = (str(int(value)), "")
        else:
            code = account_code(value)
        if code is None:
            total = control_total(sheet, r, measure_cols, problems)
            if total is not None:
                control = (r, total)
            continue
        data.append(r)
        codes.append(code)
    out.row = [r + 1 for r in data]
    out.account = shared_all([code for code, _ in codes])
    out.name = _names(sheet, data, columns.get("name"), codes)
    out.counterparty = [
        "" if v == "" or is_blank(v) else shared(code_text(v))
        for v in sheet.column(data, columns.get("counterparty"))
    ]
    if "unit" in columns:
        out.unit = [(None if is_blank(v) else shared(code_text(v))) for v in sheet.column(data, columns["unit"])]
    factor = AMOUNT_UNITS[out.stated.amount_unit]
    sums = {}
    for measure, c in measure_cols:
        column = sheet.column(data, c)
        amounts: list[Any] | None
        if all(type(v) is float and -MAX_AMOUNT < v < MAX_AMOUNT for v in column):
            amounts = column  # the common case: every cell a number
        else:  # a column of text amounts, as some ledger exports write them, or None
            amounts = plain_texts(column) if column and type(column[0]) is str else None
        if amounts is not None:
            sums[measure] = sum(amounts)
            out.amounts[measure] = array("d", [a * factor for a in amounts] if factor != 1.0 else amounts)
            continue
        amounts = []
        for r, v in zip(data, column):
            if type(v) is float and -MAX_AMOUNT < v < MAX_AMOUNT:  # the common case
                amounts.append(v)
            elif v == "" and not sheet.uncached:  # empty, and no formula without its value
                amounts.append(0.0)
            elif type(v) is str and v and (amount := parse_text(v)) is not None:  # "1 234,50"
                amounts.append(amount)
            else:
                amounts.append(amount_cell(sheet, r, c, problems))
        sums[measure] = sum(amounts)
        out.amounts[measure] = array("d", [a * factor for a in amounts] if factor != 1.0 else amounts)
    for measure in MEASURES:
        if measure not in columns:
            out.amounts[measure] = array("d", bytes(8 * len(data)))  # zeros
    if control is not None:
        problems += check_control(sheet, control, sums, measure_cols, MEASURE_NAMES, out.stated.amount_unit)
    return problems


def _names(sheet: Sheet, data: list[int], c: int | None, codes: list[tuple[str, str]]) -> list[str]:
    """The account's name from its own column, else from after the code in its cell."""
    names = []
    for v, (_, name) in zip(sheet.column(data, c), codes):
        text = v.strip() if type(v) is str else "" if is_blank(v) else str(v).strip()
        names.append(text or name)
    return shared_all(names)


def read_income_file(path, display: str, sheet_name: str | None, max_bytes: int,
                     labels: dict[str, tuple[str, ...]], default_unit: str) -> tuple[IncomeRows | None, list[Problem]]:
    """Open and read one income statement workbook; top level so processes can run it."""
    sheet, problems = open_sheet(path, display, sheet_name, max_bytes)
    if sheet is None:
        return None, problems
    rows, more = read_income_sheet(sheet, labels, default_unit)
    return rows, problems + more
