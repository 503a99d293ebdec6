"""What an .ods's data styles show of a cell's value, for `registry.sheets._ods_marked`.

An OpenDocument data style (``<number:number-style>``, ``<number:text-style>``, the currency,
percentage, date, time and boolean styles) is a list of parts: the number, literal words
(``<number:text>``, ``<number:embedded-text>``), the text itself (``<number:text-content/>``),
date parts, a colour, and maps to other data styles by a condition (``<style:map
style:condition="value()>=0" …>``, followed in order, the style itself when none holds). A cell
style names its data style (``style:data-style-name``) or inherits it from its parent; a cell
names its cell style, or takes its row's, its column's or the ``Default`` one. Each data style is
written as the Excel format code that shows the same and judged by `hides_text` and
`hides_numbers`: 77 shown as 770 or as 优秀, a name as 张三 — refused like an .xlsx's
(§四.(五)).

A cell style's text colour and background (``fo:color``, ``fo:background-color``, its own or
its parents') and the text styles of white ``<text:span>`` runs tell a cell whose text is the
colour of its background or too small (`unseen`, `span_faults`: `registry.sheets._colours`).

LibreOffice keeps the formats a clerk defines in ``styles.xml`` and the cells' own styles in
``content.xml`` before its body: both are read (`registry.sheets._ods_styles.read_styles`), by
namespace, before the sheet.
The first definition of a name counts, as in LibreOffice.
"""

from __future__ import annotations

from functools import cached_property

from registry.sheets._colours import (
    RGB,
    too_small,
    unseen,
    written_colour,
    written_points,
)
from registry.sheets._date_formats import short_date
from registry.sheets._number_formats import first_met, hides_numbers, hides_text
from registry.sheets._ods_cell_styles import (
    AUTOMATIC,
    DEFAULT,
    MAX_DEPTH,
    SIZES,
    TINY,
    WRITTEN,
    CellStyle,
    CellStyles,
)
from registry.sheets._ods_data_style import (
    DATA_STYLES,
    PLACEHOLDERS,
    WORDS,
    DataStyle,
    escaped,
    placeholder,
)

NUMBER_CELLS = frozenset({"float", "percentage", "currency", "date", "time"})
"""The value types a data style shows as numbers (a boolean cell shows TRUE or FALSE anyway)."""
MAX_MAPS = 3
"""The maps of a data style LibreOffice follows (a code's conditioned sections)."""


class DataStyles(CellStyles):
    """The data, cell and text styles of an .ods, fed its styles' elements with their prefixes
    as OpenDocument spells them (`registry.sheets._ods_styles.read_styles`): whether a cell is
    shown as other words or digits than it holds (`hides`), or its text vanishes (`unseen`,
    `span_faults`)."""

    def __init__(self) -> None:
        super().__init__()
        self._styles: dict[str, DataStyle] = {}
        self._displayed: dict[str, str] = {}
        """a cell style's display name → its name (LibreOffice's conditions name the first;
        of two styles showing one name, the later)"""
        self.part = 0
        """the part being read: a cell style of content.xml wins over styles.xml's"""
        self._reading: DataStyle | None = None
        self._cell: CellStyle | None = None
        self._text_style: str | None = None
        self.span_faults: dict[str, RGB | str] = {}
        """the text styles (of a ``<text:span>``) whose text has a colour of its own, judged
        against the cell's background, or is too small to read (`TINY`)"""
        self._words: list[str] | None = None
        self._judged: dict[tuple[str | None, bool], bool] = {}
        self._numbers: dict[int, bool] = {}
        """data style (its id) → whether it hides a positive number, once judged"""
        self._short: dict[str | None, str | None] = {}
        """cell style → what a date in it writes when short (`short_date`), once judged"""

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name in DATA_STYLES:
            self._reading = DataStyle(text=name == "number:text-style")
            self._styles.setdefault(attributes.get("style:name", ""), self._reading)
        elif self._reading is not None:
            self._data_part(self._reading, name, attributes)
        else:
            self._style(name, attributes)

    def _style(self, name: str, attributes: dict[str, str]) -> None:
        """An element of a cell or text style (outside any data style)."""
        family = attributes.get("style:family") if name == "style:style" else None
        if family == "table-cell":
            self._cell = CellStyle(
                attributes.get("style:data-style-name"),
                attributes.get("style:parent-style-name"),
                self.part,
            )
            key = attributes.get("style:name", "")
            self._displayed[_shown(attributes.get("style:display-name", key))] = key
            known = self._cells.get(key)
            if known is None or known.part < self.part:
                self._cells[key] = self._cell
        elif family == "text":
            self._text_style = attributes.get("style:name", "")
        elif name == "style:text-properties" and self._text_style is not None:
            automatic = attributes.get(AUTOMATIC, "").strip() == "true"
            written = written_colour(attributes.get("fo:color", "transparent"))
            if any(too_small(written_points(attributes.get(size, ""))) for size in SIZES):
                self.span_faults[self._text_style] = TINY
            elif not automatic and written is not None:
                self.span_faults[self._text_style] = written
        elif self._cell is None:
            return
        elif name == "style:map":
            # a conditional format: the cell may take another cell style, whatever the condition
            self._cell.conditions.append(attributes.get("style:apply-style-name", ""))
        elif name in WRITTEN:
            for key in WRITTEN[name]:
                if key in attributes:
                    self._cell.written[key] = attributes[key]

    def _data_part(self, style: DataStyle, name: str, attributes: dict[str, str]) -> None:
        """A part of the data style being read."""
        if name in PLACEHOLDERS:
            style.code.append(placeholder(name, attributes))
            factor = attributes.get("number:display-factor", "1").strip()
            style.scaled = style.scaled or factor not in ("", "1")
        elif name in WORDS:
            self._words = []
        elif name == "number:boolean":
            style.code.append(escaped("TRUE"))
        elif name == "style:text-properties":
            written = written_colour(attributes.get("fo:color", "transparent"))
            style.white = style.white or unseen(written, None)
        elif name == "style:map":
            condition = attributes.get("style:condition", "").replace(" ", "").replace("!=", "<>")
            applied = attributes.get("style:apply-style-name", "")
            style.maps.append((condition.removeprefix("value()"), applied))

    def text(self, data: str) -> None:
        if self._words is not None:
            self._words.append(data)

    def end(self, name: str) -> None:
        if name in WORDS and self._words is not None and self._reading is not None:
            words = escaped("".join(self._words))
            # embedded in the number: between its digits (0"0"0 shows 77 as 707)
            self._reading.code.append(words + "0" if name == "number:embedded-text" else words)
            self._words = None
        elif name in DATA_STYLES:
            self._reading = None
        elif name == "style:style":
            self._cell = self._text_style = None

    @cached_property
    def hiding_spans(self) -> dict[str, RGB | str]:
        """The `span_faults` that may hide text: a colour that vanishes on one of the cells'
        backgrounds (a black run on white or yellow cells, as LibreOffice writes every run of
        rich text, hides nothing), and every size too small. Read once the styles are."""
        backgrounds = {None, *(self.background(style) for style in self._cells)}
        return {
            style: fault
            for style, fault in self.span_faults.items()
            if isinstance(fault, str) or any(unseen(fault, back) for back in backgrounds)
        }

    @property
    def may_hide(self) -> bool:
        """Whether a cell style hides a text or a number, or a text style a run: else no cell
        needs looking at."""
        return bool(self.hiding_spans) or any(
            self.hides(style, "string") or self.hides(style, "float") or self.unseen(style)
            for style in (*self._cells, None)
        )

    def hides_any(self, display_name: str) -> bool:
        """Whether the cell style of ``display_name`` hides a text or a number, or colours the
        text as its background (a conditional format's: its condition aside)."""
        style = self._displayed.get(_shown(display_name), display_name)
        return self.hides(style, "string") or self.hides(style, "float") or self.unseen(style)

    def hides(self, cell_style: str | None, value_type: str) -> bool:
        """Whether a cell of ``value_type`` (``office:value-type``) in ``cell_style`` (None:
        the ``Default`` one) is shown as other words or digits than it holds, or as nothing."""
        text = value_type == "string"
        if not text and value_type not in NUMBER_CELLS:
            return False
        key = (cell_style, text)
        if key not in self._judged:
            own = self._cells.get(cell_style or DEFAULT)
            shown = [cell_style or DEFAULT, *(own.conditions if own else ())]
            self._judged[key] = any(
                data is not None and (self._hides_text(data) if text else self._hides_number(data))
                for data in map(self._data_style, shown)
            )
        return self._judged[key]

    def short_date(self, cell_style: str | None) -> str | None:
        """What a date cell in ``cell_style`` (None: the ``Default`` one) writes of its date
        when its data style leaves out the year, the month or the day
        (`registry.sheets._date_formats.short_date`), as an .xlsx's format may; None when it
        shows the whole date, or the cell style names no data style (LibreOffice then shows
        the whole date)."""
        if cell_style not in self._short:
            data = self._data_style(cell_style or DEFAULT)
            shown = short_date(data.section) if data is not None and data.code else None
            self._short[cell_style] = shown
        return self._short[cell_style]

    def _data_style(self, cell_style: str) -> DataStyle | None:
        """The data style of a cell style, its own or its parents'."""
        for cell in self._lineage(cell_style):
            if cell is None:
                return DataStyle()  # a chain deeper than any clerk's: shows nothing known
            if cell.data_style is not None:
                return self._styles.get(cell.data_style)
        return None

    @staticmethod
    def _hides_text(data: DataStyle) -> bool:
        """A text is shown as an Excel code's: a text style with maps is the text section of a
        code of several (LibreOffice writes ``0;0;0;"张三"`` so); a style alone is one section,
        which shows a text as it is unless it holds the text part (``"证"@``)."""
        return hides_text(f"0;0;0;{data.section}" if data.text and data.maps else data.section)

    def _hides_number(self, data: DataStyle, depth: int = 0) -> bool:
        """A positive number is shown by the first map whose condition it meets, else by the
        style itself: hidden if one of those shows it as other words or digits, or nothing.
        A text style shows a number no map takes as it is."""
        if depth > MAX_DEPTH:
            return True
        if (known := self._numbers.get(id(data))) is not None:  # once each: no blow-up
            return known
        self._numbers[id(data)] = True  # a map back to a style being judged: taken as hiding
        # LibreOffice follows the first maps, and leaves out one to a style it does not have
        maps = [(c, style) for c, style in data.maps[:MAX_MAPS] if style in self._styles]
        reached = first_met([condition for condition, _ in maps])
        if reached is None:  # a condition not read: any of them
            reached = set(range(len(maps) + 1))
        hidden = any(
            (index == len(maps) and "@" not in data.section and hides_numbers(data.section))
            or (index < len(maps) and self._hides_number(self._styles[maps[index][1]], depth + 1))
            for index in reached
        )
        self._numbers[id(data)] = hidden
        return hidden


def _shown(name: str) -> str:
    """A style's name as LibreOffice shows it: without the `` (user)`` it adds to a clerk's
    style named like one of its own."""
    return name.removesuffix(" (user)")
