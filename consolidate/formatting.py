"""Numbers as Swedish controllers read them: space between thousands, decimal comma."""

from __future__ import annotations

import datetime as dt
import math

from consolidate.vocabulary import AMOUNT_UNITS, MEASURE_NAMES, MEASURES, UNIT_DECIMALS


def swedish(value: float | None, decimals: int = 0) -> str:
    """`-1234567.8` -> `-1 234 567,8`; None and NaN -> empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{round_half_away(value, decimals):,.{decimals}f}".replace(",", " ").replace(".", ",")
    if text.lstrip("-").strip("0, ") == "":
        text = text.lstrip("-")  # no "-0"
    return text


def round_half_away(value: float, decimals: int = 0) -> float:
    """Round as Excel does (half away from zero), not to even: 400,5 -> 401."""
    scale = 10**decimals
    return math.copysign(math.floor(abs(value) * scale + 0.5) / scale, value)


def amount(value_kr: float | None, unit: str) -> str:
    """An amount in kr shown in the display unit."""
    if value_kr is None:
        return ""
    return swedish(value_kr / AMOUNT_UNITS[unit], UNIT_DECIMALS[unit])


def plural(count: int, one: str, many: str) -> str:
    """A count and its noun, in the singular only for exactly one: `plural(1, "fil",
    "filer")` -> `1 fil`, `0 filer`, `2 filer`, `12 345 filer`. Nouns that are the same
    in both (`fel`) are given twice."""
    return f"{count:,}".replace(",", " ") + f" {one if count == 1 else many}"


def percent(value: float | None, decimals: int = 1) -> str:
    return "" if value is None else swedish(value, decimals)


def local_time(stamp: str | None) -> str:
    """An ISO time with offset (as the history store keeps it) in this machine's local
    time, to the minute: `2026-04-05T06:00:12+00:00` -> `2026-04-05 08:00` in Sweden."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:  # recorded without an offset: already local
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def month_heading(period: str, years_back: int = 0) -> str:
    """"2026-04" -> "apr-26" (and "apr-25" a year back), as the regions' reports head
    the columns of two years."""
    year, month = int(period[:4]) - years_back, int(period[5:7])
    return f"{MONTHS[month - 1]}-{year % 100:02d}"


PARTIAL = "*"  # marks a total only some of the units delivered (SPEC §17)


def partial_notes(lacking: dict[str, tuple[int, int]], measures: tuple[str, ...] | list[str] = MEASURES) -> list[str]:
    """One footnote per partial measure among `measures`, the same in every output:
    "* Prognos saknas för 3 av 12 enheter; summan är ofullständig." """
    notes = []
    for measure in measures:
        if measure in lacking:
            missing, reporting = lacking[measure]
            noun = "enhet" if reporting == 1 else "enheter"
            notes.append(f"{PARTIAL} {MEASURE_NAMES[measure]} saknas för {missing} av {reporting} {noun}; "
                         "summan är ofullständig.")
    return notes


def listed_measures(measures) -> str:
    """"Prognos", "Prognos och Årsbudget", "Budget, Prognos och Årsbudget" (in MEASURES order)."""
    names = [MEASURE_NAMES[m] for m in MEASURES if m in measures]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]


def rows_note(lacking: set[str]) -> list[str]:
    """The footnote under a table of entities some of whose totals are partial (their
    rows marked), in the workbook and the PDF."""
    if not any(m in lacking for m in MEASURES):
        return []
    return [f"{PARTIAL} Markerade rader: {listed_measures(lacking)} saknas för en del av enheterna; "
            "summorna är ofullständiga."]
