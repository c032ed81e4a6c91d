"""Problems found in input files or configuration, collected as data.

Readers and checks never print or exit: they return `Problem` records, so that
`validate` can show every one at once and `run` can refuse to go on when any is an
error. Rendering happens only at the edges (cli, json, excel).
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass, field

from consolidate.vocabulary import SEVERITY_NAMES

ERROR = "error"
WARNING = "warning"
CHECK_DETAILS = ("party", "counterparty", "measure", "difference")

# Every check a run makes, in the order a controller reads them, with what it asks.
CHECKS = {
    "no_files": "Filer för perioden hittades",
    "not_a_workbook": "Bara arbetsböcker bland filerna",
    "input": "Filerna går att läsa: rubrikrad, belopp, formler med sparat värde",
    "hidden_sheet": "Inget dolt blad med innehåll hoppas över",
    "old_format": "Arbetsböckerna är i ett format där Excels felvärden kan upptäckas",
    "missing_measure": "Alla mått finns som kolumner",
    "control_total": "Summaraderna stämmer med raderna",
    "wrong_period": "Filernas period är körningens",
    "unknown_unit": "Enheterna finns i organisationsträdet",
    "missing_unit": "Varje enhet har lämnat resultaträkning och personalrapport",
    "duplicate_unit": "Ingen enhet har lämnat samma rapport två gånger",
    "unmapped_account": "Varje konto finns i kontoplanen",
    "reversed_signs": "Beloppen har rapportens tecken: intäkter plus, kostnader minus",
    "unknown_counterparty": "Varje Motpart är en enhets motpartskod eller en känd extern part",
    "internal_mismatch": "Internhandeln stämmer mellan parterna",
    "adjustment": "Justeringarna går att läsa och gäller enheter och rader som finns",
    "missing_comment": "Enheter med stor avvikelse mot budget har kommenterat den",
    "staffing_breakdown": "Personalen kan delas upp på kön, åldersgrupp och personalgrupp",
}


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    unit: str | None = None
    severity: str = ERROR
    check: str = "input"
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Text from files never starts a new line: every output is one line a problem.
        for name in ("message", "file", "sheet", "cell", "unit"):
            text = getattr(self, name)
            if isinstance(text, str) and not text.isprintable():
                object.__setattr__(self, name, one_line(text))

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        """`file, blad X, cell B7` as far as they are known; a place that is not a cell
        reference (`rad 13`) stands as it is."""
        cell = self.cell and (f"cell {self.cell}" if _A1.match(self.cell) else self.cell)
        parts = [p for p in (self.file, self.sheet and f"blad {self.sheet}", cell) if p]
        return ", ".join(parts)

    def line(self) -> str:
        """One line for stderr: `fel: file, blad X, cell B7: message` (the severity in
        Swedish; the JSON keeps `error`/`warning`)."""
        where = self.location()
        word = severity_word(self.severity)
        return f"{word}: {where}: {self.message}" if where else f"{word}: {self.message}"

    def as_check(self) -> dict:
        """The record of SPEC §5 `checks`: the same keys for every kind of check, null
        where a key does not apply (file/sheet/cell/unit for a problem in a file;
        party/counterparty/measure/difference for internal trade)."""
        record = {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "unit": self.unit,
        }
        for key in CHECK_DETAILS:
            record[key] = self.extra.get(key)
        return record


class ConfigError(Exception):
    """A mistake in region.toml or chart.toml: exit status 2."""

    def __init__(self, file: str, key: str | None, message: str):
        self.file, self.key, self.message = file, key, message
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {message}")


_A1 = re.compile(r"\$?[A-Z]{1,3}\$?[0-9]")  # a cell reference: B7, $B$7, B7:D9


def severity_word(severity: str) -> str:
    """`error` -> `fel`, `warning` -> `varning`: how a problem line begins."""
    return SEVERITY_NAMES.get(severity, severity).lower()


# What the operating system's (English) error texts mean, as a user is told.
_OS_ERRORS = {
    errno.ENOSPC: "disken är full",
    errno.EDQUOT: "diskkvoten är slut",
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.ENOENT: "finns inte",
    errno.ENOTDIR: "en del av sökvägen är ingen katalog",
    errno.EISDIR: "är en katalog",
    errno.EEXIST: "finns redan",
    errno.EROFS: "skrivskyddat filsystem",
    errno.ENAMETOOLONG: "namnet är för långt",
    errno.EFBIG: "filen är för stor",
    errno.EMFILE: "för många öppna filer",
    errno.ENFILE: "för många öppna filer",
    errno.EIO: "läs- eller skrivfel på disken",
    errno.EBUSY: "används av ett annat program",
    errno.ELOOP: "för många symboliska länkar",
    errno.ETXTBSY: "används av ett annat program",
}


def os_error_text(exc: OSError) -> str:
    """An operating-system error said in Swedish (its own text is English): `disken är
    full`, `behörighet saknas`; an error without a phrase here is named by its code."""
    known = _OS_ERRORS.get(exc.errno) if exc.errno is not None else None
    if known is not None:
        return known
    code = errno.errorcode.get(exc.errno) if exc.errno is not None else None
    return f"systemfel {code}" if code else "okänt systemfel"


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def one_line(text: str) -> str:
    """Text as one line: control characters and line breaks become spaces, and what
    is left of bytes that were no UTF-8 (a file name's) becomes U+FFFD."""
    return _UNPRINTABLE.sub(lambda m: "\ufffd" if m.group() >= "\ud800" else " ", text)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)


def cell_name(row: int, col: int) -> str:
    """Excel name of a zero-based (row, col): (0, 0) -> 'A1'."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"
