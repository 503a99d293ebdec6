"""Searches that find, in a worksheet's bytes, a cell reference beyond the limits
(`registry.sheets._zipscan` runs them before any parser sees the sheet): cheap literal-led
regular expressions, so that only a hit pays for the exact expat pass (`registry.sheets._extent`)."""

from __future__ import annotations

import re

from registry.sheets._extent import column_letters
from registry.sheets._limits import SheetLimits


def _greater(bound: str, alphabet: str) -> str:
    """A regex for the strings over ``alphabet`` (in its order) beyond ``bound``: longer ones,
    or as long and larger at the first place they differ. Bijective base-26 column letters and
    decimal numbers without leading zeros both compare this way."""
    lower = alphabet.lower() if alphabet.isalpha() else ""

    def any_of(chars: str) -> str:
        return f"[{chars}{chars.lower() if lower else ''}]"

    first = alphabet.lstrip("0")
    options = [any_of(first) + any_of(alphabet) + f"{{{len(bound)},}}"]
    for place, char in enumerate(bound):
        higher = alphabet[alphabet.index(char) + 1 :]
        if higher:
            rest = len(bound) - place - 1
            options.append(
                "".join(any_of(c) for c in bound[:place])
                + any_of(higher)
                + (any_of(alphabet) + f"{{{rest}}}" if rest else "")
            )
    return "(?:" + "|".join(options) + ")"


def reference_filters(limits: SheetLimits) -> tuple[re.Pattern[bytes], ...]:
    """Searches that find, in a sheet's bytes, any ``r="…"`` beyond the limits, and any ``r``
    attribute written in a way the first two would miss (quotes, spaces). Separate patterns
    with a literal start, because ``re`` runs one alternation of them three times slower."""
    letters = column_letters(limits.max_columns)
    columns = _greater(letters, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    rows = _greater(str(limits.max_rows), "0123456789")
    # a column beyond the bound has at least as many letters: the lookahead drops A1…Z9 at once
    return (
        re.compile(rf'r="(?=[A-Za-z]{{{len(letters)}}}){columns}(?=[0-9])'.encode()),
        re.compile(rf'r="[A-Za-z]*+0*+{rows}(?![0-9])'.encode()),
        re.compile(rb'r=[^"]'),  # r='…' or r= "…"
        re.compile(rb"r[ \t\r\n]++="),  # r ="…"
    )
