"""The verification log: one row per check in ``verify_log.db`` beside the registry (SPEC §7).

Staff browse it with Datasette, so the schema is a shared contract (GUIDE: table ``checks``).
The log holds a keyed hash of the name, never the name. Lookups must not wait for the log, nor
fail because of it: a request only puts the row on a queue; one writer thread inserts rows, and
when the log file stays locked the rows wait (a bounded queue) or, past that, are dropped and
counted — a missing log row is better than an employer who gets no answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from registry.store.db import file_id, transaction
from registry.store.verify_log import Channel, prepare_log

BATCH_SIZE = 500
"""Most rows written in one transaction."""
WARN_EVERY = 1000
"""Rows dropped for a full queue between two warnings."""
LINGER = 0.1
"""Seconds the writer waits after a first pending row, so that a burst of checks is written in
one transaction and busy requests do not wake the writer thread one by one: the writer's CPU is
the server's (measured in bench/RESULTS.md)."""

logger = logging.getLogger("certreg.verify_log")

_STOP = object()


class Check(NamedTuple):
    """One log row, as the tuple ``INSERT INTO checks`` binds."""

    at: str
    client: str
    number: str
    result: str
    name_hash: str
    channel: Channel
    key_id: int | None = None
    """the API key the check was paid with (``api_keys.id`` in the registry); None: anonymous"""
    confirmed: str | None = None
    """the paper's fields typed to confirm, comma-separated; None: none typed"""
    mismatched: str | None = None
    """those of them the paper got wrong; None: none typed"""


class CheckLog:
    """Queue + writer thread over ``verify_log.db``. ``start()``/``close()`` from the lifespan."""

    def __init__(
        self, path: Path, *, capacity: int = 10_000, retries: int = 20, linger: float = LINGER
    ) -> None:
        self.path = path
        self.dropped = 0
        self._capacity = capacity
        self._retries = retries
        self._linger = linger
        self._queue: queue.SimpleQueue[Check | threading.Event | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._awaited: set[object] = set()
        """Flush and stop markers queued and not yet handled: while there is one, no lingering."""
        self._hurry = threading.Event()
        """Set by `flush` and `close`: wakes a writer that is lingering."""
        self._file: tuple[int, int] | None = None
        """the log file the writer's connection has open (`_reopened`)"""

    def start(self) -> None:
        conn = self._open()
        try:
            prepare_log(conn)  # the other workers of the server may be creating it too
        finally:
            conn.close()
        self._thread = threading.Thread(target=self._run, name="verify-log", daemon=True)
        self._thread.start()

    def record(self, check: Check) -> None:
        """Never blocks: past ``capacity`` pending rows (log locked for long) the row is dropped."""
        if self._queue.qsize() >= self._capacity:
            self.dropped += 1
            if self.dropped % WARN_EVERY == 1:  # one line per thousand, not a flood under load
                logger.warning(
                    "查验日志写入排队已满（日志文件被长时间锁住？）：至今未记录 %d 条查验",
                    self.dropped,
                )
            return
        self._queue.put(check)

    def flush(self) -> None:
        """Wait until every row recorded so far is written or dropped (tests, shutdown)."""
        if self._thread is None or not self._thread.is_alive():
            return
        written = threading.Event()
        self._awaited.add(written)
        self._queue.put(written)
        self._hurry.set()
        while not written.wait(0.5):
            if not self._thread.is_alive():  # a writer that died will never get to it
                return

    def close(self) -> None:
        if self._thread is None:
            return
        if self._thread.is_alive():
            self._awaited.add(_STOP)
            self._queue.put(_STOP)
            self._hurry.set()
        self._thread.join()
        self._thread = None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(self.path, isolation_level=None, timeout=0.5)

    def _connect(self) -> sqlite3.Connection:
        """The writer's connection, to a log `start` has prepared (WAL is the file's own)."""
        conn = self._open()
        conn.execute("PRAGMA synchronous = NORMAL")
        self._file = file_id(self.path)
        return conn

    def _reopened(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        """``conn``, or — the log file deleted or replaced under it (a tidy-up, a restore) — a
        connection to a log made anew: SQLite writes on into the deleted file, and the
        replica's checks were lost while it answered as ever, its staff log frozen."""
        if file_id(self.path) == self._file:
            return conn
        conn.close()
        logger.warning(
            "查验日志文件 %s 已被删除或替换：已重新建立并继续记录（此前尚未送达登记库主机的记录可能已丢失，"
            "关注列表须由用人单位重新建立）",
            self.path,
        )
        made = self._open()
        try:
            prepare_log(made)
        finally:
            made.close()
        return self._connect()

    def _run(self) -> None:
        conn = self._connect()
        try:
            while True:
                batch = [self._queue.get()]
                self._hurry.clear()  # before looking for markers: a flush from now on wakes us
                if (
                    isinstance(batch[0], Check)
                    and self._queue.qsize() < BATCH_SIZE
                    and not self._awaited
                ):
                    self._hurry.wait(self._linger)
                while len(batch) < BATCH_SIZE:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                try:
                    checks = [item for item in batch if isinstance(item, Check)]
                    if checks:
                        conn = self._reopened(conn)
                        self._write(conn, checks)
                finally:
                    for item in batch:
                        if isinstance(item, threading.Event):
                            self._awaited.discard(item)
                            item.set()
                if any(item is _STOP for item in batch):
                    return
        finally:
            conn.close()

    def _write(self, conn: sqlite3.Connection, checks: list[Check]) -> None:
        """Everything pending in one transaction: under load the writer commits once per batch,
        not once per check. A row that can never be written is dropped on its own."""
        last: sqlite3.OperationalError | None = None
        for _ in range(self._retries):
            try:
                self._insert(conn, checks)
                return
            except sqlite3.OperationalError as exc:  # locked or busy: wait (timeout) and retry
                last = exc
            except (sqlite3.Error, ValueError):
                if len(checks) == 1:
                    self.dropped += 1
                    logger.warning("查验日志有一条记录含无法写入的值，未记录")
                    return
                for check in checks:
                    self._write(conn, [check])
                return
        self.dropped += len(checks)
        logger.warning(
            "查验日志写入 %d 次仍失败（%s），%d 条查验未记录：请检查磁盘空间和日志文件的写入权限",
            self._retries,
            last,
            len(checks),
        )

    @staticmethod
    def _insert(conn: sqlite3.Connection, checks: list[Check]) -> None:
        """Many rows to a statement, not ``executemany``: that steps once per row and lets go
        of the GIL at each step, and under load each time it wants the GIL back it interrupts
        the event loop's thread (one switch interval at most) — once per log row, in the
        middle of the requests'. One statement per `ROWS_PER_STATEMENT` lets go once."""
        with transaction(conn):
            for start in range(0, len(checks), ROWS_PER_STATEMENT):
                chunk = checks[start : start + ROWS_PER_STATEMENT]
                conn.execute(_insert_sql(len(chunk)), [value for row in chunk for value in row])


ROWS_PER_STATEMENT = 999 // len(Check._fields)
"""Log rows bound to one INSERT: their values stay under the 999 variables a statement may have
in the oldest SQLite Python 3.11 may bring."""


@lru_cache(maxsize=ROWS_PER_STATEMENT)
def _insert_sql(rows: int) -> str:
    values = f"({', '.join('?' * len(Check._fields))})"
    return f"INSERT INTO checks ({', '.join(Check._fields)}) VALUES " + ", ".join([values] * rows)


@lru_cache(maxsize=1)
def _timestamp(second: int) -> str:
    """`registry.store.now`'s format for one second; under load many checks share a second,
    so the formatting is done once per second instead of once per check."""
    return dt.datetime.fromtimestamp(second, dt.UTC).isoformat()


def make_check(
    client: str,
    number: str,
    result: str,
    hashed_name: str,
    channel: Channel,
    key_id: int | None = None,
    confirmation: Mapping[str, str] | None = None,
    mismatched: Sequence[str] = (),
) -> Check:
    """A log row for now; ``confirmation``: each typed field of the paper → match or mismatch
    (`verify_app.answers.Checked`), ``mismatched`` those that did not match."""
    typed = ",".join(confirmation) if confirmation else None
    wrong = ",".join(mismatched) if confirmation else None
    at = _timestamp(int(time.time()))
    return Check(at, client, number, result, hashed_name, channel, key_id, typed, wrong)
