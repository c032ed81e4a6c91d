"""Generate a large synthetic region for benchmarking `consolidate` (issue 8).

    python benchmarks/generate_region.py --units 2000 --out /tmp/region [--seed S]

writes, for period 2026-04:

    OUT/region.toml                 tree: region -> administrations -> 1-2 levels -> units
    OUT/chart.toml                  the sample chart (Region-Bas-like) with its accounts, in TOML
    OUT/region_tabeller.toml        the same region with the tree and the mapping as tables:
    OUT/organisation.xlsx             the tree (SPEC §11), every entity a row
    OUT/kontoplan.xlsx, chart_rader.toml   config/kontoplan.xlsx and config/chart.toml
    OUT/2026-04/resultat/*.xlsx     one income statement per unit (SPEC §1)
    OUT/2026-04/personal/*.xlsx     one staffing workbook per unit (SPEC §2)

Every figure is ground truth in whole kronor first (`build(units, seed)`), then
formatted in one of several layouts SPEC §1-2 allow: header row 1-8, title blocks
in both forms, label aliases (also one added in region.toml), kr/tkr/mkr, Swedish
text amounts, control totals as plain numbers, text or =SUM formulas with cached
values, the unit known from the title block or from the file name only.

Internal trade: units under an entity with `motpart` codes buy services from each
other; both sides book the same amounts, except a few planted pairs of parties
whose seller booked more than the buyer (`truth["mismatches"]`).

Deterministic for a seed: every draw comes from `random.Random` seeded with a
string, and the workbooks' creation time is fixed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import sys
import time
import tomllib
from multiprocessing import Pool
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG = HERE.parent / "config"

# The layouts and workbook writers are the sample generator's (samples/workbooks.py).
if str(HERE.parent / "samples") not in sys.path:
    sys.path.insert(0, str(HERE.parent / "samples"))
from generate import chart_toml  # noqa: E402  the sample chart with the sample mapping's accounts
from workbooks import (  # noqa: E402
    MEASURES,
    IncomeStyle,
    StaffStyle,
    new_workbook,
    write_income,
    write_staffing,
)

PERIOD = "2026-04"
MONTH = 4
STAFF_BASE = ("headcount", "hours_worked", "hours_scheduled", "sick_hours", "sick_short_hours",
              "sick_long_hours", "hired_hours")
STAFF_MEASURES = STAFF_BASE + tuple(f"{k}_prior" for k in STAFF_BASE)
FTE_HOURS = 1725
EXTERNAL = ("81", "87")  # staten, privata företag: ordinary figures, not internal

# Accounts (Region-Bas-like; every one maps to one line of the sample chart) with a
# typical annual size in mkr for a unit; the sign follows the class.
ACCOUNTS = {
    "3011": ("Patientavgifter öppen vård", 2.0), "3012": ("Patientavgifter sluten vård", 0.8),
    "3110": ("Såld hälso- och sjukvård", 5.0), "3250": ("Övriga sålda tjänster", 1.0),
    "3510": ("Specialdestinerade statsbidrag", 2.0), "3810": ("Hyresintäkter", 0.6),
    "3910": ("Övriga intäkter", 0.7), "3920": ("Biljettintäkter", 1.5),
    "4011": ("Löner tillsvidareanställda", 30.0), "4012": ("Löner visstidsanställda", 4.0),
    "4110": ("Jour och beredskap", 3.0), "4510": ("Arbetsgivaravgifter", 11.0),
    "4610": ("Pensionskostnader", 4.0), "4710": ("Avtalsförsäkringar", 0.4),
    "4810": ("Utbildning och konferenser", 0.8), "4820": ("Personalrekrytering", 0.3),
    "4910": ("Inhyrd personal läkare", 3.0), "4920": ("Inhyrd personal sjuksköterskor", 1.5),
    "5110": ("Sjukvårdsmaterial", 6.0), "5210": ("Förbrukningsmaterial", 1.0),
    "5410": ("Köpt vård", 2.0), "5510": ("Läkemedel inom förmånen", 3.0),
    "5520": ("Läkemedel rekvisition", 4.0), "5710": ("Transporter", 0.7),
    "6010": ("Lokalhyror", 6.0), "6110": ("El och värme", 1.2), "6310": ("Licenser och programvara", 1.0),
    "6410": ("Konsulttjänster", 1.5), "6510": ("Resor", 0.3), "7010": ("Lämnade bidrag", 2.0),
    "7110": ("Köpt trafik", 5.0), "7810": ("Avskrivningar inventarier", 2.0),
    "7820": ("Avskrivningar byggnader", 1.0), "8410": ("Ränteintäkter", 0.2),
    "8510": ("Räntekostnader", 0.3), "8540": ("Finansiell kostnad pensioner", 0.5),
}
# Internal services: (seller's revenue account, buyer's cost account, annual mkr).
SERVICES = (
    ("3150", "5610", 2.0),   # laboratorie- och röntgentjänster
    ("3210", "6210", 1.2),   # IT-tjänster
    ("3250", "5910", 1.5),   # övriga tjänster
)
INTERNAL_NAMES = {"3150": "Sålda laboratorie- och röntgentjänster", "3210": "Sålda IT-tjänster",
                  "5610": "Köpta laboratorie- och röntgentjänster", "6210": "Köpta IT-tjänster",
                  "5910": "Övriga köpta verksamhetstjänster"}
# The finance unit of the first administration: taxes and general grants.
TAXES = (("8011", "Preliminära skatteintäkter", 0.78, ""), ("8210", "Inkomstutjämningsbidrag", 0.17, "81"),
         ("8240", "Statsbidrag läkemedelsförmånen", 0.06, "81"))


def account_name(account: str) -> str:
    if account in ACCOUNTS:
        return ACCOUNTS[account][0]
    if account in INTERNAL_NAMES:
        return INTERNAL_NAMES[account]
    return next(name for a, name, _, _ in TAXES if a == account)


def sign_of(account: str) -> int:
    if account[0] == "3" or account[:2] in ("80", "82", "84"):
        return 1
    return -1


# --------------------------------------------------------------------------------------
# Randomness
# --------------------------------------------------------------------------------------

def rng(seed: object, *key: object) -> random.Random:
    return random.Random("|".join(map(str, (seed, *key))))


def thousands(x: float) -> int:
    return round(x / 1000) * 1000


def measures(r: random.Random, annual_kr: float) -> dict[str, int]:
    """Six year-to-date measures in whole kr for a flow with this annual budget."""
    drift = r.gauss(0, 0.05)
    growth = r.uniform(-0.08, 0.02)
    annual = thousands(annual_kr)
    prior_full_year = thousands(annual * (1 + growth))
    return {
        "actual": round(annual * MONTH / 12 * (1 + drift + r.gauss(0, 0.012))),
        "budget": round(annual * MONTH / 12),
        "prior": round(prior_full_year * MONTH / 12 * (1 + r.gauss(0, 0.04))),
        "annual_budget": annual,
        "forecast": thousands(annual * (1 + drift * 0.7 + r.gauss(0, 0.005))),
        "prior_full_year": prior_full_year,
    }


# --------------------------------------------------------------------------------------
# The organisation tree
# --------------------------------------------------------------------------------------

ADMIN_NAMES = ("Hälso- och sjukvårdsförvaltningen", "Primärvårdsförvaltningen", "Psykiatriförvaltningen",
               "Tandvårdsförvaltningen", "Regionservice", "Kollektivtrafikförvaltningen", "Kulturförvaltningen",
               "Diagnostikförvaltningen", "Regionkontoret", "Habiliteringsförvaltningen", "Utbildningsförvaltningen",
               "Fastighetsförvaltningen")
DIVISION_NAMES = ("Område akutsjukvård", "Område nära vård", "Område medicin", "Område kirurgi", "Område länsvård",
                  "Område stöd", "Område specialistvård", "Område norr", "Område söder", "Område öster",
                  "Område väster", "Område centrum")
UNIT_KINDS = ("Akutmottagning", "Kirurgklinik", "Ortopedklinik", "Medicinklinik", "Barnklinik", "Vårdcentral",
              "Psykiatrisk mottagning", "Laboratorium", "Röntgenavdelning", "Folktandvård", "Rehabenhet",
              "Ekonomienhet", "HR-enhet", "IT-enhet", "Vårdavdelning", "Dagkirurgi", "Geriatrik",
              "Ögonmottagning", "Hudmottagning", "Öron-näsa-hals", "Barnmorskemottagning", "Ungdomsmottagning")
PLACES = ("Norrby", "Söderhamn", "Västerås", "Östra", "Lindesberg", "Kungsör", "Sala", "Köping", "Arboga",
          "Fagersta", "Hallstahammar", "Surahammar", "Skinnskatteberg", "Norberg", "Heby", "Enköping",
          "Torshälla", "Eskilstuna", "Strängnäs", "Nyköping", "Katrineholm", "Flen", "Vingåker", "Oxelösund",
          "Gnesta", "Trosa", "Karlskoga", "Degerfors", "Laxå", "Hallsberg", "Kumla", "Askersund", "Nora",
          "Ljusnarsberg", "Hällefors", "Lekeberg", "Örebro", "Mariedal", "Ekbacken", "Vallby")


def _motpart_codes():
    """Counterparty codes for internal parties, never the external 81 and 87."""
    n = 10
    while True:
        if str(n) not in EXTERNAL:
            yield str(n)
        n += 1


def make_tree(units: int, seed: object) -> tuple[list[dict], list[dict]]:
    """(entities in config order, units as dicts with code, name, ancestors, party)."""
    r = rng(seed, "tree")
    n_adm = max(3, round(units / 100))
    # units per administration: roughly equal, some spread
    weights = [r.uniform(0.6, 1.4) for _ in range(n_adm)]
    counts = [max(1, int(units * w / sum(weights))) for w in weights]
    i = 0
    while sum(counts) < units:
        counts[i % n_adm] += 1
        i += 1
    while sum(counts) > units:
        j = max(range(n_adm), key=lambda k: counts[k])
        counts[j] -= 1
    codes = _motpart_codes()
    entities: list[dict] = []
    unit_list: list[dict] = []
    names: set[str] = set()
    has_codes: dict[str, bool] = {}
    next_unit = 10001
    for a in range(n_adm):
        adm = f"F{a + 1:02d}"
        name = ADMIN_NAMES[a % len(ADMIN_NAMES)] + (f" {a // len(ADMIN_NAMES) + 1}" if a >= len(ADMIN_NAMES) else "")
        # two of three administrations trade internally under their own code; the
        # first two always do, so even a small region has internal pairs
        adm_motpart = [next(codes)] if a < 2 or r.random() < 0.65 else []
        entities.append({"code": adm, "name": name, "parent": "REG", "motpart": adm_motpart})
        has_codes[adm] = bool(adm_motpart)
        n_div = max(1, min(12, round(counts[a] / r.uniform(12, 25))))
        per_div = _split(counts[a], n_div, r)
        for d, in_div in enumerate(per_div):
            div = f"{adm}{chr(65 + d)}"
            # some divisions are parties of their own (also under administrations without codes)
            div_motpart = [next(codes)] if (a == 0 and d == 0) or r.random() < 0.25 else []
            entities.append({"code": div, "name": f"{DIVISION_NAMES[d % len(DIVISION_NAMES)]}, {adm}",
                             "parent": adm, "motpart": div_motpart})
            has_codes[div] = bool(div_motpart)
            two_levels = in_div >= 6 and r.random() < 0.5
            groups = [(div, in_div)]
            if two_levels:
                n_sec = max(2, in_div // r.randint(4, 8))
                groups = []
                for s, in_sec in enumerate(_split(in_div, n_sec, r)):
                    sec = f"{div}{s + 1}"
                    entities.append({"code": sec, "name": f"Sektion {s + 1}, {div}", "parent": div, "motpart": []})
                    groups.append((sec, in_sec))
            for parent, n in groups:
                for _ in range(n):
                    code = str(next_unit)
                    next_unit += 1
                    base = f"{r.choice(UNIT_KINDS)} {r.choice(PLACES)}"
                    uname, k = base, 2
                    while uname in names:
                        uname, k = f"{base} {k}", k + 1
                    names.add(uname)
                    entities.append({"code": code, "name": uname, "parent": parent, "motpart": []})
                    ancestors = [parent] + ([div] if parent != div else []) + [adm]
                    party = next((x for x in ancestors if has_codes.get(x)), None)
                    unit_list.append({"code": code, "name": uname, "ancestors": ancestors, "party": party})
    return entities, unit_list


def _split(total: int, parts: int, r: random.Random) -> list[int]:
    parts = max(1, min(parts, total))
    cuts = sorted(r.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(bounds)]


# --------------------------------------------------------------------------------------
# build(): the ground truth
# --------------------------------------------------------------------------------------

INCOME_STYLES_CYCLE = "ABCDEFGH"
STAFF_STYLES_CYCLE = ("P1", "P2", "P3", "P4")


def build(units: int, seed: object = 1) -> dict:
    """Ground truth for a region of `units` units, in kr, before anything is formatted.

    {"period", "region", "seed",
     "entities": [{code, name, parent, motpart}],            # config order, region excluded
     "units": {code: {"name", "ancestors", "party", "income_style", "staff_style",
                      "income_file", "staff_file"}},
     "income": {unit: [{account, counterparty, <6 measures>}]},   # rows as in the file
     "accounts": {unit: {account: {measure: kr}}},                # sum per account
     "staffing": {unit: [{group, gender, age_band, <14 measures>}]},
     "staff_totals": {unit: {measure: value}},
     "mismatches": [{"parties": [a, b], "measure", "difference", "seller", "buyer"}]}
    """
    entities, unit_list = make_tree(units, seed)
    motpart = {e["code"]: e["motpart"] for e in entities}
    ledger: dict[str, dict[tuple[str, str], dict[str, int]]] = {u["code"]: {} for u in unit_list}

    def book(unit: str, account: str, counterparty: str, amounts: dict[str, int], sign: int) -> None:
        row = ledger[unit].setdefault((account, counterparty), dict.fromkeys(MEASURES, 0))
        for k in MEASURES:
            row[k] += sign * amounts[k]

    # external rows: 20-30 accounts, some on several rows per counterparty
    pool = sorted(ACCOUNTS)
    for u in unit_list:
        r = rng(seed, "ext", u["code"])
        size = r.uniform(0.3, 1.6)
        for account in r.sample(pool, r.randint(20, 28)):
            mkr = ACCOUNTS[account][1] * size * r.uniform(0.5, 1.5)
            split = r.random()
            if split < 0.15:  # the same account against the state, private firms and no one
                for cp, share in (("81", 0.3), ("87", 0.3), ("", 0.4)):
                    book(u["code"], account, cp, measures(r, mkr * 1e6 * share), sign_of(account))
            else:
                cp = r.choice(EXTERNAL) if split < 0.35 else ""
                book(u["code"], account, cp, measures(r, mkr * 1e6), sign_of(account))
    # one finance unit: taxes and general grants, enough to give the region a surplus
    finance = unit_list[0]["code"]
    need = -sum(row["annual_budget"] for rows in ledger.values() for row in rows.values())
    r = rng(seed, "tax")
    for account, _, share, cp in TAXES:
        book(finance, account, cp, measures(r, need * 1.01 * share), 1)

    # internal trade between units that have a party; a few planted disagreements
    traders = [u for u in unit_list if u["party"]]
    flows = []
    for buyer in traders:
        r = rng(seed, "buy", buyer["code"])
        for _ in range(r.randint(1, 4)):
            seller = r.choice(traders)
            if seller is buyer:
                continue
            revenue, cost, mkr = r.choice(SERVICES)
            flows.append((seller, buyer, revenue, cost, measures(r, mkr * 1e6 * r.uniform(0.3, 1.5))))
    planted = []
    r = rng(seed, "mismatch")
    want = max(2, units // 250)
    seen_pairs = set()
    candidates = list(range(len(flows)))
    r.shuffle(candidates)
    for i in candidates:
        seller, buyer = flows[i][0], flows[i][1]
        pair = frozenset((seller["party"], buyer["party"]))
        if pair in seen_pairs:
            continue
        seen_pairs.add(pair)
        if len(planted) < want:
            planted.append(i)
    mismatches = []
    for i, (seller, buyer, revenue, cost, amounts) in enumerate(flows):
        seller_amounts = dict(amounts)
        if i in planted:
            measure = MEASURES[len(mismatches) % len(MEASURES)]
            delta = 1000 * rng(seed, "delta", i).randint(5, 400)
            seller_amounts[measure] += delta
            mismatches.append({"parties": sorted((seller["party"], buyer["party"])), "measure": measure,
                               "difference": delta, "seller": seller["code"], "buyer": buyer["code"]})
        book(seller["code"], revenue, motpart[buyer["party"]][0], seller_amounts, 1)
        book(buyer["code"], cost, motpart[seller["party"]][0], amounts, -1)

    # files: styles per unit
    unit_info = {}
    r = rng(seed, "styles")
    for n, u in enumerate(unit_list, start=1):
        istyle = INCOME_STYLES[INCOME_STYLES_CYCLE[n % len(INCOME_STYLES_CYCLE)]]
        sstyle = STAFF_STYLES[STAFF_STYLES_CYCLE[r.randrange(len(STAFF_STYLES_CYCLE))]]
        if u["code"] == finance:
            istyle = INCOME_STYLES["G"]
        fields = {"code": u["code"], "name": u["name"], "period": PERIOD, "n": n}
        unit_info[u["code"]] = {
            "name": u["name"], "ancestors": u["ancestors"], "party": u["party"],
            "income_style": istyle.key, "staff_style": sstyle.key,
            "income_file": "resultat/" + istyle.filename.format(**fields),
            "staff_file": "personal/" + sstyle.filename.format(**fields),
        }
    income = {code: [{"account": a, "counterparty": cp, **amounts}
                      for (a, cp), amounts in sorted(rows.items())] for code, rows in ledger.items()}
    accounts = {}
    for code, rows in ledger.items():
        per = accounts.setdefault(code, {})
        for (a, _), amounts in rows.items():
            acc = per.setdefault(a, dict.fromkeys(MEASURES, 0))
            for k in MEASURES:
                acc[k] += amounts[k]
    staffing = {u["code"]: staff_rows(seed, u, STAFF_STYLES[unit_info[u["code"]]["staff_style"]].detail)
                for u in unit_list}
    staff_totals = {code: {k: sum(row[k] for row in rows) for k in STAFF_MEASURES} for code, rows in staffing.items()}
    return {"period": PERIOD, "region": "REG", "seed": seed, "entities": entities, "units": unit_info,
            "income": income, "accounts": accounts, "staffing": staffing, "staff_totals": staff_totals,
            "mismatches": mismatches}


def entity_results(truth: dict) -> dict[str, dict[str, int]]:
    """Every entity's result per measure in kr: the sum of its units' rows (elimination
    never changes a result, SPEC §8)."""
    totals: dict[str, dict[str, int]] = {}
    for code, info in truth["units"].items():
        own = {k: sum(a[k] for a in truth["accounts"][code].values()) for k in MEASURES}
        for entity in (code, *info["ancestors"], truth["region"]):
            acc = totals.setdefault(entity, dict.fromkeys(MEASURES, 0))
            for k in MEASURES:
                acc[k] += own[k]
    return totals


# --------------------------------------------------------------------------------------
# Staffing
# --------------------------------------------------------------------------------------

GENDERS = ("K", "M")
AGE_BANDS = ("-29", "30-49", "50-")
AGE_SHARES = (0.16, 0.50, 0.34)
GROUPS = (("Läkare", 0.17), ("Sjuksköterskor", 0.36), ("Undersköterskor", 0.32), ("Övriga", 0.15))


def staff_rows(seed: object, unit: dict, detail: str) -> list[dict]:
    r = rng(seed, "staff", unit["code"])
    heads = r.randint(8, 140)
    female = r.uniform(0.55, 0.85)
    if detail == "single":
        cells = [(None, None, None, 1.0)]
    else:
        groups = GROUPS if detail == "group" else ((None, 1.0),)
        cells = [(g, sex, age, gs * (female if sex == "K" else 1 - female) * ash)
                 for g, gs in groups for sex in GENDERS for age, ash in zip(AGE_BANDS, AGE_SHARES)]
    rows = []
    for group, gender, age, share in cells:
        row = {"group": group, "gender": gender, "age_band": age}
        for suffix, factor in (("", 1.0), ("_prior", r.uniform(0.94, 1.05))):
            h = max(0, round(heads * share * factor))
            scheduled = h * FTE_HOURS * MONTH / 12 * r.uniform(0.90, 0.97)
            sick = scheduled * r.uniform(0.04, 0.09)
            row.update({
                f"headcount{suffix}": h,
                f"hours_worked{suffix}": round(scheduled - sick - scheduled * r.uniform(0.05, 0.09)
                                               + scheduled * r.uniform(0.01, 0.035)),
                f"hours_scheduled{suffix}": round(scheduled),
                f"sick_hours{suffix}": round(sick),
                f"sick_short_hours{suffix}": round(sick * r.uniform(0.36, 0.50)),
                f"sick_long_hours{suffix}": round(sick * r.uniform(0.30, 0.45)),
                f"hired_hours{suffix}": round(r.uniform(0, 200) * share),
            })
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------
# Layouts (SPEC §1-2)
# --------------------------------------------------------------------------------------

# Header labels are workbooks.INCOME_LABELS; style H uses its "alias" set, which only
# these aliases (written into region.toml) make known to `consolidate`.
ALIASES = {"actual": ["Utfall hittills"], "budget": ["Budget hittills"]}

ALL = MEASURES
INCOME_STYLES = {s.key: s for s in (
    # title block with label and value in separate cells; tkr; sections; total 'Resultat'
    IncomeStyle("A", "{code}_resultat.xlsx",
                (("Resultaträkning",), ("Ansvar:", "{code}"), ("Period:", "{period}"), ("Belopp i tkr",)),
                6, ("account", "name", "counterparty", *ALL), "plain", "tkr", "number", "number", True, "Resultat"),
    # 'Enhet: CODE' in one cell; Swedish text amounts with no-break spaces and U+2212
    IncomeStyle("B", "{code}-{name}.xlsx", (("Enhet: {code}",), ("Belopp i kr",)),
                4, ("account", "name", "counterparty", *ALL), "ack", "kr", "number", "text-nbsp", True, "Totalt"),
    # no title block (unit from file name); '4011 Löner' in one cell; =SUM control total
    IncomeStyle("C", "{code}.xlsx", (), 1,
                ("account", "counterparty", "budget", "actual", "forecast", "annual_budget", "prior_full_year",
                 "prior"), "plain", "kr", "combined", "number", False, "Summa", formula_total=True),
    # unit from file name; Period in one cell; labels with '(tkr)'
    IncomeStyle("D", "{code} Resultat april.xlsx", (("Period: {period}",), ("Belopp i tkr",), ()),
                5, ("account", "name", "counterparty", "actual", "budget", "prior", "forecast", "annual_budget",
                    "prior_full_year"), "tkr", "tkr", "number", "number", True, "Totalt"),
    # unrelated file name; 'Ansvar: CODE'; account codes as text; (1 234,5) negatives with thin spaces
    IncomeStyle("E", "Månadsrapport {period} {name}.xlsx",
                (("Resultatrapport",), ("Ansvar: {code}",), ("Belopp i tkr",)),
                5, ("account", "name", *ALL, "counterparty"), "ack", "tkr", "text", "text-thin-paren", True,
                "Summa"),
    # unrelated file name; 'Enhet:' label + next cell; lower-case labels; Motpart first, as numbers
    IncomeStyle("F", "export_{n:05d}.xlsx", (("Enhet:", "{code}"), ("Belopp i kr",)),
                3, ("counterparty", "account", "name", *ALL), "lower", "kr", "number", "text-plain", False,
                "Totalt", motpart_number=True),
    # mkr, header row 8, =SUM control total
    IncomeStyle("G", "{code} Ekonomi.xlsx",
                (("Resultaträkning",), (), ("Ansvar:", "{code}"), ("Period:", "{period}"), ("Belopp i mkr",)),
                8, ("account", "name", "counterparty", *ALL), "plain", "mkr", "number", "number", False,
                "Resultat", formula_total=True),
    # labels that only region.toml's aliases know; Ansvar and unit on one title row
    IncomeStyle("H", "{code}.resultat.xlsx", (("Ansvar: {code}", "", "Belopp i tkr"),),
                2, ("account", "name", "counterparty", *ALL), "alias", "tkr", "number", "number", False, "Summa"),
)}

INTERLEAVED = tuple(x for k in STAFF_BASE for x in (k, f"{k}_prior"))

STAFF_STYLES = {s.key: s for s in (
    StaffStyle("P1", "{code}_personal.xlsx", (), 1, "gender_age", ("gender", "age_band", *STAFF_MEASURES)),
    StaffStyle("P2", "Personalrapport {name}.xlsx", (("Enhet:", "{code}"), ("Period:", "{period}")), 4,
               "group", ("group", "gender", "age_band", *INTERLEAVED)),
    StaffStyle("P3", "{code} Personal april.xlsx", (("Period: {period}",),), 3, "single", INTERLEAVED,
               text_numbers=True),
    StaffStyle("P4", "{code}-personal.xlsx", (("Personalstatistik",), ("Ansvar: {code}",)), 3, "gender_age",
               ("age_band", "gender", "hours_worked", "headcount", "sick_hours", "hours_scheduled",
                "sick_long_hours", "sick_short_hours", "hired_hours", "hours_worked_prior", "headcount_prior",
                "sick_hours_prior", "hours_scheduled_prior", "sick_long_hours_prior", "sick_short_hours_prior",
                "hired_hours_prior")),
)}


# --------------------------------------------------------------------------------------
# Writing workbooks
# --------------------------------------------------------------------------------------

def _workbook(path: Path):
    return new_workbook(path, {"author": "Region Bench"}, in_memory=True)


def _write_unit(job: tuple) -> None:
    period_dir, code, info, income_rows, staff = job
    write_income(_workbook(period_dir / info["income_file"]), INCOME_STYLES[info["income_style"]], income_rows,
                 code, PERIOD, account_name)
    write_staffing(_workbook(period_dir / info["staff_file"]), STAFF_STYLES[info["staff_style"]], staff, code,
                   PERIOD)


# --------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------

def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def region_toml(truth: dict, tables: bool = False) -> str:
    lines = [
        f"# Generated by benchmarks/generate_region.py: {len(truth['units'])} units, seed {truth['seed']!r}.",
        "",
        "[region]",
        'code = "REG"',
        'name = "Region Benchmark"',
        f"fte_hours_per_year = {FTE_HOURS}",
        'amount_unit = "tkr"',
        'chart = "chart.toml"',
        "",
        "[inputs]",
        'income = "{period}/resultat/*.xlsx"',
        'staffing = "{period}/personal/*.xlsx"',
        "",
        "[inputs.aliases]",
        *(f"{key} = [{', '.join(_quote(v) for v in values)}]" for key, values in ALIASES.items()),
        "",
        "[output]",
        'directory = "reports/{period}"',
        "",
        "[eliminations]",
        'difference_line = "elimdiff"',
        "tolerance = 1",
        f"external = [{', '.join(_quote(code) for code in EXTERNAL)}]",
    ]
    if tables:
        lines[lines.index('chart = "chart.toml"')] = 'chart = "chart_rader.toml"'
        return "\n".join([*lines, "", "[tree]", 'file = "organisation.xlsx"', "", "[chart]",
                          'mapping = "kontoplan.xlsx"']) + "\n"
    for e in truth["entities"]:
        lines += ["", "[[entity]]", f"code = {_quote(e['code'])}", f"name = {_quote(e['name'])}",
                  f"parent = {_quote(e['parent'])}"]
        if e["motpart"]:
            lines.append(f"motpart = [{', '.join(_quote(m) for m in e['motpart'])}]")
    return "\n".join(lines) + "\n"


def write_organisation(truth: dict, path: Path) -> None:
    """The tree as the organisation table region_tabeller.toml names (SPEC §11)."""
    book = new_workbook(path, {"author": "Region Benchmark"})
    sheet = book.add_worksheet("Organisation")
    for c, label in enumerate(("Kod", "Namn", "Förälder", "Motpart")):
        sheet.write_string(0, c, label)
    for r, e in enumerate(truth["entities"], start=1):
        sheet.write_string(r, 0, e["code"])
        sheet.write_string(r, 1, e["name"])
        sheet.write_string(r, 2, e["parent"])
        if e["motpart"]:
            sheet.write_string(r, 3, ",".join(e["motpart"]))
    book.close()


def write(units: int, out: Path | str, seed: object = 1, processes: int = 2) -> dict:
    """Write the whole region into `out` (replacing earlier workbooks there); returns build()."""
    out = Path(out)
    truth = build(units, seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "region.toml").write_text(region_toml(truth), encoding="utf-8")
    (out / "chart.toml").write_text(chart_toml(), encoding="utf-8")
    _check_chart(out / "chart.toml")
    (out / "region_tabeller.toml").write_text(region_toml(truth, tables=True), encoding="utf-8")
    write_organisation(truth, out / "organisation.xlsx")
    shutil.copyfile(CONFIG / "kontoplan.xlsx", out / "kontoplan.xlsx")
    shutil.copyfile(CONFIG / "chart.toml", out / "chart_rader.toml")
    period_dir = out / PERIOD
    for sub in ("resultat", "personal"):
        shutil.rmtree(period_dir / sub, ignore_errors=True)
        (period_dir / sub).mkdir(parents=True)
    jobs = [(period_dir, code, info, truth["income"][code], truth["staffing"][code])
            for code, info in truth["units"].items()]
    if processes > 1 and len(jobs) > 20:
        with Pool(processes) as pool:
            for _ in pool.imap_unordered(_write_unit, jobs, chunksize=max(1, len(jobs) // (processes * 16))):
                pass
    else:
        for job in jobs:
            _write_unit(job)
    return truth


def _check_chart(path: Path) -> None:
    """Every account the generator books maps to exactly one line (the longest pattern)."""
    with open(path, "rb") as handle:
        lines = tomllib.load(handle)["line"]
    for account in [*ACCOUNTS, *INTERNAL_NAMES, *(t[0] for t in TAXES)]:
        best, winners = 0, set()
        for line in lines:
            for pattern in line["accounts"]:
                low, _, high = pattern.partition("-")
                high = high or low
                if len(account) >= len(low) and low <= account[: len(low)] <= high:
                    if len(low) > best:
                        best, winners = len(low), {line["code"]}
                    elif len(low) == best:
                        winners.add(line["code"])
        if len(winners) != 1:
            raise SystemExit(f"{path}: account {account} maps to {winners or 'no line'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    if args.units < 3:
        parser.error("--units must be at least 3")
    start = time.perf_counter()
    truth = write(args.units, args.out, args.seed, args.processes)
    elapsed = time.perf_counter() - start
    files = list((args.out / PERIOD).glob("*/*.xlsx"))
    size = sum(p.stat().st_size for p in files)
    rows = sum(len(r) for r in truth["income"].values())
    print(f"{args.out}: {len(truth['units'])} units, {len(truth['entities'])} entities, {len(files)} workbooks, "
          f"{size / 1e6:.1f} MB ({size / max(1, len(files)) / 1e3:.1f} KB each), {rows} income rows, "
          f"{len(truth['mismatches'])} planted internal mismatches; {elapsed:.1f} s")


if __name__ == "__main__":
    main()
