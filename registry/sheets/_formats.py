"""What an .xlsx's cell formats (``xl/styles.xml``) do to what a cell shows: a font struck
through, a number format that shows a cell as other words or digits than it holds, or as
nothing (`registry.sheets._number_formats`), and a font the colour of the cell's fill
(`registry.sheets._colours`). The reviewer signs what the sheet shows and the
registry would load what the cell holds, so such a cell is refused like a hidden row
(`registry.sheets._marked`, `registry.kinds.marked.marked_rows`); so is a sheet whose
conditional formatting applies such a number format or colours
(`registry.sheets._marked.exact_marks`).

Each format code is read once, where ``<numFmts>`` defines it: a styles part of many formats
sharing one long code costs no more than its length.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from registry.sheets._colours import OFFICE_THEME, RGB, Palette
from registry.sheets._date_formats import BUILT_IN, short_date
from registry.sheets._extent import parse_marks, style_index
from registry.sheets._limits import SheetLimits, unreadable
from registry.sheets._number_formats import hides, hides_numbers, hides_text
from registry.sheets._shown_numbers import worded
from registry.sheets._style_colours import StyleColours, theme_colours

MAX_FORMATS = 65_490
"""Cell formats, fonts and number formats a workbook may define: Excel's own limit."""
_TRUE = ("1", "true")
CONDITIONAL = (
    "工作表的条件格式会给单元格换上自定义数字格式或与底色相同的字体颜色，或只显示数据条、图标集"
    "而不显示数值，使它显示的不是其中的内容：审核、打印时看到的与登记的不同（§四.(五)）。请删除条件格式（Excel、WPS：开始 → 条件格式 → 清除规则；LibreOffice：格式 → 条件 → 管理）后重试"
)
"""The refusal of a sheet with conditional formatting that may hide what a cell holds."""


@dataclass(frozen=True)
class CellFormats:
    """The cell formats (indexes into ``<cellXfs>``) that change what a cell shows."""

    struck: frozenset[int] = frozenset()
    """formats whose font is struck through"""
    hiding_text: frozenset[int] = frozenset()
    """formats that show a text cell as other words, or as nothing"""
    hiding_numbers: frozenset[int] = frozenset()
    """formats that show a number as other digits or words, or as nothing"""
    conditional: frozenset[int] = frozenset()
    """the conditional formats (indexes into ``<dxfs>``) that apply such a number format, or a
    font the colour of their fill"""
    unseen: frozenset[int] = frozenset()
    """formats whose font is the colour of their fill (white on none): nothing shows"""
    fills: Mapping[int, RGB] = field(default_factory=dict)
    """the colour of the formats with a fill, against which a run of text in a colour of its
    own is judged (a format without one: the sheet's white)"""
    palette: Palette = field(default_factory=Palette)
    """the workbook's colours (its theme's, its legacy palette), for its text runs'"""
    short_dates: Mapping[int, str] = field(default_factory=dict)
    """the formats showing a date without its year, month or day → what they write of it
    (`registry.sheets._date_formats.short_date`): a column needing the part left out refuses
    such a cell (`registry.kinds.date_cells`)"""
    worded: Mapping[int, str] = field(default_factory=dict)
    """the formats writing words of their own beside a number's digits → their code
    (`registry.sheets._shown_numbers`): a cell saying who holds a number is told what it shows
    against what it holds (`registry.kinds.worded_cells`)"""

    def __bool__(self) -> bool:
        return bool(
            self.struck
            or self.hiding_text
            or self.hiding_numbers
            or self.conditional
            or self.unseen
            or self.short_dates
            or self.worded
        )


NO_FORMATS = CellFormats()


class _Styles:
    """The parse of ``xl/styles.xml``: fonts, number formats, cell formats, conditional ones."""

    def __init__(self) -> None:
        self.struck_fonts: set[int] = set()
        self.codes: dict[int, tuple[bool, bool]] = {}
        """number format id → (hides text, hides numbers)"""
        self.short_codes: dict[int, str] = {}
        """number format id → what it writes of a date it shows short (`short_date`)"""
        self.short_dates: dict[int, str] = {}
        self.worded_codes: dict[int, str] = {}
        """number format id → its code, when it writes words beside a number (`worded`)"""
        self.worded: dict[int, str] = {}
        self.struck: set[int] = set()
        self.hiding: tuple[set[int], set[int]] = (set(), set())
        self.conditional: set[int] = set()
        self.place = {"fonts": -1, "fills": -1, "cellXfs": -1, "dxfs": -1}
        self.inside = ""
        self.colours = StyleColours()

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if local in ("fonts", "fills", "cellXfs", "numFmts", "dxfs", "colors"):
            self.inside = local
            return
        if self.inside == "dxfs" and local == "dxf":
            self._count("dxfs", "条件格式")
        elif self.inside in ("fonts", "fills") and local in ("font", "fill"):
            self._count(self.inside, "字体" if local == "font" else "填充")
        elif self.inside == "fonts" and local == "strike":
            if attributes.get("val", "1") in _TRUE:
                self.struck_fonts.add(self.place["fonts"])
        elif self.inside == "cellXfs" and local == "xf":
            index = self._count("cellXfs", "单元格格式")
            font = style_index(attributes.get("fontId", "0"))
            if font in self.struck_fonts:
                self.struck.add(index)
            fill = style_index(attributes.get("fillId", "0"))
            self.colours.cells.append((index, font, fill))
            number = style_index(attributes.get("numFmtId", "0")) or 0
            text, numbers = self.codes.get(number, (False, False))
            if text:
                self.hiding[0].add(index)
            if numbers:
                self.hiding[1].add(index)
            self._shown_through(index, number)
        if local == "numFmt":
            self._number_format(attributes)
        elif self.inside in ("fonts", "fills", "dxfs", "colors"):
            place = self.place.get(self.inside, -1)
            self.colours.start(self.inside, local, attributes, place)

    def end(self, name: str) -> None:
        if name.rpartition(" ")[2] == self.inside:
            self.inside = ""

    def _shown_through(self, index: int, number: int) -> None:
        """What cell format ``index`` shows of a number through number format ``number``: a
        date without a part, words beside the digits."""
        # a built-in id a <numFmt> defines is that format
        short = self.short_codes.get(number) if number in self.codes else BUILT_IN.get(number)
        if short:
            self.short_dates[index] = short
        if number in self.worded_codes:
            self.worded[index] = self.worded_codes[number]

    def _number_format(self, attributes: dict[str, str]) -> None:
        code = attributes.get("formatCode", "")
        if self.inside == "dxfs":  # applied by a conditional format's rule
            if hides(code):
                self.conditional.add(self.place["dxfs"])
            return
        if len(self.codes) >= MAX_FORMATS:
            raise unreadable(f"样式表的数字格式超过 {MAX_FORMATS:,} 种（Excel 的上限）")
        number = style_index(attributes.get("numFmtId", ""))
        if number is not None:
            self.codes[number] = (hides_text(code), hides_numbers(code))
            if short := short_date(code):
                self.short_codes[number] = short
            if worded(code):
                self.worded_codes[number] = code

    def _count(self, part: str, what: str) -> int:
        self.place[part] += 1
        if self.place[part] >= MAX_FORMATS:
            raise unreadable(f"样式表的{what}超过 {MAX_FORMATS:,} 种（Excel 的上限）")
        return self.place[part]


def cell_formats(
    styles: Iterator[bytes],
    limits: SheetLimits,
    deadline: float,
    theme: Iterator[bytes] | None = None,
) -> CellFormats:
    """The cell formats of ``styles`` (``xl/styles.xml``) that strike through or hide a cell,
    their colours read with the workbook's ``theme`` (``xl/theme/theme1.xml``)."""
    parsed = _Styles()
    parse_marks(styles, parsed.start, parsed.end, limits=limits, deadline=deadline)
    text, numbers = parsed.hiding
    colours = theme_colours(theme, limits, deadline) if theme is not None else OFFICE_THEME
    palette = parsed.colours.palette_with(colours)
    vanishing, filled, coloured = parsed.colours.judge(palette)
    return CellFormats(
        frozenset(parsed.struck),
        frozenset(text),
        frozenset(numbers),
        frozenset(parsed.conditional | coloured),
        frozenset(vanishing),
        filled,
        palette,
        parsed.short_dates,
        parsed.worded,
    )
