"""How ``certreg collect-logs`` merges a replica's verification log into the registry host's
(`registry.cli.replicas` runs it): the rows a replica logged since the last collection, read
from the followed copy under Litestream's lock and appended with the high-water marks of that
log (kept by its identity) in one transaction — its checks, and its reports of suspected
forgeries, a report of one check filed on two replicas marked as a repeat
(`registry.store.verify_log.mark_repeated`). Only the log collected from the address before is
taken (`registry.cli.log_sources`): another replica's, shipped there by mistake, is refused whole."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from registry import store
from registry.cli.base import Failed
from registry.cli.litestream import Follower
from registry.cli.log_sources import marks_for, read_head, recovery, remember
from registry.store.db import read_only
from registry.store.staff_indexes import ensure_staff_indexes
from registry.store.verify_log import (
    CHECKS_COLUMNS,
    REPORTS_COLUMNS,
    ensure_shipping_schema,
    mark_repeated,
    prepare_log,
    selected,
)

COLLECT_BATCH = 50_000
"""Log rows read from a replica's copy under one lock (the lock holds back its next update)."""


def open_log(log: Path) -> sqlite3.Connection:
    """The registry host's log, in WAL mode, with its tables and the indexes staff read
    (`prepare_log`: several ``collect-logs``, one per replica, may start at once on a log that
    does not exist yet)."""
    conn = sqlite3.connect(log, isolation_level=None, timeout=30)
    try:
        prepare_log(conn, ensure_shipping_schema, ensure_staff_indexes)
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc):
            raise Failed(f"查验日志 {log} 一直被占用，无法写入") from exc
        raise
    return conn


SHIPPED = {
    "checks": ("last_source_id", tuple(c for c in CHECKS_COLUMNS if c not in ("id", "replica"))),
    "reports": ("last_report_id", tuple(c for c in REPORTS_COLUMNS if c != "id")),
}
"""What a replica's log brings to the registry host's, per table: the mark of the last row
taken (a column of ``replica_logs``) and the columns copied. The checks — with the API key
each was charged to — and the reports of suspected forgeries, which staff handle from the one
log; watch lists stay on their replica (each can be deleted there, and a copy would outlive
that)."""


_REF = 1 + SHIPPED["reports"][1].index("ref")
"""where a shipped report row (its id first) holds its number"""


def _new_rows(
    source: sqlite3.Connection, marks: dict[str, int]
) -> dict[str, list[tuple[Any, ...]]]:
    """Per `SHIPPED` table, the replica log's rows after the marks (at most `COLLECT_BATCH`),
    read under the follower's lock by the caller."""
    return {
        table: source.execute(
            f"SELECT id, {selected(source, table, columns)} FROM {table}"
            " WHERE id > ? ORDER BY id LIMIT ?",
            (marks[table], COLLECT_BATCH),
        ).fetchall()
        for table, (_, columns) in SHIPPED.items()
    }


def _unreadable(replica: str, url: str, copy: Path, exc: sqlite3.DatabaseError) -> str:
    """Why a followed copy cannot be read as a replica's log, and what to do about it: the
    copy deleted alone was restored as broken as before, from a destination two replicas had
    written (`recovery`)."""
    try:
        conn = read_only(copy)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        tables = set()
    said = f"副本 {replica} 的查验日志副本 {copy} 无法读取（{exc}）："
    if tables and "checks" not in tables:
        return (
            f"{said}它不是查验日志（其中没有查验记录表）：URL 多半是登记库的地址。请核对这个地址"
            f"是副本 {replica} 发布查验日志的地址（CERTREG_LOG_REPLICAS 之下、以副本名结尾）。"
            f"改正后删除文件夹 {copy.parent} 再重新运行，日志会从头重新取得"
        )
    return (
        f"{said}地址 {url} 上两份日志的页混在了一起（每台副本的 CERTREG_LOG_REPLICA 须各不相同）。"
        + recovery(replica, url, str(copy.parent), None)
    )


def _record(
    target: sqlite3.Connection,
    replica: str,
    log_id: str | None,
    marks: dict[str, int],
    first_at: str | None,
    taken: dict[str, int] | None = None,
) -> None:
    """The replica's row in ``replica_logs`` and its log's marks (`remember`), in the caller's
    transaction: the rows ``taken`` (per table; None: the log was read with nothing new in it —
    a replica connected but not checked yet has its row too: staff could not tell it from one
    never heard of)."""
    at = store.now()
    target.execute(
        "INSERT INTO replica_logs (replica, last_source_id, last_report_id, first_check_at,"
        " checks, reports, received_at, read_at, log_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (replica) DO UPDATE SET last_source_id = excluded.last_source_id,"
        " last_report_id = excluded.last_report_id,"
        " first_check_at = coalesce(excluded.first_check_at, replica_logs.first_check_at),"
        " checks = replica_logs.checks + excluded.checks,"
        " reports = coalesce(replica_logs.reports, 0) + excluded.reports,"
        " received_at = coalesce(excluded.received_at, replica_logs.received_at),"
        " read_at = excluded.read_at, log_id = excluded.log_id",
        (
            replica,
            marks["checks"],
            marks["reports"],
            first_at,
            (taken or {}).get("checks", 0),
            (taken or {}).get("reports", 0),
            at if taken else None,
            at,
            log_id,
        ),
    )
    remember(target, replica, log_id, marks)


def collect(follower: Follower, replica: str, log: Path, new_log: str | None = None) -> int:
    """Append what the replica logged since the last collection to ``log``: its checks and its
    reports (`SHIPPED`); how many checks.

    Rows are read under the follower's lock with a fresh ``immutable`` connection (no cached
    pages from an earlier version), then written with the log's new high-water marks in one
    transaction: a crash in between collects the same rows again, never twice. A log that is
    not the one collected from the address before is refused whole (`marks_for`; ``new_log``:
    the identity of the replica's own log made anew, taken on the operator's word)."""
    target = open_log(log)
    try:
        total = 0
        while True:
            with follower.reading() as copy:
                try:
                    source = sqlite3.connect(f"{copy.resolve().as_uri()}?immutable=1", uri=True)
                    try:
                        head = read_head(source)
                        place = (replica, follower.url, str(follower.state))
                        log_id, marks = marks_for(target, *place, head, new_log)
                        rows = _new_rows(source, marks)
                    finally:
                        source.close()
                except sqlite3.DatabaseError as exc:  # not --db's fault: the follower's copy
                    raise Failed(_unreadable(replica, follower.url, copy, exc)) from exc
            first_at = head.first[1] if head.first else None
            if not any(rows.values()):
                with store.transaction(target):
                    _record(target, replica, log_id, marks, first_at)
                return total
            with store.transaction(target):
                for table, taken in rows.items():
                    # a check is kept with the replica that answered it
                    added = {"replica": replica} if table == "checks" else {}
                    columns = (*SHIPPED[table][1], *added)
                    target.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)})"
                        f" VALUES ({', '.join('?' * len(columns))})",
                        [(*row[1:], *added.values()) for row in taken],
                    )
                    if taken:
                        marks[table] = int(taken[-1][0])
                refs = [row[_REF] for row in rows["reports"] if row[_REF]]
                mark_repeated(target, refs, store.now())  # one check reported to two replicas
                _record(
                    target, replica, log_id, marks, first_at, {t: len(r) for t, r in rows.items()}
                )
            total += len(rows["checks"])
    finally:
        target.close()
