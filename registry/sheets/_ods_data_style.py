"""An OpenDocument data style as it is read, part by part, into the Excel format code that
shows a value alike (`registry.sheets._ods_formats` judges the code)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from registry.sheets._number_formats import MAX_CODE

DATA_STYLES = frozenset(
    f"number:{kind}-style"
    for kind in ("number", "currency", "percentage", "date", "time", "boolean", "text")
)
PLACEHOLDERS = {
    "number:number": "0",
    "number:scientific-number": "0E+0",
    "number:fraction": "# ?/?",
    "number:text-content": "@",
    "number:year": "yy",
    "number:month": "m",
    "number:day": "d",
    "number:day-of-week": "aaa",
    "number:era": "e",
    "number:quarter": "q",
    "number:week-of-year": "ww",
    "number:hours": "h",
    "number:minutes": "mm",
    "number:seconds": "ss",
    "number:am-pm": "AM/PM",
}
"""Each part of a data style that shows the value, as the Excel code that shows it alike — a
date part in its short style, OpenDocument's default (`placeholder`)."""
LONG = {"number:year": "yyyy", "number:month": "mm", "number:day": "dd"}
"""The date parts a ``number:style="long"`` writes in full: 1975 (not 75), 05, 01."""
WORDS = ("number:text", "number:currency-symbol", "number:embedded-text")
"""Parts that write words of their own (embedded text: inside the number's digits)."""


def placeholder(name: str, attributes: Mapping[str, str]) -> str:
    """The Excel code of a part that shows the value, as its style writes it: ``<number:year/>``
    shows 75, ``<number:year number:style="long"/>`` 1975 — a cell showing 75年 was told as
    showing 1975年, whatever its style."""
    if name in LONG and attributes.get("number:style", "").strip() == "long":
        return LONG[name]
    return PLACEHOLDERS[name]


def escaped(words: str) -> str:
    """Words as an Excel code writes them literally, a character at a time (no quote to close)."""
    return "".join(f"\\{char}" for char in words)


@dataclass
class DataStyle:
    """A data style as its parts are read: its code and its maps."""

    text: bool = False
    """a text style (``<number:text-style>``), which LibreOffice also writes for the text
    section of a code of four (``0;0;0;"张三"``: its maps for the numbers)"""
    code: list[str] = field(default_factory=list)
    maps: list[tuple[str, str]] = field(default_factory=list)
    """(condition as ``>=0``, the data style it applies), in order"""
    white: bool = False
    scaled: bool = False

    @property
    def section(self) -> str:
        """The Excel code that shows a value as this style alone does."""
        code = ("[White]" if self.white else "") + "".join(self.code) + ("," if self.scaled else "")
        return code if len(code) <= MAX_CODE else ";;;"
