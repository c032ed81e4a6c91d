"""The organisation tree: region, administrations, intermediate groups and units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from consolidate.config.tables import Origin
from consolidate.problems import ConfigError


@dataclass(frozen=True)
class Entity:
    code: str
    name: str
    parent: str | None
    motpart: tuple[str, ...] = ()


class Definition(NamedTuple):  # a named tuple: one is made for each of thousands of rows
    """An entity as a row of the tree table or an `[[entity]]` table defines it, for
    the periods from `start` to `end`, both included (None: without limit)."""

    entity: Entity
    origin: Origin
    start: str | None = None
    end: str | None = None

    def covers(self, period: str) -> bool:
        return (self.start is None or self.start <= period) and (self.end is None or period <= self.end)

    def overlaps(self, other: Definition) -> str | None:
        """The first period both cover, or None."""
        first = max(self.start or "", other.start or "")
        last = min(self.end or "9999-99", other.end or "9999-99")
        return first if first <= last else None


def tree_of(definitions: list[Definition], root: Entity, period: str, file: str) -> Tree:
    """The tree valid in `period`: the region and every definition that covers it.

    Checked over every period, so that a mistake does not wait for the month it
    concerns: one code defined twice for the same period, the region's code given a
    row, a parent that no row defines. Then the period's tree as `Tree.build` checks it."""
    seen: dict[str, list[Definition]] = {}
    for definition in definitions:
        code = definition.entity.code
        if code == root.code:
            raise ConfigError(definition.origin.file, definition.origin.key("code"),
                              f"{code!r} är regionens kod; regionen har ingen egen rad (en förvaltning har "
                              f"förälder {root.code})")
        for other in seen.get(code, ()):
            first = definition.overlaps(other)
            if first is not None:
                when = "" if first == "" else f" för {first}"
                raise ConfigError(definition.origin.file, definition.origin.key("code"),
                                  f"koden {code!r} förekommer två gånger{when} (också i {other.origin.named()}); "
                                  "en enhet som byter förälder får en rad med Till och en med Från")
        seen.setdefault(code, []).append(definition)
    for definition in definitions:
        parent = definition.entity.parent
        if parent != root.code and parent not in seen:
            raise ConfigError(definition.origin.file, definition.origin.key("parent"),
                              f"okänd förälder {parent!r} för {definition.entity.code!r}")
    chosen = [d for d in definitions if d.covers(period)]
    return Tree.build([root, *(d.entity for d in chosen)], file, [d.origin for d in chosen], period)


@dataclass(frozen=True)
class Tree:
    root: str
    entities: dict[str, Entity]  # in display order: depth first, config order among siblings
    children: dict[str, tuple[str, ...]]

    @classmethod
    def build(cls, entities: list[Entity], file: str, origins: Sequence[Origin] | None = None,
              period: str | None = None) -> Tree:
        """Check codes, parents and motpart codes; order the entities depth first.
        `entities[0]` is the region; `origins` says where each of the others is
        defined (else `[[entity]]` tables of `file`, in order), `period` which
        period's tree this is (for messages)."""
        def at(i: int, field: str) -> tuple[str, str]:  # i: the place in entities[1:]
            if origins is None:
                return file, f"entity[{i}].{field}"
            return origins[i].file, origins[i].key(field)

        by_code: dict[str, Entity] = {}
        for i, entity in enumerate(entities):
            if entity.code in by_code:
                raise ConfigError(*at(i - 1, "code"), f"koden {entity.code!r} förekommer två gånger")
            by_code[entity.code] = entity
        root = entities[0].code
        children: dict[str, list[str]] = {code: [] for code in by_code}
        for i, entity in enumerate(entities[1:]):
            if entity.parent not in by_code:
                when = f" under {period}" if period is not None and origins is not None else ""
                raise ConfigError(*at(i, "parent"), f"okänd förälder {entity.parent!r} för {entity.code!r}{when}")
            children[entity.parent].append(entity.code)
        order = _depth_first(root, children)
        if len(order) != len(by_code):
            stray = set(by_code) - set(order)
            cycle = _cycle(sorted(stray), {code: by_code[code].parent for code in stray})
            first = next(i for i, entity in enumerate(entities[1:]) if entity.code == cycle[0])
            where = at(first, "parent") if origins is not None else (file, "[[entity]]")
            raise ConfigError(*where, f"cykel i organisationsträdet: {' → '.join([*cycle, cycle[0]])}; "
                                      f"{', '.join(sorted(stray))} når inte regionen")
        owners: dict[str, str] = {}
        for i, entity in enumerate(entities[1:]):
            for code in entity.motpart:
                if code in owners:
                    table = origins is not None and origins[i].table is not None
                    where = at(i, "motpart") if table else (file, "entity.motpart")
                    raise ConfigError(
                        *where, f"motpartskoden {code!r} hör till både {owners[code]} och {entity.code}"
                    )
                owners[code] = entity.code
        return cls(root, {c: by_code[c] for c in order}, {c: tuple(v) for c, v in children.items()})

    @cached_property
    def parent_of(self) -> dict[str, str | None]:
        return {code: e.parent for code, e in self.entities.items()}

    @cached_property
    def units(self) -> tuple[str, ...]:
        return tuple(c for c in self.entities if not self.children[c] and c != self.root)

    @cached_property
    def depth(self) -> dict[str, int]:
        depth = {self.root: 0}
        for code, entity in self.entities.items():
            if entity.parent is not None:
                depth[code] = depth[entity.parent] + 1
        return depth

    def level(self, code: str) -> str:
        """`region`, `administration`, `unit` or `group` (anything in between)."""
        if code == self.root:
            return "region"
        if self.parent_of[code] == self.root:
            return "administration"
        return "unit" if not self.children[code] else "group"

    def ancestors(self, code: str) -> list[str]:
        """The entity itself and every entity above it, up to the region."""
        return list(self.chains[code])

    @cached_property
    def chains(self) -> dict[str, tuple[str, ...]]:
        """Each entity's ancestors (itself first, the region last), worked out once."""
        chains: dict[str, tuple[str, ...]] = {}
        for code in self.entities:  # depth first: a parent comes before its children
            parent = self.parent_of[code]
            chains[code] = (code,) + (chains[parent] if parent is not None else ())
        return chains

    def subtree(self, code: str) -> list[str]:
        return _depth_first(code, self.children)

    def administrations(self) -> tuple[str, ...]:
        return self.children[self.root]

    @cached_property
    def motpart_owner(self) -> dict[str, str]:
        return {m: e.code for e in self.entities.values() for m in e.motpart}

    def party(self, code: str) -> str | None:
        """The unit itself or its nearest ancestor with motpart codes (SPEC §8)."""
        for entity in self.chains[code]:
            if self.entities[entity].motpart:
                return entity
        return None

    def lowest_common(self, a: str, b: str) -> str:
        seen = set(self.chains[a])
        for entity in self.chains[b]:
            if entity in seen:
                return entity
        return self.root


def _cycle(stray: list[str], parent_of: dict[str, str | None]) -> list[str]:
    """The entities of one cycle among those that do not reach the region, from the
    first of them in order, each followed by its parent."""
    path: list[str] = []
    code: str | None = stray[0]
    while code is not None and code in parent_of and code not in path:
        path.append(code)
        code = parent_of[code]
    cycle = path[path.index(code):] if code in path else path
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def _depth_first(root: str, children: dict) -> list[str]:
    order, stack = [], [root]
    seen = set()
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        order.append(code)
        stack.extend(reversed(children[code]))
    return order
