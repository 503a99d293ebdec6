"""The rows an .xlsx worksheet hides (``<row hidden="1">``).

python-calamine reads a hidden row like any other and says nothing of it, yet a clerk hides a
row to leave it out of what is reviewed and printed: loaded, it would give a certificate to a
holder nobody saw on the roster. So the parent finds them while it streams the worksheet for its
other checks (`registry.sheets._zipscan`), and the sync refuses a register with a hidden data
row, naming it (`registry.kinds.base.cell_problems`).

Most sheets hide nothing: a block without ``hidden="`` costs one ``bytes`` search. A hidden row
written without its ``r`` attribute (rare) sends the sheet through an exact expat pass.
An .ods or .xls workbook's hidden rows are not looked for.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pyexpat import ExpatError

from registry.sheets._extent import expat_parser
from registry.sheets._limits import SheetLimits, exceeded, unreadable

_MARK = b'hidden="'
_HIDDEN_ROW = re.compile(rb'row\s[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\sr="([0-9]{1,9})"')
TAIL = 2048
"""bytes kept from one block to the next, so that a row tag cut in two is still found"""


class HiddenRows:
    """Fed the worksheet's blocks in order; ``rows`` are the numbers of its hidden rows."""

    def __init__(self) -> None:
        self.rows: set[int] = set()
        self.unnumbered = False
        """a hidden row without ``r``: its number needs `exact_hidden_rows`"""
        self._tail = b""

    def feed(self, block: bytes) -> None:
        window = self._tail + block
        self._tail = window[-TAIL:]
        if _MARK not in window:
            return
        for match in _HIDDEN_ROW.finditer(window):
            if window[match.start() - 1 : match.start()] not in (b"<", b":"):
                continue  # "row" inside some other word or text
            number = _ROW_NUMBER.search(match[0])
            if number is None:
                self.unnumbered = True
            else:
                self.rows.add(int(number[1]))


def exact_hidden_rows(blocks: Iterator[bytes], limits: SheetLimits, deadline: float) -> set[int]:
    """The hidden rows by expat, numbering a row without ``r`` after the one before it, as
    python-calamine does."""
    found: set[int] = set()
    row = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal row
        if name.rpartition(" ")[2] == "row":
            number = attributes.get("r", "")
            row = int(number) if number.isdigit() else row + 1
            if attributes.get("hidden") in ("1", "true"):
                found.add(row)

    parser = expat_parser()
    parser.StartElementHandler = start
    try:
        for block in blocks:
            if time.monotonic() > deadline:
                raise exceeded(limits, "seconds")
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except ExpatError as exc:
        raise unreadable("工作表的 XML 已损坏") from exc
    return found
