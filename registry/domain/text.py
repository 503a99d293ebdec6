"""Text that hides something: control characters, bidi overrides, zero-width characters.

A register cell or a name holding one would show differently from what it holds (U+202E turns
text around, U+200B makes two names that look alike compare unequal, an ANSI escape rewrites an
administrator's terminal), so registers refuse them (§四.(三): 字体规范) and reports print them
only as their code points.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import lru_cache

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Controls, format characters (bidi overrides, zero-width), surrogates, line/paragraph
separators. Unassigned and private-use code points are allowed: rare characters in names are
typed with them on older systems."""

MAX_NAME_CHARS = 50
"""The longest holder name a register may carry: the public check accepts no longer name."""
MAX_CELL_CHARS = 500
"""The longest text any register cell may hold: ten times the longest unit name or remark a
form has room for. A longer one is a paste gone wrong or an attack on the checks (a trade name
of 40,000 characters took a minute to compare with the catalogue), refused unread."""


def reference_rows(text: str) -> csv.DictReader[str]:
    """The rows of a reference file an administrator edits (the trade catalogue, the contacts,
    the regions) under its header: comma-separated, or tab-separated as Excel saves "Unicode
    文本". ``line_num`` is the line a row ends on, as the file shows it."""
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    tabbed = "\t" in first and "," not in first
    # newline="": a Mac's CR-only lines are lines too (they stopped every command, a review)
    return csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if tabbed else ",")


def shortened(text: str, keep: int = 20) -> str:
    """``text`` cut for a report when it is longer than ``keep`` characters, saying how long."""
    return text if len(text) <= keep else f"{text[:keep]}……（共 {len(text)} 个字符）"


BLANK_LOOKING = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2060-\u206f\u2800\u3164"
    "\ufe00-\ufe0f\uffa0\ufff0-\ufff8\U00016fe4\U000e0000-\U000e0fff]"
)
"""Showing nothing, though not a control or format character: Hangul fillers, the blank Braille
pattern, variation selectors, the combining grapheme joiner, the Khitan filler — and every code
point Unicode reserves as default-ignorable but has not assigned yet (U+2065, U+FFF0, U+E0080),
which fonts draw as nothing today and which "unassigned is allowed" must not let through. A name
made of them looks blank, and one carrying them never matches the same name typed without them."""
_PRINTABLE_BLANKS = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f\uffa0"
    "\U000e0100-\U000e01ef]"
)
"""Those of them `str.isprintable` passes, but the Khitan filler (`shows_all` looks for it
apart: one more astral character made this search of every row twice as slow)."""


def shows_all(text: str) -> bool:
    """Whether ``text`` holds nothing hidden or blank-looking: true of nearly every cell, said
    in C (the unassigned and format characters are not printable)."""
    return text.isprintable() and not _PRINTABLE_BLANKS.search(text) and "\U00016fe4" not in text


REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Bidi embeddings, overrides and isolates: text holding one shows its letters in another order
than it holds them (张\u202e三明 shows 张明三)."""


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in HIDDEN_CATEGORIES or BLANK_LOOKING.match(ch) is not None


def code_point(ch: str) -> str:
    return f"U+{ord(ch):04X}"


@lru_cache(maxsize=4096)
def hidden_characters(text: str) -> tuple[str, ...]:
    """The code points (``U+202E``) of the hidden characters in ``text``, in order, once each."""
    if shows_all(text):  # the common case, in C
        return ()
    return tuple(dict.fromkeys(code_point(ch) for ch in text if _hidden(ch)))


_SAID = {"\n": "<换行>", "\r": "<换行>", "\t": "<制表符>"}
"""Hidden characters a clerk knows by name: a line break typed in a cell with Alt+Enter was
quoted as <U+000A>, which meant nothing to one (a clerk's review)."""


def visible(text: str) -> str:
    """``text`` with each hidden character written as ``<U+202E>`` — a line break as ``<换行>``,
    a tab as ``<制表符>`` — safe to print or show."""
    if shows_all(text):
        return text
    text = text.replace("\r\n", "\n")  # one line break, as a spreadsheet shows it
    return "".join(_SAID.get(ch) or (f"<{code_point(ch)}>" if _hidden(ch) else ch) for ch in text)


ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
"""Soft hyphens, zero-width spaces and joiners, left-to-right and right-to-left marks, word
joiners, byte-order marks: what a copy from a chat or a document brings along and nobody sees.
Unlike a bidi override or isolate, they reorder nothing that is shown."""


def drop_invisible(text: str) -> str:
    """``text`` without what nobody sees: control characters (a NUL an HR system pads a field
    with, a pasted line break), format characters (a soft hyphen, a zero-width space, a
    byte-order mark pasted from a document) and the blank-looking ones. For what a person
    *types* into a check, which should find what they see — on every channel, as the form does
    — a register refuses them instead (`hidden_characters`), so no registered name or number
    holds one."""
    if shows_all(text):
        return text
    return "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in _UNSEEN_CATEGORIES and not BLANK_LOOKING.match(ch)
    )


_UNSEEN_CATEGORIES = ("Cc", "Cf")


_NEGATED = re.compile(
    "(?:非|不是|不|并非|并不是|没有|无|未|不属|不属于|不为|未发现|没有发现|未见|不存在)$"
)
"""Written just before a word, says the opposite (无损坏, 未遗失, 并非另一人, 不属同一人,
未发现不符合条件)."""


def typed_problem(text: str, limit: int, *, lines: bool) -> str | None:
    """Why ``text`` someone typed (a report's words, staff's note of what they did) cannot be
    kept as it is: longer than ``limit``, or holding a hidden character — a bidi override would
    show the reader something else than was typed; line breaks allowed when ``lines``. Worded
    to follow the field's name (报告内容最多…)."""
    if len(text) > limit:
        return f"最多 {limit} 个字符，现有 {len(text)} 个"
    hidden = hidden_characters(text.replace("\n", "") if lines else text)
    return f"含有不可见的控制字符（{'、'.join(hidden)}）" if hidden else None


def mentions(written: str, words: tuple[str, ...]) -> bool:
    """Whether what a clerk wrote (a reason, a remark) says one of ``words`` and does not deny
    it: 遗失后找回，无损坏 says no damage."""
    return any(
        not _NEGATED.search(written[: found.start()])
        for word in words
        for found in re.finditer(re.escape(word), written)
    )
