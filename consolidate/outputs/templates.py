"""Reporting templates to send to the units (SPEC §12): for each unit an income
statement and a staffing sheet, written with XlsxWriter, read back by `run` like any
other delivery.

Each has its title block filled in (Ansvar with the unit's name, Period, Belopp i …),
the header row of the deliveries (the first label of each column in the vocabulary),
and one row per account (income) or per Kön and Åldersgrupp (staffing), so that the
unit fills in amounts only. Amount cells accept numbers only (Excel's data validation,
with a Swedish message). There are no formulas: a total row would be one more thing a
unit could break, and `run` sums the rows itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from consolidate.runtime.atomic import atomic_path
from consolidate.sanitize import plain
from consolidate.vocabulary import AGE_BANDS, INCOME_LABELS, MEASURES, STAFF_BASE_LABELS, STAFF_LABELS

_AMOUNT_LIMIT = 1e15  # well beyond any region's amounts in kr, and exact in a float
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


@dataclass(frozen=True)
class Template:
    unit: str
    name: str
    accounts: list[tuple[str, str]]  # (account code, its name) in order


def template_names(unit: str, period: str) -> tuple[str, str]:
    """`{code}_resultat_{period}.xlsx` and `{code}_personal_{period}.xlsx`."""
    code = _UNSAFE.sub("_", unit).strip(". ") or "_"
    return f"{code}_resultat_{period}.xlsx", f"{code}_personal_{period}.xlsx"


def write_templates(directory: Path, templates: list[Template], period: str, amount_unit: str,
                    staffing: bool = True) -> list[Path]:
    """Both templates of every unit into `directory`, each written whole or not at all."""
    written = []
    for template in templates:
        income_name, staffing_name = template_names(template.unit, period)
        written.append(_write(directory / income_name, lambda book, t=template: _income(book, t, period, amount_unit)))
        if staffing:
            written.append(_write(directory / staffing_name, lambda book, t=template: _staffing(book, t, period)))
    return written


def _write(target: Path, fill) -> Path:
    with atomic_path(target) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {
            "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        })
        try:
            fill(book)
        finally:
            book.close()
    return target


def _formats(book):
    return {
        "title": book.add_format({"bold": True, "font_size": 12}),
        "label": book.add_format({"bold": True}),
        "header": book.add_format({"bold": True, "bottom": 1, "bg_color": "#DDEBF7", "text_wrap": True,
                                   "valign": "top"}),
        "text": book.add_format({"num_format": "@"}),
        "amount": book.add_format({"num_format": "#,##0", "bg_color": "#FFFFE0", "border": 1,
                                   "border_color": "#D9D9D9"}),  # Excel shows the reader's separators
        "figure": book.add_format({"num_format": "General", "bg_color": "#FFFFE0", "border": 1,
                                   "border_color": "#D9D9D9"}),
        "note": book.add_format({"italic": True, "font_color": "#595959"}),
    }


def _title(sheet, f, unit: str, name: str, period: str, amount_unit: str | None) -> int:
    """The title block: Ansvar, Period and (for income) Belopp i …; returns the header row."""
    sheet.write_string(0, 0, "Ansvar:", f["label"])
    sheet.write_string(0, 1, plain(f"{unit} {name}".strip()), f["title"])
    sheet.write_string(1, 0, "Period:", f["label"])
    sheet.write_string(1, 1, period, f["text"])
    row = 2
    if amount_unit is not None:
        sheet.write_string(row, 0, f"Belopp i {amount_unit}", f["label"])
        row += 1
    sheet.write_string(row, 0, "Fyll i beloppen i de gula cellerna. Lägg till rader för konton som saknas; "
                                "ändra inte rubrikerna.", f["note"])
    return row + 2


def _validate(sheet, first_row: int, last_row: int, first_col: int, last_col: int, what: str) -> None:
    if last_row < first_row:
        return
    sheet.data_validation(first_row, first_col, last_row, last_col, {
        "validate": "decimal", "criteria": "between", "minimum": -_AMOUNT_LIMIT, "maximum": _AMOUNT_LIMIT,
        "ignore_blank": True,
        "error_title": "Bara tal", "error_message": f"Skriv {what} som ett tal, t.ex. 1234 eller -1234,5.",
        "input_title": "Belopp", "input_message": f"{what.capitalize()} som tal.",
    })


def _income(book, template: Template, period: str, amount_unit: str) -> None:
    f = _formats(book)
    sheet = book.add_worksheet("Resultat")
    header_row = _title(sheet, f, template.unit, template.name, period, amount_unit)
    labels = [INCOME_LABELS["account"][0], INCOME_LABELS["name"][0], *(INCOME_LABELS[m][0] for m in MEASURES)]
    for c, label in enumerate(labels):
        sheet.write_string(header_row, c, label, f["header"])
    for r, (account, name) in enumerate(template.accounts, start=header_row + 1):
        sheet.write_string(r, 0, plain(account), f["text"])
        sheet.write_string(r, 1, plain(name), f["text"])
        for c in range(2, len(labels)):
            sheet.write_blank(r, c, None, f["amount"])
    last = header_row + len(template.accounts)
    _validate(sheet, header_row + 1, last + 50, 2, len(labels) - 1, "beloppet")
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, len(labels) - 1, 14)
    sheet.freeze_panes(header_row + 1, 2)


def _staffing(book, template: Template, period: str) -> None:
    f = _formats(book)
    sheet = book.add_worksheet("Personal")
    header_row = _title(sheet, f, template.unit, template.name, period, None)
    measures = [k for base in STAFF_BASE_LABELS for k in (base, f"{base}_prior")]
    labels = [STAFF_LABELS["gender"][0], STAFF_LABELS["age_band"][0], *(STAFF_LABELS[m][0] for m in measures)]
    for c, label in enumerate(labels):
        sheet.write_string(header_row, c, label, f["header"])
    rows = [(gender, band) for gender in ("K", "M") for band in AGE_BANDS]
    for r, (gender, band) in enumerate(rows, start=header_row + 1):
        sheet.write_string(r, 0, gender, f["text"])
        sheet.write_string(r, 1, band, f["text"])
        for c in range(2, len(labels)):
            sheet.write_blank(r, c, None, f["figure"])
    _validate(sheet, header_row + 1, header_row + len(rows), 2, len(labels) - 1, "värdet")
    sheet.set_column(0, 1, 12)
    sheet.set_column(2, len(labels) - 1, 15)
    sheet.set_row(header_row, 45)
    sheet.freeze_panes(header_row + 1, 2)
