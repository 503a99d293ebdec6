"""Whether an .xlsx cell's text is drawn in the colour of its background — white on white, or
black on a black fill: the cell holds a value that is loaded, yet nobody reviewing or printing
the sheet sees it (§四.(五)), like a row hidden.

Colours are read as ``xl/styles.xml`` writes them: ``rgb="FFFFFFFF"`` (alpha first, ignored),
``indexed="9"`` (the legacy palette: only its black and white entries are known here),
``theme="0"`` with a ``tint`` (theme 0 is the background colour, white in every theme Excel,
WPS and LibreOffice ship; theme 1 the text colour, black), ``auto="1"`` (the text's automatic
colour, black). Any other theme colour is compared only with itself. A cell without a fill is
on the sheet's white; a fill other than a plain one (a pattern, a gradient) is taken to show
the text.
"""

from __future__ import annotations

from typing import Final

RGB = tuple[int, int, int]
Colour = RGB | tuple[str, int, float]
"""An RGB triple, or a colour known only by name: ("theme", index, tint)"""

WHITE: Final[RGB] = (255, 255, 255)
BLACK: Final[RGB] = (0, 0, 0)
UNKNOWN: Final = ("unknown", 0, 0.0)
"""A colour not read (a pattern's, a gradient's, a malformed ``rgb``): never the same as any."""
_INDEXED: dict[int, RGB] = {0: BLACK, 1: WHITE, 8: BLACK, 9: WHITE, 64: BLACK, 65: WHITE}
"""The legacy palette's black and white, and the system foreground (64) and background (65)."""
CLOSE = 24
"""Channels this close look the same on paper and on screen (FFFFFF and F2F2F2 do)."""
NEAR_WHITE_TINT = 0.1
"""A theme colour this little darkened or lightened is still itself (theme 0, tint -0.05)."""
PLAIN_PATTERNS = ("", "none", "gray0625", "gray125")
"""Fills that leave the sheet's white under the text (Excel's default fill 1 is gray125)."""


def colour(attributes: dict[str, str]) -> Colour:
    """The colour a ``<color>``, ``<fgColor>`` or ``<bgColor>`` element's attributes name."""
    if attributes.get("auto", "").strip() in ("1", "true"):
        return BLACK
    if rgb := attributes.get("rgb", "").strip():
        digits = rgb[-6:]
        if len(digits) != 6 or not all(ch in "0123456789abcdefABCDEF" for ch in digits):
            return UNKNOWN
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    if (theme := _index(attributes.get("theme", ""))) is not None:
        tint = _tint(attributes.get("tint", "0"))
        if theme in (0, 1) and abs(tint) < NEAR_WHITE_TINT:
            return WHITE if theme == 0 else BLACK
        return ("theme", theme, round(tint, 2))
    if (indexed := _index(attributes.get("indexed", ""))) is not None:
        return _INDEXED.get(indexed, ("indexed", indexed, 0.0))
    return UNKNOWN


def written_colour(text: str) -> Colour | None:
    """The colour an OpenDocument style writes (``#ffffff``; ``transparent``: none)."""
    text = text.strip().lower()
    if text == "transparent":
        return None
    if text.startswith("#") and len(text) == 4:  # #fff
        text = "#" + "".join(ch * 2 for ch in text[1:])
    return colour({"rgb": text[1:]}) if text.startswith("#") and len(text) == 7 else UNKNOWN


def unseen(text: Colour | None, background: Colour | None) -> bool:
    """Whether text in ``text`` (None: the automatic black) vanishes on ``background`` (None:
    no fill, the sheet's white)."""
    text = BLACK if text is None else text
    background = WHITE if background is None else background
    if UNKNOWN in (text, background):
        return False
    if isinstance(text[0], int) and isinstance(background[0], int):
        return all(abs(int(a) - int(b)) <= CLOSE for a, b in zip(text, background, strict=True))
    return text == background


def _index(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


def _tint(text: str) -> float:
    try:
        tint = float(text)
    except ValueError:
        return 0.0
    return tint if -1.0 <= tint <= 1.0 else 0.0
