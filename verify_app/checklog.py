"""The verification log: one row per check in ``verify_log.db`` beside the registry (SPEC §7).

Staff browse it with Datasette, so the schema is a shared contract (GUIDE: table ``checks``).
The log holds a keyed hash of the name, never the name. Lookups must not wait for the log, nor
fail because of it: a request only puts the row on a queue; one writer thread inserts rows, and
when the log file stays locked the rows wait (a bounded queue) or, past that, are dropped and
counted — a missing log row is better than an employer who gets no answer.

A log that cannot be written at all (a disk turned read-only, or full) is another matter: the
registry beside it takes no new version either, and an operator's review saw such a replica
answer 有效 for a certificate revoked since. Until a write succeeds again, checks are refused
(503, ``/healthz`` too): behind nginx, the other replica answers them.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
import threading
import time
from functools import lru_cache
from pathlib import Path

from registry.store.db import file_id, transaction
from registry.store.verify_log import prepare_log
from verify_app.log_rows import Check

BATCH_SIZE = 500
"""Most rows written in one transaction."""
WARN_EVERY = 1000
"""Rows dropped for a full queue between two warnings."""
LINGER = 0.1
"""Seconds the writer waits after a first pending row, so that a burst of checks is written in
one transaction and busy requests do not wake the writer thread one by one: the writer's CPU is
the server's (measured in bench/RESULTS.md)."""

PROBE_SECONDS = 5.0
"""How often an unwritable log is tried again while no check comes to write."""


class LogUnwritable(Exception):
    """A check refused, before it is charged, while the log cannot be written (a 503)."""


_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)

logger = logging.getLogger("certreg.verify_log")

_STOP = object()


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
        self._file: tuple[int, int] | None = None  # the file the writer has open (`_reopened`)
        self._probe_seconds = PROBE_SECONDS
        self.unwritable_since: float | None = None  # since a write failed but for locks

    @property
    def unwritable(self) -> bool:
        """Whether the log cannot be written now: every retry failed, or the writer is gone."""
        thread = self._thread
        return self.unwritable_since is not None or (thread is not None and not thread.is_alive())

    def start(self) -> None:
        conn = self._open()
        try:
            prepare_log(conn)  # the other workers of the server may be creating it too
        finally:
            conn.close()
        self._thread = threading.Thread(target=self._run, name="verify-log", daemon=True)
        self._thread.start()

    def record(self, check: Check) -> None:
        """Never blocks: past ``capacity`` pending rows (log locked for long) the row is dropped;
        while the log is `unwritable`, the check is refused (`LogUnwritable`: a 503)."""
        if self.unwritable:  # (the checks ask `unwritable` before they are charged)
            raise LogUnwritable
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
        _close(conn)
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
                try:
                    timeout = self._probe_seconds if self.unwritable_since is not None else None
                    batch = [self._queue.get(timeout=timeout)]
                except queue.Empty:
                    conn = self._probe(conn)
                    continue
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
                except (sqlite3.Error, OSError) as exc:  # the log made anew could not be
                    self._failed(exc, len(checks))
                finally:
                    for item in batch:
                        if isinstance(item, threading.Event):
                            self._awaited.discard(item)
                            item.set()
                if any(item is _STOP for item in batch):
                    return
        finally:
            _close(conn)

    def _write(self, conn: sqlite3.Connection, checks: list[Check]) -> None:
        """Everything pending in one transaction: under load the writer commits once per batch,
        not once per check. A row that can never be written is dropped on its own."""
        last: sqlite3.OperationalError | None = None
        for _ in range(self._retries):
            try:
                self._insert(conn, checks)
                self._written()
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
        self._failed(last, len(checks), self._retries)

    def _failed(self, exc: BaseException | None, rows: int, tries: int = 1) -> None:
        """Rows that could not be written: dropped; the log `unwritable` from now unless it
        was only locked (another process writing: the checks go on)."""
        self.dropped += rows
        locked = getattr(exc, "sqlite_errorcode", 0) & 0xFF in _BUSY
        if self.unwritable_since is None and not locked:
            self.unwritable_since = time.monotonic()
        if locked:  # not the disk: another process held the log (a purge, a backup) too long
            said = "查验日志写入 %d 次仍失败（%s），%d 条查验未记录：日志被另一个进程占用过久"
            logger.warning(said + "（清理、备份等）；本副本照常回答查验", tries, exc, rows)
            return
        said = "查验日志写入 %d 次仍失败（%s），%d 条查验未记录：请检查磁盘空间和写入权限。"
        logger.warning(said + "在能写入之前，本副本对查验回答 503", tries, exc, rows)

    def _written(self) -> None:  # a write succeeded
        if self.unwritable_since is not None:
            self.unwritable_since = None
            logger.warning("查验日志已恢复写入，本副本恢复回答查验")

    def _probe(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        """Try whether the unwritable log takes a write again (its header, unchanged)."""
        try:
            conn = self._reopened(conn)
            with transaction(conn):
                (version,) = conn.execute("PRAGMA user_version").fetchone()
                conn.execute(f"PRAGMA user_version = {int(version)}")
        except (sqlite3.Error, OSError):
            return conn
        self._written()
        return conn

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


def _close(conn: sqlite3.Connection) -> None:
    """Close the writer's connection to a log that may be gone: its disk read-only, its files
    deleted (closing then fails with a disk I/O error, which stopped the writer for good)."""
    with contextlib.suppress(sqlite3.Error):
        conn.close()
