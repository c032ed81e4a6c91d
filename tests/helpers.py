"""Small builders for tests: workbooks and region configurations written on the spot."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

ROOT = Path(__file__).resolve().parent.parent

INCOME_HEADER = ["Konto", "Benämning", "Utfall", "Budget", "Utfall fg år", "Årsbudget", "Prognos", "Bokslut fg år"]

CHART = """
[[line]]
code = "int"
name = "Intäkter"
accounts = ["3"]

[[line]]
code = "lon"
name = "Löner"
accounts = ["40", "41"]

[[line]]
code = "ovr"
name = "Övriga kostnader"
accounts = ["5", "6", "7"]

[[line]]
code = "diff"
name = "Differens internposter"
accounts = ["3999"]

[[report]]
name = "Resultaträkning"
rows = [
  { name = "Intäkter", lines = ["int", "diff"] },
  { name = "Löner", lines = ["lon"] },
  { name = "Övriga kostnader", lines = ["ovr"] },
  { name = "Kostnader", rows = ["Löner", "Övriga kostnader"], total = true },
  { name = "Resultat", rows = ["Intäkter", "Kostnader"], total = true },
]
"""

ENTITIES = [
    ("ADM", "Förvaltningen", "REG"),
    ("U1", "Enhet ett", "ADM"),
    ("U2", "Enhet två", "ADM"),
]


def write_workbook(path: Path, rows: list[list], sheet: str = "Resultat", merges: tuple[str, ...] = ()) -> Path:
    """An .xlsx with the given rows from A1 and merged ranges ("B4:C4"); a str starting
    with '=' is a formula (openpyxl stores no cached value for it), "#N/A" and the other
    error codes are written as Excel error values."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for cells in merges:
        ws.merge_cells(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def income_rows(unit: str | None, lines: list[tuple], period: str = "2026-04", unit_label: str = "tkr") -> list[list]:
    """A plain income sheet: title block, header, data rows (account, name, six measures)."""
    rows: list[list] = []
    if unit:
        rows.append(["Ansvar:", unit])
    rows.append([f"Period: {period}"])
    rows.append([f"Belopp i {unit_label}"])
    rows.append([])
    rows.append(INCOME_HEADER)
    for account, name, *measures in lines:
        rows.append([account, name, *measures])
    return rows


def entity_toml(entities: list[tuple]) -> str:
    parts = []
    for code, name, parent, *rest in entities:
        motpart = f"\nmotpart = {json.dumps(rest[0])}" if rest and rest[0] else ""
        parts.append(f'[[entity]]\ncode = "{code}"\nname = "{name}"\nparent = "{parent}"{motpart}\n')
    return "\n".join(parts)


def write_region(
    root: Path,
    entities: list[tuple] | None = None,
    chart: str = CHART,
    extra: str = "",
    amount_unit: str = "tkr",
    staffing: bool = False,
) -> Path:
    """region.toml and chart.toml under root; inputs under root/in/{period}/.

    Staffing sheets are asked for only with `staffing=True`, so a test of income
    statements need not write them."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "chart.toml").write_text(chart, encoding="utf-8")
    text = f"""
[region]
code = "REG"
name = "Testregionen"
fte_hours_per_year = 1725
amount_unit = "{amount_unit}"
chart = "chart.toml"

[inputs]
income = "in/{{period}}/resultat/*.xlsx"
{'staffing = "in/{period}/personal/*.xlsx"' if staffing else ""}

[output]
directory = "out/{{period}}"

{extra}

{entity_toml(entities or ENTITIES)}
"""
    path = root / "region.toml"
    path.write_text(text, encoding="utf-8")
    return path


def flat(text: str) -> str:
    """stderr with line wrapping undone (rich wraps long lines at word boundaries)."""
    return " ".join(text.split())


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    """No traceback or internal error reached the user, on either stream."""
    for stream in (result.stderr, result.stdout):
        assert "Traceback" not in stream, stream
        assert "internt fel" not in stream, stream


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("CONSOLIDATE_DEBUG", None)
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "consolidate", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout,
    )


def write_ods(path: Path, rows: list[list], sheet: str = "Resultat") -> Path:
    """A minimal OpenDocument spreadsheet, written by hand (no odfpy needed)."""
    xml_rows = []
    for row in rows:
        cells = []
        for value in row:
            if value is None or value == "":
                cells.append("<table:table-cell/>")
            elif isinstance(value, (int, float)):
                cells.append(f'<table:table-cell office:value-type="float" office:value="{value}">'
                             f"<text:p>{value}</text:p></table:table-cell>")
            else:
                cells.append(f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
                             "</table:table-cell>")
        xml_rows.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{"".join(xml_rows)}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


# What a developer's own trying of the README leaves beside the sample config (a history
# store, a lock, reports) is never copied: the tests see the samples as committed.
_NOT_SAMPLES = shutil.ignore_patterns("*.sqlite", "*.sqlite-*", "*.lock", "*.py", "__pycache__", "reports")


def copy_samples(dest: Path, periods: tuple[str, ...] | None = None) -> Path:
    """The sample region (config/ and samples/, or only the given periods' folders)
    copied into `dest`; returns its region.toml."""
    shutil.copytree(ROOT / "config", dest / "config", ignore=_NOT_SAMPLES)
    if periods is None:
        shutil.copytree(ROOT / "samples", dest / "samples", ignore=_NOT_SAMPLES)
    for period in periods or ():
        shutil.copytree(ROOT / "samples" / period, dest / "samples" / period, ignore=_NOT_SAMPLES)
    return dest / "config" / "region.toml"


_SAMPLE_CONFIG: list[Path] = []


def sample_config() -> Path:
    """region.toml of one copy of the sample region per test process, for tests that
    only read it (a test that closes or changes files makes its own with `copy_samples`)."""
    if not _SAMPLE_CONFIG:
        root = Path(tempfile.mkdtemp(prefix="consolidate-samples-"))
        atexit.register(shutil.rmtree, root, True)
        _SAMPLE_CONFIG.append(copy_samples(root))
    return _SAMPLE_CONFIG[0]
