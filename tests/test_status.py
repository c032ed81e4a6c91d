"""`status` (SPEC §12): each unit's state, counted, as JSON, and feedback files per unit."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import INCOME_HEADER, income_rows, write_region, write_workbook

PERIOD = "2026-04"
ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM"),
            ("U3", "Enhet tre", "ADM"), ("ANN", "Annan förvaltning", "REG"), ("U4", "Enhet fyra", "ANN"),
            ("U5", "Enhet fem", "ANN")]


def _planted(root: Path) -> Path:
    """U1 clean; U2 missing; U3 an amount that is no number (error); U4 without the
    Prognos column (a warning only); U5 delivered twice."""
    config = write_region(root, ENTITIES)
    lines = [(3010, "Intäkter", 100, 90, 80, 1200, 1250, 1100)]
    folder = root / f"in/{PERIOD}/resultat"
    write_workbook(folder / "U1.xlsx", income_rows("U1", lines))
    write_workbook(folder / "U3.xlsx", income_rows("U3", [(3010, "Intäkter", "hundra", 90, 80, 1200, 1250, 1100)]))
    header = [h for h in INCOME_HEADER if h != "Prognos"]
    write_workbook(folder / "U4.xlsx", [["Ansvar:", "U4"], [f"Period: {PERIOD}"], ["Belopp i tkr"], [], header,
                                        [3010, "Intäkter", 100, 90, 80, 1200, 1100]])
    write_workbook(folder / "U5.xlsx", income_rows("U5", lines))
    write_workbook(folder / "U5 igen.xlsx", income_rows("U5", lines))
    return config


def _status(config: Path, tmp_path: Path, capsys) -> tuple[str, dict]:
    from consolidate.commands.status import status_command

    out = tmp_path / "status.json"
    assert status_command(config, PERIOD, out, tmp_path / "feedback") == 0
    return capsys.readouterr().out, json.loads(out.read_text(encoding="utf-8"))


def test_status_classifies_every_planted_case(tmp_path, capsys):
    text, data = _status(_planted(tmp_path), tmp_path, capsys)
    state = {u["unit"]: u["income"]["state"] for u in data["units"]}
    assert state == {"U1": "klar", "U2": "saknas", "U3": "fel", "U4": "varningar", "U5": "fel"}
    assert data["counts"]["income"] == {"saknas": 1, "fel": 2, "varningar": 1, "klar": 1}
    u5 = next(u for u in data["units"] if u["unit"] == "U5")
    assert {c["check"] for c in u5["income"]["problems"]} == {"duplicate_unit"}
    assert sorted(f["file"].split("/")[-1] for f in u5["income"]["files"]) == ["U5 igen.xlsx", "U5.xlsx"]
    assert all(f["modified"] for f in u5["income"]["files"])
    assert "1 saknas, 2 fel, 1 varningar, 1 klar" in " ".join(text.split())
    for code in ("U1", "U2", "U3", "U4", "U5", "ADM", "ANN"):
        assert code in text


def test_feedback_files_one_problem_per_line_naming_the_cell(tmp_path, capsys):
    config = _planted(tmp_path)
    _status(config, tmp_path, capsys)
    feedback = tmp_path / "feedback"
    assert sorted(p.name for p in feedback.iterdir()) == ["U2.txt", "U3.txt", "U4.txt", "U5.txt"]  # U1 is clean
    u3 = (feedback / "U3.txt").read_text(encoding="utf-8").splitlines()
    assert u3[0].startswith("Testregionen, period 2026-04: återkoppling till U3")
    problem = [line for line in u3[2:] if line]
    assert len(problem) == 1 and problem[0].startswith("Fel: ") and "U3.xlsx" in problem[0]
    assert "blad Resultat" in problem[0] and "cell C6" in problem[0]
    assert "ingen resultaträkning" in (feedback / "U2.txt").read_text(encoding="utf-8")
    # U3 puts it right: its old feedback file goes, so nothing already fixed is sent back
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U3.xlsx",
                   income_rows("U3", [(3010, "Intäkter", 100, 90, 80, 1200, 1250, 1100)]))
    _status(config, tmp_path, capsys)
    assert not (feedback / "U3.txt").exists() and (feedback / "U2.txt").exists()
