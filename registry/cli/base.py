"""The ``certreg`` command group, its Chinese help, its errors and exit codes (the options its
commands share are in `registry.cli.options`)."""

from __future__ import annotations

import difflib
import errno
import importlib
import os
import signal
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click

from registry import store
from registry.cli import click_zh
from registry.domain.os_reasons import reason

INTERRUPTED = 130
"""The exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it)."""
OUTPUT_FAILED = 74
"""Exit status when stdout (or a file a command writes) cannot be written."""
CLOSED_OUTPUT = "标准输出已关闭（如 >&-），命令的结果无处可写，没有运行。请把输出重定向到文件或 /dev/null 后重试"
CLOSED_PIPE = 141
"""What a command whose reader stopped reading exits with (``| head``): 128 + SIGPIPE, as a
shell reports any command a closed pipe ended. Click's own 1 there read as "not found" or "a
register refused"."""

click_zh.install()


class ChineseHelp(click.HelpFormatter):
    """Click's help layout with full-width colons (用法：, 选项：), as Chinese text is written."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class ChineseContext(click.Context):
    formatter_class = ChineseHelp


class _Chinese:
    """What every certreg command and group shares: Chinese help and usage."""

    context_class: type[click.Context] = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class ChineseCommand(_Chinese, click.Command):
    pass


class Problem(click.ClickException):
    """What stops a command, said in Chinese like every other message (click's own prefix is
    "Error:"); each kind sets its exit code."""

    def show(self, file: Any = None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


class UsageProblem(Problem):
    """A command used wrongly (bad manifest, missing option, a report number that is none):
    exit 2, with what to do."""

    exit_code = 2


class Failed(Problem):
    """A command that could not do its work (a file, the registry, a server): exit 1, with why
    and what to do."""

    exit_code = 1


class RegistryUnavailable(Failed):
    """The registry file cannot be used: what to do rather than SQLite's traceback. Exit 2, as
    for a missing one: a script must tell it from a result (``certreg verify``'s 1 is "not
    matched", ``certreg sync``'s "a register refused")."""

    exit_code = 2

    @classmethod
    def explain(cls, exc: sqlite3.DatabaseError) -> RegistryUnavailable:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return cls(
                "登记库正被另一个程序写入（如另一次 certreg sync，或正在编号的 certreg number），"
                "没有等到它结束。请等它结束后重新运行（已导入的名册不会重复导入）"
            )
        if "disk is full" in text:  # SQLITE_FULL; the transaction was rolled back
            return cls(
                f"写入登记库失败（{text}）：这一次写入已全部撤回，此前已导入的不受影响。"
                "请检查登记库所在磁盘的剩余空间（df -h）和文件大小限制，腾出空间后重新运行"
            )
        if "disk I/O error" in text:
            # a write the file system refused: a full disk or a file size limit SQLite saw as an
            # I/O error, or a file it may not write (-wal made immutable, a read-only mount)
            return cls(
                f"写入登记库失败（{text}）：这一次写入已全部撤回，此前已导入的不受影响。"
                "请检查登记库所在磁盘的剩余空间（df -h）和文件大小限制，以及登记库和其旁边的 -wal、"
                "-shm 文件能否写入（ls -l、lsattr：不可更改的 i 属性，只读挂载），改正后重新运行"
            )
        if "readonly database" in text:  # the file, or its folder: SQLite writes -wal, -shm
            return cls(
                f"登记库文件或其所在文件夹只能读、不能写（{text}；SQLite 要在文件旁建立 -wal、"
                "-shm 文件）。请以能写入它们的用户运行（如 runuser -u certreg -- certreg …），"
                "或检查 --db 文件及其文件夹的权限（ls -ld 文件夹，ls -l 文件）"
            )
        if isinstance(exc, sqlite3.IntegrityError):  # a guard of the history refused it
            return cls(
                f"登记库拒绝了正在导入的名册的写入，这一名册已撤回，此前已导入的不受影响（{text}）。"
                "若这台机器上的 certreg 比上次写入登记库的旧，请先按部署说明（docs/DEPLOY.md"
                "“Backups and upgrades”）升级 certreg，再重新运行"
            )
        if "not a database" in text or "malformed" in text:
            return cls(
                f"--db 指定的文件不是登记库，或已损坏（{text}）。请检查 --db 或环境变量 CERTREG_DB"
            )
        return cls(
            f"无法打开或写入登记库（{text}）。请检查 --db 所在文件夹是否存在、是否有写入权限"
        )


class ChineseGroup(_Chinese, click.Group):
    command_class = ChineseCommand

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]…")
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}
        """command name → the module that defines it, imported when the command is asked for
        (click's lazily loaded subcommands): ``certreg sync`` does not import the web apps"""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            importlib.import_module(self.lazy[cmd_name])  # registers it on this group
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """A command mistyped (snyc) is asked about the one meant, as a mistyped option is."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            meant = difflib.get_close_matches(args[0], self.list_commands(ctx), 1, 0.6)
            if not meant or args[0].startswith("-"):
                raise
            raise click.UsageError(f"{exc.message} 是否想用“{meant[0]}”？", ctx) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Output that cannot be written (``> /dev/full``, a full disk under a redirected log)
        is a message on stderr and exit 74 (sysexits' EX_IOERR), not a traceback whose exit 1
        reads as "a register refused". Click itself only quiets a closed pipe. Output closed
        altogether (``>&-``: Python's ``sys.stdout`` is None) is the same: click's echo
        dropped every line, and a script reading ``--json`` got nothing and exit 0."""
        if sys.stdout is None:
            click.echo(f"错误：{CLOSED_OUTPUT}", err=True)
            sys.exit(OUTPUT_FAILED)
        try:
            return super().main(*args, **kwargs)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG):
                raise
            # what stays buffered would fail again when Python flushes it on exit
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends
            try:
                click.echo(
                    f"错误：输出写不进去（{reason(exc)}）：输出被重定向到的文件，或要写出的文件，"
                    "所在磁盘已满或不可写。已完成的工作保留（已导入的名册不会重复导入）；"
                    "腾出空间（df -h）后重新运行",
                    err=True,
                )
            except OSError:  # ``>log 2>&1`` on the full disk: the status is all that can tell
                sys.stderr = open(os.devnull, "w")  # noqa: SIM115
            sys.exit(OUTPUT_FAILED)

    def invoke(self, ctx: click.Context) -> Any:
        """Every command: a registry that cannot be opened or is locked is a message, not a
        traceback (each command reaches SQLite its own way)."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - what is buffered goes nowhere
            raise click.exceptions.Exit(CLOSED_PIPE) from None
        except store.RegistryMismatch as exc:
            raise UsageProblem(str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise RegistryUnavailable.explain(exc) from exc


COMMANDS = {
    "browse": "registry.cli.web",
    "collect-logs": "registry.cli.replicas",
    "demo": "registry.cli.web",
    "follow": "registry.cli.replicas",
    "keys": "registry.cli.keys",
    "number": "registry.cli.numbering",
    "purge-log": "registry.cli.retention",
    "reports": "registry.cli.reports",
    "serve": "registry.cli.web",
    "stock": "registry.cli.stock",
    "sync": "registry.cli.registers",
    "verify": "registry.cli.checks",
}
"""Where each ``certreg`` command is defined: one command imports its module alone (a no-op
``certreg sync`` of the samples had spent 0.15 s of its 0.9 s importing Starlette, uvicorn and
the apps it never starts)."""


@click.group(
    cls=ChineseGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="certreg", help="显示版本并退出。")
def cli() -> None:
    """四川省机关事业单位工人技术等级（职务）资格证书登记与查验（川人社函〔2012〕389号）。

    登记库（certreg sync 导入名册）、职员查询（certreg browse）、公众查验（certreg serve）。每个命令后加 --help 查看说明和示例，如 certreg sync --help。"""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM — a service manager's stop, a plain ``kill`` — and SIGHUP — the terminal closed,
    the ssh session dropped — taken as Ctrl-C: the command ends through its own clean-up (child
    processes stopped, a half-written copy or the demo's registry removed) rather than wherever
    the signal found it."""
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
