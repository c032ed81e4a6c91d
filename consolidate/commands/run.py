"""`consolidate run` and `consolidate close`: read, check, consolidate, write the
outputs, and for a close record the period in the history store.

The order the outputs are made in is decided here, in `_write_outputs`.
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from consolidate.commands import EXIT_DATA, EXIT_OK
from consolidate.commands.session import load, lock_path, log
from consolidate.config.region import load_config
from consolidate.outputs.history import (
    StoreError,
    differences,
    files_of,
    fingerprint,
    inputs_digest,
    latest,
    open_store,
    previous_close,
    record,
    same_inputs,
)
from consolidate.problems import ConfigError
from consolidate.runtime.atomic import clear_leftovers
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


def run_command(config_path: Path, period: str, options: RunOptions, close: bool = False) -> int:
    """`run`, and with `close` also record the period in the history store."""
    config = load_config(config_path)
    report = config.chart.report(options.report_name)
    if report is None:
        names = ", ".join(r.name for r in config.chart.reports)
        raise ConfigError(str(config_path), "--report",
                          f"rapporten {options.report_name!r} finns inte; välj en av: {names}")
    if options.entity is not None and options.entity not in config.tree.entities:
        raise ConfigError(str(config_path), "--entity", f"{options.entity!r} finns inte i organisationsträdet")
    unit = options.unit or config.amount_unit
    with exclusive(lock_path(config)):
        result, err = load(config, period)
        from consolidate.outputs.terminal import print_problems  # start-up: rich

        print_problems(err, [p for p in result.problems if p.is_error or not options.quiet])
        if not result.ok:
            errors = sum(p.is_error for p in result.problems)
            err.print(f"{errors} fel; inget skrevs. Kör 'consolidate validate' för hela listan.", soft_wrap=True)
            log(err, config, period, result, "avbruten: fel i indata")
            return EXIT_DATA
        store = config.store_path
        pending = None
        if close:
            pending = _prepare_close(config, period, result, options.reopen, err)
            if isinstance(pending, int):
                return pending
        if store.exists():
            result.previous = _previous(store, period, close, err)
        written = _write_outputs(config, period, result, options, report.name, unit)
        note = ""
        if pending is not None:
            note = _record_close(config, period, result, pending)
        log(err, config, period, result, ", ".join(x for x in (written, note) if x))
    return EXIT_OK


def _previous(store: Path, period: str, close: bool, err):
    """The previous closed month, for the comparison. A `run` goes on without it when
    the store cannot be read (saying so); a `close` needs the store and stops."""

    try:
        with open_store(store) as conn:
            return previous_close(conn, period)
    except (StoreError, sqlite3.DatabaseError) as exc:
        if close:
            raise StoreError(str(exc)) from None
        err.print(plain(f"warning: {exc}; jämförelsen med förra stängda månaden saknas"), soft_wrap=True)
        return None


def _write_outputs(config, period, result, options: RunOptions, report: str, unit: str) -> str:
    """The JSON, the workbook and the tables, in the order that lets the two cores
    work side by side: the JSON's income part is started in a forked copy first, then
    the workbook is written and the tables printed (unless quiet), then the JSON is
    written. The files are each written whole or not at all."""
    from consolidate.outputs.export import begin_document  # start-up: orjson and the core

    finish_json = begin_document(result, options.json_path) if options.json_path is not None else None
    written = ""
    if not options.no_excel:
        from consolidate.outputs.excel import write_report  # start-up: xlsxwriter

        directory = options.out_dir or config.resolve(config.output_directory, period)
        clear_leftovers(directory)
        written = f"arbetsbok {write_report(result, directory, unit, report)}"
    if not options.quiet:
        from consolidate.outputs.terminal import make_console, print_income  # start-up: rich

        print_income(make_console(sys.stdout), result, options.entity, report, unit)
    if finish_json is not None:
        finish_json()
    return written


def _prepare_close(config, period, result, reopen: bool, err):
    """The version this close will get (None: already closed with the same inputs),
    or the exit status when it must be refused."""

    # The configuration counts as input: a changed chart or tree changes the figures.
    sources = [*result.files, config.path, Path(config.chart.path)]
    files = fingerprint(sources, config.path.parent, result.digests)  # the workbooks as read, not as they are now
    with open_store(config.store_path) as conn:
        last = latest(conn, period)
        if last is None:
            return files, 1
        recorded = files_of(conn, last.id)
        if last.inputs_digest == inputs_digest(files) or same_inputs(recorded, files):
            return files, None
        changed = differences(recorded, files)
    if not reopen:
        err.print(plain(
            f"{period} är redan stängd (version {last.version}, {last.closed_at}) och indata har ändrats: "
            f"{'; '.join(changed)}. Kör med --reopen för att spara en ny version."), soft_wrap=True,
        )
        log(err, config, period, result, "stängning vägrad: ändrade indata")
        return EXIT_DATA
    return files, last.version + 1


def _record_close(config, period, result, pending) -> str:

    files, version = pending
    if version is None:
        return f"{period} redan stängd med samma indata; historiken oförändrad"
    with open_store(config.store_path) as conn:
        close = record(conn, period, files, result.rows, result.staffing, version)
    return f"stängd {period} version {close.version}"


