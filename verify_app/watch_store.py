"""Watch lists in ``verify_log.db`` and the status changes their feeds show (SPEC §7).

A watch list is found by the SHA-256 of its secret token: the token itself is handed to the
employer once, inside the feed URL, and stored nowhere. Its certificates are kept as numbers and
keyed name hashes, never names. What a feed shows comes from the registry: the 换发, 补发 and
撤销 of those numbers that arrived with a sync *after* the watch list was made (the registry's
last sync id is kept with the list; each event's ``sync`` → ``syncs.at`` dates it). A list
nobody has opened, nor read the feed of, for ``keep_days`` is deleted with its name hashes: an
employer's list is read by its feed reader daily, one forgotten is personal data kept for none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from registry.domain.statuses import REISSUE, REVOKED
from registry.store.db import transaction

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class Watch:
    id: int
    created_at: str
    after_sync: int
    numbers: tuple[str, ...]
    client: str = ""
    """who made it (the limiter's address), for its page's first view (`verify_app.watches`)"""


@dataclass(frozen=True)
class WatchEvent:
    """One status change of a watched certificate, as the public may see it."""

    id: int
    type: str
    """换发, 补发 or 撤销"""
    number: str
    date: str
    new_number: str | None
    synced_at: str
    watched: str
    """the watched number: ``number`` itself, or the number it replaced (换发, 补发)"""
    late: bool = False
    """registered after a later change of the certificate (a 补发 under its own number that
    arrived late): news of then, not of now — the later change stands"""


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=5, isolation_level=None)


def create_watch(
    path: Path,
    entries: Sequence[tuple[str, str]],
    *,
    created_at: str,
    after_sync: int,
    client: str,
    key_id: int | None,
    keep_days: int = 0,
    token: str | None = None,
) -> str:
    """Store a watch list of (number, name hash) pairs; its secret token, new unless ``token``
    (`verify_app.watch_retries`: `sqlite3.IntegrityError` when a list has it already). The
    lists unread for ``keep_days`` (0: kept for ever) are deleted first."""
    token = token or new_token()
    conn = _connect(path)
    try:
        with transaction(conn):
            if keep_days:
                cutoff = _cutoff(dt.datetime.fromisoformat(created_at), keep_days)
                conn.execute(f"DELETE FROM watch_entries WHERE watch IN ({_UNREAD})", (cutoff,))
                conn.execute(f"DELETE FROM watches WHERE id IN ({_UNREAD})", (cutoff,))
            cursor = conn.execute(
                "INSERT INTO watches (token_hash, created_at, after_sync, client, key_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (token_hash(token), created_at, after_sync, client, key_id),
            )
            watch_id = cursor.lastrowid
            conn.executemany(
                "INSERT INTO watch_entries (watch, number, name_hash) VALUES (?, ?, ?)",
                [(watch_id, number, hashed) for number, hashed in entries],
            )
    finally:
        conn.close()
    return token


_UNREAD = "SELECT id FROM watches WHERE coalesce(read_at, created_at) < ? AND deleted_at IS NULL"
"""The lists unread since a day; never one its owner deleted, whose row keeps its address from
being made live again (a hostile review: purged as unread, it came back on a retry)."""


def _cutoff(now: dt.datetime, keep_days: int) -> str:
    return (now - dt.timedelta(days=keep_days)).isoformat()


def find_watch(
    path: Path, token: str, *, now: dt.datetime | None = None, keep_days: int = 0
) -> Watch | None:
    """The watch list ``token`` opens, marked read ``now`` (once a day: a write); None when
    there is none, or it was unread for ``keep_days`` — then it is deleted."""
    conn = _connect(path)
    try:
        row = conn.execute(
            "SELECT id, created_at, after_sync, client, coalesce(read_at, created_at)"
            " FROM watches WHERE token_hash = ? AND deleted_at IS NULL",
            (token_hash(token),),
        ).fetchone()
        if row is None:
            return None
        if now is not None and keep_days and row[4] < _cutoff(now, keep_days):
            _delete(conn, row[0])
            return None
        if now is not None and row[4][:10] < now.date().isoformat():
            conn.execute("UPDATE watches SET read_at = ? WHERE id = ?", (now.isoformat(), row[0]))
        numbers = tuple(
            number
            for (number,) in conn.execute(
                "SELECT number FROM watch_entries WHERE watch = ? ORDER BY id", (row[0],)
            )
        )
    finally:
        conn.close()
    return Watch(row[0], row[1], row[2], numbers, row[3] or "")


@dataclass(frozen=True)
class Stored:
    """A list as a retry of its making finds it (`verify_app.watch_retries`)."""

    created_at: str
    entries: list[tuple[str, str]]
    """its (number, name hash) pairs"""
    deleted: bool
    """deleted by its owner: its address is not made live again"""


def stored_entries(path: Path, token: str) -> Stored | None:
    """The list ``token`` opens, deleted or not, as `Stored`; None when there is none."""
    conn = _connect(path)
    try:
        found = conn.execute(
            "SELECT id, created_at, deleted_at FROM watches WHERE token_hash = ?",
            (token_hash(token),),
        ).fetchone()
        if found is None:
            return None
        entries = conn.execute(
            "SELECT number, name_hash FROM watch_entries WHERE watch = ?", (found[0],)
        ).fetchall()
    finally:
        conn.close()
    return Stored(found[1], [(n, hashed) for n, hashed in entries], found[2] is not None)


def delete_watch(path: Path, token: str, *, at: str) -> bool:
    """Delete a watch list's entries and mark it deleted ``at``: its address is then gone for
    good — a list made with an ``Idempotency-Key`` would otherwise come back at the same secret
    address on a retry (a review: the owner deleted it because that address had leaked). False
    when the token names no live list."""
    conn = _connect(path)
    try:
        row = conn.execute(
            "SELECT id FROM watches WHERE token_hash = ? AND deleted_at IS NULL",
            (token_hash(token),),
        ).fetchone()
        if row is not None:
            with transaction(conn):
                conn.execute("DELETE FROM watch_entries WHERE watch = ?", (row[0],))
                # kept without whom it was made for: no address, no key, kept for ever
                conn.execute(
                    "UPDATE watches SET deleted_at = ?, client = NULL, key_id = NULL WHERE id = ?",
                    (at, row[0]),
                )
    finally:
        conn.close()
    return row is not None


def _delete(conn: sqlite3.Connection, watch_id: int) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM watch_entries WHERE watch = ?", (watch_id,))
        conn.execute("DELETE FROM watches WHERE id = ?", (watch_id,))


_LINE = """
WITH RECURSIVE line(number, watched, depth) AS (  -- each watched number and its successors
  SELECT value, value, 0 FROM json_each(:numbers)
  UNION
  SELECT (SELECT c.successor FROM certificates c WHERE c.number = line.number) AS next,
         line.watched, line.depth + 1 FROM line  -- a lookup a step: as a join, SQLite 3.40
  WHERE next IS NOT NULL AND line.depth < 50     -- read every certificate for a Bloom filter
)
"""
_EVENTS = (
    _LINE
    + """,
before(number, watched, depth) AS (  -- the numbers each watched one replaced, newest first
  SELECT (SELECT c.predecessor FROM certificates c WHERE c.number = value) AS prior, value, -1
  FROM json_each(:numbers) WHERE prior IS NOT NULL
  UNION
  SELECT (SELECT c.predecessor FROM certificates c WHERE c.number = before.number) AS prior,
         before.watched, before.depth - 1 FROM before
  WHERE prior IS NOT NULL AND before.depth > -50
),
reach(number, watched, depth, prior) AS (
  SELECT number, watched, depth, 0 FROM line UNION ALL SELECT number, watched, depth, 1 FROM before
)
SELECT id, type, number, date, new_number, at, watched, late FROM (
  -- once per event: a number watched along with its predecessor, or its successor, is news
  -- as itself (depth 0), then of the nearest watched number it led to, then of one it replaced
  SELECT e.id, e.type, e.number, e.date, nullif(e.new_number, '') AS new_number, s.at,
         reach.watched, min(reach.prior * 100 + abs(reach.depth)), reach.prior,
         EXISTS (SELECT 1 FROM status_events l  -- a later change registered before it
                 WHERE l.number = e.number AND l.sync < e.sync AND l.date > e.date) AS late
  FROM reach JOIN status_events e ON e.number = reach.number JOIN syncs s ON s.id = e.sync
  WHERE e.sync > :after
  GROUP BY e.id
)
-- of the replaced numbers, only a 补发 registered late: it marks the watched paper 补发
WHERE NOT prior OR (late AND type = :reissue AND new_number IS NULL)
ORDER BY at DESC, id DESC
"""
)
_FOLLOWED = (
    _LINE
    + """
SELECT watched, number FROM line l
WHERE depth > 0 AND depth = (SELECT max(depth) FROM line m WHERE m.watched = l.watched)
"""
)


_REVOKED_SUCCESSORS = (
    _LINE
    + """
SELECT l.watched, l.number, c.status_date FROM line l JOIN certificates c ON c.number = l.number
WHERE l.depth > 0 AND c.status = :revoked
  AND l.depth = (SELECT max(depth) FROM line m WHERE m.watched = l.watched)
"""
)


def revoked_successors(
    registry: sqlite3.Connection, numbers: Collection[str]
) -> dict[str, tuple[str, str]]:
    """The numbers whose newest successor (the certificate a list would follow) is revoked,
    each with that certificate's number and the date of its revocation."""
    if not numbers:
        return {}
    found = registry.execute(
        _REVOKED_SUCCESSORS, {"numbers": json.dumps(list(numbers)), "revoked": REVOKED}
    )
    return {watched: (number, date) for watched, number, date in found}


def events_since(registry: sqlite3.Connection, watch: Watch) -> list[WatchEvent]:
    """The status changes synced after the watch list was made, newest first, of the watched
    numbers and of the certificates that replaced them (换发, 补发): an HR officer who watches
    an employee's certificate learns that its replacement was revoked, too — and a 补发 of a
    number it replaced registered late, which marks the watched paper 补发 (the employer may
    have accepted it without the mark)."""
    if not watch.numbers:
        return []
    numbers = json.dumps(list(watch.numbers))
    found = registry.execute(
        _EVENTS, {"numbers": numbers, "after": watch.after_sync, "reissue": REISSUE}
    )
    return [
        WatchEvent(id_, kind, number, date, new, at, watched, bool(late))
        for id_, kind, number, date, new, at, watched, late in found
    ]


def followed(registry: sqlite3.Connection, watch: Watch) -> dict[str, str]:
    """The watched numbers already replaced (换发, 补发 under a new number), each with the newest
    certificate the list now follows in its place: the list page says so, rather than show a
    number that can no longer change as if it were the one to watch."""
    if not watch.numbers:
        return {}
    return dict(registry.execute(_FOLLOWED, {"numbers": json.dumps(list(watch.numbers))}))
