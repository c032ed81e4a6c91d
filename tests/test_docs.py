"""docs/checks.md held to the code: its table names every check of
`consolidate.problems.CHECKS` and no other, with the registry's question, and every
`module:function` it names exists and makes that check. When code moves or a check
is added, this fails until the page is brought along."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from consolidate.problems import CHECKS

CHECKS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "checks.md"
PLACE = re.compile(r"`(consolidate(?:\.\w+)+):(\w+(?:\.\w+)*)`")


def table_rows() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(check id, question, [(module, function)]) of each row of the checks table."""
    rows = []
    for line in CHECKS_PAGE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4:
            continue
        match = re.fullmatch(r"`(\w+)`", cells[0])
        if match is None:  # the heading and the separator
            continue
        rows.append((match.group(1), cells[1], PLACE.findall(cells[3])))
    return rows


def resolve(module_name: str, qualname: str) -> object:
    """The function `qualname` (`f` or `Class.method`) of the module, or None."""
    target: object = importlib.import_module(module_name)
    for part in qualname.split("."):
        if not hasattr(target, part):
            return None
        target = getattr(target, part)
    return target


def test_every_check_has_one_row_and_every_row_is_a_check():
    ids = [check for check, _, _ in table_rows()]
    assert ids, f"no table rows found in {CHECKS_PAGE}"
    assert sorted(ids) == sorted(set(ids)), "a check id has more than one row"
    assert set(ids) == set(CHECKS), f"missing: {set(CHECKS) - set(ids)}; not in CHECKS: {set(ids) - set(CHECKS)}"


def test_every_row_has_the_question_of_the_registry():
    for check, question, _ in table_rows():
        assert question == CHECKS.get(check), check


def test_every_place_named_exists():
    for check, _, places in table_rows():
        assert places, f"{check}: no `module:function` named"
        for module_name, qualname in places:
            assert resolve(module_name, qualname) is not None, f"{check}: {module_name}:{qualname} does not exist"


def test_every_place_named_makes_its_check():
    for check, _, places in table_rows():
        for module_name, qualname in places:
            function = resolve(module_name, qualname)
            if function is None:  # reported by test_every_place_named_exists
                continue
            source = inspect.getsource(function)
            if check == "input":  # the default check: a Problem made without check=
                made = "Problem(" in source or ".problem(" in source
            else:
                made = f'"{check}"' in source or f"'{check}'" in source  # check="control_total"
            assert made, f"{check}: {module_name}:{qualname} makes no such problem"
