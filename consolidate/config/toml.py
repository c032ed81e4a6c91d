"""Reading a TOML file of the configuration, every failure a `ConfigError`."""

from __future__ import annotations

import tomllib
from pathlib import Path

from consolidate.problems import ConfigError


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(str(path), None, "filen finns inte (file not found)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), None, f"ogiltig TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, f"kan inte läsas: {exc}") from None
