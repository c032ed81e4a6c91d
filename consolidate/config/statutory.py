"""The statutory layout of a region's resultaträkning (lag om kommunal bokföring och
redovisning, as SPEC §3's example chart): the detail lines and the report that
`consolidate init` writes into a new chart.toml, and the line an account's class
suggests (Region-Bas: 3 intäkter, 4 personal, 5–7 övriga kostnader, 78 avskrivningar,
80 skatter, 82 generella statsbidrag, 84/85 finansiella poster)."""

from __future__ import annotations

# code, name, the account prefixes whose accounts it is suggested for
LINES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("intakter", "Verksamhetens intäkter", ("3",)),
    ("personal", "Personalkostnader", ("4",)),
    ("ovrkost", "Övriga verksamhetskostnader", ("5", "6", "70", "71", "72", "73", "74", "75", "76", "77", "79")),
    ("elimdiff", "Differens internposter", ()),
    ("avskr", "Avskrivningar", ("78",)),
    ("skatt", "Skatteintäkter", ("80",)),
    ("gstb", "Generella statsbidrag och utjämning", ("82",)),
    ("finint", "Finansiella intäkter", ("84",)),
    ("finkost", "Finansiella kostnader", ("85",)),
)

# The line eliminations put a difference between two parties' internal trade on (SPEC §8).
DIFFERENCE_LINE = "elimdiff"

# The report: (row name, detail lines, earlier rows it sums); a row of earlier rows is a total.
REPORT_NAME = "Resultaträkning"
REPORT: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Verksamhetens intäkter", ("intakter",), ()),
    ("Personalkostnader", ("personal",), ()),
    ("Övriga verksamhetskostnader", ("ovrkost",), ()),
    ("Differens internposter", ("elimdiff",), ()),
    ("Verksamhetens kostnader", (), ("Personalkostnader", "Övriga verksamhetskostnader", "Differens internposter")),
    ("Avskrivningar", ("avskr",), ()),
    ("Verksamhetens nettokostnad", (), ("Verksamhetens intäkter", "Verksamhetens kostnader", "Avskrivningar")),
    ("Skatteintäkter", ("skatt",), ()),
    ("Generella statsbidrag och utjämning", ("gstb",), ()),
    ("Verksamhetens resultat", (), ("Verksamhetens nettokostnad", "Skatteintäkter",
                                    "Generella statsbidrag och utjämning")),
    ("Finansiella intäkter", ("finint",), ()),
    ("Finansiella kostnader", ("finkost",), ()),
    ("Resultat efter finansiella poster", (), ("Verksamhetens resultat", "Finansiella intäkter",
                                               "Finansiella kostnader")),
)


def suggested_line(account: str) -> str | None:
    """The statutory line an account's class suggests (the longest prefix that fits),
    or None (balance sheet accounts, classes 1–2, and 8 other than 80, 82, 84, 85)."""
    best, length = None, 0
    for code, _, prefixes in LINES:
        for prefix in prefixes:
            if account.startswith(prefix) and len(prefix) > length:
                best, length = code, len(prefix)
    return best
