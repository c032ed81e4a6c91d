"""The Kontroller sheet: how many files were read, every check the run made with its
count of errors and warnings and its outcome, then every problem of the run
(severity, check, unit, file, sheet, cell, message); filterable."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from consolidate.outputs.excel.book import Book, column_width
from consolidate.outputs.excel.style import text
from consolidate.problems import CHECKS, Problem
from consolidate.vocabulary import SEVERITY_NAMES


def write(book: Book) -> None:
    """The Kontroller sheet."""
    f = book.f
    problems = book.result.problems
    ws = book.sheet("Kontroller", "Kontroller")
    errors = sum(p.is_error for p in problems)
    row = book.titles(ws, f"Kontroller {book.region_name}", f"ack. {book.period}",
                      f"{len(book.result.files)} filer lästa: {errors} fel, {len(problems) - errors} varningar")
    row = checks_run(book, ws, row, problems) + 1
    header = row
    headings = ["Allvarlighet", "Kontroll", "Enhet", "Fil", "Blad", "Cell", "Meddelande"]
    for col, heading in enumerate(headings):
        ws.write_string(row, col, heading, f.head)
    row += 1
    if not problems:
        ws.write_string(row, 0, "Inga fel eller varningar.", f.note)
        row += 1
    files = []
    for p in problems:
        severity = SEVERITY_NAMES.get(p.severity, text(p.severity))
        ws.write_string(row, 0, severity, f.label_bold if p.is_error else f.label)
        ws.write_string(row, 1, text(p.check), f.label)
        ws.write_string(row, 2, text(p.unit), f.label)
        file = text(p.file)
        files.append(file)
        ws.write_string(row, 3, file, f.wrap)
        ws.write_string(row, 4, text(p.sheet), f.label)
        ws.write_string(row, 5, text(p.cell), f.label)
        ws.write_string(row, 6, text(p.message), f.wrap)
        row += 1
    ws.freeze_panes(header + 1, 0)
    ws.repeat_rows(header)
    if problems:
        ws.autofilter(header, 0, row - 1, len(headings) - 1)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, column_width([p.check for p in problems], minimum=12, cap=30))
    ws.set_column(2, 2, 9)
    ws.set_column(3, 3, column_width(files, minimum=12, cap=40))
    ws.set_column(4, 5, 10)
    ws.set_column(6, 6, 100)


def checks_run(book: Book, ws: Worksheet, row: int, problems: list[Problem]) -> int:
    """The checks this run made, each with its outcome; returns the next free row."""
    f = book.f
    for col, heading in enumerate(["Kontroll", "Vad den prövar", "Fel", "Varningar", "Utfall"]):
        ws.write_string(row, col, heading, f.head)
    for kind, question in CHECKS.items():
        row += 1
        errors = sum(p.is_error for p in problems if p.check == kind)
        warnings = sum(not p.is_error for p in problems if p.check == kind)
        ws.write_string(row, 0, kind, f.label)
        ws.write_string(row, 1, question, f.label)
        ws.write_number(row, 2, errors, f.int)
        ws.write_number(row, 3, warnings, f.int)
        outcome = "Fel" if errors else "Varning" if warnings else "OK"
        ws.write_string(row, 4, outcome, f.label_bold if errors else f.label)
    return row + 1
