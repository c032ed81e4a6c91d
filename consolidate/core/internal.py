"""Matching internal trade (SPEC §8): for each pair of parties {X, Y}, what X booked
against Y plus what Y booked against X must be zero on every measure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from consolidate.config.region import Eliminations
from consolidate.config.tree import Tree
from consolidate.formatting import swedish
from consolidate.problems import ERROR, WARNING, Problem
from consolidate.vocabulary import MEASURE_NAMES, MEASURES


def internal_rows(table: pd.DataFrame, tree: Tree) -> pd.DataFrame:
    """Rows whose Motpart names an entity, with `party` (of the unit) and
    `counterparty_entity`. A unit under no entity with motpart codes has the region
    as its party."""
    owner = tree.motpart_owner
    internal = table[table["counterparty"].isin(owner.keys())].copy()
    parties = {u: tree.party(u) or tree.root for u in internal["unit"].unique()}
    internal["party"] = internal["unit"].map(parties)
    internal["counterparty_entity"] = internal["counterparty"].map(owner)
    return internal


def mismatches(table: pd.DataFrame, tree: Tree, rules: Eliminations) -> tuple[pd.DataFrame, list[Problem]]:
    """Pairs and measures where the two sides differ by more than the tolerance.

    Returns one row per (pair, measure) that disagrees, with each side's amount and
    files, and the matching problems (warnings, or errors when strict)."""
    internal = internal_rows(table, tree)
    columns = ["party", "counterparty", "measure", "party_amount", "counterparty_amount", "difference",
               "party_files", "counterparty_files"]
    if internal.empty:
        return pd.DataFrame(columns=columns), []
    party = internal["party"].to_numpy(dtype=str)
    other = internal["counterparty_entity"].to_numpy(dtype=str)
    first = party <= other
    internal = internal.assign(a=np.where(first, party, other), b=np.where(first, other, party))
    amounts = internal.groupby(["a", "b", "party"], sort=True)[list(MEASURES)].sum()
    sides: dict[tuple[str, str], dict[str, tuple]] = {}
    for (a, b, party), values in zip(amounts.index, amounts.itertuples(index=False, name=None)):
        sides.setdefault((a, b), {})[party] = values
    records = []
    for (a, b), by_party in sides.items():
        for k, measure in enumerate(MEASURES):
            side_a = float(by_party[a][k]) if a in by_party else 0.0
            side_b = float(by_party[b][k]) if a != b and b in by_party else 0.0
            difference = side_a + side_b
            if abs(difference) > rules.tolerance:
                records.append({
                    "party": a, "counterparty": b, "measure": measure,
                    "party_amount": side_a, "counterparty_amount": side_b, "difference": difference,
                })
    _add_files(records, internal)
    frame = pd.DataFrame(records, columns=columns)
    return frame, [_problem(r, tree, rules) for r in records]


def _add_files(records: list[dict], internal: pd.DataFrame) -> None:
    """The files behind each side of the pairs that disagree (only those are looked up)."""
    pairs = {(r["party"], r["counterparty"]) for r in records}
    if not pairs:
        return
    keys = pd.MultiIndex.from_arrays([internal["a"], internal["b"]])
    involved = internal[keys.isin(list(pairs))]
    files = involved.groupby(["a", "b", "party"])["file"].agg(lambda f: sorted(set(f)))
    for r in records:
        a, b = r["party"], r["counterparty"]
        r["party_files"] = files.get((a, b, a), [])
        r["counterparty_files"] = files.get((a, b, b), []) if a != b else []


def list_files(files: list[str], limit: int = 3) -> str:
    """A few file names and how many more: for one-line messages."""
    if not files:
        return "inga filer"
    more = f" och {len(files) - limit} till" if len(files) > limit else ""
    return ", ".join(files[:limit]) + more


def _problem(record: dict, tree: Tree, rules: Eliminations) -> Problem:
    a, b = record["party"], record["counterparty"]

    def kr(value: float) -> str:
        return swedish(value) + " kr"

    label = MEASURE_NAMES[record["measure"]]
    if a == b:
        text = (
            f"interna poster inom {a} ({tree.entities[a].name}) går inte jämnt ut: {label} summerar till "
            f"{kr(record['difference'])} (filer: {list_files(record['party_files'])})"
        )
    else:
        text = (
            f"internhandel {a}–{b} stämmer inte: {label} {a} mot {b} {kr(record['party_amount'])} "
            f"({list_files(record['party_files'])}), {b} mot {a} {kr(record['counterparty_amount'])} "
            f"({list_files(record['counterparty_files'])}), skillnad {kr(record['difference'])}"
        )
    return Problem(
        text, severity=ERROR if rules.strict else WARNING, check="internal_mismatch",
        extra={
            "party": a, "counterparty": b, "measure": record["measure"], "difference": record["difference"],
            "party_amount": record["party_amount"], "counterparty_amount": record["counterparty_amount"],
            "files": sorted(set(record["party_files"]) | set(record["counterparty_files"])),
        },
    )
