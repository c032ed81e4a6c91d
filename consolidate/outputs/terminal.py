"""Variance tables in the terminal (rich). Renders a `Result`; computes nothing new.

Every table fits the console's width (SPEC §17): no amount is ever cut; names are
shortened first, then whole columns are left out, least important first
(`vocabulary.COLUMN_PRIORITY`), and a line under the table says which."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.table import Table
from rich.text import Text

from consolidate.core.adjustments import own_bottom_line
from consolidate.core.internal import list_files
from consolidate.core.period import Result
from consolidate.core.rollup import entity_results
from consolidate.core.staffing import SHOWN_BREAKDOWNS
from consolidate.core.staffing import blocked_units as staffing_blocked
from consolidate.core.staffing import breakdown_notes as staffing_notes
from consolidate.formatting import PARTIAL, amount, listed_measures, local_time, month_heading, percent, swedish
from consolidate.formatting import partial_notes as shared_partial_notes
from consolidate.sanitize import plain
from consolidate.vocabulary import (
    AMOUNT_UNITS,
    BREAKDOWN_LABELS,
    CHANGE_KEYS,
    COLUMN_PRIORITY,
    MEASURE_NAMES,
    MEASURES,
    MORE_HEADINGS,
    REPORT_COLUMNS,
    STAFF_AGE_ROW,
    STAFF_CHANGE_HEADINGS,
    STAFF_HOURS_ROWS,
    STAFF_SICK_ROWS,
    VARIANCE_KEYS,
    VARIANCES,
    column_keys,
)
from consolidate.vocabulary import report_columns as vocabulary_columns

INCOME_COLUMNS = list(REPORT_COLUMNS)
NO_TERMINAL_WIDTH = 200  # cron, a pipe, a file: unless COLUMNS says otherwise
NAME_WIDTH = 20  # names are shortened to this many characters before a column is left out,
NAME_FLOOR = 8  # and to this before a table is wider than the window
TEXT_WIDTH, TEXT_WIDTH_MAX = 16, 30  # a text that wraps (a list of files): its longest word, within these
GLUED = frozenset({"%", "år", "tim"})  # a heading never wraps before these words
WHOLE = frozenset({"figure", "code"})  # kinds of column never cut: only the heading wraps

# The measures each column is worked out from: a column of a partial measure is partial.
BASES: dict[str, tuple[str, ...]] = {
    **{m: (m,) for m in MEASURES},
    **VARIANCES,
    "change_actual": ("actual",),
    "change_var_budget": VARIANCES["var_budget"],
    "result_pct_revenue": ("actual",),
}
HOW_TO_SEE = "Visa med --columns, ett bredare fönster eller --json."
HOW_TO_SEE_WIDER = "Visa med ett bredare fönster eller --json."
NO_CHANGE = "Förändring sedan förra stängda månaden visas inte: ingen tidigare månad av året är stängd."


def report_columns(result: Result) -> list[tuple[str, str]]:
    """The report's columns; with a closed earlier month of the year, also the change
    of Utfall and of Avvikelse since then ("Förändring sedan 2026-03")."""
    return vocabulary_columns(None if result.previous is None else result.previous[0])


def make_console(stream=None, force_terminal: bool | None = None) -> Console:
    """A console that never asks anything; as wide as COLUMNS, or 200, when it writes
    to a file or a pipe.

    Markup and emoji codes are off: names and messages come from input files and
    configuration, and "[red]" or ":x:" in them must show as written."""
    quiet: dict[str, Any] = {"highlight": False, "markup": False, "emoji": False}
    console = Console(file=stream, force_terminal=force_terminal, soft_wrap=False, **quiet)
    if not console.is_terminal:
        console = Console(file=stream, width=_no_terminal_width(), color_system=None, **quiet)
    return console


def _no_terminal_width() -> int:
    columns = os.environ.get("COLUMNS", "").strip()
    return int(columns) if columns.isdigit() and int(columns) > 0 else NO_TERMINAL_WIDTH


def money_cell(value: float, unit: str, key: str, bold: bool = False) -> Text:
    if pd.isna(value):
        return Text("–")
    text = Text(amount(value, unit), style="bold" if bold else "")
    if key in VARIANCE_KEYS and round(value / AMOUNT_UNITS[unit], 1) < 0:
        text.stylize("red")
    return text


# --- fitting a table to the window ---------------------------------------------------

@dataclass
class Column:
    """A column with its cells already formatted, and how it gives way to a narrow
    window: a "figure" never (only its heading wraps), nor a "code" (a figure's width,
    left-aligned: codes, states, times), a "name" is shortened with "…", a "text" wraps."""

    key: str
    heading: str
    cells: list[Text]
    kind: str = "figure"
    mark: str = ""  # "*": the column's total is partial
    marks: list[str] | None = None  # a name's: " *" after the cell's name, kept when the name is shortened
    least: int | None = None  # a text's least width, if not its longest word's (within TEXT_WIDTH..TEXT_WIDTH_MAX)

    @property
    def title(self) -> str:
        return f"{self.heading}{self.mark}"

    def widths(self) -> tuple[int, int]:
        """The least and the natural width of the column's content."""
        if self.marks is None:
            cells = max((cell.cell_len for cell in self.cells), default=0)
        else:
            cells = max((cell.cell_len + cell_len(mark) for cell, mark in zip(self.cells, self.marks)), default=0)
        natural = max(cells, cell_len(self.title))
        if self.kind in WHOLE:
            return max(cells, *(cell_len(word) for word in heading_words(self.title)), 1), natural
        if self.kind == "name":
            return min(natural, NAME_WIDTH), natural
        if self.least is not None:
            return min(natural, self.least), natural
        words = max((cell_len(word) for cell in self.cells for word in cell.plain.split()), default=0)
        return min(natural, max(TEXT_WIDTH, min(words, TEXT_WIDTH_MAX))), natural

    def heading_at(self, width: int) -> str:
        """The heading, wrapped onto lines of at most `width` (a figure's)."""
        return "\n".join(heading_lines(self.title, width)) if self.kind in WHOLE else self.title


def heading_words(heading: str) -> list[str]:
    """The words a heading may wrap between: "Avv. fg år" -> "Avv.", "fg år"."""
    words: list[str] = []
    for word in heading.split():
        if words and (word in GLUED or words[-1] == "fg"):
            words[-1] = f"{words[-1]} {word}"
        else:
            words.append(word)
    return words


def heading_lines(heading: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in heading_words(heading):
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


@dataclass
class Fitted:
    """The columns a table shows at a width, the width of each, what was left out."""

    columns: list[Column]
    widths: list[int]
    left_out: list[Column]
    window: int

    @property
    def width(self) -> int:
        """The table's width with its borders and padding: 3 a column, and 1."""
        return sum(self.widths) + 3 * len(self.widths) + 1

    @property
    def too_wide(self) -> bool:
        return self.width > self.window


def fit(columns: list[Column], window: int, leave_out: Sequence[str] = ()) -> Fitted:
    """Fit `columns` into `window` characters: figures keep their full width; names
    are shortened to NAME_WIDTH; then the columns of `leave_out` (least important first)
    are left out one by one until the rest fit; then names are shortened to NAME_FLOOR.
    Room to spare goes to the names, then to the figures' headings, then to texts."""
    measured = [column.widths() for column in columns]
    least = [m[0] for m in measured]
    natural = [m[1] for m in measured]
    shown = list(range(len(columns)))
    position = {column.key: i for i, column in enumerate(columns)}

    def spare() -> int:
        return window - (sum(widths[i] for i in shown) + 3 * len(shown) + 1)

    widths = dict(enumerate(least))
    for key in leave_out:
        if spare() >= 0:
            break
        if position.get(key) in shown:
            shown.remove(position[key])
    names = [i for i in shown if columns[i].kind == "name"]
    room = spare()
    if room < 0 and room + sum(widths[i] - min(natural[i], NAME_FLOOR) for i in names) >= 0:
        while room < 0:  # still too wide: shorter names, the longest first
            longest = max(names, key=lambda i: widths[i] - min(natural[i], NAME_FLOOR))
            widths[longest] -= 1
            room += 1
    figures = [i for i in shown if columns[i].kind in WHOLE]
    room = _unwrap(figures, columns, widths, room, lowest=2)  # headings on two lines at most,
    room = _grow([i for i in shown if columns[i].kind == "name"], widths, natural, room)  # whole names,
    room = _unwrap(figures, columns, widths, room, lowest=1)  # headings on one line
    _grow([i for i in shown if columns[i].kind == "text"], widths, natural, room)
    left_out = [columns[i] for i in range(len(columns)) if i not in shown]
    return Fitted([columns[i] for i in shown], [widths[i] for i in shown], left_out, window)


def _grow(growing: list[int], widths: dict[int, int], natural: list[int], room: int) -> int:
    """Share `room` among the columns `growing`, each up to its natural width."""
    while room > 0 and (growing := [i for i in growing if widths[i] < natural[i]]):
        for i in growing[:room]:
            widths[i] += 1
            room -= 1
    return room


def _unwrap(figures: list[int], columns: list[Column], widths: dict[int, int], room: int, lowest: int) -> int:
    """Widen the figures' columns so that their headings take as few lines as `room`
    allows, but not fewer than `lowest`."""
    for height in range(lowest, 1 + max((len(heading_words(columns[i].title)) for i in figures), default=0)):
        wanted = {i: _width_of(columns[i].title, widths[i], height) for i in figures}
        more = sum(wanted[i] - widths[i] for i in figures)
        if more <= room:
            widths.update(wanted)
            return room - more
    return room


def _width_of(heading: str, least: int, height: int) -> int:
    """The least width, from `least`, that holds `heading` on `height` lines."""
    width = least
    while len(heading_lines(heading, width)) > height:
        width += 1
    return width


def fitted_table(fitted: Fitted, sections: Sequence[bool] = ()) -> Table:
    """The rich table of `fitted`; `sections[r]`: a line under row r."""
    table = Table(header_style="bold")
    for column, width in zip(fitted.columns, fitted.widths):
        if column.kind in WHOLE:  # always wide enough: only the heading wraps
            justify: Literal["left", "right"] = "right" if column.kind == "figure" else "left"
            table.add_column(column.heading_at(width), justify=justify, width=width, no_wrap=True)
        elif column.kind == "name":
            table.add_column(column.title, width=width, no_wrap=True, overflow="ellipsis")
        else:
            table.add_column(column.title, width=width, overflow="fold")
    if fitted.too_wide:  # drawn whole, wider than the window
        table.width = fitted.width
    cells = [column.cells if column.marks is None else _marked(column, width)
             for column, width in zip(fitted.columns, fitted.widths)]
    for r in range(len(cells[0]) if cells else 0):
        table.add_row(*(column[r] for column in cells), end_section=r < len(sections) and sections[r])
    return table


def _marked(column: Column, width: int) -> list[Text]:
    """A name column's cells with their marks, the names shortened to leave room for them."""
    cells = []
    for cell, mark in zip(column.cells, column.marks or ()):
        if mark:
            cell = cell.copy()
            if cell.cell_len + cell_len(mark) > width:
                cell.truncate(max(width - cell_len(mark), 1), overflow="ellipsis")
            cell.append(mark)
        cells.append(cell)
    return cells


@dataclass
class Shown:
    """A table, its title (above it, as wide as the window) and the lines under it."""

    title: str
    table: Table
    too_wide: bool = False
    notes: list[str] = field(default_factory=list)

    def print(self, console: Console) -> None:
        console.print(Text(self.title, style="italic"))
        console.print(self.table, crop=not self.too_wide)
        for note in self.notes:
            console.print(Text(note))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[RenderableType]:
        """The same, as a part of what is printed (a `Group`)."""
        if self.title:
            yield Text(self.title, style="italic")
        yield self.table
        for note in self.notes:
            yield Text(note)


@dataclass
class AtWidth:
    """What `build(width)` gives, built when it is printed, at the width it is printed
    at: for a renderer that is not told the window's width (a `Group` of parts)."""

    build: Callable[[int], RenderableType]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[RenderableType]:
        yield self.build(options.max_width)


def fitting_notes(fitted: Fitted, how_to_see: str, chosen: bool = False) -> list[str]:
    """What was left out and how to see it; or that the table is wider than the window."""
    notes = []
    if fitted.left_out:
        names = ", ".join(column.heading for column in fitted.left_out)
        what = "Utelämnad kolumn" if len(fitted.left_out) == 1 else "Utelämnade kolumner"
        notes.append(f"{what} (för smalt fönster): {names}. {how_to_see}")
    if fitted.too_wide:
        fewer = "Välj färre kolumner med --columns eller ett bredare fönster." if chosen else how_to_see
        notes.append(f"Tabellen är {fitted.width} tecken bred men fönstret bara {fitted.window}. {fewer}")
    return notes


# --- partial totals ------------------------------------------------------------------

def partial_measures(result: Result, entity: str) -> dict[str, tuple[int, int]]:
    """{measure: (units lacking it, units reporting)} for the measures only some of the
    entity's reporting units delivered."""
    lacking = getattr(result, "lacking", None)
    if not callable(lacking):
        return {}
    return dict(lacking(entity) or {})


def mark_partial(columns: list[Column], partial: dict[str, tuple[int, int]] | set[str]) -> None:
    for column in columns:
        if any(m in partial for m in BASES.get(column.key, ())):
            column.mark = "*"


def _behind(fitted: Fitted, partial: dict[str, tuple[int, int]] | set[str]) -> list[str]:
    """The partial measures behind the columns shown, in the order of MEASURES."""
    behind = {m for column in fitted.columns for m in BASES.get(column.key, ())}
    return [m for m in MEASURES if m in partial and m in behind]


def partial_notes(fitted: Fitted, partial: dict[str, tuple[int, int]]) -> list[str]:
    """"* Prognos saknas för 3 av 12 enheter; summan är ofullständig." for each partial
    measure behind a column shown."""
    return shared_partial_notes(partial, _behind(fitted, partial))


def rows_note(fitted: Fitted, partial: set[str]) -> list[str]:
    """Under a table of entities whose totals are partial (their names marked " *"):
    "* Prognos saknas för en del av enheterna under raden; summan är ofullständig."."""
    behind = _behind(fitted, partial)
    if not behind:
        return []
    return [f"{PARTIAL} {listed_measures(behind)} saknas för en del av enheterna under raden; summan är ofullständig."]


# --- the tables --------------------------------------------------------------------------

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
        self.staffing_totals = None if staffing is None else staffing[staffing["by"].isna()].set_index("entity")


def _choose(available: list[tuple[str, str]], chosen: tuple[str, ...] | None) -> tuple[list[tuple[str, str]], list]:
    """The columns to try, and the keys that may be left out (least important first):
    the user's choice in its order, none left out; or all, by COLUMN_PRIORITY."""
    if chosen is not None:
        headings = dict(available)
        return [(key, headings[key]) for key in chosen if key in headings], []
    return available, list(reversed(COLUMN_PRIORITY["income"][1]))


def income_table(result: Result, entity: str, report: str, unit: str, figures: Figures | None = None,
                 window: int = NO_TERMINAL_WIDTH, chosen: tuple[str, ...] | None = None) -> Shown:
    config = result.config
    figures = figures or Figures(result, report)
    name = plain(config.tree.entities[entity].name)
    title = f"{name} ({plain(entity)}) – {plain(report)}, ack. {result.period}, {unit}"
    records = figures.rows.iloc[figures.of_entity.get(entity, [])].to_dict("records")
    totals = [bool(record["total"]) for record in records]
    keys, leave_out = _choose(report_columns(result), chosen)
    columns = [Column("row", "", [Text(plain(r["row"]), style="bold" if t else "") for r, t in zip(records, totals)],
                      kind="name")]
    for key, heading in keys:
        columns.append(Column(key, heading, [money_cell(r[key], unit, key, bold=t) for r, t in zip(records, totals)]))
    partial = partial_measures(result, entity)
    mark_partial(columns, partial)
    fitted = fit(columns, window, leave_out)
    sections = [i + 1 < len(totals) and totals[i + 1] for i in range(len(totals))]
    notes = [*fitting_notes(fitted, HOW_TO_SEE, chosen is not None), *partial_notes(fitted, partial)]
    return Shown(title, fitted_table(fitted, sections), fitted.too_wide, notes)


def entity_table(result: Result, parent: str, report: str, unit: str, figures: Figures | None = None,
                 window: int = NO_TERMINAL_WIDTH, chosen: tuple[str, ...] | None = None,
                 comments: dict[str, str] | None = None) -> Shown | None:
    """Driftredovisning: one line per child entity with the report's bottom row; a line
    `Övergripande justeringar` with what the adjustments booked at the entity itself add
    (SPEC §14: then the sum is the children's plus it); with `comments` (entity -> its
    comment), a last column Kommentar."""
    tree = result.config.tree
    children = tree.children[parent]
    if not children:
        return None
    codes = [*children, parent]
    frame = (figures or Figures(result, report)).results.reindex(codes)
    own = own_bottom_line(getattr(result, "adjustments", None), parent, result.config.chart, report)
    lines = len(children) + bool(own)  # the lines above the sum
    bold = [False] * lines + [True]
    labels = [Text(f"{plain(code)} {plain(tree.entities[code].name)}") for code in children]
    if own:
        labels.append(Text(OWN_ADJUSTMENTS, style="italic"))
    partials = [partial_measures(result, code) for code in children]
    partials += [{}] * bool(own) + [partial_measures(result, parent)]
    marks = [" *" if partial else "" for partial in partials]
    columns = [Column("entity", "Enhet", [*labels, Text("Summa", style="bold")], kind="name", marks=marks)]
    available = [*INCOME_COLUMNS, ("result_pct_revenue", MORE_HEADINGS["result_pct_revenue"])]
    keys, leave_out = _choose(available, chosen)
    for key, heading in keys:
        values = frame[key].tolist()
        if own:
            values.insert(len(children), own.get(key, float("nan")))
        if key == "result_pct_revenue":
            cells = [Text(percent(None if pd.isna(v) else v), style="bold" if b else "") for v, b in zip(values, bold)]
        else:
            cells = [money_cell(v, unit, key, bold=b) for v, b in zip(values, bold)]
        columns.append(Column(key, heading, cells))
    if comments is not None:  # asked for: left out only when nothing else is left to leave out
        said = [comments.get(code, "") for code in children]
        if own and (booked := result.adjustments) is not None:
            said.append("; ".join(booked[booked["entity"] == parent]["text"].tolist()))
        said.append(comments.get(parent, ""))
        columns.append(Column("comment", COMMENT_HEADING, [Text(plain(text)) for text in said], kind="text",
                              least=COMMENT_WIDTH if window >= COMMENT_WINDOW else None))
        leave_out = [*leave_out, "comment"]
    partial = {m for measures in partials for m in measures}
    mark_partial(columns, partial)
    fitted = fit(columns, window, leave_out)
    title = f"Driftredovisning {plain(tree.entities[parent].name)}, ack. {result.period}, {unit}"
    sections = [False] * (lines + 1)
    sections[lines - 1] = True
    notes = [*fitting_notes(fitted, HOW_TO_SEE, chosen is not None), *rows_note(fitted, partial)]
    return Shown(title, fitted_table(fitted, sections), fitted.too_wide, notes)


def shown_entities(result: Result, entity: str | None) -> list[str]:
    """The region and each administration by default; with --entity, that entity's
    subtree: the entity and every level below it that has entities of its own (units
    show as lines of their parent's driftredovisning)."""
    tree = result.config.tree
    if entity is not None:
        return [code for code in tree.subtree(entity) if code == entity or tree.children[code]]
    return [tree.root, *tree.administrations()]


def print_income(console: Console, result: Result, entity: str | None, report: str, unit: str,
                 columns: tuple[str, ...] | None = None, comments: bool = False) -> None:
    """The tables of every entity shown, each fitted to the console's width. `columns`:
    the columns the user chose (`--columns`: short names or headings, see
    `vocabulary.column_keys`), shown in that order; an unknown name raises ValueError.
    Under each entity's report, the adjustments in it (SPEC §14) that no entity shown
    below it holds; with `comments` (`--comments`), the units' comments in the
    driftredovisning."""
    chosen = None if columns is None else column_keys(columns)
    window = console.width
    if chosen is not None and result.previous is None and any(key in CHANGE_KEYS for key in chosen):
        console.print(Text(NO_CHANGE))
    figures = Figures(result, report)
    shown = shown_entities(result, entity)
    adjusted = adjustments_of(result, shown)
    said = result.unit_comments() if comments else None
    for code in shown:
        income_table(result, code, report, unit, figures, window, chosen).print(console)
        if code in adjusted:
            adjustment_table(result, code, adjusted[code], unit, window).print(console)
        below = entity_table(result, code, report, unit, figures, window, chosen, said)
        if below is not None:
            below.print(console)
        for staff in staffing_tables(result, code, figures, window):
            staff.print(console)
        console.print()
    mismatch = mismatch_table(result, unit, window)
    if mismatch is not None:
        mismatch.print(console)


# --- adjustments (SPEC §14) ---------------------------------------------------------------

COMMENT_HEADING = "Kommentar"
COMMENT_WIDTH = 40  # a comment is read: figures of less importance give way to it before it wraps narrower,
COMMENT_WINDOW = 120  # in a window at least this wide (a narrower one keeps the figures and wraps the comments)
OWN_ADJUSTMENTS = "Övergripande justeringar"  # the driftredovisning's line for an entity's own adjustments
# The adjustments table's columns left out of a narrow window, least needed first: the
# entity, line, Utfall and the text always show.
ADJUSTMENT_LEAVE_OUT = ("signature", "prior_full_year", "annual_budget", "prior", "forecast", "budget")


def adjustments_of(result: Result, shown: list[str]) -> dict[str, list[dict]]:
    """The adjustments under each entity shown: those at it, or below it at an entity
    not shown itself (so each adjustment is shown once, under the lowest entity shown
    that holds it); adjustments outside what is shown are left out."""
    frame = getattr(result, "adjustments", None)
    if frame is None or frame.empty:
        return {}
    chains = result.config.tree.chains
    wanted = set(shown)
    found: dict[str, list[dict]] = {}
    for record in frame.to_dict("records"):
        owner = next((code for code in chains.get(record["entity"], ()) if code in wanted), None)
        if owner is not None:
            found.setdefault(owner, []).append(record)
    return found


def adjustment_table(result: Result, entity: str, records: list[dict], unit: str,
                     window: int = NO_TERMINAL_WIDTH) -> Shown:
    """The adjustments in an entity's figures: where each is booked (entity and line),
    the measures it adjusts, its text and signature."""
    tree = result.config.tree
    line_names = result.config.chart.line_names
    columns = [
        Column("entity", "Enhet", [Text(f"{plain(r['entity'])} {plain(tree.entities[r['entity']].name)}")
                                  for r in records], kind="name"),
        Column("line", "Rad", [Text(plain(line_names.get(r["line"], r["line"]))) for r in records], kind="name"),
    ]
    for measure in MEASURES:
        if any(not pd.isna(r[measure]) for r in records):
            columns.append(Column(measure, MEASURE_NAMES[measure], [money_cell(r[measure], unit, measure)
                                                                     for r in records]))
    columns.append(Column("text", "Text", [Text(plain(r["text"])) for r in records], kind="text"))
    if any(r["signature"] for r in records):
        columns.append(Column("signature", "Signatur", [Text(plain(r["signature"] or "")) for r in records],
                              kind="name"))
    fitted = fit(columns, window, ADJUSTMENT_LEAVE_OUT)
    name = plain(tree.entities[entity].name)
    title = f"Justeringar som ingår i {name} ({plain(entity)}), ack. {result.period}, {unit}"
    return Shown(title, fitted_table(fitted), fitted.too_wide, fitting_notes(fitted, HOW_TO_SEE_WIDER))


def print_problems(console: Console, problems: list) -> None:
    """One line per problem, never wrapped, so each can be grepped and sent on."""
    for problem in problems:
        console.print(Text(plain(problem.line()), style="red" if problem.is_error else "yellow"), soft_wrap=True)


def mismatch_table(result: Result, unit: str, window: int = NO_TERMINAL_WIDTH) -> Shown | None:
    """Internal trade whose two sides disagree, with both sides and their files."""
    frame = result.mismatches
    if frame is None or frame.empty:
        return None
    tree = result.config.tree
    records = frame.to_dict("records")

    def entity(code: str) -> Text:
        return Text(f"{plain(code)} {plain(tree.entities[code].name)}")

    def files(paths: list) -> Text:
        return Text(plain(list_files([Path(f).name for f in paths])))

    columns = [
        Column("party", "Part", [entity(r["party"]) for r in records], kind="name"),
        Column("counterparty", "Motpart", [entity(r["counterparty"]) for r in records], kind="name"),
        Column("measure", "Mått", [Text(MEASURE_NAMES[r["measure"]]) for r in records], kind="name"),
        Column("party_amount", "Part mot motpart", [Text(amount(r["party_amount"], unit)) for r in records]),
        Column("counterparty_amount", "Motpart mot part",
               [Text(amount(r["counterparty_amount"], unit)) for r in records]),
        Column("difference", "Skillnad", [Text(amount(r["difference"], unit), style="red") for r in records]),
        Column("party_files", "Filer part", [files(r["party_files"]) for r in records], kind="text"),
        Column("counterparty_files", "Filer motpart", [files(r["counterparty_files"]) for r in records], kind="text"),
    ]
    fitted = fit(columns, window, list(reversed(COLUMN_PRIORITY["mismatches"][1])))
    title = f"Internhandel som inte stämmer, {unit}"
    return Shown(title, fitted_table(fitted), fitted.too_wide, fitting_notes(fitted, HOW_TO_SEE_WIDER))


# --- staffing (SPEC §2, §16) ---------------------------------------------------------------
# Three small tables per entity, figures as rows and the two years as columns, as the
# seeds print them: hours by kind and årsarbetare (with Förändring and Förändring %),
# årsarbetare per entity right under it, and sick leave by length of spell, Kön and
# Åldersgrupp. Each is narrow enough for 80 columns with nothing left out.

STAFF_DECIMALS = {"fte": 1, "headcount": 0}  # hours: 0; sick leave: 1
CHANGE_PCT_DECIMALS = 2  # "−2,48 %", as the seeds give a change in per cent


def _figure(value: Any, decimals: int) -> Text:
    return Text("–" if value is None or pd.isna(value) else swedish(value, decimals))


def _prior_period(period: str) -> str:
    """"2026-04" -> "2025-04": the same months last year."""
    return f"{int(period[:4]) - 1}{period[4:]}"


def _year_columns(result: Result) -> tuple[str, str]:
    """The two years' headings, as the regions' reports and the workbook head them: `apr-25`, `apr-26`."""
    return month_heading(result.period, 1), month_heading(result.period)


def _change(current: Any, prior: Any) -> tuple[float | None, float | None]:
    """This year less last year, and that in % of last year (None where unknown or 0)."""
    if current is None or prior is None or pd.isna(current) or pd.isna(prior):
        return None, None
    change = float(current) - float(prior)
    return change, (100 * change / float(prior) if prior else None)


def staffing_tables(result: Result, entity: str, figures: Figures | None = None,
                    window: int = NO_TERMINAL_WIDTH) -> list[Shown]:
    """The Personal tables of an entity: arbetad tid and årsarbetare; årsarbetare per
    entity under it; sjukfrånvaro, with the reason under it when a breakdown is missing."""
    if result.staffing is None:
        return []
    figures = figures or Figures(result, result.config.chart.reports[0].name)
    if figures.staffing is None or entity not in figures.staffing_of:
        return []
    records = figures.staffing.iloc[figures.staffing_of[entity]].to_dict("records")
    of = {(record["by"], record["key"]): record for record in records}
    if (None, None) not in of:
        return []
    name = plain(result.config.tree.entities[entity].name)
    shown = [hours_table(result, of[(None, None)], name, window)]
    below = fte_table(result, entity, figures, window)
    if below is not None:
        shown.append(below)
    shown.append(sick_table(result, entity, of, name, window))
    return shown


def _fitted(title: str, columns: list[Column], window: int, sections: Sequence[bool] = (),
            notes: Sequence[str] = ()) -> Shown:
    fitted = fit(columns, window, list(reversed(COLUMN_PRIORITY["staffing"][1])))
    return Shown(title, fitted_table(fitted, sections), fitted.too_wide,
                 [*fitting_notes(fitted, HOW_TO_SEE_WIDER), *notes])


def _with_change(labels: list[Text], pairs: list[tuple[Any, Any, int]], result: Result, heading: str = "",
                 kind: str = "text") -> list[Column]:
    """A label column, then last year ("2025-04"), this year ("2026-04"), Förändring and
    Förändring % of (current, prior, decimals) pairs."""
    prior_heading, current_heading = _year_columns(result)
    changes = [_change(current, prior) for current, prior, _ in pairs]
    return [
        Column("label", heading, labels, kind=kind),
        Column("prior", prior_heading, [_figure(prior, d) for _, prior, d in pairs]),
        Column("current", current_heading, [_figure(current, d) for current, _, d in pairs]),
        Column("change", STAFF_CHANGE_HEADINGS["change"],
               [_figure(change, d) for (change, _), (_, _, d) in zip(changes, pairs)]),
        Column("change_pct", STAFF_CHANGE_HEADINGS["change_pct"],
               [_figure(pct, CHANGE_PCT_DECIMALS) for _, pct in changes]),
    ]


def hours_table(result: Result, total: dict, name: str, window: int = NO_TERMINAL_WIDTH) -> Shown:
    """"Arbetad tid exkl jour/beredskap 128 543 → 125 354, −3 189, −2,48 %": hours by kind,
    årsarbetare and employees, last year, this year and the change."""
    labels = [Text(label, style="bold" if key == "fte" else "") for key, label in STAFF_HOURS_ROWS]
    pairs = [(total[key], total[f"{key}_prior"], STAFF_DECIMALS.get(key, 0)) for key, _ in STAFF_HOURS_ROWS]
    columns = _with_change(labels, pairs, result)
    return _fitted(f"Personal {name} – arbetad tid (timmar) och årsarbetare, ack. {result.period}", columns, window)


def fte_table(result: Result, entity: str, figures: Figures, window: int = NO_TERMINAL_WIDTH) -> Shown | None:
    """"OÅA per avdelning apr-25 apr-26 Förändring": årsarbetare of each entity right
    under `entity`, and Totalt."""
    tree = result.config.tree
    children = tree.children[entity]
    totals = figures.staffing_totals
    if not children or totals is None:
        return None
    codes = [*children, entity]
    labels = [Text(f"{plain(code)} {plain(tree.entities[code].name)}") for code in children]
    labels.append(Text("Totalt", style="bold"))
    pairs = []
    for code in codes:
        known = code in totals.index
        pairs.append((totals.at[code, "fte"] if known else None, totals.at[code, "fte_prior"] if known else None, 1))
    per = "förvaltning" if entity == tree.root else "enhet"
    columns = _with_change(labels, pairs, result, heading=per.capitalize(), kind="name")
    sections = [False] * len(codes)
    sections[len(children) - 1] = True
    name = plain(tree.entities[entity].name)
    return _fitted(f"Personal {name} – årsarbetare per {per}, ack. {result.period}", columns, window, sections)


def sick_table(result: Result, entity: str, of: dict, name: str, window: int = NO_TERMINAL_WIDTH) -> Shown:
    """Sjukfrånvaro in % of scheduled hours: total, by length of spell, the long-term
    share; by Kön and Åldersgrupp where the rows allow, else "–" and why under it."""
    total = of[(None, None)]
    rows: list[tuple[Text, dict | None, str]] = [
        (Text(label, style="bold" if key == "sick_pct" else ""), total, key) for key, label in STAFF_SICK_ROWS]
    sections = [False] * len(rows)
    blocked = blocked_units(result, entity)
    present = {by for by, _ in of if by is not None}
    for by in SHOWN_BREAKDOWNS:
        if by not in present and by not in blocked:
            continue  # no unit gives it: nothing to show, nothing to explain
        sections[-1] = True
        keys = [*BREAKDOWN_LABELS[by], *sorted(k for b, k in of if b == by and k not in BREAKDOWN_LABELS[by])]
        for key in keys:
            label = BREAKDOWN_LABELS[by].get(key, plain(str(key)))
            if by == "age_band":
                label = STAFF_AGE_ROW.format(band=label)
            rows.append((Text(label), of.get((by, key)), "sick_pct"))
            sections.append(False)
    columns = [Column("label", "% av ordinarie arbetstid", [label for label, _, _ in rows], kind="text")]
    prior_heading, current_heading = _year_columns(result)
    for column, heading, suffix in (("prior", prior_heading, "_prior"), ("current", current_heading, "")):
        cells = [_figure(None if record is None else record[f"{key}{suffix}"], 1) for _, record, key in rows]
        columns.append(Column(column, heading, cells))
    notes = breakdown_notes(result, entity, blocked)
    return _fitted(f"Personal {name} – sjukfrånvaro, ack. {result.period}", columns, window, sections, notes)


def blocked_units(result: Result, entity: str) -> dict[str, list[str]]:
    return staffing_blocked(result.problems, result.config.tree, entity)


def breakdown_notes(result: Result, entity: str, blocked: dict[str, list[str]]) -> list[str]:
    return staffing_notes(result.config.tree, entity, blocked)


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
