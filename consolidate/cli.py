"""The command line: parse options, call the pipeline, render, set the exit status.

Exit status (SPEC §4): 0 done; 1 input data invalid; 2 usage or configuration error;
3 another run holds the lock. No traceback reaches a user.
"""

from __future__ import annotations

import datetime as dt
import gc
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
from consolidate.problems import ConfigError
from consolidate.runtime.lock import Locked
from consolidate.sanitize import plain


class Period(click.ParamType):
    """`YYYY-MM`, or `previous` for the month before today (crontab lines)."""

    name = "YYYY-MM"

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if text.casefold() == "previous":
            first = dt.date.today().replace(day=1) - dt.timedelta(days=1)
            return f"{first.year:04d}-{first.month:02d}"
        try:
            parsed = dt.datetime.strptime(text, "%Y-%m")
        except ValueError:
            self.fail(f"{text!r} är ingen period: skriv ÅÅÅÅ-MM, t.ex. 2026-04, eller previous", param, ctx)
        return f"{parsed.year:04d}-{parsed.month:02d}"


def config_option(f):
    return click.option(
        "--config", "config_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
        help="region.toml: organisation tree, inputs, chart.",
    )(f)


def period_option(f):
    return click.option("--period", required=True, type=Period(), help="YYYY-MM, or 'previous'.")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="consolidate")
def main():
    """Consolidate a Swedish region's unit income statements and staffing sheets
    into variance tables for every administration and the region.

    Example: consolidate run --config config/region.toml --period 2026-04
    """


def run_options(f):
    """The options `run` and `close` share."""
    options = [
        click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Output directory (overrides [output] directory)."),
        click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Also write the figures as JSON (SPEC §5), in kr."),
        click.option("--entity", help="Show this entity's subtree instead of the region and administrations."),
        click.option("--report", "report_name", help="Report layout of the chart (default: the first)."),
        click.option("--unit", type=click.Choice(["kr", "tkr", "mkr"]),
                     help="Display unit (default: [region] amount_unit)."),
        click.option("--no-excel", is_flag=True, help="Do not write the Excel workbook."),
        click.option("--quiet", "-q", is_flag=True, help="Print only errors and a one-line summary (for cron)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@main.command()
@config_option
@period_option
@run_options
def run(config_path, period, **options):
    """Read, check and consolidate a period; print the variance tables and write the
    Excel workbook.

    Example: consolidate run --config config/region.toml --period 2026-04 --json out.json
    """
    sys.exit(_guard(lambda: run_command(config_path, period, RunOptions(**options))))


@main.command()
@config_option
@period_option
@run_options
@click.option("--reopen", is_flag=True, help="Record changed inputs of a closed period as a new version.")
@click.option("--reason", help="Why the period is reopened; recorded with the user name.")
def close(config_path, period, **options):
    """Run, then record the period in the history store beside the config.

    Closing again with the same inputs changes nothing; with changed inputs it is
    refused (exit 1) unless --reopen is given. The outputs are put in place only once
    the close is recorded, so the store and the output folder always agree.

    Example: consolidate close --config config/region.toml --period 2026-04 --reopen --reason "Rättelse enhet 12"

    Example (crontab, 06:00 on the 5th): consolidate close --config /srv/region/region.toml --period previous --quiet
    """
    sys.exit(_guard(lambda: run_command(config_path, period, RunOptions(**options), close=True)))


@main.command()
@config_option
@click.option("--period", type=Period(), help="List the versions of this period and what changed between them.")
def history(config_path, period):
    """List the closed periods: version, local time, user, files, region result.

    Example: consolidate history --config config/region.toml --period 2026-04
    """
    sys.exit(_guard(lambda: history_command(config_path, period)))


@main.command()
@config_option
@period_option
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the problems as the JSON `checks` list.")
def validate(config_path, period, json_path):
    """Check every file of a period and list every problem at once; write nothing.

    Example: consolidate validate --config config/region.toml --period 2026-04
    """
    sys.exit(_guard(lambda: validate_command(config_path, period, json_path)))


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
        where = f" {exc.filename}" if exc.filename else ""
        click.echo(plain(f"kan inte skriva{where}: {exc.strerror or exc}"), err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("avbruten", err=True)
        return 130
    except Exception as exc:  # a bug of ours: say so in one line, not a traceback
        if os.environ.get("CONSOLIDATE_DEBUG"):
            raise
        message = f"internt fel ({type(exc).__name__}: {exc}); kör med CONSOLIDATE_DEBUG=1 för detaljer"
        click.echo(plain(message), err=True)
        return EXIT_DATA
