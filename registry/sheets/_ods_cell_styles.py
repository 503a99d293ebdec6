"""An .ods's cell styles as they inherit from their parents (and ``Default``): the colour,
size and background of their text, and whether it vanishes (`registry.sheets._colours`),
for `registry.sheets._ods_formats.DataStyles`, which adds what they show of a value."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from registry.sheets._colours import RGB, too_small, unseen, written_colour, written_points

MAX_DEPTH = 16
"""Parent styles and maps followed: deeper is no clerk's file, and is taken as hiding."""
DEFAULT = "Default"
"""The cell style of a cell that names none, nor its row or column (LibreOffice's)."""
TINY = "tiny"
"""A span's text too small to read (`DataStyles.span_faults`)."""
SIZES = ("fo:font-size", "style:font-size-asian", "style:font-size-complex")
"""A text's sizes: Western, Asian (Chinese characters'), complex scripts' (any may be tiny)."""
AUTOMATIC = "style:use-window-font-color"
"""LibreOffice's automatic text colour (its 自动 font colour), which it draws black on a light
cell and white on a dark one: never the colour of the cell."""
WRITTEN = {
    "style:text-properties": ("fo:color", AUTOMATIC, *SIZES),
    "style:table-cell-properties": ("fo:background-color",),
}
"""Where a cell style writes its text's colour and size, and its background."""


@dataclass
class CellStyle:
    """A cell style: its data style or parent, and the cell styles its conditions apply."""

    data_style: str | None
    parent: str | None
    part: int
    """the part it was read from (0: styles.xml, 1: content.xml, whose own come first)"""
    conditions: list[str] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)
    """its own text colour and size and its background (`WRITTEN`)"""


class CellStyles:
    """The cell styles read (`CellStyle`, by name), and what their text looks like."""

    def __init__(self) -> None:
        self._cells: dict[str, CellStyle] = {}
        self._unseen: dict[str | None, bool] = {}
        self._backgrounds: dict[str | None, RGB | None] = {}
        """cell style → whether its text vanishes, its background: once each, not a cell"""

    def unseen(self, cell_style: str | None) -> bool:
        """Whether a cell in ``cell_style`` (or one its conditions apply) has its text in the
        colour of its background (`registry.sheets._colours`): white on none, black on black."""
        if (known := self._unseen.get(cell_style)) is not None:
            return known
        own = self._cells.get(cell_style or DEFAULT)
        found = self._unseen[cell_style] = any(
            (
                not self._automatic(style)
                and unseen(
                    self._colour(style, "fo:color"), self._colour(style, "fo:background-color")
                )
            )
            or any(too_small(written_points(self._written(style, size) or "")) for size in SIZES)
            for style in (cell_style or DEFAULT, *(own.conditions if own else ()))
        )
        return found

    def background(self, cell_style: str | None) -> RGB | None:
        """The background of a cell in ``cell_style`` (None: none, the sheet's white)."""
        if cell_style not in self._backgrounds:
            colour = self._colour(cell_style or DEFAULT, "fo:background-color")
            self._backgrounds[cell_style] = colour
        return self._backgrounds[cell_style]

    def _automatic(self, cell_style: str) -> bool:
        """Whether the nearest of a cell style and its parents to set a text colour sets the
        automatic one."""
        for cell in self._lineage(cell_style):
            if cell is None:
                return False
            if cell.written.get(AUTOMATIC, "").strip() == "true":
                return True
            if "fo:color" in cell.written:
                return False
        return False

    def _colour(self, cell_style: str, key: str) -> RGB | None:
        """A cell style's colour ``key``, its own or its parents' (None: none set)."""
        written = self._written(cell_style, key)
        return None if written is None else written_colour(written)

    def _written(self, cell_style: str, key: str) -> str | None:
        """A cell style's ``key`` (`WRITTEN`), its own or its parents' (None: none set; ""
        for a chain deeper than any clerk's, which is not read)."""
        for cell in self._lineage(cell_style):
            if cell is None:
                return ""
            if key in cell.written:
                return cell.written[key]
        return None

    def _lineage(self, cell_style: str) -> Iterator[CellStyle | None]:
        """A cell style and its parents, nearest first (a style without a parent has
        ``Default`` for one, as in LibreOffice); None for a chain deeper than any clerk's."""
        for _ in range(MAX_DEPTH):
            cell = self._cells.get(cell_style)
            if cell is not None:
                yield cell
            parent = cell.parent if cell is not None else None
            if parent is None and cell_style != DEFAULT:
                parent = DEFAULT
            if parent is None:
                return
            cell_style = parent
        yield None
