"""Reading a TOML file of the configuration, every failure a `ConfigError`, said in
Swedish (tomllib's own texts are English)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from consolidate.problems import ConfigError, os_error_text

# tomllib's messages, by how they begin, and what they mean.
_TOML_MISTAKES = (
    ("Expected '=' after a key", "'=' saknas efter nyckeln"),
    ("Expected newline or end of document", "ny rad väntades efter värdet"),
    ("Expected ']]'", "']]' saknas efter tabellnamnet"),
    ("Expected ']'", "']' saknas efter tabellnamnet"),
    ("Expected", "ett tecken saknas"),
    ("Invalid statement", "raden är varken nyckel = värde eller [tabell]"),
    ("Invalid initial character for a key part", "nyckeln börjar med ett otillåtet tecken"),
    ("Invalid value", "ogiltigt värde (text skrivs inom citattecken)"),
    ("Invalid date or datetime", "ogiltigt datum eller tid"),
    ("Invalid hex value", "ogiltigt hexadecimalt värde"),
    ("Unclosed array", "listan avslutas inte (']' saknas)"),
    ("Unclosed inline table", "tabellen inom klamrar avslutas inte ('}' saknas)"),
    ("Unterminated string", "texten avslutas inte (citattecken saknas)"),
    ("Unescaped '\\'", "ensamt '\\' i en text: skriv '\\\\' eller använd enkla citattecken"),
    ("Escaped character is not a Unicode scalar value", "ogiltigt tecken i en text"),
    ("Illegal character", "otillåtet tecken"),
    ("Found invalid character", "otillåtet tecken"),
    ("Cannot declare", "samma tabell anges två gånger"),
    ("Cannot redefine namespace", "samma tabell anges två gånger"),
    ("Cannot overwrite a value", "samma nyckel anges två gånger"),
    ("Duplicate inline table key", "samma nyckel anges två gånger"),
    ("Cannot mutate immutable namespace", "en tabell som redan är given som värde ändras"),
)
_WHERE = re.compile(r"\(at (?:line (\d+), column (\d+)|end of document)\)")


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(str(path), None, "filen finns inte") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), None, f"ogiltig TOML: {toml_mistake(str(exc))}") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), None, "kan inte läsas: filen är inte sparad som UTF-8") from None
    except OSError as exc:
        raise ConfigError(str(path), None, f"kan inte läsas: {os_error_text(exc)}") from None


def toml_mistake(message: str) -> str:
    """tomllib's message in Swedish: `Invalid value (at line 3, column 9)` ->
    `ogiltigt värde (text skrivs inom citattecken), rad 3, kolumn 9`."""
    what = next((swedish for english, swedish in _TOML_MISTAKES if message.startswith(english)), "felaktig rad")
    where = _WHERE.search(message)
    if where is None:
        return what
    if where.group(1) is None:
        return f"{what}, i slutet av filen"
    return f"{what}, rad {where.group(1)}, kolumn {where.group(2)}"
