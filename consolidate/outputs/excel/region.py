"""The region's sheet, the workbook's first: the region's report, below it the
driftredovisning per administration (the report's bottom line and % of revenue),
and under that a bar chart of each administration's budget variance."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from consolidate.outputs.excel.book import INCOME_COLUMNS, Book
from consolidate.outputs.excel.style import NUMBER_FORMATS, text


def write(book: Book, name: str) -> None:
    """The region's sheet, named `name`."""
    root = book.tree.root
    ws = book.sheet(name, book.region_name)
    ws.hide_gridlines(2)
    row = book.titles(ws, book.region_name, f"{text(book.report)}, ack. {book.period}")
    header = row
    row = book.report_rows(ws, root, book.report_table(ws, row))
    ws.freeze_panes(header + 1, 1)
    ws.repeat_rows(header)
    admins = list(book.tree.administrations())
    row += 2
    ws.write_string(row, 0, f"Driftredovisning per förvaltning, ack. {book.period}", book.f.section)
    first, row = book.entity_table(ws, row + 1, admins, root, "Förvaltning", 1)
    labels = [*book.report_labels, *(f"{a} {book.entity_names[a]}" for a in admins)]
    book.set_report_columns(ws, labels)
    if admins:
        variance_chart(book, ws, name, first, first + len(admins) - 1, row + 1)


def variance_chart(book: Book, ws: Worksheet, sheet: str, first: int, last: int, at_row: int) -> None:
    """Budget variance per administration: a native bar chart under the table."""
    col = 1 + [k for k, _ in INCOME_COLUMNS].index("var_budget")
    values = [book.entity_values[a][0][col - 1] for a in book.tree.administrations()]
    chart = book.workbook.add_chart({"type": "bar"})
    chart.add_series({
        "name": "Avvikelse mot budget",
        "categories": [sheet, first, 0, last, 0],
        "values": [sheet, first, col, last, col],
        "points": [{"fill": {"color": "#C00000" if v < 0 else "#548235"}} for v in values],
        "data_labels": {"value": True, "num_format": NUMBER_FORMATS[book.unit]},
    })
    chart.set_title({"name": f"Avvikelse mot budget per förvaltning, ack. {book.period} ({book.unit})",
                     "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_format": NUMBER_FORMATS[book.unit],
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 760, "height": max(220, 60 + 34 * (last - first + 1))})
    ws.insert_chart(at_row, 0, chart, {"x_offset": 4, "y_offset": 4})
