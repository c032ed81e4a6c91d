"""`consolidate history`: the closed periods of the store, or the versions of one
period and what changed between them."""

from __future__ import annotations

from pathlib import Path

from consolidate.commands import EXIT_OK
from consolidate.commands.session import recover_if_free, show
from consolidate.readers.tables import load_config


def history_command(config_path: Path, period: str | None = None) -> int:
    from consolidate.outputs.history import changes, listing, open_store  # start-up: pandas
    from consolidate.outputs.terminal import history_changes, history_table  # start-up: rich

    config = load_config(config_path)
    recover_if_free(config)
    if not config.store_path.exists():
        show(lambda out: out.print(f"Inga stängda perioder ({config.store_path} finns inte).", soft_wrap=True))
        return EXIT_OK
    with open_store(config.store_path) as conn:
        closes = listing(conn, config.region_code, period)
        changed = changes(conn, config.region_code, period) if period is not None else []
    if period is not None and closes.empty:
        show(lambda out: out.print(f"{period} är inte stängd.", soft_wrap=True))
        return EXIT_OK

    def render(out) -> None:
        out.print(history_table(closes, config.region_name, config.amount_unit, period))
        for change in changed:
            out.print()
            for line in history_changes(change, config.amount_unit):
                out.print(line, soft_wrap=True)

    show(render)
    return EXIT_OK
