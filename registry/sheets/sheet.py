"""What reading a spreadsheet gives: its first worksheet's rows (or a CSV's records), each with
the row number a clerk sees, and what the file says of its rows besides their cells."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from registry.sheets._marked import NO_MARKS, Marks


@dataclass(frozen=True)
class Sheet:
    """The first worksheet of a workbook, or a CSV file."""

    cells: list[list[object]]
    """its rows of cells. From a workbook, what python-calamine's
    ``to_python(skip_empty_area=False)`` gives: str, int, float, bool, date, datetime, time,
    timedelta, ``""`` when empty, padded from A1. From a CSV, the ``str`` fields of `csv`."""
    numbers: Sequence[int]
    """the row number of each row: 1, 2, 3… in a workbook as the spreadsheet shows it; in a CSV
    the physical line the record starts on (a quoted cell may span lines: `shifts`)"""
    encoding: str | None = None
    """the CSV's detected encoding (``utf-8``, ``utf-8-sig``, ``gb18030``); None for a workbook"""
    marks: Marks = NO_MARKS
    """the rows an .xlsx hides or strikes through (`registry.sheets._marked`)"""
    merged: Sequence[tuple[int, ...]] = ()
    """a workbook's merged ranges that span rows, 1-based (first row, first column, last row,
    last column): their value is in the first row only"""
    set_aside: Sequence[tuple[str, int]] = ()
    """a workbook's later sheets left unread that hold only notes (a 填表说明), as (name,
    filled rows)"""
    shifts: Sequence[tuple[int, int]] = ()
    """a CSV whose cells hold line breaks: (line, shift) from each line on which its records
    start ``shift`` lines below the row Excel shows them in (`excel_row`)"""

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        """(row number, cells) of each row — made as they are read, not 40,000 tuples at once."""
        return zip(self.numbers, self.cells, strict=True)


def excel_row(line: int, shifts: Sequence[tuple[int, int]]) -> int:
    """The row Excel shows the CSV record starting on ``line`` in (`Sheet.shifts`, in line
    order: one per record with a line break, 40,000 of them in a register — bisected)."""
    at = bisect.bisect_right(shifts, (line, math.inf))
    return line - shifts[at - 1][1] if at else line
