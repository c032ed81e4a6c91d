"""Time `consolidate run` on a generated region against reading the same files (issue 8).

    python benchmarks/bench.py --units 2000 [--repeat 5] [--seed 1]

Generates the region once into /tmp/consolidate-bench/N{units} (reused when present),
then, after one warm-up round that is not counted, runs in each round, in rotating
order and each as a fresh subprocess:

  (a) consolidate run --config DIR/region.toml --period 2026-04 --no-excel --json X -q
  (b) the same with the Excel workbook (--out a temporary directory)
  (c) every cell of every file read with python-calamine in one process

and prints a Markdown table: median wall time, ratio to (c), and peak memory of the
process tree, sampled from /proc every ~20 ms: the sum of RSS (counts pages that
forked workers share with their parent once per process) and the sum of PSS
(shares them out). A run that exits non-zero is reported and not counted.

The timed runs are not sampled: walking /proc and reading smaps_rollup every 20 ms
takes CPU from the run it measures, on a 2-core machine a tenth of a second and more
from the processes of (a) and (b). Memory is taken in one more run of each command
after the timed rounds (`--no-memory` leaves it out).
"""

from __future__ import annotations

import argparse
import json
import os
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


def measure(command: list[str], cwd: Path, sample: bool = False) -> tuple[float, tuple[int, int], str | None]:
    """(wall seconds, peak (RSS, PSS) bytes of the process tree when `sample`d, None or
    the error of a non-zero exit)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_rss = peak_pss = 0
    if sample:
        while process.poll() is None:
            rss, pss = tree_memory(process.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(SAMPLE_SECONDS)
    stderr = process.stderr.read().decode("utf-8", "replace")  # until the process ends
    process.wait()
    peak = (peak_rss, peak_pss)
    elapsed = time.perf_counter() - start
    process.stderr.close()
    if process.returncode != 0:
        return elapsed, peak, f"exit {process.returncode}: {stderr.strip()[-500:]}"
    return elapsed, peak, None


def consolidate_command() -> list[str]:
    script = Path(sys.executable).with_name("consolidate")
    if script.exists():
        return [str(script)]
    found = shutil.which("consolidate")
    return [found] if found else [sys.executable, "-m", "consolidate"]


def ensure_region(units: int, seed: str, root: Path) -> Path:
    """The generated region, reused when the marker says it is complete and the same."""
    directory = root / f"N{units}" if seed == "1" else root / f"N{units}-s{seed}"
    marker = directory / "GENERATED.json"
    wanted = {"units": units, "seed": seed, "generator": _generator_stamp()}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        print(f"region: reusing {directory}", file=sys.stderr)
        return directory
    print(f"region: generating {units} units into {directory} ...", file=sys.stderr)
    start = time.perf_counter()
    if marker.exists():
        marker.unlink()
    generate_region.write(units, directory, seed)
    took = time.perf_counter() - start
    marker.write_text(json.dumps(wanted))
    files = list((directory / generate_region.PERIOD).glob("*/*.xlsx"))
    size = sum(p.stat().st_size for p in files)
    print(f"region: {len(files)} workbooks, {size / 1e6:.1f} MB, generated in {took:.1f} s", file=sys.stderr)
    return directory


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
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "consolidate-bench")
    parser.add_argument("--no-memory", dest="memory", action="store_false", help="skip the run that samples memory")
    args = parser.parse_args(argv)

    directory = ensure_region(args.units, args.seed, args.cache)
    period_dir = directory / generate_region.PERIOD
    files = list(period_dir.glob("*/*.xlsx"))
    size = sum(p.stat().st_size for p in files)
    work = Path(tempfile.mkdtemp(prefix="consolidate-bench-"))
    base = [*consolidate_command(), "run", "--config", str(directory / "region.toml"), "--period",
            generate_region.PERIOD]
    script = work / "read_all.py"
    script.write_text(CALAMINE_SCRIPT)
    commands = {
        "a": [*base, "--no-excel", "--json", str(work / "a.json"), "-q"],
        "b": [*base, "--out", str(work / "out"), "--json", str(work / "b.json"), "-q"],
        "c": [sys.executable, str(script), str(period_dir)],
    }
    labels = {
        "a": "(a) `consolidate run --no-excel --json`",
        "b": "(b) `consolidate run` with the workbook",
        "c": "(c) python-calamine reads every cell, one process",
    }
    times: dict[str, list[float]] = {k: [] for k in commands}
    peaks: dict[str, list[tuple[int, int]]] = {k: [] for k in commands}
    failures = dict.fromkeys(commands, 0)
    order = list(commands)
    try:
        for round_no in range(args.repeat + 1):
            warm_up = round_no == 0
            for key in order:
                elapsed, peak, error = measure(commands[key], directory)
                if error:
                    failures[key] += 1
                elif not warm_up:
                    times[key].append(elapsed)
                print(f"round {round_no}{' (warm-up)' if warm_up else ''} {key}: {elapsed:.2f} s"
                      f"{'; FAILED ' + error if error else ''}", file=sys.stderr)
            order = order[1:] + order[:1]
        for key in order if args.memory else ():
            _, peak, error = measure(commands[key], directory, sample=True)
            if not error:
                peaks[key].append(peak)
            print(f"memory {key}: RSS {peak[0] / 2**20:.0f} MiB, PSS {peak[1] / 2**20:.0f} MiB", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if not times["c"]:
        raise SystemExit("the calamine reader never succeeded")
    load = os.getloadavg()
    median = {k: statistics.median(v) if v else float("nan") for k, v in times.items()}
    print()
    print(f"{args.units} units, {len(files)} workbooks, {size / 1e6:.0f} MB; {os.cpu_count()} cores; "
          f"median of {args.repeat} rounds after one warm-up; load average {load[0]:.1f} at the end; "
          f"code {_revision()}")
    print(f"(`python benchmarks/bench.py --units {args.units} --repeat {args.repeat}`)")
    print()
    print("| | median s | ratio to (c) | peak memory (own run), sum of RSS, MiB | sum of PSS, MiB |")
    print("|---|---:|---:|---:|---:|")
    for key in commands:
        rss = f"{max(p[0] for p in peaks[key]) / 2**20:.0f}" if peaks[key] else "–"
        pss = f"{max(p[1] for p in peaks[key]) / 2**20:.0f}" if peaks[key] else "–"
        failed = f" ({failures[key]} runs failed)" if failures[key] else ""
        print(f"| {labels[key]}{failed} | {median[key]:.2f} | {median[key] / median['c']:.2f} | {rss} | {pss} |")
    if any(failures.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
