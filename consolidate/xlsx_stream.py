"""Streaming the long Data sheets straight into the workbook's package.

XlsxWriter writes each Data sheet's header, filter, panes and print setup; the rows
themselves (most of the workbook's cells) are rendered here as sheet XML and put into
the package afterwards, about ten times faster than one Python call per cell. Cells
are written as XlsxWriter writes them: inline strings escaped the same way, numbers
with the cell format XlsxWriter gave the sheet's amount column.
"""

from __future__ import annotations

import io
import math
import re
import zipfile

import xlsxwriter

COMPRESSION = 6  # zlib level of the package
DATA_COMPRESSION = 1  # the Data sheets: most of the bytes; level 1 is three times faster

_XML_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPED_CHAR = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
_CHUNK_ROWS = 20_000


def _inline(value: str) -> str:
    """An inline-string cell body, escaped as XlsxWriter escapes it (XML entities, and
    a literal `_xHHHH_` protected so Excel does not decode it)."""
    value = _ESCAPED_CHAR.sub(r"_x005F\1", _XML_INVALID.sub("", value)).translate(_XML_ESCAPE)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f"<is><t{space}>{value}</t></is>"


class DataRows:
    """The long rows of the Data sheets, rendered straight to sheet XML."""

    def __init__(self, period: str, prefixes: list[tuple[str, ...]], measures: list[str], values) -> None:
        self.period = period
        self.prefixes = prefixes  # per source row: code, name, level, report, row label
        self.measures = measures
        self.values = values  # source rows x measures, kr
        self.sheets: list[tuple[object, int, int]] = []  # (worksheet, first source row, stop)

    def labels(self) -> list[str]:
        return [p[4] for p in self.prefixes]

    def chunks(self, start: int, stop: int, style: int):
        """Sheet XML rows 2.. for source rows [start, stop), as UTF-8 chunks."""
        period = _inline(self.period)
        measures = [_inline(m) for m in self.measures]
        cache: dict[str, str] = {}

        def inline(value: str) -> str:
            found = cache.get(value)
            if found is None:
                found = cache[value] = _inline(value)
            return found

        # Rows and cells carry no `r` reference (it is optional in SpreadsheetML): each
        # follows the one before, so a source row's six cells of text are built once.
        measure_cells = [f'<c t="inlineStr">{m}</c>' for m in measures]
        number = f'<c s="{style}"><v>'
        out: list[str] = []
        values = self.values[start:stop].tolist()
        for i in range(start, stop):
            prefix = '<row><c t="inlineStr">' + period + "</c>" + "".join(
                f'<c t="inlineStr">{inline(v)}</c>' for v in self.prefixes[i]
            )
            for cell, value in zip(measure_cells, values[i - start]):
                amount = f"{number}{value!r}</v></c>" if math.isfinite(value) else ""
                out.append(f"{prefix}{cell}{amount}</row>")
            if len(out) >= _CHUNK_ROWS:
                yield "".join(out).encode("utf-8")
                out.clear()
        if out:
            yield "".join(out).encode("utf-8")


def _sheet_part(book: xlsxwriter.Workbook, ws) -> str:
    """The package part XlsxWriter gave a worksheet (chart sheets are numbered apart)."""
    index = 0
    for sheet in book.worksheets():
        if sheet.is_chartsheet:
            continue
        index += 1
        if sheet is ws:
            return f"xl/worksheets/sheet{index}.xml"
    raise LookupError(ws.name)


def package(book: xlsxwriter.Workbook, buffer: io.BytesIO, path: str, data: DataRows | None) -> None:
    """Copy XlsxWriter's package into `path`, streaming the Data rows into their sheets."""
    parts = {}
    if data is not None:
        for ws, start, stop in data.sheets:
            parts[_sheet_part(book, ws)] = (start, stop)
        style = data.style
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION) as out:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename not in parts:
                out.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION)
                continue
            start, stop = parts[info.filename]
            xml = body.decode("utf-8")
            head, tail = xml.split("</sheetData>", 1)
            if "Belopp (kr)" not in head:
                raise RuntimeError(f"{info.filename} is not a Data sheet")
            n_rows = (stop - start) * len(data.measures)
            head = head.replace('<dimension ref="A1:H1"/>', f'<dimension ref="A1:H{n_rows + 1}"/>', 1)
            out.compresslevel = DATA_COMPRESSION
            with out.open(info.filename, "w") as handle:
                handle.write(head.encode("utf-8"))
                for chunk in data.chunks(start, stop, style):
                    handle.write(chunk)
                handle.write(("</sheetData>" + tail).encode("utf-8"))
            out.compresslevel = COMPRESSION
