"""A CSV register or upload read in-process (`registry.sheets.guard` step 4): decoded by
`registry.sheets.encoding.decode`, bounded by the same limits as a workbook, a line in another
encoding named — nothing of it needs a child process, being linear in bytes already bounded."""

from __future__ import annotations

import csv
import io
from typing import cast

from registry.sheets._limits import EMPTY_FILE, UNREADABLE, SheetLimits, SheetRefused, exceeded
from registry.sheets.encoding import (
    UnclosedQuote,
    csv_problem,
    csv_records,
    decode,
    delimiter,
    ends_quoted,
    excel_text,
    mojibake,
)
from registry.sheets.sheet import Sheet


def _refuse_mojibake(cells: list[str], line: int) -> None:
    """A row of a GB18030 file holding a cell that is UTF-8 read as GB18030 is refused: loaded,
    a name would be mojibake. (One encode of the whole row clears nearly every row at once.)"""
    try:
        "".join(cells).encode("gb2312")
    except UnicodeEncodeError:
        pass
    else:
        return
    for cell in cells:
        meant = None if cell.isascii() else mojibake(cell)
        if meant is not None:
            raise SheetRefused(
                f"第 {line} 行的“{cell}”是乱码（这一行是 UTF-8 编码，文件其余部分是 GB18030），"
                f"原文应为“{meant}”。请把这一行重新输入，或把整个文件另存为“CSV UTF-8”后重试"
            )


def _where_unread(data: bytes, exc: UnicodeDecodeError) -> str:
    """Where a CSV stops reading in both encodings it may be in — a line pasted from elsewhere
    into a file of the other: the later of the two places each stops (a UTF-8 file with one
    GBK line read as GB18030 stops on its first Chinese line). A UTF-16 file's bytes are no
    lines (上's low byte is a line feed): not said."""
    if not exc.encoding.startswith("gb"):
        return ""
    try:
        data.decode("utf-8")
        stop = exc.start
    except UnicodeDecodeError as utf8:
        stop = max(exc.start, utf8.start)
    return f"第 {_row_at(data[:stop], exc.encoding)} 行起"


def _row_at(before: bytes, encoding: str) -> int:
    """The row, as Excel shows it, of the record the byte after ``before`` is in: records, not
    lines, counted — a cell over several lines, or a Mac's CR-only lines (a review)."""
    text = before.decode(encoding, errors="replace")
    try:
        rows = sum(1 for _ in csv.reader(io.StringIO(text, newline="")))
    except csv.Error:  # a NUL, say: lines are the best left to count
        return before.count(b"\n") + 1
    return rows + 1 if not text or (text[-1] in "\r\n" and not ends_quoted(text, ",")) else rows


def read_csv(filename: str, data: bytes, limits: SheetLimits) -> Sheet:
    """A CSV in-process: decoding and `csv` are linear in the bytes, which are already bounded;
    a record wider than ``max_columns`` or one row too many stops the read at once. Records
    without a character are left out, as a workbook's empty rows are: they hold nothing, and
    only rows with content count against ``max_rows``."""
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):  # not "no header in the first 30 rows"
        raise SheetRefused(f"{UNREADABLE}{EMPTY_FILE}")
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:
        where = _where_unread(data, exc)
        raise SheetRefused(
            f"无法识别文件编码：{where}有不能按所支持的编码（UTF-8、带 BOM 的 UTF-8、GB18030/GBK、"
            f"Unicode 文本）读出的内容。请{'检查这一行，或' if where else ''}把文件另存为 CSV UTF-8 后重试"
        ) from exc
    rows: list[list[str]] = []
    lines: list[int] = []
    max_columns, max_rows = limits.max_columns, limits.max_rows
    line = shift = 0
    shifts: list[tuple[int, int]] = []  # where a cell's line break moves the rows after it
    wrapped_text = '="' in text  # one scan of the file, not one test per cell
    try:
        for record, (line, cells) in enumerate(csv_records(text, delimiter(filename, text)), 1):
            if line - record != shift:
                shift = line - record
                shifts.append((line, shift))
            if len(cells) > max_columns:  # before the blank test: ",,,," 32 million wide too
                raise exceeded(limits, "max_columns", len(cells), f"第 {line} 行")
            if not any(cells):  # a blank line, or Excel's ",,,," for a formatted empty row
                continue
            if len(rows) == max_rows:
                raise exceeded(limits, "max_rows", len(rows) + 1, f"第 {line} 行")
            if encoding == "gb18030":
                _refuse_mojibake(cells, line)
            if wrapped_text:
                cells = [excel_text(cell) for cell in cells]
            rows.append(cells)
            lines.append(line)
    except UnclosedQuote as exc:
        raise SheetRefused(str(exc)) from exc
    except csv.Error as exc:
        raise SheetRefused(f"CSV 格式错误（第 {line + 1} 行附近）：{csv_problem(exc)}") from exc
    return Sheet(cast(list[list[object]], rows), lines, encoding, shifts=tuple(shifts))
