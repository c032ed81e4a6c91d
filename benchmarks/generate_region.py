"""Generate a large synthetic region for benchmarking `consolidate` (issues 8, 21).

    python benchmarks/generate_region.py --units 2000 --out /tmp/region [--seed S] [--history 3]

writes, for period 2026-04 (and with --history N the N months before it, each in its
own folder, the same units and accounts with the year's figures so far):

    OUT/region.toml                 tree: region -> administrations -> 1-2 levels -> units
    OUT/chart.toml                  the sample chart (Region-Bas-like) with its accounts, in TOML
    OUT/region_tabeller.toml        the same region with the tree and the mapping as tables:
    OUT/organisation.xlsx             the tree (SPEC §11), every entity a row
    OUT/kontoplan.xlsx, chart_rader.toml   config/kontoplan.xlsx and config/chart.toml
    OUT/2026-04/resultat/*.xlsx     income statements (SPEC §1): one per unit, or one per
                                    division for a quarter of them (a ledger export)
    OUT/2026-04/personal/*.xlsx     staffing workbooks (SPEC §2), likewise
    OUT/justeringar/2026-04.xlsx    the region's adjustments of the month (SPEC §14)

Every figure is ground truth in whole kronor first (`build(units, seed, month)`), then
formatted in one of several layouts SPEC §1-2 allow: header row 1-8, title blocks
in both forms, label aliases (also one added in region.toml), kr/tkr/mkr, Swedish
text amounts (`1 234,5`, `−1 234`, `(1 234)`, `1 234,00-`; about half the income
files), control totals as plain numbers, text or =SUM formulas with cached values,
the unit known from the title block or from the file name only; headers of two rows
(`Utfall` over `Period | Ack`, `Ackumulerat` over `Utfall | Budget`); exports of many
units with an `Ansvar` column and a subtotal per unit, staffing ones as pivot tables
(the unit on its first row); ledger signs (the `huvudbok_*` files, which region.toml's
`[[inputs.source]]` reads with `signs = "ledger"`); unit comments (`Kommentar:` in the
title block) and a `Kommentar` column. region.toml names the adjustments file when
ADJUSTMENTS_CONFIGURED is set; `entity_results` then adds the adjustments.

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
from dataclasses import dataclass
from decimal import Decimal
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
    STAFF_LABELS,
    IncomeStyle,
    StaffStyle,
    in_unit,
    new_workbook,
    write_income,
    write_staffing,
)

PERIOD = "2026-04"
MONTH = 4
# Whether region.toml names the adjustments file ([inputs] adjustments, SPEC §14); the
# file is written for every month either way.
ADJUSTMENTS_CONFIGURED = True
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


def measures(r: random.Random, annual_kr: float, month: int = MONTH) -> dict[str, int]:
    """Six year-to-date measures in whole kr for a flow with this annual budget, at the
    end of `month`. The draws are the same for every month, so a unit's rows keep
    their accounts and drift from month to month."""
    drift = r.gauss(0, 0.05)
    growth = r.uniform(-0.08, 0.02)
    annual = thousands(annual_kr)
    prior_full_year = thousands(annual * (1 + growth))
    return {
        "actual": round(annual * month / 12 * (1 + drift + r.gauss(0, 0.012))),
        "budget": round(annual * month / 12),
        "prior": round(prior_full_year * month / 12 * (1 + r.gauss(0, 0.04))),
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

INCOME_STYLES_CYCLE = "ABCDEFGHJK"  # I is the many-unit export; G also the finance unit's
STAFF_STYLES_CYCLE = ("P1", "P2", "P3", "P4")


def build(units: int, seed: object = 1, month: int = MONTH) -> dict:
    """Ground truth for a region of `units` units at the end of `month` (of 2026), in kr,
    before anything is formatted.

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
                    book(u["code"], account, cp, measures(r, mkr * 1e6 * share, month), sign_of(account))
            else:
                cp = r.choice(EXTERNAL) if split < 0.35 else ""
                book(u["code"], account, cp, measures(r, mkr * 1e6, month), sign_of(account))
    # one finance unit: taxes and general grants, enough to give the region a surplus
    finance = unit_list[0]["code"]
    need = -sum(row["annual_budget"] for rows in ledger.values() for row in rows.values())
    r = rng(seed, "tax")
    for account, _, share, cp in TAXES:
        book(finance, account, cp, measures(r, need * 1.01 * share, month), 1)

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
            flows.append((seller, buyer, revenue, cost, measures(r, mkr * 1e6 * r.uniform(0.3, 1.5), month)))
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

    # files: the units of some divisions (or sections) come in one ledger export and
    # one HR export of many units (an Ansvar column); every other unit has its own
    # income statement and staffing workbook, in one of the single-unit layouts
    period = f"2026-{month:02d}"
    by_parent: dict[str, list[str]] = {}
    for u in unit_list:
        by_parent.setdefault(u["ancestors"][0], []).append(u["code"])
    r = rng(seed, "exports")
    parents = list(by_parent)
    exported: dict[str, str] = {}
    for k, parent in enumerate(parents):
        members = [code for code in by_parent[parent] if code != finance]
        if len(members) >= 2 and (r.random() < EXPORT_SHARE or k == len(parents) - 1):
            exported.update(dict.fromkeys(members, parent))
    unit_info = {}
    r = rng(seed, "styles")
    comment = rng(seed, "comments")
    for n, u in enumerate(unit_list, start=1):
        istyle_key = INCOME_STYLES_CYCLE[n % len(INCOME_STYLES_CYCLE)]
        sstyle_key = STAFF_STYLES_CYCLE[r.randrange(len(STAFF_STYLES_CYCLE))]
        if u["code"] == finance:
            istyle_key = "G"
        fields = {"code": u["code"], "name": u["name"], "period": period, "n": n}
        if u["code"] in exported:
            parent = exported[u["code"]]
            info = {"income_style": "I", "staff_style": "PX", "income_file": f"resultat/huvudbok_{parent}.xlsx",
                    "staff_file": f"personal/HR-export {parent}.xlsx"}
        else:
            istyle = INCOME_STYLES.get(istyle_key) or EXPORT_STYLES[istyle_key]
            sstyle = STAFF_STYLES[sstyle_key]
            info = {"income_style": istyle_key, "staff_style": sstyle_key,
                    "income_file": "resultat/" + istyle.filename.format(**fields),
                    "staff_file": "personal/" + sstyle.filename.format(**fields)}
        unit_info[u["code"]] = {
            "name": u["name"], "ancestors": u["ancestors"], "party": u["party"], **info,
            # a unit's own comment (title block `Kommentar:`), in the layouts that carry one
            "comment": comment.choice(UNIT_COMMENTS) if comment.random() < 0.6 else "",
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
    staffing = {u["code"]: staff_rows(seed, u, _staff_detail(unit_info[u["code"]]["staff_style"]), month)
                for u in unit_list}
    staff_totals = {code: {k: sum(row[k] for row in rows) for k in STAFF_MEASURES} for code, rows in staffing.items()}
    return {"period": period, "month": month, "region": "REG", "seed": seed, "entities": entities,
            "units": unit_info, "income": income, "accounts": accounts, "staffing": staffing,
            "staff_totals": staff_totals, "mismatches": mismatches,
            "adjustments": adjustments(seed, entities, month)}


EXPORT_SHARE = 0.25  # of the divisions and sections whose units come in many-unit exports
UNIT_COMMENTS = (
    "Högre kostnader för inhyrd personal än budgeterat; vakanser tillsätts under hösten.",
    "Intäkterna följer budget. Läkemedelskostnaderna ökar mer än väntat.",
    "Underskottet beror på fler vårddagar och ökad övertid under vintern.",
    "Överskott mot budget efter vakanta tjänster och lägre materialkostnader.",
    "Prognosen sänkt efter nytt avtal om köpt vård.",
    "Avvikelsen är en periodiseringseffekt som jämnas ut till sommaren.",
)
ROW_COMMENTS = ("Periodiserat", "Engångskostnad", "Avser fjolåret", "Ny avtalsnivå", "Fakturan försenad",
                "Omföring från annat ansvar")


def adjustments(seed: object, entities: list[dict], month: int = MONTH) -> list[dict]:
    """The region's own adjustments of the month (SPEC §14), in kr and report signs: a
    few per administration, on administrations, divisions and the region itself."""
    r = rng(seed, "adjustments")
    candidates = ["REG", *(e["code"] for e in entities if not e["code"].isdigit())]
    found = []
    for _ in range(max(3, len(candidates) // 8)):
        entity = r.choice(candidates)
        account = r.choice(sorted(ACCOUNTS))
        size = thousands(r.uniform(50_000, 2_000_000))
        amounts = dict.fromkeys(MEASURES, 0)
        amounts["actual"] = sign_of(account) * size * (1 if r.random() < 0.7 else -1)
        if r.random() < 0.5:
            amounts["forecast"] = amounts["actual"]
        found.append({"entity": entity, "account": account, **amounts,
                      "text": r.choice(ADJUSTMENT_TEXTS).format(month=month),
                      "signature": r.choice(("AL", "KB", "MS", "EJ", ""))})
    return found


ADJUSTMENT_TEXTS = ("Periodisering av semesterlöneskuld, månad {month}", "Ej bokförd faktura för köpt vård",
                    "Återföring av felbokning", "Bokslutsjustering enligt revisionen", "Omfördelning av OH-kostnad")


def entity_results(truth: dict, with_adjustments: bool | None = None) -> dict[str, dict[str, int]]:
    """Every entity's result per measure in kr: the sum of its units' rows (elimination
    never changes a result, SPEC §8), and, when the region's configuration names the
    adjustments file, the adjustments of the entity and of every entity below it."""
    totals: dict[str, dict[str, int]] = {}
    for code, info in truth["units"].items():
        own = {k: sum(a[k] for a in truth["accounts"][code].values()) for k in MEASURES}
        for entity in (code, *info["ancestors"], truth["region"]):
            acc = totals.setdefault(entity, dict.fromkeys(MEASURES, 0))
            for k in MEASURES:
                acc[k] += own[k]
    if ADJUSTMENTS_CONFIGURED if with_adjustments is None else with_adjustments:
        parent = {e["code"]: e["parent"] for e in truth["entities"]}
        for adjustment in truth["adjustments"]:
            entity = adjustment["entity"]
            while entity is not None:
                acc = totals.setdefault(entity, dict.fromkeys(MEASURES, 0))
                for k in MEASURES:
                    acc[k] += adjustment[k]
                entity = parent.get(entity)
    return totals


# --------------------------------------------------------------------------------------
# Staffing
# --------------------------------------------------------------------------------------

GENDERS = ("K", "M")
AGE_BANDS = ("-29", "30-49", "50-")
AGE_SHARES = (0.16, 0.50, 0.34)
GROUPS = (("Läkare", 0.17), ("Sjuksköterskor", 0.36), ("Undersköterskor", 0.32), ("Övriga", 0.15))


def staff_rows(seed: object, unit: dict, detail: str, month: int = MONTH) -> list[dict]:
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
            scheduled = h * FTE_HOURS * month / 12 * r.uniform(0.90, 0.97)
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




@dataclass(frozen=True)
class ExportStyle:
    """A layout of a ledger or HR system's export, which samples/workbooks.py does not
    write: a header of two rows, an Ansvar column with many units one after the other,
    ledger signs (revenue -, cost +), the exporting system's text amounts, comments."""

    key: str
    filename: str  # fields: code, name, period, n
    title: tuple[tuple[str, ...], ...]  # rows from A1; fields: code, period, comment
    header_row: int  # 1-based: the first of the two header rows
    top: tuple[str, ...]  # the header's first row
    labels: tuple[str, ...]  # its second row
    columns: tuple[str, ...]  # what each column holds: a measure, "<measure>/period", or a key
    unit: str  # kr or tkr
    amounts: str  # number | text (space and U+2212) | trailing (1 234,00-)
    ledger: bool  # amounts as booked: the files match [[inputs.source]] signs = "ledger"
    total_label: str


_MEASURE_COLS = ("actual", "budget", "prior", "annual_budget", "forecast", "prior_full_year")
EXPORT_STYLES = {s.key: s for s in (
    # many units (Ansvar column), `Ackumulerat` over Utfall | Budget | Utfall fg år, tkr as
    # text, ledger signs, a subtotal per unit, a Kommentar column
    ExportStyle("I", "huvudbok_{code}.xlsx", (("Huvudboksutdrag",), ("Period: {period}",), ("Belopp i tkr",)), 5,
                ("", "", "", "", "Ackumulerat", "", "", "Årsbudget", "Prognos", "Bokslut fg år", "Kommentar"),
                ("Ansvar", "Konto", "Benämning", "Motpart", "Utfall", "Budget", "Utfall fg år", "", "", "", ""),
                ("unit", "account", "name", "counterparty", *_MEASURE_COLS, "comment"), "tkr", "text", True,
                "Totalt"),
    # one unit; `Utfall` over Period | Ack (the month's own figures beside the year's);
    # a unit comment in the title block and a Kommentar column
    ExportStyle("J", "Resultatrapport_{code}_{period}.xlsx",
                (("Resultaträkning",), ("Ansvar:", "{code}"), ("Period:", "{period}"), ("Belopp i tkr",),
                 ("Kommentar:", "{comment}")), 7,
                ("Konto", "Benämning", "Motpart", "Utfall", "", "Budget", "", "Utfall fg år", "Årsbudget", "Prognos",
                 "Bokslut fg år", "Kommentar"),
                ("", "", "", "Period", "Ack", "Period", "Ack", "Ack", "", "", "", ""),
                ("account", "name", "counterparty", "actual/period", "actual", "budget/period", "budget", "prior",
                 "annual_budget", "forecast", "prior_full_year", "comment"), "tkr", "number", False, "Summa"),
    # one unit from a ledger: kr with öre as text, a trailing minus, ledger signs, the
    # unit's comment in one title cell; a header of one row
    ExportStyle("K", "huvudbok_enhet_{code}.xlsx",
                (("Huvudbok, utdrag",), ("Ansvar: {code}",), ("Period: {period}",), ("Kommentar: {comment}",)), 6,
                ("Konto", "Benämning", "Motpart", "Ack utfall", "Ack budget", "Ack utfall fg år", "Årsbudget",
                 "Prognos", "Bokslut fg år"), (),
                ("account", "name", "counterparty", *_MEASURE_COLS), "kr", "trailing", True, "Summa"),
)}
STAFF_EXPORT_HEADER = ("unit", "gender", "age_band", *INTERLEAVED)


def _text_amount(value: Decimal, style: str) -> str:
    """An amount as an exporting system writes it as text: `−1 234,567` (space, U+2212,
    no trailing zeros) or `1 234,00-` (always öre, a trailing minus)."""
    if style == "trailing":
        whole, _, fraction = f"{abs(value):.2f}".partition(".")
    else:
        whole, _, fraction = format(abs(value), "f").partition(".")
        fraction = fraction.rstrip("0")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = " ".join(groups) + ("," + fraction if fraction else "")
    if value >= 0:
        return text
    return text + "-" if style == "trailing" else "\u2212" + text


def write_export(workbook, style: ExportStyle, units: list[tuple[str, dict, list[dict]]], period: str,
                 month: int, seed: object) -> None:
    """An export of one unit or many ((code, info, rows) each), into a new workbook,
    which is closed."""
    sheet = workbook.add_worksheet("Huvudbok" if style.ledger else "Resultat")
    bold = workbook.add_format({"bold": True})
    number = workbook.add_format({"num_format": "#,##0.000" if style.unit == "tkr" else "#,##0"})
    code, info, _ = units[0]
    for r, cells in enumerate(style.title):
        for c, text in enumerate(cells):
            if text:
                sheet.write_string(r, c, text.format(code=code, period=period, comment=info["comment"]))
    header = style.header_row - 1
    for c, (upper, lower) in enumerate(itertools.zip_longest(style.top, style.labels, fillvalue="")):
        if upper:
            sheet.write_string(header, c, upper, bold)
        if lower:
            sheet.write_string(header + 1, c, lower, bold)
    sheet.set_column(0, len(style.columns) - 1, 14)
    sign = Decimal(-1 if style.ledger else 1)
    measure_cols = [(c, key) for c, key in enumerate(style.columns) if key.split("/")[0] in MEASURES]
    first_text = style.columns.index("unit" if "unit" in style.columns else "account")

    def amount(r: int, c: int, value: Decimal) -> None:
        if style.amounts == "number":
            sheet.write_number(r, c, float(value), number)
        elif value != 0:
            sheet.write_string(r, c, _text_amount(value, style.amounts))

    def total(r: int, label: str, sums: dict[int, Decimal]) -> None:
        sheet.write_string(r, first_text, label, bold)
        for c, _ in measure_cols:
            amount(r, c, sums[c])

    r = header + (2 if style.labels else 1)
    grand = {c: Decimal(0) for c, _ in measure_cols}
    remarks = rng(seed, "row comments", code, month)
    for code, _, rows in units:
        subtotal = {c: Decimal(0) for c, _ in measure_cols}
        for row in rows:
            account = row["account"]
            for c, key in enumerate(style.columns):
                measure, _, part = key.partition("/")
                if key == "unit":
                    sheet.write_string(r, c, code)
                elif key == "account" and style.amounts == "number":
                    sheet.write_number(r, c, int(account))
                elif key == "account":
                    sheet.write_string(r, c, account)
                elif key == "name":
                    sheet.write_string(r, c, account_name(account))
                elif key == "counterparty":
                    if row["counterparty"]:
                        sheet.write_string(r, c, row["counterparty"])
                elif key == "comment":
                    if remarks.random() < 0.08:
                        sheet.write_string(r, c, remarks.choice(ROW_COMMENTS))
                else:
                    kr = row[measure] if not part else round(row[measure] / month)
                    value = in_unit(kr, style.unit) * sign
                    grand[c] += value
                    subtotal[c] += value
                    amount(r, c, value)
            r += 1
        if len(units) > 1:
            total(r, f"Summa {code}", subtotal)
            r += 1
    total(r, style.total_label, grand)
    sheet.freeze_panes(header + 2, 0)
    workbook.close()


def write_staff_export(workbook, units: list[tuple[str, list[dict]]], period: str) -> None:
    """An HR system's export of many units: the unit named on its first row only (as a
    pivot table does), a `<unit> Summa` row after each, a `Totalt` row last."""
    sheet = workbook.add_worksheet("Personal")
    bold = workbook.add_format({"bold": True})
    sheet.write_string(0, 0, "Personalstatistik", bold)
    sheet.write_string(1, 0, f"Period: {period}")
    header = 3
    labels = {"unit": "Ansvar", **STAFF_LABELS}
    for c, key in enumerate(STAFF_EXPORT_HEADER):
        sheet.write_string(header, c, labels[key], bold)
    measures = STAFF_EXPORT_HEADER[3:]
    r = header + 1
    grand = dict.fromkeys(measures, 0)
    for code, rows in units:
        sums = dict.fromkeys(measures, 0)
        for i, row in enumerate(rows):
            if i == 0:
                sheet.write_string(r, 0, code)
            sheet.write_string(r, 1, row["gender"])
            sheet.write_string(r, 2, row["age_band"])
            for c, key in enumerate(measures, start=3):
                sheet.write_number(r, c, row[key])
                sums[key] += row[key]
                grand[key] += row[key]
            r += 1
        sheet.write_string(r, 0, f"{code} Summa", bold)
        for c, key in enumerate(measures, start=3):
            sheet.write_number(r, c, sums[key], bold)
        r += 1
    sheet.write_string(r, 0, "Totalt", bold)
    for c, key in enumerate(measures, start=3):
        sheet.write_number(r, c, grand[key], bold)
    workbook.close()


def write_adjustments(truth: dict, path: Path) -> None:
    """The region's adjustments of the month (SPEC §14): Enhet, Konto, the measures, Text
    and Signatur, amounts in kr as the title block says."""
    book = new_workbook(path, {"author": "Region Benchmark"})
    sheet = book.add_worksheet("Justeringar")
    sheet.write_string(0, 0, "Justeringar")
    sheet.write_string(1, 0, "Period:")
    sheet.write_string(1, 1, truth["period"])
    sheet.write_string(2, 0, "Belopp i kr")
    labels = ("Enhet", "Konto", "Utfall", "Budget", "Utfall fg år", "Årsbudget", "Prognos", "Bokslut fg år",
              "Text", "Signatur")
    for c, label in enumerate(labels):
        sheet.write_string(4, c, label)
    for r, adjustment in enumerate(truth["adjustments"], start=5):
        sheet.write_string(r, 0, adjustment["entity"])
        sheet.write_number(r, 1, int(adjustment["account"]))
        for c, key in enumerate(MEASURES, start=2):
            if adjustment[key]:
                sheet.write_number(r, c, adjustment[key])
        sheet.write_string(r, 8, adjustment["text"])
        if adjustment["signature"]:
            sheet.write_string(r, 9, adjustment["signature"])
    book.close()


def _staff_detail(style: str) -> str:
    return "gender_age" if style == "PX" else STAFF_STYLES[style].detail


# --------------------------------------------------------------------------------------
# Writing workbooks
# --------------------------------------------------------------------------------------

def _workbook(path: Path):
    return new_workbook(path, {"author": "Region Bench"}, in_memory=True)


def _write_file(job: tuple) -> None:
    """One workbook of a month: an income statement or a staffing workbook of one unit
    or of many. `units` is [(code, info, rows)]."""
    path, kind, style, units, period, month, seed = job
    book = _workbook(path)
    if kind == "staffing" and style == "PX":
        write_staff_export(book, [(code, rows) for code, _, rows in units], period)
    elif kind == "staffing":
        code, _, rows = units[0]
        write_staffing(book, STAFF_STYLES[style], rows, code, period)
    elif style in EXPORT_STYLES:
        write_export(book, EXPORT_STYLES[style], units, period, month, seed)
    else:
        code, _, rows = units[0]
        write_income(book, INCOME_STYLES[style], rows, code, period, account_name)


def _jobs(truth: dict, period_dir: Path) -> list[tuple]:
    files: dict[tuple[str, str], list] = {}
    for code, info in truth["units"].items():
        files.setdefault(("income", info["income_file"]), [info["income_style"]]).append(
            (code, info, truth["income"][code]))
        files.setdefault(("staffing", info["staff_file"]), [info["staff_style"]]).append(
            (code, info, truth["staffing"][code]))
    return [(period_dir / name, kind, style, units, truth["period"], truth["month"], truth["seed"])
            for (kind, name), (style, *units) in files.items()]


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
        *(['adjustments = "justeringar/{period}.xlsx"'] if ADJUSTMENTS_CONFIGURED else []),
        "",
        "[inputs.aliases]",
        *(f"{key} = [{', '.join(_quote(v) for v in values)}]" for key, values in ALIASES.items()),
        "",
        "# the ledger's exports, as booked: revenue -, cost +",
        "[[inputs.source]]",
        'pattern = "{period}/resultat/huvudbok_*.xlsx"',
        'signs = "ledger"',
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


def write(units: int, out: Path | str, seed: object = 1, processes: int = 2,
          months: tuple[int, ...] = (MONTH,)) -> dict:
    """Write the whole region into `out` (replacing earlier workbooks there), each of
    `months` of 2026 in its own folder; returns build() of the last month."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    truth: dict = {}
    for month in months:
        truth = build(units, seed, month)
        if month == months[-1]:
            _write_config(truth, out)
        period_dir = out / truth["period"]
        for sub in ("resultat", "personal"):
            shutil.rmtree(period_dir / sub, ignore_errors=True)
            (period_dir / sub).mkdir(parents=True)
        (out / "justeringar").mkdir(exist_ok=True)
        write_adjustments(truth, out / "justeringar" / f"{truth['period']}.xlsx")
        jobs = _jobs(truth, period_dir)
        if processes > 1 and len(jobs) > 20:
            with Pool(processes) as pool:
                for _ in pool.imap_unordered(_write_file, jobs, chunksize=max(1, len(jobs) // (processes * 16))):
                    pass
        else:
            for job in jobs:
                _write_file(job)
    return truth


def write_config(units: int, out: Path | str, seed: object = 1) -> None:
    """Only the configuration of the region `write` writes (its tree is drawn first, and
    alone), e.g. after ADJUSTMENTS_CONFIGURED changed."""
    entities, unit_list = make_tree(units, seed)
    _write_config({"seed": seed, "entities": entities, "units": unit_list}, Path(out))


def _write_config(truth: dict, out: Path) -> None:
    (out / "region.toml").write_text(region_toml(truth), encoding="utf-8")
    (out / "chart.toml").write_text(chart_toml(), encoding="utf-8")
    _check_chart(out / "chart.toml")
    (out / "region_tabeller.toml").write_text(region_toml(truth, tables=True), encoding="utf-8")
    write_organisation(truth, out / "organisation.xlsx")
    shutil.copyfile(CONFIG / "kontoplan.xlsx", out / "kontoplan.xlsx")
    shutil.copyfile(CONFIG / "chart.toml", out / "chart_rader.toml")


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
    parser.add_argument("--history", type=int, default=0, choices=range(MONTH),
                        help=f"also write this many months before {PERIOD} (for the closed months of the year)")
    args = parser.parse_args(argv)
    if args.units < 3:
        parser.error("--units must be at least 3")
    start = time.perf_counter()
    truth = write(args.units, args.out, args.seed, args.processes, tuple(range(MONTH - args.history, MONTH + 1)))
    elapsed = time.perf_counter() - start
    files = list((args.out / PERIOD).glob("*/*.xlsx"))
    size = sum(p.stat().st_size for p in files)
    rows = sum(len(r) for r in truth["income"].values())
    print(f"{args.out}: {len(truth['units'])} units, {len(truth['entities'])} entities, {len(files)} workbooks, "
          f"{size / 1e6:.1f} MB ({size / max(1, len(files)) / 1e3:.1f} KB each), {rows} income rows, "
          f"{len(truth['mismatches'])} planted internal mismatches; {elapsed:.1f} s")


if __name__ == "__main__":
    main()
