"""The Data sheets, the workbook's last: one row per entity, report, report row and
measure (period, entity code, name and level, report, row label, measure, amount in
kr, unrounded), for pivot tables. A sheet holds at most Excel's row limit; more
rows go on to "Data (2)" and so on, every measure of a report row on one sheet.

XlsxWriter writes each Data sheet's header, filter, panes and print setup; the rows
themselves (most of the workbook's cells) are generated as sheet XML by
`stream.DataRows` and put into the package afterwards, about ten times faster than
one Python call per cell. A figure nobody delivered is an empty cell.

The Data sheets are not part of what prints by default (`page.not_printed`)."""

from __future__ import annotations

from consolidate.outputs.excel import page
from consolidate.outputs.excel.book import Book, column_width
from consolidate.outputs.excel.stream import DataRows
from consolidate.outputs.excel.style import MAX_ROWS, text
from consolidate.outputs.excel.xlsxwriter_private import xf_index
from consolidate.vocabulary import HEADINGS, LEVEL_NAMES, MEASURES


def write(book: Book) -> DataRows:
    """The Data sheets, their rows left out; returns those rows, for `stream.package`
    to put into the sheets once XlsxWriter has written the workbook."""
    rows = book.rows
    keys = list(MEASURES)  # the six measures; variances are derived from them
    headings = ["Period", "Enhet", "Namn", "Nivå", "Rapport", "Rad", "Mått", "Belopp (kr)"]
    codes = rows["entity"].tolist()
    # code, name and level made once per entity, not once per row
    entity = {e: (text(e), book.entity_names.get(e, ""), LEVEL_NAMES.get(book.levels.get(e, ""), ""))
              for e in set(codes)}
    data = DataRows(
        period=book.period,
        prefixes=[entity[e] + (text(rp), text(lb))
                  for e, rp, lb in zip(codes, rows["report"].tolist(), rows["row"].tolist())],
        measures=[HEADINGS[k] for k in keys],
        values=rows[keys].to_numpy(dtype=float),
    )
    # The index of the kr format, as a cell written with it would get it.
    data.style = xf_index(book.f.kr)
    per_sheet = (MAX_ROWS - 1) // len(keys)  # source rows per sheet: every measure of a row on one sheet
    f = book.f
    labels = set(data.labels())
    for s, start in enumerate(range(0, max(1, len(codes)), per_sheet)):
        stop = min(len(codes), start + per_sheet)
        name = "Data" if s == 0 else book.names.make(f"Data ({s + 1})", fallback=f"Data {s + 1}")
        ws = book.sheet(name, "Data", amounts="kr")
        for col, heading in enumerate(headings):
            ws.write_string(0, col, heading, f.head_num if col == 7 else f.head)
        last = (stop - start) * len(keys)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        ws.autofilter(0, 0, max(last, 1), len(headings) - 1)
        ws.set_column(0, 0, 9)
        ws.set_column(1, 1, book.text_width("codes", book.tree.entities, minimum=8, cap=20))
        ws.set_column(2, 2, book.text_width("names", book.entity_names.values(), minimum=20, cap=45))
        ws.set_column(3, 3, 12)
        ws.set_column(4, 4, column_width([r.name for r in book.config.chart.reports], minimum=14, cap=35))
        ws.set_column(5, 5, column_width(labels, minimum=20, cap=45))
        ws.set_column(6, 6, 13)
        ws.set_column(7, 7, 16, f.kr)
        page.not_printed(ws, len(headings))
        data.sheets.append((ws, start, stop))
    data.share(book.workbook)
    return data
