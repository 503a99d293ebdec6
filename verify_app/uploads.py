"""Batch file uploads (SPEC §7): paid for before they are parsed, parsed a few at a time, off the
event loop.

A spreadsheet is the one input an anonymous visitor sends that can cost the server real work, so
an upload goes through three gates, in this order:

1. a parsing slot (`UploadSlots`): at most ``upload_concurrency`` files are parsed at once; the
   next one is answered 503 with ``Retry-After`` at once rather than queued, so a burst of
   uploads never piles up waiting work (nor memory) in the server;
2. the batch allowance (`verify_app.quotas.Quotas.reserve_upload`): the rows are charged before
   the file is opened. Their number is unknown until the file is parsed, so what is left of
   the client's hourly batch allowance (at most ``MAX_ITEMS`` rows) is reserved; after the
   parse the reservation is given back (`Quotas.release_upload`) and `Verifier.check_many`
   charges the rows the file really holds. A file that is refused keeps costing one row, so
   hostile files are not free to send, and a file whose parse takes longer than its rows are
   worth keeps what that time is worth (`parse_charge`): a workbook of one row and a million
   empty cells held a parsing slot for two seconds at the price of a row, and four addresses
   sending it in turn kept every employer's upload answered 503 (a security review). A client
   needs only one row left to upload, and has the rest back the moment the file is read;
3. the parse itself (`verify_app.batch_files.read_batch`) runs on one of the slots' own
   threads, and a workbook is opened by the guarded reader (`registry.sheets.guard`) in a child
   process with memory and time limits: a hostile workbook can end that child, never the server.

The slots' threads run at the lowest CPU priority (nice 19; on Linux a thread's own, inherited
by the child processes it starts), so parsing uploads uses the CPU the checks leave over: on a
one-core server, eight hostile uploads at once would otherwise take two thirds of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from verify_app.batch_files import BatchFile, read_batch
from verify_app.quotas import Caller, Quotas

RETRY_AFTER = 5
"""seconds a client waits when every parsing slot is taken: longer than most parses take"""
PARSE_NICENESS = 19
"""the lowest CPU priority: parsing uploads never competes with the checks"""
PARSE_ROWS_PER_SECOND = 50
"""What a second of a parsing slot costs, in batch rows: an employer's file of a few hundred
rows parses in a fraction of a second and pays for its rows alone; to keep both slots busy
with slow files all hour, at 300 rows an hour, takes more than a thousand addresses."""


def parse_charge(seconds: float, rows: int | None) -> int:
    """The batch rows an upload keeps beyond the rows it gets checked, for ``seconds`` of
    parsing; ``rows``: those the file holds, None when it was refused (which costs a row)."""
    worth = math.ceil(seconds * PARSE_ROWS_PER_SECOND)
    return max(worth, 1) if rows is None else max(worth - rows, 0)


def _lower_priority() -> None:
    """Make the calling thread (and the processes it will start) yield the CPU to the server's."""
    with contextlib.suppress(OSError):  # not permitted in some sandboxes: then it just runs
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PARSE_NICENESS)


class UploadsBusy(Exception):
    """Every parsing slot is taken; the message (Chinese) asks to retry after ``retry_after``."""

    def __init__(self) -> None:
        self.retry_after = RETRY_AFTER
        self.message = f"当前上传查验的人数较多，请 {RETRY_AFTER} 秒后重新提交文件。"
        super().__init__(self.message)


class UploadSlots:
    """A fixed number of parsing slots, taken without waiting, and a low-priority thread for
    each (see the module docstring)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = threading.BoundedSemaphore(size)
        self._threads = ThreadPoolExecutor(
            size, thread_name_prefix="certreg-upload", initializer=_lower_priority
        )

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the ``with`` block, or raise `UploadsBusy` when none is free."""
        if not self._free.acquire(blocking=False):
            raise UploadsBusy
        try:
            yield
        finally:
            self._free.release()

    async def read(self, filename: str, data: bytes, most: int, metered: bool) -> BatchFile:
        """`read_batch` on a slot's thread, awaited from the event loop (hold a `slot` first)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, read_batch, filename, data, most, metered)

    def close(self) -> None:
        """Stop the threads once the parses under way end (at the app's shutdown)."""
        self._threads.shutdown(wait=False, cancel_futures=True)


async def read_upload(
    slots: UploadSlots, quotas: Quotas, caller: Caller, filename: str, data: bytes
) -> BatchFile:
    """The rows of an uploaded batch file, through the three gates of the module docstring
    (an API key's upload reserved from the key's day).

    Raises `UploadsBusy`, `RateLimited` or `BatchFileProblem`. On return the reservation has
    been given back: the caller charges the rows by checking them."""
    with slots.slot():
        reserved = quotas.reserve_upload(caller)
        parsed: BatchFile | None = None
        started = quotas.clock()
        try:
            most = quotas.file_rows(caller)
            parsed = await slots.read(filename, data, most, quotas.metered(caller))
        finally:
            took = quotas.clock() - started
            kept = parse_charge(took, len(parsed.rows) if parsed else None)
            quotas.release_upload(reserved, reserved.rows - min(kept, reserved.rows))
    return parsed
