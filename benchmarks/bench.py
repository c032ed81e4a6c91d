"""Time `consolidate` on a generated region against reading the same files (issues 8, 21).

    python benchmarks/bench.py --units 2000 [--repeat 7] [--seed 1] [--toml] [--cold | --first]

Generates the region once into /tmp/consolidate-bench/N{units} (reused when present):
four months, 2026-01 to 2026-04, every one in the harder layouts of
generate_region.py (many-unit exports with an Ansvar column, headers of two rows,
ledger signs, comments, text amounts, an adjustments file). Then, every time, it
starts the history store afresh and closes 2026-01 to 2026-04 (`close --no-excel`),
so that the timed runs compute the trend of the year and the previous close.

Every command runs with CONSOLIDATE_CACHE set to a new, empty cache of files as read
(on by default), which the closes and the warm-up round fill: the timed runs take the
files from it, as `status`, `run` and `close` do when they read the files of a close
week again. `--first` gives every timed command a new, empty cache: every file is read
and stored, as the first command to meet a file does. `--cold` sets it to `off`: every
file is read, and nothing is stored.

After one warm-up round that is not counted, it runs in each round, in rotating
order and each as a fresh process, with the tree and the mapping from tables
(region_tabeller.toml; `--toml` for region.toml):

  (a) consolidate run --no-excel --json X -q
  (b) consolidate run --out DIR --pdf --json X -q         (the workbook and the PDF)
  (c) every cell of every workbook of 2026-04 read with python-calamine, one process
  (d) consolidate status                                   (its table to /dev/null)
  (e) consolidate close --no-excel --json X -q             (2026-04 is already closed
      with the same files: the outputs of (a) again, and the store left as it was)

and prints a Markdown table: median wall time and its ratio to (c), median CPU time
(user + system of the process and every process it started) and its ratio to (c)'s,
and the peak memory of the process tree, sampled from /proc every ~20 ms: the sum of
RSS (counts pages that forked workers share with their parent once per process) and
the sum of PSS (shares them out). A run that exits non-zero is reported and not counted.

The timed runs are not sampled: walking /proc and reading smaps_rollup every 20 ms
takes CPU from the run it measures, on a 2-core machine a tenth of a second and more.
Memory is taken in one more run of each command after the timed rounds
(`--no-memory` leaves it out).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_region  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
HISTORY = 3  # months closed before the one timed
SAMPLE_SECONDS = 0.02

CALAMINE_SCRIPT = """
import glob, sys
from python_calamine import CalamineWorkbook
cells = 0
for p in sorted(glob.glob(sys.argv[1] + "/*/*.xlsx")):
    rows = CalamineWorkbook.from_path(p).get_sheet_by_index(0).to_python()
    cells += sum(len(r) for r in rows)
print(cells)
"""


def _children() -> dict[int, list[int]]:
    """ppid -> pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        tree.setdefault(int(fields[1]), []).append(int(name))
    return tree


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over a process and all its descendants. The sum of
    RSS counts pages that forked workers share with their parent once per process;
    PSS divides each shared page among the processes that share it."""
    tree = _children()
    rss = pss = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm", "rb") as handle:
                rss += int(handle.read().split()[1]) * PAGE
            with open(f"/proc/{p}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        pss += int(line.split()[1]) * 1024
                        break
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(tree.get(p, ()))
    return rss, pss


def measure(command: list[str], cwd: Path, sample: bool = False) -> tuple[float, float, tuple[int, int], str | None]:
    """(wall seconds, CPU seconds of the process and every process it waited for, peak
    (RSS, PSS) bytes of the process tree when `sample`d, None or the error of a
    non-zero exit)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_rss = peak_pss = 0
    if sample:
        while process.poll() is None:
            rss, pss = tree_memory(process.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(SAMPLE_SECONDS)
    assert process.stderr is not None
    stderr = process.stderr.read().decode("utf-8", "replace")  # until the process ends
    process.wait()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = (peak_rss, peak_pss)
    process.stderr.close()
    if process.returncode != 0:
        return elapsed, cpu, peak, f"exit {process.returncode}: {stderr.strip()[-500:]}"
    return elapsed, cpu, peak, None


def consolidate_command() -> list[str]:
    script = Path(sys.executable).with_name("consolidate")
    if script.exists():
        return [str(script)]
    found = shutil.which("consolidate")
    return [found] if found else [sys.executable, "-m", "consolidate"]


MONTHS = tuple(range(generate_region.MONTH - HISTORY, generate_region.MONTH + 1))


def ensure_region(units: int, seed: str, root: Path) -> Path:
    """The generated region, reused when the marker says it is complete and the same."""
    directory = root / f"N{units}" if seed == "1" else root / f"N{units}-s{seed}"
    marker = directory / "GENERATED.json"
    wanted = {"units": units, "seed": seed, "months": list(MONTHS), "generator": _generator_stamp()}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        print(f"region: reusing {directory}", file=sys.stderr)
        generate_region.write_config(units, directory, seed)
        return directory
    print(f"region: generating {units} units, months {MONTHS}, into {directory} ...", file=sys.stderr)
    start = time.perf_counter()
    if marker.exists():
        marker.unlink()
    generate_region.write(units, directory, seed, months=MONTHS)
    took = time.perf_counter() - start
    marker.write_text(json.dumps(wanted))
    files = list((directory / generate_region.PERIOD).glob("*/*.xlsx"))
    size = sum(p.stat().st_size for p in files)
    print(f"region: {len(files)} workbooks a month, {size / 1e6:.1f} MB, generated in {took:.1f} s", file=sys.stderr)
    return directory


def close_history(directory: Path, config: Path) -> None:
    """A new history store with every month closed, the month timed too (for (e))."""
    for leftover in (config.with_name(config.stem + ".history.sqlite"), config.with_name(config.stem + ".lock")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(directory / "reports", ignore_errors=True)
    for month in MONTHS:
        period = f"2026-{month:02d}"
        elapsed, _, _, error = measure([*consolidate_command(), "close", "--config", str(config), "--period", period,
                                        "--no-excel", "-q"], directory)
        print(f"history: closed {period} in {elapsed:.1f} s{'; FAILED ' + error if error else ''}", file=sys.stderr)
        if error:
            raise SystemExit(f"closing {period} failed")


def _revision() -> str:
    """The consolidate checkout measured: commit, and whether the tree had changes."""
    root = HERE.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "consolidate"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes in consolidate/" if dirty else "")


def _generator_stamp() -> str:
    """Changes when the generator or the workbook writers it uses (samples/workbooks.py) change."""
    import hashlib

    digest = hashlib.sha256()
    for source in (HERE / "generate_region.py", HERE.parent / "samples" / "workbooks.py"):
        # the configuration is written afresh every time (`write_config`): its switch changes no workbook
        digest.update(b"".join(line for line in source.read_bytes().splitlines(keepends=True)
                               if not line.startswith(b"ADJUSTMENTS_CONFIGURED")))
    return digest.hexdigest()[:16]


def _cache_mode(args: argparse.Namespace) -> str:
    if args.cold:
        return "no cache (every run reads every file)"
    if args.first:
        return "a new cache for every run (every file read and stored)"
    return "files from the cache of files as read"


LABELS = {
    "a": "(a) `run --no-excel --json`",
    "b": "(b) `run --pdf --json`, with the workbook",
    "c": "(c) python-calamine reads every cell",
    "d": "(d) `status`",
    "e": "(e) `close --no-excel --json`, unchanged",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "consolidate-bench")
    parser.add_argument("--toml", action="store_true", help="the tree and the mapping from region.toml, not tables")
    parser.add_argument("--only", default="abcde", help="the commands to time, e.g. ac (c is always timed)")
    parser.add_argument("--no-memory", dest="memory", action="store_false", help="skip the runs that sample memory")
    parser.add_argument("--first", action="store_true",
                        help="a new, empty cache for every timed command: every file read and stored")
    parser.add_argument("--cold", action="store_true",
                        help="CONSOLIDATE_CACHE=off: every run reads every file (default: a new cache of files read)")
    args = parser.parse_args(argv)

    load_start = os.getloadavg()
    directory = ensure_region(args.units, args.seed, args.cache)
    config = directory / ("region.toml" if args.toml else "region_tabeller.toml")
    work = Path(tempfile.mkdtemp(prefix="consolidate-bench-"))
    # the cache of files as read: a new one, filled by the closes and the warm-up round;
    # --cold turns it off, so that every run reads every file
    os.environ["CONSOLIDATE_CACHE"] = "off" if args.cold else str(work / "cache")
    compileall.compile_dir(HERE.parent / "consolidate", quiet=1)  # as installed: no run compiles the code
    close_history(directory, config)
    period = generate_region.PERIOD
    period_dir = directory / period
    files = list(period_dir.glob("*/*.xlsx"))
    size = sum(p.stat().st_size for p in files)
    tool = consolidate_command()
    where = ["--config", str(config), "--period", period]
    script = work / "read_all.py"
    script.write_text(CALAMINE_SCRIPT)
    every = {
        "a": [*tool, "run", *where, "--no-excel", "--json", str(work / "a.json"), "-q"],
        "b": [*tool, "run", *where, "--out", str(work / "out"), "--pdf", "--json", str(work / "b.json"), "-q"],
        "c": [sys.executable, str(script), str(period_dir)],
        "d": [*tool, "status", *where],
        "e": [*tool, "close", *where, "--no-excel", "--json", str(work / "e.json"), "-q"],
    }
    commands = {k: v for k, v in every.items() if k in args.only or k == "c"}
    times: dict[str, list[float]] = {k: [] for k in commands}
    cpus: dict[str, list[float]] = {k: [] for k in commands}
    peaks: dict[str, list[tuple[int, int]]] = {k: [] for k in commands}
    failures = dict.fromkeys(commands, 0)
    order = list(commands)
    try:
        for round_no in range(args.repeat + 1):
            warm_up = round_no == 0
            for key in order:
                if args.first:  # a new cache, and the last one's room back
                    shutil.rmtree(os.environ["CONSOLIDATE_CACHE"], ignore_errors=True)
                    os.environ["CONSOLIDATE_CACHE"] = str(work / f"cache-{round_no}-{key}")
                elapsed, cpu, _, error = measure(commands[key], directory)
                if error:
                    failures[key] += 1
                elif not warm_up:
                    times[key].append(elapsed)
                    cpus[key].append(cpu)
                print(f"round {round_no}{' (warm-up)' if warm_up else ''} {key}: {elapsed:.2f} s, CPU {cpu:.2f} s"
                      f"{'; FAILED ' + error if error else ''}", file=sys.stderr)
            order = order[1:] + order[:1]
        for key in order if args.memory else ():
            if args.first:
                shutil.rmtree(os.environ["CONSOLIDATE_CACHE"], ignore_errors=True)
                os.environ["CONSOLIDATE_CACHE"] = str(work / f"cache-memory-{key}")
            _, _, peak, error = measure(commands[key], directory, sample=True)
            if not error:
                peaks[key].append(peak)
            print(f"memory {key}: RSS {peak[0] / 2**20:.0f} MiB, PSS {peak[1] / 2**20:.0f} MiB", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if not times["c"]:
        raise SystemExit("the calamine reader never succeeded")
    load_end = os.getloadavg()
    median = {k: statistics.median(v) if v else float("nan") for k, v in times.items()}
    cpu = {k: statistics.median(v) if v else float("nan") for k, v in cpus.items()}
    print()
    print(f"{args.units} units, {len(files)} workbooks of {period}, {size / 1e6:.0f} MB; {os.cpu_count()} cores; "
          f"median of {args.repeat} rounds after one warm-up; load average {load_start[0]:.1f} before, "
          f"{load_end[0]:.1f} after; tree and mapping from {config.name}; "
          f"{_cache_mode(args)}; "
          f"code {_revision()}")
    print(f"(`python benchmarks/bench.py --units {args.units} --repeat {args.repeat}"
          f"{' --toml' if args.toml else ''}{' --cold' if args.cold else ''}{' --first' if args.first else ''}`)")
    print()
    print("| | median s | ratio to (c) | median CPU s | CPU ratio to (c) | peak memory, sum of RSS, MiB "
          "| sum of PSS, MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key in commands:
        rss = f"{max(p[0] for p in peaks[key]) / 2**20:.0f}" if peaks[key] else "–"
        pss = f"{max(p[1] for p in peaks[key]) / 2**20:.0f}" if peaks[key] else "–"
        failed = f" ({failures[key]} runs failed)" if failures[key] else ""
        print(f"| {LABELS[key]}{failed} | {median[key]:.2f} | {median[key] / median['c']:.2f} | {cpu[key]:.2f} "
              f"| {cpu[key] / cpu['c']:.2f} | {rss} | {pss} |")
    if "a" in commands and "e" in commands:
        print(f"\n(e) / (a): {median['e'] / median['a']:.2f}")
    if any(failures.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
