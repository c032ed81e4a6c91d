"""The JSON export of SPEC §5: amounts in kr, unrounded, stable keys; with SPEC §14's
`adjustments` and `comments` and SPEC §15's `trend` and `years`."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import orjson

from consolidate.core.period import Result
from consolidate.runtime.atomic import atomic_path
from consolidate.runtime.forked import beside
from consolidate.vocabulary import MEASURES, VARIANCES

INCOME_KEYS = ["entity", "report", "row", *MEASURES, *VARIANCES]  # as written out in `income`
MONEY_KEYS = {*MEASURES, *VARIANCES}


@dataclass(frozen=True)
class Scope:
    """What the run's options ask the outputs to hold: one entity's subtree (`--entity`)
    and one report (`--report`); None: all of them."""

    entity: str | None = None
    report: str | None = None

    def codes(self, result: Result) -> set[str] | None:
        return None if self.entity is None else set(result.config.tree.subtree(self.entity))


WHOLE = Scope()


def entities(result: Result, scope: Scope = WHOLE) -> list[dict]:
    tree = result.config.tree
    codes = scope.codes(result)
    return [
        {"code": code, "name": e.name, "parent": e.parent, "level": tree.level(code)}
        for code, e in tree.entities.items() if codes is None or code in codes
    ]


def income(result: Result, scope: Scope = WHOLE) -> list[dict]:
    """Every report row of every entity; each with `previous_close` (SPEC §7)."""
    return [row for chunk in income_chunks(result, scope) for row in chunk]


INCOME_CHUNK = 8_192  # report rows made into dicts, and into JSON, at a time


def income_chunks(result: Result, scope: Scope = WHOLE, size: int = INCOME_CHUNK) -> Iterator[list[dict]]:
    """`income` a chunk of `size` rows at a time: the JSON of 100 000 rows is made
    without ever holding the dicts of them all (a few hundred bytes a row).

    Built column by column (`tolist` gives Python floats), not row by row."""
    if result.rows is None:
        return
    frame = result.rows if result.previous is None else result.rows_with_previous()
    codes = scope.codes(result)
    if codes is not None:
        frame = frame[frame["entity"].isin(codes)]
    if scope.report is not None:
        frame = frame[frame["report"] == scope.report]
    for start in range(0, len(frame), size):
        part = frame.iloc[start:start + size]
        columns = [part[k].astype(float if k in MONEY_KEYS else object).tolist() for k in INCOME_KEYS]
        if result.previous is None:
            previous: list[dict[str, object] | None] = [None] * len(part)
        else:
            period = result.previous[0]
            previous = [
                None if math.isnan(actual) else {"period": period, "actual": actual, "var_budget": var}
                for actual, var in zip(part["prev_actual"].tolist(), part["prev_var_budget"].tolist())
            ]
        yield [
            {"entity": entity, "report": report, "row": row, "actual": actual, "budget": budget, "prior": prior,
             "annual_budget": annual_budget, "forecast": forecast, "prior_full_year": prior_full_year,
             "var_budget": var_budget, "var_prior": var_prior, "var_forecast": var_forecast, "previous_close": last}
            for (entity, report, row, actual, budget, prior, annual_budget, forecast, prior_full_year,
                 var_budget, var_prior, var_forecast, last) in zip(*columns, previous)
        ]  # a dict display: a third faster than dict(zip(keys, values)) over 100 000 rows


def eliminations(result: Result, scope: Scope = WHOLE) -> list[dict]:
    if result.consolidated is None:
        return []
    frame = result.consolidated.eliminated
    codes = scope.codes(result)
    if codes is not None:
        frame = frame[frame["entity"].isin(codes)]
    return [
        {"entity": row["entity"], "line": row["line"], **{m: float(row[m]) for m in MEASURES}}
        for row in frame.to_dict("records")
    ]


def adjustments(result: Result, scope: Scope = WHOLE) -> list[dict]:
    """SPEC §14: each adjustment with its entity, line, the six measures in kr (null: the
    row does not adjust it), text, signature, file and cell (the row's Enhet cell)."""
    frame = result.adjustments
    if frame is None or frame.empty:
        return []
    codes = scope.codes(result)
    return [
        {"entity": row["entity"], "line": row["line"],
         **{m: None if math.isnan(row[m]) else float(row[m]) for m in MEASURES},
         "text": row["text"], "signature": row["signature"] or None, "file": row["file"], "cell": row["cell"]}
        for row in frame.to_dict("records") if codes is None or row["entity"] in codes
    ]


def comments(result: Result, scope: Scope = WHOLE) -> list[dict]:
    """SPEC §14: the units' comments: entity, account and line (null for a comment on the
    unit's figures as a whole), text, file and cell."""
    codes = scope.codes(result)
    return [c.as_record() for c in result.comments if codes is None or c.entity in codes]


def staffing(result: Result, scope: Scope = WHOLE) -> list[dict]:
    """Staffing key figures, built column by column: a headcount that is whole is an
    int, other figures floats, unknown ones null."""
    frame = result.staffing
    if frame is None:
        return []
    codes = scope.codes(result)
    if codes is not None:
        frame = frame[frame["entity"].isin(codes)]
    columns = []
    for key in frame.columns:
        values = frame[key].tolist()
        if key in ("headcount", "headcount_prior"):
            values = [None if v is None else int(v) if float(v).is_integer() else float(v) for v in values]
        elif key not in ("entity", "by", "key"):
            values = [None if v is None else float(v) for v in values]
        columns.append(values)
    keys = list(frame.columns)
    return [dict(zip(keys, values)) for values in zip(*columns)]


def trend(result: Result, scope: Scope = WHOLE) -> list[dict]:
    """SPEC §15: the months of the year so far (closed ones from the store, and this
    one) of the default report's rows, for the region and each administration (and
    the entity asked for and those below it)."""
    from consolidate.core.trend import series  # start-up: only when the JSON is made

    frame = result.trend
    if frame is None:
        if result.rows is None:
            return []
        frame = series(result, None, result.config.chart.reports[0].name, scope.entity)
    codes = scope.codes(result)
    if codes is not None:
        frame = frame[frame["entity"].isin(codes)]
    keys = [k for k in frame.columns if k != "position"]
    values = [frame[k].astype(object).where(frame[k].notna(), None).tolist() for k in keys]
    return [dict(zip(keys, row)) for row in zip(*values)]


def years(result: Result, scope: Scope = WHOLE) -> list[dict]:
    """SPEC §15: the result of each closed December before this year."""
    frame = result.years
    if frame is None or frame.empty:
        return []
    codes = scope.codes(result)
    if codes is not None:
        frame = frame[frame["entity"].isin(codes)]
    return [{"entity": e, "year": int(y), "actual": None if a is None or a != a else float(a)}
            for e, y, a in zip(frame["entity"].tolist(), frame["year"].tolist(), frame["actual"].tolist())]


def checks(result: Result, scope: Scope = WHOLE) -> list[dict]:
    """Every problem; with an entity, those of its units and those of no unit."""
    codes = scope.codes(result)
    return [p.as_check() for p in result.problems if codes is None or p.unit is None or p.unit in codes]


def _parts(result: Result, scope: Scope = WHOLE) -> list[tuple[str, Callable[[], object]]]:
    """The document's keys in order, each with the function that makes its value. With
    a scope, `scope` says what the document holds (after `region`)."""
    parts: list[tuple[str, Callable[[], object]]] = [
        ("period", lambda: result.period),
        ("region", lambda: result.config.region_code),
    ]
    if scope != WHOLE:
        parts.append(("scope", lambda: {"entity": scope.entity, "report": scope.report}))
    return [
        *parts,
        ("entities", lambda: entities(result, scope)),
        ("income", lambda: income(result, scope)),
        ("staffing", lambda: staffing(result, scope)),
        ("eliminations", lambda: eliminations(result, scope)),
        ("adjustments", lambda: adjustments(result, scope)),
        ("comments", lambda: comments(result, scope)),
        ("checks", lambda: checks(result, scope)),
        ("trend", lambda: trend(result, scope)),
        ("years", lambda: years(result, scope)),
    ]


def document(result: Result, scope: Scope = WHOLE) -> dict:
    return {key: make() for key, make in _parts(result, scope)}


BESIDE_MIN_ROWS = 20_000  # report rows from which the large parts are made in forked processes


class Document:
    """The JSON of `document(result)`, made part by part and written to `path` whole or
    not at all (`write(path, place)`).

    `begin(key)` starts a part at once in a forked copy of this process (when the
    document is large), so that the caller can do other work meanwhile: the staffing
    part as soon as the files are read (it needs nothing else), the income part once
    the previous close is known, while the workbook is written. The other parts are
    made when the file is written. The parts are written one after the other as JSON
    values under their keys, which gives the same file as `document`."""

    def __init__(self, result: Result, scope: Scope = WHOLE) -> None:
        self.parts = dict(_parts(result, scope))
        self.rows = 0 if result.rows is None else len(result.rows)
        self.staff_rows = 0 if result.staff_sources is None else sum(
            len(source.rows.row) for source in result.staff_sources if source.rows is not None)
        self.begun: dict[str, Callable[[], bytes | memoryview]] = {}
        self.arrays = {"income": lambda: _dumps_array(income_chunks(result, scope))}  # made a chunk at a time

    @property
    def large(self) -> bool:
        """Whether its parts are worth making in a forked copy."""
        return self.rows >= BESIDE_MIN_ROWS

    @property
    def room(self) -> int:
        """Bytes a part can take: at most some kB a row."""
        return 4096 * (self.rows + 4 * self.staff_rows)

    def begin(self, key: str) -> None:
        """Start making part `key` (in a forked copy when the document is large)."""
        if self.large:
            self.begun[key] = beside(self.work(key), capacity=self.room)

    def work(self, key: str) -> Callable[[], bytes]:
        """What makes part `key`: its JSON bytes."""
        if key in self.arrays:
            return self.arrays[key]
        make = self.parts[key]
        return lambda: _dumps(make())

    def supply(self, key: str, made: Callable[[], bytes | memoryview]) -> None:
        """Part `key` is made elsewhere: `made()` gives its bytes."""
        self.begun[key] = made

    def write(self, path: Path, place: Callable[[Path], AbstractContextManager[Path]] = atomic_path) -> None:
        made = {key: self.work(key)() for key in self.parts if key not in self.begun}
        with place(path) as tmp, open(tmp, "wb") as handle:
            for k, key in enumerate(self.parts):
                handle.write((b"{" if k == 0 else b",") + _dumps(key) + b":")
                handle.write(self.begun[key]() if key in self.begun else made[key])
            handle.write(b"}\n")


def begin_document(result: Result, path: Path,
                   place: Callable[[Path], AbstractContextManager[Path]] = atomic_path,
                   scope: Scope = WHOLE) -> Callable[[], None]:
    """Start the JSON of `document(result)` with its income part (see `Document`);
    return the function that writes it."""
    doc = Document(result, scope)
    doc.begin("income")
    return lambda: doc.write(path, place)


def _dumps(value: object) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)


def _dumps_array(chunks: Iterator[list]) -> bytes:
    """`_dumps` of the list the chunks make together, holding one chunk's values at a
    time (orjson writes no spaces: the JSON of a list is its items' joined by commas)."""
    made = bytearray(b"[")
    for chunk in chunks:
        if chunk:
            if len(made) > 1:
                made += b","
            made += memoryview(_dumps(chunk))[1:-1]
    made += b"]"
    return made  # type: ignore[return-value]  # a bytearray: written or copied as it is, not copied once more


def write_json(data: dict, path: Path) -> None:
    """Write the JSON (UTF-8) whole or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_SERIALIZE_NUMPY))
