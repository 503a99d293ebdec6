"""What an .ods's data styles show of a cell's value, for `registry.sheets._ods_marked`.

An OpenDocument data style (``<number:number-style>``, ``<number:text-style>``, the currency,
percentage, date, time and boolean styles) is a list of parts: the number, literal words
(``<number:text>``), the text itself (``<number:text-content/>``), date parts, a colour, and
maps to other styles by a condition (``<style:map style:condition="value()>=0" …>``). A cell
style names its data style (``style:data-style-name``), a cell its cell style. Each data style
is written as the Excel format code that shows the same (`hides_text`, `hides_numbers` judge
it): ``77`` shown as ``77张三`` is ``0"张三"`` — the same cell a reviewer saw with words it
does not hold, refused like an .xlsx's (§四.(五)).

Read from ``content.xml``'s automatic styles, where LibreOffice and WPS write the styles of a
sheet's cells; a data style named there but kept in ``styles.xml`` is not judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.sheets._number_formats import MAX_CODE, hides_numbers, hides_text

DATA_STYLES = frozenset(
    f"number:{kind}-style"
    for kind in ("number", "currency", "percentage", "date", "time", "boolean", "text")
)
_PLACEHOLDERS = {
    "number:number": "0",
    "number:scientific-number": "0E+0",
    "number:fraction": "# ?/?",
    "number:text-content": "@",
    "number:year": "yyyy",
    "number:month": "m",
    "number:day": "d",
    "number:day-of-week": "aaa",
    "number:era": "e",
    "number:quarter": "q",
    "number:week-of-year": "ww",
    "number:hours": "h",
    "number:minutes": "mm",
    "number:seconds": "ss",
    "number:am-pm": "AM/PM",
}
"""Each part of a data style that shows the value, as the Excel code that shows it alike."""
_WORDS = ("number:text", "number:currency-symbol")
"""Parts that write words of their own (a boolean's TRUE/FALSE: words in place of a number)."""
WHITE = ("#ffffff", "#fff", "white")
MAX_MAPS = 2
"""Conditions of one data style an Excel code can say: a style with more is judged by each."""
NUMBER_CELLS = frozenset({"float", "percentage", "currency", "date", "time"})
"""The value types a data style shows as numbers (a boolean cell shows TRUE or FALSE anyway)."""


def _escaped(words: str) -> str:
    """Words as an Excel code writes them literally, a character at a time (no quote to close)."""
    return "".join(f"\\{char}" for char in words)


@dataclass
class _DataStyle:
    """A data style as its parts are read: its code so far and its maps."""

    text: bool = False
    """a text style (``<number:text-style>``): it shows a text cell by its parts alone"""
    code: list[str] = field(default_factory=list)
    maps: list[tuple[str, str]] = field(default_factory=list)
    """(condition as ``>=0``, the data style it applies)"""
    white: bool = False
    scaled: bool = False


SHOWN = _DataStyle(code=["0"])
"""A style mapped to that this file does not hold (in ``styles.xml``): taken to show the number."""


class DataStyles:
    """Fed the start and end of each element of ``content.xml`` before its body: which cell
    styles show a text, or a number, as other words than it holds (`hides`)."""

    def __init__(self) -> None:
        self._styles: dict[str, _DataStyle] = {}
        self._reading: _DataStyle | None = None
        self._words: list[str] | None = None
        self._cells: dict[str, str] = {}
        """cell style → its data style"""

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name in DATA_STYLES:
            self._reading = _DataStyle(text=name == "number:text-style")
            self._styles[attributes.get("style:name", "")] = self._reading
        elif name == "style:style" and "style:data-style-name" in attributes:
            self._cells[attributes.get("style:name", "")] = attributes["style:data-style-name"]
        elif (style := self._reading) is None:
            return
        elif name in _PLACEHOLDERS:
            style.code.append(_PLACEHOLDERS[name])
            factor = attributes.get("number:display-factor", "1").strip()
            style.scaled = style.scaled or factor not in ("", "1")
        elif name in _WORDS:
            self._words = []
        elif name == "number:boolean":
            style.code.append(_escaped("TRUE"))
        elif name == "style:text-properties":
            style.white = style.white or attributes.get("fo:color", "").lower() in WHITE
        elif name == "style:map":
            condition = attributes.get("style:condition", "").replace(" ", "").replace("!=", "<>")
            applied = attributes.get("style:apply-style-name", "")
            style.maps.append((condition.removeprefix("value()"), applied))

    def text(self, data: str) -> None:
        if self._words is not None:
            self._words.append(data)

    def end(self, name: str) -> None:
        if name in _WORDS and self._words is not None and self._reading is not None:
            self._reading.code.append(_escaped("".join(self._words)))
            self._words = None
        elif name in DATA_STYLES:
            self._reading = None

    def hides(self, cell_style: str | None, value_type: str) -> bool:
        """Whether a cell of ``value_type`` (``office:value-type``) in ``cell_style`` is shown
        as other words or digits than it holds, or as nothing."""
        data = self._styles.get(self._cells.get(cell_style or "", ""))
        if data is None or data.text != (value_type == "string"):
            return False  # a text cell in a number style, a number in a text style: as it is
        if data.text:  # its parts alone: as an Excel code's text section
            return hides_text(f"0;0;0;{self._section(data)}")
        return value_type in NUMBER_CELLS and hides_numbers(self._code(data))

    def _code(self, data: _DataStyle) -> str:
        """The Excel code of a number style and its maps: a section per map, with its
        condition, the style itself last (what no condition takes)."""
        if len(data.maps) > MAX_MAPS:  # more than a code can say: one that hides, hides
            return ";;;" if any(self._hides_alone(s) for _, s in data.maps) else self._section(data)
        mapped = [
            f"[{condition}]{self._section(self._styles.get(style, SHOWN))}"
            for condition, style in data.maps
        ]
        code = ";".join([*mapped, self._section(data)])
        return code if len(code) <= MAX_CODE else ";;;"

    def _hides_alone(self, style: str) -> bool:
        data = self._styles.get(style)
        return data is not None and hides_numbers(self._section(data))

    @staticmethod
    def _section(data: _DataStyle) -> str:
        colour = "[White]" if data.white else ""
        scale = "," if data.scaled else ""
        return colour + "".join(data.code) + scale


class CellDisguises:
    """The filled cells of a table whose data style disguises them, as (row, column), 1-based:
    fed its columns (their default cell styles), rows and cells in order."""

    def __init__(self, styles: DataStyles, max_columns: int) -> None:
        self.styles = styles
        self.found: set[tuple[int, int]] = set()
        self._max_columns = max_columns
        self._defaults: dict[int, str] = {}
        """column → the cell style of its cells that name none"""
        self._columns = 0
        self._column = 0
        self._hides = False
        self._span = 1

    def column(self, span: int, default: str | None) -> None:
        """A ``<table:table-column>`` of ``span`` columns."""
        if default:
            last = min(self._columns + span, self._max_columns)
            self._defaults.update(dict.fromkeys(range(self._columns + 1, last + 1), default))
        self._columns += span

    def row(self) -> None:
        self._column = 0

    def cell(self, attributes: dict[str, str], span: int) -> None:
        """A cell (``span``: its ``number-columns-repeated``) begins."""
        first = self._column + 1
        style = attributes.get("table:style-name") or self._defaults.get(first)
        value_type = attributes.get("office:value-type", "")
        self._hides = bool(style) and self.styles.hides(style, value_type)
        self._span = span

    def cell_end(self, filled: bool, row: int, rows: int, most: int, limit: int) -> None:
        """The cell ends, ``filled`` or not, in the ``rows`` rows from ``row`` + 1 (the row's
        repeats); no more than ``limit`` cells are kept."""
        if filled and self._hides and len(self.found) < limit:
            columns = range(self._column + 1, min(self._column + self._span, self._max_columns) + 1)
            self.found.update(
                (r, c) for r in range(row + 1, min(row + rows, most) + 1) for c in columns
            )
        self._column += self._span
