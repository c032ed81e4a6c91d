"""`explain` on the samples (SPEC §13): for every entity and report row, the parts add
up to the JSON's figure to the krona, and every cell named holds the amount it says;
and a closed period is explained from the store alone after its files are gone."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import assert_no_traceback, copy_samples, run_cli
from python_calamine import CalamineWorkbook

PERIOD = "2026-04"
FACTORS = (1.0, 1_000.0, 1_000_000.0)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    root = tmp_path_factory.mktemp("explain")
    config = copy_samples(root, periods=(PERIOD,))
    out = root / "run.json"
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--no-excel", "--json", str(out))
    assert done.returncode == 0, done.stderr
    return root, config, json.loads(out.read_text(encoding="utf-8"))


def _number(value) -> float | None:
    """A cell's amount as the files write it: a number, or Swedish text (`-1 234,5`)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = re.sub(r"[\s\u00a0\u202f]", "", value).replace("−", "-").replace(",", ".")
        negative = text.startswith("(") and text.endswith(")")
        try:
            number = float(text.strip("()"))
        except ValueError:
            return None
        return -number if negative else number
    return None


def test_every_figure_of_the_samples_is_its_parts_and_every_cell_holds_its_amount(region):
    from consolidate.commands.session import load
    from consolidate.core.explain import explain
    from consolidate.readers.tables import load_config

    root, config_path, data = region
    config = load_config(config_path, PERIOD)
    result, _ = load(config, PERIOD)
    assert result.ok
    figures = {(r["entity"], r["report"], r["row"]): r for r in data["income"]}
    books: dict[str, CalamineWorkbook] = {}
    factor_of: dict[str, set] = {}
    checked_cells = 0
    for (entity, report, row), record in figures.items():
        for measure in ("actual", "var_budget"):
            found = explain(result, entity, report, row, measure)
            if record[measure] is None:
                assert found.value is None
                continue
            assert found.value == pytest.approx(record[measure], abs=0.5)
            assert found.parts_sum == pytest.approx(record[measure], abs=0.5), (entity, row, measure)
            if measure != "actual" or entity != data["region"]:
                continue
            for source in found.sources.to_dict("records"):  # the region: every source row once
                book = books.setdefault(source["file"], CalamineWorkbook.from_path(str(_resolve(root, source["file"]))))
                cell = source["cell"]
                match = re.fullmatch(r"([A-Z]+)(\d+)", cell)
                assert match, cell
                column = 0
                for letter in match.group(1):
                    column = column * 26 + ord(letter) - 64
                rows = book.get_sheet_by_name(source["sheet"]).to_python(skip_empty_area=False)
                value = _number(rows[int(match.group(2)) - 1][column - 1])
                weight = 1.0  # a report row counts a line once (the samples' chart)
                if value in (None, 0.0):
                    assert source["amount"] == 0.0
                    continue
                ratio = source["amount"] / (weight * value)
                assert any(abs(abs(ratio) - f) < 1e-9 * f for f in FACTORS), (source, value)
                factor_of.setdefault(source["file"], set()).add(round(ratio, 6))
                checked_cells += 1
    assert checked_cells > 100
    assert all(len(factors) == 1 for factors in factor_of.values()), factor_of  # one unit and sign per file


def _resolve(root: Path, name: str) -> Path:
    """A file as the run names it: relative to the folder the run was started in."""
    for base in (Path.cwd(), root, root / "config"):
        if (base / name).exists():
            return base / name
    found = list(root.rglob(Path(name).name))
    assert found, name
    return found[0]


def test_a_closed_period_is_explained_from_the_store_after_its_files_are_gone(region, tmp_path):
    root, _, data = region
    copy = tmp_path / "r"
    shutil.copytree(root, copy)
    config = copy / "config" / "region.toml"
    closed = run_cli("close", "--config", str(config), "--period", PERIOD, "--no-excel", "-q")
    assert closed.returncode == 0, closed.stderr
    before = tmp_path / "before.json"
    args = ["explain", "--config", str(config), "--period", PERIOD, "--entity", data["region"],
            "--row", "Verksamhetens nettokostnad"]
    assert run_cli(*args, "--json", str(before)).returncode == 0
    shutil.rmtree(copy / "samples" / PERIOD)  # the files are gone
    after = tmp_path / "after.json"
    done = run_cli(*args, "--closed", "--json", str(after))
    assert done.returncode == 0, done.stderr
    assert_no_traceback(done)
    a, b = json.loads(before.read_text(encoding="utf-8")), json.loads(after.read_text(encoding="utf-8"))
    assert a == b
    assert "= siffran" in " ".join(done.stdout.split())
    gone = run_cli(*args)  # from the files: they are gone
    assert gone.returncode != 0
