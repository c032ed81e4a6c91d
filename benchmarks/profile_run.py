"""Profile `consolidate run` in one process (issue 8).

    python benchmarks/profile_run.py --config DIR/region.toml [--period 2026-04]
        [--serial] [--excel] [--pdf] [--command run|close|status] [--top 30] [--sort cumtime]
        [--phases | --sampling]

`--serial` sets consolidate.runtime.pool.IN_THIS_PROCESS so that every file is
read in this process; otherwise reading happens in a process pool and its time shows
only as waiting. Prints the top lines of cProfile's statistics.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--period", default="2026-04")
    parser.add_argument("--serial", action="store_true", help="read every file in this process")
    parser.add_argument("--excel", action="store_true", help="also write the workbook")
    parser.add_argument("--pdf", action="store_true", help="also write the PDF")
    parser.add_argument("--command", default="run", choices=("run", "close", "status"))
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumtime")
    parser.add_argument("--sampling", action="store_true",
                        help="pyinstrument's sampling profile instead of cProfile (pip install pyinstrument)")
    parser.add_argument("--phases", action="store_true",
                        help="no cProfile: wall time of each pipeline phase (profiling overhead distorts "
                             "code with many small calls, such as the JSON encoder)")
    args = parser.parse_args()

    from consolidate import cli
    from consolidate.runtime import pool

    if args.serial:
        pool.IN_THIS_PROCESS = True
    work = Path(tempfile.mkdtemp(prefix="consolidate-profile-"))
    argv = [args.command, "--config", str(args.config), "--period", args.period]
    if args.command != "status":
        argv += ["--json", str(work / "out.json"), "-q"]
        argv += ["--out", str(work / "out")] if args.excel else ["--no-excel"]
        argv += ["--pdf"] if args.pdf else []
    if args.phases:
        return _phases(argv)
    if args.sampling:
        return _sampled(argv)
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        cli.main.main(argv, standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise
    finally:
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


def _sampled(argv: list[str]) -> None:
    """pyinstrument samples the stack every millisecond: far less overhead than
    cProfile on code with many small calls, so the shares are closer to a real run's."""
    from pyinstrument import Profiler

    from consolidate import cli

    profiler = Profiler(interval=0.001)
    profiler.start()
    try:
        cli.main.main(argv, standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise
    finally:
        profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


PHASES = {
    "consolidate.readers.files": ("Reading.take",),
    "consolidate.core.period": ("_checked", "_table", "map_accounts", "reversed_signs", "mismatches", "consolidate",
                                "report_rows", "add_staffing", "staffing_table"),
    "consolidate.commands.run": ("_previous", "_fingerprint", "_closed_months", "_write_outputs", "_close",
                                 "_prepare_close"),
    "consolidate.outputs.export": ("begin_document", "income", "staffing", "trend", "checks"),
    "consolidate.outputs.closed": ("pack",),
    "consolidate.outputs.history": ("record",),
    "consolidate.outputs.excel.writer": ("write_report",),
    "consolidate.outputs.pdf": ("write_pdf",),
}


def _phases(argv: list[str]) -> None:
    """Wrap the pipeline's phases with a wall clock and run once."""
    import importlib
    import time
    from collections import defaultdict

    start = time.perf_counter()
    from consolidate import cli

    spent: dict[str, float] = defaultdict(float)
    rss_after: dict[str, float] = {}
    started: dict[str, float] = {}

    def rss() -> float:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * 4096 / 2**20

    cpu: dict[str, float] = defaultdict(float)

    def timed(name, function):
        def wrapper(*a, **kw):
            t, c = time.perf_counter(), time.process_time()
            started.setdefault(name, t - start)
            try:
                return function(*a, **kw)
            finally:
                spent[name] += time.perf_counter() - t
                cpu[name] += time.process_time() - c
                rss_after[name] = rss()
        return wrapper

    imported = time.perf_counter() - start
    for module_name, names in PHASES.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in names:
            owner, _, attribute = name.rpartition(".")
            holder = getattr(module, owner) if owner else module
            if hasattr(holder, attribute):
                setattr(holder, attribute, timed(f"{module_name.split('.')[-1]}.{name}", getattr(holder, attribute)))
    try:
        cli.main.main(argv, standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise
    total = time.perf_counter() - start
    print(f"{'import consolidate.cli':32s} {imported:7.2f} s")
    for name, seconds in spent.items():
        print(f"{name:32s} {seconds:7.2f} s  CPU {cpu[name]:5.2f} s  from {started[name]:5.2f} s  "
              f"RSS after {rss_after[name]:5.0f} MiB")
    print(f"{'total (this process)':32s} {total:7.2f} s  CPU {time.process_time():5.2f} s (this process only)")


if __name__ == "__main__":
    sys.exit(main())
