"""One cell's number, read where the quick paths of the sheet readers give up: text
in Swedish style, a formula without its saved value, or something that is no number.

Income statements and staffing sheets read their cells here, so a cell is judged the
same way in both; only what counts as a valid number differs (an amount may be
negative, hours and people may not).
"""

from __future__ import annotations

from consolidate.problems import Problem
from consolidate.readers.numbers import parse_amount, text_problem
from consolidate.readers.workbook import CellError, Sheet


def amount_cell(sheet: Sheet, r: int, c: int, problems: list[Problem]) -> float:
    """An amount (any sign); 0.0 with a problem when the cell holds none."""
    return _cell(sheet, r, c, problems, count=False)


def count_cell(sheet: Sheet, r: int, c: int, problems: list[Problem]) -> float:
    """Hours or people (not negative); 0.0 with a problem when the cell holds none."""
    return _cell(sheet, r, c, problems, count=True)


def _cell(sheet: Sheet, r: int, c: int, problems: list[Problem], count: bool) -> float:
    value = sheet.value(r, c)
    if isinstance(value, CellError):
        problems.append(error_value(sheet, r, c, value, "antalet" if count else "beloppet"))
        return 0.0
    unsaved = sheet.unsaved_formula(r, c, value)
    if unsaved:
        problems.append(unsaved)
        return 0.0
    number = parse_amount(value)
    if count:
        if number is None or number < 0:
            why = text_problem(value) if isinstance(value, str) else ""
            what = why if why.startswith("är tvetydigt") else "är inget antal timmar eller personer"
            problems.append(sheet.problem(r, c, f"{str(value)[:40]!r} {what}"))
            return 0.0
        return number
    if number is None:
        what = ("är inget ändligt belopp av rimlig storlek" if _is_number(value)
                else text_problem(value) if isinstance(value, str) else "är inget belopp")
        problems.append(sheet.problem(r, c, f"{_shown(value)} {what}"))
        return 0.0
    return number


def error_value(sheet: Sheet, r: int, c: int, value: CellError, what: str) -> Problem:
    """The problem of a used cell that holds an Excel error value; `what` names what
    the cell should have held ("beloppet", "kontot", "motparten", …)."""
    return sheet.problem(
        r, c, f"cellen har Excel-felet {value} där {what} skulle stå; rätta formeln i källan och spara om",
    )


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")
