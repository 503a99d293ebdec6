"""What a spreadsheet's number format shows of a cell's value: `hides_text`, `hides_numbers`.

A number format has up to four sections, ``positive;negative;zero;text`` (or, with conditions
such as ``[<60]``, the first two go by the condition). Excel shows a cell through its section:

- text: the fourth section, or a lone section with ``@``; without ``@`` it shows the section's
  own words instead of the text (``0;-0;0;"张三"``, ``;;;``), and words beside ``@``
  (``@"明"``) are shown as if the cell held them;
- a number: with no digit, date or time placeholder the section shows fixed words or nothing
  (``"90"``, ``;;``, ``[$-804]aaaa``); digits written as words beside the placeholders
  (``0"0"``: 77 shown as 770), or commas after the last digit (``0,``: 77 shown as 0), show
  another number.

A ``[White]`` section shows nothing on a white sheet. The reviewer signs what the sheet shows,
the registry would load what the cell holds: such a cell is refused
(`registry.sheets._formats`). This module imports only the standard library: the guarded
child that reads an .xls (`registry.sheets._worker`) loads it by its path.
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_CODE = 255
"""The longest format Excel writes; a longer one is no clerk's, and is taken as hiding."""
_DIGITS = frozenset("0#?")
_DATE_TIME = frozenset("ymdhsegbYMDHSEGB")
_GENERAL = ("general", "g/通用格式")
"""General as written in English and by Chinese Excel and WPS."""
_DECORATION = frozenset(" .,%+-()/:$")
_DIGIT_BESIDE = re.compile("[0-9]N|N[0-9]")
"""A digit written right beside a digit of the value (0"0": 77 shown as 770)."""
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
    condition: bool
    scaled: bool


WHITE = ("white", "白色", "color2")
"""White as Excel, WPS and Excel's default palette write it."""


def sections(code: str) -> list[Section]:
    """The sections of ``code``, split at the semicolons outside quotes and brackets."""
    found: list[Section] = []
    shown: set[str] = set()
    words: list[str] = []
    shape: list[str] = []
    texts = 0
    white = condition = comma = False

    def close_section() -> None:
        found.append(
            Section(
                frozenset(shown), "".join(words), "".join(shape), texts, white, condition, comma
            )
        )

    index = 0
    while index < len(code):
        char = code[index]
        written = ""
        if char in '"[':
            close = code.find('"' if char == '"' else "]", index + 1)
            close = len(code) if close < 0 else close
            inside = code[index + 1 : close]
            if char == '"':
                written = inside
            else:  # a colour, a condition, a locale ([$-804]), a numeral system ([DBNum1])
                white = white or inside.strip().lower() in WHITE
                condition = condition or inside.strip()[:1] in ("<", ">", "=")
            index = close
        elif char in "\\!":  # an escaped character: written as is
            written = code[index + 1 : index + 2]
            index += 1
        elif char == "*":  # a fill: the next character repeated across the cell
            fill = code[index + 1 : index + 2]
            written = fill if fill.isascii() and fill.isdigit() else ""
            index += 1
        elif char == "_":  # a space as wide as the next character
            index += 1
        elif char == ";":
            close_section()
            shown, words, shape, texts = set(), [], [], 0
            white = condition = comma = False
        elif general := _general_at(code, index):
            shown.add("0")
            shape.append("N")
            index += general - 1
        elif char in _DIGITS:
            shown.add("0")
            shape.append("N")
            comma = False
        elif char == ",":
            comma = comma or "0" in shown
        elif char == "@":
            shown.add(char)
            texts += 1
        elif char in _DATE_TIME:
            shown.add(char)
            shape.append(char)
        elif char in _DECORATION:
            shape.append(char)
        else:
            written = char
        if written:
            words.append(written)
            shape.append(written)
        index += 1
    close_section()
    return found


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


def hides_text(code: str) -> bool:
    """Whether the format shows a text cell as other words than it holds, or as nothing."""
    if len(code) > MAX_CODE:
        return True
    text = _text_section(sections(code))
    return text is not None and (text.texts != 1 or bool(text.words.strip()) or text.white)


def hides_numbers(code: str) -> bool:
    """Whether the format shows a positive number as other digits or words, or as nothing."""
    if len(code) > MAX_CODE:
        return True
    parts = sections(code)
    if len(parts) == 1 and "@" in parts[0].shown:
        return False  # a text format: a number is shown as it is
    # with a condition, a value may go by any of the first three sections
    numeric = parts[:3] if any(p.condition for p in parts[:2]) else parts[:1]
    return any(
        not (part.shown - {"@"}) or _DIGIT_BESIDE.search(part.shape) or part.scaled or part.white
        for part in numeric
    )
