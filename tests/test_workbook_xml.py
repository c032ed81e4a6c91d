"""The workbook layer reads every file right, in bounded time (issue 9, SPEC §9):
Excel error values where calamine says nothing, formulas without a saved value however
the XML is spelled, the sheet's extent, which sheet is read, a reader that fails or
dies named, file names that are no UTF-8, and text from files kept on one line.

Every test writes its own files: a workbook from openpyxl, its parts then edited by
hand where a spelling is wanted that no library writes.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from helpers import income_rows, run_cli, write_ods, write_region, write_workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consolidate.problems import Problem
from consolidate.readers import workbook
from consolidate.readers.files import Reading, display_names
from consolidate.readers.income import merge_labels, read_income_file
from consolidate.readers.workbook import CellError, open_sheet
from consolidate.vocabulary import INCOME_LABELS

LIMIT = 200 * 1024 * 1024
PERIOD = "2026-04"
SHEET = "xl/worksheets/sheet1.xml"
LINES = [(3010, "Intäkter", 100, 90, 80, 1000, 1000, 900), (4010, "Löner", -50, -40, -30, -500, -500, -450)]
TRANSITIONAL = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
RELATIONS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_RELATIONS = b"http://purl.oclc.org/ooxml/officeDocument/relationships"


# --- helpers -----------------------------------------------------------------------

def rewrite(path: Path, edit: Callable[[str, bytes], tuple[str, bytes]]) -> Path:
    """Rewrite a workbook's parts: `edit(name, body)` gives each part's new name and body."""
    with zipfile.ZipFile(path) as archive:
        parts = [edit(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts:
            archive.writestr(name, body)
    return path


def edit_sheet(path: Path, edit: Callable[[bytes], bytes]) -> Path:
    return rewrite(path, lambda name, body: (name, edit(body) if name == SHEET else body))


def cell(ref: str, new: str) -> Callable[[bytes], bytes]:
    """An edit that puts `new` (XML) in place of the cell `ref` as openpyxl wrote it."""
    def edit(xml: bytes) -> bytes:
        found = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)').search(xml)
        assert found, ref
        return xml[:found.start()] + new.encode() + xml[found.end():]
    return edit


def income_file(root: Path, name: str, rows: list[list] | None = None) -> Path:
    return write_workbook(root / "in" / PERIOD / "resultat" / name, rows or income_rows(name[:2], LINES))


def validate(config: Path) -> tuple[int, str]:
    done = run_cli("validate", "--config", str(config), "--period", PERIOD)
    assert "Traceback" not in done.stderr and "internt fel" not in done.stderr, done.stderr
    return done.returncode, done.stderr


def error_lines(stderr: str, *words: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("fel:") and all(w in line for w in words)]


def formula_workbook(path: Path) -> Path:
    """An income sheet whose C6 (Utfall) is a formula without a saved value."""
    rows = income_rows("U1", LINES)
    rows[5][2] = "=1+1"  # openpyxl saves no value for a formula
    return write_workbook(path, rows)


# --- 1. Excel error values -----------------------------------------------------------

@pytest.mark.parametrize(("ref", "what"), [("C6", "amount"), ("A6", "account"), ("B1", "title")])
def test_an_error_value_in_a_used_cell_is_an_error_naming_it(tmp_path, ref, what):
    config = write_region(tmp_path)
    edit_sheet(income_file(tmp_path, "U1.xlsx"), cell(ref, f'<c r="{ref}" t="e"><v>#N/A</v></c>'))
    income_file(tmp_path, "U2.xlsx")
    status, stderr = validate(config)
    assert status == 1, stderr
    assert error_lines(stderr, "U1.xlsx", f"cell {ref}", "#N/A"), (what, stderr)


def test_error_values_are_read_in_every_spelling_and_only_where_they_are(tmp_path):
    path = income_file(tmp_path, "U1.xlsx")
    spellings = ["<c r=\"C6\" t='e'><v>#DIV/0!</v></c>", '<c r="C6" t = "e" s="0"><f>1/0</f><v>#DIV/0!</v></c>',
                 '<c t="e"\n r="C6"><v>#DIV/0!</v></c>']
    for spelling in spellings:
        copy = edit_sheet(write_workbook(tmp_path / "c.xlsx", income_rows("U1", LINES)), cell("C6", spelling))
        sheet, problems = open_sheet(copy, "c.xlsx", None, LIMIT)
        assert problems == [] and sheet is not None
        assert isinstance(sheet.rows[5][2], CellError) and sheet.rows[5][2] == "#DIV/0!", spelling
        assert not any(isinstance(v, CellError) for r in sheet.rows for v in r if v is not sheet.rows[5][2])
    # a later cell at the same place is the one calamine keeps
    later = edit_sheet(path, cell("C6", '<c r="C6" t="e"><v>#N/A</v></c><c r="C6"><v>7</v></c>'))
    sheet, _ = open_sheet(later, "U1.xlsx", None, LIMIT)
    assert sheet is not None and sheet.rows[5][2] == 7.0


def test_an_error_value_beyond_the_other_cells_is_put_in_its_place(tmp_path):
    path = edit_sheet(income_file(tmp_path, "U1.xlsx"),
                      lambda xml: xml.replace(b"</sheetData>", b'<row r="9"><c r="K9" t="e"><v>#REF!</v></c></row>'
                                              b"</sheetData>"))
    sheet, problems = open_sheet(path, "U1.xlsx", None, LIMIT)
    assert problems == [] and sheet is not None and sheet.value(8, 10) == "#REF!"
    assert isinstance(sheet.value(8, 10), CellError)


def test_ods_error_values_are_found_in_its_content(tmp_path):
    """calamine reads LibreOffice's error result (`calcext:value-type="error"`) as
    empty text; the content says which cell it is."""
    path = write_ods(tmp_path / "U1.ods", [["Konto", "Utfall"], [3010, 5.0], [4010, 1.0]])
    error = ('<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" '
             'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>')

    def edit(name: str, body: bytes) -> tuple[str, bytes]:
        if name == "content.xml":
            body = body.replace(b"xmlns:text=", b'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:'
                                                b'xmlns:calcext:1.0" xmlns:text=')
            body = body.replace(b'<table:table-cell office:value-type="float" office:value="1.0"><text:p>1.0</text:p>'
                                b"</table:table-cell>", error.encode())
            body = body.replace(b"</table:table>", b'<table:table-row table:number-rows-repeated="2"><table:table-cell/>'
                                b'</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="2"'
                                b'/><table:table-cell calcext:value-type="error"><text:p>#N/A</text:p>'
                                b"</table:table-cell></table:table-row></table:table>")
        return name, body

    with zipfile.ZipFile(path) as archive:
        parts = [edit(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in parts:
            archive.writestr(name, body, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    sheet, problems = open_sheet(path, "U1.ods", None, LIMIT)
    assert problems == [] and sheet is not None
    assert sheet.value(2, 1) == "#DIV/0!" and isinstance(sheet.value(2, 1), CellError)
    assert sheet.value(5, 2) == "#N/A" and isinstance(sheet.value(5, 2), CellError)
    assert sheet.value(1, 1) == 5.0 and sheet.value(2, 0) == 4010.0


# --- 2. formulas without a saved value, however the XML is spelled -----------------

def _prefixed(xml: bytes) -> bytes:
    xml = xml.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"</worksheet>", b"</x:worksheet>")
    return re.sub(rb"<(/?)(?!x:)([A-Za-z]+)", rb"<\1x:\2", xml)


def _spelled(xml: bytes, quotes: str, spaces: str, prefix: bool, doctype: bool) -> bytes:
    if prefix:
        xml = _prefixed(xml)
    if quotes == "'" or spaces:
        xml = re.sub(rb'(\s[A-Za-z:]+)="([^"]*)"', lambda m: m.group(1) + spaces.encode() + b"=" + spaces.encode()
                     + quotes.encode() + m.group(2) + quotes.encode(), xml)
    if doctype:
        xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE worksheet>\n' + xml
    return xml


def _strict(name: str, body: bytes) -> tuple[str, bytes]:
    return name, body.replace(TRANSITIONAL, STRICT).replace(RELATIONS, STRICT_RELATIONS)


def _upper_part(name: str, body: bytes) -> tuple[str, bytes]:
    return ("xl/Worksheets/Sheet1.xml" if name == SHEET else name), body


def _unsaved(path: Path) -> list[Problem]:
    _, problems = read_income_file(path, path.name, None, LIMIT, merge_labels(INCOME_LABELS, {}), "kr")
    return [p for p in problems if p.cell == "C6" and "formel utan sparat värde" in p.message]


@pytest.mark.parametrize("spelling", ["single quotes", "spaces", "prefix", "strict", "doctype", "upper case part",
                                      "no references", "all at once"])
def test_a_formula_without_a_saved_value_is_found_in_every_spelling(tmp_path, spelling):
    path = formula_workbook(tmp_path / "U1.xlsx")
    quotes = "'" if spelling in ("single quotes", "all at once") else '"'
    spaces = " " if spelling in ("spaces", "all at once") else ""
    prefix, doctype = spelling in ("prefix", "all at once"), spelling in ("doctype", "all at once")
    edit_sheet(path, lambda xml: _spelled(xml, quotes, spaces, prefix, doctype))
    if spelling == "no references":
        edit_sheet(path, lambda xml: re.sub(rb' r="[A-Z]+[0-9]+"', b"", xml))
    if spelling in ("strict", "all at once"):
        rewrite(path, _strict)
    if spelling in ("upper case part", "all at once"):
        rewrite(path, _upper_part)
    assert _unsaved(path), spelling


def test_two_parts_whose_names_differ_only_in_letter_case_are_refused(tmp_path):
    """calamine finds parts without regard to case: which of the two it reads (one with
    a formula without its value, one without) is left to chance."""
    path = formula_workbook(tmp_path / "U1.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read(SHEET)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/Worksheets/Sheet1.xml", sheet.replace(b"<f>1+1</f><v />", b"<v>2</v>"))
    refused, problems = open_sheet(path, "U1.xlsx", None, LIMIT)
    assert refused is None and "samma namn" in problems[0].message


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quotes=st.sampled_from(["'", '"']), spaces=st.sampled_from(["", " ", "\t", "\n "]), prefix=st.booleans(),
       doctype=st.booleans(), strict=st.booleans(), upper=st.booleans(), saved=st.booleans())
def test_formula_spellings_are_told_apart_by_their_saved_value(tmp_path, quotes, spaces, prefix, doctype, strict,
                                                               upper, saved):
    path = formula_workbook(tmp_path / "U1.xlsx")
    if saved:
        edit_sheet(path, lambda xml: xml.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>"))
    edit_sheet(path, lambda xml: _spelled(xml, quotes, spaces, prefix, doctype))
    if strict:
        rewrite(path, _strict)
    if upper:
        rewrite(path, _upper_part)
    assert bool(_unsaved(path)) is not saved


def test_a_sheet_with_formulas_whose_xml_cannot_be_read_through_leaves_no_empty_cell_unquestioned(tmp_path):
    """calamine reads XML that is not well-formed (an end tag that does not match):
    which formula cells lack a saved value can then not be told, and an empty cell
    that matters is an error."""
    rows = income_rows("U1", LINES)
    rows[5][2], rows[6][3] = "=1+1", None
    path = edit_sheet(write_workbook(tmp_path / "U1.xlsx", rows),
                      lambda xml: xml.replace(b"</row></sheetData>", b"</rowx></sheetData>"))
    _, problems = read_income_file(path, "U1.xlsx", None, LIMIT, merge_labels(INCOME_LABELS, {}), "kr")
    assert {p.cell for p in problems if "kunde inte läsas" in p.message} == {"C6", "D7"}, problems


@pytest.mark.parametrize("value", ["<v>&#53;</v>", "<v><![CDATA[5]]></v>", "<v><!-- x -->5</v>", "<v>1&#50;</v>"])
def test_a_value_calamine_would_read_otherwise_than_written_is_refused(tmp_path, value):
    path = edit_sheet(income_file(tmp_path, "U1.xlsx"), cell("C6", f'<c r="C6">{value}</c>'))
    sheet, problems = open_sheet(path, "U1.xlsx", None, LIMIT)
    assert sheet is None and problems[0].cell == "C6" and "spara om" in problems[0].message


def test_a_doctype_with_an_entity_is_refused_not_expanded(tmp_path):
    laughs = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
    for body in ('<c r="C6" t="str"><v>&d;</v></c>', '<c r="C6"><v>&d;</v></c>', '<c r="C6"><v>5</v></c>'):
        path = edit_sheet(income_file(tmp_path, "U1.xlsx"),
                          lambda xml, body=body: laughs.encode() + cell("C6", body)(xml))
        sheet, problems = open_sheet(path, "U1.xlsx", None, LIMIT)
        assert sheet is None and "ENTITY" in problems[0].message, body


# --- 3. the sheet's extent -------------------------------------------------------------

def test_a_far_cell_is_found_however_its_position_is_written(tmp_path):
    far = {
        "prefix and quotes": lambda xml: _prefixed(xml).replace(b"</x:sheetData>", b"<x:row><x:c r='XFD1048576'>"
                                                                b"<x:v>1</x:v></x:c></x:row></x:sheetData>"),
        "rows without references": lambda xml: xml.replace(b"</sheetData>", b'<row r="9999"/>' + b"<row/>" * 20_000
                                                           + b'<row><c r="ZZ1"/><c><v>1</v></c></row></sheetData>'),
        "row referenced small, cell far": lambda xml: xml.replace(b"</sheetData>", b'<row r="7"><c r="ZZ999999">'
                                                                  b"<v>1</v></c></row></sheetData>"),
        "cells without references": lambda xml: xml.replace(b"</sheetData>", b'<row r="20000"><c r="ZZ20000"/>'
                                                            + b"<c/>" * 500 + b"<c><v>1</v></c></row></sheetData>"),
        "out of order": lambda xml: xml.replace(b'<row r="1">', b'<row r="2000000"><c r="A2000000"><v>1</v></c>'
                                                b'</row><row r="1"><c r="ZZ1"><v>1</v></c>'),
    }
    for name, edit in far.items():
        path = edit_sheet(income_file(tmp_path, "U1.xlsx"), edit)
        sheet, problems = open_sheet(path, "U1.xlsx", None, LIMIT)
        assert sheet is None and "sträcker sig" in problems[0].message, (name, problems)


# --- 4. which sheet ------------------------------------------------------------------------

def _book(path: Path, sheets: list[tuple[str, str, list[list] | None]]) -> Path:
    """Sheets (name, state, rows), rows None for a chartsheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, state, rows in sheets:
        if rows is None:
            book.create_chartsheet(name)
            continue
        ws = book.create_sheet(name)
        ws.sheet_state = state
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                ws.cell(row=r, column=c, value=value)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def test_the_first_visible_worksheet_is_read_and_a_hidden_one_with_data_named(tmp_path):
    rows = income_rows("U1", LINES)
    path = _book(tmp_path / "U1.xlsx", [("Gammal", "hidden", [["Konto", "Utfall"], [3010, 7]]),
                                         ("Tom", "veryHidden", []), ("Diagram", "visible", None),
                                         ("Resultat", "visible", rows)])
    sheet, problems = open_sheet(path, "U1.xlsx", None, LIMIT)
    assert sheet is not None and sheet.name == "Resultat" and sheet.rows[0][:2] == ["Ansvar:", "U1"]
    assert [(p.check, p.sheet, p.severity) for p in problems] == [("hidden_sheet", "Gammal", "warning")]
    assert "income_sheet" in problems[0].message and "'Resultat'" in problems[0].message
    named, problems = open_sheet(path, "U1.xlsx", "Gammal", LIMIT)  # named in the configuration: read
    assert named is not None and named.rows[1] == [3010.0, 7.0] and problems == []
    chart, problems = open_sheet(path, "U1.xlsx", "Diagram", LIMIT)
    assert chart is None and "inget kalkylblad" in problems[0].message


def test_a_workbook_without_a_visible_worksheet_is_refused(tmp_path):
    path = _book(tmp_path / "U1.xlsx", [("Gammal", "hidden", [["Konto"]]), ("Diagram", "visible", None)])
    sheet, problems = open_sheet(path, "U1.xlsx", None, LIMIT)
    assert sheet is None and "inget synligt kalkylblad" in problems[0].message and "'Gammal'" in problems[0].message


def test_a_hidden_sheet_with_data_is_warned_about_in_a_run(tmp_path):
    config = write_region(tmp_path)
    old = income_rows("U1", [(3010, "Intäkter", 7, 7, 7, 7, 7, 7)])  # a whole sheet: read, it would raise nothing
    _book(tmp_path / "in" / PERIOD / "resultat" / "U1.xlsx",
          [("Gammal", "hidden", old), ("Resultat", "visible", income_rows("U1", LINES))])
    income_file(tmp_path, "U2.xlsx")
    status, stderr = validate(config)
    assert status == 0, stderr
    named = [line for line in stderr.splitlines() if "Gammal" in line]
    assert len(named) == 1 and named[0].startswith("varning:") and "dolt" in named[0], stderr


# --- 5. a reader that fails or dies is named -------------------------------------------------

def _dies(path, display):
    if path.name.startswith("dies"):
        os._exit(9)
    return path.name, []


def test_a_file_that_kills_its_reader_is_named_also_among_few_files(tmp_path):
    paths = [tmp_path / "dies.xlsx", tmp_path / "u1.xlsx"]
    sources = Reading([(_dies, p, ()) for p in paths]).results()
    assert [s.rows for s in sources] == [None, "u1.xlsx"]
    assert "avbrytas" in sources[0].problems[0].message and sources[0].problems[0].file == sources[0].display


def test_a_panic_in_calamine_is_a_problem_naming_the_file(tmp_path, monkeypatch):
    class PanicException(BaseException):  # as pyo3's: no Exception
        pass

    class Book:
        @staticmethod
        def from_path(path):
            raise PanicException("index out of bounds")

    monkeypatch.setattr(workbook, "CalamineWorkbook", Book)
    sheet, problems = open_sheet(income_file(tmp_path, "U1.xlsx"), "U1.xlsx", None, LIMIT)
    assert sheet is None and problems[0].file == "U1.xlsx" and "avbröts" in problems[0].message


# --- 6. and 7. file names that are no UTF-8, text on one line --------------------------------

def test_a_file_name_that_is_no_utf8_is_read_and_shown_with_replacement_characters(tmp_path):
    config = write_region(tmp_path)
    income_file(tmp_path, "U2.xlsx")
    rows = income_rows(None, LINES)
    header = next(k for k, row in enumerate(rows) if row[:1] == ["Konto"])
    rows[header] = rows[header][:-1]  # no Bokslut fg år: a warning that names the file
    path = income_file(tmp_path, "U1.xlsx", rows)
    os.rename(os.fsencode(path), os.fsencode(path.parent) + b"/U1_\xff\xfe.xlsx")
    status, stderr = validate(config)
    assert status == 0, stderr
    assert [line for line in stderr.splitlines() if "U1_\ufffd\ufffd.xlsx" in line and "Bokslut" in line], stderr
    json_path = tmp_path / "out.json"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(json_path), "--out",
                   str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "U1_\ufffd\ufffd.xlsx" in json_path.read_text(encoding="utf-8")
    closed = run_cli("close", "--config", str(config), "--period", PERIOD, "--out", str(tmp_path / "out"), "-q")
    assert closed.returncode == 0, closed.stderr  # the store keeps the name with its bytes escaped
    again = run_cli("close", "--config", str(config), "--period", PERIOD, "--out", str(tmp_path / "out"), "-q")
    assert again.returncode == 0 and "samma indata" in again.stderr, again.stderr
    assert display_names([Path(os.fsdecode(b"/x/a\xffb.xlsx"))]) == display_names([Path("/x/a\ufffdb.xlsx")])


def test_text_from_a_file_never_starts_a_new_line(tmp_path):
    config = write_region(tmp_path)
    income_file(tmp_path, "U1.xlsx", income_rows("U1", [*LINES, (9999, "Okänd\nrad\r\u2028med\x85 brytningar",
                                                                  1, 1, 1, 1, 1, 1)]))
    income_file(tmp_path, "U2.xlsx")
    status, stderr = validate(config)
    assert status == 1
    found = [line for line in stderr.splitlines() if "9999" in line]
    assert found and all(line.startswith("fel:") and "brytningar" in line for line in found), stderr
    problem = Problem("a\nb\rc\x85d\u2029e", file="f\nx", sheet="s\tt", cell="C\x007", unit="U\x1b1")
    assert problem.line().count("\n") == 0 and problem.message == "a b c d e"
    assert (problem.file, problem.sheet, problem.cell, problem.unit) == ("f x", "s t", "C 7", "U 1")


# --- 8. bounded work -----------------------------------------------------------------------------

class Counted:
    """A compiled pattern that counts the bytes its searches may look at: from where a
    search starts to the end of the input, or to where the match ends for a search
    that stops at the first (`_MARKUP`). Every pattern of the workbook layer cannot
    look back before where it starts nor, once failed, further than the next `<`, so
    what it looks at is at most a small constant times these spans."""

    def __init__(self, pattern: re.Pattern, work: list[int]) -> None:
        self.pattern, self.work = pattern, work

    def search(self, data: bytes, pos: int = 0):
        found = self.pattern.search(data, pos)
        self.work[0] += (found.end() if found else len(data)) - pos
        return found

    def finditer(self, data: bytes):
        self.work[0] += len(data)
        return self.pattern.finditer(data)

    def findall(self, data: bytes):
        self.work[0] += len(data)
        return self.pattern.findall(data)

    def fullmatch(self, data):
        self.work[0] += len(data)
        return self.pattern.fullmatch(data)


def _work(monkeypatch, xml: bytes) -> int:
    """The bytes looked at and the parser events handled to look at a sheet's XML."""
    work = [0]
    for name in dir(workbook):
        value = getattr(workbook, name)
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(workbook, name, Counted(value, work))
        elif isinstance(value, workbook._Patterns):
            monkeypatch.setattr(workbook, name, workbook._Patterns(
                *(Counted(getattr(value, f), work) for f in ("cell", "cell_with_ref", "formula", "unsure_value",
                                                             "value"))))
    for handler in ("start", "end", "text", "markup"):  # each call of a handler counts one
        monkeypatch.setattr(workbook._SheetReader, handler, _counted(getattr(workbook._SheetReader, handler), work))
    try:
        workbook._look_at_sheet(xml)
    except workbook._Refused:
        pass
    reader = workbook._SheetReader(xml.translate(workbook._CONTROLS))  # the full pass, whatever the quick looks say
    try:
        workbook._parse(reader.xml, None, reader.parser)
    except workbook._Refused:
        pass
    monkeypatch.undo()
    return work[0]


def _counted(handler: Callable, work: list[int]) -> Callable:
    def counted(*args):
        work[0] += 1
        return handler(*args)
    return counted


HEAD = b'<worksheet xmlns="' + TRANSITIONAL + b'"><sheetData><row r="1">'
PATHOLOGICAL = {
    "cell openings without a close": HEAD + b'<c r="A1" t="n"><v>1</v>' * 400,
    "a formula, then cells written otherwise": HEAD + b'<c r="A1"><f>1</f><v/></c>' + b'<x:c r="B1" xmlns:x="u"/>'
                                               * 300 + b"</row></sheetData></worksheet>",
    "formulas each far from their cell start": HEAD + (b'<c r="A1">' + b"<v>1</v>" * 30 + b"<f>1</f></c>") * 40
                                               + b"</row></sheetData></worksheet>",
    "value elements inside one tag": b"<worksheet " + b"a:v=''  <v " * 1000 + b">",
    "unclosed quotes": HEAD + b"<c r='A1" + b" r='B1 <v " * 1000,
    "rows without end": HEAD + b"<row>" * 2000,
    "text runs with references": HEAD + b'<c r="A1" t="str"><v>' + b"a&amp;" * 2000 + b"</v></c></row></sheetData>"
                                 b"</worksheet>",
    "many attributes": HEAD + b"<c " + b" ".join(b'a%d="1"' % k for k in range(1500)) + b"/></row></sheetData>"
                       b"</worksheet>",
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_a_pathological_sheet_costs_work_linear_in_its_size(monkeypatch, name):
    xml = PATHOLOGICAL[name]
    assert 5_000 < len(xml) < 40_000
    work = _work(monkeypatch, xml)
    twice = _work(monkeypatch, xml.replace(b"<worksheet", b"<worksheet", 1) + xml[len(HEAD):])
    assert work <= 40 * len(xml), (name, work, len(xml))
    assert twice <= 40 * 2 * len(xml), (name, twice)


def test_a_sheet_of_tiny_cells_beyond_the_limit_is_refused_unparsed(tmp_path):
    path = edit_sheet(income_file(tmp_path, "U1.xlsx"),
                      lambda xml: xml.replace(b"</sheetData>", b"<row>" + b"<c/>" * (workbook.MAX_SHEET_ELEMENTS + 10)
                                              + b"</row></sheetData>"))
    assert path.stat().st_size < 1_000_000
    sheet, problems = open_sheet(path, "U1.xlsx", None, LIMIT)
    assert sheet is None and "element" in problems[0].message


def test_a_table_of_millions_of_texts_is_refused_before_it_is_read(tmp_path):
    """calamine reads sharedStrings.xml whole when it opens the workbook: a 1 MB file
    could hold tens of millions of texts."""
    texts = workbook.MAX_SHARED_TEXTS + 1

    def edit(name: str, body: bytes) -> tuple[str, bytes]:
        if name == "xl/_rels/workbook.xml.rels":
            body = body.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                                b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                b"</Relationships>")
        return name, body

    path = rewrite(income_file(tmp_path, "U1.xlsx"), edit)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b'<sst xmlns="' + TRANSITIONAL + b'">' + b"<si><t>x</t></si>" * texts
                         + b"</sst>")
    assert path.stat().st_size < 1_000_000
    sheet, problems = open_sheet(path, "U1.xlsx", None, LIMIT)
    assert sheet is None and "sharedStrings.xml" in problems[0].message
