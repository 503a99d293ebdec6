"""Batch file uploads (SPEC §7): paid for before they are parsed, parsed a few at a time, off the
event loop.

A spreadsheet is the one input an anonymous visitor sends that can cost the server real work, so
an upload goes through three gates, in this order:

1. a parsing slot (`UploadSlots`): at most ``upload_concurrency`` files are parsed at once (and
   an anonymous client's uploads take turns, `UploadSlots.turn`); the next one is answered 503 with ``Retry-After``
   at once rather than queued, so a burst of uploads never piles up waiting work (nor memory)
   in the server;
2. the batch allowance (`verify_app.quotas.Quotas.reserve_upload`): the rows are charged before
   the file is opened. Their number is unknown until the file is parsed, so what is left of
   the client's hourly batch allowance (at most ``MAX_ITEMS`` rows) is reserved; after the
   parse the reservation is given back (`Quotas.release_upload`) and `Verifier.check_many`
   charges the rows the file really holds. A file that is refused keeps costing one row, so
   hostile files are not free to send. A client needs only one row left to upload, and has the
   rest back the moment the file is read — and some of its hour's parsing time left
   (`ParseTime`): a workbook of one row and a million empty cells held a slot for two seconds
   at the price of a row, and four addresses sending it in turn kept every employer's upload
   answered 503 (a security review). A form sent again — the results page reloaded — reserves
   nothing: its rows were paid when first sent (`verify_app.batch_retries`);
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
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

from limits import RateLimitItemPerHour

from registry.public.client_keys import limit_key
from verify_app.batch_files import BatchFile, read_batch
from verify_app.quotas import Caller, Quotas, Reservation
from verify_app.refusals import RateLimited

RETRY_AFTER = 5
"""seconds a client waits when every parsing slot is taken: longer than most parses take"""
PARSE_NICENESS = 19
"""the lowest CPU priority: parsing uploads never competes with the checks"""


PARSE_SECONDS_PER_HOUR = 30
"""Seconds of parsing a client's (or an API key's) uploads may take an hour: an employer's file of a
few hundred rows takes a fraction of one; keeping both slots busy all hour with slow files
takes 240 addresses."""


class ParseTime:
    """What each client's (or API key's) uploads took to parse this hour (sliding), in tenths of a
    second, on the store every quota shares. Counted after the parse, as much as is left when
    it took more: a client is refused a parse once its hour is spent, whatever its rows."""

    def __init__(self, quotas: Quotas) -> None:
        self._limiter = quotas.single.limiter
        self._hour = RateLimitItemPerHour(PARSE_SECONDS_PER_HOUR * 10)

    def check(self, caller: Caller) -> None:
        """`RateLimited` when ``caller``'s hour of parsing is spent (an API key's its own)."""
        window = _parse_window(caller)
        if self._limiter.remaining(self._hour, window) > 0:
            return
        wait = self._limiter.wait_for(self._hour, window, 1)
        raise RateLimited(
            wait,
            f"本小时您上传的文件读取用时已满（每个网络地址每小时 {PARSE_SECONDS_PER_HOUR} 秒，"
            "文件中的大量空白单元格、图片都很费时）：请约 "
            f"{math.ceil(wait / 60)} 分钟后再上传，或把名单粘贴到文本框中查验。",
            reason="batch_hourly",
        )

    def spend(self, caller: Caller, seconds: float) -> None:
        window, tenths = _parse_window(caller), max(1, math.ceil(seconds * 10))
        if not self._limiter.hit(self._hour, window, tenths):  # took more than was left
            if left := self._limiter.remaining(self._hour, window):
                self._limiter.hit(self._hour, window, left)


def _parse_window(caller: Caller) -> str:
    """Whose parsing time: an API key's (it reserves a row of its day for a file, so one key
    could have kept the slots busy at a row a file), else the address's."""
    who = f"key{caller.key.id}" if caller.key else limit_key(caller.client)
    return f"parse/{who}"


def _lower_priority() -> None:
    """Make the calling thread (and the processes it will start) yield the CPU to the server's."""
    with contextlib.suppress(OSError):  # not permitted in some sandboxes: then it just runs
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PARSE_NICENESS)


class UploadsBusy(Exception):
    """Every parsing slot is taken (or the client's own file is being read); the message
    (Chinese) asks to retry after ``retry_after``."""

    def __init__(self, message: str = "当前上传查验的人数较多，请 {} 秒后重新提交文件。") -> None:
        self.retry_after = RETRY_AFTER
        self.message = message.format(RETRY_AFTER)
        super().__init__(self.message)


OWN_FILE_BEING_READ = (
    "从您的网络地址提交的另一份名单正在查验（可能是您刚才上传或粘贴的，也可能是同一网络中其他人的）："
    "请约 {} 秒后再提交。"
)
"""The refusal of an upload or a pasted list while the client's last one is read and checked:
a triple tap on a pasted list was told of a file nobody uploaded (an employer's review)."""
TURN_SECONDS = 12.0
"""How long an upload waits for the same client's upload before it: a file is read within 10 s
(`registry.sheets.guard`) and checked in well under one, and the wait, the read and the check
together stay within nginx's 30 s for an upload (deploy/nginx/certreg.conf), past which it
would send the upload to the other replica."""


class UploadSlots:
    """A fixed number of parsing slots, taken without waiting, and a low-priority thread for
    each (see the module docstring)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = threading.BoundedSemaphore(size)
        self._turns: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        """the turn of each anonymous client with an upload under way (`turn`)"""
        self._pending: Counter[str] = Counter()
        """each anonymous client's uploads in their turn or waiting for it"""
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

    @contextlib.asynccontextmanager
    async def turn(self, caller: Caller) -> AsyncIterator[None]:
        """An anonymous client's uploads one at a time, each waiting for the one before for
        `TURN_SECONDS` at most (then `UploadsBusy`). Its first sends took that from the
        reservation — the second told nothing was left this hour, though it would be in a
        moment — and a resend reserves nothing: two reloads at once held both slots, every
        other upload refused (a review). A key's files may be read together, as
        `Quotas.reserve_upload` says. Waiting holds no slot, and one upload of a client waits
        at a time: the others are refused at once (each holds its file while it waits). The
        turns are this process's: behind nginx, two sends at once may reach two replicas — the
        form's claim in the shared store (`verify_app.batch_checks`) makes those take turns."""
        if caller.key is not None:
            yield
            return
        client = limit_key(caller.client)
        ahead = self._pending[client]  # counted before any await: no other request in between
        if ahead >= 2:
            raise UploadsBusy(OWN_FILE_BEING_READ)
        lock = self._turns.get(client)
        if lock is None:
            lock = self._turns[client] = asyncio.Lock()
        self._pending[client] += 1
        try:
            try:
                await asyncio.wait_for(lock.acquire(), TURN_SECONDS)
            except TimeoutError:
                raise UploadsBusy(OWN_FILE_BEING_READ) from None
            try:
                yield
            finally:
                lock.release()
        finally:
            self._pending[client] -= 1
            if not self._pending[client]:
                del self._pending[client]

    def close(self) -> None:
        """Stop the threads once the parses under way end (at the app's shutdown)."""
        self._threads.shutdown(wait=False, cancel_futures=True)


async def read_upload(
    slots: UploadSlots,
    quotas: Quotas,
    caller: Caller,
    filename: str,
    data: bytes,
    *,
    timed: bool = True,
    paid: bool = False,
) -> BatchFile:
    """The rows of an uploaded batch file, through the three gates of the module docstring
    (an API key's upload reserved from the key's day); ``timed`` false for a pasted list, read
    as text in no time: what a client whose parsing time is spent is told to send instead;
    ``paid``: a form sent again, whose rows were paid when first sent (none reserved).

    Raises `UploadsBusy`, `RateLimited` or `BatchFileProblem`. On return the reservation has
    been given back: the caller charges the rows by checking them."""
    with slots.slot():
        parse_time = ParseTime(quotas)
        if timed:
            parse_time.check(caller)
        reserved = Reservation(caller, 0) if paid else quotas.reserve_upload(caller)
        parsed: BatchFile | None = None
        started = quotas.clock()
        try:
            most = quotas.file_rows(caller)
            parsed = await slots.read(filename, data, most, quotas.metered(caller))
        finally:
            if timed:
                parse_time.spend(caller, quotas.clock() - started)
            quotas.release_upload(reserved, reserved.rows if parsed else reserved.rows - 1)
    return parsed
