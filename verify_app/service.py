"""The verification service behind every channel: registry connections, limit, log, receipts.

Each check goes through `registry.public.lookup.verify` — the one implementation shared with
``certreg verify`` — and is charged to the client's rate limit and written to the log.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from registry import store
from registry.domain.statuses import MALFORMED
from registry.domain.text import MAX_NAME_CHARS as MAX_NAME_CHARS
from registry.public import lookup
from registry.public.lookup import Verification
from verify_app.checklog import CheckLog, make_check, name_hash
from verify_app.ratelimit import CheckLimiter
from verify_app.receipts import Clock, Receipt, Receipts
from verify_app.settings import Settings

MAX_NUMBER_CHARS = 40
"""Longest number accepted on any channel: a number is 11 characters, with spaces a few more.
Names: `registry.domain.text.MAX_NAME_CHARS`, the longest a register may carry."""


@dataclass(frozen=True)
class Item:
    """One requested check: the number and holder name as typed."""

    number: str
    name: str


@dataclass(frozen=True)
class RegistryState:
    as_of: str | None
    certificates: int


FileId = tuple[int, int]
"""(device, inode) of the registry file: a new one means the file was replaced, not updated."""


def file_id(path: Path) -> FileId | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


@dataclass
class _Opened:
    conn: sqlite3.Connection
    file: FileId | None
    """the file this connection reads (an open connection keeps reading it after a rename)"""
    as_of: tuple[int, str | None] | None = None
    """(data_version, registry_as_of) last read on this connection"""


class RegistryPool:
    """Read-only (``mode=ro``) connections, one per worker thread at a time, opened on demand.

    The registry changes under a running app in two ways, and both are seen from the next
    request on, without a restart and without failing a request:

    - updated in place (``certreg sync`` on the same host): SQLite sees the other connection's
      commit itself, and ``PRAGMA data_version`` moves (`as_of`);
    - replaced by a new file (a replica's ``certreg follow`` publishes each version with an
      atomic rename): a connection opened before keeps reading the old file — its inode — for
      as long as it is open. Each checkout compares the path's inode with the connection's and
      closes the connections of an old file, between requests: a check already running on one
      finishes on the version it started with.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: queue.SimpleQueue[_Opened] = queue.SimpleQueue()
        self._all: dict[sqlite3.Connection, _Opened] = {}
        self._lock = threading.Lock()
        self._current: FileId | None = None
        self.reopened = 0
        """connections closed because the file was replaced (for tests and the curious)"""

    def as_of(self, conn: sqlite3.Connection) -> str | None:
        """`store.registry_as_of`, re-read only after a sync changed the file: SQLite's
        ``data_version`` moves when another connection commits, so this is one cheap pragma
        per check instead of a query over the sync history."""
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        opened = self._all[conn]
        if opened.as_of is None or opened.as_of[0] != version:
            opened.as_of = (version, store.registry_as_of(conn))
        return opened.as_of[1]

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        current = file_id(self.path)
        if current is not None and current != self._current:
            self._replaced(current)
        while True:
            try:
                opened = self._idle.get_nowait()
            except queue.Empty:
                opened = self._open()
                break
            if current is None or opened.file == current:
                break
            self._close(opened)  # returned by a request that started before the replacement
        try:
            yield opened.conn
        finally:
            self._idle.put(opened)

    def _open(self) -> _Opened:
        """A connection and the file it reads: the inode before and after opening must agree,
        or a rename in between could leave us believing a new file is open when it is not."""
        while True:
            before = file_id(self.path)
            conn = store.connect(self.path, readonly=True)
            if file_id(self.path) == before:
                opened = _Opened(conn, before)
                with self._lock:
                    self._all[conn] = opened
                return opened
            conn.close()

    def _replaced(self, current: FileId) -> None:
        """A new file at the path: close the idle connections to the old one now (they hold
        the old file open), and remember the new one."""
        with self._lock:
            if current == self._current:
                return
            self._current = current
        keep = []
        while True:
            try:
                opened = self._idle.get_nowait()
            except queue.Empty:
                break
            if opened.file == current:
                keep.append(opened)
            else:
                self._close(opened)
        for opened in keep:
            self._idle.put(opened)

    def _close(self, opened: _Opened) -> None:
        with self._lock:
            self._all.pop(opened.conn, None)
        if opened.file is not None and opened.file != self._current:
            self.reopened += 1
        opened.conn.close()

    def close(self) -> None:
        with self._lock:
            opened = list(self._all.values())
            self._all.clear()
        for each in opened:
            each.conn.close()


class Verifier:
    def __init__(self, settings: Settings, *, clock: Clock = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self._secret = str(settings.secret)
        self.registry = RegistryPool(settings.db)
        self.log = CheckLog(settings.log_db)
        self.limiter = CheckLimiter(settings.rate_limit, settings.rate_limit_storage)
        self.receipts = Receipts(self._secret, lifetime_days=settings.receipt_days, clock=clock)

    def start(self) -> None:
        """Fail fast when the registry cannot be opened read-only; start the log writer."""
        self.state()
        self.log.start()

    def close(self) -> None:
        self.log.close()
        self.registry.close()

    def name_hash(self, name: str) -> str:
        return name_hash(self._secret, name)

    def check_many(self, client: str, items: Sequence[Item], channel: str) -> list[Verification]:
        """Charge ``len(items)`` checks to ``client`` (may raise RateLimited), then check each."""
        self.limiter.charge(client, len(items))
        with self.registry.connection() as conn:
            answers = [
                lookup.verify(conn, item.number, item.name, as_of=self.registry.as_of)
                for item in items
            ]
        for item, answer in zip(items, answers, strict=True):
            self._log(client, answer, self.name_hash(item.name), channel)
        return answers

    def check(self, client: str, number: str, name: str, channel: str) -> Verification:
        return self.check_many(client, [Item(number, name)], channel)[0]

    async def check_soon(self, client: str, number: str, name: str, channel: str) -> Verification:
        """`check` from the event loop. One check is a primary-key read of a local SQLite file
        and a count in memory — tens of microseconds, less than the hop to a worker thread and
        back — so it runs inline; with a shared (network) rate-limit store it goes to the
        thread pool, where waiting on the store blocks no other request."""
        if self.limiter.local:
            return self.check(client, number, name, channel)
        return await run_in_threadpool(self.check, client, number, name, channel)

    def recheck(self, client: str, receipt: Receipt) -> Verification:
        """The current status for a receipt, which holds the name only as a keyed hash."""
        self.limiter.charge(client)

        def same_holder(name: str) -> bool:
            return hmac.compare_digest(self.name_hash(name), receipt.name_hash)

        with self.registry.connection() as conn:
            answer = lookup.recheck(conn, receipt.number, same_holder, as_of=self.registry.as_of)
        self._log(client, answer, receipt.name_hash, "receipt")
        return answer

    def issue_receipt(self, answer: Verification, name: str) -> str | None:
        if answer.result == MALFORMED:
            return None
        return self.receipts.issue(answer.number, self.name_hash(name))

    def state(self) -> RegistryState:
        with self.registry.connection() as conn:
            return RegistryState(self.registry.as_of(conn), lookup.certificate_count(conn))

    def is_stale(self, as_of: str | None) -> bool:
        """True when the registry's last change is older than ``stale_days`` (or unknown)."""
        if as_of is None:
            return True
        changed = dt.datetime.fromisoformat(as_of)
        if changed.tzinfo is None:
            changed = changed.replace(tzinfo=dt.UTC)
        age = dt.datetime.fromtimestamp(self.clock(), dt.UTC) - changed
        return age > dt.timedelta(days=self.settings.stale_days)

    def _log(self, client: str, answer: Verification, hashed: str, channel: str) -> None:
        self.log.record(make_check(client, answer.number, answer.result, hashed, channel))
