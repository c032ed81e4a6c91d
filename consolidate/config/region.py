"""region.toml and chart.toml (SPEC §3), loaded into plain, checked structures.

Every mistake is a `ConfigError` naming the file and the key, so the command line
can exit 2 with a message a controller can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from consolidate.config.chart import Chart, load_chart
from consolidate.config.toml import read_toml
from consolidate.config.tree import Entity, Tree
from consolidate.problems import ConfigError
from consolidate.vocabulary import AMOUNT_UNITS, INCOME_LABELS, STAFF_LABELS


@dataclass(frozen=True)
class Eliminations:
    difference_line: str | None = None
    tolerance: float = 1.0
    strict: bool = False


@dataclass(frozen=True)
class Inputs:
    income: str
    staffing: str | None
    income_sheet: str | None = None
    staffing_sheet: str | None = None
    amount_unit: str = "kr"
    max_workbook_bytes: int = 200 * 1024 * 1024
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    path: Path
    region_code: str
    region_name: str
    fte_hours_per_year: float
    amount_unit: str
    tree: Tree
    chart: Chart
    inputs: Inputs
    output_directory: str
    eliminations: Eliminations

    def resolve(self, pattern: str, period: str) -> Path:
        """A configured path with `{period}` filled in, relative to region.toml."""
        return (self.path.parent / pattern.replace("{period}", period)).resolve()

    @property
    def store_path(self) -> Path:
        return self.path.parent / f"{self.path.stem}.history.sqlite"


def _table(doc: dict, key: str, file: str, required: bool = True) -> dict:
    value = doc.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(file, f"[{key}]", "saknas eller är inte en tabell")
    return value


def _text(table: dict, key: str, file: str, where: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(file, f"{where}.{key}", "måste vara en text som inte är tom")
    return value.strip()


def _code(table: dict, key: str, file: str, where: str) -> str:
    """An entity code; written as a number in TOML (`code = 1110`) it is the same code."""
    value = table.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(table, key, file, where)


def _number(table: dict, key: str, file: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(file, f"{where}.{key}", "måste vara ett tal som inte är negativt")
    return float(value)


def _unit(table: dict, key: str, file: str, where: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or value not in AMOUNT_UNITS:
        raise ConfigError(file, f"{where}.{key}", f"måste vara kr, tkr eller mkr, inte {value!r}")
    return value


def load_config(path: str | Path) -> Config:
    """Read and check region.toml and the chart it names."""
    path = Path(path)
    file = str(path)
    doc = read_toml(path)
    region = _table(doc, "region", file)
    code = _code(region, "code", file, "region")
    name = _text(region, "name", file, "region", default=code)
    fte_hours = _number(region, "fte_hours_per_year", file, "region", 1725)
    if fte_hours == 0:
        raise ConfigError(file, "region.fte_hours_per_year", "måste vara större än 0")
    amount_unit = _unit(region, "amount_unit", file, "region", "tkr")
    tree = _load_tree(doc, code, name, file)
    chart_name = _text(region, "chart", file, "region", default="chart.toml")
    chart_path = path.parent / chart_name
    if not chart_path.is_file():
        raise ConfigError(file, "region.chart", f"kontoplanen {chart_path} finns inte")
    chart = load_chart(chart_path)
    inputs = _load_inputs(doc, file)
    output = _table(doc, "output", file, required=False)
    out_dir = _text(output, "directory", file, "output", default="reports/{period}")
    elim = _load_eliminations(doc, file, chart, tree)
    return Config(path.resolve(), code, name, fte_hours, amount_unit, tree, chart, inputs, out_dir, elim)


def _load_inputs(doc: dict, file: str) -> Inputs:
    table = _table(doc, "inputs", file)
    known = set(INCOME_LABELS) | set(STAFF_LABELS)
    aliases: dict[str, tuple[str, ...]] = {}
    raw_aliases = table.get("aliases", {})
    if not isinstance(raw_aliases, dict):
        raise ConfigError(file, "inputs.aliases", "måste vara en tabell: nyckel = [rubriker]")
    for key, value in raw_aliases.items():
        if key not in known:
            raise ConfigError(file, f"inputs.aliases.{key}", f"okänd nyckel; välj bland {', '.join(sorted(known))}")
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(file, f"inputs.aliases.{key}", "måste vara en lista med rubriker")
        aliases[key] = tuple(value)
    limit_mb = _number(table, "max_workbook_mb", file, "inputs", 200)
    staffing = table.get("staffing")
    if staffing is not None:
        staffing = _text(table, "staffing", file, "inputs")
    return Inputs(
        income=_text(table, "income", file, "inputs"),
        staffing=staffing,
        income_sheet=table.get("income_sheet"),
        staffing_sheet=table.get("staffing_sheet"),
        amount_unit=_unit(table, "amount_unit", file, "inputs", "kr"),
        max_workbook_bytes=int(limit_mb * 1024 * 1024),
        aliases=aliases,
    )


def _load_tree(doc: dict, code: str, name: str, file: str) -> Tree:
    raw = doc.get("entity", [])
    if not isinstance(raw, list) or not raw:
        raise ConfigError(file, "[[entity]]", "organisationsträdet saknas: minst en [[entity]] behövs")
    entities = [Entity(code=code, name=name, parent=None)]
    for i, item in enumerate(raw):
        where = f"entity[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(file, where, "måste vara en tabell")
        motpart = item.get("motpart", [])
        if isinstance(motpart, str):
            motpart = [motpart]
        if not isinstance(motpart, list) or not all(isinstance(m, (str, int)) for m in motpart):
            raise ConfigError(file, f"{where}.motpart", "måste vara en lista med motpartskoder")
        entities.append(
            Entity(
                code=_code(item, "code", file, where),
                name=_text(item, "name", file, where, default=str(item.get("code", ""))),
                parent=_code(item, "parent", file, where),
                motpart=tuple(str(m).strip() for m in motpart),
            )
        )
    return Tree.build(entities, file)


def _load_eliminations(doc: dict, file: str, chart: Chart, tree: Tree) -> Eliminations:
    table = _table(doc, "eliminations", file, required=False)
    line = table.get("difference_line")
    if line is not None and line not in chart.line_codes:
        raise ConfigError(file, "eliminations.difference_line", f"raden {line!r} finns inte i kontoplanen")
    if line is None and any(e.motpart for e in tree.entities.values()):
        raise ConfigError(
            file, "eliminations.difference_line", "krävs när någon enhet har motpart-koder"
        )
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise ConfigError(file, "eliminations.strict", "måste vara true eller false")
    return Eliminations(line, _number(table, "tolerance", file, "eliminations", 1.0), strict)
