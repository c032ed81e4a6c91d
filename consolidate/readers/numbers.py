"""Numbers in Swedish style, as units type them into cells that are text."""

from __future__ import annotations

import re

# Larger than any real amount (in kr) or number of hours: a typo or a corrupted cell,
# and sums of such values would overflow to infinity.
MAX_AMOUNT = 1e15

# Space, no-break space, thin space, narrow no-break space, figure space.
_SPACES = " \u00a0\u2009\u202f\u2007"
_MINUSES = "\u2212\u2013-"
# Digits are 0-9 only, the decimal sign is a comma: a point is a thousands separator in
# some countries and a decimal sign in others, so `1.234` is refused as ambiguous.
_NUMBER = re.compile(
    r"^(?P<sign>[+\u2212\u2013-]?)"
    r"(?P<int>[0-9]{1,3}(?:[" + _SPACES + r"][0-9]{3})+|[0-9]+)"
    r"(?:,(?P<frac>[0-9]+))?"
    r"(?P<trail>[\u2212-]?)$"
)


_NO_SPACES = str.maketrans("", "", _SPACES)
_STRIP = _SPACES + "\t\r\n"


def parse_amount(value: object) -> float | None:
    """A cell value as a number, or None when it is not one.

    Accepts numbers; empty text (0); Swedish text such as `1 234,5`, `-1 234`,
    `−1 234` (U+2212), `(1 234)` and `1 234-` for a negative amount, with space, no-break space or
    thin space between thousands. Booleans, NaN, infinities and numbers beyond
    `MAX_AMOUNT` are not amounts; nor is text with a point (`1.234`, ambiguous) or
    with two signs (`(−1 000)`, `--5`, `-(5)`); `text_problem` says why.
    """
    if type(value) is float:
        return value if -MAX_AMOUNT <= value <= MAX_AMOUNT else None  # NaN compares false
    if type(value) is str:
        return parse_text(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, str):
        return parse_text(value)
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        return None
    return number if -MAX_AMOUNT <= number <= MAX_AMOUNT else None


_PLAIN = re.compile(r"[+\u2212\u2013-]?(?:[0-9]{1,3}(?:[" + _SPACES + r"][0-9]{3})+|[0-9]+)(?:,[0-9]+)?")
_TO_FLOAT = str.maketrans({**{c: None for c in _SPACES}, "\u2212": "-", "\u2013": "-", ",": ".", "(": "-", ")": None})


_IN_PARENTHESES = r"\((?:[0-9]{1,3}(?:[" + _SPACES + r"][0-9]{3})+|[0-9]+)(?:,[0-9]+)?\)"  # "(1 234,5)": negative
_CELL = f"(?:{_PLAIN.pattern}|{_IN_PARENTHESES})"
_PLAIN_LINES = re.compile(f"(?:{_CELL}\n)*{_CELL}")


def plain_texts(values: list) -> list[float] | None:
    """The amounts of a column whose cells are all plain text amounts ("−1 234",
    "1 234,50", "(1 234,5)"), found in one pass over the column; None when any cell is
    something else (then each cell is parsed on its own)."""
    if not values:
        return None
    try:
        joined = "\n".join(values)  # an Excel error value (CellError) is text, but never an amount
    except TypeError:  # a cell that is no text
        return None
    if _PLAIN_LINES.fullmatch(joined) is None:
        return None
    numbers = list(map(float, _as_floats(joined).split("\n")))  # digits only: never NaN
    if len(numbers) != len(values) or min(numbers) < -MAX_AMOUNT or max(numbers) > MAX_AMOUNT:
        return None  # a cell with a line break in it, or an amount beyond reason
    return numbers


def plain_numbers(values: list) -> bool:
    """Whether every cell is a number (float) of reasonable size, found in a few passes
    of C over the column rather than a Python loop (the common case of a column)."""
    if not values:
        return True
    if type(values[0]) is not float or len(set(map(type, values))) != 1:
        return False
    if min(values) <= -MAX_AMOUNT or max(values) >= MAX_AMOUNT:
        return False
    total = sum(values)  # NaN when any cell is (min and max may pass one over)
    return total == total


def _as_floats(text: str) -> str:
    """`text.translate(_TO_FLOAT)` for text that matched `_PLAIN_LINES`: each character
    replaced in one pass over the text is many times faster for a whole column than a
    translation, which looks every character up."""
    for space in _SPACES:
        if space in text:
            text = text.replace(space, "")
    if "\u2212" in text:
        text = text.replace("\u2212", "-")
    if "\u2013" in text:
        text = text.replace("\u2013", "-")
    if "(" in text:
        text = text.replace("(", "-").replace(")", "")
    return text.replace(",", ".")


def parse_text(value: str) -> float | None:
    """`parse_amount` of text."""
    text = value.strip(_STRIP)
    if _PLAIN.fullmatch(text):  # the common forms, "−1 234" and "1 234,50", in one step
        number = float(text.translate(_TO_FLOAT))
        return number if -MAX_AMOUNT <= number <= MAX_AMOUNT else None
    if not text:
        return 0.0
    negative = False
    if text[0] == "(" and text[-1] == ")":
        text = text[1:-1].strip(_SPACES)
        negative = True
    match = _NUMBER.match(text)
    if not match:
        return None
    sign, digits, fraction, trail = match.groups()
    if negative and (sign or trail):  # "(−1 000)", "(5-)": two signs
        return None
    if len(digits) > 3 and not digits.isdigit():
        digits = digits.translate(_NO_SPACES)
    number = float(f"{digits}.{fraction}" if fraction else digits)
    if number > MAX_AMOUNT:  # also infinity; digits never give NaN
        return None
    if sign and sign in _MINUSES:
        negative = not negative
    if trail:  # "1 234,50-": a trailing minus, as some ledger systems export
        if sign:
            return None
        negative = not negative
    return -number if negative else number


_SIGNS = "+-\u2212\u2013"
_SIGNED_DIGITS = re.compile(r"^[()" + _SIGNS + _SPACES + r"0-9,]*[0-9][()" + _SIGNS + _SPACES + r"0-9,]*$")


def text_problem(value: str) -> str:
    """Why a text is no amount, as the message naming its cell says it (after the
    text itself): a point is ambiguous, two signs contradict, else it is no amount."""
    text = value.strip(_STRIP)
    if "." in text and any("0" <= ch <= "9" for ch in text):
        return ("är tvetydigt: punkten kan vara decimaltecken eller tusentalsavgränsare; skriv beloppet "
                "som ett tal i Excel, eller som text med decimalkomma (1 234,5)")
    signs = sum(text.count(sign) for sign in _SIGNS) + ("(" in text or ")" in text)
    if signs > 1 and _SIGNED_DIGITS.match(text):
        return "har två tecken för minus (eller plus); skriv ett negativt belopp som −1 234, 1 234- eller (1 234)"
    return "är inget belopp"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(_STRIP))
