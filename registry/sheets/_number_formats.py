"""What a spreadsheet's number format shows of a cell's value: `hides_text`, `hides_numbers`.

A number format has up to four sections, ``positive;negative;zero;text`` (with conditions such
as ``[<60]``, the first two go by their conditions and the third takes the other numbers: a
positive number can only go by a section whose condition some positive number meets,
`_positive_sections`).
Excel shows a cell through its section:

- text: the fourth section, or a lone section with ``@``; without ``@`` it shows the section's
  own words instead of the text (``0;-0;0;"张三"``, ``;;;``), and words beside ``@``
  (``@"明"``) are shown as if the cell held them;
- a number: with no digit, date or time placeholder the section shows fixed words or nothing
  (``"90"``, ``;;``, ``[$-804]aaaa``); digits written as words beside the placeholders or
  joined to them (``0"0"``: 77 shown as 770; ``yyyy"-04"``: every date shown in April), or commas after the last digit (``0,``: 77 shown as 0), show
  another number.

A date format leaving out a part of the date (``yyyy``) shows no other digits: whether the
column needs that part is the register's (`registry.sheets._date_formats`).
A white section (``[White]``, WPS's ``[白色]``, ``[Color2]``) shows nothing on a white sheet. The reviewer signs what the sheet shows,
the registry would load what the cell holds: such a cell is refused
(`registry.sheets._formats`). This module imports only the standard library: the guarded
child that reads an .xls (`registry.sheets._worker`) loads it by its path for `registry.sheets._xls_marks`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

MAX_CODE = 255
"""The longest format Excel writes; a longer one is no clerk's, and is taken as hiding."""
_DIGITS = frozenset("0#?")
_DATE_TIME = frozenset("ymdhsegbYMDHSEGB")
_GENERAL = ("general", "g/通用格式")
"""General as written in English and by Chinese Excel and WPS."""
_DECORATION = frozenset(" .,%+-()/:$")
"""What a section may write beside its placeholders without changing the value shown."""


class Section(NamedTuple):
    """What one section of a format shows: its placeholders (digits as ``0``), the words it
    writes itself, its shape (each digit placeholder an ``N`` among what is written), how many
    times it shows the text, and whether it is white, has a condition, or scales by
    thousands."""

    shown: frozenset[str]
    words: str
    shape: str
    texts: int
    white: bool
    condition: str
    """the condition as written (``>=60``), "" for none"""
    scaled: bool


WHITE = ("white", "白色", "color2")
"""White as Excel, WPS and Excel's default palette write it."""


def sections(code: str) -> list[Section]:
    """The sections of ``code``, split at the semicolons outside quotes and brackets."""
    found: list[Section] = []
    current = _Reading()
    for kind, text in tokens(code):
        if kind == ";":
            found.append(current.done())
            current = _Reading()
        else:
            current.add(kind, text)
    found.append(current.done())
    return found


_KINDS = {
    **dict.fromkeys(_DECORATION, "decoration"),
    **dict.fromkeys(_DATE_TIME, "date"),
    **dict.fromkeys(_DIGITS, "digit"),
    ",": "comma",
    "@": "at",
    ";": ";",
}
_PAIRED = {'"': ("quote", '"'), "[": ("bracket", "]")}
_PREFIXED = {"\\": "escape", "!": "escape", "*": "fill", "_": "space"}


def tokens(code: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of each part of a format code: a quoted or bracketed text, an escaped
    character, a fill or a space's width (the character after ``*`` or ``_``), General, or
    one character of a kind in `_KINDS` (else a word written as is)."""
    index = 0
    while index < len(code):
        char = code[index]
        if char in _PAIRED:
            kind, end = _PAIRED[char]
            close = code.find(end, index + 1)
            close = len(code) if close < 0 else close
            yield kind, code[index + 1 : close]
            index = close + 1
        elif char in _PREFIXED:
            yield _PREFIXED[char], code[index + 1 : index + 2]
            index += 2
        elif general := _general_at(code, index):
            yield "general", code[index : index + general]
            index += general
        else:
            yield _KINDS.get(char, "word"), char
            index += 1


class _Reading:
    """A section as its parts are read (`Section` once done)."""

    def __init__(self) -> None:
        self.shown: set[str] = set()
        self.words: list[str] = []
        self.shape: list[str] = []
        self.texts = 0
        self.condition = ""
        self.white = self.comma = False

    def add(self, kind: str, text: str) -> None:
        if kind == "bracket":  # a colour, a condition, a locale ([$-804]), numerals ([DBNum1])
            self.white = self.white or text.strip().lower() in WHITE
            if text.strip()[:1] in ("<", ">", "="):
                self.condition = self.condition or text.strip()
        elif kind in ("digit", "general"):
            self.shown.add("0")
            self.shape.append("N")
            self.comma = self.comma and kind == "general"  # a digit after a comma: thousands
        elif kind == "comma":
            self.comma = self.comma or "0" in self.shown
        elif kind == "at":
            self.shown.add("@")
            self.texts += 1
        elif kind == "date":
            self.shown.add(text)
            self.shape.append(text)
        elif kind == "decoration":
            self.shape.append(text)
        elif text and (
            kind in ("quote", "escape", "word") or (kind == "fill" and text in "0123456789")
        ):
            self.words.append(text)  # (a fill of another character, a space's width: no word)
            self.shape.append(text)

    def done(self) -> Section:
        return Section(
            frozenset(self.shown),
            "".join(self.words),
            "".join(self.shape),
            self.texts,
            self.white,
            self.condition,
            self.comma,
        )


def _general_at(code: str, index: int) -> int:
    """The length of General written at ``index`` (in any case, or as Chinese Excel writes
    it), else 0."""
    for general in _GENERAL:
        if code[index : index + len(general)].lower() == general:
            return len(general)
    return 0


def _text_section(parts: list[Section]) -> Section | None:
    if len(parts) >= 4:
        return parts[3]
    if len(parts) == 1 and "@" in parts[0].shown:
        return parts[0]
    return None  # text is shown as it is written


_DATE_PART = "[" + "".join(sorted(_DATE_TIME)) + "]"
_NUMERAL = r"[\d〇零一二三四五六七八九十]"
_DATE_JOINS = "[-./: \u3000年月日时分秒号]*"
_JOINED_DIGIT = re.compile(
    rf"\dN|N\.?\d|\d\.N|{_NUMERAL}{_DATE_JOINS}{_DATE_PART}|{_DATE_PART}{_DATE_JOINS}{_NUMERAL}"
)
"""A digit the format writes beside a digit of the value (or across its decimal point), or
beside a date part of it joined as a date's parts are (``-./:``, spaces, 年月日…, in Chinese
numerals too): ``0"0"`` (77 shown as 770), ``yyyy"-04"`` (any birth date shown as April),
``"1975-"mm`` (1979-09 shown as 1975-09), ``"二〇一二年"m"月"``. A number's prefix apart from
it is no disguise: ``"028-"00000000``, a telephone's area code."""
_CENTURY = re.compile(r"(?<!\d)(?:19|20)(?=yy(?!y))")
"""A century written before a two-digit year (``"20"yy"年"``): the year as it is for the dates of
that century, and a year plainly wrong for any other (a birth year 2075), not a disguise."""


def _digit_beside(shape: str) -> bool:
    """Whether a digit is written beside a digit or date part of the value (`_JOINED_DIGIT`),
    in any script (０, ٣), invisible characters between them left out; not a superscript
    (m²), nor a digit apart from the value (``"+86 "000 0000 0000``, ``"028-"00000000``)."""
    seen = "".join(ch for ch in shape if unicodedata.category(ch) != "Cf")
    return _JOINED_DIGIT.search(_CENTURY.sub("", seen)) is not None


def hides_text(code: str) -> bool:
    """Whether the format shows a text cell as other words than it holds, or as nothing."""
    if len(code) > MAX_CODE:
        return True
    text = _text_section(sections(code))
    return text is not None and (text.texts != 1 or bool(text.words.strip()) or text.white)


def hides(code: str) -> bool:
    """Whether the format shows a text or a positive number as something else, or nothing: a
    conditional format's, which may fall on any cell."""
    return hides_text(code) or hides_numbers(code)


def hides_numbers(code: str) -> bool:
    """Whether the format shows a positive number as other digits or words, or as nothing."""
    if len(code) > MAX_CODE:
        return True
    parts = sections(code)
    if len(parts) == 1 and "@" in parts[0].shown:
        return False  # a text format: a number is shown as it is
    numeric = _positive_sections(parts) if any(p.condition for p in parts[:2]) else parts[:1]
    return any(
        not (part.shown - {"@"}) or _digit_beside(part.shape) or part.scaled or part.white
        for part in numeric
    )


_CONDITION = re.compile(r"(<=|>=|<>|<|>|=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")
_COMPARE = {
    "<": float.__lt__,
    ">": float.__gt__,
    "=": float.__eq__,
    "<=": float.__le__,
    ">=": float.__ge__,
    "<>": float.__ne__,
}


def _positive_sections(parts: list[Section]) -> list[Section]:
    """The sections of a conditioned format some positive number goes by: the first whose
    condition it meets, of the first two (one without a condition takes what the first left),
    else the third. ``[>0]0;[<0]-0;"-"`` shows every positive number by its first section, the
    ``-`` only for zero. A condition not read, or a number no section takes: any of the first
    three."""
    samples = positive_samples([part.condition for part in parts[:2] if part.condition])
    if samples is None:
        return parts[:3]
    reached: dict[int, Section] = {}
    for value in samples:
        index = _section_for(parts, value)
        if index is None:
            return parts[:3]
        reached[index] = parts[index]
    return list(reached.values())


def _section_for(parts: list[Section], value: float) -> int | None:
    for index, part in enumerate(parts[:2]):
        if not part.condition or condition_holds(part.condition, value):
            return index
    return 2 if len(parts) > 2 else None


def positive_samples(conditions: list[str]) -> list[float] | None:
    """Positive numbers that meet every way ``conditions`` (``>=60``) can fall: a condition
    holds or not alike between two bounds, so each bound and a number between two, and one
    past the last. None when a condition cannot be read."""
    bounds = []
    for condition in conditions:
        match = _CONDITION.fullmatch(condition)
        if match is None:
            return None
        bounds.append(float(match[2]))
    points = sorted({0.0, *bounds})
    between = {(a + b) / 2 for a, b in zip(points, points[1:], strict=False)}
    return sorted(v for v in {*points, *between, points[-1] + 1} if v > 0)


def condition_holds(condition: str, value: float) -> bool:
    """Whether ``value`` meets ``condition`` (read by `positive_samples` first)."""
    match = _CONDITION.fullmatch(condition)
    return match is not None and _COMPARE[match[1]](value, float(match[2]))


def first_met(conditions: list[str]) -> set[int] | None:
    """The conditions some positive number meets first (their indexes; ``len(conditions)``:
    none of them), or None when one cannot be read: which of an .ods style's maps, or the
    style itself, shows a positive number."""
    samples = positive_samples(conditions)
    if samples is None:
        return None
    return {
        next((i for i, c in enumerate(conditions) if condition_holds(c, value)), len(conditions))
        for value in samples
    }
