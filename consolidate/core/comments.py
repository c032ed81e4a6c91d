"""The units' comments on their figures (SPEC §14): a unit comment in the income
workbook's title block (`Kommentar:`) and per-row comments in a `Kommentar` column,
collected with where they stand; and the `missing_comment` warning for a unit whose
result deviates from budget by more than `[comments] required_above` without a unit
comment.

Comments are text: control characters are removed here (line breaks are kept, tabs
become spaces); every output writes them as text, never as a formula or markup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce

import pandas as pd

from consolidate.config.chart import Chart
from consolidate.config.tree import Tree
from consolidate.formatting import amount
from consolidate.problems import WARNING, Problem, cell_name
from consolidate.readers.files import Source
from consolidate.sanitize import plain


@dataclass(frozen=True)
class Comment:
    """One comment: on an entity's figures as a whole (`account` None: the unit comment)
    or on one of its rows (the account and the chart line it maps to)."""

    entity: str
    account: str | None
    line: str | None
    text: str
    file: str
    sheet: str | None
    cell: str | None

    def as_record(self) -> dict:
        """SPEC §14 `comments`: entity, account, line, text, file, cell."""
        return {"entity": self.entity, "account": self.account, "line": self.line, "text": self.text,
                "file": self.file, "cell": self.cell}


def clean(text: str) -> str:
    """A comment as text: no control characters, tabs as spaces, lines stripped and
    empty lines dropped; line breaks kept."""
    lines = (" ".join(line.split()) for line in plain(text.replace("\r\n", "\n").replace("\t", " ")).split("\n"))
    return "\n".join(line for line in lines if line)


def collect(sources: list[Source], tree: Tree, chart: Chart) -> list[Comment]:
    """Every comment of the income files, in file and row order. A unit comment belongs
    to the file's unit; in a workbook of many units, to the lowest entity holding them
    all. A row's comment belongs to the row's unit."""
    found: list[Comment] = []
    for source in sources:
        rows = source.rows
        if rows is None:
            continue
        sheet = rows.sheet or None
        stated = rows.stated
        if stated.comment and (text := clean(stated.comment)):
            units = sorted({u for u in rows.unit if u is not None and u in tree.entities})
            entity = reduce(tree.lowest_common, units) if units else (
                stated.unit if stated.unit in tree.entities else None)
            if entity is not None:
                found.append(Comment(entity, None, None, text, source.display, sheet, stated.comment_cell))
        column = getattr(rows, "comment_column", None)
        for i, written in getattr(rows, "row_comments", ()):
            unit = rows.unit[i] if i < len(rows.unit) else None
            text = clean(written)
            if unit is None or unit not in tree.entities or not text:
                continue
            account = rows.account[i]  # type: ignore[attr-defined]
            cell = cell_name(rows.row[i] - 1, column) if column is not None else None
            found.append(Comment(unit, account, chart.line_of(account), text, source.display, sheet, cell))
    return found


def unit_comments(comments: list[Comment]) -> dict[str, str]:
    """Entity -> its comment on its figures as a whole (several joined by a line break)."""
    found: dict[str, list[str]] = {}
    for comment in comments:
        if comment.account is None:
            found.setdefault(comment.entity, []).append(comment.text)
    return {entity: "\n".join(texts) for entity, texts in found.items()}


def missing(rows: pd.DataFrame, comments: list[Comment], tree: Tree, chart: Chart, required_above: float | None,
            files: dict[str, str]) -> list[Problem]:
    """A warning for each unit whose result (the default report's last row) deviates
    from budget by more than `required_above` kr, either way, without a unit comment.
    `files`: each unit's income file, named in the warning. Amounts in kr, as the
    limit is given."""
    if required_above is None or rows is None:
        return []
    report = chart.reports[0]
    last = len(report.rows) - 1
    mine = rows[(rows["report"] == report.name) & (rows["position"] == last)]
    variances = dict(zip(mine["entity"].tolist(), mine["var_budget"].tolist()))
    commented = set(unit_comments(comments))
    found = []
    for code in tree.units:
        variance = variances.get(code)
        if variance is None or math.isnan(variance) or abs(variance) <= required_above or code in commented:
            continue
        found.append(Problem(
            f"resultatet avviker från budget med {amount(variance, 'kr')} kr, mer än gränsen "
            f"{amount(required_above, 'kr')} kr ([comments] required_above), men enheten har ingen kommentar; "
            "skriv den i resultatfilens rubrikblock (Kommentar: …)",
            file=files.get(code), unit=code, severity=WARNING, check="missing_comment", extra={"difference": variance},
        ))
    return found
