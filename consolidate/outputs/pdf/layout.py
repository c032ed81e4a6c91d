"""Pages as lists of drawing operations, laid out before anything is drawn.

The month report is made in two passes: first every page is laid out as a list of
operations (text, lines, filled boxes, a drawing such as the chart), so that the number
of pages is known; then each page is drawn on a ReportLab canvas with its header and
footer ("Sida 3 av 12").

Text is drawn with the PDF text operators only (a text object per page): ReportLab
interprets no markup there, so text from files stays text; it is made plain before it
gets here (`sanitize.plain`: no control characters). The fonts are the Bitstream Vera
TrueType fonts that come with ReportLab, embedded as subsets: they hold å ä ö, − – —
and the other letters of Swedish and Finnish names on any machine, without fonts of
the system.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "ConsolidateSans"
BOLD = "ConsolidateSans-Bold"
FONT_FILES = {REGULAR: "Vera.ttf", BOLD: "VeraBd.ttf"}

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 36.0  # left and right, points
TOP = PAGE_HEIGHT - 54.0  # the first baseline's room starts here, under the header
BOTTOM = 42.0  # nothing is laid out below this, above the footer
WIDTH = PAGE_WIDTH - 2 * MARGIN

Color = tuple[float, float, float]
BLACK: Color = (0.0, 0.0, 0.0)
GREY: Color = (0.38, 0.38, 0.38)
RULE: Color = (0.55, 0.55, 0.55)
SHADE: Color = (0.93, 0.93, 0.93)
RED: Color = (0.75, 0.0, 0.0)
ACCENT: Color = (0.12, 0.29, 0.49)


class _Widths(dict[str, float]):
    """Advance widths per character, in thousandths of the size; a character the
    font lacks is as wide as its missing glyph."""

    def __init__(self, widths: dict[int, float], default: float) -> None:
        super().__init__((chr(code), width) for code, width in widths.items())
        self.default = default

    def __missing__(self, char: str) -> float:
        return self.default


@cache
def _metrics() -> dict[str, _Widths]:
    """Register the fonts with ReportLab (once) and return each one's widths."""
    folder = Path(reportlab.__file__).parent / "fonts"
    found = {}
    for name, file in FONT_FILES.items():
        font = TTFont(name, str(folder / file))
        pdfmetrics.registerFont(font)
        found[name] = _Widths(font.face.charWidths, float(font.face.defaultWidth))
    return found


def register_fonts() -> None:
    _metrics()


def text_width(text: str, font: str = REGULAR, size: float = 8.0) -> float:
    return sum(map(_metrics()[font].__getitem__, text)) * size / 1000.0


def wrap(text: str, room: float, font: str = REGULAR, size: float = 8.0, max_lines: int | None = None) -> list[str]:
    """`text` broken into lines at most `room` wide: at spaces, a word wider than the
    room by characters; its own line breaks kept. With `max_lines`, the last line kept
    ends with "…" when text was left out. Empty text is one empty line."""
    widths = _metrics()[font]
    scale = size / 1000.0
    space = widths[" "] * scale
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for word in (w for w in paragraph.split(" ") if w):  # a no-break space holds words together
            word_width = sum(map(widths.__getitem__, word)) * scale
            if line and line_width + space + word_width <= room:
                line, line_width = f"{line} {word}", line_width + space + word_width
                continue
            if line:
                lines.append(line)
            while word_width > room and len(word) > 1:  # a word wider than the room: cut it
                cut, cut_width = 1, widths[word[0]] * scale
                while cut < len(word) and cut_width + widths[word[cut]] * scale <= room:
                    cut_width += widths[word[cut]] * scale
                    cut += 1
                lines.append(word[:cut])
                word, word_width = word[cut:], word_width - cut_width
            line, line_width = word, word_width
        if line or not lines:
            lines.append(line)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(f"{last}…", font, size) > room:
            last = last[:-1]
        lines[-1] = f"{last.rstrip()}…"
    return lines


def shorten(text: str, room: float, font: str = REGULAR, size: float = 8.0) -> str:
    """`text`, cut with "…" to fit `room` (for a header line, never for a figure)."""
    if text_width(text, font, size) <= room:
        return text
    while text and text_width(f"{text}…", font, size) > room:
        text = text[:-1]
    return f"{text.rstrip()}…"


# Operations of a page: ("text", x, y, font, size, color, text),
# ("line", x1, y1, x2, y2, width, color), ("box", x, y, w, h, color),
# ("draw", function of the canvas).
Op = tuple[Any, ...]


@dataclass
class Page:
    ops: list[Op] = field(default_factory=list)


class Document:
    """Pages being laid out from the top down: `y` is where the next thing starts."""

    def __init__(self) -> None:
        register_fonts()
        self.pages: list[Page] = []
        self.y = TOP
        self.new_page()

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = TOP

    def fresh(self) -> bool:
        """Nothing has been laid out on the current page yet."""
        return not self.page.ops

    def room(self) -> float:
        return self.y - BOTTOM

    def ensure(self, height: float) -> bool:
        """A new page unless `height` fits under `y`; returns whether one was begun."""
        if height > self.room() and not self.fresh():
            self.new_page()
            return True
        return False

    def text(self, x: float, y: float, text: str, font: str = REGULAR, size: float = 8.0,
             color: Color = BLACK) -> None:
        if text:
            self.page.ops.append(("text", x, y, font, size, color, text))

    def right(self, x: float, y: float, text: str, font: str = REGULAR, size: float = 8.0,
              color: Color = BLACK) -> None:
        """Text ending at `x`."""
        self.text(x - text_width(text, font, size), y, text, font, size, color)

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5, color: Color = RULE) -> None:
        self.page.ops.append(("line", x1, y1, x2, y2, width, color))

    def box(self, x: float, y: float, w: float, h: float, color: Color = SHADE) -> None:
        self.page.ops.append(("box", x, y, w, h, color))

    def draw(self, function: Callable[[Any], None]) -> None:
        """Something drawn straight on the canvas (the chart)."""
        self.page.ops.append(("draw", function))

    def heading(self, text: str, size: float = 11.0, space_before: float = 10.0, keep: float = 60.0) -> None:
        """A section heading, kept on one page with `keep` points of what follows."""
        if not self.fresh():
            self.y -= space_before
        self.ensure(size * 1.4 + keep)
        self.y -= size
        self.text(MARGIN, self.y, text, BOLD, size, ACCENT)
        self.y -= size * 0.6

    def paragraph(self, text: str, size: float = 8.5, font: str = REGULAR, color: Color = BLACK,
                  x: float = MARGIN, room: float = WIDTH) -> None:
        leading = size * 1.3
        for line in wrap(text, room, font, size):
            self.ensure(leading)
            self.y -= leading
            self.text(x, self.y + leading - size, line, font, size, color)


def render(pages: list[Page], canvas: Any, chrome: Callable[[int, int], list[Op]]) -> None:
    """Draw every page on `canvas`, with the header and footer `chrome(page, pages)`
    gives: boxes first, then lines, drawings, and the text in one text object."""
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        ops = [*page.ops, *chrome(number, total)]
        for op in ops:
            if op[0] == "box":
                _, x, y, w, h, color = op
                canvas.setFillColorRGB(*color)
                canvas.rect(x, y, w, h, stroke=0, fill=1)
        stroke: tuple[float, Color] | None = None
        for op in ops:
            if op[0] == "line":
                _, x1, y1, x2, y2, width, color = op
                if stroke != (width, color):
                    canvas.setLineWidth(width)
                    canvas.setStrokeColorRGB(*color)
                    stroke = (width, color)
                canvas.line(x1, y1, x2, y2)
        for op in ops:
            if op[0] == "draw":
                canvas.saveState()
                op[1](canvas)
                canvas.restoreState()
        text = canvas.beginText()
        font: tuple[str, float] | None = None
        fill: Color | None = None
        for op in ops:
            if op[0] == "text":
                _, x, y, name, size, color, string = op
                if font != (name, size):
                    text.setFont(name, size)
                    font = (name, size)
                if fill != color:
                    text.setFillColorRGB(*color)
                    fill = color
                text.setTextOrigin(x, y)
                text.textOut(string)
        canvas.drawText(text)
        canvas.showPage()
