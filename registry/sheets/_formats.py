"""What an .xlsx's cell formats (``xl/styles.xml``) do to what a cell shows: a font struck
through, and a number format that shows a cell as other words than it holds, or as nothing.

A number format has up to four sections, ``positive;negative;zero;text``. The fourth decides
how a text cell looks: without ``@`` in it, the cell shows the section's own words instead of
its text — ``0;-0;0;"张三"`` shows 张三 whatever name the cell holds, ``;;;`` shows nothing.
The first decides how a positive number looks: with no digit, date or time in it, the number
is shown as fixed words or not at all. The reviewer signs what the sheet shows and the registry
would load what the cell holds, so such a cell is refused like a hidden row
(`registry.sheets._marked`, `registry.kinds.marked.marked_rows`). What a format shows is read
by `registry.sheets._worker.hides_text` and `hides_numbers`, there so that the child reading
an .xls, which imports nothing of ours, uses them too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from registry.sheets._extent import parse_marks, whole_number
from registry.sheets._limits import SheetLimits, unreadable
from registry.sheets._worker import hides_numbers, hides_text

MAX_FORMATS = 65_490
"""Cell formats (and fonts) a workbook may define: Excel's own limit."""
_TRUE = ("1", "true")


@dataclass(frozen=True)
class CellFormats:
    """The cell formats (indexes into ``<cellXfs>``) that change what a cell shows."""

    struck: frozenset[int] = frozenset()
    """formats whose font is struck through"""
    hiding_text: frozenset[int] = frozenset()
    """formats that show a text cell as other words, or as nothing"""
    hiding_numbers: frozenset[int] = frozenset()
    """formats that show a positive number as fixed words, or as nothing"""

    def __bool__(self) -> bool:
        return bool(self.struck or self.hiding_text or self.hiding_numbers)


NO_FORMATS = CellFormats()


def cell_formats(styles: Iterator[bytes], limits: SheetLimits, deadline: float) -> CellFormats:
    """The cell formats of ``styles`` (``xl/styles.xml``) that strike through or hide a cell."""
    struck_fonts: set[int] = set()
    hiding: dict[str, set[int]] = {"text": set(), "numbers": set()}
    codes: dict[int, str] = {}
    struck: set[int] = set()
    place = {"fonts": -1, "cellXfs": -1}
    inside = ""

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal inside
        local = name.rpartition(" ")[2]
        if local in place:
            inside = local
        elif local == "numFmt" and len(codes) < MAX_FORMATS:
            number = whole_number(attributes.get("numFmtId", ""))
            if number is not None:
                codes[number] = attributes.get("formatCode", "")
        elif inside == "fonts" and local == "font":
            place["fonts"] += 1
            if place["fonts"] >= MAX_FORMATS:
                raise unreadable(f"样式表的字体超过 {MAX_FORMATS:,} 种（Excel 的上限）")
        elif inside == "fonts" and local == "strike":
            if attributes.get("val", "1") in _TRUE:
                struck_fonts.add(place["fonts"])
        elif inside == "cellXfs" and local == "xf":
            place["cellXfs"] += 1
            if place["cellXfs"] >= MAX_FORMATS:
                raise unreadable(f"样式表的单元格格式超过 {MAX_FORMATS:,} 种（Excel 的上限）")
            if whole_number(attributes.get("fontId", "0")) in struck_fonts:
                struck.add(place["cellXfs"])
            code = codes.get(whole_number(attributes.get("numFmtId", "0")) or 0)
            if code is not None:
                if hides_text(code):
                    hiding["text"].add(place["cellXfs"])
                if hides_numbers(code):
                    hiding["numbers"].add(place["cellXfs"])

    def end(name: str) -> None:
        nonlocal inside
        if name.rpartition(" ")[2] == inside:
            inside = ""

    parse_marks(styles, start, end, limits=limits, deadline=deadline)
    return CellFormats(frozenset(struck), frozenset(hiding["text"]), frozenset(hiding["numbers"]))
