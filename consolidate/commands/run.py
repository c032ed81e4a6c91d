"""`consolidate run` and `consolidate close`: read, check, consolidate, write the
outputs, and for a close record the period in the history store.

The order the outputs are made in is decided here, in `_write_outputs`.
"""

from __future__ import annotations

import dataclasses
import getpass
import pickle
import sqlite3
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from consolidate.commands import EXIT_DATA, EXIT_OK
from consolidate.commands.session import load, lock_path, log, recover_store, show
from consolidate.outputs.history import (
    Recording,
    StoreError,
    announce,
    differences,
    files_of,
    fingerprint,
    inputs_digest,
    latest,
    open_store,
    previous_with_note,
    record,
    same_inputs,
    settled,
)
from consolidate.problems import ConfigError
from consolidate.readers.tables import load_config
from consolidate.runtime.atomic import Staging, atomic_path, clear_leftovers
from consolidate.runtime.lock import exclusive
from consolidate.sanitize import plain

# start-up: the terminal, core and history modules import pandas and rich; they are
# imported (inside the functions) only once the workbooks are being read, so the
# reading starts at once.


@dataclass
class RunOptions:
    out_dir: Path | None = None
    json_path: Path | None = None
    entity: str | None = None
    report_name: str | None = None
    unit: str | None = None
    no_excel: bool = False
    quiet: bool = False
    reopen: bool = False
    reason: str | None = None
    pdf: bool = False  # --pdf: also the month report (or [output] pdf)
    columns: tuple[str, ...] | None = None  # the terminal table's columns (--columns), None: by width
    comments: bool = False  # --comments: the units' comments in the terminal's driftredovisning


def run_command(config_path: Path, period: str, options: RunOptions, close: bool = False) -> int:
    """`run`, and with `close` also record the period in the history store."""
    config = load_config(config_path, period)
    report = config.chart.report(options.report_name)
    if report is None:
        names = ", ".join(r.name for r in config.chart.reports)
        raise ConfigError(str(config_path), "--report",
                          f"rapporten {options.report_name!r} finns inte; välj en av: {names}")
    if options.entity is not None:
        options = dataclasses.replace(options, entity=_entity_code(config, config_path, options.entity))
    unit = options.unit or config.amount_unit
    with exclusive(lock_path(config)):
        # first of all: what an interrupted close left
        usable = recover_store(config, strict=close, consequence="jämförelsen med förra stängda månaden saknas")
        aside: list = []  # the closed months, read in a forked copy while the files are consolidated
        result, err = load(config, period, meanwhile=lambda: aside.append(
            _closed_aside(config, period, options.entity) if usable else None))
        from consolidate.outputs.terminal import print_problems  # start-up: rich

        print_problems(err, [p for p in result.problems if p.is_error or not options.quiet])
        if not result.ok:
            errors = sum(p.is_error for p in result.problems)
            err.print(f"{errors} fel; inget skrevs. Kör 'consolidate validate' för hela listan.", soft_wrap=True)
            log(err, config, period, result, "avbruten: fel i indata")
            return EXIT_DATA
        json = _json_document(result, options, early=options.no_excel and not (options.pdf or config.output_pdf))
        if close:
            done = _close(config, period, result, options, report.name, unit, err, json, aside[0])
            if isinstance(done, int):
                return done
            written, note = done
        else:
            closed = None
            if usable and config.store_path.exists():
                result.previous, closed = _previous(config, period, result, err, options.entity, aside[0])
            if closed is not None and options.out_dir is None and not options.no_excel:
                # the folder holds the closed version's workbook: a run with other inputs leaves it be
                err.print(plain(
                    f"varning: {period} är stängd (version {closed[0]}) och indata har ändrats sedan dess: "
                    f"{'; '.join(closed[1])}. Den stängda arbetsboken skrivs inte över; använd --out KATALOG "
                    "för ett utkast, eller close --reopen för en ny version."), soft_wrap=True)
                options = dataclasses.replace(options, no_excel=True)
            written, note = _write_outputs(config, period, result, options, report.name, unit, json=json), ""
        log(err, config, period, result, ", ".join(x for x in (written, note) if x))
    return EXIT_OK


def _entity_code(config, config_path: Path, asked: str) -> str:
    """The tree's code for `--entity`, matched without regard to case (an exact match
    first, should two codes differ only in case)."""
    codes = config.tree.entities
    if asked in codes:
        return asked
    matches = [code for code in codes if code.casefold() == asked.strip().casefold()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ConfigError(str(config_path), "--entity",
                          f"{asked!r} kan vara flera enheter ({', '.join(matches)}); skriv koden exakt")
    raise ConfigError(str(config_path), "--entity", f"{asked!r} finns inte i organisationsträdet")


def _previous(config, period: str, result, err, entity: str | None = None, aside=None):
    """For a `run`: the previous closed month, for the comparison, and, when this period
    is closed with other inputs than these, its version and the files that differ. A
    run goes on without them when the store cannot be read, saying so."""
    try:
        with open_store(config.store_path) as conn:
            previous = _closed_months(conn, config, period, result, err, entity, aside)
            last = latest(conn, period)
            if last is None:
                return previous, None
            files = _fingerprint(config, result)
            recorded = files_of(conn, last.id)
            if last.inputs_digest == inputs_digest(files) or same_inputs(recorded, files):
                return previous, None
            return previous, (last.version, differences(recorded, files))
    except StoreError as exc:
        err.print(plain(f"varning: {exc}; jämförelsen med förra stängda månaden saknas"), soft_wrap=True)
        return None, None


def _closed_months(conn, config, period: str, result, err, entity: str | None, aside=None):
    """What the run shows of the closed months: the trend of the year and the closed
    Decembers (SPEC §15) set on `result`; returns the previous close (SPEC §7). Read
    from `conn`, or taken from `aside` (`_closed_aside`) when it was read there."""
    from consolidate.core.trend import series  # start-up: pandas

    read = pickle.loads(aside()) if aside is not None else None
    previous, note, months, years = read if read is not None else _read_closed(conn, config, period, entity)
    if note:
        err.print(plain(note), soft_wrap=True)
    result.trend = series(result, months, config.chart.reports[0].name, entity)
    result.years = years
    return previous


def _read_closed(conn, config, period: str, entity: str | None):
    """The previous close and the note on a reorganisation since (`previous_with_note`),
    and the closed months and Decembers of the trend's entities."""
    from consolidate.core.trend import entities_of_trend  # start-up: pandas
    from consolidate.outputs.history import closed_months, closed_years  # start-up: pandas

    previous, note = previous_with_note(conn, period, config.tree)
    report = config.chart.reports[0].name
    entities = entities_of_trend(config.tree, entity)
    return previous, note, closed_months(conn, period, entities, report), closed_years(conn, period, entities, report)


def _closed_aside(config, period: str, entity: str | None):
    """Start `_read_closed` in a forked copy of this process, which reads the store
    while this one consolidates the files (the store is read-only meanwhile: this
    process holds the lock). The function returned gives its pickled result, or None
    when the copy could not read it (then it is read here, and a failure of the store
    is met where it always is)."""
    if not config.store_path.exists():
        return None
    from consolidate.runtime.forked import beside  # start-up: only with a store

    def work() -> bytes:
        try:
            with open_store(config.store_path) as conn:
                return pickle.dumps(_read_closed(conn, config, period, entity), protocol=pickle.HIGHEST_PROTOCOL)
        except StoreError:
            return pickle.dumps(None)

    return beside(work, capacity=_CLOSED_ROOM)


_CLOSED_ROOM = 1 << 28  # room for the pickled closed months in memory shared with the copy; more is read here


def _fingerprint(config, result):
    """The inputs of a period as read; the configuration counts too (a changed chart or
    tree changes the figures), and so does the period's adjustments file (SPEC §14)."""
    sources = [*result.files, *config.setup_files]
    read = {**result.digests, **config.table_digests}
    adjusted = getattr(result, "adjustment_file", None)
    if adjusted is not None:
        sources.append(adjusted.path)
        if adjusted.sha256:
            read[adjusted.path] = (adjusted.sha256, adjusted.size)
    return fingerprint(sources, config.path.parent, read)  # the workbooks as read, not as they are now


def _json_document(result, options: RunOptions, early: bool = False):
    """The JSON asked for (or None). `early`: its staffing part begun at once, in a
    forked copy while this process reads the store (it needs nothing but the files);
    else, when the workbook or the PDF is made, which need the staffing figures too,
    this process works them out once for all of them (`_write_outputs`)."""
    if options.json_path is None:
        return None
    from consolidate.outputs.export import Document, Scope  # start-up: orjson and the core

    json = Document(result, Scope(options.entity, options.report_name))
    if early:
        json.begin("staffing")
    return json


def _write_outputs(config, period, result, options: RunOptions, report: str, unit: str,
                   place=atomic_path, tables: bool = True, json=None) -> str:
    """The JSON, the workbook, the PDF and the tables, in the order that lets the cores
    work side by side: with a workbook, the PDF's drawing and the JSON's income part are
    started in one forked copy first; then the workbook is written, the PDF, the tables
    (unless quiet, or `tables` is off) and the JSON. The files are each written whole
    or not at all, through `place` (`atomic_path`, or a close's `Staging.path`)."""
    if json is None:
        json = _json_document(result, options)
    workbook = not options.no_excel
    if workbook or options.pdf or config.output_pdf:
        _ = result.staffing  # worked out once, here, for the workbook, the PDF and the JSON's forked copy
    directory = options.out_dir or config.resolve(config.output_directory, period)
    pdf = None
    if options.pdf or config.output_pdf:
        from consolidate.outputs.pdf.writer import MAX_PDF_BYTES, month_report  # start-up: reportlab

        pdf = month_report(result, directory, unit, report, options.entity, comments=result.unit_comments(),
                           trend=_trend_points(result, report, options.entity))
    drawn = None
    if workbook and (pdf is not None or (json is not None and json.large)):
        # the PDF's drawing and the JSON's income part are made one after the other in
        # one forked copy while this process writes the workbook
        from consolidate.runtime.forked import beside_each  # start-up: only with a workbook

        works = [pdf.draw] if pdf is not None else []
        if json is not None and json.large:
            works.append(json.work("income"))
        made = beside_each(works, capacity=(MAX_PDF_BYTES if pdf is not None else 0)
                           + (json.room if json is not None else 0))
        if pdf is not None:
            drawn = made.pop(0)
        if json is not None and json.large:
            json.supply("income", made.pop(0))
    written = ""
    if workbook:
        from consolidate.outputs.excel import write_report  # start-up: xlsxwriter

        clear_leftovers(directory)
        written = f"arbetsbok {write_report(result, directory, unit, report, place, entity=options.entity)}"
    if pdf is not None:
        path = pdf.write(place, drawn() if drawn is not None else None)
        written = ", ".join(x for x in (written, f"månadsrapport {path}") if x)
    if tables:
        _tables(result, options, report, unit)
    if json is not None:
        json.write(options.json_path, place)
    return written


def _trend_points(result, report: str, entity: str | None):
    """The PDF's chart: the accumulated result (the report's last row) of the region, or
    of the entity, per month of the year."""
    from consolidate.outputs.pdf.inputs import TrendPoint  # start-up: only when a PDF is made

    frame = result.trend
    if frame is None or frame.empty or report != result.config.chart.reports[0].name:
        return None
    top = entity or result.config.tree.root
    mine = frame[frame["entity"] == top]
    if mine.empty:
        return None
    last = mine[mine["row"] == mine["row"].iloc[-1]]
    return [TrendPoint(p, a, b, c) for p, a, b, c in
            zip(last["period"], last["actual"], last["budget"], last["prior"])]


def _tables(result, options: RunOptions, report: str, unit: str) -> None:
    if not options.quiet:
        from consolidate.outputs.terminal import print_income  # start-up: rich

        show(lambda console: print_income(console, result, options.entity, report, unit, columns=options.columns,
                                          comments=options.comments))


def _close(config, period, result, options: RunOptions, report: str, unit: str, err,
           json=None, aside=None) -> int | tuple[str, str]:
    """Write the outputs under temporary names, record the close, then put the outputs
    in place. A process killed at any moment leaves what the next command completes
    (the close was recorded: the outputs are renamed) or removes (it was not)."""
    with open_store(config.store_path) as conn:
        recording = _prepare_close(conn, config, period, result, options, err)
        if isinstance(recording, int):
            return recording
        result.previous = _closed_months(conn, config, period, result, err, options.entity, aside)
        staging = Staging()
        staging.announce = lambda temporary, target: announce(conn, staging.token, temporary, target)
        try:
            written = _write_outputs(config, period, result, options, report, unit, staging.path, tables=False,
                                     json=json)
            from consolidate.outputs.closed import pack  # start-up: orjson and the core

            new = recording.version is not None  # else closed before with the same inputs: nothing to record
            sources = pack(result) if new else None
            closed = record(conn, recording, result.rows, result.staffing if new else None, staging.token,
                            config.tree, sources)
        except BaseException:
            staging.discard()
            with suppress(sqlite3.Error):
                settled(conn, staging.token)
            raise
        staging.commit()
        with suppress(sqlite3.Error):  # else the next command forgets them
            settled(conn, staging.token)
    _tables(result, options, report, unit)
    if closed is None:
        return written, f"{period} redan stängd med samma indata; historiken oförändrad"
    return written, f"stängd {period} version {closed.version}"


def _prepare_close(conn, config, period, result, options: RunOptions, err) -> Recording | int:
    """What this close will record (version None: already closed with the same
    inputs), or the exit status when it must be refused."""

    files = _fingerprint(config, result)
    who, reason = _user(), options.reason
    last = latest(conn, period)
    if last is None:
        return Recording(period, files, 1, None, who, reason)
    recorded = files_of(conn, last.id)
    if last.inputs_digest == inputs_digest(files) or same_inputs(recorded, files):
        return Recording(period, files, None, last.id, who, reason)
    changed = differences(recorded, files)
    if not options.reopen:
        err.print(plain(
            f"{period} är redan stängd (version {last.version}, {last.closed_at}) och indata har ändrats: "
            f"{'; '.join(changed)}. Kör med --reopen --reason \"…\" för att spara en ny version."), soft_wrap=True,
        )
        log(err, config, period, result, "stängning vägrad: ändrade indata")
        return EXIT_DATA
    return Recording(period, files, last.version + 1, last.id, who, reason)


def _user() -> str:
    """The user name recorded with a close."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "okänd"
