"""`explain` rendered (SPEC §13): the figure, then what makes it, in the terminal and
as JSON. The parts always add up to the figure; the terminal says so in its last line."""

from __future__ import annotations

from functools import partial

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text

from consolidate.core.explain import Explanation
from consolidate.formatting import amount
from consolidate.outputs.terminal import HOW_TO_SEE_WIDER, AtWidth, Column, Shown, fit, fitted_table, fitting_notes
from consolidate.sanitize import plain
from consolidate.vocabulary import HEADINGS

SOURCE_ROWS_SHOWN = 40  # in the terminal; the JSON has them all
# The columns left out of a narrow window, least needed first. Unit, account, name,
# amount, file and cell always show: they find the figure's cell.
LEAVE_OUT = {
    "sources": ("sheet", "line", "counterparty"),
    "adjustments": ("cell", "file"),
}


def document(found: Explanation) -> dict:
    return {
        "entity": found.entity,
        "report": found.report,
        "row": found.row,
        "measure": found.measure,
        "value": found.value,
        "sources": [
            {"unit": u, "account": a, "name": n, "counterparty": c or None, "line": line, "amount": x, "file": f,
             "sheet": s, "cell": cell}
            for u, a, n, c, line, x, f, s, cell in zip(
                *(found.sources[k].tolist() for k in
                  ("unit", "account", "name", "counterparty", "line", "amount", "file", "sheet", "cell")))
        ],
        "eliminations": found.eliminations,
        "adjustments": found.adjustments,
    }


def render(found: Explanation, tree, unit: str, period: str) -> Group:
    """The figure; per child entity and per unit; the source rows (the first ones);
    eliminations; adjustments; and the check that the parts add up. Every table fits
    the window it is printed in (SPEC §17): amounts and codes whole, names shortened,
    the least needed columns left out with a line saying so."""
    measure = HEADINGS.get(found.measure, found.measure)
    name = tree.entities[found.entity].name
    what = plain(f"{found.row}, {measure}, {found.entity} {name}, {period}:")
    parts: list = [AtWidth(partial(_head, what, f"{amount(found.value, unit) or '–'} {unit}"))]
    if found.value is None:
        parts.append(Text("Ingen enhet under den har lämnat måttet: siffran är tom, inte 0."))
        return Group(*parts)
    sources = found.sources
    children = tree.children[found.entity]
    if children and len(sources):
        child_of = {u: _child(tree, found.entity, u) for u in set(sources["unit"])}
        by_child = sources.assign(child=sources["unit"].map(child_of)).groupby("child", sort=False)["amount"].sum()
        parts.append(AtWidth(partial(_totals, "Per enhet direkt under", children, by_child, tree, unit)))
    if len(sources):
        by_unit = sources.groupby("unit", sort=False)["amount"].sum()
        if len(by_unit) > 1 and set(by_unit.index) != set(children):
            codes = [u for u in tree.entities if u in by_unit.index]
            parts.append(AtWidth(partial(_totals, "Per enhet", codes, by_unit, tree, unit)))
        parts.append(AtWidth(partial(_source_table, found, unit)))
    if found.eliminations:
        parts.append(AtWidth(partial(_eliminations, found, unit)))
    if found.adjustments:
        parts.append(AtWidth(partial(_adjustments, found, unit)))
    total = found.parts_sum
    check = Text(f"Delarna summerar till {amount(total, unit)} {unit}")
    check.append(" = siffran." if abs(total - found.value) < 0.5 else " ≠ siffran!", style="bold")
    parts.append(check)
    return Group(*parts)


def _head(what: str, figure: str, width: int) -> Text:
    """"Personalkostnader, Utfall, HSF …, 2026-04: -372 798 tkr", the figure on a line
    of its own when the line would not hold it whole."""
    head = Text(what, style="bold")
    head.append(" " if cell_len(what) + 1 + cell_len(figure) <= width else "\n")
    head.append(figure, style="bold")
    return head


def _child(tree, top: str, unit: str) -> str:
    chain = tree.chains[unit]  # the unit, ..., top, ..., the region
    k = chain.index(top)
    return chain[k - 1] if k > 0 else unit


def _totals(title: str, codes, sums, tree, unit: str, width: int) -> Shown:
    present = [code for code in codes if code in sums.index]
    columns = [
        Column("code", "Kod", [Text(plain(code)) for code in present], kind="code"),
        Column("name", "Namn", [Text(plain(tree.entities[code].name)) for code in present], kind="name"),
        Column("amount", f"Belopp, {unit}", [Text(amount(float(sums[code]), unit)) for code in present]),
    ]
    return _shown(title, columns, width)


def _source_table(found: Explanation, unit: str, width: int) -> Shown:
    sources = found.sources
    shown = sources.head(SOURCE_ROWS_SHOWN)
    more = len(sources) - len(shown)
    title = f"Källrader ({len(sources)})" + (f", de {len(shown)} första; alla med --json FIL" if more else "")
    rows = list(shown.itertuples(index=False))
    columns = [
        Column("unit", "Enhet", [Text(plain(r.unit)) for r in rows], kind="code"),
        Column("account", "Konto", [Text(plain(r.account)) for r in rows], kind="code"),
        Column("name", "Benämning", [Text(plain(r.name or "")) for r in rows], kind="name"),
        Column("counterparty", "Motpart", [Text(plain(r.counterparty or "")) for r in rows], kind="code"),
        Column("line", "Rad", [Text(plain(r.line)) for r in rows], kind="code"),
        Column("amount", f"Belopp, {unit}", [Text(amount(r.amount, unit)) for r in rows]),
        Column("file", "Fil", [Text(plain(r.file.rsplit("/", 1)[-1])) for r in rows], kind="name"),
        Column("sheet", "Blad", [Text(plain(r.sheet)) for r in rows], kind="name"),
        Column("cell", "Cell", [Text(plain(r.cell or "")) for r in rows], kind="code"),
    ]
    return _shown(title, columns, width, LEAVE_OUT["sources"])


def _eliminations(found: Explanation, unit: str, width: int) -> Shown:
    rows = found.eliminations
    columns = [
        Column("entity", "Nivå", [Text(plain(e["entity"])) for e in rows], kind="code"),
        Column("line", "Rad", [Text(plain(e["line"])) for e in rows], kind="name"),
        Column("amount", f"Belopp, {unit}", [Text(amount(e["amount"], unit)) for e in rows]),
    ]
    return _shown("Eliminerat (internhandel) på eller under denna nivå", columns, width)


def _adjustments(found: Explanation, unit: str, width: int) -> Shown:
    rows = found.adjustments
    columns = [
        Column("entity", "Nivå", [Text(plain(a["entity"])) for a in rows], kind="code"),
        Column("line", "Rad", [Text(plain(a["line"])) for a in rows], kind="name"),
        Column("amount", f"Belopp, {unit}", [Text(amount(a["amount"], unit)) for a in rows]),
        Column("text", "Text", [Text(plain(a.get("text") or "")) for a in rows], kind="text"),
        Column("file", "Fil", [Text(plain(a.get("file") or "")) for a in rows], kind="name"),
        Column("cell", "Cell", [Text(plain(a.get("cell") or "")) for a in rows], kind="code"),
    ]
    return _shown("Justeringar", columns, width, LEAVE_OUT["adjustments"])


def _shown(title: str, columns: list[Column], width: int, leave_out: tuple[str, ...] = ()) -> Shown:
    fitted = fit(columns, width, leave_out)
    return Shown(title, fitted_table(fitted), fitted.too_wide, fitting_notes(fitted, HOW_TO_SEE_WIDER))
