"""What the month report takes besides the `Result`: the months of the year so far
(from the history store) and the units' comments (from their workbooks).

Both are plain data, so that whoever reads them (the history store, the comments
reader, a test) hands them over without the report knowing where they came from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from consolidate.sanitize import plain


@dataclass(frozen=True)
class TrendPoint:
    """One month of the year: the accumulated (year to date) actual, budget and last
    year's actual of the report's result row, in kr; None (or NaN) where there is none."""

    period: str  # YYYY-MM
    actual: float | None
    budget: float | None = None
    prior: float | None = None


@dataclass(frozen=True)
class UnitComment:
    """An entity's comment on its figures (the unit comment of its workbook)."""

    entity: str
    text: str


Comments = Mapping[str, str] | Iterable[UnitComment]
Trend = Iterable[TrendPoint | Mapping[str, object]]  # TrendPoints, or mappings with their keys

_SPACES = re.compile(r"[^\S\n]+")


def comment_texts(comments: Comments | None, codes: Iterable[str]) -> dict[str, str]:
    """Entity code (as the tree spells it, matched without regard to case) -> its
    comment made plain: no control characters, runs of spaces as one, line breaks
    kept. Several comments of one entity are joined; empty ones are dropped."""
    if comments is None:
        return {}
    pairs = comments.items() if isinstance(comments, Mapping) else ((c.entity, c.text) for c in comments)
    known = {code.casefold(): code for code in codes}
    found: dict[str, list[str]] = {}
    for entity, text in pairs:
        code = known.get(str(entity).casefold())
        if code is None or text is None:
            continue
        cleaned = "\n".join(_SPACES.sub(" ", line).strip() for line in plain(text).splitlines())
        cleaned = cleaned.strip()
        if cleaned:
            found.setdefault(code, []).append(cleaned)
    return {code: "\n".join(texts) for code, texts in found.items()}


def months_of(trend: Trend | None, period: str, current: TrendPoint) -> list[TrendPoint]:
    """The months of the year of `period` up to it, in order, one point each (the
    last given wins), the month of the run taken from the run itself (`current`):
    what the report shows is the run's figures, also where a close of it is stored."""
    year = period[:4]
    found: dict[str, TrendPoint] = {}
    for point in trend or ():
        month = str(_field(point, "period"))
        if re.fullmatch(r"\d{4}-\d{2}", month) and month[:4] == year and month < period:
            found[month] = TrendPoint(month, *(_number(_field(point, key)) for key in ("actual", "budget", "prior")))
    found[period] = current
    return [found[month] for month in sorted(found)]


def _field(point: object, key: str) -> object:
    """A field of a `TrendPoint`, or of a mapping with the same keys."""
    return point.get(key) if isinstance(point, Mapping) else getattr(point, key, None)


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
