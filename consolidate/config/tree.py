"""The organisation tree: region, administrations, intermediate groups and units."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from consolidate.problems import ConfigError


@dataclass(frozen=True)
class Entity:
    code: str
    name: str
    parent: str | None
    motpart: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tree:
    root: str
    entities: dict[str, Entity]  # in display order: depth first, config order among siblings
    children: dict[str, tuple[str, ...]]

    @classmethod
    def build(cls, entities: list[Entity], file: str) -> Tree:
        """Check codes, parents and motpart codes; order the entities depth first."""
        by_code: dict[str, Entity] = {}
        for i, entity in enumerate(entities):
            if entity.code in by_code:
                raise ConfigError(file, f"entity[{i - 1}].code", f"koden {entity.code!r} förekommer två gånger")
            by_code[entity.code] = entity
        root = entities[0].code
        children: dict[str, list[str]] = {code: [] for code in by_code}
        for i, entity in enumerate(entities[1:]):
            if entity.parent not in by_code:
                raise ConfigError(file, f"entity[{i}].parent", f"okänd förälder {entity.parent!r} för {entity.code!r}")
            children[entity.parent].append(entity.code)
        order = _depth_first(root, children)
        if len(order) != len(by_code):
            stray = sorted(set(by_code) - set(order))
            raise ConfigError(file, "[[entity]]", f"cykel i organisationsträdet: {', '.join(stray)} når inte regionen")
        owners: dict[str, str] = {}
        for entity in entities:
            for code in entity.motpart:
                if code in owners:
                    raise ConfigError(
                        file, "entity.motpart", f"motpartskoden {code!r} hör till både {owners[code]} och {entity.code}"
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
