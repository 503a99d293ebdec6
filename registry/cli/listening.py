"""What would stop a server after it announced its address, said before it starts: a port out
of range, an address this machine does not have or another program holds, a registry that is
none (or an older certreg's), a log it cannot write."""

from __future__ import annotations

import errno
import os
import socket
import sqlite3
from pathlib import Path

import click

from registry import store
from registry.cli.base import Failed, RegistryUnavailable, UsageProblem
from registry.cli.options import open_registry
from registry.domain.os_reasons import reason
from registry.public.follower import follow_state

PORT = click.IntRange(1, 65535)
"""A TCP port (a larger one ended in a traceback from the socket)."""


FOLLOWED_OLDER = (
    "登记库 {db} 是 certreg follow 维护的副本，由较早版本的 certreg 建立，本服务不改动它："
    "登记库主机升级并同步后，跟随程序会发布升级后的登记库；在此之前查验答 503（/healthz 说明原因）。"
    "请先升级登记库主机"
)
"""A replica upgraded before the registry host (docs/DEPLOY.md, Upgrade): upgraded here, its
copy — switched to WAL, its -wal left beside a file only ever replaced — would have been a
writer's, which a replica never is (an operator's review)."""


def ready_to_serve(db: Path, log: Path, host: str, port: int) -> None:
    """What would otherwise stop the server after it started, with a traceback or a 500 for
    every check: a registry that is no SQLite file or no registry, one an older certreg made
    (upgraded here when this user may write it, as the sync would — not a replica's, which its
    follower replaces), a log it cannot
    write, an address another program holds."""
    try:
        store.connect(db, readonly=True).close()
    except store.RegistryMismatch as exc:
        if exc.older and follow_state(db).exists():  # a replica's: only ever replaced, whole
            click.echo(f"警告：{FOLLOWED_OLDER.format(db=db)}", err=True)
        elif not (exc.older and os.access(db, os.W_OK) and os.access(db.parent, os.W_OK)):
            raise Failed(str(exc)) from exc
        else:
            open_registry(db).close()  # adds the tables and columns an older certreg lacked
            click.echo(f"登记库 {db} 由较早版本的 certreg 建立，已补齐本版本需要的表和列")
    except sqlite3.DatabaseError as exc:
        raise RegistryUnavailable.explain(exc) from exc
    writable = os.access(log, os.W_OK) if log.exists() else os.access(log.parent, os.W_OK)
    if not writable:
        raise Failed(
            f"无法写入查验日志 {log}：查验服务在登记库旁记录每次查验。"
            "请检查运行服务的用户对该文件夹有写入权限（如 chown certreg 该文件夹）"
        )
    address_free(host, port)


def address_free(host: str, port: int, *, option: str = "--port", part: str = "") -> None:
    """Stop, saying what to do, when another program holds ``host:port`` (uvicorn and Datasette
    would say it in English, after announcing the address), or ``host`` is no address of this
    machine: exit 2. ``option`` chooses the port; ``part``: which of ``certreg demo``'s two
    servers wanted it."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                wanted = f"（{part}要用它）" if part else ""
                raise UsageProblem(
                    f"端口 {port} 已被占用{wanted}，无法在 {host}:{port} 上提供服务（{reason(exc)}）："
                    f"可能另一个 certreg 或其他程序正在运行。请停止它，或用 {option} 换一个端口"
                ) from exc
            raise UsageProblem(
                f"无法在 {host}:{port} 上提供服务（{reason(exc)}）：--host 应是本机的一个 IP "
                "地址，如 127.0.0.1（只在本机），或 0.0.0.0（所有网卡，在代理之后时）"
            ) from exc
