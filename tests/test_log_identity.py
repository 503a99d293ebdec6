"""A replica's verification log has an identity, and ``certreg collect-logs`` collects from an
address only the log it collected there before (`registry.cli.log_sources`). An operator's
review: two replicas shipping to one address (deploy/env/replica.env copied), the collector
merged the other's rows as the first's and took over its mark; mended, the first's checks were
merged again. Real logs here, each as the collector's followed copy holds it."""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from registry.cli.base import Failed
from registry.cli.litestream import Follower
from registry.cli.log_collection import collect
from registry.store.log_identity import log_identity
from registry.store.verify_log import prepare_log

URL = "file:///mnt/logs/replica-a"


def logged(log: Path, day: int, count: int, *, identity: bool = True) -> None:
    """``count`` checks more in the replica's log ``log`` (made where missing), dated ``day``
    of December; whole in one file, as a followed copy is. ``identity=False``: a log an older
    certreg wrote, without one."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(log, isolation_level=None)) as conn:
        prepare_log(conn)
        if not identity:
            conn.execute("DROP TABLE log_identity")
        conn.executemany(
            "INSERT INTO checks (at, client, number, result, name_hash, channel)"
            " VALUES (?, '203.0.113.7', 'Z1122020123', 'no_match', 'h', 'page')",
            [(f"2026-12-{day:02}T08:00:{second:02}+00:00",) for second in range(count)],
        )
        conn.execute("PRAGMA journal_mode = DELETE")


def follower(tmp_path: Path, replica: str, url: str = URL) -> Follower:
    """The collector's follower of ``replica``, its folder made (the copy is put there)."""
    state = tmp_path / "host" / ".replica-logs" / replica
    state.mkdir(parents=True)
    return Follower(url, state, 1.0, print)


def host_checks(tmp_path: Path) -> list[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(tmp_path / "host" / "verify_log.db")) as host:
        return host.execute("SELECT replica, at FROM checks ORDER BY id").fetchall()


def mark(tmp_path: Path, replica: str) -> int:
    """The last check the host took of ``replica``."""
    with contextlib.closing(sqlite3.connect(tmp_path / "host" / "verify_log.db")) as host:
        [found] = host.execute(
            "SELECT last_source_id FROM replica_logs WHERE replica = ?", (replica,)
        ).fetchone()
    return int(found)


def collected_as(tmp_path: Path, replica: str) -> str | None:
    """The identity of the log the host collects as ``replica``'s."""
    with contextlib.closing(sqlite3.connect(tmp_path / "host" / "verify_log.db")) as host:
        [found] = host.execute(
            "SELECT log_id FROM replica_logs WHERE replica = ?", (replica,)
        ).fetchone()
    return str(found) if found else None


def test_another_replicas_log_at_an_address_is_refused_whole_and_collection_resumes(
    tmp_path: Path,
) -> None:
    """replica-b's log at replica-a's address, longer than replica-a's: merged as replica-a's,
    its mark taken over. Now nothing of it is merged, the message names the address, the
    replica that must get its own and the whole way out; mended, replica-a's log goes on from
    its own mark — no check twice in staff's log."""
    host = tmp_path / "host" / "verify_log.db"
    a, b = follower(tmp_path, "replica-a"), follower(tmp_path, "replica-b", URL[:-1] + "b")
    logged(tmp_path / "a.db", 1, 5)
    logged(tmp_path / "b.db", 2, 8)
    shutil.copy(tmp_path / "a.db", a.copy)
    shutil.copy(tmp_path / "b.db", b.copy)
    assert collect(a, "replica-a", host) == 5 and collect(b, "replica-b", host) == 8
    before = host_checks(tmp_path)

    logged(tmp_path / "b.db", 3, 2)  # replica-b, its address copied, ships to replica-a's
    shutil.copy(tmp_path / "b.db", a.copy)
    with pytest.raises(Failed) as refused:
        collect(a, "replica-a", host)
    message = refused.value.message
    assert f"副本 replica-a 的日志地址 {URL} 上不是此前从这里收取的查验日志" in message
    assert "此前作为副本 replica-b 的日志收取的那份" in message and "一条也没有并入" in message
    assert "在副本 replica-b 上把 /etc/certreg/replica.env 的 CERTREG_LOG_REPLICA 改为" in message
    assert f"删除地址 {URL} 上的全部内容" in message
    assert ".verify_log.db-litestream/" in message and f"删除 {a.state}/" in message
    assert host_checks(tmp_path) == before and mark(tmp_path, "replica-a") == 5

    logged(tmp_path / "a.db", 4, 3)  # mended: replica-a's own log shipped again, whole
    shutil.copy(tmp_path / "a.db", a.copy)
    assert collect(a, "replica-a", host) == 3
    assert collect(b, "replica-b", host) == 0  # its own address, not yet re-shipped
    shutil.copy(tmp_path / "b.db", b.copy)
    assert collect(b, "replica-b", host) == 2
    rows = host_checks(tmp_path)
    assert len(rows) == len(set(rows)) == 18
    assert sum(replica == "replica-a" for replica, _ in rows) == 8


def test_a_log_never_collected_at_an_address_taken_before_is_refused(tmp_path: Path) -> None:
    """A log no collector knows (a replica whose own collector never ran) at an address
    collected before: told by its identity, not by its ids, which have gone past the mark."""
    host = tmp_path / "host" / "verify_log.db"
    a = follower(tmp_path, "replica-a")
    logged(tmp_path / "a.db", 1, 3)
    shutil.copy(tmp_path / "a.db", a.copy)
    assert collect(a, "replica-a", host) == 3
    logged(tmp_path / "c.db", 1, 9)  # its first check as replica-a's, its ids past the mark
    shutil.copy(tmp_path / "c.db", a.copy)
    with pytest.raises(Failed) as refused:
        collect(a, "replica-a", host)
    assert "另一台副本（各副本 replica.env 中的地址可见是哪一台）" in refused.value.message
    assert "在那台副本上把" in refused.value.message
    assert len(host_checks(tmp_path)) == 3


def test_a_log_an_older_certreg_wrote_is_given_an_identity_and_collected_on(
    tmp_path: Path,
) -> None:
    """A replica's log from before identities, collected before them too: opened by this
    version it gets one, and collection goes on from the mark the host holds; until then, ids
    going back (another log) are refused rather than read from the start."""
    host = tmp_path / "host" / "verify_log.db"
    a = follower(tmp_path, "replica-a")
    logged(tmp_path / "a.db", 1, 4, identity=False)
    shutil.copy(tmp_path / "a.db", a.copy)
    assert collect(a, "replica-a", host) == 4 and collected_as(tmp_path, "replica-a") is None
    logged(tmp_path / "other.db", 2, 2, identity=False)  # another old log: its ids start again
    shutil.copy(tmp_path / "other.db", a.copy)
    with pytest.raises(Failed) as refused:
        collect(a, "replica-a", host)
    assert "日志序号倒退了或从头开始了（已收到第 4 条，这里最后一条是第 2 条" in (
        refused.value.message
    )
    assert "先把副本 replica-a 升级到本版本" in refused.value.message
    logged(tmp_path / "a.db", 3, 1)  # replica-a upgraded: its log given an identity
    with contextlib.closing(sqlite3.connect(tmp_path / "a.db")) as conn:
        identity = log_identity(conn)
    assert identity is not None and re.fullmatch(r"[0-9a-f]{16}", identity.id)
    shutil.copy(tmp_path / "a.db", a.copy)
    assert collect(a, "replica-a", host) == 1
    assert mark(tmp_path, "replica-a") == 5 and collected_as(tmp_path, "replica-a") == identity.id
    assert len(set(host_checks(tmp_path))) == 5


def test_an_older_log_whose_reports_were_purged_is_collected_on(tmp_path: Path) -> None:
    """An older replica's log collected, its reports then all purged (their ids start again)
    and the replica upgraded: refused as a log restarted — its checks had not — and the
    --new-log the refusal offered merged its four checks again (a review of the day's diff)."""
    host = tmp_path / "host" / "verify_log.db"
    a = follower(tmp_path, "replica-a")
    log = tmp_path / "a.db"
    logged(log, 1, 4, identity=False)
    with contextlib.closing(sqlite3.connect(log, isolation_level=None)) as conn:
        reported = "INSERT INTO reports (at, client, number, result, ref) VALUES (?, ?, ?, ?, ?)"
        for ref in ("R1", "R2"):
            conn.execute(
                reported, ("2026-12-01T09:00:00+00:00", "x", "Z1122020123", "no_match", ref)
            )
    shutil.copy(log, a.copy)
    assert collect(a, "replica-a", host) == 4
    with contextlib.closing(sqlite3.connect(log, isolation_level=None)) as conn:
        conn.execute("DELETE FROM reports")  # purge-log --reports-days
    logged(log, 3, 1)  # upgraded: an identity, and a check more
    shutil.copy(log, a.copy)
    assert collect(a, "replica-a", host) == 1
    rows = host_checks(tmp_path)
    assert len(rows) == len(set(rows)) == 5


def test_a_log_taken_back_resumes_from_its_own_mark(tmp_path: Path) -> None:
    """A log made anew taken with --new-log, then the old one back (the new one was another
    replica's after all): each resumes from the mark of its identity, never from the other's."""
    host = tmp_path / "host" / "verify_log.db"
    a = follower(tmp_path, "replica-a")
    logged(tmp_path / "a.db", 1, 6)
    shutil.copy(tmp_path / "a.db", a.copy)
    assert collect(a, "replica-a", host) == 6
    logged(tmp_path / "new.db", 2, 2)
    shutil.copy(tmp_path / "new.db", a.copy)
    with pytest.raises(Failed) as refused:
        collect(a, "replica-a", host)
    [new] = re.findall(r"--new-log (\w+) --once", refused.value.message)
    with pytest.raises(Failed) as wrong:  # an identity that is not the one there
        collect(a, "replica-a", host, new_log="0123456789abcdef")
    assert "--new-log 给出的 0123456789abcdef 不是这里现在的日志" in wrong.value.message
    assert collect(a, "replica-a", host, new_log=new) == 2
    logged(tmp_path / "a.db", 3, 1)
    shutil.copy(tmp_path / "a.db", a.copy)
    with pytest.raises(Failed):
        collect(a, "replica-a", host)
    with contextlib.closing(sqlite3.connect(tmp_path / "a.db")) as conn:
        old = log_identity(conn)
    assert old is not None and collect(a, "replica-a", host, new_log=old.id) == 1
    rows = host_checks(tmp_path)
    assert len(rows) == len(set(rows)) == 9
