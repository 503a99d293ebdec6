"""Whether Litestream took up what a sync wrote. On the registry host ``litestream replicate``
(the certreg-replicate unit) ships registry.db to the URL every verification replica follows;
stopped — crashed, the unit disabled — the replicas see no newer version there, stay healthy and
answer the public from the registry they have, and nobody was told (an operator's review). The
sync that wrote what they will not get says so (`stalled_note`).

Litestream 0.5 keeps what it ships beside the database, in ``.<name>-litestream/``: a running one
writes a file there for each commit it takes up. A registry without that folder is not
replicated, and its sync does not wait."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

REPLICATION_WAIT = 5.0
"""Seconds a sync waits for Litestream to take up its last commit before saying it did not.
Litestream 0.5 looks at the registry's WAL once a second (``monitor-interval``, which
deploy/litestream/registry-host.yml leaves at its default) and writes what it found within
milliseconds, a large register's within a second more: five seconds is that with room for a busy
host, and only a sync whose Litestream is down waits them all out."""
POLL = 0.05
"""Seconds between looks at Litestream's folder while waiting."""
OK, STALLED, UNREADABLE, UNCONFIRMED = "ok", "stalled", "unreadable", "unconfirmed"
"""What ``--json`` says of the replication (``"replication"``), absent when there is none or the
sync wrote nothing: taken up, not within the wait, Litestream's folder not readable by the sync's
user, the wait stopped (Ctrl-C, ``systemctl stop``)."""
WAITING = (
    f"正在确认 Litestream 已取走本次同步的改动（最多等 {REPLICATION_WAIT:.0f} 秒；"
    "按 Ctrl-C 可不再等，不影响已导入的名册）…"
)
"""Said on the terminal while the sync waits: five silent seconds after the last register read
as a hang, and a clerk's Ctrl-C then reported the sync aborted (a review)."""


def litestream_folder(db: Path) -> Path:
    """Where Litestream 0.5 keeps what it ships of ``db``."""
    return db.with_name(f".{db.name}-litestream")


def _last_written(db: Path) -> int:
    """When ``db`` was last written (its WAL, or the file a checkpoint on closing wrote), by the
    file system's clock: a file's time is compared with another file's, never with the system's
    clock — the kernel stamps files with a coarser one, a few milliseconds behind."""
    times = [0]
    for path in (db, Path(f"{db}-wal")):
        with contextlib.suppress(FileNotFoundError):
            times.append(path.stat().st_mtime_ns)
    return max(times)


def _newest(folder: Path) -> int:
    """When anything in Litestream's folder was last written (a file being written counts); an
    `OSError` when a folder of it cannot be read — `os.walk` passed over it, and a folder the
    sync's user may not read was warned of as stalled after the whole wait (a review)."""
    newest = 0
    for parent, folders, files in os.walk(folder, onerror=_unread):
        for name in (*folders, *files):
            with contextlib.suppress(FileNotFoundError):  # Litestream removes old ones
                newest = max(newest, os.stat(os.path.join(parent, name)).st_mtime_ns)
    return newest


def _unread(error: OSError) -> None:
    raise error


def replication(
    db: Path | None, waiting: Callable[[str], object], *, wait: float = REPLICATION_WAIT
) -> str | None:
    """Call after a sync wrote ``db`` and closed it (None: it wrote nothing, nothing to wait
    for): `OK` once Litestream wrote in its folder at or after the registry's last write,
    `STALLED` when it has not within ``wait`` seconds, None when ``db`` is not replicated (no
    folder: no wait); `UNREADABLE` when its folder cannot be read (no wait); `UNCONFIRMED` when
    the wait is interrupted: the registers are loaded, and a Ctrl-C or ``systemctl stop`` here
    reported the sync aborted, exit 130 (a review). ``waiting`` is told `WAITING` first."""
    if db is None or not litestream_folder(db).is_dir():
        return None
    folder, written = litestream_folder(db), _last_written(db)
    try:
        if _newest(folder) >= written:
            return OK
        waiting(WAITING)
        deadline = time.monotonic() + wait
        while _newest(folder) < written:
            if time.monotonic() >= deadline:
                return STALLED
            time.sleep(POLL)
    except OSError:
        return UNREADABLE
    except KeyboardInterrupt:
        return UNCONFIRMED
    return OK


def replication_json(state: str | None) -> dict[str, str]:
    """``--json``'s ``"replication"`` (`OK`, `STALLED`, …): a key added, none when there is nothing
    to say — a program reading an earlier report finds every key it knew."""
    return {"replication": state} if state else {}


def replication_notes(state: str | None, db: Path) -> list[str]:
    """What the text report ends with of the replication: the warning, when it stalled or
    whether it did cannot be told."""
    folder = litestream_folder(db.absolute())
    if state == UNREADABLE:
        return [
            f"注意：无法读取 Litestream 的文件夹 {folder}（请确认运行同步的用户有读取它的权限），"
            "因此不知道 Litestream 是否已取走这次同步写入的改动、登记库是否已发布到各查验副本。"
            "请在登记库主机上检查发布服务：systemctl status certreg-replicate"
        ]
    if state == UNCONFIRMED:
        return [
            "注意：等待 Litestream 时中止了等待，不知道它是否已取走这次同步写入的改动。"
            "已导入的名册不受影响；请在登记库主机上检查：systemctl status certreg-replicate"
        ]
    return [stalled_note(db)] if state == STALLED else []


def stalled_note(db: Path) -> str:
    """What the report ends with when Litestream did not take up the sync's writes: the replicas
    answer from the old registry, and nothing else says it."""
    folder = litestream_folder(db.absolute())
    return (
        f"注意：这次同步写入了登记库，但 {REPLICATION_WAIT:.0f} 秒内 Litestream 没有取走这些改动"
        f"（{folder} 中没有新的记录）：登记库没有发布出去，各查验副本仍按旧的登记库答复查验，"
        "而且看上去一切正常（/healthz 照常是 200）。"
        "请在登记库主机上检查发布服务：systemctl status certreg-replicate，"
        "日志见 journalctl -u certreg-replicate；服务恢复运行后会发布当前的登记库，不必重新同步。"
        "如果是有意不再发布（已停用 certreg-replicate，不再使用查验副本），"
        f"可删除文件夹 {folder}，此后同步不再提示"
    )
