"""Publishing a followed version of the registry (`registry.cli.replicas`): the served file
replaced at once by a consistent, checked copy of the `Follower`'s — never by an older registry
than the one served, nor by a file that is no registry."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from pathlib import Path
from typing import NamedTuple

from registry.cli.base import Failed
from registry.cli.litestream import Follower
from registry.domain.os_reasons import reason
from registry.store.db import RegistryMismatch, check_schema, read_only
from registry.store.keys import ApiKey, all_keys
from registry.store.syncs import SyncMark, holds_sync, last_sync


class OlderRegistry(Failed):
    """A version of the registry an older certreg wrote: not published; a later one may be."""


class RolledBack(Failed):
    """A version older than the one served: not published; a later one may be."""


class Served(NamedTuple):
    """What the served registry holds that each later version still holds as it is: its last
    sync — the history only grows — and the API keys it was given and revoked outside any sync
    (``certreg keys``): a host restored from a backup issued key 2 again to another unit, and
    its sync history, unchanged, let that version through (an operator's review)."""

    sync: SyncMark | None
    keys: list[ApiKey]


def _served(target: Path) -> Served | None:
    """What the registry ``target`` serves now holds (`Served`); None for none, or one
    unreadable (a damaged file is better replaced). Read as immutable: a published file is only
    ever replaced, never written, and no ``-shm`` may be left beside it."""
    try:
        with contextlib.closing(read_only(target, immutable=True)) as conn:
            return Served(last_sync(conn), all_keys(conn))
    except sqlite3.Error:
        return None


def _lost(served: Served, conn: sqlite3.Connection) -> str | None:
    """What of ``served`` the version ``conn`` opens lacks, said for `_rolled_back`; None when
    it holds it all: the served sync, each served key issued to the same unit at the same time,
    and each revocation."""
    if served.sync is not None and not holds_sync(conn, served.sync):
        return f"没有正在使用的登记库的第 {served.sync.id} 次同步（{served.sync.at}）"
    held = {key.id: key for key in all_keys(conn)}
    for key in served.keys:
        found = held.get(key.id)
        if found is None or (found.name, found.created_at) != (key.name, key.created_at):
            return (
                f"没有正在使用的登记库的第 {key.id} 号接口密钥（{key.name}，{key.created_at} 发放）"
            )
        if key.revoked_at is not None and found.revoked_at is None:
            return f"没有正在使用的登记库对第 {key.id} 号接口密钥（{key.name}）的吊销（{key.revoked_at}）"
    return None


def _rolled_back(lost: str, target: Path) -> RolledBack:
    return RolledBack(
        f"跟随得到的登记库{lost}：登记库主机上的登记库比副本的旧——多半是用较早的备份恢复、或者"
        "新建了登记库。发布它会让此后撤销、补发、换发的证书又被查为有效，已吊销的接口密钥又能使用，"
        "已发出的接口密钥失效或其编号归了另一个单位，所以没有发布，查验服务继续使用现有的登记库。"
        "请在登记库主机按 docs/DEPLOY.md“重建登记库主机”恢复（新建的登记库已经发出时，从一台副本"
        "正在使用的登记库恢复，而不是从 Litestream 副本）；确要退回较早的版本时，"
        f"停止 certreg-follow 后运行一次 certreg follow URL --db {target} --once --allow-rollback"
    )


def publish(follower: Follower, target: Path, *, allow_rollback: bool = False) -> None:
    """Replace ``target`` with the follower's current version, atomically.

    The copy is taken under the follower's lock (one consistent version), switched to a
    rollback journal (readers of a file that is only ever replaced need no ``-wal``/``-shm``
    beside it — and a new file must not meet an old one's), checked (whole, and a registry this
    certreg's checks can read: not a verification log given by its URL), and renamed over
    ``target``: a reader sees the old file or the new one, never a mixture. A version whose
    sync history lacks the served registry's last sync, or which lacks one of its API keys or
    revocations, is older than it — the registry host restored from a backup, or made anew —
    and is not published unless ``allow_rollback``: the public would be told a certificate
    revoked since is valid, an HR system's key would name another unit (`RolledBack`)."""
    served = None if allow_rollback else _served(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.new")
    for stale in target.parent.glob(f".{target.name}.*.new"):  # a killed run's half copy
        stale.unlink(missing_ok=True)
    try:
        try:
            with follower.reading() as copy:
                shutil.copyfile(copy, temporary)
        except OSError as exc:
            raise Failed(
                f"无法在 {target.parent} 写入登记库的新版本（{reason(exc)}）：请检查该磁盘的剩余空间和"
                "写入权限。查验服务继续使用现有的登记库"
            ) from exc
        conn = sqlite3.connect(temporary, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = DELETE")
            (verdict,) = conn.execute("PRAGMA quick_check").fetchone()
            if verdict != "ok":
                raise Failed(f"跟随得到的登记库副本未通过完整性检查：{verdict}")
            check_schema(conn)
            lost = None if served is None else _lost(served, conn)
            if lost is not None:
                raise _rolled_back(lost, target)
        except RegistryMismatch as exc:
            if exc.older:  # the registry host not upgraded yet (replicas were to come after it)
                raise OlderRegistry(
                    f"跟随得到的登记库由较早版本的 certreg 写成，本版本的查验读不了（{exc}）。"
                    "查验服务继续使用现有的登记库"
                ) from exc
            raise Failed(  # a replica's log URL given for the registry's, say
                "跟随得到的文件不能作为登记库发布（其中没有证书表，不是登记库）。请核对 URL 是登记库"
                "主机发布登记库的地址（CERTREG_REGISTRY_REPLICA），而不是某台副本的查验日志地址。"
                "查验服务继续使用现有的登记库"
            ) from exc
        finally:
            conn.close()
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            temporary.unlink()
