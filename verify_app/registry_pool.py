"""The app's read-only connections to the registry (`RegistryPool`), which see a sync or a
replaced registry file from the next request on, without a restart and without a failed check."""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from registry import store
from registry.store.db import FileId, file_id
from registry.store.syncs import registry_snapshot

T = TypeVar("T")

UNREADABLE_SAID = (
    "本副本的登记库文件无法读取（{}）：它可能已被删除、替换为损坏的文件，或运行服务的用户没有读取权限。"
    "请检查 CERTREG_DB 指向的登记库文件及其文件夹（ls -l；sqlite3 该文件 'PRAGMA quick_check'）；"
    "副本上它由 certreg follow 发布，请查看 journalctl -u certreg-follow，需要时修好后重启它"
)
"""What ``/healthz`` and the administrator's journal say of a registry that cannot be read."""


class RegistryUnreadable(Exception):
    """The registry file could not be read — gone, no database, damaged, or not ours to read:
    a 503 ``registry_unavailable``. Told apart here, where every read of the registry passes,
    because an `sqlite3` error does not say which file raised it, and the verification log's
    (``server_error``) sent a monitor to a sound disk while the registry was at fault."""

    def __init__(self, cause: sqlite3.DatabaseError) -> None:
        super().__init__(UNREADABLE_SAID.format(cause))


def _unreadable(exc: sqlite3.DatabaseError) -> bool:
    """Whether ``exc`` says the file could not be read: not a mistake of the code's own — an
    integrity or programming error, or a write tried on the read-only connection
    (``SQLITE_READONLY`` itself; its extended codes, a moved or unlockable file, are the file's)."""
    written = getattr(exc, "sqlite_errorcode", 0) == sqlite3.SQLITE_READONLY
    return type(exc) in (sqlite3.OperationalError, sqlite3.DatabaseError) and not written


@dataclass
class _Opened:
    conn: sqlite3.Connection
    file: FileId | None
    """the file this connection reads (an open connection keeps reading it after a rename)"""
    read: dict[str, tuple[int, Any]] = field(default_factory=dict)
    """what `per_version` read on this connection: name → (data_version, value)"""


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

    def per_version(
        self, conn: sqlite3.Connection, version: int, name: str, read: Callable[[], T]
    ) -> T:
        """``read()``, again only after a sync changed the file: SQLite's ``data_version`` moves
        when another connection commits. Cached per connection, which is per snapshot file."""
        cache = self._all[conn].read
        if name not in cache or cache[name][0] != version:
            cache[name] = (version, read())
        value: T = cache[name][1]
        return value

    def as_of(self, conn: sqlite3.Connection, version: int) -> str | None:
        """`store.registry_as_of` (the version is read by a check with its row): a check costs
        no query over the sync history."""
        return self.per_version(conn, version, "as_of", lambda: registry_snapshot(conn))[0]

    def answered_by(self, conn: sqlite3.Connection) -> int | None:
        """The sync (``syncs.id``) whose registry the last answer read on ``conn`` came from —
        the version `as_of` was last asked for, with its row: the log keeps it with each check,
        so that an auditor can tell from which version (on a replica, how stale) it came."""
        read = self._all[conn].read.get("as_of")
        return None if read is None else read[1][1]

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection to the registry as it is now, for the ``with`` block; a file that
        cannot be read, at the opening or in the block, is `RegistryUnreadable`."""
        opened = None
        try:
            opened = self._checkout()
            yield opened.conn
        except sqlite3.DatabaseError as exc:
            if not _unreadable(exc):
                raise
            raise RegistryUnreadable(exc) from exc
        finally:
            if opened is not None:
                self._idle.put(opened)

    def _checkout(self) -> _Opened:
        """An idle connection to the file at the path now, or a new one."""
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
        return opened

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
