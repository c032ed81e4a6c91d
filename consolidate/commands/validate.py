"""`consolidate validate`: every problem of every file at once; nothing is written but
the JSON asked for."""

from __future__ import annotations

from pathlib import Path

from consolidate.commands import EXIT_DATA, EXIT_OK
from consolidate.commands.session import load, recover_if_free, show
from consolidate.formatting import plural
from consolidate.readers.tables import load_config


def validate_command(config_path: Path, period: str, json_path: Path | None) -> int:
    """Every problem of every file on stderr, grouped by unit (SPEC §4: errors go to
    stderr); the count on stdout."""
    config = load_config(config_path, period)
    recover_if_free(config)
    result, err = load(config, period)
    from consolidate.outputs.terminal import print_problems_by_unit  # start-up: rich

    problems = result.problems
    print_problems_by_unit(err, problems, config.tree)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    read = plural(len(result.files), "fil läst", "filer lästa")
    show(lambda out: out.print(f"{read}: {plural(errors, 'fel', 'fel')}, {plural(warnings, 'varning', 'varningar')}"))
    if json_path is not None:
        from consolidate.outputs.export import write_json  # start-up: orjson and the core

        checks = [p.as_check() for p in problems]
        write_json({"period": period, "region": config.region_code, "checks": checks}, json_path)
    return EXIT_DATA if errors else EXIT_OK
