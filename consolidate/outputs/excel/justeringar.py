"""The Justeringar sheet (SPEC §14): the controllers' top-side adjustments of the
period, one row each in tree order: where it is booked (entity and line), the six
measures in the display unit (empty: the row does not adjust that measure), its text
and signature, and the file and cell it comes from. Each counts in its entity and in
every entity above it, which the note under the table says.

Written only for a region that has `[inputs] adjustments`; a period without
adjustments then says so. With an entity (`--entity`), the adjustments booked in its
subtree."""

from __future__ import annotations

import math

from consolidate.outputs.excel.book import HEADING_POINTS, Book, column_width, wrapped_points
from consolidate.outputs.excel.style import MEASURE_HEADINGS, text
from consolidate.vocabulary import MEASURES

SHEET = "Justeringar"
TEXT_WIDTH = 50
NOTE = ("En justering räknas i sin enhet och i varje nivå ovanför den, på sin rad; enheternas egna siffror ändras "
        "inte. Tomt belopp: måttet justeras inte.")


def write(book: Book) -> None:
    """The Justeringar sheet, when the region has an adjustments file setting."""
    if book.config.inputs.adjustments is None:
        return
    f = book.f
    ws = book.sheet(SHEET, SHEET)
    held = book.entity_names[book.top] if book.scoped else book.region_name
    adjustments = book.result.adjustments
    source = book.result.adjustment_file
    where = f"ur {book.shown_file(source.display)}" if source is not None else "ingen justeringsfil för perioden"
    row = book.titles(ws, f"Justeringar {held}", f"ack. {book.period}, {where}")
    header = row
    headings = ["Enhet", "Namn", "Rad", "Radens namn", *(MEASURE_HEADINGS[m] for m in MEASURES),
                "Text", "Signatur", "Fil", "Cell"]
    first_text = 4 + len(MEASURES)
    ws.taller(row, HEADING_POINTS)
    for col, heading in enumerate(headings):
        ws.write_string(row, col, heading, f.head_num if 4 <= col < first_text else f.head)
    row += 1
    first = row
    if adjustments is not None and not adjustments.empty:
        frame = adjustments[adjustments["entity"].isin(book.codes_set)] if book.scoped else adjustments
        order = {code: i for i, code in enumerate(book.tree.entities)}
        frame = frame.assign(_e=frame["entity"].map(order)).sort_values(["_e", "row"], kind="stable")
        line_names = book.config.chart.line_names
        for record in frame.to_dict("records"):
            said = text(record["text"])
            ws.taller(row, wrapped_points(((said, TEXT_WIDTH),)))
            ws.write_string(row, 0, text(record["entity"]), f.label)
            ws.write_string(row, 1, book.entity_names.get(record["entity"], ""), f.label)
            ws.write_string(row, 2, text(record["line"]), f.label)
            ws.write_string(row, 3, text(line_names.get(record["line"], "")), f.label)
            for col, measure in enumerate(MEASURES, start=4):
                value = float(record[measure])
                if not math.isnan(value):  # empty: not adjusted
                    book.number(ws, row, col, value / book.factor, f.num)
            ws.write_string(row, first_text, said, f.wrap)
            ws.write_string(row, first_text + 1, text(record["signature"]), f.label)
            ws.write_string(row, first_text + 2, book.shown_file(record["file"]), f.label)
            ws.write_string(row, first_text + 3, text(record["cell"]), f.label)
            row += 1
    if row == first:
        ws.write_string(row, 0, "Inga justeringar för perioden.", f.note)
        row += 1
    else:
        ws.autofilter(header, 0, row - 1, len(headings) - 1)
    ws.write_string(row + 1, 0, NOTE, f.note)
    ws.freeze_panes(header + 1, 2)
    ws.repeat_rows(header)
    ws.set_column(0, 0, book.text_width("codes", book.tree.entities, minimum=8))
    ws.set_column(1, 1, book.text_width("names", book.entity_names.values(), minimum=20, cap=40))
    ws.set_column(2, 2, 10)
    ws.set_column(3, 3, column_width(book.config.chart.line_names.values(), minimum=16, cap=40))
    ws.set_column(4, first_text - 1, 12.5 if book.unit != "kr" else 15)
    ws.set_column(first_text, first_text, TEXT_WIDTH)
    ws.set_column(first_text + 1, first_text + 1, 12)
    ws.set_column(first_text + 2, first_text + 2, 30)
    ws.set_column(first_text + 3, first_text + 3, 8)
