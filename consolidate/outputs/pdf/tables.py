"""Tables of the month report: columns fitted to the page, rows laid out down the
pages, the heading repeated on every page a table runs onto.

A figure column is as wide as its widest figure: no amount is ever cut. Names wrap
onto more lines; a comment takes the room that is left and wraps. When the figures
do not fit, whole columns are left out, least important first, and a note under the
table says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from consolidate.outputs.pdf.layout import (
    BOLD,
    BOTTOM,
    GREY,
    MARGIN,
    REGULAR,
    RULE,
    SHADE,
    TOP,
    WIDTH,
    Color,
    Document,
    text_width,
    wrap,
)

SIZE = 7.5  # points, the table's text
SMALLEST = 6.5  # a table too wide at SIZE is tried at this size before columns are left out
PAD = 3.0  # points of room either side of a cell's text
INDENT = 9.0  # points per level of an entity under the table's top
NAME_MIN, NAME_MAX = 120.0, 240.0  # a name column's least and greatest width
TEXT_MIN = 150.0  # a comment column's least width
HEADING_LINES = 3  # a heading wraps onto at most this many lines
GLUED = frozenset({"%", "år", "tim"})  # a heading never wraps before these words
AIR = 10.0  # points more between figures, where the page has room
HEADING_MAX = 72.0  # a figure's column widens for its heading on one line up to this
RED: Color = (0.75, 0.0, 0.0)


@dataclass
class Column:
    key: str
    heading: str
    kind: str = "figure"  # "figure" (right-aligned, never cut), "name" or "text" (wrap)


@dataclass
class Row:
    cells: list[str]
    bold: bool = False
    red: frozenset[int] = frozenset()  # the cells shown in red (negative variances)
    indent: int = 0  # levels the first cell is indented
    total: bool = False  # a line above it, shaded


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    leave_out: Sequence[str] = ()  # keys that may be left out, least important first


@dataclass
class Fitted:
    columns: list[int]  # the table's columns shown
    widths: list[float]
    size: float
    left_out: list[str]  # headings


def fit(table: Table, room: float = WIDTH) -> Fitted:
    """The columns shown and their widths: at SIZE, else at SMALLEST, else leaving
    out columns of `leave_out` in order until the rest fit."""
    for size in (SIZE, SMALLEST):
        fitted = _fit(table, room, size, [])
        if fitted is not None:
            return fitted
    left: list[str] = []
    for key in table.leave_out:
        left.append(key)
        fitted = _fit(table, room, SMALLEST, left)
        if fitted is not None:
            return fitted
    return _fit(table, float("inf"), SMALLEST, left) or Fitted([], [], SMALLEST, [])


def _fit(table: Table, room: float, size: float, left_out: list[str]) -> Fitted | None:
    shown = [i for i, c in enumerate(table.columns) if c.key not in left_out]
    least: dict[int, float] = {}
    natural: dict[int, float] = {}
    for i in shown:
        column = table.columns[i]
        words = max((text_width(w, BOLD, size) for w in glued(column.heading).split(" ")), default=0.0)
        cells = 0.0
        for row in table.rows:
            cell = row.cells[i]
            if cell:
                width = text_width(cell, BOLD if row.bold else REGULAR, size)
                if i == 0:
                    width += row.indent * INDENT
                cells = max(cells, width)
        if column.kind == "figure":
            least[i] = natural[i] = max(cells, words) + 2 * PAD
        elif column.kind == "name":
            natural[i] = min(max(cells, words) + 2 * PAD, NAME_MAX)
            least[i] = min(natural[i], NAME_MIN)
        else:
            natural[i] = max(cells, words) + 2 * PAD
            least[i] = max(words + 2 * PAD, min(natural[i], TEXT_MIN))
    if sum(least.values()) > room:
        return None
    widths = dict(least)
    spare = room - sum(widths.values())
    figures = [i for i in shown if table.columns[i].kind == "figure"]
    texts = any(table.columns[i].kind == "text" for i in shown)  # comments: they have the room, headings wrap
    comfortable = {i: least[i] + AIR if texts else
                   max(least[i] + AIR, min(text_width(table.columns[i].heading, BOLD, size) + 2 * PAD, HEADING_MAX))
                   for i in figures}
    if figures:  # the figures all as wide as the widest, where the page has room for it
        even = max(comfortable.values())
        names = sum(natural[i] - widths[i] for i in shown if table.columns[i].kind == "name")
        if sum(even - widths[i] for i in figures) + names <= spare:
            comfortable = dict.fromkeys(figures, even)
    for group in ("name", "figure", "text"):  # names whole, air between figures, then the comments
        for i in shown:
            if table.columns[i].kind == group and spare > 0:
                more = min(spare, (comfortable[i] if group == "figure" else natural[i]) - widths[i])
                widths[i] += max(more, 0.0)
                spare -= max(more, 0.0)
    flexible = [i for i in shown if table.columns[i].kind == "text"] or \
        [i for i in shown if table.columns[i].kind == "name"]
    if flexible and spare > 0:  # the table as wide as the page: the rest to the comments, or the names
        widths[flexible[0]] += spare
    headings = [table.columns[i].heading for i in range(len(table.columns)) if table.columns[i].key in left_out]
    return Fitted(shown, [widths[i] for i in shown], size, headings)


def glued(heading: str) -> str:
    """A heading with no-break spaces where it must not wrap: before "%", "år" and
    "tim", after "fg" and "sedan" ("Avv. fg år" wraps as "Avv." and "fg år")."""
    words: list[str] = []
    for word in heading.split():
        if words and (word in GLUED or words[-1].split("\u00a0")[-1] in ("fg", "sedan")):
            words[-1] = f"{words[-1]}\u00a0{word}"
        else:
            words.append(word)
    return " ".join(words)


def place(doc: Document, table: Table, keep: int = 3) -> None:
    """Lay the table out from `doc.y`: its title, heading and at least `keep` rows on
    one page; on every further page the title with "(forts.)" and the heading again."""
    fitted = fit(table)
    size = fitted.size
    leading = size * 1.25
    heading_lines = [wrap(glued(table.columns[i].heading), w - 2 * PAD, BOLD, size, HEADING_LINES)
                     for i, w in zip(fitted.columns, fitted.widths)]
    heading_height = max((len(lines) for lines in heading_lines), default=1) * leading + 2 * PAD
    title_height = 9.5 * 1.6
    most = int((TOP - BOTTOM - title_height - heading_height) / leading) - 1  # a row's lines on one page
    laid = [_row_lines(table, fitted, row, most) for row in table.rows]
    heights = [max(len(lines) for lines in cells) * leading + PAD for cells in laid]
    first = title_height + heading_height + sum(heights[:keep])
    if not doc.fresh():
        doc.y -= 8.0
    doc.ensure(first)

    def top(title: str) -> None:
        doc.y -= 9.5
        doc.text(MARGIN, doc.y, title, BOLD, 9.5)
        doc.y -= 9.5 * 0.6
        x = MARGIN
        tallest = max((len(lines) for lines in heading_lines), default=1)
        for i, width, lines in zip(fitted.columns, fitted.widths, heading_lines):
            figure = table.columns[i].kind == "figure"
            y = doc.y - PAD - size - (tallest - len(lines)) * leading  # the headings' last lines level
            for line in lines:
                if figure:
                    doc.right(x + width - PAD, y, line, BOLD, size)
                else:
                    doc.text(x + PAD, y, line, BOLD, size)
                y -= leading
            x += width
        doc.y -= heading_height
        doc.line(MARGIN, doc.y, MARGIN + sum(fitted.widths), doc.y, 0.8, GREY)

    top(table.title)
    for row, cells, height in zip(table.rows, laid, heights):
        if doc.room() < height:
            doc.new_page()
            top(f"{table.title} (forts.)")
        _place_row(doc, table, fitted, row, cells, height, leading)
    doc.y -= 2.0
    notes = list(table.notes)
    if fitted.left_out:
        what = "Utelämnad kolumn" if len(fitted.left_out) == 1 else "Utelämnade kolumner"
        notes.insert(0, f"{what} (för smal sida): {', '.join(fitted.left_out)}. Se arbetsboken.")
    for note in notes:
        for line in wrap(note, WIDTH, REGULAR, 7.0):
            doc.ensure(9.0)
            doc.y -= 9.0
            doc.text(MARGIN, doc.y + 2.0, line, REGULAR, 7.0, GREY)


def _row_lines(table: Table, fitted: Fitted, row: Row, most: int) -> list[list[str]]:
    font = BOLD if row.bold else REGULAR
    cells = []
    for i, width in zip(fitted.columns, fitted.widths):
        cell = row.cells[i]
        kind = table.columns[i].kind
        if kind == "figure":
            cells.append([cell])
        else:
            indent = row.indent * INDENT if i == 0 else 0.0
            cells.append(wrap(cell, width - 2 * PAD - indent, font, fitted.size, most))
    return cells


def _place_row(doc: Document, table: Table, fitted: Fitted, row: Row, cells: list[list[str]], height: float,
               leading: float) -> None:
    size = fitted.size
    font = BOLD if row.bold else REGULAR
    right_edge = MARGIN + sum(fitted.widths)
    if row.total:
        doc.box(MARGIN, doc.y - height, right_edge - MARGIN, height, SHADE)
        doc.line(MARGIN, doc.y, right_edge, doc.y, 0.5, RULE)
    x = MARGIN
    baseline = doc.y - PAD / 2 - size
    for i, width, lines in zip(fitted.columns, fitted.widths, cells):
        column = table.columns[i]
        color = RED if i in row.red else (0.0, 0.0, 0.0)
        y = baseline
        if column.kind == "figure":
            doc.right(x + width - PAD, y, lines[0], font, size, color)
        else:
            indent = row.indent * INDENT if i == 0 else 0.0
            cell_font = font if column.kind == "name" else REGULAR
            for line in lines:
                doc.text(x + PAD + indent, y, line, cell_font, size, color)
                y -= leading
        x += width
    doc.y -= height
