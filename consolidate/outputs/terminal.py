"""Variance tables in the terminal (rich). Renders a `Result`; computes nothing new."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from consolidate.core.internal import list_files
from consolidate.core.period import Result
from consolidate.core.rollup import entity_results
from consolidate.formatting import amount, local_time, percent, swedish
from consolidate.sanitize import plain
from consolidate.vocabulary import AMOUNT_UNITS, BREAKDOWN_LABELS, MEASURE_NAMES, REPORT_COLUMNS, VARIANCE_KEYS
from consolidate.vocabulary import report_columns as vocabulary_columns

INCOME_COLUMNS = list(REPORT_COLUMNS)


def report_columns(result: Result) -> list[tuple[str, str]]:
    """The report's columns; with a closed earlier month of the year, also the change
    of Utfall and of Avvikelse since then ("förra månaden")."""
    return vocabulary_columns(None if result.previous is None else result.previous[0])


def make_console(stream=None, force_terminal: bool | None = None) -> Console:
    """A console that never asks anything; wide when it writes to a file or a pipe.

    Markup and emoji codes are off: names and messages come from input files and
    configuration, and "[red]" or ":x:" in them must show as written."""
    quiet: dict[str, Any] = {"highlight": False, "markup": False, "emoji": False}
    console = Console(file=stream, force_terminal=force_terminal, soft_wrap=False, **quiet)
    if not console.is_terminal:
        console = Console(file=stream, width=200, color_system=None, **quiet)
    return console


def money_cell(value: float, unit: str, key: str, bold: bool = False) -> Text:
    if pd.isna(value):
        return Text("–")
    text = Text(amount(value, unit), style="bold" if bold else "")
    if key in VARIANCE_KEYS and round(value / AMOUNT_UNITS[unit], 1) < 0:
        text.stylize("red")
    return text


class Figures:
    """What the tables of one report show, worked out once for every entity shown:
    its rows with the change since the last close, and the driftredovisning."""

    def __init__(self, result: Result, report: str) -> None:
        frame = result.report_frame()
        self.rows = frame[frame["report"] == report].sort_values(["entity", "position"], kind="stable")
        self.of_entity = self.rows.groupby("entity", sort=False).indices
        if result.consolidated is None:
            raise ValueError("nothing was consolidated: the run had errors")
        self.results = entity_results(result.rows, result.consolidated, result.config.chart, report)
        staffing = result.staffing
        if staffing is not None:
            staffing = staffing[staffing["by"].isin([None, "gender", "age_band"])]
        self.staffing = staffing
        self.staffing_of = {} if staffing is None else staffing.groupby("entity", sort=False).indices


def income_table(result: Result, entity: str, report: str, unit: str, figures: Figures | None = None) -> Table:
    config = result.config
    figures = figures or Figures(result, report)
    name = plain(config.tree.entities[entity].name)
    table = Table(
        title=f"{name} ({plain(entity)}) – {plain(report)}, ack. {result.period}, {unit}",
        title_justify="left", show_lines=False, header_style="bold",
    )
    table.add_column("", no_wrap=True)
    columns = report_columns(result)
    for _, heading in columns:
        table.add_column(heading, justify="right", no_wrap=True)
    records = figures.rows.iloc[figures.of_entity.get(entity, [])].to_dict("records")
    for i, record in enumerate(records):
        total = bool(record["total"])
        next_total = i + 1 < len(records) and bool(records[i + 1]["total"])
        cells = [money_cell(record[k], unit, k, bold=total) for k, _ in columns]
        table.add_row(Text(plain(record["row"]), style="bold" if total else ""), *cells, end_section=next_total)
    return table


def entity_table(result: Result, parent: str, report: str, unit: str, figures: Figures | None = None) -> Table | None:
    """Driftredovisning: one line per child entity with the report's bottom row."""
    tree = result.config.tree
    children = tree.children[parent]
    if not children:
        return None
    results = (figures or Figures(result, report)).results
    table = Table(
        title=f"Driftredovisning {plain(tree.entities[parent].name)}, ack. {result.period}, {unit}",
        title_justify="left", header_style="bold",
    )
    table.add_column("Enhet", no_wrap=True)
    for _, heading in INCOME_COLUMNS:
        table.add_column(heading, justify="right", no_wrap=True)
    table.add_column("% av intäkter", justify="right", no_wrap=True)
    for code in [*children, parent]:
        row = results.loc[code]
        is_total = code == parent
        label = "Summa" if is_total else f"{plain(code)} {plain(tree.entities[code].name)}"
        cells = [money_cell(row[k], unit, k, bold=is_total) for k, _ in INCOME_COLUMNS]
        pct = row["result_pct_revenue"]
        table.add_row(
            Text(label, style="bold" if is_total else ""), *cells,
            Text(percent(None if pd.isna(pct) else pct)), end_section=code == children[-1],
        )
    return table


def shown_entities(result: Result, entity: str | None) -> list[str]:
    """The region and each administration by default; with --entity, that entity's
    subtree: the entity and every level below it that has entities of its own (units
    show as lines of their parent's driftredovisning)."""
    tree = result.config.tree
    if entity is not None:
        return [code for code in tree.subtree(entity) if code == entity or tree.children[code]]
    return [tree.root, *tree.administrations()]


def print_income(console: Console, result: Result, entity: str | None, report: str, unit: str) -> None:
    figures = Figures(result, report)
    for code in shown_entities(result, entity):
        console.print(income_table(result, code, report, unit, figures))
        below = entity_table(result, code, report, unit, figures)
        if below is not None:
            console.print(below)
        staff = staffing_table(result, code, figures)
        if staff is not None:
            console.print(staff)
        console.print()
    mismatch = mismatch_table(result, unit)
    if mismatch is not None:
        console.print(mismatch)


def print_problems(console: Console, problems: list) -> None:
    """One line per problem, never wrapped, so each can be grepped and sent on."""
    for problem in problems:
        console.print(Text(plain(problem.line()), style="red" if problem.is_error else "yellow"), soft_wrap=True)


def mismatch_table(result: Result, unit: str) -> Table | None:
    """Internal trade whose two sides disagree, with both sides and their files."""
    frame = result.mismatches
    if frame is None or frame.empty:
        return None
    tree = result.config.tree
    table = Table(title=f"Internhandel som inte stämmer, {unit}", title_justify="left", header_style="bold")
    amounts = ("Part mot motpart", "Motpart mot part", "Skillnad")
    for heading in ("Part", "Motpart", "Mått", *amounts, "Filer part", "Filer motpart"):
        table.add_column(heading, justify="right" if heading in amounts else "left")
    for r in frame.to_dict("records"):
        table.add_row(
            f"{plain(r['party'])} {plain(tree.entities[r['party']].name)}",
            f"{plain(r['counterparty'])} {plain(tree.entities[r['counterparty']].name)}",
            MEASURE_NAMES[r["measure"]],
            amount(r["party_amount"], unit), amount(r["counterparty_amount"], unit),
            Text(amount(r["difference"], unit), style="red"),
            plain(list_files([Path(f).name for f in r["party_files"]])),
            plain(list_files([Path(f).name for f in r["counterparty_files"]])),
        )
    return table


STAFF_COLUMNS = [
    ("headcount", "Anställda", 0),
    ("headcount_prior", "Anst. fg år", 0),
    ("fte", "Årsarbetare", 1),
    ("fte_prior", "Åa fg år", 1),
    ("fte_change", "Förändring", 1),
    ("sick_pct", "Sjukfrånvaro %", 1),
    ("sick_pct_prior", "Sjukfr. % fg år", 1),
    ("sick_short_pct", "varav dag 1–14 %", 1),
    ("long_sick_share_pct", "Andel långtid %", 1),
    ("hired_hours", "Inhyrd tid, tim", 0),
]


def staffing_table(result: Result, entity: str, figures: Figures | None = None) -> Table | None:
    """Årsarbetare and sjukfrånvaro of an entity: total, by Kön and by Åldersgrupp."""
    if result.staffing is None:
        return None
    figures = figures or Figures(result, result.config.chart.reports[0].name)
    if figures.staffing is None or entity not in figures.staffing_of:
        return None
    rows = figures.staffing.iloc[figures.staffing_of[entity]]
    name = plain(result.config.tree.entities[entity].name)
    table = Table(title=f"Personal {name}, ack. {result.period}", title_justify="left", header_style="bold")
    table.add_column("", no_wrap=True)
    for _, heading, _ in STAFF_COLUMNS:
        table.add_column(heading, justify="right", no_wrap=True)
    for record in rows.to_dict("records"):
        by = record["by"]
        label = "Totalt" if by is None else BREAKDOWN_LABELS.get(by, {}).get(record["key"], plain(record["key"]))
        fte, prior = record["fte"], record["fte_prior"]
        record["fte_change"] = None if fte is None or prior is None else fte - prior
        cells = []
        for key, _, decimals in STAFF_COLUMNS:
            value = record[key]
            text = Text(swedish(value, decimals) if value is not None else "–")
            if key == "fte_change" and value is not None and round(value, decimals) < 0:
                text.stylize("red")
            cells.append(text)
        table.add_row(Text(label, style="bold" if by is None else ""), *cells)
    return table


def print_problems_by_unit(console: Console, problems: list, tree) -> None:
    """`validate`'s listing: problems grouped under each unit in tree order, then the rest."""
    order = {code: i for i, code in enumerate(tree.entities)}
    groups: dict[str | None, list] = {}
    for problem in problems:
        groups.setdefault(problem.unit if problem.unit in order else None, []).append(problem)
    for unit in sorted(groups, key=lambda u: order.get(u, len(order))):
        heading = f"{unit} {tree.entities[unit].name}" if unit else "Övrigt"
        console.print(Text(plain(heading), style="bold"), soft_wrap=True)
        print_problems(console, groups[unit])


def history_table(closes: pd.DataFrame, region_name: str, unit: str, period: str | None = None) -> Table:
    """The closed periods (or the versions of one): version, local time, who, files,
    the region's result, tool version and the reason given for a reopen."""
    title = f"Versioner av {period}, {region_name}" if period else f"Stängda perioder, {region_name}"
    table = Table(title=plain(title), title_justify="left", header_style="bold")
    headings = ("Period", "Version", "Stängd", "Av", "Filer", f"Resultat, {unit}", "Verktyg", "Anledning")
    for heading in headings:
        right = heading in ("Version", "Filer") or heading.startswith("Resultat")
        table.add_column(heading, justify="right" if right else "left", no_wrap=heading != "Anledning")
    for row in closes.to_dict("records"):
        table.add_row(row["period"], str(row["version"]), local_time(row["closed_at"]), plain(row["closed_by"] or ""),
                      str(row["files"]), amount(row["result"], unit), row["tool_version"], plain(row["reason"] or ""))
    return table


def history_changes(change, unit: str) -> list[str]:
    """What changed in a version against the one before: files, then the region's rows."""
    lines = [f"Version {change.version} jämfört med version {change.version - 1}:"]
    lines.append("  Filer: " + ("; ".join(plain(f) for f in change.files) if change.files else "inga ändrade"))
    if not change.rows:
        lines.append("  Regionens siffror: oförändrade")
    for row, measure, before, after in change.rows:
        difference = after - before if before is not None and after is not None else None
        lines.append(f"  {plain(row)}, {MEASURE_NAMES[measure]}: {amount(before, unit) or '–'} → "
                     f"{amount(after, unit) or '–'} ({_signed(difference, unit)} {unit})")
    return lines


def _signed(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    text = amount(value, unit)
    return text if text.startswith("-") else f"+{text}"
