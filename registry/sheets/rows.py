"""Open a register file as rows: the one way the sync opens a spreadsheet.

Every register comes from an office's hands, so it is read by the guard (`registry.sheets.guard`):
a regular file within size limits, a workbook's zip checked before any parser sees it, the parse
in a child process with memory and time limits. Here its cells become `Cell` values.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from registry.sheets._marked import Marks
from registry.sheets.cells import Cell, clean
from registry.sheets.errors import UnreadableSheet
from registry.sheets.guard import (
    REGISTER_LIMITS,
    TEXT_SUFFIXES,
    WORKBOOK_SUFFIXES,
    SheetLimits,
    read_sheet,
    unsupported,
)

SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES

Row = tuple[int, list[Cell]]
"""(row number as the spreadsheet shows it, and its cells)"""


@dataclass
class Sheet:
    rows: Iterator[Row]
    encoding: str | None = None
    """of a text file; None for a workbook"""
    marks: Marks = field(default_factory=Marks)
    """the rows the workbook hides or strikes through"""
    merged: Sequence[tuple[int, ...]] = ()
    """the workbook's merged ranges of more than one cell (`registry.sheets.guard.Sheet.merged`)"""
    set_aside: Sequence[tuple[str, int]] = ()
    """later sheets of notes left unread (`registry.sheets.guard.Sheet.set_aside`)"""
    shifts: Sequence[tuple[int, int]] = ()
    """a CSV's rows as Excel shows them (`registry.sheets.sheet.Sheet.shifts`)"""


def open_sheet(path: Path, limits: SheetLimits = REGISTER_LIMITS) -> Sheet:
    """The first sheet of ``path``, row by row; raise `UnreadableSheet` when it is not one."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableSheet(unsupported(suffix))
    if not path.exists():
        raise UnreadableSheet("文件不存在。请核对 registers.toml 中的文件名，或文件是否已移走")
    sheet = read_sheet(path, limits)
    if sheet.encoding is None:
        rows = ((number, [clean(v) for v in cells]) for number, cells in sheet.rows())
    else:  # a CSV's cells are all text: `clean` of a str, inline (a register has 600,000)
        text_rows = cast(Iterator[tuple[int, list[str]]], sheet.rows())
        rows = ((number, [c.strip() or None for c in cells]) for number, cells in text_rows)
    return Sheet(rows, sheet.encoding, sheet.marks, sheet.merged, sheet.set_aside, sheet.shifts)
