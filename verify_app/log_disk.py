"""Whether the verification log's disk can take its writes, as every worker of a replica sees it
(``/healthz``). A failed write is known only to the worker that made it (`CheckLog.unwritable`):
under ``certreg serve --workers 2`` on a full disk, ``/healthz`` answered 503 and 200 in turn, and
a monitor's probe could miss it (an operator's review). The file system's own figures are the
same to every worker, and cost one ``statvfs`` (microseconds) on a polled endpoint."""

from __future__ import annotations

import os
from pathlib import Path

MIB = 1024 * 1024

SHORT_SAID = (
    "本副本查验日志所在磁盘的剩余空间只有 {free} MiB，低于 CERTREG_MIN_FREE_BYTES 规定的 {least} MiB："
    "写满后查验日志无法写入，本副本将对查验回答 503，也收不到登记库的新版本。请腾出空间（df -h）"
)
READ_ONLY_SAID = (
    "本副本查验日志所在磁盘已变为只读（常因磁盘出错被系统改为只读挂载）：查验日志无法写入，"
    "本副本对查验回答 503，也收不到登记库的新版本。请检查磁盘（dmesg、mount）"
)
UNREACHABLE_SAID = "本副本查验日志所在的文件夹无法访问（{}）：查验日志无法写入。请检查数据文件夹"


def disk_trouble(folder: Path, least_free: int) -> str | None:
    """What ``/healthz`` says of the disk holding ``folder`` — mounted read-only, or fewer than
    ``least_free`` bytes free for the user the service runs as (root's reserve not counted,
    as ``df`` does) — or None while it can take the log's writes."""
    try:
        figures = os.statvfs(folder)
    except OSError as exc:  # the data folder itself gone: no 500 from the health check
        return UNREACHABLE_SAID.format(exc.strerror)
    if figures.f_flag & os.ST_RDONLY:
        return READ_ONLY_SAID
    free = figures.f_bavail * figures.f_frsize
    if free < least_free:
        return SHORT_SAID.format(free=free // MIB, least=least_free // MIB)
    return None
