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
FIXED_SHEETS = ("Driftredovisning", "Personal", "Internhandel", "Kontroller", "Data")

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
TEXT_WIDTH_CAP = 70


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
    """A worksheet whose empty strings are blank cells (formatted), not "" values.
    (Made by `xlsxwriter_private.add_worksheet`.)"""

    def write_string(self, row, col, string, cell_format=None):
        if string == "":
            return self.write_blank(row, col, None, cell_format)
        return super().write_string(row, col, string, cell_format)


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
        self.num = add({**base, "num_format": number})
        self.num_bold = add({**base, "num_format": number, "bold": True})
        self.num_total = add({**base, "num_format": number, "bold": True, "top": 1})
        self.pct = add({**base, "num_format": PERCENT_FORMAT})
        self.pct_bold = add({**base, "num_format": PERCENT_FORMAT, "bold": True})
        self.pct_total = add({**base, "num_format": PERCENT_FORMAT, "bold": True, "top": 1})
        self.kr = add({**base, "num_format": KR_FORMAT})
        self.dec1 = add({**base, "num_format": shown(1)})
        self.int = add({**base, "num_format": shown(0)})
        self.red = add({"font_color": "#C00000"})
        self._indent: dict[tuple[int, bool], object] = {}

    def indented(self, depth: int, bold: bool = False):
        key = (min(depth, 15), bold)
        if key not in self._indent:
            props = {**self.base, "indent": key[0]}
            if bold:
                props["bold"] = True
            self._indent[key] = self.book.add_format(props)
        return self._indent[key]
