"""Fuzzing (issue 4): whatever a unit sends and however region.toml or chart.toml is
mangled, `run` and `validate` end with exit status 0, 1 or 2 and a message, never a
traceback, and never leave files behind.

A small valid region (two units, income and staffing) is mutated at random: bytes of a
workbook flipped, inserted, deleted or cut off; cells replaced with odd text, huge
numbers, NaN-like strings or formulas without a value; the header row deleted; rows
shuffled; a line of the config deleted, a value's type changed, random bytes put in.
The command line runs in-process (click's CliRunner) for speed.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import random
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import income_rows, write_region, write_workbook
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from consolidate.cli import main

PERIOD = "2026-04"
STAFF_HEADER = ["Kön", "Anställda", "Arbetad tid", "Ordinarie arbetstid", "Sjukfrånvaro", "Inhyrd tid"]
INCOME = {
    "U1": income_rows("U1", [(3010, "Intäkter", 100, 90, 80, 300, 310, 290),
                             (4011, "Löner", -60, -55, -50, -170, -180, -160),
                             ("Summa", None, 40, 35, 30, 130, 130, 130)]),
    "U2": income_rows("U2", [(3010, "Intäkter", 10, 9, 8, 30, 31, 29), (5010, "Material", -4, -4, -4, -12, -12, -12)]),
}
STAFF = {
    unit: [["Ansvar:", unit], ["Period:", PERIOD], [], STAFF_HEADER,
           ["K", 3, 1_700, 1_800, 40, 0], ["M", 2, 1_100, 1_200, 10, 5]]
    for unit in ("U1", "U2")
}
FILES = {f"in/{PERIOD}/resultat/{u}.xlsx": ("Resultat", rows) for u, rows in INCOME.items()}
FILES.update({f"in/{PERIOD}/personal/{u}_p.xlsx": ("Personal", rows) for u, rows in STAFF.items()})
WORKBOOKS = sorted(FILES)

_TEMPLATE: Path | None = None


def template() -> Path:
    """The valid region, written once and copied for every example."""
    global _TEMPLATE
    if _TEMPLATE is None:
        root = Path(tempfile.mkdtemp(prefix="consolidate-fuzz-"))
        atexit.register(shutil.rmtree, root, True)
        write_region(root, staffing=True)
        for name, (sheet, rows) in FILES.items():
            write_workbook(root / name, rows, sheet=sheet)
        _TEMPLATE = root
    return _TEMPLATE


# --- mutations ---------------------------------------------------------------------

printable = st.characters(blacklist_categories=("Cc", "Cs"))  # openpyxl refuses control characters
odd_values = st.one_of(
    st.text(printable, max_size=30),
    st.sampled_from(["se bilaga", "NaN", "nan", "inf", "-inf", "1e400", "9" * 400, "#N/A", "#DIV/0!", "−",
                     "(", "()", "1 234,5,6", "Summa", "Totalt", "Ansvar: U9", "Period: 2026-13", "Belopp i Mkr",
                     "Konto", "Utfall", "Arbetad tid", "K", "\u202e3010", "3010 \u200b", "=A1+1", "=SUM(C1:C9)",
                     "=1/0", "=HYPERLINK(\"http://x\")"]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=1e15, max_value=1e308),
    st.integers(min_value=-10**18, max_value=10**18),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.none(),
)

byte_ops = st.lists(
    st.tuples(st.sampled_from(["flip", "insert", "delete"]), st.floats(0, 1), st.binary(min_size=1, max_size=8)),
    min_size=1, max_size=6,
)

mutation = st.one_of(
    st.tuples(st.just("bytes"), st.sampled_from(WORKBOOKS), byte_ops),
    st.tuples(st.just("truncate"), st.sampled_from(WORKBOOKS), st.floats(0, 0.99)),
    st.tuples(st.just("cells"), st.sampled_from(WORKBOOKS),
              st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), odd_values), min_size=1, max_size=6)),
    st.tuples(st.just("no_header"), st.sampled_from(WORKBOOKS), st.just(None)),
    st.tuples(st.just("shuffle"), st.sampled_from(WORKBOOKS), st.randoms(use_true_random=False)),
    st.tuples(st.just("config"), st.sampled_from(["region.toml", "chart.toml"]),
              st.tuples(st.sampled_from(["delete_line", "retype", "bytes"]), st.floats(0, 1), st.binary(max_size=12))),
)


def apply(root: Path, kind: str, target: str, arg) -> None:
    path = root / target
    if kind == "bytes":
        data = bytearray(path.read_bytes())
        for op, where, chunk in arg:
            i = int(where * (len(data) - 1)) if data else 0
            if op == "flip" and data:
                data[i] ^= chunk[0] or 0xFF
            elif op == "insert":
                data[i:i] = chunk
            else:
                del data[i:i + len(chunk)]
        path.write_bytes(bytes(data))
    elif kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: int(arg * len(data))])
    elif kind in ("cells", "no_header", "shuffle"):
        sheet, rows = FILES[target]
        rows = [list(r) for r in rows]
        if kind == "cells":
            for r, c, value in arg:
                while len(rows) <= r:
                    rows.append([])
                while len(rows[r]) <= c:
                    rows[r].append(None)
                rows[r][c] = value
        elif kind == "no_header":
            rows = [r for r in rows if r not in (STAFF_HEADER,) and "Konto" not in r]
        else:
            arg.shuffle(rows)
        write_workbook(path, rows, sheet=sheet)
    else:
        op, where, chunk = arg
        lines = path.read_bytes().split(b"\n")
        i = int(where * (len(lines) - 1))
        if op == "delete_line":
            del lines[i]
        elif op == "retype":  # a value of the wrong type: text -> number, number -> text, list
            line = lines[i]
            if b"=" in line:
                key = line.split(b"=", 1)[0]
                lines[i] = key + b"= " + random.Random(where).choice([b"12", b'"12"', b"[1, 2]", b"true", b"{}", b'""'])
        else:
            lines[i] = lines[i][: len(lines[i]) // 2] + chunk + lines[i][len(lines[i]) // 2:]
        path.write_bytes(b"\n".join(lines))


# --- the property --------------------------------------------------------------------

def files_under(root: Path) -> set[str]:
    """Every file and directory, but the run lock beside the config (SPEC §7 keeps it)."""
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.suffix != ".lock"}


def invoke(root: Path, *args: str):
    runner = CliRunner()
    result = runner.invoke(main, [*args, "--config", str(root / "region.toml"), "--period", PERIOD],
                           catch_exceptions=True)
    # the process ends by SystemExit from the command; anything else escaped the guard
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    assert "internt fel" not in output, output
    assert result.exit_code in (0, 1, 2), (result.exit_code, output)
    if result.exit_code != 0:
        assert output.strip(), "a failure must say why"
    return result


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch):
    monkeypatch.delenv("CONSOLIDATE_DEBUG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(mutation, min_size=1, max_size=2))
# region.toml's `amount_unit = "tkr"` (line 6) retyped as `[1, 2]`: once an internal error
@example(mutations=[("config", "region.toml", ("retype", 0.15625, b""))])
def test_mutated_inputs_never_crash_and_leave_nothing_behind(mutations):
    with tempfile.TemporaryDirectory(prefix="consolidate-fuzz-case-") as tmp:
        root = Path(tmp) / "region"
        shutil.copytree(template(), root)
        for kind, target, arg in mutations:
            apply(root, kind, target, arg)
        before = files_under(root)

        checked = invoke(root, "validate")
        assert files_under(root) == before, "validate wrote something"
        if checked.exit_code != 0:
            assert checked.output.strip()

        out = root / "out.json"
        ran = invoke(root, "run", "--no-excel", "--json", str(out))
        expected = before | ({"out.json"} if ran.exit_code == 0 else set())
        assert files_under(root) == expected, files_under(root) ^ expected
        if ran.exit_code == 0:
            json.loads(out.read_text(encoding="utf-8"))
        if checked.exit_code == 1 and ran.exit_code == 0:
            # validate found an error, so run must have stopped too
            pytest.fail(f"validate failed but run succeeded: {checked.output}")


def test_the_unmutated_region_runs(tmp_path):
    root = tmp_path / "region"
    shutil.copytree(template(), root)
    assert invoke(root, "validate").exit_code == 0
    assert invoke(root, "run", "--no-excel", "--json", str(root / "out.json")).exit_code == 0


@pytest.mark.parametrize("value", ["[1, 2]", "12", "{}", "true", '"Mkr"'])
def test_an_amount_unit_of_the_wrong_type_is_a_configuration_error(tmp_path, value):
    root = tmp_path / "region"
    shutil.copytree(template(), root)
    config = root / "region.toml"
    text = config.read_text(encoding="utf-8")
    assert 'amount_unit = "tkr"' in text
    config.write_text(text.replace('amount_unit = "tkr"', f"amount_unit = {value}", 1), encoding="utf-8")
    done = invoke(root, "validate")
    assert done.exit_code == 2 and "region.amount_unit" in done.output
