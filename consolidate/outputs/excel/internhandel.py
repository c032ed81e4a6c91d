"""The Internhandel sheet: internal trade whose two sides disagree by more than the
tolerance (party, counterparty, measure, both amounts, the difference and the files),
and below it what was eliminated where: the internal lines removed at each entity
where both parties are inside it, per measure."""

from __future__ import annotations

from consolidate.outputs.excel.book import HEADING_POINTS, Book, column_width, wrapped_points
from consolidate.outputs.excel.style import MEASURE_HEADINGS, text
from consolidate.vocabulary import MEASURE_NAMES, MEASURES

FILES_WIDTH = 60


def write(book: Book) -> None:
    """The Internhandel sheet."""
    f = book.f
    ws = book.sheet("Internhandel", "Internhandel")
    held = book.entity_names[book.top] if book.scoped else book.region_name
    row = book.titles(ws, f"Internhandel {held}", f"ack. {book.period}")
    ws.write_string(row, 0, "Internhandel där parternas bokningar inte stämmer", f.section)
    row += 1
    header = row
    headings = ["Part", "Partens namn", "Motpart", "Motpartens namn", "Mått",
                "Part mot motpart", "Motpart mot part", "Skillnad", "Filer"]
    ws.taller(row, HEADING_POINTS)
    for col, heading in enumerate(headings):
        ws.write_string(row, col, heading, f.head_num if 5 <= col <= 7 else f.head)
    row += 1
    frame = book.result.mismatches
    if frame is not None and book.scoped and not frame.empty:
        frame = frame[frame["party"].isin(book.codes) | frame["counterparty"].isin(book.codes)]
    if frame is None or frame.empty:
        ws.write_string(row, 0, "Inga skillnader i internhandeln över toleransen.", f.note)
        row += 1
    else:
        for r in frame.to_dict("records"):
            shown = sorted({book.shown_file(file) for file in (*r["party_files"], *r["counterparty_files"])})
            files = ", ".join(shown)
            ws.taller(row, wrapped_points(((files, FILES_WIDTH),)))
            ws.write_string(row, 0, text(r["party"]), f.label)
            ws.write_string(row, 1, book.entity_names.get(r["party"], ""), f.label)
            ws.write_string(row, 2, text(r["counterparty"]), f.label)
            ws.write_string(row, 3, book.entity_names.get(r["counterparty"], ""), f.label)
            ws.write_string(row, 4, MEASURE_NAMES.get(r["measure"], text(r["measure"])), f.label)
            book.number(ws, row, 5, float(r["party_amount"]) / book.factor, f.num)
            book.number(ws, row, 6, float(r["counterparty_amount"]) / book.factor, f.num)
            book.number(ws, row, 7, float(r["difference"]) / book.factor, f.num_bold)
            ws.write_string(row, 8, files, f.wrap)
            row += 1
        ws.autofilter(header, 0, row - 1, len(headings) - 1)
    row += 2
    ws.write_string(row, 0, "Eliminerat: interna poster som tagits bort där båda parterna ingår", f.section)
    row += 1
    headings2 = ["Enhet", "Namn", "Rad", "Radens namn", *(MEASURE_HEADINGS[m] for m in MEASURES)]
    ws.taller(row, HEADING_POINTS)
    for col, heading in enumerate(headings2):
        ws.write_string(row, col, heading, f.head_num if col >= 4 else f.head)
    row += 1
    eliminated = book.consolidated.eliminated
    if eliminated is not None and book.scoped:
        eliminated = eliminated[eliminated["entity"].isin(book.codes)]
    if eliminated is None or eliminated.empty:
        ws.write_string(row, 0, "Ingenting eliminerades.", f.note)
    else:
        order = {code: i for i, code in enumerate(book.tree.entities)}
        line_order = {code: i for i, code in enumerate(book.config.chart.line_codes)}
        frame = eliminated.assign(
            _e=eliminated["entity"].map(lambda e: order.get(e, len(order))),
            _l=eliminated["line"].map(lambda l: line_order.get(l, len(line_order))),
        ).sort_values(["_e", "_l"], kind="stable")
        values = frame[list(MEASURES)].to_numpy(dtype=float) / book.factor
        line_names = book.config.chart.line_names
        for i, (entity, line) in enumerate(frame[["entity", "line"]].itertuples(index=False, name=None)):
            ws.write_string(row, 0, text(entity), f.label)
            ws.write_string(row, 1, book.entity_names.get(entity, ""), f.label)
            ws.write_string(row, 2, text(line), f.label)
            ws.write_string(row, 3, text(line_names.get(line, "")), f.label)
            for col, value in enumerate(values[i], start=4):
                book.number(ws, row, col, value, f.num)
            row += 1
    ws.freeze_panes(header + 1, 0)
    ws.set_column(0, 0, 9)
    ws.set_column(1, 1, book.text_width("names", book.entity_names.values(), minimum=20, cap=45))
    ws.set_column(2, 2, 10)
    ws.set_column(3, 3, column_width(book.config.chart.line_names.values(), minimum=16, cap=45))
    ws.set_column(4, 4, 13)
    ws.set_column(5, 9, 14)
    ws.set_column(8, 8, FILES_WIDTH)
