"""The Excel workbook for distribution (SPEC §6).

One `.xlsx` per run, `{region}_{period}.xlsx`, written with XlsxWriter in
constant-memory mode (every sheet strictly row by row) to a temporary file beside the
target and renamed into place, so a reader never sees half a file.

Sheets, in order:
- the region's report, with the driftredovisning per administration and a bar chart of
  the budget variance per administration;
- one sheet per administration: its report and, below it, every entity under it
  (intermediate levels and units); when there are many, they get their own sheet;
- Driftredovisning: one row per entity of the whole tree;
- Personal: staffing per entity (when the run read any);
- Internhandel: internal trade whose sides disagree, and what was eliminated where;
- Kontroller: every problem of the run;
- Data: one row per entity, report, report row and measure, amounts in kr, for pivots.

Report sheets show amounts divided by the display unit at full precision; Excel's
number format (and the reader's locale) does the rounding and the separators.
Everything that comes from input files or configuration is written with
`write_string` after control characters are removed: it is text, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from pathlib import Path

import pandas as pd
import xlsxwriter
import xlsxwriter.worksheet

from consolidate import __version__
from consolidate.core.period import Result
from consolidate.core.rollup import entity_results
from consolidate.outputs.excel.style import (
    FIXED_SHEETS,
    MANY_BELOW,
    MAX_ROWS,
    MEASURE_HEADINGS,
    NUMBER_FORMATS,
    PCT_HEADING,
    RED_BELOW,
    TEXT_WIDTH_CAP,
    Formats,
    Sheet,
    SheetNames,
    header_text,
    internal_link,
    text,
)
from consolidate.outputs.terminal import report_columns
from consolidate.problems import CHECKS
from consolidate.runtime.atomic import atomic_path
from consolidate.vocabulary import (
    AMOUNT_UNITS,
    BY_NAMES,
    HEADINGS,
    LEVEL_NAMES,
    MEASURE_NAMES,
    MEASURES,
    REPORT_COLUMNS,
    SEVERITY_NAMES,
    VARIANCE_KEYS,
)

INCOME_COLUMNS = list(REPORT_COLUMNS)
from consolidate.outputs.excel.stream import DataRows, package


def workbook_name(result: Result) -> str:
    """`{region code}_{period}.xlsx`, with characters no file name may hold replaced."""
    code = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", result.config.region_code).strip(". ") or "region"
    return f"{code}_{result.period}.xlsx"


class Writer:
    def __init__(self, book: xlsxwriter.Workbook, result: Result, unit: str, report: str, created: dt.datetime) -> None:
        self.book = book
        self.result = result
        self.config = result.config
        self.tree = result.config.tree
        self.unit = unit
        self.factor = AMOUNT_UNITS[unit]
        self.report = report
        self.period = result.period
        self.created = created
        self.f = Formats(book, unit)
        self.names = SheetNames()
        self.region_name = text(self.config.region_name)
        self.levels = {code: self.tree.level(code) for code in self.tree.entities}
        self.entity_names = {code: text(e.name) for code, e in self.tree.entities.items()}
        self.depth = self.tree.depth
        self.longest: dict[str, int] = {}  # see text_width
        rows = result.rows
        self.columns = report_columns(result)  # the nine, and the change since the last close
        framed = result.report_frame()
        of_report = framed[framed["report"] == report]
        keys = [k for k, _ in INCOME_COLUMNS]
        self.report_values = of_report[[k for k, _ in self.columns]].to_numpy(dtype=float) / self.factor
        self.report_labels = [text(r) for r in of_report["row"]]
        self.report_totals = of_report["total"].to_numpy(dtype=bool)
        self.report_index = of_report.groupby("entity", sort=False).indices
        results = entity_results(rows, result.consolidated, self.config.chart, report)
        pct = results["result_pct_revenue"].to_numpy(dtype=float)
        values = results[keys].to_numpy(dtype=float) / self.factor
        self.entity_values = {code: (values[i], pct[i]) for i, code in enumerate(results.index)}

    # -- sheet scaffolding ------------------------------------------------------
    def sheet(self, name: str, title: str):
        ws = self.book.add_worksheet(name, worksheet_class=Sheet)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        ws.set_header(f"&L&\"Calibri,Bold\"{header_text(self.region_name)}&C{header_text(title)}&R{header_text(self.period)}")
        ws.set_footer(f"&Lack. {header_text(self.period)}, belopp i {self.unit}&RSida &P av &N")
        return ws

    def titles(self, ws, first: str, second: str, third: str | None = None) -> int:
        ws.write_string(0, 0, text(first), self.f.title)
        ws.write_string(1, 0, text(second), self.f.subtitle)
        ws.write_string(2, 0, third if third is not None else f"Belopp i {self.unit}", self.f.note)
        return 4

    def mark_negative(self, ws, first_row: int, last_row: int, columns: list[int]) -> None:
        if last_row < first_row:
            return
        for col in columns:
            ws.conditional_format(first_row, col, last_row, col, {
                "type": "cell", "criteria": "<", "value": RED_BELOW[self.unit], "format": self.f.red,
            })

    # -- the report of one entity -----------------------------------------------
    def report_table(self, ws, row: int) -> int:
        """Header of the nine-column report; returns the first data row."""
        ws.write_string(row, 0, self.report_heading(), self.f.head)
        for col, (_, heading) in enumerate(self.columns, start=1):
            ws.write_string(row, col, heading, self.f.head_num)
        return row + 1

    def text_width(self, what: str, values, minimum: float = 10, cap: float = TEXT_WIDTH_CAP) -> float:
        """`_text_width` of a collection used on many sheets (entity codes, names),
        its longest text found once."""
        if what not in self.longest:
            self.longest[what] = max((len(str(v)) for v in values), default=0)
        return _width(self.longest[what], minimum, cap)

    def report_heading(self) -> str:
        return text(self.report)

    def report_rows(self, ws, entity: str, row: int) -> int:
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
        self.mark_negative(ws, first, row - 1, self.variance_columns(1, self.columns))
        return row

    @staticmethod
    def variance_columns(offset: int, columns=INCOME_COLUMNS) -> list[int]:
        return [offset + i for i, (k, _) in enumerate(columns) if k in VARIANCE_KEYS]

    # -- driftredovisning -------------------------------------------------------
    def entity_table(self, ws, row: int, codes: list[str], total: str, first_heading: str, base_depth: int) -> tuple[int, int]:
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
        self.mark_negative(ws, first, row - 1, self.variance_columns(1))
        return first, row

    def entity_numbers(self, ws, row: int, col: int, code: str, fmt, pct_fmt) -> None:
        values, pct = self.entity_values[code]
        for value in values:
            ws.write_number(row, col, value, fmt)
            col += 1
        if math.isnan(pct):
            ws.write_blank(row, col, None, pct_fmt)
        else:
            ws.write_number(row, col, pct, pct_fmt)

    def set_report_columns(self, ws, labels: list[str]) -> None:
        ws.set_column(0, 0, _text_width(labels, minimum=28))
        ws.set_column(1, len(self.columns), 12.5 if self.unit != "kr" else 15)
        ws.set_column(len(INCOME_COLUMNS) + 1, len(INCOME_COLUMNS) + 1, 13)

    # -- the sheets --------------------------------------------------------------
    def region_sheet(self, name: str) -> None:
        root = self.tree.root
        ws = self.sheet(name, self.region_name)
        ws.hide_gridlines(2)
        row = self.titles(ws, self.region_name, f"{text(self.report)}, ack. {self.period}")
        header = row
        row = self.report_rows(ws, root, self.report_table(ws, row))
        ws.freeze_panes(header + 1, 1)
        ws.repeat_rows(header)
        admins = list(self.tree.administrations())
        row += 2
        ws.write_string(row, 0, f"Driftredovisning per förvaltning, ack. {self.period}", self.f.section)
        first, row = self.entity_table(ws, row + 1, admins, root, "Förvaltning", 1)
        labels = [*self.report_labels, *(f"{a} {self.entity_names[a]}" for a in admins)]
        self.set_report_columns(ws, labels)
        if admins:
            self.variance_chart(ws, name, first, first + len(admins) - 1, row + 1)

    def variance_chart(self, ws, sheet: str, first: int, last: int, at_row: int) -> None:
        """Budget variance per administration: a native bar chart under the table."""
        col = 1 + [k for k, _ in INCOME_COLUMNS].index("var_budget")
        values = [self.entity_values[a][0][col - 1] for a in self.tree.administrations()]
        chart = self.book.add_chart({"type": "bar"})
        chart.add_series({
            "name": "Avvikelse mot budget",
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, col, last, col],
            "points": [{"fill": {"color": "#C00000" if v < 0 else "#548235"}} for v in values],
            "data_labels": {"value": True, "num_format": NUMBER_FORMATS[self.unit]},
        })
        chart.set_title({"name": f"Avvikelse mot budget per förvaltning, ack. {self.period} ({self.unit})",
                         "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_format": NUMBER_FORMATS[self.unit], "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_y_axis({"reverse": True})
        chart.set_size({"width": 760, "height": max(220, 60 + 34 * (last - first + 1))})
        ws.insert_chart(at_row, 0, chart, {"x_offset": 4, "y_offset": 4})

    def administration_sheets(self) -> list[tuple[str, str, str | None]]:
        """Choose the names first (every sheet is written once, in order)."""
        plan = []
        for admin in self.tree.administrations():
            name = self.names.make(f"{admin} {self.entity_names[admin]}", fallback=f"Förvaltning {len(plan) + 1}")
            below = self.tree.subtree(admin)[1:]
            own = None
            if len(below) > MANY_BELOW:
                own = self.names.make(f"{admin} enheter", fallback=f"Enheter {len(plan) + 1}")
            plan.append((admin, name, own))
        return plan

    def administration_sheet(self, admin: str, name: str, own: str | None) -> None:
        title = f"{self.entity_names[admin]} ({text(admin)})"
        ws = self.sheet(name, title)
        ws.hide_gridlines(2)
        row = self.titles(ws, title, f"{self.region_name} · {text(self.report)}, ack. {self.period}")
        header = row
        row = self.report_rows(ws, admin, self.report_table(ws, row))
        ws.freeze_panes(header + 1, 1)
        ws.repeat_rows(header)
        below = self.tree.subtree(admin)[1:]
        labels = list(self.report_labels)
        row += 2
        if not below:
            pass
        elif own is None:
            ws.write_string(row, 0, f"Driftredovisning {self.entity_names[admin]}, ack. {self.period}", self.f.section)
            self.entity_table(ws, row + 1, below, admin, "Enhet", self.depth[admin] + 1)
            labels += [f"{'  ' * (self.depth[c] - self.depth[admin])}{c} {self.entity_names[c]}" for c in below]
        else:
            ws.write_url(row, 0, internal_link(own), self.f.label,
                         string=f"Driftredovisning för {len(below)} enheter: se bladet {own}")
        self.set_report_columns(ws, labels)
        if own is not None and below:
            self.own_entity_sheet(admin, own, below)

    def own_entity_sheet(self, admin: str, name: str, below: list[str]) -> None:
        title = f"Driftredovisning {self.entity_names[admin]}"
        ws = self.sheet(name, title)
        ws.hide_gridlines(2)
        row = self.titles(ws, title, f"{self.region_name} · {text(self.report)}, ack. {self.period}")
        ws.freeze_panes(row + 1, 1)
        ws.repeat_rows(row)
        self.entity_table(ws, row, below, admin, "Enhet", self.depth[admin] + 1)
        labels = [f"{'  ' * (self.depth[c] - self.depth[admin])}{c} {self.entity_names[c]}" for c in below]
        self.set_report_columns(ws, labels)

    def driftredovisning_sheet(self) -> None:
        f = self.f
        ws = self.sheet("Driftredovisning", "Driftredovisning")
        row = self.titles(ws, f"Driftredovisning {self.region_name}", f"{text(self.report)}: sista raden, ack. {self.period}")
        header = row
        headings = ["Kod", "Namn", "Nivå", *(h for _, h in INCOME_COLUMNS), PCT_HEADING]
        for col, heading in enumerate(headings):
            ws.write_string(row, col, heading, f.head if col < 3 else f.head_num)
        row += 1
        first = row
        for code in self.tree.entities:
            level = self.levels[code]
            bold = level != "unit"
            depth = self.depth[code]
            ws.write_string(row, 0, text(code), f.label_bold if bold else f.label)
            ws.write_string(row, 1, self.entity_names[code], f.indented(depth, bold))
            ws.write_string(row, 2, LEVEL_NAMES[level], f.label)
            self.entity_numbers(ws, row, 3, code, f.num_bold if bold else f.num, f.pct_bold if bold else f.pct)
            row += 1
        self.mark_negative(ws, first, row - 1, self.variance_columns(3))
        ws.freeze_panes(header + 1, 2)
        ws.repeat_rows(header)
        ws.autofilter(header, 0, row - 1, len(headings) - 1)
        ws.set_column(0, 0, self.text_width("codes", self.tree.entities, minimum=8))
        names = [("  " * self.depth[c]) + n for c, n in self.entity_names.items()]
        ws.set_column(1, 1, _text_width(names, minimum=24))
        ws.set_column(2, 2, 12)
        ws.set_column(3, 2 + len(INCOME_COLUMNS), 12.5 if self.unit != "kr" else 15)
        ws.set_column(3 + len(INCOME_COLUMNS), 3 + len(INCOME_COLUMNS), 13)

    def staffing_sheet(self) -> None:
        f = self.f
        staffing = getattr(self.result, "staffing", None)
        ws = self.sheet("Personal", "Personal")
        row = self.titles(ws, f"Personal {self.region_name}", f"ack. {self.period}", "Anställda vid periodens slut; "
                          "årsarbetare av arbetad tid; sjukfrånvaro i % av ordinarie arbetstid; inhyrd tid i timmar")
        if staffing is None or len(staffing) == 0:
            ws.write_string(row, 0, "Inga personaluppgifter lästes i den här körningen.", f.note)
            ws.set_column(0, 0, 60)
            return
        groups = [
            ("Anställda", [("headcount_prior", "Fg år", f.int), ("headcount", "Inn. år", f.int), ("d_headcount", "Förändring", f.int)]),
            ("Årsarbetare", [("fte_prior", "Fg år", f.dec1), ("fte", "Inn. år", f.dec1), ("d_fte", "Förändring", f.dec1)]),
            ("Sjukfrånvaro %", [("sick_pct_prior", "Fg år", f.pct), ("sick_pct", "Inn. år", f.pct)]),
            ("varav dag 1–14 %", [("sick_short_pct_prior", "Fg år", f.pct), ("sick_short_pct", "Inn. år", f.pct)]),
            ("Andel långtid %", [("long_sick_share_pct_prior", "Fg år", f.pct), ("long_sick_share_pct", "Inn. år", f.pct)]),
            ("Inhyrd tid, timmar", [("hired_hours_prior", "Fg år", f.int), ("hired_hours", "Inn. år", f.int)]),
        ]
        # Every entity's totals; breakdowns by Kön, Åldersgrupp and Personalgrupp for the
        # levels above the units (a unit's own breakdown is in the JSON export).
        is_unit = staffing["entity"].map(lambda e: self.levels.get(e) == "unit")
        frame = staffing[staffing["by"].isna() | ~is_unit].copy()
        for key in ("headcount", "fte"):
            current = pd.to_numeric(frame[key], errors="coerce")
            frame[f"d_{key}"] = current - pd.to_numeric(frame[f"{key}_prior"], errors="coerce")
        columns = [c for _, cols in groups for c in cols]  # rows come ordered from staffing_table
        col = 4
        for group, cols in groups:
            if len(cols) > 1:
                ws.merge_range(row, col, row, col + len(cols) - 1, group, f.head_group)
            col += len(cols)
        row += 1
        header = row
        for col, heading in enumerate(["Kod", "Namn", "Indelning", "Värde"]):
            ws.write_string(row, col, heading, f.head)
        for col, (_, heading, _) in enumerate(columns, start=4):
            ws.write_string(row, col, heading, f.head_num)
        row += 1
        values = frame[[c for c, _, _ in columns]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        for i, record in enumerate(frame[["entity", "by", "key"]].itertuples(index=False, name=None)):
            entity, by, key = record
            total = _missing(by)
            known = entity in self.entity_names
            bold = total and known and self.levels[entity] != "unit"
            ws.write_string(row, 0, text(entity), f.label_bold if bold else f.label)
            name = self.entity_names.get(entity, "") if total else ""
            ws.write_string(row, 1, name, f.indented(self.depth.get(entity, 0), bold))
            ws.write_string(row, 2, BY_NAMES.get(None if total else by, text(by)), f.label)
            ws.write_string(row, 3, "" if _missing(key) else text(key), f.label)
            for col, (value, (_, _, fmt)) in enumerate(zip(values[i], columns), start=4):
                if math.isnan(value):
                    ws.write_blank(row, col, None, fmt)
                else:
                    ws.write_number(row, col, value, fmt)
            row += 1
        ws.freeze_panes(header + 1, 2)
        ws.repeat_rows(header - 1, header)
        ws.autofilter(header, 0, row - 1, 3 + len(columns))
        ws.set_column(0, 0, self.text_width("codes", self.tree.entities, minimum=8))
        ws.set_column(1, 1, self.text_width("names", self.entity_names.values(), minimum=24))
        ws.set_column(2, 3, 13)
        ws.set_column(4, 3 + len(columns), 10.5)
        self.staffing_chart(ws, frame, row + 2)

    def staffing_chart(self, ws, frame: pd.DataFrame, at_row: int) -> None:
        """Årsarbetare per administration against last year: written as a small table
        to the right of nothing, under the staffing table, and charted."""
        admins = [a for a in self.tree.administrations()]
        totals = frame[frame["by"].map(_missing)].set_index("entity")
        admins = [a for a in admins if a in totals.index]
        if not admins:
            return
        f = self.f
        row = at_row
        ws.write_string(row, 0, "Årsarbetare per förvaltning", f.section)
        row += 1
        ws.write_string(row, 1, "Förvaltning", f.head)
        ws.write_string(row, 4, "Fg år", f.head_num)
        ws.write_string(row, 5, "Inn. år", f.head_num)
        row += 1
        first = row
        for admin in admins:
            ws.write_string(row, 1, self.entity_names[admin], f.label)
            for col, key in ((4, "fte_prior"), (5, "fte")):
                value = float(totals.at[admin, key])
                if math.isnan(value):
                    ws.write_blank(row, col, None, f.dec1)
                else:
                    ws.write_number(row, col, value, f.dec1)
            row += 1
        last = row - 1
        sheet = "Personal"
        chart = self.book.add_chart({"type": "column"})
        for col, name, color in ((4, "Fg år", "#A6A6A6"), (5, "Inn. år", "#2F5597")):
            chart.add_series({
                "name": name, "categories": [sheet, first, 1, last, 1], "values": [sheet, first, col, last, col],
                "fill": {"color": color},
            })
        chart.set_title({"name": f"Årsarbetare per förvaltning, ack. {self.period} mot fg år", "name_font": {"size": 11}})
        chart.set_y_axis({"num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 300})
        ws.insert_chart(row + 1, 1, chart)

    def mismatch_sheet(self) -> None:
        f = self.f
        ws = self.sheet("Internhandel", "Internhandel")
        row = self.titles(ws, f"Internhandel {self.region_name}", f"ack. {self.period}")
        ws.write_string(row, 0, "Internhandel där parternas bokningar inte stämmer", f.section)
        row += 1
        header = row
        headings = ["Part", "Partens namn", "Motpart", "Motpartens namn", "Mått",
                    "Part mot motpart", "Motpart mot part", "Skillnad", "Filer"]
        for col, heading in enumerate(headings):
            ws.write_string(row, col, heading, f.head_num if 5 <= col <= 7 else f.head)
        row += 1
        frame = self.result.mismatches
        files_text = []
        if frame is None or frame.empty:
            ws.write_string(row, 0, "Inga skillnader i internhandeln över toleransen.", f.note)
            row += 1
        else:
            for r in frame.to_dict("records"):
                ws.write_string(row, 0, text(r["party"]), f.label)
                ws.write_string(row, 1, self.entity_names.get(r["party"], ""), f.label)
                ws.write_string(row, 2, text(r["counterparty"]), f.label)
                ws.write_string(row, 3, self.entity_names.get(r["counterparty"], ""), f.label)
                ws.write_string(row, 4, MEASURE_NAMES.get(r["measure"], text(r["measure"])), f.label)
                ws.write_number(row, 5, float(r["party_amount"]) / self.factor, f.num)
                ws.write_number(row, 6, float(r["counterparty_amount"]) / self.factor, f.num)
                ws.write_number(row, 7, float(r["difference"]) / self.factor, f.num_bold)
                files = text(", ".join(sorted(set(r["party_files"]) | set(r["counterparty_files"]))))
                files_text.append(files)
                ws.write_string(row, 8, files, f.wrap)
                row += 1
            ws.autofilter(header, 0, row - 1, len(headings) - 1)
        row += 2
        ws.write_string(row, 0, "Eliminerat: interna poster som tagits bort där båda parterna ingår", f.section)
        row += 1
        headings2 = ["Enhet", "Namn", "Rad", "Radens namn", *(MEASURE_HEADINGS[m] for m in MEASURES)]
        for col, heading in enumerate(headings2):
            ws.write_string(row, col, heading, f.head_num if col >= 4 else f.head)
        row += 1
        eliminated = self.result.consolidated.eliminated
        if eliminated is None or eliminated.empty:
            ws.write_string(row, 0, "Ingenting eliminerades.", f.note)
        else:
            order = {code: i for i, code in enumerate(self.tree.entities)}
            line_order = {code: i for i, code in enumerate(self.config.chart.line_codes)}
            frame = eliminated.assign(
                _e=eliminated["entity"].map(lambda e: order.get(e, len(order))),
                _l=eliminated["line"].map(lambda l: line_order.get(l, len(line_order))),
            ).sort_values(["_e", "_l"], kind="stable")
            values = frame[list(MEASURES)].to_numpy(dtype=float) / self.factor
            line_names = self.config.chart.line_names
            for i, (entity, line) in enumerate(frame[["entity", "line"]].itertuples(index=False, name=None)):
                ws.write_string(row, 0, text(entity), f.label)
                ws.write_string(row, 1, self.entity_names.get(entity, ""), f.label)
                ws.write_string(row, 2, text(line), f.label)
                ws.write_string(row, 3, text(line_names.get(line, "")), f.label)
                for col, value in enumerate(values[i], start=4):
                    ws.write_number(row, col, value, f.num)
                row += 1
        ws.freeze_panes(header + 1, 0)
        ws.set_column(0, 0, 9)
        ws.set_column(1, 1, self.text_width("names", self.entity_names.values(), minimum=20, cap=45))
        ws.set_column(2, 2, 10)
        ws.set_column(3, 3, _text_width(self.config.chart.line_names.values(), minimum=16, cap=45))
        ws.set_column(4, 4, 13)
        ws.set_column(5, 9, 14)
        ws.set_column(8, 8, _text_width(files_text, minimum=30, cap=80))

    def checks_run(self, ws, row: int, problems: list) -> int:
        """The checks this run made, each with its outcome; returns the next free row."""
        f = self.f
        for col, heading in enumerate(["Kontroll", "Vad den prövar", "Fel", "Varningar", "Utfall"]):
            ws.write_string(row, col, heading, f.head)
        for kind, question in CHECKS.items():
            row += 1
            errors = sum(p.is_error for p in problems if p.check == kind)
            warnings = sum(not p.is_error for p in problems if p.check == kind)
            ws.write_string(row, 0, kind, f.label)
            ws.write_string(row, 1, question, f.label)
            ws.write_number(row, 2, errors, f.int)
            ws.write_number(row, 3, warnings, f.int)
            outcome = "Fel" if errors else "Varning" if warnings else "OK"
            ws.write_string(row, 4, outcome, f.label_bold if errors else f.label)
        return row + 1

    def checks_sheet(self) -> None:
        f = self.f
        problems = self.result.problems
        ws = self.sheet("Kontroller", "Kontroller")
        errors = sum(p.is_error for p in problems)
        row = self.titles(ws, f"Kontroller {self.region_name}", f"ack. {self.period}",
                          f"{len(self.result.files)} filer lästa: {errors} fel, {len(problems) - errors} varningar")
        row = self.checks_run(ws, row, problems) + 1
        header = row
        headings = ["Allvarlighet", "Kontroll", "Enhet", "Fil", "Blad", "Cell", "Meddelande"]
        for col, heading in enumerate(headings):
            ws.write_string(row, col, heading, f.head)
        row += 1
        if not problems:
            ws.write_string(row, 0, "Inga fel eller varningar.", f.note)
            row += 1
        files = []
        for p in problems:
            ws.write_string(row, 0, SEVERITY_NAMES.get(p.severity, text(p.severity)), f.label_bold if p.is_error else f.label)
            ws.write_string(row, 1, text(p.check), f.label)
            ws.write_string(row, 2, text(p.unit), f.label)
            file = text(p.file)
            files.append(file)
            ws.write_string(row, 3, file, f.wrap)
            ws.write_string(row, 4, text(p.sheet), f.label)
            ws.write_string(row, 5, text(p.cell), f.label)
            ws.write_string(row, 6, text(p.message), f.wrap)
            row += 1
        ws.freeze_panes(header + 1, 0)
        ws.repeat_rows(header)
        if problems:
            ws.autofilter(header, 0, row - 1, len(headings) - 1)
        ws.set_column(0, 0, 12)
        ws.set_column(1, 1, _text_width([p.check for p in problems], minimum=12, cap=30))
        ws.set_column(2, 2, 9)
        ws.set_column(3, 3, _text_width(files, minimum=12, cap=40))
        ws.set_column(4, 5, 10)
        ws.set_column(6, 6, 100)

    def data_sheets(self) -> None:
        """One row per entity, report, report row and measure; amounts in kr, unrounded.

        XlsxWriter writes each Data sheet's header, filter, panes and print setup; the
        rows themselves (most of the workbook's cells) are generated as sheet XML by
        `DataRows` and put into the package afterwards, about ten times faster than
        one Python call per cell."""
        rows = self.result.rows
        keys = list(MEASURES)  # the six measures; variances are derived from them
        headings = ["Period", "Enhet", "Namn", "Nivå", "Rapport", "Rad", "Mått", "Belopp (kr)"]
        codes = rows["entity"].tolist()
        self.data = DataRows(
            period=self.period,
            prefixes=[
                (text(e), self.entity_names.get(e, ""), LEVEL_NAMES.get(self.levels.get(e), ""), text(rp), text(lb))
                for e, rp, lb in zip(codes, rows["report"].tolist(), rows["row"].tolist())
            ],
            measures=[HEADINGS[k] for k in keys],
            values=rows[keys].to_numpy(dtype=float),
        )
        # The index of the kr format, as a cell written with it would get it.
        self.data_style = self.f.kr._get_xf_index()
        per_sheet = (MAX_ROWS - 1) // len(keys)  # source rows per sheet: every measure of a row on one sheet
        f = self.f
        labels = set(self.data.labels())
        for s, start in enumerate(range(0, max(1, len(codes)), per_sheet)):
            stop = min(len(codes), start + per_sheet)
            name = "Data" if s == 0 else self.names.make(f"Data ({s + 1})", fallback=f"Data {s + 1}")
            ws = self.sheet(name, "Data")
            for col, heading in enumerate(headings):
                ws.write_string(0, col, heading, f.head_num if col == 7 else f.head)
            last = (stop - start) * len(keys)
            ws.freeze_panes(1, 0)
            ws.repeat_rows(0)
            ws.autofilter(0, 0, max(last, 1), len(headings) - 1)
            ws.set_column(0, 0, 9)
            ws.set_column(1, 1, self.text_width("codes", self.tree.entities, minimum=8, cap=20))
            ws.set_column(2, 2, self.text_width("names", self.entity_names.values(), minimum=20, cap=45))
            ws.set_column(3, 3, 12)
            ws.set_column(4, 4, _text_width([r.name for r in self.config.chart.reports], minimum=14, cap=35))
            ws.set_column(5, 5, _text_width(labels, minimum=20, cap=45))
            ws.set_column(6, 6, 13)
            ws.set_column(7, 7, 16, f.kr)
            self.data.sheets.append((ws, start, stop))
        self.data.share(self.book)

    def write(self) -> None:
        for fixed in FIXED_SHEETS:
            self.names.reserve(fixed)
        region = self.names.make(self.region_name, fallback="Region")
        plan = self.administration_sheets()
        self.region_sheet(region)
        for admin, name, own in plan:
            self.administration_sheet(admin, name, own)
        self.driftredovisning_sheet()
        self.staffing_sheet()
        self.mismatch_sheet()
        self.checks_sheet()
        self.data_sheets()
        self.book.worksheets()[0].activate()
        self.properties()

    def properties(self) -> None:
        book = self.book
        title = f"{self.region_name} – {text(self.report)}, ack. {self.period}"
        book.set_properties({
            "title": title,
            "subject": f"Period {self.period}",
            "author": "consolidate",
            "company": self.region_name,
            "category": "Månadsuppföljning",
            "keywords": f"{self.config.region_code}, {self.period}, driftredovisning",
            "comments": f"Skapad av consolidate {__version__} {self.created.strftime('%Y-%m-%d %H:%M')} UTC; belopp i {self.unit}",
            "created": self.created,
        })
        book.set_custom_property("Period", self.period)
        book.set_custom_property("Region", text(self.config.region_code))
        book.set_custom_property("Beloppsenhet", self.unit)
        book.set_custom_property("Version", __version__)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _text_width(values, minimum: float = 10, cap: float = TEXT_WIDTH_CAP) -> float:
    return _width(max((len(str(v)) for v in values), default=0), minimum, cap)


def _width(longest: int, minimum: float, cap: float) -> float:
    return float(min(cap, max(minimum, longest * 1.05 + 2)))


def write_report(result: Result, directory: Path, unit: str, report_name: str | None = None) -> Path:
    """Write the workbook into `directory` (temporary file, then rename); return its path."""
    if result.rows is None or result.consolidated is None:
        raise ValueError("nothing was consolidated: the workbook needs a run without errors")
    if unit not in AMOUNT_UNITS:
        raise ValueError(f"unknown amount unit {unit!r}")
    report = result.config.chart.report(report_name)
    if report is None:
        raise ValueError(f"unknown report {report_name!r}")
    target = Path(directory) / workbook_name(result)
    with atomic_path(target) as tmp:  # hidden temporary file beside it, fsync, rename
        book = None
        try:
            buffer = io.BytesIO()
            book = xlsxwriter.Workbook(buffer, {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            })
            created = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
            writer = Writer(book, result, unit, report.name, created)
            writer.write()
            book.close()
            writer.data.style = writer.data_style
            package(book, buffer, str(tmp), writer.data)
        except BaseException:
            if book is not None:
                book.fileclosed = True  # no second attempt to write from the destructor
            raise
    return target

