"""Staffing sheets (SPEC §2): read real workbooks, roll up hours, ratios of sums."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import income_rows, run_cli, write_region, write_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.config.tree import Entity, Tree
from consolidate.core.staffing import staffing_table
from consolidate.vocabulary import STAFF_MEASURES

HEADER = ["Kön", "Åldersgrupp", "Anställda", "Arbetad tid", "Ordinarie arbetstid", "Sjukfrånvaro",
          "Sjukfrånvaro dag 1-14", "Sjukfrånvaro 60- dagar", "Inhyrd tid",
          "Anställda fg år", "Arbetad tid fg år", "Ordinarie arbetstid fg år", "Sjukfrånvaro fg år"]
ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Stora kliniken", "ADM"), ("U2", "Lilla enheten", "ADM")]


def _region(tmp_path, staff: dict[str, list[list]], period: str = "2026-04"):
    config = write_region(tmp_path, ENTITIES, staffing=True)
    for unit in ("U1", "U2"):
        write_workbook(tmp_path / f"in/{period}/resultat/{unit}_r.xlsx",
                       income_rows(unit, [(3010, "Intäkter", 1, 1, 1, 1, 1, 1)], period=period))
    for unit, rows in staff.items():
        write_workbook(tmp_path / f"in/{period}/personal/{unit}_p.xlsx", rows, sheet="Personal")
    return config


def _run(tmp_path, config, period="2026-04"):
    out = tmp_path / "out.json"
    done = run_cli("run", "--config", str(config), "--period", period, "--json", str(out), "--no-excel")
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return done, data


def _row(data, entity, by=None, key=None):
    return next(r for r in data["staffing"] if r["entity"] == entity and r["by"] == by and r["key"] == key)


def test_ratios_come_from_summed_hours_not_averaged_percentages(tmp_path):
    # A big unit with low sick leave and a tiny one with very high sick leave:
    # the mean of the two percentages (26 %) is far from the hours-weighted 2.48 %.
    big = [["Ansvar:", "U1"], [], HEADER, ["K", "30-49", 100, 57_000, 60_000, 1_200, 600, 300, 0, 98, 56_000, 59_000, 1_500]]
    small = [["Ansvar:", "U2"], [], HEADER, ["M", "50-", 1, 400, 500, 250, 50, 200, 10, 1, 450, 500, 0]]
    done, data = _run(tmp_path, _region(tmp_path, {"U1": big, "U2": small}))
    assert done.returncode == 0, done.stderr
    for entity in ("ADM", "REG"):
        total = _row(data, entity)
        assert total["sick_pct"] == pytest.approx(100 * 1_450 / 60_500)
        assert total["sick_pct"] != pytest.approx((2.0 + 50.0) / 2)
        assert total["sick_short_pct"] == pytest.approx(100 * 650 / 60_500)
        assert total["long_sick_share_pct"] == pytest.approx(100 * 500 / 1_450)
        assert total["sick_pct_prior"] == pytest.approx(100 * 1_500 / 59_500)
        assert total["headcount"] == 101 and total["headcount_prior"] == 99
        assert total["hired_hours"] == 10
    assert _row(data, "U2")["sick_pct"] == pytest.approx(50.0)
    assert _row(data, "ADM", "gender", "K")["sick_pct"] == pytest.approx(2.0)
    assert _row(data, "ADM", "age_band", "50-")["sick_pct"] == pytest.approx(50.0)


def test_fte_uses_the_months_of_the_period(tmp_path):
    # 1725 h a year: by April (4 months) one årsarbetare is 575 h; by March 431.25 h.
    rows = [["Ansvar:", "U1"], [], ["Arbetad tid", "Ordinarie arbetstid"], [5_750, 6_000]]
    empty = [["Ansvar:", "U2"], [], ["Arbetad tid"]]
    for period, expected in (("2026-04", 10.0), ("2026-03", 5_750 / 431.25)):
        root = tmp_path / period
        done, data = _run(root, _region(root, {"U1": rows, "U2": empty}, period), period)
        assert done.returncode == 0, done.stderr
        assert _row(data, "U1")["fte"] == pytest.approx(expected)
        assert _row(data, "REG")["fte"] == pytest.approx(expected)


def test_missing_optional_column_gives_null_ratio_not_zero(tmp_path):
    with_sick = [["Ansvar:", "U1"], [], ["Arbetad tid", "Ordinarie arbetstid", "Sjukfrånvaro"], [1_000, 1_100, 55]]
    no_sick = [["Ansvar:", "U2"], [], ["Arbetad tid", "Ordinarie arbetstid"], [500, 520]]
    done, data = _run(tmp_path, _region(tmp_path, {"U1": with_sick, "U2": no_sick}))
    assert done.returncode == 0, done.stderr
    assert _row(data, "U1")["sick_pct"] == pytest.approx(5.0)
    assert _row(data, "U2")["sick_pct"] is None
    assert _row(data, "ADM")["sick_pct"] is None  # part of the base is unknown: no figure
    assert _row(data, "ADM")["fte"] == pytest.approx(1_500 / 575)
    assert _row(data, "U1")["sick_pct_prior"] is None  # no "fg år" columns at all
    assert "Sjukfrånvaro saknas" in done.stderr or "kolumnen Sjukfrånvaro saknas" in done.stderr


def test_unit_with_no_staff_gives_zero_headcount_and_null_ratios(tmp_path):
    staff = [["Ansvar:", "U1"], [], HEADER, ["K", "-29", 2, 1_150, 1_200, 12, 12, 0, 0, 2, 1_100, 1_150, 20]]
    none = [["Ansvar:", "U2"], [], HEADER, ["K", "-29", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]
    done, data = _run(tmp_path, _region(tmp_path, {"U1": staff, "U2": none}))
    assert done.returncode == 0, done.stderr
    empty = _row(data, "U2")
    assert empty["headcount"] == 0 and empty["fte"] == 0
    assert empty["sick_pct"] is None and empty["long_sick_share_pct"] is None
    assert _row(data, "ADM")["sick_pct"] == pytest.approx(1.0)


def test_bad_cells_are_named_with_file_sheet_and_cell(tmp_path):
    rows = [["Ansvar:", "U1"], [], HEADER,
            ["X", "30-49", 5, "se bilaga", 1_000, 10, 5, 0, 0, 5, 900, 950, 8],
            ["K", "60-70", 5, 800, 1_000, 10, 5, 0, 0, 5, 900, 950, 8]]
    ok = [["Ansvar:", "U2"], [], ["Arbetad tid"], [10]]
    done, _ = _run(tmp_path, _region(tmp_path, {"U1": rows, "U2": ok}))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert any("U1_p.xlsx" in l and "blad Personal" in l and "cell D4" in l and "se bilaga" in l for l in lines)
    assert any("cell A4" in l and "'X'" in l for l in lines)
    assert any("cell B5" in l and "60-70" in l for l in lines)
    assert "Traceback" not in done.stderr


def test_unit_without_staffing_sheet_is_an_error(tmp_path):
    ok = [["Ansvar:", "U1"], [], ["Arbetad tid"], [10]]
    done, _ = _run(tmp_path, _region(tmp_path, {"U1": ok}))
    assert done.returncode == 1
    assert "U2" in done.stderr and "personalrapport" in done.stderr


# --- property: every level's ratios are ratios of that level's summed hours -------

TREE = Tree.build([Entity("R", "R", None), Entity("A", "A", "R"), Entity("B", "B", "R"),
                   Entity("u1", "u1", "A"), Entity("u2", "u2", "A"), Entity("u3", "u3", "B")], "t")
hours = st.integers(min_value=0, max_value=200_000).map(float)


@st.composite
def staff_tables(draw):
    rows = []
    for unit in TREE.units:
        for gender in draw(st.lists(st.sampled_from(["K", "M"]), min_size=1, max_size=3)):
            record = {"unit": unit, "group": None, "gender": gender, "age_band": None}
            for m in STAFF_MEASURES:
                record[m] = draw(hours)
            rows.append(record)
    return pd.DataFrame(rows)


@settings(max_examples=60, deadline=None)
@given(staff_tables(), st.integers(min_value=1, max_value=12))
def test_every_level_is_a_ratio_of_its_own_sums(table, months):
    result = staffing_table(table, TREE, 1725, months)
    for entity in TREE.entities:
        below = [u for u in TREE.units if entity in TREE.ancestors(u)]
        mine = table[table["unit"].isin(below)]
        row = result[(result["entity"] == entity) & result["by"].isna()].iloc[0]
        scheduled, sick = mine["hours_scheduled"].sum(), mine["sick_hours"].sum()
        assert row["fte"] == pytest.approx(mine["hours_worked"].sum() / (1725 * months / 12))
        if scheduled == 0:
            assert row["sick_pct"] is None
        else:
            assert row["sick_pct"] == pytest.approx(100 * sick / scheduled)
        if sick == 0:
            assert row["long_sick_share_pct"] is None
        else:
            assert row["long_sick_share_pct"] == pytest.approx(100 * mine["sick_long_hours"].sum() / sick)
        women = result[(result["entity"] == entity) & (result["by"] == "gender") & (result["key"] == "K")]
        if (mine["gender"] == "K").any():
            assert women.iloc[0]["headcount"] == pytest.approx(mine[mine["gender"] == "K"]["headcount"].sum())


def test_staffing_total_row_is_a_control_total(tmp_path):
    header = ["Kön", "Arbetad tid", "Ordinarie arbetstid"]
    good = [["Ansvar:", "U1"], [], header, ["K", 600, 650], ["M", 400, 420], ["Totalt", 1000, 1070]]
    bad = [["Ansvar:", "U2"], [], header, ["K", 600, 650], ["Summa", 700, None], ["Totalt", None, None]]
    done, _ = _run(tmp_path, _region(tmp_path, {"U1": good, "U2": bad}))
    assert done.returncode == 1
    lines = [l for l in done.stderr.splitlines() if "summaraden" in l]
    assert len(lines) == 1 and "U2_p.xlsx" in lines[0] and "cell B5" in lines[0] and "Arbetad tid" in lines[0]
