"""The Excel workbook for distribution (SPEC §6).

One `.xlsx` per run, named after what it holds (`workbook_name`):
`{region}_{period}.xlsx`, `{region}_{entity}_{period}.xlsx` for one entity's subtree,
and `_{report}` and `_{unit}` after the period for another report or display unit
than the configured ones (`REG_HSF_2026-04_mkr.xlsx`), so a run for one entity or in
another unit never overwrites the region's workbook. Written with XlsxWriter in
constant-memory mode (every sheet strictly row by row) to a temporary file beside the
target and renamed into place, so a reader never sees half a file.

Sheets, in order, each written by a module of its own from a `book.Book`:
- the region's report, with the driftredovisning per administration and a bar chart of
  the budget variance per administration (`region`);
- one sheet per administration: its report and, below it, every entity under it
  (intermediate levels and units); when there are many, they get their own sheet
  (`administrations`);
- Driftredovisning: one row per entity of the whole tree (`driftredovisning`);
- Personal: staffing as the regions publish it, for the workbook's entity and each
  entity right under it: hours by kind and årsarbetare against last year, sick leave by
  length of spell, Kön and Åldersgrupp, årsarbetare per entity under it and a chart;
  then Personal per enhet: every entity and breakdown with every figure, filterable,
  not printed (`personal`);
- Internhandel: internal trade whose sides disagree, and what was eliminated where
  (`internhandel`);
- Justeringar: the controllers' adjustments of the period, for a region with
  `[inputs] adjustments` (`justeringar`);
- Kontroller: every problem of the run (`kontroller`);
- Data: one row per entity, report, report row and measure, amounts in kr, for pivots
  (`data`, its rows streamed into the package by `stream`); not printed by default;
- Underlag: every source row of the run (unit, account, Motpart, line, the six
  measures in kr, file, sheet, row), filterable (`underlag`, streamed like Data); not
  printed by default.

With an entity (`--entity`), the workbook holds that entity's subtree only: its own
sheet first (its report and every entity under it, as an administration's sheet),
then Driftredovisning, Personal, Internhandel, Kontroller, Data and Underlag of its
subtree.
How every sheet prints (page size, what prints, page numbers, charts kept on one
page) is `page`'s.

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
    justeringar,
    kontroller,
    personal,
    region,
    underlag,
    utveckling,
)
from consolidate.outputs.excel.book import Book
from consolidate.outputs.excel.stream import StreamedPart, package
from consolidate.outputs.excel.style import FIXED_SHEETS, text
from consolidate.outputs.excel.xlsxwriter_private import mark_closed
from consolidate.runtime.atomic import atomic_path
from consolidate.vocabulary import AMOUNT_UNITS


def workbook_name(result: Result, entity: str | None = None, unit: str | None = None,
                  report: str | None = None) -> str:
    """`{region}_{period}.xlsx`; `{region}_{entity}_{period}.xlsx` for an entity other
    than the region; then `_{report}` for another report than the chart's first and
    `_{unit}` for another display unit than the configured one. Characters no file
    name may hold are replaced."""
    config = result.config
    parts = [_safe(config.region_code) or "region"]
    if entity is not None and entity != config.tree.root:
        parts.append(_safe(entity) or "enhet")
    parts.append(result.period)
    if report is not None and report.casefold() != config.chart.reports[0].name.casefold():
        parts.append(_safe(report) or "rapport")
    if unit is not None and unit != config.amount_unit:
        parts.append(unit)
    return "_".join(parts) + ".xlsx"


def _safe(part: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", part).strip(". ")


def find_entity(result: Result, entity: str | None) -> str | None:
    """The tree's code of `entity`, matched without regard to case; None for None."""
    if entity is None:
        return None
    entities = result.config.tree.entities
    if entity in entities:
        return entity
    wanted = entity.casefold()
    found = next((code for code in entities if code.casefold() == wanted), None)
    if found is None:
        raise ValueError(f"unknown entity {entity!r}")
    return found


def write_sheets(book: Book) -> list[StreamedPart]:
    """Every sheet, in order, and the document properties; returns the long sheets
    whose rows go into the package after XlsxWriter has written it (Personal per
    enhet, Data, Underlag)."""
    for fixed in FIXED_SHEETS:
        book.names.reserve(fixed)
    region_sheet = None if book.scoped else book.names.make(book.region_name, fallback="Region")
    plan = administrations.plan(book)
    if region_sheet is not None:
        region.write(book, region_sheet)
    administrations.write(book, plan)
    driftredovisning.write(book)
    streamed = personal.write(book)
    utveckling.write(book)
    internhandel.write(book)
    justeringar.write(book)  # only for a region with [inputs] adjustments
    kontroller.write(book)
    streamed += data.write(book).parts()
    streamed += underlag.write(book).parts()
    book.workbook.worksheets()[0].activate()
    properties(book)
    return streamed


def properties(book: Book) -> None:
    """The document's properties: title, subject, author, ...; and custom ones for
    the period, the region, the amount unit and the version that wrote it."""
    workbook = book.workbook
    held = f"{book.entity_names[book.top]} ({text(book.top)}), {book.region_name}" if book.scoped else book.region_name
    title = f"{held} – {text(book.report)}, ack. {book.period}"
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
    if book.scoped:
        workbook.set_custom_property("Enhet", text(book.top))
    workbook.set_custom_property("Beloppsenhet", book.unit)
    workbook.set_custom_property("Version", __version__)


def write_report(result: Result, directory: Path, unit: str, report_name: str | None = None,
                 place: Callable[[Path], AbstractContextManager[Path]] = atomic_path, *,
                 entity: str | None = None) -> Path:
    """Write the workbook into `directory` (temporary file, then rename); return its path.

    `place` gives the temporary file and puts it in place (a close's `Staging.path`
    leaves the renaming until the close is recorded). With `entity` (matched without
    regard to case), the workbook holds that entity's subtree only."""
    if result.rows is None or result.consolidated is None:
        raise ValueError("nothing was consolidated: the workbook needs a run without errors")
    if unit not in AMOUNT_UNITS:
        raise ValueError(f"unknown amount unit {unit!r}")
    report = result.config.chart.report(report_name)
    if report is None:
        raise ValueError(f"unknown report {report_name!r}")
    entity = find_entity(result, entity)
    target = Path(directory) / workbook_name(result, entity, unit, report.name)
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
            streamed = write_sheets(Book(workbook, result, unit, report.name, created, entity))
            workbook.close()
            package(workbook, buffer, str(tmp), streamed)
        except BaseException:
            if workbook is not None:
                mark_closed(workbook)  # no second attempt to write from the destructor
            raise
    return target
