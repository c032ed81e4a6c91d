"""Text from input files and configuration, made harmless for where it is shown.

In the terminal, control characters (escape sequences) are removed; in a workbook,
text is always written as text, never as a formula (see the Excel writer).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: object) -> str:
    """Text with control characters and bidi overrides removed, for the terminal."""
    return _CONTROL.sub("", str(text))
