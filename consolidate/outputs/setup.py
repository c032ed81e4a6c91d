"""A new region's setup files, as `consolidate init` writes them (SPEC §11): region.toml,
chart.toml with the statutory layout, organisation.xlsx and kontoplan.xlsx. Each file is
written whole or not at all (`runtime.atomic.atomic_path`); the tables with XlsxWriter,
every value as text (a code keeps its leading zeros, nothing becomes a formula).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from consolidate.config.statutory import DIFFERENCE_LINE, LINES, REPORT, REPORT_NAME
from consolidate.config.tables import MAPPING_LABELS, TREE_LABELS
from consolidate.core.discovery import Discovery
from consolidate.outputs.excel.style import text
from consolidate.runtime.atomic import atomic_path

FILES = ("region.toml", "chart.toml", "organisation.xlsx", "kontoplan.xlsx")
TREE_COLUMNS = ("code", "name", "parent", "motpart", "from", "to")
MAPPING_COLUMNS = ("account", "line", "name")


@dataclass(frozen=True)
class Inputs:
    """Where the new region.toml finds the deliveries (relative to it, `{period}` in place of the month)."""

    income: str
    staffing: str | None


def write_setup(directory: Path, found: Discovery, inputs: Inputs, region_code: str, region_name: str) -> list[Path]:
    """Write the four files into `directory`; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / name for name in FILES]
    with atomic_path(paths[0]) as tmp:
        tmp.write_text(region_toml(inputs, region_code, region_name), encoding="utf-8")
    with atomic_path(paths[1]) as tmp:
        tmp.write_text(chart_toml(), encoding="utf-8")
    units = [(unit.code, unit.name, "", "", "", "") for unit in found.units.values()]
    _table(paths[2], "Organisation", [TREE_LABELS[key][0] for key in TREE_COLUMNS], units, (10, 36, 10, 10, 9, 9))
    accounts = [(a.code, a.line or "", " / ".join(a.name_list()[:4])) for a in found.sorted_accounts()]
    _table(paths[3], "Kontoplan", [MAPPING_LABELS[key][0] for key in MAPPING_COLUMNS], accounts, (10, 12, 50))
    return paths


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def region_toml(inputs: Inputs, code: str, name: str) -> str:
    staffing = f"staffing = {_quoted(inputs.staffing)}\n" if inputs.staffing else ""
    return f"""# Skapad av consolidate init. Sökvägar är relativa till den här filen; {{period}} blir ÅÅÅÅ-MM.
# Se docs/guide/organisation.md.

[region]
code = {_quoted(code)}                  # regionens kod: Förälder för förvaltningarna i organisation.xlsx
name = {_quoted(name)}
fte_hours_per_year = 1725       # en årsarbetare
amount_unit = "tkr"             # visas i terminalen och i Excel: kr, tkr eller mkr
chart = "chart.toml"

[inputs]
income = {_quoted(inputs.income)}
{staffing}
[output]
directory = "rapporter/{{period}}"

[eliminations]
difference_line = "{DIFFERENCE_LINE}"     # en rad i chart.toml, för skillnader i internhandeln
# external = ["81", "87"]        # motpartskoder för parter utanför regionen

[tree]
file = "organisation.xlsx"      # Kod, Namn, Förälder, Motpart, Från, Till

[chart]
mapping = "kontoplan.xlsx"      # Konto, Rad, Benämning
"""


def chart_toml() -> str:
    """chart.toml with the statutory detail lines (their accounts are in kontoplan.xlsx) and report."""
    parts = ["# Skapad av consolidate init: resultaträkningens uppställning enligt lagen om kommunal",
             "# bokföring och redovisning. Kontona finns i kontoplan.xlsx (kolumnen Rad är en kod här).", ""]
    for code, name, _ in LINES:
        parts += ["[[line]]", f"code = {_quoted(code)}", f"name = {_quoted(name)}", ""]
    parts += ["[[report]]", f"name = {_quoted(REPORT_NAME)}", "rows = ["]
    for name, lines, rows in REPORT:
        if rows:
            summed = ", ".join(_quoted(row) for row in rows)
            parts.append(f"  {{ name = {_quoted(name)}, rows = [{summed}], total = true }},")
        else:
            parts.append(f"  {{ name = {_quoted(name)}, lines = [{', '.join(_quoted(line) for line in lines)}] }},")
    parts += ["]", ""]
    return "\n".join(parts)


def _table(path: Path, sheet_name: str, labels: list[str], rows: Sequence[tuple[str, ...]],
           widths: tuple[int, ...]) -> None:
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False})
        sheet = book.add_worksheet(sheet_name)
        bold = book.add_format({"bold": True})
        for c, label in enumerate(labels):
            sheet.write_string(0, c, label, bold)
            sheet.set_column(c, c, widths[c])
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value:
                    sheet.write_string(r, c, text(value))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(labels) - 1)
        book.close()
