"""The opening of a zip part, read before anything else of it: enough to refuse a DTD, and for
the worksheet its ``<dimension>`` — bounded in depth and in length, since it runs before every
other check."""

from __future__ import annotations

from registry.sheets._extent import BAD_XML, BROKEN_PART, Depth, StopParsing, expat_parser
from registry.sheets._limits import SheetRefused, unreadable

PROLOG_BYTES = 4 << 20
"""What a part may hold before its root element has opened — or a worksheet before
``<sheetData>`` (its views and column widths: kilobytes). Past it the part is refused: expat
keeps an unfinished start tag whole (18 MB of attributes on one root took 1.8 GB to parse)."""


class Prolog:
    """Feeds a part to expat up to its root element: enough to refuse a DTD, which can only
    come before it. For the worksheet it goes on to ``<sheetData>`` and keeps ``<dimension>``.
    No deeper than `MAX_DEPTH` and no longer than `PROLOG_BYTES`: this runs before any other
    check of the sheet, uploads' included (a sheet nested 18 million deep before
    ``<sheetData>`` took 2.2 GB)."""

    def __init__(self, until: str | None = None) -> None:
        self.done = False
        self.dimension = ""
        self._until = until
        self._fed = 0
        self._depth = Depth()
        self._parser = expat_parser()
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = lambda name: self._depth.leave()

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self._depth.enter()
        local = name.rpartition(" ")[2]
        if local == "dimension":
            self.dimension = attributes.get("ref", "")
        if self._until is None or local == self._until:
            raise StopParsing

    def feed(self, block: bytes) -> None:
        if self.done:
            return
        self._fed += len(block)
        if self._fed > PROLOG_BYTES:
            what = "工作表在单元格数据之前" if self._until else "工作簿中的一个部件在根元素之前"
            raise unreadable(f"{what}就有超过 {PROLOG_BYTES >> 20} MB 的内容")
        try:
            self._parser.Parse(block, False)
        except StopParsing:
            self.done = True
        except SheetRefused:  # a limit or a refusal raised inside a handler
            raise
        except BAD_XML as exc:
            raise unreadable(BROKEN_PART) from exc
