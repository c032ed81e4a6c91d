"""region.toml and chart.toml (SPEC §3), loaded into plain, checked structures.

Every mistake is a `ConfigError` naming the file and the key, so the command line
can exit 2 with a message a controller can act on.
"""

from __future__ import annotations

import math
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
    external: tuple[str, ...] | None = None  # Motpart codes of external parties; None: not listed

    @staticmethod
    def code_key(text: str) -> str:
        """How a Motpart value and a motpart code are compared: a code of digits without
        its leading zeros, whatever name follows it (`12`, `012`, `12.0`,
        `12 Hälso- och sjukvård`, `12-Namn`, `12 - Namn` and `12: Namn` are all `12`);
        any other text case folded (`12a`, `12.5` and `12-34` are no code 12)."""
        text = text.strip()
        digits = len(text) - len(text.lstrip("0123456789"))
        if digits == 0:
            return text.casefold()
        rest = text[digits:]
        if rest[:1] in (".", ",") and rest[1:] and not rest[1:].strip("0"):  # 12.0, 12,00
            rest = ""
        name = rest.lstrip(" \t\u00a0-\u2013\u2014:")
        if rest and (rest[0] not in " \t\u00a0-\u2013\u2014:" or name[:1].isdigit()):
            return text.casefold()
        return text[:digits].lstrip("0") or "0"


SIGNS = ("report", "ledger")  # revenue +, cost - as reported; revenue -, cost + as booked


@dataclass(frozen=True)
class InputSource:
    """One `[[inputs.source]]`: the files its pattern matches are read with its
    settings in place of the `[inputs]` defaults (None: the default)."""

    number: int  # its place among the [[inputs.source]] tables, from 1
    pattern: str
    signs: str | None = None
    amount_unit: str | None = None
    sheet: str | None = None

    @property
    def name(self) -> str:
        """How messages name it: `[[inputs.source]] nr 2 (pattern = 'x/*.xlsx')`."""
        return f"[[inputs.source]] nr {self.number} (pattern = {self.pattern!r})"


@dataclass(frozen=True)
class Inputs:
    income: str
    staffing: str | None
    income_sheet: str | None = None
    staffing_sheet: str | None = None
    amount_unit: str = "kr"
    max_workbook_bytes: int = 200 * 1024 * 1024
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    signs: str = "report"
    sources: tuple[InputSource, ...] = ()

    def signs_of(self, source: InputSource | None) -> str:
        """The signs a file is read with: its source's, else `[inputs] signs`."""
        return source.signs if source is not None and source.signs is not None else self.signs

    def amount_unit_of(self, source: InputSource | None) -> str:
        """The amount unit of a file that states none: its source's, else `[inputs] amount_unit`."""
        return source.amount_unit if source is not None and source.amount_unit is not None else self.amount_unit

    def sheet_of(self, source: InputSource | None, kind: str) -> str | None:
        """The sheet to read (None: the first visible one) of an income or staffing file."""
        if source is not None and source.sheet is not None:
            return source.sheet
        return self.income_sheet if kind == "income" else self.staffing_sheet


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


def _number(table: dict, key: str, file: str, where: str, default: float, positive: bool = False) -> float:
    """A finite number, at least 0 (greater than 0 when `positive`); TOML's `nan`,
    `inf` and `-inf`, booleans and text are refused."""
    value = table.get(key, default)
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or value < 0 or (positive and value == 0)):
        wanted = "ett tal större än 0" if positive else "ett tal som är 0 eller större"
        raise ConfigError(file, f"{where}.{key}", f"måste vara {wanted}, inte {value!r}")
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
    fte_hours = _number(region, "fte_hours_per_year", file, "region", 1725, positive=True)
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


_INPUT_KEYS = ("income", "staffing", "income_sheet", "staffing_sheet", "amount_unit", "signs",
               "max_workbook_mb", "aliases", "source")
_SOURCE_KEYS = ("pattern", "signs", "amount_unit", "sheet")


def _load_inputs(doc: dict, file: str) -> Inputs:
    table = _table(doc, "inputs", file)
    _known_keys(table, _INPUT_KEYS, file, "inputs.")
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
    limit_mb = _number(table, "max_workbook_mb", file, "inputs", 200, positive=True)
    staffing = table.get("staffing")
    if staffing is not None:
        staffing = _text(table, "staffing", file, "inputs")
    return Inputs(
        income=_text(table, "income", file, "inputs"),
        staffing=staffing,
        income_sheet=_sheet(table, "income_sheet", file, "inputs."),
        staffing_sheet=_sheet(table, "staffing_sheet", file, "inputs."),
        amount_unit=_unit(table, "amount_unit", file, "inputs", "kr"),
        max_workbook_bytes=int(limit_mb * 1024 * 1024),
        aliases=aliases,
        signs=_signs(table, file, "inputs.", "report") or "report",
        sources=_load_sources(table, file),
    )


def _known_keys(table: dict, keys: tuple[str, ...], file: str, where: str) -> None:
    """Every key of the table one of `keys`; a misspelt key is never passed over."""
    unknown = [key for key in table if key not in keys]
    if unknown:
        what = "okänd nyckel" if len(unknown) == 1 else "okända nycklar"
        names = ", ".join(k if k.replace("_", "").replace("-", "").isalnum() else repr(k) for k in unknown)
        raise ConfigError(file, where + names,
                          f"{what}; tillåtna är {', '.join(keys)}")


def _sheet(table: dict, key: str, file: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(file, where + key, "måste vara ett bladnamn (en text som inte är tom)")
    return value


def _signs(table: dict, file: str, where: str, default: str | None) -> str | None:
    value = table.get("signs", default)
    if value is not None and value not in SIGNS:
        raise ConfigError(file, where + "signs", 'måste vara "report" (som i rapporten: intäkter plus, kostnader '
                          f'minus) eller "ledger" (som bokfört: intäkter minus, kostnader plus), inte {value!r}')
    return value


def _load_sources(table: dict, file: str) -> tuple[InputSource, ...]:
    """The `[[inputs.source]]` tables; two with the same pattern are an error (a file
    matched by two different patterns is found when the files are, see
    `readers.files`)."""
    raw = table.get("source", [])
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ConfigError(file, "inputs.source", "skrivs som tabeller [[inputs.source]] med pattern och "
                          "signs, amount_unit eller sheet")
    sources: list[InputSource] = []
    for number, item in enumerate(raw, start=1):
        where = f"[[inputs.source]] nr {number}, "
        _known_keys(item, _SOURCE_KEYS, file, where)
        pattern = item.get("pattern")
        if not isinstance(pattern, str) or not pattern.strip():
            raise ConfigError(file, where + "pattern", "saknas eller är tomt: ett mönster som [inputs] income, "
                              "relativt region.toml, för de filer som inställningarna gäller")
        pattern = pattern.strip()
        unit = item.get("amount_unit")
        if unit is not None and (not isinstance(unit, str) or unit not in AMOUNT_UNITS):
            raise ConfigError(file, where + "amount_unit", f"måste vara kr, tkr eller mkr, inte {unit!r}")
        source = InputSource(number, pattern, signs=_signs(item, file, where, None), amount_unit=unit,
                             sheet=_sheet(item, "sheet", file, where))
        for other in sources:
            if other.pattern == pattern:
                raise ConfigError(file, f"[[inputs.source]] nr {other.number} och nr {number}, pattern",
                                  f"samma mönster {pattern!r} i båda; en fil läses med en källas inställningar: "
                                  "slå ihop dem till en")
        sources.append(source)
    return tuple(sources)


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
        if not isinstance(motpart, list) or not all(
                isinstance(m, (str, int)) and not isinstance(m, bool) for m in motpart):
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
    key = Eliminations.code_key
    owner: dict[str, tuple[str, str]] = {}  # compared code -> (code as written, entity)
    for entity in tree.entities.values():
        for code in entity.motpart:
            if key(code) in owner and owner[key(code)][1] != entity.code:
                written, other = owner[key(code)]
                raise ConfigError(file, "entity.motpart", f"motpartskoderna {written!r} ({other}) och {code!r} "
                                  f"({entity.code}) är samma kod; en Motpart kan bara betyda en enhet")
            owner[key(code)] = (code, entity.code)
    raw = table.get("external")
    external = None
    if raw is not None:
        listed = [raw] if isinstance(raw, (str, int)) else raw
        if not isinstance(listed, list) or not all(
                isinstance(x, (str, int)) and not isinstance(x, bool) and str(x).strip() for x in listed):
            raise ConfigError(file, "eliminations.external",
                              'måste vara en lista med motpartskoder för externa parter, t.ex. ["81", "87"]')
        external = tuple(str(x).strip() for x in listed)
        for code in external:
            if key(code) in owner:
                written, party = owner[key(code)]
                raise ConfigError(file, "eliminations.external", f"koden {code!r} är motpartskod för {party} "
                                  f"({written!r}) och kan inte också vara extern")
    return Eliminations(line, _number(table, "tolerance", file, "eliminations", 1.0), strict, external)
