"""Year-months and years typed into a table's filter, read as the registry stores them.

出生年月, 参加工作时间 and 执行工资等级起始时间 are stored as ``1970-05``
(`registry.domain.dates.year_month_text`), 报考年度 as the year ``2011``. Staff type them as
rosters write them — 1970.05, 1970.5, 1970年5月, 1970/05, 197005, 2011年 — and the filter
compared that text with the stored one: 0 行, and nothing said why (a staff review). They are
read as a roster's cells are (`parse_year_month`, `parse_year`); a value that still reads as
none is searched for as typed, and the page's conditions say how to write it (`month_hint`).
"""

from __future__ import annotations

import re

from registry.domain.dates import BadDate, parse_year, parse_year_month, year_month_text

MONTH_COLUMNS = ("birth", "work_start", "wage_grade_since")
"""The registry's columns of a year-month (``certificates``: 出生年月, 参加工作时间,
执行工资等级起始时间)."""
YEAR_COLUMNS = ("exam_year",)
"""The registry's columns of a year (``certificates``: 报考年度)."""


def stored_month(typed: str) -> str:
    """A year-month as a roster writes it (1970.05, 1970年5月, 197005; a whole date, its month)
    as the registry stores it, 1970-05; a year alone (1970年) as 1970, which 开头是 and the
    comparisons read; else the text as typed."""
    try:
        return year_month_text(*parse_year_month(typed.strip()))
    except BadDate:
        return stored_year(typed)


def month_part(typed: str) -> str:
    """What 开头是, 包含 and 结尾是 look for in a year-month: a part already written as stored
    (1972-1: October to December) as typed, else as `stored_month` reads it."""
    return typed if _MONTH_START.fullmatch(typed.strip()) else stored_month(typed)


def month_bound(typed: str) -> str:
    """What > and ≤ compare a year-month with: a year alone as its December (> 1972 is after
    1972, ≤ 1972 through its December; compared as text, 1972-05 was > 1972), else as
    `stored_month` reads it."""
    month = stored_month(typed)
    return f"{month}-12" if _YEAR.fullmatch(month) else month


def stored_year(typed: str) -> str:
    """A year as a roster writes it (2011年, 2011年度) as the registry stores it, 2011; else
    the text as typed."""
    try:
        return str(parse_year(typed.strip()))
    except BadDate:
        return typed


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"\d{4}")
_MONTH_START = re.compile(r"\d{1,4}|\d{4}-([01]|0[1-9]|1[0-2])?")
"""What a stored year-month can begin with (开头是 1970, 1970-0)."""
_COMPARISONS = frozenset({"gt", "gte", "lt", "lte"})
_AS_MONTH = "应写作如 1970-05（或 1970.05、1970年5月）"
_AS_YEAR = "应写作四位年份，如 2011"


def month_hint(column: str, lookup: str, value: str) -> str:
    """What the page's conditions add to a filter of a year-month or year column whose value
    (as `stored_month` or `stored_year` left it) no stored value can match, or ``""``."""
    if column in MONTH_COLUMNS:
        if lookup == "exact" and not _MONTH.fullmatch(value):
            whole_year = "，整年请用“开头是” 1970" if _YEAR.fullmatch(value) else ""
            return f"（这不是年月，因此没有结果；{_AS_MONTH}{whole_year}）"
        if lookup == "not" and not _MONTH.fullmatch(value):
            return f"（这不是年月，因此没有排除任何行；{_AS_MONTH}）"
        if lookup == "startswith" and not _MONTH_START.fullmatch(value):
            return f"（这不是年月的开头，因此没有结果；{_AS_MONTH}，或年份如 1970）"
        if lookup in _COMPARISONS and not (_MONTH.fullmatch(value) or _YEAR.fullmatch(value)):
            return f"（这不是年月，按文字比较的结果不可靠；{_AS_MONTH}，或年份如 1970）"
    if column in YEAR_COLUMNS and not _YEAR.fullmatch(value):
        if lookup == "exact":
            return f"（这不是年份，因此没有结果；{_AS_YEAR}）"
        if lookup == "not":
            return f"（这不是年份，因此没有排除任何行；{_AS_YEAR}）"
        if lookup in _COMPARISONS:
            return f"（这不是年份，按文字比较的结果不可靠；{_AS_YEAR}）"
    return ""
