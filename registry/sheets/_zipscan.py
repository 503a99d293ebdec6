"""The parent's scan of a zip workbook's parts (`registry.sheets._zipdirectory.Workbook`),
without trusting anything in them. `scan_parts` inflates every part as a stream, never beyond
the limits, and checks what the directory cannot prove:

- the true inflated size of each part (a part may declare 1 KB and inflate to 1 GB);
- no part has a DTD, so no entity can expand (billion laughs), for our parser or any other;
- no cell of the first worksheet lies beyond ``max_rows``/``max_columns``;
- whether the first worksheet may mark rows (`registry.sheets._probe`): the hit the marks'
  own pass starts from (`registry.sheets._zipmarks`), which runs in a child process of its own
  (`registry.sheets._marks_child`), not here — a hostile file's formatting made it cost
  gigabytes and minutes in this process.

XML goes through expat with any DOCTYPE refused. A full expat pass over a 40,000-row sheet costs
more than python-calamine's whole read (1.26 s against 0.95 s on its 30 MB), so the sheet body
is first searched for cell references over the limits by four regexes (~0.15 s in all), and
only a hit — or a ``<dimension>`` over the limits, or an unusual way of writing ``r=`` — pays
for the exact expat pass, which follows python-calamine's rules: a cell counts only if it holds
a value (a formatted empty cell does not), and a cell without ``r`` sits right of the one before
it. The child's own check of the parsed range stays the final word; this scan refuses early,
names the cell, and keeps a 2-cell bomb from ever costing the child its memory limit.
"""

from __future__ import annotations

import re
import time

from registry.sheets._extent import Extent, cell_position
from registry.sheets._limits import SheetLimits, exceeded
from registry.sheets._ods_marked import PROBES as ODS_PROBES
from registry.sheets._probe import SIZE_PROBES, Probe
from registry.sheets._prolog import Prolog
from registry.sheets._references import reference_filters
from registry.sheets._zipdirectory import Workbook, stream

TAIL = 256
"""bytes kept from one block to the next, so that a reference cut in two is still found"""


def _stream_part(
    workbook: Workbook,
    name: str,
    filters: tuple[re.Pattern[bytes], ...],
    limits: SheetLimits,
    deadline: float,
    sheet_body: bool,
) -> tuple[Prolog | None, bool, Probe | None]:
    """Inflate one part block by block within the deadline, feeding an XML part's prolog; and
    for an .xlsx worksheet, whether it may mark rows (`Probe`) and whether a cell reference
    that may lie beyond the limits appears (not searched for without ``sheet_body``)."""
    is_sheet = name == workbook.sheet
    xml = name.endswith((".xml", ".rels"))
    # an .ods table has no <sheetData>: read on to it, every content.xml past 4 MB was refused
    prolog = Prolog("sheetData" if is_sheet and workbook.kind == "xlsx" else None) if xml else None
    marks = None
    if is_sheet:
        marks = Probe(sizes=SIZE_PROBES) if workbook.kind == "xlsx" else Probe(ODS_PROBES)
    suspicious = False
    tail = b""
    for block in stream(workbook.archive, name):
        if time.monotonic() > deadline:
            raise exceeded(limits, "seconds")
        if prolog is not None:
            prolog.feed(block)
        if marks is None:
            continue
        marks.feed(block)
        if sheet_body and not suspicious:
            window = tail + block
            suspicious = any(f.search(window) for f in filters)
            tail = window[-TAIL:]
    if marks is not None:
        marks.finish()
    return prolog, suspicious, marks


def scan_parts(
    workbook: Workbook, limits: SheetLimits, deadline: float, *, sheet_body: bool = True
) -> bool:
    """Inflate every part within the limits (proving its size), refuse DTDs, and refuse a first
    worksheet with a cell beyond ``max_rows``/``max_columns``; return whether its probe hit —
    whether it may mark rows (`registry.sheets._zipmarks.sheet_marks`). Without ``sheet_body``
    the worksheet's cells are left to the child's check."""
    filters = reference_filters(limits)
    hit = False
    for info in workbook.archive.infolist():
        name = info.filename
        prolog, suspicious, probe = _stream_part(
            workbook, name, filters, limits, deadline, sheet_body
        )
        if probe is not None:
            hit = probe.hit
        if name != workbook.sheet or not sheet_body:
            continue
        if workbook.kind == "ods":
            Extent(limits, ods=True).run(stream(workbook.archive, name), deadline)
            continue
        assert prolog is not None
        corner = cell_position(prolog.dimension.rpartition(":")[2])
        if corner and (corner[0] > limits.max_rows or corner[1] > limits.max_columns):
            suspicious = True
        if suspicious:
            Extent(limits, ods=False).run(stream(workbook.archive, name), deadline)
    return hit
