"""What every sheet of the distribution workbook shares.

`Book` holds the XlsxWriter workbook, the run's `Result`, the display unit, the
report, the period, the cell formats and the sheet names, the entities' names,
levels and depths, and the report's values worked out once for all sheets; the
entity whose subtree the workbook holds (`top`: the region unless the run asked for
one entity) and its entities in tree order (`codes`); and the scaffolding the sheets
are built with: a new sheet with its print setup (`page`), the titles, a report
table, a driftredovisning table of entities, red marks on negative variances and
column widths.

A figure nobody delivered (NaN) is a "–", never 0; a total only some of the units
under it delivered (`Result.lacking`) is marked with "*" and a footnote under its
table says what is missing. Each sheet is written by a module of its own (`region`,
`administrations`, `driftredovisning`, `personal`, `internhandel`, `kontroller`,
`data`) from a `Book`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from consolidate.core.period import Result
from consolidate.core.rollup import Consolidated, entity_results
from consolidate.formatting import PARTIAL, partial_notes, rows_note
from consolidate.outputs.excel import page
from consolidate.outputs.excel.style import (
    PCT_HEADING,
    RED_BELOW,
    ROW_POINTS,
    TEXT_WIDTH_CAP,
    Formats,
    Sheet,
    SheetNames,
    text,
)
from consolidate.outputs.excel.xlsxwriter_private import add_worksheet
from consolidate.vocabulary import (
    AMOUNT_UNITS,
    MEASURES,
    REPORT_COLUMNS,
    VARIANCE_KEYS,
    VARIANCES,
    report_columns,
)

# The nine columns of a report, and of the driftredovisning (which never shows the
# change since the last close).
INCOME_COLUMNS = list(REPORT_COLUMNS)
# The measures each column is worked out from (a partial measure makes it partial).
SOURCES: dict[str, tuple[str, ...]] = {
    **{m: (m,) for m in MEASURES}, **VARIANCES,
    "change_actual": ("actual",), "change_var_budget": VARIANCES["var_budget"],
}
MISSING = "–"  # a figure nobody delivered
LINE_POINTS = 13.0  # a line of wrapped Calibri 10
HEADING_POINTS = 2 * LINE_POINTS + 4  # a heading row, set this tall: its texts may wrap onto two lines
TITLE_POINTS = 19.0  # the 14-point title row


class Book:
    """The workbook being written, what its sheets show, and how they are built."""

    def __init__(self, workbook: xlsxwriter.Workbook, result: Result, unit: str, report: str,
                 created: dt.datetime, entity: str | None = None) -> None:
        if result.rows is None or result.consolidated is None:
            raise ValueError("nothing was consolidated: the workbook needs a run without errors")
        self.workbook = workbook
        self.result = result
        self.rows: pd.DataFrame = result.rows
        self.consolidated: Consolidated = result.consolidated
        self.config = result.config
        self.tree = result.config.tree
        self.top = self.tree.root if entity is None else entity
        if self.top not in self.tree.entities:
            raise ValueError(f"unknown entity {entity!r}")
        self.scoped = self.top != self.tree.root
        self.codes: list[str] = self.tree.subtree(self.top) if self.scoped else list(self.tree.entities)
        self.codes_set = set(self.codes)
        if self.scoped:
            self.rows = self.rows[self.rows["entity"].isin(self.codes)]
        self._lacking = getattr(result, "lacking", None)
        self._partial: dict[str, dict[str, tuple[int, int]]] = {}
        self.unit = unit
        self.factor = AMOUNT_UNITS[unit]
        self.report = report
        self.period = result.period
        self.created = created
        self.f = Formats(workbook, unit)
        self.names = SheetNames()
        self.region_name = text(self.config.region_name)
        self.levels = {code: self.tree.level(code) for code in self.tree.entities}
        self.entity_names = {code: text(e.name) for code, e in self.tree.entities.items()}
        self.depth = self.tree.depth
        self.longest: dict[str, int] = {}  # see text_width
        self._shown_files: dict[str, str] = {}  # see shown_file
        self._shown_folders: dict[str, str | None] = {}  # see shown_file
        # The nine, and the change since the last close.
        self.columns = report_columns(None if result.previous is None else result.previous[0])
        framed = result.report_frame()
        of_report = framed[framed["report"] == report]
        if self.scoped:
            of_report = of_report[of_report["entity"].isin(self.codes)]
        keys = [k for k, _ in INCOME_COLUMNS]
        self.report_values = of_report[[k for k, _ in self.columns]].to_numpy(dtype=float) / self.factor
        self.report_labels = [text(r) for r in of_report["row"].tolist()]
        self.row_names = list(dict.fromkeys(self.report_labels))  # each once, for column widths
        self.report_totals = of_report["total"].to_numpy(dtype=bool)
        self.report_index = of_report.groupby("entity", sort=False).indices
        results = entity_results(self.rows, self.consolidated, self.config.chart, report)
        pct = results["result_pct_revenue"].to_numpy(dtype=float)
        values = results[keys].to_numpy(dtype=float) / self.factor
        self.entity_values: dict[str, tuple[np.ndarray, float]] = {
            code: (values[i], pct[i]) for i, code in enumerate(results.index)}

    # -- what the workbook holds ------------------------------------------------
    def partial(self, code: str) -> dict[str, tuple[int, int]]:
        """The measures only some of the entity's units delivered: measure -> (units
        lacking it, units reporting); empty while the run cannot tell."""
        if code not in self._partial:
            self._partial[code] = dict(self._lacking(code)) if self._lacking is not None else {}
        return self._partial[code]

    # -- sheet scaffolding ------------------------------------------------------
    def sheet(self, name: str, title: str, amounts: str | None = "") -> Sheet:
        """A new sheet, landscape A4 one page wide (`page.setup`), with the region,
        `title` and the period in its print header, and in its footer the display
        unit (or `amounts`: another unit, None for none) and the page number."""
        ws = cast(Sheet, add_worksheet(self.workbook, name, Sheet))
        unit = self.unit if amounts == "" else amounts
        footer = f"ack. {self.period}" + (f", belopp i {unit}" if unit else "")
        page.setup(ws, self.region_name, title, f"ack. {self.period}", footer)
        return ws

    def titles(self, ws: Sheet, first: str, second: str, third: str | None = None) -> int:
        """Title, subtitle and a note (by default the unit) in rows 1–3; returns the
        first row after them and an empty one."""
        ws.taller(0, TITLE_POINTS)
        ws.write_string(0, 0, text(first), self.f.title)
        ws.write_string(1, 0, text(second), self.f.subtitle)
        ws.write_string(2, 0, third if third is not None else f"Belopp i {self.unit}", self.f.note)
        return 4

    def mark_negative(self, ws: Worksheet, first_row: int, last_row: int, columns: list[int]) -> None:
        """Red font on the values of `columns` that show as negative."""
        if last_row < first_row:
            return
        for col in columns:
            ws.conditional_format(first_row, col, last_row, col, {
                "type": "cell", "criteria": "<", "value": RED_BELOW[self.unit], "format": self.f.red,
            })

    def text_width(self, what: str, values: Iterable[object], minimum: float = 10,
                   cap: float = TEXT_WIDTH_CAP) -> float:
        """`column_width` of a collection used on many sheets (entity codes, names),
        its longest text found once."""
        if what not in self.longest:
            self.longest[what] = max((len(str(v)) for v in values), default=0)
        return _width(self.longest[what], minimum, cap)

    def number(self, ws: Worksheet, row: int, col: int, value: float, fmt: Format) -> None:
        """An amount, or "–" where nobody delivered it (NaN: XlsxWriter refuses it)."""
        if math.isfinite(value):
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, MISSING, self.f.missing_for(fmt))

    def shown_file(self, file: str | None) -> str:
        """A file as the region's folder names it (relative to region.toml's folder,
        also a file beside it: "../samples/2026-04/x.xlsx"); as given when it lies
        elsewhere. The run names files relative to where it was started, in this
        same process, so a relative name is first made whole from there."""
        if not file:
            return ""
        if file not in self._shown_files:
            folder, name = os.path.split(file)
            if folder not in self._shown_folders:  # worked out once for all the files in a folder
                self._shown_folders[folder] = self._relative(folder or os.curdir)
            above = self._shown_folders[folder]
            if above is None:  # another drive
                shown = file
            elif name in ("", os.curdir, os.pardir) or os.path.basename(above) == os.pardir:
                shown = self._relative(file) or file  # "a/b" + name would not be the shortest path
            else:
                shown = name if above == os.curdir else f"{above}{os.sep}{name}"
            if shown.startswith(f"..{os.sep}..{os.sep}"):
                shown = file
            self._shown_files[file] = text(shown.replace(os.sep, "/"))
        return self._shown_files[file]

    def _relative(self, file: str) -> str | None:
        """`file` relative to region.toml's folder; None on another drive."""
        path = Path(file)
        try:
            return os.path.relpath(path if path.is_absolute() else Path.cwd() / path, self.config.path.parent)
        except ValueError:  # another drive
            return None

    def footnotes(self, ws: Worksheet, row: int, notes: list[str]) -> int:
        """Footnotes from `row` (the row right under a table); returns the row after
        them."""
        for note in notes:
            ws.write_string(row, 0, note, self.f.note)
            row += 1
        return row

    # -- the report of one entity -----------------------------------------------
    def report_table(self, ws: Sheet, row: int, entity: str | None = None) -> int:
        """Header of the nine-column report, the columns with a partial total of
        `entity` marked; returns the first data row."""
        ws.taller(row, HEADING_POINTS)
        partial = partial_columns(self.partial(entity), self.columns) if entity is not None else set()
        ws.write_string(row, 0, self.report_heading(), self.f.head)
        for col, (key, heading) in enumerate(self.columns, start=1):
            ws.write_string(row, col, f"{heading} {PARTIAL}" if key in partial else heading, self.f.head_num)
        return row + 1

    def report_footnotes(self, ws: Worksheet, row: int, entity: str) -> int:
        """Under an entity's report: what its partial totals lack."""
        return self.footnotes(ws, row, partial_notes(self.partial(entity)))

    def report_heading(self) -> str:
        return text(self.report)

    def report_rows(self, ws: Worksheet, entity: str, row: int) -> int:
        """The report rows of an entity from `row`; returns the row after the last."""
        f = self.f
        first = row
        for i in self.report_index.get(entity, []):
            total = bool(self.report_totals[i])
            ws.write_string(row, 0, self.report_labels[i], f.label_total if total else f.label)
            fmt = f.num_total if total else f.num
            for col, value in enumerate(self.report_values[i], start=1):
                self.number(ws, row, col, value, fmt)
            row += 1
        self.mark_negative(ws, first, row - 1, variance_columns(1, self.columns))
        return row

    # -- driftredovisning -------------------------------------------------------
    def entity_table(self, ws: Sheet, row: int, codes: list[str], total: str, first_heading: str,
                     base_depth: int, names_col: int | None = None) -> tuple[int, int]:
        """Entity rows (label in column A, indented by depth) with the report's bottom
        line and % of revenue, then the total row of `total`; a partial row's label
        marked, and a footnote under the table. With `names_col`, each entity's label
        also in that column, unmarked (a chart's category names). Returns (first data
        row, row after the table and its footnote)."""
        f = self.f
        ws.taller(row, HEADING_POINTS)
        ws.write_string(row, 0, first_heading, f.head)
        for col, (_, heading) in enumerate(INCOME_COLUMNS, start=1):
            ws.write_string(row, col, heading, f.head_num)
        ws.write_string(row, len(INCOME_COLUMNS) + 1, PCT_HEADING, f.head_num)
        row += 1
        first = row
        lacking: set[str] = set()
        for code in codes:
            bold = self.levels[code] != "unit"
            label = f"{text(code)} {self.entity_names[code]}{self.partial_mark(code, lacking)}"
            ws.write_string(row, 0, label, f.indented(self.depth[code] - base_depth, bold))
            self.entity_numbers(ws, row, 1, code, f.num_bold if bold else f.num, f.pct_bold if bold else f.pct)
            if names_col is not None:
                ws.write_string(row, names_col, f"{text(code)} {self.entity_names[code]}", f.label)
            row += 1
        ws.write_string(row, 0, f"Summa {self.entity_names[total]}{self.partial_mark(total, lacking)}", f.label_total)
        self.entity_numbers(ws, row, 1, total, f.num_total, f.pct_total)
        row += 1
        self.mark_negative(ws, first, row - 1, variance_columns(1))
        return first, self.footnotes(ws, row, rows_note(lacking))

    def partial_mark(self, code: str, lacking: set[str]) -> str:
        """" *" after the label of an entity with a partial total (its measures added
        to `lacking`), else nothing."""
        partial = self.partial(code)
        lacking.update(partial)
        return f" {PARTIAL}" if partial else ""

    def entity_numbers(self, ws: Worksheet, row: int, col: int, code: str, fmt: Format, pct_fmt: Format) -> None:
        """The bottom line of an entity's report on the nine columns from `col`, then
        its result in % of revenue (blank without revenue)."""
        values, pct = self.entity_values[code]
        for value in values:
            self.number(ws, row, col, value, fmt)
            col += 1
        if math.isnan(pct):
            ws.write_blank(row, col, None, pct_fmt)
        else:
            ws.write_number(row, col, pct, pct_fmt)

    def set_report_columns(self, ws: Worksheet, labels: list[str]) -> None:
        """Column widths of a report sheet: the labels, the amounts, the %."""
        ws.set_column(0, 0, column_width(labels, minimum=28))
        ws.set_column(1, len(self.columns), 12.5 if self.unit != "kr" else 15)
        ws.set_column(len(INCOME_COLUMNS) + 1, len(INCOME_COLUMNS) + 1, 13)


def wrapped_points(cells: tuple[tuple[str, float], ...]) -> float:
    """The height of a row whose texts wrap in columns of the given widths: the row's
    height is set, as LibreOffice does not fit it to wrapped text when opening a
    file. A character of Calibri 10 is narrower than a width unit, so the count is
    generous; at most 30 lines (Excel's tallest row is 409 points)."""
    lines = max((math.ceil(len(value) / max(1.0, width - 2)) for value, width in cells if value), default=1)
    return ROW_POINTS if lines <= 1 else min(30, lines) * LINE_POINTS + 3


def partial_columns(lacking: dict[str, tuple[int, int]], columns: list[tuple[str, str]]) -> set[str]:
    """The columns worked out from a partial measure."""
    return {key for key, _ in columns if any(m in lacking for m in SOURCES.get(key, ()))}


def variance_columns(offset: int, columns: list[tuple[str, str]] = INCOME_COLUMNS) -> list[int]:
    """The sheet columns of the variances among `columns` written from `offset`."""
    return [offset + i for i, (k, _) in enumerate(columns) if k in VARIANCE_KEYS]


def missing(value: Any) -> bool:
    """None, NaN or pandas' NA."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def column_width(values: Iterable[object], minimum: float = 10, cap: float = TEXT_WIDTH_CAP) -> float:
    """A column width for the longest of the texts, at least `minimum`, at most `cap`."""
    return _width(max((len(str(v)) for v in values), default=0), minimum, cap)


def _width(longest: int, minimum: float, cap: float) -> float:
    return float(min(cap, max(minimum, longest * 1.05 + 2)))
