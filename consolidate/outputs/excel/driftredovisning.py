"""The Driftredovisning sheet: one row per entity of the whole tree (or of the
workbook's entity's subtree), in tree order (code, name indented by depth, level),
with the report's bottom line on every measure and variance and the result in % of
revenue; filterable. When some totals are partial, a column says for each what its
units lacked ("Prognos saknas för 3 av 12 enheter"). The last column, Kommentar (SPEC
§14), holds each unit's comment on its figures and the adjustments booked at each
entity; a note on a unit's name holds its comments, also those on its rows."""

from __future__ import annotations

from consolidate.outputs.excel.book import (
    HEADING_POINTS,
    INCOME_COLUMNS,
    Book,
    column_width,
    variance_columns,
    wrapped_points,
)
from consolidate.outputs.excel.style import PCT_HEADING, text
from consolidate.vocabulary import LEVEL_NAMES, MEASURE_NAMES, MEASURES

PARTIAL_HEADING = "Ofullständig summa"
COMMENT_HEADING = "Kommentar"
COMMENT_WIDTH = 60
NOTE_SIZE = {"x_scale": 3, "y_scale": 2}


def write(book: Book) -> None:
    """The Driftredovisning sheet."""
    f = book.f
    ws = book.sheet("Driftredovisning", "Driftredovisning")
    held = book.entity_names[book.top] if book.scoped else book.region_name
    row = book.titles(ws, f"Driftredovisning {held}",
                      f"{text(book.report)}: sista raden, ack. {book.period}")
    header = row
    notes = {code: note for code in book.codes if (note := partial_note(book, code))}
    said, noted = comments(book)
    headings = ["Kod", "Namn", "Nivå", *(h for _, h in INCOME_COLUMNS), PCT_HEADING]
    if notes:
        headings.append(PARTIAL_HEADING)
    headings.append(COMMENT_HEADING)
    comment_col = len(headings) - 1
    ws.taller(row, HEADING_POINTS)
    for col, heading in enumerate(headings):
        ws.write_string(row, col, heading, f.head if col < 3 or col > 3 + len(INCOME_COLUMNS) else f.head_num)
    row += 1
    first = row
    for code in book.codes:
        level = book.levels[code]
        bold = level != "unit"
        depth = book.depth[code]
        ws.write_string(row, 0, text(code), f.label_bold if bold else f.label)
        ws.write_string(row, 1, book.entity_names[code], f.indented(depth, bold))
        ws.write_string(row, 2, LEVEL_NAMES[level], f.label)
        book.entity_numbers(ws, row, 3, code, f.num_bold if bold else f.num, f.pct_bold if bold else f.pct)
        if code in notes:
            ws.write_string(row, 4 + len(INCOME_COLUMNS), notes[code], f.label)
        if code in said:
            ws.taller(row, wrapped_points(((said[code], COMMENT_WIDTH),)))
            ws.write_string(row, comment_col, said[code], f.wrap)
        if code in noted:
            ws.write_comment(row, 1, noted[code], NOTE_SIZE)
        row += 1
    book.mark_negative(ws, first, row - 1, variance_columns(3))
    ws.freeze_panes(header + 1, 2)
    ws.repeat_rows(header)
    ws.autofilter(header, 0, row - 1, len(headings) - 1)
    ws.set_column(0, 0, book.text_width("codes", book.tree.entities, minimum=8))
    names = [("  " * book.depth[c]) + book.entity_names[c] for c in book.codes]
    ws.set_column(1, 1, column_width(names, minimum=24))
    ws.set_column(2, 2, 12)
    ws.set_column(3, 2 + len(INCOME_COLUMNS), 12.5 if book.unit != "kr" else 15)
    ws.set_column(3 + len(INCOME_COLUMNS), 3 + len(INCOME_COLUMNS), 13)
    if notes:
        last = 4 + len(INCOME_COLUMNS)
        ws.set_column(last, last, column_width(notes.values(), minimum=20, cap=60))
    ws.set_column(comment_col, comment_col, COMMENT_WIDTH if said else 12)


def comments(book: Book) -> tuple[dict[str, str], dict[str, str]]:
    """Per entity: the text of its Kommentar cell (its comment on its figures, then the
    adjustments booked at it: "Justering Löner: …"), and the note on its name (its
    comment and those on its rows: "4011 Löner: …"). Text, never a formula."""
    result = book.result
    own = result.unit_comments()
    line_names = book.config.chart.line_names
    cells: dict[str, list[str]] = {code: [text(said)] for code, said in own.items() if code in book.codes_set}
    notes: dict[str, list[str]] = {code: [f"Kommentar: {said[0]}"] for code, said in cells.items()}
    adjusted = result.adjustments
    if adjusted is not None and not adjusted.empty:
        for entity, line, said in zip(adjusted["entity"], adjusted["line"], adjusted["text"]):
            if entity in book.codes_set:
                cells.setdefault(entity, []).append(text(f"Justering {line_names.get(line, line)}: {said}"))
    for comment in result.comments:
        if comment.account is not None and comment.entity in book.codes_set:
            where = f"{comment.account} {line_names.get(comment.line or '', '')}".strip()
            notes.setdefault(comment.entity, []).append(text(f"{where}: {comment.text}"))
    joined = {code: "\n".join(lines) for code, lines in cells.items()}
    return joined, {code: "\n".join(lines) for code, lines in notes.items()}


def partial_note(book: Book, code: str) -> str:
    """What the entity's partial total lacks: "Prognos saknas för 3 av 12 enheter"."""
    partial = book.partial(code)
    parts = []
    for measure in MEASURES:
        if measure in partial:
            lacking, reporting = partial[measure]
            parts.append(f"{MEASURE_NAMES[measure]} saknas för {lacking} av {reporting} "
                         f"{'enhet' if reporting == 1 else 'enheter'}")
    return "; ".join(parts)
