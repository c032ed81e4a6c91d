"""Accounts onto the common chart's lines, and Motpart values onto the tree's
counterparty codes."""

from __future__ import annotations

import pandas as pd

from consolidate.config.chart import Chart
from consolidate.formatting import amount
from consolidate.problems import Problem


def map_accounts(table: pd.DataFrame, chart: Chart) -> tuple[pd.Series, list[Problem]]:
    """The chart line of every row; each unmapped account is one problem naming its
    units, files and amounts."""
    accounts = table["account"].unique()
    lookup = {a: chart.line_of(a) for a in accounts}
    lines = table["account"].map(lookup)
    problems = []
    missing = table[lines.isna()]
    for account, rows in missing.groupby("account", sort=True):
        problems.append(_unmapped(account, rows))
    return lines, problems


def _unmapped(account: str, rows: pd.DataFrame) -> Problem:
    parts = []
    for (unit, file, sheet), group in rows.groupby(["unit", "file", "sheet"], sort=True, dropna=False):
        cells = ", ".join(f"rad {r}" for r in group["row"].head(5))
        parts.append(f"{unit} i {file} (blad {sheet}, {cells}): utfall {amount(group['actual'].sum(), 'kr')} kr")
    first = rows.iloc[0]
    names = [n for n in rows["name"].unique().tolist() if isinstance(n, str) and n] if "name" in rows else []
    named = f" ({names[0]})" if names else ""
    return Problem(
        f"kontot {account}{named} finns inte i kontoplanen: " + "; ".join(parts),
        file=first["file"], sheet=first["sheet"], cell=f"rad {first['row']}", unit=first["unit"],
        check="unmapped_account", extra={"account": account},
    )


def counterparty_codes(values: pd.Series, owners: dict[str, str]) -> pd.Series:
    """Motpart as a code of the tree where it is one: ledger exports often write the
    code with its name ("11 Hälso- och sjukvård"); other values stay as they are."""
    def code(value: str) -> str:
        if value in owners or not value:
            return value
        first = value.split()[0] if value.split() else value
        return first if first in owners else value

    return values.map({v: code(v) for v in values.unique()})
