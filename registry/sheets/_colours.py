"""Whether a cell's text is drawn in (nearly) the colour of its background — white on white,
black on a black fill: the cell holds a value that is loaded, yet nobody reviewing or printing
the sheet sees it (§四.(五)), like a row hidden.

Every colour is resolved to RGB and the two compared by their contrast (`unseen`). An .xlsx
writes a colour as ``theme="4"`` (its theme's palette, `Palette.theme`), ``rgb="FFFFFFFF"``
(alpha first, ignored), ``indexed="9"`` (the legacy palette, or the file's own) or
``auto="1"`` (the automatic black), read in that order as Excel and LibreOffice read them, each
lightened or darkened by its ``tint``. An .ods writes ``#ffffff``; an .xls's palette is xlrd's.
A colour not read (a malformed one, a pattern's) is `UNKNOWN`: never taken as hiding.

This module imports nothing of ours: the .xls parse child loads it by its path.
"""

from __future__ import annotations

import colorsys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

RGB = tuple[int, int, int]

WHITE: Final[RGB] = (255, 255, 255)
BLACK: Final[RGB] = (0, 0, 0)
UNKNOWN: Final[RGB] = (-1, -1, -1)
"""A colour not read: never the same as any."""
OFFICE_THEME: Final[tuple[RGB, ...]] = tuple(
    (int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16))
    for code in (
        "FFFFFF", "000000", "E7E6E6", "44546A", "4472C4", "ED7D31",
        "A5A5A5", "FFC000", "5B9BD5", "70AD47", "0563C1", "954F72",
    )
)  # fmt: skip
"""The Office theme's colours, in the order ``theme="n"`` numbers them (background 1, text 1,
background 2, text 2, accents 1–6, hyperlink, followed hyperlink): a workbook without a theme."""
SYSTEM: Final[Mapping[int, RGB]] = {64: BLACK, 65: WHITE}
"""The legacy palette's system foreground (text) and background."""
MIN_CONTRAST = 1.3
"""Text below this contrast with its background (WCAG's ratio: 1 for the same colour, 21 for
black on white) is not read on screen or on paper: white on #F2F2F2 is 1.1, yellow on white
1.07; light grey #D9D9D9 on white (1.4) and black on Excel's dark blue fill #002060 (1.38) are
faint, and read."""


MIN_POINTS = 4.0
"""Text smaller than this is a dot or a line on screen and on paper (Excel allows 1 point)."""
_POINTS_PER = {
    "pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pc": 12.0, "px": 0.75, "em": 12.0,
}  # fmt: skip
"""Points per unit (an ``em`` taken as a usual 12-point type's)."""


@dataclass(frozen=True)
class Palette:
    """The colours a workbook's numbered colours name."""

    theme: Sequence[RGB] = OFFICE_THEME
    indexed: Mapping[int, RGB] = field(default_factory=dict)
    """the legacy palette (the file's own ``<indexedColors>``, or the default one)"""


def colour(attributes: Mapping[str, str], palette: Palette) -> RGB:
    """The colour a ``<color>``, ``<fgColor>`` or ``<bgColor>`` element's attributes name."""
    if (theme := _index(attributes.get("theme", ""))) is not None:
        base = palette.theme[theme] if theme < len(palette.theme) else UNKNOWN
    elif rgb := attributes.get("rgb", "").strip():
        base = hex_colour(rgb[-6:])
    elif (indexed := _index(attributes.get("indexed", ""))) is not None:
        base = SYSTEM.get(indexed) or palette.indexed.get(indexed, UNKNOWN)
    elif attributes.get("auto", "").strip() in ("1", "true"):
        base = BLACK
    else:
        return UNKNOWN
    return tinted(base, _tint(attributes.get("tint", "0")))


def tinted(rgb: RGB, tint: float) -> RGB:
    """``rgb`` lightened (``tint`` > 0) or darkened (< 0) as Excel does: its lightness moved
    that share of the way to white, or cut by it (ECMA-376, §18.3.1.15)."""
    if rgb == UNKNOWN or not tint:
        return rgb
    hue, lightness, saturation = colorsys.rgb_to_hls(*_unit(rgb))
    lightness = lightness * (1 + tint) if tint < 0 else lightness * (1 - tint) + tint
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return (round(red * 255), round(green * 255), round(blue * 255))


def mixed(front: RGB, back: RGB, coverage: float) -> RGB:
    """What a pattern covering ``coverage`` of ``back`` with ``front`` looks like."""
    if UNKNOWN in (front, back):
        return UNKNOWN
    red, green, blue = (
        round(f * coverage + b * (1 - coverage)) for f, b in zip(front, back, strict=True)
    )
    return (red, green, blue)


def hex_colour(digits: str) -> RGB:
    """``FFFFFF`` as RGB; `UNKNOWN` for anything else."""
    if len(digits) != 6 or not all(ch in "0123456789abcdefABCDEF" for ch in digits):
        return UNKNOWN
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def written_colour(text: str) -> RGB | None:
    """The colour an OpenDocument style writes (``#ffffff``, ``#fff``; ``transparent``: none)."""
    text = text.strip().lower()
    if text == "transparent":
        return None
    if text.startswith("#") and len(text) == 4:
        text = "#" + "".join(ch * 2 for ch in text[1:])
    return hex_colour(text[1:]) if text.startswith("#") else UNKNOWN


@lru_cache(maxsize=4096)  # (a sheet's runs and fills are a handful of colours)
def unseen(text: RGB | None, background: RGB | None) -> bool:
    """Whether text in ``text`` (None: the automatic black) vanishes on ``background`` (None:
    no fill, the sheet's white)."""
    text = BLACK if text is None else text
    background = WHITE if background is None else background
    if UNKNOWN in (text, background):
        return False
    lighter, darker = sorted((_luminance(text), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05) < MIN_CONTRAST


def points(text: str) -> float | None:
    """The size an .xlsx writes (``val="10.5"``); None for anything else."""
    try:
        size = float(text)
    except ValueError:
        return None
    return size if size == size else None  # (not NaN)


def too_small(points: float | None) -> bool:
    """Whether text of ``points`` (None: not set, the usual size) cannot be read."""
    return points is not None and points < MIN_POINTS


def written_points(text: str) -> float | None:
    """The size an OpenDocument style writes (``10pt``, ``3.5mm``, ``1px``); None for a share
    of the parent's (``50%``, which LibreOffice ignores in a cell) or anything else."""
    text = text.strip().lower()
    for unit, per in _POINTS_PER.items():
        if text.endswith(unit):
            size = points(text.removesuffix(unit))
            return None if size is None else size * per
    return None


def _luminance(rgb: RGB) -> float:
    """WCAG's relative luminance: 0 for black, 1 for white."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _unit(rgb)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _unit(rgb: RGB) -> list[float]:
    return [channel / 255 for channel in rgb]


def _index(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


def _tint(text: str) -> float:
    try:
        tint = float(text)
    except ValueError:
        return 0.0
    return tint if -1.0 <= tint <= 1.0 else 0.0
