"""What income and staffing sheets share (SPEC §1–2, §9): the header row found by its
labels (one row, or two where a measure's label stands over `Period | Ack`), the title
block above it (unit, period, amount unit), and control totals."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from consolidate.formatting import swedish
from consolidate.problems import Problem, cell_name
from consolidate.readers.cells import error_value
from consolidate.readers.numbers import is_blank, parse_amount
from consolidate.readers.workbook import CellError, Sheet
from consolidate.vocabulary import INCOME_LABELS, STAFF_BASE_LABELS, STAFF_LABELS

HEADER_SEARCH_ROWS = 30

_SPACE = re.compile(r"\s+")

# --- amount units -------------------------------------------------------------------

# An amount unit as Swedish reports write it, matched as whole words only: kr, tkr and
# mkr, and also kronor, SEK, TSEK/KSEK, kkr, mnkr/MSEK, "tusental kronor", "1 000 kr".
_UNIT = (
    r"(?:hela\s+)?(?:kr|kronor|sek)|tkr|kkr|tsek|ksek|mkr|mnkr|msek"
    r"|(?:tusen(?:tal|tals)?|miljon(?:er|tal|tals)?)(?:\s+(?:kr|kronor|sek))?"
    r"|1\s?000\s?000\s*(?:kr|kronor|sek)|1\s?000(?:-tal)?\s*(?:kr|kronor|sek)"
)
_WHOLE_UNIT = re.compile(r"[\(\[]?\s*(?:(?:belopp\s+)?i\s+)?(" + _UNIT + r")\s*[\)\]]?\.?")


def _unit_name(text: str) -> str:
    """kr, tkr or mkr for a unit as `_UNIT` matches it."""
    word = _SPACE.sub("", text.casefold()).removeprefix("hela")
    if word.startswith(("mkr", "mnkr", "msek", "miljon", "1000000")):
        return "mkr"
    if word.startswith(("tkr", "kkr", "tsek", "ksek", "tusen", "1000")):
        return "tkr"
    return "kr"


# --- header labels ------------------------------------------------------------------

# A unit at the end of a label ("Utfall (tkr)", "Utfall tkr", "Utfall, tkr", "Arbetad
# tid (tim)"): not part of the label; an amount unit is also a statement of the unit.
_LABEL_UNIT = re.compile(
    r"\s*[\(\[]\s*(?:i\s+)?(?:(?P<a>" + _UNIT + r")|tim|timmar|h|st|antal|%)\s*[\)\]]\s*$"
    r"|(?:\s*,\s*|\s+(?:i\s+)?)(?P<b>" + _UNIT + r")\s*$"
)


@lru_cache(maxsize=8192)
def _split_label(text: str) -> tuple[str, str | None]:
    """A label as compared (case folded, spaces collapsed) without a trailing unit, and
    the amount unit that unit states; a cell that is only a unit ("tkr") gives ""."""
    text = _SPACE.sub(" ", text).strip().casefold()
    whole = _WHOLE_UNIT.fullmatch(text)
    if whole:
        return "", _unit_name(whole.group(1))
    match = _LABEL_UNIT.search(text)
    if not match:
        return text, None
    unit = match.group("a") or match.group("b")
    return text[:match.start()].strip(), _unit_name(unit) if unit else None


def label_key(text: object) -> str:
    """A header label as compared: case folded, spaces collapsed, a trailing unit such
    as "(tkr)" removed."""
    return _split_label(text)[0] if isinstance(text, str) else ""


# Words that make a label year to date ("Ack utfall", "Utfall ack.", "Ackumulerat
# utfall", "Utfall YTD", "Utfall t.o.m. april", "Utfall jan–apr") or of one period only
# ("Utfall april", "Utfall perioden", "Utfall månad", "Budget 2026-04", "Utfall mar–apr").
_MONTH = (
    r"(?:jan(?:uari)?|feb(?:ruari)?|mars?|apr(?:il)?|maj|juni?|juli?|aug(?:usti)?|sep(?:t(?:ember)?)?"
    r"|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?:\s*-?\s*(?:20)?[0-9]{2}(?![0-9]))?"
)
_YTD_WORDS = re.compile(
    r"(?<!\w)(?:ack(?:umulerat|umulerad|umulerade|um)?\.?|ytd"
    r"|t\.?\s?o\.?\s?m\.?\s+" + _MONTH + r"|till och med\s+" + _MONTH
    + r"|jan(?:uari)?\.?\s*[-–]\s*" + _MONTH + r")(?!\w)"
)
_PERIOD_WORDS = re.compile(
    r"(?<!\w)(?:(?:denna|innevarande)\s+)?(?:period(?:en|ens)?|månad(?:en|ens)?|mån\.?)(?!\w)"
    r"|(?<!\w)" + _MONTH + r"(?:\s*[-–]\s*" + _MONTH + r")?(?!\w)"
    r"|(?<![0-9])(?:19|20)[0-9]{2}\s*-?\s*(?:0[1-9]|1[0-2])(?![0-9])"
)
_PUNCTUATION = ".,:;/–-()"

# Keys whose figures are year to date, so that a label may be qualified as year to
# date or as one period: the income measures of §0 and the hours of a staffing sheet.
YEAR_TO_DATE = frozenset({"actual", "budget", "prior"} | {
    key for base in STAFF_BASE_LABELS if base != "headcount" for key in (base, f"{base}_prior")
})

# The labels the tool knows itself; any other label of a key comes from [inputs.aliases].
_DEFAULTS = {
    key: {_split_label(label)[0] for label in (*INCOME_LABELS.get(key, ()), *STAFF_LABELS.get(key, ()))}
    for key in (*INCOME_LABELS, *STAFF_LABELS)
}


def _clean(text: str) -> str:
    """What is left of a label when qualifiers are taken out, as compared."""
    words = [word.lstrip(".") for word in text.split()]
    return " ".join(word for word in words if word.strip(_PUNCTUATION)).strip(" ,:;/–-")


def _strip_qualifiers(core: str) -> tuple[str, bool, bool]:
    """A label without its year-to-date and period words, and whether it had each."""
    without = _YTD_WORDS.sub(" ", core)
    bare = _PERIOD_WORDS.sub(" ", without)
    return _clean(bare), without != core, bare != without


# How well a label fits its key, best last: (taken at all, stated in region.toml,
# year to date). A label of one period only is never taken; a label from
# [inputs.aliases] is taken before the tool's own; a year-to-date one before a bare one.
PERIOD, BARE, YTD = 0, 1, 2


class _Match:
    """The key a label stands for; `rank` says how well, best highest: (taken at all,
    stated in region.toml, year to date)."""

    __slots__ = ("alias", "key", "level", "rank")

    def __init__(self, key: str, alias: bool, level: int) -> None:
        self.key, self.alias, self.level = key, alias, level  # level: PERIOD, BARE or YTD
        self.rank = (level > PERIOD, alias, level)


def _match(core: str, lookup: dict[str, tuple[str, bool]]) -> _Match | None:
    """The key a compared label stands for, and how well, or None."""
    hit = lookup.get(core)
    if hit is not None:
        return _Match(hit[0], hit[1], YTD if _YTD_WORDS.search(core) else BARE)
    if not core:
        return None
    bare, ytd, period = _strip_qualifiers(core)
    if not (ytd or period) or (hit := lookup.get(bare)) is None:
        return None
    key, alias = hit
    if key in YEAR_TO_DATE:
        return _Match(key, alias, YTD if ytd else PERIOD)
    # a whole-year or descriptive key: "Ack" says nothing more; a month is something else
    return _Match(key, alias, BARE) if ytd and not period else None


_INFO: dict[str, tuple[str, str | None, str]] = {}  # cell text -> (compared label, amount unit, kind)


def _info(text: str) -> tuple[str, str | None, str]:
    """A header cell's text as compared (`_split_label`), and its kind: "unit" for a
    cell that is only an amount unit ("tkr"), "qualifier" for one that only qualifies
    a label ("Ack", "April", "Perioden", "Ack (tkr)"), else ""."""
    found = _INFO.get(text)
    if found is None:
        core, unit = _split_label(text)
        if not core:
            kind = "unit" if unit else ""
        else:
            bare, ytd, period = _strip_qualifiers(core)
            kind = "qualifier" if not bare and (ytd or period) and ":" not in core else ""
        found = (core, unit, kind)
        if len(_INFO) < 20_000:
            _INFO[text] = found
    return found


def _kind(text: str) -> str:
    return _info(text)[2]


class _Row(NamedTuple):
    """What the header search sees in a row."""

    text: bool  # the row holds text
    matches: list[tuple[int, str, _Match, str | None]]  # its cells that stand for a key: column, text, match, unit
    keys: set[str]  # the keys they stand for
    kinds: bool  # a cell is a qualifier or a unit on its own
    qualifiers: bool  # a cell is a qualifier on its own


@dataclass
class _Labels:
    """What the header search knows of one set of labels (income or staffing): the
    lookup of compared label -> (key, whether it comes from [inputs.aliases]), and
    what it has worked out before: matches, rows' text cells, whole headers."""

    aliases: dict[str, tuple[str, ...]]
    lookup: dict[str, tuple[str, bool]]
    matches: dict[str, _Match | None] = field(default_factory=dict)
    rows: dict[tuple, _Row] = field(default_factory=dict)
    headers: dict[tuple, Header] = field(default_factory=dict)


_LABELS: dict[int, _Labels] = {}  # by id of the labels asked for (a run asks for two, the same for every file)


def _lookup(aliases: dict[str, tuple[str, ...]]) -> _Labels:
    known = _LABELS.get(id(aliases))
    if known is None or known.aliases is not aliases:
        lookup: dict[str, tuple[str, bool]] = {}
        for key, names in aliases.items():
            for name in names:
                core = _split_label(name)[0]
                alias = core not in _DEFAULTS.get(key, ())
                if core and (alias or core not in lookup):
                    lookup[core] = (key, alias)
        if len(_LABELS) >= 8:
            _LABELS.clear()
        known = _LABELS[id(aliases)] = _Labels(aliases, lookup)
    return known


@dataclass
class _Label:
    """A header cell (or two, over each other) that stands for a key."""

    column: int
    match: _Match
    cell: tuple[int, int]  # the cell that names the column in messages
    label: str  # its text ("Utfall / Ack" for two cells)
    units: list[tuple[str, tuple[int, int]]]  # amount units its cells state, with the cells

    @property
    def text(self) -> str:
        """The label as messages show it."""
        return _shown(self.label)


@dataclass
class Header:
    row: int  # the header's last row; data rows follow it
    columns: dict[str, int]  # key -> column index
    units: set[str]  # amount units stated in the labels of the columns read
    first_row: int = -1  # the header's first row (row - 1 for a header of two rows); the title block is above
    unit_cells: list[tuple[str, tuple[int, int]]] = field(default_factory=list)  # each unit and where
    problems: list[Problem] = field(default_factory=list)  # ties, period-only columns, error values
    found: set[str] = field(default_factory=set)  # keys some column stands for, taken or not

    def __post_init__(self) -> None:
        if self.first_row < 0:
            self.first_row = self.row

    def copy(self) -> Header:
        return Header(self.row, dict(self.columns), set(self.units), self.first_row, list(self.unit_cells),
                      list(self.problems), set(self.found))


def find_header(sheet: Sheet, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Header | None:
    """The first header within the first 30 rows whose columns include every required
    key: one row of labels, or two (`Utfall` over `April | Ack`; `Ackumulerat` over
    `Utfall | Budget`; `Utfall` over `tkr`). Where a required key's only column is a
    period column, or the labels are found only as two rows that would make it so,
    a later row is tried first; failing that, that header, with its problem."""
    labels_known = _lookup(aliases)
    lookup, cache, known = labels_known.lookup, labels_known.matches, labels_known.rows
    grid = sheet.rows
    rows: dict[int, _Row] = {}

    def texts(r: int) -> _Row:
        if r not in rows:
            # files from one exporter repeat their header rows: each is worked out once
            key = tuple(grid[r]) if CellError not in map(type, grid[r]) else None
            found = known.get(key) if key is not None else None
            if found is None:
                cells = [(c, v, *_info(v)) for c, v in enumerate(grid[r]) if type(v) is str and v]
                matches = [(c, value, match, unit) for c, value, core, unit, _ in cells
                           if (match := _cached_match(core, lookup, cache)) is not None]
                kinds = {kind for *_, kind in cells}
                found = _Row(bool(cells), matches, {match.key for _, _, match, _ in matches},
                             bool(kinds - {""}), "qualifier" in kinds)
                if key is not None and matches and len(known) < 2_000:  # a row of labels
                    known[key] = found
            rows[r] = found
        return rows[r]

    fallback = None
    for r in range(min(len(grid), HEADER_SEARCH_ROWS)):
        top = texts(r)
        if not top.text:
            continue
        single, keys = top.matches, top.keys
        readings = []
        if r + 1 < len(grid):
            below = texts(r + 1)
            if (single or below.matches) and (below.kinds or top.qualifiers) and _header_like(grid[r + 1]):
                readings.append((r + 1, _two_rows(grid[r], grid[r + 1], r, lookup, cache)))
        if keys.issuperset(required):
            # a header of one row, without problems, is the same in every file that has it on the same row
            same = (r, required, tuple(grid[r])) if not readings and CellError not in map(type, grid[r]) else None
            if same is not None and (header := labels_known.headers.get(same)) is not None:
                return header.copy()
            labels = [_Label(c, found, (r, c), value, [(unit, (r, c))] if unit else [])
                      for c, value, found, unit in single]
            if same is not None:
                header = _resolve(sheet, r, r, labels, aliases)
                if not header.problems and len(labels_known.headers) < 1_000:
                    labels_known.headers[same] = header.copy()
                if all(key in header.columns for key in required):
                    return header
                fallback = fallback or header
                continue
            readings.append((r, labels))
        for last, labels in readings:
            keys = {label.match.key for label in labels}
            if not all(key in keys for key in required):
                continue
            header = _resolve(sheet, r, last, labels, aliases)
            if all(key in header.columns for key in required):
                return header
            fallback = fallback or header
    return fallback


def _cached_match(core: str, lookup: dict[str, tuple[str, bool]], cache: dict[str, _Match | None]) -> _Match | None:
    if core in cache:
        return cache[core]
    found = _match(core, lookup)
    if len(cache) < 10_000:
        cache[core] = found
    return found


def _header_like(cells: list) -> bool:
    """A row that may be the second row of a header: text only, none of it a figure."""
    return all(is_blank(v) or (type(v) is str and parse_amount(v) is None) for v in cells)


def _two_rows(top: list, below: list, r: int, lookup: dict[str, tuple[str, bool]],
              cache: dict[str, _Match | None]) -> list[_Label]:
    """The labels of a header of two rows. A label in the first row stands over the
    empty cells to its right as far as the second row has labels (a merged cell); a
    qualifier in either row qualifies the label in the other ("Utfall" over "Ack",
    "Ackumulerat" over "Utfall"), a unit on its own states the unit of the label."""
    labels = []
    over: tuple[str, tuple[int, int]] | None = None  # the first row's label over this column
    for c in range(max(len(top), len(below))):
        upper = top[c] if c < len(top) else ""
        lower = below[c] if c < len(below) else ""
        lower_blank = is_blank(lower) or isinstance(lower, CellError)
        if not is_blank(upper) and not isinstance(upper, CellError):
            over = (upper if type(upper) is str else code_text(upper), (r, c))
        elif lower_blank:
            over = None  # a merged label ends where the second row has none
        if lower_blank:
            if over is not None:  # a label of the first row alone ("Konto" over nothing)
                core, unit = _split_label(over[0])
                found = _cached_match(core, lookup, cache)
                if found is not None:
                    labels.append(_Label(c, found, over[1], over[0], [(unit, over[1])] if unit else []))
            continue
        if over is None:  # a label of the second row alone
            core, unit = _split_label(lower)
            found = _cached_match(core, lookup, cache)
            if found is not None:
                labels.append(_Label(c, found, (r + 1, c), lower, [(unit, (r + 1, c))] if unit else []))
            continue
        label = _combined(over, (lower, (r + 1, c)), lookup, cache)
        if label is not None:
            labels.append(_Label(c, *label))
    return labels


def _combined(upper: tuple[str, tuple[int, int]], lower: tuple[str, tuple[int, int]],
              lookup: dict[str, tuple[str, bool]], cache: dict[str, _Match | None],
              ) -> tuple[_Match, tuple[int, int], str, list[tuple[str, tuple[int, int]]]] | None:
    """A label from a cell of the first header row and the cell under it."""
    (up_text, up_cell), (low_text, low_cell) = upper, lower
    up_core, up_unit = _split_label(up_text)
    low_core, low_unit = _split_label(low_text)
    units = [(unit, cell) for unit, cell in ((up_unit, up_cell), (low_unit, low_cell)) if unit]
    up_kind, low_kind = _kind(up_text), _kind(low_text)
    if low_kind == "unit":
        core = up_core
    elif up_kind == "unit":
        core = low_core
    elif (up_kind == "qualifier") != (low_kind == "qualifier"):
        core = f"{up_core} {low_core}"
    elif _cached_match(low_core, lookup, cache) is not None:  # "Konto" under a title
        core, units = low_core, [(unit, cell) for unit, cell in units if cell == low_cell]
    else:
        return None
    found = _cached_match(core, lookup, cache)
    if found is None:
        return None
    return found, low_cell, f"{up_text} / {low_text}", units


def _shown(text: str) -> str:
    """A label as a message shows it: on one line, at most 40 characters."""
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= 40 else text[:40] + "…"


def _resolve(sheet: Sheet, first: int, last: int, labels: list[_Label],
             names: dict[str, tuple[str, ...]]) -> Header:
    """The column of each key: the best fitting label's. Two that fit equally well, and
    a key whose only column is of one period, are problems naming the cells."""
    by_key: dict[str, list[_Label]] = {}
    for label in labels:
        by_key.setdefault(label.match.key, []).append(label)
    header = Header(last, {}, set(), first_row=first, found=set(by_key))
    for key, found in by_key.items():
        if len(found) == 1 and found[0].match.level != PERIOD:  # the common case
            header.columns[key] = found[0].column
            if found[0].units:
                header.unit_cells += [entry for entry in found[0].units if entry not in header.unit_cells]
            continue
        best = max(label.match.rank for label in found)
        winners = [label for label in found if label.match.rank == best]
        name = names.get(key, (key,))[0]
        if winners[0].match.level == PERIOD:
            header.problems.append(_period_only(sheet, winners[0], key, name))
            continue
        if len(winners) > 1 and key not in ("name", "comment"):  # a second name or comment column changes no figure
            header.problems.append(_tie(sheet, winners, key, name))
        header.columns[key] = winners[0].column
        header.unit_cells += [entry for entry in winners[0].units if entry not in header.unit_cells]
    for r in range(first, last + 1):  # a unit on its own in the header ("tkr" to the right of the labels)
        for c, value in enumerate(sheet.rows[r]):
            if type(value) is str and value and (info := _info(value))[2] == "unit" and info[1] \
                    and (info[1], (r, c)) not in header.unit_cells:
                header.unit_cells.append((info[1], (r, c)))
    if header.unit_cells:
        header.units = {unit for unit, _ in header.unit_cells}
    for r in range(first, last + 1):
        if CellError in map(type, sheet.rows[r]):
            header.problems += [error_value(sheet, r, c, value, "en kolumnrubrik")
                                for c, value in enumerate(sheet.rows[r]) if isinstance(value, CellError)]
    return header


def _toml_label(text: str) -> str:
    return json.dumps(text.removesuffix("…"), ensure_ascii=False)


def _period_only(sheet: Sheet, label: _Label, key: str, name: str) -> Problem:
    return sheet.problem(
        *label.cell,
        f"kolumnen {label.text!r} avser en enda period (månad), men {name} ska vara ackumulerat från årets "
        f"början; ta med kolumnen för ackumulerat värde (t.ex. 'Ack {name.lower()}'), eller, om kolumnen "
        f"redan är ackumulerad, ange rubriken i region.toml: [inputs.aliases] {key} = [{_toml_label(label.text)}]",
    )


_COUNT = {2: "två", 3: "tre", 4: "fyra"}


def _tie(sheet: Sheet, winners: list[_Label], key: str, name: str) -> Problem:
    cells = " och ".join(f"{cell_name(*label.cell)} ({label.text!r})" for label in winners)
    texts = {label_key(label.text) for label in winners}
    if len(texts) == len(winners):  # different labels: region.toml can name the one to read
        fix = (f"ange rubriken på den som ska läsas i region.toml: [inputs.aliases] {key} = "
               f"[{_toml_label(winners[0].text)}], eller byt rubrik i filen på den som inte ska läsas")
    else:
        fix = (f"byt rubrik i filen på den som inte ska läsas, eller ge den som ska läsas en egen rubrik och "
               f"ange den i region.toml: [inputs.aliases] {key} = [\"…\"]")
    return sheet.problem(
        *winners[1].cell,
        f"{_COUNT.get(len(winners), str(len(winners)))} kolumner passar lika bra som {name}: {cells}; {fix}",
    )


# --- title block --------------------------------------------------------------------

@dataclass
class TitleBlock:
    unit: str | None = None
    unit_cell: tuple[int, int] | None = None
    period: str | None = None
    period_cell: tuple[int, int] | None = None
    amount_units: list[tuple[str, tuple[int, int]]] = field(default_factory=list)  # each statement and its cell
    comment: str | None = None  # `Kommentar:` (SPEC §14): the unit's comment on its figures
    comment_cell: tuple[int, int] | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def amount_unit(self) -> str | None:
        return self.amount_units[0][0] if self.amount_units else None


_TITLE = re.compile(r"^\s*(ansvar|enhet|period|kommentar(?:er)?)\b\s*:?\s*(.*?)\s*$", re.I | re.S)
_TITLE_WHAT = {"ansvar": "ansvaret", "enhet": "enheten", "period": "perioden", "kommentar": "kommentaren"}
# `Belopp`, `Belopp i`, `Beloppsenhet:` alone in a cell: the unit is in the next cell
_AMOUNT_LABEL = re.compile(r"^\s*(?:(?:alla|samtliga)\s+)?(?:belopp(?:en)?(?:\s+i)?|beloppsenhet)\s*[:=]?\s*$", re.I)
# `Belopp i X`, `Belopp: X`: a statement of the unit, whatever X is
_AMOUNT_STATED = re.compile(
    r"^\s*(?:(?:alla|samtliga)\s+)?(?:belopp(?:en)?|beloppsenhet)(?:\s+i\s+|\s*[:=]\s*)(?P<rest>.+?)\s*$",
    re.I | re.S,
)
# A unit stated anywhere in a title cell (case folded, spaces collapsed), as whole words:
# after "belopp … i" or "belopp:" ("Alla belopp i tkr", "Beloppen anges i tkr", "Belopp:
# mkr"); in brackets ("Resultaträkning (tkr)", "(mkr)"); at the end after a comma, a dash
# or "i" ("Resultaträkning, tkr", "Resultaträkning i tkr"); or the whole cell ("Tkr").
_UNIT_STATEMENT = re.compile(
    r"(?<!\w)belopp\w*(?:\s+[^\s\d]+){0,4}?(?:\s+i\s+|\s*[:=]\s*|\s+)\(?\s*(?P<u1>" + _UNIT + r")\s*\)?(?!\w)"
    r"|[\(\[]\s*(?:(?:alla\s+)?belopp\w*\s+)?(?:i\s+)?(?P<u2>" + _UNIT + r")\s*[\)\]]"
    r"|(?:^(?:i\s+)?|[,;:]\s*|\s[-–]\s*|\si\s+)(?P<u3>" + _UNIT + r")\s*\.?$"
)


def read_title_block(sheet: Sheet, header_row: int) -> TitleBlock:
    """What the rows above the header state: `Ansvar: CODE` / `Enhet: CODE`, `Period:
    YYYY-MM` (label and value in one cell after a colon, or the value in the next
    cell), and the amount unit wherever a cell states it. An Excel error value above
    the header is a problem: it may stand where one of these should be."""
    block = TitleBlock()
    used: set[tuple[int, int]] = set()  # cells read as the value of a label to their left
    for r in range(header_row):
        cells = sheet.rows[r]
        for c, value in enumerate(cells):
            if (r, c) in used:
                continue
            if isinstance(value, CellError):
                block.problems.append(error_value(
                    sheet, r, c, value, "en uppgift i rubrikblocket (ansvar, period eller beloppsenhet)"))
                continue
            if type(value) is not str or not value:
                continue
            match = _TITLE.match(value)
            if match:
                label, rest = match.group(1).lower().removesuffix("er"), match.group(2)
                where: tuple[int, int] = (r, c)
                if not rest:
                    rest, where = _next_value(cells, c, r, any_text=label == "kommentar")
                    used.add(where)
                if isinstance(rest, CellError):
                    block.problems.append(error_value(sheet, *where, rest, _TITLE_WHAT[label]))
                elif rest is not None and rest != "":
                    _title_entry(block, sheet, label, rest, where)
                continue
            _amount_unit(block, sheet, r, c, value, cells, used)
    return block


def _next_value(cells: list, c: int, r: int, any_text: bool = False) -> tuple[object, tuple[int, int]]:
    """The first cell to the right that holds something, unless that is a label itself
    (`any_text`: whatever it holds, as a comment may begin "Enhet 3 har ...")."""
    for k in range(c + 1, len(cells)):
        value = cells[k]
        if not is_blank(value):
            if not any_text and type(value) is str and (_TITLE.match(value) or _AMOUNT_LABEL.match(value)
                                                        or _AMOUNT_STATED.match(value)):
                break
            return value, (r, k)
    return None, (r, c)


def _amount_unit(block: TitleBlock, sheet: Sheet, r: int, c: int, value: str, cells: list,
                 used: set[tuple[int, int]]) -> None:
    """The amount unit a title cell states, if any (with the next cell for `Belopp i`)."""
    what, said = _statement(value)
    if what == "label":
        stated, where = _next_value(cells, c, r)
        used.add(where)
        if isinstance(stated, CellError):
            block.problems.append(error_value(sheet, *where, stated, "beloppsenheten"))
        elif stated is not None:
            whole = _WHOLE_UNIT.fullmatch(_SPACE.sub(" ", str(stated)).strip().casefold())
            if whole:
                block.amount_units.append((_unit_name(whole.group(1)), where))
            else:
                block.problems.append(sheet.problem(*where, _not_a_unit(stated)))
    elif what == "units" and len(said) > 1:
        block.problems.append(sheet.problem(
            r, c, f"cellen anger flera beloppsenheter ({', '.join(said)}): {_shown(value)!r}; "
                  "ange en enda (t.ex. 'Belopp i tkr')"))
    elif what == "units":
        block.amount_units.append((said[0], (r, c)))
    elif what == "bad":
        block.problems.append(sheet.problem(r, c, _not_a_unit(said[0])))


_STATEMENTS: dict[str, tuple[str, tuple[str, ...]]] = {}  # title text -> what `_statement` says of it


def _statement(value: str) -> tuple[str, tuple[str, ...]]:
    """What a title cell says of the amount unit: ("label", ()) for `Belopp i` alone,
    ("units", the units it states), ("bad", (what follows `Belopp i`,)) for a unit
    that is none, or ("", ()) for nothing."""
    found = _STATEMENTS.get(value)
    if found is not None:
        return found
    if _AMOUNT_LABEL.match(value):
        found = ("label", ())
    else:
        text = _SPACE.sub(" ", value).strip().casefold()
        units = sorted({_unit_name(m.group(m.lastgroup or "")) for m in _UNIT_STATEMENT.finditer(text)})
        stated = _AMOUNT_STATED.match(value) if not units else None
        found = ("units", tuple(units)) if units else ("bad", (stated.group("rest"),)) if stated else ("", ())
    if len(_STATEMENTS) < 10_000:
        _STATEMENTS[value] = found
    return found


def _not_a_unit(value: object) -> str:
    return (f"beloppsenheten {_shown(str(value))!r} är inte kr, tkr eller mkr; skriv t.ex. 'Belopp i tkr', "
            "eller ta bort uppgiften om beloppen är i kronor")


def _title_entry(block: TitleBlock, sheet: Sheet, label: str, value: object, where: tuple[int, int]) -> None:
    if label in ("ansvar", "enhet"):
        block.unit, block.unit_cell = code_text(value), where
    elif label == "kommentar":  # text, whatever it holds: a comment is never a statement of the unit
        text = value.strip() if isinstance(value, str) else code_text(value)
        if block.comment is None:
            block.comment, block.comment_cell = text, where
        else:  # a second `Kommentar:` cell adds to the first
            block.comment = f"{block.comment}\n{text}"
    else:
        period = period_text(value)
        if period is None:
            block.problems.append(sheet.problem(*where, f"perioden {str(value)!r} är inte ÅÅÅÅ-MM"))
        block.period, block.period_cell = period, where


_PERIOD = re.compile(r"^(\d{4})\s*-?\s*(\d{1,2})$")
_PERIOD_END = re.compile(r"(?:^|[\s–-])(\d{4})\s*-?\s*(\d{2})$")
_MONTHS = {name: i for i, names in enumerate(
    [("jan", "januari"), ("feb", "februari"), ("mar", "mars"), ("apr", "april"), ("maj",), ("jun", "juni"),
     ("jul", "juli"), ("aug", "augusti"), ("sep", "sept", "september"), ("okt", "oktober"),
     ("nov", "november"), ("dec", "december")], start=1) for name in names}
_MONTH_YEAR = re.compile(r"(?:^|\W)([a-zåäö]+)\.?\s+(\d{4})$", re.I)


def code_text(value: object) -> str:
    """A code as text: 1110.0 -> "1110"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def period_text(value: object) -> str | None:
    """`2026-04`, `202604`, a date; also the end of a range as exports write it
    (`2026-01 – 2026-04`, `jan-apr 2026`, `april 2026`): figures are year to date."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    text = code_text(value).strip()
    match = _PERIOD.match(text) or _PERIOD_END.search(text)
    if match:
        year, month = match.group(1), int(match.group(2))
    else:
        named = _MONTH_YEAR.search(text)
        month = _MONTHS.get(named.group(1).casefold(), 0) if named else 0
        year = named.group(2) if named else ""
    if not 1 <= month <= 12:
        return None
    return f"{year}-{month:02d}"


@dataclass
class Stated:
    """What a sheet says about itself: unit, period, amount unit, with their cells."""

    unit: str | None = None
    unit_cell: str | None = None
    period: str | None = None
    period_cell: str | None = None
    amount_unit: str = "kr"
    comment: str | None = None  # the title block's `Kommentar:` (SPEC §14)
    comment_cell: str | None = None


_SHARED: dict[str, str] = {}


def shared(text: str) -> str:
    """One object for equal texts (account codes and names, groups) across the files a
    process reads: the results sent back from worker processes are then smaller."""
    if len(_SHARED) < 100_000:
        return _SHARED.setdefault(text, text)
    return _SHARED.get(text, text)


def shared_all(texts: list[str]) -> list[str]:
    """`shared` of each text."""
    if len(_SHARED) + len(texts) > 100_000:
        return [shared(text) for text in texts]
    keep = _SHARED.setdefault
    return [keep(text, text) for text in texts]


@dataclass
class SheetRows:
    """What income and staffing sheets share: where they come from, what they state,
    and per data row its unit (from an Ansvar/Enhet column, else filled in later) and
    its row number."""

    file: str
    sheet: str
    stated: Stated = field(default_factory=Stated)
    has_unit_column: bool = False
    unit_column: str = ""
    unit: list[str | None] = field(default_factory=list)
    row: list[int] = field(default_factory=list)  # row number in the sheet, from 1
    sha256: str = ""  # of the file's bytes as read (see `workbook.Sheet`)
    size: int = 0

    def columns(self) -> dict[str, Sequence[Any]]:
        """The rows as columns of the table of their kind (see the subclasses)."""
        raise NotImplementedError


def describe(rows: SheetRows, sheet: Sheet, header: Header, default_unit: str) -> list[Problem]:
    """Fill in what the title block and header state; return their problems. The
    amount unit is what the title block and the labels of the columns read state
    (they must agree), else `default_unit`."""
    title = read_title_block(sheet, header.first_row)
    problems = [*title.problems, *header.problems]
    stated = title.amount_units + header.unit_cells
    if len({unit for unit, _ in stated}) > 1:
        problems.append(_units_disagree(sheet, stated))
    rows.stated = Stated(amount_unit=stated[0][0] if stated else default_unit)
    if title.unit and title.unit_cell:
        rows.stated.unit, rows.stated.unit_cell = title.unit, cell_name(*title.unit_cell)
    if title.period and title.period_cell:
        rows.stated.period, rows.stated.period_cell = title.period, cell_name(*title.period_cell)
    if title.comment and title.comment_cell:
        rows.stated.comment, rows.stated.comment_cell = title.comment, cell_name(*title.comment_cell)
    rows.has_unit_column = "unit" in header.columns
    if rows.has_unit_column:
        rows.unit_column = cell_name(0, header.columns["unit"])[:-1]
    return problems


def _units_disagree(sheet: Sheet, stated: list[tuple[str, tuple[int, int]]]) -> Problem:
    """Two statements of the amount unit that differ, named with their cells."""
    cells: dict[str, list[str]] = {}
    for unit, cell in stated:
        cells.setdefault(unit, []).append(cell_name(*cell))
    said = " men ".join(f"{unit} i {', '.join(names)}" for unit, names in cells.items())
    second = next(cell for unit, cell in stated if unit != stated[0][0])
    return sheet.problem(
        *second, f"filen anger olika beloppsenheter: {said}; ändra så att titeln och kolumnrubrikerna "
                 "anger samma enhet (t.ex. 'Belopp i tkr')",
    )


# --- control totals ---------------------------------------------------------------

_TOTAL = re.compile(r"^\s*(summa|totalt|resultat)", re.I)


def is_total_row(sheet: Sheet, r: int) -> bool:
    """A row whose first text cell begins with Summa, Totalt or Resultat."""
    for value in sheet.rows[r]:
        if type(value) is str and value and not value.isspace():  # an Excel error value is no text
            return _TOTAL.match(value) is not None
    return False


def control_total(sheet: Sheet, r: int, measure_cols: list, problems: list[Problem]) -> dict[str, float] | None:
    """Amounts of a `Summa`/`Totalt`/`Resultat` row that has at least one amount."""
    if not is_total_row(sheet, r):
        return None
    amounts: dict[str, float] = {}
    for measure, c in measure_cols:
        value = sheet.value(r, c)
        if isinstance(value, CellError):
            problems.append(error_value(sheet, r, c, value, "summan"))
            continue
        if is_blank(value):
            if (r, c) in sheet.uncached:
                problems.append(sheet.problem(r, c, "formel utan sparat värde i summaraden"))
            continue
        amount = parse_amount(value)
        if amount is not None:
            amounts[measure] = amount
    return amounts or None


def check_control(sheet: Sheet, control: tuple[int, dict[str, float]], sums: dict[str, float],
                  measure_cols: list, labels: dict[str, str], unit: str) -> list[Problem]:
    """The control total must equal the sum of the data rows, per measure, within half
    of the stated unit (`sums` and the total are both in that unit)."""
    def shown(value: float) -> str:
        return swedish(value, decimals=3 if not float(value).is_integer() else 0)

    r, totals = control
    problems = []
    columns = dict(measure_cols)
    for measure, stated in totals.items():
        if abs(stated - sums[measure]) > 0.5:
            problems.append(sheet.problem(
                r, columns[measure],
                f"summaraden anger {shown(stated)} {unit} för {labels[measure]}, men raderna summerar till "
                f"{shown(sums[measure])} {unit} (skillnad {shown(stated - sums[measure])})",
                check="control_total",
            ))
    return problems
