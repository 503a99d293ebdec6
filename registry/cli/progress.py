"""A live progress line for a sync of many registers, on a terminal only: which register, then
how many rows it had and how fast they went. Quiet when piped or with ``--json``."""

from __future__ import annotations

import click

from registry.domain.text import visible
from registry.kinds.base import RegisterEntry
from registry.sync.outcome import Outcome
from registry.sync.report import OUTCOME_LABELS


class Progress:
    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._where = ""

    def started(self, index: int, total: int, entry: RegisterEntry) -> None:
        if not self.enabled:
            return
        self._where = f"[{index}/{total}] {visible(entry.key)}"
        click.echo(f"\r\033[K{self._where}：读取并检查中…", err=True, nl=False)

    def finished(self, outcome: Outcome, seconds: float) -> None:
        if not self.enabled:
            return
        label = OUTCOME_LABELS[outcome.outcome].split("（")[0].split("，")[0]
        if outcome.fingerprint is not None:  # refused for now: tried again later in the run
            label = "暂未导入，等排在后面的名册导入后再试"
        speed = f"，{outcome.rows / seconds:,.0f} 行/秒" if outcome.rows and seconds > 0 else ""
        click.echo(f"\r\033[K{self._where}：{label}，{outcome.rows:,} 行{speed}", err=True)
