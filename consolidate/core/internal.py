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


def mismatches(table: pd.DataFrame, tree: Tree, rules: Eliminations,
               incomplete: frozenset[str] = frozenset()) -> tuple[pd.DataFrame, list[Problem]]:
    """Pairs and measures where the two sides differ by more than the tolerance.

    Returns one row per (pair, measure) that disagrees, with each side's amount and
    files, and the matching problems (warnings, or errors when strict): one per pair,
    naming every measure that differs. A party with a unit among `incomplete` (missing,
    or its file in error) cannot be matched: its pairs are not reported one by one but
    in one line naming those units (the consequence is said once)."""
    internal = internal_rows(table, tree)
    columns = ["party", "counterparty", "measure", "party_amount", "counterparty_amount", "difference",
               "party_files", "counterparty_files"]
    if internal.empty:
        return pd.DataFrame(columns=columns), []
    party = internal["party"].to_numpy(dtype=str)
    other = internal["counterparty_entity"].to_numpy(dtype=str)
    first = party <= other
    internal = internal.assign(a=np.where(first, party, other), b=np.where(first, other, party))
    # a measure a side's files lack (NaN) is not compared: its column was not delivered
    amounts = internal.groupby(["a", "b", "party"], sort=True)[list(MEASURES)].sum(min_count=1)
    sides: dict[tuple[str, str], dict[str, tuple]] = {}
    for (a, b, party), values in zip(amounts.index, amounts.itertuples(index=False, name=None)):
        sides.setdefault((a, b), {})[party] = values
    records = []
    for (a, b), by_party in sides.items():
        for k, measure in enumerate(MEASURES):
            side_a = float(by_party[a][k]) if a in by_party else 0.0
            side_b = float(by_party[b][k]) if a != b and b in by_party else 0.0
            if np.isnan(side_a) or np.isnan(side_b):
                continue
            difference = side_a + side_b
            if abs(difference) > rules.tolerance:
                records.append({
                    "party": a, "counterparty": b, "measure": measure,
                    "party_amount": side_a, "counterparty_amount": side_b, "difference": difference,
                })
    _add_files(records, internal)
    frame = pd.DataFrame(records, columns=columns)
    pairs: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        pairs.setdefault((str(r["party"]), str(r["counterparty"])), []).append(r)
    blocked = _blocked_parties(tree, incomplete)
    problems = [_problem(group, tree, rules) for (a, b), group in pairs.items()
                if a not in blocked and b not in blocked]
    for party, units in blocked.items():
        involved = sorted({f"{a}–{b}" if a != b else f"inom {a}" for a, b in pairs if party in (a, b)})
        if involved:
            problems.append(_unmatched(party, units, involved, tree))
    return frame, problems


def _blocked_parties(tree: Tree, incomplete: frozenset[str]) -> dict[str, list[str]]:
    """Each party (entity with motpart codes, or the region) whose figures lack units
    that are missing or in error: party -> those units."""
    blocked: dict[str, list[str]] = {}
    for unit in sorted(incomplete):
        if unit in tree.entities:
            blocked.setdefault(tree.party(unit) or tree.root, []).append(unit)
    return blocked


def _unmatched(party: str, units: list[str], pairs: list[str], tree: Tree) -> Problem:
    names = ", ".join(f"{u} ({tree.entities[u].name})" for u in units[:5]) + (
        f" och {len(units) - 5} till" if len(units) > 5 else "")
    which = "enheten" if len(units) == 1 else "enheterna"
    return Problem(
        f"internhandeln med {party} kan inte stämmas av förrän {which} {names} har lämnat en läsbar "
        f"resultaträkning (berör {', '.join(pairs)})",
        severity=WARNING, check="internal_mismatch", unit=units[0] if len(units) == 1 else None,
        extra={"party": party, "counterparty": None, "measure": None, "difference": None, "units": units},
    )


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


def _problem(records: list[dict], tree: Tree, rules: Eliminations) -> Problem:
    """One problem per pair, naming every measure on which its two sides differ."""
    first = records[0]
    a, b = first["party"], first["counterparty"]

    def kr(value: float) -> str:
        return swedish(value) + " kr"

    if a == b:
        sums = "; ".join(f"{MEASURE_NAMES[r['measure']]} {kr(r['difference'])}" for r in records)
        text = (
            f"interna poster inom {a} ({tree.entities[a].name}) går inte jämnt ut: summerar till {sums} "
            f"(filer: {list_files(first['party_files'])})"
        )
    else:
        sides = "; ".join(
            f"{MEASURE_NAMES[r['measure']]} {kr(r['party_amount'])} mot {kr(r['counterparty_amount'])}, "
            f"skillnad {kr(r['difference'])}" for r in records
        )
        text = (
            f"internhandel {a}–{b} stämmer inte ({a} mot {b}: {list_files(first['party_files'])}; "
            f"{b} mot {a}: {list_files(first['counterparty_files'])}): {sides}"
        )
    return Problem(
        text, severity=ERROR if rules.strict else WARNING, check="internal_mismatch",
        extra={
            "party": a, "counterparty": b, "measure": first["measure"], "difference": first["difference"],
            "party_amount": first["party_amount"], "counterparty_amount": first["counterparty_amount"],
            "measures": {r["measure"]: r["difference"] for r in records},
            "files": sorted(set(first["party_files"]) | set(first["counterparty_files"])),
        },
    )
