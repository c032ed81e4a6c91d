"""`explain` and `status` in the terminal at 80, 120 and 200 columns (SPEC §17): no line
wider than the window, amounts and codes never cut, names and files shortened, whole
columns left out least needed first and said so under the table."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from helpers import sample_config
from rich.cells import cell_len
from rich.console import Console
from test_terminal_staffing import Parsed, parse_all

from consolidate.commands.session import load
from consolidate.config.tree import Entity, Tree
from consolidate.core.explain import Explanation, explain
from consolidate.core.period import Delivery
from consolidate.core.status import KindStatus, Round, UnitStatus, collection_round
from consolidate.formatting import amount
from consolidate.outputs.explain import render
from consolidate.outputs.status import status_table
from consolidate.readers.tables import load_config

PERIOD = "2026-04"
WIDTHS = (80, 120, 200)
NOTE = "(för smalt fönster): "
# left out of a narrow window, least needed first
SOURCES_ORDER, ADJUSTMENTS_ORDER, STATUS_ORDER = ["Blad", "Rad", "Motpart"], ["Cell", "Fil"], ["Filer", "Senast ändrad"]
SOURCE_HEADINGS = {"unit": "Enhet", "account": "Konto", "name": "Benämning", "counterparty": "Motpart", "line": "Rad",
                   "file": "Fil", "sheet": "Blad", "cell": "Cell"}


@pytest.fixture(scope="module")
def samples():
    config = load_config(sample_config(), PERIOD)
    result, _ = load(config, PERIOD)
    assert result.ok
    return result


def printed(renderable, width: int) -> str:
    stream = io.StringIO()
    console = Console(width=width, file=stream, highlight=False, markup=False, emoji=False, color_system=None)
    console.print(renderable)
    text = stream.getvalue()
    assert max(cell_len(line) for line in text.splitlines()) <= width, width
    return text


def left_out(table: Parsed) -> list[str]:
    if NOTE not in table.notes:
        return []
    return table.notes.split(NOTE, 1)[1].split(". Visa med", 1)[0].split(", ")


def check_left_out(table: Parsed, every: list[str], order: list[str]) -> None:
    """What is missing is said, and it is the least needed: the first of `order`."""
    missing = [h for h in every if h not in table.headings]
    assert sorted(left_out(table)) == sorted(missing), (table.title, table.notes)
    assert set(order[: len(missing)]) == set(missing), missing


# --- explain ---------------------------------------------------------------------------------

@pytest.mark.parametrize("width", (*WIDTHS, 100))  # at 100 only some of the columns are left out
def test_explain_fits_every_width_and_cuts_no_amount_or_code(samples, width):
    unit = samples.config.amount_unit
    for entity, row in (("HSF", "Personalkostnader"), ("REG", "Verksamhetens intäkter")):
        found = explain(samples, entity, None, row, "actual")
        text = printed(render(found, samples.config.tree, unit, PERIOD), width)
        figure = f"{amount(found.value, unit)} {unit}"
        assert any(line.strip().endswith(figure) for line in text.splitlines())  # the figure whole, on one line
        assert f"Delarna summerar till {figure} = siffran." in text
        tables = parse_all(text)
        sources = next(t for t in tables if t.title.startswith("Källrader"))
        shown = found.sources.head(len(sources.rows))
        assert len(sources.rows) == min(len(found.sources), 40)
        belopp = sources.headings.index(f"Belopp, {unit}")
        for cells, record in zip(sources.rows, shown.to_dict("records")):
            assert cells[belopp] == amount(record["amount"], unit)
            for key in ("unit", "account", "counterparty", "line", "cell"):  # codes: whole, where shown
                if SOURCE_HEADINGS[key] in sources.headings:
                    assert cells[sources.headings.index(SOURCE_HEADINGS[key])] == (record[key] or ""), key
            for key in ("name", "file", "sheet"):  # names: whole or shortened with …
                if SOURCE_HEADINGS[key] in sources.headings:
                    cell, whole = cells[sources.headings.index(SOURCE_HEADINGS[key])], str(record[key] or "")
                    whole = whole.rsplit("/", 1)[-1]
                    assert cell == whole or (cell.endswith("…") and whole.startswith(cell[:-1])), (cell, whole)
        for heading in ("Enhet", "Konto", "Benämning", f"Belopp, {unit}", "Fil", "Cell"):
            assert heading in sources.headings
        every = ["Enhet", "Konto", "Benämning", "Motpart", "Rad", f"Belopp, {unit}", "Fil", "Blad", "Cell"]
        check_left_out(sources, every, SOURCES_ORDER)
        if width == 200:
            assert not left_out(sources)
        if width == 80:
            assert left_out(sources)
        for table in tables:
            if table.title.startswith(("Per enhet", "Eliminerat")):
                assert all("…" not in row[0] and "…" not in row[-1] for row in table.rows), table.title
        by_child = next(t for t in tables if t.title == "Per enhet direkt under")
        child_of = {u: _child(samples.config.tree, entity, u) for u in set(found.sources["unit"])}
        sums = found.sources.groupby(found.sources["unit"].map(child_of))["amount"].sum()
        assert [row[0] for row in by_child.rows] == [c for c in samples.config.tree.children[entity] if c in sums]
        assert [row[-1] for row in by_child.rows] == [amount(sums[row[0]], unit) for row in by_child.rows]


def _child(tree, top, unit):
    chain = tree.chains[unit]
    return chain[chain.index(top) - 1] if chain.index(top) > 0 else unit


def _made_up() -> tuple[Explanation, Tree]:
    """A figure with a long account name, file and adjustment text, and a code long
    enough that a narrow window must shorten the names around it."""
    tree = Tree.build([Entity("R", "Regionen", None), Entity("ADM-LÅNGKOD-2026", "Förvaltningen med långt namn", "R")],
                      "t")
    sources = pd.DataFrame([{
        "unit": "ADM-LÅNGKOD-2026", "account": "4011", "name": "Löner tillsvidareanställda inom vården och omsorgen",
        "counterparty": "87", "line": "lon", "amount": -1_234_567.0,
        "file": "in/2026-04/resultat/Månadsrapport Förvaltningen med långt namn april 2026.xlsx",
        "sheet": "Resultaträkning per ansvar", "cell": "D17"}])
    adjustments = [{"entity": "R", "line": "Löner", "amount": -1_000_000.0,
                    "text": "Rättelse av periodiseringen av semesterlöneskulden enligt beslut i ledningsgruppen",
                    "file": "justeringar/Justeringar april 2026 efter beslut.xlsx", "cell": "C12"}]
    found = Explanation("R", "Resultaträkning", "Löner", "actual", -2_234_567.0, sources, [], adjustments)
    return found, tree


@pytest.mark.parametrize("width", WIDTHS)
def test_explain_adjustments_and_long_names_fit(width):
    found, tree = _made_up()
    text = printed(render(found, tree, "kr", PERIOD), width)
    tables = parse_all(text)
    sources = next(t for t in tables if t.title.startswith("Källrader"))
    row = dict(zip(sources.headings, sources.rows[0]))
    assert row["Enhet"] == "ADM-LÅNGKOD-2026" and row["Belopp, kr"] == "-1 234 567" and row["Cell"] == "D17"
    adjustments = next(t for t in tables if t.title == "Justeringar")
    cells = dict(zip(adjustments.headings, adjustments.rows[0]))
    assert cells["Nivå"] == "R" and cells["Belopp, kr"] == "-1 000 000"
    # the text wraps, never cut: its lines joined give it whole
    wrapped = [r[adjustments.headings.index("Text")] for r in adjustments.rows]
    assert " ".join(part for part in wrapped if part) == found.adjustments[0]["text"]
    check_left_out(adjustments, ["Nivå", "Rad", "Belopp, kr", "Text", "Fil", "Cell"], ADJUSTMENTS_ORDER)
    assert "Delarna summerar till -2 234 567 kr = siffran." in text
    if width == 200:
        assert cells["Fil"] == found.adjustments[0]["file"] and row["Benämning"] == found.sources["name"][0]


def test_explain_of_an_empty_figure_says_so():
    found, tree = _made_up()
    found.value = None
    text = printed(render(found, tree, "kr", PERIOD), 80)
    assert "Löner, Utfall, R Regionen, 2026-04: – kr" in text
    assert "siffran är tom, inte 0" in text


# --- status ----------------------------------------------------------------------------------

def _status_headings(kinds):
    names = {"income": "Resultaträkning", "staffing": "Personal"}
    return ["Enhet", "Namn", *(names[k] for k in kinds), "Senast ändrad", "Problem", "Filer"]


@pytest.mark.parametrize("width", WIDTHS)
def test_status_fits_every_width_with_codes_and_states_whole(samples, width):
    kinds = ("income", "staffing")
    round_ = collection_round(samples, kinds)
    text = printed(status_table(round_, samples.config.tree, PERIOD, kinds, width), width)
    (table,) = parse_all(text)
    assert table.title == f"Inlämning {PERIOD}"
    check_left_out(table, _status_headings(kinds), STATUS_ORDER)
    if width == 80:
        assert left_out(table) and "Visa med ett bredare fönster eller --json." in table.notes
    if width == 200:
        assert not left_out(table)
    units = [row for row in table.rows if row[2]]  # an administration's line has no state
    assert [row[0] for row in units] == [u.unit for u in round_.units]
    for row, unit in zip(units, round_.units):
        assert row[2:2 + len(kinds)] == [unit.kinds[k].state for k in kinds]
        name = row[1]
        assert name == unit.name or (name.endswith("…") and unit.name.startswith(name[:-1]))
    admins = [row[0] for row in table.rows if not row[2]]
    assert admins == list(dict.fromkeys(u.administration for u in round_.units))


def test_status_shortens_names_before_leaving_out_and_never_cuts_a_code(tmp_path):
    long_code = "ENHET-MED-MYCKET-LÅNG-KOD-2026"
    tree = Tree.build([Entity("R", "Regionen", None), Entity("ADM", "Förvaltningen", "R"),
                       Entity(long_code, "En enhet med ett namn som är längre än fönstret tillåter", "ADM")], "t")
    path = tmp_path / "Månadsrapport för en enhet med ett mycket långt namn.xlsx"
    path.write_bytes(b"")
    files = [Delivery("income", path.name, path, (long_code,))]
    round_ = Round([UnitStatus(long_code, tree.entities[long_code].name, "ADM", "ADM",
                               {"income": KindStatus("varningar", files)})], [])
    for width in (80, 120, 200):
        (table,) = parse_all(printed(status_table(round_, tree, PERIOD, ("income",), width), width))
        row = dict(zip(table.headings, table.rows[-1]))
        assert row["Enhet"] == long_code and row["Resultaträkning"] == "varningar"
        check_left_out(table, _status_headings(("income",)), STATUS_ORDER)
        if "Filer" in row:
            assert row["Filer"] == path.name or row["Filer"].endswith("…")
    assert row["Filer"] == path.name and row["Namn"] == tree.entities[long_code].name  # at 200, whole


def test_status_table_keeps_its_signature_for_the_command():
    import inspect

    assert list(inspect.signature(status_table).parameters) == ["round_", "tree", "period", "kinds", "width"]
    assert list(inspect.signature(render).parameters) == ["found", "tree", "unit", "period"]
