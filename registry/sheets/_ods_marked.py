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
(`registry.sheets._ods_disguises.CellDisguises`), and the cells holding a formula, by the styles `registry.sheets._ods_styles.read_styles` read before it — and those holding one saved
without its result, which python-calamine reads as empty (a file a program wrote: the refusal
and its advice are an .xlsx's, `registry.kinds.marked`).
"""

from __future__ import annotations

from collections.abc import Iterator

from registry.sheets._colours import RGB
from registry.sheets._conditional import hides_filled
from registry.sheets._extent import StopParsing, parse_marks
from registry.sheets._formats import CONDITIONAL
from registry.sheets._limits import SheetLimits, unreadable
from registry.sheets._marked import MARKED_CELLS, Marks
from registry.sheets._ods_disguises import CellDisguises
from registry.sheets._ods_formats import DataStyles
from registry.sheets._ods_styles import NAMESPACES

PROBES = (b"visibility", b"line-through", b"formula")
"""What a content.xml with a hidden row, a struck style or a formula must hold somewhere (a
disguising data style is found by `registry.sheets._ods_styles.read_styles` before)."""
MAX_DISGUISED = MARKED_CELLS
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


def ods_marks(
    blocks: Iterator[bytes], limits: SheetLimits, deadline: float, styles: DataStyles
) -> Marks:
    """The first table's hidden rows and rows with a filled struck cell (1-based), none past
    the row limit (the child refuses those rows anyway), its hidden columns, its filled
    cells whose data style shows them as something else or whose text vanishes
    (`registry.sheets._ods_formats`), and its formulas with or without their saved results."""
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
    disguising = styles.may_hide  # else no conditional format or span is looked at

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
            disguises.cell(attributes, _repeat(attributes.get("table:number-columns-repeated")))
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
        formulas=frozenset(disguises.formulas),
        unsaved=frozenset(disguises.unsaved),
        unsaved_cells=frozenset(disguises.unsaved_cells),
        short_dates=frozenset(disguises.short_dates),
    )
