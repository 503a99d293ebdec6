"""``certreg purge-log``: delete what the verification log need no longer keep (个人信息保护法
第十九条), on the registry host's merged log or a replica's own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from registry.cli.base import Failed, cli
from registry.cli.options import db_option, require_registry
from registry.public.follower import follow_state
from registry.store import verify_log_path
from registry.store.log_retention import MIN_DAYS, cutoff, purge
from registry.store.verify_log import prepare_log

MAX_DAYS = 36_500
"""A hundred years: past it, "keep everything" is what is meant, and the date overflows."""
_DAYS = click.IntRange(min=MIN_DAYS, max=MAX_DAYS)


@cli.command("purge-log")
@db_option
@click.option(
    "--checks-days",
    type=_DAYS,
    required=True,
    metavar="天数",
    help=f"删除多少天以前的查验记录（至少 {MIN_DAYS} 天：网络日志留存不少于六个月）。",
)
@click.option(
    "--reports-days",
    type=_DAYS,
    metavar="天数",
    help="同时删除多少天以前、已记录处理结果的报告及其处理记录（尚未处理的不删）；"
    "在查验副本上（报告已由登记库主机收取）删除这以前的全部报告。",
)
def purge_log(db: Path, checks_days: int, reports_days: int | None) -> None:
    """删除查验日志（登记库旁的 verify_log.db）中超过保存期限的记录：查验记录（网络地址、证书编号、结果、姓名校验值），以及可选的已处理的报告（含报告人联系方式）。

    删除时覆盖所占的空间（secure_delete），文件中不留原内容。登记库主机合并后的日志和每台副本自己的日志都可以运行（副本上用其 --db）；备份和 Litestream 副本中的旧记录要等它们自己过期。每天运行一次：随附的 systemd 定时器 deploy/systemd/certreg-purge-log.timer 即是。

    示例：

    \b
        certreg purge-log --checks-days 365
        certreg purge-log --checks-days 365 --reports-days 1095 --db data/registry.db
    """
    # a mistyped --db (or CERTREG_DATA unset in the timer's unit) purged nothing, every day,
    # and said all was well
    require_registry(db, replica=True)
    log = verify_log_path(db)
    if not log.exists():
        click.echo(f"没有查验日志 {log}：无需删除")
        return
    reports_before = cutoff(reports_days) if reports_days else None
    try:
        conn = sqlite3.connect(log, timeout=10, isolation_level=None)
        try:
            prepare_log(conn)  # a log an earlier version wrote: its newer columns added
            replica = follow_state(db).exists()  # reports are handled on the host, not here
            gone = purge(conn, cutoff(checks_days), reports_before, replica=replica)
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise Failed(f"查验日志 {log} 正被写入，等了 10 秒仍未完成：请稍后重新运行") from exc
        raise Failed(
            f"无法修改查验日志 {log}（{exc}）：请以能写入该文件的用户运行（如 runuser -u certreg "
            "-- certreg purge-log …）"
        ) from exc
    said = f"已删除 {checks_days} 天以前的查验记录 {gone['checks']} 条"
    if reports_days:
        which = "的" if replica else "已处理的"
        said += f"，{reports_days} 天以前{which}报告 {gone['reports']} 份"
    if gone[
        "pending"
    ]:  # a reader (Litestream) held a snapshot: the bytes go at its next checkpoint
        said += "；日志正被读取（如 Litestream），删除的内容将在其下一次检查点从文件中清除"
    click.echo(said)
