"""Reading a workbook's own parts (the sheet's XML, for its extent and for formulas
without a cached value) through their local headers, and what happens where that
quick way does not apply: parts stored uncompressed or with another method, damaged
parts, and workbooks whose sheets lie in other parts."""

from __future__ import annotations

import zipfile
from pathlib import Path

import xlsxwriter
from helpers import write_workbook

from consolidate.readers.workbook import open_sheet

LIMIT = 200 * 1024 * 1024


def _far_workbook(path: Path) -> Path:
    """A small workbook with values in A1 and XFD1048576: 17 billion cells as a grid."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Resultat")
    ws.write(0, 0, "Konto")
    ws.write(1_048_575, 16_383, 1)
    book.close()
    return path


def _rezip(source: Path, target: Path, method: int) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", method) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info), compress_type=method)
    return target


def test_far_cell_is_refused_whatever_the_compression(tmp_path):
    far = _far_workbook(tmp_path / "far.xlsx")
    for method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        copy = _rezip(far, tmp_path / f"far-{method}.xlsx", method)
        sheet, problems = open_sheet(copy, copy.name, None, LIMIT)
        assert sheet is None, method
        assert "XFD1048576" in problems[0].message, (method, problems[0].message)
    for method in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):  # packed as Excel never packs
        copy = _rezip(far, tmp_path / f"far-{method}.xlsx", method)
        sheet, problems = open_sheet(copy, copy.name, None, LIMIT)
        assert sheet is None, method
        assert "spara som .xlsx" in problems[0].message, (method, problems[0].message)


def test_stored_parts_are_read_like_deflated_ones(tmp_path):
    plain = write_workbook(tmp_path / "plain.xlsx", [["Konto", "Utfall"], [3010, 5.0], [4010, -2.0]])
    stored = _rezip(plain, tmp_path / "stored.xlsx", zipfile.ZIP_STORED)
    first, _ = open_sheet(plain, "plain.xlsx", None, LIMIT)
    second, problems = open_sheet(stored, "stored.xlsx", None, LIMIT)
    assert problems == [] and second.rows == first.rows


def test_damaged_sheet_part_is_a_problem_not_a_crash(tmp_path):
    path = _far_workbook(tmp_path / "U1.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF  # inside the sheet's compressed bytes
    path.write_bytes(bytes(data))
    sheet, problems = open_sheet(path, "U1.xlsx", None, LIMIT)
    assert sheet is None and problems and "U1.xlsx" == problems[0].file


def test_sheets_are_found_in_each_workbook_by_its_own_parts(tmp_path):
    """Workbooks whose workbook.xml differ are not mixed up by the remembered parts."""
    paths = []
    for k, order in enumerate((("Resultat", "Annat"), ("Annat", "Resultat"))):
        path = tmp_path / f"book{k}.xlsx"
        book = xlsxwriter.Workbook(str(path))
        for name in order:
            ws = book.add_worksheet(name)
            ws.write(0, 0, name)
            if name == "Annat":
                ws.write(1_048_575, 16_383, 1)  # only the other sheet is far too large
        book.close()
        paths.append(path)
    for path in paths * 2:
        sheet, problems = open_sheet(path, path.name, "Resultat", LIMIT)
        assert problems == [] and sheet.rows[0][0] == "Resultat", path
        refused, problems = open_sheet(path, path.name, "Annat", LIMIT)
        assert refused is None and "XFD1048576" in problems[0].message


def _far_ods(path: Path, rows_down: int, columns_right: int) -> Path:
    """An OpenDocument sheet with Konto in A1 and a number far below and to the right,
    the gap written as repeated empty rows and cells as LibreOffice writes them."""
    from helpers import write_ods

    write_ods(path, [["Konto"]])
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    gap = (f'<table:table-row table:number-rows-repeated="{rows_down}"><table:table-cell/></table:table-row>'
           f'<table:table-row><table:table-cell table:number-columns-repeated="{columns_right}"/>'
           '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
           "</table:table-row>")
    parts["content.xml"] = parts["content.xml"].replace(b"</table:table>", gap.encode() + b"</table:table>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body, compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return path


def test_ods_sheet_with_a_value_far_away_is_refused(tmp_path):
    # beyond this tool's limit of 10 million cells, within calamine's own
    mid = _far_ods(tmp_path / "mid.ods", 11_000, 1_000)
    sheet, problems = open_sheet(mid, "mid.ods", None, LIMIT)
    assert sheet is None and problems[0].sheet == "Resultat"
    assert "läses inte" in problems[0].message and "ALM11002" in problems[0].message, problems[0].message
    # beyond calamine's limit too: its refusal, said as this tool says it
    far = _far_ods(tmp_path / "far.ods", 1_048_000, 1_000)
    sheet, problems = open_sheet(far, "far.ods", None, LIMIT)
    assert sheet is None and "nedanför eller till höger" in problems[0].message, problems[0].message
