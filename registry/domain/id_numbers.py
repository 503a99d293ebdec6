"""Resident identity card numbers (GB 11643): what a clerk or an employer may type where a
certificate's number or a holder's birth month goes. certreg keeps none; it says what was
typed and what belongs there."""

from __future__ import annotations

import datetime as dt
import re

_ID_NUMBER = re.compile(r"\d{6}(\d{8})\d{3}[\dX]|\d{6}(\d{6})\d{3}")
"""A resident identity card's number (18 characters, the last a digit or X; 15 of old), its
birth date captured."""
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number_birth(value: str) -> dt.date | None:
    """The birth date of ``value`` when it is a resident identity card's number: its birth date
    a date and, of 18 characters, its check character right (GB 11643) — not any 15 or 18
    digits, which an older certificate's number may be. None otherwise."""
    found = _ID_NUMBER.fullmatch(value)
    if found is None:
        return None
    born = found[1] or "19" + found[2]
    try:
        day = dt.date(int(born[:4]), int(born[4:6]), int(born[6:]))
    except ValueError:
        return None
    if len(value) == 15:
        return day
    total = sum(int(digit) * weight for digit, weight in zip(value, _ID_WEIGHTS, strict=False))
    return day if "10X98765432"[total % 11] == value[-1] else None
