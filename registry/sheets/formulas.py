"""Cells a spreadsheet would run as formulas, made inert for every CSV we hand out.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is run as a formula by
Excel and WPS (``=cmd|'/C calc'!A0``, ``=HYPERLINK(…)``); registers and uploads come from many
hands, so such text reaches our exports. The OWASP rule: a leading ``'``. A plain negative
number (``-3``, ``-2.5``) cannot be a formula and is data (a negative stock balance), so it stays.
"""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?")


def neutralise(value: str) -> str:
    """Make a cell inert in a spreadsheet: a leading quote before formula characters."""
    if value.startswith(FORMULA_PREFIXES) and not _NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value
