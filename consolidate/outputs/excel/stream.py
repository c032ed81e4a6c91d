"""Streaming the long sheets (Data, Underlag, Personal per enhet) straight into the
workbook's package.

XlsxWriter writes each such sheet's header, filter, panes and print setup; the rows
themselves (most of the workbook's cells) are rendered here as sheet XML and put into
the package afterwards, about ten times faster than one Python call per cell. Texts
are XlsxWriter's shared strings (it escapes them, and a shared string is never a
formula), numbers carry a cell format XlsxWriter numbered. `DataRows` renders the
Data sheets; `TableRows` any table given column by column; each gives its sheets as
`StreamedPart`s, which `package` fills in.
"""

from __future__ import annotations

import io
import math
import os
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, repeat

import numpy as np
import xlsxwriter
import xlsxwriter.format
from xlsxwriter.utility import xl_col_to_name

from consolidate.outputs.excel.xlsxwriter_private import (
    SHEET_DATA_END,
    add_shared_string_references,
    dimension,
    holds_inline_text,
    share_strings,
    worksheet_part,
    xf_index,
)

COMPRESSION = 6  # zlib level of the package
DATA_COMPRESSION = 1  # the streamed sheets: most of the bytes; level 1 is three times faster

_CHUNK_ROWS = 2_000  # a chunk of a few hundred kB stays in the processor's cache while it is compressed


@dataclass
class StreamedPart:
    """A sheet whose rows go into the package after XlsxWriter wrote its header:
    `marker` is a text XlsxWriter wrote into it (proof that the part is that sheet),
    `written` the dimension of the cells XlsxWriter wrote (e.g. "A1:H1"), `ref` the
    dimension with the streamed rows, `chunks` the rows' XML, in order."""

    ws: object
    marker: str
    written: str
    ref: str
    chunks: Callable[[], Iterator[bytes]]


@dataclass
class Column:
    """One column of a streamed table: texts (shared strings; None or "" is an empty
    cell) or numbers (NaN is a blank cell with the column's format, or the `missing`
    text); every cell with the format `style`."""

    values: Sequence | np.ndarray
    numbers: bool = False
    style: xlsxwriter.format.Format | None = None
    missing: str | None = None  # a number nobody delivered: this text, else a blank cell
    missing_style: xlsxwriter.format.Format | None = None


class TableRows:
    """The rows of a long table, rendered straight to sheet XML column by column, after
    the `header_rows` XlsxWriter wrote; split over several sheets when they are many
    (`add_sheet`). Cells carry no `r` reference: each follows the one before, so every
    column has a cell in every row (an empty one where there is nothing)."""

    def __init__(self, columns: list[Column], header_rows: int, marker: str) -> None:
        self.columns = columns
        self.header_rows = header_rows
        self.marker = marker
        self.n = len(columns[0].values) if columns else 0
        self.sheets: list[tuple[object, int, int]] = []
        self._cells: list[Callable[[int, int], list[str]]] = []

    def add_sheet(self, ws, start: int, stop: int) -> None:
        """Rows [start, stop) go on `ws`."""
        self.sheets.append((ws, start, stop))

    def share(self, book: xlsxwriter.Workbook) -> None:
        """Put the table's texts into the book's shared strings and number its formats
        (before the book is closed)."""
        distinct = [set(column.values) if not column.numbers else set() for column in self.columns]
        texts = set().union(*(every - {"", None} for every in distinct),
                            {c.missing for c in self.columns if c.numbers and c.missing})
        index = share_strings(book, sorted(texts))
        references = 0
        self._cells = []
        for column, every in zip(self.columns, distinct):
            style = f' s="{xf_index(column.style)}"' if column.style is not None else ""
            if column.numbers:
                values = np.asarray(column.values, dtype=float)
                blank = f"<c{style}/>"
                if column.missing:
                    missing_style = column.missing_style if column.missing_style is not None else column.style
                    shown = f' s="{xf_index(missing_style)}"' if missing_style is not None else ""
                    blank = f'<c{shown} t="s"><v>{index[column.missing]}</v></c>'
                    references += sum(int((~np.isfinite(values[a:b])).sum()) for _, a, b in self.sheets)
                self._cells.append(_number_cells(values, f"<c{style}><v>", blank))
            else:
                texts_of = list(column.values)
                empty = f"<c{style}/>"  # None or "": an empty cell
                cell_of = {v: f'<c{style} t="s"><v>{index[v]}</v></c>' if v else empty for v in every}
                references += sum(sum(map(bool, texts_of[a:b])) for _, a, b in self.sheets)
                self._cells.append(_text_cells(texts_of, cell_of))
        add_shared_string_references(book, references - len(index))

    def parts(self) -> list[StreamedPart]:
        last = xl_col_to_name(len(self.columns) - 1)
        return [StreamedPart(ws, self.marker, f"A1:{last}{self.header_rows}",
                             f"A1:{last}{self.header_rows + stop - start}", partial(self.chunks, start, stop))
                for ws, start, stop in self.sheets]

    def chunks(self, start: int, stop: int) -> Iterator[bytes]:
        """Sheet XML rows for table rows [start, stop), as ASCII chunks."""
        for a in range(start, stop, _CHUNK_ROWS):
            b = min(stop, a + _CHUNK_ROWS)
            columns = [repeat("<row>", b - a), *(cells(a, b) for cells in self._cells), repeat("</row>", b - a)]
            yield "".join(chain.from_iterable(zip(*columns))).encode("ascii")


def _number_cells(values: np.ndarray, opening: str, blank: str) -> Callable[[int, int], list[str]]:
    """The cells of rows [a, b) of a column of numbers."""
    def cells(a: int, b: int) -> list[str]:
        part = values[a:b]
        finite = np.isfinite(part)
        if finite.all():  # the usual case
            return [f"{opening}{v!r}</v></c>" for v in part.tolist()]
        made = np.full(len(part), blank, dtype=object)  # the blanks placed by numpy, not a test per cell
        made[finite] = [f"{opening}{v!r}</v></c>" for v in part[finite].tolist()]
        return made.tolist()
    return cells


def _text_cells(values: list, cell_of: dict[str, str]) -> Callable[[int, int], list[str]]:
    """The cells of rows [a, b) of a column of texts (`cell_of` has every value's cell)."""
    def cells(a: int, b: int) -> list[str]:
        return list(map(cell_of.__getitem__, values[a:b]))
    return cells


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
        texts = {self.period, *self.measures, *chain.from_iterable(self.prefixes)}
        self.index = share_strings(book, sorted(texts))
        per_row = len(self.prefixes[0]) + 2 if self.prefixes else 0
        cells = sum(stop - start for _, start, stop in self.sheets) * len(self.measures) * per_row
        add_shared_string_references(book, cells - len(self.index))  # every reference counts, not only the first

    def parts(self) -> list[StreamedPart]:
        """The Data sheets, each with its rows (header "A1:H1", the amount column's
        heading the marker)."""
        return [StreamedPart(ws, "Belopp (kr)", "A1:H1", f"A1:H{(stop - start) * len(self.measures) + 1}",
                             partial(self.chunks, start, stop, self.style))
                for ws, start, stop in self.sheets]

    def chunks(self, start: int, stop: int, style: int):
        """Sheet XML rows 2.. for source rows [start, stop), as ASCII chunks."""
        index = self.index
        period = f'<row><c t="s"><v>{index[self.period]}</v></c>'
        measure_cells = [f'<c t="s"><v>{index[m]}</v></c>' for m in self.measures]
        # Rows and cells carry no `r` reference (it is optional in SpreadsheetML): each
        # follows the one before, so a source row's text cells are built once.
        number = f'<c s="{style}"><v>'
        cell_of = {text: f'<c t="s"><v>{i}</v></c>' for text, i in index.items()}
        step = max(1, _CHUNK_ROWS // max(1, len(self.measures)))  # source rows per chunk
        for a in range(start, stop, step):
            b = min(stop, a + step)
            prefixes = [period + "".join(map(cell_of.__getitem__, prefix)) for prefix in self.prefixes[a:b]]
            # The rows of one measure for every source row, made a column at a time (no
            # test per cell where all are finite), then interleaved: source row by
            # source row, its measures in order.
            rows = []
            for cell, values in zip(measure_cells, self.values[a:b].T):
                if np.isfinite(values).all():
                    rows.append([f"{prefix}{cell}{number}{value!r}</v></c></row>"
                                 for prefix, value in zip(prefixes, values.tolist())])
                else:
                    rows.append([f"{prefix}{cell}{number}{value!r}</v></c></row>" if math.isfinite(value)
                                 else f"{prefix}{cell}</row>" for prefix, value in zip(prefixes, values.tolist())])
            yield "".join(chain.from_iterable(zip(*rows))).encode("ascii")


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


class _Deflate:
    """zipfile's compressor for a part, deflating its chunks on several threads (zlib
    lets go of the interpreter while it compresses, so they use every core while the
    next rows are made). Each chunk is deflated on its own and ended on a byte boundary
    (a sync flush); their concatenation, ended by an empty last block, is one deflate
    stream, as pigz makes it. The chunks' bytes are given back in order."""

    def __init__(self, level: int, threads: int) -> None:
        from concurrent.futures import ThreadPoolExecutor  # start-up: only for a workbook

        self.level = level
        self.threads = threads
        self.pool = ThreadPoolExecutor(threads)
        self.pending: deque = deque()

    def _deflate(self, data: bytes) -> bytes:
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, -zlib.MAX_WBITS)
        return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)

    def compress(self, data: bytes) -> bytes:
        self.pending.append(self.pool.submit(self._deflate, bytes(data)))
        done = []
        while self.pending and (self.pending[0].done() or len(self.pending) > 2 * self.threads):
            done.append(self.pending.popleft().result())
        return b"".join(done)

    def flush(self) -> bytes:
        try:
            done = [future.result() for future in self.pending]
        finally:
            self.pending.clear()
            self.pool.shutdown(cancel_futures=True)
        last = zlib.compressobj(self.level, zlib.DEFLATED, -zlib.MAX_WBITS).flush(zlib.Z_FINISH)  # an empty last block
        return b"".join(done) + last


def _deflate_on_threads(handle) -> bool:
    """Give zipfile's writer of a part (`ZipFile.open(name, "w")`) a `_Deflate`, when
    there is more than one core and the writer is as this code knows it (zipfile's
    private `_compressor`, a deflater: Python 3.11–3.14); else it deflates the part
    itself, in the thread of `_write_beside`."""
    cores = _cores()
    if cores < 2 or type(getattr(handle, "_compressor", None)).__name__ != "Compress":
        return False
    handle._compressor = _Deflate(DATA_COMPRESSION, min(cores, 4))
    return True


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def package(book: xlsxwriter.Workbook, buffer: io.BytesIO, path: str, streamed: list[StreamedPart]) -> None:
    """Copy XlsxWriter's package into `path`, streaming the long sheets' rows into their
    parts."""
    parts = {worksheet_part(book, part.ws): part for part in streamed}
    buffer.seek(0)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION) as out,
    ):
        for info in source.infolist():
            body = source.read(info.filename)
            part = parts.get(info.filename)
            if part is None:
                out.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION)
                continue
            xml = body.decode("utf-8")
            head, tail = xml.split(SHEET_DATA_END, 1)
            if not holds_inline_text(head, part.marker):  # a heading of the sheet
                raise RuntimeError(f"{info.filename} is not the sheet {part.marker!r} was written into")
            head = head.replace(dimension(part.written), dimension(part.ref), 1)
            out.compresslevel = DATA_COMPRESSION
            with out.open(info.filename, "w") as handle:
                if _deflate_on_threads(handle):
                    for chunk in chain([head.encode("utf-8")], part.chunks()):
                        handle.write(chunk)
                else:
                    handle.write(head.encode("utf-8"))
                    _write_beside(handle, part.chunks())
                handle.write((SHEET_DATA_END + tail).encode("utf-8"))
            out.compresslevel = COMPRESSION
