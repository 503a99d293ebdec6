"""A weekday written after a date, as office documents date an opinion or a slip:
2012年3月1日（星期四）, 2012年3月2日 周五. Its Chinese numeral is none of the date's (it was told
不能用汉字数字), and it tells a mistyped date: 2012年3月2日 was a Friday."""

from __future__ import annotations

import datetime as dt
import re

_WEEKDAY = re.compile(
    r"(?:\s*[（(]\s*(?:星期|周|礼拜)([一二三四五六日天])\s*[)）]|\s*(?:星期|周|礼拜)([一二三四五六日天]))$"
)
"""In balanced brackets, or after a space (or nothing)."""
_NAMES = "一二三四五六日"
"""The weekdays' numerals, Monday first (`datetime.date.weekday`)."""


def split_weekday(text: str) -> tuple[str, str | None]:
    """``text`` without a weekday written after it, and that weekday's numeral (天 as 日)."""
    match = _WEEKDAY.search(text)
    if match is None:
        return text, None
    return text[: match.start()], (match[1] or match[2]).replace("天", "日")


def weekday_problem(day: dt.date, weekday: str) -> str | None:
    """Why ``weekday`` is not ``day``'s: one of the two was mistyped."""
    actual = _NAMES[day.weekday()]
    if actual == weekday:
        return None
    return (
        f"{day.year}年{day.month}月{day.day}日是星期{actual}，不是写的星期{weekday}："
        "日期或星期有一个写错了，请核对"
    )
