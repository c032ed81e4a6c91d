"""Staffing per entity (SPEC §2): summed hours rolled up the tree, and the ratios of
those sums — årsarbetare, sick leave, long spells — never averages of unit ratios.

A measure whose column a contributing sheet lacks is unknown (NaN) for every entity
above that sheet's unit, so a missing column gives an empty ratio, never zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from consolidate.config.tree import Tree
from consolidate.core.rollup import ancestor_chains, chain_of, expand_to_ancestors, sum_by
from consolidate.sanitize import plain
from consolidate.vocabulary import AGE_BANDS, BY_NAMES, DIMENSIONS, STAFF_FIGURES, STAFF_MEASURES

OUTPUT_KEYS = ["entity", "by", "key", *STAFF_FIGURES]


def entity_hours(table: pd.DataFrame, tree: Tree) -> pd.DataFrame:
    """Summed hours and headcount per (entity, by, key); by = "" for the total.

    A breakdown is given for an entity only when every unit below it that has staff
    rows gives that breakdown on every row ("where the rows allow"). A sum with an
    unknown (NaN) member is unknown."""
    entities = tuple(tree.entities)
    position = {code: k for k, code in enumerate(entities)}
    table = table[table["unit"].isin(position)]
    unit = table["unit"].map(position).to_numpy(dtype=np.int64)
    values = table[list(STAFF_MEASURES)].to_numpy(dtype=np.float64)
    chains = ancestor_chains(tree, entities, position)
    parts = [_rolled(unit, np.zeros(len(unit), dtype=np.int64), [""], values, chains, entities, "")]
    for dimension in DIMENSIONS:
        column = table[dimension]
        given = column.notna().to_numpy()
        incomplete = np.unique(unit[~given])
        blocked = {entities[a] for u in incomplete for a in chain_of(chains, u)}
        keep = given & ~np.isin(unit, incomplete)
        if not keep.any():
            continue
        codes, keys = pd.factorize(column[keep])
        rolled = _rolled(unit[keep], codes.astype(np.int64), keys.tolist(), values[keep], chains, entities, dimension)
        parts.append(rolled[~rolled["entity"].isin(blocked)])
    return pd.concat(parts, ignore_index=True)


def _rolled(unit, key, keys, values, chains, entities, by: str) -> pd.DataFrame:
    """Sums per (entity, key) over every row of the units below the entity."""
    n_keys = len(keys)
    known = np.where(np.isnan(values), 0.0, values)
    unknown = np.isnan(values).astype(np.float64)
    # per (unit, key) first, then each of those to every entity at or above the unit
    groups, group_of_row = np.unique(unit * n_keys + key, return_inverse=True)
    sums = sum_by(group_of_row, known, len(groups))
    missing = sum_by(group_of_row, unknown, len(groups))
    entity, group = expand_to_ancestors(groups // n_keys, chains)
    target = entity * n_keys + (groups % n_keys)[group]
    present, slot = np.unique(target, return_inverse=True)
    totals = sum_by(slot, sums[group], len(present))
    totals[sum_by(slot, missing[group], len(present)) > 0] = np.nan
    frame = pd.DataFrame(totals, columns=list(STAFF_MEASURES))
    frame.insert(0, "entity", [entities[e] for e in present // n_keys])
    frame.insert(1, "by", by)
    frame.insert(2, "key", [keys[k] for k in present % n_keys])
    return frame


def _ratio(numerator: pd.Series, base: pd.Series, scale: float = 100.0) -> pd.Series:
    """scale * numerator / base; None (NaN) where the base is 0 or unknown."""
    base = base.where(base != 0)
    return scale * numerator / base


def staffing_table(table: pd.DataFrame, tree: Tree, fte_hours_per_year: float, months: int) -> pd.DataFrame:
    """Every entity's staffing key figures (SPEC §5 `staffing`), totals first, then by
    gender, age band and staff group. Entities without staff rows get zeros."""
    if table.empty:
        hours = pd.DataFrame(columns=["entity", "by", "key", *STAFF_MEASURES])
    else:
        hours = entity_hours(table, tree)
    totals = hours[hours["by"] == ""].set_index("entity")
    missing = [e for e in tree.entities if e not in totals.index]
    if missing:
        zeros = pd.DataFrame(0.0, index=pd.Index(missing, name="entity"), columns=list(STAFF_MEASURES))
        zeros["by"], zeros["key"] = "", ""
        hours = pd.concat([hours, zeros.reset_index()], ignore_index=True)
    year_hours = fte_hours_per_year * months / 12
    out = pd.DataFrame({"entity": hours["entity"], "by": hours["by"], "key": hours["key"]})
    for suffix in ("", "_prior"):
        out[f"headcount{suffix}"] = hours[f"headcount{suffix}"]
        out[f"fte{suffix}"] = hours[f"hours_worked{suffix}"] / year_hours
        out[f"sick_pct{suffix}"] = _ratio(hours[f"sick_hours{suffix}"], hours[f"hours_scheduled{suffix}"])
        out[f"sick_short_pct{suffix}"] = _ratio(hours[f"sick_short_hours{suffix}"], hours[f"hours_scheduled{suffix}"])
        out[f"long_sick_share_pct{suffix}"] = _ratio(hours[f"sick_long_hours{suffix}"], hours[f"sick_hours{suffix}"])
        out[f"hired_hours{suffix}"] = hours[f"hired_hours{suffix}"]
        for band in ("15_90", "91_365", "366"):  # SPEC §16: by length of spell, of scheduled hours
            out[f"sick_{band}_pct{suffix}"] = _ratio(hours[f"sick_{band}_hours{suffix}"],
                                                      hours[f"hours_scheduled{suffix}"])
        for key in ("hours_worked", "hours_worked_incl_on_call", "pool_hours"):
            out[f"{key}{suffix}"] = hours[f"{key}{suffix}"]
    out["fte_change"] = out["fte"] - out["fte_prior"]
    out["fte_change_pct"] = _ratio(out["fte_change"], out["fte_prior"])
    return _ordered(out[OUTPUT_KEYS], tree)


def _ordered(frame: pd.DataFrame, tree: Tree) -> pd.DataFrame:
    entity_order = {code: i for i, code in enumerate(tree.entities)}
    by_order = {"": 0, "gender": 1, "age_band": 2, "group": 3}
    key_order = {"": -1, "K": 0, "M": 1, **{band: i for i, band in enumerate(AGE_BANDS)}}
    frame = frame.assign(
        _e=frame["entity"].map(entity_order),
        _b=frame["by"].map(by_order),
        _k=frame["key"].map({k: key_order.get(k, 99) for k in frame["key"].unique()}),
    )
    frame = frame.sort_values(["_e", "_b", "_k", "key"], kind="stable")
    frame = frame.drop(columns=["_e", "_b", "_k"]).reset_index(drop=True)
    frame[["by", "key"]] = frame[["by", "key"]].replace({"": None})
    return frame.astype(object).where(frame.notna(), None)


SHOWN_BREAKDOWNS = ("gender", "age_band")  # in the published tables; Personalgrupp is in the JSON and data sheets


def blocked_units(problems: list, tree: Tree, entity: str) -> dict[str, list[str]]:
    """{breakdown: the units at or under `entity` that do not give it on every row}, from
    the `staffing_breakdown` infos of the run (SPEC §16)."""
    chains = tree.chains
    blocked: dict[str, list[str]] = {}
    for problem in problems:
        if problem.check != "staffing_breakdown":
            continue
        by = problem.extra.get("by")
        units = [u for u in problem.extra.get("units", ()) if entity in chains.get(u, ())]
        if by is not None and units:
            blocked.setdefault(by, []).extend(units)
    return blocked


def breakdown_notes(tree: Tree, entity: str, blocked: dict[str, list[str]]) -> list[str]:
    """"Uppdelning på kön och åldersgrupp saknas för HSF Hälso- och sjukvård: enheterna
    1112, 1210 anger inte kön och åldersgrupp på varje rad." One line for each set of
    units, the same in the terminal, the workbook and the PDF."""
    by_units: dict[tuple[str, ...], list[str]] = {}
    for by in SHOWN_BREAKDOWNS:
        if by in blocked:
            by_units.setdefault(tuple(blocked[by]), []).append(BY_NAMES[by].lower())
    name = plain(f"{entity} {tree.entities[entity].name}")
    notes = []
    for units, names in by_units.items():
        what = " och ".join(names)
        which = "enheten" if len(units) == 1 else "enheterna"
        listed = ", ".join(plain(u) for u in units[:10]) + (f" och {len(units) - 10} till" if len(units) > 10 else "")
        notes.append(f"Uppdelning på {what} saknas för {name}: {which} {listed} anger inte {what} på varje rad.")
    return notes
