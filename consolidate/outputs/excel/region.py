"""The region's sheet, the workbook's first: the region's report, below it the
driftredovisning per administration (the report's bottom line and % of revenue),
and under that a bar chart of each administration's budget variance, on the same
printed page when it fits there, else at the top of the next. The chart's names come
from a hidden column beside the table (the table's own are marked "*" where a total
is partial)."""

from __future__ import annotations

import math

from consolidate.outputs.excel import page
from consolidate.outputs.excel.book import INCOME_COLUMNS, Book
from consolidate.outputs.excel.style import NUMBER_FORMATS, Sheet, text
from consolidate.vocabulary import UNIT_DECIMALS

BAR_PIXELS = 34  # the height of a bar's band, where the page has room
LABELLED_BAR_PIXELS = 20  # thinner bands than this get no value labels (they would overlap)
CHART_WIDTH = 1000  # pixels; never wider than the table
# A hidden column beside the table with the administrations' names as the chart shows
# them: without the "*" that marks a partial total in the table.
NAMES_COL = len(INCOME_COLUMNS) + 2


def write(book: Book, name: str) -> None:
    """The region's sheet, named `name`."""
    root = book.tree.root
    ws = book.sheet(name, book.region_name)
    ws.hide_gridlines(2)
    row = book.titles(ws, book.region_name, f"{text(book.report)}, ack. {book.period}")
    header = row
    row = book.report_rows(ws, root, book.report_table(ws, row, root))
    row = book.report_footnotes(ws, row, root)
    ws.freeze_panes(header + 1, 1)
    ws.repeat_rows(header)
    admins = list(book.tree.administrations())
    row += 2
    ws.write_string(row, 0, f"Driftredovisning per förvaltning, ack. {book.period}", book.f.section)
    first, row = book.entity_table(ws, row + 1, admins, root, "Förvaltning", 1, names_col=NAMES_COL)
    labels = [*book.row_names, *(f"{a} {book.entity_names[a]} *" for a in admins)]
    book.set_report_columns(ws, labels)
    ws.set_column(NAMES_COL, NAMES_COL, None, None, {"hidden": True})
    if admins:
        variance_chart(book, ws, name, first, first + len(admins) - 1, row + 1)


def variance_chart(book: Book, ws: Sheet, sheet: str, first: int, last: int, at_row: int) -> None:
    """Budget variance per administration: a native bar chart under the table, the
    administrations' names left of the plot (clear of the bars that go left), each
    bar's value outside its end where the bars are thick enough for a label, the
    value axis wide enough for those labels."""
    col = 1 + [k for k, _ in INCOME_COLUMNS].index("var_budget")
    values = [book.entity_values[a][0][col - 1] for a in book.tree.administrations()]
    n = last - first + 1
    height = min(60 + BAR_PIXELS * n, int(page.room(ws) / page.PIXEL) - 8)
    labelled = (height - 60) / n >= LABELLED_BAR_PIXELS
    chart = book.workbook.add_chart({"type": "bar"})
    series = {
        "name": "Avvikelse mot budget",
        "categories": [sheet, first, NAMES_COL, last, NAMES_COL],
        "values": [sheet, first, col, last, col],
        "points": [{"fill": {"color": "#C00000" if v < 0 else "#548235"}} for v in values],
        "gap": 60,
    }
    if labelled:
        series["data_labels"] = {"value": True, "position": "outside_end", "num_format": NUMBER_FORMATS[book.unit],
                                 "font": {"size": 8}}
    chart.add_series(series)
    chart.set_title({"name": f"Avvikelse mot budget per förvaltning, ack. {book.period} ({book.unit})",
                     "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.show_hidden_data()  # the names are in a hidden column
    axis = {"num_format": NUMBER_FORMATS[book.unit], "num_font": {"size": 8},
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    chart.set_x_axis({**axis, **value_bounds(values, labelled, UNIT_DECIMALS[book.unit])})
    chart.set_y_axis({"reverse": True, "label_position": "low", "num_font": {"size": 8},
                      "line": {"color": "#808080"}})
    page.insert_chart(ws, at_row, 0, chart, CHART_WIDTH, height)


def value_bounds(values: list[float], labelled: bool, decimals: int = 0) -> dict[str, float]:
    """The value axis' minimum, maximum and step: round numbers with room for a label
    beyond the longest bar on either side (a quarter of the span), zero always on it;
    each a number the axis shows exactly with `decimals` decimals."""
    shown = [v for v in values if math.isfinite(v)]
    low, high = min([0.0, *shown]), max([0.0, *shown])
    span = high - low
    if span == 0:
        return {}
    pad = span * (0.28 if labelled else 0.05)
    step = nice_step((span + pad * ((low < 0) + (high > 0))) / 6, 10.0 ** -decimals)
    bounds = {"min": math.floor((low - pad) / step) * step if low < 0 else 0.0,
              "max": math.ceil((high + pad) / step) * step if high > 0 else 0.0}
    return {**bounds, "major_unit": step}


def nice_step(rough: float, smallest: float = 1.0) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least `rough` and `smallest`, and a
    whole multiple of `smallest` (the axis shows 2.5 tkr as "3": not a step of 2.5)."""
    rough = max(rough, smallest)
    power = 10.0 ** math.floor(math.log10(rough))
    return next(k * power for k in (1, 2, 2.5, 5, 10)
                if k * power >= rough and abs(k * power / smallest - round(k * power / smallest)) < 1e-9)
