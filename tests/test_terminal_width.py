"""Terminal tables at any width from 80 columns up (SPEC §17): no amount is cut, whole
columns are left out least important first and a line says which, Utfall, Budget and
Avvikelse are always there, names are shortened before anything else; `--columns`;
the change since the last close says what it is; missing and partial figures."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import INCOME_HEADER, assert_no_traceback, run_cli, sample_config, write_region, write_workbook
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from consolidate.commands.session import load
from consolidate.formatting import amount, month_heading
from consolidate.outputs.terminal import Column, fit, make_console, partial_notes, print_income
from consolidate.readers.tables import load_config
from consolidate.vocabulary import COLUMN_NAMES, COLUMN_PRIORITY, REPORT_COLUMNS, column_keys

PERIOD = "2026-04"
WIDTHS = (80, 100, 120, 200)
KEY_OF = {heading: key for key, heading in REPORT_COLUMNS}
ALWAYS = ("Utfall", "Budget", "Avvikelse")
PCT = "% av intäkter"
LEFT_OUT = re.compile(r"Utelämnade? kolumn(?:er)? \(för smalt fönster\): (.*?)\. Visa med")
TITLE = re.compile(r"\((?P<code>[^)]+)\) – (?P<report>.+), ack\. (?P<period>\d{4}-\d{2}), (?P<unit>\w+)$")


# --- reading the tables back from the text -------------------------------------------

@dataclass
class Parsed:
    title: str
    headings: list[str]  # a wrapped heading's lines joined with a space
    rows: list[list[str]]
    notes: str  # the lines under the table, joined

    @property
    def left_out(self) -> list[str]:
        found = LEFT_OUT.search(self.notes)
        return found.group(1).split(", ") if found else []


def parse_tables(text: str) -> list[Parsed]:
    lines = text.splitlines()
    tables = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i + 1].startswith("┏"):
            title, j = lines[i].strip(), i + 1
            header: list[list[str]] = []
            rows: list[list[str]] = []
            while j < len(lines):
                line = lines[j].rstrip()
                j += 1
                if line.startswith("┃"):
                    header.append([cell.strip() for cell in line[1:-1].split("┃")])
                elif line.startswith("│"):
                    rows.append([cell.strip() for cell in line[1:-1].split("│")])
                elif line.startswith("└"):
                    break
            notes = []
            while j < len(lines) and lines[j].strip() and not (j + 1 < len(lines) and lines[j + 1].startswith("┏")):
                notes.append(lines[j].strip())
                j += 1
            headings = [" ".join(part for part in column if part) for column in zip(*header)]
            tables.append(Parsed(title, headings, rows, " ".join(notes)))
            i = j
        else:
            i += 1
    return tables


def render(result, width: int, **options) -> str:
    stream = io.StringIO()
    console = Console(width=width, file=stream, highlight=False, markup=False, emoji=False, color_system=None,
                      legacy_windows=False)
    config = result.config
    print_income(console, result, None, config.chart.reports[0].name, config.amount_unit, **options)
    return stream.getvalue()


# --- what every income table must satisfy ------------------------------------------------

class Truth:
    """The run's JSON: every figure of every entity's report rows."""

    def __init__(self, data: dict, config_path: Path) -> None:
        config = load_config(config_path)
        self.report = config.chart.reports[0]
        self.unit = config.amount_unit
        self.rows = {(r["entity"], r["row"]): r for r in data["income"] if r["report"] == self.report.name}
        self.by_name = {e["name"]: e["code"] for e in data["entities"]}
        self.root = next(e["code"] for e in data["entities"] if e["parent"] is None)
        self.children = {e["code"]: [c["code"] for c in data["entities"] if c["parent"] == e["code"]]
                         for e in data["entities"]}

    def shown(self, value: float | None) -> str:
        return "–" if value is None else amount(value, self.unit)


def leave_out_order(available: list[str]) -> list[str]:
    """The headings of `available` in the order they are left out (least important first)."""
    rank = {key: i for i, key in enumerate(reversed(COLUMN_PRIORITY["income"][1]))}
    droppable = [h for h in available if column_keys((h,))[0] in rank]
    return sorted(droppable, key=lambda h: rank[column_keys((h,))[0]])


def check_income_table(table: Parsed, truth: Truth, extra: dict[str, dict] | None = None) -> str:
    """The checks of SPEC §17 on one report or driftredovisning table; returns its kind.
    `extra`: {heading: {(entity, row): expected text}} for columns not in the JSON."""
    driftredovisning = table.title.startswith("Driftredovisning ")
    amounts = table.headings[1:]
    for heading in ALWAYS:
        assert heading in amounts, (table.title, table.headings)
    for row in table.rows:
        assert len(row) == len(table.headings)
        for cell in row[1:]:
            assert "…" not in cell, (table.title, row)
    if driftredovisning:
        name = table.title.removeprefix("Driftredovisning ").rsplit(", ack.", 1)[0]
        parent = truth.by_name[name]
        codes = [*truth.children[parent], parent]
        bottom = truth.report.rows[-1].name
        assert len(table.rows) == len(codes)
        keyed = [(code, bottom) for code in codes]
        for row, code in zip(table.rows, codes):
            label = row[0].removesuffix(" *")
            assert label == "Summa" if code == parent else label.startswith(code), (row, code)
        available = [*KEY_OF, PCT]
    else:
        code = TITLE.search(table.title).group("code")
        keyed = [(code, r.name) for r in truth.report.rows]
        assert len(table.rows) == len(keyed)
        for row, (_, name) in zip(table.rows, keyed):
            assert row[0] == name or (row[0].endswith("…") and name.startswith(row[0][:-1])), (row[0], name)
        available = [*KEY_OF, *(extra or {})]
    for c, heading in enumerate(table.headings[1:], start=1):
        if heading == PCT:
            continue
        for row, key in zip(table.rows, keyed):
            if extra and heading in extra:
                expected = extra[heading][key]
            else:
                expected = truth.shown(truth.rows[key][KEY_OF[heading.rstrip("*")]])
            assert row[c] == expected, (table.title, heading, key, row[c], expected)
    shown = [h.rstrip("*") for h in amounts]
    missing = [h for h in available if h not in shown]
    assert sorted(table.left_out) == sorted(missing), (table.title, table.left_out, missing)
    order = leave_out_order(available)
    assert set(order[: len(missing)]) == set(missing), f"left out out of order: {missing}"
    return "entities" if driftredovisning else "report"


def check_output(text: str, width: int, truth: Truth, extra: dict | None = None) -> list[Parsed]:
    assert max(cell_len(line) for line in text.splitlines()) <= width
    tables = parse_tables(text)
    # the Personal tables have the two years as columns ("apr-25", "apr-26"); their title may wrap
    this_year = month_heading(PERIOD)
    income = [t for t in tables
              if not t.title.startswith(("Personal ", "Internhandel ")) and this_year not in t.headings]
    kinds = [check_income_table(t, truth, extra) for t in income]
    assert "report" in kinds and "entities" in kinds
    for table in tables:  # staffing and internal trade: no figure cut either
        for row in table.rows:
            assert all("…" not in cell for cell in row[1:] if not table.title.startswith("Internhandel ")), row
    return tables


# --- the samples, rendered in-process at each width ------------------------------------

@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    config = sample_config()
    out = tmp_path_factory.mktemp("width") / "run.json"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel", "--json", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    result, _ = load(load_config(config), PERIOD)
    return result, Truth(data, config)


@pytest.mark.parametrize("width", WIDTHS)
def test_samples_fit_every_width_without_cutting_an_amount(samples, width):
    result, truth = samples
    tables = check_output(render(result, width), width, truth)
    report = tables[0]
    if width == 200:  # wide enough for everything
        assert all(not t.left_out for t in tables), [t.left_out for t in tables]
    if width == 80:
        assert report.left_out and "Bokslut fg år" in report.left_out
        assert "Visa med --columns, ett bredare fönster eller --json." in report.notes


def test_names_are_shortened_before_a_column_is_left_out(samples):
    result, truth = samples
    report = check_output(render(result, 120), 120, truth)[0]
    assert report.left_out  # something had to go at 120 ...
    assert any(row[0].endswith("…") for row in report.rows)  # ... after names were shortened


def test_change_since_last_close_is_named_and_left_out_before_prognos(samples):
    result, truth = samples
    rows = result.rows
    previous = rows[["entity", "report", "row"]].assign(actual=rows["actual"] * 0.75, var_budget=rows["var_budget"] - 1000)
    result.previous = ("2026-03", previous)
    try:
        change = {}
        keyed = {(e, r): (a, v) for e, r, a, v in
                 previous[previous["report"] == truth.report.name][["entity", "row", "actual", "var_budget"]]
                 .itertuples(index=False)}
        actual_heading, variance_heading = "Förändring sedan 2026-03", "Förändring avvikelse sedan 2026-03"
        change[actual_heading] = {k: truth.shown(truth.rows[k]["actual"] - a) for k, (a, _) in keyed.items()}
        change[variance_heading] = {k: truth.shown(truth.rows[k]["var_budget"] - v) for k, (_, v) in keyed.items()}
        wide = check_output(render(result, 250), 250, truth, change)
        assert wide[0].headings[-2:] == [actual_heading, variance_heading]
        assert not any("Δ" in h for h in wide[0].headings)
        for width in WIDTHS:
            report = check_output(render(result, width), width, truth, change)[0]
            if "Prognos" not in report.headings:
                assert actual_heading in report.left_out and variance_heading in report.left_out
        narrow = check_output(render(result, 120), 120, truth, change)[0]
        assert "Prognos" in narrow.headings and "Bokslut fg år" in narrow.left_out
    finally:
        result.previous = None


# --- --columns ------------------------------------------------------------------------------

def test_chosen_columns_in_their_order_and_nothing_said_left_out(samples):
    result, truth = samples
    text = render(result, 80, columns=("Prognos", "utfall", "AVV. FG ÅR", "budget"))
    tables = parse_tables(text)
    assert tables[0].headings == ["", "Prognos", "Utfall", "Avv. fg år", "Budget"]
    entities = next(t for t in tables if t.title.startswith("Driftredovisning "))
    assert entities.headings == ["Enhet", "Prognos", "Utfall", "Avv. fg år", "Budget"]
    for table in (tables[0], entities):
        assert "Utelämnad" not in table.notes and "Tabellen är" not in table.notes
        for row in table.rows:
            assert all("…" not in cell for cell in row[1:])
    code = TITLE.search(tables[0].title).group("code")
    first = truth.rows[(code, truth.report.rows[0].name)]
    assert tables[0].rows[0][1:] == [truth.shown(first[k]) for k in ("forecast", "actual", "var_prior", "budget")]


def test_chosen_columns_wider_than_the_window_are_shown_whole_and_said_so(samples):
    result, truth = samples
    names = ",".join(COLUMN_NAMES[k] for k, _ in REPORT_COLUMNS)
    text = render(result, 80, columns=(names,))
    report = parse_tables(text)[0]
    assert [h.rstrip("*") for h in report.headings[1:]] == [h for _, h in REPORT_COLUMNS]
    assert re.search(r"Tabellen är \d+ tecken bred men fönstret bara 80\. Välj färre kolumner med --columns",
                     report.notes), report.notes
    code = TITLE.search(report.title).group("code")
    for row, line in zip(report.rows, truth.report.rows):
        assert row[1:] == [truth.shown(truth.rows[(code, line.name)][k]) for k, _ in REPORT_COLUMNS]


def test_chosen_change_without_a_closed_month_says_why(samples):
    result, _ = samples
    text = render(result, 120, columns=("utfall", "forandring"))
    assert "Förändring sedan förra stängda månaden visas inte: ingen tidigare månad av året är stängd." in text
    assert parse_tables(text)[0].headings == ["", "Utfall"]


def test_column_names_short_and_headings_without_regard_to_case():
    assert column_keys("utfall,budget,avvikelse,fgar,avvfgar,prognos,arsbudget,avvprognos,bokslutfgar,"
                       "forandring,forandringavv,procent") == (
        "actual", "budget", "var_budget", "prior", "var_prior", "forecast", "annual_budget", "var_forecast",
        "prior_full_year", "change_actual", "change_var_budget", "result_pct_revenue")
    assert column_keys(("UTFALL", "Avv. prognos", "Bokslut fg år", "Förändring sedan 2026-03",
                        "förändring avvikelse", "% av intäkter", "utfall")) == (
        "actual", "var_forecast", "prior_full_year", "change_actual", "change_var_budget", "result_pct_revenue")


@pytest.mark.parametrize(("names", "wording"), [
    ("utfall,nettot", "okänd kolumn: 'nettot'."),
    ("x, y", "okända kolumner: 'x', 'y'."),
    (" , ", "inga kolumner angivna."),
])
def test_unknown_column_names_are_refused_in_swedish_with_the_valid_ones(names, wording):
    with pytest.raises(ValueError) as refused:
        column_keys(names)
    message = str(refused.value)
    assert message.startswith(wording)
    assert "Giltiga namn: " + ", ".join(COLUMN_NAMES.values()) in message


def test_print_income_refuses_an_unknown_column(samples):
    result, _ = samples
    with pytest.raises(ValueError, match="okänd kolumn: 'saldo'"):
        render(result, 120, columns=("saldo",))


# --- the CLI: COLUMNS, a pipe -------------------------------------------------------------

def run_at(width: int | None, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("CONSOLIDATE_DEBUG", None)
    env.pop("COLUMNS", None)
    if width is not None:
        env["COLUMNS"] = str(width)
    return subprocess.run([sys.executable, "-m", "consolidate", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.mark.parametrize("width", [80, 120, 200])
def test_cli_run_fits_columns(tmp_path, width):
    config = sample_config()
    out = tmp_path / "run.json"
    done = run_at(width, "run", "--config", str(config), "--period", PERIOD, "--no-excel", "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert_no_traceback(done)
    truth = Truth(json.loads(out.read_text(encoding="utf-8")), config)
    tables = check_output(done.stdout, width, truth)
    region = tables[0]
    assert TITLE.search(region.title).group("code") == truth.root
    assert tables[1].title.startswith("Driftredovisning ")
    assert bool(region.left_out) == (width < 200)


def test_no_terminal_is_200_wide_unless_columns_says_otherwise(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert make_console(io.StringIO()).width == 200
    monkeypatch.setenv("COLUMNS", "93")
    console = make_console(io.StringIO())
    assert console.width == 93
    console.print("[red]x[/red] :x:")  # markup and emoji stay off
    assert console.file.getvalue().strip() == "[red]x[/red] :x:"


# --- missing and partial figures ---------------------------------------------------------

ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM"),
            ("ANN", "Annan förvaltning", "REG"), ("U3", "Enhet tre", "ANN")]


def _sheet(unit: str, header: list[str], lines: list[tuple]) -> list[list]:
    return [["Ansvar:", unit], [f"Period: {PERIOD}"], ["Belopp i kr"], [], header, *[list(x) for x in lines]]


def test_missing_and_partial_figures(tmp_path):
    """U2 has no Prognos column, U3 neither Prognos nor Bokslut fg år: ANN (U3 only)
    shows them empty, ADM and the region mark them partial and say how many lack them."""
    config = write_region(tmp_path, ENTITIES, amount_unit="kr")
    no_forecast = [h for h in INCOME_HEADER if h != "Prognos"]
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U1.xlsx",
                   _sheet("U1", INCOME_HEADER, [(3010, "Intäkter", 100, 90, 80, 1200, 1250, 1100)]))
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U2.xlsx",
                   _sheet("U2", no_forecast, [(3010, "Intäkter", 40, 40, 30, 480, 400)]))
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U3.xlsx",
                   _sheet("U3", [h for h in no_forecast if h != "Bokslut fg år"], [(3010, "Intäkter", 10, 10, 10, 120)]))
    out = tmp_path / "run.json"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel", "--json", str(out))
    assert done.returncode == 0, done.stderr
    truth = Truth(json.loads(out.read_text(encoding="utf-8")), config)
    tables = {t.title: t for t in check_output(done.stdout, 200, truth)}
    region = tables[f"Testregionen (REG) – {truth.report.name}, ack. {PERIOD}, kr"]
    assert region.headings[1:] == ["Utfall", "Budget", "Avvikelse", "Fg år", "Avv. fg år", "Prognos*", "Årsbudget",
                                   "Avv. prognos*", "Bokslut fg år*"]
    assert "* Prognos saknas för 2 av 3 enheter; summan är ofullständig." in region.notes
    assert "* Bokslut fg år saknas för 1 av 3 enheter; summan är ofullständig." in region.notes
    adm = tables[f"Förvaltningen (ADM) – {truth.report.name}, ack. {PERIOD}, kr"]
    assert adm.headings[1:] == ["Utfall", "Budget", "Avvikelse", "Fg år", "Avv. fg år", "Prognos*", "Årsbudget",
                                "Avv. prognos*", "Bokslut fg år"]
    assert adm.notes == "* Prognos saknas för 1 av 2 enheter; summan är ofullständig."
    assert adm.rows[0][adm.headings.index("Prognos*")] == "1 250"  # U1's: the partial total
    ann = tables[f"Annan förvaltning (ANN) – {truth.report.name}, ack. {PERIOD}, kr"]
    assert "*" not in "".join(ann.headings) and "saknas" not in ann.notes  # nobody delivered: empty, not partial
    for heading in ("Prognos", "Avv. prognos", "Bokslut fg år"):
        assert {row[ann.headings.index(heading)] for row in ann.rows} == {"–"}
    below = tables[f"Driftredovisning Förvaltningen, ack. {PERIOD}, kr"]
    assert [row[0] for row in below.rows] == ["U1 Enhet ett", "U2 Enhet två", "Summa *"]
    assert below.rows[1][below.headings.index("Prognos*")] == "–"
    assert "* Prognos saknas för en del av enheterna under raden; summan är ofullständig." in below.notes


def test_partial_note_in_the_singular():
    fitted = fit([Column("forecast", "Prognos", [Text("1")])], 80)
    assert partial_notes(fitted, {"forecast": (1, 1)}) == ["* Prognos saknas för 1 av 1 enhet; summan är ofullständig."]
    assert partial_notes(fitted, {"budget": (1, 2)}) == []  # no column of it shown


def test_a_marked_name_keeps_its_mark_when_shortened(samples):
    result, _ = samples
    tree = result.config.tree
    first = tree.administrations()[0]
    result.lacking = lambda entity: {"forecast": (1, 5)} if entity == first else {}
    try:
        text = render(result, 80)
    finally:
        del result.lacking
    below = next(t for t in parse_tables(text) if t.title.startswith(f"Driftredovisning {tree.entities[tree.root].name}"))
    marked = next(row[0] for row in below.rows if row[0].startswith(first))
    assert marked.endswith(" *") and "…" not in marked[:-3]  # shortened or not, the mark is kept
    assert "Prognos" not in below.headings or "Prognos*" in below.headings
