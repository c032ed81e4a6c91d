"""The chart of page 1: the accumulated result per month of the year, against budget
and last year, drawn as PDF vector paths (lines, markers, text), never as a picture.

The chart is a form XObject of its own (`FORM`), so that what it holds can be read
back from the file: each point of a series is a marker (a small filled square), each
series a path through its months.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from consolidate.formatting import MONTHS, swedish
from consolidate.outputs.pdf.inputs import TrendPoint
from consolidate.outputs.pdf.layout import BOLD, GREY, REGULAR, RULE, Color, text_width
from consolidate.vocabulary import AMOUNT_UNITS, UNIT_DECIMALS

FORM = "AckumuleratResultat"
# (key of TrendPoint, name, colour, line width, dash pattern)
SERIES: tuple[tuple[str, str, Color, float, tuple[float, ...]], ...] = (
    ("actual", "Utfall", (0.12, 0.29, 0.49), 2.0, ()),
    ("budget", "Budget", (0.45, 0.45, 0.45), 1.2, (4.0, 2.5)),
    ("prior", "Fg år", (0.85, 0.45, 0.10), 1.2, ()),
)
MARKER = 3.6  # points, the side of a point's square


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    values: tuple[float | None, ...]  # per month of `Chart.periods`, in the display unit; None: none
    color: Color
    width: float
    dash: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """What the chart shows: the months from January through the period, a series per
    measure, and the value axis' ticks (in the display unit)."""

    periods: tuple[str, ...]
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    ticks: tuple[float, ...]
    unit: str

    @property
    def points(self) -> int:
        return sum(v is not None for s in self.series for v in s.values)


def chart_of(points: list[TrendPoint], period: str, unit: str) -> Chart:
    """The chart of `points` (one a month, of the year of `period`, up to it)."""
    year, last = period[:4], int(period[5:7])
    periods = tuple(f"{year}-{m:02d}" for m in range(1, last + 1))
    by_period = {p.period: p for p in points}
    factor = AMOUNT_UNITS[unit]
    series = []
    for key, name, color, width, dash in SERIES:
        values = []
        for month in periods:
            value = getattr(by_period[month], key) if month in by_period else None
            values.append(None if value is None or not math.isfinite(value) else value / factor)
        if any(v is not None for v in values):
            series.append(Series(key, name, tuple(values), color, width, dash))
    shown = [v for s in series for v in s.values if v is not None]
    labels = tuple(MONTHS[int(p[5:7]) - 1] for p in periods)
    return Chart(periods, labels, tuple(series), nice_ticks(min([0.0, *shown]), max([0.0, *shown])), unit)


def nice_ticks(low: float, high: float, most: int = 6) -> tuple[float, ...]:
    """Round values from at or below `low` to at or above `high`, at most `most`+1 of
    them, a step of 1, 2, 2.5 or 5 times a power of ten; zero among them."""
    if high - low <= 0:
        high = low + 1.0
    raw = (high - low) / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
        if ticks[-1] >= high:
            break
    return tuple(ticks)


def draw(canvas: Any, chart: Chart, x: float, y: float, width: float, height: float, title: str) -> None:
    """The chart in the box from (x, y), `width` by `height` points: title, legend,
    axes with ticks, a path and markers per series. As a form XObject `FORM`."""
    canvas.beginForm(FORM)
    decimals = next(d for d in range(4) if d == 3 or all(abs(t * 10**d - round(t * 10**d)) < 1e-6 for t in chart.ticks))
    labels = [swedish(t, decimals) for t in chart.ticks]
    axis_room = max(text_width(label, REGULAR, 7.0) for label in labels) + 6.0
    left, right = x + axis_room, x + width - 8.0
    bottom, top = y + 22.0, y + height - 40.0
    canvas.setFont(BOLD, 9.5)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawString(x, y + height - 10.0, title)
    legend_x = x
    canvas.setFont(REGULAR, 7.5)
    for series in chart.series:  # the legend: a stroke and the name
        canvas.setStrokeColorRGB(*series.color)
        canvas.setLineWidth(series.width)
        canvas.setDash(list(series.dash))
        canvas.line(legend_x, y + height - 24.0, legend_x + 18.0, y + height - 24.0)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.drawString(legend_x + 22.0, y + height - 26.5, series.name)
        legend_x += 22.0 + text_width(series.name, REGULAR, 7.5) + 16.0
    low, high = chart.ticks[0], chart.ticks[-1]
    span = (high - low) or 1.0

    def vertical(value: float) -> float:
        return bottom + (value - low) / span * (top - bottom)

    count = len(chart.periods)

    def horizontal(i: int) -> float:
        step = (right - left) / count
        return left + step * (i + 0.5)

    canvas.setDash()
    canvas.setFont(REGULAR, 7.0)
    for tick, label in zip(chart.ticks, labels):  # grid lines and the value axis
        level = vertical(tick)
        canvas.setStrokeColorRGB(*(RULE if tick == 0 else (0.86, 0.86, 0.86)))
        canvas.setLineWidth(0.8 if tick == 0 else 0.4)
        canvas.line(left, level, right, level)
        canvas.setFillColorRGB(*GREY)
        canvas.drawRightString(left - 4.0, level - 2.5, label)
    canvas.setFillColorRGB(*GREY)
    for i, label in enumerate(chart.labels):  # the months
        canvas.drawCentredString(horizontal(i), bottom - 12.0, label)
    canvas.drawRightString(right, y + height - 26.5, f"Belopp i {chart.unit}")
    for series in chart.series:
        canvas.setStrokeColorRGB(*series.color)
        canvas.setFillColorRGB(*series.color)
        canvas.setLineWidth(series.width)
        canvas.setDash(list(series.dash))
        run: list[tuple[float, float]] = []
        for i, value in enumerate([*series.values, None]):  # a path through consecutive months
            if value is not None:
                run.append((horizontal(i), vertical(value)))
                continue
            if len(run) > 1:
                path = canvas.beginPath()
                path.moveTo(*run[0])
                for point in run[1:]:
                    path.lineTo(*point)
                canvas.drawPath(path, stroke=1, fill=0)
            run = []
        canvas.setDash()
        for i, value in enumerate(series.values):
            if value is not None:
                canvas.rect(horizontal(i) - MARKER / 2, vertical(value) - MARKER / 2, MARKER, MARKER,
                            stroke=0, fill=1)
    actual = next((s for s in chart.series if s.key == "actual"), None)
    last = None if actual is None else max((i for i, v in enumerate(actual.values) if v is not None), default=None)
    if actual is not None and last is not None:  # the latest Utfall's value beside its point
        value = actual.values[last]
        assert value is not None
        label = swedish(value, UNIT_DECIMALS[chart.unit])
        canvas.setFont(BOLD, 7.5)
        canvas.setFillColorRGB(*actual.color)
        at = horizontal(last) + MARKER
        if at + text_width(label, BOLD, 7.5) > right:
            at = horizontal(last) - MARKER - text_width(label, BOLD, 7.5)
        canvas.drawString(at, vertical(value) + MARKER, label)
    canvas.endForm()
    canvas.doForm(FORM)
