"""How long the verification log keeps what a check or a report left behind (个人信息保护法
第十九条: 保存期限应当为实现处理目的所必要的最短时间), and no shorter than the six months network
logs are kept for (网络安全法第二十一条).

Rows are deleted with ``secure_delete`` on, so their bytes do not stay in the file's free pages.
A replica's log may be purged too: ``certreg collect-logs`` takes the rows after the last one it
took, and a purge removes only the oldest.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from registry.store.report_queue import REF

MIN_DAYS = 183
"""Six months, the least a network log is kept for (网络安全法第二十一条)."""


def cutoff(days: int, now: dt.datetime | None = None) -> str:
    """The UTC time before which rows are ``days`` old, as the log stores times."""
    moment = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days)
    return moment.replace(microsecond=0).isoformat()


def purge(
    conn: sqlite3.Connection, checks_before: str, reports_before: str | None
) -> dict[str, int]:
    """Delete the checks made before ``checks_before`` and, given ``reports_before``, the
    reports sent before it that staff have handled, with what was recorded about them (a report
    nobody has handled stays, however old). How many of each went."""
    conn.execute("PRAGMA secure_delete = ON")
    gone = {"checks": 0, "reports": 0}
    with conn:
        gone["checks"] = conn.execute("DELETE FROM checks WHERE at < ?", (checks_before,)).rowcount
        if reports_before is not None:
            handled = (
                f"SELECT r.id, {REF} FROM reports r WHERE r.at < ?"
                f" AND {REF} IN (SELECT ref FROM report_outcomes)"
            )
            rows = conn.execute(handled, (reports_before,)).fetchall()
            conn.executemany("DELETE FROM report_outcomes WHERE ref = ?", [(r,) for _, r in rows])
            conn.executemany("DELETE FROM reports WHERE id = ?", [(i,) for i, _ in rows])
            gone["reports"] = len(rows)
    return gone
