"""`status` rendered: the collection round as a terminal table by administration, as
JSON (SPEC §12), and as one feedback file per unit with problems, ready to send back."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from rich.table import Table
from rich.text import Text

from consolidate.core.status import STATES, Round, UnitStatus
from consolidate.outputs.terminal import HOW_TO_SEE_WIDER, Column, fit, fitted_table, fitting_notes
from consolidate.problems import Problem
from consolidate.runtime.atomic import atomic_path
from consolidate.sanitize import plain
from consolidate.vocabulary import SEVERITY_NAMES

KIND_NAMES = {"income": "Resultaträkning", "staffing": "Personal"}
STATE_STYLES = {"saknas": "bold red", "fel": "red", "varningar": "yellow", "klar": "green"}
LEAVE_OUT = ("files", "modified")  # a narrow window leaves out the files (they are in --json), then the times


def modified(path: Path) -> str | None:
    """A file's modification time, local, to the minute (None when it is gone)."""
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    return dt.datetime.fromtimestamp(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


def status_table(round_: Round, tree, period: str, kinds: tuple[str, ...], width: int = 200) -> Table | Text:
    """One row per unit, grouped under its administration: each kind's state, the
    latest modification time of its files, how many problems, and the files. It fits
    `width` (SPEC §17): codes, states, times and counts whole; names and file names
    shortened with …; then the files, then the times left out, said under the table."""
    rows: list[list[Text]] = []
    current = None
    for unit in round_.units:
        if not rows or unit.administration != current:
            current = unit.administration
            name = tree.entities[current].name if current in tree.entities else ""
            rows.append([Text(plain(current), style="bold"), Text(plain(name), style="bold"),
                         *(Text("") for _ in range(len(kinds) + 3))])
        delivered = [f for k in kinds for f in unit.kinds[k].files]
        times = [t for t in (modified(f.path) for f in delivered) if t]
        rows.append([
            Text(plain(unit.unit)), Text(plain(unit.name)),
            *(Text(unit.kinds[k].state, style=STATE_STYLES[unit.kinds[k].state]) for k in kinds),
            Text(max(times) if times else "–"), Text(str(len(unit.problems)) if unit.problems else ""),
            Text(plain(", ".join(sorted({f.path.name for f in delivered})))),
        ])
    headings = [("unit", "Enhet", "code"), ("name", "Namn", "name"),
                *((kind, KIND_NAMES[kind], "code") for kind in kinds),
                ("modified", "Senast ändrad", "code"), ("problems", "Problem", "figure"), ("files", "Filer", "name")]
    columns = [Column(key, heading, [row[i] for row in rows], kind=kind)
               for i, (key, heading, kind) in enumerate(headings)]
    fitted = fit(columns, width, LEAVE_OUT)
    if len(rows) > PLAIN_FROM_ROWS:
        return _plain_table(fitted, plain(f"Inlämning {period}"), fitting_notes(fitted, HOW_TO_SEE_WIDER))
    table = fitted_table(fitted)
    table.title, table.title_justify = plain(f"Inlämning {period}"), "left"
    notes = fitting_notes(fitted, HOW_TO_SEE_WIDER)
    if notes:
        table.caption, table.caption_justify = "\n".join(notes), "left"
    return table


PLAIN_FROM_ROWS = 300  # a longer table is drawn as lines of text: rich lays out a Table of 2 000 rows in seconds


def _plain_table(fitted, title: str, notes: list[str]) -> Text:
    """The same table as one Text: the columns at their fitted widths, names shortened
    with …, a rule under the headings; the states keep their colours. Drawing it costs
    a tenth of a rich Table of as many rows."""
    out = Text(title + "\n", style="bold")
    widths = fitted.widths
    heads = [c.title for c in fitted.columns]
    out.append(" ".join(_cell(h, w, c.kind) for h, w, c in zip(heads, widths, fitted.columns)) + "\n", style="bold")
    out.append(" ".join("─" * w for w in widths) + "\n")
    for r in range(len(fitted.columns[0].cells) if fitted.columns else 0):
        for k, (column, w) in enumerate(zip(fitted.columns, widths)):
            cell = column.cells[r]
            out.append(("" if k == 0 else " ") + _cell(cell.plain, w, column.kind), style=cell.style or "")
        out.append("\n")
    for note in notes:
        out.append(note + "\n")
    out.rstrip()
    return out


def _cell(value: str, width: int, kind: str) -> str:
    if len(value) > width:
        value = value[: max(width - 1, 0)] + "…"
    return value.rjust(width) if kind == "figure" else value.ljust(width)


def counts_line(round_: Round, kinds: tuple[str, ...]) -> str:
    """`Resultaträkning: 2 saknas, 1 fel, 0 varningar, 37 klar; Personal: …`"""
    counts = round_.counts()
    return "; ".join(
        f"{KIND_NAMES[k]}: " + ", ".join(f"{counts.get(k, {}).get(s, 0)} {s}" for s in STATES) for k in kinds
    )


def document(round_: Round, period: str, region: str, kinds: tuple[str, ...]) -> dict:
    """SPEC §12's JSON: period, every unit with each kind's state, files and problems, counts."""
    def kind_part(unit: UnitStatus, kind: str) -> dict:
        status = unit.kinds[kind]
        return {
            "state": status.state,
            "files": [{"file": f.display, "modified": modified(f.path)} for f in status.files],
            "problems": [p.as_check() for p in status.problems],
        }

    return {
        "period": period,
        "region": region,
        "units": [
            {"unit": u.unit, "name": u.name, "parent": u.parent, "administration": u.administration,
             **{k: kind_part(u, k) for k in kinds}}
            for u in round_.units
        ],
        "counts": {k: v for k, v in round_.counts().items() if k in kinds},
        "other_problems": [p.as_check() for p in round_.unplaced],
    }


_FEEDBACK_NAME = re.compile(r"^(.+)\.txt$")


def write_feedback(directory: Path, round_: Round, period: str, region_name: str) -> tuple[int, int]:
    """`{code}.txt` for each unit with problems, in Swedish, one problem per line with
    its file, sheet and cell; the file of a unit that now has none is removed (it
    would send back what is already put right). Returns (written, removed)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = removed = 0
    codes = {u.unit for u in round_.units}
    for unit in round_.units:
        target = directory / f"{_safe(unit.unit)}.txt"
        if not unit.problems and not any(k.state == "saknas" for k in unit.kinds.values()):
            if target.exists():
                target.unlink()
                removed += 1
            continue
        lines = [
            f"{region_name}, period {period}: återkoppling till {unit.unit} {unit.name}",
            "",
        ]
        for kind, status in unit.kinds.items():
            if status.state == "saknas" and not status.problems:
                lines.append(f"{KIND_NAMES[kind]}: ingen fil har kommit in.")
        for problem in unit.problems:
            lines.append(feedback_line(problem))
        with atomic_path(target) as tmp:
            tmp.write_text(plain("\n".join(lines)) + "\n", encoding="utf-8")
        written += 1
    for stale in directory.glob("*.txt"):  # a unit no longer in the tree keeps no old file
        match = _FEEDBACK_NAME.match(stale.name)
        if match and match.group(1) not in {_safe(c) for c in codes} and stale.stat().st_size and _ours(stale):
            stale.unlink()
            removed += 1
    return written, removed


def feedback_line(problem: Problem) -> str:
    """`Fel: fil.xlsx, blad Resultat, cell B7: meddelandet`"""
    where = problem.location()
    severity = SEVERITY_NAMES.get(problem.severity, problem.severity).capitalize()
    return f"{severity}: {where}: {problem.message}" if where else f"{severity}: {problem.message}"


def _ours(path: Path) -> bool:
    """A feedback file this tool wrote (its first line says so)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return ": återkoppling till " in handle.readline()
    except (OSError, UnicodeDecodeError):
        return False


def _safe(code: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", code).strip(". ") or "_"

