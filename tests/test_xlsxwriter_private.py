"""What the workbook assumes of XlsxWriter's internals (`xlsxwriter_private`), checked
on a tiny workbook written in memory the way the distribution workbook is written
(constant_memory). A new XlsxWriter that changes any of them fails here, saying what."""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile

import pytest
import xlsxwriter
import xlsxwriter.worksheet

from consolidate.outputs.excel import xlsxwriter_private as private

OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
           "strings_to_urls": False}
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HEADINGS = ["Period", "Enhet", "Namn", "Nivå", "Rapport", "Rad", "Mått", "Belopp (kr)"]


class Marked(xlsxwriter.worksheet.Worksheet):
    """A worksheet subclass, as `style.Sheet` is one."""

    made = 0

    def __init__(self) -> None:
        super().__init__()
        Marked.made += 1


def _book() -> tuple[xlsxwriter.Workbook, io.BytesIO]:
    buffer = io.BytesIO()
    return xlsxwriter.Workbook(buffer, OPTIONS), buffer


def _parts(book: xlsxwriter.Workbook, buffer: io.BytesIO) -> dict[str, str]:
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as package:
        return {name: package.read(name).decode("utf-8") for name in package.namelist()}


def _cell_style(xml: str, ref: str) -> int:
    """The `s` attribute of cell `ref` in a sheet's XML (0 when it has none)."""
    match = re.search(rf'<c r="{ref}"([^>]*)>', xml)
    assert match, f"cell {ref} not found in the sheet XML XlsxWriter wrote"
    style = re.search(r'\bs="(\d+)"', match.group(1))
    return int(style.group(1)) if style else 0


def test_worksheet_class_makes_the_sheet_of_the_subclass():
    book, buffer = _book()
    before = Marked.made
    ws = private.add_worksheet(book, "Blad", Marked)
    assert isinstance(ws, Marked) and Marked.made == before + 1, (
        "Workbook.add_worksheet(name, worksheet_class=...) no longer makes the sheet of the given class")
    assert ws.name == "Blad" and book.worksheets() == [ws], "add_worksheet with worksheet_class: name or order changed"
    ws.write_string(0, 0, "i cellen")
    parts = _parts(book, buffer)
    assert "i cellen" in parts["xl/worksheets/sheet1.xml"], (
        "a sheet made with worksheet_class is not written like one made by add_worksheet(name)")


def test_shared_strings_get_their_index_and_are_written_with_the_count():
    book, buffer = _book()
    ws = book.add_worksheet("Blad")
    ws.write_string(0, 0, "inline")  # constant_memory: not in the table
    texts = ["beta", "alfa", "Vård & omsorg <1>"]
    index = private.share_strings(book, texts)
    assert sorted(index) == sorted(texts), "share_strings: not one index per text"
    assert all(isinstance(i, int) for i in index.values()), (
        "SharedStringTable._get_shared_string_index no longer returns an int index")
    assert sorted(index.values()) == list(range(len(texts))), (
        "SharedStringTable._get_shared_string_index: indices are no longer 0, 1, 2, ... in order of first use")
    assert private.share_strings(book, ["alfa"]) == {"alfa": index["alfa"]}, (
        "SharedStringTable._get_shared_string_index gives a known text a new index")
    # 4 references so far (3 texts, "alfa" twice); say the streamed cells make 10 more.
    private.add_shared_string_references(book, 10)
    parts = _parts(book, buffer)
    assert "xl/sharedStrings.xml" in parts, (
        "XlsxWriter no longer writes xl/sharedStrings.xml from Workbook.str_table (or only when count > 0)")
    root = ET.fromstring(parts["xl/sharedStrings.xml"])
    written = ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root.findall(f"{MAIN}si")]
    for text, i in index.items():
        assert written[i] == text, (
            f"shared string {text!r}: index {i} from _get_shared_string_index is not its place in "
            f"sharedStrings.xml ({written})")
    assert root.get("count") == "14", (
        f"sharedStrings.xml count is {root.get('count')}, not SharedStringTable.count (14): "
        "the count attribute no longer comes from str_table.count")
    assert root.get("uniqueCount") == "3", "sharedStrings.xml uniqueCount is not the number of texts"
    assert "inline" not in written, "constant_memory: cell texts now go into the shared strings"


def test_xf_index_is_the_style_a_written_cell_gets():
    book, buffer = _book()
    bold = book.add_format({"bold": True})
    kr = book.add_format({"num_format": "#,##0"})
    unused = book.add_format({"italic": True})
    ws = book.add_worksheet("Blad")
    ws.write_string(0, 0, "rubrik", bold)
    first = private.xf_index(bold)  # after the format was used
    asked = private.xf_index(kr)  # before it was used, as the Data sheets ask for the kr format
    ws.set_column(7, 7, 16, kr)
    ws.write_number(1, 0, 1.5, kr)
    assert private.xf_index(kr) == asked, "Format._get_xf_index gives the same format another index"
    assert private.xf_index(unused) not in (first, asked), "Format._get_xf_index gives two formats one index"
    xml = _parts(book, buffer)["xl/worksheets/sheet1.xml"]
    assert _cell_style(xml, "A1") == first, (
        f"Format._get_xf_index returned {first}, but the cell written with the format got "
        f"s={_cell_style(xml, 'A1')}")
    assert _cell_style(xml, "A2") == asked, (
        f"Format._get_xf_index asked before first use returned {asked}, but the cell written with it "
        f"got s={_cell_style(xml, 'A2')}")
    assert re.search(rf'<col min="8" max="8" width="[\d.]+" style="{asked}"', xml), (
        "the column written with the format does not carry the index Format._get_xf_index gave")


def test_worksheet_parts_count_only_worksheets():
    book, buffer = _book()
    first = book.add_worksheet("Ett")
    chart_sheet = book.add_chartsheet("Diagram")
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": ["Ett", 0, 0, 1, 0]})
    chart_sheet.set_chart(chart)
    second = book.add_worksheet("Två")
    third = book.add_worksheet("Tre")
    assert not private.is_chartsheet(first) and private.is_chartsheet(chart_sheet), (
        "Worksheet.is_chartsheet no longer tells a chart sheet from a worksheet")
    for ws, marker in ((first, "blad ett"), (second, "blad två"), (third, "blad tre")):
        ws.write_string(0, 0, marker)
        ws.write_number(1, 0, 1)
    names = {ws.name: private.worksheet_part(book, ws) for ws in (first, second, third)}
    assert names == {"Ett": "xl/worksheets/sheet1.xml", "Två": "xl/worksheets/sheet2.xml",
                     "Tre": "xl/worksheets/sheet3.xml"}
    with pytest.raises(LookupError):
        private.worksheet_part(book, xlsxwriter.worksheet.Worksheet())
    parts = _parts(book, buffer)
    assert "xl/chartsheets/sheet1.xml" in parts, "chart sheets are no longer numbered apart, in xl/chartsheets/"
    for ws, marker in ((first, "blad ett"), (second, "blad två"), (third, "blad tre")):
        part = names[ws.name]
        assert part in parts, f"XlsxWriter no longer writes worksheet {ws.name!r} to {part}: {sorted(parts)}"
        assert marker in parts[part], f"{part} does not hold worksheet {ws.name!r}: the part numbering changed"


def test_data_sheet_xml_as_the_stream_expects():
    """A sheet set up like a Data sheet: the header A1:H1 written, panes, filter over
    rows still to come, column formats; its XML as `stream.package` splits it."""
    book, buffer = _book()
    head = book.add_format({"bold": True})
    kr = book.add_format({"num_format": "#,##0"})
    ws = private.add_worksheet(book, "Data", xlsxwriter.worksheet.Worksheet)
    for col, heading in enumerate(HEADINGS):
        ws.write_string(0, col, heading, head)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.autofilter(0, 0, 5000, len(HEADINGS) - 1)
    ws.set_column(0, 6, 12)
    ws.set_column(7, 7, 16, kr)
    xml = _parts(book, buffer)[private.worksheet_part(book, ws)]
    assert xml.count(private.SHEET_DATA_END) == 1, (
        f"the sheet XML no longer holds {private.SHEET_DATA_END!r} exactly once: the streamed rows have no place")
    before, after = xml.split(private.SHEET_DATA_END, 1)
    assert private.dimension("A1:H1") in before, (
        f"the <dimension> of a sheet whose cells are A1:H1 is no longer {private.dimension('A1:H1')!r}: "
        f"{re.findall(r'<dimension[^>]*>', xml)}")
    assert before.index(private.dimension("A1:H1")) < before.index("<sheetData>"), "<dimension> not before the rows"
    for heading in HEADINGS:
        assert private.holds_inline_text(before, heading), (
            f"header text {heading!r} is not inline in the sheet XML before {private.SHEET_DATA_END}: "
            "constant_memory no longer writes cell texts inline")
    assert "<row" not in after, "XlsxWriter writes rows after </sheetData>"
    assert '<autoFilter ref="A1:H5001"/>' in after, "the filter is no longer written after the rows"


def test_mark_closed_stops_a_later_close():
    book, buffer = _book()
    book.add_worksheet("Blad").write_string(0, 0, "x")
    private.mark_closed(book)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Calling close() on already closed file."
        book.close()
    assert buffer.getvalue() == b"", "Workbook.fileclosed no longer stops close() from writing the package"
