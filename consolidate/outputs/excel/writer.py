"""The Excel workbook for distribution (SPEC §6).

One `.xlsx` per run, `{region}_{period}.xlsx`, written with XlsxWriter in
constant-memory mode (every sheet strictly row by row) to a temporary file beside the
target and renamed into place, so a reader never sees half a file.

Sheets, in order, each written by a module of its own from a `book.Book`:
- the region's report, with the driftredovisning per administration and a bar chart of
  the budget variance per administration (`region`);
- one sheet per administration: its report and, below it, every entity under it
  (intermediate levels and units); when there are many, they get their own sheet
  (`administrations`);
- Driftredovisning: one row per entity of the whole tree (`driftredovisning`);
- Personal: staffing per entity (when the run read any) (`personal`);
- Internhandel: internal trade whose sides disagree, and what was eliminated where
  (`internhandel`);
- Kontroller: every problem of the run (`kontroller`);
- Data: one row per entity, report, report row and measure, amounts in kr, for pivots
  (`data`, its rows streamed into the package by `stream`).

Report sheets show amounts divided by the display unit at full precision; Excel's
number format (and the reader's locale) does the rounding and the separators.
Everything that comes from input files or configuration is written with
`write_string` after control characters are removed: it is text, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import xlsxwriter

from consolidate import __version__
from consolidate.core.period import Result
from consolidate.outputs.excel import (
    administrations,
    data,
    driftredovisning,
    internhandel,
    kontroller,
    personal,
    region,
)
from consolidate.outputs.excel.book import Book
from consolidate.outputs.excel.stream import DataRows, package
from consolidate.outputs.excel.style import FIXED_SHEETS, text
from consolidate.outputs.excel.xlsxwriter_private import mark_closed
from consolidate.runtime.atomic import atomic_path
from consolidate.vocabulary import AMOUNT_UNITS


def workbook_name(result: Result) -> str:
    """`{region code}_{period}.xlsx`, with characters no file name may hold replaced."""
    code = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", result.config.region_code).strip(". ") or "region"
    return f"{code}_{result.period}.xlsx"


def write_sheets(book: Book) -> DataRows:
    """Every sheet, in order, and the document properties; returns the Data rows,
    which go into the package after XlsxWriter has written it."""
    for fixed in FIXED_SHEETS:
        book.names.reserve(fixed)
    region_sheet = book.names.make(book.region_name, fallback="Region")
    plan = administrations.plan(book)
    region.write(book, region_sheet)
    administrations.write(book, plan)
    driftredovisning.write(book)
    personal.write(book)
    internhandel.write(book)
    kontroller.write(book)
    rows = data.write(book)
    book.workbook.worksheets()[0].activate()
    properties(book)
    return rows


def properties(book: Book) -> None:
    """The document's properties: title, subject, author, ...; and custom ones for
    the period, the region, the amount unit and the version that wrote it."""
    workbook = book.workbook
    title = f"{book.region_name} – {text(book.report)}, ack. {book.period}"
    created = book.created.strftime("%Y-%m-%d %H:%M")
    workbook.set_properties({
        "title": title,
        "subject": f"Period {book.period}",
        "author": "consolidate",
        "company": book.region_name,
        "category": "Månadsuppföljning",
        "keywords": f"{book.config.region_code}, {book.period}, driftredovisning",
        "comments": f"Skapad av consolidate {__version__} {created} UTC; belopp i {book.unit}",
        "created": book.created,
    })
    workbook.set_custom_property("Period", book.period)
    workbook.set_custom_property("Region", text(book.config.region_code))
    workbook.set_custom_property("Beloppsenhet", book.unit)
    workbook.set_custom_property("Version", __version__)


def write_report(result: Result, directory: Path, unit: str, report_name: str | None = None,
                 place: Callable[[Path], AbstractContextManager[Path]] = atomic_path) -> Path:
    """Write the workbook into `directory` (temporary file, then rename); return its path.

    `place` gives the temporary file and puts it in place (a close's `Staging.path`
    leaves the renaming until the close is recorded)."""
    if result.rows is None or result.consolidated is None:
        raise ValueError("nothing was consolidated: the workbook needs a run without errors")
    if unit not in AMOUNT_UNITS:
        raise ValueError(f"unknown amount unit {unit!r}")
    report = result.config.chart.report(report_name)
    if report is None:
        raise ValueError(f"unknown report {report_name!r}")
    target = Path(directory) / workbook_name(result)
    with place(target) as tmp:  # hidden temporary file beside it, fsync, rename
        workbook = None
        try:
            buffer = io.BytesIO()
            workbook = xlsxwriter.Workbook(buffer, {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            })
            created = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
            rows = write_sheets(Book(workbook, result, unit, report.name, created))
            workbook.close()
            package(workbook, buffer, str(tmp), rows)
        except BaseException:
            if workbook is not None:
                mark_closed(workbook)  # no second attempt to write from the destructor
            raise
    return target
