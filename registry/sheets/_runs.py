"""The runs of an .xlsx's rich text (``<r><rPr>…</rPr><t>…</t></r>``, in a shared string or an
inline one) that a reader does not see: struck through, in white, or too small to read. A clerk
selects a character in the cell and whitens or shrinks it: 张三 and a white 丰 shows 张三 and
loads 张三丰 (`registry.sheets._marked`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from registry.sheets._colours import Palette, colour, points, too_small, unseen
from registry.sheets._extent import parse_marks
from registry.sheets._limits import SheetLimits, unreadable

MAX_MARKED_STRINGS = 100_000
"""Shared strings struck, whitened or shrunk a workbook may hold: far more than any register."""
_TRUE = ("1", "true")


class Runs:
    """The run being read of one string, and whether visible text fell in a run in white (on
    the sheet's white) or too small to read."""

    def __init__(self, palette: Palette) -> None:
        self.palette = palette
        self.white = self.tiny = False
        """whether text fell in such a run, since `new_string`"""
        self._white = self._tiny = False

    def new_string(self) -> None:
        self.white = self.tiny = self._white = self._tiny = False

    def start(self, local: str, attributes: dict[str, str]) -> None:
        """An element of the string (only runs hold ``<color>`` and ``<sz>`` there)."""
        if local == "r":
            self._white = self._tiny = False
        elif local == "color":
            self._white = unseen(colour(attributes, self.palette), None)
        elif local == "sz":
            self._tiny = too_small(points(attributes.get("val", "")))

    def text(self, data: str) -> None:
        if (self._white or self._tiny) and data.strip():
            self.white, self.tiny = self.white or self._white, self.tiny or self._tiny


@dataclass(frozen=True)
class StringMarks:
    """The shared strings with a run struck through, in white, or too small to read."""

    struck: frozenset[int] = frozenset()
    white: frozenset[int] = frozenset()
    tiny: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.struck or self.white or self.tiny)


NO_STRING_MARKS = StringMarks()


def string_marks(
    shared: Iterator[bytes], limits: SheetLimits, deadline: float, palette: Palette
) -> StringMarks:
    """The marks of ``xl/sharedStrings.xml``'s strings (`StringMarks`), their runs' colours
    read with the workbook's ``palette``."""
    struck: set[int] = set()
    white: set[int] = set()
    tiny: set[int] = set()
    runs = Runs(palette)
    index = -1

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal index
        local = name.rpartition(" ")[2]
        if local == "si":
            index += 1
            runs.new_string()
            if len(struck) + len(white) + len(tiny) > MAX_MARKED_STRINGS:
                raise unreadable(f"带删除线、白色或极小的文字超过 {MAX_MARKED_STRINGS:,} 处")
        elif local == "strike" and attributes.get("val", "1") in _TRUE:
            struck.add(index)
        else:
            runs.start(local, attributes)

    def text(data: str) -> None:
        runs.text(data)
        if runs.white:
            white.add(index)
        if runs.tiny:
            tiny.add(index)

    parse_marks(shared, start, text=text, limits=limits, deadline=deadline)
    return StringMarks(frozenset(struck), frozenset(white), frozenset(tiny))
