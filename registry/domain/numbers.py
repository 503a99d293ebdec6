"""The 11-character certificate number of 附件3: ``L YY RRRR SSSS``.

Pure functions: normalise what a person typed, parse it into its parts or say exactly why it
is malformed, and format parts back into a number.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import NamedTuple

from registry.domain.dates import FIRST_DAY
from registry.domain.id_numbers import id_number_birth
from registry.domain.levels import LEVELS
from registry.domain.regions import REGIONS, region_name
from registry.domain.text import code_point, drop_invisible

SEPARATORS = r"\s\-‐‑‒–—―－−﹣"
"""What may stand between a number's characters, as a regular expression's class: spaces and
every dash a keyboard or a word processor makes (hyphen, dashes, minus signs)."""
_DROP = re.compile(f"[{SEPARATORS}]+")
_DIGITS = re.compile(r"[0-9]+")
_MARKS = re.compile(r"[\W_]")
"""A symbol grouping a number's digits (. _ /): not a letter, a digit or a character of a word."""


MAX_NUMBER_CHARS = 40
"""Longest number accepted on any channel: a number is 11 characters, with spaces a few more —
and the longest an answer repeats (`shown`)."""


def shown(text: str) -> str:
    """``text`` normalised, as an answer repeats a number it could not read: cut to
    `MAX_NUMBER_CHARS` with "…" when normalising grew it past them — NFKC writes ``\ufdfa`` as 18
    characters, and 40 of them, within every channel's limit, were answered as 600."""
    value = normalise(text)
    return value if len(value) <= MAX_NUMBER_CHARS else value[: MAX_NUMBER_CHARS - 1] + "…"


_CANONICAL = re.compile(f"[{''.join(LEVELS)}][0-9]{{10}}")
"""A number as the registry stores it: its level letter and ten digits."""
IN_TEXT = re.compile(f"(?<![A-Za-z0-9])[{''.join(LEVELS)}][0-9]{{10}}(?![0-9])")
"""A certificate number written as it is registered, inside other text."""


class MalformedNumber(ValueError):
    """A certificate number that does not fit 附件3; the message says why, in Chinese."""


class CertificateNumber(NamedTuple):
    """A parsed number (附件3). A tuple: a roster parses one per row, and a frozen dataclass
    takes several times longer to build."""

    letter: str
    year_code: str
    region: str
    sequence: int

    def __str__(self) -> str:
        return f"{self.letter}{self.year_code}{self.region}{self.sequence:04d}"

    @property
    def prefix(self) -> str:
        """Letter, year code and region: the numbers one sequence counts in (附件3 四)."""
        return f"{self.letter}{self.year_code}{self.region}"

    @property
    def level(self) -> str:
        return LEVELS[self.letter]

    @property
    def region_name(self) -> str:
        return region_name(self.region)


def normalise(text: str) -> str:
    """NFKC (full-width ``Ｚ１１`` → ``Z11``), upper-case, spaces, hyphens (the soft one too) and
    invisible characters dropped."""
    return _DROP.sub("", unicodedata.normalize("NFKC", drop_invisible(text))).upper()


def number_within(text: str) -> str | None:
    """The one number ``text`` holds among other words — a chat's card pasted whole (证书编号：
    Z1122020123 姓名：周杰), a note after it (（原件已看）) — or None: for none, for several, and
    for the number alone."""
    value = normalise(text)
    if _CANONICAL.fullmatch(value):
        return None
    found = IN_TEXT.findall(value)
    return found[0] if len(found) == 1 else None


def number_shaped(normalised: str) -> bool:
    """Whether a `normalise`d text has a registered number's shape (a level letter, ten
    digits): what else is typed in the number's field may be a name, which nothing keeps."""
    return _CANONICAL.fullmatch(normalised) is not None


def parse(text: str) -> CertificateNumber:
    """Parse a typed or registered number; raise `MalformedNumber` naming the first defect."""
    return parse_canonical(text)[0]


def parse_canonical(text: str) -> tuple[CertificateNumber, str]:
    """`parse` and the number's canonical text, ``str`` of it: the text parse has checked is
    canonical already, and formatting it back costs a roster a second per million rows."""
    value = text
    # nearly every number in a register is already canonical: no NFKC, no checks of its shape
    if not _CANONICAL.fullmatch(value):
        value = normalise(text)
        _check_shape(value)
    region, seq = value[3:7], value[7:]
    if region not in REGIONS:
        raise MalformedNumber(f"地区代码“{region}”不是附件3规定的市（州）代码")
    if seq == "0000":
        raise MalformedNumber("顺序号应在0001-9999之间，不能为0000")
    return CertificateNumber(value[0], value[1:3], region, int(seq)), value


def _counted(value: str) -> str:
    """``value``'s length, not past what is shown of it (NFKC writes ﷺ as 18 characters: 40 of
    them, shown cut to 40, were told 实为600位)."""
    return str(len(value)) if len(value) <= MAX_NUMBER_CHARS else f"{MAX_NUMBER_CHARS}多"


def _check_shape(value: str) -> None:
    """Raise `MalformedNumber` for the first way ``value`` is not a letter and ten digits."""
    if not value:
        raise MalformedNumber("证书编号为空")
    if value[0] in "'\u2018\u2019":  # a CSV saved from a cell typed '…: not the number's
        raise MalformedNumber("开头的撇号是 Excel 的“文本”标记，不是证书编号的一部分，请删去")
    if len(value) > 11 and _CANONICAL.match(value) and value[11] not in "0123456789":
        # G1122000001（原件已验）: a note written after the number, not a number too long
        raise MalformedNumber(f"证书编号后有多余的文字“{value[11:]}”，请只填写11位的证书编号")
    if len(value) > 11 and _CANONICAL.fullmatch(value[-11:]) and not value[-12].isdigit():
        # 证书编号：G1122000001, No.G1122000001: pasted with its label
        raise MalformedNumber(f"证书编号前有多余的文字“{value[:-11]}”，请只填写11位的证书编号")
    grouped = value.removesuffix("号")  # Z11.2202.0123号: the 号 written after it apart
    if (marks := _MARKS.findall(grouped)) and _CANONICAL.fullmatch(_MARKS.sub("", grouped)):
        # Z11.2202.0123, Z11_2202_0123: the digits all there, grouped by a symbol
        shown = "、".join(f"“{mark}”" for mark in dict.fromkeys(marks))
        raise MalformedNumber(f"证书编号中有多余的符号{shown}，请删去")
    if len(value) > 11 and len(found := IN_TEXT.findall(value)) == 1:
        # 证书编号：Z1122020123姓名：周杰, a card pasted from a chat (its words were called 符号)
        raise MalformedNumber(f"证书编号前后有多余的文字，请只填写11位的证书编号（{found[0]}）")
    if id_number_birth(value):
        raise MalformedNumber(
            f"这是{len(value)}位的身份证号码，不是证书编号：请填写证书上印的编号（在证书内页）"
        )
    if len(value) != 11:
        raise MalformedNumber(f"证书编号应为11位，实为{_counted(value)}位")
    letter, year, region, seq = value[0], value[1:3], value[3:7], value[7:]
    if letter not in LEVELS:
        # a Greek Ζ or a Cyrillic З shows as the Z it is not: the clerk is told which it is
        shown = letter if letter.isascii() else f"{letter}（{code_point(letter)}，不是英文字母）"
        raise MalformedNumber(f"第1位“{shown}”不是等级代码（J 技师、G 高级工、Z 中级工、C 初级工）")
    for part, what in (
        (year, "第2-3位年份代码"),
        (region, "第4-7位地区代码"),
        (seq, "第8-11位顺序号"),
    ):
        if not _DIGITS.fullmatch(part):
            raise MalformedNumber(f"{what}“{part}”应为阿拉伯数字{_lookalikes(part)}")


MISTAKEN_LETTER = "应为数字 "
"""How a number's reason names a letter typed for a digit: a new-style number mistyped."""
TYPED_AROUND = ("多余的", "身份证号码")
"""How a number's reason says it was typed with what is no part of it (a label, a note, a
symbol) or is another card's number: the typing's fault, no sign of a forged certificate nor
of an older one."""


def _lookalikes(part: str) -> str:
    """The letters in ``part`` that a digit was mistaken for (Z1122O00002: O for 0)."""
    found = [
        f"字母 {c} {MISTAKEN_LETTER}{d}"
        for c, d in (("O", "0"), ("I", "1"), ("L", "1"))
        if c in part
    ]
    return f"（{'，'.join(found)}）" if found else ""


def prefix_of(canonical: str) -> str:
    """`CertificateNumber.prefix` of a number already canonical (``str(parse(...))``), without
    parsing it again: each row of a roster is matched with the registry by its prefix, and
    parsing a million numbers a second time costs the sync seconds."""
    return canonical[:7]


MAX_SEQUENCE = 9999
"""The highest sequence four digits hold (附件3 四: 0001-9999)."""


FIRST_YEAR = FIRST_DAY.year
"""The first batch's year (附件3 二: 首批证书统一为 11): no certificate of the series is older."""


def year_code_problem(year_code: str, issued_on: dt.date) -> str | None:
    """Why ``year_code`` cannot be the code of a batch issued on ``issued_on``: not two digits,
    or a year before the first batch's (99 was read as 1999 and loaded, 05 as 2005)."""
    if len(year_code) != 2 or not (year_code.isascii() and year_code.isdigit()):
        return 'year_code 应为两位半角数字，如 "12"'
    year = year_of_code(year_code, issued_on)
    if year < FIRST_YEAR:
        first = year_code_of(FIRST_YEAR)
        # 28 in 2026 is read as 1928: as 2028 it would be a year not come yet
        century = issued_on.year - issued_on.year % 100
        ahead = f"，读作 {year + 100} 年则晚于 {issued_on.year} 年" if year < century else ""
        return (
            f"year_code “{year_code}” 读作 {year} 年，早于首批证书的 {first}{ahead}"
            f"（附件3 二：取核发年份的后两位，首批证书统一为 {first}）"
        )
    return None


def year_code_of(year: int) -> str:
    """The two-digit year code of a year (附件3 二: 2011 → "11")."""
    return f"{year % 100:02d}"


def year_of_code(year_code: str, issued_on: dt.date) -> int:
    """The year a two-digit code (附件3 二) means on a certificate issued on ``issued_on``: the
    one in that date's century, or the century before when that would be more than a year
    ahead (``99`` for a 2000 issue date is 1999)."""
    year = issued_on.year - issued_on.year % 100 + int(year_code)
    return year - 100 if year > issued_on.year + 1 else year
