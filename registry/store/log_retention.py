"""How long the verification log keeps what a check or a report left behind (个人信息保护法
第十九条: 保存期限应当为实现处理目的所必要的最短时间), and no shorter than the six months network
logs are kept for (网络安全法第二十一条).

Rows are deleted with ``secure_delete`` on and the log checkpointed after, so their bytes stay
neither in the file's free pages nor in its old pages. Checks go in batches, each its own short
transaction: the app writing the log beside a purge waits for one batch, not for the whole.
A replica's log may be purged too: ``certreg collect-logs`` takes the rows after the last one it
took, and knows a purged log from a new one (`registry.cli.log_collection`).
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from registry.store.db import transaction
from registry.store.report_queue import REF

MIN_DAYS = 183
"""Six months, the least a network log is kept for (网络安全法第二十一条)."""
BATCH = 10_000


def cutoff(days: int, now: dt.datetime | None = None) -> str:
    """The UTC time before which rows are ``days`` old, as the log stores times."""
    moment = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days)
    return moment.replace(microsecond=0).isoformat()


def purge(
    conn: sqlite3.Connection, checks_before: str, reports_before: str | None, *, replica: bool
) -> dict[str, int]:
    """Delete the checks made before ``checks_before`` and, given ``reports_before``, the
    reports sent before it: on the registry host's log those staff have handled, with what was
    recorded about them (a report nobody has handled stays, however old); on a replica's, where
    nobody handles them (the host has them, collected), all. How many of each went, and
    ``pending``: the pages a reader of the log kept from the checkpoint (`_checkpoint`).
    ``conn`` is in autocommit mode (``isolation_level=None``)."""
    conn.execute("PRAGMA secure_delete = ON")
    gone = {"checks": 0, "reports": 0}
    while True:
        with transaction(conn):
            deleted = conn.execute(
                "DELETE FROM checks WHERE id IN (SELECT id FROM checks WHERE at < ? LIMIT ?)",
                (checks_before, BATCH),
            ).rowcount
        gone["checks"] += deleted
        if deleted < BATCH:
            break
    if reports_before is not None:
        handled = "" if replica else f" AND {REF} IN (SELECT ref FROM report_outcomes)"
        with transaction(conn):
            refs = conn.execute(
                f"SELECT r.id, {REF} FROM reports r WHERE r.at < ?{handled}", (reports_before,)
            ).fetchall()
            conn.executemany("DELETE FROM reports WHERE id = ?", [(i,) for i, _ in refs])
            conn.executemany("DELETE FROM report_outcomes WHERE ref = ?", [(r,) for _, r in refs])
        gone["reports"] = len(refs)
    gone["pending"] = _checkpoint(conn)
    return gone


def _checkpoint(conn: sqlite3.Connection) -> int:
    """The old pages out of the log's WAL too — without waiting for its readers: a replica's
    Litestream reads the log all the time, and TRUNCATE waited out the busy timeout (10 s)
    holding the app's writer off, its queued checks lost (an operator's review). Not waiting,
    it does what it can as PASSIVE does; Litestream's own checkpoints, or the next purge, the
    rest (the pages the WAL holds after the delete are the zeroed ones). Returns the pages
    left for them (0: the deleted rows' bytes are gone from the file now)."""
    (timeout,) = conn.execute("PRAGMA busy_timeout").fetchone()
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        busy, logged, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    # busy with every page copied: a reader kept the WAL from being emptied, its pages there
    return max(int(logged) - int(done), 1 if busy else 0)
