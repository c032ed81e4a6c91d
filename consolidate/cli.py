"""The command line: parse options, call the pipeline, render, set the exit status.

Exit status (SPEC §4): 0 done; 1 input data invalid; 2 usage or configuration error;
3 another run holds the lock. No traceback reaches a user.

Everything a user reads is Swedish (SPEC §17), click's own texts too: click passes
each of them through gettext (`_` and `ngettext`, imported into each of its modules),
and `speak_swedish` puts this module's table in their place before any command is
built. `tests/test_swedish.py` holds the table to click's source.
"""

from __future__ import annotations

import datetime as dt
import gc
import gettext
import os
import sys
from pathlib import Path

import click

from consolidate import __version__
from consolidate.commands import EXIT_DATA, EXIT_LOCKED, EXIT_USAGE
from consolidate.commands.history import history_command
from consolidate.commands.run import RunOptions, run_command
from consolidate.commands.validate import validate_command
from consolidate.outputs.history import StoreError
from consolidate.problems import ConfigError, one_line, os_error_text
from consolidate.runtime.lock import Locked
from consolidate.sanitize import plain
from consolidate.vocabulary import AMOUNT_UNITS, column_keys

# --- click in Swedish -----------------------------------------------------------

# Every text click passes through gettext, in Swedish; the `{names}` stay as they are.
CLICK_TEXTS = {
    # help pages
    "Usage:": "Användning:",
    "Options": "Alternativ",
    "Commands": "Kommandon",
    "Positional arguments": "Argument",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Show the version and exit.": "Visa versionen och avsluta.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "required": "krävs",
    "default: {default}": "förval: {default}",
    "env var: {var}": "miljövariabel: {var}",
    "(dynamic)": "(beräknas)",
    "deprecated": "utgår",
    # usage errors
    "Error: {message}": "Fel: {message}",
    "Try '{command} {option}' for help.": "Försök med '{command} {option}' för hjälp.",
    "Missing option": "Ange alternativet",
    "Missing argument": "Ange argumentet",
    "Missing parameter": "Ange parametern",
    "Missing {param_type}": "Ange {param_type}",
    "Missing parameter: {param_name}": "Parameter saknas: {param_name}",
    "Missing command.": "Ange ett kommando.",
    "No such option {name!r}.": "Alternativet {name!r} finns inte.",
    "No such command {name!r}.": "Kommandot {name!r} finns inte.",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "Option {name!r} does not take a value.": "Alternativet {name!r} tar inget värde.",
    "Invalid start character for option ({option})": "Ogiltigt första tecken i alternativet ({option})",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} värden.",
    "Value must be an iterable.": "Värdet måste vara en följd av värden.",
    "Choose from:\n\t{choices}": "Välj bland:\n\t{choices}",
    "Choice({choices})": "Val({choices})",
    "{value} is not in the range {range}.": "{value} ligger inte inom {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} är inget giltigt tal.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} är inget sanningsvärde. Giltiga värden: {states}",
    "{value!r} is not a valid UUID.": "{value!r} är inget giltigt UUID.",
    "file": "filen",
    "directory": "katalogen",
    "path": "sökvägen",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en katalog.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} går inte att köra.",
    "Could not open file {filename!r}: {message}": "Filen {filename!r} kan inte öppnas: {message}",
    "unknown error": "okänt fel",
    "Aborted!": "Avbrutet.",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Varning: kommandot {name!r} utgår.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Varning: {name!r} utgår.{extra_message}",
    # prompts, the terminal, shell completion (not used by consolidate, said in Swedish all the same)
    "Do you want to continue?": "Vill du fortsätta?",
    "Confirm the action without prompting.": "Bekräfta utan att fråga.",
    "Repeat for confirmation": "Upprepa för att bekräfta",
    "Error: The two entered values do not match.": "Fel: de två värdena är inte lika.",
    "Error: invalid input": "Fel: ogiltig inmatning",
    "Press any key to continue...": "Tryck på en tangent för att fortsätta …",
    "Unknown color {colour!r}": "Okänd färg {colour!r}",
    "Unknown standard stream '{name}'": "Okänd standardström '{name}'",
    "{editor}: Editing failed": "{editor}: redigeringen misslyckades",
    "{editor}: Editing failed: {e}": "{editor}: redigeringen misslyckades: {e}",
    "Windows error: {error}": "Windows-fel: {error}",
    "d": "d",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Komplettering i skalet fungerar inte med Bash äldre än 4.4.",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Bash-versionen kunde inte avgöras; komplettering i skalet fungerar inte.",
    # mistakes in declaring options (ours, caught by the tests), in Swedish all the same
    "Name '{name}' defined twice": "Namnet '{name}' anges två gånger",
    "Could not determine name for option with declarations {decls!r}":
        "Alternativet med deklarationerna {decls!r} saknar namn",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?": "Ett namn ({name}) utan alternativ: menades ett argument, eller '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        "Ett argument deklareras med exakt ett namn, inte {length}: {decls}.",
    "Boolean option {decl!r} cannot use the same flag for true/false.":
        "Flaggan {decl!r} kan inte ha samma namn för sant och falskt.",
}

# The texts click passes through ngettext: (singular, plural) -> Swedish (singular, plural).
CLICK_PLURALS = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Oväntat argument ({args})", "Oväntade argument ({args})"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Menade du {possibility}?", "(Menade du något av: {possibilities}?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Alternativet {name!r} behöver ett värde.", "Alternativet {name!r} behöver {nargs} värden."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} är inte {choice}.", "{value!r} är inte något av {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} har inte formatet {format}.", "{value!r} har inte något av formaten {formats}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Tar {nargs} värden, men 1 gavs.", "Tar {nargs} värden, men {len} gavs."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} värden krävs, men {len_value} gavs.", "{len_type} värden krävs, men {len_value} gavs."),
}


def swedish_gettext(message: str) -> str:
    return CLICK_TEXTS.get(message, message)


def swedish_ngettext(singular: str, plural: str, n: int) -> str:
    one, many = CLICK_PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


def speak_swedish() -> None:
    """Put the Swedish table in place of gettext in every click module loaded (all
    of those that can speak to a user once `click` is imported)."""
    for name, module in list(sys.modules.items()):
        if name != "click" and not name.startswith("click."):
            continue
        names = vars(module)
        if names.get("_") is gettext.gettext:
            names["_"] = swedish_gettext
        if names.get("ngettext") is gettext.ngettext:
            names["ngettext"] = swedish_ngettext


speak_swedish()  # before the options are made: click.Path names its kind ("filen") when made

OPTIONS = "[ALTERNATIV]"  # in the usage line: `Användning: consolidate run [ALTERNATIV]`
GUIDE = "docs/guide/"


class Period(click.ParamType):
    """`YYYY-MM`, or `previous` (also `föregående`) for the month before today (crontab lines)."""

    name = "ÅÅÅÅ-MM"

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if text.casefold() in ("previous", "föregående"):
            first = dt.date.today().replace(day=1) - dt.timedelta(days=1)
            return f"{first.year:04d}-{first.month:02d}"
        try:
            parsed = dt.datetime.strptime(text, "%Y-%m")
        except ValueError:
            self.fail(f"{text!r} är ingen period: skriv ÅÅÅÅ-MM, t.ex. 2026-04, eller previous", param, ctx)
        return f"{parsed.year:04d}-{parsed.month:02d}"


class Columns(click.ParamType):
    """`--columns utfall,budget,avvikelse`: the columns' keys, in the order given; a name
    that is no column is a usage error before any file is read."""

    name = "LISTA"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            return column_keys(str(value))
        except ValueError as exc:  # its message is Swedish and lists the valid names
            self.fail(str(exc), param, ctx)


def config_option(f):
    return click.option(
        "--config", "config_path", required=True, metavar="FIL",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"region.toml: organisationsträd, indata och kontoplan; se {GUIDE}configuration.md.",
    )(f)


def period_option(f):
    return click.option("--period", required=True, type=Period(), metavar="ÅÅÅÅ-MM",
                        help="Perioden, t.ex. 2026-04, eller previous för månaden före den här.")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             subcommand_metavar="KOMMANDO [ALTERNATIV]...", options_metavar=OPTIONS)
@click.version_option(__version__, prog_name="consolidate")
def main():
    """Sammanställer enheternas resultaträkningar och personalrapporter till
    avvikelsetabeller för regionen och varje förvaltning: i terminalen, som
    Excel-arbetsbok och som JSON.

    \b
    Exempel:
      consolidate run --config config/region.toml --period 2026-04

    Slutstatus: 0 klart; 1 fel i indata; 2 fel i kommandoraden, konfigurationen
    eller historiken; 3 en annan körning pågår.

    Mer i docs/guide/README.md.
    """


def run_options(f):
    """The options `run` and `close` share."""
    options = [
        click.option("--out", "out_dir", metavar="KATALOG", type=click.Path(file_okay=False, path_type=Path),
                     help="Katalog för arbetsboken (förval: [output] directory)."),
        click.option("--json", "json_path", metavar="FIL", type=click.Path(dir_okay=False, path_type=Path),
                     help=f"Skriv också siffrorna som JSON, i kr; se {GUIDE}json.md."),
        click.option("--entity", metavar="KOD",
                     help="Visa den här förvaltningens eller enhetens del av trädet i stället för regionen "
                          "och förvaltningarna."),
        click.option("--report", "report_name", metavar="NAMN",
                     help="Rapportuppställning ur chart.toml (förval: den första)."),
        click.option("--unit", type=click.Choice(list(AMOUNT_UNITS)),
                     help="Beloppsenhet att visa (förval: [region] amount_unit)."),
        click.option("--columns", type=Columns(),
                     help=f"Tabellens kolumner, kommaseparerade, t.ex. utfall,budget,avvikelse,prognos; "
                          f"se {GUIDE}terminal.md."),
        click.option("--comments", is_flag=True,
                     help="Visa enheternas kommentarer i en kolumn Kommentar i driftredovisningen i terminalen."),
        click.option("--no-excel", is_flag=True, help="Skriv ingen Excel-arbetsbok."),
        click.option("--pdf", is_flag=True,
                     help=f"Skriv också månadsrapporten som PDF bredvid arbetsboken; se {GUIDE}pdf.md."),
        click.option("--quiet", "-q", is_flag=True, help="Visa bara fel och en sammanfattande rad (för cron)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@main.command(short_help="Läs, kontrollera och sammanställ en period.", options_metavar=OPTIONS)
@config_option
@period_option
@run_options
def run(config_path, period, **options):
    """Läser, kontrollerar och sammanställer en period; visar avvikelsetabellerna och
    skriver Excel-arbetsboken. Med fel i indata skrivs ingenting (slutstatus 1).

    \b
    Exempel:
      consolidate run --config config/region.toml --period 2026-04
      consolidate run --config config/region.toml --period 2026-04 \\
          --entity RK --unit mkr --json april.json

    Mer i docs/guide/commands.md.
    """
    sys.exit(_guard(lambda: run_command(config_path, period, RunOptions(**options))))


@main.command(short_help="Kör run och spara perioden i historiken.", options_metavar=OPTIONS)
@config_option
@period_option
@run_options
@click.option("--reopen", is_flag=True, help="Spara ändrade indata för en stängd period som en ny version.")
@click.option("--reason", metavar="TEXT", help="Varför perioden öppnas igen; sparas med användarnamnet.")
def close(config_path, period, **options):
    """Kör som run och sparar sedan perioden i historiken bredvid region.toml.

    Stängs perioden igen med samma indata ändras ingenting; med ändrade indata
    vägras stängningen (slutstatus 1) om inte --reopen anges. Arbetsboken och
    JSON-filen läggs på plats först när stängningen är sparad, så historiken och
    utdatakatalogen stämmer alltid överens.

    \b
    Exempel:
      consolidate close --config config/region.toml --period 2026-04
      consolidate close --config config/region.toml --period 2026-04 \\
          --reopen --reason "Rättelse enhet 12"
    I crontab, förra månaden utan tabeller:
      consolidate close --config /srv/region/region.toml --period previous -q

    Mer i docs/guide/commands.md.
    """
    sys.exit(_guard(lambda: run_command(config_path, period, RunOptions(**options), close=True)))


@main.command(short_help="Visa de stängda perioderna och deras versioner.", options_metavar=OPTIONS)
@config_option
@click.option("--period", type=Period(), metavar="ÅÅÅÅ-MM",
              help="Visa periodens versioner och vad som ändrades mellan dem.")
def history(config_path, period):
    """Visar de stängda perioderna: version, tid (lokal), användare, antal filer och
    regionens resultat.

    \b
    Exempel:
      consolidate history --config config/region.toml
      consolidate history --config config/region.toml --period 2026-04

    Mer i docs/guide/commands.md.
    """
    sys.exit(_guard(lambda: history_command(config_path, period)))


@main.command(short_help="Kontrollera periodens filer; skriv inget.", options_metavar=OPTIONS)
@config_option
@period_option
@click.option("--json", "json_path", metavar="FIL", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Skriv också problemen som JSON; se {GUIDE}json.md.")
def validate(config_path, period, json_path):
    """Läser periodens alla filer och visar alla problem på en gång, per enhet och
    med fil, blad och cell; skriver ingenting annat än JSON-filen om den begärs.
    Slutstatus 1 om något problem är ett fel.

    \b
    Exempel:
      consolidate validate --config config/region.toml --period 2026-04
      consolidate validate --config config/region.toml --period 2026-04 \\
          2> problem.txt

    Mer i docs/guide/commands.md.
    """
    sys.exit(_guard(lambda: validate_command(config_path, period, json_path)))


@main.command(short_help="Visa vilka enheter som har lämnat och hur det gick.", options_metavar=OPTIONS)
@config_option
@period_option
@click.option("--json", "json_path", metavar="FIL", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Skriv också läget som JSON; se {GUIDE}json.md.")
@click.option("--feedback", metavar="KATALOG", type=click.Path(file_okay=False, path_type=Path),
              help="Skriv en fil KOD.txt per enhet med dess problem, att skicka tillbaka.")
def status(config_path, period, json_path, feedback):
    """Visar varje enhet i organisationsträdet med läget för dess resultaträkning och
    personalrapport: saknas, fel, varningar eller klar, med filer och när de ändrades,
    och hur många enheter som är i varje läge. Slutstatus 0 vilket läget än är.

    \b
    Exempel:
      consolidate status --config config/region.toml --period 2026-04
      consolidate status --config config/region.toml --period previous \\
          --feedback aterkoppling/

    Mer i docs/guide/commands.md.
    """
    from consolidate.commands.status import status_command  # start-up: only this command

    sys.exit(_guard(lambda: status_command(config_path, period, json_path, feedback)))


@main.command(short_help="Skriv mallar att skicka ut till enheterna.", options_metavar=OPTIONS)
@config_option
@period_option
@click.option("--out", "out_dir", metavar="KATALOG", type=click.Path(file_okay=False, path_type=Path),
              help="Katalog för mallarna (förval: utdatakatalogen/mallar).")
def templates(config_path, period, out_dir):
    """Skriver för varje enhet en resultaträkning och en personalrapport att fylla i:
    rubrikblocket ifyllt, en rad per konto enheten rapporterade senast stängda period
    (annars en rad per kontoplansrad), och bara belopp att fylla i.

    \b
    Exempel:
      consolidate templates --config config/region.toml --period 2026-05 \\
          --out mallar/

    Mer i docs/guide/commands.md.
    """
    from consolidate.commands.templates import templates_command  # start-up: only this command

    sys.exit(_guard(lambda: templates_command(config_path, period, out_dir)))


@main.command(short_help="Förklara en siffra ned till cellerna den kommer från.", options_metavar=OPTIONS)
@config_option
@period_option
@click.option("--entity", required=True, metavar="KOD", help="Enheten, förvaltningen eller regionen.")
@click.option("--row", required=True, metavar="RAD", help="Rapportens rad, t.ex. 'Verksamhetens nettokostnad'.")
@click.option("--report", "report_name", metavar="NAMN", help="Rapporten (förval: den första).")
@click.option("--measure", default="actual", metavar="MÅTT",
              help="actual (förval), budget, prior, annual_budget, forecast, prior_full_year eller en "
                   "avvikelse: var_budget, var_prior, var_forecast.")
@click.option("--unit", type=click.Choice(list(AMOUNT_UNITS)), help="Beloppsenhet i tabellerna.")
@click.option("--json", "json_path", metavar="FIL", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Skriv också förklaringen som JSON; se {GUIDE}json.md.")
@click.option("--closed", is_flag=True, help="Förklara den stängda perioden ur historiken, utan filerna.")
@click.option("--version", "close_version", type=click.IntRange(min=1), metavar="N",
              help="Med --closed: den stängda versionen (förval: den senaste).")
def explain(config_path, period, entity, row, report_name, measure, unit, json_path, closed, close_version):
    """Visar siffran och vad den består av: per enhet under, per konto och motpart
    med fil, blad och cell, vad som eliminerats och justeringar. Delarna summerar
    alltid till siffran.

    \b
    Exempel:
      consolidate explain --config config/region.toml --period 2026-04 \\
          --entity HSF --row "Verksamhetens nettokostnad"

    Mer i docs/guide/commands.md.
    """
    from consolidate.commands.explain import explain_command  # start-up: only this command

    sys.exit(_guard(lambda: explain_command(config_path, period, entity, row, report_name, measure, json_path,
                                            unit, closed, close_version)))


@main.command(short_help="Skapa en ny region ur en månads leveranser.", options_metavar=OPTIONS)
@click.option("--income", required=True, metavar="MÖNSTER",
              help='Resultaträkningarna, t.ex. "leveranser/2026-04/resultat/*.xlsx" (inom citattecken).')
@click.option("--staffing", metavar="MÖNSTER",
              help='Personalrapporterna, t.ex. "leveranser/2026-04/personal/*.xlsx".')
@click.argument("directory", metavar="KATALOG", type=click.Path(file_okay=False, path_type=Path))
def init(income, staffing, directory):
    """Skapar en ny region i KATALOG ur en månads leveranser: region.toml, chart.toml med
    resultaträkningens uppställning enligt lagen om kommunal bokföring och redovisning,
    organisation.xlsx med varje enhet som hittades och kontoplan.xlsx med varje konto och
    en föreslagen rad. Det som inte gick att avgöra lämnas tomt och listas. Skriver aldrig
    över befintliga filer (slutstatus 2).

    \b
    Exempel:
      consolidate init --income "leveranser/2026-04/resultat/*.xlsx" \\
          --staffing "leveranser/2026-04/personal/*.xlsx" region

    Mer i docs/guide/organisation.md.
    """
    from consolidate.commands.init import init_command  # start-up: only this command

    sys.exit(_guard(lambda: init_command(income, staffing, directory)))


def entry() -> None:
    """The `consolidate` command: `main` as a short-lived batch process.

    A run allocates millions of small objects (cells, rows, JSON records) and keeps
    most of them to the end, so the cyclic garbage collector, which by default looks
    at all of them again and again, is asked to run far less often. At the end,
    with every output written, closed and flushed and the lock released, the process
    exits at once rather than freeing each object one by one (a tenth of a second
    at 2,000 units)."""
    gc.set_threshold(50_000, 20, 100)
    code: object
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


def _guard(action) -> int:
    """Run a command; turn configuration errors and anything unexpected into a message."""
    try:
        return action()
    except ConfigError as exc:
        click.echo(plain(f"konfigurationsfel: {exc}"), err=True)
        return EXIT_USAGE
    except Locked as exc:
        click.echo(plain(str(exc)), err=True)
        return EXIT_LOCKED
    except StoreError as exc:  # busy: another program holds the store; else damaged, full, unwritable
        click.echo(plain(f"historikfel: {exc}"), err=True)
        return EXIT_LOCKED if exc.busy else EXIT_USAGE
    except BrokenPipeError:  # the reader of stdout has gone (before the OSError it is)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # an output folder that cannot be written, a full disk
        name = exc.filename
        where = f" {name.decode(errors='replace') if isinstance(name, bytes) else one_line(str(name))}" if name else ""
        click.echo(plain(f"kan inte skriva{where}: {os_error_text(exc)}"), err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("avbruten", err=True)
        return 130
    except Exception as exc:  # a bug of ours: say so in one line, not a traceback
        if os.environ.get("CONSOLIDATE_DEBUG"):
            raise
        message = (f"internt fel: ett fel i consolidate, inte i indata ({type(exc).__name__}); "
                   "kör igen med CONSOLIDATE_DEBUG=1 för detaljer och rapportera det")
        click.echo(message, err=True)
        return EXIT_DATA
