"""What a run loads before the workbooks are being read (issue 8): the worker
processes are forked from the command as it is then, and pandas, numpy and rich are
imported by the command while they read, not before."""

from __future__ import annotations

import subprocess
import sys

from helpers import run_cli

LIGHT = "consolidate.cli consolidate.commands.run consolidate.config.region consolidate.readers.files consolidate.outputs.history consolidate.runtime.lock"


def test_the_reading_path_imports_no_heavy_module():
    code = (
        f"import sys, {', '.join(LIGHT.split())}; "
        "print(' '.join(m for m in ('pandas', 'numpy', 'rich', 'xlsxwriter') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_exit_status_survives_the_fast_exit(tmp_path):
    usage = run_cli("run", "--period", "2026-04")  # --config missing: click's usage error
    assert usage.returncode == 2 and "--config" in usage.stderr
    missing = run_cli("run", "--config", str(tmp_path / "none.toml"), "--period", "2026-04")
    assert missing.returncode == 2 and "none.toml" in missing.stderr
    assert run_cli("--version").returncode == 0
