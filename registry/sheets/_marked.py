"""The rows an .xlsx worksheet marks as left out: hidden (``<row hidden="1">``), or holding a
cell struck through (a font with ``<strike/>``), the way clerks cross out a holder on paper.

python-calamine reads such rows like any other and says nothing of them, yet a clerk hides or
strikes a row to leave it out of what is reviewed and printed: loaded, it would give a
certificate to a holder nobody meant to register. So the parent finds them while it streams the
worksheet for its other checks (`registry.sheets._zipscan`), and the sync refuses a register with
such a data row, naming it (`registry.kinds.base.cell_problems`).

Most sheets mark nothing: each block costs a few ``bytes`` searches (`Probe`), and a workbook
whose styles strike no font through is not looked at again. A hit, or a struck-through font,
sends the sheet through one exact expat pass (`exact_marks`). An .ods or .xls workbook's marks
are not looked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pyexpat import ExpatError

from registry.sheets._extent import StopParsing, cell_position, expat_parser, whole_number
from registry.sheets._limits import SheetLimits, exceeded, unreadable

_HIDDEN = b'hidden="'
_FORMULA_END = b"</f>"
_UNSAVED = (b"</f></c>", b"</f><v/>", b"</f><v />", b"</f><v></v>", b"/></c>")
"""What a formula without a saved value must show (a self-closing shared formula,
``<f t="shared" si="0"/></c>``, ends in ``/></c>``), looked for once the sheet has formulas —
its master formula, before it, ends in ``</f>``. A hidden row must say ``hidden="``. These turn
up elsewhere too — a hidden column, an empty string a formula returned — so a hit only sends
the sheet through `exact_marks`, which tells them apart."""
TAIL = max(len(probe) for probe in (_HIDDEN, *_UNSAVED)) - 1
"""bytes kept from one block to the next, so that a probe cut in two is still found"""
_TRUE = ("1", "true")


@dataclass(frozen=True)
class Marks:
    """The numbers of the rows a worksheet hides, of those with a struck-through cell, and of
    those with a formula saved without its value (a file written by a program, not by Excel or
    WPS: read as empty, though the program that opens it shows a value)."""

    hidden: frozenset[int] = frozenset()
    struck: frozenset[int] = frozenset()
    unsaved: frozenset[int] = frozenset()


NO_MARKS = Marks()


class Probe:
    """Fed the worksheet's blocks in order: ``hit`` once a probe turns up — two searches a
    block of a sheet without formulas. Linear in the bytes, whatever they hold (no regular
    expression to backtrack on a hostile sheet)."""

    def __init__(self) -> None:
        self.hit = False
        self.formulas = False
        self._tail = b""

    def feed(self, block: bytes) -> None:
        if self.hit:
            return
        seam = self._tail + block[:TAIL]  # a probe cut in two by the blocks' edge
        self._tail = (self._tail + block)[-TAIL:] if len(block) < TAIL else block[-TAIL:]
        self.formulas = self.formulas or _FORMULA_END in block or _FORMULA_END in seam
        probes = (_HIDDEN, *_UNSAVED) if self.formulas else (_HIDDEN,)
        self.hit = any(probe in block or probe in seam for probe in probes)


def _parse(
    data: bytes | Iterator[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    *,
    text: Callable[[str], None] | None = None,
    check: Callable[[], None] | None = None,
) -> None:
    parser = expat_parser()
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        for block in [data] if isinstance(data, bytes) else data:
            if check is not None:
                check()
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except StopParsing:
        pass
    except ExpatError as exc:
        raise unreadable("工作簿内的 XML 部件已损坏") from exc


def struck_formats(styles: bytes) -> frozenset[int]:
    """The cell formats (indexes into ``<cellXfs>``) whose font is struck through."""
    struck_fonts: set[int] = set()
    formats: set[int] = set()
    place = {"fonts": -1, "cellXfs": -1}
    inside = ""

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal inside
        local = name.rpartition(" ")[2]
        if local in place:
            inside = local
        elif inside == "fonts" and local == "font":
            place["fonts"] += 1
        elif inside == "fonts" and local == "strike" and attributes.get("val", "1") in _TRUE:
            struck_fonts.add(place["fonts"])
        elif inside == "cellXfs" and local == "xf":
            place["cellXfs"] += 1
            font = attributes.get("fontId", "0")
            if whole_number(font) in struck_fonts:
                formats.add(place["cellXfs"])

    def end(name: str) -> None:
        nonlocal inside
        if name.rpartition(" ")[2] == inside:
            inside = ""

    _parse(styles, start, end)
    return frozenset(formats)


def exact_marks(
    blocks: Iterator[bytes], struck: frozenset[int], limits: SheetLimits, deadline: float
) -> Marks:
    """Both marks by expat: a row without ``r`` numbered after the one before it, as
    python-calamine does; a struck row one with a struck-through cell that holds a value."""
    hidden: set[int] = set()
    rows: set[int] = set()
    unsaved: set[int] = set()
    most = limits.max_rows  # rows past it are refused by the child: no set grows past it
    row = 0
    cell = 0  # the row of the cell being read
    styled = formula = filled = in_value = text_result = False

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal row, cell, styled, formula, filled, in_value, text_result
        local = name.rpartition(" ")[2]
        if local == "row":
            number = attributes.get("r", "")
            row = whole_number(number) or row + 1
            if attributes.get("hidden") in _TRUE and row <= most:
                hidden.add(row)
        elif local == "c":
            style = attributes.get("s", "0")
            styled = whole_number(style) in struck
            position = cell_position(attributes.get("r", ""))
            cell = position[0] if position else row
            formula = filled = False
            text_result = attributes.get("t") == "str"  # a formula's "" is saved as <v/>
        elif local == "f":
            formula = True
        elif local in ("v", "is"):
            in_value = True
            if styled and cell <= most:
                rows.add(cell)

    def text(data: str) -> None:
        nonlocal filled
        filled = filled or (in_value and bool(data))

    def end(name: str) -> None:
        nonlocal in_value
        local = name.rpartition(" ")[2]
        if local in ("v", "is"):
            in_value = False
        elif local == "c" and formula and not filled and not text_result and cell <= most:
            unsaved.add(cell)

    def in_time() -> None:
        if time.monotonic() > deadline:
            raise exceeded(limits, "seconds")

    _parse(blocks, start, end, text=text, check=in_time)
    return Marks(frozenset(hidden), frozenset(rows), frozenset(unsaved))
