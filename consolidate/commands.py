"""What each command does, between parsing (cli) and the pipeline."""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from .cli import EXIT_DATA, EXIT_OK
from .config import load_config
from .lock import exclusive
from .problems import ConfigError, Problem
from .sanitize import plain

# The terminal, pipeline and history modules import pandas and rich; they are
# imported only once the workbooks are being read, so the reading starts at once.


def _progress(stderr_console, total: int):
    """A progress bar on stderr only when it is a terminal; else nothing (cron)."""
    if not stderr_console.is_terminal:
        return None, None
    from rich.progress import Progress

    progress = Progress(console=stderr_console, transient=True)
    task = progress.add_task("Läser filer", total=total)
    return progress, lambda: progress.advance(task)


def _load(config, period: str):
    import gc

    from .inputs import start_reading

    gc.freeze()  # what is loaded so far stays: worker processes share it untouched
    reading = start_reading(config, period)  # worker processes read while the rest is imported
    from .pipeline import consolidate_period
    from .terminal import make_console

    err = make_console(sys.stderr)
    progress, tick = _progress(err, len(reading))
    if progress:
        with progress:
            result = consolidate_period(config, period, tick, reading)
    else:
        result = consolidate_period(config, period, reading=reading)
    return result, err


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


def lock_path(config) -> Path:
    return config.path.parent / f"{config.path.stem}.lock"


def run_command(config_path: Path, period: str, options: RunOptions, close: bool = False) -> int:
    """`run`, and with `close` also record the period in the history store."""
    config = load_config(config_path)
    report = config.chart.report(options.report_name)
    if report is None:
        names = ", ".join(r.name for r in config.chart.reports)
        raise ConfigError(str(config_path), "--report", f"rapporten {options.report_name!r} finns inte; välj en av: {names}")
    if options.entity is not None and options.entity not in config.tree.entities:
        raise ConfigError(str(config_path), "--entity", f"{options.entity!r} finns inte i organisationsträdet")
    unit = options.unit or config.amount_unit
    with exclusive(lock_path(config)):
        result, err = _load(config, period)
        from .terminal import print_problems

        print_problems(err, [p for p in result.problems if p.is_error or not options.quiet])
        if not result.ok:
            errors = sum(p.is_error for p in result.problems)
            err.print(f"{errors} fel; inget skrevs. Kör 'consolidate validate' för hela listan.", soft_wrap=True)
            _log(err, config, period, result, "avbruten: fel i indata")
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
        _log(err, config, period, result, ", ".join(x for x in (written, note) if x))
    return EXIT_OK


def _previous(store: Path, period: str, close: bool, err):
    """The previous closed month, for the comparison. A `run` goes on without it when
    the store cannot be read (saying so); a `close` needs the store and stops."""
    from .history import StoreError, open_store, previous_close

    try:
        with open_store(store) as conn:
            return previous_close(conn, period)
    except (StoreError, sqlite3.DatabaseError) as exc:
        if close:
            raise StoreError(str(exc)) from None
        err.print(plain(f"warning: {exc}; jämförelsen med förra stängda månaden saknas"), soft_wrap=True)
        return None


def _write_outputs(config, period, result, options: RunOptions, report: str, unit: str) -> str:
    """The workbook and the JSON, each written whole or not at all, and the tables
    on stdout (unless quiet) once the workbook is written."""
    written = []

    def workbook() -> None:
        if options.no_excel:
            return
        from .atomic import clear_leftovers
        from .excel import write_report

        directory = options.out_dir or config.resolve(config.output_directory, period)
        clear_leftovers(directory)
        written.append(f"arbetsbok {write_report(result, directory, unit, report)}")

    def workbook_and_tables() -> None:
        workbook()
        if not options.quiet:
            from .terminal import make_console, print_income

            print_income(make_console(sys.stdout), result, options.entity, report, unit)

    if options.json_path is not None:
        from .export import write_document

        # the JSON's income part is made beside the workbook and the tables
        write_document(result, options.json_path, then=workbook_and_tables)
    else:
        workbook_and_tables()
    return "".join(written)


def _prepare_close(config, period, result, reopen: bool, err):
    """The version this close will get (None: already closed with the same inputs),
    or the exit status when it must be refused."""
    from .history import differences, files_of, fingerprint, inputs_digest, latest, open_store

    # The configuration counts as input: a changed chart or tree changes the figures.
    sources = [*result.files, config.path, Path(config.chart.path)]
    files = fingerprint(sources, config.path.parent)
    with open_store(config.store_path) as conn:
        last = latest(conn, period)
        if last is None:
            return files, 1
        if last.inputs_digest == inputs_digest(files):
            return files, None
        changed = differences(files_of(conn, last.id), files)
    if not reopen:
        err.print(plain(
            f"{period} är redan stängd (version {last.version}, {last.closed_at}) och indata har ändrats: "
            f"{'; '.join(changed)}. Kör med --reopen för att spara en ny version."), soft_wrap=True,
        )
        _log(err, config, period, result, "stängning vägrad: ändrade indata")
        return EXIT_DATA
    return files, last.version + 1


def _record_close(config, period, result, pending) -> str:
    from .history import open_store, record

    files, version = pending
    if version is None:
        return f"{period} redan stängd med samma indata; historiken oförändrad"
    with open_store(config.store_path) as conn:
        close = record(conn, period, files, result.rows, result.staffing, version)
    return f"stängd {period} version {close.version}"


def _log(err, config, period: str, result, what: str) -> None:
    """One line per run for cron logs: when, what, how it went."""
    import datetime as dt

    errors = sum(p.is_error for p in result.problems)
    warnings = len(result.problems) - errors
    stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    err.print(plain(
        f"{stamp} consolidate {config.region_code} {period}: {len(result.files)} filer, {errors} fel, "
        f"{warnings} varningar{'; ' + what if what else ''}"), soft_wrap=True,
    )


def history_command(config_path: Path) -> int:
    from .formatting import amount
    from .history import listing, open_store
    from .terminal import make_console

    config = load_config(config_path)
    out = make_console(sys.stdout)
    if not config.store_path.exists():
        out.print(f"Inga stängda perioder ({config.store_path} finns inte).", soft_wrap=True)
        return EXIT_OK
    with open_store(config.store_path) as conn:
        closes = listing(conn, config.region_code)
    from rich.table import Table

    table = Table(title=plain(f"Stängda perioder, {config.region_name}"), title_justify="left", header_style="bold")
    for heading, justify in (("Period", "left"), ("Version", "right"), ("Stängd", "left"), ("Verktyg", "left"),
                             ("Filer", "right"), (f"Resultat, {config.amount_unit}", "right")):
        table.add_column(heading, justify=justify, no_wrap=True)
    for row in closes.to_dict("records"):
        table.add_row(row["period"], str(row["version"]), row["closed_at"], row["tool_version"], str(row["files"]),
                      amount(row["result"], config.amount_unit))
    out.print(table)
    return EXIT_OK


def validate_command(config_path, period, json_path) -> int:
    """Every problem of every file on stderr, grouped by unit (SPEC §4: errors go to
    stderr); the count on stdout."""
    from .terminal import make_console, print_problems_by_unit

    config = load_config(config_path)
    result, err = _load(config, period)
    problems: list[Problem] = result.problems
    print_problems_by_unit(err, problems, config.tree)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    make_console(sys.stdout).print(f"{len(result.files)} filer lästa: {errors} fel, {warnings} varningar")
    if json_path is not None:
        from .export import write_json

        write_json({"period": period, "region": config.region_code, "checks": [p.as_check() for p in problems]}, json_path)
    return EXIT_DATA if errors else EXIT_OK
