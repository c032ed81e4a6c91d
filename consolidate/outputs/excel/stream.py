"""Streaming the long Data sheets straight into the workbook's package.

XlsxWriter writes each Data sheet's header, filter, panes and print setup; the rows
themselves (most of the workbook's cells) are rendered here as sheet XML and put into
the package afterwards, about ten times faster than one Python call per cell. Texts
are XlsxWriter's shared strings (it escapes them), numbers carry the cell format
XlsxWriter gave the sheet's amount column.
"""

from __future__ import annotations

import io
import math
import zipfile

import xlsxwriter

from consolidate.outputs.excel.xlsxwriter_private import (
    SHEET_DATA_END,
    add_shared_string_references,
    dimension,
    holds_inline_text,
    share_strings,
    worksheet_part,
)

COMPRESSION = 6  # zlib level of the package
DATA_COMPRESSION = 1  # the Data sheets: most of the bytes; level 1 is three times faster

_CHUNK_ROWS = 20_000


class DataRows:
    """The long rows of the Data sheets, rendered straight to sheet XML.

    Their texts (period, entity code, name and level, report, row label, measure)
    repeat on every row, so they go into the workbook's shared-string table, which
    XlsxWriter writes, and each cell holds only the text's index: the sheet's XML is
    less than half the size of inline strings, and pure ASCII."""

    def __init__(self, period: str, prefixes: list[tuple[str, ...]], measures: list[str], values) -> None:
        self.period = period
        self.prefixes = prefixes  # per source row: code, name, level, report, row label
        self.measures = measures
        self.values = values  # source rows x measures, kr
        self.sheets: list[tuple[object, int, int]] = []  # (worksheet, first source row, stop)
        self.index: dict[str, int] = {}
        self.style = 0  # the cell format of the amounts, as XlsxWriter numbers it

    def labels(self) -> list[str]:
        return [p[4] for p in self.prefixes]

    def share(self, book: xlsxwriter.Workbook) -> None:
        """Put every text of the Data rows into the book's shared-string table (before
        the book is closed, when XlsxWriter writes the table)."""
        texts = {self.period, *self.measures, *(text for prefix in self.prefixes for text in prefix)}
        self.index = share_strings(book, sorted(texts))
        per_row = len(self.prefixes[0]) + 2 if self.prefixes else 0
        cells = sum(stop - start for _, start, stop in self.sheets) * len(self.measures) * per_row
        add_shared_string_references(book, cells - len(self.index))  # every reference counts, not only the first

    def chunks(self, start: int, stop: int, style: int):
        """Sheet XML rows 2.. for source rows [start, stop), as ASCII chunks."""
        index = self.index
        period = f'<row><c t="s"><v>{index[self.period]}</v></c>'
        measure_cells = [f'<c t="s"><v>{index[m]}</v></c>' for m in self.measures]
        # Rows and cells carry no `r` reference (it is optional in SpreadsheetML): each
        # follows the one before, so a source row's text cells are built once.
        number = f'<c s="{style}"><v>'
        out: list[str] = []
        values = self.values[start:stop].tolist()
        for i in range(start, stop):
            prefix = period + "".join([f'<c t="s"><v>{index[v]}</v></c>' for v in self.prefixes[i]])
            for cell, value in zip(measure_cells, values[i - start]):
                amount = f"{number}{value!r}</v></c>" if math.isfinite(value) else ""
                out.append(f"{prefix}{cell}{amount}</row>")
            if len(out) >= _CHUNK_ROWS:
                yield "".join(out).encode("ascii")
                out.clear()
        if out:
            yield "".join(out).encode("ascii")


def _write_beside(handle, chunks) -> None:
    """Write the chunks in a thread of its own: zlib lets go of the interpreter while
    it compresses, so the next chunk is made meanwhile."""
    import queue
    import threading

    pending: queue.Queue = queue.Queue(maxsize=4)
    failed: list[BaseException] = []

    def write() -> None:
        while (chunk := pending.get()) is not None:
            if not failed:
                try:
                    handle.write(chunk)
                except BaseException as exc:  # noqa: BLE001 - raised again below, in the caller
                    failed.append(exc)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        for chunk in chunks:
            if failed:
                break
            pending.put(chunk)
    finally:
        pending.put(None)
        writer.join()
    if failed:
        raise failed[0]


def package(book: xlsxwriter.Workbook, buffer: io.BytesIO, path: str, data: DataRows | None) -> None:
    """Copy XlsxWriter's package into `path`, streaming the Data rows into their sheets."""
    parts = {}
    style = 0
    if data is not None:
        for ws, start, stop in data.sheets:
            parts[worksheet_part(book, ws)] = (start, stop)
        style = data.style
    buffer.seek(0)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION) as out,
    ):
        for info in source.infolist():
            body = source.read(info.filename)
            if data is None or info.filename not in parts:
                out.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION)
                continue
            start, stop = parts[info.filename]
            xml = body.decode("utf-8")
            head, tail = xml.split(SHEET_DATA_END, 1)
            if not holds_inline_text(head, "Belopp (kr)"):  # the amount column's heading
                raise RuntimeError(f"{info.filename} is not a Data sheet")
            n_rows = (stop - start) * len(data.measures)
            head = head.replace(dimension("A1:H1"), dimension(f"A1:H{n_rows + 1}"), 1)
            out.compresslevel = DATA_COMPRESSION
            with out.open(info.filename, "w") as handle:
                handle.write(head.encode("utf-8"))
                _write_beside(handle, data.chunks(start, stop, style))
                handle.write((SHEET_DATA_END + tail).encode("utf-8"))
            out.compresslevel = COMPRESSION
