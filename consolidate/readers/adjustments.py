"""Reading a period's adjustments file (SPEC §14): top-side adjustments a controller
makes at any entity of the tree (a unit, an administration, the region), one row each.

Columns, found by their labels like a delivery's (`layout.find_header`): `Enhet`, `Rad`
(a detail line of the chart) or `Konto` (mapped by the chart), any of the six measure
columns of SPEC §1, `Text` (required) and `Signatur` (optional). Amounts are in the
unit the title block or the labels state (`Belopp i tkr`, `Utfall (tkr)`), else in
`[inputs] amount_unit`, and in report signs (revenue +, cost −); they are converted
to kr here.

A workbook is opened as safely as a delivery (`workbook.open_sheet`); a CSV file is
read as the configuration's tables are (`tables`: the csv module, UTF-8 or
Windows-1252, `;`, `,` or tab). What the rows mean (is the entity in the tree, the
line in the chart?) is judged in `core.adjustments`; here a row is only read, and a
cell that cannot be read is a problem naming it (check `adjustment`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from consolidate.config.region import Config
from consolidate.problems import ConfigError, Problem, cell_name
from consolidate.readers.cells import amount_cell, error_value
from consolidate.readers.files import display_name
from consolidate.readers.income import account_code
from consolidate.readers.layout import SheetRows, code_text, control_total, describe, find_header, is_total_row
from consolidate.readers.numbers import is_blank, parse_text
from consolidate.readers.tables import _csv_sheet
from consolidate.readers.workbook import CellError, Sheet, open_sheet
from consolidate.vocabulary import AMOUNT_UNITS, INCOME_LABELS, MEASURE_NAMES, MEASURES

# The labels of the file's columns; a measure's are those of an income statement.
LABELS: dict[str, tuple[str, ...]] = {
    "entity": ("Enhet", "Ansvar"),
    "line": ("Rad",),
    "account": ("Konto",),
    **{m: INCOME_LABELS[m] for m in MEASURES},
    "text": ("Text",),
    "signature": ("Signatur",),
}
REQUIRED = ("entity", "text")
_KR_PARTS = 10_000  # amounts converted from tkr or mkr are kept to 1/10 000 kr, as a delivery's


@dataclass(frozen=True)
class Adjustment:
    """One row of the file as read: what it says, and the cell of each part."""

    row: int  # in the sheet, from 1
    entity: str
    entity_cell: str
    line: str  # "" when the row gives an account instead
    line_cell: str | None
    account: str  # "" when the row gives a line
    account_cell: str | None
    amounts: dict[str, float]  # kr, for the measures the row gives (a measure left empty is not adjusted)
    cells: dict[str, str]  # the A1 cell of each amount
    text: str
    signature: str


@dataclass
class AdjustmentRows(SheetRows):
    """The adjustments of one file; `stated` says its amount unit and period."""

    entries: list[Adjustment] = field(default_factory=list)


@dataclass
class AdjustmentFile:
    """The period's adjustments file as read: its rows (None when it could not be
    read) and its problems; `sha256` and `size` of the bytes read, for the close."""

    path: Path
    display: str
    rows: AdjustmentRows | None
    problems: list[Problem]
    sha256: str = ""
    size: int = 0


def adjustments_path(config: Config, period: str) -> Path | None:
    """The period's adjustments file as `[inputs] adjustments` names it; None when the
    key is not set."""
    pattern = config.inputs.adjustments
    return None if pattern is None else config.resolve(pattern, period)


def read_period_adjustments(config: Config, period: str) -> AdjustmentFile | None:
    """The period's adjustments, or None when the region has no `[inputs] adjustments`
    or the period has no such file (a month without adjustments)."""
    path = adjustments_path(config, period)
    if path is None or not path.is_file():
        return None
    inputs = config.inputs
    return read_adjustments(path, display_name(path), period, inputs.amount_unit, inputs.max_workbook_bytes)


def read_adjustments(path: Path, display: str, period: str, default_unit: str, max_bytes: int) -> AdjustmentFile:
    """Read one adjustments file (.xlsx, .xlsm, .xls, .ods or .csv)."""
    if path.suffix.lower() == ".csv":
        try:
            sheet: Sheet | None = _csv_sheet(path, display, LABELS, REQUIRED, max_bytes)
        except ConfigError as exc:
            return AdjustmentFile(path, display, None, [Problem(exc.message, file=display, check="adjustment")])
        problems: list[Problem] = []
    else:
        sheet, problems = open_sheet(path, display, None, max_bytes)
    if sheet is None:
        return AdjustmentFile(path, display, None, problems)
    rows, more = read_adjustment_sheet(sheet, period, default_unit)
    return AdjustmentFile(path, display, rows, problems + more, sheet.sha256, sheet.size)


def read_adjustment_sheet(sheet: Sheet, period: str, default_unit: str) -> tuple[AdjustmentRows | None, list[Problem]]:
    """The sheet's adjustments in kr; every cell that cannot be read is a problem."""
    header = find_header(sheet, LABELS, REQUIRED)
    if header is None or not all(key in header.columns for key in REQUIRED):
        empty = not any(any(not is_blank(v) for v in row) for row in sheet.rows)
        what = "filen är tom" if empty else (
            "ingen rubrikrad med Enhet och Text bland de 30 första raderna; kolumnerna är Enhet, Rad eller Konto, "
            "beloppen (Utfall, Budget, Utfall fg år, Årsbudget, Prognos, Bokslut fg år), Text och Signatur")
        return None, [sheet.problem(None, None, what, check="adjustment")]
    rows = AdjustmentRows(sheet.file, sheet.name)
    problems = describe(rows, sheet, header, default_unit)
    columns = header.columns
    if rows.stated.period is not None and rows.stated.period != period:
        problems.append(Problem(f"filen gäller perioden {rows.stated.period}, inte {period}", file=sheet.file,
                                sheet=sheet.name or None, cell=rows.stated.period_cell, check="adjustment"))
    if "line" not in columns and "account" not in columns:
        problems.append(sheet.problem(header.row, None, "kolumnen Rad (en rad i kontoplanen) eller Konto saknas; "
                                                        "en justering bokas på en rad", check="adjustment"))
    measure_cols = [(m, columns[m]) for m in MEASURES if m in columns]
    if not measure_cols:
        problems.append(sheet.problem(header.row, None, "ingen beloppskolumn (Utfall, Budget, Utfall fg år, "
                                                        "Årsbudget, Prognos eller Bokslut fg år)", check="adjustment"))
    if any(p.is_error for p in problems):
        return rows, problems
    factor = AMOUNT_UNITS[rows.stated.amount_unit]
    used = [columns[k] for k in ("entity", "line", "account", "text", "signature") if k in columns]
    used += [c for _, c in measure_cols]
    for r in range(header.row + 1, len(sheet.rows)):
        cells = sheet.rows[r]
        if all(c >= len(cells) or is_blank(cells[c]) for c in used):
            continue
        if is_total_row(sheet, r) and not _text(sheet.value(r, columns["text"])):
            control_total(sheet, r, measure_cols, problems)  # a sum row: not an adjustment (its errors are said)
            continue
        entry = _row(sheet, r, columns, measure_cols, factor, problems)
        if entry is not None:
            rows.entries.append(entry)
    return rows, problems


def _row(sheet: Sheet, r: int, columns: dict[str, int], measure_cols: list[tuple[str, int]], factor: float,
         problems: list[Problem]) -> Adjustment | None:
    """One adjustment, or None with its problems."""
    found: list[Problem] = []
    entity = _code(sheet, r, columns["entity"], "enheten", found)
    if entity == "" and not any(p.cell == cell_name(r, columns["entity"]) for p in found):
        found.append(sheet.problem(r, columns["entity"], "Enhet saknas: ange koden för den enhet, förvaltning "
                                                         "eller region som justeringen gäller", check="adjustment"))
    line = _code(sheet, r, columns["line"], "raden", found) if "line" in columns else ""
    account = ""
    if "account" in columns:
        value = sheet.value(r, columns["account"])
        if isinstance(value, CellError):
            found.append(error_value(sheet, r, columns["account"], value, "kontot"))
        elif not is_blank(value):
            code = account_code(value)
            if code is None:
                found.append(sheet.problem(r, columns["account"], f"kontot {_shown(value)} är inget konto med "
                                                                  "3–6 siffror", check="adjustment"))
            else:
                account = code[0]
    if not line and not account and not found:
        named = [(columns[key], name) for key, name in (("line", "Rad"), ("account", "Konto")) if key in columns]
        what = " eller ".join(name for _, name in named)
        found.append(sheet.problem(r, named[0][0], f"{what} saknas: ange raden i kontoplanen som justeringen bokas på",
                                   check="adjustment"))
    amounts: dict[str, float] = {}
    cells: dict[str, str] = {}
    for measure, c in measure_cols:
        value = sheet.value(r, c)
        if is_blank(value) and not isinstance(value, CellError):
            unsaved = sheet.unsaved_formula(r, c, value) if sheet.uncached else None
            if unsaved is not None:
                found.append(unsaved)
            continue
        if type(value) is float and math.isfinite(value):
            number = value
        elif type(value) is str and (parsed := parse_text(value)) is not None:
            number = parsed
        else:
            before = len(found)
            number = amount_cell(sheet, r, c, found)
            if len(found) > before:
                continue
        amounts[measure] = number if factor == 1.0 else round(number * factor * _KR_PARTS) / _KR_PARTS
        cells[measure] = cell_name(r, c)
    if not amounts and not any(p.cell in {cell_name(r, c) for _, c in measure_cols} for p in found):
        names = ", ".join(MEASURE_NAMES[m] for m, _ in measure_cols)
        found.append(sheet.problem(r, measure_cols[0][1], f"raden har inget belopp; ange beloppet under {names}",
                                   check="adjustment"))
    text_value = sheet.value(r, columns["text"])
    if isinstance(text_value, CellError):
        found.append(error_value(sheet, r, columns["text"], text_value, "texten"))
    text = _text(text_value)
    if not text and not isinstance(text_value, CellError):
        found.append(sheet.problem(r, columns["text"], "Text saknas: varje justering ska säga varför den görs",
                                   check="adjustment"))
    signature = ""
    if "signature" in columns:
        value = sheet.value(r, columns["signature"])
        if isinstance(value, CellError):
            found.append(error_value(sheet, r, columns["signature"], value, "signaturen"))
        else:
            signature = _text(value)
    problems += [_as_adjustment(p) for p in found]
    if found:
        return None
    return Adjustment(r + 1, entity, cell_name(r, columns["entity"]), line,
                      cell_name(r, columns["line"]) if line else None, account,
                      cell_name(r, columns["account"]) if account else None, amounts, cells, text, signature)


def _as_adjustment(problem: Problem) -> Problem:
    """A problem of a row, under the check of the adjustments file."""
    if problem.check == "adjustment":
        return problem
    return Problem(problem.message, problem.file, problem.sheet, problem.cell, problem.unit, problem.severity,
                   "adjustment", problem.extra)


def _code(sheet: Sheet, r: int, c: int, what: str, problems: list[Problem]) -> str:
    value = sheet.value(r, c)
    if isinstance(value, CellError):
        problems.append(error_value(sheet, r, c, value, what))
        return ""
    return "" if is_blank(value) else code_text(value)


def _text(value: object) -> str:
    """A text cell's text as one stripped string ("" for an empty cell or an error value)."""
    if isinstance(value, CellError) or is_blank(value):
        return ""
    return code_text(value) if not isinstance(value, str) else value.strip()


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")
