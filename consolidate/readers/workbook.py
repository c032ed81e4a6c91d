"""Opening a unit's workbook safely: refusing what is not a workbook, damaged,
encrypted or too large when expanded, and finding formula cells without a cached value.

Nothing found in a file is evaluated: formula cells give their cached value, and a
formula without one is reported, never computed. What income and staffing sheets share
beyond that (header row, title block, control totals) is in `layout.py`.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

from consolidate.problems import Problem, cell_name

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


class CellError(str):
    """An Excel error value (`#N/A`, `#DIV/0!`, `#REF!`, `#VALUE!`, …) where a cell's
    value should be. calamine reads such a cell as empty; the sheet puts this in its
    place instead, so that no reader takes it for 0 or for text: a cell that is used
    and holds one is an error (see `cells.error_value`)."""

    __slots__ = ()


@dataclass
class Sheet:
    """The cells of one sheet, positioned from A1, and its formula cells without a value."""

    file: str
    name: str
    rows: list[list]
    xml: bytes | None = field(default=None, repr=False)  # the sheet's XML, where it is OOXML
    _uncached: set[tuple[int, int]] | None = field(default=None, repr=False)

    @property
    def uncached(self) -> set[tuple[int, int]]:
        """(row, column) of formula cells without a saved value, zero-based. Looked for
        in the XML only when an empty cell matters: such a cell reads as empty."""
        if self._uncached is None:
            self._uncached = _uncached_formulas(self.xml) if self.xml is not None else set()
            self.xml = None
        return self._uncached

    def value(self, row: int, col: int) -> object:
        cells = self.rows[row]
        return cells[col] if col < len(cells) else ""

    def column(self, rows: list[int], col: int | None) -> list:
        """The cells of a column in the given rows ("" where there is no such column)."""
        if col is None:
            return [""] * len(rows)
        grid = self.rows
        return [grid[r][col] if col < len(grid[r]) else "" for r in rows]

    def unsaved_formula(self, row: int, col: int, value: object) -> Problem | None:
        """The problem of an empty cell that is a formula whose value was not saved."""
        if (row, col) in self.uncached and (value is None or value == ""):
            return self.problem(row, col, "formel utan sparat värde; öppna filen i Excel, räkna om och spara")
        return None

    def problem(self, row: int | None, col: int | None, message: str, **kw) -> Problem:
        cell = cell_name(row, col) if row is not None and col is not None else None
        return Problem(message, file=self.file, sheet=self.name, cell=cell, **kw)


def open_sheet(path: Path, display: str, sheet_name: str | None, max_bytes: int) -> tuple[Sheet | None, list[Problem]]:
    """Open the named (or first) sheet of a workbook, refusing what is not safe to read.

    The zip checks and the sheet's XML (for formulas without a cached value and the
    sheet's extent) work on one read of the file. calamine opens it by path: it then
    chooses the format by the ending and says what is wrong with a damaged .ods or
    .xls, where reading the bytes it would only say that it cannot tell the format."""
    def refuse(message: str, sheet: str | None = None) -> tuple[None, list[Problem]]:
        return None, [Problem(message, file=display, sheet=sheet)]

    try:
        data = _read(path, max_bytes)
    except OSError as exc:
        return refuse(f"filen kan inte läsas: {exc.strerror or exc}")
    if isinstance(data, int):
        return refuse(f"filen är {data / 1e6:.0f} MB, över gränsen {max_bytes / 1e6:.0f} MB; den läses inte")
    if not data:
        return refuse("filen är tom (0 byte)")
    archive = None
    if data.startswith(_ZIP_MAGIC):
        archive, refusal = _open_zip(data, max_bytes)
        if refusal:
            return refuse(refusal)
    elif data.startswith(_CFB_MAGIC):
        if _ENCRYPTED in data:
            return refuse("arbetsboken är lösenordsskyddad (krypterad); spara den utan lösenord")
    else:
        return refuse(_not_a_workbook(path))
    name = None
    try:
        book = CalamineWorkbook.from_path(str(path))  # by path: calamine picks the format by the ending
        names = book.sheet_names
        if not names:
            return refuse("arbetsboken har inga blad")
        if sheet_name is not None and sheet_name not in names:
            return refuse(f"bladet {sheet_name!r} finns inte; bladen heter {', '.join(names)}")
        name = sheet_name or names[0]
        xml = _sheet_xml(archive, data, names.index(name)) if archive is not None else None
        if xml is not None and (too_large := _too_large(*_extent(xml))):
            return refuse(too_large, sheet=name)  # before calamine lays the sheet out as a grid
        grid = book.get_sheet_by_name(name)
        # .xls and .ods: the extent is known once calamine has read the sheet, before
        # each of its cells becomes a Python object
        if grid.end is not None and (too_large := _too_large(grid.end[0] + 1, grid.end[1] + 1)):
            return refuse(too_large, sheet=name)
        rows = grid.to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - calamine's errors are many and not all exported
        return refuse(_calamine_message(path, exc), sheet=name)
    return Sheet(display, name, rows, xml), []


def _too_large(rows: int, columns: int) -> str | None:
    """Why a sheet whose grid from A1 has this many rows and columns is not read."""
    if rows * columns <= MAX_SHEET_CELLS:
        return None
    cells, limit = (f"{n:,}".replace(",", " ") for n in (rows * columns, MAX_SHEET_CELLS))
    return (
        f"bladet sträcker sig till cell {cell_name(rows - 1, columns - 1)}, {cells} celler "
        f"(gränsen är {limit}); det läses inte. Ta bort innehållet långt nedanför eller till höger om tabellen"
    )


def _read(path: Path, max_bytes: int) -> bytes | int:
    """The file's bytes, or its size when it is over the limit (and is not read)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            return size
        data = os.read(fd, size + 1)
        if len(data) <= size:
            return data
        chunks = [data]  # the file grew since it was measured: read on, up to the limit
        while (chunk := os.read(fd, 1 << 20)) and sum(map(len, chunks)) <= max_bytes:
            chunks.append(chunk)
        data = b"".join(chunks)
        return len(data) if len(data) > max_bytes else data
    finally:
        os.close(fd)


def _open_zip(data: bytes, max_bytes: int) -> tuple[zipfile.ZipFile | None, str | None]:
    """The workbook's zip, or why it is refused: damaged, packed otherwise than Excel
    packs (stored or deflated), or parts that would expand beyond the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        expanded = sum(info.file_size for info in infos)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        # NotImplementedError: a damaged header reads as an unknown zip version
        return None, "filen är ingen läsbar arbetsbok (skadad eller avkortad zip-fil)"
    if any(info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for info in infos):
        return None, "arbetsboken är packad på ett sätt som Excel inte använder; öppna den i Excel och spara som .xlsx"
    if expanded > max_bytes:
        return None, (
            f"arbetsbokens delar skulle packas upp till {expanded / 1e6:.0f} MB, "
            f"över gränsen {max_bytes / 1e6:.0f} MB; den läses inte"
        )
    return archive, None


def _not_a_workbook(path: Path) -> str:
    if path.suffix.lower() in (".csv", ".txt"):
        return "filen är text, ingen arbetsbok; spara den som .xlsx i Excel"
    return "filen är ingen arbetsbok (.xlsx, .xlsm, .xls eller .ods)"


def _calamine_message(path: Path, exc: Exception) -> str:
    text = str(exc)
    if "password" in type(exc).__name__.lower() or "password" in text.lower() or "encrypt" in text.lower():
        return "arbetsboken är lösenordsskyddad (krypterad); spara den utan lösenord"
    if "cell limit exceeded" in text.lower():  # calamine's own limit, for .ods
        return ("bladet har värden så långt nedanför eller till höger om tabellen att det inte läses; "
                "ta bort dem och spara om")
    if path.suffix.lower() in (".xls", ".ods"):
        return f"arbetsboken kunde inte läsas ({text}); öppna den i Excel och spara som .xlsx"
    return f"filen är ingen läsbar arbetsbok: {text}"


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>[^<]+<")
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')


_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HAS_VALUE = re.compile(rb"<(?:\w+:)?(?:v(?:\s[^>]*)?>[^<]|is\b)")
_ROW_REFS = re.compile(rb'<row r="(\d+)"')
_WIDE = (re.compile(rb' r="[A-Z]{3}[0-9]'), re.compile(rb' r="[A-Z]{2}[0-9]'))
# A sheet is read as a dense grid from A1 to its last cell: one value far down and to
# the right (a 5 KB file with cells in A1 and XFD1048576) would need billions of cells.
MAX_SHEET_CELLS = 10_000_000


def _sheet_xml(archive: zipfile.ZipFile, data: bytes, index: int) -> bytes | None:
    """The XML of an .xlsx/.xlsm sheet, or None where it cannot be found (not OOXML)."""
    try:
        part = _sheet_part(archive, data, index)
        return _read_part(archive, data, part) if part else None
    except Exception:  # noqa: BLE001 - an .ods, or damaged parts: calamine will tell
        return None


_NAME_AND_EXTRA = struct.Struct("<HH")  # lengths, at offset 26 of a local file header


def _stored(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A part's bytes as stored in the file, found through its local header (APPNOTE
    4.3.7: 30 bytes, then the name and the extra field); None where the part is
    encrypted, compressed otherwise than stored or deflated, or not where the zip's
    directory says. zipfile's own reading costs more than the work itself for the
    small parts of a unit's workbook."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    start = info.header_offset
    if data[start:start + 4] != _ZIP_MAGIC or len(data) < start + 30:
        return None
    name, extra = _NAME_AND_EXTRA.unpack_from(data, start + 26)
    begin = start + 30 + name + extra
    raw = data[begin:begin + info.compress_size]
    return raw if len(raw) == info.compress_size else None


def _read_part(archive: zipfile.ZipFile, data: bytes, name: str) -> bytes:
    """A part's content, checked against its size and CRC; through zipfile where the
    quick way does not apply or does not give the part whole."""
    info = archive.getinfo(name)
    raw = _stored(data, info)
    if raw is not None:
        try:  # never more than the size the directory states, which is within the limit
            content = raw if info.compress_type == zipfile.ZIP_STORED else (
                zlib.decompressobj(-15).decompress(raw, info.file_size + 1))
        except zlib.error:
            content = None
        if content is not None and len(content) == info.file_size and zlib.crc32(content) == info.CRC:
            return content
    return archive.read(info)


_BIG_REF = re.compile(rb' r="(?:[A-Z]{3}|[A-Z]{1,2}\d{5}|\d{5})')


def _extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) of the grid from A1 to the last cell that holds a value."""
    if len(data) < 4_000_000 and not _BIG_REF.search(data):
        # No reference beyond row 9 999 or column ZZ: cells without a reference follow
        # the one before, so the grid stays within what the file's size can hold.
        return 0, 0
    if _plain_refs(data):  # a quick bound, from row numbers and column letters
        rows = max((int(r) for r in _ROW_REFS.findall(data)), default=0)
        cols = 16_384 if _WIDE[0].search(data) else 702 if _WIDE[1].search(data) else 26
        if rows * cols <= MAX_SHEET_CELLS:
            return rows, min(cols, 26)  # small enough: no need to look closer
    rows = cols = row = 0
    for row_match in _ROW.finditer(data):
        number = _ROW_NUMBER.search(row_match.group(1))
        row = int(number.group(1)) if number else row + 1
        col = 0
        for cell in _CELL.finditer(row_match.group(2) or b""):
            ref = _REF.search(cell.group(1))
            col = _column_index(ref.group(1).decode()) + 1 if ref else col + 1
            if cell.group(2) and _HAS_VALUE.search(cell.group(2)):
                rows, cols = max(rows, int(ref.group(2)) if ref else row), max(cols, col)
    return rows, cols


def _plain_refs(data: bytes) -> bool:
    """Every row and cell element is written `<row r="..` / `<c r="..` (as Excel and the
    common libraries write them): then row numbers and column letters bound the grid.
    Counted, not parsed, to stay fast on large sheets."""
    if b":row" in data or b":c " in data or any(w + b'r="' in data for w in (b"\n", b"\t", b"\r")):
        return False
    cells = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>")
    rows = data.count(b"<row ") + data.count(b"<row>") + data.count(b"<row/>")
    return cells == data.count(b'<c r="') and rows == data.count(b'<row r="')


def _uncached_formulas(data: bytes) -> set[tuple[int, int]]:
    """Cells of the sheet that hold a formula but no cached value (zero-based).

    Only the cells around each formula are looked at, not the whole sheet."""
    found: set[tuple[int, int]] = set()
    if b"<f" not in data and b":f" not in data:  # most sheets: no formula at all
        return found
    end = 0
    any_prefixed = b":c " in data  # cells written <x:c ...>
    for formula in _FORMULA.finditer(data):
        if formula.start() < end:
            continue  # a second formula element in a cell already looked at
        start = data.rfind(b"<c ", end, formula.start())
        prefixed = data.rfind(b":c ", end, formula.start()) if any_prefixed else -1
        if prefixed > start:
            start = data.rfind(b"<", end, prefixed)
        match = _CELL.match(data, start) if start >= 0 else None
        if match is None:
            continue
        end = match.end()
        body = match.group(2)
        if body and not _VALUE.search(body):
            ref = _REF.search(match.group(1))
            if ref:
                found.add((int(ref.group(2)) - 1, _column_index(ref.group(1).decode())))
    return found


def _parts_of(workbook_xml: bytes, rels_xml: bytes) -> tuple[str, ...]:
    """The package part of each sheet, in order."""
    book = ElementTree.fromstring(workbook_xml)
    rels = {
        rel.get("Id"): rel.get("Target", "")
        for rel in ElementTree.fromstring(rels_xml).findall("p:Relationship", _NS)
    }
    parts = []
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = rels.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        parts.append(target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target))
    return tuple(parts)


_BOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_KNOWN_PARTS: dict[tuple, tuple[str, ...]] = {}


def _sheet_part(archive: zipfile.ZipFile, data: bytes, index: int) -> str | None:
    """The part of the sheet at `index`. Workbooks from one exporter repeat the two
    small files that tell, byte for byte, so the answer is remembered by their stored
    bytes (not by a checksum, which a file could be made to match)."""
    infos = [archive.getinfo(name) for name in _BOOK_PARTS]
    key = tuple((info.compress_type, _stored(data, info)) for info in infos)
    parts = _KNOWN_PARTS.get(key) if all(stored is not None for _, stored in key) else None
    if parts is None:
        parts = _parts_of(*(_read_part(archive, data, name) for name in _BOOK_PARTS))
        if len(_KNOWN_PARTS) < 256 and all(stored is not None for _, stored in key):
            _KNOWN_PARTS[key] = parts
    return parts[index] if index < len(parts) else None


def _column_index(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1
