"""Which parts of a date its cell's number format shows: `short_date`, `date_parts`, `shown_date`.

A 出生年月 held as the date 1972-05-01 in a cell formatted ``yyyy`` shows 1972: the reviewer of
the printed roster saw a year, and the registry would load 1972-05, while the text 1972 is
refused (应为年月). A 日期 formatted ``yyyy"年"m"月"`` shows 2012年9月 and would load
2012-09-10 as a certificate's public status date. Whether a format shows enough depends on
the column (a year-month, a full date: `registry.kinds.date_cells`), so the sheet keeps each
date cell in a format leaving out its year, month or day (`registry.sheets._marked`) with what
the format writes, to tell the clerk the value as the sheet shows it.
"""

from __future__ import annotations

import datetime as dt
import re

from registry.sheets._number_formats import MAX_CODE, sections

BUILT_IN = {
    16: "d-mmm",
    17: "mmm-yy",
    **dict.fromkeys((18, 19, 20, 21, 45, 46, 47), "h:mm:ss"),
    **dict.fromkeys((27, 36, 50, 52, 57), "yyyy年m月"),
    **dict.fromkeys((28, 29, 51, 53, 54, 58), "m月d日"),
    **dict.fromkeys((32, 33, 34, 35, 55, 56), "h时mm分"),
}
"""What the built-in formats (a ``numFmtId`` no ``<numFmt>`` defines) that show a date short
write, as Chinese Excel and WPS show them (ECMA-376 §18.8.30, zh-CN): 27 shows 2012年9月, 28
9月10日, a time's 0:00. The others (14 yyyy/m/d, 22 …) show the whole date."""
_LETTERS = "yYeEbBmMdDhHsS"
_AM_PM = "(?i:am/pm|a/p)"
_RUN = re.compile(rf"{_AM_PM}|([{_LETTERS}])\1*|(?:(?!{_AM_PM})[^{_LETTERS}])+")
"""A run of one placeholder letter, a 12-hour clock's AM/PM, or what is written as it is."""
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()


def short_date(code: str) -> str | None:
    """What ``code`` writes of a date (its first section's shape,
    `registry.sheets._number_formats.Section`) when it is a date's or a time's format leaving
    out the year, the month or the day; None for a number's or a text's format (a serial under
    General is told as it is), a whole date's, or one whose sections go by conditions
    (`registry.sheets._number_formats.hides_numbers` judges those)."""
    parts = sections(code)
    if len(code) > MAX_CODE or any(part.condition for part in parts[:2]):
        return None
    shape = parts[0].shape
    shown = date_parts(shape)
    return shape if shown is not None and shown != "ymd" else None


def date_parts(shape: str) -> str | None:
    """Of the year, month and day, those ``shape`` shows (``ym`` for ``yyyy年m月``), in that
    order; None when it shows no date or time at all: a number's (``0.00E+00``: an exponent,
    not a year) or a text's."""
    runs = _runs(shape)
    if not any(part for part, _ in runs):
        return None
    return "".join(part for part in "ymd" if any(p == part for p, _ in runs))


def _runs(shape: str) -> list[tuple[str, str]]:
    """(part, run) of each run of ``shape``: ``y``, ``m``, ``d`` the year, month and day (as
    numbers or names), ``w`` a weekday (``ddd``), ``t`` a time's (a month's ``m`` beside an
    hour or a second is a minute's: ``h:mm``, ``mm:ss``), ``p`` AM/PM, ``""`` what is written
    as it is."""
    digits = "N" in shape  # a number's digits: an E is its exponent
    runs = [found[0] for found in _RUN.finditer(shape)]
    found = []
    for index, run in enumerate(runs):
        letter = run[0].lower()
        if letter in "yb" or (letter == "e" and not digits):
            part = "y"
        elif letter == "d":
            part = "d" if len(run) <= 2 else "w"
        elif letter == "m":
            part = "t" if _minute(runs, index) else "m"
        elif "/" in run and letter == "a":
            part = "p"
        else:
            part = "t" if letter in "hs" else ""
        found.append((part, run))
    return found


def _minute(runs: list[str], index: int) -> bool:
    """Whether the ``m`` run at ``index`` is a minute's: after an hour, or before a second."""
    before = next((r for r in reversed(runs[:index]) if r[0] in _LETTERS), " ")
    after = next((r for r in runs[index + 1 :] if r[0] in _LETTERS), " ")
    return before[0] in "hH" or after[0] in "sS"


def shown_date(shape: str, value: dt.date) -> str:
    """``value`` as a cell whose format writes ``shape`` shows it (``yyyy年`` shows 1972年)."""
    time = value.time() if isinstance(value, dt.datetime) else dt.time()
    runs = _runs(shape)
    twelve = any(part == "p" for part, _ in runs)
    shown = []
    for part, run in runs:
        wide = len(run)
        if part == "y":
            year = value.year + (543 if run[0] in "bB" else 0)
            shown.append(f"{year % 100:02d}" if wide <= 2 else str(year))
        elif part == "m":
            shown.append(_MONTHS[value.month - 1] if wide > 2 else f"{value.month:0{wide}d}")
        elif part == "d":
            shown.append(f"{value.day:0{wide}d}")
        elif part == "w":
            shown.append(_WEEKDAYS[value.weekday()])
        elif part == "t":
            hour = (time.hour - 1) % 12 + 1 if twelve else time.hour
            of = {"h": hour, "s": time.second}.get(run[0].lower(), time.minute)
            shown.append(f"{of:0{min(wide, 2)}d}")
        elif part == "p":
            shown.append(run.split("/")[time.hour >= 12 :][0])
        else:
            shown.append(run)
    return "".join(shown)


def short_dates_by_format(
    dated: list[tuple[int, str, list[tuple[int, int]]]],
) -> frozenset[tuple[int, int, str]]:
    """(row, column, what its format writes) of an .xls's date cells in a format leaving out
    the year, month or day (`short_date`): the parse child sends every date cell by its
    format (`registry.sheets._xls_marks.dated`), judged here, in the parent, which may import
    ours. A format with no code of its own is a built-in one (`BUILT_IN`), as an .xlsx's."""
    found: set[tuple[int, int, str]] = set()
    for key, code, cells in dated:
        shape = short_date(code) if code else BUILT_IN.get(key)
        if shape:
            found.update((row, column, shape) for row, column in cells)
    return frozenset(found)
