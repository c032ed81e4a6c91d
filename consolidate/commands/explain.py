"""`consolidate explain`: what makes one figure (SPEC §13), down to the cells."""

from __future__ import annotations

import sys
from pathlib import Path

from consolidate.commands import EXIT_DATA, EXIT_OK, EXIT_USAGE
from consolidate.commands.session import load, recover_if_free, show
from consolidate.readers.tables import load_config
from consolidate.sanitize import plain
from consolidate.vocabulary import MEASURES


def explain_command(config_path: Path, period: str, entity: str, row: str, report: str | None = None,
                    measure: str = "actual", json_path: Path | None = None, unit: str | None = None,
                    closed: bool = False, version: int | None = None) -> int:
    """Explain a figure of the period as its files are now, or (`closed`) as it was
    closed, from the history store alone (its latest version, or `version`)."""
    config = load_config(config_path, period)
    recover_if_free(config)
    from consolidate.commands.run import _entity_code  # start-up: the entity rule of run

    if closed:
        result = _closed(config, period, version)
        if isinstance(result, str):
            show(lambda out: out.print(plain(result), soft_wrap=True))
            return EXIT_DATA
        from consolidate.outputs.terminal import make_console  # start-up: rich

        err = make_console(sys.stderr)
    else:
        result, err = load(config, period)
        if not result.ok:
            errors = sum(p.is_error for p in result.problems)
            err.print(f"{errors} fel i indata; siffran kan inte förklaras. Kör 'consolidate validate'.",
                      soft_wrap=True)
            return EXIT_DATA
    code = _entity_code(result.config, config_path, entity)
    from consolidate.core.explain import ExplainError, explain  # start-up: pandas, once the workers read
    from consolidate.outputs.explain import document, render  # start-up: rich

    try:
        found = explain(result, code, report, row, measure)
    except ExplainError as exc:
        err.print(plain(f"fel: {exc}"), soft_wrap=True)
        return EXIT_USAGE
    shown_unit = unit or config.amount_unit
    show(lambda out: out.print(render(found, result.config.tree, shown_unit, period)))
    if json_path is not None:
        from consolidate.outputs.export import write_json  # start-up: orjson

        write_json(document(found), json_path)
    return EXIT_OK


def _closed(config, period: str, version: int | None):
    """The closed period as a result to explain, or why there is none."""
    from consolidate.outputs.closed import closed_result, unpack  # start-up: orjson and the core
    from consolidate.outputs.history import open_store, sources_blob, version_of  # start-up: pandas

    if not config.store_path.exists():
        return f"{period} är inte stängd ({config.store_path} finns inte)."
    with open_store(config.store_path) as conn:
        close = version_of(conn, period, version)
        if close is None:
            return f"{period} är inte stängd" + (f" i version {version}." if version is not None else ".")
        blob = sources_blob(conn, close.id)
        if blob is None:
            return (f"{period} version {close.version} stängdes innan källraderna sparades; "
                    "den kan bara förklaras från filerna (utan --closed).")
        import pandas as pd  # start-up: only for a closed period

        income = pd.read_sql_query(
            f"SELECT entity, report, row, position, {', '.join(MEASURES)} FROM income WHERE close_id = ? "
            "ORDER BY rowid", conn, params=(close.id,))
    return closed_result(config, period, unpack(blob), income)
