"""`templates` (SPEC §12): written, filled in by a unit as in Excel (values only), and
read back by `run` giving exactly the figures filled in."""

from __future__ import annotations

import random
import shutil
import zipfile
from pathlib import Path

import openpyxl
from helpers import copy_samples, run_cli

PERIOD = "2026-05"  # a month the samples have not delivered: the templates are its deliveries


def _fill(path: Path, draw: random.Random) -> dict[tuple[str, int], float]:
    """Fill every amount cell below the header with a number, as a unit would; returns
    what was written per (account, column)."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = next(r for r in range(1, 30) if sheet.cell(r, 1).value in ("Konto", "Kön"))
    written = {}
    for r in range(header + 1, sheet.max_row + 1):
        key = sheet.cell(r, 1).value
        if key is None:
            continue
        income = sheet.cell(header, 1).value == "Konto"
        for c in range(3, sheet.max_column + 1):
            # as a unit reports: revenue (class 3) plus, costs minus; staff figures are counts and hours
            sign = 1 if str(key).startswith("3") else -1
            value = sign * draw.randint(0, 50_000) if income else draw.randint(0, 900)
            sheet.cell(r, c).value = value
            written[(f"{key}|{sheet.cell(r, 2).value}", c)] = value
    book.save(path)
    return written


def test_templates_filled_in_and_run_give_the_figures_filled_in(tmp_path):
    config = copy_samples(tmp_path, periods=())
    templates = tmp_path / "samples" / PERIOD
    done = run_cli("templates", "--config", str(config), "--period", PERIOD, "--out", str(templates))
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in templates.iterdir())
    assert files and all(p.endswith(f"_{PERIOD}.xlsx") for p in files)
    for path in templates.iterdir():
        with zipfile.ZipFile(path) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
            xml = "".join(archive.read(n).decode() for n in sheets)
        assert "<f>" not in xml  # no formulas
        assert "dataValidation" in xml  # amounts are numbers only
    # the units fill them in and they are sent in where the region's config looks
    draw = random.Random(5)
    filled = {}
    (tmp_path / "samples" / PERIOD / "resultat").mkdir()
    (tmp_path / "samples" / PERIOD / "personal").mkdir()
    for path in sorted(templates.glob("*.xlsx")):
        kind = "resultat" if "_resultat_" in path.name else "personal"
        filled[path.name] = _fill(path, draw)
        shutil.move(path, templates / kind / path.name)
    run = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel")
    assert run.returncode == 0, run.stderr
    # the figures, in-process: each unit's sum over the chart's lines, measure by measure,
    # is what it filled in (in kr: the templates say "Belopp i" the region's unit)
    from consolidate.commands.session import load
    from consolidate.readers.tables import load_config
    from consolidate.vocabulary import AMOUNT_UNITS, MEASURES

    region = load_config(config)
    result, _ = load(region, PERIOD)
    assert result.ok, [p.line() for p in result.problems if p.is_error]
    factor = AMOUNT_UNITS[region.amount_unit]
    lines = result.consolidated.lines
    staffing = result.staffing.set_index(["entity", "by"]) if result.staffing is not None else None
    for unit in region.tree.units:
        income = next(v for name, v in filled.items() if name.startswith(f"{unit}_resultat_"))
        for k, measure in enumerate(MEASURES):
            expected = sum(value for (_, column), value in income.items() if column == 3 + k) * factor
            assert lines.loc[unit, measure].sum() == expected, (unit, measure)
        if staffing is not None:
            staff = next(v for name, v in filled.items() if name.startswith(f"{unit}_personal_"))
            headcount = sum(value for (_, column), value in staff.items() if column == 3)
            assert staffing.loc[(unit, None), "headcount"] == headcount, unit


def test_templates_list_the_accounts_each_unit_reported_in_the_latest_closed_period(tmp_path):
    config = copy_samples(tmp_path, periods=("2026-04",))
    closed = run_cli("close", "--config", str(config), "--period", "2026-04", "--no-excel", "-q")
    assert closed.returncode == 0, closed.stderr
    out = tmp_path / "mallar"
    done = run_cli("templates", "--config", str(config), "--period", PERIOD, "--out", str(out))
    assert done.returncode == 0, done.stderr
    from consolidate.commands.session import load
    from consolidate.readers.tables import load_config

    result, _ = load(load_config(config, "2026-04"), "2026-04")
    reported = result.source_rows.groupby("unit")["account"].apply(lambda a: sorted(set(a)))
    for unit, accounts in reported.items():
        sheet = openpyxl.load_workbook(out / f"{unit}_resultat_{PERIOD}.xlsx").worksheets[0]
        header = next(r for r in range(1, 30) if sheet.cell(r, 1).value == "Konto")
        listed = [sheet.cell(r, 1).value for r in range(header + 1, sheet.max_row + 1) if sheet.cell(r, 1).value]
        assert listed == accounts, unit
        assert str(sheet.cell(1, 2).value).startswith(unit)  # Ansvar: the unit, with its name
