"""`consolidate validate` (SPEC §4, issue 4): every problem of every file at once, each
with file, sheet and cell; nothing written; and no bad input ever crashes a run.

Every test writes the offending file itself and runs the real command line as a
subprocess. What tests/test_income_reader.py already covers for `run` is covered here
for `validate` (and for staffing sheets) only where it adds something.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import (
    INCOME_HEADER,
    assert_no_traceback,
    copy_samples,
    income_rows,
    run_cli,
    write_ods,
    write_region,
    write_workbook,
)

PERIOD = "2026-04"
SIX = (100, 90, 80, 300, 310, 290)
STAFF_HEADER = ["Kön", "Anställda", "Arbetad tid", "Ordinarie arbetstid", "Sjukfrånvaro",
                "Sjukfrånvaro dag 1-14", "Sjukfrånvaro 60- dagar", "Inhyrd tid"]


# --- helpers -----------------------------------------------------------------------

def income_dir(root: Path) -> Path:
    return root / "in" / PERIOD / "resultat"


def staff_dir(root: Path) -> Path:
    return root / "in" / PERIOD / "personal"


def staff_rows(unit: str | None, period: str = PERIOD, line: list | None = None) -> list[list]:
    rows: list[list] = []
    if unit:
        rows.append(["Ansvar:", unit])
    rows.append(["Period:", period])
    rows.append([])
    rows.append(STAFF_HEADER)  # row 4
    rows.append(line or ["K", 3, 1_700, 1_800, 40, 20, 0, 0])  # row 5
    return rows


def region(tmp_path: Path, *, u1_income: list[list] | None = None, u1_staff: list[list] | None = None,
           limit_mb: float | None = None, entities: list[tuple] | None = None) -> Path:
    """A valid region of two units with income and staffing files; U1's may be replaced."""
    config = write_region(tmp_path, entities, staffing=True)
    if limit_mb is not None:
        text = config.read_text(encoding="utf-8").replace("[inputs]\n", f"[inputs]\nmax_workbook_mb = {limit_mb}\n", 1)
        config.write_text(text, encoding="utf-8")
    write_workbook(income_dir(tmp_path) / "U1.xlsx", u1_income if u1_income is not None else income_rows("U1", [(3010, "Intäkter", *SIX)]))
    write_workbook(income_dir(tmp_path) / "U2.xlsx", income_rows("U2", [(3010, "Intäkter", *SIX)]))
    write_workbook(staff_dir(tmp_path) / "U1_p.xlsx", u1_staff if u1_staff is not None else staff_rows("U1"),
                   sheet="Personal")
    write_workbook(staff_dir(tmp_path) / "U2_p.xlsx", staff_rows("U2"), sheet="Personal")
    return config


def snapshot(root: Path) -> dict[str, float]:
    """Every file and directory under root with its modification time; the run lock
    (`region.lock` beside the config, SPEC §7) is left out: it stays, empty, by design."""
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.suffix != ".lock"}


def clean(done) -> None:
    """Nothing a user should never see: a traceback, an internal error, a control character."""
    assert_no_traceback(done)
    for stream in (done.stdout, done.stderr):
        assert "\x1b" not in stream and "\x07" not in stream, repr(stream)


def validate(tmp_path: Path, config: Path, *extra: str):
    """Run `validate`; check it wrote nothing (but the JSON it was asked for)."""
    before = snapshot(tmp_path)
    done = run_cli("validate", "--config", str(config), "--period", PERIOD, *extra, cwd=tmp_path)
    clean(done)
    after = snapshot(tmp_path)
    asked = {str(Path(extra[i + 1]).resolve().relative_to(tmp_path.resolve()))
             for i, a in enumerate(extra) if a == "--json"}
    assert {k for k in after if k not in before} <= asked, set(after) - set(before)
    assert {k: v for k, v in after.items() if k in before} == before, "validate changed a file"
    return done


def run(tmp_path: Path, config: Path):
    """Run `run --no-excel --json`; on failure nothing may be written."""
    out = tmp_path / "run.json"
    before = snapshot(tmp_path)
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel", "--json", str(out), cwd=tmp_path)
    clean(done)
    if done.returncode != 0:
        assert snapshot(tmp_path) == before
        assert done.stderr.strip(), "a failed run must say why"
    return done, (json.loads(out.read_text(encoding="utf-8")) if out.exists() else None)


def lines_with(text: str, *needles: str) -> list[str]:
    return [line for line in text.splitlines() if all(n in line for n in needles)]


def record(data: dict, entity: str, row: str) -> dict:
    return next(r for r in data["income"] if r["entity"] == entity and r["row"] == row)


# --- coverage ----------------------------------------------------------------------

def test_unit_with_two_staffing_files_names_unit_and_both_files(tmp_path):
    config = region(tmp_path)
    write_workbook(staff_dir(tmp_path) / "U1 igen.xlsx", staff_rows("U1"), sheet="Personal")
    done = validate(tmp_path, config)
    assert done.returncode == 1
    found = lines_with(done.stderr, "U1", "U1_p.xlsx", "U1 igen.xlsx")
    assert found and found[0].startswith("fel:"), done.stderr
    assert run(tmp_path, config)[0].returncode == 1


def test_unit_with_no_staffing_file(tmp_path):
    config = region(tmp_path)
    (staff_dir(tmp_path) / "U2_p.xlsx").unlink()
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert lines_with(done.stderr, "fel:", "U2", "personal"), done.stderr


# --- sheets without data -----------------------------------------------------------

@pytest.mark.parametrize("kind", ["income", "staffing"])
def test_empty_sheet_names_file_and_sheet(tmp_path, kind):
    if kind == "income":
        config = region(tmp_path, u1_income=[])
        file, sheet = "U1.xlsx", "Resultat"
    else:
        config = region(tmp_path, u1_staff=[])
        file, sheet = "U1_p.xlsx", "Personal"
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert lines_with(done.stderr, "fel:", file, f"blad {sheet}", "tomt"), done.stderr
    assert run(tmp_path, config)[0].returncode == 1


def test_staffing_sheet_without_header_row(tmp_path):
    rows = [["Ansvar:", "U1"], ["Kön", "Anställda", "Timmar"], ["K", 3, 1_700]]
    config = region(tmp_path, u1_staff=rows)
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert lines_with(done.stderr, "fel:", "U1_p.xlsx", "blad Personal", "Arbetad tid"), done.stderr


# --- files that are no workbook ----------------------------------------------------

def _valid_xlsx_bytes(tmp_path: Path) -> bytes:
    path = write_workbook(tmp_path / "scratch" / "ok.xlsx", income_rows("U1", [(3010, "Intäkter", *SIX)]))
    data = path.read_bytes()
    shutil.rmtree(path.parent)
    return data


@pytest.mark.parametrize("content", ["text", "random", "truncated", "zip_without_workbook", "empty"])
def test_file_that_is_no_workbook(tmp_path, content):
    config = region(tmp_path)
    target = income_dir(tmp_path) / "U1.xlsx"
    if content == "text":
        data = b"Konto;Utfall\n3010;100\nse bilaga\n"
    elif content == "random":
        data = random.Random(4).randbytes(4096)
    elif content == "truncated":
        whole = _valid_xlsx_bytes(tmp_path)
        data = whole[: len(whole) // 2]
    elif content == "zip_without_workbook":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "no workbook here")
        data = buffer.getvalue()
    else:
        data = b""
    target.write_bytes(data)
    done = validate(tmp_path, config)
    assert done.returncode == 1
    found = lines_with(done.stderr, "fel:", "U1.xlsx")
    assert found, done.stderr
    assert any(word in " ".join(found) for word in ("arbetsbok", "tom")), found
    result, data = run(tmp_path, config)
    assert result.returncode == 1 and "U1.xlsx" in result.stderr and data is None


def test_damaged_zip_headers_are_reported_not_raised(tmp_path):
    # A flipped byte in the central directory makes Python's zipfile raise
    # NotImplementedError ("zip file version ..."), not BadZipFile.
    whole = bytearray(_valid_xlsx_bytes(tmp_path))
    central = whole.rfind(b"PK\x01\x02")
    whole[central + 6] = 0xFF  # "version needed to extract"
    config = region(tmp_path)
    (income_dir(tmp_path) / "U1.xlsx").write_bytes(bytes(whole))
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert lines_with(done.stderr, "fel:", "U1.xlsx", "arbetsbok"), done.stderr


def test_csv_next_to_the_workbooks_is_a_warning_then_the_unit_is_missing(tmp_path):
    config = region(tmp_path)
    (income_dir(tmp_path) / "U1.csv").write_text("Konto;Utfall\n3010;100\n", encoding="utf-8")
    done = validate(tmp_path, config)
    assert done.returncode == 0, done.stderr
    assert lines_with(done.stderr, "varning:", "U1.csv", "arbetsbok"), done.stderr
    assert run(tmp_path, config)[0].returncode == 0

    (income_dir(tmp_path) / "U1.xlsx").unlink()
    (tmp_path / "run.json").unlink()
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert lines_with(done.stderr, "varning:", "U1.csv"), done.stderr
    assert lines_with(done.stderr, "fel:", "U1", "resultaträkning"), done.stderr


# --- other formats -----------------------------------------------------------------

def assert_u1_read_as_from_xlsx(tmp_path: Path, config: Path) -> None:
    """validate finds nothing wrong, and run reads U1's Intäkter (SIX, in tkr) as 100 000 kr."""
    done = validate(tmp_path, config)
    assert done.returncode == 0, done.stderr
    result, data = run(tmp_path, config)
    assert result.returncode == 0, result.stderr
    assert record(data, "U1", "Intäkter")["actual"] == 100_000.0


def test_ods_is_read(tmp_path):
    config = region(tmp_path)
    (income_dir(tmp_path) / "U1.xlsx").unlink()
    write_ods(income_dir(tmp_path) / "U1.ods", income_rows("U1", [(3010, "Intäkter", *SIX)]))
    assert_u1_read_as_from_xlsx(tmp_path, config)


def test_ods_problems_name_the_cell(tmp_path):
    config = region(tmp_path)
    (income_dir(tmp_path) / "U1.xlsx").unlink()
    write_ods(income_dir(tmp_path) / "U1.ods", income_rows("U1", [(3010, "Intäkter", "se bilaga", 0, 0, 0, 0, 0)]))
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert lines_with(done.stderr, "fel:", "U1.ods", "blad Resultat", "cell C6", "se bilaga"), done.stderr


def test_xls_written_by_xlwt_is_read(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    config = region(tmp_path)
    (income_dir(tmp_path) / "U1.xlsx").unlink()
    book = xlwt.Workbook()
    ws = book.add_sheet("Resultat")
    for r, row in enumerate(income_rows("U1", [(3010, "Intäkter", *SIX)])):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    book.save(str(income_dir(tmp_path) / "U1.xls"))
    assert_u1_read_as_from_xlsx(tmp_path, config)
    # ... with a warning: in .xls an error value (#N/A) reads as an empty cell, never told apart
    warned = lines_with(validate(tmp_path, config).stderr, "varning:", "U1.xls")
    assert len(warned) == 1 and "#N/A" in warned[0] and ".xlsx" in warned[0]


def test_xls_that_cannot_be_read_says_how_to_convert(tmp_path):
    # An OLE2/CFB container (what .xls files are) whose insides are not a workbook.
    config = region(tmp_path)
    (income_dir(tmp_path) / "U1.xlsx").unlink()
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(7).randbytes(4088)
    (income_dir(tmp_path) / "U1.xls").write_bytes(cfb)
    done = validate(tmp_path, config)
    assert done.returncode == 1
    found = lines_with(done.stderr, "fel:", "U1.xls")
    assert found and ".xlsx" in found[0] and "spara" in found[0], done.stderr


def test_encrypted_workbook_is_reported_as_password_protected(tmp_path):
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")  # in the `test` extras
    OOXMLFile = ooxml.OOXMLFile

    config = region(tmp_path)
    plain = write_workbook(tmp_path / "scratch" / "plain.xlsx", income_rows("U1", [(3010, "Intäkter", *SIX)]))
    with open(plain, "rb") as source, open(income_dir(tmp_path) / "U1.xlsx", "wb") as target:
        OOXMLFile(source).encrypt("hemligt", target)
    shutil.rmtree(plain.parent)
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert lines_with(done.stderr, "fel:", "U1.xlsx", "lösenordsskyddad"), done.stderr
    result, _ = run(tmp_path, config)
    assert result.returncode == 1 and "lösenordsskyddad" in result.stderr


# --- size limit --------------------------------------------------------------------

def test_workbook_expanding_beyond_the_limit_is_refused_unread(tmp_path):
    # A valid workbook with a bad cell (C6) and a 2 MB part of zeros that compresses to
    # a few KB: the file is small, its parts are not. With a 1 MB limit it must be
    # refused before it is read, so the bad cell is never reported.
    config = region(tmp_path, limit_mb=1)
    target = write_workbook(income_dir(tmp_path) / "U1.xlsx",
                            income_rows("U1", [(3010, "Intäkter", "se bilaga", 0, 0, 0, 0, 0)]))
    with zipfile.ZipFile(target, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(2 * 1024 * 1024))
    assert target.stat().st_size < 1024 * 1024
    done = validate(tmp_path, config)
    assert done.returncode == 1
    found = lines_with(done.stderr, "fel:", "U1.xlsx")
    assert len(found) == 1 and "gränsen" in found[0] and "läses inte" in found[0], done.stderr
    assert "se bilaga" not in done.stderr
    assert run(tmp_path, config)[0].returncode == 1


def test_workbook_file_beyond_the_limit_is_refused(tmp_path):
    config = region(tmp_path, limit_mb=0.001)  # ~1 KB: every workbook is larger
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert len(lines_with(done.stderr, "fel:", "gränsen", "läses inte")) == 4, done.stderr


def test_sheet_with_a_value_far_away_is_refused_not_expanded(tmp_path):
    # A 5 KB file with values in A1 and XFD1048576 is 17 billion cells as a grid.
    import xlsxwriter

    config = region(tmp_path)
    book = xlsxwriter.Workbook(str(income_dir(tmp_path) / "U1.xlsx"))
    ws = book.add_worksheet("Resultat")
    for r, row in enumerate(income_rows("U1", [(3010, "Intäkter", *SIX)])):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    ws.write(1_048_575, 16_383, 1)
    book.close()
    done = validate(tmp_path, config)
    assert done.returncode == 1
    found = lines_with(done.stderr, "fel:", "U1.xlsx", "blad Resultat", "XFD1048576")
    assert found and "läses inte" in found[0], done.stderr


# --- cells and title block, in validate ---------------------------------------------

def test_missing_measure_column_is_a_warning_in_validate(tmp_path):
    header = [h for h in INCOME_HEADER if h != "Prognos"]
    rows = [["Ansvar:", "U1"], ["Belopp i tkr"], [], header, [3010, "Intäkter", 100, 90, 80, 300, 290]]
    config = region(tmp_path, u1_income=rows)
    done = validate(tmp_path, config)
    assert done.returncode == 0, done.stderr
    found = lines_with(done.stderr, "varning:", "U1.xlsx", "blad Resultat", "Prognos")
    assert found and "0" in found[0], done.stderr


def test_formula_without_cached_value_in_validate_and_in_staffing(tmp_path):
    income = income_rows("U1", [(3010, "Intäkter", "=1+2", 0, 0, 0, 0, 0)])  # C6
    staff = staff_rows("U1", line=["K", 3, "=1700+0", 1_800, 40, 20, 0, 0])  # C5
    config = region(tmp_path, u1_income=income, u1_staff=staff)
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert lines_with(done.stderr, "fel:", "U1.xlsx", "blad Resultat", "cell C6", "formel"), done.stderr
    assert lines_with(done.stderr, "fel:", "U1_p.xlsx", "blad Personal", "cell C5", "formel"), done.stderr


def test_period_mismatch_in_income_and_staffing(tmp_path):
    config = region(tmp_path, u1_income=income_rows("U1", [(3010, "Intäkter", *SIX)], period="2026-03"),
                    u1_staff=staff_rows("U1", period="2026-03"))
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert lines_with(done.stderr, "fel:", "U1.xlsx", "blad Resultat", "cell A2", "2026-03"), done.stderr
    assert lines_with(done.stderr, "fel:", "U1_p.xlsx", "blad Personal", "cell B2", "2026-03"), done.stderr


def test_unknown_unit_code_in_income_and_staffing(tmp_path):
    config = region(tmp_path, u1_income=income_rows("X9", [(3010, "Intäkter", *SIX)]), u1_staff=staff_rows("X9"))
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert lines_with(done.stderr, "fel:", "U1.xlsx", "blad Resultat", "cell B1", "X9"), done.stderr
    assert lines_with(done.stderr, "fel:", "U1_p.xlsx", "blad Personal", "cell B1", "X9"), done.stderr


def test_unmapped_account_in_validate(tmp_path):
    config = region(tmp_path, u1_income=income_rows("U1", [(3010, "Intäkter", *SIX), (8123, "Finans", 5, 0, 0, 0, 0, 0)]))
    done = validate(tmp_path, config, "--json", str(tmp_path / "checks.json"))
    assert done.returncode == 1
    assert lines_with(done.stderr, "8123", "U1.xlsx"), done.stderr
    checks = json.loads((tmp_path / "checks.json").read_text(encoding="utf-8"))["checks"]
    assert any("8123" in c["message"] and c["severity"] == "error" for c in checks), checks


def test_odd_cell_types_are_problems_not_crashes(tmp_path):
    """Numbers as header labels, dates as accounts, amounts and codes; booleans; huge
    numbers; text that looks like an infinite or missing number."""
    import datetime as dt

    rows = [
        ["Ansvar:", "U1"], ["Period:", 202613], ["Belopp i", 17], [],
        [*INCOME_HEADER, 2026, dt.datetime(2026, 4, 1)],
        [dt.datetime(2026, 4, 30), "Datum som konto", 1, 0, 0, 0, 0, 0],
        [3010, dt.date(2026, 4, 1), dt.datetime(2026, 4, 1), "inf", "NaN", "1e400", "9" * 400, True],
        [3011, 12345, 1e300, 1e300, 0, 0, 0, 0],
        [dt.time(12, 0), None, 5, 0, 0, 0, 0, 0],
        ["Summa", None, "=SUM(C6:C8)", 0, 0, 0, 0, 0],
    ]
    staff = [["Ansvar:", dt.datetime(2026, 1, 1)], [3.5, *STAFF_HEADER[1:]],
             [dt.datetime(2026, 1, 1), 3, "inf", "-5", 1e300, 0, 0, 0]]
    config = region(tmp_path, u1_income=rows, u1_staff=staff)
    done = validate(tmp_path, config, "--json", str(tmp_path / "checks.json"))
    assert done.returncode == 1
    checks = json.loads((tmp_path / "checks.json").read_text(encoding="utf-8"))["checks"]
    cells = {c["cell"] for c in checks if c["file"] and c["file"].endswith("U1.xlsx")}
    assert {"B2", "B3", "C7", "D7", "E7", "F7", "G7", "H7"} <= cells, checks
    result, data = run(tmp_path, config)
    assert result.returncode == 1 and data is None


# --- text from inputs reaching the terminal ------------------------------------------

HOSTILE = "\x1b[2J\x1b]0;pwned\x07 se bilaga"


def write_text_cells(path: Path, rows: list[list], sheet: str) -> Path:
    """Like write_workbook, but every str is written as text, control characters and
    all (openpyxl refuses them; xlsxwriter stores them as _xHHHH_ escapes)."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif value is not None:
                ws.write(r, c, value)
    book.close()
    return path


def test_control_sequences_in_cells_never_reach_the_terminal(tmp_path):
    rows = income_rows("U1", [(3010, "Intäkter\x1b[31m", HOSTILE, 0, 0, 0, 0, 0)])
    rows.insert(1, ["Period:", "2026-03\x1b[2J"])
    rows.insert(1, ["Belopp i", "\x1b]0;x\x07tkr"])
    rows.append([f"Summa {HOSTILE}", None, 1, 0, 0, 0, 0, 0])
    staff = staff_rows("U1", line=["K\x1b[5m", 3, HOSTILE, 1_800, 40, 20, 0, 0])
    config = region(tmp_path)
    write_text_cells(income_dir(tmp_path) / "U1.xlsx", rows, "Resultat")
    write_text_cells(staff_dir(tmp_path) / "U1_p.xlsx", staff, "Personal")
    write_text_cells(income_dir(tmp_path) / "U3.xlsx", income_rows("\x1b[2JX9\x07", [(3010, "Intäkter", *SIX)]),
                     "Blad\x1b")
    (income_dir(tmp_path) / "U2.xlsx").rename(income_dir(tmp_path) / "U2 \x1b[1mfet\x07.xlsx")
    done = validate(tmp_path, config)  # `clean` checks for ESC and BEL
    assert done.returncode == 1
    assert lines_with(done.stderr, "fel:", "U1.xlsx", "cell C8", "se bilaga"), done.stderr
    assert lines_with(done.stderr, "fel:", "U1_p.xlsx", "cell C5", "se bilaga"), done.stderr
    assert "X9" in done.stderr and "2026-03" in done.stderr
    result, _ = run(tmp_path, config)
    assert result.returncode == 1 and "se bilaga" in result.stderr


def test_control_sequences_in_config_names_never_reach_the_terminal(tmp_path):
    entities = [("ADM", "Förvaltningen\\u001b[2J", "REG"), ("U1", "Enhet \\u001b]0;pwned\\u0007ett", "ADM"),
                ("U2", "Enhet två\\u009b31m", "ADM")]
    config = region(tmp_path, entities=entities)
    (staff_dir(tmp_path) / "U1_p.xlsx").unlink()  # a problem that names U1's name
    done = validate(tmp_path, config)
    assert done.returncode == 1
    assert "pwned" in done.stderr and "\x9b" not in done.stderr
    write_workbook(staff_dir(tmp_path) / "U1_p.xlsx", staff_rows("U1"), sheet="Personal")
    result, data = run(tmp_path, config)  # the tables print the names
    assert result.returncode == 0, result.stderr
    assert "pwned" in result.stdout and "\x9b" not in result.stdout
    assert data["entities"][2]["name"] == "Enhet \x1b]0;pwned\x07ett"  # the data itself is kept


def test_control_sequences_in_a_config_error_never_reach_the_terminal(tmp_path):
    entities = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "A\\u001b[2JDM"), ("U2", "Enhet två", "ADM")]
    config = region(tmp_path, entities=entities)
    done = validate(tmp_path, config)
    assert done.returncode == 2
    assert done.stderr.strip()


# --- the samples with five planted problems --------------------------------------------

def _cell(ws, predicate):
    for row in ws.iter_rows():
        for cell in row:
            if predicate(cell.value):
                return cell
    raise AssertionError("no such cell")


def _column_of(ws, label: str) -> int:
    return _cell(ws, lambda v: isinstance(v, str) and v.strip() == label).column


def test_samples_with_five_planted_problems(tmp_path):
    copy_samples(tmp_path, periods=(PERIOD,))
    results = tmp_path / "samples" / PERIOD / "resultat"
    personal = tmp_path / "samples" / PERIOD / "personal"
    for path in [*results.iterdir(), *personal.iterdir()]:
        os.utime(path, (1_000_000_000, 1_000_000_000))

    def edit(path: Path, change) -> str:
        book = openpyxl.load_workbook(path)
        ws = book.worksheets[0]
        where = change(ws)
        book.save(path)
        return where

    # 1. a text amount in 1110's Utfall column
    def text_amount(ws):
        cell = ws.cell(row=_cell(ws, lambda v: v == 3011).row, column=_column_of(ws, "Utfall"))
        cell.value = "se bilaga"
        return cell.coordinate
    text_cell = edit(results / "1110_resultat.xlsx", text_amount)

    # 2. a control total off by 5 (tkr) in 1210
    def control_off(ws):
        column = _column_of(ws, "Utfall")
        rows = [c.row for c in ws["A"] if isinstance(c.value, str) and c.value.strip().lower().startswith(("summa", "totalt", "resultat"))
                and isinstance(ws.cell(row=c.row, column=column).value, (int, float))]
        cell = ws.cell(row=rows[-1], column=column)
        cell.value += 5
        return cell.coordinate
    total_cell = edit(results / "1210_resultat.xlsx", control_off)

    # 3. last month's period in 1221's title block
    def last_month(ws):
        label = _cell(ws, lambda v: isinstance(v, str) and v.strip().lower().startswith("period"))
        if label.value.strip().lower().rstrip(":") == "period":
            target = ws.cell(row=label.row, column=label.column + 1)
            target.value = "2026-03"
        else:
            target = label
            target.value = "Period: 2026-03"
        return target.coordinate
    period_cell = edit(results / "1221_resultat.xlsx", last_month)

    # 4. an account no chart line maps (9 is not in the chart)
    def unmapped(ws):
        cell = _cell(ws, lambda v: v == 3110)
        cell.value = 9876
        return cell.coordinate
    edit(results / "1211-Hälsocentralen Söder.xlsx", unmapped)

    # 5. a unit's staffing file deleted
    (personal / "1113-personal.xlsx").unlink()

    config = tmp_path / "config" / "region.toml"
    checks_json = tmp_path / "checks.json"
    done = validate(tmp_path, config, "--json", str(checks_json))
    assert done.returncode == 1, done.stderr
    out = done.stderr
    assert lines_with(out, "fel:", "1110_resultat.xlsx", f"cell {text_cell}", "se bilaga"), out
    assert lines_with(out, "fel:", "1210_resultat.xlsx", f"cell {total_cell}", "summaraden"), out
    assert lines_with(out, "fel:", "1221_resultat.xlsx", f"cell {period_cell}", "2026-03"), out
    assert lines_with(out, "fel:", "9876", "1211"), out
    assert lines_with(out, "fel:", "1113", "personalrapport"), out

    # grouped by unit: each problem under its unit's heading
    lines = out.splitlines()

    def heading_of(needle: str) -> str:
        i = next(i for i, line in enumerate(lines) if needle in line and line.startswith("fel:"))
        return next(line for line in reversed(lines[:i]) if not line.startswith(("fel:", "varning:")))
    assert heading_of("1110_resultat.xlsx").startswith("1110 ")
    assert heading_of("1210_resultat.xlsx").startswith("1210 ")
    assert heading_of("1221_resultat.xlsx").startswith("1221 ")
    assert heading_of("personalrapport").startswith("1113 ")

    checks = json.loads(checks_json.read_text(encoding="utf-8"))["checks"]
    errors = [c for c in checks if c["severity"] == "error"]

    def where(c: dict) -> tuple:
        return (c["file"] or "").rsplit("/", 1)[-1], c["sheet"], c["cell"]
    places = {where(c) for c in errors}
    assert ("1110_resultat.xlsx", "Resultat", text_cell) in places, errors
    assert ("1210_resultat.xlsx", "Resultat", total_cell) in places, errors
    assert ("1221_resultat.xlsx", "Resultat", period_cell) in places, errors
    assert any("9876" in c["message"] for c in errors)
    assert any(c["unit"] == "1113" and c["check"] == "missing_unit" for c in errors)
    for c in errors:
        assert {"check", "severity", "message", "file", "sheet", "cell"} <= set(c)
    assert not (tmp_path / "reports").exists()


def test_markup_and_escapes_in_the_region_code_are_shown_as_text(tmp_path):
    entities = [("ADM", "[/]Förv[bold]", "R[/x]\\u001b[2J"), ("U1", "Ett", "ADM"), ("U2", "[red]Enhet[/red]", "ADM")]
    config = region(tmp_path, entities=entities)
    config.write_text(config.read_text(encoding="utf-8").replace('code = "REG"', 'code = "R[/x]\\u001b[2J"', 1),
                      encoding="utf-8")
    (income_dir(tmp_path) / "U2.xlsx").unlink()
    done = validate(tmp_path, config)
    assert done.returncode == 1 and "[red]Enhet[/red]" in done.stderr
    result, _ = run(tmp_path, config)
    assert result.returncode == 1 and "U2" in result.stderr
