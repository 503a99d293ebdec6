"""How ``certreg collect-logs`` merges a replica's verification log into the registry host's
(`registry.cli.replicas` runs it): the rows a replica logged since the last collection, read
from the followed copy under Litestream's lock and appended with the replica's high-water marks
in one transaction — its checks, and its reports of suspected forgeries, a report of one check
filed on two replicas marked as a repeat (`registry.store.verify_log.mark_repeated`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import click

from registry import store
from registry.cli.base import Failed
from registry.cli.litestream import Follower
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
    copy: Path, marks: dict[str, int], first_at: str | None
) -> tuple[str | None, dict[str, list[tuple[Any, ...]]]]:
    """The first check's time of the replica's log and, per `SHIPPED` table, its rows after the
    marks (at most `COLLECT_BATCH`), read under the follower's lock by the caller. A log whose
    first check differs and is the first there ever was (id 1) was started anew: its ids start
    again, so does the reading. One whose oldest checks were purged (`certreg purge-log`) has a
    later first check too, but not id 1: taken for a new log, it was collected again whole."""
    source = sqlite3.connect(f"{copy.resolve().as_uri()}?immutable=1", uri=True)
    try:
        first = source.execute("SELECT id, at FROM checks ORDER BY id LIMIT 1").fetchone()
        if first is None:
            return None, {}
        head = first[1:]
        if first_at is not None and head[0] != first_at and first[0] == 1:
            marks.update(dict.fromkeys(marks, 0))
            click.echo(
                f"查验日志从头开始了（第一条查验的时间由 {first_at} 变为 {head[0]}），从头收取。"
                "若该副本并未重建日志，多半是另一台副本把日志发布到了同一地址："
                "每台副本的 CERTREG_LOG_REPLICA 须各不相同",
                err=True,
            )
        rows = {
            table: source.execute(
                f"SELECT id, {selected(source, table, columns)} FROM {table}"
                " WHERE id > ? ORDER BY id LIMIT ?",
                (marks[table], COLLECT_BATCH),
            ).fetchall()
            for table, (_, columns) in SHIPPED.items()
        }
    finally:
        source.close()
    return head[0], rows


def _unreadable(replica: str, copy: Path, exc: sqlite3.DatabaseError) -> str:
    """Why a followed copy cannot be read as a replica's log, and what to do about it."""
    try:
        conn = read_only(copy)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        tables = set()
    if tables and "checks" not in tables:
        why = (
            "它不是查验日志（其中没有查验记录表）：URL 多半是登记库的地址。请核对这个地址是副本"
            f" {replica} 发布查验日志的地址（CERTREG_LOG_REPLICAS 之下、以副本名结尾）"
        )
    else:
        why = "多半是两台副本把日志发布到了同一地址（每台副本的 CERTREG_LOG_REPLICA 须各不相同）"
    return (
        f"副本 {replica} 的查验日志副本 {copy} 无法读取（{exc}）：{why}。"
        f"改正后删除文件夹 {copy.parent} 再重新运行，日志会从头重新取得"
    )


def _mark_read(
    target: sqlite3.Connection, replica: str, marks: dict[str, int], first_at: str | None
) -> None:
    """When the replica's log was last read with nothing new in it: a replica connected but not
    checked yet has its row too — staff could not tell it from one never heard of."""
    with store.transaction(target):
        target.execute(
            "INSERT INTO replica_logs (replica, last_source_id, last_report_id, first_check_at,"
            " checks, reports, read_at) VALUES (?, ?, ?, ?, 0, 0, ?)"
            " ON CONFLICT (replica) DO UPDATE SET read_at = excluded.read_at",
            (replica, marks["checks"], marks["reports"], first_at, store.now()),
        )


def collect(follower: Follower, replica: str, log: Path) -> int:
    """Append what the replica logged since the last collection to ``log``: its checks and its
    reports (`SHIPPED`); how many checks.

    Rows are read under the follower's lock with a fresh ``immutable`` connection (no cached
    pages from an earlier version), then written with the replica's new high-water marks in
    one transaction: a crash in between collects the same rows again, never twice. A replica
    whose log was started anew (its first row differs) is collected from its start again."""
    target = open_log(log)
    try:
        found = target.execute(
            "SELECT last_source_id, last_report_id, first_check_at FROM replica_logs"
            " WHERE replica = ?",
            (replica,),
        ).fetchone()
        checks_mark, reports_mark, first_at = found if found else (0, 0, None)
        marks = {"checks": checks_mark or 0, "reports": reports_mark or 0}
        total = 0
        while True:
            with follower.reading() as copy:
                try:
                    first_at, rows = _new_rows(copy, marks, first_at)
                except sqlite3.DatabaseError as exc:  # not --db's fault: the follower's copy
                    raise Failed(_unreadable(replica, copy, exc)) from exc
            if not any(rows.values()):
                _mark_read(target, replica, marks, first_at)
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
                target.execute(
                    "INSERT INTO replica_logs (replica, last_source_id, last_report_id,"
                    " first_check_at, checks, reports, received_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (replica) DO UPDATE SET"
                    " last_source_id = excluded.last_source_id,"
                    " last_report_id = excluded.last_report_id,"
                    " first_check_at = excluded.first_check_at,"
                    " checks = replica_logs.checks + excluded.checks,"
                    " reports = coalesce(replica_logs.reports, 0) + excluded.reports,"
                    " received_at = excluded.received_at, read_at = excluded.received_at",
                    (
                        replica,
                        marks["checks"],
                        marks["reports"],
                        first_at,
                        len(rows["checks"]),
                        len(rows["reports"]),
                        store.now(),
                    ),
                )
            total += len(rows["checks"])
    finally:
        target.close()
