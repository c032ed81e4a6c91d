"""region.toml and chart.toml (SPEC §3), loaded into plain, checked structures.

Every mistake is a `ConfigError` naming the file and the key, so the command line
can exit 2 with a message a controller can act on.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from consolidate.config.chart import Chart, load_chart
from consolidate.config.tables import (
    MAPPING_LABELS,
    MAPPING_REQUIRED,
    TABLE_SUFFIXES,
    TREE_LABELS,
    TREE_REQUIRED,
    Origin,
    Table,
    TableReader,
    period_of,
    this_month,
)
from consolidate.config.toml import read_toml
from consolidate.config.tree import Definition, Entity, Tree, tree_of
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
    adjustments: str | None = None  # SPEC §14: the period's adjustments file (.xlsx or .csv), relative to region.toml

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
    period: str = ""  # the period whose tree `tree` is
    tables: tuple[Table, ...] = ()  # the tree and mapping tables read (SPEC §11)
    output_pdf: bool = False  # [output] pdf: every run also writes the month report (SPEC §15)
    comments_required_above: float | None = None  # [comments] required_above, kr (SPEC §14); None: not asked

    @property
    def setup_files(self) -> list[Path]:
        """The files the configuration is read from: region.toml, chart.toml, the tables."""
        return [self.path, Path(self.chart.path), *(table.path for table in self.tables)]

    @property
    def table_digests(self) -> dict[Path, tuple[str, int]]:
        """SHA-256 and size of each table as read."""
        return {table.path: (table.sha256, table.size) for table in self.tables if table.sha256}

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


def load_config(path: str | Path, period: str | None = None, read_table: TableReader | None = None) -> Config:
    """Read and check region.toml, the chart it names and the tables both name (SPEC §3,
    §11). `Config.tree` is the tree valid in `period` (None: this month's).

    A table (`[tree] file`, `[chart] mapping`) is read with `read_table`, which the
    readers give: `consolidate.readers.tables.load_config` is this function with it."""
    path = Path(path)
    file = str(path)
    doc = read_toml(path)
    region = _table(doc, "region", file)
    code = _code(region, "code", file, "region")
    name = _text(region, "name", file, "region", default=code)
    fte_hours = _number(region, "fte_hours_per_year", file, "region", 1725, positive=True)
    amount_unit = _unit(region, "amount_unit", file, "region", "tkr")
    inputs = _load_inputs(doc, file)
    reading = _TableReading(path, read_table, inputs.max_workbook_bytes)
    tree_table = reading.read(doc, "tree", "file", TREE_LABELS, TREE_REQUIRED)
    period = period or this_month()
    definitions = _definitions(doc, file, tree_table)
    tree = tree_of(definitions, Entity(code, name, None), period, file)
    origins = {d.entity.code: d.origin for d in definitions if d.covers(period)}
    chart_name = _text(region, "chart", file, "region", default="chart.toml")
    chart_path = path.parent / chart_name
    if not chart_path.is_file():
        raise ConfigError(file, "region.chart", f"kontoplanen {chart_path} finns inte")
    mapping = reading.read(doc, "chart", "mapping", MAPPING_LABELS, MAPPING_REQUIRED)
    chart = load_chart(chart_path, mapping)
    output = _table(doc, "output", file, required=False)
    out_dir = _text(output, "directory", file, "output", default="reports/{period}")
    pdf = output.get("pdf", False)
    if not isinstance(pdf, bool):
        raise ConfigError(file, "output.pdf", "måste vara true eller false")
    elim = _load_eliminations(doc, file, chart, tree, origins)
    tables = tuple(t for t in (tree_table, mapping) if t is not None)
    return Config(path.resolve(), code, name, fte_hours, amount_unit, tree, chart, inputs, out_dir, elim,
                  period, tables, pdf, _load_comments(doc, file))


def _load_comments(doc: dict, file: str) -> float | None:
    """`[comments] required_above = KR` (SPEC §14): a unit whose result deviates from
    budget by more than this many kronor needs a unit comment; None when not given."""
    table = _table(doc, "comments", file, required=False)
    _known_keys(table, ("required_above",), file, "comments.")
    if "required_above" not in table:
        return None
    return _number(table, "required_above", file, "comments", 0.0)


class _TableReading:
    """Reads the tables region.toml names (`[tree] file`, `[chart] mapping`), relative
    to it, with the reader it was given and the deliveries' size limit."""

    def __init__(self, path: Path, reader: TableReader | None, max_bytes: int) -> None:
        self.path, self.file, self.reader, self.max_bytes = path, str(path), reader, max_bytes

    def read(self, doc: dict, section: str, key: str, labels: dict[str, tuple[str, ...]],
             required: tuple[str, ...]) -> Table | None:
        table = _table(doc, section, self.file, required=False)
        if section == "tree" or key in table:  # [chart] may one day hold more than the mapping
            _known_keys(table, (key, "sheet"), self.file, f"{section}.")
        if key not in table:
            return None
        name = _text(table, key, self.file, section)
        sheet = _sheet(table, "sheet", self.file, f"{section}.")
        target = self.path.parent / name
        shown = str(Path(self.file).parent / name)
        if target.suffix.lower() not in TABLE_SUFFIXES:
            raise ConfigError(self.file, f"{section}.{key}", f"{name!r} är varken en arbetsbok (.xlsx) eller en "
                              ".csv-fil")
        if not target.is_file():
            raise ConfigError(self.file, f"{section}.{key}", f"filen {shown} finns inte")
        if self.reader is None:
            raise ConfigError(self.file, f"{section}.{key}", "tabeller läses av consolidate.readers.tables."
                              "load_config, inte av consolidate.config.region.load_config")
        return self.reader(target, shown, labels, required, sheet, self.max_bytes)


_INPUT_KEYS = ("income", "staffing", "income_sheet", "staffing_sheet", "amount_unit", "signs",
               "max_workbook_mb", "aliases", "source", "adjustments")
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
    adjustments = table.get("adjustments")
    if adjustments is not None:
        adjustments = _text(table, "adjustments", file, "inputs")
        if Path(adjustments).suffix.lower() not in TABLE_SUFFIXES:
            raise ConfigError(file, "inputs.adjustments", f"{adjustments!r} är varken en arbetsbok (.xlsx) eller "
                              "en .csv-fil")
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
        adjustments=adjustments,
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


_ENTITY_KEYS = ("code", "name", "parent", "motpart", "from", "to")


def _definitions(doc: dict, file: str, table: Table | None) -> list[Definition]:
    """The entities below the region: the tree table's rows, then the `[[entity]]`
    tables of region.toml, each for the periods it covers."""
    raw = doc.get("entity", [])
    if not isinstance(raw, list) or (not raw and table is None):
        raise ConfigError(file, "[[entity]]", "organisationsträdet saknas: minst en [[entity]] behövs, eller "
                          '[tree] file = "organisation.xlsx"')
    found = _table_definitions(table) if table is not None else []
    for i, item in enumerate(raw):
        where = f"entity[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(file, where, "måste vara en tabell")
        _known_keys(item, _ENTITY_KEYS, file, f"{where}.")
        motpart = item.get("motpart", [])
        if isinstance(motpart, str):
            motpart = [motpart]
        if not isinstance(motpart, list) or not all(
                isinstance(m, (str, int)) and not isinstance(m, bool) for m in motpart):
            raise ConfigError(file, f"{where}.motpart", "måste vara en lista med motpartskoder")
        entity = Entity(
            code=_code(item, "code", file, where),
            name=_text(item, "name", file, where, default=str(item.get("code", ""))),
            parent=_code(item, "parent", file, where),
            motpart=tuple(str(m).strip() for m in motpart),
        )
        origin = Origin(file, i)
        start, end = (_valid(item.get(key), origin, key) for key in ("from", "to"))
        found.append(_definition(entity, origin, start, end))
    return found


def _table_definitions(table: Table) -> list[Definition]:
    """The rows of the tree table. Rows without Förälder are named all at once (a
    table `consolidate init` wrote has none until they are filled in)."""
    found, orphans = [], []
    for number, values in table.rows:
        code, parent = values["code"], values["parent"]
        origin = Origin(table.file, number, table)
        if not code:
            raise ConfigError(table.file, table.place(number, "code"), "koden saknas" + (
                f" (raden har namnet {values['name']!r})" if values.get("name") else ""))
        if not parent:
            orphans.append((number, code))
            continue
        written = values.get("motpart")
        motpart = tuple(m.strip() for m in written.replace(";", ",").split(",") if m.strip()) if written else ()
        entity = Entity(code, values.get("name") or code, parent, motpart)
        start, end = values.get("from"), values.get("to")
        if start or end:
            found.append(_definition(entity, origin, _valid(start or None, origin, "from"),
                                     _valid(end or None, origin, "to")))
        else:
            found.append(Definition(entity, origin))
    if orphans:
        number, code = orphans[0]
        more = "" if len(orphans) == 1 else (
            f"; Förälder saknas också för {len(orphans) - 1} rader till ("
            + ", ".join(f"rad {n}" for n, _ in orphans[1:6]) + (", …" if len(orphans) > 6 else "") + ")")
        raise ConfigError(table.file, table.place(number, "parent"),
                          f"Förälder saknas för {code!r}: skriv koden för den förvaltning eller grupp som enheten "
                          f"hör till (regionens kod för en förvaltning){more}")
    return found


def _valid(value: object, origin: Origin, key: str) -> str | None:
    """A `from`/`to` (Från/Till) period, or None when not given."""
    if value is None:
        return None
    period = period_of(str(value)) if isinstance(value, (str, dt.date)) else None
    if period is None:
        label = {"from": "Från", "to": "Till"}[key] if origin.table is not None else key
        raise ConfigError(origin.file, origin.key(key), f"{label} {str(value)!r} är ingen period: skriv ÅÅÅÅ-MM, "
                          "t.ex. 2026-04 (perioden räknas med)")
    return period


def _definition(entity: Entity, origin: Origin, start: str | None, end: str | None) -> Definition:
    if start is not None and end is not None and end < start:
        label = "Till" if origin.table is not None else "to"
        raise ConfigError(origin.file, origin.key("to"), f"{label} {end} är före {'Från' if origin.table else 'from'} "
                          f"{start}: raden gäller ingen period")
    return Definition(entity, origin, start, end)


def _load_eliminations(doc: dict, file: str, chart: Chart, tree: Tree,
                       origins: dict[str, Origin] | None = None) -> Eliminations:
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
                origin = (origins or {}).get(entity.code)
                where = (origin.file, origin.key("motpart")) if origin and origin.table else (file, "entity.motpart")
                raise ConfigError(*where, f"motpartskoderna {written!r} ({other}) och {code!r} "
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
