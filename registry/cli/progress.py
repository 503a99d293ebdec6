"""A live progress line for a sync of many registers, on a terminal only: which register, then
how many rows it had and how fast they went. Quiet when piped or with ``--json``."""

from __future__ import annotations

import shutil

import click

from registry.cli.click_zh import columns, truncated
from registry.domain.text import visible
from registry.kinds.base import RegisterEntry
from registry.sync.outcome import LOADED, UNCHANGED, UPDATED, Outcome
from registry.sync.report import short_label


def _fit(text: str, most: int) -> str:
    """``text`` cut to ``most`` screen columns (a Chinese character takes two), with … where
    it was cut."""
    return text if columns(text) <= most else truncated(text, most - 1) + "…"


class Progress:
    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._where = ""
        self.loaded: list[str] = []
        """the registers this run has loaded so far (`stopped`)"""
        self.began = False
        """whether a register's sync has begun (`stopped`)"""

    def started(self, index: int, total: int, entry: RegisterEntry) -> None:
        self.began = True
        if not self.enabled:
            return
        self._where = f"[{index}/{total}] {visible(entry.key)}"
        # one screen row: a line that wraps is cleared only on its last row, and the rows above
        # it stayed on the screen, one copy per register
        line = _fit(f"{self._where}：读取并检查中…", shutil.get_terminal_size().columns - 1)
        click.echo(f"\r\033[K{line}", err=True, nl=False)

    def finished(self, outcome: Outcome, seconds: float) -> None:
        if outcome.outcome in (LOADED, UPDATED):
            self.loaded.append(outcome.entry.key)
        if not self.enabled:
            return
        label = short_label(outcome)
        if outcome.fingerprint is not None:  # refused for now: tried again if they load
            label = "暂未导入：排在后面的名册如登记了它引用的证书，导入后再试一次"
        skipped = outcome.outcome == UNCHANGED and outcome.sync_id is None  # the file not read
        read = outcome.rows and seconds > 0 and not skipped
        speed = f"，{outcome.rows / seconds:,.0f} 行/秒" if read else ""
        click.echo(f"\r\033[K{self._where}：{label}，{outcome.rows:,} 行{speed}", err=True)

    def waiting(self, what: str) -> None:
        """A wait after the registers' lines (`registry.sync.replication.WAITING`): five silent
        seconds read as a hang."""
        if self.enabled:
            click.echo(what, err=True)

    def stopped(self, dry_run: bool) -> str:
        """What a sync stopped by Ctrl-C did: the registers it loaded stay loaded (each whole);
        the one under way, loaded or undone (Ctrl-C may come as it commits), and the rest wait
        for the next run."""
        if dry_run:
            return "试运行已中止，登记库未作任何改动。"
        if not self.began:  # stopped while opening (an older registry's upgrade, undone)
            return (
                "同步已中止：还没有开始导入名册，登记的证书未作任何改动（中止的若是较早版本"
                "登记库的升级，下次运行会接着完成）。再次运行 certreg sync 即可。"
            )
        return (
            f"同步已中止。本次已导入的名册：{self._done()}；中止时正在导入的那一个可能刚导入，"
            "也可能已撤回（每个名册都是完整导入或完全不导入），其余的尚未导入。再次运行 "
            "certreg sync 会接着导入，已导入的不会重复。"
        )

    def halted(self) -> str:
        """What a sync stopped by a registry it could not write (locked, a full disk) did."""
        return (
            f"同步中途停止。本次已导入的名册：{self._done()}（每个名册都是完整导入或完全不导入）；"
            "出错时正在导入的那一个已撤回，其余的尚未导入。排除下面的问题后再次运行 certreg sync "
            "会接着导入，已导入的不会重复。"
        )

    def _done(self) -> str:
        return "、".join(visible(key) for key in self.loaded) if self.loaded else "没有"
