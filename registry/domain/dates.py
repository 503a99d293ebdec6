"""Dates as clerks write them in rosters (SPEC §5), parsed strictly.

出生年月 and 参加工作时间 are year-month values: ``1970.05``, ``1970-05``, ``1970年5月``, ``197005``,
``1970/5`` or a spreadsheet date. Full dates (日期 columns) also accept ``1970-05-01`` and
``1970年5月1日``. Chinese numerals are refused (§四.(三): numbers in Arabic numerals).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import unicodedata
from functools import lru_cache

from registry.domain.date_hints import hint, serial_of, typed_as_number
from registry.domain.weekdays import split_weekday, weekday_problem

CHINESE_NUMERALS = re.compile("[〇零一二三四五六七八九十百千两]")
"""§四.(三): numbers on the documents are written in Arabic numerals; any of these is refused."""
# 。 too: the full stop of a Chinese input method, typed for . (1975。04); and a full stop
# after the month (1985.6.), as the clerk ends a date typed 1985.6.1 but for its day
_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:[.。\-/年]\s*(\d{1,2})\s*(?:月|[.。])?|(\d{2}))")
_FULL_DATE = re.compile(r"(\d{4})\s*[.。\-/年]\s*(\d{1,2})\s*[.。\-/月]\s*(\d{1,2})\s*[日号]?")
"""2012-03-15, 2012.3.15, 2012年3月15日 — and 15号, as the day is said."""
_EIGHT_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
"""20120315: what =MID(身份证号,7,8) gives of a birth date."""


def _full_date(text: str) -> re.Match[str] | None:
    """(year, month, day) of a full date, in any of the ways it is written."""
    return _FULL_DATE.fullmatch(text) or _EIGHT_DIGITS.fullmatch(text)


_YEAR = re.compile(r"(\d{4})(?:\.0+|\s*(?:年度?)?)")
"""2011, 2011年, 2011年度 — and 2011.0, which a CSV holds of a year from a number column."""


class BadDate(ValueError):
    """A date cell that cannot be read; the message says why, in Chinese."""


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


_MIDNIGHT = re.compile(
    r"(?:(?:\s+|T)(?:0?0:00(?::00(?:\.0+)?)?(?:Z|[+-]\d{2}:?\d{2})?|12:00(?::00)?\s*AM)"
    r"|-00\.00\.00(?:\.0+)?)$",
    re.IGNORECASE,
)
"""The time a date cell's text carries when a program wrote it out whole: 1972-05-01 00:00:00,
…T00:00:00.000Z, … 00:00:00+08:00, … 12:00:00 AM, DB2's 1972-05-01-00.00.00.000000."""


def _date_text(value: object) -> str:
    """A date cell's text without the midnight a program writes after a date (pandas, a
    database export): the date is what the clerk filled in."""
    return _MIDNIGHT.sub("", _text(value))


def _check_numerals(text: str) -> None:
    """Digits 0–9 only (§四.(三)): neither Chinese numerals nor another script's digits, which
    NFKC leaves as they are and ``int`` reads (١٩٦٥ was stored as 1965)."""
    if CHINESE_NUMERALS.search(text):
        raise BadDate("日期须用阿拉伯数字填写，不能用汉字数字（§四.(三)）")
    if not text.isascii() and any(ch.isdecimal() and not ch.isascii() for ch in text):
        raise BadDate("日期须用数字 0–9 填写（§四.(三)），其中有别种文字的数字")


def _real_day(year: int, month: int, day: int) -> None:
    """A year-month written with its day (``1975.02.30``) names a day that exists."""
    if 1 <= month <= 12 and 1900 <= year <= 2100:
        try:
            dt.date(year, month, day)
        except ValueError:
            raise BadDate(f"日期不存在：{year}年{month}月{day}日") from None


@lru_cache(maxsize=8192)  # a roster's dates repeat a lot; BadDate is re-raised on each call
def parse_year_month(value: object, *, not_after: dt.date | None = None) -> tuple[int, int]:
    """(year, month) of a 出生年月-style cell; raise `BadDate` when it is not one, or when it
    is after the month of ``not_after`` (today: a birth or a start of work has happened)."""
    year, month = _parse_year_month(value)
    if not_after is not None and (year, month) > (not_after.year, not_after.month):
        raise BadDate(FUTURE)
    return year, month


def _parse_year_month(value: object) -> tuple[int, int]:
    if isinstance(value, dt.date):
        if typed := typed_as_number(value):  # was told the holder was over 70, quoted in ISO
            raise BadDate(
                f"单元格是日期格式：填的 {typed} 被存成了日期 {value:%Y-%m-%d}（显示为 1905 年）。"
                "请把该列设为“文本”格式，重新填写年月（如 1975.05）"
            )
        return value.year, value.month
    text = _date_text(value)
    dated, weekday = split_weekday(text)
    if weekday and _full_date(dated):  # 1975年5月1日（星期四）: checked as a date is
        day = _parse_date(text)
        return day.year, day.month
    _check_numerals(text)
    if re.fullmatch(r"\d{4}\.1", text):
        # a number cell drops trailing zeros: typed 1975.10 it holds 1975.1, as typed 1975.1
        # does. What the screen shows may differ (a 0.00 format shows 2008.10; a clerk read
        # the number quoted as one it does not see, and "CSV says 1975.1" as wrong advice)
        held = (
            f"单元格里存的是数字 {text}，分不清是 1 月还是 10 月：数字格式的单元格里填 "
            f"{text}0 和 {text} 存的是同一个数（设了两位小数时两者都显示为 {text}0）。"
            if isinstance(value, int | float)
            else f"{text} 分不清是 1 月还是 10 月（数字格式的单元格里填的 {text}0，"
            f"表格软件另存为 CSV 时可能写成 {text}）。"
        )
        raise BadDate(f"{held}请把该列设为文本格式，写成 {text[:4]}.01 或 {text[:4]}.10")
    full = _full_date(text)
    match = _YEAR_MONTH.fullmatch(text)
    if full:
        year, month = int(full[1]), int(full[2])
        _real_day(year, month, int(full[3]))
    elif match:
        year, month = int(match[1]), int(match[2] or match[3])
    else:
        raise BadDate("应为年月，如 1970.05、1970-05、1970年5月 或 197005" + hint(value, text))
    if not 1 <= month <= 12:
        if re.fullmatch(r"\d{6}", text) and 1 <= int(text[2:4]) <= 12:  # 720515: 年月日, short
            said = f"19{text[:2]}.{text[2:4]}"
            raise BadDate(f"月份 {month} 不存在：如 {text} 是年月日，出生年月请写作 {said}")
        raise BadDate(f"月份 {month} 不存在，请核对")
    if not 1900 <= year <= 2100:
        raise BadDate(f"年份 {year} 不合理，请核对是否多写或少写了数字")
    return year, month


def parse_date(
    value: object, *, not_after: dt.date | None = None, not_before: dt.date | None = None
) -> dt.date:
    """A full date (日期 columns, 发证日期); raise `BadDate` when it is not one, when it is
    later than ``not_after`` (today, for anything that has already happened) or earlier than
    ``not_before`` (`FIRST_DAY`, for what only the notice's certificates have)."""
    day = _parse_date(value)
    if not_after is not None and day > not_after:
        raise BadDate(FUTURE)
    if not_before is not None and day < not_before:
        raise BadDate(TOO_EARLY)
    return day


FUTURE = "日期在将来，请核对"
FIRST_DAY = dt.date(2011, 1, 1)
"""The first day of the first batch's year (附件3 二: 首批证书统一为 11): the blank
certificates of the series, their requisitions, dispatches and collections are none older."""
TOO_EARLY = "日期早于首批证书的 2011 年（附件3 二），不会是本系列证书的日期：请核对年份（如 1912 应为 2012）"


def _parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return _plausible(value.date())
    if isinstance(value, dt.date):
        return _plausible(value)
    text, weekday = split_weekday(_date_text(value))
    _check_numerals(text)
    match = _full_date(text)
    if not match:
        raise BadDate("应为日期，如 2012-03-15 或 2012年3月15日" + hint(value, text, full=True))
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise BadDate(f"日期不存在：{text}") from exc
    if weekday and (mistyped := weekday_problem(day, weekday)):
        raise BadDate(mistyped)
    return _plausible(day)


def _plausible(day: dt.date) -> dt.date:
    """A date of the registers' time: a year typed a digit short or long (0212, 20120) is not
    stored as real, as a year-month's is not (an approval dated 0212 let any dispatch pass)."""
    if not 1900 <= day.year <= 2100:
        raise BadDate(f"年份 {day.year} 不合理，请核对是否多写或少写了数字")
    return day


@lru_cache(maxsize=256)
def parse_year(value: object) -> int:
    """A 报考年度 cell: a four-digit year, as `_YEAR` reads it (2012年度, 2012.0); or a
    date cell holding 1 January, what a year becomes in a date cell shown as ``yyyy`` — or the
    text a CSV saved from one holds (2011-01-01, 2011/1/1 0:00). Another date (1975-05-01, a
    出生年月 one column off) is refused, and so is a year typed as a number into a date cell
    (2011, which is 1905-07-03)."""
    if isinstance(value, dt.date) and _a_year(value):
        return value.year
    text = _text(value)
    _check_numerals(split_weekday(text)[0])  # 2011年1月1日（星期六）: a date, read below
    match = _YEAR.fullmatch(text)
    if not match:
        with contextlib.suppress(BadDate):  # a date's text: a year only if it is one (`_a_year`)
            if _a_year(day := _parse_date(text)):
                return day.year
    if not match:
        hint = ""
        if isinstance(value, dt.date) and 1_900 <= (serial := serial_of(value)) <= 2_100:
            hint = (
                f"（单元格是日期格式：填的 {serial} 被显示成了 {value:%Y-%m-%d}。"
                "请把该列设为“常规”或“文本”格式）"
            )
        elif isinstance(value, dt.date):
            hint = f"（单元格里是日期 {value:%Y-%m-%d}：报考年度只填年份，请核对是否填错了栏目）"
        elif text[:1] in "'’" and _YEAR.fullmatch(text[1:]):  # as a number's and a name's are
            hint = "（开头的撇号是 Excel 的“文本”标记，不是年份的一部分，请删去）"
        raise BadDate(f"应为四位年份，如 2011{hint}")
    return int(match[1])


def _a_year(day: dt.date) -> bool:
    """Whether a date cell holds what a year becomes in one: its 1 January at midnight, of this
    century (1975-01-01 is a birth date one column off; 1900-01-01 a 1 typed into it)."""
    midnight = not isinstance(day, dt.datetime) or day.time() == dt.time()
    return (day.month, day.day) == (1, 1) and midnight and 2000 <= day.year <= 2100


def slip_of(written: str | None, meant: str) -> bool:
    """Whether a birth (``YYYY-MM``) is ``meant`` or one slip from it: one digit mis-written,
    two next to each other swapped (1975-05, 1957-05), or a month or two off (1979-12,
    1980-01: the lunar calendar's birthday written for the solar one)."""
    if written is None or len(written) != len(meant):
        return written == meant
    with contextlib.suppress(ValueError):
        if abs(_months(written) - _months(meant)) <= 2:
            return True
    differ = [i for i, (a, b) in enumerate(zip(written, meant, strict=True)) if a != b]
    if len(differ) <= 1:
        return True
    first, second = differ[0], differ[-1]
    swapped = written[first] == meant[second] and written[second] == meant[first]
    return len(differ) == 2 and second == first + 1 and swapped


def _months(year_month: str) -> int:
    return int(year_month[:4]) * 12 + int(year_month[5:7])


def year_month_text(year: int, month: int) -> str:
    """The stored form of a year-month: ``1970-05``."""
    return f"{year:04d}-{month:02d}"


@functools.lru_cache(maxsize=8192)
def years_after(year_month: str, years: int) -> str:
    """``YYYY-MM`` (or the ``YYYY-MM`` of a ``YYYY-MM-DD``) ``years`` later, as ``YYYY-MM``.
    Cached: a roster's rows repeat a few hundred birth months."""
    return f"{int(year_month[:4]) + years}{year_month[4:7]}"
