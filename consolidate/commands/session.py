"""What the commands share: reading a period while the heavy modules are imported,
the progress bar, the lock's place and the one log line a run ends with."""

from __future__ import annotations

import datetime as dt
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consolidate.config.region import Config
from consolidate.readers.files import start_reading
from consolidate.sanitize import plain

if TYPE_CHECKING:  # start-up: pandas and rich are imported while the workers read
    from rich.console import Console

    from consolidate.core.period import Result


def load(config: Config, period: str) -> tuple[Result, Console]:
    """Read and consolidate a period: the income statements are consolidated while the
    worker processes still read the staffing sheets, which come last."""
    gc.freeze()  # what is loaded so far stays: worker processes share it untouched
    reading = start_reading(config, period)  # worker processes read while the rest is imported
    from consolidate.core.period import add_staffing, consolidate_income  # start-up: pandas, once the workers read
    from consolidate.outputs.terminal import make_console  # start-up: rich, likewise

    err = make_console(sys.stderr)
    progress, tick = _progress(err, len(reading))
    if progress is not None:
        progress.start()
    try:
        step = consolidate_income(config, period, reading.take(reading.income_files, tick), reading.problems)
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


def lock_path(config: Config) -> Path:
    return config.path.parent / f"{config.path.stem}.lock"


def log(err: Console, config: Config, period: str, result: Result, what: str) -> None:
    """One line per run for cron logs: when, what, how it went."""
    errors = sum(p.is_error for p in result.problems)
    warnings = len(result.problems) - errors
    stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    err.print(plain(
        f"{stamp} consolidate {config.region_code} {period}: {len(result.files)} filer, {errors} fel, "
        f"{warnings} varningar{'; ' + what if what else ''}"), soft_wrap=True,
    )
