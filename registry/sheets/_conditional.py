"""The conditional formats of an .xlsx worksheet that hide what a filled cell holds: a hiding
number format, text in its background's colour, a bar or icons without the value.

A conditional format (``<conditionalFormatting sqref="A1:C9">``) applies its rules' formats to
its areas: a rule's ``dxfId`` names one of the styles' ``<dxfs>`` (`CellFormats.conditional`:
those whose number format or colours hide, `registry.sheets._formats`), or — written in the
sheet's extension list, as Excel writes a rule that refers to another sheet — the rule carries
its own ``<numFmt>`` and colours and its areas follow in ``<xm:sqref>``. Each is collected
whole, in whatever order its parts come, and judged once the cells are all read
(`hides_filled`): one only over cells left empty (an empty column, rows past the roster)
changes nothing anyone sees, nor does a rule for empty cells alone (``containsBlanks`` with the
formula Excel writes for it). A data bar or an icon set that shows itself without the value
(``showValue="0"``) hides it too, and so does a colour scale reaching black under black text. A
rule's colours are judged on the sheet's white, not on each cell's own fill.
"""

from __future__ import annotations

import re

from registry.sheets._colours import Palette, colour, unseen
from registry.sheets._extent import BEYOND, cell_position, style_index, whole_number
from registry.sheets._number_formats import hides
from registry.sheets._style_colours import DxfColours

_BLANK_TEST = re.compile(r"LEN\(TRIM\(\$?[A-Z]{1,3}\$?[0-9]{1,7}\)\)=0")
"""The formula Excel writes for a ``containsBlanks`` rule (``LEN(TRIM(A4))=0``)."""
DXF_ELEMENTS = ("font", "fill", "border", "color", "bgColor", "fgColor")
"""What of an extension's rule's own style (``<x14:dxf>``) tells its colours (`DxfColours`)."""
Area = tuple[int, int, int, int]
"""(first row, first column, last row, last column)"""


class ConditionalFormats:
    """Fed a worksheet's elements (local names) and text: the areas of the conditional formats
    whose rules hide what a cell holds (`hiding`)."""

    def __init__(self, hiding_styles: frozenset[int], palette: Palette) -> None:
        self.hiding: list[str] = []
        """the areas (an ``sqref``) of each conditional format with a hiding rule"""
        self._styles = hiding_styles
        self._palette = palette
        self._inside = self._hides = self._in_sqref = self._blanks = self._styled = False
        self._scale = False
        self._areas: list[str] = []
        self._formula: list[str] | None = None
        self._dxf: DxfColours | None = None
        """an extension's rule's own style being read"""

    def start(self, local: str, attributes: dict[str, str]) -> None:
        if local == "conditionalFormatting":
            self._inside, self._hides = True, False
            self._areas = [attributes.get("sqref", "")]
        elif not self._inside:
            return
        elif local == "cfRule":  # (judged at its end, once its formula is read)
            self._blanks = attributes.get("type", "").strip() == "containsBlanks"
            self._styled = style_index(attributes.get("dxfId", "")) in self._styles
        elif local in ("formula", "f"):
            self._formula = []
        elif local == "colorScale":  # a scale whose darkest end is the (black) text's
            self._scale = True
        elif self._scale and local == "color":
            self._hides = self._hides or unseen(None, colour(attributes, self._palette))
        elif local == "numFmt":  # an extension's rule's own format (``<x14:dxf>``)
            shown = hides(attributes.get("formatCode", "")) and not self._blanks
            self._hides = self._hides or shown
        elif local == "dxf":  # and its own colours
            self._dxf = DxfColours()
        elif self._dxf is not None and local in DXF_ELEMENTS:
            self._dxf.start(local, attributes)
        elif local in ("dataBar", "iconSet"):  # a bar or an icon instead of the number
            shown = attributes.get("showValue", "1").strip() not in ("0", "false")
            self._hides = self._hides or not shown
        elif local == "sqref":  # an extension's areas (``<xm:sqref>``)
            self._in_sqref = True
            self._areas.append(" ")

    def text(self, data: str) -> None:
        if self._in_sqref:
            self._areas.append(data)
        elif self._formula is not None:
            self._formula.append(data)

    def end(self, local: str) -> None:
        if local == "sqref":
            self._in_sqref = False
        elif local in ("formula", "f") and self._formula is not None:
            # a rule for empty cells alone, as Excel writes it: any other formula decides
            written = "".join(self._formula).replace(" ", "").upper()
            self._blanks = self._blanks and bool(_BLANK_TEST.fullmatch(written))
            self._formula = None
        elif local == "cfRule":
            self._hides = self._hides or (self._styled and not self._blanks)
            self._styled = False
        elif local == "colorScale":
            self._scale = False
        elif local == "dxf" and self._dxf is not None:
            if not self._blanks and self._dxf.unseen(self._palette):
                self._hides = True
            self._dxf = None
        elif local == "conditionalFormatting" and self._inside:
            if self._hides:
                self.hiding.append("".join(self._areas))
            self._inside = False


def hides_filled(hiding: list[str], filled_rows: dict[int, list[int]]) -> bool:
    """Whether one of the ``hiding`` conditional formats' areas reaches a column's filled rows
    (``filled_rows``: column → [first, last] row holding a value)."""
    return any(covers_filled(sqref, filled_rows) for sqref in hiding)


def covers_filled(sqref: str, filled_rows: dict[int, list[int]]) -> bool:
    """Whether the areas of a conditional format (``A1:C9 E2``, whole columns ``D:D``, whole
    rows ``3:5``, corners in either order) reach a column's filled rows. An area not read is
    taken to reach them."""
    areas = [_area(token) for token in sqref.replace("$", "").split()] or [None]
    return any(
        area is None
        or any(
            area[1] <= column <= area[3] and area[0] <= last and first <= area[2]
            for column, (first, last) in filled_rows.items()
        )
        for area in areas
    )


def _area(token: str) -> Area | None:
    """The area of ``A1:C9``, ``C9:A1``, ``A1``, ``D:D`` or ``3:5``; None for anything else."""
    first, _, last = token.partition(":")
    top, bottom = _corner(first), _corner(last or first)
    if top is None or bottom is None:
        return None
    rows = (1, BEYOND) if 0 in (top[0], bottom[0]) else sorted((top[0], bottom[0]))
    columns = (1, BEYOND) if 0 in (top[1], bottom[1]) else sorted((top[1], bottom[1]))
    return rows[0], columns[0], rows[1], columns[1]


def _corner(reference: str) -> tuple[int, int] | None:
    """(row, column) of ``B7``; a 0 for the part left out (``B``: a whole column, ``7``: a
    whole row); None for anything else."""
    if reference.isascii() and reference.isalpha():
        position = cell_position(reference + "1")
        return (0, position[1]) if position else None
    if reference.isascii() and reference.isdigit():
        row = whole_number(reference)
        return (row, 0) if row else None
    return cell_position(reference)
