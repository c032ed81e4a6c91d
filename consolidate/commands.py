"""What each command does, between parsing (cli) and the pipeline."""

from __future__ import annotations

import sys
from .config import load_config
from .problems import ConfigError, Problem
from .terminal import make_console, print_income, print_problems, print_problems_by_unit

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _progress(stderr_console, total: int):
    """A progress bar on stderr only when it is a terminal; else nothing."""
    if not stderr_console.is_terminal or total < 2:
        return None, None
    from rich.progress import Progress

    progress = Progress(console=stderr_console, transient=True)
    task = progress.add_task("Läser filer", total=total)
    return progress, lambda: progress.advance(task)


def _load(config, period: str):
    from .inputs import find_files
    from .pipeline import consolidate_period

    err = make_console(sys.stderr)
    patterns = [p for p in (config.inputs.income, config.inputs.staffing) if p]
    total = sum(len(find_files(config, p, period)) for p in patterns)
    progress, tick = _progress(err, total)
    if progress:
        with progress:
            result = consolidate_period(config, period, tick)
    else:
        result = consolidate_period(config, period)
    return result, err


def run_command(config_path, period, out_dir, json_path, entity, report_name, unit, no_excel, quiet) -> int:
    config = load_config(config_path)
    report = config.chart.report(report_name)
    if report is None:
        names = ", ".join(r.name for r in config.chart.reports)
        raise ConfigError(str(config_path), "--report", f"rapporten {report_name!r} finns inte; välj en av: {names}")
    if entity is not None and entity not in config.tree.entities:
        raise ConfigError(str(config_path), "--entity", f"{entity!r} finns inte i organisationsträdet")
    result, err = _load(config, period)
    print_problems(err, [p for p in result.problems if p.is_error or not quiet])
    if not result.ok:
        err.print(f"{sum(p.is_error for p in result.problems)} fel; inget skrevs. Kör 'consolidate validate' för hela listan.")
        return EXIT_DATA
    if json_path is not None:
        from .export import document, write_json

        write_json(document(result), json_path)
    if not no_excel:
        from .excel import write_report

        directory = out_dir or config.resolve(config.output_directory, period)
        written = write_report(result, directory, unit or config.amount_unit, report.name)
        if not quiet:
            err.print(f"Arbetsbok: {written}", soft_wrap=True)
    if not quiet:
        out = make_console(sys.stdout)
        print_income(out, result, entity, report.name, unit or config.amount_unit)
    return EXIT_OK


def validate_command(config_path, period, json_path) -> int:
    config = load_config(config_path)
    result, _ = _load(config, period)
    problems: list[Problem] = result.problems
    out = make_console(sys.stdout)
    print_problems_by_unit(out, problems, config.tree)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    out.print(f"{len(result.files)} filer lästa: {errors} fel, {warnings} varningar")
    if json_path is not None:
        from .export import write_json

        write_json({"period": period, "region": config.region_code, "checks": [p.as_check() for p in problems]}, json_path)
    return EXIT_DATA if errors else EXIT_OK
