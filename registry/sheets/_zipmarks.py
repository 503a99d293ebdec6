"""The rows and cells a zip workbook's first worksheet marks (`registry.sheets._marked`,
`registry.sheets._ods_marked`), once `registry.sheets._zipscan` has streamed it past its probe:
its styles and shared strings read first — a few kilobytes —, the sheet itself parsed again only
when its probe hit or they strike, hide or colour something.

Read in a child process of its own (`registry.sheets._marks_worker`), never in the process that
asked for the sheet: a hostile file's formatting makes these passes cost gigabytes and minutes
(one shared string of 12,000 runs of near-white colours, 2.7 GB). That child imports this module
by name, so it and all it imports use the standard library only.
"""

from __future__ import annotations

from registry.sheets._formats import NO_FORMATS, cell_formats
from registry.sheets._limits import SheetLimits
from registry.sheets._marked import NO_MARKS, Marks, exact_marks
from registry.sheets._ods_marked import ods_marks
from registry.sheets._ods_styles import read_styles
from registry.sheets._probe import holds
from registry.sheets._runs import NO_STRING_MARKS, plain_runs, string_marks
from registry.sheets._zipdirectory import Workbook, stream


def sheet_marks(workbook: Workbook, hit: bool, limits: SheetLimits, deadline: float) -> Marks:
    """The worksheet's marked rows and cells (`registry.sheets._marked`): none without a
    ``hit`` of its probe (`registry.sheets._zipscan.scan_parts`) or something struck, hidden or coloured in its styles or shared strings, else
    what the exact pass finds."""
    if workbook.kind == "ods":
        return _ods_marks(workbook, hit, limits, deadline)
    # python-calamine finds these parts whatever the case of their names
    names = {name.lower(): name for name in workbook.archive.namelist()}
    archive = workbook.archive
    formats, strings = NO_FORMATS, NO_STRING_MARKS
    if styles := names.get("xl/styles.xml"):  # (a few kilobytes: read whatever it holds)
        theme = stream(archive, part) if (part := names.get("xl/theme/theme1.xml")) else None
        formats = cell_formats(stream(archive, styles), limits, deadline, theme)
    if shared := names.get("xl/sharedstrings.xml"):
        if holds(stream(archive, shared), b"strike", b"olor", b"sz"):
            fills = {None, *formats.fills.values()}
            if not plain_runs(stream(archive, shared), formats.palette, fills):
                blocks = stream(archive, shared)
                strings = string_marks(blocks, limits, deadline, formats.palette, fills)
    if not (hit or formats or strings):
        return NO_MARKS
    blocks = stream(workbook.archive, workbook.sheet)
    return exact_marks(blocks, formats, strings, limits, deadline)


def _ods_marks(workbook: Workbook, hit: bool, limits: SheetLimits, deadline: float) -> Marks:
    """An .ods's marked rows and disguised cells: its styles (``styles.xml``, and
    ``content.xml`` before the sheet) first, the sheet only when its probe hit or a data style
    may hide a value."""
    archive = workbook.archive
    parts = [name for name in ("styles.xml", workbook.sheet) if name in archive.namelist()]
    styles = read_styles([stream(archive, name) for name in parts], limits, deadline)
    if not (hit or styles.may_hide):
        return NO_MARKS
    return ods_marks(stream(archive, workbook.sheet), limits, deadline, styles)
