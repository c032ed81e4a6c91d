"""The region's common chart: detail lines with account patterns, and report layouts.

Account patterns are prefixes ("401") or inclusive ranges of equal length
("4020-4029"). A range is expanded into the prefixes it covers, so matching an
account is a dictionary look-up per pattern length, longest first, and two equally
specific patterns for one account show up as a clash while loading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from consolidate.config.tables import Table
from consolidate.config.toml import read_toml
from consolidate.problems import ConfigError

_PREFIX = re.compile(r"^\d{1,6}$")
_RANGE = re.compile(r"^(\d{1,6})\s*-\s*(\d{1,6})$")
_MAX_RANGE = 1_000_000


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    accounts: tuple[str, ...]
    revenue: bool = False  # counts as revenue for "result as % of revenue"


@dataclass(frozen=True)
class ReportRow:
    name: str
    lines: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()
    total: bool = False


@dataclass(frozen=True)
class Report:
    name: str
    rows: tuple[ReportRow, ...]
    weights: tuple[tuple[float, ...], ...]  # rows x lines: how many times each detail line counts in a row


@dataclass(frozen=True)
class Chart:
    path: str
    lines: tuple[Line, ...]
    reports: tuple[Report, ...]
    prefixes: dict[int, dict[str, str]]  # pattern length -> prefix -> line code

    @cached_property
    def line_codes(self) -> tuple[str, ...]:
        return tuple(line.code for line in self.lines)

    @cached_property
    def revenue_lines(self) -> tuple[str, ...]:
        """Lines of revenue (by default those whose accounts are all in class 3)."""
        return tuple(line.code for line in self.lines if line.revenue)

    @cached_property
    def line_names(self) -> dict[str, str]:
        return {line.code: line.name for line in self.lines}

    def report(self, name: str | None) -> Report | None:
        if name is None:
            return self.reports[0]
        wanted = name.casefold()
        return next((r for r in self.reports if r.name.casefold() == wanted), None)

    def line_of(self, account: str) -> str | None:
        """The detail line of an account code; the longest matching pattern wins."""
        for length in self._lengths:
            if length <= len(account):
                line = self.prefixes[length].get(account[:length])
                if line is not None:
                    return line
        return None

    @cached_property
    def _lengths(self) -> tuple[int, ...]:
        return tuple(sorted(self.prefixes, reverse=True))


def load_chart(path: Path, mapping: Table | None = None) -> Chart:
    """chart.toml, and the rows of the mapping table (`[chart] mapping`, SPEC §11),
    which add account patterns to its detail lines under the same rules."""
    file = str(path)
    doc = read_toml(path)
    raw_lines = doc.get("line")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise ConfigError(file, "[[line]]", "kontoplanen saknar rader ([[line]])")
    found: list[tuple[str, str, list[str], object]] = []  # code, name, patterns, revenue as written
    patterns: list[tuple[str, str, str, str]] = []  # pattern, line code, file, key
    seen: set[str] = set()
    for i, item in enumerate(raw_lines):
        where = f"line[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("code"), str) or not item["code"].strip():
            raise ConfigError(file, f"{where}.code", "varje rad behöver en kod (text)")
        code = item["code"].strip()
        if code in seen:
            raise ConfigError(file, f"{where}.code", f"radkoden {code!r} förekommer två gånger")
        seen.add(code)
        accounts = item.get("accounts", [])
        if isinstance(accounts, str):
            accounts = [accounts]
        if not isinstance(accounts, list):
            raise ConfigError(file, f"{where}.accounts", "måste vara en lista med konton")
        accounts = [str(a).strip() for a in accounts]
        patterns += [(pattern, code, file, f"{where}.accounts[{j}]") for j, pattern in enumerate(accounts)]
        found.append((code, str(item.get("name", code)), accounts, item.get("revenue")))
    if mapping is not None:
        patterns += _mapping_patterns(mapping, seen, file)
    prefixes = _prefixes(patterns, file)
    added: dict[str, list[str]] = {}
    for pattern, code, source, _ in patterns:
        if source != file:
            added.setdefault(code, []).append(pattern)
    lines: list[Line] = []
    for i, (code, name, accounts, revenue) in enumerate(found):
        every = accounts + added.get(code, [])
        if revenue is None:
            revenue = bool(every) and all(a.startswith("3") for a in every)
        if not isinstance(revenue, bool):
            raise ConfigError(file, f"line[{i}].revenue", "måste vara true eller false")
        lines.append(Line(code, name, tuple(every), revenue))
    line_codes = [line.code for line in lines]
    reports = _load_reports(doc, file, line_codes)
    return Chart(file, tuple(lines), reports, prefixes)


def _mapping_patterns(mapping: Table, lines: set[str], chart_file: str) -> list[tuple[str, str, str, str]]:
    """The mapping table's rows as (pattern, line code, file, place); a row whose line
    chart.toml does not have, or without an account or a line, is an error."""
    found = []
    for number, values in mapping.rows:
        pattern, line = values.get("account", ""), values.get("line", "")
        if not pattern:
            raise ConfigError(mapping.file, mapping.place(number, "account"),
                              f"kontot saknas (raden har Rad {line!r})" if line else "kontot saknas")
        if not line:
            raise ConfigError(mapping.file, mapping.place(number, "line"),
                              f"raden i kontoplanen saknas för konto {pattern!r}; ange koden för en rad i "
                              f"{chart_file}")
        if line not in lines:
            known = ", ".join(sorted(lines)[:12]) + (", …" if len(lines) > 12 else "")
            raise ConfigError(mapping.file, mapping.place(number, "line"),
                              f"raden {line!r} finns inte i {chart_file} (där finns {known})")
        found.append((pattern, line, mapping.file, mapping.place(number, "account")))
    return found


def _prefixes(patterns: list[tuple[str, str, str, str]], chart_file: str) -> dict[int, dict[str, str]]:
    """Every pattern expanded to prefixes: pattern length -> prefix -> line code. Two
    equally specific patterns for different lines are an error naming both places."""
    prefixes: dict[int, dict[str, str]] = {}
    owner: dict[str, tuple[str, str, str]] = {}  # prefix -> (pattern, file, key) of the first to claim it
    for pattern, code, source, key in patterns:
        for prefix in _expand(pattern, source, key):
            line = prefixes.setdefault(len(prefix), {}).setdefault(prefix, code)
            if line != code:
                first, first_file, first_key = owner[prefix]
                place = "" if (first_file, source) == (chart_file, chart_file) else f", {first_file} {first_key}"
                raise ConfigError(
                    source, key,
                    f"mönstret {pattern!r} ({code}) och {first!r} ({line}{place}) är lika specifika för konto {prefix}",
                )
            owner.setdefault(prefix, (pattern, source, key))
    return prefixes


def _expand(pattern: str, file: str, key: str) -> list[str]:
    if _PREFIX.match(pattern):
        return [pattern]
    match = _RANGE.match(pattern)
    if not match:
        raise ConfigError(file, key, f"{pattern!r} är varken ett kontoprefix eller ett intervall som 4020-4029")
    low, high = match.groups()
    if len(low) != len(high) or int(low) > int(high):
        raise ConfigError(file, key, f"intervallet {pattern!r} måste ha lika långa gränser, den lägre först")
    if int(high) - int(low) >= _MAX_RANGE:
        raise ConfigError(file, key, f"intervallet {pattern!r} är för stort")
    return [str(n).zfill(len(low)) for n in range(int(low), int(high) + 1)]


def _load_reports(doc: dict, file: str, line_codes: list[str]) -> tuple[Report, ...]:
    raw = doc.get("report")
    if raw is None:
        everything = ReportRow("Resultat", lines=tuple(line_codes), total=True)
        return (_report("Resultat", [everything], line_codes),)
    if not isinstance(raw, list) or not raw:
        raise ConfigError(file, "[[report]]", "måste vara en lista med rapporter")
    reports, names = [], set()
    for i, item in enumerate(raw):
        where = f"report[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(file, where, "måste vara en tabell")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(file, f"{where}.name", "rapporten behöver ett namn")
        if name.casefold() in names:
            raise ConfigError(file, f"{where}.name", f"rapporten {name!r} förekommer två gånger")
        names.add(name.casefold())
        rows = _load_rows(item.get("rows"), file, where, line_codes)
        reports.append(_report(name.strip(), rows, line_codes))
    return tuple(reports)


def _load_rows(raw: object, file: str, where: str, line_codes: list[str]) -> list[ReportRow]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(file, f"{where}.rows", "rapporten behöver rader")
    known_lines, rows, names = set(line_codes), [], set()
    for j, item in enumerate(raw):
        key = f"{where}.rows[{j}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ConfigError(file, key, "varje rad behöver name och lines eller rows")
        name = item["name"].strip()
        if name in names:
            raise ConfigError(file, f"{key}.name", f"raden {name!r} förekommer två gånger i rapporten")
        lines, subrows = _names(item, "lines", file, key), _names(item, "rows", file, key)
        if not lines and not subrows:
            raise ConfigError(file, key, f"raden {name!r} summerar varken lines eller rows")
        for line in lines:
            if line not in known_lines:
                raise ConfigError(file, f"{key}.lines", f"okänd kontoplansrad {line!r}")
        for sub in subrows:
            if sub not in names:
                raise ConfigError(file, f"{key}.rows", f"{sub!r} är ingen tidigare rad i rapporten")
        total = item.get("total", bool(subrows))
        if not isinstance(total, bool):
            raise ConfigError(file, f"{key}.total", "måste vara true eller false")
        names.add(name)
        rows.append(ReportRow(name, lines, subrows, total))
    return rows


def _names(item: dict, key: str, file: str, where: str) -> tuple[str, ...]:
    value = item.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(file, f"{where}.{key}", "måste vara en lista med namn")
    return tuple(v.strip() for v in value)


def _report(name: str, rows: list[ReportRow], line_codes: list[str]) -> Report:
    """Weights of detail lines per row, so a report is one matrix product."""
    index = {code: k for k, code in enumerate(line_codes)}
    weights = [[0.0] * len(line_codes) for _ in rows]
    position: dict[str, int] = {}
    for r, row in enumerate(rows):
        for line in row.lines:
            weights[r][index[line]] += 1
        for sub in row.rows:
            weights[r] = [a + b for a, b in zip(weights[r], weights[position[sub]])]
        position[row.name] = r
    return Report(name, tuple(rows), tuple(map(tuple, weights)))
