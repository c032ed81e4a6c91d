"""Accounts onto the common chart's lines, and Motpart values onto the tree's
counterparty codes."""

from __future__ import annotations

import pandas as pd

from consolidate.config.chart import Chart
from consolidate.config.region import Eliminations
from consolidate.core.internal import list_files
from consolidate.formatting import amount
from consolidate.problems import ERROR, WARNING, Problem


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
        shown = group["row"].head(5).tolist()
        cells = f"{'rad' if len(shown) == 1 else 'rader'} {', '.join(map(str, shown))}{' …' if len(group) > 5 else ''}"
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
    """Motpart as the motpart code of the tree it means, written as region.toml writes
    it: `12`, `012`, `12.0`, `12 Hälso- och sjukvård`, `12-Namn` and `12 - Namn` all
    mean a code `12` (or `012`); see `Eliminations.code_key`. Other values (external
    parties, empty) stay as they are. Worked out once per distinct value."""
    if not owners:
        return values
    key = Eliminations.code_key
    by_key = {key(code): code for code in owners}

    def code(value: str) -> str:
        if not value or value in owners:
            return value
        found = by_key.get(key(value))
        if found is None and not value[:1].isdigit() and len(value.split()) > 1:
            found = by_key.get(key(value.split()[0]))  # "RK Regionkontoret"
        return found if found is not None else value

    return values.map({v: code(v) for v in values.unique()})


def unknown_counterparties(table: pd.DataFrame, owners: dict[str, str],
                           external: tuple[str, ...] | None) -> list[Problem]:
    """Motpart values (after `counterparty_codes`) that are no entity's code: one
    problem per distinct code, naming how it is written and its files. A warning (the
    figure counts as external) unless `[eliminations] external` lists the external
    codes: then a value listed there passes and any other is an error."""
    values = table["counterparty"]
    unknown = [v for v in values.unique().tolist() if v and v not in owners]
    if not unknown:
        return []
    key = Eliminations.code_key
    listed = {key(code) for code in external} if external is not None else set()
    spellings: dict[str, list[str]] = {}
    for value in sorted(unknown, key=lambda v: (len(v), v)):  # the shortest spelling first
        if key(value) not in listed:
            spellings.setdefault(key(value), []).append(value)
    if not spellings:
        return []
    rows = table.loc[values.isin([v for written in spellings.values() for v in written]),
                     ["counterparty", "file", "sheet", "row", "unit"]]
    first = rows.drop_duplicates(["counterparty", "file", "unit"])  # each value's first row per file and unit
    return [_unknown(written, first[first["counterparty"].isin(written)], external)
            for _, written in sorted(spellings.items())]


def _unknown(written: list[str], first: pd.DataFrame, external: tuple[str, ...] | None) -> Problem:
    """The problem of one code: `written` its spellings, shortest first; `first` the
    first row of each spelling in each file and unit."""
    def shown(value: str) -> str:
        return repr(value if len(value) <= 40 else value[:40] + "…")

    names = sorted(set(first["file"]))
    where = first.iloc[0]  # in the order the files were read
    units = set(first["unit"])
    what = f"Motpart {shown(written[0])}"
    if len(written) > 1:
        what += f" (även skriven {', '.join(shown(v) for v in written[1:4])}{' …' if len(written) > 4 else ''})"
    in_files = f"i {list_files(names)}"
    if external is None:
        message = (f"{what} är ingen enhets motpartskod och räknas som extern ({in_files}); är den en enhet i "
                   "regionen, ange koden i motpart för den enheten, annars lista de externa koderna i "
                   "[eliminations] external")
        severity = WARNING
    else:
        message = (f"{what} är varken någon enhets motpartskod eller listad i [eliminations] external "
                   f"({in_files}); rätta Motpart i filen, eller lägg koden i motpart för rätt enhet "
                   "eller i external")
        severity = ERROR
    return Problem(
        message, file=where["file"], sheet=where["sheet"], cell=f"rad {where['row']}",
        unit=units.pop() if len(units) == 1 else None, severity=severity, check="unknown_counterparty",
        extra={"motpart": written, "files": names},
    )
