"""The runs of an .xlsx's rich text (``<r><rPr>…</rPr><t>…</t></r>``, in a shared string or an
inline one) that a reader does not see: struck through, in white, or too small to read. A clerk
selects a character in the cell and whitens or shrinks it: 张三 and a white 丰 shows 张三 and
loads 张三丰 (`registry.sheets._marked`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field

from registry.sheets._colours import RGB, Palette, colour, points, too_small, unseen
from registry.sheets._extent import parse_marks
from registry.sheets._limits import SheetLimits, unreadable

_PROPERTY = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(color|sz|strike)\b([^<>]*)>")
"""A run property as most writers spell it; the pre-scan (`plain_runs`) reads only these."""
_ATTRIBUTE = re.compile(r'(?<![\w.-])([A-Za-z_][\w.-]*)="([^"&]*)"')
"""An attribute of a run property; its name starts after what no name holds — tried from every
letter of a long run of them, 40,000 took a hostile upload's parse 6 s, four times as long for
twice as many."""
MAX_MARKED_STRINGS = 100_000
"""Shared strings struck, whitened or shrunk a workbook may hold: far more than any register."""
_TRUE = ("1", "true")


class Runs:
    """The run being read of one string, and what visible text fell in: runs of colours of
    their own (judged against the cell's fill, `vanish`), runs too small to read, and struck
    runs beside plain ones (`partly_struck`)."""

    def __init__(self, palette: Palette) -> None:
        self.palette = palette
        self.colours: set[RGB] = set()
        """the colours of the runs visible text fell in, since `new_string`"""
        self.tiny = False
        """whether visible text fell in a run too small to read"""
        self.struck = False
        """whether a run of the string is struck through (whatever its text)"""
        self.struck_text = self.plain_text = False
        """whether visible text fell in a struck run, in another"""
        self._colour: RGB | None = None
        self._tiny = self._struck = False

    def new_string(self) -> None:
        self.colours, self.tiny, self._colour, self._tiny = set(), False, None, False
        self.struck = self.struck_text = self.plain_text = self._struck = False

    def start(self, local: str, attributes: dict[str, str]) -> None:
        """An element of the string (only runs hold ``<color>`` and ``<sz>`` there)."""
        if local == "r":
            self._colour, self._tiny, self._struck = None, False, False
        elif local == "color":
            self._colour = colour(attributes, self.palette)
        elif local == "sz":
            self._tiny = too_small(points(attributes.get("val", "")))

    def strike(self) -> None:
        """The run being read is struck through (``<strike/>``)."""
        self.struck = self._struck = True

    def text(self, data: str) -> None:
        if self._struck:
            self.struck_text = self.struck_text or not data.isspace()
        elif not self.plain_text:
            self.plain_text = not data.isspace()
        if (self._colour is not None or self._tiny) and data.strip():
            if self._colour is not None:
                self.colours.add(self._colour)
            self.tiny = self.tiny or self._tiny

    @property
    def partly_struck(self) -> bool:
        """Whether part of the string is struck and part not: a number struck through and the
        right one typed after it — deleting the struck text mends it, clearing the strike
        leaves both."""
        return self.struck_text and self.plain_text


def vanish(colours: Collection[RGB], *backgrounds: RGB | None) -> bool:
    """Whether a run of one of ``colours`` vanishes on one of ``backgrounds`` (None: white)."""
    return any(unseen(run, background) for run in colours for background in backgrounds)


@dataclass(frozen=True)
class StringMarks:
    """The shared strings with a run struck through, too small to read, or of a colour of its
    own (judged against the fill of each cell that shows the string, `vanish`)."""

    struck: frozenset[int] = frozenset()
    coloured: Mapping[int, frozenset[RGB]] = field(default_factory=dict)
    tiny: frozenset[int] = frozenset()
    partly: frozenset[int] = frozenset()
    """of `struck`, the strings with plain text beside the struck (`Runs.partly_struck`)"""

    def __bool__(self) -> bool:
        return bool(self.struck or self.coloured or self.tiny)


NO_STRING_MARKS = StringMarks()


def plain_runs(shared: Iterator[bytes], palette: Palette, fills: Collection[RGB | None]) -> bool:
    """Whether no run of ``xl/sharedStrings.xml`` can be struck, shrunk or vanish on one of
    ``fills``, by a scan of its run properties' distinct spellings: most rich text names black
    in every run, and `string_marks` would read 5 MB of it run by run for nothing. Anything
    the scan does not read as plainly written (a strike, an entity, another quote) answers
    False, and the part is read whole."""
    seen: set[bytes] = set()
    tail = b""
    for block in shared:
        window = tail + block
        cut = window.rfind(b"<")
        if cut < 0 or window.find(b">", cut) >= 0:
            cut = len(window)  # else the tag cut in two waits for the next block
        for name, written in _PROPERTY.findall(window[:cut]):
            seen.add(name + b" " + written)
        tail = window[cut:]
        if len(tail) > 4096:  # no tag is that long: leave it to the parse
            return False
    for spelling in seen:
        name, _, written = spelling.decode("utf-8", "replace").partition(" ")
        attributes = dict(_ATTRIBUTE.findall(written))
        if name == "strike" or "&" in written or "'" in written:
            return False
        if name == "sz" and too_small(points(attributes.get("val", ""))):
            return False
        if name == "color" and vanish([colour(attributes, palette)], *fills):
            return False
    return True


def string_marks(
    shared: Iterator[bytes],
    limits: SheetLimits,
    deadline: float,
    palette: Palette,
    fills: Collection[RGB | None] = (None,),
) -> StringMarks:
    """The marks of ``xl/sharedStrings.xml``'s strings (`StringMarks`), their runs' colours
    read with the workbook's ``palette``: only those that vanish on one of the workbook's
    ``fills`` (None: the sheet's white) are kept — a black run on white or yellow cells, as
    every run of most rich text is, asks nothing more of the sheet."""
    struck: set[int] = set()
    partly: set[int] = set()
    coloured: dict[int, frozenset[RGB]] = {}
    tiny: set[int] = set()
    runs = Runs(palette)
    index = -1

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal index
        local = name.rpartition(" ")[2]
        if local == "si":
            index += 1
            runs.new_string()
            if len(struck) + len(coloured) + len(tiny) > MAX_MARKED_STRINGS:
                raise unreadable(f"带删除线、白色或极小的文字超过 {MAX_MARKED_STRINGS:,} 处")
        elif local == "strike" and attributes.get("val", "1") in _TRUE:
            struck.add(index)
            runs.strike()
        else:
            runs.start(local, attributes)

    shared_sets: dict[frozenset[RGB], frozenset[RGB]] = {}  # (most strings' are one and the same)

    fading: dict[RGB, bool] = {}  # run colour → whether it vanishes on one of the fills

    def text(data: str) -> None:
        runs.text(data)
        for run in runs.colours:
            if run not in fading:
                fading[run] = any(unseen(run, fill) for fill in fills)
        if found := frozenset(run for run in runs.colours if fading[run]):
            coloured[index] = shared_sets.setdefault(found, found)
        if runs.tiny:
            tiny.add(index)
        if runs.partly_struck:
            partly.add(index)

    parse_marks(shared, start, text=text, limits=limits, deadline=deadline)
    return StringMarks(frozenset(struck), coloured, frozenset(tiny), frozenset(partly))


def shared_index(text: str) -> int:
    """The shared string a ``t="s"`` cell's value names, as python-calamine reads it: the
    number its digits make, and string 0 for anything else (blanks, signs, an overflow)."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 19:
        return 0
    return int(text)
