"""The JSON export of SPEC §5: amounts in kr, unrounded, stable keys."""

from __future__ import annotations

import math
from pathlib import Path

from .config import MEASURES
from .consolidation import VARIANCES
from .pipeline import Result

INCOME_KEYS = ["entity", "report", "row", *MEASURES, *VARIANCES]
MONEY_KEYS = {*MEASURES, *VARIANCES}


def entities(result: Result) -> list[dict]:
    tree = result.config.tree
    return [
        {"code": code, "name": e.name, "parent": e.parent, "level": tree.level(code)}
        for code, e in tree.entities.items()
    ]


def income(result: Result) -> list[dict]:
    """Every report row of every entity; each with `previous_close` (SPEC §7).

    Built column by column (`tolist` gives Python floats), not row by row."""
    if result.rows is None:
        return []
    frame = result.rows_with_previous()
    columns = [frame[k].astype(float if k in MONEY_KEYS else object).tolist() for k in INCOME_KEYS]
    records = [dict(zip(INCOME_KEYS, values)) for values in zip(*columns)]
    if result.previous is None:
        for record in records:
            record["previous_close"] = None
        return records
    period = result.previous[0]
    for record, actual, var in zip(records, frame["prev_actual"].tolist(), frame["prev_var_budget"].tolist()):
        record["previous_close"] = None if math.isnan(actual) else {"period": period, "actual": actual, "var_budget": var}
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
    """Write the JSON (UTF-8) whole or not at all."""
    import orjson

    from .atomic import atomic_path

    body = orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_SERIALIZE_NUMPY)
    with atomic_path(path) as tmp:
        tmp.write_bytes(body)
