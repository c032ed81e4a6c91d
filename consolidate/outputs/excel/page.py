"""How the workbook prints (SPEC §6, §17).

Every sheet prints on A4 landscape, one page wide (`fit_to_pages(1, 0)`), its title
rows repeated on every page, a header with the region, the sheet's title and the
period, and a footer with the display unit and the page number. Page numbers count
within each sheet's printout: every sheet starts at page 1 (`set_start_page(1)`).
The footer says "Bladnamn – sida 3", not "sida 3 av 12": LibreOffice counts the
total (`&N`) over the whole printout, whatever a sheet's first page number is.

The Data sheets (and any other sheet that is material for pivots rather than for
reading) are not part of what prints by default: their print area is one empty cell
to the right of the table. Excel and LibreOffice skip an empty page (Excel's
"nothing to print", LibreOffice's "suppress output of empty pages", on by default),
so printing the whole workbook prints the report sheets only. Whoever wants the data
on paper clears the print area (Sidlayout › Utskriftsområde › Rensa utskriftsområde).
A print area limited to the header row was the alternative: it still prints one page
per Data sheet.

Charts sit under their tables and never cross a page break: the page's height in the
sheet's own points is worked out from the fit-to-width scale (the sheet's column
widths), every row counted at its tallest (`ROW_POINTS`, or what `Sheet.taller`
noted); a chart that would not end on the page it starts on gets a manual page break
before it, and is never taller than a page.
"""

from __future__ import annotations

import math

from consolidate.outputs.excel.style import (
    DEFAULT_WIDTH,
    MARGINS,
    PRINT_HEIGHT,
    PRINT_WIDTH,
    ROW_POINTS,
    Sheet,
    header_text,
)

PIXEL = 0.75  # points per pixel at 96 dpi
SAFETY = 0.95  # of a page's height: what the layout counts on filling


def setup(ws: Sheet, left: str, title: str, right: str, footer: str) -> None:
    """A4 landscape, one page wide, margins, the print header (`left` in bold,
    `title`, `right`) and footer (`footer`, the sheet's name and page number);
    page numbers from 1 on every sheet."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(**MARGINS)
    ws.set_start_page(1)
    ws.set_header(f"&L&\"Calibri,Bold\"{header_text(left)}&C{header_text(title)}&R{header_text(right)}")
    ws.set_footer(f"&L{header_text(footer)}&R&A – sida &P")


def not_printed(ws: Sheet, col: int) -> None:
    """Leave the sheet out of what prints by default: its print area is the empty
    cell in row 1 of column `col` (right of everything written on the sheet)."""
    ws.print_area(0, col, 0, col)


def column_pixels(width: float) -> int:
    """A column's width in pixels, as Excel draws a width in characters with its
    default font (Calibri 11: 7 pixels a digit, 5 of padding)."""
    if width < 1:
        return int(width * 12 + 0.5)
    return int(width * 7 + 0.5) + 5


def sheet_pixels(ws: Sheet) -> int:
    """The width of the sheet's columns up to the last one given a width."""
    if not ws.widths:
        return 0
    return sum(column_pixels(ws.widths.get(col, DEFAULT_WIDTH)) for col in range(max(ws.widths) + 1))


def scale(ws: Sheet) -> float:
    """The scale that fits the sheet to one page's width: whole percents, 10 to 100,
    as Excel rounds it."""
    wide = sheet_pixels(ws) * PIXEL
    if wide <= PRINT_WIDTH:
        return 1.0
    return max(10, math.floor(100 * PRINT_WIDTH / wide)) / 100


def page_points(ws: Sheet) -> float:
    """The height of one printed page, in the sheet's own (unscaled) points."""
    return PRINT_HEIGHT / scale(ws)


def rows_points(ws: Sheet, first: int, stop: int) -> float:
    """The height of rows [first, stop), each at its tallest."""
    taller = sum(h - ROW_POINTS for r, h in ws.heights.items() if first <= r < stop)
    return max(0, stop - first) * ROW_POINTS + taller


def titles_points(ws: Sheet) -> float:
    """The height of the title rows repeated on the top of every page but the first."""
    if ws.titles is None:
        return 0.0
    return rows_points(ws, ws.titles[0], ws.titles[1] + 1)


def room(ws: Sheet) -> float:
    """The points a chart may have: a page less the repeated title rows and a row."""
    return SAFETY * page_points(ws) - titles_points(ws) - ROW_POINTS


def page_start(ws: Sheet, row: int) -> int:
    """The row that starts the page `row` is on, as far as the manual breaks tell."""
    return max((b for b in ws.breaks if b <= row), default=0)


def fits(ws: Sheet, row: int, points: float) -> bool:
    """Whether something `points` tall, from `row` down, ends on the page it starts
    on: everything from the page's first row (after the manual breaks) down to its
    end fits one page."""
    start = page_start(ws, row)
    above = rows_points(ws, start, row) + (titles_points(ws) if start > 0 else 0.0)
    return above + points <= SAFETY * page_points(ws)


def chart_rows(height_pixels: float, y_offset: int = 0) -> int:
    """How many plain rows a chart `height_pixels` tall covers."""
    return math.ceil((height_pixels + y_offset) * PIXEL / ROW_POINTS)


def insert_chart(ws: Sheet, row: int, col: int, chart, width: int, height: int, keep_from: int | None = None,
                 y_offset: int = 4) -> int:
    """Insert `chart`, `width` x `height` pixels, at `row`, `col`; together with the
    rows from `keep_from` (its heading, its small table; by default none) on one page:
    after a manual page break before them unless they end on the page they start on.
    The chart is made no wider than the columns (the page's width stays the table's)
    and no taller than a page. Returns the row after the chart."""
    first = row if keep_from is None else keep_from
    with_it = rows_points(ws, first, row)
    height = max(60, min(height, int((room(ws) - with_it) / PIXEL) - y_offset))
    left = sum(column_pixels(ws.widths.get(c, DEFAULT_WIDTH)) for c in range(col))
    if sheet_pixels(ws) > left:
        width = min(width, sheet_pixels(ws) - left - 8)
    if not fits(ws, first, with_it + (height + y_offset) * PIXEL):
        ws.break_before(first)
    chart.set_size({"width": width, "height": height})
    ws.insert_chart(row, col, chart, {"x_offset": 4, "y_offset": y_offset})
    return row + chart_rows(height, y_offset) + 1
