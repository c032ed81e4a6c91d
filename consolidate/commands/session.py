"""What the commands share: reading a period while the heavy modules are imported,
the progress bar, the lock's place and the one log line a run ends with."""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consolidate.config.region import Config
from consolidate.formatting import plural
from consolidate.outputs.history import StoreError, has_pending, open_store, recover
from consolidate.readers.adjustments import read_period_adjustments
from consolidate.readers.files import start_reading
from consolidate.runtime.lock import Locked, exclusive
from consolidate.sanitize import plain

if TYPE_CHECKING:  # start-up: pandas and rich are imported while the workers read
    from rich.console import Console

    from consolidate.core.period import Result


def load(config: Config, period: str, meanwhile: Callable[[], object] | None = None) -> tuple[Result, Console]:
    """Read and consolidate a period: the income statements are consolidated while the
    worker processes still read the staffing sheets, which come last. `meanwhile` is
    called once pandas is imported, before the files' rows are taken: to start other
    work in a forked copy that then need not import it again."""
    gc.freeze()  # what is loaded so far stays: worker processes share it untouched
    reading = start_reading(config, period)  # worker processes read while the rest is imported
    from consolidate.core.period import add_staffing, consolidate_income  # start-up: pandas, once the workers read
    from consolidate.outputs.terminal import make_console  # start-up: rich, likewise

    if meanwhile is not None:
        meanwhile()

    err = make_console(sys.stderr)
    progress, tick = _progress(err, len(reading))
    if progress is not None:
        progress.start()
    try:
        step = consolidate_income(config, period, reading.take(reading.income_files, tick), reading.problems,
                                  adjustments=read_period_adjustments(config, period))
        result = add_staffing(step, reading.results(tick))
    finally:
        if progress is not None:
            progress.stop()
    return result, err


def _progress(stderr_console: Console, total: int) -> tuple[Any, Any]:
    """A progress bar on stderr only when it is a terminal; else nothing (cron)."""
    if not stderr_console.is_terminal:
        return None, None
    from rich.progress import Progress  # start-up: only on a terminal

    progress = Progress(console=stderr_console, transient=True)
    task = progress.add_task("Läser filer", total=total)
    return progress, lambda: progress.advance(task)


def recover_store(config: Config, strict: bool = False, consequence: str = "") -> bool:
    """Complete or remove what an interrupted close left (SPEC §10): call it holding
    the lock, before anything else. A store that cannot be used stops a close
    (`strict`); other commands say so, with the `consequence` for them, and go on.
    Returns whether the store can be used (True also when there is none yet)."""
    if not config.store_path.exists():
        return True
    try:
        with open_store(config.store_path) as conn:
            done = recover(conn)
    except StoreError as exc:
        if strict:
            raise
        _say(f"varning: {exc}{'; ' + consequence if consequence else ''}")
        return False
    if done.completed:
        _say(f"slutförde en avbruten stängning: {_files(done.completed)} på plats")
    if done.removed:
        _say(f"tog bort {_files(done.removed)} från en avbruten stängning som aldrig sparades")
    return True


def recover_if_free(config: Config) -> None:
    """`recover_store` for a command that needs no lock of its own: only when no other
    run holds the lock (a close at work is not interrupted), and only when the store
    notes something to recover: otherwise nothing is written, not even the lock file."""
    if not config.store_path.exists() or not has_pending(config.store_path):
        return
    try:
        with exclusive(lock_path(config)):
            recover_store(config)
    except Locked:
        pass


def _files(n: int) -> str:
    return plural(n, "fil", "filer")


def _say(text: str) -> None:
    print(plain(text), file=sys.stderr, flush=True)


class _ReaderGone(Exception):
    pass


def show(render) -> None:
    """Print to stdout with `render(console)`. A reader that has gone (`close … | head
    -1`) stops the printing, never the run: the rest of stdout goes nowhere. (rich
    itself would end the process with exit status 1.)"""
    from consolidate.outputs.terminal import make_console  # start-up: rich

    console = make_console(sys.stdout)

    def gone() -> None:
        console.quiet = True
        raise _ReaderGone

    console.on_broken_pipe = gone  # type: ignore[method-assign]
    try:
        render(console)
        sys.stdout.flush()
    except (BrokenPipeError, _ReaderGone):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def lock_path(config: Config) -> Path:
    return config.path.parent / f"{config.path.stem}.lock"


def log(err: Console, config: Config, period: str, result: Result, what: str) -> None:
    """One line per run for cron logs: when, what, how it went."""
    errors = sum(p.is_error for p in result.problems)
    warnings = sum(p.severity == "warning" for p in result.problems)
    stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    err.print(plain(
        f"{stamp} consolidate {config.region_code} {period}: {plural(len(result.files), 'fil', 'filer')}, "
        f"{errors} fel, {plural(warnings, 'varning', 'varningar')}{'; ' + what if what else ''}"), soft_wrap=True,
    )
