"""The Personal sheet: staffing per entity against last year (employees, full-time
equivalents, sick leave, its short and long parts, hired hours), every entity's
totals and, for the levels above the units, the breakdowns by Kön, Åldersgrupp and
Personalgrupp; under it the full-time equivalents per administration, as a small
table and a column chart. Says so when the run read no staffing."""

from __future__ import annotations

import math

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from consolidate.outputs.excel.book import Book, missing
from consolidate.outputs.excel.style import text
from consolidate.vocabulary import BY_NAMES


def write(book: Book) -> None:
    """The Personal sheet."""
    f = book.f
    staffing = book.result.staffing
    ws = book.sheet("Personal", "Personal")
    row = book.titles(ws, f"Personal {book.region_name}", f"ack. {book.period}", "Anställda vid periodens slut; "
                      "årsarbetare av arbetad tid; sjukfrånvaro i % av ordinarie arbetstid; inhyrd tid i timmar")
    if staffing is None or len(staffing) == 0:
        ws.write_string(row, 0, "Inga personaluppgifter lästes i den här körningen.", f.note)
        ws.set_column(0, 0, 60)
        return
    groups = [
        ("Anställda", [("headcount_prior", "Fg år", f.int), ("headcount", "Inn. år", f.int),
                       ("d_headcount", "Förändring", f.int)]),
        ("Årsarbetare", [("fte_prior", "Fg år", f.dec1), ("fte", "Inn. år", f.dec1),
                         ("d_fte", "Förändring", f.dec1)]),
        ("Sjukfrånvaro %", [("sick_pct_prior", "Fg år", f.pct), ("sick_pct", "Inn. år", f.pct)]),
        ("varav dag 1–14 %", [("sick_short_pct_prior", "Fg år", f.pct), ("sick_short_pct", "Inn. år", f.pct)]),
        ("Andel långtid %", [("long_sick_share_pct_prior", "Fg år", f.pct),
                             ("long_sick_share_pct", "Inn. år", f.pct)]),
        ("Inhyrd tid, timmar", [("hired_hours_prior", "Fg år", f.int), ("hired_hours", "Inn. år", f.int)]),
    ]
    # Every entity's totals; breakdowns by Kön, Åldersgrupp and Personalgrupp for the
    # levels above the units (a unit's own breakdown is in the JSON export).
    is_unit = staffing["entity"].map(lambda e: book.levels.get(e) == "unit")
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
        total = missing(by)
        known = entity in book.entity_names
        bold = total and known and book.levels[entity] != "unit"
        ws.write_string(row, 0, text(entity), f.label_bold if bold else f.label)
        name = book.entity_names.get(entity, "") if total else ""
        ws.write_string(row, 1, name, f.indented(book.depth.get(entity, 0), bold))
        ws.write_string(row, 2, BY_NAMES.get(None if total else by, text(by)), f.label)
        ws.write_string(row, 3, "" if missing(key) else text(key), f.label)
        for col, (value, (_, _, fmt)) in enumerate(zip(values[i], columns), start=4):
            if math.isnan(value):
                ws.write_blank(row, col, None, fmt)
            else:
                ws.write_number(row, col, value, fmt)
        row += 1
    ws.freeze_panes(header + 1, 2)
    ws.repeat_rows(header - 1, header)
    ws.autofilter(header, 0, row - 1, 3 + len(columns))
    ws.set_column(0, 0, book.text_width("codes", book.tree.entities, minimum=8))
    ws.set_column(1, 1, book.text_width("names", book.entity_names.values(), minimum=24))
    ws.set_column(2, 3, 13)
    ws.set_column(4, 3 + len(columns), 10.5)
    staffing_chart(book, ws, frame, row + 2)


def staffing_chart(book: Book, ws: Worksheet, frame: pd.DataFrame, at_row: int) -> None:
    """Årsarbetare per administration against last year: written as a small table
    to the right of nothing, under the staffing table, and charted."""
    admins = [a for a in book.tree.administrations()]
    totals = frame[frame["by"].map(missing)].set_index("entity")
    admins = [a for a in admins if a in totals.index]
    if not admins:
        return
    f = book.f
    row = at_row
    ws.write_string(row, 0, "Årsarbetare per förvaltning", f.section)
    row += 1
    ws.write_string(row, 1, "Förvaltning", f.head)
    ws.write_string(row, 4, "Fg år", f.head_num)
    ws.write_string(row, 5, "Inn. år", f.head_num)
    row += 1
    first = row
    for admin in admins:
        ws.write_string(row, 1, book.entity_names[admin], f.label)
        for col, key in ((4, "fte_prior"), (5, "fte")):
            value = float(totals.at[admin, key])
            if math.isnan(value):
                ws.write_blank(row, col, None, f.dec1)
            else:
                ws.write_number(row, col, value, f.dec1)
        row += 1
    last = row - 1
    sheet = "Personal"
    chart = book.workbook.add_chart({"type": "column"})
    for col, name, color in ((4, "Fg år", "#A6A6A6"), (5, "Inn. år", "#2F5597")):
        chart.add_series({
            "name": name, "categories": [sheet, first, 1, last, 1], "values": [sheet, first, col, last, col],
            "fill": {"color": color},
        })
    chart.set_title({"name": f"Årsarbetare per förvaltning, ack. {book.period} mot fg år",
                     "name_font": {"size": 11}})
    chart.set_y_axis({"num_format": "#,##0"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 300})
    ws.insert_chart(row + 1, 1, chart)
