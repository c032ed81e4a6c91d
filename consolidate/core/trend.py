"""Trends (SPEC §15): the month-by-month series of the year, from the closed months in
the history store and the month being run, for the region and each administration."""

from __future__ import annotations

import pandas as pd

from consolidate.config.tree import Tree
from consolidate.core.period import Result
from consolidate.vocabulary import MEASURES

TREND_KEYS = ["entity", "row", "period", "actual", "budget", "var_budget", "forecast", "prior"]


def trend_entities(result: Result, entity: str | None = None) -> list[str]:
    """The region and each administration, and with `entity` that entity and the ones
    right below it."""
    return entities_of_trend(result.config.tree, entity)


def entities_of_trend(tree: Tree, entity: str | None = None) -> list[str]:
    """`trend_entities` of a tree."""
    found = [tree.root, *tree.children[tree.root]]
    if entity is not None:
        found += [e for e in (entity, *tree.children[entity]) if e not in found]
    return found


def series(result: Result, closed: pd.DataFrame | None, report: str, entity: str | None = None) -> pd.DataFrame:
    """The closed months and the month being run (which replaces a closed version of
    itself), every row of `report` for the trend's entities, in period order."""
    entities = trend_entities(result, entity)
    rows = result.rows
    if rows is None:
        return pd.DataFrame(columns=[*TREND_KEYS, "position"])
    current = rows[(rows["report"] == report) & rows["entity"].isin(entities)]
    current = current[["entity", "row", "position", *MEASURES]].assign(period=result.period)
    parts = [current]
    if closed is not None and len(closed):
        parts.insert(0, closed[closed["period"] < result.period])
    frame = pd.concat(parts, ignore_index=True)
    frame["var_budget"] = frame["actual"] - frame["budget"]
    order = {code: k for k, code in enumerate(entities)}
    frame = frame.assign(_e=frame["entity"].map(order)).sort_values(["_e", "position", "period"], kind="stable")
    return frame[[*TREND_KEYS, "position"]].reset_index(drop=True)
