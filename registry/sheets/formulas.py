"""Cells a spreadsheet would run as formulas, made inert for every CSV we hand out; and cells
it would turn into numbers or dates, kept as text.

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


_YEAR_MONTH = re.compile(r"[12][0-9]{3}[-./](0?[1-9]|1[0-2])")
"""A month as registers write it (出生年月 1982-07, 执行工资等级起始时间 2008.10)."""


def as_text(cell: str) -> str:
    """A cell Excel would damage on opening a CSV, led by a tab, which keeps it text: digits it
    makes a number (a 身份证号 shown as 5.10106E+17, its last three digits lost; a 工号 00123 as
    123) and a month it makes a number or a date (2008.10 as 2008.1, 1982-07 as Jul-82)."""
    digits = cell.isascii() and cell.isdigit()
    if (digits and (len(cell) > 11 or (len(cell) > 1 and cell[0] == "0"))) or _YEAR_MONTH.fullmatch(
        cell
    ):
        return "\t" + cell
    return cell
