"""Generate the sample region: its tree and account mapping as tables, and its input
workbooks.

The organisation tree (`ENTITIES`, with one reorganisation: `MOVED`) and the account
mapping (`MAPPING`) are kept here and written as ../config/organisation.xlsx and
../config/kontoplan.xlsx (SPEC §11); the chart's lines and report layouts are read from
../config/chart.toml. So config and samples cannot drift apart. Every figure is first
computed as ground truth in whole kronor (`build(period)`), with the tree valid in that
period, then formatted into workbooks in many of the layouts SPEC §1-2 allow
(`write(period, root)`). `toml_form(folder)` writes the same configuration with the tree
and the mapping in TOML instead (SPEC §3), for the tests that compare the two.

    python samples/generate.py          # regenerate config/*.xlsx, samples/2026-03 and samples/2026-04

Deterministic: every random draw comes from `random.Random` seeded with a string
(stable across runs and interpreters) and the workbook creation time is fixed, so
two runs give byte-identical files.
"""

from __future__ import annotations

import json
import random
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG = HERE.parent / "config" / "region.toml"
ORGANISATION = CONFIG.parent / "organisation.xlsx"
KONTOPLAN = CONFIG.parent / "kontoplan.xlsx"

if str(HERE) not in sys.path:  # workbooks.py beside this file, also when loaded by path
    sys.path.insert(0, str(HERE))
from workbooks import (  # noqa: E402
    MEASURES,
    IncomeStyle,
    StaffStyle,
    new_workbook,
    write_income,
    write_staffing,
)

SEED = "region-exempel-2026"
PERIODS = ("2026-03", "2026-04")
MONTH_NAMES = {3: "mars", 4: "april"}

# The one pair of parties whose internal trade does not agree: Regional IT (party RK)
# has invoiced Akutmottagningen (party HSF) for something 1110 has not booked.
MISMATCH = {
    "flow": "it",
    "seller": "RK200",
    "buyer": "1110",
    "measure": "actual",
    "kr": 125_000,
    "parties": ("RK", "HSF"),
    "note": "RK200 booked 125 000 kr more IT revenue against Motpart 11 than 1110 booked as cost against 12",
}

# --------------------------------------------------------------------------------------
# Accounts used by the samples (names only; the line of each comes from chart.toml)
# --------------------------------------------------------------------------------------

ACCOUNTS = {
    "3011": "Patientavgifter öppen vård",
    "3012": "Patientavgifter sluten vård",
    "3110": "Såld hälso- och sjukvård",
    "3150": "Sålda laboratorie- och röntgentjänster",
    "3210": "Sålda IT-tjänster",
    "3250": "Övriga sålda tjänster",
    "3510": "Specialdestinerade statsbidrag",
    "3710": "Regionersättning",
    "3810": "Hyresintäkter",
    "3910": "Övriga intäkter",
    "3920": "Biljettintäkter",
    "4011": "Löner tillsvidareanställda",
    "4012": "Löner visstidsanställda",
    "4110": "Jour och beredskap",
    "4510": "Arbetsgivaravgifter",
    "4610": "Pensionskostnader",
    "4710": "Avtalsförsäkringar",
    "4810": "Utbildning och konferenser",
    "4820": "Personalrekrytering",
    "4910": "Inhyrd personal läkare",
    "4920": "Inhyrd personal sjuksköterskor",
    "5110": "Sjukvårdsmaterial",
    "5210": "Förbrukningsmaterial",
    "5410": "Köpt vård",
    "5510": "Läkemedel inom förmånen",
    "5520": "Läkemedel rekvisition",
    "5610": "Köpta laboratorie- och röntgentjänster",
    "5710": "Transporter",
    "5910": "Övriga köpta verksamhetstjänster",
    "6010": "Lokalhyror",
    "6110": "El och värme",
    "6210": "Köpta IT-tjänster",
    "6310": "Licenser och programvara",
    "6410": "Konsulttjänster",
    "6510": "Resor",
    "7010": "Lämnade bidrag",
    "7110": "Köpt trafik",
    "7810": "Avskrivningar inventarier",
    "7820": "Avskrivningar byggnader",
    "7910": "Lämnad regionersättning",
    "8011": "Preliminära skatteintäkter",
    "8020": "Slutavräkning skatteintäkter",
    "8210": "Inkomstutjämningsbidrag",
    "8220": "Kostnadsutjämning",
    "8230": "Regleringsavgift",
    "8240": "Statsbidrag läkemedelsförmånen",
    "8410": "Ränteintäkter",
    "8450": "Realisationsvinst finansiella placeringar",
    "8510": "Räntekostnader",
    "8540": "Finansiell kostnad pensioner",
}

# External counterparties (SPEC §8: ordinary figures, not internal).
STATEN, PRIVATA = "81", "87"

# Annual budget per account in mkr for a unit of size 1.0 (cost negative).
PROFILES: dict[str, list[tuple[str, float, str]]] = {
    "clinic": [
        ("3011", 2.6, ""), ("3012", 0.9, ""), ("3110", 7.5, ""), ("3510", 1.8, STATEN),
        ("3910", 0.6, ""), ("4011", -62.0, ""), ("4012", -7.0, ""), ("4110", -5.5, ""),
        ("4510", -23.0, ""), ("4610", -8.5, ""), ("4810", -1.1, ""), ("4910", -3.8, PRIVATA),
        ("4920", -1.9, PRIVATA), ("5110", -11.0, ""), ("5210", -1.8, ""), ("5410", -2.6, PRIVATA),
        ("5520", -8.4, ""), ("5710", -0.9, ""), ("6010", -12.5, PRIVATA), ("6110", -2.1, ""),
        ("6310", -0.8, ""), ("6410", -1.4, PRIVATA), ("6510", -0.4, ""), ("7810", -2.8, ""),
        ("8510", -0.05, ""),
    ],
    "primary": [
        ("3011", 2.1, ""), ("3110", 0.8, ""), ("3510", 1.1, STATEN), ("4011", -21.0, ""),
        ("4012", -2.2, ""), ("4510", -7.3, ""), ("4610", -2.8, ""), ("4810", -0.4, ""),
        ("4910", -3.1, PRIVATA), ("5110", -1.6, ""), ("5410", -0.7, PRIVATA), ("5410", -0.4, ""),
        ("5510", -4.2, ""), ("6010", -3.2, PRIVATA), ("6110", -0.5, ""), ("6410", -0.3, PRIVATA),
        ("7810", -0.4, ""),
    ],
    "psych": [
        ("3011", 0.4, ""), ("3110", 2.5, ""), ("3510", 3.2, STATEN), ("4011", -44.0, ""),
        ("4012", -3.5, ""), ("4110", -2.2, ""), ("4510", -15.6, ""), ("4610", -5.8, ""),
        ("4810", -0.8, ""), ("4910", -4.1, PRIVATA), ("5410", -5.2, PRIVATA), ("5410", -1.6, ""),
        ("5520", -1.9, ""), ("6010", -8.1, PRIVATA), ("6410", -1.2, PRIVATA), ("7810", -0.9, ""),
    ],
    "anaesthesia": [
        ("3110", 3.1, ""), ("4011", -71.0, ""), ("4012", -4.0, ""), ("4110", -9.0, ""),
        ("4510", -27.0, ""), ("4610", -10.0, ""), ("4810", -1.5, ""), ("4910", -5.2, PRIVATA),
        ("5110", -14.0, ""), ("5520", -6.1, ""), ("6010", -6.0, PRIVATA), ("7810", -4.4, ""),
    ],
    "lab": [
        ("3110", 5.2, ""), ("3250", 0.9, PRIVATA), ("4011", -24.0, ""), ("4012", -1.5, ""),
        ("4510", -8.4, ""), ("4610", -3.1, ""), ("4810", -0.5, ""), ("5110", -18.0, ""),
        ("5910", -2.3, PRIVATA), ("6010", -4.0, PRIVATA), ("6310", -1.9, PRIVATA), ("7810", -4.6, ""),
    ],
    "office": [
        ("3910", 0.5, ""), ("4011", -16.0, ""), ("4012", -1.0, ""), ("4510", -5.3, ""),
        ("4610", -2.1, ""), ("4810", -0.9, ""), ("4820", -0.3, PRIVATA), ("5210", -0.3, ""),
        ("6010", -2.2, PRIVATA), ("6410", -3.8, PRIVATA), ("6510", -0.5, ""), ("7810", -0.2, ""),
    ],
    "it": [
        ("3250", 1.2, PRIVATA), ("4011", -29.0, ""), ("4012", -1.8, ""), ("4510", -9.7, ""),
        ("4610", -3.8, ""), ("4810", -1.1, ""), ("6010", -2.1, PRIVATA), ("6310", -38.0, PRIVATA),
        ("6410", -9.5, PRIVATA), ("7810", -7.8, ""), ("8510", -0.3, ""),
    ],
    "culture": [
        ("3510", 4.2, STATEN), ("3510", 0.8, ""), ("3910", 2.6, ""), ("4011", -11.0, ""),
        ("4510", -3.6, ""), ("4610", -1.4, ""), ("6010", -3.9, PRIVATA), ("7010", -58.0, ""),
        ("7010", -4.5, STATEN), ("6510", -0.3, ""),
    ],
    "transport": [
        ("3920", 178.0, ""), ("3510", 38.0, STATEN), ("4011", -7.5, ""), ("4510", -2.5, ""),
        ("4610", -1.0, ""), ("6410", -4.8, PRIVATA), ("7110", -492.0, PRIVATA), ("7820", -19.5, ""),
        ("8510", -2.1, ""),
    ],
    "school": [
        ("3250", 2.8, ""), ("3510", 14.5, STATEN), ("3810", 1.2, ""), ("4011", -19.0, ""),
        ("4012", -1.6, ""), ("4510", -6.5, ""), ("4610", -2.4, ""), ("5210", -1.1, ""),
        ("6010", -5.2, PRIVATA), ("7810", -0.8, ""),
    ],
    "common": [
        ("3910", 4.6, ""), ("4011", -3.1, ""), ("4510", -1.0, ""), ("4610", -248.0, ""),
        ("4710", -21.0, ""), ("4820", -2.2, ""), ("6410", -5.4, ""), ("8540", -41.0, ""),
    ],
    "finance": [
        ("6410", -1.1, PRIVATA), ("8410", 31.0, ""), ("8450", 14.5, ""), ("8510", -26.0, ""),
    ],
}

# Skatteintäkter and generella statsbidrag of the finance unit, as shares of what the
# region needs; set so that the region budgets a surplus of 1 % of them.
TAX_SHARES = (
    ("8011", 0.715, ""), ("8020", -0.005, ""), ("8210", 0.16, STATEN),
    ("8220", 0.06, STATEN), ("8230", -0.01, STATEN), ("8240", 0.08, STATEN),
)
SURPLUS_SHARE = 0.01

# Kind of unit: by its code, else by its nearest ancestor with an entry here.
KIND_BY_UNIT = {"1114": "anaesthesia", "RK200": "it", "R51": "culture", "R52": "transport",
                "R54": "school", "9100": "finance"}
KIND_BY_ANCESTOR = {"AKV": "clinic", "NV": "clinic", "PV": "primary", "PSY": "psych", "DS": "lab",
                    "RK": "office", "RU": "office", "FIN": "common"}
CARE_KINDS = {"clinic", "primary", "psych", "anaesthesia"}

# Names of the internal flows (see trade_flows and regionersattning).
LAB, IT, ANAESTHESIA, REGERS = "lab", "it", "anaesthesia", "regers"


# --------------------------------------------------------------------------------------
# Configuration: tree and chart
# --------------------------------------------------------------------------------------

REGION_CODE = "REG"

# The organisation tree below the region, in display order: code, name, parent,
# motpart codes (the counterparty codes that mean the entity in the ledger's Motpart
# field), first and last period (None: without limit). Administrations (förvaltningar)
# have the region as parent; entities without children are units and deliver files.
ENTITIES: list[tuple[str, str, str, str, str | None, str | None]] = [
    ("HSF", "Hälso- och sjukvårdsförvaltningen", "REG", "11", None, None),
    ("AKV", "Område akutsjukvård", "HSF", "", None, None),
    ("1110", "Akutmottagningen", "AKV", "", None, None),
    ("1111", "Kirurgkliniken", "AKV", "", None, None),
    ("1112", "Ortopedkliniken", "AKV", "", None, None),
    ("1113", "Medicinkliniken", "AKV", "", None, None),
    ("1114", "Anestesi- och intensivvårdskliniken", "AKV", "", None, None),
    ("1115", "Barn- och ungdomskliniken", "AKV", "", None, None),
    ("NV", "Område nära vård", "HSF", "", None, None),
    ("PV", "Primärvård", "NV", "", None, None),
    ("1210", "Hälsocentralen Norr", "PV", "", None, None),
    ("1211", "Hälsocentralen Söder", "PV", "", None, None),
    ("1212", "Hälsocentralen Centrum", "PV", "", None, None),
    ("1213", "Hälsocentralen Bruket", "PV", "", None, None),
    ("1214", "Hälsocentralen Fjällbygden", "PV", "", None, None),
    ("PSY", "Psykiatri", "NV", "", None, None),
    ("1220", "Vuxenpsykiatri", "PSY", "", None, None),
    ("1221", "Barn- och ungdomspsykiatri", "PSY", "", None, None),
    ("1222", "Rättspsykiatri", "PSY", "", None, None),
    ("1230", "Habilitering", "NV", "", None, None),
    ("DS", "Område diagnostik och service", "HSF", "14", None, None),  # sells lab and imaging inside HSF
    ("1310", "Klinisk kemi", "DS", "", None, None),
    ("1311", "Klinisk mikrobiologi", "DS", "", None, None),
    ("1312", "Bild- och funktionsmedicin", "DS", "", None, None),
    ("RK", "Regionkontoret", "REG", "12", None, None),
    ("RK100", "Ledningsstab", "RK", "", None, None),
    ("RK200", "Regional IT", "RK", "", None, None),
    ("RK300", "HR-avdelningen", "RK", "", None, None),
    ("RK400", "Ekonomiavdelningen", "RK", "", None, None),
    ("RK500", "Kommunikation", "RK", "", None, "2026-03"),
    ("E8", "Upphandling och VFN", "RK", "", None, None),
    ("RU", "Regional utveckling", "REG", "13", None, None),
    ("R51", "Kultur", "RU", "", None, None),
    ("R52", "Kollektivtrafik", "RU", "", None, None),
    ("R53", "Näringsliv och kompetens", "RU", "", None, None),
    ("R54", "Folkhögskolan", "RU", "", None, None),
    ("RK500", "Kommunikation", "RU", "", "2026-04", None),
    ("FIN", "Finansförvaltningen", "REG", "19", None, None),
    ("9100", "Finansiering", "FIN", "", None, None),  # skatter, statsbidrag, finansnetto; pays regionersättning
    ("9200", "Regiongemensamma kostnader", "FIN", "", None, None),  # pensions; no Motpart column
]

# The reorganisation: Kommunikation moves from Regionkontoret to Regional utveckling
# from April. Its files keep their layout; its figures roll up the tree of each period.
MOVED = {"unit": "RK500", "before": "RK", "after": "RU", "from": "2026-04"}

# The account mapping (kontoplan -> rapportrader): account patterns (prefixes, or
# ranges of equal length) onto the detail lines of chart.toml, with a description.
# The longest matching pattern wins, so "3999" (elimdiff) beats "39".
MAPPING: list[tuple[str, str, str]] = [
    ("30", "patavg", "Patientavgifter"),
    ("31", "tj", "Såld hälso- och sjukvård"),
    ("32", "tj", "Sålda tjänster, IT och service"),
    ("33", "tj", "Sålda tjänster, övriga"),
    ("34", "tj", "Sålda tjänster, utbildning"),
    ("35", "stb", "Specialdestinerade statsbidrag"),
    ("36", "ovrint", "Bidrag och ersättningar"),
    ("37", "regers", "Regionersättning"),
    ("38", "ovrint", "Hyror och arrenden"),
    ("39", "ovrint", "Övriga intäkter"),
    ("3999", "elimdiff", "Differens internposter (bokas inte av enheterna)"),
    ("40", "lon", "Löner"),
    ("41", "lon", "Löner, jour och beredskap"),
    ("4200-4499", "lon", "Övriga löner och arvoden"),
    ("45", "soc", "Arbetsgivaravgifter"),
    ("46", "soc", "Pensionskostnader"),
    ("47", "soc", "Avtalsförsäkringar"),
    ("48", "ovrpers", "Övriga personalkostnader"),
    ("49", "inhyrd", "Inhyrd personal"),
    ("5000-5399", "mtrl", "Material och varor"),
    ("54", "kopvard", "Köpt vård"),
    ("55", "lakemedel", "Läkemedel"),
    ("5600-5999", "ovr5", "Övriga köpta verksamhetstjänster"),
    ("60", "lokal", "Lokalhyror"),
    ("61", "lokal", "El, värme och övriga lokalkostnader"),
    ("62", "it", "Köpta IT-tjänster"),
    ("63", "it", "Licenser och programvara"),
    ("6400-7799", "ovr67", "Övriga kostnader"),
    ("78", "avskr", "Avskrivningar"),
    ("79", "regerskost", "Lämnad regionersättning"),
    ("80", "skatt", "Skatteintäkter"),
    ("82", "gstb", "Generella statsbidrag och utjämning"),
    ("84", "finint", "Finansiella intäkter"),
    ("85", "finkost", "Finansiella kostnader"),
]


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    ancestors: tuple[str, ...]   # parent first, up to (excluding) the region
    party: str                   # entity whose motpart code means this unit
    party_code: str              # that entity's first motpart code, "" if none
    kind: str
    home: str                    # its administration in the first period: its files' layout depends on it

    @property
    def administration(self) -> str:
        return self.ancestors[-1]


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    fte_hours_per_year: float
    entities: dict[str, dict]    # code -> {code, name, parent, motpart}, valid in the period
    units: tuple[Unit, ...]
    line_of: dict[str, str]      # account -> chart line code


def entities_of(period: str) -> dict[str, dict]:
    """The entities valid in the period, in display order (first definition's place)."""
    valid = {}
    for code, name, parent, motpart, start, end in ENTITIES:
        if (start is None or start <= period) and (end is None or period <= end):
            valid[code] = {"code": code, "name": name, "parent": parent,
                           "motpart": [m for m in motpart.split(",") if m]}
    order = list(dict.fromkeys(code for code, *_ in ENTITIES))
    return {code: valid[code] for code in order if code in valid}


def _ancestors(code: str, entities: dict[str, dict]) -> list[str]:
    ancestors, parent = [], entities[code]["parent"]
    while parent != REGION_CODE:
        ancestors.append(parent)
        parent = entities[parent]["parent"]
    return ancestors


def load_region(period: str = PERIODS[-1], config: Path = CONFIG) -> Region:
    """The region in `period`: region.toml's [region], the tree valid then, and every
    sample account mapped onto the chart (chart.toml's lines, `MAPPING`'s patterns).
    A unit's kind and home administration come from the first period's tree."""
    with open(config, "rb") as handle:
        region = tomllib.load(handle)["region"]
    entities = entities_of(period)
    first = entities_of(PERIODS[0])
    parents = {e["parent"] for e in entities.values()}
    units = []
    for code, entity in entities.items():
        if code in parents:
            continue
        ancestors = _ancestors(code, entities)
        home = _ancestors(code, first)
        party = next((c for c in (code, *ancestors) if entities[c]["motpart"]), "")
        party_code = entities[party]["motpart"][0] if party else ""
        kind = KIND_BY_UNIT.get(code) or next(KIND_BY_ANCESTOR[a] for a in home if a in KIND_BY_ANCESTOR)
        units.append(Unit(code, entity["name"], tuple(ancestors), party, party_code, kind, home[-1]))
    unknown = set(KIND_BY_UNIT) - {u.code for u in units}
    assert not unknown, f"KIND_BY_UNIT names codes that are not units: {unknown}"
    line_of = {account: chart_line(account, chart_lines(config)) for account in ACCOUNTS}
    return Region(region["code"], region["name"], region["fte_hours_per_year"], entities,
                  tuple(units), line_of)


def chart_lines(config: Path = CONFIG) -> list[dict]:
    """chart.toml's lines with the accounts of `MAPPING` added to each."""
    with open(config.parent / "chart.toml", "rb") as handle:
        lines = tomllib.load(handle)["line"]
    known = {line["code"] for line in lines}
    missing = {line for _, line, _ in MAPPING} - known
    assert not missing, f"MAPPING names lines that chart.toml does not have: {missing}"
    return [{**line, "accounts": [*line.get("accounts", []), *(p for p, code, _ in MAPPING if code == line["code"])]}
            for line in lines]


def chart_line(account: str, lines: list[dict]) -> str:
    """The chart line of an account: the longest matching pattern, which must be unique."""
    matches = []
    for line in lines:
        for pattern in line["accounts"]:
            low, _, high = pattern.partition("-")
            high = high or low
            if len(account) >= len(low) and low <= account[: len(low)] <= high:
                matches.append((len(low), line["code"]))
    if not matches:
        raise ValueError(f"account {account} maps to no line of chart.toml")
    best = max(length for length, _ in matches)
    winners = {code for length, code in matches if length == best}
    if len(winners) != 1:
        raise ValueError(f"account {account} matches equally specific patterns of {winners}")
    return winners.pop()


def write_config(organisation: Path = ORGANISATION, kontoplan: Path = KONTOPLAN) -> None:
    """The tree and the mapping as the tables region.toml names (SPEC §11)."""
    book = _workbook(organisation)
    sheet = book.add_worksheet("Organisation")
    bold = book.add_format({"bold": True})
    for c, label in enumerate(("Kod", "Namn", "Förälder", "Motpart", "Från", "Till")):
        sheet.write_string(0, c, label, bold)
    for r, row in enumerate(ENTITIES, start=1):
        for c, value in enumerate(row):
            if value:
                sheet.write_string(r, c, value)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 5, 10)
    sheet.freeze_panes(1, 0)
    book.close()
    book = _workbook(kontoplan)
    sheet = book.add_worksheet("Kontoplan")
    bold = book.add_format({"bold": True})
    for c, label in enumerate(("Konto", "Rad", "Benämning")):
        sheet.write_string(0, c, label, bold)
    for r, row in enumerate(MAPPING, start=1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    sheet.set_column(0, 1, 12)
    sheet.set_column(2, 2, 44)
    sheet.freeze_panes(1, 0)
    book.close()


def toml_form(folder: Path, config: Path = CONFIG) -> Path:
    """The sample configuration with the tree and the mapping in TOML (SPEC §3):
    region.toml with `[[entity]]` tables (`from`/`to` where a row has Från/Till) and
    chart.toml with each line's `accounts`, written into `folder` (inputs and outputs
    as the sample config's, relative to a folder beside it). Returns its region.toml."""
    with open(config, "rb") as handle:
        doc = tomllib.load(handle)
    doc.pop("tree", None)
    doc.pop("chart", None)
    doc["entity"] = []
    for code, name, parent, motpart, start, end in ENTITIES:
        entity: dict = {"code": code, "name": name, "parent": parent}
        if motpart:
            entity["motpart"] = motpart.split(",")
        if start:
            entity["from"] = start
        if end:
            entity["to"] = end
        doc["entity"].append(entity)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chart.toml").write_text(chart_toml(config), encoding="utf-8")
    (folder / "region.toml").write_text(toml_text(doc), encoding="utf-8")
    return folder / "region.toml"


def chart_toml(config: Path = CONFIG) -> str:
    """chart.toml with the accounts of `MAPPING` in its lines (the chart in TOML only)."""
    with open(config.parent / "chart.toml", "rb") as handle:
        chart = tomllib.load(handle)
    chart["line"] = chart_lines(config)
    return toml_text(chart)


def toml_text(doc: dict) -> str:
    """A TOML document of tables, arrays of tables and simple values."""
    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        raise TypeError(v)

    def body(table: dict) -> list[str]:
        return [f"{k} = {value(v)}" for k, v in table.items() if not isinstance(v, dict)]

    out: list[str] = []
    for key, item in doc.items():
        if isinstance(item, list) and item and all(isinstance(x, dict) for x in item):
            for element in item:
                out += ["", f"[[{key}]]", *body(element)]
        elif isinstance(item, dict):
            out += ["", f"[{key}]", *body(item)]
            for sub, inner in item.items():
                if isinstance(inner, dict):
                    out += ["", f"[{key}.{sub}]", *body(inner)]
        else:
            out.insert(0, f"{key} = {value(item)}")
    return "\n".join(out).lstrip() + "\n"


# --------------------------------------------------------------------------------------
# Ground truth: income
# --------------------------------------------------------------------------------------

def rng(*key: object) -> random.Random:
    return random.Random("|".join([SEED, *map(str, key)]))


def month_of(period: str) -> int:
    return int(period[5:7])


def thousands(x: float) -> int:
    return round(x / 1000) * 1000


def measures(key: str, annual_kr: float, period: str, spread: float = 0.05) -> dict[str, int]:
    """Six year-to-date measures in whole kr for a flow with this annual budget.

    The drift of actual from budget is fixed per key, so April ≈ March × 4/3 plus a
    little noise of the month.
    """
    m = month_of(period)
    steady = rng(key)
    drift = steady.gauss(0, spread)
    growth = steady.uniform(-0.08, 0.015)
    prior_drift = steady.gauss(0, spread * 0.8)
    noisy = rng(key, period)
    annual = thousands(annual_kr)
    prior_full_year = thousands(annual * (1 + growth))
    return {
        "actual": round(annual * m / 12 * (1 + drift + noisy.gauss(0, spread / 4))),
        "budget": round(annual * m / 12),
        "prior": round(prior_full_year * m / 12 * (1 + prior_drift + noisy.gauss(0, spread / 5))),
        "annual_budget": annual,
        "forecast": thousands(annual * (1 + drift * (0.3 + 0.1 * m) + noisy.gauss(0, spread / 10))),
        "prior_full_year": prior_full_year,
    }


def paid_as_budgeted(annual_kr: float, period: str) -> dict[str, int]:
    """Regionersättning: paid in twelfths of the annual budget, forecast = budget."""
    m = month_of(period)
    annual = thousands(annual_kr)
    prior_full_year = thousands(annual * 0.97)
    budget = round(annual * m / 12)
    return {"actual": budget, "budget": budget, "prior": round(prior_full_year * m / 12),
            "annual_budget": annual, "forecast": annual, "prior_full_year": prior_full_year}


def unit_size(unit: Unit) -> float:
    low, high = {"primary": (0.7, 1.3), "transport": (0.95, 1.05)}.get(unit.kind, (0.45, 1.35))
    return rng("size", unit.code).uniform(low, high)


@dataclass
class Ledger:
    """Income rows keyed by (unit, account, counterparty), amounts in kr."""

    rows: dict[tuple[str, str, str], dict[str, int]] = field(default_factory=dict)

    def add(self, unit: str, account: str, counterparty: str, amounts: dict[str, int], sign: int = 1) -> None:
        row = self.rows.setdefault((unit, account, counterparty), dict.fromkeys(MEASURES, 0))
        for k in MEASURES:
            row[k] += sign * amounts[k]

    def annual_result(self, unit: str) -> int:
        return sum(r["annual_budget"] for (u, _, _), r in self.rows.items() if u == unit)


@dataclass(frozen=True)
class Flow:
    """Internal trade: the seller books revenue, the buyer the same amount as cost."""

    name: str
    seller: Unit
    buyer: Unit
    seller_account: str
    buyer_account: str
    amounts: dict[str, int]


def external_rows(region: Region, period: str, ledger: Ledger) -> None:
    for unit in region.units:
        size = unit_size(unit)
        for i, (account, mkr, counterparty) in enumerate(PROFILES[unit.kind]):
            amounts = measures(f"{unit.code}/{account}/{i}", mkr * 1e6 * size, period)
            ledger.add(unit.code, account, counterparty, amounts)


def trade_flows(region: Region, period: str) -> list[Flow]:
    """Lab, imaging, anaesthesia and IT services sold inside the region."""
    flows = []
    by_kind = defaultdict(list)
    for unit in region.units:
        by_kind[unit.kind].append(unit)

    def flow(name, seller, buyer, seller_account, buyer_account, low, high):
        key = f"{name}/{seller.code}/{buyer.code}"
        annual = rng(key).uniform(low, high) * 1e6 * unit_size(buyer)
        flows.append(Flow(name, seller, buyer, seller_account, buyer_account, measures(key, annual, period)))

    care = [u for u in region.units if u.kind in CARE_KINDS]
    for lab in by_kind["lab"]:
        for buyer in care:
            flow(LAB, lab, buyer, "3150", "5610", 0.8, 3.2)
    for seller in by_kind["anaesthesia"]:
        for buyer in care:
            if buyer.kind == "clinic" and buyer.ancestors[0] == seller.ancestors[0]:
                flow(ANAESTHESIA, seller, buyer, "3250", "5910", 1.5, 4.0)
    for seller in by_kind["it"]:
        for buyer in region.units:
            if buyer is not seller and buyer.kind not in ("finance", "common"):
                high = 2.6 if buyer.kind in CARE_KINDS | {"lab"} else 1.2
                flow(IT, seller, buyer, "3210", "6210", 0.4, high)
    return flows


def book_flows(flows: list[Flow], ledger: Ledger) -> None:
    for f in flows:
        seller_amounts = dict(f.amounts)
        if (f.name, f.seller.code, f.buyer.code) == (MISMATCH["flow"], MISMATCH["seller"], MISMATCH["buyer"]):
            seller_amounts[MISMATCH["measure"]] += MISMATCH["kr"]
        ledger.add(f.seller.code, f.seller_account, f.buyer.party_code, seller_amounts)
        ledger.add(f.buyer.code, f.buyer_account, f.seller.party_code, f.amounts, sign=-1)


def regionersattning(region: Region, period: str, ledger: Ledger) -> list[Flow]:
    """The finance unit pays every operating unit what balances its annual budget."""
    payer = next(u for u in region.units if u.kind == "finance")
    flows = []
    for unit in region.units:
        if unit.kind in ("finance", "common"):
            continue
        annual = -ledger.annual_result(unit.code)
        flows.append(Flow(REGERS, unit, payer, "3710", "7910", paid_as_budgeted(annual, period)))
    book_flows(flows, ledger)
    return flows


def taxes(region: Region, period: str, ledger: Ledger) -> None:
    """Skatteintäkter and generella statsbidrag: what the region needs plus a surplus."""
    payer = next(u for u in region.units if u.kind == "finance")
    rest = sum(r["annual_budget"] for r in ledger.rows.values())
    needed = -rest / (1 - SURPLUS_SHARE)
    for account, share, counterparty in TAX_SHARES:
        ledger.add(payer.code, account, counterparty,
                   measures(f"tax/{account}", needed * share, period, spread=0.01))


def income(region: Region, period: str) -> tuple[Ledger, list[Flow]]:
    ledger = Ledger()
    external_rows(region, period, ledger)
    flows = trade_flows(region, period)
    book_flows(flows, ledger)
    flows += regionersattning(region, period, ledger)
    taxes(region, period, ledger)
    return ledger, flows


# --------------------------------------------------------------------------------------
# Ground truth: the units' comments
# --------------------------------------------------------------------------------------

# The units that deviate most from budget comment on it (`Kommentar:` above the header),
# as the seeds' "Kort kommentar" per unit; the first few of them also on the row that
# deviates most (a `Kommentar` column). Only layouts with a free row above the header.
COMMENTED_UNITS = 6
ROW_COMMENTED_UNITS = 3
COMMENT_STYLES = ("A", "B", "D", "E", "FIN")
REASONS = {  # (line, the deviation favourable) -> why, as a unit would say it
    ("lon", False): "vakanser har ersatts med övertid och inhyrd personal",
    ("lon", True): "vakanser och föräldraledigheter som inte har ersatts",
    ("soc", False): "högre pensionskostnader än budgeterat",
    ("soc", True): "lägre lönekostnader ger lägre arbetsgivaravgifter",
    ("inhyrd", False): "inhyrda läkare och sjuksköterskor under semesterplaneringen",
    ("mtrl", False): "högre volymer och prisökningar på sjukvårdsmaterial",
    ("lakemedel", False): "ökad förskrivning av nya läkemedel",
    ("kopvard", False): "fler remisser till privata vårdgivare",
    ("tj", True): "fler besök och analyser än planerat",
    ("tj", False): "färre besök än planerat",
    ("it", False): "licenser som förnyats tidigare än planerat",
    ("skatt", True): "skatteunderlagsprognosen i april är högre än den budgeten bygger på",
    ("skatt", False): "skatteunderlagsprognosen i april är lägre än den budgeten bygger på",
}


def _lower(name: str) -> str:
    """A line's name inside a sentence: "Löner" -> "löner", "IT-kostnader" as it is."""
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def _mkr(kr: float) -> str:
    """`-1,2` (mkr, one decimal, as the seeds write it)."""
    return f"{kr / 1e6:.1f}".replace(".", ",").replace("-0,0", "0,0")


def comments(region: Region, period: str, ledger: Ledger, income_style: dict[str, str],
             config: Path = CONFIG) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The unit comments (unit -> text) and the row comments (unit -> account -> text)."""
    names = {line["code"]: line["name"] for line in chart_lines(config)}
    deviation: dict[str, int] = defaultdict(int)
    by_account: dict[tuple[str, str], int] = defaultdict(int)
    for (unit, account, _), amounts in ledger.rows.items():
        deviation[unit] += amounts["actual"] - amounts["budget"]
        by_account[(unit, account)] += amounts["actual"] - amounts["budget"]
    candidates = [u.code for u in region.units if income_style[u.code] in COMMENT_STYLES]
    chosen = sorted(candidates, key=lambda code: (-abs(deviation[code]), code))[:COMMENTED_UNITS]
    unit_comments, row_comments = {}, {}
    for rank, code in enumerate(chosen):
        account, largest = max(((a, d) for (u, a), d in by_account.items() if u == code),
                               key=lambda item: (abs(item[1]), item[0]))
        line = region.line_of[account]
        reason = REASONS.get((line, largest > 0))
        what = "Överskott" if deviation[code] > 0 else "Underskott"
        text = (f"{what} {_mkr(abs(deviation[code]))} mkr mot budget t.o.m. {MONTH_NAMES[month_of(period)]}. "
                f"Störst avvikelse på {_lower(names[line])}, {_mkr(largest)} mkr")
        unit_comments[code] = text + (f": {reason}." if reason else ".")
        if rank < ROW_COMMENTED_UNITS:
            row_comments[code] = {account: f"{_mkr(largest)} mkr mot budget" + (f"; {reason}" if reason else "")}
    return unit_comments, row_comments


# --------------------------------------------------------------------------------------
# Ground truth: staffing
# --------------------------------------------------------------------------------------

GENDERS = ("K", "M")
AGE_BANDS = ("-29", "30-49", "50-")
AGE_SHARES = (0.16, 0.50, 0.34)
GROUPS = {
    "care": (("Läkare", 0.17), ("Sjuksköterskor", 0.36), ("Undersköterskor", 0.32), ("Övriga", 0.15)),
    "other": (("Handläggare", 0.62), ("Chefer", 0.10), ("Övriga", 0.28)),
}
FEMALE_SHARE = {"office": 0.64, "it": 0.38, "transport": 0.45, "culture": 0.66, "school": 0.58,
                "common": 0.7, "finance": 0.5}
COST_PER_EMPLOYEE = 560_000      # kr of löner (40-41) per employee and year
HIRED_COST_PER_HOUR = 1_350      # kr per hour from staffing agencies
STAFF_MEASURES = ("headcount", "hours_worked", "hours_scheduled", "sick_hours", "sick_short_hours",
                  "sick_long_hours", "hired_hours")
# Sick leave by length of spell and hours by kind, as some regions publish them: the
# units of these administrations (by their home in the first period) deliver them,
# the others do not, so the region's totals of them are empty (never 0).
BAND_MEASURES = ("sick_15_90_hours", "sick_91_365_hours", "sick_366_hours", "hours_worked_incl_on_call",
                 "pool_hours")
BAND_ADMINISTRATIONS = ("HSF", "RU")


def allocate(total: int, shares: list[float]) -> list[int]:
    """Split an integer total by shares with the largest-remainder method."""
    raw = [total * s / sum(shares) for s in shares]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def staff_cells(unit: Unit, detail: str) -> list[tuple[str | None, str | None, str | None, float]]:
    """(group, gender, age_band, share) cells for the unit's level of detail."""
    if detail == "single":
        return [(None, None, None, 1.0)]
    female = FEMALE_SHARE.get(unit.kind, 0.78)
    groups: tuple = ((None, 1.0),)
    if detail == "group":
        groups = GROUPS["care" if unit.kind in CARE_KINDS | {"lab"} else "other"]
    return [(g, sex, age, gs * (female if sex == "K" else 1 - female) * ash)
            for g, gs in groups for sex in GENDERS for age, ash in zip(AGE_BANDS, AGE_SHARES)]


def hours_for(key: str, headcount: int, gender: str | None, age: str | None, months: int,
              fte_hours: float, year: str) -> dict[str, int]:
    """Year-to-date hours for a cell of staff; `year` separates this year from last."""
    steady = rng("staff", key, year)
    sick_pct = (0.062 if gender == "K" else 0.045 if gender == "M" else 0.057)
    sick_pct += {"-29": -0.008, "50-": 0.012}.get(age, 0) + steady.uniform(-0.012, 0.015)
    sick_pct = min(max(sick_pct, 0.04), 0.09)
    scheduled = headcount * fte_hours * months / 12 * steady.uniform(0.90, 0.97)
    sick = scheduled * sick_pct
    other_leave = scheduled * steady.uniform(0.05, 0.09)
    overtime = scheduled * steady.uniform(0.01, 0.035)
    return {
        "headcount": headcount,
        "hours_worked": round(scheduled - sick - other_leave + overtime),
        "hours_scheduled": round(scheduled),
        "sick_hours": round(sick),
        "sick_short_hours": round(sick * steady.uniform(0.36, 0.50)),
        "sick_long_hours": round(sick * steady.uniform(0.30, 0.45)),
        "hired_hours": 0,
    }


def bands_for(key: str, hours: dict[str, int], year: str) -> dict[str, int]:
    """Sick leave by length of spell (days 15-90, 91-365, 366-: with days 1-14 they make
    all sick leave; those from day 91 are within the spells of 60 days or more), hours
    including on-call time and the hours of the region's staff pool, for a cell of staff
    whose other hours are `hours`. Drawn apart from those, so they stay as they were."""
    steady = rng("staff-bands", key, year)
    sick, short, long = hours["sick_hours"], hours["sick_short_hours"], hours["sick_long_hours"]
    from_366 = round(long * steady.uniform(0.10, 0.25))
    from_91 = round((long - from_366) * steady.uniform(0.70, 0.95))
    return {
        "sick_15_90_hours": sick - short - from_91 - from_366,
        "sick_91_365_hours": from_91,
        "sick_366_hours": from_366,
        "hours_worked_incl_on_call": round(hours["hours_worked"] * steady.uniform(1.02, 1.08)),
        "pool_hours": round(hours["hours_worked"] * steady.uniform(0.0, 0.03)),
    }


def staffing(region: Region, period: str, ledger: Ledger, detail_of: dict[str, str]) -> list[dict]:
    months = month_of(period)
    rows = []
    for unit in region.units:
        wages = -sum(r["annual_budget"] for (u, a, _), r in ledger.rows.items()
                     if u == unit.code and region.line_of[a] == "lon" and a != "4110")
        hired_kr = -sum(r["actual"] for (u, a, _), r in ledger.rows.items()
                        if u == unit.code and region.line_of[a] == "inhyrd")
        base = round(wages / COST_PER_EMPLOYEE)
        steady = rng("headcount", unit.code)
        now = max(base + rng("headcount", unit.code, period).choice((-1, 0, 0, 1)), 0) if base else 0
        before = max(round(base * steady.uniform(0.95, 1.04)), 0)
        cells = staff_cells(unit, detail_of[unit.code])
        shares = [c[3] for c in cells]
        hired = allocate(round(hired_kr / HIRED_COST_PER_HOUR), shares)
        hired_before = allocate(round(hired_kr * steady.uniform(0.7, 1.3) / HIRED_COST_PER_HOUR), shares)
        heads, heads_before = allocate(now, shares), allocate(before, shares)
        for i, ((group, gender, age, _), h, hb) in enumerate(zip(cells, heads, heads_before)):
            if h == 0 and hb == 0 and len(cells) > 1:
                continue
            key = f"{unit.code}/{i}"
            this = hours_for(key, h, gender, age, months, region.fte_hours_per_year, "now")
            last = hours_for(key, hb, gender, age, months, region.fte_hours_per_year, "before")
            this["hired_hours"], last["hired_hours"] = hired[i], hired_before[i]
            if unit.home in BAND_ADMINISTRATIONS:
                this.update(bands_for(key, this, "now"))
                last.update(bands_for(key, last, "before"))
            row = {"unit": unit.code, "group": group, "gender": gender, "age_band": age}
            row.update(this)
            row.update({f"{k}_prior": v for k, v in last.items()})
            rows.append(row)
    return rows


# --------------------------------------------------------------------------------------
# File layouts (SPEC §1-2 varieties)
# --------------------------------------------------------------------------------------

# Labels (INCOME_LABELS, STAFF_LABELS) and the style classes are in workbooks.py.
ALL = MEASURES

INCOME_STYLES = {
    "A": IncomeStyle(
        "A", "{code}_resultat.xlsx",
        (("Resultaträkning",), ("Ansvar:", "{code}"), ("Period:", "{period}"), ("Belopp i tkr",)),
        6, ("account", "name", "counterparty", *ALL), "plain", "tkr", "number", "number", True, "Resultat",
        features=("file name {code}_resultat", "Ansvar: label + code in next cell", "Period: label + value",
                  "Belopp i tkr", "header row 6", "headings and subtotals", "control total 'Resultat'")),
    "B": IncomeStyle(
        "B", "{code}-{name}.xlsx", (("Enhet: {code}",), ("Belopp i kr",)),
        4, ("account", "name", "counterparty", "actual", "budget", "prior", "annual_budget", "forecast",
            "prior_full_year"), "ack", "kr", "number", "text-nbsp", True, "Totalt",
        features=("file name {code}-name", "Enhet: CODE in one cell", "Belopp i kr", "header row 4",
                  "labels 'KONTO ', Kontonamn, Ack utfall/Ack budget/Ack utfall fg år, Helårsbudget/Helårsprognos",
                  "amounts as Swedish text with U+00A0 thousands and U+2212 minus, zero cells empty",
                  "headings and subtotals", "control total 'Totalt' as text")),
    "C": IncomeStyle(
        "C", "{code}.xlsx", (), 1,
        ("account", "counterparty", "budget", "actual", "forecast", "annual_budget", "prior_full_year", "prior"),
        "plain", "kr", "combined", "number", False, "Summa", formula_total=True,
        features=("file name {code}.xlsx", "no title block, header row 1",
                  "'4011 Löner' in the Konto cell, no name column", "columns reordered",
                  "amounts in kr (default unit)", "control total 'Summa' as =SUM formula with cached value")),
    "D": IncomeStyle(
        "D", "{code} Resultat {month}.xlsx", (("Period: {period}",), ("Belopp i tkr",), ()),
        5, ("account", "name", "counterparty", "actual", "budget", "prior", "forecast", "annual_budget",
            "prior_full_year"), "tkr", "tkr", "number", "number", True, "Totalt", formula_total=False,
        features=("file name '{code} Resultat <månad>'", "unit only in file name", "Period: YYYY-MM in one cell",
                  "Belopp i tkr", "header row 5", "labels with trailing '(tkr)'", "headings and subtotals",
                  "control total 'Totalt'")),
    "E": IncomeStyle(
        "E", "Månadsrapport {period} {name}.xlsx",
        (("Resultatrapport",), ("Ansvar: {code}",), ("Belopp i tkr",)),
        5, ("account", "name", "actual", "budget", "prior", "annual_budget", "forecast", "prior_full_year",
            "counterparty"), "mixed", "tkr", "text", "text-thin-paren", True, "Summa",
        features=("unrelated file name, unit only in title", "Ansvar: CODE in one cell", "Belopp i tkr",
                  "header row 5", "account codes as text cells", "Motpart as last column",
                  "amounts as Swedish text with U+2009 thousands, (1 234,5) negatives",
                  "headings and subtotals", "control total 'Summa' as text")),
    "F": IncomeStyle(
        "F", "export_{n:03d}.xlsx", (("Enhet:", "{code}"), ("Belopp i kr",)),
        3, ("counterparty", "account", "name", "actual", "budget", "prior", "annual_budget", "forecast",
            "prior_full_year"), "lower", "kr", "number", "text-plain", False, "Totalt", motpart_number=True,
        features=("unrelated file name, unit only in title", "Enhet: label + code in next cell", "Belopp i kr",
                  "header row 3", "lower-case labels, ' utfall ' with spaces", "Motpart first column, as numbers",
                  "amounts as text '1 234' / '-1 234' with plain spaces", "control total 'Totalt'")),
    "FIN": IncomeStyle(
        "FIN", "{code} Finansförvaltning.xlsx",
        (("Finansförvaltningen – resultaträkning",), (), ("Ansvar:", "{code}"), ("Period:", "{period}"),
         ("Belopp i mkr",)),
        8, ("account", "name", "counterparty", *ALL), "plain", "mkr", "number", "number", False, "Resultat",
        formula_total=True,
        features=("file name '{code} Finansförvaltning'", "Ansvar: label + code in next cell", "Period:",
                  "Belopp i mkr (6 decimals)", "header row 8", "same account on several rows per Motpart",
                  "control total 'Resultat' as =SUM formula with cached value")),
    "NOMP": IncomeStyle(
        "NOMP", "Regiongemensamt.xlsx", (("Ansvar: {code}", "", "Belopp i tkr"),),
        2, ("account", "name", *ALL), "plain", "tkr", "number", "number", False, "Summa",
        features=("unrelated file name", "Ansvar: CODE and Belopp i tkr on the same title row", "header row 2",
                  "no Motpart column", "control total 'Summa'")),
    "MANY": IncomeStyle(
        "MANY", "Regional utveckling ekonomi {period}.xlsx",
        (("Utdrag ur ekonomisystemet",), ("Period: {period}",), ("Belopp i tkr",)),
        5, ("unit", "account", "name", "counterparty", *ALL), "plain", "tkr", "number", "number", False,
        "Summa", formula_total=True,
        features=("many-unit workbook with an Ansvar column", "no unit in title", "Period: in one cell",
                  "Belopp i tkr", "header row 5", "control total 'Summa' as =SUM formula with cached value")),
}

NOW_THEN = tuple(STAFF_MEASURES) + tuple(f"{k}_prior" for k in STAFF_MEASURES)
INTERLEAVED = tuple(x for k in STAFF_MEASURES for x in (k, f"{k}_prior"))



STAFF_STYLES = {
    "P1": StaffStyle("P1", "{code}_personal.xlsx", (), 1, "gender_age", ("gender", "age_band", *NOW_THEN),
                     features=("file name {code}_personal", "header row 1", "rows per Kön × Åldersgrupp")),
    "P2": StaffStyle("P2", "Personalrapport {name}.xlsx", (("Enhet:", "{code}"), ("Period:", "{period}")), 4,
                     "group", ("group", "gender", "age_band", *INTERLEAVED),
                     features=("unrelated file name", "Enhet: label + code in next cell", "Period:",
                               "header row 4", "rows per Personalgrupp × Kön × Åldersgrupp",
                               "fg år columns interleaved")),
    "P3": StaffStyle("P3", "{code} Personal {month}.xlsx", (("Period: {period}",),), 3, "single",
                     ("headcount", "headcount_prior", "hours_worked", "hours_worked_prior", "hours_scheduled",
                      "hours_scheduled_prior", "sick_hours", "sick_hours_prior", "sick_short_hours",
                      "sick_short_hours_prior", "sick_long_hours", "sick_long_hours_prior", "hired_hours",
                      "hired_hours_prior"), text_numbers=True,
                     features=("file name '{code} Personal <månad>'", "Period: in one cell", "header row 3",
                               "a single row", "hours as Swedish text with U+00A0 thousands")),
    "P4": StaffStyle("P4", "{code}-personal.xlsx", (("Personalstatistik",), ("Ansvar: {code}",)), 3,
                     "gender_age", ("age_band", "gender", "hours_worked", "headcount", "sick_hours",
                                    "hours_scheduled", "sick_long_hours", "sick_short_hours", "hired_hours",
                                    "hours_worked_prior", "headcount_prior", "sick_hours_prior",
                                    "hours_scheduled_prior", "sick_long_hours_prior", "sick_short_hours_prior",
                                    "hired_hours_prior"),
                     features=("file name {code}-personal plus Ansvar: CODE in title", "header row 3",
                               "rows per Åldersgrupp × Kön", "columns reordered")),
    "ZERO": StaffStyle("ZERO", "{code}_personal.xlsx", (("Ansvar:", "{code}"),), 3, "single", NOW_THEN,
                       features=("unit without staff: a single row of zeros",)),
}


def with_bands(style: StaffStyle) -> StaffStyle:
    """The style with the columns of BAND_MEASURES after its own, each with last year's
    beside it where the style puts them so, else after them all."""
    columns = style.columns
    interleaved = columns[-1] == f"{columns[-2]}_prior"
    if interleaved:
        more = tuple(x for k in BAND_MEASURES for x in (k, f"{k}_prior"))
    else:
        more = BAND_MEASURES + tuple(f"{k}_prior" for k in BAND_MEASURES)
    return replace(style, key=f"{style.key}+", columns=columns + more,
                   features=(*style.features, "sick leave by length of spell (Sjukfrånvaro dag 15-90, 91-365, 366-), "
                             "Arbetad tid inkl jour and Resurspool, each with fg år"))


# The same layouts with sick leave by length of spell and hours by kind ("P1+", ...).
STAFF_STYLES.update({f"{key}+": with_bands(style) for key, style in list(STAFF_STYLES.items()) if key != "ZERO"})


def plan_files(region: Region) -> tuple[dict[str, str], dict[str, str]]:
    """Income and staffing style per unit. Regional utveckling shares one many-unit workbook."""
    cycle_income, cycle_staff = "ABCDEF", ("P1", "P2", "P3", "P4")
    income_style, staff_style = {}, {}
    regular = 0
    for i, unit in enumerate(region.units):
        if unit.kind == "finance":
            income_style[unit.code], staff_style[unit.code] = "FIN", "ZERO"
            continue
        if unit.kind == "common":
            income_style[unit.code] = "NOMP"
        elif unit.home == "RU":
            income_style[unit.code] = "MANY"
        else:
            income_style[unit.code] = cycle_income[regular % len(cycle_income)]
            regular += 1
        bands = "+" if unit.home in BAND_ADMINISTRATIONS else ""
        staff_style[unit.code] = cycle_staff[i % len(cycle_staff)] + bands
    return income_style, staff_style


def file_name(pattern: str, unit: Unit, period: str, n: int) -> str:
    return pattern.format(code=unit.code, name=unit.name, period=period,
                          month=MONTH_NAMES[month_of(period)], n=n)


# --------------------------------------------------------------------------------------
# build(): the ground truth
# --------------------------------------------------------------------------------------

def build(period: str, config: Path = CONFIG) -> dict:
    """Ground truth for one period, in kr, computed before anything is formatted.

    {"period", "region", "income": [{unit, account, line, counterparty, <6 measures>}],
     "staffing": [{unit, group, gender, age_band, <7 measures>, <7 measures>_prior}],
     "flows": [{name, seller, buyer, seller_account, buyer_account, <6 measures>}],
     "files": {"resultat/x.xlsx": {kind, style, units, amount_unit, header_row, features}},
     "mismatch": MISMATCH,
     "comments": {unit: its comment}, "row_comments": {unit: {account: the comment on its first row}}}

    Staffing rows of the units of BAND_ADMINISTRATIONS also have BAND_MEASURES (and
    their _prior); the other units' rows lack those keys: their files lack the columns.
    """
    region = load_region(period, config)
    ledger, flows = income(region, period)
    income_style, staff_style = plan_files(region)
    unit_comments, row_comments = comments(region, period, ledger, income_style, config)
    detail = {code: STAFF_STYLES[s].detail for code, s in staff_style.items()}
    files: dict[str, dict] = {}
    for n, unit in enumerate(region.units, start=1):
        style = INCOME_STYLES[income_style[unit.code]]
        entry = files.setdefault(f"resultat/{file_name(style.filename, unit, period, n)}", {
            "kind": "income", "style": style.key, "units": [], "amount_unit": style.unit,
            "header_row": style.header_row, "features": list(style.features)})
        entry["units"].append(unit.code)
        sstyle = STAFF_STYLES[staff_style[unit.code]]
        files[f"personal/{file_name(sstyle.filename, unit, period, n)}"] = {
            "kind": "staffing", "style": sstyle.key, "units": [unit.code], "amount_unit": None,
            "header_row": sstyle.header_row, "features": list(sstyle.features)}
    for code in (u.code for u in region.units if income_style[u.code] == "NOMP"):
        assert all(cp == "" for (u, _, cp) in ledger.rows if u == code), "NOMP unit has counterparties"
    return {
        "period": period,
        "region": region.code,
        "income": [{"unit": u, "account": a, "line": region.line_of[a], "counterparty": cp, **amounts}
                   for (u, a, cp), amounts in sorted(ledger.rows.items(), key=lambda kv: _unit_order(region, kv[0]))
                   ],
        "staffing": staffing(region, period, ledger, detail),
        "flows": [{"name": f.name, "seller": f.seller.code, "buyer": f.buyer.code,
                   "seller_account": f.seller_account, "buyer_account": f.buyer_account, **f.amounts}
                  for f in flows],
        "files": files,
        "mismatch": dict(MISMATCH),
        "comments": unit_comments,
        "row_comments": row_comments,
    }


def _unit_order(region: Region, key: tuple[str, str, str]) -> tuple:
    order = {u.code: i for i, u in enumerate(region.units)}
    unit, account, counterparty = key
    return order[unit], account, counterparty


def write(period: str, root: Path = HERE, config: Path = CONFIG) -> dict:
    """Write all workbooks of a period under root/period; returns build(period)."""
    truth = build(period, config)
    out = root / period
    for sub in ("resultat", "personal"):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for old in (out / sub).glob("*.xlsx"):
            old.unlink()
    for relative, info in truth["files"].items():
        units = info["units"]
        if info["kind"] == "income":
            rows = [r for r in truth["income"] if r["unit"] in units]
            alone = len(units) == 1  # a unit's comments, in its own workbook
            write_income(_workbook(out / relative), INCOME_STYLES[info["style"]], rows, units[0], period,
                         ACCOUNTS.__getitem__, truth["comments"].get(units[0]) if alone else None,
                         truth["row_comments"].get(units[0]) if alone else None)
        else:
            rows = [r for r in truth["staffing"] if r["unit"] == units[0]]
            write_staffing(_workbook(out / relative), STAFF_STYLES[info["style"]], rows, units[0], period)
    return truth


def _workbook(path: Path):
    return new_workbook(path, {"author": "Region Exempel", "company": "Region Exempel"})


# --------------------------------------------------------------------------------------
# Checking and summary
# --------------------------------------------------------------------------------------

def verify(period: str, root: Path, truth: dict) -> list[str]:
    """Read every written file back with python-calamine; returns problems found."""
    from python_calamine import CalamineWorkbook

    problems = []
    for relative in truth["files"]:
        path = root / period / relative
        try:
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        except Exception as exc:  # noqa: BLE001 - report any reader failure
            problems.append(f"{path}: {exc}")
            continue
        if not rows:
            problems.append(f"{path}: empty sheet")
    return problems


def party_balances(truth: dict, region: Region) -> dict[frozenset, dict[str, int]]:
    """What each pair of parties booked against each other (should be 0 but for MISMATCH)."""
    code_to_party = {m: code for code, e in region.entities.items() for m in e.get("motpart", [])}
    party_of = {u.code: u.party for u in region.units}
    pairs: dict[frozenset, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for row in truth["income"]:
        other = code_to_party.get(row["counterparty"])
        if other:
            for k in MEASURES:
                pairs[frozenset((party_of[row["unit"]], other))][k] += row[k]
    return dict(pairs)


def summary(period: str, truth: dict, region: Region) -> str:
    lines = [f"== {period}: {len(region.units)} units, "
             f"{sum(f['kind'] == 'income' for f in truth['files'].values())} income files, "
             f"{sum(f['kind'] == 'staffing' for f in truth['files'].values())} staffing files, "
             f"{len(truth['income'])} income rows, {len(truth['staffing'])} staffing rows"]
    totals = {k: sum(r[k] for r in truth["income"]) for k in MEASURES}
    lines.append("region result (mkr): " + ", ".join(f"{k} {v / 1e6:,.1f}" for k, v in totals.items()))
    by_line = defaultdict(int)
    for r in truth["income"]:
        by_line[r["line"]] += r["actual"]
    lines.append("actual by line (mkr): " + ", ".join(f"{k} {v / 1e6:,.1f}" for k, v in by_line.items()))
    staff = {k: sum(r[k] for r in truth["staffing"]) for k in (*STAFF_MEASURES, "headcount_prior")}
    months = month_of(period)
    fte = staff["hours_worked"] / (region.fte_hours_per_year * months / 12)
    lines.append("staffing: " + ", ".join(f"{k} {v:,}" for k, v in staff.items())
                 + f"; fte {fte:,.1f}; sick {100 * staff['sick_hours'] / staff['hours_scheduled']:.2f} %"
                 + f"; long share {100 * staff['sick_long_hours'] / staff['sick_hours']:.1f} %")
    for pair, amounts in sorted(party_balances(truth, region).items(), key=lambda kv: sorted(kv[0])):
        off = {k: v for k, v in amounts.items() if v}
        lines.append(f"internal pair {'/'.join(sorted(pair))}: " + (f"MISMATCH {off}" if off else "balanced"))
    return "\n".join(lines)


def main() -> None:
    write_config()
    failed = False
    for period in PERIODS:
        truth = write(period, HERE)
        problems = verify(period, HERE, truth)
        failed |= bool(problems)
        print(summary(period, truth, load_region(period)))
        print("\n".join(problems) or "all files read back with python-calamine")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
