"""What the month report holds, page by page, from a `Result`.

1. Page 1: the key figures of the region (or the entity): the result, its deviation
   from budget and from last year, the full-year forecast, each with the previous
   closed month's figure where there is one; anställda, årsarbetare and sjukfrånvaro
   with last year's; and the chart of the accumulated result per month.
2. The resultaträkning, and the driftredovisning: one line per administration (with
   an entity, every entity below it), with the comments.
3. A page per administration (with an entity, per level below it that has entities
   of its own): its resultaträkning and the driftredovisning of everything under it.
4. Personal: anställda, årsarbetare and sjukfrånvaro per entity, and sjukfrånvaro by
   kön and ålder, each with last year's.

Every figure comes from the `Result`, rounded only for display as in the workbook
(`formatting.amount` in the display unit); a figure nobody delivered is "–"; a total
only some units delivered is marked "*" with a footnote. Text from files and the
configuration is made plain (`sanitize.plain`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from consolidate import __version__
from consolidate.core.period import Result
from consolidate.core.rollup import entity_results
from consolidate.formatting import PARTIAL, amount, partial_notes, rows_note, swedish
from consolidate.outputs.pdf import chart as charts
from consolidate.outputs.pdf.inputs import Comments, Trend, TrendPoint, comment_texts, months_of
from consolidate.outputs.pdf.layout import (
    ACCENT,
    BOLD,
    GREY,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RED,
    REGULAR,
    RULE,
    WIDTH,
    Document,
    Op,
    shorten,
    text_width,
    wrap,
)
from consolidate.outputs.pdf.tables import Column, Row, Table, place
from consolidate.sanitize import plain
from consolidate.vocabulary import (
    BREAKDOWN_LABELS,
    COLUMN_PRIORITY,
    HEADINGS,
    MEASURES,
    VARIANCE_KEYS,
    VARIANCES,
    report_columns,
)

MONTH_NAMES = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
               "oktober", "november", "december")
MISSING = "–"
# The driftredovisning's figures (the comments need the room the others would take).
DRIFT_KEYS = ("actual", "budget", "var_budget", "prior", "var_prior", "forecast", "var_forecast")
# Columns left out first when a table does not fit the page (the terminal's order).
LEAVE_OUT = tuple(reversed(COLUMN_PRIORITY["income"][1]))
# The measures each column is worked out from: a column of a partial measure is partial.
BASES: dict[str, tuple[str, ...]] = {
    **{m: (m,) for m in MEASURES}, **VARIANCES,
    "change_actual": ("actual",), "change_var_budget": VARIANCES["var_budget"],
}
STAFF_COLUMNS = (
    ("headcount", "Anställda", 0),
    ("headcount_prior", "Anst. fg år", 0),
    ("fte", "Årsarbetare", 1),
    ("fte_prior", "Åa fg år", 1),
    ("fte_change", "Förändring åa", 1),
    ("sick_pct", "Sjukfrånvaro %", 1),
    ("sick_pct_prior", "Sjukfr. % fg år", 1),
    ("sick_short_pct", "varav dag 1–14 %", 1),
    ("long_sick_share_pct", "Andel långtid %", 1),
)
BREAKDOWNS: tuple[tuple[str | None, str | None], ...] = (
    (None, None), ("gender", "K"), ("gender", "M"), ("age_band", "-29"), ("age_band", "30-49"), ("age_band", "50-"))


@dataclass
class KeyFigure:
    label: str
    value: str
    note: str = ""  # beside the figure
    detail: str = ""  # under it
    red: bool = False


class MonthReport:
    """The month report of `top` (the region, or the entity asked for), worked out
    once from the result, then laid out (`lay_out`)."""

    def __init__(self, result: Result, unit: str, report: str, top: str, comments: Comments | None,
                 trend: Trend | None, created: dt.datetime) -> None:
        if result.rows is None or result.consolidated is None:
            raise ValueError("nothing was consolidated: the report needs a run without errors")
        config = result.config
        self.result = result
        self.tree = config.tree
        self.unit = unit
        self.report = report
        self.top = top
        self.scoped = top != self.tree.root
        self.created = created
        self.region_name = plain(config.region_name)
        self.names = {code: plain(e.name) for code, e in self.tree.entities.items()}
        self.previous = None if result.previous is None else result.previous[0]
        self.columns = report_columns(self.previous)
        frame = result.report_frame()
        frame = frame[frame["report"] == report]
        self.frame = frame.sort_values(["entity", "position"], kind="stable").reset_index(drop=True)
        self.of_entity = self.frame.groupby("entity", sort=False).indices
        self.results = entity_results(result.rows, result.consolidated, config.chart, report)
        self.comments = comment_texts(comments, self.tree.entities)
        self.trend = trend
        self._lacking = getattr(result, "lacking", None)
        self._partial: dict[str, dict[str, tuple[int, int]]] = {}
        self._staff: dict[tuple[str, Any, Any], dict[str, Any]] | None = None
        # Staffing figures only where the run read staffing sheets (without them the table is all zeros).
        self.has_staffing = any(d.kind == "staffing" for d in result.deliveries) and result.staffing is not None

    # -- figures ----------------------------------------------------------------
    def money(self, value: Any) -> str:
        return MISSING if _missing(value) else amount(float(value), self.unit)

    def signed(self, value: Any) -> str:
        text = self.money(value)
        return text if text == MISSING or text.startswith("-") or text.strip("0, ") == "" else f"+{text}"

    def with_unit(self, text: str) -> str:
        return text if text == MISSING else f"{text} {self.unit}"

    def partial(self, code: str) -> dict[str, tuple[int, int]]:
        """The measures only some of the entity's reporting units delivered."""
        if code not in self._partial:
            self._partial[code] = dict(self._lacking(code) or {}) if callable(self._lacking) else {}
        return self._partial[code]

    def records(self, code: str) -> list[dict[str, Any]]:
        return self.frame.iloc[self.of_entity.get(code, [])].to_dict("records")

    def bottom(self, code: str) -> dict[str, Any]:
        """The report's last row of the entity (its result), with the previous close's."""
        records = self.records(code)
        return records[-1] if records else {}

    def sub_pages(self) -> list[str]:
        """The entities that get a page of their own: each administration; with an
        entity, each level below it that has entities of its own."""
        if not self.scoped:
            return list(self.tree.administrations())
        return [c for c in self.tree.subtree(self.top) if c != self.top and self.tree.children[c]]

    def drift_codes(self) -> list[str]:
        """The lines of the top's driftredovisning: the administrations; with an
        entity, every entity below it."""
        if not self.scoped:
            return list(self.tree.administrations())
        return self.tree.subtree(self.top)[1:]

    # -- the document -------------------------------------------------------------
    def lay_out(self) -> Document:
        doc = Document()
        self.front_page(doc)
        doc.new_page()
        place(doc, self.report_table(self.top, f"{plain(self.report)}, {self.label(self.top)}"))
        if self.drift_codes():
            what = "per förvaltning" if not self.scoped else self.label(self.top)
            place(doc, self.drift_table(self.top, self.drift_codes(), f"Driftredovisning {what}"))
        for code in self.sub_pages():
            doc.new_page()
            self.entity_page(doc, code)
        if self.has_staffing:
            doc.new_page()
            self.staffing_pages(doc)
        return doc

    def label(self, code: str) -> str:
        return self.region_name if code == self.tree.root else f"{self.names[code]} ({plain(code)})"

    def front_page(self, doc: Document) -> None:
        year, month = self.result.period[:4], int(self.result.period[5:7])
        doc.y -= 20
        doc.text(MARGIN, doc.y, f"Månadsrapport {MONTH_NAMES[month - 1]} {year}", BOLD, 20, ACCENT)
        doc.y -= 18
        held = self.region_name if not self.scoped else f"{self.label(self.top)}, {self.region_name}"
        doc.text(MARGIN, doc.y, shorten(held, WIDTH, BOLD, 12), BOLD, 12)
        doc.y -= 14
        months = MONTH_NAMES[0] if month == 1 else f"januari–{MONTH_NAMES[month - 1]}"
        doc.text(MARGIN, doc.y, f"Ackumulerat {months} {year} · {plain(self.report)} · belopp i {self.unit}",
                 REGULAR, 9, GREY)
        doc.y -= 10
        doc.line(MARGIN, doc.y, MARGIN + WIDTH, doc.y, 0.6, RULE)
        top = doc.y - 8
        column = 385.0
        notes = self.key_figures_block(doc, self.key_figures(), top, column)
        chart_x = MARGIN + column + 15
        chart_width = MARGIN + WIDTH - chart_x
        chart_height = min(300.0, top - 60)
        data = self.chart()
        title = f"{plain(self.bottom(self.top).get('row', ''))}, ackumulerat per månad"
        doc.draw(lambda canvas: charts.draw(canvas, data, chart_x, top - chart_height, chart_width, chart_height,
                                            shorten(title, chart_width, BOLD, 9.5)))
        doc.y = min(doc.y, top - chart_height) - 10
        own = self.comments.get(self.top)
        if own:
            doc.heading("Kommentar", 10, keep=20)
            doc.paragraph(own)
        for note in notes:
            doc.paragraph(note, 7.5, color=GREY)

    def key_figures(self) -> list[KeyFigure]:
        """The result, its deviations and the forecast (each with the previous
        closed month's figure, "(−60 mkr fg. stängd månad 2026-03)", where there is
        one), then årsarbetare, anställda and sjukfrånvaro with last year's."""
        row = self.bottom(self.top)
        if not row:
            return []
        partial = self.partial(self.top)

        def star(*measures: str) -> str:
            return f" {PARTIAL}" if any(m in partial for m in measures) else ""

        def before(key: str, signed: bool = False) -> str:
            value = row.get(key)
            if self.previous is None or _missing(value):
                return ""
            shown = self.signed(value) if signed else self.money(value)
            return f"({self.with_unit(shown)} fg. stängd månad {self.previous})"

        def money(key: str, signed: bool = False) -> str:
            shown = self.signed(row.get(key)) if signed else self.money(row.get(key))
            return self.with_unit(shown) + star(*BASES[key])

        figures = [
            KeyFigure(plain(row["row"]), money("actual"), before("prev_actual"),
                      detail=f"Budget {money('budget')}, utfall fg år {money('prior')}"),
            KeyFigure("Avvikelse mot budget", money("var_budget", True), before("prev_var_budget", True),
                      red=_negative(self.signed(row.get("var_budget")))),
            KeyFigure("Avvikelse mot föregående år", money("var_prior", True),
                      red=_negative(self.signed(row.get("var_prior")))),
            KeyFigure("Helårsprognos", money("forecast"),
                      detail=f"Årsbudget {money('annual_budget')}, avvikelse {money('var_forecast', True)}"),
        ]
        staff = self.staff(self.top, None, None)
        if staff is not None:
            change = _number(staff.get("fte"), staff.get("fte_prior"))
            figures += [
                KeyFigure("Årsarbetare", _figure(staff.get("fte"), 1),
                          f"({_figure(staff.get('fte_prior'), 1)} föregående år, förändring "
                          f"{_signed_figure(change, 1)})"),
                KeyFigure("Anställda", _figure(staff.get("headcount"), 0),
                          f"({_figure(staff.get('headcount_prior'), 0)} föregående år)"),
                KeyFigure("Sjukfrånvaro", _percent(staff.get("sick_pct")),
                          f"({_percent(staff.get('sick_pct_prior'))} föregående år)"),
            ]
        return figures

    def key_figures_block(self, doc: Document, figures: list[KeyFigure], top: float, room: float) -> list[str]:
        """The key figures down the left of page 1: the label, the figure large with
        its comparison beside it, a detail under it. Returns the notes to go under them."""
        y = top
        for figure in figures:
            y -= 10
            doc.text(MARGIN, y, figure.label, REGULAR, 9, GREY)
            y -= 17
            doc.text(MARGIN, y, figure.value, BOLD, 15, RED if figure.red else (0, 0, 0))
            after = MARGIN + text_width(figure.value, BOLD, 15) + 8
            lines = wrap(figure.note, MARGIN + room - after, REGULAR, 8.5) if figure.note else []
            for i, line in enumerate(lines):
                doc.text(after, y - i * 10.5, line, REGULAR, 8.5)
            y -= max(0, len(lines) - 1) * 10.5
            for i, line in enumerate(wrap(figure.detail, room, REGULAR, 8) if figure.detail else []):
                y -= 12.5 if i == 0 else 10  # clear of the large figure's descenders
                doc.text(MARGIN, y, line, REGULAR, 8, GREY)
            y -= 8
        doc.y = y
        notes = []
        if self.previous is None:
            notes.append("Ingen tidigare månad av året är stängd: förändringen sedan förra stängda månaden visas "
                         "när en månad är stängd.")
        shown = {"actual", "budget", "prior", "forecast", "annual_budget"}  # the measures of the key figures
        notes += partial_notes({m: n for m, n in self.partial(self.top).items() if m in shown})
        return notes

    def chart(self) -> charts.Chart:
        row = self.bottom(self.top)
        current = TrendPoint(self.result.period, _float(row.get("actual")), _float(row.get("budget")),
                             _float(row.get("prior")))
        return charts.chart_of(months_of(self.trend, self.result.period, current), self.result.period, self.unit)

    def entity_page(self, doc: Document, code: str) -> None:
        doc.y -= 14
        doc.text(MARGIN, doc.y, shorten(self.label(code), WIDTH, BOLD, 14), BOLD, 14, ACCENT)
        doc.y -= 6
        row = self.bottom(code)
        if row:
            parts = [f"{plain(row['row'])} {self.with_unit(self.money(row.get('actual')))}",
                     f"avvikelse mot budget {self.with_unit(self.signed(row.get('var_budget')))}"]
            if self.previous is not None and not _missing(row.get("prev_var_budget")):
                parts[-1] += f" ({self.with_unit(self.signed(row.get('prev_var_budget')))} fg. stängd månad)"
            parts.append(f"helårsprognos {self.with_unit(self.money(row.get('forecast')))}")
            doc.paragraph(" · ".join(parts), 9, color=GREY)
        own = self.comments.get(code)
        if own:
            doc.paragraph(f"Kommentar: {own}", 8.5)
        place(doc, self.report_table(code, f"{plain(self.report)}, {self.label(code)}"))
        below = self.tree.subtree(code)[1:]
        if below:
            place(doc, self.drift_table(code, below, f"Driftredovisning {self.label(code)}"))

    # -- tables -------------------------------------------------------------------
    def report_table(self, code: str, title: str) -> Table:
        partial = self.partial(code)
        columns = [Column("row", plain(self.report), "name")]
        for key, heading in self.columns:
            marked = any(m in partial for m in BASES.get(key, ()))
            columns.append(Column(key, f"{heading} {PARTIAL}" if marked else heading))
        rows = []
        for record in self.records(code):
            cells = [plain(record["row"])]
            red = set()
            for i, (key, _) in enumerate(self.columns, start=1):
                text = self.money(record.get(key))
                cells.append(text)
                if key in VARIANCE_KEYS and _negative(text):
                    red.add(i)
            total = bool(record["total"])
            rows.append(Row(cells, bold=total, red=frozenset(red), total=total))
        title = f"{title}, ack. {self.result.period}, {self.unit}"
        return Table(title, columns, rows, partial_notes(partial), LEAVE_OUT)

    def drift_table(self, parent: str, codes: list[str], title: str) -> Table:
        """One line per entity of `codes` (indented by depth under `parent`, those with
        entities below them bold), then the parent's total; and the comments."""
        depth = self.tree.depth
        base = depth[parent] + 1
        columns = [Column("entity", "Enhet", "name"), *(Column(k, HEADINGS[k]) for k in DRIFT_KEYS),
                   Column("comment", "Kommentar", "text")]
        values = self.results.reindex([*codes, parent])[list(DRIFT_KEYS)].to_numpy(dtype=float)
        rows = []
        lacking: set[str] = set()
        shown = set(codes)
        for code, line in zip([*codes, parent], values):
            partial = self.partial(code)
            lacking.update(partial)
            mark = f" {PARTIAL}" if partial else ""
            total = code == parent
            label = f"Summa {self.names[code]}{mark}" if total else f"{plain(code)} {self.names[code]}{mark}"
            cells = [label]
            red = set()
            for i, (key, value) in enumerate(zip(DRIFT_KEYS, line), start=1):
                text = self.money(value)
                cells.append(text)
                if key in VARIANCE_KEYS and _negative(text):
                    red.add(i)
            cells.append(self.comments.get(code, ""))
            bold = total or any(child in shown for child in self.tree.children[code])
            rows.append(Row(cells, bold=bold, red=frozenset(red), indent=0 if total else depth[code] - base,
                            total=total))
        title = f"{title}, ack. {self.result.period}, {self.unit}"
        return Table(title, columns, rows, rows_note(lacking), LEAVE_OUT)

    def staff(self, code: str, by: str | None, key: str | None) -> dict[str, Any] | None:
        """The staffing figures of an entity, in total (by None) or of one breakdown."""
        if self._staff is None:
            frame = self.result.staffing if self.has_staffing else None
            found: dict[tuple[str, Any, Any], dict[str, Any]] = {}
            if frame is not None:
                wanted = {self.top, *self.drift_codes()}
                frame = frame[frame["entity"].isin(wanted) & frame["by"].isin([None, "gender", "age_band"])]
                for record in frame.to_dict("records"):
                    by_value = None if _missing(record["by"]) else record["by"]
                    key_value = None if by_value is None else record["key"]
                    found[(record["entity"], by_value, key_value)] = record
            self._staff = found
        return self._staff.get((code, by, key))

    def staffing_pages(self, doc: Document) -> None:
        """Personal: a line per entity of the driftredovisning and the total; then
        sjukfrånvaro by kön and ålder, where the units under a line deliver it."""
        codes = [*self.drift_codes(), self.top]
        listed = set(codes)
        depth = self.tree.depth
        base = depth[self.top] + 1
        columns = [Column("entity", "Enhet", "name"), *(Column(k, h) for k, h, _ in STAFF_COLUMNS)]
        rows = []
        for code in codes:
            staff = self.staff(code, None, None) or {}
            total = code == self.top
            cells = [f"Summa {self.names[code]}" if total else f"{plain(code)} {self.names[code]}"]
            red = set()
            for i, (key, _, decimals) in enumerate(STAFF_COLUMNS, start=1):
                value = _number(staff.get("fte"), staff.get("fte_prior")) if key == "fte_change" else staff.get(key)
                cells.append(_figure(value, decimals))
                if key == "fte_change" and _negative(cells[-1]):
                    red.add(i)
            bold = total or any(c in listed for c in self.tree.children[code])
            rows.append(Row(cells, bold=bold, red=frozenset(red), indent=0 if total else depth[code] - base,
                            total=total))
        broken_down = any(self.staff(code, by, part) is not None for code in codes for by, part in BREAKDOWNS[1:])
        missing = [] if broken_down else ["Sjukfrånvaro per kön och ålder visas inte: uppdelningen saknas för en "
                                          "del av enheterna under varje rad."]
        place(doc, Table(f"Personal, ack. {self.result.period}", columns, rows, missing))
        if not broken_down:
            return
        headings = []
        for by, part in BREAKDOWNS:
            name = "Totalt" if by is None or part is None else BREAKDOWN_LABELS[by][part]
            headings += [(f"{by}:{part}", name), (f"{by}:{part}:prior", f"{name} fg år")]
        columns = [Column("entity", "Enhet", "name"), *(Column(k, h) for k, h in headings)]
        rows = []
        for code in codes:
            total = code == self.top
            cells = [f"Summa {self.names[code]}" if total else f"{plain(code)} {self.names[code]}"]
            for by, part in BREAKDOWNS:
                staff = self.staff(code, by, part) or {}
                cells += [_figure(staff.get("sick_pct"), 1), _figure(staff.get("sick_pct_prior"), 1)]
            rows.append(Row(cells, bold=total or any(c in listed for c in self.tree.children[code]),
                            indent=0 if total else depth[code] - base, total=total))
        place(doc, Table(f"Sjukfrånvaro i % av ordinarie arbetstid, per kön och ålder, ack. {self.result.period}",
                         columns, rows, ["Sjukfrånvaro i år och samma månader föregående år. – : uppdelningen "
                                         "saknas för en del av enheterna under raden."]))

    # -- every page -----------------------------------------------------------------
    def chrome(self, number: int, total: int) -> list[Op]:
        """Header and footer of a page: region (and entity), period and unit; the
        time of the run and "Sida N av M"."""
        held = self.region_name if not self.scoped else f"{self.region_name} – {self.label(self.top)}"
        title = f"Månadsrapport ack. {self.result.period}"
        y = PAGE_HEIGHT - 30
        right = f"Belopp i {self.unit}"
        ops: list[Op] = [
            ("text", MARGIN, y, BOLD, 8.5, (0, 0, 0), shorten(held, WIDTH / 2 - 90, BOLD, 8.5)),
            ("text", (PAGE_WIDTH - text_width(title, REGULAR, 8.5)) / 2, y, REGULAR, 8.5, GREY, title),
            ("text", PAGE_WIDTH - MARGIN - text_width(right, REGULAR, 8.5), y, REGULAR, 8.5, GREY, right),
            ("line", MARGIN, y - 6, PAGE_WIDTH - MARGIN, y - 6, 0.6, RULE),
        ]
        made = f"Skapad {self.created.strftime('%Y-%m-%d %H:%M')} av consolidate {__version__}"
        page = f"Sida {number} av {total}"
        ops += [
            ("line", MARGIN, 32, PAGE_WIDTH - MARGIN, 32, 0.4, RULE),
            ("text", MARGIN, 20, REGULAR, 7.5, GREY, made),
            ("text", PAGE_WIDTH - MARGIN - text_width(page, REGULAR, 8), 20, REGULAR, 8, (0, 0, 0), page),
        ]
        return ops


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def _float(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _number(value: Any, prior: Any) -> float | None:
    """value − prior, None where either is missing."""
    return None if _missing(value) or _missing(prior) else float(value) - float(prior)


def _figure(value: Any, decimals: int) -> str:
    return MISSING if _missing(value) else swedish(float(value), decimals)


def _signed_figure(value: Any, decimals: int) -> str:
    text = _figure(value, decimals)
    return text if text == MISSING or text.startswith("-") or text.strip("0, ") == "" else f"+{text}"


def _percent(value: Any) -> str:
    text = _figure(value, 1)
    return text if text == MISSING else f"{text} %"


def _negative(text: str) -> bool:
    """A figure shown as negative (its rounded value, as the reader sees it)."""
    return text.startswith("-")
