"""The rows an .ods's first sheet hides or strikes through, as `registry.sheets._marked` finds
an .xlsx's: python-calamine reads them like any other, and a clerk hides or strikes a row to
leave a holder out.

In ``content.xml`` a hidden row is ``<table:table-row table:visibility="collapse">`` (or
``"filter"``, hidden by a filter), ``table:number-rows-repeated`` times; a struck cell has an
automatic cell style whose ``<style:text-properties>`` draws a ``text-line-through-style``, or
holds a ``<text:span>`` of such a text style. The automatic styles come before the body, so one
expat pass reads both. Names are read as written, not by namespace: python-calamine knows a row
as ``table:table-row`` and nothing else, and the rows must be counted as it counts them (a row
under another prefix would shift every row after it). Named styles (styles.xml) and a column's
default cell style are not looked at: striking rows out, LibreOffice and WPS write automatic
styles on the cells. A comment's text (``office:annotation``) fills no cell.
"""

from __future__ import annotations

from collections.abc import Iterator

from registry.sheets._extent import StopParsing, parse_marks
from registry.sheets._limits import SheetLimits
from registry.sheets._marked import Marks
from registry.sheets._ods_formats import CellDisguises, DataStyles

PROBES = (b"visibility", b"line-through", b"data-style-name")
"""What a content.xml with a hidden row, a struck style or a data style (`DataStyles`) must hold
somewhere."""
MAX_DISGUISED = 10_000
"""Disguised cells kept: a register with one is refused, the first ones are what a clerk reads."""
HIDING = ("collapse", "filter")
CELLS = ("table:table-cell", "table:covered-table-cell")


NAMESPACES = {
    "urn:oasis:names:tc:opendocument:xmlns:table:1.0": "table",
    "urn:oasis:names:tc:opendocument:xmlns:style:1.0": "style",
    "urn:oasis:names:tc:opendocument:xmlns:text:1.0": "text",
    "urn:oasis:names:tc:opendocument:xmlns:office:1.0": "office",
    "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0": "number",
    "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0": "fo",
}
"""The prefixes OpenDocument uses: an attribute under another prefix for the same namespace
(``t:visibility``) is read as the usual one, so it cannot hide a row from this scan."""


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


def _canonical(key: str, aliases: dict[str, str]) -> str:
    prefix, colon, local = key.partition(":")
    return aliases.get(prefix + colon, prefix + colon) + local if colon else key


def ods_marks(blocks: Iterator[bytes], limits: SheetLimits, deadline: float) -> Marks:
    """The first table's hidden rows and rows with a filled struck cell (1-based), none past
    the row limit (the child refuses those rows anyway), its hidden columns, and its filled
    cells whose data style shows them as something else (`registry.sheets._ods_formats`)."""
    struck_styles: set[str] = set()
    hidden: set[int] = set()
    struck: set[int] = set()
    columns: set[int] = set()
    most = limits.max_rows
    style: str | None = None
    tables = row = repeat = comments = column = 0
    in_cell = cell_struck = filled = row_struck = False
    disguises = CellDisguises(DataStyles(), limits.max_columns)
    styles = disguises.styles

    aliases: dict[str, str] | None = None

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal style, tables, repeat, in_cell, cell_struck, filled, row_struck, comments
        nonlocal aliases, column
        if aliases is None:  # the root element: its namespace declarations
            aliases = _aliases(attributes)
        if aliases and attributes:
            attributes = {_canonical(key, aliases): value for key, value in attributes.items()}
        styles.start(_canonical(name, aliases) if aliases else name, attributes)
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
        elif name == "table:table-column":  # in order, before the rows
            span = _repeat(attributes.get("table:number-columns-repeated"))
            if attributes.get("table:visibility", "").strip() in HIDING:
                columns.update(range(column + 1, min(column + span, limits.max_columns) + 1))
            column += span
            disguises.column(span, attributes.get("table:default-cell-style-name"))
        elif name == "table:table-row":
            repeat = _repeat(attributes.get("table:number-rows-repeated"))
            row_struck = False
            disguises.row()
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
            cell_struck = cell_struck or attributes.get("text:style-name") in struck_styles

    def end(name: str) -> None:
        nonlocal style, row, in_cell, row_struck, comments
        styles.end(_canonical(name, aliases) if aliases else name)
        if name == "style:style":
            style = None
        elif name in CELLS:
            row_struck = row_struck or (filled and cell_struck)
            in_cell = False
            disguises.cell_end(filled, row, repeat, most, MAX_DISGUISED)
        elif name == "office:annotation":
            comments -= 1
        elif name == "table:table-row":
            if row_struck:  # once a row element, however many cells and repeats it has
                struck.update(range(row + 1, min(row + repeat, most) + 1))
            row += repeat

    def text(data: str) -> None:
        nonlocal filled
        if in_cell and not comments and data.strip():
            filled = True
        styles.text(data)

    parse_marks(blocks, start, end, text=text, limits=limits, deadline=deadline, namespaces=False)
    return Marks(
        frozenset(hidden),
        frozenset(struck),
        hidden_columns=frozenset(columns),
        disguised=frozenset(disguises.found),
    )
