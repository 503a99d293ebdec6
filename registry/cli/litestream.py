"""The Litestream side of following a replicated database (`registry.cli.replicas`): the
binary, and a `Follower` that keeps a private copy current with ``litestream restore -f`` and
holds it still while it is read (`registry.cli.publish` puts a version of it in service)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from registry.cli.base import Failed, UsageProblem

SQLITE_SHARED_FIRST = 0x40000000 + 2
"""SQLite's shared-lock byte range on Unix (PENDING_BYTE + 2, 510 bytes): the range that
Litestream's follow mode locks exclusively while it writes a change into its copy."""
SQLITE_SHARED_SIZE = 510
RESTART_PAUSE = 5.0
"""Seconds before a Litestream that exited (replica unreachable, no backup yet) is restarted."""
HISTORY_CHECK = 15.0
"""Seconds between looks at the newest version the replica URL holds (`Follower.check_history`):
often enough that the follower's heartbeat (`registry.cli.pulse`) rests on one."""
LISTING_TIMEOUT = 20
"""Seconds a look at the replica URL may take: one that hangs is no contact."""


def litestream_binary() -> str:
    """The Litestream binary: beside this Python (a venv's bin, where ``certreg[replica]`` puts
    it, also when the venv is not activated, as under systemd) or on PATH."""
    beside = Path(sys.executable).parent / "litestream"
    if beside.exists():
        return str(beside)
    found = shutil.which("litestream")
    if found is None:
        raise UsageProblem(
            "找不到 litestream 程序。请安装：pip install 'certreg[replica]'（或把 litestream 放到 PATH 中）"
        )
    return found


class Follower:
    """``litestream restore -f`` keeping a private copy of a replicated database current.

    The copy and Litestream's ``-txid`` file (the last change applied) live in ``state``;
    Litestream resumes from them after a restart. A Litestream that exits (the replica URL
    unreachable, nothing replicated there yet, a history it cannot resume) is started again
    after `RESTART_PAUSE`, from scratch when it could not resume."""

    def __init__(
        self,
        url: str,
        state: Path,
        interval: float,
        say: Callable[[str], None],
        *,
        history_every: float = HISTORY_CHECK,
    ) -> None:
        self.url = url
        self.state = state
        self.copy = state / "follow.db"
        self.interval = interval
        self.say = say
        self._binary = litestream_binary()
        self._process: subprocess.Popen[bytes] | None = None
        self._restart_at = 0.0
        self.history_every = history_every
        """seconds between looks at the URL's newest version (`check_history`)"""
        self._history_at = time.monotonic()  # the first look as soon as there is a copy
        self.confirmed_at = float("-inf")
        """when a look at the URL last found the copy at its newest version (monotonic)"""
        self.exits = 0
        """how many times Litestream ended on its own (a wrong URL: every time, at once)"""

    def txid(self) -> str | None:
        """The last change Litestream applied to the copy (hex), None before the first."""
        try:
            return (self.state / "follow.db-txid").read_text().strip() or None
        except FileNotFoundError:
            return None

    @property
    def running(self) -> bool:
        """Whether Litestream is following now (started, not ended)."""
        return self._process is not None and self._process.poll() is None

    def ensure_running(self) -> None:
        if self._process is not None:
            code = self._process.poll()
            if code is None:
                return
            self._process = None
            self.exits += 1
            # the first time at once: a copy it cannot resume after a stop (the host's snapshot
            # newer than its txid) kept the replica on its old registry 5 s longer after a
            # reboot (an operator's review); a URL that keeps failing is tried every few seconds
            self._restart_at = time.monotonic() + (RESTART_PAUSE if self.exits > 1 else 0)
            if self.exits == 1:
                self.say(
                    f"litestream 已退出（退出码 {code}，原因见上面 litestream 自己的输出），"
                    f"现在从头恢复一份副本、重新开始跟随 {self.url}。"
                    "这会自动恢复：已收到的内容不会丢失，也不会重复；一直反复出现时，"
                    f"请检查副本地址是否可达，以及本机的 {self.state} 是否存在、可写"
                    "（litestream 的输出提到本机路径时，问题在本机）"
                )
            else:  # said once: the rest is a count, not the same paragraph again
                self.say(
                    f"litestream 又退出了（第 {self.exits} 次，退出码 {code}），"
                    f"{RESTART_PAUSE:.0f} 秒后重试"
                )
            if self.copy.exists():
                self.forget()  # whatever stopped it, a fresh restore cannot be wrong
        if time.monotonic() < self._restart_at:
            return
        self.state.mkdir(parents=True, exist_ok=True)
        if self.copy.exists() and self.txid() is None:
            self.forget()  # a copy Litestream cannot resume from
        milliseconds = max(1, round(self.interval * 1000))
        self._process = subprocess.Popen(
            [
                self._binary,
                "restore",
                "-f",
                "-follow-interval",
                f"{milliseconds}ms",
                "-o",
                str(self.copy),
                self.url,
            ],
            stdin=subprocess.DEVNULL,
        )

    def check_history(self) -> None:
        """Start again from scratch when the replica URL's newest version is older than the
        copy's: the URL holds another history now — the registry host rebuilt from a backup and
        shipping anew —, and Litestream, waiting for a version after the copy's, would lay the
        other history's next versions over the copy: a review's replica served a mixture of two
        registries (a certificate the host no longer held answered 有效). Restored whole, the
        other history's registry is then judged as any version is (`publish`: an older one is
        not published). Looked at every `history_every` seconds; a URL that cannot be listed,
        or lists nothing, is Litestream's own to report."""
        if time.monotonic() < self._history_at or (txid := self.txid()) is None:
            return
        self._history_at = time.monotonic() + self.history_every
        latest = self._newest_at_url()
        if latest is not None and latest == int(txid, 16):
            self.confirmed_at = time.monotonic()  # in contact, and current
        if latest is None or latest >= int(txid, 16):
            return
        self.say(
            f"副本地址 {self.url} 上最新的版本（{latest:016x}）早于本机已跟随到的版本（{txid}）："
            "那里现在是另一份登记库的历史（多半是登记库主机用备份重建后重新发布），它此后的版本"
            "不能叠加在本机的跟随副本上。已丢弃跟随副本，从头恢复；恢复到的登记库比正在使用的旧时"
            "不会发布（见 docs/DEPLOY.md“重建登记库主机”）"
        )
        self.stop()
        self.forget()

    def _newest_at_url(self) -> int | None:
        """The newest version (txid) the replica URL lists; None when it lists none."""
        try:
            listed = subprocess.run(
                [self._binary, "ltx", "-level", "all", "-json", self.url],
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=LISTING_TIMEOUT,
                check=False,
            )
            files = json.loads(listed.stdout) if listed.returncode == 0 else None
            return max(int(f["max_txid"], 16) for f in files) if files else None
        except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, TypeError):
            return None

    def forget(self) -> None:
        """Forget the private copy: the next start restores the current version whole — what
        ``--once`` wants (the first version it sees is then the current one, not the one a
        stopped follower left), and what a Litestream that could not resume needs."""
        for suffix in ("", "-txid", "-wal", "-shm", ".tmp"):
            Path(f"{self.copy}{suffix}").unlink(missing_ok=True)

    @contextmanager
    def owned(self) -> Iterator[None]:
        """This follower's folder for this process alone, while it runs. A second process on
        it — a unit started twice, a manual run beside the service — would run a second
        Litestream into the same copy, and a second ``collect-logs`` would append the same rows
        to the log twice. (``flock``: released when the process ends, however it ends.)"""
        self.state.mkdir(parents=True, exist_ok=True)
        with (self.state / "lock").open("a+", encoding="utf-8") as lock:  # kept: whose it is
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                followed = lock.read().strip() or self.url  # the URL the other one follows
                raise Failed(
                    f"另一个进程正在跟随 {followed}（使用 {self.state}）：同一个登记库或副本日志"
                    "只能由一个 certreg follow / collect-logs 跟随。请先停止那个进程"
                    "（如 systemctl status 'certreg-*' 查看），或不要重复运行"
                ) from None
            lock.truncate(0)
            lock.write(self.url)
            lock.flush()
            yield

    @contextmanager
    def reading(self) -> Iterator[Path]:
        """Hold the copy still: a shared lock on SQLite's shared-lock range, which Litestream
        locks exclusively (and waits for) while it applies a change. The lock is this process's
        and ends when any descriptor of the file in this process closes — readers inside must
        be done with the file when they close it."""
        fd = os.open(self.copy, os.O_RDONLY)
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH, SQLITE_SHARED_SIZE, SQLITE_SHARED_FIRST)
            yield self.copy
        finally:
            os.close(fd)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
