"""Reading one income statement workbook (SPEC §1) into tidy rows in kr."""

from __future__ import annotations

import datetime as dt
import math
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from consolidate.problems import WARNING, Problem
from consolidate.readers.cells import amount_cell, error_value
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
from consolidate.readers.numbers import MAX_AMOUNT, is_blank, parse_text, plain_numbers, plain_texts
from consolidate.readers.workbook import CellError, Sheet, open_sheet
from consolidate.vocabulary import AMOUNT_UNITS, MEASURE_NAMES, MEASURES

# An account cell: 3 to 6 digits, alone or followed by the account's name after a space,
# a dash, an en dash or a colon ("4011", "4011 Löner", "4011 - Löner", "4011-Löner",
# "4011: Löner"); a name does not start with a digit ("4011-4020" is no account).
_ACCOUNT = re.compile(r"^\s*([0-9]{3,6})(?:(?:\s*[-\u2013\u2014:]\s*|\s+)(?![0-9.,])(.*?))?\s*$", re.S)
_DIGIT = re.compile(r"[0-9]")
_DIGITS = re.compile(r"[0-9]{2}")
_LETTERS_ONLY = re.compile(r"^[^\W\d_]{2,}[.:]?$")
# A subtotal's words: such a row is not data even with digits in it ("Summa 4000-4999").
_SUBTOTAL = re.compile(r"^\s*(?:summa|s:a|delsumma|totalsumma|totalt?|resultat)", re.I)


@dataclass
class IncomeRows(SheetRows):
    """Data rows of one income sheet: one list per column, amounts in kr."""

    account: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    counterparty: list[str] = field(default_factory=list)
    amounts: dict[str, array] = field(default_factory=lambda: {m: array("d") for m in MEASURES})
    measure_columns: dict[str, int] = field(default_factory=dict)  # measure -> its column (0-based), as found
    comment_column: int | None = None  # the `Kommentar` column (SPEC §14), 0-based
    row_comments: list[tuple[int, str]] = field(default_factory=list)  # (index of the data row, its comment)

    def columns(self) -> dict[str, Sequence[Any]]:
        """The rows as columns of the income table."""
        return {"unit": self.unit, "account": self.account, "name": self.name,
                "counterparty": self.counterparty, "row": self.row, **self.amounts}


def merge_labels(base: dict[str, tuple[str, ...]], extra: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Default labels plus the aliases region.toml adds for known keys."""
    return {key: names + tuple(extra.get(key, ())) for key, names in base.items()}


# A column of per-row comments (SPEC §14), as the seeds head it ("Kort kommentar").
COMMENT_LABELS = ("Kommentar", "Kommentarer", "Kort kommentar")
_WITH_COMMENT: dict[int, tuple[dict, dict]] = {}  # id of the labels a run reads with -> (them, them with comments)


def with_comment(labels: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The labels with the comment column's, the same object for the same labels (the
    header search remembers what it found per labels object)."""
    if "comment" in labels:
        return labels
    known = _WITH_COMMENT.get(id(labels))
    if known is None or known[0] is not labels:
        if len(_WITH_COMMENT) >= 8:
            _WITH_COMMENT.clear()
        known = _WITH_COMMENT[id(labels)] = (labels, {**labels, "comment": COMMENT_LABELS})
    return known[1]


def account_code(value: object) -> tuple[str, str] | None:
    """(code, name) when a cell holds an account code of 3 to 6 digits."""
    if isinstance(value, float):
        if value.is_integer() and 100 <= value <= 999_999:
            return str(int(value)), ""
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 999_999:
        return str(value), ""
    if type(value) is str:  # an Excel error value (CellError) is none
        match = _ACCOUNT.match(value)
        if match:
            return match.group(1), match.group(2) or ""
    return None


def not_an_account(value: object) -> str | None:
    """Why a row's account cell, when the row has amounts and is not a control total,
    is neither an account (`account_code`) nor text that makes the row a heading or a
    subtotal; None when it is such text. Text is a heading or subtotal when it has no
    digits ("Summa personal", "Intäkter"), begins with Summa/Totalt/Resultat ("Summa
    4000-4999"), or begins with a word of letters and has no two digits together
    ("Verksamhet 2"). Anything else may be an account written wrong and is refused."""
    if isinstance(value, bool):
        return f"kontocellen är {'SANT' if value else 'FALSKT'}, inget konto"
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return "kontocellen är ett datum eller en tid, inget konto; skriv kontot som tal eller text (t.ex. 4011)"
    if isinstance(value, (int, float)):
        shown = code_text(value) if isinstance(value, int) or value == value else str(value)
        return f"kontot {shown[:20]} är inget konto med 3–6 siffror"
    if type(value) is not str:
        return "kontocellen är inget konto"
    text = " ".join(value.split())
    if not _DIGIT.search(text) or _SUBTOTAL.match(text):
        return None
    first = text.split(" ", 1)[0]
    if _LETTERS_ONLY.match(first) and not _DIGITS.search(text):
        return None
    shown = text if len(text) <= 40 else text[:40] + "…"
    return (f"kontot {shown!r} är inget konto: skriv 3–6 siffror, ensamma eller följda av namnet "
            "('4011', '4011 Löner', '4011 - Löner'); raden har belopp och kan inte läsas")


def read_income_sheet(sheet: Sheet, labels: dict[str, tuple[str, ...]], default_unit: str,
                      signs: str = "report") -> tuple[IncomeRows | None, list[Problem]]:
    """The sheet's data rows in kr and report signs: `signs = "ledger"` (as booked:
    revenue -, cost +) turns every amount of the file round. The title block's
    `Kommentar:` and a `Kommentar` column are kept as text (`stated.comment`,
    `row_comments`)."""
    header = find_header(sheet, with_comment(labels), ("account", "actual"))
    if header is None:
        what = "bladet är tomt" if not any(any(not is_blank(v) for v in r) for r in sheet.rows) else (
            "ingen rubrikrad med Konto och Utfall bland de 30 första raderna"
        )
        return None, [sheet.problem(None, None, what)]
    rows = IncomeRows(sheet.file, sheet.name)
    problems = describe(rows, sheet, header, default_unit)
    for measure in MEASURES:
        if measure not in header.columns and measure not in header.found:  # else a problem of the header
            problems.append(sheet.problem(
                header.row, None,
                f"kolumnen {MEASURE_NAMES[measure]} saknas; enhetens {MEASURE_NAMES[measure]} visas tom "
                "och summorna över den märks som ofullständiga",
                severity=WARNING, check="missing_measure",
            ))
    rows.measure_columns = {m: header.columns[m] for m in MEASURES if m in header.columns}
    problems += _read_rows(sheet, header.row, header.columns, rows, signs)
    if "comment" in header.columns:
        rows.comment_column = header.columns["comment"]
        rows.row_comments = _comments(sheet, [r - 1 for r in rows.row], rows.comment_column)
    return rows, problems


def _comments(sheet: Sheet, data: list[int], c: int) -> list[tuple[int, str]]:
    """The data rows' comments: (index of the row, its text) where the cell holds text
    (a number or a date as written; an Excel error value is no comment)."""
    found = []
    for i, value in enumerate(sheet.column(data, c)):
        if is_blank(value) or isinstance(value, CellError):
            continue
        text = value.strip() if type(value) is str else code_text(value)
        if text:
            found.append((i, text))
    return found


def _read_rows(sheet: Sheet, header_row: int, columns: dict[str, int], out: IncomeRows,
               signs: str = "report") -> list[Problem]:
    """Find the data rows (those with an account code) and the control total, then
    take each column of the data rows as a whole."""
    problems: list[Problem] = []
    measure_cols = [(m, columns[m]) for m in MEASURES if m in columns]
    account_col = columns["account"]
    amount_cols = [c for _, c in measure_cols]
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
            elif isinstance(value, CellError):
                problems.append(error_value(sheet, r, account_col, value, "kontot"))
            elif (_DIGIT.search(value) if type(value) is str else value is not None) \
                    and any(c < len(cells) and not is_blank(cells[c]) for c in amount_cols):
                why = not_an_account(value)  # a row with amounts is data, a heading or subtotal, or an error
                if why is not None:
                    problems.append(sheet.problem(r, account_col, why))
            continue
        data.append(r)
        codes.append(code)
    out.row = [r + 1 for r in data]
    out.account = shared_all([code for code, _ in codes])
    out.name = _names(sheet, data, columns.get("name"), codes)
    out.counterparty = [
        "" if v == "" or is_blank(v) else shared(code_text(v))
        for v in _no_errors(sheet, data, columns.get("counterparty"), "motparten", problems)
    ]
    if "unit" in columns:
        out.unit = [(None if is_blank(v) else shared(code_text(v)))
                    for v in _no_errors(sheet, data, columns["unit"], "enheten (Ansvar)", problems)]
    # kr and report signs; `sums` (for the control total) stay as the file has them
    factor = AMOUNT_UNITS[out.stated.amount_unit] * (-1.0 if signs == "ledger" else 1.0)
    sums = {}
    for measure, c in measure_cols:
        column = sheet.column(data, c)
        amounts: list[Any] | None
        if plain_numbers(column):
            amounts = column  # the common case: every cell a number
        else:  # a column of text amounts, as some ledger exports write them, or None
            amounts = plain_texts(column) if column and type(column[0]) is str else None
        if amounts is not None:
            sums[measure] = sum(amounts)
            out.amounts[measure] = _scaled(amounts, factor)
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
        out.amounts[measure] = _scaled(amounts, factor)
    for measure in MEASURES:
        if measure not in columns:  # not delivered: empty, never 0
            out.amounts[measure] = array("d", [math.nan]) * len(data)
    # A row or cell already refused is missing from the sums: the control total would
    # only repeat that error, once per measure, so it is checked on a sheet read whole.
    if control is not None and not any(p.is_error for p in problems):
        problems += check_control(sheet, control, sums, measure_cols, MEASURE_NAMES, out.stated.amount_unit)
    return problems


def _no_errors(sheet: Sheet, data: list[int], c: int | None, what: str, problems: list[Problem]) -> list:
    """The column's cells in the data rows; an Excel error value among them is a
    problem naming its cell, and is read as empty."""
    column = sheet.column(data, c)
    if c is not None and any(type(v) is CellError for v in column):
        for i, (r, v) in enumerate(zip(data, column)):
            if type(v) is CellError:
                problems.append(error_value(sheet, r, c, v, what))
                column[i] = ""
    return column


def _scaled(amounts: list[Any], factor: float) -> array:
    """Amounts in kr and report signs; a 0 turned round stays 0, not -0. From tkr or
    mkr, kr to the ten-thousandth: 4 147,9 tkr is 4 147 900 kr, not the 4 147 899,9999999995
    that multiplying the binary 4147.9 by 1 000 gives."""
    if factor == 1.0:
        return array("d", amounts)
    if factor == -1.0:
        return array("d", [a * factor + 0.0 for a in amounts])
    scale = factor * _KR_PARTS
    if not amounts or max(map(abs, amounts)) * abs(scale) < _ROUNDS:
        # round to a whole number of 1/10 000 kr as the floating-point unit does: adding
        # and taking away 1.5 * 2**52 leaves the nearest integer (the same as `round`)
        return array("d", [((a * scale + _ROUNDING) - _ROUNDING) / _KR_PARTS for a in amounts])
    return array("d", [round(a * scale) / _KR_PARTS for a in amounts])


_KR_PARTS = 10_000  # amounts converted from tkr or mkr are rounded to 1/10 000 kr
_ROUNDING = 1.5 * 2.0**52
_ROUNDS = 2.0**51  # below this, adding `_ROUNDING` rounds to an integer


def _names(sheet: Sheet, data: list[int], c: int | None, codes: list[tuple[str, str]]) -> list[str]:
    """The account's name from its own column, else from after the code in its cell."""
    names = []
    for v, (_, name) in zip(sheet.column(data, c), codes):
        text = v.strip() if type(v) is str else "" if is_blank(v) else str(v).strip()
        names.append(text or name)
    return shared_all(names)


def read_income_file(path, display: str, sheet_name: str | None, max_bytes: int, labels: dict[str, tuple[str, ...]],
                     default_unit: str, signs: str = "report", data: bytes | None = None
                     ) -> tuple[IncomeRows | None, list[Problem]]:
    """Open and read one income statement workbook (from `data`, its bytes, when they
    have been read already); top level so processes can run it."""
    sheet, problems = open_sheet(path, display, sheet_name, max_bytes, data)
    if sheet is None:
        return None, problems
    rows, more = read_income_sheet(sheet, labels, default_unit, signs)
    if rows is not None:
        rows.sha256, rows.size = sheet.sha256, sheet.size
    return rows, problems + more
