"""Names, formats and text rules of the distribution workbook: Swedish number formats
per display unit, sheet names Excel accepts, and text that is always text."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import xlsxwriter
import xlsxwriter.worksheet

from consolidate.sanitize import plain
from consolidate.vocabulary import HEADINGS, MEASURES


def shown(decimals: int, grouped: bool = True) -> str:
    """A number format showing `decimals` decimals, where a value that rounds to zero
    shows as 0, never as -0 (Excel would show -0,3 tkr as "-0"): a section each for
    at least half a shown digit above and below zero, and one for the rest."""
    digits = ("#,##0" if grouped else "0") + ("." + "0" * decimals if decimals else "")
    half = f"{0.5 / 10**decimals:g}"
    return f"[>={half}]{digits};[<=-{half}]-{digits};{'0.' + '0' * decimals if decimals else '0'}"


# Number formats per display unit: the stored value keeps full precision.
NUMBER_FORMATS = {"kr": shown(0), "tkr": shown(0), "mkr": shown(1)}
# A variance is marked red when it shows as negative: below minus half a shown digit.
RED_BELOW = {"kr": -0.5, "tkr": -0.5, "mkr": -0.05}
PERCENT_FORMAT = shown(1, grouped=False)
KR_FORMAT = shown(0)

MEASURE_HEADINGS = {m: HEADINGS[m] for m in MEASURES}
PCT_HEADING = "Resultat i % av intäkter"

# An administration with more entities than this below it gets its driftredovisning
# on a sheet of its own instead of below its report.
MANY_BELOW = 40
MAX_ROWS = 1_048_576
MAX_TEXT = 32_767
FIXED_SHEETS = ("Driftredovisning", "Personal", "Personal per enhet", "Utveckling", "Internhandel", "Justeringar",
                "Kontroller", "Data", "Underlag")

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
TEXT_WIDTH_CAP = 70

# The printed page (SPEC §6, §17): A4 landscape, these margins in inches, one page
# wide. The page's printable area in points, and what the layout assumes of a row
# and a column where nothing says otherwise: a plain row is at most 15 points tall
# (the default row of Excel's default font; Calibri 10 rows are lower in Excel and
# LibreOffice alike), and a column of width w characters is int(7w + 0.5) + 5 pixels.
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.75, "bottom": 0.75}
PRINT_WIDTH = 841.89 - 72 * (MARGINS["left"] + MARGINS["right"])
PRINT_HEIGHT = 595.28 - 72 * (MARGINS["top"] + MARGINS["bottom"])
ROW_POINTS = 15.0
DEFAULT_WIDTH = 8.43


@lru_cache(maxsize=65536)
def text(value: object) -> str:
    """Input or config text made safe for a cell: no control characters, Excel's
    length limit. Always written with write_string, so never a formula. (Names and
    row labels repeat across thousands of cells: the answer is remembered.)"""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return plain(value)[:MAX_TEXT]


def header_text(value: object, limit: int = 70) -> str:
    """Text for a print header or footer: `&` is a control character there."""
    return text(value)[:limit].replace("&", "&&")


class SheetNames:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, not starting or
    ending with an apostrophe, unique without regard to case."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def reserve(self, name: str) -> str:
        self.used.add(name.casefold())
        return name

    def make(self, wanted: str, fallback: str) -> str:
        name = " ".join(_SHEET_BAD.sub(" ", text(wanted)).split()).strip("'").strip()
        if not name or name.casefold() == "history":
            name = fallback
        name = name[:31].rstrip().rstrip("'")
        base, number = name, 2
        while name.casefold() in self.used:
            suffix = f" ({number})"
            name = base[: 31 - len(suffix)].rstrip().rstrip("'") + suffix
            number += 1
        return self.reserve(name)


def internal_link(sheet: str) -> str:
    return "internal:'" + sheet.replace("'", "''") + "'!A1"


class Sheet(xlsxwriter.worksheet.Worksheet):
    """A worksheet whose empty strings are blank cells (formatted), not "" values,
    and which keeps what its page layout is worked out from: the column widths, the
    rows taller than a plain row, the repeated title rows and the manual page breaks.
    (Made by `xlsxwriter_private.add_worksheet`.)"""

    def __init__(self) -> None:
        super().__init__()
        self.widths: dict[int, float] = {}  # column -> width in characters
        self.heights: dict[int, float] = {}  # row -> at most this many points, where above ROW_POINTS
        self.titles: tuple[int, int] | None = None  # the rows repeated on every printed page
        self.breaks: list[int] = []  # rows that start a new printed page

    def write_string(self, row, col, string, cell_format=None):
        if string == "":
            return self.write_blank(row, col, None, cell_format)
        return super().write_string(row, col, string, cell_format)

    def set_column(self, first_col, last_col, width=None, cell_format=None, options=None):
        if width is not None:
            self.widths.update(dict.fromkeys(range(first_col, last_col + 1), width))
        return super().set_column(first_col, last_col, width, cell_format, options)

    def repeat_rows(self, first_row, last_row=None):
        self.titles = (first_row, first_row if last_row is None else last_row)
        return super().repeat_rows(first_row, last_row)

    def taller(self, row: int, points: float) -> None:
        """Make `row` `points` tall (a larger font, a heading or text that wraps), and
        note it for the page layout. Before the row is written (constant memory)."""
        if points > ROW_POINTS:
            self.heights[row] = points
            self.set_row(row, points)

    def break_before(self, row: int) -> None:
        """A manual page break: `row` starts a new printed page."""
        if row > 0 and row not in self.breaks:
            self.breaks.append(row)
            self.set_h_pagebreaks(sorted(self.breaks))


class Formats:
    """Every cell format of the workbook, made once."""

    def __init__(self, book: xlsxwriter.Workbook, unit: str) -> None:
        add = book.add_format
        number = NUMBER_FORMATS[unit]
        base = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
        self.base = base
        self.book = book
        self.title = add({**base, "bold": True, "font_size": 14})
        self.subtitle = add({**base, "font_size": 11})
        self.note = add({**base, "italic": True, "font_color": "#595959"})
        self.section = add({**base, "bold": True, "font_size": 11})
        self.head = add({**base, "bold": True, "bottom": 1, "bg_color": "#DDEBF7", "text_wrap": True,
                         "valign": "bottom"})
        self.head_num = add({**base, "bold": True, "bottom": 1, "bg_color": "#DDEBF7", "text_wrap": True,
                             "align": "right", "valign": "bottom"})
        self.head_group = add({**base, "bold": True, "bg_color": "#DDEBF7", "align": "center", "valign": "bottom"})
        self.label = add(base)
        self.label_bold = add({**base, "bold": True})
        self.label_total = add({**base, "bold": True, "top": 1})
        self.wrap = add({**base, "text_wrap": True})
        self.wrap_bold = add({**base, "text_wrap": True, "bold": True})
        self.num = add({**base, "num_format": number})
        self.num_bold = add({**base, "num_format": number, "bold": True})
        self.num_total = add({**base, "num_format": number, "bold": True, "top": 1})
        self.pct = add({**base, "num_format": PERCENT_FORMAT})
        self.pct_bold = add({**base, "num_format": PERCENT_FORMAT, "bold": True})
        self.pct_total = add({**base, "num_format": PERCENT_FORMAT, "bold": True, "top": 1})
        self.kr = add({**base, "num_format": KR_FORMAT})
        self.dec1 = add({**base, "num_format": shown(1)})
        self.int = add({**base, "num_format": shown(0)})
        self.pct2 = add({**base, "num_format": shown(2, grouped=False)})  # a change in %: "-2,48"
        self.whole = add({**base, "num_format": "0"})  # a row number: no grouping
        self.red = add({"font_color": "#C00000"})
        # "–" for a figure nobody delivered: right-aligned like the amounts, and
        # bold and ruled like the amounts beside it.
        dash = {**base, "align": "right", "font_color": "#595959"}
        self.missing = add(dash)
        self._missing = {
            self.num_bold: add({**dash, "bold": True}),
            self.num_total: add({**dash, "bold": True, "top": 1}),
        }
        self._indent: dict[tuple[int, bool], object] = {}
        self._figures: dict[tuple[str, bool, bool], object] = {}
        self.note_wrap = add({**base, "italic": True, "font_color": "#595959", "text_wrap": True})
        self.head_group_wrap = add({**base, "bold": True, "bg_color": "#DDEBF7", "align": "center",
                                    "valign": "bottom", "text_wrap": True})

    def missing_for(self, number_format):
        """The "–" format that goes with an amount format."""
        return self._missing.get(number_format, self.missing)

    def figure(self, num_format: str, bold: bool = False, top: bool = False):
        """A number format (`shown(...)`), bold and ruled above as asked; made once."""
        key = (num_format, bold, top)
        if key not in self._figures:
            props = {**self.base, "num_format": num_format}
            if bold:
                props["bold"] = True
            if top:
                props["top"] = 1
            self._figures[key] = made = self.book.add_format(props)
            dash = {**self.base, "align": "right", "font_color": "#595959"}
            self._missing[made] = self.book.add_format({**dash, **{k: v for k, v in props.items()
                                                                   if k in ("bold", "top")}})
        return self._figures[key]

    def indented(self, depth: int, bold: bool = False):
        key = (min(depth, 15), bold)
        if key not in self._indent:
            props = {**self.base, "indent": key[0]}
            if bold:
                props["bold"] = True
            self._indent[key] = self.book.add_format(props)
        return self._indent[key]
