"""Whether an .xlsx worksheet needs the exact pass (`registry.sheets._marked.exact_marks`):
each block of it is searched for a few bytes and two patterns (`Probe`) as it streams past the
parent's other checks (`registry.sheets._zipscan`). Most sheets hold none of them, and are not
parsed again; a hit — any formula, any ``hidden``, any ``strike``, a run's colour or size, a
size of a row or column that may hide it, however spelt — sends the sheet through the pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

PROBES = (
    *(b"<f", b":f", b"hidden", b"strike", b"formatCode", b"color", b"sz", b"showValue"),
    b"zeroHeight",
    *(b'"e"', b"'e'"),
)
"""What a sheet with a formula (``<f>``, ``<x:f …``), a hidden row, a run struck through,
coloured or sized, a conditional format's own number format or colours (x14) or a bar or icon
without its value must hold somewhere (a tab's colour, ``<tabColor>``, is no hit: clerks colour
tabs; each probe costs a search of every block, so a run's ``<color>`` and ``<sz>`` under any
prefix are one probe each) — or rows 0 high unless sized (``zeroHeight``), which Excel draws as
hidden — or a cell holding an error value (``t="e"``, in either quotes). A hit only sends the
sheet through `exact_marks`."""
_PLAIN_HEIGHT = rb'(?!="(?:[4-9]|[1-9][0-9])[0-9.]{0,30}")'
_PLAIN_WIDTH = rb'(?!="[1-9][0-9.]{0,30}")'
SIZE_PROBES = tuple(
    re.compile(name + plain)
    for names, plain in (
        ((b"ht", b"defaultRowHeight"), _PLAIN_HEIGHT),
        ((b"width", b"defaultColWidth", b"baseColWidth"), _PLAIN_WIDTH),
    )
    for name in names
)
"""A row's height (``ht``, or the sheet's default) written other than plainly at least 4
points (`registry.sheets._marked.ROW_TOO_SMALL`), a column's width other than plainly at least
1 (``ht="15"``, ``width="8.43"``): 0.5, 3, .5, 1e-3, ``ht = '0'`` — a row or column Excel draws as hidden, or an attribute
written in a way this probe does not read, which the exact pass then does. Searched
from their letters (as fast as a byte probe), counted only as an attribute (after white space:
``right="0.75"`` of the page margins, which every openpyxl sheet holds, is none — as a byte
probe ``ht="0`` it sent every such sheet of 30 MB through the exact pass, 8× the read)."""
SIZE_WINDOW = 64
"""Bytes a size probe's match needs after its start, the value included: a match starting in
a block's last `SIZE_WINDOW` bytes is looked at again with the next block."""
_ATTRIBUTE_GAP = frozenset(b" \t\r\n")


class Probe:
    """Fed the worksheet's blocks in order, then `finish`-ed: ``hit`` once a probe turns up.
    Linear in the bytes, whatever they hold (the size probes' patterns cannot backtrack: a
    literal and a bounded look-ahead)."""

    def __init__(
        self, probes: tuple[bytes, ...] = PROBES, sizes: tuple[re.Pattern[bytes], ...] = ()
    ) -> None:
        self.probes = probes
        self.sizes = sizes
        self.hit = False
        self._tail = b""
        self._keep = max(len(probe) for probe in probes) - 1
        self._pending = b""
        """the last `SIZE_WINDOW` bytes (and one before), not yet searched by the size probes"""

    def feed(self, block: bytes) -> None:
        if self.hit:
            return
        keep = self._keep
        seam = self._tail + block[:keep]  # a probe cut in two by the blocks' edge
        self._tail = (self._tail + block)[-keep:] if len(block) < keep else block[-keep:]
        self.hit = any(probe in block or probe in seam for probe in self.probes)
        if self.sizes and not self.hit:
            data = self._pending + block
            self._pending = data[-SIZE_WINDOW - 1 :]  # and the byte before: an attribute's gap
            self.hit = self._sized(data, len(data) - SIZE_WINDOW)

    def finish(self) -> None:
        """Search what the size probes left for the next block: there is none."""
        if self.sizes and not self.hit:
            self.hit = self._sized(self._pending, len(self._pending))
        self._pending = b""

    def _sized(self, data: bytes, before: int) -> bool:
        """Whether a size probe matches ``data`` as an attribute, starting before ``before``."""
        return any(
            found.start() < before
            and found.start() > 0
            and data[found.start() - 1] in _ATTRIBUTE_GAP
            for pattern in self.sizes
            for found in pattern.finditer(data)
        )


def holds(blocks: Iterator[bytes], *needles: bytes) -> bool:
    """Whether a part's blocks hold one of ``needles``, also across two blocks (`Probe`)."""
    probe = Probe(needles)
    for block in blocks:
        probe.feed(block)
        if probe.hit:
            return True
    return False
