"""The JSON export of SPEC §5: amounts in kr, unrounded, stable keys."""

from __future__ import annotations

import json
import math
from pathlib import Path

from .config import MEASURES
from .consolidation import VARIANCES
from .pipeline import Result

INCOME_KEYS = ["entity", "report", "row", *MEASURES, *VARIANCES]


def _number(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def entities(result: Result) -> list[dict]:
    tree = result.config.tree
    return [
        {"code": code, "name": e.name, "parent": e.parent, "level": tree.level(code)}
        for code, e in tree.entities.items()
    ]


def income(result: Result) -> list[dict]:
    """Every report row of every entity; each with `previous_close` (SPEC §7)."""
    if result.rows is None:
        return []
    frame = result.rows_with_previous()
    records = []
    for values in frame[[*INCOME_KEYS, "prev_actual", "prev_var_budget"]].itertuples(index=False, name=None):
        record = dict(zip(INCOME_KEYS, values[: len(INCOME_KEYS)]))
        for key in INCOME_KEYS[3:]:
            record[key] = float(record[key])
        prev_actual, prev_var = values[len(INCOME_KEYS):]
        record["previous_close"] = None if result.previous is None or math.isnan(prev_actual) else {
            "period": result.previous[0], "actual": float(prev_actual), "var_budget": float(prev_var),
        }
        records.append(record)
    return records


def eliminations(result: Result) -> list[dict]:
    if result.consolidated is None:
        return []
    frame = result.consolidated.eliminated
    return [
        {"entity": row["entity"], "line": row["line"], **{m: float(row[m]) for m in MEASURES}}
        for row in frame.to_dict("records")
    ]


def staffing(result: Result) -> list[dict]:
    if result.staffing is None:
        return []
    records = result.staffing.to_dict("records")
    for record in records:
        for key in ("headcount", "headcount_prior"):
            value = record[key]
            if value is not None and float(value).is_integer():
                record[key] = int(value)
        for key, value in record.items():
            if key not in ("entity", "by", "key", "headcount", "headcount_prior") and value is not None:
                record[key] = float(value)
    return records


def document(result: Result) -> dict:
    return {
        "period": result.period,
        "region": result.config.region_code,
        "entities": entities(result),
        "income": income(result),
        "staffing": staffing(result),
        "eliminations": eliminations(result),
        "checks": [p.as_check() for p in result.problems],
    }


def write_json(data: dict, path: Path) -> None:
    """Write the JSON whole or not at all."""
    from .atomic import atomic_path

    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, allow_nan=False)
