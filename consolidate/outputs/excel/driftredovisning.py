"""The Driftredovisning sheet: one row per entity of the whole tree, in tree order
(code, name indented by depth, level), with the report's bottom line on every
measure and variance and the result in % of revenue; filterable."""

from __future__ import annotations

from consolidate.outputs.excel.book import INCOME_COLUMNS, Book, column_width, variance_columns
from consolidate.outputs.excel.style import PCT_HEADING, text
from consolidate.vocabulary import LEVEL_NAMES


def write(book: Book) -> None:
    """The Driftredovisning sheet."""
    f = book.f
    ws = book.sheet("Driftredovisning", "Driftredovisning")
    row = book.titles(ws, f"Driftredovisning {book.region_name}",
                      f"{text(book.report)}: sista raden, ack. {book.period}")
    header = row
    headings = ["Kod", "Namn", "Nivå", *(h for _, h in INCOME_COLUMNS), PCT_HEADING]
    for col, heading in enumerate(headings):
        ws.write_string(row, col, heading, f.head if col < 3 else f.head_num)
    row += 1
    first = row
    for code in book.tree.entities:
        level = book.levels[code]
        bold = level != "unit"
        depth = book.depth[code]
        ws.write_string(row, 0, text(code), f.label_bold if bold else f.label)
        ws.write_string(row, 1, book.entity_names[code], f.indented(depth, bold))
        ws.write_string(row, 2, LEVEL_NAMES[level], f.label)
        book.entity_numbers(ws, row, 3, code, f.num_bold if bold else f.num, f.pct_bold if bold else f.pct)
        row += 1
    book.mark_negative(ws, first, row - 1, variance_columns(3))
    ws.freeze_panes(header + 1, 2)
    ws.repeat_rows(header)
    ws.autofilter(header, 0, row - 1, len(headings) - 1)
    ws.set_column(0, 0, book.text_width("codes", book.tree.entities, minimum=8))
    names = [("  " * book.depth[c]) + n for c, n in book.entity_names.items()]
    ws.set_column(1, 1, column_width(names, minimum=24))
    ws.set_column(2, 2, 12)
    ws.set_column(3, 2 + len(INCOME_COLUMNS), 12.5 if book.unit != "kr" else 15)
    ws.set_column(3 + len(INCOME_COLUMNS), 3 + len(INCOME_COLUMNS), 13)
