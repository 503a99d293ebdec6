"""Run python-calamine on one workbook in a child process with memory and time limits
(`ParseChild`; `GuardedChild` runs the marks' child too, `registry.sheets._marks_child`).

A plain ``subprocess`` of ``sys.executable`` rather than `multiprocessing`: exec'ing a fresh
interpreter is safe from a multi-threaded server (no fork of a process holding locks), needs no
global start-method or preload state, and ``-I -S`` starts it with python-calamine in ~15 ms
(~35 ms through ``site`` and an editable install's path hooks). The workbook goes to
the child as an open temporary file (no pipe for the parent to block on) and the rows come back
in `marshal`-ed chunks that the parent unpacks while the child converts the next ones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import importlib.util
import marshal
import math
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NoReturn, Self, cast

from registry.domain.text import visible
from registry.sheets._date_formats import short_dates_by_format
from registry.sheets._limits import NOT_A_WORKBOOK, SheetLimits, SheetRefused, exceeded, unreadable
from registry.sheets._marked import NO_MARKS, Marks

WORKER = Path(__file__).with_name("_worker.py")
FRAME_HEADER = 9  # kind byte + little-endian uint64 length, as _worker.FRAME packs them
READ_BYTES = 1 << 20
PIPE_BYTES = 1 << 20
TEMPORAL = (dt.datetime, dt.date, dt.time, dt.timedelta)  # the order of _worker.encode


@functools.cache
def _parsers_site() -> str:
    """The folders that hold python_calamine and xlrd (``os.pathsep``-separated), for a child
    that runs without ``site``."""
    folders = []
    for name in ("python_calamine", "xlrd"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"{name} is not installed")
        folders.append(str(Path(spec.origin).resolve().parent.parent))
    return os.pathsep.join(dict.fromkeys(folders))


def _nameless_file() -> IO[bytes]:
    """A file with no name, for the child's input and its error output: in memory on Linux
    (``memfd_create``), so reading a workbook needs no writable temporary folder — a service's
    file system may be read-only but for its data (systemd's ProtectSystem=strict); a temporary
    file elsewhere."""
    if hasattr(os, "memfd_create"):
        try:
            return os.fdopen(os.memfd_create("certreg-sheet", os.MFD_CLOEXEC), "w+b")
        except OSError:  # a kernel or sandbox without it (ENOSYS, EPERM)
            pass
    return tempfile.TemporaryFile()


WORKBOOK_STREAM = "Workbook".encode("utf-16-le")
"""The name of an .xls file's workbook stream in its OLE directory (at the file's end)."""
BIFF_BOF = b"\x09\x08"
"""The record a workbook stream begins with (BIFF8's BOF), in the sector after the header."""
DAMAGED_XLS = (
    "文件是 Excel 工作簿（.xls），但内容已损坏或不完整（可能复制或传送时中断）。请在 Excel/WPS 中"
    "打开它，另存为 .xlsx 后重试；打不开的，请向报送单位索取原文件"
)


class GuardedChild:
    """A ``python -I -S`` child running ``script`` on one workbook under the limits' address
    space and CPU time, importing from ``site`` (folders, ``os.pathsep``-separated): the
    workbook goes as an open nameless file (no pipe for the parent to block on), the verdict
    comes back on stdout, the error output is kept for `last_words`; killed by `close`."""

    def __init__(
        self, script: Path, data: bytes, limits: SheetLimits, site: str, *arguments: str
    ) -> None:
        self._input = _nameless_file()
        try:
            self._input.write(data)
            self._input.flush()
            self._errors = _nameless_file()
        except BaseException:
            self._input.close()
            raise
        fd = self._input.fileno()
        os.lseek(fd, 0, os.SEEK_SET)
        bounds = (fd, limits.memory_bytes, math.ceil(limits.seconds) + 1)  # CPU: past the deadline
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-S", str(script), site, *map(str, bounds), *arguments],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                pass_fds=(fd,),
            )
        except BaseException:
            self._input.close()
            self._errors.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Kill the child if it still runs (a refusal found by the parent's own scan)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        assert self._process.stdout is not None
        self._process.stdout.close()
        self._input.close()
        self._errors.close()

    def last_words(self) -> str:
        """The end of what the child wrote to its error output."""
        self._errors.seek(0, os.SEEK_END)
        self._errors.seek(max(0, self._errors.tell() - 4096))
        return self._errors.read().decode("utf-8", "replace")


class ParseChild(GuardedChild):
    """One parse of ``data`` in a child process; start it, do other checks, then `rows`."""

    def __init__(self, data: bytes, limits: SheetLimits, deadline: float) -> None:
        self.limits = limits
        self.deadline = deadline
        self.merged: list[tuple[int, ...]] = []
        """after `rows`: the merged ranges of more than one cell, 1-based (first row, first column,
        last row, last column)"""
        self.marks = NO_MARKS
        """after `rows`: an .xls's marks — its hidden and struck rows, its formulas saved
        without their results … (an .xlsx's `registry.sheets._marks_child` reads)"""
        self.set_aside: list[tuple[str, int]] = []
        """after `rows`: the later sheets left unread that hold only notes, as (name, filled
        rows) (`registry.sheets._worker.notes_only`)"""
        self._excel_stream = WORKBOOK_STREAM in data or data[512:514] == BIFF_BOF
        """an OLE file holding Excel's own stream (named in its directory, or begun in its first
        sector): one python-calamine cannot read is damaged, not another kind of document (a
        .xls cut short was told it may be a Word file)"""
        shape = (limits.max_rows, limits.max_columns, int(limits.marks))
        super().__init__(WORKER, data, limits, _parsers_site(), *map(str, shape))
        assert self._process.stdout is not None
        if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux: room for a whole chunk, fewer round trips
            with contextlib.suppress(OSError):
                fcntl.fcntl(self._process.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)

    def rows(self) -> list[list[object]]:
        """The first worksheet as ``to_python(skip_empty_area=False)`` gives it; else `SheetRefused`
        (or `RuntimeError` when the child could not even start: a broken install, not the file)."""
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        buffer = bytearray()
        rows: list[list[object]] = []
        started = False
        received = 0  # the cells' bytes, against max_cell_bytes
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    raise exceeded(self.limits, "seconds")
                if not selector.select(remaining):
                    continue
                block = os.read(fd, READ_BYTES)
                if not block:
                    break
                buffer += block
                while len(buffer) >= FRAME_HEADER:
                    size = int.from_bytes(buffer[1:FRAME_HEADER], "little")
                    kind = buffer[0:1]
                    # refused as announced, not once whole: one frame of 24 cells of a 12 MB
                    # shared string (a 155 KB file) took the parent to 314 MB first
                    if kind == b"R" and received + size > self.limits.max_cell_bytes:
                        raise exceeded(self.limits, "max_cell_bytes", received + size)
                    end = FRAME_HEADER + size
                    if len(buffer) < end:
                        break
                    if kind == b"R":
                        received += size
                    with memoryview(buffer) as view:
                        payload = marshal.loads(view[FRAME_HEADER:end])
                    del buffer[:end]
                    if kind == b"S":
                        started = True
                    elif kind == b"R":
                        chunk, dates = payload
                        for i, j, index, arguments in dates:
                            chunk[i][j] = TEMPORAL[index](*arguments)
                        rows += chunk
                        if len(rows) > self.limits.max_rows:  # the child checks; so do we
                            raise exceeded(self.limits, "max_rows", len(rows))
                    elif kind == b"D":
                        self._done(payload)
                        return rows
                    else:
                        self._refuse(payload)
        self._died(started)

    def _done(self, payload: tuple[object, ...]) -> None:
        """What the child's ``D`` frame says besides the rows: merged ranges, an .xls's marks,
        the later sheets of notes."""
        _, merged, hidden, struck, columns, disguised, unseen, unsaved, cells, dated, notes = cast(
            Any, payload
        )
        self.merged = [tuple(n + 1 for n in r) for r in merged]
        self.set_aside = [(str(name), int(filled)) for name, filled in notes]
        dates = short_dates_by_format(dated)
        if hidden or struck or columns or disguised or unseen or unsaved or dates:
            self.marks = Marks(
                frozenset(hidden),
                frozenset(struck),
                frozenset(unsaved),
                hidden_columns=frozenset(columns),
                disguised=frozenset(map(tuple, disguised)),
                unseen=frozenset(map(tuple, unseen)),
                unsaved_cells=frozenset(map(tuple, cells)),
                short_dates=dates,
            )

    def _refuse(self, payload: tuple[object, ...]) -> NoReturn:
        reason = payload[0]
        if reason == "shape":
            height, width = payload[1], payload[2]
            assert isinstance(height, int) and isinstance(width, int)
            if height > self.limits.max_rows:
                raise exceeded(self.limits, "max_rows", height)
            raise exceeded(self.limits, "max_columns", width)
        if reason == "memory":
            raise exceeded(self.limits, "memory_bytes")
        if reason == "hidden":  # an old roster kept out of sight must not be read as the register
            raise SheetRefused(
                f"第一个工作表“{visible(str(payload[1]))}”是隐藏的：只读取第一个工作表，它不能隐藏。"
                "请在 Excel/WPS 中取消隐藏该表（如是不用的旧表，请删除），把要导入的表放在第一个，另存后重试"
            )
        if reason == "empty":  # an empty Sheet1 left before the roster's sheet
            first, *others = (f"“{visible(str(name))}”" for name in payload[1:])
            raise SheetRefused(
                f"第一个工作表{first}是空的，内容在工作表{'、'.join(others)}中：只读取第一个"
                f"工作表。请删除空的工作表{first}（或把要导入的表拖到最前面），保存后重试"
            )
        if reason == "notes":  # a 填表说明 put before the register's sheet
            first, *others = (f"“{visible(str(name))}”" for name in payload[1:])
            raise SheetRefused(
                f"第一个工作表{first}只有说明文字，要导入的内容在工作表{'、'.join(others)}中："
                f"只读取第一个工作表。请把要导入的工作表拖到最前面（或删除说明表{first}），"
                "保存后重试"
            )
        if reason == "others":  # a roster split over sheets would load in part
            first, *others = (f"“{visible(str(name))}”" for name in payload[1:])
            raise SheetRefused(
                f"只读取第一个工作表{first}，但工作表{'、'.join(others)}也有内容，不会被读取。"
                "请把所有数据行都放在第一个工作表中，删除其他工作表（或另存为单独的文件），"
                "保存后重试（只有说明文字的工作表不影响读取：每行不超过 3 个单元格，除第一列的"
                "序号外没有数字、日期和证书编号）"
            )
        if reason == "unmarked":  # a hidden or struck holder would load unseen
            raise unreadable(
                "读不出这个 .xls 文件中哪些行被隐藏或划了删除线，无法确定哪些行应当导入"
                f"（技术信息，供管理员排查：{payload[1]}）"
            )
        if "Cannot detect file format" in str(payload[1]):  # an OLE file but no workbook
            raise unreadable(DAMAGED_XLS if self._excel_stream else NOT_A_WORKBOOK)
        raise unreadable(f"文件内容已损坏或格式无法识别（技术信息，供管理员排查：{payload[1]}）")

    def _died(self, started: bool) -> NoReturn:
        """The child ended without a verdict: out of memory, or it could not even start."""
        try:
            code = self._process.wait(max(0.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise exceeded(self.limits, "seconds") from None
        errors = self.last_words()
        if not started:
            raise RuntimeError(f"the spreadsheet worker did not start (exit {code}): {errors}")
        if "memory allocation" in errors or "MemoryError" in errors or code == -signal.SIGKILL:
            raise exceeded(self.limits, "memory_bytes")
        raise unreadable(f"解析程序异常终止（{code}）")
