"""Whether the log a replica's address carries now is the one collected from it before, by the
log's identity (`registry.store.log_identity`), for ``certreg collect-logs``
(`registry.cli.log_collection`). Two replicas publishing to one address (a copy-paste of
deploy/env/replica.env) were told apart by ids going back only: the other replica's rows were
merged under the first's name and its mark taken over, and once the address was mended, the
first's checks collected already were merged again. Another log is refused whole now, with the
way out; a log's marks are kept by its identity, so none of its rows is merged twice."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from registry.cli.base import Failed
from registry.store.log_identity import Identity, log_identity

TABLES = {"checks": "last_source_id", "reports": "last_report_id"}
"""The tables collected, each with its mark's column (in ``replica_logs`` and ``collected_logs``)."""


class Head(NamedTuple):
    """What the log at the address is: its identity, its first check (id, time), and per table
    of `TABLES` its highest id (0 when empty)."""

    identity: Identity | None
    first: tuple[int, str] | None
    last: dict[str, int]


def read_head(source: sqlite3.Connection) -> Head:
    first = source.execute("SELECT id, at FROM checks ORDER BY id LIMIT 1").fetchone()
    last = {
        table: source.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        if source.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        else 0
        for table in TABLES
    }
    return Head(log_identity(source), tuple(first) if first else None, last)


class Known(NamedTuple):
    """What the registry host holds of a replica: the identity of the log collected from its
    address (None: never collected, or only by a version before identities), that log's marks
    and its first check's time."""

    log_id: str | None
    marks: dict[str, int]
    first_at: str | None


def known(target: sqlite3.Connection, replica: str) -> Known:
    row = target.execute(
        "SELECT log_id, last_source_id, last_report_id, first_check_at FROM replica_logs"
        " WHERE replica = ?",
        (replica,),
    ).fetchone()
    if row is None:
        return Known(None, dict.fromkeys(TABLES, 0), None)
    log_id, checks, reports, first_at = row
    marks = _marks_of(target, log_id) if log_id else None
    return Known(log_id, marks or {"checks": checks or 0, "reports": reports or 0}, first_at)


def _marks_of(target: sqlite3.Connection, log_id: str) -> dict[str, int] | None:
    row = target.execute(
        f"SELECT {', '.join(TABLES.values())} FROM collected_logs WHERE log_id = ?", (log_id,)
    ).fetchone()
    return dict(zip(TABLES, row, strict=True)) if row else None


def _owner(target: sqlite3.Connection, log_id: str | None, replica: str) -> str | None:
    """The other replica whose log ``log_id`` was last collected as."""
    row = target.execute(
        "SELECT replica FROM collected_logs WHERE log_id = ? AND replica != ?", (log_id, replica)
    ).fetchone()
    return row[0] if row else None


def marks_for(
    target: sqlite3.Connection,
    replica: str,
    url: str,
    state: str,
    head: Head,
    new_log: str | None = None,
) -> tuple[str | None, dict[str, int]]:
    """The identity the address's log is collected under and the marks to read it from, or
    `Failed` — nothing of it merged — when it is not the log collected from there before.

    The same log: its marks, but a table whose ids went back (a ``purge-log`` emptied it, and
    SQLite numbers from 1 again) is read from its start. A log collected before identities (or
    never): taken as the one collected unless its ids went back. ``new_log``: the identity of a
    log the operator says is this replica's own, made anew — taken from its own marks (0 when
    new); never one whose replica it is already."""
    now = known(target, replica)
    ident = head.identity.id if head.identity else None
    restarted = {table: head.last[table] < mark for table, mark in now.marks.items()}
    if head.first and head.first[0] == 1 and now.first_at not in (None, head.first[1]):
        restarted["checks"] = True  # its first check another, with the first id: made anew
    if ident is not None and ident == now.log_id:
        return ident, {t: 0 if restarted[t] else m for t, m in now.marks.items()}
    owner = _owner(target, ident, replica) if ident else None
    if new_log is not None and new_log == ident and owner is None:
        return ident, _marks_of(target, ident) or dict.fromkeys(TABLES, 0)
    if now.log_id is None and owner is None and not restarted["checks"]:
        # reports emptied by purge-log, whose ids then start again: read from their start (a
        # review: refused as a log restarted, and its --new-log merged every check again)
        return ident, {t: 0 if restarted[t] else m for t, m in now.marks.items()}
    why = _why_refused(now, head, owner, new_log)
    raise Failed(refusal(replica, url, state, why, owner, ident))


def _why_refused(now: Known, head: Head, owner: str | None, new_log: str | None) -> str:
    """Why the address's log is not the one collected from there (`marks_for`)."""
    if new_log is not None and new_log != (head.identity.id if head.identity else None):
        return f"--new-log 给出的 {new_log} 不是这里现在的日志（{_named(head)}）"
    if owner is not None:
        return f"这里现在是此前作为副本 {owner} 的日志收取的那份（{_named(head)}）"
    if now.log_id is not None:
        return f"此前收取的是日志 {now.log_id}，这里现在是{_named(head)}"
    return (
        f"这里的日志序号倒退了或从头开始了（已收到第 {now.marks['checks']} 条，这里最后一条是"
        f"第 {head.last['checks']} 条；第一条查验的时间此前是 {now.first_at}，这里是"
        f"{head.first[1] if head.first else '（没有查验）'}）"
    )


def _named(head: Head) -> str:
    if head.identity is None:
        return "一份没有标识的日志（由旧版 certreg 写成）"
    return f"日志 {head.identity.id}（建于 {head.identity.created_at}）"


def refusal(
    replica: str, url: str, state: str, why: str, owner: str | None, ident: str | None
) -> str:
    """The collector's refusal of an address: why, the way out (`recovery`), and how to take a
    log that is the replica's own, made anew."""
    new = (
        f"certreg collect-logs {replica} {url} --new-log {ident} --once 收取它"
        if ident
        else f"先把副本 {replica} 升级到本版本（重启其 certreg serve，日志就有了标识），再照提示收取"
    )
    return (
        f"副本 {replica} 的日志地址 {url} 上不是此前从这里收取的查验日志：{why}。"
        f"这份日志一条也没有并入，副本 {replica} 的收取已停止（其他副本照常）。"
        f"{recovery(replica, url, state, owner)}"
        f"若这里确是副本 {replica} 自己新建的日志（它的 verify_log.db 被删除或重建过）：{new}"
    )


def recovery(replica: str, url: str, state: str, owner: str | None) -> str:
    """What to do when another replica (``owner``, when known) publishes its log to ``url``:
    that replica given its own address, the broken destination and both replicas'
    ``-litestream`` folders deleted — deleting the host's copy alone (``state``) left Litestream
    failing on the mixed pages ("nonsequential page numbers")."""
    other = f"副本 {owner} " if owner else "另一台副本（各副本 replica.env 中的地址可见是哪一台）"
    there = f"副本 {owner} " if owner else "那台副本"
    return (
        f"多半是{other}的 CERTREG_LOG_REPLICA 抄成了这个地址。恢复："
        f"① 在{there}上把 /etc/certreg/replica.env 的 CERTREG_LOG_REPLICA 改为它自己的地址"
        "（CERTREG_LOG_REPLICAS 之下、以它的副本名结尾），停止它的 certreg-log-replicate，"
        "删除其数据文件夹中的 .verify_log.db-litestream/，再启动；"
        f"② 在副本 {replica} 上停止 certreg-log-replicate，删除地址 {url} 上的全部内容"
        "（两份日志的页混在那里，litestream 无法接着发布）和其数据文件夹中的 "
        ".verify_log.db-litestream/（verify_log.db 不要删），再启动：日志整份重新发布；"
        f"③ 在登记库主机上停止 certreg-collect-logs@{replica}，删除 {state}/，再启动。"
        "已并入的查验不会重复并入（按日志标识接着收取）。"
    )


def remember(
    target: sqlite3.Connection, replica: str, log_id: str | None, marks: dict[str, int]
) -> None:
    """Keep ``log_id``'s marks (in the caller's transaction, with its rows): the marks it
    resumes from, under whichever replica's name it comes back."""
    if log_id is not None:
        target.execute(
            "INSERT INTO collected_logs (log_id, replica, last_source_id, last_report_id)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (log_id) DO UPDATE SET replica = excluded.replica,"
            " last_source_id = excluded.last_source_id, last_report_id = excluded.last_report_id",
            (log_id, replica, marks["checks"], marks["reports"]),
        )
