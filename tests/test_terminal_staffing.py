"""The Personal tables in the terminal (SPEC §16, §17): hours by kind and årsarbetare
with Förändring and Förändring %, årsarbetare per förvaltning, sick leave by length of
spell, Kön and Åldersgrupp; every figure equal to one worked out here from the rows
written to the staffing workbooks; a band one unit lacks is "–" above it, never 0; a
missing breakdown says which units lack it; nothing cut at any width."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
from helpers import income_rows, write_region, write_workbook
from rich.cells import cell_len
from rich.console import Console

from consolidate.commands.session import load
from consolidate.formatting import swedish
from consolidate.outputs.terminal import print_income
from consolidate.readers.tables import load_config

PERIOD = "2026-04"
THIS, PRIOR = "apr-26", "apr-25"  # the two years' columns, headed as the regions' reports head them
YEAR_HOURS = 1725 * 4 / 12  # fte_hours_per_year of write_region, by April
ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Stora kliniken", "ADM"), ("U2", "Lilla enheten", "ADM"),
            ("ANN", "Annan förvaltning", "REG"), ("U3", "Tredje enheten", "ANN")]
NAMES = {"REG": "Testregionen", **{code: name for code, name, _ in ENTITIES}}
UNDER = {"REG": ["U1", "U2", "U3"], "ADM": ["U1", "U2"], "ANN": ["U3"], "U1": ["U1"], "U2": ["U2"], "U3": ["U3"]}

# The staffing sheets, one dict a row: the column's label -> value. A label a unit's
# rows lack is a column its sheet does not have.
MEASURES = ["Anställda", "Arbetad tid", "Arbetad tid inkl jour", "Resurspool", "Inhyrd tid", "Ordinarie arbetstid",
            "Sjukfrånvaro", "Sjukfrånvaro dag 1-14", "Sjukfrånvaro dag 15-90", "Sjukfrånvaro dag 91-365",
            "Sjukfrånvaro dag 366-", "Sjukfrånvaro 60- dagar"]


def _row(gender, age, values: list[float], prior: list[float], drop: tuple[str, ...] = ()) -> dict:
    row = {} if gender is None else {"Kön": gender, "Åldersgrupp": age}
    row.update({label: v for label, v in zip(MEASURES, values)})
    row.update({f"{label} fg år": v for label, v in zip(MEASURES, prior)})
    return {k: v for k, v in row.items() if k.removesuffix(" fg år") not in drop}


STAFF = {
    "U1": [
        _row("K", "30-49", [40, 23_417, 24_980, 311, 1_207, 26_903, 1_877, 803, 512, 329, 233, 701],
             [38, 22_651, 23_902, 0, 1_511, 25_977, 1_612, 757, 431, 251, 173, 566]),
        _row("M", "50-", [21, 11_003, 11_877, 97, 0, 12_641, 1_181, 307, 419, 211, 244, 733],
             [23, 12_307, 12_999, 53, 212, 13_517, 903, 355, 277, 130, 141, 479]),
        _row("K", "-29", [9, 4_013, 4_101, 0, 88, 4_529, 207, 149, 58, 0, 0, 31],
             [7, 3_397, 3_441, 19, 0, 3_871, 119, 97, 22, 0, 0, 0]),
    ],
    # one row, no Kön, no Åldersgrupp; no sick-leave bands after day 14 and no Resurspool
    "U2": [_row(None, None, [12, 6_907, 7_333, 0, 415, 7_771, 613, 263, 0, 0, 0, 211],
                [13, 7_211, 7_604, 0, 377, 8_019, 577, 301, 0, 0, 0, 167],
                drop=("Sjukfrånvaro dag 15-90", "Sjukfrånvaro dag 91-365", "Sjukfrånvaro dag 366-", "Resurspool"))],
    "U3": [
        _row("K", "-29", [17, 9_113, 9_560, 430, 0, 10_207, 803, 377, 219, 131, 76, 289],
             [16, 8_707, 9_001, 390, 0, 9_693, 741, 355, 201, 113, 72, 261]),
        _row("M", "30-49", [11, 5_903, 6_200, 0, 120, 6_611, 299, 151, 97, 51, 0, 103],
             [12, 6_301, 6_551, 0, 95, 7_013, 355, 177, 101, 77, 0, 122]),
    ],
}

HOURS_ROWS = [  # the seeds' order and wording
    ("Utförd arbetstid resurspool", "Resurspool", 0),
    ("Utförd arbetstid externt inhyrd personal", "Inhyrd tid", 0),
    ("Arbetad tid inkl jour/beredskap", "Arbetad tid inkl jour", 0),
    ("Arbetad tid exkl jour/beredskap", "Arbetad tid", 0),
    ("Antal årsarbetare utifrån arbetad tid exkl jour/beredskap", "fte", 1),
    ("Anställda vid periodens slut", "Anställda", 0),
]
SICK_ROWS = [
    ("Total sjukfrånvaro", "Sjukfrånvaro"),
    ("varav sjukdag 1–14", "Sjukfrånvaro dag 1-14"),
    ("varav sjukdag 15–90", "Sjukfrånvaro dag 15-90"),
    ("varav sjukdag 91–365", "Sjukfrånvaro dag 91-365"),
    ("varav sjukdag 366–", "Sjukfrånvaro dag 366-"),
    ("Andel långtidssjukfrånvaro, 60 dagar eller mer (% av sjukfrånvaron)", "long"),
]
BREAKDOWN_ROWS = [("Kvinnor", "Kön", "K"), ("Män", "Kön", "M"), ("Anställda –29 år", "Åldersgrupp", "-29"),
                  ("Anställda 30–49 år", "Åldersgrupp", "30-49"), ("Anställda 50– år", "Åldersgrupp", "50-")]


# --- the figures, worked out here from the rows written ------------------------------------

def _sum(units: list[str], label: str, where=None) -> float | None:
    """The column summed over the units' rows (those `where` allows); None when a unit's
    sheet lacks the column."""
    total = 0.0
    for unit in units:
        if any(label not in row for row in STAFF[unit]):
            return None
        total += sum(row[label] for row in STAFF[unit] if where is None or where(row))
    return total


def _ratio(numerator, base) -> float | None:
    return None if numerator is None or not base else 100 * numerator / base


def _shown(value, decimals: int) -> str:
    return "–" if value is None else swedish(value, decimals)


def _year(units: list[str], label: str, suffix: str) -> float | None:
    if label == "fte":
        hours = _sum(units, f"Arbetad tid{suffix}")
        return None if hours is None else hours / YEAR_HOURS
    return _sum(units, f"{label}{suffix}")


def _with_change(current, prior, decimals: int) -> list[str]:
    change = None if current is None or prior is None else current - prior
    pct = None if change is None or not prior else 100 * change / prior
    return [_shown(prior, decimals), _shown(current, decimals), _shown(change, decimals), _shown(pct, 2)]


def expected_hours(entity: str) -> list[list[str]]:
    units = UNDER[entity]
    return [[label, *_with_change(_year(units, key, ""), _year(units, key, " fg år"), d)]
            for label, key, d in HOURS_ROWS]


def expected_fte(entity: str, children: list[str]) -> list[list[str]]:
    rows = []
    for code in [*children, entity]:
        label = "Totalt" if code == entity else f"{code} {NAMES[code]}"
        rows.append([label, *_with_change(_year(UNDER[code], "fte", ""), _year(UNDER[code], "fte", " fg år"), 1)])
    return rows


def _sick(units: list[str], label: str, suffix: str, where=None) -> float | None:
    sick = _sum(units, f"Sjukfrånvaro{suffix}", where)
    if label == "long":
        return _ratio(_sum(units, f"Sjukfrånvaro 60- dagar{suffix}", where), sick)
    return _ratio(_sum(units, f"{label}{suffix}", where), _sum(units, f"Ordinarie arbetstid{suffix}", where))


def expected_sick(entity: str) -> list[list[str]]:
    units = UNDER[entity]
    rows = [[label, _shown(_sick(units, key, " fg år"), 1), _shown(_sick(units, key, ""), 1)]
            for label, key in SICK_ROWS]
    for label, column, value in BREAKDOWN_ROWS:
        if any(column not in row for unit in units for row in STAFF[unit]):  # a unit does not give it
            rows.append([label, "–", "–"])
            continue
        where = lambda row, column=column, value=value: row[column] == value  # noqa: E731
        rows.append([label, _shown(_sick(units, "Sjukfrånvaro", " fg år", where), 1),
                     _shown(_sick(units, "Sjukfrånvaro", "", where), 1)])
    return rows


# --- the region, and the tables read back from the text ---------------------------------------

def _region(root):
    config = write_region(root, ENTITIES, staffing=True)
    for unit, rows in STAFF.items():
        write_workbook(root / f"in/{PERIOD}/resultat/{unit}_r.xlsx",
                       income_rows(unit, [(3010, "Intäkter", 100, 90, 80, 1200, 1250, 1100)]))
        header = list(dict.fromkeys(label for row in rows for label in row))
        write_workbook(root / f"in/{PERIOD}/personal/{unit}_p.xlsx",
                       [["Ansvar:", unit], [], header, *([row.get(label) for label in header] for row in rows)],
                       sheet="Personal")
    return config


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("staffing")
    found, _ = load(load_config(_region(root), PERIOD), PERIOD)
    assert found.ok, [p.line() for p in found.problems]
    return found


@dataclass
class Parsed:
    title: str
    headings: list[str]
    rows: list[list[str]]  # a label wrapped onto more lines joined with a space
    notes: str


def parse(text: str) -> dict[str, Parsed]:
    """The tables by title (a title's last line, when it wraps)."""
    return {table.title: table for table in parse_all(text)}


def parse_all(text: str) -> list[Parsed]:
    lines = text.splitlines()
    tables: list[Parsed] = []
    i = 0
    while i < len(lines):
        if not (i + 1 < len(lines) and lines[i + 1].startswith("┏")):
            i += 1
            continue
        title, j = lines[i].strip(), i + 1
        header: list[list[str]] = []
        rows: list[list[str]] = []
        while not lines[j].startswith("└"):
            line = lines[j].rstrip()
            cells = [cell.strip() for cell in line[1:-1].split(line[0])]
            if line.startswith("┃"):
                header.append(cells)
            elif line.startswith("│"):
                if rows and not any(cells[1:]):  # the label goes on on this line
                    rows[-1][0] = f"{rows[-1][0]} {cells[0]}"
                else:
                    rows.append(cells)
            j += 1
        j += 1
        notes = []
        while j < len(lines) and lines[j].strip() and not (j + 1 < len(lines) and lines[j + 1].startswith("┏")):
            notes.append(lines[j].strip())
            j += 1
        headings = [" ".join(part for part in column if part) for column in zip(*header)]
        tables.append(Parsed(title, headings, rows, " ".join(notes)))
        i = j
    return tables


def render(result, width: int, entity: str | None = None) -> str:
    stream = io.StringIO()
    console = Console(width=width, file=stream, highlight=False, markup=False, emoji=False, color_system=None)
    print_income(console, result, entity, result.config.chart.reports[0].name, result.config.amount_unit)
    text = stream.getvalue()
    assert max(cell_len(line) for line in text.splitlines()) <= width
    return text


def titles(entity: str) -> tuple[str, str, str]:
    name = NAMES[entity]
    return (f"Personal {name} – arbetad tid (timmar) och årsarbetare, ack. {PERIOD}",
            f"Personal {name} – årsarbetare per {'förvaltning' if entity == 'REG' else 'enhet'}, ack. {PERIOD}",
            f"Personal {name} – sjukfrånvaro, ack. {PERIOD}")


# --- the tests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("width", (80, 120, 200))
def test_every_staffing_figure_equals_one_worked_out_from_the_rows(result, width):
    tables = parse(render(result, width))
    children = {"REG": ["ADM", "ANN"], "ADM": ["U1", "U2"], "ANN": ["U3"]}
    for entity in ("REG", "ADM", "ANN"):
        hours, per, sick = (tables[title] for title in titles(entity))
        assert hours.headings == ["", PRIOR, THIS, "Förändring", "Förändring %"]
        assert hours.rows == expected_hours(entity), entity
        assert per.headings == ["Förvaltning" if entity == "REG" else "Enhet", PRIOR, THIS, "Förändring",
                                "Förändring %"]
        assert per.rows == expected_fte(entity, children[entity]), entity
        assert sick.headings == ["% av ordinarie arbetstid", PRIOR, THIS]
        assert sick.rows == expected_sick(entity), entity
        for table in (hours, per, sick):
            assert all("…" not in cell for row in table.rows for cell in row[1:]), table.title
            assert "Utelämnad" not in table.notes  # three narrow tables: nothing left out from 80 columns


def test_the_seeds_figures_and_a_band_one_unit_lacks_is_empty_above_it_never_zero(result):
    tables = parse(render(result, 120))
    hours = {row[0]: row[1:] for row in tables[titles("REG")[0]].rows}
    # "Antal årsarbetare utifrån arbetad tid exklusive jour/beredskap 298 → 291, −7, −2,48 %"
    worked = sum(row[label] for unit in STAFF for row in STAFF[unit] for label in ["Arbetad tid"])
    worked_prior = sum(row["Arbetad tid fg år"] for unit in STAFF for row in STAFF[unit])
    fte, fte_prior = worked / YEAR_HOURS, worked_prior / YEAR_HOURS
    assert hours["Antal årsarbetare utifrån arbetad tid exkl jour/beredskap"] == [
        swedish(fte_prior, 1), swedish(fte, 1), swedish(fte - fte_prior, 1),
        swedish(100 * (worked - worked_prior) / worked_prior, 2)]
    for entity in ("REG", "ADM"):  # U2 has no Resurspool and no bands after day 14
        hours = {row[0]: row[1:] for row in tables[titles(entity)[0]].rows}
        sick = {row[0]: row[1:] for row in tables[titles(entity)[2]].rows}
        assert hours["Utförd arbetstid resurspool"] == ["–"] * 4
        for band in ("varav sjukdag 15–90", "varav sjukdag 91–365", "varav sjukdag 366–"):
            assert sick[band] == ["–", "–"], (entity, band)
        assert sick["Total sjukfrånvaro"] != ["–", "–"]
    sick = {row[0]: row[1:] for row in tables[titles("ANN")[2]].rows}
    u3 = STAFF["U3"]
    scheduled = sum(row["Ordinarie arbetstid"] for row in u3)
    assert sick["varav sjukdag 15–90"][1] == swedish(100 * sum(r["Sjukfrånvaro dag 15-90"] for r in u3) / scheduled, 1)
    assert sick["varav sjukdag 366–"][1] != "0,0" and sick["varav sjukdag 366–"][1] != "–"
    # the unit that has them shows them
    unit = parse(render(result, 120, entity="U1"))
    sick = {row[0]: row[1:] for row in unit[titles("U1")[2]].rows}
    assert all(sick[band] != ["–", "–"] for band in ("varav sjukdag 15–90", "Kvinnor", "Anställda 50– år"))
    assert titles("U1")[1] not in unit  # no entity under a unit


def test_a_missing_breakdown_says_which_units_lack_it_under_the_table(result):
    tables = parse(render(result, 200))
    for entity in ("REG", "ADM"):
        sick = tables[titles(entity)[2]]
        assert {row[0]: row[1:] for row in sick.rows}["Kvinnor"] == ["–", "–"]
        assert (f"Uppdelning på kön och åldersgrupp saknas för {entity} {NAMES[entity]}: enheten U2 anger inte "
                "kön och åldersgrupp på varje rad.") in sick.notes
    ann = tables[titles("ANN")[2]]
    assert "Uppdelning" not in ann.notes
    assert {row[0]: row[1:] for row in ann.rows}["Kvinnor"] != ["–", "–"]


def test_a_window_too_narrow_leaves_out_whole_columns_and_says_so(result):
    hours = next(t for t in parse_all(render(result, 60)) if t.rows[0][0] == HOURS_ROWS[0][0])  # the region's
    assert hours.headings[:3] == ["", PRIOR, THIS] and "Förändring %" not in hours.headings
    assert "Utelämnad kolumn (för smalt fönster): Förändring %. Visa med ett bredare fönster eller --json." \
        in hours.notes
    expected = expected_hours("REG")
    assert [row[: len(hours.headings)] for row in expected] == hours.rows


def test_the_cli_at_80_columns(tmp_path):
    config = _region(tmp_path)
    env = {**os.environ, "COLUMNS": "80"}
    env.pop("CONSOLIDATE_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "consolidate", "run", "--config", str(config), "--period", PERIOD,
                           "--no-excel"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert max(cell_len(line) for line in done.stdout.splitlines()) <= 80
    tables = parse(done.stdout)
    for entity in ("REG", "ADM", "ANN"):
        assert tables[titles(entity)[0]].rows == expected_hours(entity)
    assert "enheten U2 anger inte kön och åldersgrupp på varje rad." in " ".join(done.stdout.split())
