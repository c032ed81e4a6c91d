"""The Kontroller sheet: how many files were read, every check the run made with its
count of errors and warnings and its outcome, then every problem of the run
(severity, check, unit, file, sheet, cell, message); filterable. Files are named
relative to the region's folder; a message about internal trade names its files by
their names only. Everything in
Swedish: a check is shown by what it checks (`problems.CHECKS`), a severity as
"Fel" or "Varning", never by the id the JSON uses. A workbook of one entity's subtree
shows the problems of its units and those of no unit (as the JSON's `checks`)."""

from __future__ import annotations

from pathlib import PurePath

from consolidate.outputs.excel.book import HEADING_POINTS, Book, wrapped_points
from consolidate.outputs.excel.style import Sheet, text
from consolidate.problems import CHECKS, ERROR, WARNING, Problem
from consolidate.vocabulary import SEVERITY_NAMES

OTHER_CHECK = "Övriga kontroller"  # a problem of a check not in CHECKS (never its id)
OTHER_SEVERITY = "Information"  # neither error nor warning, without a name in SEVERITY_NAMES


def check_name(check: str) -> str:
    """A check as a controller reads it: what it checks."""
    return CHECKS.get(check, OTHER_CHECK)


def severity_name(problem: Problem) -> str:
    """"Fel", "Varning", ...; a severity without a Swedish name is an error's "Fel" or
    else "Information" (never the id)."""
    return SEVERITY_NAMES.get(problem.severity) or (SEVERITY_NAMES[ERROR] if problem.is_error else OTHER_SEVERITY)


def is_warning(problem: Problem) -> bool:
    return problem.severity == WARNING


def in_scope(book: Book, problem: Problem) -> bool:
    """The problems of the workbook's subtree: those of its units and of no unit."""
    return not book.scoped or problem.unit is None or problem.unit in book.codes_set


# Column widths, in characters: outcome/severity, check, unit, file, sheet, cell, message.
WIDTHS = (12, 66, 9, 36, 10, 8, 80)


def write(book: Book) -> None:
    """The Kontroller sheet."""
    f = book.f
    problems = [p for p in book.result.problems if in_scope(book, p)]
    ws = book.sheet("Kontroller", "Kontroller", amounts=None)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    errors, warnings = sum(p.is_error for p in problems), sum(is_warning(p) for p in problems)
    held = book.entity_names[book.top] if book.scoped else book.region_name
    row = book.titles(ws, f"Kontroller {held}", f"ack. {book.period}",
                      counts(len(book.result.files), errors, warnings))
    row = checks_run(book, ws, row, problems) + 1
    header = row
    headings = ["Allvarlighet", "Kontroll", "Enhet", "Fil", "Blad", "Cell", "Meddelande"]
    ws.taller(row, HEADING_POINTS)
    for col, heading in enumerate(headings):
        ws.write_string(row, col, heading, f.head)
    row += 1
    if not problems:
        ws.write_string(row, 0, "Inga fel eller varningar.", f.note)
        row += 1
    for p in problems:
        file, message = book.shown_file(p.file), shown_message(p)
        ws.taller(row, wrapped_points(((file, WIDTHS[3]), (message, WIDTHS[6]))))
        ws.write_string(row, 0, severity_name(p), f.label_bold if p.is_error else f.label)
        ws.write_string(row, 1, check_name(p.check), f.label)
        ws.write_string(row, 2, text(p.unit), f.label)
        ws.write_string(row, 3, file, f.wrap)
        ws.write_string(row, 4, text(p.sheet), f.label)
        ws.write_string(row, 5, text(p.cell), f.label)
        ws.write_string(row, 6, message, f.wrap)
        row += 1
    ws.freeze_panes(header + 1, 0)
    ws.repeat_rows(header)
    if problems:
        ws.autofilter(header, 0, row - 1, len(headings) - 1)


def shown_message(problem: Problem) -> str:
    """A problem's message; one about internal trade names its files by their names
    only (the Internhandel sheet lists them with their folders), not by whole paths
    that would run over several lines."""
    message = text(problem.message)
    if problem.check == "internal_mismatch":
        for file in sorted(problem.extra.get("files") or (), key=len, reverse=True):
            name = PurePath(str(file)).name
            if name:
                message = message.replace(text(file), name)
    return message


def counts(files: int, errors: int, warnings: int) -> str:
    """"57 filer lästa: 0 fel, 1 varning"."""
    return (f"{files} {'fil' if files == 1 else 'filer'} {'läst' if files == 1 else 'lästa'}: "
            f"{errors} fel, {warnings} {'varning' if warnings == 1 else 'varningar'}")


def checks_run(book: Book, ws: Sheet, row: int, problems: list[Problem]) -> int:
    """The checks this run made, each with its outcome; returns the next free row.
    (Column A, narrow, holds the outcome; B the check; C and D the counts.)"""
    f = book.f
    for col, heading in enumerate(["Utfall", "Kontroll", "Fel", "Varningar"]):
        ws.write_string(row, col, heading, f.head if col < 2 else f.head_num)
    for kind, name in CHECKS.items():
        row += 1
        errors = sum(p.is_error for p in problems if p.check == kind)
        warnings = sum(is_warning(p) for p in problems if p.check == kind)
        outcome = SEVERITY_NAMES[ERROR] if errors else SEVERITY_NAMES[WARNING] if warnings else "OK"
        ws.write_string(row, 0, outcome, f.label_bold if errors else f.label)
        ws.write_string(row, 1, name, f.label)
        ws.write_number(row, 2, errors, f.int)
        ws.write_number(row, 3, warnings, f.int)
    return row + 1
