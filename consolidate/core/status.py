"""The collection round (SPEC §12): each unit's state for its income statement and its
staffing sheet, from a period's files as read and their problems.

A state is `saknas` (no file holds the unit), `fel` (a file of the unit has an error,
or the unit is delivered twice), `varningar` (warnings only) or `klar`. Problems that
belong to no unit (a file whose unit cannot be told, internal trade between
administrations) are kept apart, for the region's own list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consolidate.config.tree import Tree
from consolidate.core.period import Delivery, Result
from consolidate.problems import Problem

STATES = ("saknas", "fel", "varningar", "klar")  # worst first
KINDS = ("income", "staffing")


@dataclass
class KindStatus:
    state: str
    files: list[Delivery] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class UnitStatus:
    unit: str
    name: str
    parent: str | None
    administration: str  # the administration (child of the region) the unit is under
    kinds: dict[str, KindStatus]  # income, and staffing when the region asks for it

    @property
    def problems(self) -> list[Problem]:
        return [p for kind in self.kinds.values() for p in kind.problems]

    @property
    def state(self) -> str:
        """The worst state of the unit's deliveries."""
        return min((k.state for k in self.kinds.values()), key=STATES.index)


@dataclass
class Round:
    units: list[UnitStatus]  # every unit of the tree, in tree order
    unplaced: list[Problem]  # problems of no unit

    def counts(self) -> dict[str, dict[str, int]]:
        """Per kind, how many units are in each state."""
        out: dict[str, dict[str, int]] = {}
        for unit in self.units:
            for kind, status in unit.kinds.items():
                out.setdefault(kind, dict.fromkeys(STATES, 0))[status.state] += 1
        return out


def collection_round(result: Result, kinds: tuple[str, ...] = KINDS) -> Round:
    """Every unit's state for each kind of delivery the region asks for."""
    tree = result.config.tree
    by_file_units: dict[tuple[str, str], tuple[str, ...]] = {}
    files_of: dict[tuple[str, str], list[Delivery]] = {}
    for delivery in result.deliveries:
        by_file_units[(delivery.kind, delivery.display)] = delivery.units
        for unit in delivery.units:
            files_of.setdefault((delivery.kind, unit), []).append(delivery)
    problems_of: dict[tuple[str, str], list[Problem]] = {}
    placed: set[int] = set()
    for kind in kinds:
        for problem in result.kind_problems.get(kind, []):
            owners = _units_of(problem, kind, by_file_units)
            for unit in owners:
                problems_of.setdefault((kind, unit), []).append(problem)
            if owners:
                placed.add(id(problem))
    units = []
    for code in tree.units:
        statuses = {}
        for kind in kinds:
            files = files_of.get((kind, code), [])
            found = problems_of.get((kind, code), [])
            statuses[kind] = KindStatus(_state(files, found), files, found)
        entity = tree.entities[code]
        units.append(UnitStatus(code, entity.name, entity.parent, _administration(tree, code), statuses))
    unplaced = [p for p in result.problems if id(p) not in placed]
    return Round(units, unplaced)


def _units_of(problem: Problem, kind: str, by_file_units: dict[tuple[str, str], tuple[str, ...]]) -> tuple[str, ...]:
    """The units a problem is to be sent to: its own unit, else every unit of its file."""
    if problem.unit is not None:
        return (problem.unit,)
    if problem.file is not None:
        return by_file_units.get((kind, problem.file), ())
    return ()


def _state(files: list[Delivery], problems: list[Problem]) -> str:
    if not files:
        return "saknas"
    if any(p.is_error for p in problems):
        return "fel"
    return "varningar" if problems else "klar"


def _administration(tree: Tree, code: str) -> str:
    chain = tree.chains[code]  # the unit, its parents, ..., the region
    return chain[-2] if len(chain) >= 2 else code
