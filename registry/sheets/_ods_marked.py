"""The rows an .ods's first sheet hides or strikes through, as `registry.sheets._marked` finds
an .xlsx's: python-calamine reads them like any other, and a clerk hides or strikes a row to
leave a holder out.

In ``content.xml`` a hidden row is ``<table:table-row table:visibility="collapse">`` (or
``"filter"``, hidden by a filter), ``table:number-rows-repeated`` times; a struck cell has an
automatic cell style whose ``<style:text-properties>`` draws a ``text-line-through-style``, or
holds a ``<text:span>`` of such a text style. The automatic styles come before the body, so one
expat pass reads both. Named styles (styles.xml) and a column's default cell style are not
looked at: striking rows out, LibreOffice and WPS write automatic styles on the cells.
"""

from __future__ import annotations

from collections.abc import Iterator

from registry.sheets._extent import ODS_OFFICE_NS, ODS_TABLE_NS, StopParsing, whole_number
from registry.sheets._limits import SheetLimits
from registry.sheets._marked import Marks, parse_marks

STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
PROBES = (b"visibility", b"line-through")
"""What a content.xml with a hidden row or a struck style must hold somewhere."""
HIDING = ("collapse", "filter")


def ods_marks(blocks: Iterator[bytes], limits: SheetLimits, deadline: float) -> Marks:
    """The first table's hidden rows and rows with a filled struck cell (1-based), none past
    the row limit (the child refuses those rows anyway)."""
    struck_styles: set[str] = set()
    hidden: set[int] = set()
    struck: set[int] = set()
    most = limits.max_rows
    style: str | None = None
    tables = row = repeat = 0
    in_cell = cell_struck = filled = False

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal style, tables, repeat, in_cell, cell_struck, filled
        namespace, _, local = name.rpartition(" ")
        if namespace == STYLE_NS:
            if local == "style":
                style = attributes.get(f"{STYLE_NS} name")
            elif local == "text-properties" and style is not None:
                line = attributes.get(f"{STYLE_NS} text-line-through-style", "none")
                if line.strip() not in ("", "none"):
                    struck_styles.add(style)
        elif namespace == ODS_TABLE_NS:
            if local == "table":
                tables += 1
                if tables > 1:
                    raise StopParsing  # only the first sheet is read
            elif local == "table-row":
                count = attributes.get(f"{ODS_TABLE_NS} number-rows-repeated", "")
                repeat = whole_number(count) or 1
                if attributes.get(f"{ODS_TABLE_NS} visibility", "").strip() in HIDING:
                    hidden.update(range(row + 1, min(row + repeat, most) + 1))
            elif local in ("table-cell", "covered-table-cell"):
                in_cell = True
                cell_struck = attributes.get(f"{ODS_TABLE_NS} style-name") in struck_styles
                filled = f"{ODS_OFFICE_NS} value-type" in attributes
        elif namespace == TEXT_NS and in_cell:
            if local == "span" and attributes.get(f"{TEXT_NS} style-name") in struck_styles:
                cell_struck = True

    def end(name: str) -> None:
        nonlocal style, row, in_cell
        namespace, _, local = name.rpartition(" ")
        if namespace == STYLE_NS and local == "style":
            style = None
        elif namespace == ODS_TABLE_NS:
            if local in ("table-cell", "covered-table-cell"):
                if filled and cell_struck:
                    struck.update(range(row + 1, min(row + repeat, most) + 1))
                in_cell = False
            elif local == "table-row":
                row += repeat

    def text(data: str) -> None:
        nonlocal filled
        if in_cell and data.strip():
            filled = True

    parse_marks(blocks, start, end, text=text, limits=limits, deadline=deadline)
    return Marks(frozenset(hidden), frozenset(struck))
