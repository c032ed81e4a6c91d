"""`consolidate templates`: the income and staffing templates of every unit of the
period's tree, to send out at the start of the collection round (SPEC §12)."""

from __future__ import annotations

import re
from pathlib import Path

from consolidate.commands import EXIT_OK
from consolidate.commands.session import recover_if_free, show
from consolidate.config.chart import Chart
from consolidate.readers.tables import load_config


def chart_accounts(chart: Chart) -> list[tuple[str, str]]:
    """One account per detail line of the chart (its first pattern's first account, as
    four digits or more), named after the line: what a unit without a closed period
    gets."""
    accounts = []
    for line in chart.lines:
        if not line.accounts:
            continue
        first = re.split(r"\s*[-–]\s*", str(line.accounts[0]).strip())[0]
        accounts.append((first.ljust(4, "0"), line.name))
    return accounts


def templates_command(config_path: Path, period: str, out_dir: Path | None = None) -> int:
    from consolidate.outputs.templates import Template, write_templates  # start-up: xlsxwriter

    config = load_config(config_path, period)
    recover_if_free(config)
    directory = out_dir or config.resolve(config.output_directory, period) / "mallar"
    closed = _closed_accounts(config, period)
    fallback = chart_accounts(config.chart)
    templates = [
        Template(code, config.tree.entities[code].name, closed.get(code) or fallback)
        for code in config.tree.units
    ]
    written = write_templates(directory, templates, period, config.amount_unit, staffing=bool(config.inputs.staffing))
    from_store = sum(1 for t in templates if closed.get(t.unit))
    show(lambda out: out.print(
        f"{len(written)} mallar för {len(templates)} enheter i {directory} ({from_store} med kontona från "
        f"senast stängda period, {len(templates) - from_store} med en rad per kontoplansrad).", soft_wrap=True))
    return EXIT_OK


def _closed_accounts(config, period: str) -> dict[str, list[tuple[str, str]]]:
    """Per unit, the accounts it reported in the latest closed period before `period`,
    from the history store (empty when there is none)."""
    from consolidate.outputs.closed import accounts_by_unit, unpack  # start-up: orjson
    from consolidate.outputs.history import StoreError, closed_before, open_store, sources_blob  # start-up: pandas

    if not config.store_path.exists():
        return {}
    try:
        with open_store(config.store_path) as conn:
            close = closed_before(conn, period)
            blob = sources_blob(conn, close.id) if close is not None else None
    except StoreError:
        return {}
    return accounts_by_unit(unpack(blob)) if blob is not None else {}
