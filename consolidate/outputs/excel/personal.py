"""The Personal sheets (SPEC §2, §16): staffing as the regions publish it.

Personal, for the workbook's entity (the region, or the entity asked for) and each
entity right under it, in the order and wording of the regions' own reports, one
block each kept on one printed page: on the left the hours by kind (resurspool,
externt inhyrd, inkl and exkl jour/beredskap), the årsarbetare and the employees,
last year, this year,
Förändring and Förändring %; on the right the sick leave in % of scheduled hours, in
total, by length of spell (dag 1–14, 15–90, 91–365, 366–), the share of long spells
(60 dagar eller mer), by Kön (Kvinnor, Män) and by Åldersgrupp, and under it, where a
breakdown cannot be given because some units below do not give it, which units;
under both the årsarbetare of each entity right under it ("Årsarbetare per
förvaltning", as "OÅA per avdelning apr-25 apr-26 Förändring"), with a column chart
for the workbook's entity.

Personal per enhet: every entity of the workbook and each of its breakdowns (Kön,
Åldersgrupp, Personalgrupp) on a row, every figure in a column, filterable and not
printed, its rows streamed into the package as the Data sheet's are.

A figure nobody delivered is "–", never 0. Says so when the run read no staffing."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from consolidate.core.staffing import SHOWN_BREAKDOWNS
from consolidate.core.staffing import blocked_units as staffing_blocked
from consolidate.core.staffing import breakdown_notes as staffing_notes
from consolidate.formatting import month_heading
from consolidate.outputs.excel import page
from consolidate.outputs.excel.book import HEADING_POINTS, LINE_POINTS, Book, wrapped_points
from consolidate.outputs.excel.stream import Column, StreamedPart, TableRows
from consolidate.outputs.excel.style import ROW_POINTS, Sheet, internal_link, shown, text
from consolidate.vocabulary import (
    BREAKDOWN_LABELS,
    BY_NAMES,
    LEVEL_NAMES,
    STAFF_AGE_ROW,
    STAFF_CHANGE_HEADINGS,
    STAFF_HOURS_ROWS,
    STAFF_SICK_ROWS,
)

SHEET = "Personal"
ALL_SHEET = "Personal per enhet"
MOST_BARS = 30  # more entities than this under the workbook's entity: the table, no chart
DECIMALS = {"fte": 1}  # hours and employees: 0
SICK_DECIMALS = 1
CHANGE_PCT_DECIMALS = 2  # "−2,48 %", as the regions' reports give a change in per cent
# The block's columns: the hours table (label, last year, this year, change, change
# in %), a narrow gap, the sick-leave table (label, last year, this year).
LABEL, PRIOR, CURRENT, CHANGE, CHANGE_PCT, GAP, SICK_LABEL, SICK_PRIOR, SICK_CURRENT = range(9)
WIDTHS = {LABEL: 44, PRIOR: 11, CURRENT: 11, CHANGE: 11, CHANGE_PCT: 11, GAP: 2, SICK_LABEL: 36, SICK_PRIOR: 9,
          SICK_CURRENT: 9}
ALL_HEADING = "Indelning"  # a heading of Personal per enhet: finds its part in the package


def change(current: Any, prior: Any) -> tuple[float, float]:
    """This year less last year, and that in % of last year (NaN where either is
    unknown, the % also where last year is 0)."""
    now, then = _float(current), _float(prior)
    diff = now - then
    return diff, (100 * diff / then if then and math.isfinite(then) else math.nan)


def _float(value: Any) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


# -- the figures ---------------------------------------------------------------------------
class Staff:
    """The staffing figures of the workbook's entities, looked up by entity and
    breakdown; None (`of`) when the run read no staffing."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        # Every row's values taken out of the frame at once, each entity's rows made
        # into figures when asked for (a frame lookup per entity costs far more).
        self._names = list(frame.columns)
        self._values = list(zip(*(frame[name].tolist() for name in self._names)))
        self._rows: dict[str, list[int]] = {}  # entity -> its rows
        for i, code in enumerate(frame["entity"].tolist()):
            self._rows.setdefault(code, []).append(i)
        self._of: dict[str, dict[tuple[Any, Any], dict[str, Any]]] = {}

    @classmethod
    def of(cls, book: Book) -> Staff | None:
        frame = book.result.staffing
        sources = getattr(book.result, "staff_sources", None)
        if frame is None or len(frame) == 0 or (sources is not None and not any(s.rows is not None for s in sources)):
            return None
        if book.scoped:
            frame = frame[frame["entity"].isin(book.codes_set)]
        return cls(frame.reset_index(drop=True)) if len(frame) else None

    def entity(self, code: str) -> dict[tuple[Any, Any], dict[str, Any]]:
        """An entity's figures: (by, key) -> figures, (None, None) its total."""
        if code not in self._of:
            records = [dict(zip(self._names, self._values[i])) for i in self._rows.get(code, [])]
            self._of[code] = {(None if _none(r["by"]) else r["by"], None if _none(r["key"]) else r["key"]): r
                              for r in records}
        return self._of[code]

    def total(self, code: str) -> dict[str, Any] | None:
        return self.entity(code).get((None, None))

    def keys(self, code: str, by: str) -> list[Any]:
        """The values of a breakdown the entity has, known ones (K, M, the age bands)
        first."""
        known = list(BREAKDOWN_LABELS.get(by, {}))
        found = [k for (b, k) in self.entity(code) if b == by]
        return [*(k for k in known if k in found), *sorted(k for k in found if k not in known)]


def _none(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def blocked_units(book: Book, entity: str) -> dict[str, list[str]]:
    return staffing_blocked(book.result.problems, book.tree, entity)


def breakdown_notes(book: Book, entity: str, blocked: dict[str, list[str]]) -> list[str]:
    return staffing_notes(book.tree, entity, blocked)


# -- a block of rows, laid out before it is written ------------------------------------------
@dataclass
class Block:
    """Cells of consecutive rows, written row by row (the sheet is written in constant
    memory) once it is known where the block goes: a page break before it unless it
    ends on the page it starts on."""

    cells: list[dict[int, tuple[Any, Any]]] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    merges: dict[int, tuple[int, int, str, Any]] = field(default_factory=dict)  # row -> (first, last col, text, fmt)

    def put(self, row: int, col: int, value: Any, fmt: Any) -> None:
        while len(self.cells) <= row:
            self.cells.append({})
        self.cells[row][col] = (value, fmt)

    def merge(self, row: int, first: int, last: int, value: str, fmt: Any) -> None:
        self.put(row, first, None, None)
        self.merges[row] = (first, last, value, fmt)

    def tall(self, row: int, points: float) -> None:
        self.heights[row] = max(points, self.heights.get(row, ROW_POINTS))

    @property
    def rows(self) -> int:
        return len(self.cells)

    def points(self, first: int = 0) -> float:
        return sum(self.heights.get(r, ROW_POINTS) for r in range(first, self.rows))

    def write(self, book: Book, ws: Sheet, top: int) -> int:
        """Write the block from row `top`; returns the row after it."""
        for r, cells in enumerate(self.cells):
            ws.taller(top + r, self.heights.get(r, ROW_POINTS))
            for col in sorted(cells):
                value, fmt = cells[col]
                if r in self.merges and col == self.merges[r][0]:
                    first, last, note, note_fmt = self.merges[r]
                    ws.merge_range(top + r, first, top + r, last, note, note_fmt)
                elif isinstance(value, str):
                    ws.write_string(top + r, col, value, fmt)
                else:
                    book.number(ws, top + r, col, _float(value), fmt)
        return top + self.rows


# -- the Personal sheet ------------------------------------------------------------------------
def write(book: Book) -> list[StreamedPart]:
    """The Personal sheet and Personal per enhet; returns the latter's streamed rows."""
    f = book.f
    staff = Staff.of(book)
    ws = book.sheet(SHEET, SHEET, amounts=None)
    held = book.entity_names[book.top] if book.scoped else book.region_name
    for col, width in WIDTHS.items():
        ws.set_column(col, col, width)
    row = book.titles(ws, f"Personal {held}", f"ack. {book.period}",
                      "Arbetad tid i timmar; årsarbetare av arbetad tid exkl jour/beredskap; "
                      "sjukfrånvaro i % av ordinarie arbetstid")
    if staff is None:
        ws.write_string(row, 0, "Inga personaluppgifter lästes i den här körningen." if not book.scoped
                        else f"Inga personaluppgifter för {held}.", f.note)
        return every_entity(book, None)
    ws.write_url(row, 0, internal_link(ALL_SHEET), f.note,
                 f"Alla enheter med uppdelning på kön, åldersgrupp och personalgrupp: bladet {ALL_SHEET}")
    row += 2
    entities = [e for e in (book.top, *book.tree.children[book.top]) if staff.total(e) is not None]
    for i, entity in enumerate(entities):
        block, fte_first, children = entity_block(book, staff, entity)
        if i > 0 and not page.fits(ws, row, block.points()) and row > page.page_start(ws, row):
            ws.break_before(row)  # a block on one page: it starts the next unless it ends on this one
        if fte_first is not None and not page.fits(ws, row, block.points()):
            ws.break_before(row + fte_first)  # taller than a page: the årsarbetare table on a page of its own
        top = row
        row = block.write(book, ws, row)
        if i == 0 and fte_first is not None:
            row = fte_chart(book, ws, top + fte_first, children, row + 1)
        row += 1
    return every_entity(book, staff)


def entity_block(book: Book, staff: Staff, entity: str) -> tuple[Block, int | None, int]:
    """An entity's block: its name; the hours and the sick-leave tables side by side;
    the årsarbetare of the entities right under it. Returns the block, the row (in it)
    of the årsarbetare table's heading (None without one) and how many entities that
    table lists above its Totalt."""
    f = book.f
    block = Block()
    prior, current = month_heading(book.period, 1), month_heading(book.period)
    total = staff.total(entity) or {}
    block.put(0, LABEL, f"{text(entity)} {book.entity_names[entity]}", f.section)
    block.tall(1, HEADING_POINTS)
    for col, heading in ((LABEL, "Arbetad tid (timmar) och årsarbetare"), (PRIOR, prior), (CURRENT, current),
                         (CHANGE, STAFF_CHANGE_HEADINGS["change"]), (CHANGE_PCT, STAFF_CHANGE_HEADINGS["change_pct"]),
                         (SICK_LABEL, "Sjukfrånvaro, % av ordinarie arbetstid"), (SICK_PRIOR, prior),
                         (SICK_CURRENT, current)):
        block.put(1, col, heading, f.head if col in (LABEL, SICK_LABEL) else f.head_num)
    for i, (key, label) in enumerate(STAFF_HOURS_ROWS):
        r = 2 + i
        bold = key == "fte"
        block.put(r, LABEL, label, f.wrap_bold if bold else f.wrap)
        block.tall(r, wrapped_points(((label, WIDTHS[LABEL]),)))
        with_change(book, block, r, total.get(key), total.get(f"{key}_prior"), DECIMALS.get(key, 0), bold)
    pct_fmt = f.figure(shown(SICK_DECIMALS, grouped=False))
    sick_rows: list[tuple[str, dict[str, Any], str, bool]] = [
        (label, total, key, key == "sick_pct") for key, label in STAFF_SICK_ROWS]
    blocked = blocked_units(book, entity)
    for by in SHOWN_BREAKDOWNS:
        keys = staff.keys(entity, by)
        if not keys and by not in blocked:
            continue  # no unit gives it: nothing to show, nothing to explain
        for key in [*BREAKDOWN_LABELS[by], *(k for k in keys if k not in BREAKDOWN_LABELS[by])]:
            label = BREAKDOWN_LABELS[by].get(key, text(key))
            record = staff.entity(entity).get((by, key), {})
            sick_rows.append((STAFF_AGE_ROW.format(band=label) if by == "age_band" else label, record, "sick_pct",
                              False))
    for i, (label, record, key, bold) in enumerate(sick_rows):
        r = 2 + i
        block.put(r, SICK_LABEL, label, f.wrap_bold if bold else f.wrap)
        block.tall(r, wrapped_points(((label, WIDTHS[SICK_LABEL]),)))
        fmt = f.figure(shown(SICK_DECIMALS, grouped=False), bold) if bold else pct_fmt
        block.put(r, SICK_PRIOR, record.get(f"{key}_prior"), fmt)
        block.put(r, SICK_CURRENT, record.get(key), fmt)
    r = 2 + len(sick_rows)
    note_width = WIDTHS[SICK_LABEL] + WIDTHS[SICK_PRIOR] + WIDTHS[SICK_CURRENT]
    for note in breakdown_notes(book, entity, blocked):
        block.merge(r, SICK_LABEL, SICK_CURRENT, note, f.note_wrap)
        block.tall(r, wrapped_points(((note, note_width),)))
        r += 1
    children = [c for c in book.tree.children[entity] if staff.total(c) is not None]
    if not children:
        return block, None, 0
    first = max(block.rows, 2 + len(STAFF_HOURS_ROWS)) + 1
    per = "förvaltning" if entity == book.tree.root else "enhet"
    block.tall(first, HEADING_POINTS)
    for col, heading in ((LABEL, f"Årsarbetare per {per}"), (PRIOR, prior), (CURRENT, current),
                         (CHANGE, STAFF_CHANGE_HEADINGS["change"]), (CHANGE_PCT, STAFF_CHANGE_HEADINGS["change_pct"])):
        block.put(first, col, heading, f.head if col == LABEL else f.head_num)
    for i, code in enumerate([*children, entity]):
        r = first + 1 + i
        last = code == entity
        figures = staff.total(code) or {}
        label = "Totalt" if last else f"{text(code)} {book.entity_names[code]}"
        block.put(r, LABEL, label, f.label_total if last else f.wrap)
        block.tall(r, wrapped_points(((label, WIDTHS[LABEL]),)))
        with_change(book, block, r, figures.get("fte"), figures.get("fte_prior"), DECIMALS["fte"], last, last)
    return block, first, len(children)


def with_change(book: Book, block: Block, row: int, current: Any, prior: Any, decimals: int, bold: bool = False,
                top: bool = False) -> None:
    """Last year, this year, Förändring and Förändring % of a figure, from column
    PRIOR on."""
    fmt = book.f.figure(shown(decimals), bold, top)
    diff, pct = change(current, prior)
    block.put(row, PRIOR, prior, fmt)
    block.put(row, CURRENT, current, fmt)
    block.put(row, CHANGE, diff, fmt)
    block.put(row, CHANGE_PCT, pct, book.f.figure(shown(CHANGE_PCT_DECIMALS, grouped=False), bold, top))


def fte_chart(book: Book, ws: Sheet, heading: int, n: int, at_row: int) -> int:
    """Årsarbetare of each entity right under the workbook's entity (the `n` rows under
    the table's `heading` row), last year against this year: a column chart under the
    table, which stays with the block above it; the chart on the next printed page
    when it does not fit on the table's.
    Returns the row after the chart (`at_row` without one)."""
    if n < 1 or n > MOST_BARS:
        return at_row
    first, last = heading + 1, heading + n
    per = "per förvaltning" if not book.scoped else f"under {book.entity_names[book.top]}"
    chart = book.workbook.add_chart({"type": "column"})
    for col, color in ((PRIOR, "#A6A6A6"), (CURRENT, "#2F5597")):
        chart.add_series({
            "name": [SHEET, heading, col], "categories": [SHEET, first, LABEL, last, LABEL],
            "values": [SHEET, first, col, last, col], "fill": {"color": color},
        })
    chart.set_title({"name": f"Årsarbetare {per}, ack. {book.period} mot fg år", "name_font": {"size": 11}})
    chart.set_y_axis({"num_format": "#,##0", "num_font": {"size": 8},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"num_font": {"size": 8}})
    chart.set_legend({"position": "bottom"})
    return page.insert_chart(ws, at_row, LABEL, chart, 1000, 420)


# -- Personal per enhet ------------------------------------------------------------------------
def all_columns() -> list[tuple[str, str, str, int]]:
    """The figure columns of Personal per enhet: (figure, label of its group, which
    column of it, decimals): each hours row with last year, this year, Förändring
    and Förändring %; each sick-leave row with last year and this year."""
    columns = []
    for key, label in STAFF_HOURS_ROWS:
        d = DECIMALS.get(key, 0)
        columns += [(key, label, "prior", d), (key, label, "current", d), (key, label, "change", d),
                    (key, label, "change_pct", CHANGE_PCT_DECIMALS)]
    for key, label in STAFF_SICK_ROWS:
        columns += [(key, label, "prior", SICK_DECIMALS), (key, label, "current", SICK_DECIMALS)]
    return columns


def every_entity(book: Book, staff: Staff | None) -> list[StreamedPart]:
    """Personal per enhet: a row per entity and breakdown, every figure in a column."""
    f = book.f
    ws = book.sheet(ALL_SHEET, ALL_SHEET, amounts=None)
    texts = ["Kod", "Namn", "Nivå", ALL_HEADING, "Värde"]
    figures = all_columns()
    prior, current = month_heading(book.period, 1), month_heading(book.period)
    sub = {"prior": prior, "current": current, **STAFF_CHANGE_HEADINGS}
    ws.taller(0, 4 * LINE_POINTS + 4)
    for col in range(len(texts)):
        ws.write_blank(0, col, None, f.head_group)
    col = len(texts)
    for key, label in [*STAFF_HOURS_ROWS, *STAFF_SICK_ROWS]:
        width = sum(1 for k, _, _, _ in figures if k == key)
        ws.merge_range(0, col, 0, col + width - 1, label, f.head_group_wrap)
        col += width
    ws.taller(1, HEADING_POINTS)
    for col, heading in enumerate(texts):
        ws.write_string(1, col, heading, f.head)
    for col, (_, _, which, _) in enumerate(figures, start=len(texts)):
        ws.write_string(1, col, sub[which], f.head_num)
    n_cols = len(texts) + len(figures)
    ws.freeze_panes(2, 2)
    ws.set_column(0, 0, book.text_width("codes", book.tree.entities, minimum=8))
    ws.set_column(1, 1, book.text_width("names", book.entity_names.values(), minimum=24, cap=40))
    ws.set_column(2, 2, 12)
    ws.set_column(3, 4, 13)
    ws.set_column(len(texts), n_cols - 1, 10.5)
    page.not_printed(ws, n_cols)
    if staff is None:
        return []
    frame = staff.frame
    codes = frame["entity"].tolist()
    entities = [text(e) for e in codes]
    bys = [None if _none(b) else b for b in frame["by"].tolist()]
    keys = [None if _none(k) else k for k in frame["key"].tolist()]
    columns = [
        Column(entities, style=f.label),
        Column([book.entity_names.get(e, "") for e in codes], style=f.label),
        Column([LEVEL_NAMES.get(book.levels.get(e, ""), "") for e in codes], style=f.label),
        Column([BY_NAMES.get(b, text(b)) for b in bys], style=f.label),
        Column(["" if k is None else BREAKDOWN_LABELS.get(b or "", {}).get(k, text(k)) for b, k in zip(bys, keys)],
               style=f.label),
    ]
    numbers = {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
               for c in frame.columns if c not in ("entity", "by", "key")}
    for key, _, which, decimals in figures:
        now, then = numbers[key], numbers[f"{key}_prior"]
        if which == "prior":
            values = then
        elif which == "current":
            values = now
        elif which == "change":
            values = now - then
        else:
            values = np.full(len(now), np.nan)
            np.divide(100 * (now - then), then, out=values, where=(then != 0) & np.isfinite(then))
        grouped = which not in ("change_pct",) and key not in dict(STAFF_SICK_ROWS)
        fmt = f.figure(shown(decimals, grouped=grouped))
        columns.append(Column(values, numbers=True, style=fmt, missing="–", missing_style=f.missing_for(fmt)))
    rows = TableRows(columns, header_rows=2, marker=ALL_HEADING)
    rows.add_sheet(ws, 0, rows.n)
    ws.autofilter(1, 0, max(2, 1 + rows.n), n_cols - 1)
    rows.share(book.workbook)
    return rows.parts()
