"""The staff sessions (`datasette_config.session_cookies`) and their revocation list: the ids
of sessions ended by logout, kept until their cookies would have expired anyway, in memory and
in ``staff_sessions.db`` beside the registry (never in the registry: Datasette stays read-only
towards it) so a restart forgets none, and the list stays small."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
import weakref
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, NamedTuple

from datasette_config.launch import REGISTRY_NAME

SESSIONS_FILE = "staff_sessions.db"

log = logging.getLogger(__name__)


class Session(NamedTuple):
    """A staff session: the random id in its cookie, and signed with it the expiry, the account
    and the stamp of that account's password when the session began (`password_stamp`)."""

    id: str
    expires: int
    user: str
    stamp: str


def password_stamp(password_hash: str) -> str:
    """A short digest of an account's password hash, carried in its sessions' cookies: once the
    password changes or the account is removed, no cookie carries the current stamp, so every
    session begun before ends at once (a suspected leak is answered by changing the password).
    The cookie is readable; the digest of a salted PBKDF2 hash tells nothing about the password."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _digest(session_id: str) -> str:
    """Stored instead of the id itself: the file holds nothing a cookie could be built from."""
    return hashlib.sha256(session_id.encode()).hexdigest()


class Revocations:
    """Session ids ended by logout, kept until their cookies would have expired anyway.

    Held in memory (the gate asks on every request) and written through to a small SQLite
    file, read back when Datasette starts. Without a file (no registry on disk) or when the
    file cannot be written, revocations still hold in memory until the process stops.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._expires: dict[str, int] = {}
        self._loaded = False

    def _connect(self, path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS revoked_sessions"
            " (digest TEXT PRIMARY KEY, expires INTEGER NOT NULL)"
        )
        return conn

    def _load(self) -> None:
        self._loaded = True
        if self.path is None or not self.path.exists():
            return
        try:
            conn = self._connect(self.path)
            try:
                rows = conn.execute(
                    "SELECT digest, expires FROM revoked_sessions WHERE expires > ?",
                    (int(time.time()),),
                ).fetchall()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            log.error("无法读取已退出的登录记录 %s：%s", self.path, exc)
            return
        self._expires.update(dict(rows))

    def __contains__(self, session: Session) -> bool:
        if not self._loaded:
            self._load()
        return _digest(session.id) in self._expires

    def revoke(self, session: Session) -> None:
        if not self._loaded:
            self._load()
        now = int(time.time())
        digest = _digest(session.id)
        self._expires = {d: e for d, e in self._expires.items() if e > now}
        self._expires[digest] = session.expires
        if self.path is None:
            return
        try:
            conn = self._connect(self.path)
            try:
                with conn:
                    conn.execute("DELETE FROM revoked_sessions WHERE expires <= ?", (now,))
                    conn.execute(
                        "INSERT OR REPLACE INTO revoked_sessions VALUES (?, ?)",
                        (digest, session.expires),
                    )
            finally:
                conn.close()
        except sqlite3.Error as exc:
            log.error("无法记录退出登录（重启前仍然有效）%s：%s", self.path, exc)


_REVOCATIONS: MutableMapping[Any, Revocations] = weakref.WeakKeyDictionary()


def sessions_file(datasette: Any) -> Path | None:
    """``staff_sessions.db`` in the registry's folder, or None when the registry is not a file."""
    for database in datasette.databases.values():
        if database.name == REGISTRY_NAME and database.path:
            return Path(database.path).resolve().parent / SESSIONS_FILE
    return None


def revocations(datasette: Any) -> Revocations:
    """The revocation list of ``datasette``'s staff sessions: one for the gate and the logout."""
    if datasette not in _REVOCATIONS:
        _REVOCATIONS[datasette] = Revocations(sessions_file(datasette))
    return _REVOCATIONS[datasette]
