"""Open an untrusted spreadsheet — a register from an office, a public batch upload — safely.

The one place that opens spreadsheets nobody has vetted. python-calamine is fast but can be made
to abort the process (a single cell at ``XFD1048576`` asks for 512 GiB), to take gigabytes and
seconds (a cell at ``XFD3000``, a zip bomb, 20M shared strings), and a path may be a FIFO that
blocks forever or a link to ``/dev/zero``. So:

1. the file is read once, as a regular file no larger than ``max_file_bytes``
   (`open_regular_file`), and everything after works on those bytes;
2. a zip workbook (.xlsx/.xlsm/.ods) must pass its directory's limits before any parser sees it
   (`registry.sheets._zipdirectory`);
3. the parent inflates every part within the limits, proving its size, and refuses DTDs; it
   probes the first worksheet for what may mark rows, and when that sheet is no bigger than
   ``scan_first_bytes`` it looks for cells beyond ``max_rows``/``max_columns``
   (`registry.sheets._zipscan`); then python-calamine parses it in a child process with an
   address-space and a time limit, which checks the parsed range before a single row is built
   (`registry.sheets._child`); .xls (OLE) has only the child;
4. a register's marks — the rows the sheet hides, strikes through or leaves with unsaved
   formulas, the cells it colours away or disguises (`registry.sheets._marked`) — are read in a
   child process too, under the same limits: for an .xlsx/.ods a second one, running beside
   the parse (`registry.sheets._marks_child`), for an .xls the parse child itself (xlrd). The
   parent reads none: a hostile file's formatting made that cost gigabytes and minutes. A
   batch upload's marks are never looked at, and not read (``SheetLimits.marks``);
5. a CSV is decoded in-process with `registry.sheets.encoding.decode` and bounded by the same limits.

Whatever the file does, the caller gets rows or `SheetRefused`, whose Chinese message names the
limit and what to do. Limits are `SheetLimits`; `REGISTER_LIMITS` and `UPLOAD_LIMITS` fit the
real documents, and ``dataclasses.replace`` makes others.

Example::

    sheet = read_sheet(Path("2024-2201.xlsx"), REGISTER_LIMITS)
    for row_number, cells in sheet.rows(): ...
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import stat
import time
from pathlib import Path, PurePath

from registry.domain.os_reasons import reason
from registry.sheets._child import ParseChild
from registry.sheets._csv_sheet import read_csv
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
from registry.sheets._marks_child import MarksChild
from registry.sheets._zipdirectory import Workbook, check_directory
from registry.sheets._zipscan import scan_parts
from registry.sheets.sheet import Sheet

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
    except PermissionError as exc:  # not the file's fault: re-saving it, as told, did nothing
        raise SheetRefused(
            f"无法打开文件（{reason(exc)}）：运行 certreg 的系统用户没有读取这个文件的权限。"
            "请管理员让它可读（如 chmod g+r 该文件，或在共享文件夹的设置中让新文件对 "
            "certreg 所在的组可读），再重新运行"
        ) from exc
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
    # a workbook renamed .csv is read as what it is (an .xls renamed .xlsx is): read as text,
    # it was told to be saved as CSV UTF-8 — advice about an encoding it does not have. Not a
    # .txt: the list pasted on the batch page is one, and is never to reach the parse child
    # (its parse time is not counted — a review pasted an all-ASCII workbook)
    renamed = suffix == ".csv" and data.startswith((OLE_MAGIC, *ZIP_MAGIC))
    if suffix in TEXT_SUFFIXES and not renamed:
        return read_csv(filename, data, limits)
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
        raise not_a_workbook(data, suffix, PurePath(filename).name.startswith("~$"))
    return _read_zip(data, limits, deadline)


def _read_zip(data: bytes, limits: SheetLimits, deadline: float) -> Sheet:
    """A zip workbook (.xlsx/.xlsm/.ods): the parent's checks of its parts, then its parse and,
    for a register, its marks, each in a child of its own and the two at once."""
    workbook = check_directory(data, limits, deadline)
    # A small sheet (every bomb so far, every upload) is scanned whole before any parser sees
    # it. A big one (a real register) is read only up to <sheetData>, its other parts whole:
    # the sheet's scan would cost a quarter of the parse, and the child's check of the parsed
    # range is exact. Should the child die, the whole scan runs then, to name the cause.
    small = workbook.sheet_bytes <= limits.scan_first_bytes
    hit = scan_parts(workbook, limits, deadline, sheet_body=small)
    with contextlib.ExitStack() as children:
        marks = None
        if limits.marks:  # started first: it runs beside the parse, on another core
            marks = children.enter_context(MarksChild(data, workbook, hit, limits, deadline))
        child = children.enter_context(ParseChild(data, limits, deadline))
        try:
            sheet = _numbered(child, NO_MARKS)
        except SheetRefused as refused:
            if marks is not None and (first := marks.refusal()):
                raise first from refused
            if small or refused.limit not in ("memory_bytes", "seconds"):
                raise
            child.close()
            _explain(workbook, limits, refused)
            raise
        return sheet if marks is None else dataclasses.replace(sheet, marks=marks.marks())


def _explain(workbook: Workbook, limits: SheetLimits, refused: SheetRefused) -> None:
    """Raise the scan's refusal of a big sheet the child died on (a far cell, a part that
    inflates past its declared size), if the scan finds one in its own time (it reads no
    marks: their child has given its verdict)."""
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
    """The child's rows, numbered from 1, with ``marks`` (``None``: the child found them, in an
    .xls)."""
    rows = child.rows()
    marks = child.marks if marks is None else marks
    numbers = range(1, len(rows) + 1)
    return Sheet(rows, numbers, marks=marks, merged=child.merged, set_aside=child.set_aside)
