"""What every sheet of the distribution workbook shares.

`Book` holds the XlsxWriter workbook, the run's `Result`, the display unit, the
report, the period, the cell formats and the sheet names, the entities' names,
levels and depths, and the report's values worked out once for all sheets; and the
scaffolding the sheets are built with: a new sheet with its print setup, the titles,
a report table, a driftredovisning table of entities, red marks on negative
variances and column widths. Each sheet is written by a module of its own
(`region`, `administrations`, `driftredovisning`, `personal`, `internhandel`,
`kontroller`, `data`) from a `Book`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from consolidate.core.period import Result
from consolidate.core.rollup import Consolidated, entity_results
from consolidate.outputs.excel.style import (
    PCT_HEADING,
    RED_BELOW,
    TEXT_WIDTH_CAP,
    Formats,
    Sheet,
    SheetNames,
    header_text,
    text,
)
from consolidate.outputs.excel.xlsxwriter_private import add_worksheet
from consolidate.vocabulary import AMOUNT_UNITS, REPORT_COLUMNS, VARIANCE_KEYS, report_columns

# The nine columns of a report, and of the driftredovisning (which never shows the
# change since the last close).
INCOME_COLUMNS = list(REPORT_COLUMNS)


class Book:
    """The workbook being written, what its sheets show, and how they are built."""

    def __init__(self, workbook: xlsxwriter.Workbook, result: Result, unit: str, report: str,
                 created: dt.datetime) -> None:
        if result.rows is None or result.consolidated is None:
            raise ValueError("nothing was consolidated: the workbook needs a run without errors")
        self.workbook = workbook
        self.result = result
        self.rows: pd.DataFrame = result.rows
        self.consolidated: Consolidated = result.consolidated
        self.config = result.config
        self.tree = result.config.tree
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
        # The nine, and the change since the last close.
        self.columns = report_columns(None if result.previous is None else result.previous[0])
        framed = result.report_frame()
        of_report = framed[framed["report"] == report]
        keys = [k for k, _ in INCOME_COLUMNS]
        self.report_values = of_report[[k for k, _ in self.columns]].to_numpy(dtype=float) / self.factor
        self.report_labels = [text(r) for r in of_report["row"]]
        self.report_totals = of_report["total"].to_numpy(dtype=bool)
        self.report_index = of_report.groupby("entity", sort=False).indices
        results = entity_results(self.rows, self.consolidated, self.config.chart, report)
        pct = results["result_pct_revenue"].to_numpy(dtype=float)
        values = results[keys].to_numpy(dtype=float) / self.factor
        self.entity_values: dict[str, tuple[np.ndarray, float]] = {
            code: (values[i], pct[i]) for i, code in enumerate(results.index)}

    # -- sheet scaffolding ------------------------------------------------------
    def sheet(self, name: str, title: str) -> Worksheet:
        """A new sheet, landscape A4 one page wide, with the region, `title` and the
        period in its print header and the unit and page number in its footer."""
        ws = add_worksheet(self.workbook, name, Sheet)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        ws.set_header(f"&L&\"Calibri,Bold\"{header_text(self.region_name)}"
                      f"&C{header_text(title)}&R{header_text(self.period)}")
        ws.set_footer(f"&Lack. {header_text(self.period)}, belopp i {self.unit}&RSida &P av &N")
        return ws

    def titles(self, ws: Worksheet, first: str, second: str, third: str | None = None) -> int:
        """Title, subtitle and a note (by default the unit) in rows 1–3; returns the
        first row after them and an empty one."""
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

    # -- the report of one entity -----------------------------------------------
    def report_table(self, ws: Worksheet, row: int) -> int:
        """Header of the nine-column report; returns the first data row."""
        ws.write_string(row, 0, self.report_heading(), self.f.head)
        for col, (_, heading) in enumerate(self.columns, start=1):
            ws.write_string(row, col, heading, self.f.head_num)
        return row + 1

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
                if math.isfinite(value):
                    ws.write_number(row, col, value, fmt)
            row += 1
        self.mark_negative(ws, first, row - 1, variance_columns(1, self.columns))
        return row

    # -- driftredovisning -------------------------------------------------------
    def entity_table(self, ws: Worksheet, row: int, codes: list[str], total: str, first_heading: str,
                     base_depth: int) -> tuple[int, int]:
        """Entity rows (label in column A, indented by depth) with the report's bottom
        line and % of revenue, then the total row of `total`. Returns (first data row,
        row after the table)."""
        f = self.f
        ws.write_string(row, 0, first_heading, f.head)
        for col, (_, heading) in enumerate(INCOME_COLUMNS, start=1):
            ws.write_string(row, col, heading, f.head_num)
        ws.write_string(row, len(INCOME_COLUMNS) + 1, PCT_HEADING, f.head_num)
        row += 1
        first = row
        for code in codes:
            bold = self.levels[code] != "unit"
            label = f"{text(code)} {self.entity_names[code]}"
            ws.write_string(row, 0, label, f.indented(self.depth[code] - base_depth, bold))
            self.entity_numbers(ws, row, 1, code, f.num_bold if bold else f.num, f.pct_bold if bold else f.pct)
            row += 1
        ws.write_string(row, 0, f"Summa {self.entity_names[total]}", f.label_total)
        self.entity_numbers(ws, row, 1, total, f.num_total, f.pct_total)
        row += 1
        self.mark_negative(ws, first, row - 1, variance_columns(1))
        return first, row

    def entity_numbers(self, ws: Worksheet, row: int, col: int, code: str, fmt: Format, pct_fmt: Format) -> None:
        """The bottom line of an entity's report on the nine columns from `col`, then
        its result in % of revenue (blank without revenue)."""
        values, pct = self.entity_values[code]
        for value in values:
            ws.write_number(row, col, value, fmt)
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
