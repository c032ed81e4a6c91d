"""Staffing per entity (SPEC §2): summed hours rolled up the tree, and the ratios of
those sums — årsarbetare, sick leave, long spells — never averages of unit ratios.

A measure whose column a contributing sheet lacks is unknown (NaN) for every entity
above that sheet's unit, so a missing column gives an empty ratio, never zero.
"""

from __future__ import annotations

import pandas as pd

from .consolidation import ancestry
from .staffing import AGE_BANDS, DIMENSIONS, STAFF_MEASURES
from .tree import Tree

OUTPUT_KEYS = [
    "entity", "by", "key",
    "headcount", "headcount_prior", "fte", "fte_prior",
    "sick_pct", "sick_pct_prior", "sick_short_pct", "sick_short_pct_prior",
    "long_sick_share_pct", "long_sick_share_pct_prior", "hired_hours", "hired_hours_prior",
]


def _sum_unknown(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Group sums where any unknown (NaN) member makes the sum unknown."""
    grouped = frame.groupby(keys, sort=False, dropna=False)[list(STAFF_MEASURES)]
    sums = grouped.sum()
    unknown = frame[list(STAFF_MEASURES)].isna().groupby([frame[k] for k in keys], sort=False, dropna=False).any()
    return sums.mask(unknown)


def entity_hours(table: pd.DataFrame, tree: Tree) -> pd.DataFrame:
    """Summed hours and headcount per (entity, by, key); by = None for the total.

    A breakdown is given for an entity only when every unit below it that has staff
    rows gives that breakdown on every row ("where the rows allow")."""
    links = ancestry(tree)
    units = table["unit"].unique()
    parts = [_rolled(table.assign(by="", key=""), links, ["by", "key"])]
    for dimension in DIMENSIONS:
        complete = table[dimension].notna().groupby(table["unit"]).all()
        incomplete_units = set(complete[~complete].index)
        blocked = set(links[links["member"].isin(incomplete_units)]["entity"])
        with_values = table[table["unit"].isin(set(units) - incomplete_units)]
        if with_values.empty:
            continue
        rolled = _rolled(with_values.assign(by=dimension, key=with_values[dimension]), links, ["by", "key"])
        parts.append(rolled[~rolled["entity"].isin(blocked)])
    return pd.concat(parts, ignore_index=True)


def _rolled(frame: pd.DataFrame, links: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    per_unit = _sum_unknown(frame, ["unit", *keys]).reset_index()
    merged = per_unit.merge(links, left_on="unit", right_on="member")
    return _sum_unknown(merged, ["entity", *keys]).reset_index()


def _ratio(numerator: pd.Series, base: pd.Series, scale: float = 100.0) -> pd.Series:
    """scale * numerator / base; None (NaN) where the base is 0 or unknown."""
    base = base.where(base != 0)
    return scale * numerator / base


def staffing_table(table: pd.DataFrame, tree: Tree, fte_hours_per_year: float, months: int) -> pd.DataFrame:
    """Every entity's staffing key figures (SPEC §5 `staffing`), totals first, then by
    gender, age band and staff group. Entities without staff rows get zeros."""
    hours = entity_hours(table, tree) if not table.empty else pd.DataFrame(columns=["entity", "by", "key", *STAFF_MEASURES])
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
    return _ordered(out[OUTPUT_KEYS], tree)


def _ordered(frame: pd.DataFrame, tree: Tree) -> pd.DataFrame:
    entity_order = {code: i for i, code in enumerate(tree.entities)}
    by_order = {"": 0, "gender": 1, "age_band": 2, "group": 3}
    key_order = {"": -1, "K": 0, "M": 1, **{band: i for i, band in enumerate(AGE_BANDS)}}
    frame = frame.assign(
        _e=frame["entity"].map(entity_order),
        _b=frame["by"].map(by_order),
        _k=frame["key"].map(lambda k: key_order.get(k, 99)),
    )
    frame = frame.sort_values(["_e", "_b", "_k", "key"], kind="stable")
    frame = frame.drop(columns=["_e", "_b", "_k"]).reset_index(drop=True)
    frame[["by", "key"]] = frame[["by", "key"]].replace({"": None})
    return frame.astype(object).where(frame.notna(), None)
