"""The Personal sheets of the workbook (SPEC §16): for the workbook's entity and each
entity right under it, hours by kind and årsarbetare with last year, this year,
Förändring and Förändring %, sick leave by length of spell, Kvinnor/Män and age band,
årsarbetare per entity under it; Personal per enhet with every entity and breakdown.
Every figure equals one worked out here from the rows written to the staffing
workbooks; a band one unit lacks is empty ("–") above it, never 0; a breakdown some
units do not give says which units, under the table; each block prints on one page."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest
from helpers import income_rows, run_cli, write_region, write_workbook
from test_workbook_print import _assert_charts_placed, _breaks, _charts, _page_points, _row_points

PERIOD = "2026-04"
PRIOR, CURRENT = "apr-25", "apr-26"
YEAR_HOURS = 1725 * 4 / 12  # fte_hours_per_year of write_region, by April
ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Stora kliniken", "ADM"), ("U2", "Lilla enheten", "ADM"),
            ("ANN", "Annan förvaltning", "REG"), ("U3", "Tredje enheten", "ANN")]
NAMES = {"REG": "Testregionen", **{code: name for code, name, _ in ENTITIES}}
LEVELS = {"REG": "Region", "ADM": "Förvaltning", "ANN": "Förvaltning", "U1": "Enhet", "U2": "Enhet", "U3": "Enhet"}
UNDER = {"REG": ["U1", "U2", "U3"], "ADM": ["U1", "U2"], "ANN": ["U3"], "U1": ["U1"], "U2": ["U2"], "U3": ["U3"]}
CHILDREN = {"REG": ["ADM", "ANN"], "ADM": ["U1", "U2"], "ANN": ["U3"]}

MEASURES = ["Anställda", "Arbetad tid", "Arbetad tid inkl jour", "Resurspool", "Inhyrd tid", "Ordinarie arbetstid",
            "Sjukfrånvaro", "Sjukfrånvaro dag 1-14", "Sjukfrånvaro dag 15-90", "Sjukfrånvaro dag 91-365",
            "Sjukfrånvaro dag 366-", "Sjukfrånvaro 60- dagar"]
BANDS = ("Sjukfrånvaro dag 15-90", "Sjukfrånvaro dag 91-365", "Sjukfrånvaro dag 366-")


def _row(by: dict, values: list[float], prior: list[float], drop: tuple[str, ...] = ()) -> dict:
    row = dict(by)
    row.update(zip(MEASURES, values))
    row.update({f"{label} fg år": v for label, v in zip(MEASURES, prior)})
    return {k: v for k, v in row.items() if k.removesuffix(" fg år") not in drop}


STAFF = {
    "U1": [
        _row({"Kön": "K", "Åldersgrupp": "30-49"}, [40, 23_417, 24_980, 311, 1_207, 26_903, 1_877, 803, 512, 329, 233, 701],
             [38, 22_651, 23_902, 0, 1_511, 25_977, 1_612, 757, 431, 251, 173, 566]),
        _row({"Kön": "M", "Åldersgrupp": "50-"}, [21, 11_003, 11_877, 97, 0, 12_641, 1_181, 307, 419, 211, 244, 733],
             [23, 12_307, 12_999, 53, 212, 13_517, 903, 355, 277, 130, 141, 479]),
        _row({"Kön": "K", "Åldersgrupp": "-29"}, [9, 4_013, 4_101, 0, 88, 4_529, 207, 149, 58, 0, 0, 31],
             [7, 3_397, 3_441, 19, 0, 3_871, 119, 97, 22, 0, 0, 0]),
    ],
    # one row, no Kön or Åldersgrupp; no sick-leave bands after day 14, no Resurspool
    "U2": [_row({}, [12, 6_907, 7_333, 0, 415, 7_771, 613, 263, 0, 0, 0, 211],
                [13, 7_211, 7_604, 0, 377, 8_019, 577, 301, 0, 0, 0, 167], drop=(*BANDS, "Resurspool"))],
    "U3": [
        _row({"Kön": "K", "Åldersgrupp": "-29", "Personalgrupp": "Sjuksköterskor"},
             [17, 9_113, 9_560, 430, 0, 10_207, 803, 377, 219, 131, 76, 289],
             [16, 8_707, 9_001, 390, 0, 9_693, 741, 355, 201, 113, 72, 261]),
        _row({"Kön": "M", "Åldersgrupp": "30-49", "Personalgrupp": "Läkare"},
             [11, 5_903, 6_200, 0, 120, 6_611, 299, 151, 97, 51, 0, 103],
             [12, 6_301, 6_551, 0, 95, 7_013, 355, 177, 101, 77, 0, 122]),
    ],
}
BY_COLUMNS = {"Kön": "Kön", "Åldersgrupp": "Åldersgrupp", "Personalgrupp": "Personalgrupp"}
SHOWN_VALUES = {"K": "Kvinnor", "M": "Män", "-29": "–29 år", "30-49": "30–49 år", "50-": "50– år"}

# The rows as the regions publish them, in order and wording, and what each is of the sheets' columns.
HOURS = [("Utförd arbetstid resurspool", "Resurspool"), ("Utförd arbetstid externt inhyrd personal", "Inhyrd tid"),
         ("Arbetad tid inkl jour/beredskap", "Arbetad tid inkl jour"), ("Arbetad tid exkl jour/beredskap", "Arbetad tid"),
         ("Antal årsarbetare utifrån arbetad tid exkl jour/beredskap", "fte"),
         ("Anställda vid periodens slut", "Anställda")]
SICK = [("Total sjukfrånvaro", "Sjukfrånvaro"), ("varav sjukdag 1–14", "Sjukfrånvaro dag 1-14"),
        ("varav sjukdag 15–90", "Sjukfrånvaro dag 15-90"), ("varav sjukdag 91–365", "Sjukfrånvaro dag 91-365"),
        ("varav sjukdag 366–", "Sjukfrånvaro dag 366-"),
        ("Andel långtidssjukfrånvaro, 60 dagar eller mer (% av sjukfrånvaron)", "long")]
BREAKDOWN_ROWS = [("Kvinnor", "Kön", "K"), ("Män", "Kön", "M"), ("Anställda –29 år", "Åldersgrupp", "-29"),
                  ("Anställda 30–49 år", "Åldersgrupp", "30-49"), ("Anställda 50– år", "Åldersgrupp", "50-")]


# --- the figures, worked out here from the rows written ------------------------------------
def _sum(units: list[str], label: str, where=None) -> float | None:
    """The column summed over the units' rows `where` allows; None when a unit's sheet
    lacks the column (nobody can say what it holds)."""
    total = 0.0
    for unit in units:
        if any(label not in row for row in STAFF[unit]):
            return None
        total += sum(row[label] for row in STAFF[unit] if where is None or where(row))
    return total


def _ratio(numerator, base) -> float | None:
    return None if numerator is None or not base else 100 * numerator / base


def hours(units: list[str], label: str, suffix: str, where=None) -> float | None:
    if label == "fte":
        worked = _sum(units, f"Arbetad tid{suffix}", where)
        return None if worked is None else worked / YEAR_HOURS
    return _sum(units, f"{label}{suffix}", where)


def sick(units: list[str], label: str, suffix: str, where=None) -> float | None:
    total = _sum(units, f"Sjukfrånvaro{suffix}", where)
    if label == "long":
        return _ratio(_sum(units, f"Sjukfrånvaro 60- dagar{suffix}", where), total)
    return _ratio(_sum(units, f"{label}{suffix}", where), _sum(units, f"Ordinarie arbetstid{suffix}", where))


def with_change(current, prior) -> list[float | None]:
    change = None if current is None or prior is None else current - prior
    return [prior, current, change, None if change is None or not prior else 100 * change / prior]


def gives(units: list[str], column: str) -> bool:
    return all(column in row for unit in units for row in STAFF[unit])


def assert_figures(got: list, expected: list, what) -> None:
    """A figure nobody can give is "–" (never 0, never empty); the others equal the
    ones worked out here."""
    assert len(got) == len(expected), what
    for value, want in zip(got, expected):
        if want is None:
            assert value == "–", (what, got, expected)
        else:
            assert isinstance(value, int | float) and value == pytest.approx(want, rel=1e-12, abs=1e-9), (
                what, got, expected)


# --- the workbook ------------------------------------------------------------------------------
def _region(root: Path) -> Path:
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
def region(tmp_path_factory):
    root = tmp_path_factory.mktemp("staffing")
    config = _region(root)
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--out", str(root / "out"), "--quiet")
    assert done.returncode == 0, done.stderr
    return config, root / "out" / f"REG_{PERIOD}.xlsx"


def blocks(path: Path) -> dict[str, dict]:
    """The Personal sheet's blocks by entity: hours rows, sick rows, notes under the
    sick table, the årsarbetare table and the rows the block starts at."""
    rows = list(openpyxl.load_workbook(path)["Personal"].iter_rows(values_only=True))
    found: dict[str, dict] = {}
    for i, row in enumerate(rows):
        code = next((c for c in NAMES if row[0] == f"{c} {NAMES[c]}"), None)
        if code is None or rows[i + 1][0] != "Arbetad tid (timmar) och årsarbetare":
            continue
        head = rows[i + 1]
        block = {"start": i, "head": list(head[:9]), "hours": [], "sick": [], "notes": [], "fte": None}
        block["hours"] = [list(r[:5]) for r in rows[i + 2:i + 2 + len(HOURS)]]
        j = i + 2
        while j < len(rows) and rows[j][6] is not None and rows[j][7] is not None:
            block["sick"].append(list(rows[j][6:9]))
            j += 1
        while j < len(rows) and isinstance(rows[j][6], str) and rows[j][7] is None:
            block["notes"].append(rows[j][6])
            j += 1
        block["stop"] = max(j, i + 2 + len(HOURS))
        k = next((k for k in range(i + 2, min(len(rows), j + 3)) if str(rows[k][0]).startswith("Årsarbetare per")),
                 None)
        if k is not None:
            table = []
            for r in rows[k + 1:]:
                table.append(list(r[:5]))
                if r[0] == "Totalt":
                    break
            block["fte"] = (list(rows[k][:5]), table)
            block["stop"] = k + 1 + len(table)
        found[code] = block
    return found


def expected_sick(entity: str) -> list[list]:
    units = UNDER[entity]
    rows = [[label, sick(units, key, " fg år"), sick(units, key, "")] for label, key in SICK]
    for label, column, value in BREAKDOWN_ROWS:
        if not gives(units, column):  # a unit does not give it: empty, not 0
            rows.append([label, None, None])
            continue
        where = lambda row, column=column, value=value: row[column] == value  # noqa: E731
        rows.append([label, sick(units, "Sjukfrånvaro", " fg år", where), sick(units, "Sjukfrånvaro", "", where)])
    return rows


# --- the tests ----------------------------------------------------------------------------------
def test_every_figure_of_the_personal_sheet_equals_one_worked_out_from_the_files(region):
    _, path = region
    found = blocks(path)
    assert list(found) == ["REG", "ADM", "ANN"]  # the region and each administration, in tree order
    for entity, block in found.items():
        units = UNDER[entity]
        assert block["head"] == ["Arbetad tid (timmar) och årsarbetare", PRIOR, CURRENT, "Förändring",
                                 "Förändring %", None, "Sjukfrånvaro, % av ordinarie arbetstid", PRIOR, CURRENT]
        assert [r[0] for r in block["hours"]] == [label for label, _ in HOURS]
        for row, (label, key) in zip(block["hours"], HOURS):
            assert_figures(row[1:], with_change(hours(units, key, ""), hours(units, key, " fg år")), (entity, label))
        expected = expected_sick(entity)
        assert [r[0] for r in block["sick"]] == [r[0] for r in expected]
        for row, want in zip(block["sick"], expected):
            assert_figures(row[1:], want[1:], (entity, row[0]))
        heading, table = block["fte"]
        assert heading == [f"Årsarbetare per {'förvaltning' if entity == 'REG' else 'enhet'}", PRIOR, CURRENT,
                           "Förändring", "Förändring %"]
        assert [r[0] for r in table] == [*(f"{c} {NAMES[c]}" for c in CHILDREN[entity]), "Totalt"]
        for row, code in zip(table, [*CHILDREN[entity], entity]):
            assert_figures(row[1:], with_change(hours(UNDER[code], "fte", ""), hours(UNDER[code], "fte", " fg år")),
                           (entity, code))


def test_the_published_fte_line_and_a_band_one_unit_lacks_is_empty_above_it_never_zero(region):
    _, path = region
    found = blocks(path)
    fte = {r[0]: r[1:] for r in found["REG"]["hours"]}["Antal årsarbetare utifrån arbetad tid exkl jour/beredskap"]
    worked = sum(row["Arbetad tid"] for unit in STAFF for row in STAFF[unit])
    worked_prior = sum(row["Arbetad tid fg år"] for unit in STAFF for row in STAFF[unit])
    assert fte == pytest.approx([worked_prior / YEAR_HOURS, worked / YEAR_HOURS, (worked - worked_prior) / YEAR_HOURS,
                                 100 * (worked - worked_prior) / worked_prior])
    for entity in ("REG", "ADM"):  # U2 has no Resurspool and no bands after day 14
        assert {r[0]: r[1:] for r in found[entity]["hours"]}["Utförd arbetstid resurspool"] == ["–"] * 4
        sick_rows = {r[0]: r[1:] for r in found[entity]["sick"]}
        for band in ("varav sjukdag 15–90", "varav sjukdag 91–365", "varav sjukdag 366–"):
            assert sick_rows[band] == ["–", "–"], (entity, band)
    sick_rows = {r[0]: r[1:] for r in found["ANN"]["sick"]}
    assert all(isinstance(v, float) and v > 0 for v in sick_rows["varav sjukdag 15–90"])


def test_a_breakdown_some_units_do_not_give_says_which_under_the_table(region):
    _, path = region
    found = blocks(path)
    for entity in ("REG", "ADM"):
        assert {r[0]: r[1:] for r in found[entity]["sick"]}["Kvinnor"] == ["–", "–"]
        assert found[entity]["notes"] == [
            f"Uppdelning på kön och åldersgrupp saknas för {entity} {NAMES[entity]}: enheten U2 anger inte "
            "kön och åldersgrupp på varje rad."]
    assert found["ANN"]["notes"] == []
    assert all(isinstance(v, float) for v in {r[0]: r[1:] for r in found["ANN"]["sick"]}["Kvinnor"])


def _expected_every_entity() -> list[tuple[str, str, str | None]]:
    """(entity, breakdown column, value) of every row of Personal per enhet, in order."""
    order = ["REG", "ADM", "U1", "U2", "ANN", "U3"]
    rows = []
    for entity in order:
        rows.append((entity, None, None))
        units = UNDER[entity]
        for column, known in (("Kön", ["K", "M"]), ("Åldersgrupp", ["-29", "30-49", "50-"]),
                              ("Personalgrupp", None)):
            if not gives(units, column):
                continue
            values = {row[column] for unit in units for row in STAFF[unit]}
            for value in ([k for k in known if k in values] if known else sorted(values)):
                rows.append((entity, column, value))
    return rows


def test_personal_per_enhet_holds_every_entity_and_breakdown_with_every_figure(region):
    _, path = region
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.index("Personal per enhet") == book.sheetnames.index("Personal") + 1
    ws = book["Personal per enhet"]
    rows = list(ws.iter_rows(values_only=True))
    groups, headings = rows[0], rows[1]
    assert list(headings[:5]) == ["Kod", "Namn", "Nivå", "Indelning", "Värde"]
    figures = [(label, key, True) for label, key in HOURS] + [(label, key, False) for label, key in SICK]
    col, layout = 5, []
    for label, key, changes in figures:
        width = 4 if changes else 2
        assert groups[col] == label
        assert list(headings[col:col + width]) == [PRIOR, CURRENT, "Förändring", "Förändring %"][:width]
        layout.append((col, key, changes))
        col += width
    assert len(headings) == col
    last = openpyxl.utils.get_column_letter(col)
    body = rows[2:]
    expected = _expected_every_entity()
    by_names = {None: "Totalt", "Kön": "Kön", "Åldersgrupp": "Åldersgrupp", "Personalgrupp": "Personalgrupp"}
    assert [tuple(r[:5]) for r in body] == [
        (e, NAMES[e], LEVELS[e], by_names[column], None if value is None else SHOWN_VALUES.get(value, value))
        for e, column, value in expected]
    for row, (entity, column, value) in zip(body, expected):
        where = None if column is None else (lambda r, column=column, value=value: r[column] == value)
        units = UNDER[entity]
        for first, key, changes in layout:
            if changes:
                want = with_change(hours(units, key, "", where), hours(units, key, " fg år", where))
                assert_figures(list(row[first:first + 4]), want, (entity, column, value, key))
            else:
                want = [sick(units, key, " fg år", where), sick(units, key, "", where)]
                assert_figures(list(row[first:first + 2]), want, (entity, column, value, key))
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref == f"A2:{last}{len(rows)}"
    area = ws.print_area.split("!")[1].replace("$", "")
    assert ws[area].value is None  # not printed: its print area is one empty cell


def test_each_block_prints_on_one_page_and_the_chart_below_its_table(region):
    _, path = region
    ws = openpyxl.load_workbook(path)["Personal"]
    found = blocks(path)
    starts = {b["start"] for b in found.values()} | {c["first"] for c in _charts(path)["Personal"]}
    assert all(b in starts for b in _breaks(ws)), (_breaks(ws), starts)  # a page breaks before a block or chart
    assert len(_breaks(ws)) >= 2  # three blocks and a chart do not fit one page
    for entity, block in found.items():  # from the top of its page down to its end: one page
        top = max([b for b in _breaks(ws) if b <= block["start"]], default=0)
        assert _row_points(ws, top, block["stop"]) <= _page_points(ws), entity
    assert _assert_charts_placed(path) == 3  # the region's variances, the årsarbetare per förvaltning, Utveckling


def test_a_units_workbook_shows_its_own_figures(region, tmp_path):
    config, _ = region
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--out", str(tmp_path), "--entity", "u1",
                   "--quiet")
    assert done.returncode == 0, done.stderr
    found = blocks(tmp_path / f"REG_U1_{PERIOD}.xlsx")
    assert list(found) == ["U1"] and found["U1"]["fte"] is None and found["U1"]["notes"] == []
    for row, want in zip(found["U1"]["sick"], expected_sick("U1")):
        assert_figures(row[1:], want[1:], ("U1", row[0]))
    sick_rows = {r[0]: r[1:] for r in found["U1"]["sick"]}
    assert all(isinstance(v, float) for v in sick_rows["Kvinnor"] + sick_rows["varav sjukdag 366–"])
    assert math.isclose(sick_rows["Män"][1], sick(["U1"], "Sjukfrånvaro", "", lambda r: r["Kön"] == "M"))
