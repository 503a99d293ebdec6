"""Cell values as the readers give them, and the one way a cell becomes text."""

from __future__ import annotations

import datetime as dt

Cell = str | int | float | dt.date | None
"""A cell after `clean`: stripped text, a whole number, a number, a date, or None when empty."""


def clean(value: object) -> Cell:
    """A spreadsheet library's value as a `Cell`: blanks are None, ``3.0`` is ``3``, a datetime at
    midnight (how spreadsheets store a date) is a date."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    if isinstance(value, int | float | dt.date):
        return value
    return str(value)


def text(value: Cell) -> str:
    """A cell as stripped text ('' when empty); spreadsheet dates as ISO dates."""
    if value is None:
        return ""
    if value.__class__ is str:  # most cells, first
        return value.strip()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
