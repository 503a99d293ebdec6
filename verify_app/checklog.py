"""The verification log: one row per check in ``verify_log.db`` beside the registry (SPEC §7).

Staff browse it with Datasette, so the schema is a shared contract (GUIDE: table ``checks``).
The log holds a keyed hash of the name, never the name. Lookups must not wait for the log, nor
fail because of it: a request only puts the row on a queue; one writer thread inserts rows, and
when the log file stays locked the rows wait (a bounded queue) or, past that, are dropped and
counted — a missing log row is better than an employer who gets no answer.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import queue
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlite_utils

from registry.names import name_key
from registry.store import now

CHANNELS = ("page", "api", "batch", "receipt")

logger = logging.getLogger("certreg.verify_log")

_STOP = object()


def name_hash(secret: str, name: str) -> str:
    """HMAC-SHA256 of the name's comparison key, hex: equal names give equal hashes, nothing more."""
    return hmac.new(secret.encode(), name_key(name).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Check:
    at: str
    client: str
    number: str
    result: str
    name_hash: str
    channel: str


CHECKS_COLUMNS: dict[str, type] = {
    "id": int,
    "at": str,
    "client": str,
    "number": str,
    "result": str,
    "name_hash": str,
    "channel": str,
}
"""The ``checks`` table: the contract shared with the staff views in Datasette."""


def ensure_log_schema(conn: sqlite3.Connection) -> None:
    """Create the ``checks`` table and its indexes where missing; never alters what exists."""
    checks = sqlite_utils.Database(conn).table("checks")
    checks.create(CHECKS_COLUMNS, pk="id", if_not_exists=True)
    checks.create_index(["client", "at"], if_not_exists=True)
    checks.create_index(["number"], if_not_exists=True)


class CheckLog:
    """Queue + writer thread over ``verify_log.db``. ``start()``/``close()`` from the lifespan."""

    def __init__(self, path: Path, *, capacity: int = 10_000, retries: int = 20) -> None:
        self.path = path
        self.dropped = 0
        self._retries = retries
        self._queue: queue.Queue[object] = queue.Queue(maxsize=capacity)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        conn = self._connect()
        try:
            ensure_log_schema(conn)
        finally:
            conn.close()
        self._thread = threading.Thread(target=self._run, name="verify-log", daemon=True)
        self._thread.start()

    def record(self, check: Check) -> None:
        """Never blocks: a full queue (log locked for long) drops the row."""
        try:
            self._queue.put_nowait(check)
        except queue.Full:
            self.dropped += 1
            logger.warning("verification log queue full; %d rows dropped so far", self.dropped)

    def flush(self) -> None:
        """Wait until every queued row is written or dropped (tests, shutdown)."""
        self._queue.join()

    def close(self) -> None:
        if self._thread is None:
            return
        if self._thread.is_alive():  # a dead writer would never make room on a full queue
            self._queue.put(_STOP)
        self._thread.join()
        self._thread = None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=0.5)
        conn.execute("PRAGMA journal_mode = WAL")
        return conn

    def _run(self) -> None:
        conn = self._connect()
        try:
            while True:
                item = self._queue.get()
                try:
                    if item is _STOP:
                        return
                    assert isinstance(item, Check)
                    self._write(conn, item)
                finally:
                    self._queue.task_done()
        finally:
            conn.close()

    def _write(self, conn: sqlite3.Connection, check: Check) -> None:
        row = asdict(check)
        last: sqlite3.OperationalError | None = None
        for _ in range(self._retries):
            try:
                conn.execute(
                    "INSERT INTO checks (at, client, number, result, name_hash, channel)"
                    " VALUES (:at, :client, :number, :result, :name_hash, :channel)",
                    row,
                )
                return
            except sqlite3.OperationalError as exc:  # locked or busy: wait (timeout) and retry
                last = exc
            except (sqlite3.Error, ValueError) as exc:  # a row that can never be written
                self.dropped += 1
                logger.warning("verification log row dropped: %s", exc)
                return
        self.dropped += 1
        logger.warning("verification log row dropped after %d tries: %s", self._retries, last)


def make_check(client: str, number: str, result: str, hashed_name: str, channel: str) -> Check:
    return Check(now(), client, number, result, hashed_name, channel)
