"""Reading an .ods's styles (``styles.xml``, then ``content.xml`` up to its body) by namespace,
whatever prefixes the file binds, into `registry.sheets._ods_formats.DataStyles`."""

from __future__ import annotations

from collections.abc import Iterator

from registry.sheets._extent import StopParsing, parse_marks
from registry.sheets._limits import SheetLimits
from registry.sheets._ods_formats import DataStyles

NAMESPACES = {
    "urn:oasis:names:tc:opendocument:xmlns:table:1.0": "table",
    "urn:oasis:names:tc:opendocument:xmlns:style:1.0": "style",
    "urn:oasis:names:tc:opendocument:xmlns:text:1.0": "text",
    "urn:oasis:names:tc:opendocument:xmlns:office:1.0": "office",
    "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0": "number",
    "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0": "fo",
    "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0": "calcext",
}
"""The prefixes OpenDocument uses, by namespace."""


def _canonical(name: str) -> str:
    """``"uri local"`` as OpenDocument's prefix spells it (``number:number-style``); a name of
    another namespace as it came."""
    uri, _, local = name.rpartition(" ")
    prefix = NAMESPACES.get(uri)
    return f"{prefix}:{local}" if prefix else name


def read_styles(parts: list[Iterator[bytes]], limits: SheetLimits, deadline: float) -> DataStyles:
    """The data and cell styles of ``styles.xml`` and of ``content.xml`` up to its body, in
    that order, read by namespace: the first definition of a data style counts, a cell style
    of content.xml's own over one of styles.xml, as in LibreOffice."""
    styles = DataStyles()

    def start(name: str, attributes: dict[str, str]) -> None:
        name = _canonical(name)
        if name == "office:body":
            raise StopParsing  # the sheet's cells: read by `ods_marks`
        styles.start(name, {_canonical(key): value for key, value in attributes.items()})

    def end(name: str) -> None:
        styles.end(_canonical(name))

    for part, blocks in enumerate(parts):  # (each within the deadline, or refused)
        styles.part = part
        parse_marks(blocks, start, end, text=styles.text, limits=limits, deadline=deadline)
    return styles
