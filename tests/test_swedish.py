"""Everything a user reads is Swedish (SPEC §17): the help of every command, click's
own usage errors, the messages of problems and configuration errors, with singular
and plural right; no check id, English library text or traceback reaches a user,
while the JSON keeps its machine values.

English is found by a heuristic: words that are English and not Swedish, after what
is code has been taken out (options, paths, config keys, quoted values). The message
checker walks the package's source (every text given to a `Problem`, a
`ConfigError`, a refusal, a printed line) and is shown to fail on planted English.
"""

from __future__ import annotations

import ast
import errno
import gettext
import json
import os
import re
import string
import sys
from pathlib import Path

import click
import pytest
from helpers import ROOT, income_rows, run_cli, write_region, write_workbook

from consolidate import cli
from consolidate.formatting import plural
from consolidate.problems import CHECKS, ERROR, WARNING, Problem, os_error_text
from consolidate.vocabulary import SEVERITY_NAMES

PACKAGE = ROOT / "consolidate"

# Words that are English and not Swedish (words both languages have, such as `version`,
# `argument`, `cell`, `under`, `extra`, are left out).
ENGLISH = set("""
usage options option show shows error errors try the and of with file files this that these message messages exit
exits help missing invalid value values such not is are was were does do exist exists directory directories
required default command commands arguments got unexpected choose from one did you mean your write writes written
read reads print prints output outputs input inputs to for or by on at it its if but when than only every each
cannot can could should must found sheet sheets cells row rows column columns workbook workbooks unit units amount
amounts account accounts chart line lines entity entities closed store check checks warning warnings unknown known
none empty also see example examples list lists table tables number numbers name names no yes be been has have
had which where what who why how aborted abort please failed fail failure cause because into out over again
already same other more less
""".split())

# Keys of region.toml and chart.toml that a message names as they are written.
CONFIG_KEYS = {"name", "lines", "rows", "line", "sheet", "entity", "from", "to"}

COMMANDS = re.compile(r"\b(consolidate|" + "|".join(cli.main.commands) + r")\b")

CODE = [
    COMMANDS,  # consolidate run, close --reopen
    re.compile(r"<[^>]*>"),  # XML: <!ENTITY …>
    re.compile(r"\w+\[[^\]]*\]"),  # entity[3], line[{}]
    re.compile(r"\[\[?[\w.]+\]\]?(?: nr \S+)?(?:\s+\w+)?"),  # [region] amount_unit, [[inputs.source]] nr 2
    re.compile(r"(?<!\w)--?[\w-]+"),  # --period, -h
    re.compile(r"\S*[\w}][/_.=\\][\w{]\S*|(?<!\S)/\S+"),  # paths, snake_case keys, dotted keys, key=value
    re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`"),  # quoted values, names and commands
    re.compile(r"\{[^}]*\}"),  # placeholders of a template
]


def english(text: str) -> list[str]:
    """The English words of a text, once code is taken out."""
    for pattern in CODE:
        text = pattern.sub(" ", text)
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)
    return sorted({word for word in words if word.lower() in ENGLISH and word not in CONFIG_KEYS})


def test_the_heuristic_finds_english_and_lets_swedish_and_code_pass():
    assert english("Usage: consolidate run [OPTIONS]") == ["Usage"]
    assert english("the workbook is empty") == ["empty", "is", "the", "workbook"]
    assert english("något värde, utan värden") == []
    assert english("varje rad behöver name och lines eller rows; kör close --reopen") == []
    assert english("Error: Missing option '--period'.") == ["Error", "Missing", "option"]
    assert english("Show this message and exit.") == ["Show", "and", "exit", "message", "this"]
    assert english("the file could not be read") == ["be", "could", "file", "not", "read", "the"]
    assert english("Fel: Ange alternativet '--period'.") == []
    assert english("Beloppsenhet att visa (förval: [region] amount_unit); se docs/guide/json.md.") == []
    assert english('signs måste vara "report" eller "ledger"; [[inputs.source]] nr 2, pattern') == []


# --- help ------------------------------------------------------------------------------


def commands() -> list[list[str]]:
    return [[], *([name] for name in sorted(cli.main.commands))]


def help_of(*args: str):
    env = {**os.environ, "COLUMNS": "80"}
    env.pop("CONSOLIDATE_DEBUG", None)
    import subprocess

    return subprocess.run([sys.executable, "-m", "consolidate", *args, "--help"],
                          capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("command", commands(), ids=lambda c: " ".join(c) or "consolidate")
def test_every_help_is_swedish_with_an_example_and_fits_80_columns(command):
    done = help_of(*command)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    text = done.stdout
    assert re.match(r"Användning: (python -m )?consolidate", text), text
    assert "Alternativ:" in text and "Exempel" in text and "docs/guide/" in text, text
    assert english(text) == [], (english(text), text)
    assert "SPEC" not in text and "§" not in text, text
    assert all(len(line) <= 80 for line in text.splitlines()), text
    assert "..." not in text.replace("[ALTERNATIV]...", ""), text  # no help cut short in a listing


def test_every_option_has_a_swedish_help_text_and_metavar():
    for command in [cli.main, *cli.main.commands.values()]:
        ctx = click.Context(command, info_name="consolidate")
        for param in command.params:
            if isinstance(param, click.Argument):  # click gives arguments no help: the command's help names it
                assert param.metavar and param.metavar in (command.help or ""), (command.name, param.name)
                continue
            record = param.get_help_record(ctx)
            assert record is not None and param.help, (command.name, param.name)
            spec, text = record
            assert english(text) == [] and english(spec) == [], (command.name, spec, text)


# --- usage errors ----------------------------------------------------------------------

USAGE_ERRORS = {
    "missing option": (["run", "--config", "region.toml"], "Ange alternativet '--period'"),
    "bad period": (["run", "--config", "region.toml", "--period", "2026-13"], "'2026-13' är ingen period"),
    "unknown option": (["validate", "--config", "region.toml", "--period", "2026-04", "--bogus"],
                       "Alternativet '--bogus' finns inte"),
    "bad unit": (["run", "--config", "region.toml", "--period", "2026-04", "--unit", "sek"],
                 "'sek' är inte något av 'kr', 'tkr', 'mkr'"),
    "extra argument": (["validate", "--config", "region.toml", "--period", "2026-04", "mer"], "Oväntat argument (mer)"),
    "unknown command": (["stang"], "Kommandot 'stang' finns inte"),
    "option without value": (["history", "--config"], "Alternativet '--config' behöver ett värde"),
    "config is a folder": (["validate", "--config", ".", "--period", "2026-04"], "Filen '.' är en katalog"),
    "no columns": (["run", "--config", "region.toml", "--period", "2026-04", "--columns", ","],
                   "inga kolumner angivna. Giltiga namn: utfall, budget"),
    "unknown column": (["run", "--config", "region.toml", "--period", "2026-04", "--columns", "utfall,vinst"],
                       "okänd kolumn: 'vinst'"),
    "missing config file": (["validate", "--config", "saknas.toml", "--period", "2026-04"],
                            "konfigurationsfel: saknas.toml: filen finns inte"),
}


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_errors_are_swedish_with_exit_2_and_no_traceback(case, tmp_path):
    args, said = USAGE_ERRORS[case]
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert said in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == "", done.stderr
    assert english(done.stderr) == [], (english(done.stderr), done.stderr)
    if not case.startswith("missing config"):
        assert "Fel: " in done.stderr, done.stderr
        if case != "option without value":  # click says that one without the usage
            assert re.search(r"Användning: (python -m )?consolidate", done.stderr), done.stderr
            assert re.search(r"Försök med '(python -m )?consolidate [a-z ]*--help' för hjälp", done.stderr)


def test_toml_mistakes_are_said_in_swedish_with_line_and_column(tmp_path):
    config = tmp_path / "region.toml"
    config.write_text('[region]\ncode = "REG"\nname = Region\n', encoding="utf-8")
    done = run_cli("validate", "--config", str(config), "--period", "2026-04")
    assert done.returncode == 2 and "ogiltig TOML: ogiltigt värde" in done.stderr and "rad 3, kolumn 8" in done.stderr
    assert english(done.stderr) == [] and "Invalid" not in done.stderr, done.stderr


def test_an_unwritable_output_is_said_in_swedish(tmp_path):
    """An output folder under a file: the operating system's English text is not shown."""
    config = write_region(tmp_path)
    lines = [("3010", "Intäkter", 100, 90, 80, 300, 310, 250)]
    for unit in ("U1", "U2"):
        write_workbook(tmp_path / "in" / "2026-04" / "resultat" / f"{unit}.xlsx", income_rows(unit, lines))
    (tmp_path / "fil").write_text("", encoding="utf-8")
    done = run_cli("run", "--config", str(config), "--period", "2026-04", "--out", str(tmp_path / "fil" / "ut"), "-q")
    assert done.returncode == 2, done.stderr
    assert "kan inte skriva" in done.stderr and "ingen katalog" in done.stderr, done.stderr
    assert "Not a directory" not in done.stderr and "Traceback" not in done.stderr, done.stderr


def raising(exc: BaseException):
    def action():
        raise exc
    return action


def test_the_guard_says_os_errors_and_faults_in_swedish(capsys, monkeypatch):
    monkeypatch.delenv("CONSOLIDATE_DEBUG", raising=False)
    full = OSError(errno.ENOSPC, "No space left on device", "/ut/REG_2026-04.xlsx")
    assert cli._guard(raising(full)) == 2
    assert capsys.readouterr().err == "kan inte skriva /ut/REG_2026-04.xlsx: disken är full\n"
    assert cli._guard(raising(PermissionError(errno.EACCES, "Permission denied", "/ut"))) == 2
    assert capsys.readouterr().err == "kan inte skriva /ut: behörighet saknas\n"
    assert cli._guard(raising(KeyError("unexpected thing in the code"))) == 1
    said = capsys.readouterr().err
    assert said.startswith("internt fel: ") and "unexpected" not in said and said.count("\n") == 1, said
    assert english(said) == [], said


def test_os_errors_are_said_in_swedish():
    assert os_error_text(OSError(errno.ENOSPC, "No space left on device")) == "disken är full"
    assert os_error_text(PermissionError(errno.EACCES, "Permission denied")) == "behörighet saknas"
    assert os_error_text(OSError(errno.EPERM, "Operation not permitted")) == "behörighet saknas"
    assert os_error_text(FileNotFoundError(errno.ENOENT, "No such file")) == "finns inte"
    assert os_error_text(OSError(errno.EROFS, "Read-only file system")) == "skrivskyddat filsystem"
    assert os_error_text(OSError(errno.ENOTCONN, "Transport endpoint is not connected")) == "systemfel ENOTCONN"
    assert os_error_text(OSError("something")) == "okänt systemfel"


# --- click's own texts -----------------------------------------------------------------


def click_texts() -> tuple[set[str], set[tuple[str, str]]]:
    """Every text click's source passes through gettext (`_`) and ngettext, as written."""
    singles: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                singles.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) >= 2:
                pairs.add((texts[0], texts[1]))
    singles.add("required")  # `_(extra["required"])`: the word is set elsewhere
    return singles, pairs


def placeholders(text: str) -> set[str]:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    return names | set(re.findall(r"%\((\w+)\)s", text))


def test_every_text_of_click_has_a_swedish_translation_with_the_same_placeholders():
    singles, pairs = click_texts()
    assert len(singles) > 40 and len(pairs) > 5  # the walk found click's texts
    assert not singles - set(cli.CLICK_TEXTS), f"no translation for: {singles - set(cli.CLICK_TEXTS)}"
    assert not pairs - set(cli.CLICK_PLURALS), f"no translation for: {pairs - set(cli.CLICK_PLURALS)}"
    for source, swedish in cli.CLICK_TEXTS.items():
        assert placeholders(swedish) <= placeholders(source), source
        assert source in ("d", "%(prog)s, version %(version)s") or english(swedish) == [], swedish
    for (one, many), (sv_one, sv_many) in cli.CLICK_PLURALS.items():
        assert placeholders(sv_one) <= placeholders(one) and placeholders(sv_many) <= placeholders(many), one
        assert english(sv_one) == [] and english(sv_many) == [], sv_one


def test_every_loaded_click_module_speaks_swedish():
    loaded = [m for name, m in sys.modules.items() if name == "click" or name.startswith("click.")]
    assert any(getattr(m, "_", None) is cli.swedish_gettext for m in loaded)
    for module in loaded:
        assert getattr(module, "_", None) is not gettext.gettext, module.__name__
        assert getattr(module, "ngettext", None) is not gettext.ngettext, module.__name__


# --- messages of the package -----------------------------------------------------------

# Calls whose text arguments a user reads.
SPEAKING = {"Problem", "ConfigError", "StoreError", "Locked", "_Refused", "refuse", "problem", "fail", "echo",
            "print", "_say", "BadParameter", "UsageError", "ClickException"}
NOT_TEXT = {"file", "sheet", "cell", "unit", "severity", "check", "extra", "style", "end", "sep", "err", "soft_wrap",
            "busy", "key"}


def _texts(node: ast.AST):
    """The literal text of an expression: each string, an f-string with `{}` for what
    it fills in; not the keys of a subscript, nor tests, nor a call's other arguments."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                yield from _texts(value.value)
    elif isinstance(node, ast.Subscript):
        yield from _texts(node.value)
    elif isinstance(node, ast.IfExp):
        yield from _texts(node.body)
        yield from _texts(node.orelse)
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("join", "format", "replace"):
            yield from _texts(node.func.value)
        for arg in node.args:
            yield from _texts(arg)
    elif isinstance(node, (ast.BinOp, ast.BoolOp, ast.Tuple, ast.List)):
        for child in ast.iter_child_nodes(node):
            yield from _texts(child)


def messages(root: Path) -> list[tuple[str, int, str]]:
    """(file, line, text) of every text given to a call a user reads, also through a
    variable assigned in the same function (`message = f"…"; Problem(message, …)`)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for scope in ast.walk(tree):
            if not isinstance(scope, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            assigned: dict[str, list[ast.AST]] = {}
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, []).append(node.value)
                elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                    assigned.setdefault(node.target.id, []).append(node.value)
            for node in ast.walk(scope):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name not in SPEAKING:
                    continue
                args = [*node.args, *(k.value for k in node.keywords if k.arg not in NOT_TEXT)]
                if name == "ConfigError":  # (file, key, message): the key is region.toml's own
                    args = [*node.args[2:], *(k.value for k in node.keywords if k.arg == "message")]
                for arg in args:
                    for expression in assigned.get(arg.id, []) if isinstance(arg, ast.Name) else [arg]:
                        for text in _texts(expression):
                            found.append((str(path.relative_to(root.parent)), node.lineno, text))
    return sorted(set(found))


def english_messages(root: Path) -> list[str]:
    return [f"{file}:{line}: {text!r} {english(text)}" for file, line, text in messages(root) if english(text)]


def test_the_message_checker_finds_planted_english(tmp_path):
    package = tmp_path / "consolidate"
    package.mkdir()
    (package / "planted.py").write_text(
        "def read(path, ConfigError, Problem):\n"
        "    message = f'the file {path} could not be read'\n"
        "    yield Problem(message, file=path, check='input')\n"
        "    yield Problem(f'kontot {path} finns inte i kontoplanen', file=path)\n"
        "    raise ConfigError(str(path), 'region.code', 'must be a text')\n",
        encoding="utf-8",
    )
    found = english_messages(package)
    assert len(found) == 2, found
    assert "could not be read" in found[0] and "must be a text" in found[1], found


def test_every_message_of_the_package_is_swedish():
    found = messages(PACKAGE)
    assert len(found) > 150, len(found)  # the walk finds the messages
    assert english_messages(PACKAGE) == []


def test_no_message_names_a_check_id():
    ids = re.compile(r"\b(" + "|".join(check for check in CHECKS if "_" in check) + r")\b")
    assert [text for _, _, text in messages(PACKAGE) if ids.search(text)] == []


def test_every_check_made_has_a_swedish_name():
    made = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "check" and isinstance(node.value, ast.Constant):
                made.add(node.value.value)
    assert {"unmapped_account", "control_total", "internal_mismatch"} <= made  # the walk finds them
    assert made - set(CHECKS) == set(), made - set(CHECKS)
    for check, name in CHECKS.items():
        assert english(name) == [] and name[0].isupper(), (check, name)


# --- singular and plural, severity and place -------------------------------------------


def test_plural():
    assert plural(1, "fil", "filer") == "1 fil"
    assert plural(0, "fil", "filer") == "0 filer"
    assert plural(2, "varning", "varningar") == "2 varningar"
    assert plural(12345, "fel", "fel") == "12 345 fel"


def test_a_problem_line_is_swedish_and_a_row_is_no_cell():
    error = Problem("kontot 8123 finns inte", file="U1.xlsx", sheet="Resultat", cell="rad 13")
    assert error.line() == "fel: U1.xlsx, blad Resultat, rad 13: kontot 8123 finns inte"
    warning = Problem("kolumnen saknas", file="U1.xlsx", sheet="Resultat", cell="C5", severity=WARNING)
    assert warning.line() == "varning: U1.xlsx, blad Resultat, cell C5: kolumnen saknas"
    assert Problem("ingen resultaträkning för enheten U2").line() == "fel: ingen resultaträkning för enheten U2"
    assert error.as_check()["severity"] == ERROR and warning.as_check()["severity"] == WARNING
    assert set(SEVERITY_NAMES) >= {ERROR, WARNING, "info"}  # "info": core.period's staffing_breakdown
    assert Problem("uppdelningen saknas", severity="info").line().split(":")[0] in ("information", "upplysning")


def broken_region(root: Path) -> Path:
    """One file with an unmapped account, one with a text amount and last month's
    period, and one with the budget column missing (a warning)."""
    config = write_region(root)
    lines = [("3010", "Intäkter", 100, 90, 80, 300, 310, 250), ("8123", "Okänt", -5, 0, 0, 0, 0, 0)]
    write_workbook(root / "in" / "2026-04" / "resultat" / "U1.xlsx", income_rows("U1", lines))
    rows = income_rows("U2", [("3010", "Intäkter", "se bilaga", 90, 80, 300, 310, 250)], period="2026-03")
    write_workbook(root / "in" / "2026-04" / "resultat" / "U2.xlsx", rows)
    return config


def test_a_broken_period_is_told_in_swedish_and_the_json_keeps_its_machine_values(tmp_path):
    config = broken_region(tmp_path)
    out = tmp_path / "problem.json"
    done = run_cli("validate", "--config", str(config), "--period", "2026-04", "--json", str(out))
    assert done.returncode == 1, done.stderr
    assert done.stdout.strip() == "2 filer lästa: 3 fel, 0 varningar", done.stdout
    problems = [line for line in done.stderr.splitlines() if ": " in line]
    assert len(problems) == 3 and all(line.startswith("fel: ") for line in problems), done.stderr
    assert any(re.search(r"blad Resultat, rad \d+: kontot 8123", line) for line in problems), done.stderr
    assert "cell rad" not in done.stderr and "error" not in done.stderr, done.stderr
    assert not [check for check in CHECKS if check in done.stderr], done.stderr
    checks = json.loads(out.read_text(encoding="utf-8"))["checks"]
    assert {c["severity"] for c in checks} == {"error"}
    assert {c["check"] for c in checks} == {"input", "wrong_period", "unmapped_account"}


def test_one_file_one_warning_is_said_in_the_singular(tmp_path):
    config = write_region(tmp_path, entities=[("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM")])
    rows = income_rows("U1", [("3010", "Intäkter", 100, 90, 80, 300, 310)])
    rows = [row[:-1] if row and row[0] == "Konto" else row for row in rows]  # no Bokslut fg år: one warning
    write_workbook(tmp_path / "in" / "2026-04" / "resultat" / "U1.xlsx", rows)
    done = run_cli("validate", "--config", str(config), "--period", "2026-04")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 fil läst: 0 fel, 1 varning", done.stdout
    assert [line for line in done.stderr.splitlines() if line.startswith("varning: ")], done.stderr


# --- the user's guide ------------------------------------------------------------------

GUIDE = ROOT / "docs" / "guide"


def test_the_guide_and_the_readme_never_send_a_user_to_the_spec():
    for page in [ROOT / "README.md", *GUIDE.glob("*.md")]:
        text = page.read_text(encoding="utf-8")
        assert "SPEC" not in text and "§" not in text, page


def test_every_page_the_guide_links_exists():
    for page in [ROOT / "README.md", *GUIDE.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not target.startswith("http"):
                assert (page.parent / target).is_file(), f"{page.name} links {target}"


def test_every_command_and_option_is_in_the_guide():
    text = (GUIDE / "commands.md").read_text(encoding="utf-8")
    for name, command in cli.main.commands.items():
        assert f"## `{name}`" in text, name
        for param in command.params:
            names = [param.metavar] if isinstance(param, click.Argument) else param.opts
            for option in names:
                assert f"`{option}" in text or f" {option}`" in text, f"{name} {option}"


def test_every_key_the_configuration_reads_is_in_the_guide():
    """The keys config/*.py reads (`_text(table, "name", …)`, `table.get("motpart")`)."""
    keys = set()
    for path in (PACKAGE / "config").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            position = 0 if name == "get" else 1 if name in ("_text", "_code", "_number", "_unit", "_sheet",
                                                                  "_table", "_names") else None
            if position is not None and len(node.args) > position:
                arg = node.args[position]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    keys.add(arg.value)
    assert {"fte_hours_per_year", "difference_line", "accounts", "motpart", "max_workbook_mb"} <= keys, keys
    text = (GUIDE / "configuration.md").read_text(encoding="utf-8")
    missing = [k for k in sorted(keys) if not re.search(rf"[`\[.]{k}(`| =|\])", text)]  # `k`, [k], [inputs.k]
    assert missing == [], missing


def test_every_key_of_the_json_is_in_the_guide():
    from consolidate.outputs.export import INCOME_KEYS
    from consolidate.vocabulary import STAFF_FIGURES

    text = (GUIDE / "json.md").read_text(encoding="utf-8")
    keys = {"period", "region", "entities", "income", "staffing", "eliminations", "checks", "code", "name",
            "parent", "level", "previous_close", "by", "key", *INCOME_KEYS, *STAFF_FIGURES, *Problem("x").as_check()}
    documented = set(re.findall(r'[`"](\w+)[`"]', text))
    assert [k for k in sorted(keys) if k not in documented and not (k.endswith("_prior") and k[:-6] in documented)
            ] == []  # `fte` and "each also with `_prior`" document `fte_prior`


def test_every_check_is_in_the_guide_with_its_swedish_name():
    text = (GUIDE / "messages.md").read_text(encoding="utf-8")
    for check, name in CHECKS.items():
        assert f"| `{check}` | {name} |" in text, check
