"""The package's layers and the one-way rule of its imports, checked from the code
itself (an ast walk over every module, imports inside functions included).

- A module imports only modules of its own layer or of the layers below it:
  foundation < config < readers < core < outputs < commands < cli.
- The runtime (processes, forked work, atomic files, lock) imports nothing else of
  the package; the foundation modules import only each other.
- No import cycle, not even one hidden inside a function.
- An import inside a function says why in a `# start-up` comment on its line: it is
  there to keep the reading path free of heavy modules, never to dodge a cycle.

The same checker is run on small packages made on the spot, to show it would fail on
a new cycle, a layer crossing or an unmarked import inside a function.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. A module belongs to the longest prefix listed.
LAYERS = {
    "consolidate": 0,  # the package itself: its version
    "consolidate.vocabulary": 0,
    "consolidate.problems": 0,
    "consolidate.sanitize": 0,
    "consolidate.formatting": 0,
    "consolidate.runtime": 0,
    "consolidate.config": 1,
    "consolidate.readers": 2,
    "consolidate.core": 3,
    "consolidate.outputs": 4,
    "consolidate.commands": 5,
    "consolidate.cli": 6,
    "consolidate.__main__": 7,
}
SELF_CONTAINED = ("consolidate.runtime",)  # import nothing of the package outside themselves
MARKER = "start-up"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the package module it imports
    line: int
    nested: bool  # inside a function
    marked: bool  # a `# start-up` comment on its line


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path, package: str) -> list[Import]:
    """Every import of a module of `package` in the file, with where it stands."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    name = module_name(path, root)
    is_package = path.name == "__init__.py"
    tree = ast.parse(source)
    nested_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    nested_lines.add(sub.lineno)
    found: dict[tuple[int, str], Import] = {}
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets = [stem] + [f"{stem}.{alias.name}" for alias in node.names]
        for target in targets:
            ours = target == package or target.startswith(package + ".")
            nested = node.lineno in nested_lines
            # imports of other libraries count only inside functions (the marker rule)
            if ours or (nested and target == targets[0] and target.split(".")[0] not in sys.stdlib_module_names):
                end = node.end_lineno or node.lineno
                marked = any(MARKER in lines[k - 1] for k in range(node.lineno, end + 1))
                found.setdefault((node.lineno, target), Import(name, target, node.lineno, nested, marked))
    return list(found.values())


def existing(target: str, modules: set[str]) -> str | None:
    """The module an import names (`from a.b import c` names a.b.c when that is a
    module, else a.b)."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def layer_of(module: str) -> tuple[str, int]:
    best = max((prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")), key=len)
    return best, LAYERS[best]


def violations(root: Path, package: str = "consolidate") -> list[str]:
    """What breaks the rules, one line each; empty when the package keeps them."""
    files = sorted((root / package).rglob("*.py"))
    modules = {module_name(path, root) for path in files}
    found: list[str] = []
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for path in files:
        seen: set[tuple[str, int]] = set()
        for imp in imports_of(path, root, package):
            where = f"{path.relative_to(root)}:{imp.line}"
            if not (imp.target == package or imp.target.startswith(package + ".")):  # another library
                if not imp.marked:
                    found.append(f"{where}: import of {imp.target} inside a function without a '# {MARKER}' comment")
                continue
            target = existing(imp.target, modules)
            if target is None or target == imp.module or imp.module.startswith(target + ".") or (target, imp.line) in seen:
                continue  # a package's own __init__ runs before its modules: no edge to it
            seen.add((target, imp.line))
            if target != package:  # the package's own __init__ (its version) is below everything
                graph[imp.module].add(target)
            own_layer, own_rank = layer_of(imp.module)
            their_layer, their_rank = layer_of(target)
            if their_rank > own_rank:
                found.append(f"{where}: {imp.module} ({own_layer}) imports {target} from a higher layer ({their_layer})")
            for contained in SELF_CONTAINED:
                inside = imp.module == contained or imp.module.startswith(contained + ".")
                target_inside = target == contained or target.startswith(contained + ".")
                if inside and not target_inside and target != package:
                    found.append(f"{where}: {imp.module} imports {target}; {contained} imports nothing else of the package")
            if imp.nested and not imp.marked:
                found.append(f"{where}: import of {target} inside a function without a '# {MARKER}' comment")
    found += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph)]
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules (Tarjan), each closed."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append([*sorted(group), sorted(group)[0]])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_package_keeps_its_layers():
    assert violations(ROOT) == []


def test_every_module_has_a_layer():
    files = sorted((ROOT / "consolidate").rglob("*.py"))
    for path in files:
        name = module_name(path, ROOT)
        assert any(name == p or name.startswith(p + ".") for p in LAYERS if p != "consolidate") or name == "consolidate", name


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, body in files.items():
        path = tmp_path / "consolidate" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    for folder in {p.parent for p in (tmp_path / "consolidate").rglob("*.py")}:
        (folder / "__init__.py").touch()
    return tmp_path


def test_a_cycle_hidden_in_a_function_is_found(tmp_path):
    root = _package(tmp_path, {
        "config/chart.py": "from consolidate.config.region import read_toml\n",
        "config/region.py": "def load():\n    from consolidate.config.chart import Chart  # start-up: say why\n",
    })
    found = violations(root)
    assert found == ["import cycle: consolidate.config.chart -> consolidate.config.region -> consolidate.config.chart"]


def test_a_layer_crossing_is_found(tmp_path):
    root = _package(tmp_path, {
        "readers/income.py": "from consolidate.outputs.terminal import make_console\n",
        "outputs/terminal.py": "from consolidate.readers import income\n",
        "core/rollup.py": "from ..outputs import terminal\n",  # relative imports count too
    })
    found = violations(root)
    assert any("readers/income.py:1" in f and "higher layer" in f for f in found)
    assert any("core/rollup.py:1" in f and "higher layer" in f for f in found)
    assert not any("outputs/terminal.py" in f and "higher layer" in f for f in found)  # downwards is fine


def test_the_runtime_stays_apart_and_unmarked_imports_in_functions_are_found(tmp_path):
    root = _package(tmp_path, {
        "problems.py": "",
        "runtime/pool.py": "from consolidate.problems import Problem\n",
        "commands/run.py": "def run():\n    from consolidate.problems import Problem\n    import pandas\n    import json\n",
    })
    found = violations(root)
    assert any("runtime/pool.py:1" in f and "nothing else of the package" in f for f in found)
    assert any("commands/run.py:2" in f and "without a '# start-up' comment" in f for f in found)
    assert any("commands/run.py:3" in f and "pandas" in f for f in found)  # another library, unmarked
    assert not any("commands/run.py:4" in f for f in found)  # the standard library may be imported anywhere
