"""The units' comments (SPEC §14): a unit comment in the title block (`Kommentar:`) and
comments on rows (a `Kommentar` column) are collected with their cells; they are in the
JSON, in the terminal's driftredovisning with --comments and in the PDF; they stay
text, whatever they hold; and `[comments] required_above` warns of a large deviation
that no unit comment explains, which `status` shows."""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from helpers import INCOME_HEADER, ROOT, flat, run_cli, sample_config, write_region
from pypdf import PdfReader

from consolidate.readers.income import read_income_sheet
from consolidate.readers.workbook import Sheet
from consolidate.vocabulary import INCOME_LABELS

PERIOD = "2026-04"
HOSTILE = '=HYPERLINK("http://x.example","klicka") [bold red]varning[/] \x1b[31mröd\x1b[0m <b>fet</b>'
ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM"),
            ("U3", "Enhet tre", "ADM")]


def _sheet(rows: list[list]) -> Sheet:
    width = max(len(r) for r in rows)
    return Sheet("x.xlsx", "Resultat", [[*r, *[""] * (width - len(r))] for r in rows])


def test_the_title_blocks_comment_and_the_rows_comments_are_read_as_text():
    rows, problems = read_income_sheet(_sheet([
        ["Ansvar:", "U1"],
        ["Kommentar:", "Enhet 3 har slagits ihop med enhet 4; överskott i tkr"],  # begins like `Enhet:`, says a unit
        ["Belopp i kr"],
        [*INCOME_HEADER, "Kommentar"],
        ["3010", "Intäkter", 1000, 900, 800, 2700, 2800, 2600, ""],
        ["4010", "Löner", -600, -650, -500, -1800, -1900, -1700, "Vakanser"],
        ["4010", "Löner", -10, 0, 0, 0, 0, 0, 44],
    ]), INCOME_LABELS, "kr")
    assert [p for p in problems if p.is_error] == []
    assert rows.stated.unit == "U1" and rows.stated.amount_unit == "kr"  # the comment states neither
    assert rows.stated.comment == "Enhet 3 har slagits ihop med enhet 4; överskott i tkr"
    assert rows.stated.comment_cell == "B2"
    assert rows.comment_column == 8 and rows.row_comments == [(1, "Vakanser"), (2, "44")]
    assert rows.amounts["actual"].tolist() == [1000.0, -600.0, -10.0]
    one_cell, _ = read_income_sheet(_sheet([["Kommentar: Högre kostnader för bemanning."], INCOME_HEADER,
                                            ["3010", "Intäkter", 1, 1, 1, 1, 1, 1]]), INCOME_LABELS, "kr")
    assert one_cell.stated.comment == "Högre kostnader för bemanning." and one_cell.stated.comment_cell == "A1"


def region(root: Path, comments: dict[str, str], extra: str = "", row_comment: str | None = None) -> Path:
    """Units U1–U3 under ADM; U1 deviates 500 tkr from budget, U2 600 tkr, U3 1 tkr;
    each with the unit comment `comments` gives it."""
    config = write_region(root, ENTITIES, extra=extra)
    deviations = {"U1": -500, "U2": 600, "U3": 1}
    for code, deviation in deviations.items():
        rows: list[list] = [["Ansvar:", code], ["Belopp i tkr"]]
        if code in comments:
            rows.append(["Kommentar:", comments[code]])
        rows += [[], [*INCOME_HEADER, "Kommentar"],
                 ["3010", "Intäkter", 1000 + deviation, 1000, 900, 3000, 3000, 2900, None],
                 ["4010", "Löner", -700, -700, -650, -2100, -2100, -2000, row_comment if code == "U1" else None]]
        _xlsx(root / "in" / PERIOD / "resultat" / f"{code}.xlsx", rows)
    return config


def _xlsx(path: Path, rows: list[list]) -> None:
    """A workbook whose texts are text cells whatever they hold (a leading "=", control
    characters), as a unit's Excel may save them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Resultat")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write_number(r, c, value)
    book.close()


def test_comments_in_the_json_with_their_cells(tmp_path):
    config = region(tmp_path, {"U2": "Fler besök än planerat.\nIntäkterna följer volymen."},
                    row_comment="Vakans sedan mars")
    out = tmp_path / "out.json"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(out), "--no-excel")
    assert done.returncode == 0, done.stderr
    found = json.loads(out.read_text(encoding="utf-8"))["comments"]
    assert found == [
        {"entity": "U1", "account": "4010", "line": "lon", "text": "Vakans sedan mars",
         "file": found[0]["file"], "cell": "I6"},
        {"entity": "U2", "account": None, "line": None, "text": "Fler besök än planerat.\nIntäkterna följer volymen.",
         "file": found[1]["file"], "cell": "B3"},
    ]
    assert found[0]["file"].endswith("U1.xlsx") and found[1]["file"].endswith("U2.xlsx")


def test_a_large_deviation_without_a_unit_comment_is_a_warning_that_status_shows(tmp_path):
    config = region(tmp_path, {"U2": "Fler besök än planerat."}, extra="[comments]\nrequired_above = 100000\n",
                    row_comment="en kommentar på en rad räcker inte")
    out = tmp_path / "out.json"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(out), "--no-excel")
    assert done.returncode == 0, done.stderr
    warned = [c for c in json.loads(out.read_text(encoding="utf-8"))["checks"] if c["check"] == "missing_comment"]
    assert [(c["unit"], c["severity"], c["difference"]) for c in warned] == [("U1", "warning", -500_000.0)]
    assert warned[0]["file"].endswith("U1.xlsx")
    assert "avviker från budget med -500 000 kr" in flat(done.stderr)
    status = tmp_path / "status.json"
    assert run_cli("status", "--config", str(config), "--period", PERIOD, "--json", str(status)).returncode == 0
    states = {u["unit"]: u["income"]["state"] for u in json.loads(status.read_text(encoding="utf-8"))["units"]}
    assert states == {"U1": "varningar", "U2": "klar", "U3": "klar"}
    # without the key, nobody is asked for a comment
    plain = region(tmp_path / "plain", {})
    done = run_cli("run", "--config", str(plain), "--period", PERIOD, "--no-excel")
    assert done.returncode == 0 and "kommentar" not in done.stderr


@pytest.mark.parametrize("setting, key", [("required_above = -1", "comments.required_above"),
                                          ('required_above = "mycket"', "comments.required_above"),
                                          ("required = 5", "comments.required")])
def test_a_bad_setting_is_a_configuration_error(tmp_path, setting, key):
    config = region(tmp_path, {}, extra=f"[comments]\n{setting}\n")
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel")
    assert done.returncode == 2 and key in done.stderr and "Traceback" not in done.stderr


def test_hostile_comments_stay_text_in_the_json_the_terminal_the_workbook_and_the_pdf(tmp_path):
    config = region(tmp_path, {"U1": HOSTILE, "U2": "Vanlig kommentar"}, row_comment="Vakans sedan mars")
    out = tmp_path / "out.json"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(out), "--out",
                   str(tmp_path / "ut"), "--comments", "--pdf")
    assert done.returncode == 0, done.stderr
    said = {c["entity"]: c["text"] for c in json.loads(out.read_text(encoding="utf-8"))["comments"]
            if c["account"] is None}
    assert said["U1"] == HOSTILE.replace("\x1b", "")  # control characters go, the rest is text as written
    assert "\x1b" not in done.stdout
    table = done.stdout[done.stdout.index("Driftredovisning Förvaltningen"):]
    assert "Kommentar" in table and "[bold red]varning[/]" in table and '=HYPERLINK("http://x.example"' in table
    assert "Vanlig kommentar" in table
    text = " ".join(" ".join(page.extract_text().split()) for page in
                    PdfReader(next((tmp_path / "ut").glob("*.pdf"))).pages)
    assert "Vanlig kommentar" in text and "[bold red]varning[/]" in text and "<b>fet</b>" in text
    without = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel")
    assert "Kommentar" not in without.stdout  # the column only with --comments
    # the workbook's driftredovisning: a Kommentar column always, a note on the unit's name
    path = next((tmp_path / "ut").glob("*.xlsx"))
    rows = list(openpyxl.load_workbook(path)["Driftredovisning"].iter_rows())
    head = next(r for r in rows if r[0].value == "Kod")
    column = [c.value for c in head].index("Kommentar")
    by_code = {r[0].value: r for r in rows[rows.index(head) + 1:]}
    assert by_code["U1"][column].value == HOSTILE.replace("\x1b", "") and by_code["U1"][column].data_type == "s"
    assert by_code["U2"][column].value == "Vanlig kommentar" and by_code["U3"][column].value is None
    assert by_code["U1"][1].comment.text == f"Kommentar: {HOSTILE.replace(chr(27), '')}\n4010 Löner: Vakans sedan mars"
    with zipfile.ZipFile(path) as package:  # nowhere a formula
        assert not any("<f>" in package.read(name).decode("utf-8") and "HYPERLINK" in package.read(name).decode()
                       for name in package.namelist() if name.startswith("xl/worksheets/"))


def _generator():
    spec = importlib.util.spec_from_file_location("sample_generator_comments", ROOT / "samples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_samples_comments_are_the_generators(tmp_path):
    out = tmp_path / "out.json"
    done = run_cli("run", "--config", str(sample_config()), "--period", PERIOD, "--json", str(out), "--no-excel",
                   "--quiet")
    assert done.returncode == 0, done.stderr
    found = json.loads(out.read_text(encoding="utf-8"))["comments"]
    truth = _generator().build(PERIOD)
    assert truth["comments"] and truth["row_comments"]
    assert {c["entity"]: c["text"] for c in found if c["account"] is None} == truth["comments"]
    rows = {(c["entity"], c["account"]): (c["text"], c["line"]) for c in found if c["account"] is not None}
    lines = {r["account"]: r["line"] for r in truth["income"]}
    assert rows == {(unit, account): (text, lines[account]) for unit, said in truth["row_comments"].items()
                    for account, text in said.items()}
