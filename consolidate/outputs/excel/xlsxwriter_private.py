"""Every use of XlsxWriter's internals, in one place.

The workbook leans on a few things XlsxWriter does not document: the streamed Data
sheets (`stream`) put their texts into XlsxWriter's shared-string table and their
rows into the sheet XML XlsxWriter wrote, so they need the table, a format's cell
style index, the package part of a worksheet and the exact text of that XML. Each is
wrapped here in a small function or constant, named for what it does, and
`tests/test_xlsxwriter_private.py` checks every one of them against the installed
XlsxWriter: a new version that changes any of them fails that test, not a workbook.
"""

from __future__ import annotations

from collections.abc import Iterable

import xlsxwriter
import xlsxwriter.format
import xlsxwriter.worksheet

# The end of the <sheetData> element in a worksheet's XML, as XlsxWriter writes it;
# the streamed rows go right before it.
SHEET_DATA_END = "</sheetData>"


def dimension(ref: str) -> str:
    """The <dimension> element of a worksheet's XML exactly as XlsxWriter writes it
    (`Worksheet._write_dimension`: one attribute, self-closing, no space), e.g.
    `<dimension ref="A1:H1"/>` for a sheet whose only cells are A1:H1."""
    return f'<dimension ref="{ref}"/>'


def holds_inline_text(xml: str, text: str) -> bool:
    """Whether a worksheet's XML holds a text written into one of its cells: in
    `constant_memory` mode XlsxWriter writes a cell's text inline (`<is><t>…</t></is>`),
    not as an index into the shared strings. (Plain text: no XML escaping needed.)"""
    return text in xml


def add_worksheet(
    book: xlsxwriter.Workbook, name: str, worksheet_class: type[xlsxwriter.worksheet.Worksheet],
) -> xlsxwriter.worksheet.Worksheet:
    """A new worksheet made of a subclass of XlsxWriter's `Worksheet`: the
    `worksheet_class` argument of `Workbook.add_worksheet` is not in its documentation."""
    return book.add_worksheet(name, worksheet_class=worksheet_class)


def xf_index(cell_format: xlsxwriter.format.Format) -> int:
    """The cell style index (`s` attribute of a cell) XlsxWriter gives a format: its
    private `Format._get_xf_index()`, which numbers a format the first time it is used
    and gives the same number to every cell written with it afterwards."""
    return int(cell_format._get_xf_index())


def share_strings(book: xlsxwriter.Workbook, texts: Iterable[str]) -> dict[str, int]:
    """Put the texts into the workbook's shared-string table (`Workbook.str_table`, a
    `SharedStringTable`, through its private `_get_shared_string_index`); return each
    text's index there. XlsxWriter writes the table into xl/sharedStrings.xml at close.
    Each call counts one reference per text (see `add_shared_string_references`)."""
    index = book.str_table._get_shared_string_index
    return {text: index(text) for text in texts}


def add_shared_string_references(book: xlsxwriter.Workbook, references: int) -> None:
    """Count more references to the shared strings (`SharedStringTable.count`, the
    `count` attribute of xl/sharedStrings.xml; XlsxWriter writes the table only when
    it is not 0): cells written outside XlsxWriter that refer to the table."""
    book.str_table.count += references


def is_chartsheet(sheet: xlsxwriter.worksheet.Worksheet) -> bool:
    """Whether a sheet of `Workbook.worksheets()` is a chart sheet (XlsxWriter's
    `is_chartsheet` attribute): those are numbered apart from the worksheets."""
    return bool(sheet.is_chartsheet)


def worksheet_part(book: xlsxwriter.Workbook, ws: xlsxwriter.worksheet.Worksheet) -> str:
    """The package part XlsxWriter's `Packager` gives a worksheet:
    `xl/worksheets/sheet{n}.xml`, n counting the worksheets (not the chart sheets) of
    `Workbook.worksheets()` in order from 1."""
    index = 0
    for sheet in book.worksheets():
        if is_chartsheet(sheet):
            continue
        index += 1
        if sheet is ws:
            return f"xl/worksheets/sheet{index}.xml"
    raise LookupError(ws.name)


def mark_closed(book: xlsxwriter.Workbook) -> None:
    """Set the workbook's private `fileclosed` flag: a later `close()` (older versions:
    the destructor) does not try to write the package after a failed write."""
    book.fileclosed = True
