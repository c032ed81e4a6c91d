"""A closed period's source rows in the history store (SPEC §13), compactly: one blob
per close, the rows column by column as JSON, compressed, with what is needed to
explain a figure without the files or today's configuration — the tree (with its
motpart codes), the report layouts with their line weights, the difference line and,
per file and sheet, the column of each measure (for the cell references).

At 2,000 units a close has some 100 000 source rows; packed they take about a fifth
of their JSON (file and sheet names are kept once each, the rows refer to them).
"""

from __future__ import annotations

import dataclasses
import zlib
from collections import OrderedDict

import numpy as np
import orjson
import pandas as pd

from consolidate.config.chart import Chart, Line, Report, ReportRow
from consolidate.config.region import Config
from consolidate.config.tree import Entity, Tree
from consolidate.core.adjustments import from_records, to_records
from consolidate.core.period import INCOME_COLUMNS, Result
from consolidate.core.rollup import add_variances
from consolidate.vocabulary import MEASURES

FORMAT = 1
_TEXT = ["unit", "account", "name", "counterparty", "line"]


def pack(result: Result) -> bytes | None:
    """The source rows and what explains them, packed (None when there are none)."""
    table = result.source_rows
    if table is None:
        return None
    config = result.config
    files, file_index = _factor(table["file"])
    sheets, sheet_index = _factor(table["sheet"])
    document = {
        "format": FORMAT,
        "text": {c: table[c].astype(object).where(table[c].notna(), None).tolist() for c in _TEXT},
        "row": table["row"].astype(np.int64).tolist(),
        "measures": {m: table[m].to_numpy(dtype=np.float64) for m in MEASURES},
        "files": files, "file": file_index, "sheets": sheets, "sheet": sheet_index,
        "cells": [[f, s, columns] for (f, s), columns in result.source_columns.items()],
        "tree": [[e.code, e.name, e.parent, list(e.motpart)] for e in config.tree.entities.values()],
        "lines": [[line.code, line.name] for line in config.chart.lines],
        "reports": [[r.name, [[row.name, row.total] for row in r.rows], [list(w) for w in r.weights]]
                    for r in config.chart.reports],
        "difference_line": config.eliminations.difference_line,
        "adjustments": to_records(result.adjustments),
    }
    # level 1: a fifth of level 6's time (0.05 s against 0.21 s at 2,000 units) for a blob a third larger
    return zlib.compress(orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY), 1)


def _factor(column: pd.Series) -> tuple[list, list[int]]:
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    return [None if pd.isna(u) else u for u in uniques.tolist()], codes.tolist()


def unpack(blob: bytes) -> dict:
    document = orjson.loads(zlib.decompress(blob))
    if document.get("format") != FORMAT:
        raise ValueError(f"unknown format {document.get('format')!r}")
    return document


def source_rows(document: dict) -> pd.DataFrame:
    columns: dict[str, object] = dict(document["text"])
    files, sheets = document["files"], document["sheets"]
    columns["file"] = [files[k] for k in document["file"]]
    columns["sheet"] = [sheets[k] for k in document["sheet"]]
    columns["row"] = document["row"]
    for m in MEASURES:
        columns[m] = np.array([np.nan if v is None else v for v in document["measures"][m]], dtype=np.float64)
    return pd.DataFrame({c: columns[c] for c in [*INCOME_COLUMNS, "line"]})


def closed_result(config: Config, period: str, document: dict, income: pd.DataFrame) -> Result:
    """A `Result` of a closed period from the store: its report rows (`income`: entity,
    report, row, position and the six measures, as recorded), its source rows, and the
    tree, reports and difference line it was closed with."""
    entities = [Entity(code, name, parent, tuple(motpart)) for code, name, parent, motpart in document["tree"]]
    tree = Tree.build(entities, "historiken")
    lines = tuple(Line(code, name, ()) for code, name in document["lines"])
    reports = tuple(
        Report(name, tuple(ReportRow(row, total=bool(total)) for row, total in rows), tuple(tuple(w) for w in weights))
        for name, rows, weights in document["reports"]
    )
    chart = Chart(config.chart.path, lines, reports, {})
    elim = dataclasses.replace(config.eliminations, difference_line=document["difference_line"])
    closed_config = dataclasses.replace(config, tree=tree, chart=chart, eliminations=elim)
    result = Result(closed_config, period, [])
    result.rows = add_variances(income.copy())
    result.source_rows = source_rows(document)
    result.source_columns = OrderedDict(((f, s), columns) for f, s, columns in document["cells"])
    result.adjustments = from_records(document.get("adjustments"))  # closes made before adjustments: none
    return result


def accounts_by_unit(document: dict) -> dict[str, list[tuple[str, str]]]:
    """Per unit, the accounts it reported (code and the name it gave), first seen first."""
    found: dict[str, dict[str, str]] = {}
    text = document["text"]
    for unit, account, name in zip(text["unit"], text["account"], text["name"]):
        if unit is None or account is None:
            continue
        accounts = found.setdefault(unit, {})
        if account not in accounts or (not accounts[account] and name):
            accounts[account] = name or ""
    return {unit: sorted(accounts.items()) for unit, accounts in found.items()}
