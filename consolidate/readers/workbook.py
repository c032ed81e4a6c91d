"""Opening a unit's workbook safely: refusing what is not a workbook, damaged,
encrypted or too large when expanded; choosing the sheet; and finding in an .xlsx
sheet's XML what calamine does not say: Excel error values, formula cells without a
saved value, values it would read wrong, and how far the sheet reaches.

Nothing found in a file is evaluated: formula cells give their saved value, and a
formula without one is reported, never computed. What income and staffing sheets share
beyond that (header row, title block, control totals) is in `layout.py`.

The XML of an .xlsx is looked at the way calamine reads it (calamine 0.37, through
python-calamine 0.9.1): elements by their name after the first colon, whatever their
prefix or namespace (so the Strict OOXML namespaces read as the transitional ones);
attributes by their name as written; parts of the zip by their name without regard to
ASCII letter case. Every scan is linear in the XML: a few searches with patterns that
cannot backtrack beyond the next `<`, and, where they cannot rule out what they look
for, one pass of expat, which refuses entity declarations instead of expanding them.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from consolidate.problems import WARNING, Problem, cell_name, os_error_text

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_OOXML_SUFFIXES = (".xlsx", ".xlsm")


class CellError(str):
    """An Excel error value (`#N/A`, `#DIV/0!`, `#REF!`, `#VALUE!`, …) where a cell's
    value should be. calamine reads such a cell as empty; the sheet puts this in its
    place instead, so that no reader takes it for 0 or for text: a cell that is used
    and holds one is an error (see `cells.error_value`)."""

    __slots__ = ()


class _Unknown(Set):
    """Every cell, as far as is known: the sheet's XML could not be read to tell which
    formula cells lack a saved value, so any empty cell that matters is in doubt."""

    def __contains__(self, item: object) -> bool:
        return True

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True


@dataclass
class Sheet:
    """The cells of one sheet, positioned from A1, and its formula cells without a value."""

    file: str
    name: str
    rows: list[list]
    xml: bytes | None = field(default=None, repr=False)  # the sheet's XML, while formulas are still to be looked at
    _uncached: Set[tuple[int, int]] | None = field(default=None, repr=False)
    _doubt: str | None = field(default=None, repr=False)  # why the XML could not tell the formulas apart
    sha256: str = ""  # of the file's bytes as read: the bytes the figures come from
    size: int = 0

    @property
    def uncached(self) -> Set[tuple[int, int]]:
        """(row, column) of formula cells without a saved value, zero-based. Looked for
        in the XML only when an empty cell matters: such a cell reads as empty."""
        found = self._uncached
        if found is None:
            found = set()
            if self.xml is not None:
                try:
                    found = _scan_sheet(self.xml).uncached or set()
                except _Refused as refused:
                    found, self._doubt = _Unknown(), refused.message
            self._uncached, self.xml = found, None
        return found

    def value(self, row: int, col: int) -> object:
        cells = self.rows[row]
        return cells[col] if col < len(cells) else ""

    def column(self, rows: list[int], col: int | None) -> list:
        """The cells of a column in the given rows ("" where there is no such column)."""
        if col is None:
            return [""] * len(rows)
        grid = self.rows
        try:  # the common case: calamine lays the sheet out as a rectangle, every row has the column
            return [grid[r][col] for r in rows]
        except IndexError:
            return [grid[r][col] if col < len(grid[r]) else "" for r in rows]

    def unsaved_formula(self, row: int, col: int, value: object) -> Problem | None:
        """The problem of an empty cell that is a formula whose value was not saved."""
        if (row, col) in self.uncached and (value is None or value == ""):
            if self._doubt:
                return self.problem(row, col, f"cellen är tom, men bladets XML kunde inte läsas för att se om den "
                                              f"är en formel utan sparat värde ({self._doubt})")
            return self.problem(row, col, "formel utan sparat värde; öppna filen i Excel, räkna om och spara")
        return None

    def problem(self, row: int | None, col: int | None, message: str, **kw) -> Problem:
        cell = cell_name(row, col) if row is not None and col is not None else None
        return Problem(message, file=self.file, sheet=self.name, cell=cell, **kw)


class _Refused(Exception):
    """Why a workbook is not read, found in its parts: a message, and the cell where known."""

    def __init__(self, message: str, cell: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.cell = cell


_SAVE_AGAIN = "öppna filen i Excel och spara om den"


def open_sheet(path: Path, display: str, sheet_name: str | None, max_bytes: int,
               data: bytes | None = None) -> tuple[Sheet | None, list[Problem]]:
    """Open the named sheet of a workbook, or else its first visible worksheet,
    refusing what is not safe to read.

    The zip checks and the sheet's XML (error values, formulas without a saved value,
    the sheet's extent) work on one read of the file. calamine opens it by path: it then
    chooses the format by the ending and says what is wrong with a damaged .ods or
    .xls, where reading the bytes it would only say that it cannot tell the format.
    `data`: the file's bytes when the caller has read them already (within `max_bytes`)."""
    def refuse(message: str, sheet: str | None = None, cell: str | None = None) -> tuple[None, list[Problem]]:
        return None, [Problem(message, file=display, sheet=sheet, cell=cell)]

    if data is None:
        try:
            read = read_bytes(path, max_bytes)
        except OSError as exc:
            return refuse(f"filen kan inte läsas: {os_error_text(exc)}")
        if isinstance(read, int):
            return refuse(f"filen är {read / 1e6:.0f} MB, över gränsen {max_bytes / 1e6:.0f} MB; den läses inte")
        data = read
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
    problems: list[Problem] = []
    try:
        if archive is not None and path.suffix.lower() in _OOXML_SUFFIXES:
            _count_shared_texts(archive, data)  # before calamine reads them all
        book = _open_book(path, data)
        sheets = book.sheets_metadata
        index = _choose(sheets, sheet_name)
        name = sheets[index].name
        scan = _Scan()
        if archive is not None and path.suffix.lower() in _OOXML_SUFFIXES:
            package = _Package(archive, data)
            parts = package.sheet_parts()
            if len(parts) != len(sheets):
                raise _Refused(f"arbetsbokens lista över blad kunde inte tolkas entydigt; {_SAVE_AGAIN}")
            scan = _look_at_sheet(package.read(parts[index]))
            if too_large := _too_large(*scan.extent):
                return refuse(too_large, sheet=name)  # before calamine lays the sheet out as a grid
            if sheet_name is None:
                problems += _hidden_with_data(display, sheets, index, lambda i: _holds_values(package.read(parts[i])))
        elif sheet_name is None:
            problems += _hidden_with_data(display, sheets, index, lambda i: book.get_sheet_by_index(i).end is not None)
        grid = book.get_sheet_by_index(index)
        # .xls and .ods: the extent is known once calamine has read the sheet, before
        # each of its cells becomes a Python object
        if grid.end is not None and (too_large := _too_large(grid.end[0] + 1, grid.end[1] + 1)):
            return refuse(too_large, sheet=name)
        rows = grid.to_python(skip_empty_area=False)
        if archive is not None and path.suffix.lower() == ".ods" and "content.xml" in archive.NameToInfo:
            scan.errors = _ods_errors(_read_part(archive, data, "content.xml"), index)
    except _Refused as refused:
        return refuse(refused.message, sheet=name, cell=refused.cell)
    except Exception as exc:  # noqa: BLE001 - calamine's errors are many and not all exported
        return refuse(_calamine_message(path, exc), sheet=name)
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":  # pyo3's, for a panic in calamine: not an Exception
            raise
        return refuse(f"arbetsboken kunde inte läsas (läsaren avbröts av ett internt fel); {_SAVE_AGAIN}", sheet=name)
    for (r, c), text in scan.errors.items():
        _put(rows, r, c, CellError(text))
    if archive is None:  # .xls: calamine reads an error value (#N/A) as an empty cell
        problems.append(Problem(
            "filen är en .xls-arbetsbok, där ett Excel-felvärde (#N/A, #DIV/0!) inte kan skiljas från en tom "
            "cell och då räknas som 0; spara den som .xlsx för att felvärden ska upptäckas",
            file=display, sheet=name, severity=WARNING, check="old_format",
        ))
    sheet = Sheet(display, name, rows, scan.xml, scan.uncached)
    sheet.sha256, sheet.size = hashlib.sha256(data).hexdigest(), len(data)
    return sheet, problems


MAX_SHARED_TEXTS = 2_000_000


def _count_shared_texts(archive: zipfile.ZipFile, data: bytes) -> None:
    """calamine reads an .xlsx's table of texts (sharedStrings.xml) whole when it opens
    the workbook, some 60 bytes of memory for each text: a small file can hold millions.
    A table that may be that large is counted first (its size in the zip's directory
    tells), and refused beyond the limit."""
    for info in archive.infolist():
        if info.file_size > 4 * MAX_SHARED_TEXTS and info.filename.lower().endswith("sharedstrings.xml"):
            texts, tail = 0, b""
            try:
                with archive.open(info) as part:  # in pieces: the table itself may be large
                    while texts <= MAX_SHARED_TEXTS and (piece := part.read(1 << 20)):
                        piece = tail + piece
                        texts += piece.count(b"<si") + piece.count(b":si")
                        tail = piece[-2:]
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
                raise _Refused(f"arbetsbokens del {info.filename!r} är skadad; {_SAVE_AGAIN}") from None
            if texts > MAX_SHARED_TEXTS:
                limit = f"{MAX_SHARED_TEXTS:,}".replace(",", " ")
                raise _Refused(f"arbetsboken har fler än {limit} texter i sin texttabell (sharedStrings.xml); "
                               "den läses inte. Ta bort oanvända blad och celler och spara om")


def _open_book(path: Path, data: bytes) -> CalamineWorkbook:
    """calamine's workbook from the bytes that were read and hashed, so that the figures
    and the SHA-256 a close records come from the same bytes, even when the file is
    replaced meanwhile. Where calamine cannot read the bytes (it cannot tell a damaged
    .xls or .ods by its content), it is asked again by path, only to say what is wrong."""
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        name = str(path)
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise  # no path calamine can open: what it said of the bytes stands
        CalamineWorkbook.from_path(name)  # raises, naming what is wrong with the file
        raise  # read by path but not from the bytes: the file changed while it was read


def _choose(sheets: list, sheet_name: str | None) -> int:
    """The index of the sheet to read: the one named, else the first visible worksheet."""
    if not sheets:
        raise _Refused("arbetsboken har inga blad")
    if sheet_name is not None:
        for k, sheet in enumerate(sheets):
            if sheet.name == sheet_name:
                if sheet.typ != SheetTypeEnum.WorkSheet:
                    raise _Refused(f"bladet {sheet_name!r} är inget kalkylblad (utan till exempel ett diagramblad); "
                                   "ange ett kalkylblad i region.toml")
                return k  # named in the configuration: read even when hidden
        names = ", ".join(repr(sheet.name) for sheet in sheets)
        raise _Refused(f"bladet {sheet_name!r} finns inte; bladen heter {names}")
    for k, sheet in enumerate(sheets):
        if sheet.typ == SheetTypeEnum.WorkSheet and sheet.visible == SheetVisibleEnum.Visible:
            return k
    hidden = [sheet.name for sheet in sheets if sheet.typ == SheetTypeEnum.WorkSheet]
    if hidden:
        raise _Refused(
            f"arbetsboken har inget synligt kalkylblad (dolda: {', '.join(map(repr, hidden))}); visa bladet i Excel, "
            "eller ange det i region.toml under [inputs] (income_sheet eller staffing_sheet)"
        )
    raise _Refused("arbetsboken har inget kalkylblad, bara till exempel diagramblad")


def _hidden_with_data(display: str, sheets: list, index: int, holds_data: Any) -> list[Problem]:
    """A warning for each hidden worksheet before the one read that holds values: the
    first visible worksheet is read, and figures may have been meant on the hidden one."""
    problems = []
    for k in range(index):
        sheet = sheets[k]
        if sheet.typ != SheetTypeEnum.WorkSheet or sheet.visible == SheetVisibleEnum.Visible:
            continue
        try:
            found = holds_data(k)
        except Exception:  # noqa: BLE001 - a hidden sheet that cannot be read may hold anything
            found = True
        if found:
            problems.append(Problem(
                f"bladet {sheet.name!r} är dolt och har innehåll, men läses inte; bladet {sheets[index].name!r} "
                "läses. Ska det dolda bladet läsas: ange det i region.toml under [inputs] "
                "(income_sheet eller staffing_sheet)",
                file=display, sheet=sheet.name, severity=WARNING, check="hidden_sheet",
            ))
    return problems


def _put(rows: list[list], r: int, c: int, value: object) -> None:
    """Set a cell of the grid, lengthening it as needed."""
    while len(rows) <= r:
        rows.append([])
    row = rows[r]
    if len(row) <= c:
        row.extend([""] * (c + 1 - len(row)))
    row[c] = value


def _too_large(rows: int, columns: int) -> str | None:
    """Why a sheet whose grid from A1 has this many rows and columns is not read."""
    if rows * columns <= MAX_SHEET_CELLS:
        return None
    if rows > 1 << 32 or columns > 1 << 32:
        return ("bladet har en cellreferens långt utanför vad Excel kan ha; det läses inte. "
                "Öppna filen i Excel och spara om den")
    cells, limit = (f"{n:,}".replace(",", " ") for n in (rows * columns, MAX_SHEET_CELLS))
    return (
        f"bladet sträcker sig till cell {cell_name(rows - 1, columns - 1)}, {cells} celler "
        f"(gränsen är {limit}); det läses inte. Ta bort innehållet långt nedanför eller till höger om tabellen"
    )


def read_bytes(path: Path, max_bytes: int) -> bytes | int:
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
        return ("arbetsboken kunde inte läsas (skadad, eller i ett format som inte känns igen); "
                "öppna den i Excel och spara som .xlsx")
    return ("filen är ingen läsbar arbetsbok (skadad, eller i ett format som inte känns igen); "
            "öppna den i Excel och spara som .xlsx")


# --- the package: which part of the zip is which sheet, as calamine finds it ------------

_NAME_AND_EXTRA = struct.Struct("<HH")  # lengths, at offset 26 of a local file header
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_OFFICE_DOCUMENT = "/relationships/officeDocument"
_KNOWN_PARTS: dict[tuple, tuple[str, ...]] = {}
_KNOWN_FOLDERS: dict[tuple, str] = {}


class _Package:
    """The parts of an .xlsx. calamine finds a part by its name without regard to ASCII
    letter case (and with `\\` read as `/`); two parts whose names differ only so would
    leave it to chance which one is read, so such a zip is refused."""

    def __init__(self, archive: zipfile.ZipFile, data: bytes) -> None:
        self.archive, self.data = archive, data
        names = archive.namelist()
        joined = "\0".join(names)
        if joined.isascii() and "\\" not in joined:  # the common case, at once
            keys = joined.lower().split("\0")
        else:
            keys = [_lookup_key(name.replace("\\", "/")) for name in names]
        self.names = dict(zip(keys, names))
        if len(self.names) < len(names):
            first = {key: k for k, key in reversed(list(enumerate(keys)))}
            twice = next(name for k, (key, name) in enumerate(zip(keys, names)) if first[key] != k)
            raise _Refused(f"arbetsboken har två delar med samma namn ({twice!r}); {_SAVE_AGAIN}")

    def find(self, name: str) -> str | None:
        """The zip's name of a part, as calamine looks it up."""
        found = self.names.get(_lookup_key(name))
        if found is None and name in self.archive.NameToInfo:
            found = name
        return found

    def read(self, name: str) -> bytes:
        found = self.find(name)
        if found is None:
            raise _Refused(f"arbetsboken saknar delen {name!r}; {_SAVE_AGAIN}")
        return _read_part(self.archive, self.data, found)

    def sheet_parts(self) -> tuple[str, ...]:
        """The part of each sheet, in the order of the workbook's sheets. Workbooks from
        one exporter repeat the small files that tell, byte for byte, so the answer is
        remembered by their stored bytes (not by a checksum, which a file could be made
        to match)."""
        root = self.find("_rels/.rels")
        if root is None:
            raise _Refused(f"arbetsboken saknar delen '_rels/.rels'; {_SAVE_AGAIN}")
        base = self._remembered(_KNOWN_FOLDERS, (root,), lambda: _document_folder(self.read(root)))
        book, rels = self.find(base + "workbook.xml"), self.find(base + "_rels/workbook.xml.rels")
        if book is None or rels is None:
            raise _Refused(f"arbetsboken saknar delen {base + 'workbook.xml'!r} eller dess relationer; {_SAVE_AGAIN}")
        return self._remembered(_KNOWN_PARTS, (book, rels), lambda: _parts_of(base, self.read(book), self.read(rels)))

    def _remembered(self, known: dict, names: tuple[str, ...], find: Callable[[], Any]) -> Any:
        """What `find` gives for these parts, remembered by their names and stored bytes."""
        infos = [self.archive.getinfo(name) for name in names]
        key = tuple((info.filename, info.compress_type, _stored(self.data, info)) for info in infos)
        cacheable = all(stored is not None for *_, stored in key)
        found = known.get(key) if cacheable else None
        if found is None:
            found = find()
            if cacheable and len(known) < 256:
                known[key] = found
        return found


def _lookup_key(name: str) -> str:
    """A part's name as calamine compares it: ASCII letters in lower case."""
    return name.lower() if name.isascii() else name.translate(_ASCII_LOWER)


def _document_folder(root_rels: bytes) -> str:
    """The folder of the workbook part named in `_rels/.rels` (calamine reads
    `workbook.xml` and its relationships from there, as Excel names them)."""
    _plain_relations(root_rels)
    target = None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal target
        if _local(name) == "Relationship" and attrs.get("Type", "").endswith(_OFFICE_DOCUMENT):
            target = attrs.get("Target", target)

    _parse(root_rels, start)
    if target is None:
        raise _Refused(f"arbetsboken saknar en relation till sin arbetsboksdel; {_SAVE_AGAIN}")
    cut = target.rfind("/")
    folder = target[:cut + 1] if cut >= 0 else ""
    return folder[1:] if folder.startswith("/") else folder


def _parts_of(base: str, workbook_xml: bytes, rels_xml: bytes) -> tuple[str, ...]:
    """The package part of each sheet, in order, as calamine resolves it: the sheet's
    relationship id (any attribute named `id`, whatever its prefix), its target in the
    workbook's relationships, absolute or relative to the workbook's folder."""
    _plain_relations(rels_xml)
    targets: dict[str, str] = {}

    def relation(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and "Id" in attrs:
            if attrs["Id"] in targets:
                raise _Refused(f"arbetsbokens relationer har två med id {attrs['Id']!r}; {_SAVE_AGAIN}")
            targets[attrs["Id"]] = attrs.get("Target", "")

    _parse(rels_xml, relation)
    parts: list[str] = []

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if _local(name) != "sheet":
            return
        ids = [value for key, value in attrs.items() if key == "id" or key.endswith(":id")]
        target = targets.get(ids[-1]) if ids else None
        if target is None:
            raise _Refused(f"arbetsbokens blad {attrs.get('name', '')!r} saknar sin del; {_SAVE_AGAIN}")
        if any(space in target for space in " \t\r\n") and re.search(rb"[\t\r\n]", rels_xml):
            raise _Refused(f"arbetsbokens relationer har ett delnamn med blanksteg ({target!r}); {_SAVE_AGAIN}")
        parts.append(target[1:] if target.startswith("/") else base + target)

    _parse(workbook_xml, sheet)
    return tuple(parts)


def _plain_relations(xml: bytes) -> None:
    """calamine takes a relationship's id, type and target as written, where an XML
    parser resolves `&…;` first: a file that writes them with references could have
    its sheets found in other parts than calamine reads, so it is refused."""
    if b"&" in xml:
        raise _Refused(f"arbetsbokens relationer är skrivna med &-referenser, som inte läses entydigt; {_SAVE_AGAIN}")


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
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        raise _Refused(f"arbetsbokens del {name!r} är skadad och kan inte packas upp; {_SAVE_AGAIN}") from None


# --- XML, parsed safely -------------------------------------------------------------------

_ENTITY = ("arbetsbokens XML deklarerar egna entiteter (<!ENTITY …>) eller hänvisar till okända; "
           "sådan XML läses inte, av säkerhetsskäl. Öppna filen i Excel och spara om den")


def _refuse_entity(*_: object) -> int:
    raise _Refused(_ENTITY)


def _parser() -> Any:
    """An expat parser that takes names as written (no namespace processing: calamine
    compares the name after the first colon) and refuses entity declarations and
    references to entities it does not know, before anything could be expanded."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.specified_attributes = True  # as calamine: no attribute defaults from a DTD
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.SkippedEntityHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity
    return parser


# Control characters are not allowed in XML, but calamine reads them (xlsxwriter writes
# one in a sheet's name as it is given): expat reads them as spaces, byte for byte, so
# that positions in the XML stay where they were.
_CONTROLS = bytes.maketrans(bytes([*range(9), 11, 12, *range(14, 32)]), b" " * 29)


def _parse(xml: bytes, start: Any, parser: Any = None) -> None:
    """Parse a whole part (its control characters read as spaces), `start(name,
    attributes)` for each element."""
    parser = parser or _parser()
    if start is not None:
        parser.StartElementHandler = start
    try:
        parser.Parse(xml.translate(_CONTROLS), True)
    except expat.ExpatError as exc:
        raise _Refused(f"arbetsbokens XML är skadad (rad {exc.lineno}, kolumn {exc.offset}); {_SAVE_AGAIN}") from None


def _local(name: str) -> str:
    """An element's name after its first colon, as calamine compares names."""
    return name[name.find(":") + 1:]


# --- a sheet's XML --------------------------------------------------------------------------
#
# The quick looks. Each pattern is linear: it starts at a `<` (or at one letter) and
# its repetitions stop at the next `<`, `>` or quote, so no byte is looked at more than
# a few times. They may find more than there is (the full pass then decides), never less.

# an element's prefix, as quick-xml splits a name: anything up to the first colon
_PREFIX = rb"(?:(?:[^/ \t\r\n<>:][^ \t\r\n<>:]*)?:)?"
# A cell, value or formula element written with a prefix (`<x:c>`): rare, and then the
# patterns below must start at every `<`; without, they start at their own `<c`, `<v`
# or `<f`, which is much faster.
_PREFIXED = re.compile(rb":(?:c|v|f|is)[\s/>]")
_UNPLACED_CELL = re.compile(rb"<c(?:[\t\n\r\x0b\x0c/>]| (?!r[ \t\n\r\x0c]*+=))")  # no reference first
_ODD_VALUE = re.compile(rb"<v(?:\s|>[^<]*+<[^/])")  # a value element with attributes, or an element in it
_FAR_REF = re.compile(rb"r\s*+=\s*+[\"'][A-Za-z]{0,2}+(?:[A-Za-z]|[0-9]{5})")  # beyond column ZZ or row 9 999
_BEFORE_ATTRIBUTE = (b" ", b"\t", b"\n", b"\r", b"\x0c", b'"', b"'")
# every attribute `r` (as `_far_reference` tells one), and those that are a reference of
# at most three letters and seven digits (a row number alone for a row)
_ANY_R_ATTRIBUTE = re.compile(rb"(?<=[ \t\n\r\x0c\"'])r\s*+=\s*+[\"']")
_REF_ATTRIBUTE = re.compile(rb"(?<=[ \t\n\r\x0c\"'])r\s*+=\s*+[\"']([A-Za-z]{0,3}+)([0-9]{1,7}+)[\"']")
_ERROR_TYPE = re.compile(rb"t\s*=\s*[\"']e[\"']")


@dataclass(frozen=True)
class _Patterns:
    cell: re.Pattern  # every cell element (and maybe more)
    cell_with_ref: re.Pattern  # ... whose first attribute is r
    formula: re.Pattern
    # a value element whose content has a reference, comment, CDATA or element in it:
    # calamine reads only the text before the first of them
    unsure_value: re.Pattern
    value: re.Pattern  # a cell with a value, or that may have one


def _patterns(prefix: bytes) -> _Patterns:
    return _Patterns(
        cell=re.compile(b"<" + prefix + rb"c[\s/>]"),
        cell_with_ref=re.compile(b"<" + prefix + rb"c[ \t\r\n]+r[ \t\n\r\x0c]*="),
        formula=re.compile(rb"[<:]f[\s/>]" if prefix else rb"<f[\s/>]"),
        unsure_value=re.compile(b"<" + prefix + rb"v(?:[ \t\r\n][^<>]*)?(?<!/)>[^<&]*(?:&|<[^/])"),
        value=re.compile(b"<" + prefix + rb"v(?:[ \t\r\n][^<>]*)?(?<!/)>[^<]|<" + prefix + rb"is[\s>]"),
    )


_PLAIN, _ANY_PREFIX = _patterns(b""), _patterns(_PREFIX)
_MARKUP = re.compile(rb"[<&]")
_REF = re.compile(r"([A-Za-z]*)([0-9]+)")

# A sheet is read as a dense grid from A1 to its last cell: one value far down and to
# the right (a 5 KB file with cells in A1 and XFD1048576) would need billions of cells.
MAX_SHEET_CELLS = 10_000_000
# The full pass costs a microsecond or two for each element: beyond this many (about
# 500 000 cells), a sheet that needs it is refused rather than looked at for many
# seconds. A unit's sheet has a few thousand.
MAX_SHEET_ELEMENTS = 2_000_000


@dataclass
class _Scan:
    """What a sheet's XML says beyond calamine: extent (rows, columns) of the cells with
    a value (0, 0 where it is known to be small), error values by position, formula cells
    without a saved value (None: not looked for yet, `xml` kept to look later)."""

    extent: tuple[int, int] = (0, 0)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    uncached: Set[tuple[int, int]] | None = field(default_factory=set)
    xml: bytes | None = None


def _look_at_sheet(xml: bytes) -> _Scan:
    """The quick looks, and the full pass where they cannot rule out an error value, a
    value calamine would read wrong, an entity, or a cell far away. A sheet with
    formulas is looked at later, when an empty cell matters (`Sheet.uncached`)."""
    if b"\x00" in xml:
        raise _Refused(f"bladets XML har nolltecken (den är inte sparad som UTF-8) och kan inte läsas säkert; "
                       f"{_SAVE_AGAIN}")
    look = _ANY_PREFIX if _PREFIXED.search(xml) else _PLAIN
    if _needs_full_pass(xml, look):
        return _scan_sheet(xml)
    if look.formula.search(xml):
        return _Scan(uncached=None, xml=xml)
    return _Scan()


def _needs_full_pass(xml: bytes, look: _Patterns) -> bool:
    """Whether a sheet may have an error value, a cell far away or without a reference
    of its own, a value calamine would read wrong, or an entity declaration."""
    if ((b'"e"' in xml or b"'e'" in xml) and _ERROR_TYPE.search(xml)) or (_far_reference(xml)
                                                                          and not _within_limit(xml)):
        return True
    if look is _PLAIN:
        # every cell element is written `<c r=…` (a reference first), and a value is
        # lost only to a reference, comment, CDATA, processing instruction or element
        if _UNPLACED_CELL.search(xml):
            return True
        if not _rare_markup(xml) and not _ODD_VALUE.search(xml):
            return False
    elif len(look.cell.findall(xml)) != len(look.cell_with_ref.findall(xml)):
        return True
    return b"<!ENTITY" in xml or look.unsure_value.search(xml) is not None


def _far_reference(xml: bytes) -> bool:
    """Whether an attribute `r` may place a cell or row beyond column ZZ or row 9 999
    (`xmlns:r="http…"` is no such attribute: calamine takes an attribute's name from
    after the space or quote before it)."""
    for found in _FAR_REF.finditer(xml):
        if xml[found.start() - 1:found.start()] in _BEFORE_ATTRIBUTE:
            return True
    return False


def _within_limit(xml: bytes) -> bool:
    """Whether every attribute `r` is a plain reference (or row number), and the grid
    from A1 to the farthest row and column they name is within `MAX_SHEET_CELLS`: then
    no cell lies beyond the limit, whichever of them hold values. A long table (rows
    beyond 9 999: a tree of 10 000 units) is so told from one more pass of C, without
    the full pass (seconds of expat for such a sheet)."""
    found = _REF_ATTRIBUTE.findall(xml)
    if len(found) != len(_ANY_R_ATTRIBUTE.findall(xml)):
        return False  # an `r` written otherwise: the full pass reads it as calamine does
    rows = columns = 0
    for letters, digits in set(found):
        rows = max(rows, int(digits))
        if letters:
            column = 0
            for letter in letters.upper():
                column = column * 26 + letter - 64
            columns = max(columns, column)
    return _too_large(rows, max(columns, 1)) is None


def _rare_markup(xml: bytes) -> bool:
    """Whether a sheet has a reference (`&`), a comment, CDATA or DOCTYPE (`<!`), or a
    processing instruction after its XML declaration. Each looked for as one byte
    first, which is fast."""
    start = xml.find(b"?>") + 2 if xml.startswith((b"<?xml", b"\xef\xbb\xbf<?xml")) else 0
    return (b"&" in xml or (b"!" in xml and b"<!" in xml)
            or (xml.find(b"?", start) >= 0 and xml.find(b"<?", start) >= 0))


def _holds_values(xml: bytes) -> bool:
    """Whether a sheet's XML has a cell with a value (or may have: for a warning)."""
    return (_ANY_PREFIX if _PREFIXED.search(xml) else _PLAIN).value.search(xml) is not None


def _scan_sheet(xml: bytes) -> _Scan:
    """The full pass over a sheet's XML (see `_SheetReader`)."""
    elements = xml.count(b"<")
    if elements > MAX_SHEET_ELEMENTS:
        shown, limit = (f"{n:,}".replace(",", " ") for n in (elements, MAX_SHEET_ELEMENTS))
        raise _Refused(f"bladets XML har {shown} element, fler än de {limit} som kan kontrolleras inom rimlig tid; "
                       "ta bort tomma celler och formatering långt utanför tabellen och spara om")
    reader = _SheetReader(xml.translate(_CONTROLS))
    _parse(reader.xml, None, reader.parser)
    return _Scan((reader.rows, reader.cols), reader.errors, reader.uncached)


class _SheetReader:
    """Cells as calamine reads them from a sheet's XML, in one pass of expat.

    A cell (`c`, any prefix) is at its reference `r`, or else where calamine counts it:
    the column after the cell before, in the row after the row before (or the row's
    `r`). Its value is what its last child element gives: `f` none, `is` a text, `v` a
    value by its type `t`. calamine reads a `v` of a number, shared text, truth value or
    error from the text before the first reference, comment, CDATA or element in it;
    where there is more, the value read is not the one written, and the sheet is
    refused. Only cells inside the first `sheetData` count.

    The handlers are called for every element and piece of text: they do as little as
    they can outside a value element."""

    def __init__(self, xml: bytes) -> None:
        self.xml = xml
        self.stage = 0  # 0: before sheetData, 1: in it, 2: after it
        self.row = self.col = 0  # calamine's count, for cells without a reference
        self.rows = self.cols = 0  # extent of the cells with a value
        self.errors: dict[tuple[int, int], str] = {}
        self.uncached: set[tuple[int, int]] = set()
        self.cell: tuple[int, int] | None = None  # the cell being read
        self.type: str | None = None
        self.depth = 0  # of elements inside the cell
        self.formula = False
        self.empty = True
        self.error: str | None = None
        self.child: str | None = None  # "v": a value read from its first text; "str": a text
        self.first = 0  # in a "v": 0 nothing seen yet, 1 text first, 2 something else first
        self.text_start = self.text_end = 0
        self.cdata = False
        parser = _parser()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.CommentHandler = parser.ProcessingInstructionHandler = self.markup
        parser.StartCdataSectionHandler = self.cdata_start
        parser.EndCdataSectionHandler = self.cdata_end
        self.parser = parser

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.cell is None:
            if self.stage == 1:
                local = name[name.find(":") + 1:]
                if local == "c":
                    ref = attrs.get("r")
                    if ref is None:
                        self.cell = (self.row, self.col)
                    else:
                        self.cell = _position(ref, column=True)
                        self.col = self.cell[1]
                    self.type = attrs.get("t")
                    self.depth, self.formula, self.empty, self.error = 0, False, True, None
                elif local == "row" and "r" in attrs:
                    self.row = _position(attrs["r"], column=False)[0]
            elif self.stage == 0 and name[name.find(":") + 1:] == "sheetData":
                self.stage = 1
            return
        self.depth += 1
        if self.depth == 1:
            local = name[name.find(":") + 1:]
            if local == "v":
                self.value_start()
            elif local == "f":
                self.formula, self.empty, self.error = True, True, None
            elif local == "is":
                self.empty, self.error = False, None
        elif self.child == "v" and self.first == 0:
            self.first = 2

    def end(self, name: str) -> None:
        cell = self.cell
        if cell is None:
            if self.stage == 1:
                local = name[name.find(":") + 1:]
                if local == "row":
                    self.row += 1
                    self.col = 0
                elif local == "sheetData":
                    self.stage = 2
        elif self.depth:
            if self.depth == 1 and self.child is not None:
                self.value_end()
            self.depth -= 1
        else:  # the cell's end
            if not self.empty:
                if cell[0] >= self.rows:
                    self.rows = cell[0] + 1
                if cell[1] >= self.cols:
                    self.cols = cell[1] + 1
                if self.error is not None:
                    self.errors[cell] = self.error
                elif self.errors:
                    self.errors.pop(cell, None)  # the last cell at a position is the one calamine keeps
            elif self.formula:
                self.uncached.add(cell)
            self.col = cell[1] + 1
            self.cell = None

    def value_start(self) -> None:
        kind = self.type
        if kind in ("inlineStr", "is"):  # calamine takes such a cell's text from `is` only
            self.empty, self.error = True, None
            return
        if kind is None or kind in ("n", "s", "b", "e"):
            self.child, self.first = "v", 0
        else:  # "str", "d": all text and references, as written
            self.child, self.empty, self.error = "str", False, None

    def value_end(self) -> None:
        if self.child == "v":
            if self.first == 1:
                self.empty = False
                raw = self.xml[self.text_start:self.text_end]
                self.error = raw.decode("utf-8", "replace")[:40] if self.type == "e" else None
            else:
                self.empty, self.error = True, None
        self.child = None

    def text(self, text: str) -> None:
        if self.child is None:
            return
        if self.child == "v":
            at = self.parser.CurrentByteIndex
            if self.first == 0 and self.xml[at] != 0x26:  # text first, not a reference (&)
                self.first, self.text_start = 1, at
                found = _MARKUP.search(self.xml, at)
                self.text_end = found.start() if found else len(self.xml)
            elif not (self.first == 1 and at < self.text_end):  # more than the first run of text
                self.lossy()
        elif self.cdata and text:  # calamine passes CDATA in a text by
            self.lossy()

    def markup(self, *_: object) -> None:
        if self.child == "v" and self.first == 0:
            self.first = 2

    def cdata_start(self) -> None:
        self.markup()
        self.cdata = True

    def cdata_end(self) -> None:
        self.cdata = False

    def lossy(self) -> None:
        assert self.cell is not None
        raise _Refused(
            "cellens värde är skrivet med en teckenreferens (&…;), kommentar eller CDATA som gör att det inte "
            f"läses som det står; {_SAVE_AGAIN}", cell=cell_name(*self.cell),
        )


_ODS_ERROR = re.compile(rb"value-type\s*=\s*[\"']error[\"']")
_ODS_CELLS = ("table:table-cell", "table:covered-table-cell")
MAX_ODS_ERRORS = 100_000


def _ods_errors(content: bytes, index: int) -> dict[tuple[int, int], str]:
    """Error values of the `index`th table of an OpenDocument sheet, by position.

    calamine reads a cell whose `calcext:value-type` is "error" (LibreOffice's error
    result, shown in its `text:p`) as empty text or as nothing. Its position is counted
    as calamine counts, from the table's rows and cells (`table:table-row`,
    `table:table-cell`, `table:covered-table-cell`, names as written) and their repeats."""
    if not _ODS_ERROR.search(content):
        return {}
    elements = content.count(b"<")
    if elements > MAX_SHEET_ELEMENTS:
        raise _Refused(f"arbetsbokens XML har fler än {MAX_SHEET_ELEMENTS:,} element och felvärden; den läses "
                       "inte. Spara den som .xlsx".replace(",", " "))
    errors: dict[tuple[int, int], str] = {}
    table = -1
    row = col = 0
    repeat_rows = repeat_cols = 1
    cell_depth = 0  # > 0 inside a cell
    error: list[str] | None = None  # the text of an error cell being read

    def count(attrs: dict[str, str], key: str) -> int:
        try:
            return max(1, min(int(attrs.get(key, "1")), 1 << 20))
        except ValueError:
            raise _Refused(f"arbetsbokens XML har ett ogiltigt antal upprepningar ({attrs[key][:20]!r}); "
                           f"{_SAVE_AGAIN}") from None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal table, row, col, repeat_rows, repeat_cols, cell_depth, error
        if cell_depth:
            cell_depth += 1
        elif name == "table:table":
            table += 1
            row = 0
        elif table != index:
            return
        elif name == "table:table-row":
            repeat_rows, col = count(attrs, "table:number-rows-repeated"), 0
        elif name in _ODS_CELLS:
            cell_depth, repeat_cols = 1, count(attrs, "table:number-columns-repeated")
            is_error = any(value == "error" for key, value in attrs.items() if _local(key) == "value-type")
            error = [] if is_error else None

    def end(name: str) -> None:
        nonlocal row, col, cell_depth, error
        if cell_depth > 1:
            cell_depth -= 1
        elif cell_depth == 1:
            cell_depth = 0
            if error is not None:
                if len(errors) + repeat_rows * repeat_cols > MAX_ODS_ERRORS:
                    raise _Refused("bladet har för många celler med felvärden; rätta formlerna och spara om")
                text = "".join(error).strip()[:40] or "#FEL"
                for r in range(row, row + repeat_rows):
                    for c in range(col, col + repeat_cols):
                        errors[(r, c)] = text
                error = None
            col += repeat_cols
        elif table == index and name == "table:table-row":
            row += repeat_rows

    def text(data: str) -> None:
        if error is not None:
            error.append(data)

    parser = _parser()
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    _parse(content, start, parser)
    return errors


def _position(ref: str, column: bool) -> tuple[int, int]:
    """(row, column), zero-based, of a reference as calamine reads it: letters of
    either case, then digits. Beyond what 32 bits hold, calamine's count wraps around:
    such a position is given as it is written, to be refused as far away."""
    match = _REF.fullmatch(ref)
    if match is None or (column and not match.group(1)) or match.group(2).strip("0") == "":
        raise _Refused(f"bladets XML har en ogiltig cellreferens {ref[:20]!r}; {_SAVE_AGAIN}")
    letters, digits = match.groups()
    if len(letters) > 7 or len(digits.lstrip("0")) > 10:
        return 1 << 40, 1 << 40
    col = 0
    for letter in letters.upper():
        col = col * 26 + ord(letter) - 64
    return int(digits) - 1, col - 1
