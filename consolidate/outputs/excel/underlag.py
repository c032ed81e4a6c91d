"""The Underlag sheets, beside the Data sheets at the end of the workbook: every source
row of the run as it was read (SPEC §13), so that any figure can be followed down to
the cell it came from: the unit and its name, the account, its name, Motpart, the
chart's line and its name, the six measures in kr (unrounded; a measure the file did
not deliver is an empty cell), the file (relative to the region's folder), the sheet
and the row in the file. Filterable, the header frozen, not printed by default.

With an entity, only the rows of the units in its subtree. More rows than a sheet
holds go on to "Underlag (2)" and so on. The rows are generated as sheet XML
(`stream.TableRows`) and put into the package after XlsxWriter has written it, as the
Data sheets are; texts are shared strings, so text from a file is never a formula."""

from __future__ import annotations

import numpy as np
import pandas as pd

from consolidate.outputs.excel import page
from consolidate.outputs.excel.book import Book, column_width
from consolidate.outputs.excel.stream import Column, TableRows
from consolidate.outputs.excel.style import MAX_ROWS, text
from consolidate.vocabulary import HEADINGS, MEASURES

SHEET = "Underlag"
ROW_HEADING = "Rad i filen"  # also the mark that finds the sheet's part in the package
TEXTS = ("unit", "account", "name", "counterparty", "line", "file", "sheet")


def headings() -> list[str]:
    return ["Enhet", "Enhetens namn", "Konto", "Benämning", "Motpart", "Rad", "Radens namn",
            *(f"{HEADINGS[m]} (kr)" for m in MEASURES), "Fil", "Blad", ROW_HEADING]


def write(book: Book) -> TableRows:
    """The Underlag sheets, their rows left out; returns those rows, for
    `stream.package` to put into the sheets once XlsxWriter has written the workbook."""
    frame = book.result.source_rows
    if frame is None:
        frame = pd.DataFrame(columns=[*TEXTS, "row", *MEASURES])
    if book.scoped:
        frame = frame[frame["unit"].isin(book.codes_set)]
    f = book.f
    shown = {column: _texts(frame[column], book.shown_file if column == "file" else text) for column in TEXTS}
    line_names = {code: text(name) for code, name in book.config.chart.line_names.items()}
    columns = [
        Column(shown["unit"], style=f.label),
        Column(_looked_up(shown["unit"], book.entity_names), style=f.label),
        Column(shown["account"], style=f.label),
        Column(shown["name"], style=f.label),
        Column(shown["counterparty"], style=f.label),
        Column(shown["line"], style=f.label),
        Column(_looked_up(shown["line"], line_names), style=f.label),
        *(Column(pd.to_numeric(frame[m], errors="coerce").to_numpy(dtype=float), numbers=True, style=f.kr)
          for m in MEASURES),
        Column(shown["file"], style=f.label),
        Column(shown["sheet"], style=f.label),
        Column(pd.to_numeric(frame["row"], errors="coerce").to_numpy(dtype=float), numbers=True, style=f.whole),
    ]
    rows = TableRows(columns, header_rows=1, marker=ROW_HEADING)
    names = headings()
    per_sheet = MAX_ROWS - 1
    for s, start in enumerate(range(0, max(1, rows.n), per_sheet)):
        stop = min(rows.n, start + per_sheet)
        name = SHEET if s == 0 else book.names.make(f"{SHEET} ({s + 1})", fallback=f"{SHEET} {s + 1}")
        ws = book.sheet(name, SHEET, amounts="kr")
        for col, heading in enumerate(names):
            ws.write_string(0, col, heading, f.head_num if columns[col].numbers else f.head)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        ws.autofilter(0, 0, max(1, stop - start), len(names) - 1)
        widths = [
            book.text_width("codes", book.tree.entities, minimum=8, cap=20),
            book.text_width("names", book.entity_names.values(), minimum=20, cap=40),
            column_width(set(shown["account"]), minimum=8, cap=16),
            column_width(set(shown["name"]), minimum=20, cap=40),
            9, column_width(set(shown["line"]), minimum=8, cap=16),
            column_width(line_names.values(), minimum=16, cap=35),
            *(15 for _ in MEASURES),
            column_width(set(shown["file"]), minimum=20, cap=50), column_width(set(shown["sheet"]), minimum=8, cap=20),
            10,
        ]
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        page.not_printed(ws, len(names))
        rows.add_sheet(ws, start, stop)
    rows.share(book.workbook)
    return rows


def _looked_up(values: list[str], names: dict[str, str]) -> list[str]:
    """Each value's name ("" for none), each distinct value looked up once."""
    name_of = {value: names.get(value, "") for value in set(values)}
    return list(map(name_of.__getitem__, values))


def _texts(values: pd.Series, shown) -> list[str]:
    """A column's texts as cells show them ("" for none), each distinct value made once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    made = np.array([shown(v) for v in uniques] + [""], dtype=object)
    return made[codes].tolist()  # the sentinel -1 picks the last: ""
