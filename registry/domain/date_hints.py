"""What a date cell that cannot be read probably meant, told to the clerk with how to write it.

A cell that is no date is refused (§四.(三): the forms are filled in exactly), but two mistakes
are common enough to name: a date cell that lost its date format and shows its serial number
(27485 for 1975-04-01), and a date written with its year last (5/1/1972), as Excel writes a
date cell to CSV on a computer set to American or British English — which cannot say whether
5 is the month or the day.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from registry.domain.id_numbers import id_number_birth

EXCEL_EPOCH = dt.date(1899, 12, 30)
"""Day 0 of a spreadsheet's date serial numbers (Excel and WPS, 1900 system)."""
_YEAR_LAST = re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})")


def hint(value: object, text: str, *, full: bool = False) -> str:
    """The hint for a cell ``value`` (its text ``text``, midnight stripped) that is not a
    date, or ``""``: ``full`` for a column of whole dates, else of years and months."""
    return (
        serial_hint(value, full=full)
        or _id_hint(text, full)
        or _year_last_hint(text, full=full)
        or _apostrophe_hint(text)
    )


def _apostrophe_hint(text: str) -> str:
    """For a date typed after Excel's text mark ('1978.11), as a number's and a name's are told
    (a clerk's review: a date's was told only 应为年月)."""
    if text[:1] not in "'’" or not any(c.isdigit() for c in text[1:3]):
        return ""
    return "（开头的撇号是 Excel 的“文本”标记，不是日期的一部分，请删去）"


def _id_hint(text: str, full: bool) -> str:
    """For an identity card's number typed as the date (a clerk's review: told only 应为年月),
    what it is and the date it holds, as the column wants it; the number itself is not kept."""
    born = id_number_birth(text.upper())
    if born is None:
        return ""
    said = born.isoformat() if full else f"{born.year}.{born.month:02d}"
    return f"（这是身份证号码，其中的出生日期写作 {said}；登记库不保存身份证号）"


def serial_of(day: dt.date) -> int:
    """The serial number a spreadsheet stores for ``day``: what was typed into a date cell."""
    day = day.date() if isinstance(day, dt.datetime) else day
    return (day - EXCEL_EPOCH).days


def typed_as_number(day: dt.date) -> str | None:
    """The year or year-month a date cell shows as ``day`` when it was typed as a number
    (1975.05 in a ``yyyy.mm`` column is day 1975 and 72 minutes: 1905-05-28 01:12): a serial
    between 1900 and 2100 — no register's date, which all fall after 1905."""
    moment = day if isinstance(day, dt.datetime) else dt.datetime.combine(day, dt.time())
    serial = (moment - dt.datetime.combine(EXCEL_EPOCH, dt.time())) / dt.timedelta(days=1)
    if not 1900 <= serial < 2101:
        return None
    return f"{serial:.2f}".removesuffix(".00")


def serial_hint(value: object, *, full: bool = False) -> str:
    """For a whole number that is a date's serial number (a date cell whose date format was
    lost: 27485 is 1975-04-01), what it is and how to fix it: a date format, or the text as
    the column wants it (``full``: a whole date, else a year and month)."""
    if isinstance(value, str):  # a CSV saved from such a cell holds the serial as text
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 5):  # not ①, ², 9…9
            return ""
        value = int(digits)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return ""  # (a cell of a hostile file may hold inf or nan)
    if not 7_306 <= value <= 73_050:  # 1920 to 2099: a holder's date
        return ""
    day = EXCEL_EPOCH + dt.timedelta(days=int(value))
    return (
        f"。{int(value)} 像是日期 {day.isoformat()} 丢了日期格式后显示的序列号："
        f"请把该单元格设为日期格式，或直接写成 {_written(day, full)}"
    )


def _year_last_hint(text: str, *, full: bool) -> str:
    """For a date with its year last, the days it can be, and how to write the one meant."""
    match = _YEAR_LAST.fullmatch(text)
    if not match:
        return ""
    first, second, year = int(match[1]), int(match[3]), int(match[4])
    days = []
    for month, day in ((first, second), (second, first)):  # month first (US), day first (UK)
        try:
            days.append(dt.date(year, month, day))
        except ValueError:
            continue
    days = list(dict.fromkeys(days))  # 5/5/1972 is one day either way
    if not days:
        return ""
    said = " 还是 ".join(f"{d.year}年{d.month}月{d.day}日" for d in days)
    written = " 或 ".join(dict.fromkeys(_written(d, full) for d in days))
    if len(days) == 1:
        return f"。{text} 把年份写在了最后，应是 {said}：请写成 {written}"
    return (
        f"。{text} 把年份写在了最后，分不清是 {said}（美式写法先写月，英式先写日）："
        f"请按原始材料写成 {written}"
    )


def _written(day: dt.date, full: bool) -> str:
    """``day`` as the column wants it typed: a whole date, or a year and month."""
    return day.isoformat() if full else f"{day.year}.{day.month:02d}"
