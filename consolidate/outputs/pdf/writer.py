"""Write the month report as a PDF file, whole or not at all.

`write_pdf` (or `month_report`, whose drawing can be done in a forked process) lays
the report out (`report.MonthReport`), draws it with ReportLab into memory, and writes
the bytes to the temporary path `place` gives, which `place` then renames onto the
target (`runtime.atomic.atomic_path`; a close's `Staging.path` leaves the renaming
until the close is recorded). Nothing is written when anything fails.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from consolidate import __version__
from consolidate.core.period import Result
from consolidate.outputs.excel.writer import find_entity, workbook_name
from consolidate.outputs.pdf.inputs import Comments, Trend
from consolidate.outputs.pdf.layout import PAGE_HEIGHT, PAGE_WIDTH, REGULAR, render
from consolidate.outputs.pdf.report import MonthReport
from consolidate.runtime.atomic import atomic_path
from consolidate.sanitize import plain
from consolidate.vocabulary import AMOUNT_UNITS


def pdf_name(result: Result, entity: str | None = None, unit: str | None = None, report: str | None = None) -> str:
    """The file's name, as the workbook's with `.pdf`: `{region}_{period}.pdf`,
    `{region}_{entity}_{period}.pdf`, then `_{report}` and `_{unit}` when they are
    not the configured ones."""
    return workbook_name(result, entity, unit, report).removesuffix(".xlsx") + ".pdf"


def write_pdf(result: Result, path: Path, unit: str, report_name: str | None = None, entity: str | None = None,
              trend: Trend | None = None, comments: Comments | None = None,
              place: Callable[[Path], AbstractContextManager[Path]] = atomic_path, *,
              created: dt.datetime | None = None) -> Path:
    """Write the month report (`month_report`), drawn here; return its path."""
    return month_report(result, path, unit, report_name, entity, trend, comments, created=created).write(place)


@dataclass
class PdfReport:
    """A month report to draw (`draw()`, its bytes: anywhere, also in a forked copy)
    and to write to `target` (`write`)."""

    target: Path
    draw: Callable[[], bytes]

    def write(self, place: Callable[[Path], AbstractContextManager[Path]] = atomic_path,
              drawn: bytes | memoryview | None = None) -> Path:
        """Write the report whole or not at all through `place`: the bytes `drawn`
        elsewhere, or else drawn here; return its path."""
        data = drawn if drawn is not None else self.draw()
        with place(self.target) as tmp:
            Path(tmp).write_bytes(data)
        return self.target


def month_report(result: Result, path: Path, unit: str, report_name: str | None = None, entity: str | None = None,
                 trend: Trend | None = None, comments: Comments | None = None, *,
                 created: dt.datetime | None = None) -> PdfReport:
    """The month report of the region (or of `entity`'s subtree, the code matched
    without regard to case) for `path`: when `path` does not end in `.pdf`, it is a
    folder (made if missing) and the file is `pdf_name`. `trend`: the months of the
    year so far (the run's month is taken from `result`); `comments`: per entity code,
    its comment; `created`: the time of the run shown on every page (now by default)."""
    if result.rows is None or result.consolidated is None:
        raise ValueError("nothing was consolidated: the report needs a run without errors")
    if unit not in AMOUNT_UNITS:
        raise ValueError(f"unknown amount unit {unit!r}")
    report = result.config.chart.report(report_name)
    if report is None:
        raise ValueError(f"unknown report {report_name!r}")
    code = find_entity(result, entity)
    target = Path(path)
    if target.suffix.casefold() != ".pdf":
        target = target / pdf_name(result, code, unit, report.name)
    top = code if code is not None else result.config.tree.root
    moment = (created or dt.datetime.now()).astimezone()

    def draw() -> bytes:
        return render_pdf(MonthReport(result, unit, report.name, top, comments, trend, moment))

    return PdfReport(target, draw)


MAX_PDF_BYTES = 1 << 28  # room for a report drawn in a forked copy; a larger one is drawn again here


def render_pdf(month_report: MonthReport) -> bytes:
    """The report laid out and drawn: the PDF's bytes."""
    doc = month_report.lay_out()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1, lang="sv-SE",
                    initialFontName=REGULAR, initialFontSize=8)  # no Helvetica: every font embedded
    held = month_report.label(month_report.top)
    canvas.setTitle(f"Månadsrapport {held}, ack. {month_report.result.period}")
    canvas.setAuthor("consolidate")
    canvas.setSubject(f"{plain(month_report.report)}, ack. {month_report.result.period}, belopp i {month_report.unit}")
    canvas.setCreator(f"consolidate {__version__}")
    canvas.setKeywords(f"{plain(month_report.result.config.region_code)}, {month_report.result.period}, månadsrapport")
    render(doc.pages, canvas, month_report.chrome)
    armoured = rl_config.useA85
    rl_config.useA85 = 0  # binary streams: ASCII85 makes the file a quarter larger and costs time
    try:
        canvas.save()
    finally:
        rl_config.useA85 = armoured
    return buffer.getvalue()
