"""The Utveckling sheet (SPEC §15): the accumulated result per month of the year —
the closed months from the history store and the month being run — for the workbook's
top entity and each entity right under it, with a native line chart of Utfall, Budget
and Fg år; and below, the result per entity and year from the closed Decembers. Not
part of what prints by default: the month report (PDF) carries the same chart."""

from __future__ import annotations

import pandas as pd

from consolidate.formatting import MONTHS
from consolidate.outputs.excel import page
from consolidate.outputs.excel.book import HEADING_POINTS, Book
from consolidate.outputs.excel.style import text

CHART_WIDTH, CHART_HEIGHT = 720, 280
SERIES = (("actual", "Utfall", "#1F4E79", "solid"), ("budget", "Budget", "#7F7F7F", "dash"),
          ("prior", "Fg år", "#C55A11", "solid"))


def write(book: Book) -> None:
    trend = book.result.trend
    if trend is None:
        from consolidate.core.trend import series  # start-up: only when the sheet is written

        trend = series(book.result, None, book.report, None if not book.scoped else book.top)
    f = book.f
    ws = book.sheet("Utveckling", "Utveckling")
    held = book.entity_names[book.top]
    row = book.titles(ws, f"Utveckling {held}", f"Ackumulerat per månad {book.period[:4]}, resultatraden")
    entities = [book.top, *[c for c in book.tree.children[book.top]]]
    mine = trend[trend["entity"].isin(entities)] if len(trend) else trend
    if mine is None or mine.empty:
        ws.write_string(row, 0, "Ingen stängd månad och inga siffror för året ännu.", f.note)
        return
    last_row = mine.groupby("entity")["position"].transform("max") == mine["position"]
    result_rows = mine[last_row]
    periods = sorted(set(result_rows["period"]))
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2 + len(periods), 12)
    # the top entity's months: one row per month, the series as columns (the chart's source)
    ws.write_string(row, 0, f"{held}: {text(result_rows['row'].iloc[0])}", f.section)
    row += 1
    ws.taller(row, HEADING_POINTS)
    headings = ["Månad", "Period", *(name for _, name, _, _ in SERIES), "Avvikelse mot budget"]
    for col, heading in enumerate(headings):
        ws.write_string(row, col, heading, f.head_num if col >= 2 else f.head)
    first = row + 1
    top = result_rows[result_rows["entity"] == book.top].set_index("period")
    for period in periods:
        row += 1
        ws.write_string(row, 0, MONTHS[int(period[5:7]) - 1], f.label)
        ws.write_string(row, 1, period, f.label)
        record = top.loc[period] if period in top.index else None
        for col, (key, _, _, _) in enumerate(SERIES, start=2):
            value = float("nan") if record is None else float(record[key])
            book.number(ws, row, col, value / book.factor, f.num)
        variance = float("nan") if record is None else float(record["actual"] - record["budget"])
        book.number(ws, row, 5, variance / book.factor, f.num)
    last = row
    chart = book.workbook.add_chart({"type": "line"})
    sheet = ws.name
    for col, (_, name, color, dash) in enumerate(SERIES, start=2):
        chart.add_series({
            "name": name, "categories": [sheet, first, 0, last, 0], "values": [sheet, first, col, last, col],
            "line": {"color": color, "width": 2.25 if name == "Utfall" else 1.5, "dash_type": dash},
            "marker": {"type": "circle", "size": 5, "fill": {"color": color}, "border": {"color": color}},
        })
    chart.set_title({"name": f"Resultat ackumulerat per månad, {held} ({book.unit})", "name_font": {"size": 11}})
    chart.set_legend({"position": "bottom"})
    chart.set_y_axis({"num_font": {"size": 8}, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    row = page.insert_chart(ws, row + 2, 0, chart, CHART_WIDTH, CHART_HEIGHT) + 1
    # each entity below: Utfall per month
    row = _per_entity(book, ws, row, result_rows, entities[1:], periods)
    _years(book, ws, row + 1, entities)
    # an analysis sheet, not printed by default (the board's month report, the PDF, has the
    # chart): the print area is an empty cell right of the table and of the chart
    page.not_printed(ws, 2 + 12 + 14)


def _per_entity(book: Book, ws, row: int, rows: pd.DataFrame, entities: list[str], periods: list[str]) -> int:
    if not entities:
        return row
    actual = rows.set_index(["entity", "period"])["actual"]
    return _entity_table(book, ws, row, "Utfall ackumulerat per månad", entities, periods, actual) + 2


def _years(book: Book, ws, row: int, entities: list[str]) -> int:
    years = book.result.years
    if years is None or years.empty:
        return row
    mine = years[years["entity"].isin(entities)]
    if mine.empty:
        return row
    actual = mine.set_index(["entity", "year"])["actual"]
    return _entity_table(book, ws, row, "Resultat per år (stängda bokslut)", entities, sorted(set(mine["year"])),
                         actual)


def _entity_table(book: Book, ws, row: int, title: str, entities: list[str], keys: list, actual: pd.Series) -> int:
    """A section: one row per entity (code, name), one column per key (a month or a
    year) with the entity's actual; "–" where there is none. Returns its last row."""
    f = book.f
    ws.write_string(row, 0, title, f.section)
    row += 1
    ws.taller(row, HEADING_POINTS)
    for col, heading in enumerate(["Kod", "Namn", *(str(k) for k in keys)]):
        ws.write_string(row, col, heading, f.head_num if col >= 2 else f.head)
    for code in entities:
        row += 1
        ws.write_string(row, 0, text(code), f.label)
        ws.write_string(row, 1, book.entity_names.get(code, ""), f.label)
        for col, key in enumerate(keys, start=2):
            value = actual.get((code, key), float("nan"))
            book.number(ws, row, col, float(value) / book.factor, f.num)
    return row
