"""`consolidate history`: the closed periods of the store."""

from __future__ import annotations

import sys
from pathlib import Path

from consolidate.commands import EXIT_OK
from consolidate.config.region import load_config


def history_command(config_path: Path) -> int:
    from consolidate.outputs.history import listing, open_store  # start-up: pandas
    from consolidate.outputs.terminal import history_table, make_console  # start-up: rich

    config = load_config(config_path)
    out = make_console(sys.stdout)
    if not config.store_path.exists():
        out.print(f"Inga stängda perioder ({config.store_path} finns inte).", soft_wrap=True)
        return EXIT_OK
    with open_store(config.store_path) as conn:
        closes = listing(conn, config.region_code)
    out.print(history_table(closes, config.region_name, config.amount_unit))
    return EXIT_OK
