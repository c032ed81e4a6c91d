"""`consolidate status`: who has delivered, whose files have errors or warnings, who is
ready (SPEC §12); per-unit feedback files to send back. Exit 0 whatever the states."""

from __future__ import annotations

from pathlib import Path

from consolidate.commands import EXIT_OK
from consolidate.commands.session import load, recover_if_free, show
from consolidate.readers.tables import load_config


def status_command(config_path: Path, period: str, json_path: Path | None = None,
                   feedback: Path | None = None) -> int:
    config = load_config(config_path, period)
    recover_if_free(config)
    result, err = load(config, period)
    from consolidate.core.status import collection_round  # start-up: pandas, once the workers read
    from consolidate.outputs.status import counts_line, document, status_table, write_feedback  # start-up: rich

    kinds = ("income", "staffing") if config.inputs.staffing else ("income",)
    round_ = collection_round(result, kinds)
    tree = config.tree

    def render(out) -> None:
        out.print(status_table(round_, tree, period, kinds, out.width))
        if round_.unplaced:
            out.print(f"Övriga problem (ingen enhet): {len(round_.unplaced)}; se 'consolidate validate'.",
                      soft_wrap=True)
        out.print(counts_line(round_, kinds), soft_wrap=True)

    show(render)
    if json_path is not None:
        from consolidate.outputs.export import write_json  # start-up: orjson and the core

        write_json(document(round_, period, config.region_code, kinds), json_path)
    if feedback is not None:
        written, removed = write_feedback(feedback, round_, period, config.region_name)
        gone = f", {removed} inaktuella borttagna" if removed else ""
        err.print(f"återkoppling: {written} {'fil' if written == 1 else 'filer'} i {feedback}{gone}", soft_wrap=True)
    return EXIT_OK
