"""Open an untrusted spreadsheet — a register from an office, a public batch upload — safely.

The one place that opens spreadsheets nobody has vetted. python-calamine is fast but can be made
to abort the process (a single cell at ``XFD1048576`` asks for 512 GiB), to take gigabytes and
seconds (a cell at ``XFD3000``, a zip bomb, 20M shared strings), and a path may be a FIFO that
blocks forever or a link to ``/dev/zero``. So:

1. the file is read once, as a regular file no larger than ``max_file_bytes``
   (`open_regular_file`), and everything after works on those bytes;
2. a zip workbook (.xlsx/.xlsm/.ods) must pass its directory's limits before any parser sees it;
3. the parent inflates every part within the limits, proving its size, and refuses DTDs; it
   notes the rows the first worksheet hides, strikes through or leaves with unsaved formulas,
   and when that sheet is no bigger than ``scan_first_bytes`` it looks for cells beyond
   ``max_rows``/``max_columns`` (`registry.sheets._zipscan`); then python-calamine parses it in a child
   process with an address-space and a time limit, which checks the parsed range before a
   single row is built (`registry.sheets._child`); .xls (OLE) has only the child, which
   also reads its hidden and struck rows;
4. a CSV is decoded in-process with `registry.sheets.encoding.decode` and bounded by the same limits.

Whatever the file does, the caller gets rows or `SheetRefused`, whose Chinese message names the
limit and what to do. Limits are `SheetLimits`; `REGISTER_LIMITS` and `UPLOAD_LIMITS` fit the
real documents, and ``dataclasses.replace`` makes others.

Example::

    sheet = read_sheet(Path("2024-2201.xlsx"), REGISTER_LIMITS)
    for row_number, cells in sheet.rows(): ...
"""

from __future__ import annotations

import csv
import os
import stat
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from registry.domain.os_reasons import reason
from registry.sheets._child import ParseChild
from registry.sheets._disguised import not_a_workbook
from registry.sheets._limits import (
    REGISTER_LIMITS,
    UPLOAD_LIMITS,
    SheetLimits,
    SheetRefused,
    exceeded,
    refusal,
    unreadable,
)
from registry.sheets._marked import NO_MARKS, Marks
from registry.sheets._zipscan import Workbook, check_directory, scan_parts
from registry.sheets.encoding import (
    UnclosedQuote,
    csv_problem,
    csv_records,
    decode,
    delimiter,
    excel_text,
    mojibake,
)

__all__ = [
    "REGISTER_LIMITS",
    "TEXT_SUFFIXES",
    "UPLOAD_LIMITS",
    "WORKBOOK_SUFFIXES",
    "Sheet",
    "SheetLimits",
    "SheetRefused",
    "open_regular_file",
    "read_sheet",
    "read_sheet_bytes",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NAME = "EncryptedPackage".encode("utf-16-le") + b"\0\0"
ENCRYPTED_PACKAGE = _NAME.ljust(64, b"\0") + len(_NAME).to_bytes(2, "little")
"""The OLE directory entry of the stream an encrypted workbook keeps its contents in: its
UTF-16 name padded to 64 bytes and the name's length — not text a cell of an .xls could hold."""
READ_BYTES = 1 << 20


@dataclass(frozen=True)
class Sheet:
    """The first worksheet of a workbook, or a CSV file."""

    cells: list[list[object]]
    """its rows of cells. From a workbook, what python-calamine's
    ``to_python(skip_empty_area=False)`` gives: str, int, float, bool, date, datetime, time,
    timedelta, ``""`` when empty, padded from A1. From a CSV, the ``str`` fields of `csv`."""
    numbers: Sequence[int]
    """the row number of each row: 1, 2, 3… in a workbook as the spreadsheet shows it; in a CSV
    the physical line the record starts on (a quoted cell may span lines)"""
    encoding: str | None = None
    """the CSV's detected encoding (``utf-8``, ``utf-8-sig``, ``gb18030``); None for a workbook"""
    marks: Marks = NO_MARKS
    """the rows an .xlsx hides or strikes through (`registry.sheets._marked`)"""
    merged: Sequence[tuple[int, ...]] = ()
    """a workbook's merged ranges that span rows, 1-based (first row, first column, last row,
    last column): their value is in the first row only"""
    wrapped: tuple[int, int] | None = None
    """a CSV with line breaks inside cells (a header 执行工资等级⏎起始时间): the line its first
    such record starts on, and how many lines later than Excel's row number its last record
    starts — Excel shows each record as one row, the report names lines"""
    set_aside: Sequence[tuple[str, int]] = ()
    """a workbook's later sheets left unread that hold only notes (a 填表说明), as (name,
    filled rows)"""

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        """(row number, cells) of each row — made as they are read, not 40,000 tuples at once."""
        return zip(self.numbers, self.cells, strict=True)


def open_regular_file(path: Path, max_bytes: int, basis: str = "") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes``; else `SheetRefused`.

    Opened with ``O_NONBLOCK`` so that a FIFO cannot hang the open, checked with ``fstat`` on
    the open descriptor (no race with a rename), and bounded again while reading, for a file
    that grows. Symlinks are followed: whether one may leave its folder is the caller's call.
    ``basis`` says in the refusal why the limit is what it is."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise unreadable("文件不存在") from exc
    except OSError as exc:
        raise unreadable(f"无法打开文件（{reason(exc)}）") from exc
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise unreadable("不是普通文件（是目录、设备或管道）")
        if status.st_size > max_bytes:
            raise refusal("max_file_bytes", status.st_size, max_bytes, basis)
        blocks = []
        size = 0
        while block := os.read(fd, READ_BYTES):
            size += len(block)
            if size > max_bytes:
                raise refusal("max_file_bytes", size, max_bytes, basis)
            blocks.append(block)
        return b"".join(blocks)
    finally:
        os.close(fd)


def read_sheet(path: Path, limits: SheetLimits) -> Sheet:
    """The first worksheet of ``path`` (.xlsx/.xlsm/.xls/.ods/.csv/.txt), or `SheetRefused`."""
    _check_suffix(path.name)
    data = open_regular_file(path, limits.max_file_bytes, limits.basis)
    return read_sheet_bytes(path.name, data, limits)


def read_sheet_bytes(filename: str, data: bytes, limits: SheetLimits) -> Sheet:
    """Like `read_sheet` for bytes already in hand (an upload); ``filename`` gives the type."""
    suffix = _check_suffix(filename)
    if len(data) > limits.max_file_bytes:
        raise exceeded(limits, "max_file_bytes", len(data))
    if suffix in TEXT_SUFFIXES:
        return _read_csv(filename, data, limits)
    deadline = time.monotonic() + limits.seconds
    if data.startswith(OLE_MAGIC):  # .xls: nothing to scan before the parse, the child bounds it
        if _encrypted(data):  # an .xlsx with an open password is an OLE file
            raise SheetRefused(
                "文件设有打开密码，无法读取。请在 Excel/WPS 中打开它，取消密码（文件→信息→"
                "保护工作簿→用密码进行加密，清空密码）后保存，再重试"
            )
        with ParseChild(data, limits, deadline) as child:
            return _numbered(child, None)
    if not data.startswith(ZIP_MAGIC):
        raise not_a_workbook(data, suffix)
    workbook = check_directory(data, limits, deadline)
    # A small sheet (every bomb so far, every upload) is scanned whole before any parser sees
    # it. A big one (a real register) is read only up to <sheetData>, its other parts whole:
    # the sheet's scan would cost a quarter of the parse, and the child's check of the parsed
    # range is exact. Should the child die, the whole scan runs then, to name the cause.
    small = workbook.sheet_bytes <= limits.scan_first_bytes
    marks = scan_parts(workbook, limits, deadline, sheet_body=small)
    with ParseChild(data, limits, deadline) as child:
        try:
            return _numbered(child, marks)
        except SheetRefused as refused:
            if small or refused.limit not in ("memory_bytes", "seconds"):
                raise
            child.close()
            _explain(workbook, limits, refused)
            raise


def _explain(workbook: Workbook, limits: SheetLimits, refused: SheetRefused) -> None:
    """Raise the scan's refusal of a big sheet the child died on (a far cell, a part that
    inflates past its declared size), if the scan finds one in its own time."""
    try:
        scan_parts(workbook, limits, time.monotonic() + limits.seconds)
    except SheetRefused as cause:
        if cause.limit != "seconds":
            raise cause from refused


def _encrypted(data: bytes) -> bool:
    """Whether the OLE file's directory holds an ``EncryptedPackage`` stream (entries are 128
    bytes, aligned on 128)."""
    at = data.find(ENCRYPTED_PACKAGE)
    while at != -1:
        if at % 128 == 0:
            return True
        at = data.find(ENCRYPTED_PACKAGE, at + 1)
    return False


SAVE_AS = {
    ".et": "WPS 表格的 .et 文件请在 WPS 中“另存为” Excel 工作簿（.xlsx）",
    ".ett": "WPS 表格模板请在 WPS 中“另存为” Excel 工作簿（.xlsx）",
    ".numbers": "Numbers 表格请“导出为” Excel（.xlsx）",
    ".xlsb": "Excel 二进制工作簿请在 Excel 中“另存为” Excel 工作簿（.xlsx）",
    ".doc": "Word 文档中的名单请复制到 Excel/WPS 表格中，另存为 .xlsx",
    ".docx": "Word 文档中的名单请复制到 Excel/WPS 表格中，另存为 .xlsx",
    ".wps": "WPS 文字文档中的名单请复制到 WPS 表格中，另存为 .xlsx",
    ".pdf": "PDF 中的名单请复制到 Excel/WPS 表格中，另存为 .xlsx",
}
"""How to turn a file of a type not read into one that is, for the types a clerk's office
saves (WPS's own format first: its default in many offices)."""


def unsupported(suffix: str) -> str:
    """The refusal of a file of type ``suffix``, with how to save it as one that is read."""
    how = SAVE_AS.get(suffix.lower(), "请另存为 .xlsx 或 .csv 文件")
    return f"不支持的文件类型“{suffix}”：{how}后重试"


def _check_suffix(filename: str) -> str:
    suffix = os.path.splitext(filename)[1].lower()
    if suffix not in WORKBOOK_SUFFIXES + TEXT_SUFFIXES:
        raise SheetRefused(unsupported(suffix))
    return suffix


def _numbered(child: ParseChild, marks: Marks | None) -> Sheet:
    """The child's rows, numbered from 1, with the marks the parent found (``None``: the child
    found them, in an .xls)."""
    rows = child.rows()
    marks = child.marks if marks is None else marks
    numbers = range(1, len(rows) + 1)
    return Sheet(rows, numbers, marks=marks, merged=child.merged, set_aside=child.set_aside)


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
    line = data[:stop].count(b"\n") + 1
    return f"第 {line} 行起"


def _read_csv(filename: str, data: bytes, limits: SheetLimits) -> Sheet:
    """A CSV in-process: decoding and `csv` are linear in the bytes, which are already bounded;
    a record wider than ``max_columns`` or one row too many stops the read at once. Records
    without a character are left out, as a workbook's empty rows are: they hold nothing, and
    only rows with content count against ``max_rows``."""
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
    line, first_wrap, shift = 0, 0, 0
    wrapped_text = '="' in text  # one scan of the file, not one test per cell
    try:
        for record, (line, cells) in enumerate(csv_records(text, delimiter(filename, text)), 1):
            # a record starts a line after the last one unless that one held a line break
            if not first_wrap and line - record > shift:
                first_wrap = lines[-1] if lines else 1
            shift = line - record
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
    wrapped = (first_wrap, shift) if first_wrap and shift else None
    return Sheet(cast(list[list[object]], rows), lines, encoding, wrapped=wrapped)
