"""The rows an .ods's first sheet hides or strikes through, as `registry.sheets._marked` finds
an .xlsx's: python-calamine reads them like any other, and a clerk hides or strikes a row to
leave a holder out.

In ``content.xml`` a hidden row is ``<table:table-row table:visibility="collapse">`` (or
``"filter"``, hidden by a filter), ``table:number-rows-repeated`` times; a struck cell has an
automatic cell style whose ``<style:text-properties>`` draws a ``text-line-through-style``, or
holds a ``<text:span>`` of such a text style. The automatic styles come before the body, so one
expat pass reads both. Names are read as written, not by namespace: python-calamine knows a row
as ``table:table-row`` and nothing else, and the rows must be counted as it counts them (a row
under another prefix would shift every row after it). For struck rows, named styles
(styles.xml) and a column's default cell style are not looked at: striking rows out,
LibreOffice and WPS write automatic styles on the cells. A comment's text
(``office:annotation``) fills no cell.

The same pass finds the filled cells whose data style shows them as something else, or whose
text vanishes (by their cell style, or a span in their background's colour or too small)
(`CellDisguises`), by the styles `registry.sheets._ods_styles.read_styles` read before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from registry.sheets._colours import RGB, unseen
from registry.sheets._conditional import hides_filled
from registry.sheets._extent import StopParsing, parse_marks
from registry.sheets._formats import CONDITIONAL
from registry.sheets._limits import SheetLimits, unreadable
from registry.sheets._marked import Marks
from registry.sheets._ods_formats import DataStyles
from registry.sheets._ods_styles import NAMESPACES

PROBES = (b"visibility", b"line-through")
"""What a content.xml with a hidden row or a struck style must hold somewhere (a disguising data
style is found by `registry.sheets._ods_styles.read_styles` before)."""
MAX_DISGUISED = 10_000
"""Disguised cells kept: a register with one is refused, the first ones are what a clerk reads."""
HIDING = ("collapse", "filter")
CELLS = ("table:table-cell", "table:covered-table-cell")


def _repeat(text: str | None) -> int:
    """``number-rows-repeated`` as python-calamine reads it: digits, a leading ``+`` allowed,
    0 meaning no row at all; anything else it refuses the file for (counted 1 here)."""
    if text is None:
        return 1
    digits = text.removeprefix("+")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 19 else 1


def _aliases(root: dict[str, str]) -> dict[str, str]:
    """``"t:"`` → ``"table:"`` for each prefix the root element binds to an OpenDocument
    namespace under another name."""
    return {
        f"{name.removeprefix('xmlns:')}:": f"{NAMESPACES[uri]}:"
        for name, uri in root.items()
        if name.startswith("xmlns:")
        and uri in NAMESPACES
        and name.removeprefix("xmlns:") != NAMESPACES[uri]
    }


CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def _bind(attributes: dict[str, str], prefixes: set[str]) -> None:
    """Add the prefixes an element binds to LibreOffice's extension (``xmlns:cx=…``; ``xmlns``:
    the default namespace, ""): its conditional formats are read under any of them. (Kept
    past the element's end: a prefix taken too widely reads more, never less.)"""
    for key, uri in attributes.items():
        if uri == CALCEXT and (key == "xmlns" or key.startswith("xmlns:")):
            prefixes.add(key.partition(":")[2])


def _canonical(key: str, aliases: dict[str, str]) -> str:
    prefix, colon, local = key.partition(":")
    return aliases.get(prefix + colon, prefix + colon) + local if colon else key


class CellDisguises:
    """The filled cells of a table whose data style disguises them, as (row, column), 1-based:
    fed its columns (their default cell styles), rows and cells in order."""

    def __init__(self, styles: DataStyles, max_columns: int) -> None:
        self.styles = styles
        self.found: set[tuple[int, int]] = set()
        self.unseen: set[tuple[int, int]] = set()
        """the filled cells whose text is the colour of their background"""
        self._max_columns = max_columns
        self._defaults: dict[int, str] = {}
        """column → the cell style of its cells that name none"""
        self._row_default: str | None = None
        self.filled_rows: dict[int, list[int]] = {}
        """column → [first, last] row holding a value"""
        self.hiding_areas: list[str] = []
        """the areas (as an .xlsx writes them) of conditional formats that may hide a value"""
        self._areas = ""
        self._columns = 0
        self._column = 0
        self._hides = self._unseen = False
        self._style: str | None = None
        self._span = 1

    def column(self, span: int, default: str | None) -> None:
        """A ``<table:table-column>`` of ``span`` columns."""
        if default:
            last = min(self._columns + span, self._max_columns)
            self._defaults.update(dict.fromkeys(range(self._columns + 1, last + 1), default))
        self._columns += span

    def row(self, default: str | None) -> None:
        """A row begins; ``default``: the cell style of its cells that name none."""
        self._column = 0
        self._row_default = default

    def cell(self, attributes: dict[str, str], span: int) -> None:
        """A cell (``span``: its ``number-columns-repeated``) begins."""
        style = (
            attributes.get("table:style-name")
            or self._row_default
            or self._defaults.get(self._column + 1)
        )
        self._hides = self.styles.hides(style, attributes.get("office:value-type", ""))
        self._unseen = self.styles.unseen(style)
        self._style = style
        self._span = span

    def span_text(self, fault: RGB | str) -> None:
        """The cell holds text in a span whose text style has a colour of its own (unseen on a
        background of about that colour) or is too small to read
        (`registry.sheets._ods_formats.DataStyles.span_faults`)."""
        if isinstance(fault, str):  # TINY
            self._unseen = True
        else:
            self._unseen = self._unseen or unseen(fault, self.styles.background(self._style))

    def cell_end(self, filled: bool, row: int, rows: int, most: int, limit: int) -> None:
        """The cell ends, ``filled`` or not, in the ``rows`` rows from ``row`` + 1 (the row's
        repeats); no more than ``limit`` cells are kept."""
        columns = range(self._column + 1, min(self._column + self._span, self._max_columns) + 1)
        self._column += self._span
        if not filled:
            return
        for column in columns:
            span = self.filled_rows.get(column)
            if span is None:
                self.filled_rows[column] = [row + 1, row + rows]
            else:  # an .ods's rows come in order
                span[1] = row + rows
        for found, marked in ((self.found, self._hides), (self.unseen, self._unseen)):
            if marked and len(found) < limit:
                cells = ((r, c) for r in range(row + 1, min(row + rows, most) + 1) for c in columns)
                found.update(islice(cells, limit - len(found)))  # repeats: a few kept

    def conditional_format(self, target: str) -> None:
        """A conditional format of LibreOffice's own (``<calcext:conditional-format>``) over
        ``target`` (``名册.A1:名册.Z9``) begins."""
        self._areas = " ".join(
            ":".join(side.rpartition(".")[2] for side in area.split(":")) for area in target.split()
        )

    def condition(self, style: str) -> None:
        """One of its conditions applies the cell style of display name ``style``."""
        if self.styles.hides_any(style):
            self.hiding_areas.append(self._areas)


def ods_marks(
    blocks: Iterator[bytes], limits: SheetLimits, deadline: float, styles: DataStyles
) -> Marks:
    """The first table's hidden rows and rows with a filled struck cell (1-based), none past
    the row limit (the child refuses those rows anyway), its hidden columns, and its filled
    cells whose data style shows them as something else or whose text vanishes
    (`registry.sheets._ods_formats`)."""
    struck_styles: set[str] = set()
    hidden: set[int] = set()
    struck: set[int] = set()
    columns: set[int] = set()
    most = limits.max_rows
    style: str | None = None
    tables = row = repeat = comments = column = 0
    in_cell = cell_struck = filled = row_struck = False
    spans: list[RGB | str | None] = []  # the cell's open spans: what may hide their text
    disguises = CellDisguises(styles, limits.max_columns)
    disguising = styles.may_hide  # else no cell's style is looked up (a struck row's pass)

    aliases: dict[str, str] | None = None
    calcext = {"calcext"}  # the prefixes of LibreOffice's extension ("": the default namespace)

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal style, tables, repeat, in_cell, cell_struck, filled, row_struck, comments
        nonlocal aliases, column
        if aliases is None:  # the root element: its namespace declarations
            aliases = _aliases(attributes)
            _bind(attributes, calcext)
        if aliases and attributes:
            attributes = {_canonical(key, aliases): value for key, value in attributes.items()}
        if name == "style:style":
            style = attributes.get("style:name")
        elif name == "style:text-properties" and style is not None:
            line = attributes.get("style:text-line-through-style", "none")
            if line.strip() not in ("", "none"):
                struck_styles.add(style)
        elif name == "table:table":
            tables += 1
            if tables > 1:
                raise StopParsing  # only the first sheet is read
            _bind(attributes, calcext)
        elif name == "table:table-column":  # in order, before the rows
            span = _repeat(attributes.get("table:number-columns-repeated"))
            if attributes.get("table:visibility", "").strip() in HIDING:
                columns.update(range(column + 1, min(column + span, limits.max_columns) + 1))
            column += span
            disguises.column(span, attributes.get("table:default-cell-style-name"))
        elif name == "table:table-row":
            repeat = _repeat(attributes.get("table:number-rows-repeated"))
            row_struck = False
            disguises.row(attributes.get("table:default-cell-style-name"))
            if attributes.get("table:visibility", "").strip() in HIDING:
                hidden.update(range(row + 1, min(row + repeat, most) + 1))
        elif name in CELLS:
            in_cell = True
            cell_struck = attributes.get("table:style-name") in struck_styles
            filled = "office:value-type" in attributes
            if disguising:
                span = _repeat(attributes.get("table:number-columns-repeated"))
                disguises.cell(attributes, span)
        elif name == "office:annotation":
            comments += 1
        elif name == "text:span" and in_cell and not comments:
            span_style = attributes.get("text:style-name")
            cell_struck = cell_struck or span_style in struck_styles
            fault = styles.hiding_spans.get(span_style or "")
            spans.append(fault or (spans[-1] if spans else None))
        elif disguising:  # LibreOffice's own conditional formats, after the rows
            _bind(attributes, calcext)
            prefix, _, element = name.rpartition(":")
            if prefix not in calcext:
                return

            def value(attribute: str) -> str:  # under the element's prefix, the usual, none
                return next(
                    (
                        v
                        for k in (f"{prefix}:", "calcext:", "")
                        if (v := attributes.get(k + attribute))
                    ),
                    "",
                )

            if element == "conditional-format":
                disguises.conditional_format(value("target-range-address"))
            elif element == "condition":
                disguises.condition(value("apply-style-name"))
            elif element == "date-is":  # (its style under another attribute)
                disguises.condition(value("style"))

    def end(name: str) -> None:
        nonlocal style, row, in_cell, row_struck, comments
        if name == "style:style":
            style = None
        elif name in CELLS:
            row_struck = row_struck or (filled and cell_struck)
            in_cell = False
            if disguising:
                disguises.cell_end(filled, row, repeat, most, MAX_DISGUISED)
        elif name == "office:annotation":
            comments -= 1
        elif name == "text:span" and spans:
            spans.pop()
        elif name == "table:table-row":
            if row_struck:  # once a row element, however many cells and repeats it has
                struck.update(range(row + 1, min(row + repeat, most) + 1))
            row += repeat

    def text(data: str) -> None:
        nonlocal filled
        if in_cell and not comments and data.strip():
            filled = True
            if disguising and spans and spans[-1]:
                disguises.span_text(spans[-1])

    parse_marks(blocks, start, end, text=text, limits=limits, deadline=deadline, namespaces=False)
    if hides_filled(disguises.hiding_areas, disguises.filled_rows):  # once every cell is known
        raise unreadable(CONDITIONAL)
    return Marks(
        frozenset(hidden),
        frozenset(struck),
        hidden_columns=frozenset(columns),
        disguised=frozenset(disguises.found),
        unseen=frozenset(disguises.unseen),
    )
