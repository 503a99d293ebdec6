"""The colours of an .xlsx's styles (``xl/styles.xml``) and theme (``xl/theme/theme1.xml``):
which cell formats and conditional formats draw text in the colour of its background
(`registry.sheets._colours`).

``styles.xml`` names its legacy palette (``<colors><indexedColors>``) after the fonts and fills
that use it, so the colours are collected as they come and judged once the part is read
(`StyleColours.judge`). A font's colour is its ``<color>``; a cell format's fill, its pattern's
foreground (``<fgColor>``, black without one) mixed into its background (``<bgColor>``, white)
as much as the pattern covers, the sheet's white for none, and a colour not judged for a
gradient; a conditional format's, its ``<font>``'s ``<color>`` and its fill's ``<bgColor>``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from registry.sheets._colours import (
    BLACK,
    OFFICE_THEME,
    RGB,
    UNKNOWN,
    WHITE,
    Palette,
    colour,
    hex_colour,
    mixed,
    points,
    too_small,
    unseen,
)
from registry.sheets._extent import BAD_XML, parse_marks
from registry.sheets._limits import SheetLimits, SheetRefused

COVERAGE = {"solid": 1.0, "darkGray": 0.75, "gray125": 0.125, "gray0625": 0.0625}
"""How much of a pattern its foreground colour covers (`mixed`): the dark hatches and stripes
half, the light ones a quarter (Excel's default fill 1 is gray125, black dots on white)."""
THEME_ORDER = (
    "lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5",
    "accent6", "hlink", "folHlink",
)  # fmt: skip
"""A theme's colours as ``theme="n"`` numbers them: its first two pairs swapped (light first)."""
Attributes = dict[str, str]


@dataclass
class _Fill:
    """A cell format's fill as written: its pattern and its two colours' attributes (a pattern
    draws its foreground, black unless set, over its background, white unless set)."""

    pattern: str
    foreground: Attributes | None = None
    background: Attributes | None = None

    def colour(self, palette: Palette) -> RGB | None:
        """What the eye sees under the text (None: no fill, the sheet's white)."""
        if self.pattern in ("", "none"):
            return None
        if self.pattern == "gradient":
            return UNKNOWN
        coverage = COVERAGE.get(self.pattern, 0.25 if self.pattern.startswith("light") else 0.5)
        front = _read(self.foreground, palette) or BLACK
        back = _read(self.background, palette) or WHITE
        return mixed(front, back, coverage)


@dataclass
class DxfColours:
    """A conditional format's own style as its elements come (``<dxf>``, in the styles or in a
    rule of the sheet's extension list): its font's colour, and its fill's (``<bgColor>``, as
    Excel writes it, or the ``<fgColor>`` of some writers' solid fill)."""

    font: Attributes | None = None
    fill: Attributes | None = None
    _part = ""

    def start(self, local: str, attributes: Attributes) -> None:
        if local in ("font", "numFmt", "fill", "alignment", "protection", "border"):
            self._part = local
        elif local == "color" and self._part == "font":
            self.font = attributes
        elif self._part == "fill" and (
            local == "bgColor" or (local == "fgColor" and not self.fill)
        ):
            self.fill = attributes

    def unseen(self, palette: Palette) -> bool:
        """Whether it draws text in its background's colour (a cell's own being the automatic
        black on white)."""
        if not (self.font or self.fill):
            return False
        return unseen(_read(self.font, palette), _read(self.fill, palette))


@dataclass
class StyleColours:
    """Fed ``styles.xml``'s elements in their sections (`_formats._Styles`)."""

    font_colours: dict[int, Attributes] = field(default_factory=dict)
    sizes: dict[int, float] = field(default_factory=dict)
    """font → its size in points"""
    fills: dict[int, _Fill] = field(default_factory=dict)
    cells: list[tuple[int, int | None, int | None]] = field(default_factory=list)
    """(cell format, its font, its fill)"""
    dxfs: dict[int, DxfColours] = field(default_factory=dict)
    palette: list[RGB] = field(default_factory=list)
    """the file's own legacy palette, in order"""

    def start(self, section: str, local: str, attributes: Attributes, place: int) -> None:
        """An element of ``section`` (fonts, fills, dxfs, colors); ``place``: the index of the
        font, fill or conditional format it belongs to."""
        if section == "fonts" and local == "color":
            self.font_colours[place] = attributes
        elif section == "fonts" and local == "sz":
            if (size := points(attributes.get("val", ""))) is not None:
                self.sizes[place] = size
        elif section == "fills":
            self._fill(local, attributes, place)
        elif section == "dxfs":
            self._dxf(local, attributes, place)
        elif section == "colors" and local == "rgbColor":
            self.palette.append(hex_colour(attributes.get("rgb", "").strip()[-6:]))

    def _fill(self, local: str, attributes: Attributes, place: int) -> None:
        if local == "patternFill":
            self.fills[place] = _Fill(attributes.get("patternType", "").strip())
        elif local == "gradientFill":
            self.fills[place] = _Fill("gradient")
        elif place in self.fills and local == "fgColor":
            self.fills[place].foreground = attributes
        elif place in self.fills and local == "bgColor":
            self.fills[place].background = attributes

    def _dxf(self, local: str, attributes: Attributes, place: int) -> None:
        if local == "dxf":
            self.dxfs[place] = DxfColours()
        elif place in self.dxfs:
            self.dxfs[place].start(local, attributes)

    def palette_with(self, theme: tuple[RGB, ...]) -> Palette:
        """The workbook's colours: ``theme``'s, and its own legacy palette or the default."""
        return Palette(theme, dict(enumerate(self.palette)) if self.palette else DEFAULT_INDEXED)

    def judge(self, palette: Palette) -> tuple[set[int], dict[int, RGB], set[int]]:
        """(the cell formats whose text vanishes on their fill, the colour of those with a fill,
        the conditional formats that make text vanish on the sheet's white)."""
        fonts = {
            font: colour(attributes, palette) for font, attributes in self.font_colours.items()
        }
        fills = {place: fill.colour(palette) for place, fill in self.fills.items()}
        vanishing, filled = set(), {}
        for cell, font, fill in self.cells:
            background = fills.get(fill or 0)
            if unseen(fonts.get(font or 0), background) or too_small(self.sizes.get(font or 0)):
                vanishing.add(cell)
            if background is not None:
                filled[cell] = background
        conditional = {place for place, dxf in self.dxfs.items() if dxf.unseen(palette)}
        return vanishing, filled, conditional


def _read(attributes: Attributes | None, palette: Palette) -> RGB | None:
    """The colour ``attributes`` name; None when none is written (the automatic one)."""
    return colour(attributes, palette) if attributes else None


class _DefaultIndexed(Mapping[int, RGB]):
    """The legacy palette of a file without its own (ECMA-376's, as openpyxl holds it), read
    when a colour first names it: most files name none."""

    @cached_property
    def _colours(self) -> dict[int, RGB]:
        from openpyxl.styles.colors import COLOR_INDEX

        return {index: hex_colour(argb[-6:]) for index, argb in enumerate(COLOR_INDEX)}

    def __getitem__(self, index: int) -> RGB:
        return self._colours[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._colours)

    def __len__(self) -> int:
        return len(self._colours)


DEFAULT_INDEXED = _DefaultIndexed()


def theme_colours(theme: Iterator[bytes], limits: SheetLimits, deadline: float) -> tuple[RGB, ...]:
    """The colours of ``xl/theme/theme1.xml``'s scheme as ``theme="n"`` numbers them (the
    Office theme's for any it lacks: a theme is only ever read for its colours, and a file
    whose theme is broken otherwise opens)."""
    found: dict[str, RGB] = {}
    slot = ""

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal slot
        local = name.rpartition(" ")[2]
        if local in THEME_ORDER and local not in found:
            slot = local
        elif slot and local == "srgbClr":
            found[slot], slot = hex_colour(attributes.get("val", "")), ""
        elif slot and local == "sysClr":
            found[slot], slot = hex_colour(attributes.get("lastClr", "")), ""

    try:
        parse_marks(theme, start, limits=limits, deadline=deadline)
    except SheetRefused as refused:  # a theme cut short: the colours read so far (Excel's own
        if not isinstance(refused.__cause__, BAD_XML):  # for the rest); a DTD, a limit: refused
            raise
    return tuple(found.get(name, OFFICE_THEME[i]) for i, name in enumerate(THEME_ORDER))
