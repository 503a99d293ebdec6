"""The options ``certreg``'s commands share: where the registry is (``--db``), ``--json``, and
the guards of a registry path — one on this server, a file, not a replica's copy."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from registry import store
from registry.cli.base import UsageProblem
from registry.public.follower import follow_state

F = TypeVar("F", bound=Callable[..., Any])

_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]|\\")


def server_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A path on this server: one written as on Windows (C:\\certreg\\registry.db) became a
    file of that odd name in the current folder."""
    if value is not None and _WINDOWS_PATH.search(str(value)):
        raise click.BadParameter(
            f"“{value}”是 Windows 的写法；certreg 运行在服务器上，请写服务器上的路径，"
            "如 /srv/certreg/registry.db（用 / 分隔）"
        )
    return value


def registry_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A registry's path (`server_path`) that can be a file: an empty --db opened a temporary
    database and blamed a full disk; a pipe's hung in SQLite's open, deaf to Ctrl-C."""
    value = server_path(ctx, param, value)
    if value is not None and str(value) in ("", "."):
        raise click.BadParameter("不能为空：请写登记库文件的路径，如 /srv/certreg/registry.db")
    if value is not None and value.exists() and not value.is_file():
        raise click.BadParameter(
            f"{value} 不是普通文件（是管道、设备或其他特殊文件）：请写登记库文件的路径"
        )
    return value


def db_option(func: F) -> F:
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=store.DEFAULT_DB,
        envvar="CERTREG_DB",
        callback=registry_path,
        help=f"登记库文件（也可用环境变量 CERTREG_DB；默认 {store.DEFAULT_DB}）。",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="以 JSON 输出，供程序读取。")(func)


def not_a_replica(db: Path) -> None:
    """Stop when ``db`` is a verification replica's copy (`follow_state` beside it): whatever
    is written there is replaced whole by the next version from the registry host — an API key
    issued on a replica worked, then vanished, and its number went to another unit's key."""
    if follow_state(db).exists():
        raise UsageProblem(
            f"{db} 是查验副本从登记库主机跟随得到的副本（旁边有 {follow_state(db).name}）："
            "在这里写入的内容，会在下一个版本到来时被整个替换掉。请在登记库主机上运行本命令"
        )


def require_registry(db: Path, what: str = "名册", *, replica: bool = False) -> None:
    """Stop with what to do when the registry file does not exist — named elsewhere (a command
    run outside the project's folder looked for the default path) or not made yet; on a
    ``replica`` (a command a verification replica runs), also how a replica gets its registry."""
    if not db.exists():
        also = (
            f"；在查验副本上，先运行 certreg follow 登记库副本地址 --db {db} --once 取得登记库"
            if replica
            else ""
        )
        raise UsageProblem(
            f"登记库 {db} 不存在。登记库在别处时，请用 --db 或环境变量 CERTREG_DB 指明它的路径；"
            f"还没有登记库时，请先运行 certreg sync 导入{what}{also}"
        )


OPENING = (
    "正在打开登记库，请稍候……（登记库若由较早版本的 certreg 建立，要先补齐表和索引、"
    "一次性更正旧数据，较大的需要几十秒；若另一个同步正在写入，要等它写完）"
)
SLOW_SECONDS = 2.0
"""How long opening may take before the command says why it waits."""


@contextlib.contextmanager
def told_if_slow(what: str = OPENING, after: float | None = None) -> Iterator[None]:
    """Say ``what`` once the block has run ``after`` seconds: an upgrade of a million-row
    registry, or the log's indexes, left a journal blank for half a minute (an operator's
    review) — and an open that is quick says nothing."""
    timer = threading.Timer(
        SLOW_SECONDS if after is None else after, lambda: click.echo(what, err=True)
    )
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def open_registry(db: Path) -> sqlite3.Connection:
    """A write connection to ``db`` (`store.connect`), said to be on its way when it is slow."""
    with told_if_slow():
        return store.connect(db)
