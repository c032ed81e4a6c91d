"""One sheet per administration: its report and, below it, the driftredovisning of
every entity under it (intermediate levels and units, indented by depth). An
administration with more than `MANY_BELOW` entities under it gets a link there
instead, and its driftredovisning on a sheet of its own right after it.

A workbook of one entity's subtree (`Book.scoped`) has one such sheet, the entity's
own, whatever its level, and it comes first."""

from __future__ import annotations

from consolidate.outputs.excel.book import Book
from consolidate.outputs.excel.style import MANY_BELOW, internal_link, text

# (administration, its sheet's name, the name of its own entity sheet or None)
Plan = list[tuple[str, str, str | None]]


def plan(book: Book) -> Plan:
    """Choose the names first (every sheet is written once, in order)."""
    planned: Plan = []
    for admin in ((book.top,) if book.scoped else book.tree.administrations()):
        name = book.names.make(f"{admin} {book.entity_names[admin]}", fallback=f"Förvaltning {len(planned) + 1}")
        below = book.tree.subtree(admin)[1:]
        own = None
        if len(below) > MANY_BELOW:
            own = book.names.make(f"{admin} enheter", fallback=f"Enheter {len(planned) + 1}")
        planned.append((admin, name, own))
    return planned


def write(book: Book, planned: Plan) -> None:
    """Every administration's sheet, in the order of `plan`."""
    for admin, name, own in planned:
        administration_sheet(book, admin, name, own)


def administration_sheet(book: Book, admin: str, name: str, own: str | None) -> None:
    """The sheet of one administration, and after it its own entity sheet if it has one."""
    title = f"{book.entity_names[admin]} ({text(admin)})"
    ws = book.sheet(name, title)
    ws.hide_gridlines(2)
    row = book.titles(ws, title, f"{book.region_name} · {text(book.report)}, ack. {book.period}")
    header = row
    row = book.report_rows(ws, admin, book.report_table(ws, row, admin))
    row = book.report_footnotes(ws, row, admin)
    ws.freeze_panes(header + 1, 1)
    ws.repeat_rows(header)
    below = book.tree.subtree(admin)[1:]
    labels = list(book.row_names)
    row += 2
    if not below:
        pass
    elif own is None:
        ws.write_string(row, 0, f"Driftredovisning {book.entity_names[admin]}, ack. {book.period}", book.f.section)
        book.entity_table(ws, row + 1, below, admin, "Enhet", book.depth[admin] + 1)
        labels += [f"{'  ' * (book.depth[c] - book.depth[admin])}{c} {book.entity_names[c]} *" for c in below]
    else:
        ws.write_url(row, 0, internal_link(own), book.f.label,
                     string=f"Driftredovisning för {len(below)} enheter: se bladet {own}")
    book.set_report_columns(ws, labels)
    if own is not None and below:
        own_entity_sheet(book, admin, own, below)


def own_entity_sheet(book: Book, admin: str, name: str, below: list[str]) -> None:
    """The driftredovisning of an administration with many entities, on its own sheet."""
    title = f"Driftredovisning {book.entity_names[admin]}"
    ws = book.sheet(name, title)
    ws.hide_gridlines(2)
    row = book.titles(ws, title, f"{book.region_name} · {text(book.report)}, ack. {book.period}")
    ws.freeze_panes(row + 1, 1)
    ws.repeat_rows(row)
    book.entity_table(ws, row, below, admin, "Enhet", book.depth[admin] + 1)
    labels = [f"{'  ' * (book.depth[c] - book.depth[admin])}{c} {book.entity_names[c]} *" for c in below]
    book.set_report_columns(ws, labels)
